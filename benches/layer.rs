//! Per-request cost of `BearerAuthLayer` against a bare service and against
//! tower-http's `ValidateRequestHeaderLayer::bearer`, on the wall clock.
//! `benches/layer_instructions.sh` counts the instructions of the same
//! cases under callgrind.
//!
//! Every case builds its request with `Request::builder()` and one header,
//! calls `poll_ready` + `call`, and polls the response future once with a
//! no-op waker (every future here is ready at once: no runtime is measured),
//! then drops the response. `case - bare` is the cost of the layer:
//!
//! - `bearer_auth/accepting`: a verifier that accepts at once, claims
//!   attached: the layer's own cost. Target: at most twice
//!   `tower_http/accepted - bare`.
//! - `bearer_auth/static_tokens`: `StaticTokens`, which hashes the token.
//! - `bearer_auth/missing`: no credentials, a 401 with its challenge.
//!   Target: no more than `tower_http/missing - bare`.
//! - `bearer_auth/malformed`: a 400.
//! - `tower_http/with_claims`: tower-http's check followed by its
//!   `AddExtension` layer, so that it attaches claims as ours does.
//!
//! The `missing` requests carry an `Accept` header instead of
//! `Authorization`, so building them costs the same as building the others.

#[path = "support/layer_cases.rs"]
mod layer_cases;
mod support;

use std::fmt::Debug;
use std::hint::black_box;

use criterion::{
    BenchmarkGroup, Criterion, criterion_group, criterion_main, measurement::WallTime,
};
use http::header::HeaderName;
use http::{Request, Response, StatusCode};
use tower::Service;

use layer_cases::{ACCEPTED, MALFORMED, MISSING, request};
use support::once;

fn case<S>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    id: &str,
    mut service: S,
    header: (HeaderName, &'static str),
    status: StatusCode,
) where
    S: Service<Request<()>, Response = Response<String>>,
    S::Error: Debug,
{
    assert_eq!(
        once(&mut service, request(&header)).status(),
        status,
        "case {id}"
    );
    group.bench_function(id, |b| {
        b.iter(|| {
            let response = once(&mut service, request(black_box(&header)));
            assert_eq!(response.status(), status);
            response
        });
    });
}

fn layer(c: &mut Criterion) {
    use StatusCode as S;
    let mut group = c.benchmark_group("layer");
    case(
        &mut group,
        "bare",
        layer_cases::bare(),
        ACCEPTED,
        S::NO_CONTENT,
    );
    let ours = layer_cases::accepting;
    case(&mut group, "bearer_auth/accepting", ours(), ACCEPTED, S::OK);
    let tokens = layer_cases::static_tokens;
    case(
        &mut group,
        "bearer_auth/static_tokens",
        tokens(),
        ACCEPTED,
        S::OK,
    );
    case(
        &mut group,
        "bearer_auth/missing",
        ours(),
        MISSING,
        S::UNAUTHORIZED,
    );
    case(
        &mut group,
        "bearer_auth/malformed",
        ours(),
        MALFORMED,
        S::BAD_REQUEST,
    );
    let theirs = layer_cases::tower_http;
    case(
        &mut group,
        "tower_http/accepted",
        theirs(),
        ACCEPTED,
        S::NO_CONTENT,
    );
    case(
        &mut group,
        "tower_http/missing",
        theirs(),
        MISSING,
        S::UNAUTHORIZED,
    );
    let theirs_with_claims = layer_cases::tower_http_with_claims;
    let id = "tower_http/with_claims";
    case(&mut group, id, theirs_with_claims(), ACCEPTED, S::OK);
    group.finish();
}

criterion_group!(benches, layer);
criterion_main!(benches);
