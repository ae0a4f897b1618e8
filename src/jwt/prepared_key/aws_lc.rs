//! The aws-lc-rs backend: an HMAC key with its key schedule done, or a
//! parsed public key.

use aws_lc_rs::hmac;
use aws_lc_rs::signature::{self, ParsedPublicKey, RsaParameters, RsaPublicKeyComponents};
use jsonwebtoken::{Algorithm, DecodingKey, DecodingKeyKind};

#[derive(Clone)]
pub(super) enum Key {
    Hmac(Box<hmac::Key>),
    Public(ParsedPublicKey),
}

impl Key {
    pub(super) fn new(key: &DecodingKey, alg: Algorithm) -> Option<Self> {
        use Algorithm::*;
        match alg {
            HS256 => hmac_key(key, hmac::HMAC_SHA256),
            HS384 => hmac_key(key, hmac::HMAC_SHA384),
            HS512 => hmac_key(key, hmac::HMAC_SHA512),
            RS256 => rsa_key(key, &signature::RSA_PKCS1_2048_8192_SHA256),
            RS384 => rsa_key(key, &signature::RSA_PKCS1_2048_8192_SHA384),
            RS512 => rsa_key(key, &signature::RSA_PKCS1_2048_8192_SHA512),
            PS256 => rsa_key(key, &signature::RSA_PSS_2048_8192_SHA256),
            PS384 => rsa_key(key, &signature::RSA_PSS_2048_8192_SHA384),
            PS512 => rsa_key(key, &signature::RSA_PSS_2048_8192_SHA512),
            ES256 => public_key(key, &signature::ECDSA_P256_SHA256_FIXED),
            ES384 => public_key(key, &signature::ECDSA_P384_SHA384_FIXED),
            EdDSA => public_key(key, &signature::ED25519),
            _ => None,
        }
    }

    pub(super) fn verifies(&self, message: &[u8], signature: &[u8]) -> bool {
        match self {
            // `hmac::verify` compares in constant time.
            Self::Hmac(key) => hmac::verify(key, message, signature).is_ok(),
            Self::Public(key) => key.verify_sig(message, signature).is_ok(),
        }
    }
}

fn hmac_key(key: &DecodingKey, algorithm: hmac::Algorithm) -> Option<Key> {
    let secret = key.try_get_as_bytes().ok()?;
    Some(Key::Hmac(Box::new(hmac::Key::new(algorithm, secret))))
}

/// An RSA key from its DER (PKCS #1 or SubjectPublicKeyInfo) or its JWK
/// components. The modulus size is checked at each verification, against
/// the 2048 to 8192 bits of `params`.
fn rsa_key(key: &DecodingKey, params: &'static RsaParameters) -> Option<Key> {
    let parsed = match key.kind() {
        DecodingKeyKind::SecretOrDer(der) => ParsedPublicKey::new(params, der),
        DecodingKeyKind::RsaModulusExponent { n, e } => {
            RsaPublicKeyComponents { n, e }.to_parsed_public_key(params)
        }
    };
    parsed.ok().map(Key::Public)
}

/// An EC key from its uncompressed SEC1 point, or an Ed25519 key from its
/// 32 bytes.
fn public_key(
    key: &DecodingKey,
    algorithm: &'static dyn signature::VerificationAlgorithm,
) -> Option<Key> {
    let bytes = key.try_get_as_bytes().ok()?;
    ParsedPublicKey::new(algorithm, bytes).ok().map(Key::Public)
}
