//! Every JWS algorithm the verifier takes, with the crypto backend this
//! build has: a PyJWT token per algorithm (`tests/fixtures/algorithms/`)
//! verifies with its key, read from PEM (or the HMAC secret) and from its
//! JWK, and with a key bound to every algorithm of its family; the same
//! token with one bit of its signature flipped does not; and a key bound to
//! another algorithm of its family refuses it. ECDSA signatures reshaped
//! (DER instead of `r || s`, a zero or out-of-range half, a byte short or
//! too many) are refused, and the same signature with `s` negated verifies,
//! as it does for PyJWT.

use std::fs;
use std::path::PathBuf;
use std::str::FromStr;

use serde_json::Value;
use tower_bearer_auth::jwt::jsonwebtoken::Algorithm;
use tower_bearer_auth::jwt::{JwtErrorKind, JwtKey, JwtVerifier};

fn fixture(name: &str) -> String {
    let path: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "tests/fixtures/algorithms",
        name,
    ]
    .iter()
    .collect();
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn verifier(fixtures: &Value, key: JwtKey) -> JwtVerifier {
    JwtVerifier::builder()
        .with_key(key)
        .with_issuer(fixtures["issuer"].as_str().expect("issuer"))
        .with_audience(fixtures["audience"].as_str().expect("audience"))
        .build()
        .expect("verifier")
}

/// Another algorithm the same key may be bound to, if its family has one.
fn sibling(alg: Algorithm) -> Option<Algorithm> {
    use Algorithm::*;
    match alg {
        HS256 => Some(HS384),
        HS384 => Some(HS512),
        HS512 => Some(HS256),
        RS256 => Some(RS384),
        RS384 => Some(RS512),
        RS512 => Some(PS256),
        PS256 => Some(PS384),
        PS384 => Some(PS512),
        PS512 => Some(RS256),
        _ => None,
    }
}

#[test]
fn every_algorithm_verifies_its_tokens_and_refuses_a_flipped_bit() {
    let fixtures: Value = serde_json::from_str(&fixture("tokens.json")).expect("tokens.json");
    let jwks: Value = serde_json::from_str(&fixture("keys.jwks.json")).expect("keys.jwks.json");
    let sub = fixtures["sub"].as_str().expect("sub");
    let cases = fixtures["tokens"].as_array().expect("tokens");
    assert_eq!(
        cases.len(),
        12,
        "HS, RS and PS with three hashes each, ES256, ES384, EdDSA"
    );
    let shaped = cases.iter().filter(|case| case["shapes"].is_array());
    assert_eq!(shaped.count(), 2, "ES256 and ES384 signatures reshaped");
    for case in cases {
        let name = case["alg"].as_str().expect("alg");
        let alg = Algorithm::from_str(name).expect("an algorithm");
        let kid = case["kid"].as_str().expect("kid");
        let from_file = |alg: Algorithm| {
            let key = match case["key"].as_str().expect("key") {
                "hmac.secret" => JwtKey::hmac(fixture("hmac.secret")),
                pem => JwtKey::from_pem(fixture(pem)),
            };
            key.and_then(|key| key.with_algorithm(alg))
                .and_then(|key| key.with_kid(kid))
                .unwrap_or_else(|e| panic!("{name}: {e}"))
        };
        let jwk = jwks["keys"]
            .as_array()
            .expect("keys")
            .iter()
            .find(|jwk| jwk["kid"] == kid)
            .expect("a JWK per algorithm");
        let from_jwk =
            JwtKey::from_jwk_json(&jwk.to_string()).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(from_jwk.algorithms().collect::<Vec<_>>(), [alg], "{name}");

        for (form, key) in [("PEM", from_file(alg)), ("JWK", from_jwk)] {
            let verifier = verifier(&fixtures, key);
            let valid = case["valid"].as_str().expect("valid");
            let claims = verifier
                .verify_jwt(valid)
                .unwrap_or_else(|e| panic!("{name} ({form}): {e}"));
            assert_eq!(claims.sub(), Some(sub), "{name} ({form})");
            let tampered = case["tampered"].as_str().expect("tampered");
            let error = verifier.verify_jwt(tampered).expect_err(name);
            assert_eq!(error.kind(), JwtErrorKind::BadSignature, "{name} ({form})");
            for shape in case["shapes"].as_array().into_iter().flatten() {
                let label = shape["shape"].as_str().expect("shape");
                let verified = verifier.verify_jwt(shape["token"].as_str().expect("token"));
                if shape["verifies"] == true {
                    let claims = verified.unwrap_or_else(|e| panic!("{name} {label}: {e}"));
                    assert_eq!(claims.sub(), Some(sub), "{name} {label}");
                } else {
                    let error = verified.expect_err(label);
                    assert_eq!(error.kind(), JwtErrorKind::BadSignature, "{name} {label}");
                }
            }
        }
        // A key bound to its whole family holds a prepared key per
        // algorithm, and picks the token's.
        let family = match alg {
            Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512 => {
                &[Algorithm::HS256, Algorithm::HS384, Algorithm::HS512][..]
            }
            Algorithm::RS256
            | Algorithm::RS384
            | Algorithm::RS512
            | Algorithm::PS256
            | Algorithm::PS384
            | Algorithm::PS512 => &[
                Algorithm::RS256,
                Algorithm::RS384,
                Algorithm::RS512,
                Algorithm::PS256,
                Algorithm::PS384,
                Algorithm::PS512,
            ][..],
            _ => &[alg][..],
        };
        let whole_family = from_file(alg)
            .with_algorithms(family.iter().copied())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let family_verifier = verifier(&fixtures, whole_family);
        let valid = case["valid"].as_str().expect("valid");
        let claims = family_verifier
            .verify_jwt(valid)
            .unwrap_or_else(|e| panic!("{name} (whole family): {e}"));
        assert_eq!(claims.sub(), Some(sub), "{name} (whole family)");
        let tampered = case["tampered"].as_str().expect("tampered");
        let error = family_verifier.verify_jwt(tampered).expect_err(name);
        assert_eq!(
            error.kind(),
            JwtErrorKind::BadSignature,
            "{name} (whole family)"
        );

        if let Some(other) = sibling(alg) {
            let verifier = verifier(&fixtures, from_file(other));
            let valid = case["valid"].as_str().expect("valid");
            let error = verifier.verify_jwt(valid).expect_err(name);
            assert_eq!(
                error.kind(),
                JwtErrorKind::Algorithm,
                "{name} with {other:?}"
            );
        }
    }
}
