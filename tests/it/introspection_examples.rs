//! End to end: the `introspection` example binary against an RFC 7662
//! endpoint on 127.0.0.1, configured as a user would. `cargo test` builds
//! the example before it runs this.

use crate::support;
use crate::support::example;
use crate::support::introspection_server as server;

use std::net::SocketAddr;

use example::start;
use serde_json::json;
use server::{Answer, CLIENT_ID, CLIENT_SECRET, IntrospectionServer};

async fn get(address: SocketAddr, path: &str, token: &str) -> support::RawResponse {
    let header = format!("Authorization: Bearer {token}");
    support::get(address, path, &[header.as_bytes()]).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)] // the endpoint answers while `start` blocks
async fn introspection_example_answers_as_the_endpoint_says() {
    let server = IntrospectionServer::start().await;
    let active = |sub: &str, scope: &str| {
        Answer::Json(json!({
            "active": true, "sub": sub, "scope": scope, "client_id": "web",
            "iss": "https://as.example.com", "aud": "my-api", "exp": 4_102_444_800_i64,
        }))
    };
    server.answer("reader-token-0123456789", active("alice", "read"));
    server.answer("admin-token-0123456789", active("root", "read admin"));
    let example = start(
        "introspection",
        &[
            ("INTROSPECTION_URL", server.url()),
            ("CLIENT_ID", CLIENT_ID.to_owned()),
            ("CLIENT_SECRET", CLIENT_SECRET.to_owned()),
            ("JWT_ISSUER", "https://as.example.com".to_owned()),
            ("JWT_AUDIENCE", "my-api".to_owned()),
        ],
        0,
    );

    let response = get(example.address, "/me", "reader-token-0123456789").await;
    assert_eq!(response.status, 200, "{}", response.body_text());
    let body: serde_json::Value = serde_json::from_slice(&response.body).unwrap();
    assert_eq!(
        body,
        json!({"sub": "alice", "username": null, "client_id": "web", "scope": "read", "exp": 4_102_444_800_i64})
    );
    // Cached: the second request is not introspected again.
    assert_eq!(
        get(example.address, "/me", "reader-token-0123456789")
            .await
            .status,
        200
    );
    assert_eq!(server.calls(), 1);

    let response = get(example.address, "/admin", "reader-token-0123456789").await;
    assert_eq!(response.status, 403);
    let response = get(example.address, "/admin", "admin-token-0123456789").await;
    assert_eq!(
        (response.status, response.body_text()),
        (200, "hello admin root\n".to_owned())
    );

    let response = get(example.address, "/me", "unknown-token-0123456789").await;
    assert_eq!(response.status, 401);
    assert_eq!(
        response.header("www-authenticate").as_deref(),
        Some(
            r#"Bearer realm="api", error="invalid_token", error_description="the access token is invalid""#
        )
    );
    let response = support::get(example.address, "/public", &[]).await;
    assert_eq!(response.status, 200);
}
