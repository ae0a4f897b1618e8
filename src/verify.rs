//! The verifier: the user's decision on a token.

use std::future::Future;

use http::request::Parts;

use crate::error::AuthError;
use crate::facts::TokenFacts;
use crate::token::BearerToken;

/// Decides whether a token grants access, and to whom.
///
/// It gets the token and the request head (method, URI, headers and
/// extensions: what proof-of-possession and certificate binding need) and
/// answers the token's claims, which the layer puts into the request
/// extensions for the handler, or an [`AuthError`] saying why not.
///
/// The future is a named type, so the layer's response future is too: a
/// verifier that decides at once returns [`std::future::Ready`] and costs no
/// allocation. The future cannot borrow the request: take from it what the
/// decision needs before returning.
///
/// Closures of the shape `Fn(BearerToken, &Parts) -> impl Future` are
/// verifiers (annotate the `&Parts` argument so the closure accepts any
/// lifetime):
///
/// ```
/// use http::request::Parts;
/// use tower_bearer_auth::{AuthError, BearerAuthLayer, BearerToken};
///
/// #[derive(Clone)]
/// struct User(String);
///
/// let layer = BearerAuthLayer::new(|token: BearerToken, _request: &Parts| {
///     let verdict = match token.as_str() {
///         "let-me-in-please-0123456789" => Ok(User("alice".to_owned())),
///         _ => Err(AuthError::invalid_token()),
///     };
///     async move { verdict }
/// });
/// # let _ = layer;
/// ```
pub trait VerifyToken {
    /// What a valid token says about its holder; the handler finds it in the
    /// request extensions.
    type Claims: Clone + Send + Sync + 'static;

    /// The verdict.
    type Future: Future<Output = Result<Self::Claims, AuthError>>;

    /// Verifies `token`, presented with the request `head`.
    fn verify(&self, token: BearerToken, head: &Parts) -> Self::Future;

    /// Verifies `token`, answering [`Verdict::Now`] when the verdict needs
    /// no wait. The layer calls this one: a verdict known at once lets it
    /// call the inner service straight away, without keeping the request in
    /// its response future or cloning the inner service.
    ///
    /// The default is [`Verdict::Later`] with [`verify`](Self::verify)'s
    /// future. Override it when that future is often ready at once and
    /// you can tell (as [`VerifyFuture::into_verdict`](crate::future::VerifyFuture::into_verdict)
    /// or [`std::future::Ready::into_inner`] can); it must decide as
    /// `verify` would.
    fn verify_now(&self, token: BearerToken, head: &Parts) -> Verdict<Self::Claims, Self::Future> {
        Verdict::Later(self.verify(token, head))
    }

    /// What this verifier knows about `token`, which it accepted with
    /// `claims`: its expiry, its identifier, the keys that vouched for it.
    /// Wrappers that remember verdicts or revoke tokens call it after a
    /// successful verification; the default knows nothing.
    fn token_facts(&self, token: &BearerToken, claims: &Self::Claims) -> TokenFacts {
        let _ = (token, claims);
        TokenFacts::default()
    }

    /// Whether this is the verifier to judge `token`, when
    /// [`FirstOf`](crate::FirstOf) chooses one of two: a JWT verifier
    /// recognizes a JWT of an issuer it accepts, [`StaticTokens`](crate::StaticTokens)
    /// its own tokens, a wrapper what the verifier it wraps recognizes. It
    /// decides nothing: the chosen verifier still checks the token. The
    /// default, for a verifier that cannot tell without asking, is `true`.
    fn recognizes(&self, token: &BearerToken) -> bool {
        let _ = token;
        true
    }

    /// Whether a remembered verdict with these facts still holds as far as
    /// the verifier's keys go: `false` once a key of
    /// [`facts.keys()`](TokenFacts::keys) is no longer trusted. The default
    /// has no keys to lose.
    fn still_trusts(&self, facts: &TokenFacts) -> bool {
        let _ = facts;
        true
    }
}

/// What [`VerifyToken::verify_now`] answers: the verdict, or the future
/// that will tell it.
#[derive(Debug)]
#[must_use = "a verdict decides whether the request passes"]
pub enum Verdict<C, F> {
    /// Decided without waiting.
    Now(Result<C, AuthError>),
    /// To be decided by this future.
    Later(F),
}

impl<F, Fut, C> VerifyToken for F
where
    F: Fn(BearerToken, &Parts) -> Fut,
    Fut: Future<Output = Result<C, AuthError>>,
    C: Clone + Send + Sync + 'static,
{
    type Claims = C;
    type Future = Fut;

    fn verify(&self, token: BearerToken, head: &Parts) -> Self::Future {
        self(token, head)
    }
}
