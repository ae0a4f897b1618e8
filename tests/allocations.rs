//! Heap allocations per request, counted by dhat's allocator: the layer
//! allocates nothing on a refusal beyond the response, and nothing on an
//! acceptance beyond putting the claims into the request's extensions.
//!
//! One test function: dhat counts the whole process, so nothing may run
//! beside it.

use std::convert::Infallible;
use std::future::{Future, Ready, ready};
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use http::request::Parts;
use http::{HeaderValue, Request, Response, StatusCode};
use tower::{Layer, Service, service_fn};
use tower_bearer_auth::{AuthError, BearerAuthLayer, BearerToken, StaticTokens};

#[global_allocator]
static ALLOCATOR: dhat::Alloc = dhat::Alloc;

#[derive(Clone, Debug, PartialEq)]
struct User {
    id: u64,
}

/// Something already in the request's extensions, as another layer or the
/// server may have put there.
#[derive(Clone, Debug)]
struct Earlier;

fn accept(token: BearerToken, _head: &Parts) -> Ready<Result<User, AuthError>> {
    ready(match token.as_str() {
        "valid-token-0123456789" => Ok(User { id: 7 }),
        _ => Err(AuthError::invalid_token()),
    })
}

/// 200 with the claims the layer attached, 204 without.
fn handler(request: Request<()>) -> Ready<Result<Response<()>, Infallible>> {
    let status = match request.extensions().get::<User>() {
        Some(User { id: 7 }) => StatusCode::OK,
        Some(_) => StatusCode::INTERNAL_SERVER_ERROR,
        None => StatusCode::NO_CONTENT,
    };
    let mut response = Response::new(());
    *response.status_mut() = status;
    ready(Ok(response))
}

fn request(authorization: Option<&'static str>, earlier: bool) -> Request<()> {
    let mut request = Request::new(());
    if let Some(value) = authorization {
        let value = HeaderValue::from_static(value);
        request.headers_mut().insert(AUTHORIZATION, value);
    }
    if earlier {
        request.extensions_mut().insert(Earlier);
    }
    request
}

/// Heap blocks allocated while `f` runs, and what it returned.
fn allocations<T>(f: impl FnOnce() -> T) -> (u64, T) {
    let before = dhat::HeapStats::get().total_blocks;
    let value = f();
    (dhat::HeapStats::get().total_blocks - before, value)
}

/// One request through `service`, driven to its response without a runtime.
fn once<S>(service: &mut S, request: Request<()>) -> Response<()>
where
    S: Service<Request<()>, Response = Response<()>, Error = Infallible>,
{
    let mut cx = Context::from_waker(Waker::noop());
    assert!(service.poll_ready(&mut cx).is_ready());
    let future = pin!(service.call(request));
    match future.poll(&mut cx) {
        Poll::Ready(Ok(response)) => response,
        Poll::Ready(Err(infallible)) => match infallible {},
        Poll::Pending => panic!("every future here is ready at once"),
    }
}

#[test]
fn allocations_per_request() {
    let _profiler = dhat::Profiler::builder().testing().build();
    // A closure's verdict waits in the response future; `StaticTokens`
    // answers at once (`verify_now`) and the inner service is called
    // straight away. Both paths are counted.
    let tokens = StaticTokens::new()
        .with_token("valid-token-0123456789", User { id: 7 })
        .expect("a valid token");
    check(BearerAuthLayer::new(accept).layer(service_fn(handler)));
    check(BearerAuthLayer::new(tokens).layer(service_fn(handler)));
}

fn check<S>(mut layered: S)
where
    S: Service<Request<()>, Response = Response<()>, Error = Infallible>,
{
    let mut bare = service_fn(handler);
    // Whatever is set up lazily on a first request is out of the way.
    once(
        &mut layered,
        request(Some("Bearer valid-token-0123456789"), false),
    );
    once(
        &mut layered,
        request(Some("Bearer other-token-0123456789"), false),
    );
    once(&mut layered, request(None, false));

    // Accepted: what the layer adds to the bare service is the insertion of
    // the claims into the extensions, counted here on its own.
    for earlier in [false, true] {
        let authorization = Some("Bearer valid-token-0123456789");
        let (base, response) = allocations(|| once(&mut bare, request(authorization, earlier)));
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        let (with_layer, response) =
            allocations(|| once(&mut layered, request(authorization, earlier)));
        assert_eq!(response.status(), StatusCode::OK);
        let (insertion, _) = allocations(|| {
            let mut request = request(authorization, earlier);
            request.extensions_mut().insert(User { id: 7 });
            request
        });
        let (plain, _) = allocations(|| request(authorization, earlier));
        let insertion = insertion - plain;
        assert_eq!(
            with_layer - base,
            insertion,
            "accepted, extensions {}: the layer allocates nothing beyond the claims' insertion",
            if earlier { "in use" } else { "empty" }
        );
        // http's `Extensions` allocates its map at the first insertion: the
        // claims cost one allocation where the map exists, three where not.
        assert_eq!(insertion, if earlier { 1 } else { 3 });
    }

    // Refused: nothing beyond the response, which is counted by building
    // the same response by hand: status, challenge, the error in its
    // extensions.
    let cases = [
        (None, StatusCode::UNAUTHORIZED),
        (Some("Bearer a b"), StatusCode::BAD_REQUEST),
        (
            Some("Bearer other-token-0123456789"),
            StatusCode::UNAUTHORIZED,
        ),
    ];
    for (authorization, status) in cases {
        let (refusal, response) = allocations(|| once(&mut layered, request(authorization, false)));
        assert_eq!(response.status(), status, "{authorization:?}");
        let challenge = response.headers()[WWW_AUTHENTICATE].as_bytes().to_vec();
        let error = response
            .extensions()
            .get::<AuthError>()
            .expect("the error")
            .clone();
        let (by_hand, _) = allocations(|| {
            let mut response = Response::new(());
            *response.status_mut() = status;
            let value = if authorization.is_none() {
                HeaderValue::from_static("Bearer realm=\"api\"")
            } else {
                HeaderValue::from_bytes(&challenge).expect("a header value")
            };
            response.headers_mut().insert(WWW_AUTHENTICATE, value);
            response.extensions_mut().insert(error);
            response
        });
        let (unsent, _) = allocations(|| request(authorization, false));
        assert!(
            refusal <= by_hand + unsent,
            "{authorization:?}: {refusal} allocations, the response by hand {by_hand}"
        );
        eprintln!(
            "{authorization:?}: {refusal} allocations (request {unsent}, response {by_hand})"
        );
    }
}
