//! The layer in front of a real tonic server on 127.0.0.1, called by a real
//! tonic client (and by a raw HTTP/2 client to see the wire): accepted calls
//! reach the handler with their claims, refused ones are gRPC statuses
//! carrying the `WWW-Authenticate` challenge in their metadata.

use crate::support::helloworld;

use std::convert::Infallible;
use std::future::{Ready, ready};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http::request::Parts;
use http_body_util::{BodyExt, Full};
use hyper::body::Body as _;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::{TcpListener, TcpStream};
use tokio_stream::wrappers::TcpListenerStream;
use tonic::body::Body;
use tonic::service::Routes;
use tonic::{Code, Status};
use tower::{Layer, Service, ServiceBuilder};
use tower_bearer_auth::scope::{HasScopes, RequireScopeLayer, Scopes};
use tower_bearer_auth::{AuthError, BearerAuthLayer, BearerToken, StaticTokens};

use helloworld::greeter_client::GreeterClient;
use helloworld::greeter_server::{Greeter, GreeterServer};
use helloworld::{HelloReply, HelloRequest};

/// Subject `reader`, scope `read`.
const READ_TOKEN: &str = "read-token-0123456789abcdef";
/// Subject `admin`, scopes `read admin`.
const ADMIN_TOKEN: &str = "admin-token-0123456789abcdef";
/// Well-formed, but not one of the static tokens.
const UNKNOWN_TOKEN: &str = "unknown-token-0123456789abcdef";

/// Bound on every wait: connecting, and each call.
const TIMEOUT: Duration = Duration::from_secs(5);

/// The claims the static tokens map to.
#[derive(Clone, Debug)]
struct User {
    sub: &'static str,
    scopes: Scopes,
}

impl HasScopes for User {
    fn has_scope(&self, scope: &str) -> bool {
        self.scopes.contains(scope)
    }
}

fn tokens() -> StaticTokens<User> {
    let user = |sub, scopes| User {
        sub,
        scopes: Scopes::from_space_delimited(scopes),
    };
    StaticTokens::new()
        .with_token(READ_TOKEN, user("reader", "read"))
        .and_then(|tokens| tokens.with_token(ADMIN_TOKEN, user("admin", "read admin")))
        .expect("valid static tokens")
}

/// Greets with the subject of the claims the layer attached, and counts the
/// calls that reached it.
#[derive(Debug, Default)]
struct TestGreeter {
    calls: Arc<AtomicUsize>,
}

#[tonic::async_trait]
impl Greeter for TestGreeter {
    async fn say_hello(
        &self,
        request: tonic::Request<HelloRequest>,
    ) -> Result<tonic::Response<HelloReply>, Status> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let user = request
            .extensions()
            .get::<User>()
            .ok_or_else(|| Status::internal("handler saw no claims"))?;
        let message = format!("Hello {}, you are {}", request.get_ref().name, user.sub);
        Ok(tonic::Response::new(HelloReply { message }))
    }
}

/// A running server: its address and how many calls reached the handler.
struct TestServer {
    addr: SocketAddr,
    calls: Arc<AtomicUsize>,
}

