//! What the benches share: one request through a service, driven without a
//! runtime, so that only the service is measured.

#[cfg(feature = "dpop")]
pub(crate) mod dpop;

use std::convert::Infallible;
use std::fmt::Debug;
use std::future::{Future, Ready, ready};
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use http::header::AUTHORIZATION;
use http::{HeaderValue, Request, Response, StatusCode};
use tower::Service;

/// One request through `service`: `poll_ready`, `call`, and one poll of the
/// response future with a no-op waker. Every service benched here answers
/// at once; one that does not is a bug in the bench, and panics.
pub(crate) fn once<S, B>(service: &mut S, request: Request<()>) -> Response<B>
where
    S: Service<Request<()>, Response = Response<B>>,
    S::Error: Debug,
{
    let mut cx = Context::from_waker(Waker::noop());
    let Poll::Ready(ready) = service.poll_ready(&mut cx) else {
        panic!("service not ready");
    };
    ready.expect("poll_ready failed");
    let future = pin!(service.call(request));
    let Poll::Ready(response) = future.poll(&mut cx) else {
        panic!("response future pending");
    };
    response.expect("call failed")
}

/// The inner service of the JWT benches: answers at once, 200 when the
/// layer attached claims of type `C`, 500 otherwise (so a layer that forgot
/// them fails the assert).
#[allow(dead_code)] // not every bench verifies JWTs
pub(crate) fn claims_handler<C: Send + Sync + 'static>(
    request: Request<()>,
) -> Ready<Result<Response<String>, Infallible>> {
    let mut response = Response::new(String::new());
    if request.extensions().get::<C>().is_none() {
        *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    }
    ready(Ok(response))
}

/// A request with this `Authorization` header. The value is built once
/// outside the loop; cloning it is a refcount bump, not a copy of the token.
#[allow(dead_code)] // not every bench sends a bearer token
pub(crate) fn authorized(authorization: &HeaderValue) -> Request<()> {
    Request::builder()
        .header(AUTHORIZATION, authorization.clone())
        .body(())
        .expect("valid request")
}
