//! A fixed set of API tokens, each with its claims.

use std::collections::HashMap;
use std::fmt;
use std::future::{Ready, ready};
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use http::request::Parts;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error::{AuthError, ConfigError};
use crate::token::{BearerToken, is_b64token};
use crate::verify::{Verdict, VerifyToken};

/// The shortest static token accepted: 22 base64 characters carry 128 bits,
/// the least RFC 6750 §5.2 "infeasible to guess" allows.
pub const MIN_STATIC_TOKEN_LEN: usize = 22;

/// A verifier for a fixed set of tokens (API keys), each mapped to claims.
///
/// Tokens are kept only as SHA-256 digests, so a memory dump or a `Debug`
/// print reveals none of them, and a presented token is found by its digest
/// and compared in constant time: how long a refusal takes says nothing about
/// how much of a guess was right.
///
/// ```
/// use tower_bearer_auth::StaticTokens;
///
/// #[derive(Clone)]
/// struct Client { name: &'static str }
///
/// let tokens = StaticTokens::new()
///     .with_token("3Yp9-kq2HcW8xTzL4mNvB1rQ", Client { name: "billing" })?
///     .with_token("Jd7s-Pq0LxV3nRb6YtEw9uKa", Client { name: "reports" })?;
/// # Ok::<(), tower_bearer_auth::ConfigError>(())
/// ```
pub struct StaticTokens<C> {
    tokens: Arc<HashMap<TokenDigest, C>>,
}

impl<C> StaticTokens<C> {
    /// An empty set: every token is refused until some are added.
    pub fn new() -> Self {
        Self {
            tokens: Arc::new(HashMap::new()),
        }
    }

    /// The number of tokens.
    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    /// Whether the set holds no token.
    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }
}

impl<C: Clone> StaticTokens<C> {
    /// Adds `token`, answered with `claims`.
    ///
    /// Refuses a token that no request could present (not a `b64token`), one
    /// shorter than [`MIN_STATIC_TOKEN_LEN`], and one already in the set.
    pub fn with_token(mut self, token: impl AsRef<str>, claims: C) -> Result<Self, ConfigError> {
        let token = token.as_ref().as_bytes();
        if !is_b64token(token) {
            return Err(ConfigError::MalformedToken);
        }
        if token.len() < MIN_STATIC_TOKEN_LEN {
            return Err(ConfigError::TokenTooShort {
                min: MIN_STATIC_TOKEN_LEN,
            });
        }
        let tokens = Arc::make_mut(&mut self.tokens);
        if tokens.insert(TokenDigest::of(token), claims).is_some() {
            return Err(ConfigError::DuplicateToken);
        }
        Ok(self)
    }
}

impl<C> Default for StaticTokens<C> {
    fn default() -> Self {
        Self::new()
    }
}

impl<C> Clone for StaticTokens<C> {
    fn clone(&self) -> Self {
        Self {
            tokens: Arc::clone(&self.tokens),
        }
    }
}

impl<C> fmt::Debug for StaticTokens<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StaticTokens")
            .field("len", &self.tokens.len())
            .finish_non_exhaustive()
    }
}

impl<C> VerifyToken for StaticTokens<C>
where
    C: Clone + Send + Sync + 'static,
{
    type Claims = C;
    type Future = Ready<Result<C, AuthError>>;

    fn verify(&self, token: BearerToken, _head: &Parts) -> Self::Future {
        let claims = self.tokens.get(&TokenDigest::of(token.as_bytes()));
        ready(claims.cloned().ok_or_else(AuthError::invalid_token))
    }

    fn verify_now(&self, token: BearerToken, head: &Parts) -> Verdict<C, Self::Future> {
        Verdict::Now(self.verify(token, head).into_inner())
    }

    /// Whether `token` is one of these.
    fn recognizes(&self, token: &BearerToken) -> bool {
        self.tokens.contains_key(&TokenDigest::of(token.as_bytes()))
    }
}

/// SHA-256 of a token; equality in constant time.
#[derive(Clone, Copy)]
struct TokenDigest([u8; 32]);

impl TokenDigest {
    fn of(token: &[u8]) -> Self {
        Self(Sha256::digest(token).into())
    }
}

impl PartialEq for TokenDigest {
    fn eq(&self, other: &Self) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

impl Eq for TokenDigest {}

impl Hash for TokenDigest {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    const TOKEN: &str = "3Yp9-kq2HcW8xTzL4mNvB1rQ";

    fn head() -> Parts {
        http::Request::new(()).into_parts().0
    }

    async fn verify(
        tokens: &StaticTokens<&'static str>,
        token: &str,
    ) -> Result<&'static str, ErrorKind> {
        let token: BearerToken = token.parse().map_err(|e: AuthError| e.kind())?;
        tokens.verify(token, &head()).await.map_err(|e| e.kind())
    }

    #[test]
    fn known_tokens_map_to_their_claims() {
        let tokens = StaticTokens::new()
            .with_token(TOKEN, "billing")
            .and_then(|t| t.with_token("Jd7s-Pq0LxV3nRb6YtEw9uKa", "reports"))
            .expect("valid tokens");
        let run = |token| futures_lite(verify(&tokens, token));
        assert_eq!(run(TOKEN), Ok("billing"));
        assert_eq!(run("Jd7s-Pq0LxV3nRb6YtEw9uKa"), Ok("reports"));
        assert_eq!(
            run("3Yp9-kq2HcW8xTzL4mNvB1rq"),
            Err(ErrorKind::InvalidToken)
        );
        assert_eq!(
            run("3Yp9-kq2HcW8xTzL4mNvB1rQ="),
            Err(ErrorKind::InvalidToken)
        );
    }

    #[test]
    fn bad_configuration_is_refused() {
        let cases = [
            ("short", "abc", ConfigError::TokenTooShort { min: 22 }),
            (
                "space",
                "3Yp9-kq2HcW8xTzL 4mNvB1rQ",
                ConfigError::MalformedToken,
            ),
            ("empty", "", ConfigError::MalformedToken),
        ];
        for (name, token, expected) in cases {
            let result = StaticTokens::new().with_token(token, ());
            assert_eq!(result.err(), Some(expected), "case {name}");
        }
        let twice = StaticTokens::new()
            .with_token(TOKEN, ())
            .and_then(|t| t.with_token(TOKEN, ()));
        assert_eq!(twice.err(), Some(ConfigError::DuplicateToken));
    }

    #[test]
    fn debug_shows_no_token() {
        let tokens = StaticTokens::new().with_token(TOKEN, ()).expect("valid");
        let debug = format!("{tokens:?}");
        assert_eq!(debug, "StaticTokens { len: 1, .. }");
    }

    /// Polls a future that is ready at once.
    fn futures_lite<F: std::future::Future>(future: F) -> F::Output {
        let mut future = std::pin::pin!(future);
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        match future.as_mut().poll(&mut cx) {
            std::task::Poll::Ready(output) => output,
            std::task::Poll::Pending => panic!("static verification never waits"),
        }
    }
}
