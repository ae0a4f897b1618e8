//! `IntrospectionVerifier` against a real RFC 7662 endpoint on 127.0.0.1:
//! the request it sends, the answers it accepts and refuses, the faults
//! that answer 503, and, behind `CachedVerifier`, answers reused until
//! their `exp` and one call for many concurrent requests.

use crate::support::app;
use crate::support::introspection_server as server;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use app::{app, call};
use http::StatusCode;
use serde_json::json;
use server::{Answer, CLIENT_ID, CLIENT_SECRET, IntrospectionServer};
use tower_bearer_auth::ConfigError;
use tower_bearer_auth::cache::CachedVerifier;
use tower_bearer_auth::introspection::{IntrospectionVerifier, IntrospectionVerifierBuilder};

const ISSUER: &str = "https://as.example.com";
const AUDIENCE: &str = "https://api.example.com";
/// A token with every b64token character a form body must escape.
const TOKEN: &str = "opaque-AbC.12_~+/xyz==";

/// The longest any request in these tests may take.
const DEADLINE: Duration = Duration::from_secs(10);

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
        .try_into()
        .unwrap()
}

fn active(sub: &str, scope: &str) -> Answer {
    Answer::Json(json!({
        "active": true,
        "sub": sub,
        "scope": scope,
        "client_id": "web",
        "iss": ISSUER,
        "aud": AUDIENCE,
        "exp": now() + 3600,
        "jti": format!("jti-{sub}"),
        "token_type": "Bearer",
    }))
}

fn builder(server: &IntrospectionServer) -> IntrospectionVerifierBuilder {
    IntrospectionVerifier::builder(server.url())
        .with_client_secret_basic(CLIENT_ID, CLIENT_SECRET)
        .with_issuer(ISSUER)
        .with_audience(AUDIENCE)
}

async fn bounded<T>(future: impl Future<Output = T>) -> T {
    tokio::time::timeout(DEADLINE, future)
        .await
        .expect("answered within the deadline")
}

