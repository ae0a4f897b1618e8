//! Choosing the key for a token, and checking its signature with it.

use std::fmt;
#[cfg(feature = "jwks")]
use std::sync::Arc;

use jsonwebtoken::Algorithm;

use super::compact::Compact;
use super::error::{JwtError, JwtErrorKind};
use super::key::JwtKey;
use crate::facts::KeyFingerprint;

/// The keys of one issuer (or of tokens without one). A token's `kid`
/// selects the keys with that id; a `kid` no key has falls back to the keys
/// configured without an id; a token without a `kid` may be verified by any
/// key. Among those, only keys bound to the token's `alg` are tried.
#[derive(Clone)]
pub(crate) struct KeySet {
    keys: Box<[JwtKey]>,
    /// Per key, its fingerprint, which remembered verdicts name.
    fingerprints: Box<[KeyFingerprint]>,
}

impl KeySet {
    /// Configured `keys`.
    pub(crate) fn new(keys: Vec<JwtKey>) -> Self {
        let fingerprints = keys.iter().map(JwtKey::fingerprint).collect();
        Self {
            keys: keys.into(),
            fingerprints,
        }
    }

    /// The keys `issuer` published (its JWK Set), answering tokens of any
    /// `iss` the verifier let through to them. Their fingerprints name the
    /// issuer, so a remembered verdict is upheld only by this issuer's keys,
    /// never by the same key in another issuer's set.
    #[cfg(feature = "jwks")]
    pub(crate) fn published(keys: Vec<JwtKey>, issuer: &Arc<str>) -> Self {
        let fingerprints = keys
            .iter()
            .map(|key| key.clone().with_issuer(Arc::clone(issuer)).fingerprint())
            .collect();
        Self {
            keys: keys.into(),
            fingerprints,
        }
    }

    /// The key ids, in order (`None` for a key without one).
    #[cfg(feature = "jwks")]
    pub(crate) fn kids(&self) -> impl Iterator<Item = Option<&str>> {
        self.keys.iter().map(JwtKey::kid)
    }

    /// Whether a key has this id.
    #[cfg(feature = "jwks")]
    pub(crate) fn has_kid(&self, kid: &str) -> bool {
        self.keys.iter().any(|key| key.kid() == Some(kid))
    }

    /// Whether a key with this fingerprint is in the set.
    pub(crate) fn contains(&self, fingerprint: &KeyFingerprint) -> bool {
        self.fingerprints.contains(fingerprint)
    }

    /// The keys that the token's `kid` and `alg` select, with their
    /// fingerprints: [`UnknownKey`](JwtErrorKind::UnknownKey) if none has
    /// the `kid`, [`Algorithm`](JwtErrorKind::Algorithm) if those that could
    /// answer are bound to other algorithms.
    pub(crate) fn candidates(
        &self,
        kid: Option<&str>,
        alg: Algorithm,
    ) -> Result<impl Iterator<Item = (&JwtKey, &KeyFingerprint)>, JwtError> {
        let all = self.keys.iter().zip(&self.fingerprints);
        let named = kid.filter(|kid| all.clone().any(|(key, _)| key.kid() == Some(kid)));
        let mut candidates = all
            .filter(move |(key, _)| match named {
                Some(kid) => key.kid() == Some(kid),
                None => kid.is_none() || key.kid.is_none(),
            })
            .peekable();
        if candidates.peek().is_none() {
            return Err(JwtErrorKind::UnknownKey.into());
        }
        let mut allowed = candidates
            .filter(move |(key, _)| key.allows(alg))
            .peekable();
        if allowed.peek().is_none() {
            return Err(JwtErrorKind::Algorithm.into());
        }
        Ok(allowed)
    }

    /// Verifies the signature of `token` with a key that the token's `kid`
    /// and `alg` select ([`candidates`](Self::candidates)):
    /// [`BadSignature`](JwtErrorKind::BadSignature) if none verifies it.
    pub(crate) fn verify(
        &self,
        kid: Option<&str>,
        alg: Algorithm,
        token: &Compact<'_>,
    ) -> Result<(), JwtError> {
        let allowed = self.candidates(kid, alg)?;
        // `alg: none` never gets here; an empty signature never reaches the
        // crypto.
        if !token.signature.is_empty() {
            for (key, _) in allowed {
                let verified = jsonwebtoken::crypto::verify(
                    token.signature,
                    token.signing_input,
                    &key.key,
                    alg,
                );
                if matches!(verified, Ok(true)) {
                    return Ok(());
                }
            }
        }
        Err(JwtErrorKind::BadSignature.into())
    }
}

impl fmt::Debug for KeySet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.keys.iter()).finish()
    }
}
