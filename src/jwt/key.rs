//! One verification key, bound to the algorithms it may verify.

use std::fmt;
use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, KeyOperations, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey, DecodingKeyKind};

use super::algorithms::Algorithms;
use super::der::rsa_public_key_bits;
use crate::error::ConfigError;
use crate::facts::KeyFingerprint;

/// The longest `kid` a key may have; a token's `kid` is only compared.
pub const MAX_KID_LEN: usize = 256;

/// Smallest RSA modulus accepted (RFC 7518 §3.3).
const MIN_RSA_BITS: usize = 2048;
/// Largest RSA modulus the backend verifies: aws-lc-rs takes up to 8192
/// bits, the `rsa` crate of RustCrypto up to 4096.
#[cfg(feature = "aws-lc-rs")]
const MAX_RSA_BITS: usize = 8192;
#[cfg(not(feature = "aws-lc-rs"))]
const MAX_RSA_BITS: usize = 4096;

/// A key that verifies JWT signatures, with the algorithms it may verify and
/// an optional key id.
///
/// Each key is bound to one algorithm by default (RFC 8725 §3.1: "each key
/// MUST be used with exactly one algorithm"): HS256 for a secret, RS256 for
/// an RSA key, ES256 or ES384 by the curve of an EC key, EdDSA for Ed25519.
/// [`with_algorithms`](Self::with_algorithms) widens it within the key's
/// family, never across: an RSA key never verifies an HMAC token, so the
/// RS256-to-HS256 confusion cannot happen.
///
/// A token naming a `kid` is verified by the keys with that `kid`, or, if
/// no key has it, by the keys configured without one (which suits a single
/// static key); a token without a `kid` by any key bound to its `alg`.
///
/// ```
/// use tower_bearer_auth::jwt::JwtKey;
/// use tower_bearer_auth::jwt::jsonwebtoken::Algorithm;
///
/// let secret = JwtKey::hmac(b"a secret of at least thirty-two bytes!")?.with_kid("2026-11")?;
/// assert_eq!(secret.algorithms().collect::<Vec<_>>(), [Algorithm::HS256]);
/// assert!(JwtKey::hmac(b"too short").is_err());
/// # Ok::<(), tower_bearer_auth::ConfigError>(())
/// ```
///
/// Its `Debug` output shows the key id, the kind and the algorithms, never
/// the key.
#[derive(Clone)]
pub struct JwtKey {
    pub(crate) kid: Option<Arc<str>>,
    pub(crate) issuer: Option<Arc<str>>,
    pub(crate) algorithms: Algorithms,
    pub(crate) key: DecodingKey,
    kind: KeyKind,
}

/// What the key is, which decides the algorithms it may verify.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum KeyKind {
    /// An HMAC secret of this many bytes.
    Hmac(usize),
    Rsa,
    P256,
    P384,
    Ed25519,
}

impl KeyKind {
    fn default_algorithm(self) -> Algorithm {
        match self {
            Self::Hmac(_) => Algorithm::HS256,
            Self::Rsa => Algorithm::RS256,
            Self::P256 => Algorithm::ES256,
            Self::P384 => Algorithm::ES384,
            Self::Ed25519 => Algorithm::EdDSA,
        }
    }

    /// Whether this key may verify `algorithm`: the family must match, an EC
    /// curve fixes its algorithm (RFC 7518 §3.4), and an HMAC secret must be
    /// at least as long as the hash (RFC 7518 §3.2).
    fn allows(self, algorithm: Algorithm) -> bool {
        use Algorithm::*;
        match (self, algorithm) {
            (Self::Hmac(len), HS256) => len >= 32,
            (Self::Hmac(len), HS384) => len >= 48,
            (Self::Hmac(len), HS512) => len >= 64,
            (Self::Rsa, RS256 | RS384 | RS512 | PS256 | PS384 | PS512) => true,
            (Self::P256, ES256) | (Self::P384, ES384) | (Self::Ed25519, EdDSA) => true,
            _ => false,
        }
    }
}

