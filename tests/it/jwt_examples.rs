//! End to end: the `quickstart` and `tonic_greeter` example binaries,
//! started on 127.0.0.1 with the environment a user would give them,
//! answering the PyJWT fixture tokens with the statuses and challenges of
//! RFC 6750. `cargo test` builds the examples before it runs this.

use crate::support;
use crate::support::jwt as fixtures;
use crate::support::{example, helloworld};

use std::net::SocketAddr;

use example::start;
use fixtures::{AUDIENCE, ISSUER, fixture};
use helloworld::HelloRequest;
use helloworld::greeter_client::GreeterClient;
use support::{DEADLINE, RawResponse};

const INVALID: &str =
    r#"Bearer realm="api", error="invalid_token", error_description="the access token is invalid""#;
const EXPIRED: &str =
    r#"Bearer realm="api", error="invalid_token", error_description="the access token expired""#;

fn fixture_env(key: (&str, String)) -> Vec<(&'static str, String)> {
    let (name, value) = key;
    let name = if name == "JWT_SECRET" {
        "JWT_SECRET"
    } else {
        "JWT_PUBLIC_KEY"
    };
    vec![
        (name, value),
        ("JWT_ISSUER", ISSUER.to_owned()),
        ("JWT_AUDIENCE", AUDIENCE.to_owned()),
    ]
}

fn secret() -> String {
    String::from_utf8(fixtures::file("hs256.secret")).expect("utf-8 secret")
}

fn key_path(name: &str) -> String {
    fixtures::path(name).display().to_string()
}

async fn get(address: SocketAddr, path: &str, token: Option<&str>) -> RawResponse {
    match token {
        Some(token) => {
            let header = format!("Authorization: Bearer {token}");
            support::get(address, path, &[header.as_bytes()]).await
        }
        None => support::get(address, path, &[]).await,
    }
}

/// `/me` answers 200 with exactly the signed claims of fixture `name`.
async fn assert_me(address: SocketAddr, name: &str) {
    let response = get(address, "/me", Some(&fixture(name).token)).await;
    assert_eq!(response.status, 200, "{name}: {}", response.body_text());
    let body: serde_json::Value = serde_json::from_slice(&response.body).expect("json body");
    assert_eq!(Some(&body), fixture(name).claims.as_ref(), "{name}");
}

async fn assert_refused(address: SocketAddr, name: &str, challenge: &str) {
    let response = get(address, "/me", Some(&fixture(name).token)).await;
    assert_eq!(response.status, 401, "{name}");
    assert_eq!(
        response.header("www-authenticate").as_deref(),
        Some(challenge),
        "{name}"
    );
    assert!(response.body.is_empty(), "{name}: {}", response.body_text());
}

