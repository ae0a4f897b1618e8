//! Choosing the key for a token, and checking its signature with it.

use std::fmt;
#[cfg(feature = "jwks")]
use std::sync::Arc;

use jsonwebtoken::Algorithm;

use super::compact::{Compact, decode_signature, signature_buffer};
use super::error::{JwtError, JwtErrorKind};
use super::key::JwtKey;
use super::prepared_key::PreparedKey;
use crate::facts::KeyFingerprint;

/// The keys of one issuer (or of tokens without one). A token's `kid`
/// selects the keys with that id; a `kid` no key has falls back to the keys
/// configured without an id; a token without a `kid` may be verified by any
/// key. Among those, only keys bound to the token's `alg` are tried.
#[derive(Clone)]
pub(crate) struct KeySet {
    keys: Box<[HeldKey]>,
}

/// A key of the set, with what verification needs of it ready.
#[derive(Clone)]
pub(crate) struct HeldKey {
    key: JwtKey,
    /// The key's identity, which remembered verdicts name.
    pub(crate) fingerprint: KeyFingerprint,
    /// The key in the backend's form, per algorithm it is bound to.
    prepared: Box<[(Algorithm, PreparedKey)]>,
}

impl HeldKey {
    fn new(key: JwtKey, fingerprint: KeyFingerprint) -> Self {
        let prepared = key
            .algorithms()
            .filter_map(|alg| Some((alg, PreparedKey::new(&key.key, alg)?)))
            .collect();
        Self {
            key,
            fingerprint,
            prepared,
        }
    }

    /// Whether `signature` is this key's `alg` signature of `message`.
    fn verifies(&self, alg: Algorithm, message: &[u8], signature: &[u8]) -> bool {
        self.prepared
            .iter()
            .find(|(bound, _)| *bound == alg)
            .is_some_and(|(_, prepared)| prepared.verifies(message, signature))
    }
}

impl KeySet {
    /// Configured `keys`.
    pub(crate) fn new(keys: Vec<JwtKey>) -> Self {
        let keys = keys.into_iter().map(|key| {
            let fingerprint = key.fingerprint();
            HeldKey::new(key, fingerprint)
        });
        Self {
            keys: keys.collect(),
        }
    }

    /// The keys `issuer` published (its JWK Set), answering tokens of any
    /// `iss` the verifier let through to them. Their fingerprints name the
    /// issuer, so a remembered verdict is upheld only by this issuer's keys,
    /// never by the same key in another issuer's set.
    #[cfg(feature = "jwks")]
    pub(crate) fn published(keys: Vec<JwtKey>, issuer: &Arc<str>) -> Self {
        let keys = keys.into_iter().map(|key| {
            let fingerprint = key.clone().with_issuer(Arc::clone(issuer)).fingerprint();
            HeldKey::new(key, fingerprint)
        });
        Self {
            keys: keys.collect(),
        }
    }

    /// The key ids, in order (`None` for a key without one).
    #[cfg(feature = "jwks")]
    pub(crate) fn kids(&self) -> impl Iterator<Item = Option<&str>> {
        self.keys.iter().map(|held| held.key.kid())
    }

    /// Whether a key has this id.
    #[cfg(feature = "jwks")]
    pub(crate) fn has_kid(&self, kid: &str) -> bool {
        self.keys.iter().any(|held| held.key.kid() == Some(kid))
    }

    /// Whether a key with this fingerprint is in the set.
    pub(crate) fn contains(&self, fingerprint: &KeyFingerprint) -> bool {
        self.keys
            .iter()
            .any(|held| held.fingerprint == *fingerprint)
    }

    /// The keys that the token's `kid` and `alg` select:
    /// [`UnknownKey`](JwtErrorKind::UnknownKey) if none has the `kid`,
    /// [`Algorithm`](JwtErrorKind::Algorithm) if those that could answer
    /// are bound to other algorithms.
    pub(crate) fn candidates(
        &self,
        kid: Option<&str>,
        alg: Algorithm,
    ) -> Result<impl Iterator<Item = &HeldKey>, JwtError> {
        let all = self.keys.iter();
        let named = kid.filter(|kid| all.clone().any(|held| held.key.kid() == Some(kid)));
        let mut candidates = all
            .filter(move |held| match named {
                Some(kid) => held.key.kid() == Some(kid),
                None => kid.is_none() || held.key.kid.is_none(),
            })
            .peekable();
        if candidates.peek().is_none() {
            return Err(JwtErrorKind::UnknownKey.into());
        }
        let mut allowed = candidates
            .filter(move |held| held.key.allows(alg))
            .peekable();
        if allowed.peek().is_none() {
            return Err(JwtErrorKind::Algorithm.into());
        }
        Ok(allowed)
    }

    /// Verifies the signature of `token` with a key that the token's `kid`
    /// and `alg` select ([`candidates`](Self::candidates)):
    /// [`BadSignature`](JwtErrorKind::BadSignature) if none verifies it, or
    /// if it is not base64url that decodes.
    pub(crate) fn verify(
        &self,
        kid: Option<&str>,
        alg: Algorithm,
        token: &Compact<'_>,
    ) -> Result<(), JwtError> {
        let mut allowed = self.candidates(kid, alg)?;
        // `alg: none` never gets here; an empty signature never reaches the
        // crypto.
        let mut buffer = signature_buffer();
        let signature = match token.signature {
            "" => None,
            encoded => decode_signature(encoded, &mut buffer),
        };
        let verified = signature.is_some_and(|signature| {
            allowed.any(|held| held.verifies(alg, token.signing_input, signature))
        });
        if verified {
            Ok(())
        } else {
            Err(JwtErrorKind::BadSignature.into())
        }
    }
}

impl fmt::Debug for KeySet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.keys.iter().map(|held| &held.key))
            .finish()
    }
}
