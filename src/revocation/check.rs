//! [`CheckRevoked`]: a verifier whose accepted tokens are looked up on a
//! revocation list.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use http::request::Parts;
use pin_project_lite::pin_project;

use super::{Revocations, TokenId};
use crate::error::AuthError;
use crate::facts::TokenFacts;
use crate::token::BearerToken;
use crate::verify::Verdict;
use crate::verify::VerifyToken;

/// Runs the verifier it wraps, then looks each token it accepts up on a
/// revocation list: a revoked token is 401 `invalid_token` ("the access
/// token was revoked").
///
/// The token is looked up by the `jti` its verifier found
/// ([`VerifyToken::token_facts`]), if any, and by its digest; see
/// [`TokenId`]: a revocation by either refuses it. A list that cannot answer
/// (a shared store out of reach for longer than it allows) refuses the
/// request with 503 by default: a revocation check that fails open lets a
/// revoked token through exactly when the store is down.
/// [`fail_open`](Self::fail_open) accepts instead.
///
/// Wrap it around a `cache::CachedVerifier` (feature `cache`), not
/// the other way round, so the list is asked on every request.
pub struct CheckRevoked<V, R> {
    inner: Arc<Inner<V, R>>,
    fail_open: bool,
}

struct Inner<V, R> {
    verifier: V,
    revocations: R,
}

impl<V, R> CheckRevoked<V, R> {
    /// `verifier`, with its tokens checked against `revocations`.
    pub fn new(verifier: V, revocations: R) -> Self {
        Self {
            inner: Arc::new(Inner {
                verifier,
                revocations,
            }),
            fail_open: false,
        }
    }

    /// Accepts tokens the list cannot answer for, rather than answering
    /// 503: for a service that prefers availability to revocation, at the
    /// price of letting revoked tokens through while the list is out of
    /// reach.
    #[must_use]
    pub fn fail_open(mut self) -> Self {
        self.fail_open = true;
        self
    }

    /// The revocation list.
    pub fn revocations(&self) -> &R {
        &self.inner.revocations
    }

    /// The verifier it wraps.
    pub fn verifier(&self) -> &V {
        &self.inner.verifier
    }
}

impl<V: VerifyToken, R: Revocations> Inner<V, R> {
    fn check(
        &self,
        token: &BearerToken,
        claims: V::Claims,
        fail_open: bool,
    ) -> Result<V::Claims, AuthError> {
        let facts = self.verifier.token_facts(token, &claims);
        let by_jti = facts.token_id().map(TokenId::jti);
        let ids = by_jti
            .into_iter()
            .chain([TokenId::of_token(token.as_str())]);
        let mut revoked = Ok(false);
        for id in ids {
            revoked = self.revocations.is_revoked(&id);
            if revoked != Ok(false) {
                break;
            }
        }
        match revoked {
            Ok(false) => Ok(claims),
            Ok(true) => Err(AuthError::revoked()),
            Err(_) if fail_open => Ok(claims),
            Err(error) => Err(AuthError::unavailable().with_source(error)),
        }
    }
}

impl<V, R> VerifyToken for CheckRevoked<V, R>
where
    V: VerifyToken,
    R: Revocations,
{
    type Claims = V::Claims;
    type Future = RevocationFuture<V, R>;

    fn verify(&self, token: BearerToken, head: &Parts) -> Self::Future {
        RevocationFuture {
            verdict: self.inner.verifier.verify(token.clone(), head),
            token: Some(token),
            inner: Arc::clone(&self.inner),
            fail_open: self.fail_open,
        }
    }

    /// The revocation check runs at once on a verdict the wrapped verifier
    /// knows at once.
    fn verify_now(&self, token: BearerToken, head: &Parts) -> Verdict<V::Claims, Self::Future> {
        match self.inner.verifier.verify_now(token.clone(), head) {
            Verdict::Now(verdict) => Verdict::Now(
                verdict.and_then(|claims| self.inner.check(&token, claims, self.fail_open)),
            ),
            Verdict::Later(verdict) => Verdict::Later(RevocationFuture {
                verdict,
                token: Some(token),
                inner: Arc::clone(&self.inner),
                fail_open: self.fail_open,
            }),
        }
    }

    fn token_facts(&self, token: &BearerToken, claims: &Self::Claims) -> TokenFacts {
        self.inner.verifier.token_facts(token, claims)
    }

    fn still_trusts(&self, facts: &TokenFacts) -> bool {
        self.inner.verifier.still_trusts(facts)
    }

    fn recognizes(&self, token: &BearerToken) -> bool {
        self.inner.verifier.recognizes(token)
    }
}

pin_project! {
    /// The future of [`CheckRevoked`]: the wrapped verifier's verdict,
    /// then the look-up, which answers from memory.
    pub struct RevocationFuture<V: VerifyToken, R> {
        #[pin]
        verdict: V::Future,
        token: Option<BearerToken>,
        inner: Arc<Inner<V, R>>,
        fail_open: bool,
    }
}

impl<V: VerifyToken, R: Revocations> Future for RevocationFuture<V, R> {
    type Output = Result<V::Claims, AuthError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let claims = ready!(this.verdict.poll(cx))?;
        let token = this
            .token
            .take()
            .expect("RevocationFuture polled after it completed");
        Poll::Ready(this.inner.check(&token, claims, *this.fail_open))
    }
}

impl<V: VerifyToken, R> fmt::Debug for RevocationFuture<V, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RevocationFuture").finish_non_exhaustive()
    }
}

impl<V, R> Clone for CheckRevoked<V, R> {
    fn clone(&self) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
            fail_open: self.fail_open,
        }
    }
}

impl<V: fmt::Debug, R: fmt::Debug> fmt::Debug for CheckRevoked<V, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CheckRevoked")
            .field("verifier", &self.inner.verifier)
            .field("revocations", &self.inner.revocations)
            .field("fail_open", &self.fail_open)
            .finish()
    }
}
