//! [`MemoryRevocations`]: a revocation list in this process's memory.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::SystemTime;

use super::{RevocationError, Revocations, TokenId, with_grace};

/// Revoked tokens, kept in memory until they would have expired anyway
/// (plus [`REVOCATION_GRACE`](super::REVOCATION_GRACE)).
///
/// Checking is a read lock and a hash lookup. Cloning shares the list. It
/// serves one instance; a store shared between instances can keep its
/// local copy in one of these.
#[derive(Clone, Default)]
pub struct MemoryRevocations {
    table: Arc<RwLock<Table>>,
}

#[derive(Default)]
struct Table {
    /// Each revoked token, until when it is kept.
    until: HashMap<TokenId, SystemTime>,
    /// The size at which expired entries are swept next: twice the size
    /// after the last sweep, so sweeping costs O(1) per revocation.
    sweep_at: usize,
}

/// Below this many entries, nothing is swept.
const MIN_SWEEP: usize = 64;

impl MemoryRevocations {
    /// An empty list.
    pub fn new() -> Self {
        Self::default()
    }

    /// Revokes the token `id` until `until`, when it expires anyway (its
    /// `exp`, or the longest lifetime your tokens have), and
    /// [`REVOCATION_GRACE`](super::REVOCATION_GRACE) longer, while a verifier's leeway may still
    /// accept it. Revoking it again keeps the later time.
    pub fn revoke(&self, id: TokenId, until: SystemTime) {
        self.keep(id, with_grace(until));
    }

    /// Keeps the revocation of `id` until `kept_until`, the grace included:
    /// for a shared store's copy of its own entries.
    pub(super) fn keep(&self, id: TokenId, kept_until: SystemTime) {
        let until = kept_until;
        let mut table = self.table.write().unwrap_or_else(PoisonError::into_inner);
        let kept = table.until.entry(id).or_insert(until);
        *kept = (*kept).max(until);
        if table.until.len() >= table.sweep_at.max(MIN_SWEEP) {
            let now = SystemTime::now();
            table.until.retain(|_, until| *until > now);
            table.sweep_at = table.until.len() * 2;
        }
    }

    /// How many revocations are kept, expired ones not swept yet included.
    pub fn len(&self) -> usize {
        self.read(|table| table.until.len())
    }

    /// Whether no revocation is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn read<T>(&self, f: impl FnOnce(&Table) -> T) -> T {
        f(&self.table.read().unwrap_or_else(PoisonError::into_inner))
    }
}

impl Revocations for MemoryRevocations {
    fn is_revoked(&self, id: &TokenId) -> Result<bool, RevocationError> {
        Ok(self.read(|table| {
            table
                .until
                .get(id)
                .is_some_and(|until| SystemTime::now() < *until)
        }))
    }
}

impl fmt::Debug for MemoryRevocations {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryRevocations")
            .field("len", &self.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::revocation::REVOCATION_GRACE;

    #[test]
    fn revoked_until_expiry_and_the_grace_then_swept() {
        let list = MemoryRevocations::new();
        let now = SystemTime::now();
        list.revoke(TokenId::jti("live"), now + Duration::from_secs(60));
        // Expired 30 s ago: a verifier's leeway may still accept it.
        list.revoke(TokenId::jti("leeway"), now - Duration::from_secs(30));
        list.revoke(
            TokenId::jti("gone"),
            now - REVOCATION_GRACE - Duration::from_secs(1),
        );
        assert_eq!(list.is_revoked(&TokenId::jti("leeway")), Ok(true));
        assert_eq!(list.is_revoked(&TokenId::jti("live")), Ok(true));
        assert_eq!(list.is_revoked(&TokenId::jti("gone")), Ok(false));
        assert_eq!(list.is_revoked(&TokenId::jti("other")), Ok(false));

        for n in 0..MIN_SWEEP {
            list.revoke(
                TokenId::jti(&format!("old-{n}")),
                now - REVOCATION_GRACE - Duration::from_secs(1),
            );
        }
        // The sweep ran when the list reached MIN_SWEEP entries: only the
        // live entries and the expired ones added after it are left.
        assert_eq!(list.len(), 5, "expired entries swept, the live ones kept");
        assert_eq!(list.is_revoked(&TokenId::jti("live")), Ok(true));
    }

    #[test]
    fn later_expiry_wins() {
        let list = MemoryRevocations::new();
        let now = SystemTime::now();
        list.revoke(TokenId::jti("j"), now + Duration::from_secs(60));
        list.revoke(TokenId::jti("j"), now - Duration::from_secs(60));
        assert_eq!(list.is_revoked(&TokenId::jti("j")), Ok(true));
    }
}
