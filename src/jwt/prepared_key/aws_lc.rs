//! The aws-lc-rs backend: an HMAC key with its key schedule done, or a
//! parsed public key.

use super::super::der::{self, MAX_ECDSA_SIGNATURE_LEN};

use aws_lc_rs::hmac;
use aws_lc_rs::signature::{self, ParsedPublicKey, RsaParameters, RsaPublicKeyComponents};
use jsonwebtoken::{Algorithm, DecodingKey, DecodingKeyKind};

#[derive(Clone)]
pub(super) enum Key {
    Hmac(Box<hmac::Key>),
    Public(ParsedPublicKey),
    /// An ECDSA key, and the size of its scalars. It takes DER signatures:
    /// JWS's fixed `r || s` is rewritten on the stack, where aws-lc-rs's
    /// fixed-form verifier goes through two big numbers and an allocation
    /// (about 6,000 instructions, 0.8 % of an ES256 verification).
    Ecdsa(ParsedPublicKey, usize),
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
            ES256 => ecdsa_key(key, &signature::ECDSA_P256_SHA256_ASN1, 32),
            ES384 => ecdsa_key(key, &signature::ECDSA_P384_SHA384_ASN1, 48),
            EdDSA => public_key(key, &signature::ED25519).map(Key::Public),
            _ => None,
        }
    }

    pub(super) fn verifies(&self, message: &[u8], signature: &[u8]) -> bool {
        match self {
            // `hmac::verify` compares in constant time.
            Self::Hmac(key) => hmac::verify(key, message, signature).is_ok(),
            Self::Public(key) => key.verify_sig(message, signature).is_ok(),
            Self::Ecdsa(key, scalar_len) => {
                let mut buffer = [0; MAX_ECDSA_SIGNATURE_LEN];
                der::ecdsa_signature(signature, *scalar_len, &mut buffer)
                    .is_some_and(|der| key.verify_sig(message, der).is_ok())
            }
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

/// An EC key from its uncompressed SEC1 point, for signatures of
/// `scalar_len`-byte halves.
fn ecdsa_key(
    key: &DecodingKey,
    algorithm: &'static dyn signature::VerificationAlgorithm,
    scalar_len: usize,
) -> Option<Key> {
    public_key(key, algorithm).map(|parsed| Key::Ecdsa(parsed, scalar_len))
}

/// An EC key from its uncompressed SEC1 point, or an Ed25519 key from its
/// 32 bytes.
fn public_key(
    key: &DecodingKey,
    algorithm: &'static dyn signature::VerificationAlgorithm,
) -> Option<ParsedPublicKey> {
    let bytes = key.try_get_as_bytes().ok()?;
    ParsedPublicKey::new(algorithm, bytes).ok()
}
