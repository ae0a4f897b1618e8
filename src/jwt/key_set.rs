//! Choosing the key for a token, and checking its signature with it.

use std::fmt;

use jsonwebtoken::Algorithm;

use super::compact::Compact;
use super::error::{JwtError, JwtErrorKind};
use super::key::JwtKey;

/// The configured keys. A token's `kid` selects the keys with that id; a
/// `kid` no key has falls back to the keys configured without an id; a
/// token without a `kid` may be verified by any key. Among those, only keys
/// bound to the token's `alg` are tried.
#[derive(Clone)]
pub(crate) struct KeySet {
    keys: Box<[JwtKey]>,
}

impl KeySet {
    pub(crate) fn new(keys: Vec<JwtKey>) -> Self {
        Self { keys: keys.into() }
    }

    /// Verifies the signature of `token` with a key that `kid` and `alg`
    /// select: [`UnknownKey`](JwtErrorKind::UnknownKey) if none has the
    /// `kid`, [`Algorithm`](JwtErrorKind::Algorithm) if those that could
    /// answer are bound to other algorithms,
    /// [`BadSignature`](JwtErrorKind::BadSignature) if none verifies it.
    pub(crate) fn verify(
        &self,
        kid: Option<&str>,
        alg: Algorithm,
        token: &Compact<'_>,
    ) -> Result<(), JwtError> {
        let named = kid.filter(|kid| self.keys.iter().any(|key| key.kid() == Some(kid)));
        let mut candidates = self
            .keys
            .iter()
            .filter(|key| match named {
                Some(kid) => key.kid() == Some(kid),
                None => kid.is_none() || key.kid.is_none(),
            })
            .peekable();
        if candidates.peek().is_none() {
            return Err(JwtErrorKind::UnknownKey.into());
        }
        let mut allowed = candidates.filter(|key| key.allows(alg)).peekable();
        if allowed.peek().is_none() {
            return Err(JwtErrorKind::Algorithm.into());
        }
        // `alg: none` never gets here, and neither does an empty signature.
        if !token.signature.is_empty() {
            for key in allowed {
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
