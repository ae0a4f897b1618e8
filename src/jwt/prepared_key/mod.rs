//! [`PreparedKey`]: a verification key in the crypto backend's own parsed
//! form, made once per key and algorithm, so that a token costs its
//! signature check and nothing more.
//!
//! jsonwebtoken's `crypto::verify` rebuilds its verifier on every call: an
//! HMAC key schedule, a key parse for RSA, EC and Ed25519. jsonwebtoken
//! still reads the key formats (PEM, DER, JWK) into a `DecodingKey`; this
//! turns that into the backend's key once, when a key set is built or
//! fetched.

use jsonwebtoken::{Algorithm, DecodingKey};

#[cfg(feature = "aws-lc-rs")]
#[path = "aws_lc.rs"]
mod backend;
#[cfg(all(feature = "rust-crypto", not(feature = "aws-lc-rs")))]
#[path = "rust_crypto.rs"]
mod backend;

/// One key, ready to verify signatures of one algorithm. No `Debug`: it
/// holds the key.
#[derive(Clone)]
pub(crate) struct PreparedKey(backend::Key);

impl PreparedKey {
    /// `key` prepared for `alg`, or `None` if the backend refuses it (an EC
    /// point off its curve, say): such a key verifies nothing, as it did
    /// when jsonwebtoken parsed it per call.
    pub(crate) fn new(key: &DecodingKey, alg: Algorithm) -> Option<Self> {
        // `JwtKey` binds keys to their family already; this keeps an RSA
        // key from ever being read as an HMAC secret here too.
        if key.family() != alg.family() {
            return None;
        }
        backend::Key::new(key, alg).map(Self)
    }

    /// Whether `signature` (decoded from base64url) is this key's signature
    /// of `message`. HMAC tags are compared in constant time.
    pub(crate) fn verifies(&self, message: &[u8], signature: &[u8]) -> bool {
        self.0.verifies(message, signature)
    }
}