impl JwtKey {
    /// An HMAC secret for HS256: at least 32 bytes (RFC 7518 §3.2), so a
    /// password or an empty string is refused. So is a public key given as
    /// a secret (PEM, OpenSSH or JWK text): anyone holding the public key
    /// could then make valid HS256 tokens (CVE-2022-29217 in PyJWT).
    pub fn hmac(secret: impl AsRef<[u8]>) -> Result<Self, ConfigError> {
        let secret = secret.as_ref();
        if looks_like_a_public_key(secret) {
            return Err(ConfigError::InvalidKey);
        }
        Self::new(
            DecodingKey::from_secret(secret),
            KeyKind::Hmac(secret.len()),
        )
    }

    /// A public key in PEM: `PUBLIC KEY` (RSA, EC P-256 or P-384, Ed25519),
    /// `RSA PUBLIC KEY`, or the key of a `CERTIFICATE`. Private keys are
    /// refused: a verifier has no use for one.
    pub fn from_pem(pem: impl AsRef<[u8]>) -> Result<Self, ConfigError> {
        let pem = pem.as_ref();
        if !matches!(
            pem_label(pem),
            Some("PUBLIC KEY" | "RSA PUBLIC KEY" | "CERTIFICATE")
        ) {
            return Err(ConfigError::InvalidKey);
        }
        if let Ok(key) = DecodingKey::from_rsa_pem(pem) {
            return Self::new(key, KeyKind::Rsa);
        }
        if let Ok(key) = DecodingKey::from_ec_pem(pem) {
            let kind = ec_kind(&key)?;
            return Self::new(key, kind);
        }
        if let Ok(key) = DecodingKey::from_ed_pem(pem) {
            return Self::new(key, KeyKind::Ed25519);
        }
        Err(ConfigError::InvalidKey)
    }

    /// A public key in DER, as a SubjectPublicKeyInfo (what
    /// `openssl pkey -pubin -outform DER` writes): RSA, EC or Ed25519.
    pub fn from_der(der: impl AsRef<[u8]>) -> Result<Self, ConfigError> {
        let pem = format!(
            "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
            STANDARD.encode(der.as_ref())
        );
        Self::from_pem(pem)
    }

    /// A key from a JWK (RFC 7517): `kty` RSA, EC (P-256, P-384), OKP
    /// (Ed25519) or oct. Its `kid` is kept, and its `alg`, if any, is the one
    /// algorithm it verifies (RFC 8725 §3.1). A key whose `use` is not `sig`
    /// or whose `key_ops` lack `verify` is refused (RFC 7517 §4.2, §4.3).
    pub fn from_jwk(jwk: &Jwk) -> Result<Self, ConfigError> {
        let common = &jwk.common;
        if common
            .public_key_use
            .as_ref()
            .is_some_and(|key_use| *key_use != PublicKeyUse::Signature)
        {
            return Err(ConfigError::InvalidKey);
        }
        if common
            .key_operations
            .as_ref()
            .is_some_and(|ops| !ops.contains(&KeyOperations::Verify))
        {
            return Err(ConfigError::InvalidKey);
        }
        let key = DecodingKey::from_jwk(jwk).map_err(|_| ConfigError::InvalidKey)?;
        let kind = match &jwk.algorithm {
            AlgorithmParameters::RSA(_) => KeyKind::Rsa,
            AlgorithmParameters::EllipticCurve(params) => {
                let kind = ec_kind(&key)?;
                let declared = match params.curve {
                    EllipticCurve::P256 => KeyKind::P256,
                    EllipticCurve::P384 => KeyKind::P384,
                    _ => return Err(ConfigError::InvalidKey),
                };
                if kind != declared {
                    return Err(ConfigError::InvalidKey);
                }
                kind
            }
            AlgorithmParameters::OctetKeyPair(params) if params.curve == EllipticCurve::Ed25519 => {
                KeyKind::Ed25519
            }
            AlgorithmParameters::OctetKey(_) => {
                KeyKind::Hmac(key.try_get_as_bytes().map_or(0, <[u8]>::len))
            }
            _ => return Err(ConfigError::InvalidKey),
        };
        let mut key = Self::new(key, kind)?;
        if let Some(algorithm) = common.key_algorithm {
            let algorithm = Algorithm::try_from(algorithm).map_err(|_| ConfigError::InvalidKey)?;
            key = key.with_algorithm(algorithm)?;
        }
        match &common.key_id {
            Some(kid) => key.with_kid(kid.as_str()),
            None => Ok(key),
        }
    }

