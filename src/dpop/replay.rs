//! Refusing a DPoP proof seen before (RFC 9449 §11.1): each accepted
//! proof's identifier is kept for as long as the proof could be accepted.

use std::collections::HashMap;
use std::collections::hash_map::RandomState;
use std::fmt;
use std::future::{Future, Ready};
use std::hash::BuildHasher;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::error::{AuthError, ErrorKind};
use crate::verify::Verdict;

/// A proof's identity for replay: the SHA-256 of its key's thumbprint and
/// its `jti`, with the thumbprint itself. Keeping a digest bounds the
/// memory per proof whatever the `jti`, and one client cannot use up
/// another's `jti`s; the thumbprint lets a store bound what one key holds.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ProofId {
    digest: [u8; 32],
    key: [u8; 32],
}

impl ProofId {
    /// The identity of the proof `jti` by the key with RFC 7638 SHA-256
    /// `thumbprint`.
    pub fn new(thumbprint: &[u8; 32], jti: &str) -> Self {
        let mut hash = Sha256::new();
        hash.update(thumbprint);
        hash.update(jti.as_bytes());
        Self {
            digest: hash.finalize().into(),
            key: *thumbprint,
        }
    }

    /// The digest, to key a shared store with.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.digest
    }

    /// The RFC 7638 thumbprint of the key that signed the proof.
    pub fn key_thumbprint(&self) -> &[u8; 32] {
        &self.key
    }
}

impl fmt::Debug for ProofId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = &self.digest;
        write!(
            f,
            "ProofId({:02x}{:02x}{:02x}{:02x}…)",
            d[0], d[1], d[2], d[3]
        )
    }
}

/// When a proof can be accepted, in seconds since the Unix epoch: from the
/// clock of the instance that checked it, and allowing for the clocks of
/// the others.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProofWindow {
    /// Now, on the checking instance's clock.
    pub now: u64,
    /// When the proof stops being acceptable on that clock.
    pub expires_at: u64,
    /// How far instances' clocks may be off ([`DpopBuilder::with_leeway`](super::DpopBuilder::with_leeway)).
    pub skew: u64,
}

impl ProofWindow {
    /// How long a store shared between instances must keep the proof's
    /// identifier: until `expires_at` on any instance whose clock is within
    /// `skew` of the true time. This instance may run up to `skew` ahead
    /// and another as far behind, so the local remainder plus twice the
    /// skew.
    pub fn shared_ttl(&self) -> Duration {
        let local = self.expires_at.saturating_sub(self.now);
        Duration::from_secs(local.saturating_add(self.skew.saturating_mul(2)))
    }
}

/// Where the identifiers of accepted proofs are kept; share one between
/// instances (a Redis `SET NX PX`, say) to refuse a proof replayed at
/// another instance too.
///
/// [`first_use`](Self::first_use) answers `Ok(())` the first time it sees
/// an identifier, and an error while the proof could still be accepted: of
/// kind [`InvalidDpopProof`](ErrorKind::InvalidDpopProof) for a replay,
/// [`Unavailable`](ErrorKind::Unavailable) when the store cannot tell or
/// will not take more proofs of that key. It may answer at once
/// ([`Verdict::Now`]) or later.
pub trait ReplayCache {
    /// The answer of a store that has to wait.
    type Future: Future<Output = Result<(), AuthError>>;

    /// Records `id` as used for `window`: until `window.expires_at` on
    /// this instance's clock, or for [`ProofWindow::shared_ttl`] in a store
    /// instances with other clocks share.
    fn first_use(&self, id: ProofId, window: ProofWindow) -> Verdict<(), Self::Future>;
}

