//! The hostile-input catalogue: what an attacker sends, each request against
//! a real server on 127.0.0.1 with its exact status, challenge and reason
//! (the `AuthError` kind and, for a JWT, the `JwtErrorKind`, which a
//! middleware outside the layer copies into `x-reason`). None is answered
//! 500, none takes longer than its bound.
//!
//! A subscriber captures every `tracing` event of the run at TRACE level:
//! there is exactly one "request refused" event per refusal, and no token,
//! secret or key appears in any event, nor in the `Debug` output of the
//! public types holding them.

use crate::support;
use crate::support::grammar;
use crate::support::jwt as jwt_support;

use std::cell::Cell;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::Request;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::get;
use http::HeaderValue;
use http::request::Parts;
use tokio::net::{TcpListener, TcpStream};
use tower_bearer_auth::axum::Claims;
use tower_bearer_auth::introspection::IntrospectionVerifier;
use tower_bearer_auth::jwks::Jwks;
use tower_bearer_auth::jwt::{AccessClaims, JwtError, JwtErrorKind, JwtProfile, JwtVerifier};
use tower_bearer_auth::{
    AuthCounters, AuthError, BearerAuthLayer, BearerToken, ErrorKind, TokenExtractor,
};
use tracing::dispatcher::DefaultGuard;

use jwt_support::{AUDIENCE, ISSUER};

const REALM: &str = "hostile";
const C0: &str = r#"Bearer realm="hostile""#;
const MALFORMED: &str = r#"Bearer realm="hostile", error="invalid_request", error_description="the authorization credentials are malformed""#;
const MULTIPLE: &str = r#"Bearer realm="hostile", error="invalid_request", error_description="the request presents more than one access token""#;
const TOO_LONG: &str = r#"Bearer realm="hostile", error="invalid_request", error_description="the access token is too long""#;
const INVALID: &str = r#"Bearer realm="hostile", error="invalid_token", error_description="the access token is invalid""#;
const EXPIRED: &str = r#"Bearer realm="hostile", error="invalid_token", error_description="the access token expired""#;
const SCOPE: &str = r#"Bearer realm="hostile", error="insufficient_scope", error_description="the access token lacks a required scope", scope="admin""#;

/// The longest a refusal or an answer may take, on a loaded CI machine.
const BOUND: Duration = Duration::from_secs(5);
/// How long the introspection endpoint and the key server are waited for
/// before the verifier gives up.
const FETCH_TIMEOUT: Duration = Duration::from_millis(300);
/// How long the slow verifier takes.
const SLOW: Duration = Duration::from_millis(200);
/// The longest token `/me` takes: above the JWT verifier's own 8 KiB cap,
/// so oversized tokens reach it.
const MAX_TOKEN_LEN: usize = 16 * 1024;

const CLIENT_ID: &str = "hostile-client";
const CLIENT_SECRET: &str = "hostile-introspection-secret-0123456789";
const OPAQUE_TOKEN: &str = "opaque-hostile-token-0123456789abcdef";

struct Case {
    name: String,
    request: Vec<u8>,
    status: u16,
    /// The exact challenge, or `None` when there must be none.
    challenge: Option<String>,
    /// `ErrorKind` (and `/JwtErrorKind`) of a refusal by the layer; `None`
    /// when the layer let the request through or never saw it.
    reason: Option<String>,
    /// The exact body, when it matters.
    body: Option<String>,
    bound: Duration,
}

fn bearer(token: &str) -> Vec<u8> {
    format!("Authorization: Bearer {token}").into_bytes()
}

fn reason(kind: ErrorKind, jwt: Option<JwtErrorKind>) -> String {
    match jwt {
        Some(jwt) => format!("{kind:?}/{jwt:?}"),
        None => format!("{kind:?}"),
    }
}

fn refused(name: &str, request: Vec<u8>, status: u16, challenge: &str, reason: String) -> Case {
    Case {
        name: name.to_owned(),
        request,
        status,
        challenge: Some(challenge.to_owned()),
        reason: Some(reason),
        body: Some(String::new()),
        bound: BOUND,
    }
}

fn accepted(name: &str, request: Vec<u8>, body: &str) -> Case {
    Case {
        name: name.to_owned(),
        request,
        status: 200,
        challenge: None,
        reason: None,
        body: Some(body.to_owned()),
        bound: BOUND,
    }
}

