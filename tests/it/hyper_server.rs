//! The layer on a plain hyper 1 server (hyper-util, no axum): a `service_fn`
//! router behind `BearerAuthLayer`, a bypassed public route and a route that
//! needs a scope, served on 127.0.0.1 and called over the wire with a real
//! HTTP/1.1 and a real HTTP/2 client.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http::header::{AUTHORIZATION, CONTENT_TYPE, WWW_AUTHENTICATE};
use http::{HeaderValue, Request, Response, StatusCode, Version};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tokio::time::timeout;
use tower::{Service, ServiceBuilder, ServiceExt};
use tower_bearer_auth::scope::{HasScopes, RequireScopeLayer, Scopes};
use tower_bearer_auth::{BearerAuthLayer, StaticTokens};

type Body = Full<Bytes>;

const READ_TOKEN: &str = "read-token-3Yp9kq2HcW8xTzL4";
const ADMIN_TOKEN: &str = "admin-token-Jd7sPq0LxV3nRb6Y";

/// The longest any step of a test may take.
const WAIT: Duration = Duration::from_secs(10);

#[derive(Clone, Debug, PartialEq, Eq)]
struct User {
    sub: &'static str,
    scopes: Scopes,
}

impl HasScopes for User {
    fn has_scope(&self, scope: &str) -> bool {
        self.scopes.contains(scope)
    }
}

fn demo() -> User {
    User {
        sub: "demo",
        scopes: Scopes::from_space_delimited("read"),
    }
}

fn root() -> User {
    User {
        sub: "root",
        scopes: Scopes::from_space_delimited("read admin"),
    }
}

/// What the handlers saw: how often they ran, and the path and claims of
/// each request that reached one.
#[derive(Debug, Default)]
struct Seen {
    calls: AtomicUsize,
    requests: Mutex<Vec<(String, Option<User>)>>,
}

impl Seen {
    fn record(&self, request: &Request<Incoming>) -> Option<User> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let claims = request.extensions().get::<User>().cloned();
        self.requests
            .lock()
            .expect("not poisoned")
            .push((request.uri().path().to_owned(), claims.clone()));
        claims
    }

    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }

    /// The requests seen since the last call.
    fn take(&self) -> Vec<(String, Option<User>)> {
        std::mem::take(&mut *self.requests.lock().expect("not poisoned"))
    }
}

