//! [`CachedVerifier`]: the lookup, the shared verification of a new token,
//! and what is remembered of its verdict.

use std::collections::HashMap;
use std::collections::hash_map::RandomState;
use std::fmt;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use futures_util::FutureExt;
use futures_util::future::{BoxFuture, Shared, WeakShared};
use http::request::Parts;
use quick_cache::UnitWeighter;
use quick_cache::sync::Cache;
use sha2::{Digest, Sha256};

use super::builder::CachedVerifierBuilder;
use crate::error::{AuthError, ErrorKind};
use crate::facts::TokenFacts;
use crate::future::VerifyFuture;
use crate::token::BearerToken;
use crate::verify::{Verdict, VerifyToken};

/// Verifications in flight tracked for sharing; beyond this many (a flood
/// of new tokens), a new token is verified without being shared.
const MAX_IN_FLIGHT: usize = 4_096;

/// Remembers the verdicts of the verifier it wraps; see the
/// [module docs](super). Cloning it is a pointer copy; clones share the
/// memory.
pub struct CachedVerifier<V: VerifyToken> {
    verifier: V,
    memory: Arc<Memory<V::Claims>>,
}

/// The bounds, as the builder checked them.
#[derive(Clone, Debug)]
pub(super) struct Limits {
    pub(super) max_entries: usize,
    pub(super) max_age: Duration,
    pub(super) max_refusals: usize,
    pub(super) refusal_ttl: Duration,
}

/// The SHA-256 digest of a token: what refusals and verifications in
/// flight are keyed by. Their tokens are anyone's choice, so their tables
/// hash with SipHash under a random key (`RandomState`).
type TokenDigest = [u8; 32];

/// Verified tokens, keyed by the token itself: a hit is a hash of its
/// bytes and a comparison with them. The hash is foldhash, seeded at random
/// per cache: fast, and not built to resist chosen collisions, which is
/// fine because only tokens the verifier accepted are inserted, so nobody
/// without valid tokens chooses these keys.
type VerifiedTokens<C> =
    Cache<Box<[u8]>, Arc<Verified<C>>, UnitWeighter, foldhash::quality::RandomState>;

/// A verification several requests wait for.
type Verification<C> = Shared<BoxFuture<'static, Result<C, AuthError>>>;

struct Memory<C> {
    verified: VerifiedTokens<C>,
    refused: Option<Cache<TokenDigest, Refused, UnitWeighter, RandomState>>,
    in_flight: Mutex<HashMap<TokenDigest, Flight<C>>>,
    next_flight: AtomicU64,
    limits: Limits,
}

/// A remembered acceptance.
struct Verified<C> {
    claims: C,
    facts: TokenFacts,
    /// The earlier of the maximum age and the token's expiry, on the
    /// monotonic clock; the expiry is checked on the wall clock as well,
    /// which goes on while the machine sleeps and the monotonic one may not.
    until: Instant,
    /// Whether the token's binding was checked around the verification
    /// ([`BearerToken::binding_checked`]).
    binding_checked: bool,
}

/// A remembered refusal.
#[derive(Clone)]
struct Refused {
    error: AuthError,
    until: Instant,
}

/// A verification in flight: weak, so one nobody waits for any more is
/// freed, and numbered, so only its own completion removes it.
struct Flight<C> {
    id: u64,
    verification: WeakShared<BoxFuture<'static, Result<C, AuthError>>>,
}

impl<V: VerifyToken> CachedVerifier<V> {
    /// Wraps `verifier` with the default bounds.
    pub fn new(verifier: V) -> Self {
        Self::builder(verifier)
            .build()
            .unwrap_or_else(|_| unreachable!("the default bounds are valid"))
    }

    /// Wraps `verifier`; see [`CachedVerifierBuilder`].
    pub fn builder(verifier: V) -> CachedVerifierBuilder<V> {
        CachedVerifierBuilder::new(verifier)
    }

    pub(super) fn with_limits(verifier: V, limits: Limits) -> Self {
        let refused = (limits.max_refusals > 0).then(|| {
            let max = limits.max_refusals;
            Cache::with(
                max,
                max as u64,
                UnitWeighter,
                RandomState::new(),
                Default::default(),
            )
        });
        Self {
            verifier,
            memory: Arc::new(Memory {
                verified: Cache::with(
                    limits.max_entries,
                    limits.max_entries as u64,
                    UnitWeighter,
                    foldhash::quality::RandomState::default(),
                    Default::default(),
                ),
                refused,
                in_flight: Mutex::new(HashMap::new()),
                next_flight: AtomicU64::new(0),
                limits,
            }),
        }
    }