#[tokio::test]
async fn the_request_is_an_authenticated_rfc7662_form_post() {
    let server = IntrospectionServer::start().await;
    server.answer(TOKEN, active("alice", "read"));
    let app = app(builder(&server).build().unwrap());

    let answer = call(&app, "/me", TOKEN).await;
    assert_eq!(
        (answer.status, answer.body.as_str()),
        (StatusCode::OK, "alice")
    );
    let seen = server.last();
    assert_eq!(seen.method, "POST");
    assert_eq!(
        seen.content_type.as_deref(),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(seen.accept.as_deref(), Some("application/json"));
    assert_eq!(
        seen.body,
        "token=opaque-AbC.12_%7E%2B%2Fxyz%3D%3D&token_type_hint=access_token"
    );
    assert_eq!(seen.token.as_deref(), Some(TOKEN));
    // base64("api:s3cret%3Awith%2Fodd%2Bchars"), RFC 6749 §2.3.1.
    assert_eq!(
        seen.authorization.as_deref(),
        Some("Basic YXBpOnMzY3JldCUzQXdpdGglMkZvZGQlMkJjaGFycw==")
    );

    let post = IntrospectionVerifier::builder(server.url())
        .with_client_secret_post(CLIENT_ID, CLIENT_SECRET)
        .with_audience(AUDIENCE)
        .build()
        .unwrap();
    let answer = call(&app::app(post), "/me", TOKEN).await;
    assert_eq!(
        (answer.status, answer.body.as_str()),
        (StatusCode::OK, "alice")
    );
    let seen = server.last();
    assert_eq!(seen.authorization, None);
    assert_eq!(
        seen.body,
        "token=opaque-AbC.12_%7E%2B%2Fxyz%3D%3D&token_type_hint=access_token\
         &client_id=api&client_secret=s3cret%3Awith%2Fodd%2Bchars"
    );
}

#[tokio::test]
async fn only_an_active_answer_that_passes_the_checks_is_accepted() {
    let server = IntrospectionServer::start().await;
    let app = app(builder(&server).build().unwrap());
    let with = |changes: serde_json::Value| {
        let Answer::Json(mut body) = active("bob", "read") else {
            unreachable!()
        };
        for (name, value) in changes.as_object().unwrap() {
            body[name] = value.clone();
        }
        Answer::Json(body)
    };
    let invalid = r#"Bearer realm="api", error="invalid_token", error_description="the access token is invalid""#;
    let expired = r#"Bearer realm="api", error="invalid_token", error_description="the access token expired""#;
    let cases = [
        ("active", active("bob", "read"), StatusCode::OK, ""),
        (
            "inactive",
            Answer::Json(json!({"active": false})),
            StatusCode::UNAUTHORIZED,
            invalid,
        ),
        (
            "active as a string",
            with(json!({"active": "true"})),
            StatusCode::UNAUTHORIZED,
            invalid,
        ),
        (
            "no active",
            Answer::Json(json!({"sub": "bob", "aud": AUDIENCE, "iss": ISSUER})),
            StatusCode::UNAUTHORIZED,
            invalid,
        ),
        (
            "expired exp",
            with(json!({"exp": now() - 10})),
            StatusCode::UNAUTHORIZED,
            expired,
        ),
        (
            "exp just past, within the default leeway",
            with(json!({"exp": now() - 1})),
            StatusCode::UNAUTHORIZED,
            expired,
        ),
        (
            "wrong aud",
            with(json!({"aud": "https://other.example.com"})),
            StatusCode::UNAUTHORIZED,
            invalid,
        ),
        (
            "wrong iss",
            with(json!({"iss": "https://evil.example.com"})),
            StatusCode::UNAUTHORIZED,
            invalid,
        ),
        (
            "nbf ahead",
            with(json!({"nbf": now() + 600})),
            StatusCode::UNAUTHORIZED,
            invalid,
        ),
        (
            "DPoP token",
            with(json!({"token_type": "DPoP"})),
            StatusCode::UNAUTHORIZED,
            invalid,
        ),
        (
            "bound token",
            with(json!({"cnf": {"jkt": "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"}})),
            StatusCode::UNAUTHORIZED,
            invalid,
        ),
    ];
    for (index, (name, answer, status, challenge)) in cases.into_iter().enumerate() {
        let token = format!("case-{index}-token");
        server.answer(&token, answer);
        let answer = bounded(call(&app, "/me", &token)).await;
        assert_eq!(answer.status, status, "{name}");
        assert_eq!(answer.challenge(), challenge, "{name}");
        if status == StatusCode::OK {
            assert_eq!(answer.body, "bob", "{name}");
        }
        assert!(!answer.body.contains(&token), "{name}: token echoed");
    }
    assert_eq!(server.calls(), 11);

    server.answer("reader", active("carol", "read"));
    server.answer("admin", active("root", "read admin"));
    let answer = call(&app, "/admin", "reader").await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert!(
        answer.challenge().contains(r#"scope="admin""#),
        "{}",
        answer.challenge()
    );
    let answer = call(&app, "/admin", "admin").await;
    assert_eq!(
        (answer.status, answer.body.as_str()),
        (StatusCode::OK, "root")
    );
    // Only SP delimits scopes (RFC 6749 §3.3): a tab, a line feed or a
    // carriage return joins `read` and `admin` into one scope that grants
    // nothing.
    for (index, scope) in ["read\tadmin", "read\nadmin", "read\radmin"]
        .into_iter()
        .enumerate()
    {
        let token = format!("joined-{index}-token");
        server.answer(&token, active("mallory", scope));
        assert_eq!(
            call(&app, "/me", &token).await.status,
            StatusCode::OK,
            "{scope:?}"
        );
        let answer = call(&app, "/admin", &token).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{scope:?}");
        assert!(answer.challenge().contains(r#"scope="admin""#), "{scope:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endpoint_that_cannot_answer_gives_503_never_401() {
    let server = IntrospectionServer::start().await;
    let verifier = builder(&server)
        .with_timeout(Duration::from_millis(300))
        .with_max_response_size(1024)
        .build()
        .unwrap();
    let app = app(CachedVerifier::new(verifier));
    let cases = [
        ("500", Answer::Status(500)),
        ("404", Answer::Status(404)),
        ("redirect", Answer::Status(302)),
        (
            "html",
            Answer::Raw(b"<html><body>Sign in</body></html>".to_vec()),
        ),
        ("empty", Answer::Raw(Vec::new())),
        (
            "too large",
            Answer::Json(json!({"active": true, "pad": "x".repeat(2000)})),
        ),
    ];
    for (name, answer) in cases {
        let token = format!("fault-{name}").replace(' ', "-");
        server.answer(&token, answer);
        let answer = bounded(call(&app, "/me", &token)).await;
        assert_eq!(answer.status, StatusCode::SERVICE_UNAVAILABLE, "{name}");
        assert_eq!(
            answer.challenge(),
            r#"Bearer realm="api""#,
            "{name}: no error code"
        );
        assert!(answer.headers.contains_key("retry-after"), "{name}");
    }

    // Slow: the timeout answers, long before the endpoint would.
    server.answer("slow-token", active("dave", "read"));
    server.delay(Duration::from_secs(5));
    let answer = bounded(call(&app, "/me", "slow-token")).await;
    assert_eq!(answer.status, StatusCode::SERVICE_UNAVAILABLE);
    server.delay(Duration::ZERO);

    // A fault is never remembered: the same token passes once the endpoint answers.
    let calls = server.calls();
    let answer = call(&app, "/me", "slow-token").await;
    assert_eq!(
        (answer.status, answer.body.as_str()),
        (StatusCode::OK, "dave")
    );
    assert_eq!(server.calls(), calls + 1);

    // Wrong client credentials: the endpoint answers 401, which is the
    // resource server's fault, not the token's.
    let wrong = IntrospectionVerifier::builder(server.url())
        .with_client_secret_basic(CLIENT_ID, "not-the-secret")
        .with_audience(AUDIENCE)
        .build()
        .unwrap();
    let answer = call(&app::app(wrong), "/me", "slow-token").await;
    assert_eq!(answer.status, StatusCode::SERVICE_UNAVAILABLE);

    // Down: nothing listens on the port any more.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/introspect", closed.local_addr().unwrap());
    drop(closed);
    let down = IntrospectionVerifier::builder(url)
        .with_client_secret_basic(CLIENT_ID, CLIENT_SECRET)
        .with_audience(AUDIENCE)
        .build()
        .unwrap();
    let answer = bounded(call(&app::app(down), "/me", "slow-token")).await;
    assert_eq!(answer.status, StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cached_answers_are_reused_until_their_exp() {
    let server = IntrospectionServer::start().await;
    let cached = CachedVerifier::new(builder(&server).build().unwrap());
    let app = app(cached.clone());

    // exp two seconds ahead: served from memory until then, asked again after.
    let exp = now() + 2;
    let Answer::Json(mut body) = active("erin", "read") else {
        unreachable!()
    };
    body["exp"] = json!(exp);
    server.answer("short-lived", Answer::Json(body));
    for _ in 0..5 {
        let answer = call(&app, "/me", "short-lived").await;
        assert_eq!(
            (answer.status, answer.body.as_str()),
            (StatusCode::OK, "erin")
        );
    }
    assert_eq!(server.calls(), 1, "one introspection for five requests");
    let exp_time = UNIX_EPOCH + Duration::from_secs(exp.try_into().unwrap());
    let wait = exp_time
        .duration_since(SystemTime::now())
        .unwrap_or_default();
    tokio::time::sleep(wait + Duration::from_millis(100)).await;
    let answer = call(&app, "/me", "short-lived").await;
    assert_eq!(
        answer.status,
        StatusCode::UNAUTHORIZED,
        "expired at the endpoint's word"
    );
    assert_eq!(server.calls(), 2, "the cached answer ended at exp");

    // Without exp, the cache's maximum age ends the answer.
    let cached = CachedVerifier::builder(builder(&server).build().unwrap())
        .with_max_age(Duration::from_millis(300))
        .build()
        .unwrap();
    let app = app::app(cached);
    let Answer::Json(mut body) = active("frank", "read") else {
        unreachable!()
    };
    body.as_object_mut().unwrap().remove("exp");
    server.answer("no-exp", Answer::Json(body));
    let calls = server.calls();
    assert_eq!(call(&app, "/me", "no-exp").await.status, StatusCode::OK);
    assert_eq!(call(&app, "/me", "no-exp").await.status, StatusCode::OK);
    assert_eq!(server.calls(), calls + 1);
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(call(&app, "/me", "no-exp").await.status, StatusCode::OK);
    assert_eq!(
        server.calls(),
        calls + 2,
        "asked again after the maximum age"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_requests_with_one_new_token_make_one_call() {
    let server = IntrospectionServer::start().await;
    server.delay(Duration::from_millis(200));
    server.answer("popular", active("grace", "read"));
    let app = app(CachedVerifier::new(builder(&server).build().unwrap()));

    for (token, status, calls) in [
        ("popular", StatusCode::OK, 1),
        ("unknown", StatusCode::UNAUTHORIZED, 2),
    ] {
        let requests: Vec<_> = (0..1000)
            .map(|_| {
                let app = app.clone();
                tokio::spawn(async move { call(&app, "/me", token).await.status })
            })
            .collect();
        for request in requests {
            assert_eq!(bounded(request).await.unwrap(), status, "{token}");
        }
        assert_eq!(server.calls(), calls, "{token}: one introspection");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_new_tokens_reaches_the_endpoint_a_few_at_a_time() {
    let server = IntrospectionServer::start().await;
    server.delay(Duration::from_millis(100));
    let verifier = builder(&server)
        .with_max_concurrent(2)
        .with_timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let app = app(CachedVerifier::new(verifier));
    let requests: Vec<_> = (0..8)
        .map(|index| {
            let app = app.clone();
            tokio::spawn(
                async move { call(&app, "/me", &format!("invented-{index}")).await.status },
            )
        })
        .collect();
    for request in requests {
        assert_eq!(bounded(request).await.unwrap(), StatusCode::UNAUTHORIZED);
    }
    assert_eq!(server.calls(), 8);
    assert!(
        server.max_in_flight() <= 2,
        "{} at once",
        server.max_in_flight()
    );
}

#[tokio::test]
async fn an_absurd_token_never_reaches_the_endpoint() {
    let server = IntrospectionServer::start().await;
    let app = app(builder(&server).build().unwrap());
    let answer = call(&app, "/me", &"a".repeat(64 * 1024)).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(server.calls(), 0);
}

#[tokio::test]
async fn the_configuration_is_checked_when_built_and_never_shows_the_secret() {
    let server = IntrospectionServer::start().await;
    let refused = |builder: IntrospectionVerifierBuilder| builder.build().unwrap_err();
    let base = || IntrospectionVerifier::builder(server.url());
    assert_eq!(
        refused(base().with_audience(AUDIENCE)),
        ConfigError::NoClientAuthentication
    );
    assert_eq!(
        refused(
            base()
                .with_client_secret_basic("", "x")
                .with_audience(AUDIENCE)
        ),
        ConfigError::NoClientAuthentication
    );
    assert_eq!(
        refused(base().with_client_secret_basic(CLIENT_ID, CLIENT_SECRET)),
        ConfigError::NoAudience
    );
    for url in [
        "http://as.example.com/introspect",
        "https://api:secret@as.example.com/introspect",
        "as.example.com/introspect",
    ] {
        let builder = IntrospectionVerifier::builder(url)
            .with_client_secret_basic(CLIENT_ID, CLIENT_SECRET)
            .with_audience(AUDIENCE);
        assert_eq!(refused(builder), ConfigError::InvalidUrl, "{url}");
    }
    assert_eq!(
        refused(builder(&server).with_timeout(Duration::ZERO)),
        ConfigError::InvalidDuration
    );
    assert_eq!(
        refused(builder(&server).with_max_concurrent(0)),
        ConfigError::ZeroCapacity
    );

    let unbuilt = builder(&server);
    let verifier = builder(&server).build().unwrap();
    for debug in [format!("{unbuilt:?}"), format!("{verifier:?}")] {
        assert!(debug.contains(CLIENT_ID), "{debug}");
        assert!(
            !debug.contains("s3cret") && !debug.contains("YXBp"),
            "{debug}"
        );
    }
}
