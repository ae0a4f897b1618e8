//! `RedisRevocations` against a real `redis-server` on 127.0.0.1: a token
//! revoked through one instance is refused by another, an instance started
//! later loads the list, and with Redis gone the list answers as configured
//! (503, or accepting with `fail_open`) without any request hanging, then
//! recovers when Redis is back.

use crate::support::{app, redis_server};

use std::future::{Ready, ready};
use std::time::{Duration, Instant, SystemTime};

use app::{Subject, app, call};
use axum::Router;
use http::StatusCode;
use http::request::Parts;
use redis_server::RedisServer;
use tower_bearer_auth::revocation::{
    CheckRevoked, REVOCATION_GRACE, RedisRevocations, RevocationError, TokenId,
};
use tower_bearer_auth::scope::HasScopes;
use tower_bearer_auth::{AuthError, BearerToken, TokenFacts, VerifyToken};

const REVOKED: &str = r#"Bearer realm="api", error="invalid_token", error_description="the access token was revoked""#;
/// The longest any request or wait in these tests may take.
const DEADLINE: Duration = Duration::from_secs(10);

#[derive(Clone, Debug)]
struct User(String);

impl Subject for User {
    fn who(&self) -> String {
        self.0.clone()
    }
}

impl HasScopes for User {
    fn has_scope(&self, _: &str) -> bool {
        false
    }
}

/// Accepts every token; its `jti` is the token itself.
#[derive(Clone)]
struct AcceptAll;

impl VerifyToken for AcceptAll {
    type Claims = User;
    type Future = Ready<Result<User, AuthError>>;

    fn verify(&self, token: BearerToken, _: &Parts) -> Self::Future {
        ready(Ok(User(token.as_str().to_owned())))
    }

    fn token_facts(&self, token: &BearerToken, _: &User) -> TokenFacts {
        TokenFacts::new().with_token_id(token.as_str())
    }
}

fn in_an_hour() -> SystemTime {
    SystemTime::now() + Duration::from_secs(3600)
}

/// One instance of the service: its list and its router. `max_lag` is
/// short only where a test waits for it to pass.
async fn instance_with_lag(
    redis: &RedisServer,
    prefix: &str,
    max_lag: Duration,
) -> (RedisRevocations, Router) {
    let revocations = RedisRevocations::builder(redis.url())
        .with_prefix(prefix)
        .with_timeout(Duration::from_millis(300))
        .with_max_lag(max_lag)
        .build()
        .unwrap();
    tokio::time::timeout(DEADLINE, revocations.ready())
        .await
        .unwrap()
        .expect("synchronised with Redis");
    let app = app(CheckRevoked::new(AcceptAll, revocations.clone()));
    (revocations, app)
}

async fn instance(redis: &RedisServer, prefix: &str) -> (RedisRevocations, Router) {
    instance_with_lag(redis, prefix, Duration::from_secs(3)).await
}

/// The members of the sorted set of list `prefix`, as Redis holds them.
async fn stored(redis: &RedisServer, prefix: &str) -> usize {
    let client = redis::Client::open(redis.url()).unwrap();
    let mut connection = client.get_multiplexed_async_connection().await.unwrap();
    redis::cmd("ZCARD")
        .arg(format!("{prefix}:revoked"))
        .query_async(&mut connection)
        .await
        .unwrap()
}

