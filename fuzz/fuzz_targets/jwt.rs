//! JWT decoding through the verifier, from random bytes and from mutations
//! of the fixture tokens (the seeds): it never panics, and whatever it
//! accepts carries, byte for byte, the signed part (header and payload) of
//! a fixture the profile may accept: no change to what was signed
//! verifies, and no fixture made to be refused is accepted.

#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use tower_bearer_auth::jwt::jsonwebtoken::Algorithm;
use tower_bearer_auth::jwt::{AccessClaims, JwtKey, JwtProfile, JwtVerifier};

/// Between the fixtures' `nbf` and `exp`.
const NOW: u64 = 1_800_000_000;

const TOKENS: &str = include_str!("../../tests/fixtures/jwt/tokens.json");

/// The fixtures' keys, as `tests/it/support/jwt.rs` reads them.
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

/// A verifier and the signed parts (`header.payload`) it may accept.
struct Profile {
    verifier: JwtVerifier<AccessClaims>,
    acceptable: Vec<String>,
}

fn signed(token: &str) -> &str {
    &token[..token.rfind('.').expect("a JWS has dots")]
}

/// One verifier per profile. What each may accept: the fixtures made to be
/// accepted under it, and those made for the other profile that only the
/// other's rules could refuse (the RFC 9068 fixtures differ from plain
/// JWTs in `typ` and the claims it requires; of the plain fixtures, those
/// accepted). Every other fixture (`alg: none`, key confusion, bad
/// signatures, expired, wrong audience, ...) must be refused, and the
/// verdict on each fixture of the profile is checked at start-up.
static PROFILES: LazyLock<Vec<Profile>> = LazyLock::new(|| {
    let document: Value = serde_json::from_str(TOKENS).expect("tokens.json");
    let fixtures = document["tokens"].as_array().expect("tokens");
    let profile = |profile: JwtProfile, name: &str, other_acceptable: fn(&Value) -> bool| {
        let verifier = JwtVerifier::builder()
            .with_keys(keys())
            .with_issuer(document["issuer"].as_str().expect("issuer"))
            .with_audience(document["audience"].as_str().expect("audience"))
            .with_profile(profile)
            .build()
            .expect("fixture verifier");
        let mut acceptable = Vec::new();
        for fixture in fixtures {
            let token = fixture["token"].as_str().expect("token");
            let accept = fixture["expect"] == "accept";
            if fixture["profile"] == name {
                let verdict = verifier.verify_jwt_at(token, NOW);
                assert_eq!(verdict.is_ok(), accept, "{}", fixture["name"]);
            }
            let may_accept = if fixture["profile"] == name {
                accept
            } else {
                other_acceptable(fixture)
            };
            if may_accept {
                acceptable.push(signed(token).to_owned());
            }
        }
        Profile {
            verifier,
            acceptable,
        }
    };
    vec![
        profile(JwtProfile::Jwt, "jwt", |_| true),
        profile(JwtProfile::Rfc9068, "rfc9068", |fixture| {
            fixture["expect"] == "accept"
        }),
    ]
});

fuzz_target!(|data: &[u8]| {
    let Ok(token) = std::str::from_utf8(data) else {
        return;
    };
    for profile in PROFILES.iter() {
        if profile.verifier.verify_jwt_at(token, NOW).is_ok() {
            let signed = signed(token);
            assert!(
                profile.acceptable.iter().any(|fixture| fixture == signed),
                "a token no fixture signs for this profile was accepted"
            );
        }
    }
});
