//! `test_util::TestIssuer` as an application's tests use it: the discovery
//! document and JWK Set it serves on 127.0.0.1, its tokens through an axum
//! router behind a verifier that found its keys by discovery, each refusal
//! with its answer, two issuers apart, nothing of the key in `Debug`, and
//! the server gone with the issuer.

use crate::support::{DEADLINE, get};

use axum::body::Body;
use axum::routing::get as route_get;
use axum::{Json, Router};
use http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio::task::JoinSet;
use tower::ServiceExt;
use tower_bearer_auth::axum::Claims;
use tower_bearer_auth::jwt::jsonwebtoken;
use tower_bearer_auth::jwt::{AccessClaims, JwtProfile, JwtVerifier};
use tower_bearer_auth::test_util::{TestIssuer, TokenBuilder};
use tower_bearer_auth::{AuthError, BearerAuthLayer, ErrorKind};

const AUDIENCE: &str = "https://api.example.com";

async fn start() -> TestIssuer {
    tokio::time::timeout(DEADLINE, TestIssuer::start())
        .await
        .expect("started within the deadline")
        .expect("a test issuer")
}

/// `/me` answers the claims the handler saw, as JSON.
fn app(verifier: JwtVerifier) -> Router {
    Router::new()
        .route(
            "/me",
            route_get(|Claims(claims): Claims<AccessClaims>| async move { Json(claims) }),
        )
        .route_layer(BearerAuthLayer::new(verifier))
}

fn verifier(issuer: &TestIssuer) -> JwtVerifier {
    issuer
        .verifier()
        .with_audience(AUDIENCE)
        .build()
        .expect("a verifier")
}

struct Answer {
    status: StatusCode,
    challenge: Option<String>,
    refusal: Option<ErrorKind>,
    body: Vec<u8>,
}

async fn call(app: &Router, token: &str) -> Answer {
    let request = Request::get("/me")
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let response = tokio::time::timeout(DEADLINE, app.clone().oneshot(request))
        .await
        .expect("answered within the deadline")
        .unwrap();
    let challenge = response
        .headers()
        .get("www-authenticate")
        .map(|value| value.to_str().unwrap().to_owned());
    let refusal = response
        .extensions()
        .get::<AuthError>()
        .map(AuthError::kind);
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    Answer {
        status,
        challenge,
        refusal,
        body: body.to_vec(),
    }
}

fn alice(issuer: &TestIssuer) -> TokenBuilder {
    issuer
        .token()
        .subject("alice")
        .audience(AUDIENCE)
        .scopes(["read", "write"])
        .claim("roles", json!(["admin"]))
}

#[tokio::test]
async fn it_serves_discovery_and_the_key_set_on_127_0_0_1() {
    let issuer = start().await;
    let addr = issuer.local_addr();
    assert!(addr.ip().is_loopback() && addr.is_ipv4(), "{addr}");
    assert_eq!(issuer.issuer(), format!("http://127.0.0.1:{}", addr.port()));

    let discovery = get(addr, "/.well-known/openid-configuration", &[]).await;
    assert_eq!(discovery.status, 200);
    assert_eq!(
        discovery.header("content-type").as_deref(),
        Some("application/json")
    );
    let document: Value = serde_json::from_slice(&discovery.body).expect("JSON");
    assert_eq!(document["issuer"], issuer.issuer());
    assert_eq!(document["jwks_uri"], issuer.jwks_url());
    assert_eq!(
        issuer.discovery_url(),
        format!("{}/.well-known/openid-configuration", issuer.issuer())
    );

    let path = issuer.jwks_url().replace(issuer.issuer(), "");
    let key_set = get(addr, &path, &[]).await;
    assert_eq!(key_set.status, 200);
    assert_eq!(
        key_set.header("content-type").as_deref(),
        Some("application/jwk-set+json")
    );
    let document: Value = serde_json::from_slice(&key_set.body).expect("JSON");
    let keys = document["keys"].as_array().expect("keys");
    assert_eq!(keys.len(), 1, "{document}");
    let key = keys[0].as_object().expect("a JWK");
    let mut members: Vec<&str> = key.keys().map(String::as_str).collect();
    members.sort_unstable();
    // The public key only: no `d`.
    assert_eq!(members, ["alg", "crv", "kid", "kty", "use", "x"]);
    assert_eq!(key["kty"], "OKP");
    assert_eq!(key["crv"], "Ed25519");
    assert_eq!(key["alg"], "EdDSA");
    assert_eq!(key["use"], "sig");
    assert_eq!(key["kid"], issuer.kid());

    assert_eq!(get(addr, "/elsewhere", &[]).await.status, 404);
    // The verifier's keys came that way, over HTTP.
    let status = issuer.jwks().status();
    assert!(status.fetches >= 1 && status.usable, "{status:?}");
    assert_eq!(status.key_ids, [Some(issuer.kid().to_owned())]);
}

