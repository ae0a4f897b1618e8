//! The committed PyJWT fixtures (`tests/fixtures/jwt/`) as the JWT benches
//! read them, and our verifier for one of their keys.

#![allow(dead_code)] // each bench uses its part

use std::fs;
use std::path::PathBuf;

use serde::de::DeserializeOwned;
use tower_bearer_auth::jwt::jsonwebtoken::{Algorithm, DecodingKey, Validation};
use tower_bearer_auth::jwt::{AccessClaims, JwtKey, JwtVerifier, JwtVerifierBuilder};

/// Every claim of a token, as `jsonwebtoken::decode` hands them to a
/// middleware that keeps them all: the baseline the benches compare with,
/// which does not depend on this crate's own claims type.
pub(crate) type AllClaims = serde_json::Map<String, serde_json::Value>;

pub(crate) const ISSUER: &str = "https://issuer.example.com";
pub(crate) const AUDIENCE: &str = "https://api.example.com";

/// The bytes of a committed fixture: read at bench start, so the benches
/// see exactly the keys and tokens the tests check.
pub(crate) fn fixture(name: &str) -> Vec<u8> {
    let path: PathBuf = [env!("CARGO_MANIFEST_DIR"), "tests/fixtures/jwt", name]
        .iter()
        .collect();
    fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The token named `name` in `tokens.json`.
pub(crate) fn token(name: &str) -> String {
    let tokens: serde_json::Value =
        serde_json::from_slice(&fixture("tokens.json")).expect("tokens.json is JSON");
    tokens["tokens"]
        .as_array()
        .expect("a `tokens` array")
        .iter()
        .find(|entry| entry["name"] == name)
        .and_then(|entry| entry["token"].as_str())
        .unwrap_or_else(|| panic!("no token {name}"))
        .to_owned()
}

/// One algorithm under test: its group name, the fixture token signed with
/// it, and the key file that verifies it.
pub(crate) struct Case {
    pub(crate) name: &'static str,
    pub(crate) alg: Algorithm,
    pub(crate) token: &'static str,
    pub(crate) key: &'static str,
}

pub(crate) const CASES: [Case; 4] = [
    Case {
        name: "hs256",
        alg: Algorithm::HS256,
        token: "hs256-valid",
        key: "hs256.secret",
    },
    Case {
        name: "rs256",
        alg: Algorithm::RS256,
        token: "rs256-valid",
        key: "rsa.pem",
    },
    Case {
        name: "es256",
        alg: Algorithm::ES256,
        token: "es256-valid",
        key: "ec256.pem",
    },
    Case {
        name: "eddsa",
        alg: Algorithm::EdDSA,
        token: "eddsa-valid",
        key: "ed25519.pem",
    },
];

/// jsonwebtoken's key for `alg`, parsed once: its parsing is not part of
/// the per-token cost of either path.
pub(crate) fn decoding_key(alg: Algorithm, key: &[u8]) -> DecodingKey {
    match alg {
        Algorithm::HS256 => Ok(DecodingKey::from_secret(key)),
        Algorithm::RS256 => DecodingKey::from_rsa_pem(key),
        Algorithm::ES256 => DecodingKey::from_ec_pem(key),
        Algorithm::EdDSA => DecodingKey::from_ed_pem(key),
        other => panic!("no case for {other:?}"),
    }
    .expect("valid decoding key")
}

/// jsonwebtoken's validation, built once and configured as our verifier:
/// one algorithm, the issuer, the audience, `exp` required (the default),
/// `nbf` checked, 60 s of leeway (both defaults).
pub(crate) fn validation(alg: Algorithm) -> Validation {
    let mut validation = Validation::new(alg);
    validation.set_issuer(&[ISSUER]);
    validation.set_audience(&[AUDIENCE]);
    validation.validate_nbf = true;
    validation
}

/// Our verifier for the key in `key` (a secret for HS256, PEM otherwise).
/// The key has no `kid`, so it accepts the fixture's (`hs`, `rsa`, `ec256`,
/// `ed`).
pub(crate) fn verifier(alg: Algorithm, key: &[u8]) -> JwtVerifier<AccessClaims> {
    verifier_of(alg, key)
}

/// [`verifier`] reading the claims into `C`.
pub(crate) fn verifier_of<C: DeserializeOwned + 'static>(
    alg: Algorithm,
    key: &[u8],
) -> JwtVerifier<C> {
    let key = match alg {
        Algorithm::HS256 => JwtKey::hmac(key),
        _ => JwtKey::from_pem(key),
    }
    .expect("valid key");
    JwtVerifierBuilder::new()
        .with_key(key)
        .with_issuer(ISSUER)
        .with_audience(AUDIENCE)
        .build()
        .expect("valid verifier")
}
