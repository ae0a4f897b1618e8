//! A JWKS and discovery server on 127.0.0.1 under the test's control: what
//! each path answers (status, body, headers, delay, ETag), how often it was
//! asked, and whether it is up at all. Plus the fixtures of
//! `tests/fixtures/jwks/` (made by PyJWT, see its README).

#![allow(dead_code, unreachable_pub)] // the tests and the JWKS bench each use a part

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::task::JoinSet;

pub const ISSUER_A: &str = "https://a.issuer.example";
pub const ISSUER_B: &str = "https://b.issuer.example";
pub const ISSUER_C: &str = "https://c.issuer.example";
pub const AUDIENCE: &str = "https://api.example.com";

pub fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/jwks")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|error| panic!("fixture {name}: {error}"))
}

/// The token named `name` in `tokens.json`.
pub fn token(name: &str) -> String {
    let tokens: Value = serde_json::from_slice(&fixture("tokens.json")).expect("tokens.json");
    tokens[name]["token"]
        .as_str()
        .unwrap_or_else(|| panic!("no token {name}"))
        .to_owned()
}

/// The 1000 tokens of `flood.json`, each with its own unknown `kid`.
pub fn flood() -> Vec<String> {
    serde_json::from_slice(&fixture("flood.json")).expect("flood.json")
}

/// What a path answers.
#[derive(Clone, Debug)]
pub struct Reply {
    pub status: u16,
    pub body: Bytes,
    pub headers: Vec<(&'static str, String)>,
    pub delay: Duration,
    /// Answer 304 to a request whose `If-None-Match` is this.
    pub etag: Option<String>,
    /// Send the body in 1 KiB chunks without a `Content-Length`.
    pub chunked: bool,
}

impl Reply {
    pub fn json(body: impl Into<Bytes>) -> Self {
        Self {
            status: 200,
            body: body.into(),
            headers: vec![("content-type", "application/json".to_owned())],
            delay: Duration::ZERO,
            etag: None,
            chunked: false,
        }
    }

    pub fn fixture(name: &str) -> Self {
        Self::json(fixture(name))
    }

    pub fn status(status: u16) -> Self {
        Self {
            status,
            ..Self::json("")
        }
    }

    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    pub fn delayed(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }

    pub fn chunked(mut self) -> Self {
        self.chunked = true;
        self
    }

    pub fn with_etag(mut self, etag: &str) -> Self {
        self.etag = Some(etag.to_owned());
        self.header("etag", etag)
    }
}

#[derive(Default)]
struct Routes {
    replies: HashMap<String, Reply>,
    hits: HashMap<String, usize>,
    not_modified: usize,
}

/// The server. Dropping it stops it.
pub struct KeyServer {
    pub addr: SocketAddr,
    routes: Arc<Mutex<Routes>>,
    /// While set, every connection is closed at once, unanswered.
    down: Arc<AtomicBool>,
    tasks: JoinSet<()>,
}

impl KeyServer {
    pub async fn start() -> Self {
        Self::start_on("127.0.0.1:0".parse().unwrap()).await
    }

    /// On `addr`, e.g. the port of a server stopped before.
    pub async fn start_on(addr: SocketAddr) -> Self {
        let listener = TcpListener::bind(addr).await.expect("bind 127.0.0.1");
        let addr = listener.local_addr().unwrap();
        let routes = Arc::new(Mutex::new(Routes::default()));
        let down = Arc::new(AtomicBool::new(false));
        let mut tasks = JoinSet::new();
        let shared = Arc::clone(&routes);
        let is_down = Arc::clone(&down);
        tasks.spawn(async move {
            let mut connections = JoinSet::new();
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                if is_down.load(Ordering::SeqCst) {
                    drop(stream);
                    continue;
                }
                let routes = Arc::clone(&shared);
                connections.spawn(async move {
                    let service = hyper::service::service_fn(move |request| {
                        answer(Arc::clone(&routes), request)
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Self {
            addr,
            routes,
            down,
            tasks,
        }
    }

    /// Down (every connection closed unanswered) or up again. Responses
    /// carry `Connection: close`, so no pooled connection outlives a switch.
    pub fn set_down(&self, down: bool) {
        self.down.store(down, Ordering::SeqCst);
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn reply(&self, path: &str, reply: Reply) {
        self.routes
            .lock()
            .unwrap()
            .replies
            .insert(path.to_owned(), reply);
    }

    /// How many requests `path` received.
    pub fn hits(&self, path: &str) -> usize {
        self.routes
            .lock()
            .unwrap()
            .hits
            .get(path)
            .copied()
            .unwrap_or(0)
    }

    /// How many requests were answered 304.
    pub fn not_modified(&self) -> usize {
        self.routes.lock().unwrap().not_modified
    }
}

type Body = BoxBody<Bytes, Infallible>;

fn empty() -> Body {
    Full::default().boxed()
}

async fn answer(
    routes: Arc<Mutex<Routes>>,
    request: Request<Incoming>,
) -> Result<Response<Body>, Infallible> {
    let path = request.uri().path().to_owned();
    let reply = {
        let mut routes = routes.lock().unwrap();
        *routes.hits.entry(path.clone()).or_default() += 1;
        routes.replies.get(&path).cloned()
    };
    let Some(reply) = reply else {
        return Ok(Response::builder().status(404).body(empty()).unwrap());
    };
    tokio::time::sleep(reply.delay).await;
    let if_none_match = request.headers().get("if-none-match");
    if reply.etag.is_some() && if_none_match.and_then(|v| v.to_str().ok()) == reply.etag.as_deref()
    {
        routes.lock().unwrap().not_modified += 1;
        let mut response = Response::builder()
            .status(304)
            .header("connection", "close");
        for (name, value) in &reply.headers {
            response = response.header(*name, value);
        }
        return Ok(response.body(empty()).unwrap());
    }
    let mut response = Response::builder()
        .status(reply.status)
        .header("connection", "close");
    for (name, value) in &reply.headers {
        response = response.header(*name, value);
    }
    let body = if reply.chunked {
        let chunks: Vec<Result<Frame<Bytes>, Infallible>> = reply
            .body
            .chunks(1024)
            .map(|chunk| Ok(Frame::data(Bytes::copy_from_slice(chunk))))
            .collect();
        StreamBody::new(tokio_stream::iter(chunks)).boxed()
    } else {
        Full::new(reply.body).boxed()
    };
    Ok(response.body(body).unwrap())
}
