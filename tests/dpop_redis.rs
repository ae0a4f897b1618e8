//! `RedisReplayCache` against a real `redis-server` on 127.0.0.1: a DPoP
//! proof accepted by one instance is refused by another, and with Redis
//! gone the proof is answered 503 in bounded time, never accepted.

#[path = "support/redis_server.rs"]
mod redis_server;
mod support;

use std::time::{Duration, Instant};

use redis_server::RedisServer;
use serde_json::Value;
use tower_bearer_auth::AuthCounters;
use tower_bearer_auth::dpop::{DpopPolicy, RedisReplayCache};

use support::dpop::{ALGS, BEARER, call, fixtures, rules, server};

/// The first proof of the valid case `name`.
fn proof<'a>(fixtures: &'a Value, name: &str) -> &'a str {
    let case = fixtures["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .find(|case| case["name"] == name)
        .unwrap_or_else(|| panic!("case {name}"));
    case["proofs"][0].as_str().expect("a proof")
}

#[tokio::test]
async fn a_proof_accepted_by_one_instance_is_refused_by_another() {
    let fixtures = fixtures();
    let mut redis = RedisServer::start();
    let timeout = Duration::from_millis(300);
    let mut instances = Vec::new();
    for _ in 0..2 {
        let cache = RedisReplayCache::with_options(&redis.url(), "dpop-test", timeout)
            .expect("a Redis URL");
        let dpop = rules(&fixtures, DpopPolicy::BearerOrDpop, false)
            .with_replay_cache(cache)
            .build()
            .expect("rules");
        instances.push(server(&fixtures, dpop, None, AuthCounters::new()).await);
    }
    let token = |name: &str| {
        let token = fixtures["tokens"][name].as_str().expect("a token");
        Some(format!("DPoP {token}"))
    };

    let es256 = proof(&fixtures, "valid ES256");
    let response = call(instances[0], "GET", "/me", token("es256"), &[es256], &[]).await;
    assert_eq!(response.status, 200, "{}", response.body_text());
    assert_eq!(response.body_text(), "alice");

    let response = call(instances[1], "GET", "/me", token("es256"), &[es256], &[]).await;
    assert_eq!(response.status, 401);
    assert_eq!(
        response.header_values("www-authenticate"),
        [
            BEARER.to_owned(),
            format!(
                r#"{ALGS}, error="invalid_dpop_proof", error_description="the DPoP proof was used before""#
            )
        ]
    );

    // Another proof is a first use at the second instance.
    let rs256 = proof(&fixtures, "valid RS256");
    let response = call(instances[1], "GET", "/me", token("rs256"), &[rs256], &[]).await;
    assert_eq!(response.status, 200, "{}", response.body_text());

    // Redis gone: 503 within the timeout and a margin, not an acceptance.
    redis.stop();
    let eddsa = proof(&fixtures, "valid EdDSA");
    let started = Instant::now();
    let response = call(instances[0], "GET", "/me", token("eddsa"), &[eddsa], &[]).await;
    assert_eq!(response.status, 503);
    assert_eq!(response.header("retry-after").as_deref(), Some("5"));
    assert_eq!(response.header_values("www-authenticate"), [BEARER, ALGS]);
    assert!(
        started.elapsed() < timeout * 2 + Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
}
