//! Per-request cost of `BearerAuthLayer` against a bare service and against
//! tower-http's `ValidateRequestHeaderLayer::bearer`.
//!
//! Every case builds its request with `Request::builder()` and one header,
//! calls `poll_ready` + `call`, and polls the response future once with a
//! no-op waker (every future here is ready at once: no runtime is measured),
//! then drops the response. `case - bare` is the cost of the layer. The
//! `missing` requests carry an `Accept` header instead of `Authorization`, so
//! building them costs the same as building the others.

mod support;

use std::convert::Infallible;
use std::fmt::Debug;
use std::future::{Ready, ready};
use std::hint::black_box;

use criterion::{
    BenchmarkGroup, Criterion, criterion_group, criterion_main, measurement::WallTime,
};
use http::header::{ACCEPT, AUTHORIZATION, HeaderName};
use http::{Request, Response, StatusCode};
use tower::{Layer, Service, service_fn};

use support::once;
use tower_bearer_auth::{BearerAuthLayer, StaticTokens};
use tower_http::validate_request::ValidateRequestHeaderLayer;

const TOKEN: &str = "3Yp9-kq2HcW8xTzL4mNvB1rQ";
const ACCEPTED: &str = "Bearer 3Yp9-kq2HcW8xTzL4mNvB1rQ";
const MALFORMED: &str = "Bearer a b";
const OTHER: &str = "application/json";

/// The claims attached by the layer.
#[derive(Clone, Debug)]
struct User {
    _id: u64,
}

/// The request of every case: one header, an empty body.
fn request(name: HeaderName, value: &'static str) -> Request<()> {
    Request::builder()
        .header(name, value)
        .body(())
        .expect("valid request")
}

/// The inner service: answers at once, 200 when the layer attached claims,
/// 204 otherwise.
fn handler(request: Request<()>) -> Ready<Result<Response<String>, Infallible>> {
    let mut response = Response::new(String::new());
    if request.extensions().get::<User>().is_none() {
        *response.status_mut() = StatusCode::NO_CONTENT;
    }
    ready(Ok(response))
}

fn case<S>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    id: &str,
    service: &S,
    header: (HeaderName, &'static str),
    status: StatusCode,
) where
    S: Service<Request<()>, Response = Response<String>> + Clone,
    S::Error: Debug,
{
    let mut service = service.clone();
    let (name, value) = header;
    assert_eq!(
        once(&mut service, request(name.clone(), value)).status(),
        status,
        "case {id}"
    );
    group.bench_function(id, |b| {
        b.iter(|| {
            let request = request(black_box(name.clone()), black_box(value));
            let response = once(&mut service, request);
            assert_eq!(response.status(), status);
            response
        });
    });
}

fn layer(c: &mut Criterion) {
    let bare = service_fn(handler);
    let tokens = StaticTokens::new()
        .with_token(TOKEN, User { _id: 7 })
        .expect("valid token");
    let ours = BearerAuthLayer::new(tokens).layer(bare);
    // Deprecated since tower-http 0.6.7, still the closest equivalent.
    #[allow(deprecated)]
    let theirs = ValidateRequestHeaderLayer::bearer(TOKEN).layer(bare);

    let mut group = c.benchmark_group("layer");
    case(
        &mut group,
        "bare",
        &bare,
        (AUTHORIZATION, ACCEPTED),
        StatusCode::NO_CONTENT,
    );
    case(
        &mut group,
        "bearer_auth/accepted",
        &ours,
        (AUTHORIZATION, ACCEPTED),
        StatusCode::OK,
    );
    case(
        &mut group,
        "bearer_auth/missing",
        &ours,
        (ACCEPT, OTHER),
        StatusCode::UNAUTHORIZED,
    );
    case(
        &mut group,
        "bearer_auth/malformed",
        &ours,
        (AUTHORIZATION, MALFORMED),
        StatusCode::BAD_REQUEST,
    );
    case(
        &mut group,
        "tower_http/accepted",
        &theirs,
        (AUTHORIZATION, ACCEPTED),
        StatusCode::NO_CONTENT,
    );
    case(
        &mut group,
        "tower_http/missing",
        &theirs,
        (ACCEPT, OTHER),
        StatusCode::UNAUTHORIZED,
    );
    group.finish();
}

criterion_group!(benches, layer);
criterion_main!(benches);
