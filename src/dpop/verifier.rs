//! [`DpopVerifier`]: a verifier whose tokens must prove their binding.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use http::request::Parts;
use pin_project_lite::pin_project;

use super::check::{CheckedProof, check_proof};
use super::config::{Dpop, DpopPolicy};
use super::confirmation::{ClientCertificate, TokenBinding, names_digest};
use super::replay::{MemoryReplayCache, ReplayCache};
use super::scheme::DPOP;
use crate::error::AuthError;
use crate::facts::TokenFacts;
use crate::token::BearerToken;
use crate::verify::{Verdict, VerifyToken};

/// The verifier [`BearerAuthLayer::with_dpop`](crate::BearerAuthLayer::with_dpop)
/// puts in place of the one it wraps.
///
/// For each request: a token presented as `DPoP` needs a valid proof
/// ([`Dpop`]'s rules); then the wrapped verifier decides; then the token's
/// binding ([`TokenBinding`]) must hold: a `cnf.jkt` token needs a proof by
/// that key, a `DPoP` token needs a `cnf.jkt`, a `cnf.x5t#S256` token needs
/// that [`ClientCertificate`] in the request extensions, and any other
/// `cnf` is refused. Last, the proof's identifier is recorded, and a proof
/// seen before refused. Binding failures are 401 `invalid_token`, proof
/// failures `invalid_dpop_proof`.
///
/// The binding is checked after every verification, so a remembered
/// verdict (`cache::CachedVerifier`) inside it is safe.
pub struct DpopVerifier<V, C = MemoryReplayCache> {
    inner: V,
    dpop: Dpop<C>,
}

impl<V, C> DpopVerifier<V, C> {
    pub(crate) fn new(inner: V, dpop: Dpop<C>) -> Self {
        Self { inner, dpop }
    }

    /// The verifier it wraps.
    pub fn verifier(&self) -> &V {
        &self.inner
    }

    /// The rules.
    pub fn dpop(&self) -> &Dpop<C> {
        &self.dpop
    }
}

/// What the binding check needs once the claims are known.
struct Binding {
    proof: Option<CheckedProof>,
    certificate: Option<ClientCertificate>,
}

fn invalid_token(description: &'static str) -> AuthError {
    AuthError::invalid_token().with_description(description)
}

impl Binding {
    fn confirm<T: TokenBinding>(&self, claims: &T) -> Result<(), AuthError> {
        let cnf = claims.confirmation();
        if cnf.unsupported {
            return Err(invalid_token(
                "the access token's confirmation method is not supported",
            ));
        }
        match (cnf.jkt, &self.proof) {
            (Some(jkt), Some(proof)) => {
                if !names_digest(jkt, &proof.thumbprint) {
                    return Err(invalid_token(
                        "the DPoP proof key is not the key the access token is bound to",
                    ));
                }
            }
            (Some(_), None) => {
                return Err(invalid_token(
                    "the access token is bound to a DPoP key: present it with a DPoP proof",
                ));
            }
            (None, Some(_)) => {
                return Err(invalid_token("the access token is not bound to a DPoP key"));
            }
            (None, None) => {}
        }
        if let Some(x5t) = cnf.x5t_s256
            && !self.certificate.is_some_and(|c| c.matches(x5t))
        {
            return Err(invalid_token(
                "the access token is bound to another client certificate",
            ));
        }
        Ok(())
    }

    /// The binding checked, then the proof recorded: the claims now, or
    /// the store's answer to wait for, with them.
    fn finish<T, C>(&self, claims: T, replay: &C) -> Verdict<T, (C::Future, T)>
    where
        T: TokenBinding,
        C: ReplayCache,
    {
        if let Err(error) = self.confirm(&claims) {
            return Verdict::Now(Err(error));
        }
        let Some(proof) = &self.proof else {
            return Verdict::Now(Ok(claims));
        };
        match replay.first_use(proof.id, proof.window) {
            Verdict::Now(result) => Verdict::Now(result.map(|()| claims)),
            Verdict::Later(recording) => Verdict::Later((recording, claims)),
        }
    }
}