    /// A key from the JSON text of one JWK; see [`from_jwk`](Self::from_jwk).
    pub fn from_jwk_json(json: &str) -> Result<Self, ConfigError> {
        let jwk: Jwk = serde_json::from_str(json).map_err(|_| ConfigError::InvalidKey)?;
        Self::from_jwk(&jwk)
    }

    /// Names the key: it then verifies only tokens whose `kid` is `kid`
    /// (compared byte for byte). At most [`MAX_KID_LEN`] bytes, not empty.
    pub fn with_kid(mut self, kid: impl Into<Arc<str>>) -> Result<Self, ConfigError> {
        let kid = kid.into();
        if kid.is_empty() || kid.len() > MAX_KID_LEN {
            return Err(ConfigError::InvalidKeyId);
        }
        self.kid = Some(kid);
        Ok(self)
    }

    /// Binds the key to one issuer: it then verifies only tokens whose
    /// `iss` is exactly `issuer`, so one issuer's key never vouches for
    /// another's tokens (RFC 8725 §3.8). Required for every key of a
    /// verifier that accepts more than one issuer.
    pub fn with_issuer(mut self, issuer: impl Into<Arc<str>>) -> Self {
        self.issuer = Some(issuer.into());
        self
    }

    /// The issuer the key is bound to, if any.
    pub fn issuer(&self) -> Option<&str> {
        self.issuer.as_deref()
    }

    /// Binds the key to `algorithm` alone, in place of its default.
    pub fn with_algorithm(self, algorithm: Algorithm) -> Result<Self, ConfigError> {
        self.with_algorithms([algorithm])
    }

    /// Binds the key to `algorithms`, all of the key's own family (and, for
    /// EC, its curve; for HMAC, a hash no longer than the secret).
    pub fn with_algorithms(
        mut self,
        algorithms: impl IntoIterator<Item = Algorithm>,
    ) -> Result<Self, ConfigError> {
        let mut set = Algorithms::EMPTY;
        for algorithm in algorithms {
            if !self.kind.allows(algorithm) {
                return Err(ConfigError::AlgorithmNotForKey);
            }
            set = set.with(algorithm);
        }
        if set.is_empty() {
            return Err(ConfigError::AlgorithmNotForKey);
        }
        self.algorithms = set;
        Ok(self)
    }

