//! The [`TestIssuer`](super::TestIssuer)'s HTTP server: two documents on
//! 127.0.0.1, a bounded number of connections, each bounded in time.

use std::convert::Infallible;
use std::future::ready;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::header::{ALLOW, CACHE_CONTROL, CONTENT_TYPE};
use http::{HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::Full;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::task::JoinSet;

/// Where the discovery document is (OpenID Connect Discovery §4).
pub(super) const DISCOVERY_PATH: &str = "/.well-known/openid-configuration";
/// Where the JWK Set is, the discovery document's `jwks_uri`.
pub(super) const JWKS_PATH: &str = "/.well-known/jwks.json";

/// The most connections served at once; more wait to be accepted.
const MAX_CONNECTIONS: usize = 32;
/// The longest one connection is served.
const CONNECTION_TIMEOUT: Duration = Duration::from_secs(10);
/// The pause after a failed `accept` (no file descriptor left, say).
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// What the server answers, made once at start.
pub(super) struct Documents {
    pub(super) discovery: Bytes,
    pub(super) key_set: Bytes,
}

/// Serves `documents` to each connection `listener` accepts, one request
/// per connection, until the task is aborted: the connections' tasks are
/// in a set that is dropped, and so aborted, with it.
pub(super) async fn serve(listener: TcpListener, documents: Documents) {
    let documents = Arc::new(documents);
    let mut connections = JoinSet::new();
    loop {
        while connections.try_join_next().is_some() {}
        if connections.len() >= MAX_CONNECTIONS {
            connections.join_next().await;
            continue;
        }
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(_) => {
                tokio::time::sleep(ACCEPT_BACKOFF).await;
                continue;
            }
        };
        let documents = Arc::clone(&documents);
        connections.spawn(async move {
            let service = hyper::service::service_fn(move |request| {
                ready(Ok::<_, Infallible>(answer(&documents, &request)))
            });
            let connection = hyper::server::conn::http1::Builder::new()
                .keep_alive(false)
                .serve_connection(TokioIo::new(stream), service);
            // A connection that fails or lingers concerns its client only.
            let _ = tokio::time::timeout(CONNECTION_TIMEOUT, connection).await;
        });
    }
}

/// The answer to `request`: a document for `GET` on its path, 405 for
/// another method there, 404 anywhere else.
fn answer<B>(documents: &Documents, request: &Request<B>) -> Response<Full<Bytes>> {
    let (body, content_type) = match request.uri().path() {
        DISCOVERY_PATH => (&documents.discovery, "application/json"),
        JWKS_PATH => (&documents.key_set, "application/jwk-set+json"),
        _ => return status(StatusCode::NOT_FOUND),
    };
    if request.method() != Method::GET {
        let mut response = status(StatusCode::METHOD_NOT_ALLOWED);
        response
            .headers_mut()
            .insert(ALLOW, HeaderValue::from_static("GET"));
        return response;
    }
    let mut response = Response::new(Full::new(body.clone()));
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("max-age=300"));
    response
}

fn status(status: StatusCode) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::default());
    *response.status_mut() = status;
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_path_and_method_gets_its_answer() {
        let documents = Documents {
            discovery: Bytes::from_static(b"{\"issuer\":\"x\"}"),
            key_set: Bytes::from_static(b"{\"keys\":[]}"),
        };
        let cases = [
            (
                "discovery",
                Method::GET,
                DISCOVERY_PATH,
                200,
                Some("application/json"),
            ),
            (
                "key set",
                Method::GET,
                JWKS_PATH,
                200,
                Some("application/jwk-set+json"),
            ),
            ("post", Method::POST, JWKS_PATH, 405, None),
            ("head", Method::HEAD, DISCOVERY_PATH, 405, None),
            ("elsewhere", Method::GET, "/", 404, None),
            ("a prefix", Method::GET, "/.well-known", 404, None),
        ];
        for (name, method, path, code, content_type) in cases {
            let request = Request::builder()
                .method(method)
                .uri(path)
                .body(())
                .unwrap();
            let response = answer(&documents, &request);
            assert_eq!(response.status(), code, "{name}");
            assert_eq!(
                response
                    .headers()
                    .get(CONTENT_TYPE)
                    .map(|value| value.to_str().unwrap()),
                content_type,
                "{name}"
            );
            if code == 405 {
                assert_eq!(response.headers()[ALLOW], "GET", "{name}");
            }
        }
    }
}
