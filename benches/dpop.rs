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
//! `cargo bench --bench dpop --features jwt,dpop`; the same as instruction
//! counts: `benches/dpop_instructions.sh`.

mod support;

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use http::StatusCode;

use support::dpop::{Paths, request};
use support::once;

fn dpop_against_bearer(c: &mut Criterion) {
    let Paths {
        mut bearer_only,
        mut with_dpop,
        unbound,
        bound,
        proof,
    } = Paths::new();
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
