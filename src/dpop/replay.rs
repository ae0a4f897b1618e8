//! Refusing a DPoP proof seen before (RFC 9449 §11.1): each accepted
//! proof's identifier is kept for as long as the proof could be accepted.

use std::collections::HashMap;
use std::collections::hash_map::RandomState;
use std::fmt;
use std::future::{Future, Ready};
use std::hash::BuildHasher;
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};

use crate::error::{AuthError, ErrorKind};
use crate::verify::Verdict;

/// A proof's identity for replay: the SHA-256 of its key's thumbprint and
/// its `jti`. Keeping a digest bounds the memory per proof whatever the
/// `jti`, and one client cannot use up another's `jti`s.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ProofId([u8; 32]);

impl ProofId {
    /// The identity of the proof `jti` by the key with RFC 7638 SHA-256
    /// `thumbprint`.
    pub fn new(thumbprint: &[u8; 32], jti: &str) -> Self {
        let mut hash = Sha256::new();
        hash.update(thumbprint);
        hash.update(jti.as_bytes());
        Self(hash.finalize().into())
    }

    /// The digest, to key a shared store with.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Debug for ProofId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "ProofId({:02x}{:02x}{:02x}{:02x}…)",
            self.0[0], self.0[1], self.0[2], self.0[3]
        )
    }
}

/// Where the identifiers of accepted proofs are kept; share one between
/// instances (a Redis `SET NX EX`, say) to refuse a proof replayed at
/// another instance too.
///
/// [`first_use`](Self::first_use) answers `Ok(())` the first time it sees
/// an identifier, and an error afterwards until `expires_at`: of kind
/// [`InvalidDpopProof`](ErrorKind::InvalidDpopProof) for a replay,
/// [`Unavailable`](ErrorKind::Unavailable) when the store cannot tell. It
/// may answer at once ([`Verdict::Now`]) or later.
pub trait ReplayCache {
    /// The answer of a store that has to wait.
    type Future: Future<Output = Result<(), AuthError>>;

    /// Records `id` as used until `expires_at`, both in seconds since the
    /// Unix epoch, `now` being the verifier's clock.
    fn first_use(&self, id: ProofId, now: u64, expires_at: u64) -> Verdict<(), Self::Future>;
}

/// Identifiers kept in this process, up to a capacity; cloning shares them.
///
/// Expired entries are dropped when a shard fills up. A shard still full
/// then answers 503 rather than forget a proof that could be replayed:
/// size the capacity for the proofs a window holds at peak (requests per
/// second times the proof lifetime). Shards and buckets are chosen with a
/// random key of this process, so clients choosing their `jti`s cannot
/// crowd one shard or one bucket.
#[derive(Clone)]
pub struct MemoryReplayCache {
    shards: Arc<[Mutex<Shard>]>,
    shard_capacity: usize,
    hasher: RandomState,
}

#[derive(Default)]
struct Shard {
    entries: HashMap<ProofId, u64>,
    /// The earliest expiry among the entries: a full shard is swept only
    /// once something in it has expired.
    first_expiry: u64,
}

const SHARDS: usize = 16;

/// The identifiers kept unless configured otherwise.
pub const DEFAULT_REPLAY_CAPACITY: usize = 1 << 20;

impl MemoryReplayCache {
    /// Room for `capacity` identifiers (at least one per shard).
    pub fn new(capacity: usize) -> Self {
        Self {
            shards: (0..SHARDS).map(|_| Mutex::new(Shard::default())).collect(),
            shard_capacity: capacity.div_ceil(SHARDS).max(1),
            hasher: RandomState::new(),
        }
    }

    /// How many identifiers are kept, expired ones included.
    pub fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|shard| lock(shard).entries.len())
            .sum()
    }

    /// Whether no identifier is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Default for MemoryReplayCache {
    fn default() -> Self {
        Self::new(DEFAULT_REPLAY_CAPACITY)
    }
}

fn lock(shard: &Mutex<Shard>) -> std::sync::MutexGuard<'_, Shard> {
    // A panic while holding the lock leaves a map that is still whole.
    shard
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl ReplayCache for MemoryReplayCache {
    type Future = Ready<Result<(), AuthError>>;

    fn first_use(&self, id: ProofId, now: u64, expires_at: u64) -> Verdict<(), Self::Future> {
        let mut shard = lock(&self.shards[self.shard_of(&id)]);
        if let Some(&until) = shard.entries.get(&id)
            && until > now
        {
            return Verdict::Now(Err(AuthError::new(ErrorKind::InvalidDpopProof)
                .with_description("the DPoP proof was used before")));
        }
        if shard.entries.len() >= self.shard_capacity {
            if shard.first_expiry > now {
                return Verdict::Now(Err(full()));
            }
            shard.entries.retain(|_, until| *until > now);
            shard.first_expiry = shard.entries.values().copied().min().unwrap_or(u64::MAX);
            if shard.entries.len() >= self.shard_capacity {
                return Verdict::Now(Err(full()));
            }
        }
        if shard.entries.is_empty() || expires_at < shard.first_expiry {
            shard.first_expiry = expires_at;
        }
        shard.entries.insert(id, expires_at);
        Verdict::Now(Ok(()))
    }
}

impl MemoryReplayCache {
    /// The shard of `id`, by a hash keyed for this process: not the
    /// client's to choose.
    fn shard_of(&self, id: &ProofId) -> usize {
        usize::try_from(self.hasher.hash_one(id) % SHARDS as u64).unwrap_or(0)
    }
}

fn full() -> AuthError {
    AuthError::unavailable().with_description("the DPoP replay cache is full")
}

impl fmt::Debug for MemoryReplayCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryReplayCache")
            .field("capacity", &(self.shard_capacity * SHARDS))
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u8) -> ProofId {
        ProofId::new(&[n; 32], "jti")
    }

    fn answer(verdict: Verdict<(), Ready<Result<(), AuthError>>>) -> Result<(), ErrorKind> {
        match verdict {
            Verdict::Now(result) => result.map_err(|e| e.kind()),
            Verdict::Later(_) => panic!("memory answers at once"),
        }
    }

    #[test]
    fn a_second_use_within_the_window_is_refused() {
        let cache = MemoryReplayCache::new(100);
        assert_eq!(answer(cache.first_use(id(1), 100, 160)), Ok(()));
        assert_eq!(
            answer(cache.first_use(id(1), 150, 210)),
            Err(ErrorKind::InvalidDpopProof)
        );
        assert_eq!(answer(cache.first_use(id(2), 150, 210)), Ok(()));
        // Expired: the proof itself would be refused as stale by now.
        assert_eq!(answer(cache.first_use(id(1), 160, 220)), Ok(()));
    }

    #[test]
    fn a_full_cache_drops_expired_entries_then_refuses() {
        let cache = MemoryReplayCache::new(SHARDS);
        let first = cache.shard_of(&id(0));
        let same_shard: Vec<ProofId> = (0..=u8::MAX)
            .map(id)
            .filter(|i| cache.shard_of(i) == first)
            .take(3)
            .collect();
        assert_eq!(answer(cache.first_use(same_shard[0], 100, 110)), Ok(()));
        assert_eq!(
            answer(cache.first_use(same_shard[1], 111, 200)),
            Ok(()),
            "expired one dropped"
        );
        assert_eq!(
            answer(cache.first_use(same_shard[2], 112, 200)),
            Err(ErrorKind::Unavailable)
        );
        assert_eq!(cache.len(), 1);
    }
}
