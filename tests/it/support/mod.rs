//! What the integration tests share: demo tokens and claims, an axum server
//! on 127.0.0.1, and a raw HTTP/1.1 client that sends any bytes. Each
//! submodule is compiled under the features of the test modules using it.

#![allow(unreachable_pub)] // `pub` for the test modules, in a binary

#[cfg(all(
    feature = "axum",
    any(
        all(feature = "cache", feature = "jwt"),
        feature = "jwks",
        feature = "redis"
    )
))]
pub mod app;
#[cfg(all(feature = "dpop", feature = "axum"))]
pub mod dpop;
#[cfg(all(feature = "axum", feature = "jwt"))]
pub mod example;
/// Shared with the fuzz targets, which include it by path.
#[path = "../../support/grammar.rs"]
pub mod grammar;
/// The generated gRPC code of the `tonic_greeter` example.
#[path = "../../../examples/proto/helloworld.rs"]
pub mod helloworld;
#[cfg(all(feature = "introspection", feature = "axum"))]
pub mod introspection_server;
#[cfg(all(feature = "axum", feature = "jwt"))]
pub mod jwt;
/// Shared with the JWKS bench, which includes it by path.
#[cfg(all(feature = "jwks", feature = "axum"))]
#[path = "../../support/key_server.rs"]
pub mod key_server;
#[cfg(all(feature = "redis", feature = "axum"))]
pub mod redis_server;
#[cfg(all(feature = "axum", feature = "jwt"))]
pub mod security;

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tower_bearer_auth::scope::{HasScopes, Scopes};
use tower_bearer_auth::{ErrorKind, StaticTokens};

/// Subject `demo`, scope `read`.
pub const READ_TOKEN: &str = "demo-read-token-0123456789";
/// Subject `root`, scopes `read admin`.
pub const ADMIN_TOKEN: &str = "demo-admin-token-0123456789";
/// A syntactically valid token no verifier knows.
pub const UNKNOWN_TOKEN: &str = "c29tZS1yYW5kb20tdG9rZW4tdmFsdWU";

/// Every error kind, each deciding its own answer.
pub const ERROR_KINDS: [ErrorKind; 12] = [
    ErrorKind::MissingCredentials,
    ErrorKind::MalformedCredentials,
    ErrorKind::TokenTooLong,
    ErrorKind::MultipleTokens,
    ErrorKind::InvalidToken,
    ErrorKind::Expired,
    ErrorKind::Revoked,
    ErrorKind::InsufficientScope,
    ErrorKind::Unavailable,
    ErrorKind::InvalidDpopProof,
    ErrorKind::UseDpopNonce,
    ErrorKind::InsufficientUserAuthentication,
];

/// The longest any exchange in the tests may take.
pub const DEADLINE: Duration = Duration::from_secs(10);

#[derive(Clone, Debug)]
pub struct ApiClaims {
    pub sub: String,
    pub scopes: Scopes,
}

impl HasScopes for ApiClaims {
    fn has_scope(&self, scope: &str) -> bool {
        self.scopes.contains(scope)
    }
}

pub fn tokens() -> StaticTokens<ApiClaims> {
    let claims = |sub: &str, scopes: &str| ApiClaims {
        sub: sub.to_owned(),
        scopes: Scopes::from_space_delimited(scopes),
    };
    StaticTokens::new()
        .with_token(READ_TOKEN, claims("demo", "read"))
        .and_then(|t| t.with_token(ADMIN_TOKEN, claims("root", "read admin")))
        .expect("valid demo tokens")
}

/// To be called before a test makes a subscriber the default of its own
/// threads (`set_default`): then tracing asks every subscriber whether a
/// callsite interests it, whichever thread reaches the callsite first.
///
/// While one `Dispatch` exists, tracing-core 0.1 takes the interest of a
/// callsite reached for the first time from the default of the thread
/// reaching it, and keeps it: a callsite first reached by another test's
/// thread, which has no subscriber, would stay silent for good, also on the
/// threads of the test capturing events
/// (<https://github.com/tokio-rs/tracing/issues/3611>). A second `Dispatch`,
/// kept for the life of the process and interested in nothing, avoids it.
#[cfg(all(feature = "tracing", feature = "jwks", feature = "axum"))]
pub fn let_scoped_subscribers_see_every_callsite() {
    static BYSTANDER: std::sync::OnceLock<tracing::Dispatch> = std::sync::OnceLock::new();
    BYSTANDER.get_or_init(|| tracing::Dispatch::new(tracing::subscriber::NoSubscriber::default()));
}

/// Serves `app` on 127.0.0.1 until the test ends.
pub async fn serve(app: Router) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    address
}

/// A response as read off the wire.
#[derive(Debug)]
pub struct RawResponse {
    pub status: u16,
    // Read by the tests of the `axum` feature; the others look at the
    // status and the raw bytes only.
    #[cfg_attr(not(feature = "axum"), allow(dead_code))]
    pub headers: Vec<(String, Vec<u8>)>,
    #[cfg_attr(not(feature = "axum"), allow(dead_code))]
    pub body: Vec<u8>,
    /// Everything received, for "never appears anywhere" checks.
    pub raw: Vec<u8>,
}

#[cfg(feature = "axum")] // the tests reading headers and bodies
impl RawResponse {
    /// The values of header `name`, as text.
    pub fn header_values(&self, name: &str) -> Vec<String> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
            .collect()
    }

    /// The only value of header `name`, if any.
    pub fn header(&self, name: &str) -> Option<String> {
        let mut values = self.header_values(name);
        assert!(values.len() <= 1, "{name} sent {} times", values.len());
        values.pop()
    }

    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends `GET path` with the raw header lines `headers` (each without CRLF)
/// over HTTP/1.1 and reads the whole answer.
pub async fn get(address: SocketAddr, path: &str, headers: &[&[u8]]) -> RawResponse {
    send(address, &get_request(address, path, headers)).await
}

/// The bytes of `GET path` with the raw header lines `headers`.
pub fn get_request(address: SocketAddr, path: &str, headers: &[&[u8]]) -> Vec<u8> {
    let mut request =
        format!("GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n").into_bytes();
    for header in headers {
        request.extend_from_slice(header);
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"\r\n");
    request
}

/// Sends `request` as it is and reads until the server closes.
pub async fn send(address: SocketAddr, request: &[u8]) -> RawResponse {
    let exchange = async {
        let mut stream = TcpStream::connect(address).await.expect("connect");
        stream.write_all(request).await.expect("write");
        let mut raw = Vec::new();
        // A server may close before reading a request it refused: keep what came.
        let _ = stream.read_to_end(&mut raw).await;
        raw
    };
    let raw = tokio::time::timeout(DEADLINE, exchange)
        .await
        .expect("answer within the deadline");
    parse(raw)
}

fn parse(raw: Vec<u8>) -> RawResponse {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no complete head in {:?}", String::from_utf8_lossy(&raw)));
    let head = String::from_utf8_lossy(&raw[..end]).into_owned();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().expect("status line");
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("bad status line {status_line:?}"));
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_owned(), value.trim().as_bytes().to_vec()))
        .collect();
    let body = raw[end + 4..].to_vec();
    RawResponse {
        status,
        headers,
        body,
        raw,
    }
}
