//! Per-token cost of JWT verification through `BearerAuthLayer` against
//! jsonwebtoken's own `decode`, for HS256, RS256, ES256 and EdDSA.
//!
//! Each algorithm is one group (`jwt/hs256`, ...) verifying the same PyJWT
//! token (`tests/fixtures/jwt/`) with the same key, three ways:
//!
//! - `jsonwebtoken_decode`: `jsonwebtoken::decode::<AccessClaims>` with a
//!   `DecodingKey` and a `Validation` built once, configured as our verifier
//!   is (algorithm, issuer, audience, `exp` required, `nbf` checked, 60 s of
//!   leeway): the baseline a hand-written middleware would pay.
//! - `verify_jwt`: our `JwtVerifier` alone.
//! - `layer`: the whole path, `BearerAuthLayer` around a trivial service:
//!   building the request with its `Authorization` header, `poll_ready` +
//!   `call`, extracting the token, verifying it, attaching the claims, and
//!   polling the response future once with a no-op waker (the verifier is
//!   synchronous, so every future is ready at once: no runtime is measured).
//!
//! `layer - verify_jwt` is the layer's own overhead; the target is
//! `layer <= jsonwebtoken_decode` for every algorithm. The results depend on
//! the crypto backend: run once with `--features jwt` (aws-lc-rs, the default) and once
//! with `--no-default-features --features rust-crypto,jwt`.

#[path = "support/jwt_fixtures.rs"]
mod jwt_fixtures;
mod support;

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use http::{HeaderValue, StatusCode};
use tower::{Layer, service_fn};

use jwt_fixtures::{AllClaims, CASES, Case, decoding_key, fixture, token, validation, verifier};
use support::{authorized, claims_handler, once};
use tower_bearer_auth::BearerAuthLayer;
use tower_bearer_auth::jwt::AccessClaims;
use tower_bearer_auth::jwt::jsonwebtoken;

/// The three paths for one algorithm, each checked once before it is
/// measured so that a refusal can never pass for a fast verification.
fn algorithm(c: &mut Criterion, case: &Case) {
    let token = token(case.token);
    let key = fixture(case.key);
    let decoding_key = decoding_key(case.alg, &key);
    let validation = validation(case.alg);
    let verifier = verifier(case.alg, &key);
    let mut service =
        BearerAuthLayer::new(verifier.clone()).layer(service_fn(claims_handler::<AccessClaims>));
    let authorization =
        HeaderValue::try_from(format!("Bearer {token}")).expect("valid header value");

    jsonwebtoken::decode::<AllClaims>(&token, &decoding_key, &validation)
        .unwrap_or_else(|e| panic!("{}: jsonwebtoken refused: {e}", case.name));
    verifier
        .verify_jwt(&token)
        .unwrap_or_else(|e| panic!("{}: verify_jwt refused: {e}", case.name));
    assert_eq!(
        once(&mut service, authorized(&authorization)).status(),
        StatusCode::OK,
        "{}: layer refused",
        case.name
    );

    let mut group = c.benchmark_group(format!("jwt/{}", case.name));
    group.bench_function("jsonwebtoken_decode", |b| {
        b.iter(|| {
            jsonwebtoken::decode::<AllClaims>(black_box(&token), &decoding_key, &validation)
                .expect("accepted")
        });
    });
    group.bench_function("verify_jwt", |b| {
        b.iter(|| verifier.verify_jwt(black_box(&token)).expect("accepted"));
    });
    group.bench_function("layer", |b| {
        b.iter(|| {
            let response = once(&mut service, authorized(black_box(&authorization)));
            assert_eq!(response.status(), StatusCode::OK);
            response
        });
    });
    group.finish();
}

fn jwt(c: &mut Criterion) {
    for case in &CASES {
        algorithm(c, case);
    }
}

criterion_group!(benches, jwt);
criterion_main!(benches);