#[tokio::test]
async fn a_valid_token_is_accepted_and_the_handler_sees_its_claims() {
    let issuer = start().await;
    let token = alice(&issuer).sign();
    let header = jsonwebtoken::decode_header(&token).expect("a JWT");
    assert_eq!(header.alg, jsonwebtoken::Algorithm::EdDSA);
    assert_eq!(header.typ.as_deref(), Some("at+jwt"));
    assert_eq!(header.kid.as_deref(), Some(issuer.kid()));

    let app = app(verifier(&issuer));
    let answer = call(&app, &token).await;
    assert_eq!(answer.status, StatusCode::OK);
    let seen: Value = serde_json::from_slice(&answer.body).expect("the claims");
    assert_eq!(seen["iss"], issuer.issuer());
    assert_eq!(seen["sub"], "alice");
    assert_eq!(seen["aud"], AUDIENCE);
    assert_eq!(seen["scope"], "read write");
    assert_eq!(seen["roles"], json!(["admin"]));
    assert_eq!(seen["client_id"], "test-client");
    let (iat, exp) = (seen["iat"].as_u64().unwrap(), seen["exp"].as_u64().unwrap());
    assert_eq!(exp - iat, 300, "five minutes");
    assert!(seen["jti"].is_string());

    // Each token signed gets its own `jti`, clones of one builder included.
    let base = alice(&issuer);
    let mut jtis = Vec::new();
    for token in [base.clone().sign(), base.sign()] {
        let answer = call(&app, &token).await;
        let seen: Value = serde_json::from_slice(&answer.body).expect("the claims");
        jtis.push(seen["jti"].as_str().expect("a jti").to_owned());
    }
    assert_ne!(jtis[0], jtis[1]);
}

#[tokio::test]
async fn the_rfc_9068_profile_accepts_its_tokens_and_checks_the_type() {
    let issuer = start().await;
    let strict = issuer
        .verifier()
        .with_audience(AUDIENCE)
        .with_profile(JwtProfile::Rfc9068)
        .build()
        .expect("an RFC 9068 verifier");
    let app = app(strict);
    assert_eq!(
        call(&app, &alice(&issuer).sign()).await.status,
        StatusCode::OK
    );
    for (name, token) in [
        ("typ JWT", alice(&issuer).typ("JWT")),
        ("no typ", alice(&issuer).without_typ()),
        ("no jti", alice(&issuer).without_claim("jti")),
        ("no client_id", alice(&issuer).without_claim("client_id")),
    ] {
        let answer = call(&app, &token.sign()).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{name}");
    }
}