    /// The key id, if any.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// The algorithms the key verifies.
    pub fn algorithms(&self) -> impl Iterator<Item = Algorithm> + '_ {
        self.algorithms.iter()
    }

    /// Whether the key verifies tokens signed with `algorithm`.
    pub fn allows(&self, algorithm: Algorithm) -> bool {
        self.algorithms.contains(algorithm)
    }

    /// The key's identity: its material, `kid`, issuer and algorithms. A key
    /// fetched again is the same key; one that changed in any of these is
    /// another.
    pub(crate) fn fingerprint(&self) -> KeyFingerprint {
        let algorithms = self.algorithms.bits().to_be_bytes();
        let kid = self.kid.as_deref().unwrap_or_default().as_bytes();
        let issuer = self.issuer.as_deref().unwrap_or_default().as_bytes();
        match self.key.kind() {
            DecodingKeyKind::SecretOrDer(material) => {
                KeyFingerprint::of([&b"raw"[..], material, kid, issuer, &algorithms])
            }
            DecodingKeyKind::RsaModulusExponent { n, e } => {
                KeyFingerprint::of([&b"rsa"[..], n, e, kid, issuer, &algorithms])
            }
        }
    }

    /// Checks what jsonwebtoken leaves to the first verification: the RSA
    /// modulus size, the length of an Ed25519 key (the RustCrypto backend
    /// slices it unchecked), the HMAC secret length.
    fn new(key: DecodingKey, kind: KeyKind) -> Result<Self, ConfigError> {
        match (kind, key.kind()) {
            (KeyKind::Hmac(len), _) if len < 32 => {
                return Err(ConfigError::WeakKey { min_bits: 256 });
            }
            (KeyKind::Rsa, kind) => {
                let bits = match kind {
                    DecodingKeyKind::SecretOrDer(der) => rsa_public_key_bits(der),
                    DecodingKeyKind::RsaModulusExponent { n, e } => {
                        super::der::rsa_components_bits(n, e)
                    }
                }
                .ok_or(ConfigError::InvalidKey)?;
                if bits < MIN_RSA_BITS {
                    return Err(ConfigError::WeakKey {
                        min_bits: MIN_RSA_BITS,
                    });
                }
                if bits > MAX_RSA_BITS {
                    return Err(ConfigError::InvalidKey);
                }
            }
            (KeyKind::Ed25519, DecodingKeyKind::SecretOrDer(raw)) if raw.len() != 32 => {
                return Err(ConfigError::InvalidKey);
            }
            _ => {}
        }
        Ok(Self {
            kid: None,
            issuer: None,
            algorithms: Algorithms::EMPTY.with(kind.default_algorithm()),
            key,
            kind,
        })
    }
}

/// PEM, OpenSSH (`ssh-rsa`, `ssh-ed25519`, `ecdsa-sha2-…`) or a JWK object:
/// text no random secret looks like.
fn looks_like_a_public_key(secret: &[u8]) -> bool {
    let text = secret.trim_ascii();
    text.starts_with(b"-----BEGIN")
        || text.starts_with(b"ssh-")
        || text.starts_with(b"ecdsa-sha2-")
        || (text.starts_with(b"{")
            && serde_json::from_slice::<serde_json::Value>(text)
                .is_ok_and(|jwk| jwk.get("kty").is_some()))
}

/// P-256 or P-384 by the length of the uncompressed SEC1 point.
fn ec_kind(key: &DecodingKey) -> Result<KeyKind, ConfigError> {
    match key.try_get_as_bytes() {
        Ok(point) if point.len() == 65 && point[0] == 4 => Ok(KeyKind::P256),
        Ok(point) if point.len() == 97 && point[0] == 4 => Ok(KeyKind::P384),
        _ => Err(ConfigError::InvalidKey),
    }
}

/// The label of the first PEM block (`-----BEGIN <label>-----`).
fn pem_label(pem: &[u8]) -> Option<&str> {
    let text = std::str::from_utf8(pem).ok()?;
    let start = text.find("-----BEGIN ")? + "-----BEGIN ".len();
    let rest = &text[start..];
    Some(&rest[..rest.find("-----")?])
}

impl fmt::Debug for JwtKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.kind {
            KeyKind::Hmac(_) => "hmac",
            KeyKind::Rsa => "rsa",
            KeyKind::P256 => "ec p-256",
            KeyKind::P384 => "ec p-384",
            KeyKind::Ed25519 => "ed25519",
        };
        f.debug_struct("JwtKey")
            .field("kid", &self.kid)
            .field("issuer", &self.issuer)
            .field("kind", &kind)
            .field("algorithms", &self.algorithms)
            .finish_non_exhaustive()
    }
}
