//! [`FirstOf`]: two verifiers as one, the token choosing which decides.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use http::request::Parts;
use pin_project_lite::pin_project;

use crate::error::AuthError;
use crate::facts::TokenFacts;
use crate::token::BearerToken;
use crate::verify::{Verdict, VerifyToken};

/// Two verifiers as one: the first that
/// [recognizes](VerifyToken::recognizes) the token decides, and the second
/// when neither does. For "a JWT or an API key", or "a JWT of this issuer
/// or an opaque token":
///
#[cfg_attr(
    feature = "jwt",
    doc = r#"
```
use serde_json::json;
use tower_bearer_auth::jwt::{AccessClaims, JwtKey, JwtVerifier};
use tower_bearer_auth::{BearerAuthLayer, FirstOf, StaticTokens};

let jwt = JwtVerifier::builder()
    .with_key(JwtKey::hmac(b"a secret of at least thirty-two bytes!")?)
    .with_issuer("https://login.example.com")
    .with_audience("https://api.example.com")
    .build()?;
let robot: AccessClaims = serde_json::from_value(json!({"sub": "robot", "scope": "read"}))?;
let api_keys = StaticTokens::new().with_token("robot-key-0123456789abcdef", robot)?;
let auth = BearerAuthLayer::new(FirstOf::new(jwt, api_keys));
# let _ = auth;
# Ok::<(), Box<dyn std::error::Error>>(())
```
"#
)]
///
/// Only the chosen verifier sees the token, and its answer is the answer:
/// an API key never reaches an introspection endpoint, and a 503 from the
/// verifier that recognized the token is never replaced by another's 401.
/// Both answer the same claims type. Nest them for more than two.
#[derive(Clone, Debug)]
pub struct FirstOf<A, B> {
    first: A,
    second: B,
}

impl<A, B> FirstOf<A, B> {
    /// `first`, or `second` for the tokens `first` does not recognize.
    pub fn new(first: A, second: B) -> Self {
        Self { first, second }
    }

    /// The first verifier.
    pub fn first(&self) -> &A {
        &self.first
    }

    /// The second verifier.
    pub fn second(&self) -> &B {
        &self.second
    }
}

impl<A, B> VerifyToken for FirstOf<A, B>
where
    A: VerifyToken,
    B: VerifyToken<Claims = A::Claims>,
{
    type Claims = A::Claims;
    type Future = FirstOfFuture<A::Future, B::Future>;

    fn verify(&self, token: BearerToken, head: &Parts) -> Self::Future {
        if self.first.recognizes(&token) {
            FirstOfFuture::first(self.first.verify(token, head))
        } else {
            FirstOfFuture::second(self.second.verify(token, head))
        }
    }

    fn verify_now(&self, token: BearerToken, head: &Parts) -> Verdict<Self::Claims, Self::Future> {
        if self.first.recognizes(&token) {
            match self.first.verify_now(token, head) {
                Verdict::Now(result) => Verdict::Now(result),
                Verdict::Later(future) => Verdict::Later(FirstOfFuture::first(future)),
            }
        } else {
            match self.second.verify_now(token, head) {
                Verdict::Now(result) => Verdict::Now(result),
                Verdict::Later(future) => Verdict::Later(FirstOfFuture::second(future)),
            }
        }
    }

    fn recognizes(&self, token: &BearerToken) -> bool {
        self.first.recognizes(token) || self.second.recognizes(token)
    }

    /// The facts of the verifier that decided.
    fn token_facts(&self, token: &BearerToken, claims: &Self::Claims) -> TokenFacts {
        if self.first.recognizes(token) {
            self.first.token_facts(token, claims)
        } else {
            self.second.token_facts(token, claims)
        }
    }

    /// Whether both still trust the facts. A verifier without keys trusts
    /// any, so a JWT verifier paired with API keys answers for its own
    /// keys; two verifiers with keys of their own each distrust the other's,
    /// so give each its own `cache::CachedVerifier` rather than one around
    /// the pair.
    fn still_trusts(&self, facts: &TokenFacts) -> bool {
        self.first.still_trusts(facts) && self.second.still_trusts(facts)
    }
}

pin_project! {
    /// The future of [`FirstOf`]: the deciding verifier's.
    pub struct FirstOfFuture<A, B> {
        #[pin]
        deciding: Deciding<A, B>,
    }
}

pin_project! {
    #[project = DecidingProjection]
    enum Deciding<A, B> {
        First { #[pin] future: A },
        Second { #[pin] future: B },
    }
}

impl<A, B> FirstOfFuture<A, B> {
    fn first(future: A) -> Self {
        Self {
            deciding: Deciding::First { future },
        }
    }

    fn second(future: B) -> Self {
        Self {
            deciding: Deciding::Second { future },
        }
    }
}

impl<A, B, C> Future for FirstOfFuture<A, B>
where
    A: Future<Output = Result<C, AuthError>>,
    B: Future<Output = Result<C, AuthError>>,
{
    type Output = Result<C, AuthError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().deciding.project() {
            DecidingProjection::First { future } => future.poll(cx),
            DecidingProjection::Second { future } => future.poll(cx),
        }
    }
}

impl<A, B> fmt::Debug for FirstOfFuture<A, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let deciding = match self.deciding {
            Deciding::First { .. } => "first",
            Deciding::Second { .. } => "second",
        };
        f.debug_struct("FirstOfFuture")
            .field("deciding", &deciding)
            .finish()
    }
}
