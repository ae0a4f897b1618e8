//! Where a [`JwtVerifier`](super::JwtVerifier) finds the keys for an
//! issuer's tokens: the keys it was configured with, or a source that
//! fetches and refreshes them (`jwks::Jwks`).

use std::fmt;
use std::future::{Future, ready};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use jsonwebtoken::Algorithm;

use super::compact::Compact;
use super::error::JwtError;
use super::key_set::KeySet;
use crate::facts::KeyFingerprint;

/// What a source's current keys say about a token.
#[allow(
    dead_code,
    reason = "the seam a key source that fetches plugs into; none may be built"
)]
pub(crate) enum Lookup {
    /// The signature was checked: verified or refused.
    Done(Result<(), JwtError>),
    /// The token names a `kid` the keys lack: a key not fetched yet.
    UnknownKid,
    /// No usable keys: never fetched, or past their lifetime.
    NoKeys,
}

/// The key source of each accepted issuer, and the keys of tokens without
/// one.
#[derive(Debug)]
pub(crate) struct KeySources {
    /// Per accepted issuer (by index), where its keys come from.
    pub(crate) by_issuer: Box<[Arc<dyn KeySource>]>,
    /// The keys of tokens without an accepted issuer.
    pub(crate) without_issuer: Arc<dyn KeySource>,
}

impl KeySources {
    /// The source of the accepted issuer at `issuer` (an index), or of
    /// tokens without one.
    pub(crate) fn of(&self, issuer: Option<usize>) -> &Arc<dyn KeySource> {
        issuer
            .and_then(|issuer| self.by_issuer.get(issuer))
            .unwrap_or(&self.without_issuer)
    }

    /// Whether a source holds the key with this fingerprint. A fetched
    /// key's fingerprint names its issuer, so only the source of the issuer
    /// that vouched for a token can hold it.
    pub(crate) fn hold(&self, key: &KeyFingerprint) -> bool {
        let mut all = self.by_issuer.iter().chain([&self.without_issuer]);
        all.any(|source| source.holds(key))
    }
}

/// The keys of one issuer. A lookup never waits; a source whose keys could
/// not decide ([`Lookup::UnknownKid`], [`Lookup::NoKeys`]) is asked to
/// refresh, and the verifier may wait for that once.
pub(crate) trait KeySource: Send + Sync + fmt::Debug {
    /// Checks `token`'s signature with the keys `kid` and `alg` select now.
    fn verify(&self, kid: Option<&str>, alg: Algorithm, token: &Compact<'_>) -> Lookup;

    /// The fingerprints of the keys `kid` and `alg` select now.
    fn fingerprints(
        &self,
        kid: Option<&str>,
        alg: Algorithm,
    ) -> Result<Vec<KeyFingerprint>, JwtError>;

    /// Whether the usable keys hold the key with this fingerprint.
    fn holds(&self, key: &KeyFingerprint) -> bool;

    /// Starts a refresh if the source has one to start; does not wait.
    fn refresh_soon(&self);

    /// Completes once a refresh is done or has given up: bounded.
    fn refreshed(&self) -> Pin<Box<dyn Future<Output = ()> + Send + '_>>;

    /// The `Retry-After` of a refusal for want of usable keys.
    fn retry_after(&self) -> Duration;
}

/// Configured keys: always usable, never refreshed.
impl KeySource for KeySet {
    fn verify(&self, kid: Option<&str>, alg: Algorithm, token: &Compact<'_>) -> Lookup {
        Lookup::Done(KeySet::verify(self, kid, alg, token))
    }

    fn fingerprints(
        &self,
        kid: Option<&str>,
        alg: Algorithm,
    ) -> Result<Vec<KeyFingerprint>, JwtError> {
        let keys = self.candidates(kid, alg)?;
        Ok(keys.map(|held| held.fingerprint).collect())
    }

    fn holds(&self, key: &KeyFingerprint) -> bool {
        self.contains(key)
    }

    fn refresh_soon(&self) {}

    fn refreshed(&self) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        Box::pin(ready(()))
    }

    fn retry_after(&self) -> Duration {
        Duration::ZERO
    }
}
