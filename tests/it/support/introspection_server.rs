//! An RFC 7662 introspection endpoint on 127.0.0.1 under the test's
//! control: it requires HTTP Basic or form client credentials, answers
//! each token as told (JSON, a status, raw bytes, after a delay), counts
//! the calls and records the last request.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use serde_json::Value;
use tokio::net::TcpListener;

pub const CLIENT_ID: &str = "api";
pub const CLIENT_SECRET: &str = "s3cret:with/odd+chars";
pub const PATH: &str = "/oauth2/introspect";

/// What the endpoint answers for a token.
#[derive(Clone, Debug)]
pub enum Answer {
    Json(Value),
    Status(u16),
    /// 200 with this body and `content-type: text/html`.
    Raw(Vec<u8>),
}

/// What the endpoint saw of one request.
#[derive(Clone, Debug, Default)]
pub struct Recorded {
    pub method: String,
    pub content_type: Option<String>,
    pub accept: Option<String>,
    pub authorization: Option<String>,
    pub body: String,
    /// The `token` form parameter, decoded.
    pub token: Option<String>,
}

#[derive(Default)]
struct Shared {
    answers: HashMap<String, Answer>,
    calls: usize,
    last: Option<Recorded>,
    delay: Duration,
    in_flight: usize,
    max_in_flight: usize,
}

pub struct IntrospectionServer {
    pub addr: SocketAddr,
    shared: Arc<Mutex<Shared>>,
}

impl IntrospectionServer {
    pub async fn start() -> Self {
        let shared = Arc::new(Mutex::new(Shared::default()));
        let app = Router::new()
            .route(PATH, any(introspect))
            .with_state(Arc::clone(&shared));
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("address");
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { addr, shared }
    }

    pub fn url(&self) -> String {
        format!("http://{}{PATH}", self.addr)
    }

    pub fn answer(&self, token: &str, answer: Answer) {
        self.lock().answers.insert(token.to_owned(), answer);
    }

    /// Every answer waits `delay` first.
    pub fn delay(&self, delay: Duration) {
        self.lock().delay = delay;
    }

    pub fn calls(&self) -> usize {
        self.lock().calls
    }

    /// The most requests it was answering at once.
    pub fn max_in_flight(&self) -> usize {
        self.lock().max_in_flight
    }

    pub fn last(&self) -> Recorded {
        self.lock().last.clone().expect("a request was made")
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Shared> {
        self.shared.lock().unwrap()
    }
}

/// The endpoint: 401 without the client's credentials (Basic or form),
/// the configured answer otherwise (`{"active":false}` for a stranger).
async fn introspect(
    State(shared): State<Arc<Mutex<Shared>>>,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let text = String::from_utf8_lossy(&body).into_owned();
    let form = parse_form(&text);
    let header = |name: &str| {
        headers
            .get(name)
            .map(|value| value.to_str().unwrap().to_owned())
    };
    let recorded = Recorded {
        method: method.to_string(),
        content_type: header("content-type"),
        accept: header("accept"),
        authorization: header("authorization"),
        token: form.get("token").cloned(),
        body: text,
    };
    let basic = format!(
        "Basic {}",
        base64(&format!("api:{}", "s3cret%3Awith%2Fodd%2Bchars"))
    );
    let authenticated = recorded.authorization.as_deref() == Some(basic.as_str())
        || (form.get("client_id").map(String::as_str) == Some(CLIENT_ID)
            && form.get("client_secret").map(String::as_str) == Some(CLIENT_SECRET));
    let (answer, delay) = {
        let mut shared = shared.lock().unwrap();
        shared.calls += 1;
        shared.in_flight += 1;
        shared.max_in_flight = shared.max_in_flight.max(shared.in_flight);
        let answer = recorded
            .token
            .as_ref()
            .and_then(|token| shared.answers.get(token).cloned());
        shared.last = Some(recorded);
        (answer, shared.delay)
    };
    tokio::time::sleep(delay).await;
    shared.lock().unwrap().in_flight -= 1;
    if !authenticated {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    match answer.unwrap_or_else(|| Answer::Json(serde_json::json!({"active": false}))) {
        Answer::Json(value) => axum::Json(value).into_response(),
        Answer::Status(status) => StatusCode::from_u16(status).unwrap().into_response(),
        Answer::Raw(bytes) => ([("content-type", "text/html")], bytes).into_response(),
    }
}

fn parse_form(body: &str) -> HashMap<String, String> {
    body.split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(name, value)| (decode(name), decode(value)))
        .collect()
}

/// `application/x-www-form-urlencoded` decoding: `+` is a space, `%XX` a byte.
fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'+' => out.push(b' '),
            b'%' if index + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[index + 1..index + 3]).unwrap();
                out.push(u8::from_str_radix(hex, 16).unwrap());
                index += 2;
            }
            byte => out.push(byte),
        }
        index += 1;
    }
    String::from_utf8(out).unwrap()
}

fn base64(text: &str) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in text.as_bytes().chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}