/// Answered by hyper before any middleware: no challenge, no reason.
fn refused_by_hyper(name: &str, request: Vec<u8>, status: u16) -> Case {
    Case {
        name: name.to_owned(),
        request,
        status,
        challenge: None,
        reason: None,
        body: None,
        bound: BOUND,
    }
}

/// Every fixture JWT against the route of its profile: accepted with its
/// subject, refused 401 with the fixture's reason, or 400 before the
/// verifier when it is no `b64token` (RFC 6750 §2.1).
fn jwt_cases(address: SocketAddr) -> Vec<Case> {
    let request = |path: &str, headers: &[&[u8]]| support::get_request(address, path, headers);
    jwt_support::fixtures()
        .into_iter()
        .map(|fixture| {
            let path = match fixture.profile {
                JwtProfile::Rfc9068 => "/at",
                _ => "/me",
            };
            let sent = request(path, &[&bearer(&fixture.token)]);
            let name = format!("jwt {}", fixture.name);
            if !grammar::is_b64token(&fixture.token) {
                let malformed = reason(ErrorKind::MalformedCredentials, None);
                return refused(&name, sent, 400, MALFORMED, malformed);
            }
            match fixture.reason {
                None => {
                    let claims = fixture.claims.expect("accepted tokens have claims");
                    let sub = claims["sub"].as_str().expect("sub");
                    accepted(&name, sent, &format!("sub={sub}"))
                }
                Some(JwtErrorKind::Expired) => refused(
                    &name,
                    sent,
                    401,
                    EXPIRED,
                    reason(ErrorKind::Expired, Some(JwtErrorKind::Expired)),
                ),
                Some(jwt) => refused(
                    &name,
                    sent,
                    401,
                    INVALID,
                    reason(ErrorKind::InvalidToken, Some(jwt)),
                ),
            }
        })
        .collect()
}