    /// The verifier it wraps.
    pub fn verifier(&self) -> &V {
        &self.verifier
    }

    /// How many verified tokens are remembered now.
    pub fn entries(&self) -> usize {
        self.memory.verified.len()
    }

    /// How many refused tokens are remembered now.
    pub fn refusals(&self) -> usize {
        self.memory.refused.as_ref().map_or(0, Cache::len)
    }

    /// Forgets every verdict, for instance after revoking many tokens at
    /// the issuer.
    pub fn clear(&self) {
        self.memory.verified.clear();
        if let Some(refused) = &self.memory.refused {
            refused.clear();
        }
    }

    /// The remembered claims of `token`, if their verdict still holds; one
    /// that no longer does is forgotten. A verdict made where the token's
    /// binding is checked (a DPoP layer) answers only there: elsewhere the
    /// verifier decides afresh, and refuses a bound token.
    fn accepted(&self, token: &BearerToken) -> Option<V::Claims> {
        let verified = &self.memory.verified;
        let entry = verified.get(token.as_bytes())?;
        if entry.binding_checked && !token.binding_checked() {
            return None;
        }
        let fresh = Instant::now() < entry.until
            && (entry.facts.expires_at()).is_none_or(|expires_at| SystemTime::now() < expires_at);
        if fresh && self.verifier.still_trusts(&entry.facts) {
            return Some(entry.claims.clone());
        }
        verified.remove_if(token.as_bytes(), |current| Arc::ptr_eq(current, &entry));
        None
    }

    /// The remembered refusal of the token with this digest, if it still
    /// holds; one that no longer does is forgotten.
    fn refused(&self, digest: &TokenDigest) -> Option<AuthError> {
        let refused = self.memory.refused.as_ref()?;
        let refusal = refused.get(digest)?;
        if Instant::now() < refusal.until {
            return Some(refusal.error);
        }
        refused.remove(digest);
        None
    }
}

impl<V> CachedVerifier<V>
where
    V: VerifyToken + Clone + Send + Sync + 'static,
    V::Future: Send + 'static,
{
    /// Starts verifying a new token, shared with whoever asks for the same
    /// one until it ends; then remembers the verdict.
    fn start(
        &self,
        digest: TokenDigest,
        token: BearerToken,
        head: &Parts,
    ) -> VerifyFuture<V::Claims> {
        // Made outside the lock: a verifier that does its work here (a JWT
        // signature check) must not hold up every other new token.
        let verdict = self.verifier.verify(token.clone(), head);
        let id = self.memory.next_flight.fetch_add(1, Ordering::Relaxed);
        let verifier = self.verifier.clone();
        let memory = Arc::clone(&self.memory);
        let verification: Verification<V::Claims> = async move {
            // A verifier that panics fails its requests with 503 instead of
            // poisoning the shared verification for every waiter.
            let verdict = AssertUnwindSafe(verdict)
                .catch_unwind()
                .await
                .unwrap_or_else(|_| Err(AuthError::unavailable()));
            memory.remember(&verifier, digest, &token, &verdict);
            memory.land(&digest, id);
            verdict
        }
        .boxed()
        .shared();

        let mut in_flight = lock(&self.memory.in_flight);
        if let Some(running) = in_flight
            .get(&digest)
            .and_then(|f| f.verification.upgrade())
        {
            // Another request got there first: wait for its verification.
            // Ours is dropped unpolled; a verifier that works lazily
            // (introspection) has not sent anything yet.
            return VerifyFuture::waiting(running);
        }
        if in_flight.len() >= MAX_IN_FLIGHT {
            in_flight.retain(|_, flight| flight.verification.upgrade().is_some());
        }
        if let (true, Some(weak)) = (in_flight.len() < MAX_IN_FLIGHT, verification.downgrade()) {
            let flight = Flight {
                id,
                verification: weak,
            };
            in_flight.insert(digest, flight);
        }
        VerifyFuture::waiting(verification)
    }
}