/// Waits (bounded) until `token` gets `status` from `app`.
async fn until_status(app: &Router, token: &str, status: StatusCode) -> app::Answer {
    let start = Instant::now();
    loop {
        let answer = tokio::time::timeout(DEADLINE, call(app, "/me", token))
            .await
            .expect("no request hangs");
        if answer.status == status || start.elapsed() > DEADLINE {
            return answer;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_revoked_on_one_instance_is_refused_by_another() {
    let redis = RedisServer::start();
    let (first, first_app) = instance(&redis, "shared").await;
    let (_second, second_app) = instance(&redis, "shared").await;
    let (_other, other_service) = instance(&redis, "another-service").await;

    for token in [
        "by-jti-0123456789",
        "by-digest-0123456789",
        "kept-0123456789",
    ] {
        assert_eq!(call(&second_app, "/me", token).await.status, StatusCode::OK);
    }
    first
        .revoke(TokenId::jti("by-jti-0123456789"), in_an_hour())
        .await
        .expect("Redis took it");
    first
        .revoke(TokenId::of_token("by-digest-0123456789"), in_an_hour())
        .await
        .expect("Redis took it");

    // The revoking instance refuses at once, the other within a round trip.
    let answer = call(&first_app, "/me", "by-jti-0123456789").await;
    assert_eq!(
        (answer.status, answer.challenge()),
        (StatusCode::UNAUTHORIZED, REVOKED)
    );
    for token in ["by-jti-0123456789", "by-digest-0123456789"] {
        let answer = until_status(&second_app, token, StatusCode::UNAUTHORIZED).await;
        assert_eq!(
            (answer.status, answer.challenge()),
            (StatusCode::UNAUTHORIZED, REVOKED),
            "{token}"
        );
    }
    let answer = call(&second_app, "/me", "kept-0123456789").await;
    assert_eq!(
        (answer.status, answer.body.as_str()),
        (StatusCode::OK, "kept-0123456789")
    );
    // Another prefix is another list.
    assert_eq!(
        call(&other_service, "/me", "by-jti-0123456789")
            .await
            .status,
        StatusCode::OK
    );

    // An instance started later loads the list from Redis.
    let (late, late_app) = instance(&redis, "shared").await;
    assert_eq!(late.len(), 2);
    assert_eq!(
        call(&late_app, "/me", "by-digest-0123456789").await.status,
        StatusCode::UNAUTHORIZED
    );

    // A revocation past the token's expiry and every leeway is not stored.
    first
        .revoke(
            TokenId::jti("expired-0123456789"),
            SystemTime::now() - REVOCATION_GRACE - Duration::from_secs(1),
        )
        .await
        .unwrap();
    assert_eq!(stored(&redis, "shared").await, 2);
}

/// A token whose `exp` passed 30 s ago is still accepted by a verifier
/// with a leeway: revoking it then must still reach every instance, and
/// hold there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revocation_made_after_expiry_still_holds_everywhere() {
    let redis = RedisServer::start();
    let (first, first_app) = instance(&redis, "late").await;
    let (_second, second_app) = instance(&redis, "late").await;
    let token = "expired-30-s-ago-0123456789";
    let exp = SystemTime::now() - Duration::from_secs(30);
    first
        .revoke(TokenId::jti(token), exp)
        .await
        .expect("Redis took it");
    assert_eq!(stored(&redis, "late").await, 1, "kept in Redis");
    for app in [&first_app, &second_app] {
        let answer = until_status(app, token, StatusCode::UNAUTHORIZED).await;
        assert_eq!(
            (answer.status, answer.challenge()),
            (StatusCode::UNAUTHORIZED, REVOKED)
        );
    }
    // An instance started later loads it too.
    let (_third, third_app) = instance(&redis, "late").await;
    let answer = call(&third_app, "/me", token).await;
    assert_eq!(
        (answer.status, answer.challenge()),
        (StatusCode::UNAUTHORIZED, REVOKED)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_revocations_larger_than_one_read_reaches_every_instance() {
    let redis = RedisServer::start();
    let (first, _) = instance(&redis, "burst").await;
    let (second, second_app) = instance(&redis, "burst").await;
    // 64 in flight at a time: a burst, without queueing 2,500 commands
    // behind each other's one-second timeout on a loaded machine.
    let mut revoking = tokio::task::JoinSet::new();
    for index in 0..2_500 {
        if revoking.len() >= 64 {
            let revoked: Result<(), _> = revoking.join_next().await.expect("a task").unwrap();
            revoked.expect("Redis took it");
        }
        let first = first.clone();
        revoking.spawn(async move {
            first
                .revoke(TokenId::jti(&format!("burst-{index}")), in_an_hour())
                .await
        });
    }
    while let Some(revoked) = revoking.join_next().await {
        revoked.unwrap().expect("Redis took it");
    }
    let started = Instant::now();
    while second.len() < 2_500 && started.elapsed() < DEADLINE {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(second.len(), 2_500);
    assert_eq!(stored(&redis, "burst").await, 2_500);
    let answer = call(&second_app, "/me", "burst-2499").await;
    assert_eq!(
        (answer.status, answer.challenge()),
        (StatusCode::UNAUTHORIZED, REVOKED)
    );
    // An instance started now loads all of them, page by page.
    let (late, _) = instance(&redis, "burst").await;
    assert_eq!(late.len(), 2_500);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_redis_the_list_fails_closed_or_open_as_configured_and_never_hangs() {
    let mut redis = RedisServer::start();
    let (revocations, closed_app) =
        instance_with_lag(&redis, "outage", Duration::from_millis(1000)).await;
    let open_app = app(CheckRevoked::new(AcceptAll, revocations.clone()).fail_open());
    revocations
        .revoke(TokenId::jti("revoked-0123456789"), in_an_hour())
        .await
        .unwrap();
    assert_eq!(
        call(&closed_app, "/me", "fine-0123456789").await.status,
        StatusCode::OK
    );

    redis.stop();
    // Past max_lag (1 s), the list cannot vouch for a token: 503 by default.
    let answer = until_status(
        &closed_app,
        "fine-0123456789",
        StatusCode::SERVICE_UNAVAILABLE,
    )
    .await;
    assert_eq!(answer.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(answer.challenge(), r#"Bearer realm="api""#);
    assert!(answer.headers.contains_key("retry-after"));
    assert!(matches!(
        tower_bearer_auth::revocation::Revocations::is_revoked(&revocations, &TokenId::jti("x")),
        Err(RevocationError::Stale(_))
    ));
    // fail_open accepts instead; a token revoked before is refused by both.
    assert_eq!(
        call(&open_app, "/me", "fine-0123456789").await.status,
        StatusCode::OK
    );
    for app in [&closed_app, &open_app] {
        let answer = call(app, "/me", "revoked-0123456789").await;
        assert_eq!(
            (answer.status, answer.challenge()),
            (StatusCode::UNAUTHORIZED, REVOKED)
        );
    }
    // A revocation while Redis is down fails within the timeout, and holds here.
    let started = Instant::now();
    let result = revocations
        .revoke(TokenId::jti("during-outage-0123456789"), in_an_hour())
        .await;
    assert!(result.is_err(), "{result:?}");
    assert!(started.elapsed() < DEADLINE);
    assert_eq!(
        call(&open_app, "/me", "during-outage-0123456789")
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );

    // Redis back on the same port: the mirror reconnects and answers again.
    let _redis = RedisServer::start_on(redis.port);
    let answer = until_status(&closed_app, "fine-0123456789", StatusCode::OK).await;
    assert_eq!(
        (answer.status, answer.body.as_str()),
        (StatusCode::OK, "fine-0123456789")
    );
}

#[tokio::test]
async fn the_configuration_is_checked_when_built() {
    use tower_bearer_auth::ConfigError;
    let refused = |builder: tower_bearer_auth::revocation::RedisRevocationsBuilder| {
        builder.build().unwrap_err()
    };
    assert_eq!(
        refused(RedisRevocations::builder("http://127.0.0.1:6379")),
        ConfigError::InvalidUrl
    );
    assert_eq!(
        refused(RedisRevocations::builder("redis://127.0.0.1:6379").with_prefix("")),
        ConfigError::InvalidName
    );
    assert_eq!(
        refused(
            RedisRevocations::builder("redis://127.0.0.1:6379")
                .with_max_lag(Duration::from_millis(100))
        ),
        ConfigError::InvalidDuration
    );
    let revocations = RedisRevocations::builder("redis://:hunter2@127.0.0.1:1/")
        .build()
        .unwrap();
    let debug = format!("{revocations:?}");
    assert!(!debug.contains("hunter2"), "{debug}");
}
