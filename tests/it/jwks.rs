//! Remote keys against a real JWKS and discovery server on 127.0.0.1: keys
//! of every type, rotation, the unknown-`kid` flood, an endpoint down, slow,
//! or answering garbage, discovery, HTTP caching, several issuers. Tokens
//! and key sets are PyJWT's (`tests/fixtures/jwks/`).

use crate::support::app as support_app;
use crate::support::key_server;

use std::time::{Duration, Instant};
use support_app::app;

use axum::Router;
use axum::body::Body;
use http::{HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use key_server::{AUDIENCE, ISSUER_A, ISSUER_B, KeyServer, Reply, flood, token};
use tower::ServiceExt;
use tower_bearer_auth::ConfigError;
use tower_bearer_auth::jwks::{Jwks, JwksBuilder, JwksErrorKind};
use tower_bearer_auth::jwt::{AccessClaims, JwtErrorKind, JwtKey, JwtVerifier};

const COOLDOWN: Duration = Duration::from_millis(300);
const TIMEOUT: Duration = Duration::from_millis(500);

fn ms(ms: u64) -> Duration {
    Duration::from_millis(ms)
}

/// Issuer A's keys at `url`, with test-sized cooldown and timeout.
fn issuer_a(url: String) -> JwksBuilder {
    Jwks::from_url(url, ISSUER_A)
        .with_cooldown(COOLDOWN)
        .with_timeout(TIMEOUT)
}

fn verifier(keys: impl IntoIterator<Item = Jwks>) -> JwtVerifier {
    keys.into_iter()
        .fold(JwtVerifier::builder(), |builder, jwks| {
            builder.with_jwks(jwks)
        })
        .with_audience(AUDIENCE)
        .build()
        .expect("verifier")
}

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

async fn call(app: &Router, token: &str) -> Answer {
    call_with(app, token, None).await
}

async fn call_with(app: &Router, token: &str, content_type: Option<&str>) -> Answer {
    let mut request = Request::get("/me").header("authorization", format!("Bearer {token}"));
    if let Some(content_type) = content_type {
        request = request.header("content-type", content_type);
    }
    let response = app
        .clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    Answer {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

fn accepted(answer: &Answer, name: &str) {
    assert_eq!(answer.status, StatusCode::OK, "{name}: {}", answer.body);
    assert_eq!(answer.body, "alice", "{name}");
}

fn refused(answer: &Answer, name: &str) {
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{name}");
    assert_eq!(
        answer.headers["www-authenticate"],
        r#"Bearer realm="api", error="invalid_token", error_description="the access token is invalid""#,
        "{name}"
    );
}

fn unavailable(answer: &Answer, name: &str) {
    assert_eq!(answer.status, StatusCode::SERVICE_UNAVAILABLE, "{name}");
    assert!(answer.headers.contains_key("retry-after"), "{name}");
    assert_eq!(
        answer.headers["www-authenticate"], r#"Bearer realm="api""#,
        "{name}"
    );
}

/// The reason the verifier gives, without waiting for keys.
fn reason(verifier: &JwtVerifier, name: &str) -> Option<JwtErrorKind> {
    verifier
        .verify_jwt(&token(name))
        .err()
        .map(|error| error.kind())
}

#[tokio::test]
async fn every_key_type_verifies_and_unusable_keys_are_skipped() {
    let server = KeyServer::start().await;
    server.reply("/jwks", Reply::fixture("jwks-a.json"));
    // A cooldown longer than the test: the unknown kids below fetch nothing.
    let keys = issuer_a(server.url("/jwks"))
        .with_cooldown(Duration::from_secs(60))
        .build()
        .unwrap();
    keys.ready().await.expect("keys");

    // The usable keys only: foo, bad-n, short-x, weak, enc, ops and oct
    // skipped (off-curve too: its point fails to parse), the others kept.
    let status = keys.status();
    let kids: Vec<_> = status
        .key_ids
        .iter()
        .flatten()
        .map(String::as_str)
        .collect();
    assert!(
        ["rsonly", "priv", "a1", "a3", "a4"]
            .iter()
            .all(|kid| kids.contains(kid)),
        "{kids:?}"
    );
    for skipped in ["foo", "bad-n", "short-x", "weak", "enc", "ops", "oct"] {
        assert!(!kids.contains(&skipped), "{skipped} in {kids:?}");
    }
    assert!(status.usable);
    assert_eq!(status.last_error, None);

    let verifier = verifier([keys]);
    let app = app(verifier.clone());
    for name in ["a1", "a3", "a4", "a1-no-kid", "priv"] {
        accepted(&call(&app, &token(name)).await, name);
    }
    let refusals = [
        ("weak", JwtErrorKind::UnknownKey),
        ("enc", JwtErrorKind::UnknownKey),
        ("ops", JwtErrorKind::UnknownKey),
        ("oct", JwtErrorKind::UnknownKey),
        ("a1-kid-case", JwtErrorKind::UnknownKey),
        ("a1-ps256", JwtErrorKind::Algorithm),
        ("rsonly-ps256", JwtErrorKind::Algorithm),
        ("a1-wrong-key", JwtErrorKind::BadSignature),
    ];
    for (name, kind) in refusals {
        refused(&call(&app, &token(name)).await, name);
        assert_eq!(reason(&verifier, name), Some(kind), "{name}");
    }
    // One fetch at start; the unknown kids above came within the cooldown
    // or caused at most one more.
    assert!(
        server.hits("/jwks") <= 2,
        "{} fetches",
        server.hits("/jwks")
    );
}

#[tokio::test]
async fn rotation_is_picked_up_without_restart() {
    const COOLDOWN: Duration = Duration::from_secs(1);
    let server = KeyServer::start().await;
    server.reply("/jwks", Reply::fixture("jwks-a.json"));
    let keys = issuer_a(server.url("/jwks"))
        .with_cooldown(COOLDOWN)
        .build()
        .unwrap();
    keys.ready().await.unwrap();
    let app = app(verifier([keys.clone()]));
    accepted(&call(&app, &token("a1")).await, "a1 before rotation");
    assert_eq!(server.hits("/jwks"), 1);

    // The issuer adds a2 and signs with it; the first token naming it
    // causes one fetch and is accepted.
    server.reply("/jwks", Reply::fixture("jwks-a-rotated.json"));
    tokio::time::sleep(COOLDOWN + ms(50)).await;
    accepted(&call(&app, &token("a2")).await, "a2 after rotation");
    assert_eq!(server.hits("/jwks"), 2);
    accepted(&call(&app, &token("a2")).await, "a2 again");
    assert_eq!(server.hits("/jwks"), 2, "known kid, no fetch");

    // a1 was withdrawn: its tokens are refused now, without another fetch
    // inside the cooldown.
    refused(&call(&app, &token("a1")).await, "a1 after rotation");
    assert_eq!(server.hits("/jwks"), 2);
    assert!(!keys.status().key_ids.contains(&Some("a1".to_owned())));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_kid_flood_causes_at_most_one_fetch_per_cooldown() {
    let server = KeyServer::start().await;
    // Slow enough that the flood piles up behind the one fetch.
    server.reply("/jwks", Reply::fixture("jwks-a.json").delayed(ms(100)));
    let keys = issuer_a(server.url("/jwks"))
        .with_cooldown(Duration::from_secs(1))
        .build()
        .unwrap();
    keys.ready().await.unwrap();
    let app = app(verifier([keys]));
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(server.hits("/jwks"), 1);

    let tokens = flood();
    assert_eq!(tokens.len(), 1000);
    let started = Instant::now();
    let mut requests = tokio::task::JoinSet::new();
    for token in tokens {
        let app = app.clone();
        requests.spawn(async move { call(&app, &token).await });
    }
    let valid = call(&app, &token("a1")).await;
    let mut answers = 0;
    while let Some(answer) = requests.join_next().await {
        refused(&answer.unwrap(), "flood token");
        answers += 1;
    }
    assert_eq!(answers, 1000);
    accepted(&valid, "a1 during the flood");
    let fetches = server.hits("/jwks") - 1;
    let cooldowns = started.elapsed().as_secs() + 1;
    assert!(
        fetches as u64 <= cooldowns,
        "{fetches} fetches in {cooldowns} cooldowns"
    );
    assert!(
        fetches >= 1,
        "an unknown kid past the cooldown fetches once"
    );
}

#[tokio::test]
async fn endpoint_down_at_start_then_up() {
    // Every connection closed unanswered.
    let server = KeyServer::start().await;
    server.reply("/jwks", Reply::fixture("jwks-a.json"));
    server.set_down(true);
    let keys = issuer_a(server.url("/jwks")).build().unwrap();
    let ready = keys.ready().await;
    assert_eq!(ready.map_err(|e| e.kind()), Err(JwksErrorKind::Transport));

    let app = app(verifier([keys.clone()]));
    let answer = call(&app, &token("a1")).await;
    unavailable(&answer, "no keys yet");
    assert_eq!(answer.headers["retry-after"], "1");
    let grpc = call_with(&app, &token("a1"), Some("application/grpc")).await;
    assert_eq!(grpc.status, StatusCode::OK);
    assert_eq!(grpc.headers["grpc-status"], "14");

    server.set_down(false);
    // The background retries once per cooldown; bounded wait.
    let mut answer = call(&app, &token("a1")).await;
    for _ in 0..40 {
        if answer.status == StatusCode::OK {
            break;
        }
        tokio::time::sleep(ms(50)).await;
        answer = call(&app, &token("a1")).await;
    }
    accepted(&answer, "after the endpoint came up");
    assert!(keys.ready().await.is_ok());
}

#[tokio::test]
async fn endpoint_going_down_keeps_stale_keys_for_max_stale() {
    let server = KeyServer::start().await;
    server.reply(
        "/jwks",
        Reply::fixture("jwks-a.json").header("cache-control", "max-age=1"),
    );
    let keys = issuer_a(server.url("/jwks"))
        .with_ttl_bounds(Duration::from_secs(1), Duration::from_secs(1))
        .with_max_stale(Duration::from_secs(3))
        .build()
        .unwrap();
    keys.ready().await.unwrap();
    let started = Instant::now();
    let app = app(verifier([keys.clone()]));
    server.set_down(true);

    // Past the lifetime, within the staleness: still served.
    tokio::time::sleep(Duration::from_millis(1300)).await;
    accepted(&call(&app, &token("a1")).await, "stale key");
    let status = keys.status();
    assert_eq!(
        status.last_error.map(|e| e.kind()),
        Some(JwksErrorKind::Transport)
    );
    assert!(status.usable);

    // Past lifetime and staleness: refused, 503, never accepted unchecked.
    let past = Duration::from_millis(4200).saturating_sub(started.elapsed());
    tokio::time::sleep(past).await;
    unavailable(&call(&app, &token("a1")).await, "keys too stale");
    assert!(!keys.status().usable);
}

#[tokio::test]
async fn slow_endpoint_is_bounded_by_the_timeout() {
    let server = KeyServer::start().await;
    server.reply(
        "/jwks",
        Reply::fixture("jwks-a.json").delayed(Duration::from_secs(30)),
    );
    let keys = issuer_a(server.url("/jwks")).build().unwrap();
    let app = app(verifier([keys.clone()]));

    let started = Instant::now();
    unavailable(&call(&app, &token("a1")).await, "slow endpoint");
    assert!(
        started.elapsed() < TIMEOUT + Duration::from_secs(1),
        "waited {:?}",
        started.elapsed()
    );
    assert_eq!(
        keys.ready().await.map_err(|e| e.kind()),
        Err(JwksErrorKind::Timeout)
    );
}

#[tokio::test]
async fn bad_answers_keep_the_last_good_keys() {
    let server = KeyServer::start().await;
    server.reply("/jwks", Reply::fixture("jwks-a.json"));
    let keys = issuer_a(server.url("/jwks"))
        .with_max_response_size(16 * 1024)
        .build()
        .unwrap();
    keys.ready().await.unwrap();
    let app = app(verifier([keys.clone()]));

    let big = format!(r#"{{"keys":[],"pad":"{}"}}"#, "x".repeat(1 << 20));
    let cases = [
        (
            "html",
            Reply::json("<html><body>maintenance</body></html>"),
            JwksErrorKind::Malformed,
        ),
        ("empty object", Reply::json("{}"), JwksErrorKind::Malformed),
        (
            "keys not an array",
            Reply::json(r#"{"keys":{}}"#),
            JwksErrorKind::Malformed,
        ),
        (
            "truncated",
            Reply::json(r#"{"keys":[{"kty":"RSA","n":"#),
            JwksErrorKind::Malformed,
        ),
        (
            "no keys",
            Reply::json(r#"{"keys":[]}"#),
            JwksErrorKind::NoUsableKeys,
        ),
        (
            "unknown types",
            Reply::json(r#"{"keys":[{"kty":"foo","kid":"a1"}]}"#),
            JwksErrorKind::NoUsableKeys,
        ),
        (
            "oversized",
            Reply::json(big.clone()),
            JwksErrorKind::TooLarge,
        ),
        (
            "oversized, chunked",
            Reply::json(big).chunked(),
            JwksErrorKind::TooLarge,
        ),
        ("server error", Reply::status(500), JwksErrorKind::Status),
        ("not found", Reply::status(404), JwksErrorKind::Status),
        (
            "redirect",
            Reply::status(302).header("location", server.url("/elsewhere")),
            JwksErrorKind::Status,
        ),
    ];
    server.reply("/elsewhere", Reply::fixture("jwks-a-rotated.json"));
    for (name, reply, kind) in cases {
        server.reply("/jwks", reply);
        let fetches = server.hits("/jwks");
        // Unknown kids past the cooldown fetch (so do background retries
        // after a failure); bounded wait for a failed fetch of this kind.
        let mut failed = false;
        for _ in 0..40 {
            refused(&call(&app, &token("a2")).await, name);
            let error = keys.status().last_error.map(|e| e.kind());
            if server.hits("/jwks") > fetches && error == Some(kind) {
                failed = true;
                break;
            }
            tokio::time::sleep(ms(50)).await;
        }
        assert!(failed, "{name}: {:?}", keys.status().last_error);
        assert!(keys.status().usable, "{name}");
        accepted(&call(&app, &token("a1")).await, name);
    }
    assert_eq!(server.hits("/elsewhere"), 0, "redirects are not followed");
}

#[tokio::test]
async fn garbage_at_start_is_unavailable_not_accepted() {
    let server = KeyServer::start().await;
    server.reply("/jwks", Reply::json("not json"));
    let keys = issuer_a(server.url("/jwks")).build().unwrap();
    assert_eq!(
        keys.ready().await.map_err(|e| e.kind()),
        Err(JwksErrorKind::Malformed)
    );
    let app = app(verifier([keys]));
    unavailable(&call(&app, &token("a1")).await, "garbage only");
}

#[tokio::test]
async fn discovery_at_the_issuer_finds_the_keys() {
    let server = KeyServer::start().await;
    let issuer = format!("http://{}", server.addr);
    server.reply(
        "/.well-known/openid-configuration",
        Reply::json(format!(
            r#"{{"issuer":"{issuer}","jwks_uri":"{}","response_types_supported":["code"]}}"#,
            server.url("/keys")
        )),
    );
    server.reply("/keys", Reply::fixture("jwks-a.json"));
    let keys = Jwks::discover(format!("{issuer}/")).build();
    // The issuer is compared byte for byte: a trailing slash is another issuer.
    let keys = keys.unwrap();
    assert_eq!(
        keys.ready().await.map_err(|e| e.kind()),
        Err(JwksErrorKind::IssuerMismatch)
    );
    assert_eq!(server.hits("/keys"), 0);

    let keys = Jwks::discover(issuer.as_str()).build().unwrap();
    keys.ready().await.expect("discovered keys");
    assert!(keys.status().key_ids.contains(&Some("a1".to_owned())));
    assert_eq!(server.hits("/keys"), 1);
}

#[tokio::test]
async fn discovery_verifies_tokens_and_refuses_another_issuer() {
    let server = KeyServer::start().await;
    let document = |issuer: &str, jwks_uri: &str| {
        Reply::json(format!(
            r#"{{"issuer":"{issuer}","jwks_uri":"{jwks_uri}"}}"#
        ))
    };
    server.reply("/good", document(ISSUER_A, &server.url("/jwks")));
    server.reply(
        "/other",
        document("https://attacker.example", &server.url("/jwks")),
    );
    server.reply("/plain", document(ISSUER_A, "http://keys.example.net/jwks"));
    server.reply("/jwks", Reply::fixture("jwks-a.json"));
    let discover = |path: &str| {
        Jwks::discover(ISSUER_A)
            .with_discovery_url(server.url(path))
            .with_cooldown(COOLDOWN)
            .with_timeout(TIMEOUT)
            .build()
            .unwrap()
    };

    let keys = discover("/good");
    keys.ready().await.unwrap();
    accepted(
        &call(&app(verifier([keys])), &token("a1")).await,
        "discovered",
    );
    assert_eq!(server.hits("/jwks"), 1);

    let keys = discover("/other");
    assert_eq!(
        keys.ready().await.map_err(|e| e.kind()),
        Err(JwksErrorKind::IssuerMismatch)
    );
    unavailable(
        &call(&app(verifier([keys])), &token("a1")).await,
        "mismatch",
    );

    let keys = discover("/plain");
    assert_eq!(
        keys.ready().await.map_err(|e| e.kind()),
        Err(JwksErrorKind::InsecureUrl)
    );
    assert_eq!(server.hits("/jwks"), 1, "no key set fetched for either");
}

#[tokio::test]
async fn etag_turns_refreshes_into_304s() {
    let server = KeyServer::start().await;
    server.reply(
        "/jwks",
        Reply::fixture("jwks-a.json")
            .with_etag("\"v1\"")
            .header("cache-control", "max-age=1"),
    );
    let keys = issuer_a(server.url("/jwks"))
        .with_ttl_bounds(Duration::from_secs(1), Duration::from_secs(60))
        .build()
        .unwrap();
    keys.ready().await.unwrap();
    let app = app(verifier([keys.clone()]));
    // The background refreshes at 3/4 of the second; bounded wait for it.
    for _ in 0..40 {
        if server.not_modified() > 0 {
            break;
        }
        tokio::time::sleep(ms(50)).await;
    }
    assert!(server.not_modified() >= 1, "no conditional refresh");
    let status = keys.status();
    assert_eq!(status.last_error, None);
    assert!(status.age.unwrap() < Duration::from_secs(1));
    accepted(&call(&app, &token("a1")).await, "after 304");
}

#[tokio::test]
async fn max_age_is_clamped_to_the_bounds() {
    let cases = [
        (Some("max-age=0"), 60),
        (Some("no-store"), 60),
        (Some("public, max-age=300"), 300),
        (Some("max-age=31536000"), 3600),
        (None, 600),
    ];
    let server = KeyServer::start().await;
    for (index, (cache_control, ttl)) in cases.into_iter().enumerate() {
        let path = format!("/jwks{index}");
        let mut reply = Reply::fixture("jwks-a.json");
        if let Some(value) = cache_control {
            reply = reply.header("cache-control", value);
        }
        server.reply(&path, reply);
        let keys = Jwks::from_url(server.url(&path), ISSUER_A).build().unwrap();
        keys.ready().await.unwrap();
        assert_eq!(
            keys.status().ttl,
            Some(Duration::from_secs(ttl)),
            "{cache_control:?}"
        );
    }
}

#[tokio::test]
async fn each_issuer_is_verified_with_its_own_keys() {
    let server = KeyServer::start().await;
    server.reply("/a", Reply::fixture("jwks-a.json"));
    server.reply("/b", Reply::fixture("jwks-b.json"));
    let a = issuer_a(server.url("/a")).build().unwrap();
    let b = Jwks::from_url(server.url("/b"), ISSUER_B)
        .with_cooldown(COOLDOWN)
        .build()
        .unwrap();
    a.ready().await.unwrap();
    b.ready().await.unwrap();
    let verifier = verifier([a, b]);
    let app = app(verifier.clone());

    accepted(&call(&app, &token("a1")).await, "issuer A");
    accepted(&call(&app, &token("b1")).await, "issuer B");
    // A's key never vouches for B's tokens (RFC 8725 §3.8).
    refused(&call(&app, &token("b-with-a1")).await, "b-with-a1");
    assert_eq!(
        reason(&verifier, "b-with-a1"),
        Some(JwtErrorKind::UnknownKey)
    );

    // An issuer not configured: refused, and nothing is fetched for it,
    // however long after the cooldown.
    tokio::time::sleep(COOLDOWN + ms(50)).await;
    let (hits_a, hits_b) = (server.hits("/a"), server.hits("/b"));
    refused(&call(&app, &token("c-with-a1")).await, "c-with-a1");
    assert_eq!((server.hits("/a"), server.hits("/b")), (hits_a, hits_b));
}

#[tokio::test]
async fn a_request_that_gives_up_does_not_cancel_the_fetch_for_others() {
    let server = KeyServer::start().await;
    server.reply("/jwks", Reply::fixture("jwks-a.json"));
    let keys = issuer_a(server.url("/jwks")).build().unwrap();
    keys.ready().await.unwrap();
    let app = app(verifier([keys]));
    server.reply("/jwks", Reply::fixture("jwks-a-both.json").delayed(ms(200)));
    tokio::time::sleep(COOLDOWN + ms(20)).await;

    let first = tokio::spawn({
        let app = app.clone();
        async move { call(&app, &token("a2")).await }
    });
    let second = tokio::spawn({
        let app = app.clone();
        async move { call(&app, &token("a2")).await }
    });
    tokio::time::sleep(ms(50)).await;
    first.abort(); // the client went away mid-fetch
    accepted(&second.await.unwrap(), "the one still waiting");
    assert_eq!(server.hits("/jwks"), 2);
}

#[tokio::test]
async fn configurations_that_cannot_work_are_refused() {
    let server = KeyServer::start().await;
    server.reply("/jwks", Reply::fixture("jwks-a.json"));
    let url = server.url("/jwks");
    let cases: [(&str, Result<Jwks, ConfigError>, ConfigError); 8] = [
        (
            "plain http to another host",
            Jwks::from_url("http://keys.example.net/jwks", ISSUER_A).build(),
            ConfigError::InvalidUrl,
        ),
        (
            "relative URL",
            Jwks::from_url("/jwks", ISSUER_A).build(),
            ConfigError::InvalidUrl,
        ),
        (
            "discovery of a plain http issuer",
            Jwks::discover("http://issuer.example.net").build(),
            ConfigError::InvalidUrl,
        ),
        (
            "empty issuer",
            Jwks::from_url(url.clone(), "").build(),
            ConfigError::EmptyIssuerOrAudience,
        ),
        (
            "zero timeout",
            Jwks::from_url(url.clone(), ISSUER_A)
                .with_timeout(Duration::ZERO)
                .build(),
            ConfigError::InvalidDuration,
        ),
        (
            "min ttl above max",
            Jwks::from_url(url.clone(), ISSUER_A)
                .with_ttl_bounds(Duration::from_secs(600), Duration::from_secs(60))
                .build(),
            ConfigError::InvalidDuration,
        ),
        (
            "staleness beyond a year",
            Jwks::from_url(url.clone(), ISSUER_A)
                .with_max_stale(Duration::MAX)
                .build(),
            ConfigError::InvalidDuration,
        ),
        (
            "zero size cap",
            Jwks::from_url(url.clone(), ISSUER_A)
                .with_max_response_size(0)
                .build(),
            ConfigError::ZeroMaxLength,
        ),
    ];
    for (name, built, expected) in cases {
        assert_eq!(built.err(), Some(expected), "{name}");
    }
    assert!(
        Jwks::from_url("http://keys.example.net/jwks", ISSUER_A)
            .with_plain_http()
            .build()
            .is_ok(),
        "plain http when allowed"
    );

    // The verifier: one source per issuer; configured keys never share an
    // issuer with fetched ones.
    let jwks = || Jwks::from_url(url.clone(), ISSUER_A).build().unwrap();
    let secret = || JwtKey::hmac([7; 32]).unwrap();
    let verifiers = [
        JwtVerifier::<AccessClaims>::builder()
            .with_jwks(jwks())
            .with_jwks(jwks()),
        JwtVerifier::builder().with_jwks(jwks()).with_key(secret()),
        JwtVerifier::builder()
            .with_jwks(jwks())
            .with_key(secret().with_issuer(ISSUER_A)),
    ];
    for builder in verifiers {
        let error = builder.with_audience(AUDIENCE).build().err();
        assert_eq!(error, Some(ConfigError::IssuerBinding));
    }
    // A configured key for another issuer is fine.
    JwtVerifier::<AccessClaims>::builder()
        .with_jwks(jwks())
        .with_issuer(ISSUER_B)
        .with_key(secret().with_issuer(ISSUER_B))
        .with_audience(AUDIENCE)
        .build()
        .expect("mixed issuers");
}

#[test]
fn building_outside_a_runtime_is_refused() {
    let built = Jwks::from_url("https://keys.example.net/jwks", ISSUER_A).build();
    assert_eq!(built.err(), Some(ConfigError::NoRuntime));
}

#[tokio::test]
async fn no_key_material_in_debug_or_errors() {
    let server = KeyServer::start().await;
    server.reply("/jwks", Reply::fixture("jwks-a.json"));
    let keys = issuer_a(server.url("/jwks")).build().unwrap();
    keys.ready().await.unwrap();
    let verifier = verifier([keys.clone()]);
    let set: serde_json::Value =
        serde_json::from_slice(&key_server::fixture("jwks-a.json")).unwrap();
    let outputs = [
        format!("{keys:?}"),
        format!("{verifier:?}"),
        format!("{:?}", keys.status()),
    ];
    for key in set["keys"].as_array().unwrap() {
        for member in ["n", "x", "y", "d", "k", "p", "q"] {
            let Some(value) = key[member].as_str() else {
                continue;
            };
            for output in &outputs {
                assert!(!output.contains(value), "{member} of {} leaked", key["kid"]);
            }
        }
    }
    assert!(outputs[0].contains("a1"), "kids are shown: {}", outputs[0]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_fetch_in_flight_however_many_requests_wait() {
    let server = KeyServer::start().await;
    server.reply("/jwks", Reply::fixture("jwks-a.json"));
    // A cooldown far shorter than the fetch: only the single flight keeps
    // the waiting requests from fetching one each.
    let keys = issuer_a(server.url("/jwks"))
        .with_cooldown(ms(20))
        .with_timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    keys.ready().await.unwrap();
    let app = app(verifier([keys]));
    server.reply(
        "/jwks",
        Reply::fixture("jwks-a-rotated.json").delayed(ms(500)),
    );
    tokio::time::sleep(ms(50)).await;
    let mut requests = tokio::task::JoinSet::new();
    for _ in 0..50 {
        let app = app.clone();
        requests.spawn(async move { call(&app, &token("a2")).await });
    }
    while let Some(answer) = requests.join_next().await {
        accepted(&answer.unwrap(), "a2 waiting on the shared fetch");
    }
    assert_eq!(
        server.hits("/jwks"),
        2,
        "one fetch for fifty waiting requests"
    );
}

#[tokio::test]
async fn a_key_without_kid_does_not_hide_a_rotation() {
    // Issuer A's set with a3 published without its kid: an unknown kid
    // falls back to it, fails, and must still fetch the new keys.
    let mut set: serde_json::Value =
        serde_json::from_slice(&key_server::fixture("jwks-a-both.json")).unwrap();
    let keys = set["keys"].as_array_mut().unwrap();
    keys.retain(|key| key["kid"] != "a2");
    for key in keys.iter_mut() {
        if key["kid"] == "a3" {
            key.as_object_mut().unwrap().remove("kid");
        }
    }
    let server = KeyServer::start().await;
    server.reply("/jwks", Reply::json(set.to_string()));
    let keys = issuer_a(server.url("/jwks")).build().unwrap();
    keys.ready().await.unwrap();
    let app = app(verifier([keys]));
    accepted(&call(&app, &token("a3")).await, "a3 by the key without kid");

    server.reply("/jwks", Reply::fixture("jwks-a-both.json"));
    tokio::time::sleep(COOLDOWN + ms(50)).await;
    accepted(&call(&app, &token("a2")).await, "a2 rotated in");
    assert_eq!(server.hits("/jwks"), 2);
}

#[test]
fn a_dropped_runtime_answers_unavailable_instead_of_hanging() {
    let serving = tokio::runtime::Runtime::new().unwrap();
    let server = serving.block_on(KeyServer::start());
    server.reply("/jwks", Reply::status(500));
    let gone = tokio::runtime::Runtime::new().unwrap();
    let keys = gone.block_on(async { issuer_a(server.url("/jwks")).build().unwrap() });
    drop(gone); // the runtime the key source was built on, and its tasks
    let app = app(verifier([keys]));
    let started = Instant::now();
    let answer = serving.block_on(call(&app, &token("a1")));
    unavailable(&answer, "runtime gone");
    assert!(started.elapsed() < TIMEOUT + Duration::from_secs(1));
}

/// Every `tracing` event the key source emits, as text: kids, counts,
/// URLs and reasons, never a key or a token.
#[cfg(feature = "tracing")]
#[tokio::test]
async fn tracing_events_carry_no_key_or_token() {
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Recorder(Arc<Mutex<Vec<String>>>);

    struct Fields<'a>(&'a mut String);

    impl tracing::field::Visit for Fields<'_> {
        fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
            self.0.push_str(&format!(" {}={value:?}", field.name()));
        }
    }

    impl tracing::Subscriber for Recorder {
        fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
            true
        }
        fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
            tracing::span::Id::from_u64(1)
        }
        fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
        fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
        fn event(&self, event: &tracing::Event<'_>) {
            let mut line = event.metadata().level().to_string();
            event.record(&mut Fields(&mut line));
            self.0.lock().unwrap().push(line);
        }
        fn enter(&self, _: &tracing::span::Id) {}
        fn exit(&self, _: &tracing::span::Id) {}
    }

    crate::support::let_scoped_subscribers_see_every_callsite();
    let recorder = Recorder::default();
    let _guard = tracing::subscriber::set_default(recorder.clone());
    let server = KeyServer::start().await;
    server.reply("/jwks", Reply::fixture("jwks-a.json"));
    let keys = issuer_a(server.url("/jwks")).build().unwrap();
    keys.ready().await.unwrap();
    let app = app(verifier([keys.clone()]));
    server.reply("/jwks", Reply::fixture("jwks-a-rotated.json"));
    tokio::time::sleep(COOLDOWN + ms(50)).await;
    accepted(&call(&app, &token("a2")).await, "a2");
    server.reply("/jwks", Reply::json("<html>"));
    tokio::time::sleep(COOLDOWN + ms(50)).await;
    refused(&call(&app, &token("a1-kid-case")).await, "unknown kid");

    let events = recorder.0.lock().unwrap().clone();
    let text = events.join("\n");
    for expected in [
        "key skipped",
        "kid=\"oct\"",
        "key set changed",
        "\"a2\"",
        "malformed response",
    ] {
        assert!(text.contains(expected), "no {expected:?} in:\n{text}");
    }
    let set: serde_json::Value =
        serde_json::from_slice(&key_server::fixture("jwks-a.json")).unwrap();
    let mut secrets: Vec<String> = ["a1", "a2", "a1-kid-case"].map(token).to_vec();
    for key in set["keys"].as_array().unwrap() {
        for member in ["n", "x", "y", "d", "k"] {
            if let Some(value) = key[member].as_str() {
                secrets.push(value.to_owned());
            }
        }
    }
    for secret in &secrets {
        // The first 16 characters: any logged part of a key or token.
        let head = &secret[..secret.len().min(16)];
        assert!(!text.contains(head), "{head} in the events:\n{text}");
    }
}