#[tokio::test]
async fn refused_tokens_are_401_with_the_challenge() {
    let issuer = start().await;
    let app = app(verifier(&issuer));
    let cases = [
        ("expired", alice(&issuer).expired(), ErrorKind::Expired),
        (
            "another audience",
            alice(&issuer).audience("https://other.example.com"),
            ErrorKind::InvalidToken,
        ),
        (
            "no audience",
            alice(&issuer).without_claim("aud"),
            ErrorKind::InvalidToken,
        ),
        (
            "another key",
            alice(&issuer).signed_by_another_key(),
            ErrorKind::InvalidToken,
        ),
        (
            "another issuer",
            alice(&issuer).issuer("https://login.example.com"),
            ErrorKind::InvalidToken,
        ),
        (
            "no exp",
            alice(&issuer).without_claim("exp"),
            ErrorKind::InvalidToken,
        ),
        (
            "another type",
            alice(&issuer).typ("dpop+jwt"),
            ErrorKind::InvalidToken,
        ),
    ];
    for (name, token, kind) in cases {
        let answer = call(&app, &token.sign()).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{name}");
        assert_eq!(answer.refusal, Some(kind), "{name}");
        let challenge = answer.challenge.unwrap_or_default();
        assert!(
            challenge.starts_with(r#"Bearer realm="api", error="invalid_token""#),
            "{name}: {challenge}"
        );
    }
    // The same builder, unspoilt, is accepted: the refusals were the presets'.
    assert_eq!(
        call(&app, &alice(&issuer).sign()).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn two_issuers_do_not_accept_each_others_tokens() {
    let (one, two) = tokio::join!(start(), start());
    assert_ne!(one.issuer(), two.issuer());
    assert_ne!(one.kid(), two.kid());
    let (app_one, app_two) = (app(verifier(&one)), app(verifier(&two)));

    assert_eq!(
        call(&app_one, &alice(&one).sign()).await.status,
        StatusCode::OK
    );
    assert_eq!(
        call(&app_two, &alice(&two).sign()).await.status,
        StatusCode::OK
    );
    assert_eq!(
        call(&app_one, &alice(&two).sign()).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        call(&app_two, &alice(&one).sign()).await.status,
        StatusCode::UNAUTHORIZED
    );
    // Claiming the other's issuer does not help: its key is not that issuer's.
    let impostor = alice(&two).issuer(one.issuer()).sign();
    let answer = call(&app_one, &impostor).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(answer.refusal, Some(ErrorKind::InvalidToken));
}

#[tokio::test]
async fn debug_shows_no_key() {
    let issuer = start().await;
    assert_eq!(
        format!("{issuer:?}"),
        format!(
            r#"TestIssuer {{ issuer: "{}", kid: "{}", alg: EdDSA, .. }}"#,
            issuer.issuer(),
            issuer.kid()
        )
    );
    let builder = issuer.token().signed_by_another_key();
    let shown = format!("{builder:?}");
    assert!(shown.starts_with("TokenBuilder { claims: {"), "{shown}");
    assert!(
        shown.ends_with(r#"typ: Some("at+jwt"), key: "another" }"#),
        "{shown}"
    );
    assert!(!shown.contains("EncodingKey"), "{shown}");
}

#[tokio::test]
async fn many_connections_at_once_are_all_answered() {
    let issuer = start().await;
    let addr = issuer.local_addr();
    let mut calls = JoinSet::new();
    for _ in 0..80 {
        calls.spawn(async move { get(addr, "/.well-known/jwks.json", &[]).await.status });
    }
    let mut answered = 0;
    while let Some(status) = calls.join_next().await {
        assert_eq!(status.expect("a call"), 200);
        answered += 1;
    }
    assert_eq!(answered, 80);
}

#[tokio::test]
async fn dropping_the_issuer_stops_its_server() {
    let issuer = start().await;
    let addr = issuer.local_addr();
    assert_eq!(get(addr, "/.well-known/jwks.json", &[]).await.status, 200);
    drop(issuer);
    // The aborted server task is dropped when the runtime next runs it.
    let mut refused = false;
    for _ in 0..100 {
        tokio::task::yield_now().await;
        if TcpStream::connect(addr).await.is_err() {
            refused = true;
            break;
        }
    }
    assert!(refused, "{addr} still accepts connections");
}
