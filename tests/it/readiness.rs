//! The tower contract: `poll_ready` is forwarded, the service that was
//! polled ready is the one called, and a refused request never reaches it.

use crate::support;

use std::task::Poll;

use http::request::Parts;
use http::{Request, Response, StatusCode};
use support::{ApiClaims, READ_TOKEN, UNKNOWN_TOKEN};
use tower_bearer_auth::{BearerAuthLayer, BearerToken, VerifyToken};
use tower_test::mock;

type Req = Request<&'static str>;
type Res = Response<String>;

fn request(authorization: Option<&str>) -> Req {
    let mut builder = Request::get("/me");
    if let Some(value) = authorization {
        builder = builder.header("authorization", value);
    }
    builder.body("body").expect("valid request")
}

#[tokio::test]
async fn poll_ready_is_forwarded() {
    let (mut service, mut handle) =
        mock::spawn_layer::<Req, Res, _>(BearerAuthLayer::new(support::tokens()));

    handle.allow(0);
    assert!(
        service.poll_ready().is_pending(),
        "not ready while the inner service is not"
    );

    handle.allow(1);
    assert!(matches!(service.poll_ready(), Poll::Ready(Ok(()))));

    handle.send_error("inner service failed");
    match service.poll_ready() {
        Poll::Ready(Err(error)) => assert_eq!(error.to_string(), "inner service failed"),
        other => panic!(
            "the inner error is passed through, got {:?}",
            other.map_err(|e| e.to_string())
        ),
    }
}

#[tokio::test]
async fn refused_requests_never_reach_the_inner_service() {
    let (mut service, mut handle) =
        mock::spawn_layer::<Req, Res, _>(BearerAuthLayer::new(support::tokens()));
    handle.allow(1);

    let cases = [
        ("missing", None, StatusCode::UNAUTHORIZED),
        ("malformed", Some("Bearer a b"), StatusCode::BAD_REQUEST),
        (
            "unknown",
            Some(&*format!("Bearer {UNKNOWN_TOKEN}")),
            StatusCode::UNAUTHORIZED,
        ),
    ];
    for (name, authorization, status) in cases {
        assert!(
            matches!(service.poll_ready(), Poll::Ready(Ok(()))),
            "case {name}"
        );
        let response = service
            .call(request(authorization))
            .await
            .expect("a response, not an error");
        assert_eq!(response.status(), status, "case {name}");
        assert!(
            handle.poll_request().is_pending(),
            "case {name}: the inner service got the request"
        );
    }
}

#[tokio::test]
async fn the_service_polled_ready_is_the_one_called() {
    // The mock panics when a clone that was not polled ready is called.
    let (mut service, mut handle) =
        mock::spawn_layer::<Req, Res, _>(BearerAuthLayer::new(support::tokens()));
    handle.allow(1);
    assert!(matches!(service.poll_ready(), Poll::Ready(Ok(()))));

    let call = service.call(request(Some(&format!("Bearer {READ_TOKEN}"))));
    let serve = async {
        let (request, send) = handle.next_request().await.expect("the request arrives");
        let claims = request
            .extensions()
            .get::<ApiClaims>()
            .expect("claims attached");
        assert_eq!(claims.sub, "demo");
        assert_eq!(*request.body(), "body");
        send.send_response(Response::new("hello".to_owned()));
    };
    let (response, ()) = tokio::join!(call, serve);
    let response = response.expect("the inner response");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.body(), "hello");
}

/// Answers after yielding once, so verdicts arrive after later requests
/// were already taken.
#[derive(Clone)]
struct Slow;

impl VerifyToken for Slow {
    type Claims = String;
    type Future = std::pin::Pin<
        Box<dyn Future<Output = Result<String, tower_bearer_auth::AuthError>> + Send>,
    >;

    fn verify(&self, token: BearerToken, _head: &Parts) -> Self::Future {
        Box::pin(async move {
            tokio::task::yield_now().await;
            Ok(token.as_str().to_owned())
        })
    }
}

#[tokio::test]
async fn requests_waiting_for_a_verdict_each_hold_their_own_ready_service() {
    let (mut service, mut handle) = mock::spawn_layer::<Req, Res, _>(BearerAuthLayer::new(Slow));
    handle.allow(2);

    assert!(matches!(service.poll_ready(), Poll::Ready(Ok(()))));
    let first = service.call(request(Some("Bearer first-token")));
    assert!(matches!(service.poll_ready(), Poll::Ready(Ok(()))));
    let second = service.call(request(Some("Bearer second-token")));

    let serve = async {
        let mut seen = Vec::new();
        for _ in 0..2 {
            let (request, send) = handle.next_request().await.expect("a request arrives");
            let token = request
                .extensions()
                .get::<String>()
                .expect("claims attached")
                .clone();
            send.send_response(Response::new(token.clone()));
            seen.push(token);
        }
        seen.sort();
        seen
    };
    let (first, second, seen) = tokio::join!(first, second, serve);
    assert_eq!(first.expect("response").body(), "first-token");
    assert_eq!(second.expect("response").body(), "second-token");
    assert_eq!(seen, ["first-token", "second-token"]);
}
