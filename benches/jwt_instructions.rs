//! Instruction counts of one JWT verification, for callgrind: wall-clock
//! figures on a shared machine swing by a third between runs, instruction
//! counts do not. `benches/jwt_instructions.sh` runs this under
//! `valgrind --tool=callgrind` and prints, per algorithm, the instructions
//! of one `jsonwebtoken::decode`, one `JwtVerifier::verify_jwt` and one
//! request through `BearerAuthLayer` (request built, token extracted and
//! verified, claims attached, response future polled once).
//!
//! Usage: `jwt_instructions <decode|verify|layer|none> <hs256|rs256|es256|eddsa> <n>`.
//! The script subtracts the count of `none` (all the set-up, no
//! verification) and divides by `n`. The paths are those of `benches/jwt.rs`.

mod support;

use std::convert::Infallible;
use std::future::ready;
use std::hint::black_box;

use http::header::AUTHORIZATION;
use http::{HeaderValue, Request, Response};
use tower::{Layer, service_fn};

use support::once;
use tower_bearer_auth::BearerAuthLayer;
use tower_bearer_auth::jwt::jsonwebtoken::{self, Algorithm, DecodingKey, Validation};
use tower_bearer_auth::jwt::{AccessClaims, JwtKey, JwtVerifier};

const ISSUER: &str = "https://issuer.example.com";
const AUDIENCE: &str = "https://api.example.com";

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/jwt/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn token(name: &str) -> String {
    let tokens: serde_json::Value =
        serde_json::from_slice(&fixture("tokens.json")).expect("tokens.json");
    let entry = tokens["tokens"]
        .as_array()
        .and_then(|all| all.iter().find(|t| t["name"] == name));
    entry
        .and_then(|t| t["token"].as_str())
        .expect("token")
        .to_owned()
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let [mode, alg, n] = &args[..] else {
        // `cargo bench` runs every bench without arguments: this one is
        // meant for callgrind, through the script.
        eprintln!(
            "jwt_instructions: run benches/jwt_instructions.sh, or \
             jwt_instructions <decode|verify|layer|none> <hs256|rs256|es256|eddsa> <n>"
        );
        return;
    };
    let n: usize = n.parse().expect("a count");
    let (alg, token_name, key_file) = match alg.as_str() {
        "hs256" => (Algorithm::HS256, "hs256-valid", "hs256.secret"),
        "rs256" => (Algorithm::RS256, "rs256-valid", "rsa.pem"),
        "es256" => (Algorithm::ES256, "es256-valid", "ec256.pem"),
        "eddsa" => (Algorithm::EdDSA, "eddsa-valid", "ed25519.pem"),
        other => panic!("no algorithm {other}"),
    };
    let token = token(token_name);
    let key = fixture(key_file);

    let decoding_key = match alg {
        Algorithm::HS256 => Ok(DecodingKey::from_secret(&key)),
        Algorithm::RS256 => DecodingKey::from_rsa_pem(&key),
        Algorithm::ES256 => DecodingKey::from_ec_pem(&key),
        _ => DecodingKey::from_ed_pem(&key),
    }
    .expect("key");
    let mut validation = Validation::new(alg);
    validation.set_issuer(&[ISSUER]);
    validation.set_audience(&[AUDIENCE]);
    validation.validate_nbf = true;

    let jwt_key = match alg {
        Algorithm::HS256 => JwtKey::hmac(&key),
        _ => JwtKey::from_pem(&key),
    }
    .expect("key");
    let verifier: JwtVerifier<AccessClaims> = JwtVerifier::builder()
        .with_key(jwt_key)
        .with_issuer(ISSUER)
        .with_audience(AUDIENCE)
        .build()
        .expect("verifier");
    let mut service = BearerAuthLayer::new(verifier.clone()).layer(service_fn(|r: Request<()>| {
        assert!(
            r.extensions().get::<AccessClaims>().is_some(),
            "claims attached"
        );
        ready(Ok::<_, Infallible>(Response::new(())))
    }));
    let authorization = HeaderValue::try_from(format!("Bearer {token}")).expect("header");

    // Both accept the token, and one-time initialisation is out of the way.
    jsonwebtoken::decode::<AccessClaims>(&token, &decoding_key, &validation).expect("decode");
    verifier.verify_jwt(&token).expect("verify_jwt");

    for _ in 0..n {
        match mode.as_str() {
            "decode" => {
                let claims = jsonwebtoken::decode::<AccessClaims>(
                    black_box(&token),
                    &decoding_key,
                    &validation,
                );
                black_box(claims.expect("accepted"));
            }
            "verify" => {
                black_box(verifier.verify_jwt(black_box(&token)).expect("accepted"));
            }
            "layer" => {
                let request = Request::builder()
                    .header(AUTHORIZATION, authorization.clone())
                    .body(())
                    .expect("request");
                assert_eq!(once(&mut service, request).status(), 200);
            }
            "none" => {}
            other => panic!("no mode {other}"),
        }
    }
}
