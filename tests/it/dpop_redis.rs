//! `RedisReplayCache` against a real `redis-server` on 127.0.0.1: a DPoP
//! proof accepted by one instance is refused by another, and with Redis
//! gone the proof is answered 503 in bounded time, never accepted.

use crate::support;
use crate::support::redis_server;

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

/// The fixtures' clock 75 s on: a proof made at the fixtures' time is in
/// the last second of its window (60 s of age and 15 s of leeway).
fn clock_ahead() -> u64 {
    support::dpop::clock() + 75
}

/// Ten seconds behind `clock_ahead`, well within the 15 s leeway.
fn clock_behind() -> u64 {
    support::dpop::clock() + 65
}

/// Instance A accepts a proof in the last second of its window on A's
/// clock; B's clock runs 10 s behind, so B would accept the proof for 11 s
/// more. Redis must remember the proof that long, not for A's one second.
#[tokio::test]
async fn a_proof_is_remembered_for_every_instances_clock() {
    let fixtures = fixtures();
    let redis = RedisServer::start();
    let mut instances = Vec::new();
    for clock in [clock_ahead as fn() -> u64, clock_behind] {
        let cache =
            RedisReplayCache::with_options(&redis.url(), "dpop-skew", Duration::from_secs(5))
                .expect("a Redis URL");
        let dpop = rules(&fixtures, DpopPolicy::BearerOrDpop, false)
            .with_clock(clock)
            .with_replay_cache(cache)
            .build()
            .expect("rules");
        instances.push(server(&fixtures, dpop, None, AuthCounters::new()).await);
    }
    let token = Some(format!(
        "DPoP {}",
        fixtures["tokens"]["es256"].as_str().expect("a token")
    ));
    let es256 = proof(&fixtures, "valid ES256");

    let response = call(instances[0], "GET", "/me", token.clone(), &[es256], &[]).await;
    assert_eq!(response.status, 200, "{response:?}");
    // A's window for the proof has closed; B's has 10 s left.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let response = call(instances[1], "GET", "/me", token, &[es256], &[]).await;
    assert_eq!(response.status, 401, "{}", response.body_text());
    assert_eq!(
        response.header_values("www-authenticate"),
        [
            BEARER.to_owned(),
            format!(
                r#"{ALGS}, error="invalid_dpop_proof", error_description="the DPoP proof was used before""#
            )
        ]
    );
}
