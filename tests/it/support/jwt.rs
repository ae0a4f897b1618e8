//! The JWT fixtures of `tests/fixtures/jwt/` (made by PyJWT, see its
//! README) and the verifier configuration they were made for.

use std::path::PathBuf;

use serde_json::Value;
use tower_bearer_auth::jwt::jsonwebtoken::Algorithm;
use tower_bearer_auth::jwt::{AccessClaims, JwtErrorKind, JwtKey, JwtProfile, JwtVerifier};

pub const ISSUER: &str = "https://issuer.example.com";
pub const AUDIENCE: &str = "https://api.example.com";

/// One token of `tokens.json`.
#[derive(Clone, Debug)]
pub struct Fixture {
    pub name: String,
    pub token: String,
    pub profile: JwtProfile,
    /// `None` when the token is to be accepted.
    pub reason: Option<JwtErrorKind>,
    /// The signed payload, when it is a JSON object.
    pub claims: Option<Value>,
}

pub fn path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/jwt")
        .join(name)
}

pub fn file(name: &str) -> Vec<u8> {
    std::fs::read(path(name)).unwrap_or_else(|error| panic!("fixture {name}: {error}"))
}

pub fn fixtures() -> Vec<Fixture> {
    let document: Value = serde_json::from_slice(&file("tokens.json")).expect("tokens.json");
    assert_eq!(document["issuer"], ISSUER);
    assert_eq!(document["audience"], AUDIENCE);
    let tokens = document["tokens"].as_array().expect("tokens");
    tokens
        .iter()
        .map(|entry| {
            let text = |key: &str| entry[key].as_str().unwrap_or_default().to_owned();
            let profile = match entry["profile"].as_str() {
                Some("jwt") => JwtProfile::Jwt,
                Some("rfc9068") => JwtProfile::Rfc9068,
                other => panic!("{}: profile {other:?}", text("name")),
            };
            let reason = match (entry["expect"].as_str(), entry["reason"].as_str()) {
                (Some("accept"), None) => None,
                (Some("reject"), Some(reason)) => Some(reason_kind(reason)),
                other => panic!("{}: expectation {other:?}", text("name")),
            };
            Fixture {
                name: text("name"),
                token: text("token"),
                profile,
                reason,
                claims: entry.get("claims").cloned(),
            }
        })
        .collect()
}

/// The fixture named `name`.
pub fn fixture(name: &str) -> Fixture {
    fixtures()
        .into_iter()
        .find(|fixture| fixture.name == name)
        .unwrap_or_else(|| panic!("no fixture {name}"))
}

fn reason_kind(reason: &str) -> JwtErrorKind {
    match reason {
        "malformed" => JwtErrorKind::Malformed,
        "too_large" => JwtErrorKind::TooLarge,
        "unsupported" => JwtErrorKind::Unsupported,
        "algorithm" => JwtErrorKind::Algorithm,
        "unknown_key" => JwtErrorKind::UnknownKey,
        "bad_signature" => JwtErrorKind::BadSignature,
        "expired" => JwtErrorKind::Expired,
        "not_yet_valid" => JwtErrorKind::NotYetValid,
        "wrong_issuer" => JwtErrorKind::WrongIssuer,
        "wrong_audience" => JwtErrorKind::WrongAudience,
        "wrong_type" => JwtErrorKind::WrongType,
        "missing_claim" => JwtErrorKind::MissingClaim,
        other => panic!("unknown reason {other}"),
    }
}

/// The keys the fixtures were signed for, each read through a different
/// constructor: secret, SPKI PEM, PKCS#1 PEM, DER, PEM, JWK.
pub fn keys() -> Vec<JwtKey> {
    let with_kid = |key: JwtKey, kid: &str| key.with_kid(kid).expect("kid");
    vec![
        with_kid(JwtKey::hmac(file("hs256.secret")).expect("hs"), "hs"),
        with_kid(JwtKey::from_pem(file("rsa.pem")).expect("rsa"), "rsa"),
        with_kid(
            JwtKey::from_pem(file("rsa-pkcs1.pem"))
                .and_then(|key| key.with_algorithm(Algorithm::PS256))
                .expect("rsa-pss"),
            "rsa-pss",
        ),
        with_kid(JwtKey::from_der(file("ec256.der")).expect("ec256"), "ec256"),
        with_kid(JwtKey::from_pem(file("ec384.pem")).expect("ec384"), "ec384"),
        JwtKey::from_jwk_json(std::str::from_utf8(&file("ed25519.jwk.json")).expect("utf-8"))
            .expect("ed"),
    ]
}

/// The verifier the fixtures of `profile` expect.
pub fn verifier(profile: JwtProfile) -> JwtVerifier<AccessClaims> {
    JwtVerifier::builder()
        .with_keys(keys())
        .with_issuer(ISSUER)
        .with_audience(AUDIENCE)
        .with_profile(profile)
        .build()
        .expect("fixture verifier")
}
