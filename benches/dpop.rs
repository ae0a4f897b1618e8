//! The cost of DPoP: one request through `BearerAuthLayer` with an ES256
//! token as plain `Bearer`, against the same request with an ES256-bound
//! token and its ES256 proof (RFC 9449), in one run. Tokens and proofs are
//! PyJWT's (`tests/fixtures/dpop/`); the issuer's key and the proof key are
//! both P-256, so the DPoP request pays a second ES256 verification plus
//! the proof's checks, the binding and the replay record.
//!
//! - `bearer`: `BearerAuthLayer::new(verifier)`, no DPoP.
//! - `bearer_with_dpop_on`: the same request through a layer with
//!   `with_dpop` (both schemes): the binding check on a Bearer token.
//! - `dpop`: `Authorization: DPoP` and the `DPoP` proof. The proof is the
//!   same on every iteration, so the replay cache is `FreshIds`: it records
//!   a new identifier each time in a `MemoryReplayCache`, the work of a
//!   first use, where the real cache would refuse the second.
//!
//! `cargo bench --bench dpop --features jwt,dpop`

mod support;

use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use criterion::{Criterion, criterion_group, criterion_main};
use http::header::AUTHORIZATION;
use http::{HeaderValue, Request, StatusCode};
use serde_json::Value;
use tower::{Layer, service_fn};
use tower_bearer_auth::dpop::{Dpop, DpopPolicy, MemoryReplayCache, ProofId, ReplayCache};
use tower_bearer_auth::jwt::{AccessClaims, JwtKey, JwtVerifier};
use tower_bearer_auth::{BearerAuthLayer, Verdict};

use support::{claims_handler, once};

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/dpop/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(path).expect("fixture")
}

fn fixture_clock() -> u64 {
    1_800_000_000
}

/// Records a fresh identifier for every proof: a first use each time.
#[derive(Clone, Debug, Default)]
struct FreshIds {
    cache: MemoryReplayCache,
    next: Arc<AtomicU64>,
}

impl ReplayCache for FreshIds {
    type Future = <MemoryReplayCache as ReplayCache>::Future;

    fn first_use(&self, id: ProofId, _now: u64, _expires_at: u64) -> Verdict<(), Self::Future> {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let fresh = ProofId::new(id.as_bytes(), &n.to_string());
        // Entries live one step of a clock that advances every 1,000
        // proofs, so a full shard drops the old ones, as it would.
        self.cache.first_use(fresh, n / 1000, n / 1000 + 1)
    }
}

fn request(authorization: &HeaderValue, proof: Option<&HeaderValue>) -> Request<()> {
    let mut request = Request::get("/me").header(AUTHORIZATION, authorization.clone());
    if let Some(proof) = proof {
        request = request.header("dpop", proof.clone());
    }
    request.body(()).expect("a request")
}

fn dpop_against_bearer(c: &mut Criterion) {
    let fixtures: Value = serde_json::from_str(&fixture("fixtures.json")).expect("JSON");
    let verifier: JwtVerifier = JwtVerifier::builder()
        .with_key(JwtKey::from_jwk_json(&fixture("issuer.jwk.json")).expect("a key"))
        .with_issuer(fixtures["issuer"].as_str().expect("issuer"))
        .with_audience(fixtures["audience"].as_str().expect("audience"))
        .build()
        .expect("a verifier");
    let dpop = Dpop::builder(DpopPolicy::BearerOrDpop)
        .with_origin(fixtures["origin"].as_str().expect("origin"))
        .expect("an origin")
        .with_clock(fixture_clock)
        .with_replay_cache(FreshIds::default())
        .build()
        .expect("DPoP rules");
    let handler = service_fn(claims_handler::<AccessClaims>);
    let mut bearer_only = BearerAuthLayer::new(verifier.clone()).layer(handler);
    let mut with_dpop = BearerAuthLayer::new(verifier)
        .with_dpop(dpop)
        .layer(handler);

    let header = |value: String| HeaderValue::try_from(value).expect("a header value");
    let unbound = header(format!(
        "Bearer {}",
        fixtures["tokens"]["unbound"].as_str().expect("token")
    ));
    let bound = header(format!(
        "DPoP {}",
        fixtures["tokens"]["es256"].as_str().expect("token")
    ));
    let case = fixtures["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .find(|case| case["name"] == "valid ES256")
        .expect("the valid ES256 case");
    let proof = header(case["proofs"][0].as_str().expect("a proof").to_owned());

    // Each path accepted once before it is measured.
    assert_eq!(
        once(&mut bearer_only, request(&unbound, None)).status(),
        StatusCode::OK
    );
    assert_eq!(
        once(&mut with_dpop, request(&unbound, None)).status(),
        StatusCode::OK
    );
    assert_eq!(
        once(&mut with_dpop, request(&bound, Some(&proof))).status(),
        StatusCode::OK
    );

    let mut group = c.benchmark_group("dpop/es256");
    group.bench_function("bearer", |b| {
        b.iter(|| once(&mut bearer_only, request(black_box(&unbound), None)));
    });
    group.bench_function("bearer_with_dpop_on", |b| {
        b.iter(|| once(&mut with_dpop, request(black_box(&unbound), None)));
    });
    group.bench_function("dpop", |b| {
        b.iter(|| {
            let response = once(&mut with_dpop, request(black_box(&bound), Some(&proof)));
            assert_eq!(response.status(), StatusCode::OK);
            response
        });
    });
    group.finish();
}

criterion_group!(benches, dpop_against_bearer);
criterion_main!(benches);