impl<V, C> VerifyToken for DpopVerifier<V, C>
where
    V: VerifyToken,
    V::Claims: TokenBinding,
    C: ReplayCache + Clone,
{
    type Claims = V::Claims;
    type Future = DpopFuture<V::Future, C::Future, V::Claims, C>;

    fn verify(&self, token: BearerToken, head: &Parts) -> Self::Future {
        match self.verify_now(token, head) {
            Verdict::Now(result) => DpopFuture::ready(result),
            Verdict::Later(future) => future,
        }
    }

    fn verify_now(&self, token: BearerToken, head: &Parts) -> Verdict<Self::Claims, Self::Future> {
        let rules = &*self.dpop.rules;
        let now = (rules.answer.clock)();
        let proof = match token.scheme() {
            DPOP => match check_proof(rules, head, &token, now) {
                Ok(proof) => Some(proof),
                Err(error) => return Verdict::Now(Err(error)),
            },
            _ if rules.policy == DpopPolicy::DpopOnly => {
                return Verdict::Now(Err(invalid_token(
                    "the access token must be presented with a DPoP proof",
                )));
            }
            _ => None,
        };
        let binding = Binding {
            proof,
            certificate: head.extensions.get::<ClientCertificate>().copied(),
        };
        // The binding is checked below, so the verifier may accept a bound token.
        match self.inner.verify_now(token.with_binding_checked(), head) {
            Verdict::Now(Ok(claims)) => match binding.finish(claims, &rules.replay) {
                Verdict::Now(result) => Verdict::Now(result),
                Verdict::Later((recording, claims)) => {
                    Verdict::Later(DpopFuture::recording(recording, claims))
                }
            },
            Verdict::Now(Err(error)) => Verdict::Now(Err(error)),
            Verdict::Later(verifying) => Verdict::Later(DpopFuture {
                state: State::Verifying {
                    verifying,
                    binding: Some(binding),
                    replay: Some(rules.replay.clone()),
                },
            }),
        }
    }

    fn token_facts(&self, token: &BearerToken, claims: &Self::Claims) -> TokenFacts {
        self.inner.token_facts(token, claims)
    }

    fn still_trusts(&self, facts: &TokenFacts) -> bool {
        self.inner.still_trusts(facts)
    }

    fn recognizes(&self, token: &BearerToken) -> bool {
        self.inner.recognizes(token)
    }
}

pin_project! {
    /// The future of [`DpopVerifier`]: the wrapped verifier's verdict, then
    /// the binding check, then the replay store's answer. Nothing is boxed.
    pub struct DpopFuture<F, R, T, C = ()> {
        #[pin]
        state: State<F, R, T, C>,
    }
}

pin_project! {
    #[project = StateProj]
    enum State<F, R, T, C> {
        Ready {
            result: Option<Result<T, AuthError>>,
        },
        Verifying {
            #[pin]
            verifying: F,
            binding: Option<Binding>,
            replay: Option<C>,
        },
        Recording {
            #[pin]
            recording: R,
            claims: Option<T>,
        },
    }
}

impl<F, R, T, C> DpopFuture<F, R, T, C> {
    fn ready(result: Result<T, AuthError>) -> Self {
        Self {
            state: State::Ready {
                result: Some(result),
            },
        }
    }

    fn recording(recording: R, claims: T) -> Self {
        Self {
            state: State::Recording {
                recording,
                claims: Some(claims),
            },
        }
    }
}

impl<F, T, C> Future for DpopFuture<F, C::Future, T, C>
where
    F: Future<Output = Result<T, AuthError>>,
    T: TokenBinding,
    C: ReplayCache,
{
    type Output = Result<T, AuthError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut state = self.project().state;
        loop {
            match state.as_mut().project() {
                StateProj::Ready { result } => {
                    return Poll::Ready(result.take().expect("polled after completion"));
                }
                StateProj::Verifying {
                    verifying,
                    binding,
                    replay,
                } => {
                    let claims = ready!(verifying.poll(cx))?;
                    let binding = binding.take().expect("polled after completion");
                    let replay = replay.take().expect("polled after completion");
                    match binding.finish(claims, &replay) {
                        Verdict::Now(result) => return Poll::Ready(result),
                        Verdict::Later((recording, claims)) => state.set(State::Recording {
                            recording,
                            claims: Some(claims),
                        }),
                    }
                }
                StateProj::Recording { recording, claims } => {
                    ready!(recording.poll(cx))?;
                    return Poll::Ready(Ok(claims.take().expect("polled after completion")));
                }
            }
        }
    }
}

impl<F, R, T, C> fmt::Debug for DpopFuture<F, R, T, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match &self.state {
            State::Ready { .. } => "ready",
            State::Verifying { .. } => "verifying",
            State::Recording { .. } => "recording",
        };
        f.debug_struct("DpopFuture").field("state", &state).finish()
    }
}

impl<V: Clone, C> Clone for DpopVerifier<V, C> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
            dpop: self.dpop.clone(),
        }
    }
}

impl<V, C: fmt::Debug> fmt::Debug for DpopVerifier<V, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DpopVerifier")
            .field("verifier", &std::any::type_name::<V>())
            .field("dpop", &self.dpop)
            .finish()
    }
}