/// Header syntax, token syntax, oversized input and slow verifiers.
fn other_cases(address: SocketAddr) -> Vec<Case> {
    let request = |path: &str, headers: &[&[u8]]| support::get_request(address, path, headers);
    use ErrorKind::*;
    let valid = jwt_support::fixture("hs256-valid").token;
    let admin = jwt_support::fixture("hs256-admin").token;
    let me = |headers: &[&[u8]]| request("/me", headers);
    let h = |text: String| text.into_bytes();
    let missing = reason(MissingCredentials, None);
    let malformed = reason(MalformedCredentials, None);
    let multiple = reason(MultipleTokens, None);
    let too_long = reason(TokenTooLong, None);
    let bad_jwt = reason(InvalidToken, Some(JwtErrorKind::Malformed));
    let kb64 = "a".repeat(64 * 1024);
    let many_tokens: Vec<Vec<u8>> = (0..50).map(|_| bearer(&valid)).collect();
    let many_tokens: Vec<&[u8]> = many_tokens.iter().map(Vec::as_slice).collect();
    let many_headers: Vec<Vec<u8>> = (0..200).map(|i| h(format!("X-Filler-{i}: x"))).collect();
    let many_headers: Vec<&[u8]> = many_headers.iter().map(Vec::as_slice).collect();
    let many_pairs = vec!["access_token=x"; 3_000].join("&");

    let mut cases = vec![
        // Header syntax.
        refused("no Authorization", me(&[]), 401, C0, missing.clone()),
        refused(
            "Basic credentials",
            me(&[b"Authorization: Basic dXNlcjpwYXNz"]),
            401,
            C0,
            missing.clone(),
        ),
        refused(
            "BearerX scheme",
            me(&[&h(format!("Authorization: BearerX {valid}"))]),
            401,
            C0,
            missing.clone(),
        ),
        refused(
            "empty Authorization",
            me(&[b"Authorization:"]),
            401,
            C0,
            missing.clone(),
        ),
        refused(
            "Bearer alone",
            me(&[b"Authorization: Bearer"]),
            400,
            MALFORMED,
            malformed.clone(),
        ),
        refused(
            "tab after Bearer",
            me(&[&h(format!("Authorization: Bearer\t{valid}"))]),
            400,
            MALFORMED,
            malformed.clone(),
        ),
        refused(
            "quoted token",
            me(&[&h(format!("Authorization: Bearer \"{valid}\""))]),
            400,
            MALFORMED,
            malformed.clone(),
        ),
        refused(
            "two tokens in one value",
            me(&[&h(format!("Authorization: Bearer {valid} {valid}"))]),
            400,
            MALFORMED,
            malformed.clone(),
        ),
        refused(
            "comma-joined credentials",
            me(&[&h(format!("Authorization: Bearer {valid}, Bearer {admin}"))]),
            400,
            MALFORMED,
            malformed.clone(),
        ),
        refused(
            "two Authorization lines",
            me(&[&bearer(&valid), &bearer(&admin)]),
            400,
            MULTIPLE,
            multiple.clone(),
        ),
        refused(
            "50 Authorization lines",
            me(&many_tokens),
            400,
            MULTIPLE,
            multiple.clone(),
        ),
        refused(
            "header and query token",
            request(&format!("/me?access_token={valid}"), &[&bearer(&valid)]),
            400,
            MULTIPLE,
            multiple.clone(),
        ),
        refused(
            "obs-text bytes",
            me(&[b"Authorization: Bearer \xff\xfe\xfd"]),
            400,
            MALFORMED,
            malformed.clone(),
        ),
        refused(
            "UTF-8 token",
            me(&["Authorization: Bearer caf\u{e9}-token".as_bytes()]),
            400,
            MALFORMED,
            malformed.clone(),
        ),
        refused_by_hyper(
            "NUL in the header value",
            me(&[b"Authorization: Bearer abc\0def"]),
            400,
        ),
        refused_by_hyper("200 header lines", me(&many_headers), 431),
        accepted(
            "lower-case name and scheme",
            me(&[&h(format!("authorization: bearer {valid}"))]),
            "sub=user-hs256",
        ),
        accepted(
            "garbage on an open route",
            request("/public", &[b"Authorization: Bearer \xff\"\\"]),
            "public",
        ),
        // Token syntax.
        refused(
            "padding only",
            me(&[b"Authorization: Bearer ===="]),
            400,
            MALFORMED,
            malformed.clone(),
        ),
        refused(
            "b64token that is no JWS",
            me(&[b"Authorization: Bearer ~~~~~~~~"]),
            401,
            INVALID,
            bad_jwt.clone(),
        ),
        refused(
            "three empty segments",
            me(&[b"Authorization: Bearer .."]),
            401,
            INVALID,
            bad_jwt.clone(),
        ),
        refused(
            "segments of one letter",
            me(&[b"Authorization: Bearer a.b.c"]),
            401,
            INVALID,
            bad_jwt.clone(),
        ),
        refused(
            "base64 instead of base64url",
            me(&[b"Authorization: Bearer eyJ+eyJ/.eyJ+.c2ln"]),
            401,
            INVALID,
            bad_jwt.clone(),
        ),
        refused(
            "1000 dots",
            me(&[&bearer(&".".repeat(1000))]),
            401,
            INVALID,
            bad_jwt.clone(),
        ),
        refused(
            "JSON header not base64url-encoded",
            me(&[b"Authorization: Bearer {\"alg\":\"none\"}.e30."]),
            400,
            MALFORMED,
            malformed.clone(),
        ),
        // Oversized input.
        refused(
            "64 KiB Authorization header",
            me(&[&bearer(&kb64)]),
            400,
            TOO_LONG,
            too_long.clone(),
        ),
        refused(
            "64 KiB cookie, no token",
            me(&[&h(format!("Cookie: session={kb64}"))]),
            401,
            C0,
            missing.clone(),
        ),
        refused(
            "60 KiB query token",
            request(&format!("/me?access_token={}", "a".repeat(60 * 1024)), &[]),
            400,
            TOO_LONG,
            too_long.clone(),
        ),
        refused(
            "3000 access_token pairs",
            request(&format!("/me?{many_pairs}"), &[]),
            400,
            MULTIPLE,
            multiple.clone(),
        ),
        refused_by_hyper(
            "1 MiB query",
            request(&format!("/me?q={}", "a".repeat(1 << 20)), &[]),
            431,
        ),
        refused_by_hyper("1 MiB header", me(&[&bearer(&"a".repeat(1 << 20))]), 431),
        // Query tokens.
        accepted(
            "query token",
            request(&format!("/me?access_token={valid}"), &[]),
            "sub=user-hs256",
        ),
        refused(
            "empty query token",
            request("/me?access_token=", &[]),
            400,
            MALFORMED,
            malformed.clone(),
        ),
        refused(
            "broken percent escape",
            request("/me?access_token=%ZZ", &[]),
            400,
            MALFORMED,
            malformed.clone(),
        ),
        refused(
            "escaped NUL in the query token",
            request("/me?access_token=%00abc", &[]),
            400,
            MALFORMED,
            malformed.clone(),
        ),
        refused(
            "space in the query token",
            request("/me?access_token=a+b", &[]),
            400,
            MALFORMED,
            malformed.clone(),
        ),
        // Scope.
        refused(
            "valid token without the scope",
            request("/admin", &[&bearer(&valid)]),
            403,
            SCOPE,
            reason(InsufficientScope, None),
        ),
        accepted(
            "valid token with the scope",
            request("/admin", &[&bearer(&admin)]),
            "admin=admin-hs256",
        ),
        // Slow verifiers.
        refused(
            "introspection endpoint that never answers",
            request("/introspected", &[&bearer(OPAQUE_TOKEN)]),
            503,
            C0,
            reason(Unavailable, None),
        ),
        refused(
            "key server that never answers",
            request("/remote-keys", &[&bearer(&valid)]),
            503,
            C0,
            reason(Unavailable, Some(JwtErrorKind::KeysUnavailable)),
        ),
        accepted(
            "verifier that takes 200 ms",
            request("/slow", &[&bearer(OPAQUE_TOKEN)]),
            "slow",
        ),
    ];
    let grpc = Case {
        name: "gRPC call without a token".to_owned(),
        request: request("/me", &[b"Content-Type: application/grpc"]),
        status: 200,
        challenge: Some(C0.to_owned()),
        reason: Some(missing),
        body: Some(String::new()),
        bound: BOUND,
    };
    cases.push(grpc);
    for case in &mut cases {
        if case
            .reason
            .as_deref()
            .is_some_and(|r| r.starts_with("Unavailable"))
        {
            case.bound = BOUND + FETCH_TIMEOUT;
        }
    }
    cases
}