impl TestServer {
    fn handler_calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

/// Serves the greeter behind `layer` on a free port of 127.0.0.1, until the
/// test's runtime shuts down.
async fn serve<L>(layer: L) -> TestServer
where
    L: Layer<Routes> + Clone + Send + 'static,
    L::Service: Service<http::Request<Body>, Response = http::Response<Body>, Error = Infallible>
        + Clone
        + Send
        + 'static,
    <L::Service as Service<http::Request<Body>>>::Future: Send,
{
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0");
    let addr = listener.local_addr().expect("local address");
    let calls = Arc::new(AtomicUsize::new(0));
    let greeter = TestGreeter {
        calls: Arc::clone(&calls),
    };
    let router = tonic::transport::Server::builder()
        .layer(layer)
        .add_service(GreeterServer::new(greeter));
    tokio::spawn(router.serve_with_incoming(TcpListenerStream::new(listener)));
    TestServer { addr, calls }
}

/// Calls `SayHello` with name `x`, sending `authorization` as metadata when
/// given: the message of the reply, or the status.
async fn say_hello(addr: SocketAddr, authorization: Option<&str>) -> Result<String, Status> {
    let mut client =
        tokio::time::timeout(TIMEOUT, GreeterClient::connect(format!("http://{addr}")))
            .await
            .expect("connect timed out")
            .expect("connect");
    let mut request = tonic::Request::new(HelloRequest {
        name: "x".to_owned(),
    });
    if let Some(value) = authorization {
        let value = value.parse().expect("authorization is valid metadata");
        request.metadata_mut().insert("authorization", value);
    }
    let response = tokio::time::timeout(TIMEOUT, client.say_hello(request))
        .await
        .expect("call timed out")?;
    Ok(response.into_inner().message)
}

/// The `www-authenticate` metadata of a refusal.
fn challenge(status: &Status) -> &str {
    status
        .metadata()
        .get("www-authenticate")
        .unwrap_or_else(|| panic!("no www-authenticate metadata in {status:?}"))
        .to_str()
        .expect("ASCII challenge")
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

#[tokio::test]
async fn valid_token_reaches_the_handler_with_its_claims() {
    let server = serve(BearerAuthLayer::new(tokens())).await;

    let message = say_hello(server.addr, Some(&bearer(READ_TOKEN)))
        .await
        .expect("call with a valid token succeeds");
    assert_eq!(message, "Hello x, you are reader");

    // The scheme is case-insensitive (RFC 9110 §11.1).
    let message = say_hello(server.addr, Some(&format!("bearer {ADMIN_TOKEN}")))
        .await
        .expect("call with a lowercase scheme succeeds");
    assert_eq!(message, "Hello x, you are admin");
    assert_eq!(server.handler_calls(), 2);
}

#[tokio::test]
async fn no_token_is_unauthenticated_with_the_bare_challenge() {
    let server = serve(BearerAuthLayer::new(tokens())).await;

    // No metadata at all, and another scheme: both are "no bearer token".
    let basic = "Basic dXNlcjpwYXNzd29yZA==";
    for (name, authorization) in [("absent", None), ("basic", Some(basic))] {
        let status = say_hello(server.addr, authorization)
            .await
            .expect_err("call without a bearer token is refused");
        assert_eq!(status.code(), Code::Unauthenticated, "case {name}");
        assert_eq!(challenge(&status), r#"Bearer realm="api""#, "case {name}");
        assert_eq!(
            status.message(),
            "unauthenticated: no bearer token in the request",
            "case {name}"
        );
        assert!(
            !status.message().contains("dXNlcjpwYXNzd29yZA"),
            "case {name}"
        );
    }
    assert_eq!(server.handler_calls(), 0);
}

#[tokio::test]
async fn unknown_token_is_unauthenticated_invalid_token() {
    let server = serve(BearerAuthLayer::new(tokens())).await;

    let status = say_hello(server.addr, Some(&bearer(UNKNOWN_TOKEN)))
        .await
        .expect_err("call with an unknown token is refused");
    assert_eq!(status.code(), Code::Unauthenticated);
    assert_eq!(
        challenge(&status),
        r#"Bearer realm="api", error="invalid_token", error_description="the access token is invalid""#
    );
    assert_eq!(
        status.message(),
        "invalid_token: the access token is invalid"
    );
    // Neither the message nor the metadata echo the token.
    assert!(!format!("{status:?}").contains(UNKNOWN_TOKEN));
    assert_eq!(server.handler_calls(), 0);
}

#[tokio::test]
async fn malformed_credentials_are_unauthenticated_invalid_request() {
    let server = serve(BearerAuthLayer::new(tokens())).await;

    let cases = [
        ("two tokens", format!("Bearer {READ_TOKEN} {ADMIN_TOKEN}")),
        ("space inside", "Bearer a b".to_owned()),
        ("tab", format!("Bearer\t{READ_TOKEN}")),
        ("scheme alone", "Bearer".to_owned()),
        (
            "bad character",
            "Bearer read-token-0123456789ab,def".to_owned(),
        ),
    ];
    for (name, authorization) in cases {
        let status = say_hello(server.addr, Some(&authorization))
            .await
            .expect_err("call with malformed credentials is refused");
        assert_eq!(status.code(), Code::Unauthenticated, "case {name}");
        assert!(
            challenge(&status).contains(r#"error="invalid_request""#),
            "case {name}: {}",
            challenge(&status)
        );
        assert!(
            status.message().starts_with("invalid_request: "),
            "case {name}: {}",
            status.message()
        );
    }
    assert_eq!(server.handler_calls(), 0);
}

#[tokio::test]
async fn missing_scope_is_permission_denied_naming_the_scope() {
    // Authentication outside, the scope check inside it.
    let layers = ServiceBuilder::new()
        .layer(BearerAuthLayer::new(tokens()))
        .layer(RequireScopeLayer::<User>::new(["admin"]).expect("valid scope"))
        .into_inner();
    let server = serve(layers).await;

    let status = say_hello(server.addr, Some(&bearer(READ_TOKEN)))
        .await
        .expect_err("call with a read-only token is refused");
    assert_eq!(status.code(), Code::PermissionDenied);
    let www_authenticate = challenge(&status);
    assert!(
        www_authenticate.contains(r#"error="insufficient_scope""#),
        "{www_authenticate}"
    );
    assert!(
        www_authenticate.contains(r#"scope="admin""#),
        "{www_authenticate}"
    );
    assert_eq!(
        status.message(),
        "insufficient_scope: the access token lacks a required scope"
    );
    assert_eq!(server.handler_calls(), 0);

    let message = say_hello(server.addr, Some(&bearer(ADMIN_TOKEN)))
        .await
        .expect("call with an admin token succeeds");
    assert_eq!(message, "Hello x, you are admin");
    assert_eq!(server.handler_calls(), 1);

    // No token: still refused by the authentication layer, before the scope
    // check is reached.
    let status = say_hello(server.addr, None)
        .await
        .expect_err("call without a token is refused");
    assert_eq!(status.code(), Code::Unauthenticated);
    assert_eq!(challenge(&status), r#"Bearer realm="api""#);
}

#[tokio::test]
async fn unavailable_verifier_is_unavailable() {
    fn down(_token: BearerToken, _head: &Parts) -> Ready<Result<User, AuthError>> {
        ready(Err(AuthError::unavailable()))
    }
    let server = serve(BearerAuthLayer::new(down)).await;

    let status = say_hello(server.addr, Some(&bearer(READ_TOKEN)))
        .await
        .expect_err("call is refused while the verifier is down");
    assert_eq!(status.code(), Code::Unavailable);
    assert_eq!(
        status.message(),
        "unavailable: the token verifier is unavailable"
    );
    // The client did nothing wrong: no error code in the challenge.
    assert_eq!(challenge(&status), r#"Bearer realm="api""#);
    assert_eq!(server.handler_calls(), 0);
}

/// Sends one POST to `SayHello` over a fresh HTTP/2 connection with hyper,
/// with `content-type` and no `authorization`.
async fn raw_h2_post(
    addr: SocketAddr,
    content_type: &str,
) -> http::Response<hyper::body::Incoming> {
    let stream = tokio::time::timeout(TIMEOUT, TcpStream::connect(addr))
        .await
        .expect("connect timed out")
        .expect("connect");
    let (mut sender, connection) =
        hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(stream))
            .await
            .expect("HTTP/2 handshake");
    tokio::spawn(connection);

    // One length-prefixed message: uncompressed, empty HelloRequest.
    let body = Full::new(Bytes::from_static(&[0, 0, 0, 0, 0]));
    let request = http::Request::post(format!("http://{addr}/helloworld.Greeter/SayHello"))
        .header("content-type", content_type)
        .header("te", "trailers")
        .body(body)
        .expect("valid request");
    tokio::time::timeout(TIMEOUT, sender.send_request(request))
        .await
        .expect("request timed out")
        .expect("response")
}

#[tokio::test]
async fn grpc_rejection_is_trailers_only_on_the_wire() {
    let server = serve(BearerAuthLayer::new(tokens())).await;

    let response = raw_h2_post(server.addr, "application/grpc").await;
    assert_eq!(response.status(), http::StatusCode::OK);
    let headers = response.headers();
    assert_eq!(headers["grpc-status"], "16");
    assert_eq!(headers["content-type"], "application/grpc");
    assert_eq!(
        headers["grpc-message"],
        "unauthenticated: no bearer token in the request"
    );
    assert_eq!(headers["www-authenticate"], r#"Bearer realm="api""#);
    // An HTTP 200 that no shared cache may keep.
    assert_eq!(headers["cache-control"], "no-store");

    // Trailers-only: the HEADERS frame ended the stream, no DATA follows and
    // no separate trailers.
    let body = response.into_body();
    assert!(body.is_end_stream(), "the response headers end the stream");
    let collected = tokio::time::timeout(TIMEOUT, body.collect())
        .await
        .expect("body timed out")
        .expect("body");
    assert!(
        collected.trailers().is_none(),
        "no trailers after the headers"
    );
    assert_eq!(collected.to_bytes().len(), 0, "no DATA frames");
    assert_eq!(server.handler_calls(), 0);
}

#[tokio::test]
async fn non_grpc_request_to_a_tonic_server_gets_plain_http() {
    let server = serve(BearerAuthLayer::new(tokens())).await;

    let response = raw_h2_post(server.addr, "application/json").await;
    assert_eq!(response.status(), http::StatusCode::UNAUTHORIZED);
    assert_eq!(
        response.headers()["www-authenticate"],
        r#"Bearer realm="api""#
    );
    assert!(!response.headers().contains_key("grpc-status"));
    assert!(!response.headers().contains_key("cache-control"));
    assert_eq!(server.handler_calls(), 0);
}

#[tokio::test]
async fn refusals_name_the_protected_resource_metadata() {
    use tower_bearer_auth::metadata::ProtectedResourceMetadata;
    let metadata = ProtectedResourceMetadata::builder("https://greeter.example.com")
        .build()
        .expect("valid metadata");
    let auth = BearerAuthLayer::new(tokens()).with_resource_metadata(metadata);
    let layers = ServiceBuilder::new()
        .layer(auth.clone())
        .layer(auth.require_scopes(["admin"]))
        .into_inner();
    let server = serve(layers).await;
    let named = r#"Bearer realm="api", resource_metadata="https://greeter.example.com/.well-known/oauth-protected-resource""#;

    let status = say_hello(server.addr, None)
        .await
        .expect_err("call without a token is refused");
    assert_eq!(status.code(), Code::Unauthenticated);
    assert_eq!(challenge(&status), named);

    let status = say_hello(server.addr, Some(&bearer(READ_TOKEN)))
        .await
        .expect_err("call with a read-only token is refused");
    assert_eq!(status.code(), Code::PermissionDenied);
    assert_eq!(
        challenge(&status),
        format!(
            r#"{named}, error="insufficient_scope", error_description="the access token lacks a required scope", scope="admin""#
        )
    );
    assert_eq!(server.handler_calls(), 0);
}
