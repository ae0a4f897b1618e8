//! End to end: the `oidc` example binary, configured by `JWKS_URL` or
//! `OIDC_ISSUER` against a key server on 127.0.0.1, answering PyJWT's
//! tokens. `cargo test` builds the example before it runs this.

use crate::support;
use crate::support::{example, key_server};

use std::net::SocketAddr;

use example::start;
use key_server::{AUDIENCE, ISSUER_A, KeyServer, Reply, token};

async fn me(address: SocketAddr, token: &str) -> support::RawResponse {
    let header = format!("Authorization: Bearer {token}");
    support::get(address, "/me", &[header.as_bytes()]).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)] // the key server answers while `start` blocks
async fn oidc_example_with_a_jwks_url() {
    let server = KeyServer::start().await;
    server.reply("/jwks", Reply::fixture("jwks-a.json"));
    let example = start(
        "oidc",
        &[
            ("JWKS_URL", server.url("/jwks")),
            ("JWT_ISSUER", ISSUER_A.to_owned()),
            ("JWT_AUDIENCE", AUDIENCE.to_owned()),
            ("JWT_PROFILE", "rfc9068".to_owned()),
        ],
        0,
    );
    assert!(
        example
            .output
            .iter()
            .any(|line| line.contains("keys of https://a.issuer.example fetched")),
        "{:?}",
        example.output
    );

    let response = me(example.address, &token("a1")).await;
    assert_eq!(response.status, 200, "{}", response.body_text());
    let claims: serde_json::Value = serde_json::from_slice(&response.body).unwrap();
    assert_eq!(claims["sub"], "alice");
    assert_eq!(claims["iss"], ISSUER_A);
    assert_eq!(claims["client_id"], "client-1");

    let response = me(example.address, &token("b-with-a1")).await;
    assert_eq!(response.status, 401);
    assert_eq!(
        response.header("www-authenticate").as_deref(),
        Some(
            r#"Bearer realm="api", error="invalid_token", error_description="the access token is invalid""#
        )
    );
    let response = support::get(
        example.address,
        "/admin",
        &[format!("Authorization: Bearer {}", token("a3")).as_bytes()],
    )
    .await;
    assert_eq!(response.status, 403);
    assert_eq!(server.hits("/jwks"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)] // the key server answers while `start` blocks
async fn oidc_example_by_discovery() {
    let server = KeyServer::start().await;
    let issuer = format!("http://{}", server.addr);
    server.reply(
        "/.well-known/openid-configuration",
        Reply::json(format!(
            r#"{{"issuer":"{issuer}","jwks_uri":"{}"}}"#,
            server.url("/keys")
        )),
    );
    server.reply("/keys", Reply::fixture("jwks-a.json"));
    let example = start(
        "oidc",
        &[
            ("OIDC_ISSUER", issuer.clone()),
            ("JWT_AUDIENCE", AUDIENCE.to_owned()),
        ],
        0,
    );
    let fetched = format!("keys of {issuer} fetched");
    let line = example.output.iter().find(|line| line.contains(&fetched));
    assert!(
        line.is_some_and(|line| line.contains(r#"Some("a1")"#)),
        "{:?}",
        example.output
    );
    assert_eq!(server.hits("/.well-known/openid-configuration"), 1);
    assert_eq!(server.hits("/keys"), 1);
    // Issuer A's token is not this issuer's.
    assert_eq!(me(example.address, &token("a1")).await.status, 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)] // the key server answers while `start` blocks
async fn oidc_example_starts_without_keys_and_answers_503() {
    let server = KeyServer::start().await;
    server.reply("/jwks", Reply::status(503));
    let example = start(
        "oidc",
        &[
            ("JWKS_URL", server.url("/jwks")),
            ("JWT_ISSUER", ISSUER_A.to_owned()),
            ("JWT_AUDIENCE", AUDIENCE.to_owned()),
        ],
        0,
    );
    assert!(
        example
            .output
            .iter()
            .any(|line| line.contains("not available yet (unexpected status 503)")),
        "{:?}",
        example.output
    );
    let response = me(example.address, &token("a1")).await;
    assert_eq!(response.status, 503);
    assert_eq!(response.header("retry-after").as_deref(), Some("30"));
    assert_eq!(
        response.header("www-authenticate").as_deref(),
        Some(r#"Bearer realm="api""#)
    );
}

#[test]
fn oidc_example_refuses_a_jwks_url_without_issuer() {
    let output = std::process::Command::new(example::example_path("oidc"))
        .env_remove("OIDC_ISSUER")
        .env_remove("JWT_ISSUER")
        .env("JWKS_URL", "https://keys.example.net/jwks")
        .output()
        .expect("run the example");
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("JWKS_URL needs JWT_ISSUER"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
