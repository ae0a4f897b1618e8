//! End to end: the `dpop` example binary, its keys from a key server on
//! 127.0.0.1, answering PyJWT's tokens and proofs
//! (`tests/fixtures/dpop/generate.py`). `cargo test` builds the example
//! before it runs this.

use crate::support;
use crate::support::{example, key_server};

use std::time::{SystemTime, UNIX_EPOCH};

use example::start;
use key_server::{KeyServer, Reply};
use serde_json::Value;

const ALGS: &str = r#"DPoP algs="ES256 ES384 EdDSA PS256 PS384 PS512 RS256 RS384 RS512""#;

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/dpop/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(path).expect("fixture")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)] // the key server answers while `start` blocks
async fn dpop_example_requires_a_proof_by_the_bound_key() {
    let fixtures: Value = serde_json::from_str(&fixture("fixtures.json")).expect("JSON");
    let server = KeyServer::start().await;
    server.reply(
        "/jwks",
        Reply::json(format!(r#"{{"keys":[{}]}}"#, fixture("issuer.jwk.json"))),
    );
    // The example reads the system clock; its proofs were made at a fixed
    // instant, so the proof lifetime is stretched to reach back to it.
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs();
    let made = fixtures["example"]["iat"].as_u64().expect("iat");
    let example = start(
        "dpop",
        &[
            ("JWKS_URL", server.url("/jwks")),
            (
                "JWT_ISSUER",
                fixtures["issuer"].as_str().expect("issuer").to_owned(),
            ),
            (
                "JWT_AUDIENCE",
                fixtures["audience"].as_str().expect("audience").to_owned(),
            ),
            (
                "DPOP_ORIGIN",
                fixtures["origin"].as_str().expect("origin").to_owned(),
            ),
            ("DPOP_MAX_AGE", (now - made + 3600).to_string()),
        ],
        1,
    );
    assert!(
        example
            .output
            .iter()
            .any(|line| line == "proofs must name https://api.example.com in htu"),
        "{:?}",
        example.output
    );
    let token = fixtures["tokens"]["es256"].as_str().expect("token");
    let dpop = format!("Authorization: DPoP {token}");
    let proof = |name: &str| {
        format!(
            "DPoP: {}",
            fixtures["example"][name].as_str().expect("a proof")
        )
    };

    let response = support::get(
        example.address,
        "/me",
        &[dpop.as_bytes(), proof("me").as_bytes()],
    )
    .await;
    assert_eq!(response.status, 200, "{}", response.body_text());
    let claims: Value = serde_json::from_slice(&response.body).expect("claims");
    assert_eq!(claims["sub"], "alice");
    assert_eq!(claims["cnf"]["jkt"], fixtures["thumbprints"]["es256"]);

    // The same proof again is a replay.
    let response = support::get(
        example.address,
        "/me",
        &[dpop.as_bytes(), proof("me").as_bytes()],
    )
    .await;
    assert_eq!(response.status, 401);
    assert_eq!(
        response.header("www-authenticate").as_deref(),
        Some(&*format!(
            r#"{ALGS}, error="invalid_dpop_proof", error_description="the DPoP proof was used before""#
        ))
    );

    // A proof by another key: the token is not bound to it.
    let response = support::get(
        example.address,
        "/me",
        &[dpop.as_bytes(), proof("other_key").as_bytes()],
    )
    .await;
    assert_eq!(response.status, 401);
    assert_eq!(
        response.header("www-authenticate").as_deref(),
        Some(&*format!(
            r#"{ALGS}, error="invalid_token", error_description="the DPoP proof key is not the key the access token is bound to""#
        ))
    );

    // The token alone, as Bearer, is no credential to a DPoP-only service.
    let bearer = format!("Authorization: Bearer {token}");
    let response = support::get(example.address, "/me", &[bearer.as_bytes()]).await;
    assert_eq!(response.status, 401);
    assert_eq!(response.header("www-authenticate").as_deref(), Some(ALGS));

    // A valid proof for /admin, with a token lacking the scope.
    let response = support::get(
        example.address,
        "/admin",
        &[dpop.as_bytes(), proof("admin").as_bytes()],
    )
    .await;
    assert_eq!(response.status, 403);
    assert_eq!(
        response.header("www-authenticate").as_deref(),
        Some(&*format!(
            r#"{ALGS}, error="insufficient_scope", error_description="the access token lacks a required scope", scope="admin""#
        ))
    );

    let response = support::get(example.address, "/public", &[]).await;
    assert_eq!(response.status, 200);
    assert_eq!(server.hits("/jwks"), 1);
}