/// Copies the refusal's reason out of the response extensions into
/// `x-reason`, as a logging layer would read it.
async fn reason_header(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    if let Some(error) = response.extensions().get::<AuthError>() {
        let jwt = std::error::Error::source(error)
            .and_then(|source| source.downcast_ref::<JwtError>())
            .map(JwtError::kind);
        let value = HeaderValue::try_from(reason(error.kind(), jwt)).expect("a value");
        response.headers_mut().insert("x-reason", value);
    }
    response
}

/// A listener that takes connections and never answers.
async fn silent_server() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move {
        let mut held: Vec<TcpStream> = Vec::new();
        while held.len() < 64 {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            held.push(stream);
        }
    });
    address
}

fn jwt_verifier(profile: JwtProfile) -> JwtVerifier<AccessClaims> {
    jwt_support::verifier(profile)
}

/// The layer of every route: realm `hostile`, verdicts counted.
fn layer<V>(verifier: V, counters: &AuthCounters) -> BearerAuthLayer<V> {
    BearerAuthLayer::new(verifier)
        .with_realm(REALM)
        .with_counters(counters.clone())
}

async fn app(counters: &AuthCounters) -> Router {
    let extractor = TokenExtractor::new()
        .with_query_parameter()
        .with_max_len(MAX_TOKEN_LEN)
        .expect("cap");
    let me = layer(jwt_verifier(JwtProfile::Jwt), counters).with_extractor(extractor);
    let sub = |claims: AccessClaims| claims.sub().unwrap_or_default().to_owned();
    let jwt_routes = Router::new()
        .route(
            "/me",
            get(move |Claims(c): Claims<AccessClaims>| async move { format!("sub={}", sub(c)) }),
        )
        .route(
            "/admin",
            get(move |Claims(c): Claims<AccessClaims>| async move { format!("admin={}", sub(c)) })
                .route_layer(me.require_scopes(["admin"])),
        )
        .route_layer(me);
    let at_routes = Router::new()
        .route(
            "/at",
            get(move |Claims(c): Claims<AccessClaims>| async move { format!("sub={}", sub(c)) }),
        )
        .route_layer(layer(jwt_verifier(JwtProfile::Rfc9068), counters));

    let silent = silent_server().await;
    let introspection = IntrospectionVerifier::builder(format!("http://{silent}/introspect"))
        .with_client_secret_basic(CLIENT_ID, CLIENT_SECRET)
        .with_issuer(ISSUER)
        .with_audience(AUDIENCE)
        .with_timeout(FETCH_TIMEOUT)
        .build()
        .expect("introspection verifier");
    let remote_keys = Jwks::from_url(format!("http://{silent}/jwks"), ISSUER)
        .with_timeout(FETCH_TIMEOUT)
        .build()
        .expect("jwks");
    let remote = JwtVerifier::<AccessClaims>::builder()
        .with_jwks(remote_keys)
        .with_issuer(ISSUER)
        .with_audience(AUDIENCE)
        .build()
        .expect("remote verifier");
    let slow = |_: BearerToken, _: &Parts| async {
        tokio::time::sleep(SLOW).await;
        Ok::<_, AuthError>(())
    };
    Router::new()
        .merge(jwt_routes)
        .merge(at_routes)
        .merge(
            Router::new()
                .route("/introspected", get(|| async { "introspected" }))
                .route_layer(layer(introspection, counters)),
        )
        .merge(
            Router::new()
                .route("/remote-keys", get(|| async { "remote" }))
                .route_layer(layer(remote, counters)),
        )
        .merge(
            Router::new()
                .route("/slow", get(|| async { "slow" }))
                .route_layer(layer(slow, counters)),
        )
        .route("/public", get(|| async { "public" }))
        .layer(middleware::from_fn(reason_header))
}