#[tokio::test]
async fn quickstart_with_an_hs256_secret() {
    let example = start("quickstart", &fixture_env(("JWT_SECRET", secret())), 0);
    let address = example.address;

    assert_me(address, "hs256-valid").await;
    assert_me(address, "hs256-scp-array").await;

    let admin = get(address, "/admin", Some(&fixture("hs256-admin").token)).await;
    assert_eq!(
        (admin.status, admin.body_text().as_str()),
        (200, "hello admin admin-hs256\n")
    );
    let reader = get(address, "/admin", Some(&fixture("hs256-valid").token)).await;
    assert_eq!(reader.status, 403);
    assert_eq!(
        reader.header("www-authenticate").as_deref(),
        Some(
            r#"Bearer realm="api", error="insufficient_scope", error_description="the access token lacks a required scope", scope="admin""#
        )
    );

    assert_refused(address, "expired", EXPIRED).await;
    for name in [
        "alg-none",
        "alg-none-with-signature",
        "signature-altered",
        "hs256-wrong-secret",
        "nbf-future",
        "iat-future",
        "wrong-audience",
        "aud-missing",
        "wrong-issuer",
        "iss-array",
        "exp-missing",
        "exp-string",
        "crit-unknown",
        "b64-false",
        "duplicate-header-alg",
        "duplicate-claim-sub",
        "typ-dpop",
        "jwe-five-segments",
        // An RS256 token, and HS256 MAC'd with the RSA public key: the only
        // key here is the secret, bound to HS256.
        "rs256-valid",
        "key-confusion-no-kid",
    ] {
        assert_refused(address, name, INVALID).await;
    }

    let missing = get(address, "/me", None).await;
    assert_eq!(missing.status, 401);
    assert_eq!(
        missing.header("www-authenticate").as_deref(),
        Some(r#"Bearer realm="api""#)
    );
    let huge = get(address, "/me", Some(&fixture("huge").token)).await;
    assert_eq!(huge.status, 400);
    assert_eq!(
        huge.header("www-authenticate").as_deref(),
        Some(
            r#"Bearer realm="api", error="invalid_request", error_description="the access token is too long""#
        )
    );
    let public = get(address, "/public", None).await;
    assert_eq!(
        (public.status, public.body_text().as_str()),
        (200, "public\n")
    );
}

#[tokio::test]
async fn quickstart_with_each_public_key_type() {
    let cases = [
        ("rsa.pem", "rs256-valid", "ps256-valid"),
        ("ec256.pem", "es256-valid", "es384-valid"),
        ("ec384.pem", "es384-valid", "es256-valid"),
        ("ed25519.pem", "eddsa-valid", "hs256-valid"),
    ];
    for (key, accepted, refused) in cases {
        let example = start(
            "quickstart",
            &fixture_env(("JWT_PUBLIC_KEY", key_path(key))),
            0,
        );
        assert_me(example.address, accepted).await;
        // The algorithm follows from the key: another one is refused.
        assert_refused(example.address, refused, INVALID).await;
    }
    let example = start(
        "quickstart",
        &fixture_env(("JWT_PUBLIC_KEY", key_path("rsa.pem"))),
        0,
    );
    assert_refused(example.address, "key-confusion-rs256-to-hs256", INVALID).await;
    assert_refused(example.address, "id-token", INVALID).await;
}

#[tokio::test]
async fn quickstart_takes_the_algorithms_of_a_bare_rsa_key() {
    let mut env = fixture_env(("JWT_PUBLIC_KEY", key_path("rsa.pem")));
    env.push(("JWT_ALGORITHMS", "PS256".to_owned()));
    let example = start("quickstart", &env, 0);
    assert_me(example.address, "ps256-valid").await;
    assert_refused(example.address, "rs256-valid", INVALID).await;

    let mut env = fixture_env(("JWT_PUBLIC_KEY", key_path("rsa.pem")));
    env.push(("JWT_ALGORITHMS", "RS256, PS256".to_owned()));
    let example = start("quickstart", &env, 0);
    assert_me(example.address, "ps256-valid").await;
    assert_me(example.address, "rs256-valid").await;
}

#[tokio::test]
async fn quickstart_with_the_rfc9068_profile() {
    let mut env = fixture_env(("JWT_PUBLIC_KEY", key_path("rsa.pem")));
    env.push(("JWT_PROFILE", "rfc9068".to_owned()));
    let example = start("quickstart", &env, 0);
    assert_me(example.address, "rfc9068-valid").await;
    assert_me(example.address, "rfc9068-upper-typ").await;
    for name in [
        "rfc9068-typ-jwt",
        "rfc9068-typ-absent",
        "rfc9068-missing-client-id",
        "rs256-valid",
    ] {
        assert_refused(example.address, name, INVALID).await;
    }
}

#[tokio::test]
async fn quickstart_without_a_key_prints_working_tokens() {
    // The address line, then for each of two tokens: a blank line, the
    // scope line, the token, and one or two curl lines.
    let example = start("quickstart", &[], 9);
    let tokens: Vec<&String> = example
        .output
        .iter()
        .skip_while(|line| !line.starts_with("A token with scope \"read\""))
        .skip(1)
        .take(1)
        .collect();
    let token = tokens.first().expect("a printed token").as_str();
    let response = get(example.address, "/me", Some(token)).await;
    assert_eq!(response.status, 200, "{}", response.body_text());
    let claims: serde_json::Value = serde_json::from_slice(&response.body).expect("json");
    assert_eq!(claims["sub"], "demo");
    assert_eq!(claims["scope"], "read");
    let lifetime = claims["exp"].as_i64().unwrap_or(0) - claims["iat"].as_i64().unwrap_or(0);
    assert_eq!(lifetime, 3600);
    let curl = format!(
        "curl -i -H 'Authorization: Bearer {token}' http://{}/me",
        example.address
    );
    assert!(
        example.output.contains(&curl),
        "no ready curl line in {:?}",
        example.output
    );
}

async fn say_hello(address: SocketAddr, token: Option<&str>) -> Result<String, tonic::Status> {
    let mut client = GreeterClient::connect(format!("http://{address}"))
        .await
        .expect("connect");
    let mut request = tonic::Request::new(HelloRequest { name: "x".into() });
    if let Some(token) = token {
        let value = format!("Bearer {token}").parse().expect("metadata value");
        request.metadata_mut().insert("authorization", value);
    }
    let reply = tokio::time::timeout(DEADLINE, client.say_hello(request))
        .await
        .expect("answer within the deadline")?;
    Ok(reply.into_inner().message)
}

fn challenge(status: &tonic::Status) -> &str {
    status
        .metadata()
        .get("www-authenticate")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
}

#[tokio::test]
async fn tonic_greeter_with_the_same_environment() {
    let example = start(
        "tonic_greeter",
        &fixture_env(("JWT_PUBLIC_KEY", key_path("ec256.pem"))),
        0,
    );
    let address = example.address;

    let greeting = say_hello(address, Some(&fixture("es256-valid").token))
        .await
        .expect("greeted");
    assert_eq!(greeting, "Hello x, you are user-es256");

    let expired = say_hello(address, Some(&fixture("expired").token))
        .await
        .expect_err("refused");
    assert_eq!(expired.code(), tonic::Code::Unauthenticated);
    // An HS256 token, refused by an ES256 key: invalid, not expired.
    assert_eq!(challenge(&expired), INVALID);

    for name in ["alg-none", "wrong-audience", "es384-valid", "crit-unknown"] {
        let status = say_hello(address, Some(&fixture(name).token))
            .await
            .expect_err(name);
        assert_eq!(status.code(), tonic::Code::Unauthenticated, "{name}");
        assert_eq!(challenge(&status), INVALID, "{name}");
    }
    let missing = say_hello(address, None).await.expect_err("no token");
    assert_eq!(missing.code(), tonic::Code::Unauthenticated);
    assert_eq!(challenge(&missing), r#"Bearer realm="api""#);

    let hs = start("tonic_greeter", &fixture_env(("JWT_SECRET", secret())), 0);
    let expired = say_hello(hs.address, Some(&fixture("expired").token))
        .await
        .expect_err("expired");
    assert_eq!(expired.code(), tonic::Code::Unauthenticated);
    assert_eq!(challenge(&expired), EXPIRED);
    assert_eq!(expired.message(), "invalid_token: the access token expired");
}

/// What a security review sent the quickstart: tokens bound to a key
/// (`cnf`), which a layer without DPoP cannot check, and scopes joined by
/// a tab, a line feed or a carriage return, which grant nothing.
#[tokio::test]
async fn quickstart_refuses_bound_tokens_and_scopes_joined_by_other_whitespace() {
    let example = start("quickstart", &fixture_env(("JWT_SECRET", secret())), 0);
    let address = example.address;
    let admin = get(
        address,
        "/admin",
        Some(&support::security::token("unbound")),
    )
    .await;
    assert_eq!(admin.status, 200, "{}", admin.body_text());
    for name in [
        "bound-jkt",
        "bound-x5t",
        "bound-unknown",
        "bound-empty",
        "bound-string",
    ] {
        let response = get(address, "/me", Some(&support::security::token(name))).await;
        assert_eq!(response.status, 401, "{name}");
        assert_eq!(
            response.header("www-authenticate").as_deref(),
            Some(INVALID),
            "{name}"
        );
    }
    for name in ["scope-tab", "scope-lf", "scope-cr", "scp-tab"] {
        let token = support::security::token(name);
        assert_eq!(
            get(address, "/me", Some(&token)).await.status,
            200,
            "{name}"
        );
        let response = get(address, "/admin", Some(&token)).await;
        assert_eq!(response.status, 403, "{name}: {}", response.body_text());
    }
}
