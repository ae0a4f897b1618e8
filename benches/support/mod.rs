//! What the benches share: one request through a service, driven without a
//! runtime, so that only the service is measured.

use std::fmt::Debug;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use http::{Request, Response};
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