/// A subscriber taking every event at TRACE level, and everything it
/// wrote, shared with the test.
///
/// It is never the process's default: the other tests of the binary run
/// beside this one, and their refusals and events are not this test's. It
/// is the default of the thread running the test and of every thread of
/// the test's runtime (`capturing_runtime`), which is where the servers,
/// the layers and the verifiers of the test run.
fn captured() -> (tracing::Dispatch, Arc<Mutex<Vec<u8>>>) {
    support::let_scoped_subscribers_see_every_callsite();
    let buffer = Arc::new(Mutex::new(Vec::new()));
    let writer = Arc::clone(&buffer);
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || Capture(Arc::clone(&writer)))
        .finish();
    (tracing::Dispatch::new(subscriber), buffer)
}

thread_local! {
    /// `captured`'s subscriber as the default of a thread of the runtime.
    static CAPTURING: Cell<Option<DefaultGuard>> = const { Cell::new(None) };
}

/// The runtime of `#[tokio::test(flavor = "multi_thread", worker_threads =
/// 2)]`, each of whose threads (workers and blocking pool) has `subscriber`
/// as its default from its start to its end.
fn capturing_runtime(subscriber: &tracing::Dispatch) -> tokio::runtime::Runtime {
    let subscriber = subscriber.clone();
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .on_thread_start(move || {
            CAPTURING.set(Some(tracing::dispatcher::set_default(&subscriber)));
        })
        .on_thread_stop(|| drop(CAPTURING.take()))
        .build()
        .expect("runtime")
}

struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// What must never be written anywhere: every token sent and its
/// signature, the HMAC key, the introspection client secret, also as the
/// `Authorization: Basic` credentials it is sent in.
fn secrets() -> Vec<String> {
    use base64::Engine;
    let basic =
        base64::engine::general_purpose::STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"));
    let mut secrets = vec![CLIENT_SECRET.to_owned(), basic, OPAQUE_TOKEN.to_owned()];
    for fixture in jwt_support::fixtures() {
        if let Some(signature) = fixture.token.rsplit('.').next().filter(|s| s.len() >= 16) {
            secrets.push(signature.to_owned());
        }
        secrets.push(fixture.token);
    }
    let jwk: serde_json::Value =
        serde_json::from_slice(&jwt_support::file("hs256.jwk.json")).expect("jwk");
    secrets.push(jwk["k"].as_str().expect("k").to_owned());
    if let Ok(secret) = String::from_utf8(jwt_support::file("hs256.secret")) {
        secrets.push(secret);
    }
    secrets
}

#[test]
fn every_hostile_request_gets_its_exact_answer_and_nothing_secret_is_logged() {
    let (subscriber, log) = captured();
    let _capturing = tracing::dispatcher::set_default(&subscriber);
    capturing_runtime(&subscriber).block_on(hostile_requests(&log));
}

