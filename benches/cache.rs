//! A repeated token through `BearerAuthLayer`, with the JWT verifier alone
//! and wrapped in a `CachedVerifier`, for RS256 and ES256.
//!
//! Each algorithm is one group (`cache/rs256`, `cache/es256`) verifying the
//! same PyJWT token (`tests/fixtures/jwt/`) through the whole layer, driven
//! without a runtime (`support::once`):
//!
//! - `jwt`: every request checks the signature and the claims;
//! - `cached_hit`: the token was verified once before the measurement, so
//!   every request is a hit: a SHA-256 digest of the token, a lookup, the
//!   freshness and key checks, a clone of the claims.
//!
//! Target: `cached_hit` at least 10 times faster than `jwt`.

#[path = "support/jwt_fixtures.rs"]
mod jwt_fixtures;
mod support;

use criterion::{Criterion, criterion_group, criterion_main};
use http::{HeaderValue, StatusCode};
use tower::{Layer, service_fn};

use jwt_fixtures::{fixture, token, verifier};
use support::{authorized, claims_handler, once};
use tower_bearer_auth::BearerAuthLayer;
use tower_bearer_auth::cache::CachedVerifier;
use tower_bearer_auth::jwt::AccessClaims;
use tower_bearer_auth::jwt::jsonwebtoken::Algorithm;

fn algorithm(c: &mut Criterion, name: &str, alg: Algorithm, token_name: &str, key: &str) {
    let token = token(token_name);
    let verifier = verifier(alg, &fixture(key));
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
    assert_eq!(
        once(&mut cached_service, authorized(&authorization)).status(),
        StatusCode::OK
    );
    assert_eq!(cached.entries(), 1, "{name}: the token is remembered");

    let mut group = c.benchmark_group(format!("cache/{name}"));
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
    group.finish();
}

fn cache(c: &mut Criterion) {
    algorithm(c, "rs256", Algorithm::RS256, "rs256-valid", "rsa.pem");
    algorithm(c, "es256", Algorithm::ES256, "es256-valid", "ec256.pem");
}

criterion_group!(benches, cache);
criterion_main!(benches);
