//! End to end: two instances of the `revocation` example sharing one
//! `redis-server` on 127.0.0.1; a token revoked through one is refused by
//! the other. `cargo test` builds the example before it runs this.

use crate::support;
use crate::support::jwt as fixtures;
use crate::support::{example, redis_server};

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use example::start;
use fixtures::{AUDIENCE, ISSUER, fixture};
use redis_server::RedisServer;

const REVOKED: &str = r#"Bearer realm="api", error="invalid_token", error_description="the access token was revoked""#;

async fn get(address: SocketAddr, token: &str) -> support::RawResponse {
    let header = format!("Authorization: Bearer {token}");
    support::get(address, "/me", &[header.as_bytes()]).await
}

async fn revoke(address: SocketAddr, token: &str, jti: &str) -> support::RawResponse {
    let request = format!(
        "POST /admin/revoke HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\
         Authorization: Bearer {token}\r\nContent-Length: {}\r\n\r\n{jti}",
        jti.len()
    );
    support::send(address, request.as_bytes()).await
}

#[tokio::test]
async fn a_token_revoked_through_one_instance_is_refused_by_the_other() {
    let redis = RedisServer::start();
    let secret = String::from_utf8(fixtures::file("hs256.secret")).unwrap();
    let env = [
        ("JWT_SECRET", secret),
        ("JWT_ISSUER", ISSUER.to_owned()),
        ("JWT_AUDIENCE", AUDIENCE.to_owned()),
        ("REDIS_URL", redis.url()),
    ];
    let first = start("revocation", &env, 0);
    let second = start("revocation", &env, 0);
    let reader = fixture("hs256-valid").token;
    let admin = fixture("hs256-admin").token;

    for example in [&first, &second] {
        assert_eq!(get(example.address, &reader).await.status, 200);
    }
    // Only an admin may revoke.
    assert_eq!(
        revoke(first.address, &reader, "jti-001-hs256").await.status,
        403
    );
    assert_eq!(
        revoke(first.address, &admin, "jti-001-hs256").await.status,
        204
    );

    let started = Instant::now();
    let refused = loop {
        let response = get(second.address, &reader).await;
        if response.status != 200 || started.elapsed() > support::DEADLINE {
            break response;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(refused.status, 401);
    assert_eq!(refused.header("www-authenticate").as_deref(), Some(REVOKED));
    assert_eq!(get(first.address, &reader).await.status, 401);
    // The admin's own token (another jti) still works on both.
    for example in [&first, &second] {
        assert_eq!(get(example.address, &admin).await.status, 200);
    }
}

/// An ES256 token without `jti`, revoked by posting the whole token: the
/// same token with the other spelling of its signature, (r, n - s), which
/// verifies just as well, is refused too, by both instances.
#[tokio::test]
async fn a_token_revoked_whole_is_refused_in_every_spelling() {
    let redis = RedisServer::start();
    let key = support::security::ES256_PEM;
    let env = [
        ("JWT_PUBLIC_KEY", key.to_owned()),
        ("JWT_ISSUER", ISSUER.to_owned()),
        ("JWT_AUDIENCE", AUDIENCE.to_owned()),
        ("REDIS_URL", redis.url()),
    ];
    let first = start("revocation", &env, 0);
    let second = start("revocation", &env, 0);
    let token = support::security::token("es256-no-jti");
    let twin = support::security::token("es256-no-jti-twin");
    let admin = support::security::token("es256-admin");
    for example in [&first, &second] {
        for token in [&token, &twin] {
            assert_eq!(get(example.address, token).await.status, 200);
        }
    }
    // Dots do not make a token: a jti of three parts is revoked as a jti,
    // and the token stays valid.
    assert_eq!(
        revoke(first.address, &admin, "tenant.user.42").await.status,
        204
    );
    assert_eq!(get(first.address, &token).await.status, 200);
    assert_eq!(revoke(first.address, &admin, &token).await.status, 204);

    for example in [&first, &second] {
        for token in [&token, &twin] {
            let started = Instant::now();
            let refused = loop {
                let response = get(example.address, token).await;
                if response.status != 200 || started.elapsed() > support::DEADLINE {
                    break response;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            };
            assert_eq!(refused.status, 401);
            assert_eq!(refused.header("www-authenticate").as_deref(), Some(REVOKED));
        }
    }
    assert_eq!(get(first.address, &admin).await.status, 200);
}