async fn hostile_requests(log: &Mutex<Vec<u8>>) {
    let counters = AuthCounters::new();
    let address = support::serve(app(&counters).await).await;
    let mut cases = jwt_cases(address);
    cases.extend(other_cases(address));
    assert!(cases.len() >= 60, "{} cases", cases.len());

    for case in &cases {
        let started = Instant::now();
        let response = support::send(address, &case.request).await;
        let took = started.elapsed();
        let name = &case.name;
        assert_ne!(response.status, 500, "{name}");
        assert_eq!(
            response.status,
            case.status,
            "{name}: {}",
            response.body_text()
        );
        assert_eq!(
            response.header("www-authenticate"),
            case.challenge,
            "{name}"
        );
        assert_eq!(response.header("x-reason"), case.reason, "{name}");
        if let Some(body) = &case.body {
            assert_eq!(&response.body_text(), body, "{name}");
        }
        assert!(took <= case.bound, "{name}: {took:?}");
        if case.status == 503 {
            let seconds: u64 = response
                .header("retry-after")
                .and_then(|value| value.parse().ok())
                .unwrap_or_else(|| panic!("{name}: no Retry-After"));
            assert!(seconds >= 1, "{name}");
        }
    }

    // The counters saw each verdict of the layers.
    let refusals: Vec<&str> = cases.iter().filter_map(|c| c.reason.as_deref()).collect();
    for &kind in ErrorKind::ALL {
        let expected = refusals
            .iter()
            .filter(|r| r.split('/').next() == Some(&format!("{kind:?}")))
            .count();
        assert_eq!(counters.refused(kind), expected as u64, "{kind:?}");
    }
    let passed = cases
        .iter()
        .filter(|c| c.status == 200 && c.reason.is_none() && !c.name.contains("open route"))
        .count();
    let scope_refusals = counters.refused(ErrorKind::InsufficientScope);
    assert_eq!(counters.accepted(), passed as u64 + scope_refusals);

    // One event per refusal, and nothing secret in any event.
    let log = String::from_utf8(log.lock().expect("lock").clone()).expect("UTF-8 log");
    let events = log
        .lines()
        .filter(|l| l.contains("request refused"))
        .count();
    assert_eq!(events, refusals.len(), "{log}");
    assert!(log.contains(r#"subject="user-hs256""#), "{log}");
    assert!(log.contains("kind=Unavailable"), "{log}");
    assert!(log.contains(&format!("realm=\"{REALM}\"")), "{log}");
    for secret in secrets() {
        assert!(!log.contains(&secret), "a secret was logged");
    }
}

/// The `Debug` output of every public type on the catalogue's path,
/// configured with the catalogue's secrets, shows none of them.
#[tokio::test]
async fn debug_output_of_the_stack_shows_no_secret() {
    let counters = AuthCounters::new();
    let silent = silent_server().await;
    let introspection = IntrospectionVerifier::builder(format!("http://{silent}/introspect"))
        .with_client_secret_basic(CLIENT_ID, CLIENT_SECRET)
        .with_issuer(ISSUER)
        .with_audience(AUDIENCE);
    let mut shown = vec![format!("{introspection:?}")];
    let introspection = introspection.build().expect("introspection verifier");
    let jwt = jwt_verifier(JwtProfile::Jwt);
    let cached = tower_bearer_auth::cache::CachedVerifier::new(jwt.clone());
    shown.push(format!("{:?}", jwt_support::keys()));
    shown.push(format!("{:?}", layer(jwt, &counters)));
    shown.push(format!("{:?}", layer(cached.clone(), &counters)));
    shown.push(format!("{cached:?}"));
    shown.push(format!("{:?}", layer(introspection, &counters)));
    shown.push(format!("{counters:?}"));
    let token = jwt_support::fixture("hs256-wrong-secret").token;
    let refused = jwt_verifier(JwtProfile::Jwt)
        .verify_jwt(&token)
        .expect_err("refused");
    shown.push(format!("{refused:?} {refused}"));
    let auth = AuthError::from(refused).with_subject("someone");
    shown.push(format!("{auth:?} {auth}"));
    let text = shown.join("\n");
    assert!(text.contains("someone"), "{text}");
    for secret in secrets() {
        assert!(!text.contains(&secret), "a secret in the Debug output");
    }
}
