//! [`MapVerifier`]: each token gets the answer the test gave it.

use std::collections::HashMap;
use std::fmt;
use std::future::{Ready, ready};
use std::sync::Arc;

use http::request::Parts;

use crate::error::AuthError;
use crate::token::BearerToken;
use crate::verify::{Verdict, VerifyToken};

/// A verifier that answers each token what it was told: claims, or an
/// [`AuthError`] (expired, revoked, unavailable...). Any other token is 401
/// `invalid_token`. Tokens are compared as they are, of any length: it is
/// for tests, never for serving (see [`StaticTokens`](crate::StaticTokens)
/// for API keys). Cloning it is a pointer copy.
pub struct MapVerifier<C> {
    answers: Arc<HashMap<Box<str>, Result<C, AuthError>>>,
}

impl<C> MapVerifier<C> {
    /// A verifier that refuses every token.
    pub fn new() -> Self {
        Self {
            answers: Arc::default(),
        }
    }
}

impl<C: Clone> MapVerifier<C> {
    /// Accepts `token` with `claims`.
    pub fn accept(self, token: &str, claims: C) -> Self {
        self.answer(token, Ok(claims))
    }

    /// Refuses `token` with `error`.
    pub fn refuse(self, token: &str, error: AuthError) -> Self {
        self.answer(token, Err(error))
    }

    fn answer(mut self, token: &str, answer: Result<C, AuthError>) -> Self {
        // A clone made earlier keeps the answers it had.
        Arc::make_mut(&mut self.answers).insert(token.into(), answer);
        self
    }
}

impl<C> Default for MapVerifier<C> {
    fn default() -> Self {
        Self::new()
    }
}

impl<C> Clone for MapVerifier<C> {
    fn clone(&self) -> Self {
        Self {
            answers: Arc::clone(&self.answers),
        }
    }
}

impl<C> fmt::Debug for MapVerifier<C> {
    /// How many tokens it knows, never the tokens.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MapVerifier")
            .field("tokens", &self.answers.len())
            .finish()
    }
}

impl<C> VerifyToken for MapVerifier<C>
where
    C: Clone + Send + Sync + 'static,
{
    type Claims = C;
    type Future = Ready<Result<C, AuthError>>;

    fn verify(&self, token: BearerToken, _head: &Parts) -> Self::Future {
        let answer = self.answers.get(token.as_str());
        ready(answer.map_or_else(|| Err(AuthError::invalid_token()), Result::clone))
    }

    fn verify_now(&self, token: BearerToken, head: &Parts) -> Verdict<C, Self::Future> {
        Verdict::Now(self.verify(token, head).into_inner())
    }

    /// Whether it was told about `token`.
    fn recognizes(&self, token: &BearerToken) -> bool {
        self.answers.contains_key(token.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    fn verdict(
        verifier: &MapVerifier<&'static str>,
        token: &str,
    ) -> Result<&'static str, ErrorKind> {
        let token: BearerToken = token.parse().expect("a b64token");
        let head = http::Request::new(()).into_parts().0;
        match verifier.verify_now(token, &head) {
            Verdict::Now(result) => result.map_err(|error| error.kind()),
            Verdict::Later(_) => panic!("a map answers at once"),
        }
    }

    #[test]
    fn each_token_gets_its_answer_and_others_invalid_token() {
        let verifier = MapVerifier::new()
            .accept("alice", "alice")
            .refuse("old", AuthError::expired());
        assert_eq!(verdict(&verifier, "alice"), Ok("alice"));
        assert_eq!(verdict(&verifier, "old"), Err(ErrorKind::Expired));
        assert_eq!(verdict(&verifier, "nobody"), Err(ErrorKind::InvalidToken));

        // A clone keeps the answers it had when it was made.
        let earlier = verifier.clone();
        let later = verifier.accept("bob", "bob");
        assert_eq!(verdict(&later, "bob"), Ok("bob"));
        assert_eq!(verdict(&earlier, "bob"), Err(ErrorKind::InvalidToken));
        assert_eq!(format!("{later:?}"), "MapVerifier { tokens: 3 }");
    }
}
