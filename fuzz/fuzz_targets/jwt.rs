//! JWT decoding through the verifier, from random bytes and from mutations
//! of the fixture tokens (the seeds): it never panics, and whatever it
//! accepts carries the signed part (header and payload) of a fixture
//! token, byte for byte: no change to what was signed verifies.

#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use tower_bearer_auth::jwt::jsonwebtoken::Algorithm;
use tower_bearer_auth::jwt::{AccessClaims, JwtKey, JwtProfile, JwtVerifier};

/// Between the fixtures' `nbf` and `exp`.
const NOW: u64 = 1_800_000_000;

const TOKENS: &str = include_str!("../../tests/fixtures/jwt/tokens.json");

/// The fixtures' keys, as `tests/support/jwt.rs` reads them.
fn keys() -> Vec<JwtKey> {
    let with_kid = |key: JwtKey, kid: &str| key.with_kid(kid).expect("kid");
    vec![
        with_kid(
            JwtKey::hmac(include_bytes!("../../tests/fixtures/jwt/hs256.secret")).expect("hs"),
            "hs",
        ),
        with_kid(
            JwtKey::from_pem(include_bytes!("../../tests/fixtures/jwt/rsa.pem")).expect("rsa"),
            "rsa",
        ),
        with_kid(
            JwtKey::from_pem(include_bytes!("../../tests/fixtures/jwt/rsa-pkcs1.pem"))
                .and_then(|key| key.with_algorithm(Algorithm::PS256))
                .expect("rsa-pss"),
            "rsa-pss",
        ),
        with_kid(
            JwtKey::from_der(include_bytes!("../../tests/fixtures/jwt/ec256.der")).expect("ec256"),
            "ec256",
        ),
        with_kid(
            JwtKey::from_pem(include_bytes!("../../tests/fixtures/jwt/ec384.pem")).expect("ec384"),
            "ec384",
        ),
        JwtKey::from_jwk_json(include_str!("../../tests/fixtures/jwt/ed25519.jwk.json"))
            .expect("ed"),
    ]
}

struct Fixtures {
    verifiers: Vec<JwtVerifier<AccessClaims>>,
    /// The signing input (`header.payload`) of every fixture token.
    signed: Vec<String>,
}

static FIXTURES: LazyLock<Fixtures> = LazyLock::new(|| {
    let document: Value = serde_json::from_str(TOKENS).expect("tokens.json");
    let verifier = |profile| {
        JwtVerifier::builder()
            .with_keys(keys())
            .with_issuer(document["issuer"].as_str().expect("issuer"))
            .with_audience(document["audience"].as_str().expect("audience"))
            .with_profile(profile)
            .build()
            .expect("fixture verifier")
    };
    let signed = document["tokens"]
        .as_array()
        .expect("tokens")
        .iter()
        .map(|entry| {
            let token = entry["token"].as_str().expect("token");
            token[..token.rfind('.').expect("a JWS")].to_owned()
        })
        .collect();
    Fixtures {
        verifiers: vec![verifier(JwtProfile::Jwt), verifier(JwtProfile::Rfc9068)],
        signed,
    }
});

fuzz_target!(|data: &[u8]| {
    let Ok(token) = std::str::from_utf8(data) else {
        return;
    };
    let fixtures = &*FIXTURES;
    for verifier in &fixtures.verifiers {
        if verifier.verify_jwt_at(token, NOW).is_ok() {
            let signed = &token[..token.rfind('.').expect("a JWS has dots")];
            assert!(
                fixtures.signed.iter().any(|fixture| fixture == signed),
                "a token no fixture signs was accepted"
            );
        }
    }
});
