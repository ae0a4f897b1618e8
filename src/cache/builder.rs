//! [`CachedVerifierBuilder`]: the bounds of a [`CachedVerifier`].

use std::fmt;
use std::time::Duration;

use super::verifier::{CachedVerifier, Limits};
use crate::error::ConfigError;
use crate::verify::VerifyToken;

/// How many verified tokens are remembered by default.
pub const DEFAULT_MAX_ENTRIES: usize = 10_000;
/// How long a verdict is remembered at most by default, however long the
/// token lives: also how long a token revoked at its issuer (and not
/// checked by a [`CheckRevoked`](crate::revocation::CheckRevoked)) may
/// still pass.
pub const DEFAULT_MAX_AGE: Duration = Duration::from_secs(60);
/// How many refused tokens are remembered by default.
pub const DEFAULT_MAX_REFUSALS: usize = 1_000;
/// How long a refusal is remembered by default.
pub const DEFAULT_REFUSAL_TTL: Duration = Duration::from_secs(5);

/// Longest a verdict may be remembered: a day.
const LONGEST: Duration = Duration::from_secs(24 * 60 * 60);

/// Sets the bounds of a [`CachedVerifier`]; from
/// [`CachedVerifier::builder`].
#[must_use]
pub struct CachedVerifierBuilder<V> {
    verifier: V,
    limits: Limits,
}

impl<V: VerifyToken> CachedVerifierBuilder<V> {
    pub(super) fn new(verifier: V) -> Self {
        Self {
            verifier,
            limits: Limits {
                max_entries: DEFAULT_MAX_ENTRIES,
                max_age: DEFAULT_MAX_AGE,
                max_refusals: DEFAULT_MAX_REFUSALS,
                refusal_ttl: DEFAULT_REFUSAL_TTL,
            },
        }
    }

    /// How many verified tokens are remembered ([`DEFAULT_MAX_ENTRIES`]);
    /// beyond that the least useful are forgotten. Each entry holds the
    /// claims, the token's facts and the token (at most the extractor's
    /// [`max_len`](crate::TokenExtractor::max_len), 4 KiB by default).
    pub fn with_max_entries(mut self, max_entries: usize) -> Self {
        self.limits.max_entries = max_entries;
        self
    }

    /// How long a verdict is remembered at most ([`DEFAULT_MAX_AGE`]), and
    /// never past the token's own expiry. A shorter age narrows the window
    /// in which a token revoked at its issuer still passes; a longer one
    /// saves verifications.
    pub fn with_max_age(mut self, max_age: Duration) -> Self {
        self.limits.max_age = max_age;
        self
    }

    /// How many refused tokens are remembered, and for how long
    /// ([`DEFAULT_MAX_REFUSALS`], [`DEFAULT_REFUSAL_TTL`]). Refusals are kept
    /// apart from verdicts, so a flood of invalid tokens never pushes a
    /// valid one out; only `invalid_token` refusals are kept, never an
    /// unavailable verifier's. A maximum of 0 remembers none.
    pub fn with_refusals(mut self, max_refusals: usize, ttl: Duration) -> Self {
        self.limits.max_refusals = max_refusals;
        self.limits.refusal_ttl = ttl;
        self
    }

    /// The cached verifier; refused with no entries, a zero age or TTL, or
    /// one longer than a day.
    pub fn build(self) -> Result<CachedVerifier<V>, ConfigError> {
        let limits = &self.limits;
        if limits.max_entries == 0 {
            return Err(ConfigError::ZeroCapacity);
        }
        let in_range = |duration: Duration| !duration.is_zero() && duration <= LONGEST;
        if !in_range(limits.max_age) || (limits.max_refusals > 0 && !in_range(limits.refusal_ttl)) {
            return Err(ConfigError::InvalidDuration);
        }
        Ok(CachedVerifier::with_limits(self.verifier, self.limits))
    }
}

impl<V: fmt::Debug> fmt::Debug for CachedVerifierBuilder<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CachedVerifierBuilder")
            .field("verifier", &self.verifier)
            .field("limits", &self.limits)
            .finish()
    }
}
