//! The proof's public key: checked to be a real public key of the proof's
//! algorithm, and its RFC 7638 thumbprint.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey};
use sha2::{Digest, Sha256};

use super::proof::ProofJwk;

/// A public key from a proof's `jwk`, with its thumbprint.
pub(super) struct ProofKey {
    pub(super) key: DecodingKey,
    /// SHA-256 of the key's RFC 7638 canonical JSON.
    pub(super) thumbprint: [u8; 32],
}

/// RSA moduli from 2048 to 8192 bits (RFC 7518 §3.3 sets the floor),
/// counted in bits: a 256-byte modulus may have fewer than 2048.
const RSA_MODULUS_BITS: std::ops::RangeInclusive<usize> = 2048..=8192;

/// The bits of a big-endian number without leading zero bytes.
fn bit_length(minimal: &[u8]) -> usize {
    minimal.first().map_or(0, |&top| {
        (minimal.len() - 1) * 8 + (8 - top.leading_zeros() as usize)
    })
}

/// The key `jwk` describes, if it is a public key `alg` can verify with:
/// `EC` on the curve of `ES256` or `ES384`, `RSA` for `RS*` and `PS*`,
/// `OKP` Ed25519 for `EdDSA`; every member unpadded base64url of the
/// curve's length. `None` otherwise, and for a key with private members.
pub(super) fn proof_key(jwk: &ProofJwk<'_>, alg: Algorithm) -> Option<ProofKey> {
    if jwk.private {
        return None;
    }
    let kty = jwk.kty.as_deref()?;
    let decode = |member: Option<&str>, len: usize| {
        let bytes = URL_SAFE_NO_PAD.decode(member?).ok()?;
        (bytes.len() == len).then_some(bytes)
    };
    let mut canonical = Vec::with_capacity(512);
    let key = match (alg, kty) {
        (Algorithm::ES256 | Algorithm::ES384, "EC") => {
            let (crv, len) = match alg {
                Algorithm::ES256 => ("P-256", 32),
                _ => ("P-384", 48),
            };
            if jwk.crv.as_deref() != Some(crv) {
                return None;
            }
            let x = decode(jwk.x.as_deref(), len)?;
            let y = decode(jwk.y.as_deref(), len)?;
            let mut point = Vec::with_capacity(1 + 2 * len);
            point.push(0x04);
            point.extend_from_slice(&x);
            point.extend_from_slice(&y);
            write_canonical(
                &mut canonical,
                &[
                    ("crv", crv),
                    ("kty", "EC"),
                    ("x", jwk.x.as_deref()?),
                    ("y", jwk.y.as_deref()?),
                ],
            );
            DecodingKey::from_ec_der(&point)
        }
        (
            Algorithm::RS256
            | Algorithm::RS384
            | Algorithm::RS512
            | Algorithm::PS256
            | Algorithm::PS384
            | Algorithm::PS512,
            "RSA",
        ) => {
            let n = URL_SAFE_NO_PAD.decode(jwk.n.as_deref()?).ok()?;
            let e = URL_SAFE_NO_PAD.decode(jwk.e.as_deref()?).ok()?;
            // No leading zero bytes: one spelling per key, so one thumbprint.
            let minimal = |v: &[u8]| v.first().is_some_and(|&b| b != 0);
            if !minimal(&n)
                || !RSA_MODULUS_BITS.contains(&bit_length(&n))
                || !minimal(&e)
                || e.len() > 8
            {
                return None;
            }
            write_canonical(
                &mut canonical,
                &[
                    ("e", jwk.e.as_deref()?),
                    ("kty", "RSA"),
                    ("n", jwk.n.as_deref()?),
                ],
            );
            DecodingKey::from_rsa_raw_components(&n, &e)
        }
        (Algorithm::EdDSA, "OKP") => {
            if jwk.crv.as_deref() != Some("Ed25519") {
                return None;
            }
            let x = decode(jwk.x.as_deref(), 32)?;
            write_canonical(
                &mut canonical,
                &[("crv", "Ed25519"), ("kty", "OKP"), ("x", jwk.x.as_deref()?)],
            );
            DecodingKey::from_ed_der(&x)
        }
        _ => return None,
    };
    Some(ProofKey {
        key,
        thumbprint: Sha256::digest(&canonical).into(),
    })
}

/// RFC 7638 §3.3: the required members in lexicographic order, no
/// whitespace. Every value is a fixed name or was decoded as base64url
/// above, so none needs escaping.
fn write_canonical(out: &mut Vec<u8>, members: &[(&str, &str)]) {
    out.push(b'{');
    for (i, (name, value)) in members.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        for part in ["\"", name, "\":\"", value, "\""] {
            out.extend_from_slice(part.as_bytes());
        }
    }
    out.push(b'}');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jwt::json::Str;

    /// RFC 7638 §3.1: the thumbprint of the example RSA key.
    #[test]
    fn rfc7638_example_thumbprint() {
        let n = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
        let jwk = ProofJwk {
            kty: Some(Str::Borrowed("RSA")),
            n: Some(Str::Borrowed(n)),
            e: Some(Str::Borrowed("AQAB")),
            ..ProofJwk::default()
        };
        let key = proof_key(&jwk, Algorithm::RS256).expect("a public key");
        assert_eq!(
            URL_SAFE_NO_PAD.encode(key.thumbprint),
            "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
        );
        assert!(
            proof_key(&jwk, Algorithm::ES256).is_none(),
            "alg of another family"
        );
        let private = ProofJwk {
            private: true,
            ..jwk
        };
        assert!(proof_key(&private, Algorithm::RS256).is_none());
    }

    /// RFC 7518 §3.3: 2048 bits at least, counted in bits. A 256-byte
    /// modulus whose top byte is 0x7f has 2047.
    #[test]
    fn rsa_proof_keys_have_2048_bits_at_least() {
        let cases: &[(&[u8], usize)] = &[
            (&[0x80; 256], 2048),
            (&[0x7f; 256], 2047),
            (&[0x01; 256], 2041),
            (&[0xff; 255], 2040),
            (&[0x01; 1025], 8193),
        ];
        for &(n, bits) in cases {
            assert_eq!(bit_length(n), bits);
            let n = URL_SAFE_NO_PAD.encode(n);
            let jwk = ProofJwk {
                kty: Some(Str::Borrowed("RSA")),
                n: Some(Str::Borrowed(&n)),
                e: Some(Str::Borrowed("AQAB")),
                ..ProofJwk::default()
            };
            let accepted = proof_key(&jwk, Algorithm::PS256).is_some();
            assert_eq!(accepted, (2048..=8192).contains(&bits), "{bits} bits");
        }
    }
}