/// Identifiers kept in this process, up to a capacity; cloning shares them.
///
/// Expired entries are dropped when a shard fills up. A shard still full
/// then answers 503 rather than forget a proof that could be replayed:
/// size the capacity for the proofs a window holds at peak (requests per
/// second times the proof lifetime). Shards and buckets are chosen with a
/// random key of this process, so clients choosing their `jti`s cannot
/// crowd one shard or one bucket.
///
/// One proof key holds at most a 64th of each of the 16 shards (at least
/// one proof; [`with_max_per_key`](Self::with_max_per_key) sets another
/// limit): with the default capacity, 1,024 per shard, 16,384 in all,
/// about 215 requests a second over the default 76-second window. A key
/// over its share in the shard a new proof falls into has that proof
/// answered 503, until some of its proofs expire; other keys are not
/// affected. So a client with a valid bound token cannot fill the cache
/// and lock every other client out: it takes 64 bound tokens with 64 keys.
/// The share is per shard and proofs fall into shards at random, so a key
/// meets its limit in one shard a little before it holds the whole of its
/// share: for small capacities, make sure a 64th of a shard (a 1,024th of
/// the capacity) is well above one client's proofs per window.
#[derive(Clone)]
pub struct MemoryReplayCache {
    shards: Arc<[Mutex<Shard>]>,
    shard_capacity: usize,
    /// The most entries one key may have in a shard.
    key_limit: usize,
    hasher: RandomState,
}

#[derive(Default)]
struct Shard {
    /// Per proof digest, its entry.
    entries: HashMap<[u8; 32], Entry>,
    /// Per key (a keyed hash of its thumbprint), its entries here.
    per_key: HashMap<u64, usize>,
    /// The earliest expiry among the entries: a full shard is swept only
    /// once something in it has expired.
    first_expiry: u64,
}

struct Entry {
    expires_at: u64,
    key: u64,
}

const SHARDS: usize = 16;

/// The share of each shard one key may hold, as a divisor.
const KEY_SHARE: usize = 64;

/// The identifiers kept unless configured otherwise.
pub const DEFAULT_REPLAY_CAPACITY: usize = 1 << 20;

impl MemoryReplayCache {
    /// Room for `capacity` identifiers (at least one per shard), a 64th of
    /// them for any one key.
    pub fn new(capacity: usize) -> Self {
        let shard_capacity = capacity.div_ceil(SHARDS).max(1);
        Self {
            shards: (0..SHARDS).map(|_| Mutex::new(Shard::default())).collect(),
            shard_capacity,
            key_limit: (shard_capacity / KEY_SHARE).max(1),
            hasher: RandomState::new(),
        }
    }

    /// Lets one proof key hold up to `max / 16` identifiers (rounded up)
    /// in each of the 16 shards. Its proofs fall into shards at random, so
    /// it is refused before it holds `max` in all, and the smaller `max`,
    /// the sooner.
    #[must_use]
    pub fn with_max_per_key(mut self, max: usize) -> Self {
        self.key_limit = max.div_ceil(SHARDS).max(1);
        self
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

impl Shard {
    fn held_by(&self, key: u64) -> usize {
        self.per_key.get(&key).copied().unwrap_or(0)
    }

    /// Drops the entries expired at `now`, once one has.
    fn sweep(&mut self, now: u64) {
        if self.first_expiry > now {
            return;
        }
        let Self {
            entries, per_key, ..
        } = self;
        entries.retain(|_, entry| {
            let live = entry.expires_at > now;
            if !live {
                release(per_key, entry.key);
            }
            live
        });
        self.first_expiry = self
            .entries
            .values()
            .map(|entry| entry.expires_at)
            .min()
            .unwrap_or(u64::MAX);
    }
}

/// One entry fewer for `key`.
fn release(per_key: &mut HashMap<u64, usize>, key: u64) {
    if let Some(held) = per_key.get_mut(&key) {
        *held -= 1;
        if *held == 0 {
            per_key.remove(&key);
        }
    }
}

impl ReplayCache for MemoryReplayCache {
    type Future = Ready<Result<(), AuthError>>;

    fn first_use(&self, id: ProofId, window: ProofWindow) -> Verdict<(), Self::Future> {
        let ProofWindow {
            now, expires_at, ..
        } = window;
        let mut shard = lock(&self.shards[self.shard_of(&id)]);
        if let Some(entry) = shard.entries.get(id.as_bytes())
            && entry.expires_at > now
        {
            return Verdict::Now(Err(AuthError::new(ErrorKind::InvalidDpopProof)
                .with_description("the DPoP proof was used before")));
        }
        let key = self.hasher.hash_one(id.key_thumbprint());
        if shard.entries.len() >= self.shard_capacity || shard.held_by(key) >= self.key_limit {
            shard.sweep(now);
            if shard.entries.len() >= self.shard_capacity {
                return Verdict::Now(Err(full()));
            }
            if shard.held_by(key) >= self.key_limit {
                return Verdict::Now(Err(AuthError::unavailable()
                    .with_description("the DPoP key has too many recent proofs")));
            }
        }
        if shard.entries.is_empty() || expires_at < shard.first_expiry {
            shard.first_expiry = expires_at;
        }
        let entry = Entry { expires_at, key };
        if let Some(expired) = shard.entries.insert(*id.as_bytes(), entry) {
            release(&mut shard.per_key, expired.key);
        }
        *shard.per_key.entry(key).or_default() += 1;
        Verdict::Now(Ok(()))
    }
}

impl MemoryReplayCache {
    /// The shard of `id`, by a hash keyed for this process: not the
    /// client's to choose.
    fn shard_of(&self, id: &ProofId) -> usize {
        usize::try_from(self.hasher.hash_one(id.as_bytes()) % SHARDS as u64).unwrap_or(0)
    }
}

fn full() -> AuthError {
    AuthError::unavailable().with_description("the DPoP replay cache is full")
}

impl fmt::Debug for MemoryReplayCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryReplayCache")
            .field("capacity", &(self.shard_capacity * SHARDS))
            .field("max_per_key", &(self.key_limit * SHARDS))
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u8) -> ProofId {
        ProofId::new(&[n; 32], "jti")
    }