impl<C: Clone> Memory<C> {
    /// Keeps `verdict` on the token: an acceptance until the earlier of the
    /// maximum age and the token's expiry (not at all if that is past), an
    /// `invalid_token` refusal for the refusal TTL.
    fn remember<V: VerifyToken<Claims = C>>(
        &self,
        verifier: &V,
        digest: TokenDigest,
        token: &BearerToken,
        verdict: &Result<C, AuthError>,
    ) {
        let now = Instant::now();
        match verdict {
            Ok(claims) => {
                let facts = verifier.token_facts(token, claims);
                let mut until = now + self.limits.max_age;
                if let Some(expires_at) = facts.expires_at() {
                    match expires_at.duration_since(SystemTime::now()) {
                        Ok(left) => until = until.min(now + left),
                        Err(_) => return,
                    }
                }
                let entry = Verified {
                    claims: claims.clone(),
                    facts,
                    until,
                    binding_checked: token.binding_checked(),
                };
                self.verified
                    .insert(token.as_bytes().into(), Arc::new(entry));
            }
            Err(error) => {
                let lasting = matches!(
                    error.kind(),
                    ErrorKind::InvalidToken | ErrorKind::Expired | ErrorKind::Revoked
                );
                if let (Some(refused), true) = (&self.refused, lasting) {
                    let until = now + self.limits.refusal_ttl;
                    let error = error.clone();
                    refused.insert(digest, Refused { error, until });
                }
            }
        }
    }
}

impl<C> Memory<C> {
    /// Removes the finished verification `id` from those in flight.
    fn land(&self, digest: &TokenDigest, id: u64) {
        let mut in_flight = lock(&self.in_flight);
        if in_flight.get(digest).is_some_and(|flight| flight.id == id) {
            in_flight.remove(digest);
        }
    }
}

/// The digest of `token` and of whether its binding is checked: verdicts
/// made where bound tokens pass are never shared with requests where they
/// do not.
fn digest(token: &BearerToken) -> TokenDigest {
    let mut digest = Sha256::new();
    digest.update([u8::from(token.binding_checked())]);
    digest.update(token.as_bytes());
    digest.finalize().into()
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl<V> VerifyToken for CachedVerifier<V>
where
    V: VerifyToken + Clone + Send + Sync + 'static,
    V::Future: Send + 'static,
{
    type Claims = V::Claims;
    type Future = VerifyFuture<V::Claims>;

    /// A remembered verdict is answered at once; a new token is verified by
    /// the wrapped verifier, once however many requests present it.
    fn verify(&self, token: BearerToken, head: &Parts) -> Self::Future {
        if let Some(claims) = self.accepted(&token) {
            return VerifyFuture::ready(Ok(claims));
        }
        let digest = digest(&token);
        if let Some(error) = self.refused(&digest) {
            return VerifyFuture::ready(Err(error));
        }
        let running = lock(&self.memory.in_flight)
            .get(&digest)
            .and_then(|flight| flight.verification.upgrade());
        match running {
            Some(verification) => VerifyFuture::waiting(verification),
            None => self.start(digest, token, head),
        }
    }

    fn verify_now(&self, token: BearerToken, head: &Parts) -> Verdict<V::Claims, Self::Future> {
        self.verify(token, head).into_verdict()
    }

    /// The remembered facts, or the wrapped verifier's.
    fn token_facts(&self, token: &BearerToken, claims: &Self::Claims) -> TokenFacts {
        match self.memory.verified.get(token.as_bytes()) {
            Some(entry) => entry.facts.clone(),
            None => self.verifier.token_facts(token, claims),
        }
    }

    fn still_trusts(&self, facts: &TokenFacts) -> bool {
        self.verifier.still_trusts(facts)
    }

    fn recognizes(&self, token: &BearerToken) -> bool {
        self.verifier.recognizes(token)
    }
}

impl<V: VerifyToken + Clone> Clone for CachedVerifier<V> {
    fn clone(&self) -> Self {
        Self {
            verifier: self.verifier.clone(),
            memory: Arc::clone(&self.memory),
        }
    }
}

impl<V: VerifyToken + fmt::Debug> fmt::Debug for CachedVerifier<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CachedVerifier")
            .field("verifier", &self.verifier)
            .field("limits", &self.memory.limits)
            .field("entries", &self.entries())
            .field("refusals", &self.refusals())
            .finish()
    }
}
