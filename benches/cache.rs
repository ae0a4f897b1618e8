//! A repeated token served by `CachedVerifier`, against verifying it every
//! time and against jsonwebtoken's raw HS256 `decode`, in one run.
//!
//! `cache/baseline/jsonwebtoken_decode_hs256` is the yardstick: a hit must
//! cost at most a tenth of it, whatever the algorithm. Then one group per
//! algorithm (`cache/hs256`, ...) with the same PyJWT token
//! (`tests/fixtures/jwt/`):
//!
//! - `jwt`: the layer, every request checks the signature and the claims;
//! - `cached_hit`: the layer with the cache, which holds the token: a hash
//!   lookup, a comparison with the token, the freshness and key checks, a
//!   copy of the claims (two reference counts);
//! - `cached_verify`: the cache's `verify` alone, without the layer
//!   (extraction, the claims' insertion into the request).
//!
//! The layer cases are driven without a runtime (`support::once`).

#[path = "support/jwt_fixtures.rs"]
mod jwt_fixtures;
mod support;

use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use criterion::{Criterion, criterion_group, criterion_main};
use http::{HeaderValue, StatusCode};
use tower::{Layer, service_fn};

use jwt_fixtures::{AllClaims, CASES, Case, decoding_key, fixture, token, validation, verifier};
use support::{authorized, claims_handler, once};
use tower_bearer_auth::cache::CachedVerifier;
use tower_bearer_auth::jwt::AccessClaims;
use tower_bearer_auth::jwt::jsonwebtoken::{self, Algorithm};
use tower_bearer_auth::{BearerAuthLayer, BearerToken, TokenExtractor, VerifyToken};

fn baseline(c: &mut Criterion) {
    let token = token("hs256-valid");
    let key = decoding_key(Algorithm::HS256, &fixture("hs256.secret"));
    let validation = validation(Algorithm::HS256);
    let mut group = c.benchmark_group("cache/baseline");
    group.bench_function("jsonwebtoken_decode_hs256", |b| {
        b.iter(|| {
            jsonwebtoken::decode::<AllClaims>(black_box(&token), &key, &validation)
                .expect("accepted")
        });
    });
    group.finish();
}

fn algorithm(c: &mut Criterion, case: &Case) {
    let token = token(case.token);
    let verifier = verifier(case.alg, &fixture(case.key));
    let cached = CachedVerifier::new(verifier.clone());
    let handler = service_fn(claims_handler::<AccessClaims>);
    let mut plain = BearerAuthLayer::new(verifier).layer(handler);
    let mut cached_service = BearerAuthLayer::new(cached.clone()).layer(handler);
    let authorization =
        HeaderValue::try_from(format!("Bearer {token}")).expect("valid header value");

    // Both accept the token, and the cache holds it before the measurement.
    assert_eq!(
        once(&mut plain, authorized(&authorization)).status(),
        StatusCode::OK
    );
    let response = once(&mut cached_service, authorized(&authorization));
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        cached.entries(),
        1,
        "{}: the token is remembered",
        case.name
    );

    // The token and request head `verify` gets, as the layer extracts them.
    let (head, ()) = authorized(&authorization).into_parts();
    let bearer = TokenExtractor::new()
        .extract(&head.headers, &head.uri)
        .expect("well-formed")
        .expect("a token");
    let mut cx = Context::from_waker(Waker::noop());
    let mut hit = |token: BearerToken| match pin!(cached.verify(token, &head)).poll(&mut cx) {
        Poll::Ready(verdict) => verdict.expect("accepted"),
        Poll::Pending => panic!("a hit is answered at once"),
    };
    hit(bearer.clone());

    let mut group = c.benchmark_group(format!("cache/{}", case.name));
    group.bench_function("jwt", |b| {
        b.iter(|| {
            let response = once(&mut plain, authorized(&authorization));
            assert_eq!(response.status(), StatusCode::OK);
            response
        });
    });
    group.bench_function("cached_hit", |b| {
        b.iter(|| {
            let response = once(&mut cached_service, authorized(&authorization));
            assert_eq!(response.status(), StatusCode::OK);
            response
        });
    });
    group.bench_function("cached_verify", |b| {
        b.iter(|| hit(black_box(bearer.clone())));
    });
    group.finish();
}

fn cache(c: &mut Criterion) {
    baseline(c);
    for case in &CASES {
        algorithm(c, case);
    }
}

criterion_group!(benches, cache);
criterion_main!(benches);
