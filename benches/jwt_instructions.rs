//! Instruction counts of one JWT verification, for callgrind: wall-clock
//! figures on a shared machine swing by a third between runs, instruction
//! counts do not. `benches/jwt_instructions.sh` runs this under
//! `valgrind --tool=callgrind` and prints, per algorithm, the instructions
//! of one `jsonwebtoken::decode` (into a `serde_json::Map` of every claim),
//! one `JwtVerifier::verify_jwt`, one
//! request through `BearerAuthLayer` (request built, token extracted and
//! verified, claims attached, response future polled once), and the same
//! request with a `CachedVerifier` that holds the token (`cached`).
//!
//! Usage: `jwt_instructions <decode|verify|layer|cached|decode_typed|verify_typed|none> <hs256|rs256|es256|eddsa> <n>`.
//! `decode_typed` and `verify_typed` read the claims into a struct of two
//! strings instead of `AccessClaims`.
//! The script subtracts the count of `none` (all the set-up, no
//! verification) and divides by `n`. The paths are those of `benches/jwt.rs`.

#[path = "support/jwt_fixtures.rs"]
mod jwt_fixtures;
mod support;

use std::convert::Infallible;
use std::future::ready;
use std::hint::black_box;

use http::header::AUTHORIZATION;
use http::{HeaderValue, Request, Response};
use tower::{Layer, service_fn};

use jwt_fixtures::{AllClaims, decoding_key, fixture, token, validation, verifier, verifier_of};
use support::once;
use tower_bearer_auth::BearerAuthLayer;
use tower_bearer_auth::cache::CachedVerifier;
use tower_bearer_auth::jwt::AccessClaims;
use tower_bearer_auth::jwt::jsonwebtoken::{self, Algorithm};

/// The claims a handler of its own would read, as a hand-written check
/// declares them: two strings instead of every claim.
#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct Typed {
    sub: String,
    #[serde(default)]
    scope: String,
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
             jwt_instructions <decode|verify|layer|cached|decode_typed|verify_typed|none> <alg> <n>"
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

    let decoding_key = decoding_key(alg, &key);
    let validation = validation(alg);
    let verifier = verifier(alg, &key);
    let typed = verifier_of::<Typed>(alg, &key);
    let handler = service_fn(|r: Request<()>| {
        assert!(
            r.extensions().get::<AccessClaims>().is_some(),
            "claims attached"
        );
        ready(Ok::<_, Infallible>(Response::new(())))
    });
    let mut service = BearerAuthLayer::new(verifier.clone()).layer(handler);
    let mut cached = BearerAuthLayer::new(CachedVerifier::new(verifier.clone())).layer(handler);
    let authorization = HeaderValue::try_from(format!("Bearer {token}")).expect("header");

    // Both accept the token, and one-time initialisation is out of the way.
    jsonwebtoken::decode::<AllClaims>(&token, &decoding_key, &validation).expect("decode");
    verifier.verify_jwt(&token).expect("verify_jwt");
    jsonwebtoken::decode::<Typed>(&token, &decoding_key, &validation).expect("decode typed");
    typed.verify_jwt(&token).expect("verify_jwt typed");
    let request = || {
        Request::builder()
            .header(AUTHORIZATION, authorization.clone())
            .body(())
            .expect("request")
    };
    // The cache holds the token: every `cached` request is a hit.
    assert_eq!(once(&mut cached, request()).status(), 200);

    for _ in 0..n {
        match mode.as_str() {
            "decode" => {
                let claims = jsonwebtoken::decode::<AllClaims>(
                    black_box(&token),
                    &decoding_key,
                    &validation,
                );
                black_box(claims.expect("accepted"));
            }
            "verify" => {
                black_box(verifier.verify_jwt(black_box(&token)).expect("accepted"));
            }
            "decode_typed" => {
                let claims =
                    jsonwebtoken::decode::<Typed>(black_box(&token), &decoding_key, &validation);
                black_box(claims.expect("accepted"));
            }
            "verify_typed" => {
                black_box(typed.verify_jwt(black_box(&token)).expect("accepted"));
            }
            "layer" => assert_eq!(once(&mut service, request()).status(), 200),
            "cached" => assert_eq!(once(&mut cached, request()).status(), 200),
            "none" => {}
            other => panic!("no mode {other}"),
        }
    }
}
