//! [`TokenFacts`]: what a verifier learned about a token it accepted, for
//! the wrappers that remember or revoke verdicts.

use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

use sha2::{Digest, Sha256};

/// What a verifier knows about a token it accepted, beyond the claims: when
/// the token expires, its identifier (`jti`) and the keys that vouched for
/// it.
///
/// [`VerifyToken::token_facts`](crate::VerifyToken::token_facts) answers
/// them; `cache::CachedVerifier` (feature `cache`) keeps a verdict no
/// longer than the expiry and drops it once a key left the verifier's keys,
/// and [`CheckRevoked`](crate::revocation::CheckRevoked) looks the token up
/// by its identifier. A verifier that knows nothing answers the default:
/// no expiry, no identifier, no keys.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct TokenFacts {
    expires_at: Option<SystemTime>,
    // Shared, so a cache hands out copies for two reference counts.
    token_id: Option<Arc<str>>,
    keys: Arc<[KeyFingerprint]>,
}

/// Longest token identifier kept: a longer `jti` is not an identifier
/// anyone issues, and the token's digest stands in for it.
pub const MAX_TOKEN_ID_LEN: usize = 256;

impl TokenFacts {
    /// Nothing known.
    pub fn new() -> Self {
        Self::default()
    }

    /// The token is not valid at or after `expires_at` (`exp`).
    #[must_use]
    pub fn with_expiry(mut self, expires_at: SystemTime) -> Self {
        self.expires_at = Some(expires_at);
        self
    }

    /// The token's unique identifier (`jti`, RFC 7519 §4.1.7). Empty ones
    /// and ones longer than [`MAX_TOKEN_ID_LEN`] bytes are ignored.
    #[must_use]
    pub fn with_token_id(mut self, token_id: &str) -> Self {
        if !token_id.is_empty() && token_id.len() <= MAX_TOKEN_ID_LEN {
            self.token_id = Some(token_id.into());
        }
        self
    }

    /// A key that vouched for the token; with several, the verdict holds
    /// only while every one of them is still trusted.
    #[must_use]
    pub fn with_key(mut self, key: KeyFingerprint) -> Self {
        self.keys = self.keys.iter().copied().chain([key]).collect();
        self
    }

    /// When the token expires, if known.
    pub fn expires_at(&self) -> Option<SystemTime> {
        self.expires_at
    }

    /// The token's identifier, if it has one.
    pub fn token_id(&self) -> Option<&str> {
        self.token_id.as_deref()
    }

    /// The keys that vouched for the token.
    pub fn keys(&self) -> &[KeyFingerprint] {
        &self.keys
    }
}

impl fmt::Debug for TokenFacts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenFacts")
            .field("expires_at", &self.expires_at)
            .field("token_id", &self.token_id)
            .field("keys", &self.keys.len())
            .finish()
    }
}

/// Identifies a verification key by its material (and whatever else the
/// verifier puts in), so a key fetched again is recognised as the same one.
///
/// A truncated SHA-256 digest; its `Debug` output shows nothing of it.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyFingerprint([u8; 16]);

impl KeyFingerprint {
    /// The fingerprint of `parts`, hashed in order, each length-prefixed so
    /// that no two different lists hash alike.
    pub fn of<'a>(parts: impl IntoIterator<Item = &'a [u8]>) -> Self {
        let mut hasher = Sha256::new();
        for part in parts {
            hasher.update((part.len() as u64).to_be_bytes());
            hasher.update(part);
        }
        let digest = hasher.finalize();
        let mut fingerprint = [0; 16];
        fingerprint.copy_from_slice(&digest[..16]);
        Self(fingerprint)
    }
}

impl fmt::Debug for KeyFingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeyFingerprint(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_separates_parts() {
        let ab_c = KeyFingerprint::of([&b"ab"[..], b"c"]);
        let a_bc = KeyFingerprint::of([&b"a"[..], b"bc"]);
        assert_ne!(ab_c, a_bc);
        assert_eq!(ab_c, KeyFingerprint::of([&b"ab"[..], b"c"]));
        assert_eq!(format!("{ab_c:?}"), "KeyFingerprint(..)");
    }

    #[test]
    fn token_id_bounds() {
        assert_eq!(TokenFacts::new().with_token_id("").token_id(), None);
        let long = "j".repeat(MAX_TOKEN_ID_LEN + 1);
        assert_eq!(TokenFacts::new().with_token_id(&long).token_id(), None);
        assert_eq!(TokenFacts::new().with_token_id("a1").token_id(), Some("a1"));
    }
}