    fn window(now: u64, expires_at: u64) -> ProofWindow {
        ProofWindow {
            now,
            expires_at,
            skew: 15,
        }
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
        assert_eq!(answer(cache.first_use(id(1), window(100, 160))), Ok(()));
        assert_eq!(
            answer(cache.first_use(id(1), window(150, 210))),
            Err(ErrorKind::InvalidDpopProof)
        );
        assert_eq!(answer(cache.first_use(id(2), window(150, 210))), Ok(()));
        // Expired: the proof itself would be refused as stale by now.
        assert_eq!(answer(cache.first_use(id(1), window(160, 220))), Ok(()));
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
        assert_eq!(
            answer(cache.first_use(same_shard[0], window(100, 110))),
            Ok(())
        );
        assert_eq!(
            answer(cache.first_use(same_shard[1], window(111, 200))),
            Ok(()),
            "expired one dropped"
        );
        assert_eq!(
            answer(cache.first_use(same_shard[2], window(112, 200))),
            Err(ErrorKind::Unavailable)
        );
        assert_eq!(cache.len(), 1);
    }

    /// One key's proofs (`jti`s of its choosing) fill its share of the
    /// cache and no more: its next proof is refused, another key's are not,
    /// and once its proofs expire it may record again.
    #[test]
    fn one_key_holds_its_share_and_no_more() {
        let cache = MemoryReplayCache::new(SHARDS * KEY_SHARE * 4);
        let greedy = [7; 32];
        // 1,000 proofs reach every shard far more than 4 times.
        let verdicts: Vec<_> = (0..1_000)
            .map(|n| {
                answer(cache.first_use(ProofId::new(&greedy, &n.to_string()), window(100, 160)))
            })
            .collect();
        let accepted = verdicts.iter().filter(|verdict| verdict.is_ok()).count();
        assert_eq!(accepted, SHARDS * 4, "4 per shard: a 64th of 256");
        assert!(
            verdicts
                .iter()
                .all(|v| *v == Ok(()) || *v == Err(ErrorKind::Unavailable))
        );
        for n in (0..u8::MAX).filter(|&n| [n; 32] != greedy) {
            let other = ProofId::new(&[n; 32], "honest");
            assert_eq!(
                answer(cache.first_use(other, window(101, 161))),
                Ok(()),
                "key {n}"
            );
        }
        // Once the greedy key's proofs expired, it records again.
        let later = ProofId::new(&greedy, "later");
        assert_eq!(answer(cache.first_use(later, window(170, 230))), Ok(()));
    }

    #[test]
    fn a_shared_store_keeps_a_proof_for_every_clock() {
        let window = ProofWindow {
            now: 1_000,
            expires_at: 1_001,
            skew: 15,
        };
        assert_eq!(window.shared_ttl(), Duration::from_secs(31));
        let late = ProofWindow {
            now: 2_000,
            ..window
        };
        assert_eq!(late.shared_ttl(), Duration::from_secs(30));
    }
}