/// Starts the server on 127.0.0.1, port 0: the same stack as
/// `examples/hyper_service.rs`, with test tokens and a record of what the
/// handlers saw. `auto` answers HTTP/1.1 and HTTP/2 prior knowledge alike.
async fn start() -> (SocketAddr, Arc<Seen>) {
    let tokens = StaticTokens::new()
        .with_token(READ_TOKEN, demo())
        .and_then(|tokens| tokens.with_token(ADMIN_TOKEN, root()))
        .expect("valid tokens");
    let seen = Arc::new(Seen::default());

    let admin = {
        let seen = Arc::clone(&seen);
        ServiceBuilder::new()
            .layer(RequireScopeLayer::<User>::new(["admin"]).expect("valid scope"))
            .service_fn(move |request: Request<Incoming>| {
                let claims = seen.record(&request);
                let sub = claims.map_or("nobody", |claims| claims.sub);
                async move { Ok::<_, Infallible>(text(StatusCode::OK, &format!("admin {sub}"))) }
            })
    };
    let router = {
        let seen = Arc::clone(&seen);
        move |request| route(request, admin.clone(), Arc::clone(&seen))
    };
    let service = ServiceBuilder::new()
        .layer(BearerAuthLayer::new(tokens).with_bypass(|head| head.uri.path() == "/public"))
        .service_fn(router);

    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("local address");
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let service = TowerToHyperService::new(service.clone());
            tokio::spawn(async move {
                let builder = auto::Builder::new(TokioExecutor::new());
                // A client closing its pooled connection at the end of a test
                // is not a failure.
                let _ = builder
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    (addr, seen)
}

async fn route<A>(
    request: Request<Incoming>,
    admin: A,
    seen: Arc<Seen>,
) -> Result<Response<Body>, Infallible>
where
    A: Service<Request<Incoming>, Response = Response<Body>, Error = Infallible>,
{
    match request.uri().path() {
        "/admin" => admin.oneshot(request).await,
        "/public" => {
            seen.record(&request);
            Ok(text(StatusCode::OK, "public"))
        }
        "/me" => Ok(match seen.record(&request) {
            Some(user) => {
                let json = json!({ "sub": user.sub, "scope": user.scopes.as_str() });
                let mut response = Response::new(Body::from(json.to_string()));
                response
                    .headers_mut()
                    .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
                response
            }
            None => text(StatusCode::INTERNAL_SERVER_ERROR, "no claims"),
        }),
        _ => {
            seen.record(&request);
            Ok(text(StatusCode::NOT_FOUND, "not found"))
        }
    }
}

fn text(status: StatusCode, body: &str) -> Response<Body> {
    let mut response = Response::new(Body::from(body.to_owned()));
    *response.status_mut() = status;
    response
}

#[derive(Clone, Copy, Debug)]
enum Protocol {
    Http1,
    Http2,
}

impl Protocol {
    fn client(self) -> Client<HttpConnector, Body> {
        let mut builder = Client::builder(TokioExecutor::new());
        if let Self::Http2 = self {
            builder.http2_only(true);
        }
        builder.build_http()
    }

    fn version(self) -> Version {
        match self {
            Self::Http1 => Version::HTTP_11,
            Self::Http2 => Version::HTTP_2,
        }
    }
}

/// A response as the client got it.
#[derive(Debug)]
struct Answer {
    version: Version,
    status: StatusCode,
    challenge: Option<String>,
    body: Bytes,
}

async fn send(
    client: &Client<HttpConnector, Body>,
    addr: SocketAddr,
    path: &str,
    authorization: Option<&str>,
) -> Answer {
    let mut request = Request::get(format!("http://{addr}{path}"));
    if let Some(authorization) = authorization {
        request = request.header(AUTHORIZATION, authorization);
    }
    let request = request.body(Body::default()).expect("valid request");
    let exchange = async {
        let response = client.request(request).await.expect("response");
        let (head, body) = response.into_parts();
        let body = body.collect().await.expect("body").to_bytes();
        let challenge = head
            .headers
            .get(WWW_AUTHENTICATE)
            .map(|value| value.to_str().expect("visible ASCII challenge").to_owned());
        Answer {
            version: head.version,
            status: head.status,
            challenge,
            body,
        }
    };
    timeout(WAIT, exchange).await.expect("answered in time")
}

/// The expected body.
#[derive(Debug)]
enum Expected {
    Empty,
    Text(&'static str),
    Json(Value),
}

/// Whether a handler ran, and with which claims.
#[derive(Debug)]
enum Handled {
    Never,
    WithoutClaims,
    With(User),
}

struct Case {
    name: &'static str,
    path: &'static str,
    authorization: Option<String>,
    status: StatusCode,
    challenge: Option<&'static str>,
    body: Expected,
    handled: Handled,
}

fn bearer(token: &str) -> Option<String> {
    Some(format!("Bearer {token}"))
}

fn cases() -> Vec<Case> {
    const INVALID_TOKEN: &str = r#"Bearer realm="api", error="invalid_token", error_description="the access token is invalid""#;
    const INVALID_REQUEST: &str = r#"Bearer realm="api", error="invalid_request", error_description="the authorization credentials are malformed""#;
    const INSUFFICIENT_SCOPE: &str = r#"Bearer realm="api", error="insufficient_scope", error_description="the access token lacks a required scope", scope="admin""#;
    const BARE: &str = r#"Bearer realm="api""#;
    vec![
        Case {
            name: "public without token",
            path: "/public",
            authorization: None,
            status: StatusCode::OK,
            challenge: None,
            body: Expected::Text("public"),
            handled: Handled::WithoutClaims,
        },
        Case {
            name: "public with a wrong token is let through untouched",
            path: "/public",
            authorization: bearer("not-a-known-token-0123456789"),
            status: StatusCode::OK,
            challenge: None,
            body: Expected::Text("public"),
            handled: Handled::WithoutClaims,
        },
        Case {
            name: "me with the read token",
            path: "/me",
            authorization: bearer(READ_TOKEN),
            status: StatusCode::OK,
            challenge: None,
            body: Expected::Json(json!({ "sub": "demo", "scope": "read" })),
            handled: Handled::With(demo()),
        },
        Case {
            name: "me with the scheme in lower case",
            path: "/me",
            authorization: Some(format!("bearer {READ_TOKEN}")),
            status: StatusCode::OK,
            challenge: None,
            body: Expected::Json(json!({ "sub": "demo", "scope": "read" })),
            handled: Handled::With(demo()),
        },
        Case {
            name: "me without token",
            path: "/me",
            authorization: None,
            status: StatusCode::UNAUTHORIZED,
            challenge: Some(BARE),
            body: Expected::Empty,
            handled: Handled::Never,
        },
        Case {
            name: "me with another scheme",
            path: "/me",
            authorization: Some("Basic ZGVtbzpkZW1v".to_owned()),
            status: StatusCode::UNAUTHORIZED,
            challenge: Some(BARE),
            body: Expected::Empty,
            handled: Handled::Never,
        },
        Case {
            name: "me with a wrong token",
            path: "/me",
            authorization: bearer("not-a-known-token-0123456789"),
            status: StatusCode::UNAUTHORIZED,
            challenge: Some(INVALID_TOKEN),
            body: Expected::Empty,
            handled: Handled::Never,
        },
        Case {
            name: "me with Bearer alone",
            path: "/me",
            authorization: Some("Bearer".to_owned()),
            status: StatusCode::BAD_REQUEST,
            challenge: Some(INVALID_REQUEST),
            body: Expected::Empty,
            handled: Handled::Never,
        },
        Case {
            name: "admin with the read token",
            path: "/admin",
            authorization: bearer(READ_TOKEN),
            status: StatusCode::FORBIDDEN,
            challenge: Some(INSUFFICIENT_SCOPE),
            body: Expected::Empty,
            handled: Handled::Never,
        },
        Case {
            name: "admin without token",
            path: "/admin",
            authorization: None,
            status: StatusCode::UNAUTHORIZED,
            challenge: Some(BARE),
            body: Expected::Empty,
            handled: Handled::Never,
        },
        Case {
            name: "admin with the admin token",
            path: "/admin",
            authorization: bearer(ADMIN_TOKEN),
            status: StatusCode::OK,
            challenge: None,
            body: Expected::Text("admin root"),
            handled: Handled::With(root()),
        },
        Case {
            name: "unknown path with a token",
            path: "/nowhere",
            authorization: bearer(READ_TOKEN),
            status: StatusCode::NOT_FOUND,
            challenge: None,
            body: Expected::Text("not found"),
            handled: Handled::With(demo()),
        },
        Case {
            // The layer wraps the whole router, so it answers before the
            // router can say 404.
            name: "unknown path without token",
            path: "/nowhere",
            authorization: None,
            status: StatusCode::UNAUTHORIZED,
            challenge: Some(BARE),
            body: Expected::Empty,
            handled: Handled::Never,
        },
    ]
}

/// Runs every case against a fresh server, over one client of `protocol`.
async fn check_cases(protocol: Protocol) {
    let (addr, seen) = start().await;
    let client = protocol.client();
    for case in cases() {
        let name = case.name;
        let calls_before = seen.calls();
        let answer = send(&client, addr, case.path, case.authorization.as_deref()).await;

        assert_eq!(answer.version, protocol.version(), "case {name}");
        assert_eq!(answer.status, case.status, "case {name}");
        assert_eq!(answer.challenge.as_deref(), case.challenge, "case {name}");
        match &case.body {
            Expected::Empty => assert!(answer.body.is_empty(), "case {name}: {answer:?}"),
            Expected::Text(text) => assert_eq!(answer.body, text.as_bytes(), "case {name}"),
            Expected::Json(json) => {
                let body: Value = serde_json::from_slice(&answer.body).expect("JSON body");
                assert_eq!(&body, json, "case {name}");
            }
        }

        let expected = match case.handled {
            Handled::Never => vec![],
            Handled::WithoutClaims => vec![(case.path.to_owned(), None)],
            Handled::With(user) => vec![(case.path.to_owned(), Some(user))],
        };
        assert_eq!(seen.calls() - calls_before, expected.len(), "case {name}");
        assert_eq!(seen.take(), expected, "case {name}");
    }
}

#[tokio::test]
async fn answers_over_http1() {
    check_cases(Protocol::Http1).await;
}

#[tokio::test]
async fn same_answers_over_http2() {
    check_cases(Protocol::Http2).await;
}

#[tokio::test]
async fn rejected_requests_never_reach_the_handler() {
    let (addr, seen) = start().await;
    let rejected: [(&str, Option<String>); 5] = [
        ("/me", None),
        ("/me", bearer("not-a-known-token-0123456789")),
        ("/me", Some("Bearer".to_owned())),
        ("/me", Some(format!("Bearer {READ_TOKEN} extra"))),
        ("/admin", bearer(READ_TOKEN)),
    ];

    // Many at once, multiplexed on one HTTP/2 connection and spread over
    // several HTTP/1.1 ones.
    let mut requests = JoinSet::new();
    for protocol in [Protocol::Http1, Protocol::Http2] {
        let client = protocol.client();
        for _ in 0..10 {
            for (path, authorization) in rejected.clone() {
                let client = client.clone();
                requests.spawn(async move {
                    send(&client, addr, path, authorization.as_deref())
                        .await
                        .status
                });
            }
        }
    }
    let statuses = timeout(WAIT, requests.join_all())
        .await
        .expect("all answered in time");
    assert_eq!(statuses.len(), 100);
    assert!(
        statuses.iter().all(StatusCode::is_client_error),
        "{statuses:?}"
    );
    assert_eq!(seen.calls(), 0, "a rejected request reached a handler");
    assert!(seen.take().is_empty());

    let client = Protocol::Http1.client();
    let answer = send(&client, addr, "/me", bearer(READ_TOKEN).as_deref()).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(seen.calls(), 1);
    assert_eq!(seen.take(), [("/me".to_owned(), Some(demo()))]);
}
