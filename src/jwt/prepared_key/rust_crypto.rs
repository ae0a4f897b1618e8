//! The RustCrypto backend: an HMAC state with the key absorbed, or a
//! parsed public key. The same crates and calls jsonwebtoken's
//! `rust_crypto` uses, so a signature gets the same verdict.

// The `signature` crate's trait, which the EC and Ed25519 keys implement.
use ed25519_dalek::Verifier as _;
use hmac::{Hmac, KeyInit, Mac};
use jsonwebtoken::{Algorithm, DecodingKey, DecodingKeyKind};
use rsa::pkcs1::DecodeRsaPublicKey;
use rsa::sha2::{Digest, Sha256, Sha384, Sha512};
use rsa::{BigUint, Pkcs1v15Sign, Pss, RsaPublicKey};

#[derive(Clone)]
pub(super) enum Key {
    Hs256(Hmac<sha2::Sha256>),
    Hs384(Hmac<sha2::Sha384>),
    Hs512(Hmac<sha2::Sha512>),
    /// The key and the RSA algorithm (padding and hash).
    Rsa(Box<RsaPublicKey>, Algorithm),
    Es256(p256::ecdsa::VerifyingKey),
    Es384(p384::ecdsa::VerifyingKey),
    Ed25519(ed25519_dalek::VerifyingKey),
}

impl Key {
    pub(super) fn new(key: &DecodingKey, alg: Algorithm) -> Option<Self> {
        use Algorithm::*;
        let bytes = || key.try_get_as_bytes().ok();
        Some(match alg {
            HS256 => Self::Hs256(Hmac::new_from_slice(bytes()?).ok()?),
            HS384 => Self::Hs384(Hmac::new_from_slice(bytes()?).ok()?),
            HS512 => Self::Hs512(Hmac::new_from_slice(bytes()?).ok()?),
            RS256 | RS384 | RS512 | PS256 | PS384 | PS512 => Self::Rsa(rsa_key(key)?, alg),
            ES256 => Self::Es256(p256::ecdsa::VerifyingKey::from_sec1_bytes(bytes()?).ok()?),
            ES384 => Self::Es384(p384::ecdsa::VerifyingKey::from_sec1_bytes(bytes()?).ok()?),
            EdDSA => {
                let raw: &[u8; 32] = bytes()?.try_into().ok()?;
                Self::Ed25519(ed25519_dalek::VerifyingKey::from_bytes(raw).ok()?)
            }
            _ => return None,
        })
    }

    pub(super) fn verifies(&self, message: &[u8], signature: &[u8]) -> bool {
        match self {
            // `verify_slice` compares in constant time.
            Self::Hs256(mac) => mac
                .clone()
                .chain_update(message)
                .verify_slice(signature)
                .is_ok(),
            Self::Hs384(mac) => mac
                .clone()
                .chain_update(message)
                .verify_slice(signature)
                .is_ok(),
            Self::Hs512(mac) => mac
                .clone()
                .chain_update(message)
                .verify_slice(signature)
                .is_ok(),
            Self::Rsa(key, alg) => rsa_verifies(key, *alg, message, signature),
            Self::Es256(key) => p256::ecdsa::Signature::from_slice(signature)
                .is_ok_and(|signature| key.verify(message, &signature).is_ok()),
            Self::Es384(key) => p384::ecdsa::Signature::from_slice(signature)
                .is_ok_and(|signature| key.verify(message, &signature).is_ok()),
            Self::Ed25519(key) => ed25519_dalek::Signature::from_slice(signature)
                .is_ok_and(|signature| key.verify(message, &signature).is_ok()),
        }
    }
}

/// An RSA key from its PKCS #1 DER or its JWK components.
fn rsa_key(key: &DecodingKey) -> Option<Box<RsaPublicKey>> {
    let parsed = match key.kind() {
        DecodingKeyKind::SecretOrDer(der) => RsaPublicKey::from_pkcs1_der(der).ok(),
        DecodingKeyKind::RsaModulusExponent { n, e } => {
            RsaPublicKey::new(BigUint::from_bytes_be(n), BigUint::from_bytes_be(e)).ok()
        }
    };
    parsed.map(Box::new)
}

/// RSASSA-PKCS1-v1_5 or RSASSA-PSS, the latter with a salt as long as the
/// hash (RFC 7518 §3.5), as jsonwebtoken builds them.
fn rsa_verifies(key: &RsaPublicKey, alg: Algorithm, message: &[u8], signature: &[u8]) -> bool {
    use Algorithm::*;
    let verified = match alg {
        RS256 => key.verify(
            Pkcs1v15Sign::new::<Sha256>(),
            &Sha256::digest(message),
            signature,
        ),
        RS384 => key.verify(
            Pkcs1v15Sign::new::<Sha384>(),
            &Sha384::digest(message),
            signature,
        ),
        RS512 => key.verify(
            Pkcs1v15Sign::new::<Sha512>(),
            &Sha512::digest(message),
            signature,
        ),
        PS256 => key.verify(Pss::new::<Sha256>(), &Sha256::digest(message), signature),
        PS384 => key.verify(Pss::new::<Sha384>(), &Sha384::digest(message), signature),
        PS512 => key.verify(Pss::new::<Sha512>(), &Sha512::digest(message), signature),
        _ => return false,
    };
    verified.is_ok()
}
