//! `CachedVerifier` through the layer: verdicts remembered and reused,
//! forgotten on time, one verification for many concurrent requests, memory
//! bounded under a flood, refusals kept apart, and a JWT verdict dropped
//! once its key rotates out of a real JWKS served on 127.0.0.1.

use crate::support::app as support_app;
use crate::support::key_server;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Body;
use http::request::Parts;
use http::{Request, StatusCode};
use http_body_util::BodyExt;
use key_server::{AUDIENCE, ISSUER_A, KeyServer, Reply, token};
use support_app::app;
use tower::ServiceExt;
use tower_bearer_auth::cache::CachedVerifier;
use tower_bearer_auth::future::VerifyFuture;
use tower_bearer_auth::jwks::Jwks;
use tower_bearer_auth::jwt::JwtVerifier;
use tower_bearer_auth::{AuthError, BearerToken, TokenExtractor, TokenFacts, VerifyToken};

fn ms(ms: u64) -> Duration {
    Duration::from_millis(ms)
}

/// The user a test verifier vouches for: the token it was given.
#[derive(Clone, Debug)]
struct User(String);

/// Counts the verifications it does. Tokens starting `valid-` are
/// accepted, `down-` answer 503, the rest are refused; each after `delay`.
/// Its facts give every token the lifetime `lifetime`, if any.
#[derive(Clone)]
struct Counting {
    calls: Arc<AtomicUsize>,
    delay: Duration,
    lifetime: Option<Duration>,
}

impl Counting {
    fn new() -> Self {
        Self {
            calls: Arc::default(),
            delay: Duration::ZERO,
            lifetime: None,
        }
    }

    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

impl VerifyToken for Counting {
    type Claims = User;
    type Future = VerifyFuture<User>;

    fn verify(&self, token: BearerToken, _head: &Parts) -> Self::Future {
        let calls = Arc::clone(&self.calls);
        let delay = self.delay;
        VerifyFuture::waiting(async move {
            calls.fetch_add(1, Ordering::SeqCst);
            if !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            let token = token.as_str();
            if token.starts_with("valid-") {
                Ok(User(token.to_owned()))
            } else if token.starts_with("down-") {
                Err(AuthError::unavailable())
            } else {
                Err(AuthError::invalid_token())
            }
        })
    }

    fn token_facts(&self, _token: &BearerToken, _claims: &User) -> TokenFacts {
        match self.lifetime {
            Some(lifetime) => TokenFacts::new().with_expiry(SystemTime::now() + lifetime),
            None => TokenFacts::new(),
        }
    }
}

/// `/me` answers the user the handler saw.
impl support_app::Subject for User {
    fn who(&self) -> String {
        self.0.clone()
    }
}

impl tower_bearer_auth::scope::HasScopes for User {
    fn has_scope(&self, _: &str) -> bool {
        false
    }
}

async fn call(app: &Router, token: &str) -> (StatusCode, String) {
    let request = Request::get("/me")
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned())
}

#[tokio::test]
async fn a_repeated_token_is_verified_once() {
    let counting = Counting::new();
    let cached = CachedVerifier::new(counting.clone());
    let app = app(cached.clone());

    for _ in 0..10 {
        let answer = call(&app, "valid-alice-0123456789").await;
        assert_eq!(
            answer,
            (StatusCode::OK, "valid-alice-0123456789".to_owned())
        );
    }
    assert_eq!(counting.calls(), 1);
    assert_eq!(cached.entries(), 1);

    // Another token is another entry: a verdict answers only its own token.
    let answer = call(&app, "valid-bob-0123456789").await;
    assert_eq!(answer, (StatusCode::OK, "valid-bob-0123456789".to_owned()));
    assert_eq!(counting.calls(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_requests_with_one_new_token_verify_once() {
    let counting = Counting {
        delay: ms(200),
        ..Counting::new()
    };
    let app = app(CachedVerifier::new(counting.clone()));

    let requests: Vec<_> = (0..1_000)
        .map(|_| {
            let app = app.clone();
            tokio::spawn(async move { call(&app, "valid-carol-0123456789").await })
        })
        .collect();
    for request in requests {
        let answer = request.await.unwrap();
        assert_eq!(
            answer,
            (StatusCode::OK, "valid-carol-0123456789".to_owned())
        );
    }
    assert_eq!(counting.calls(), 1, "one verification for 1,000 requests");

    // The same for a token that is refused: one verification.
    let counting = Counting {
        delay: ms(200),
        ..Counting::new()
    };
    let app = support_app::app(CachedVerifier::new(counting.clone()));
    let requests: Vec<_> = (0..1_000)
        .map(|_| {
            let app = app.clone();
            tokio::spawn(async move { call(&app, "forged-0123456789").await })
        })
        .collect();
    for request in requests {
        assert_eq!(request.await.unwrap().0, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(counting.calls(), 1);
}

#[tokio::test]
async fn a_flood_of_invalid_tokens_stays_within_the_bounds() {
    const MAX_ENTRIES: usize = 100;
    const MAX_REFUSALS: usize = 50;
    let counting = Counting::new();
    let cached = CachedVerifier::builder(counting.clone())
        .with_max_entries(MAX_ENTRIES)
        .with_refusals(MAX_REFUSALS, Duration::from_secs(60))
        .build()
        .unwrap();
    let app = app(cached.clone());
    assert_eq!(call(&app, "valid-dave-0123456789").await.0, StatusCode::OK);

    for n in 0..100_000 {
        let (status, _) = call(&app, &format!("invalid-{n:06}-0123456789")).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "token {n}");
        assert!(cached.refusals() <= MAX_REFUSALS, "after token {n}");
        assert!(cached.entries() <= 1, "refusals never become entries");
    }
    assert!(cached.refusals() > 0, "refusals are remembered");
    assert_eq!(counting.calls(), 100_001);

    // The valid token was never pushed out: answered from memory.
    assert_eq!(call(&app, "valid-dave-0123456789").await.0, StatusCode::OK);
    assert_eq!(counting.calls(), 100_001);
}

#[tokio::test]
async fn entries_are_bounded_in_number() {
    const MAX_ENTRIES: usize = 200;
    let counting = Counting::new();
    let cached = CachedVerifier::builder(counting.clone())
        .with_max_entries(MAX_ENTRIES)
        .build()
        .unwrap();
    let app = app(cached.clone());
    for n in 0..10_000 {
        assert_eq!(
            call(&app, &format!("valid-{n:05}-0123456789")).await.0,
            StatusCode::OK
        );
        assert!(cached.entries() <= MAX_ENTRIES, "after token {n}");
    }
}

#[tokio::test]
async fn a_verdict_ends_with_the_token() {
    let counting = Counting {
        lifetime: Some(ms(600)),
        ..Counting::new()
    };
    let app = app(CachedVerifier::new(counting.clone()));

    assert_eq!(call(&app, "valid-erin-0123456789").await.0, StatusCode::OK);
    tokio::time::sleep(ms(200)).await;
    assert_eq!(call(&app, "valid-erin-0123456789").await.0, StatusCode::OK);
    assert_eq!(counting.calls(), 1, "served from memory before the expiry");

    tokio::time::sleep(ms(600)).await;
    assert_eq!(call(&app, "valid-erin-0123456789").await.0, StatusCode::OK);
    assert_eq!(counting.calls(), 2, "verified again after the expiry");
}

#[tokio::test]
async fn a_verdict_ends_at_the_maximum_age() {
    let counting = Counting::new();
    let cached = CachedVerifier::builder(counting.clone())
        .with_max_age(ms(500))
        .build()
        .unwrap();
    let app = app(cached);

    assert_eq!(call(&app, "valid-frank-0123456789").await.0, StatusCode::OK);
    tokio::time::sleep(ms(150)).await;
    assert_eq!(call(&app, "valid-frank-0123456789").await.0, StatusCode::OK);
    assert_eq!(counting.calls(), 1);

    tokio::time::sleep(ms(500)).await;
    assert_eq!(call(&app, "valid-frank-0123456789").await.0, StatusCode::OK);
    assert_eq!(counting.calls(), 2);
}

#[tokio::test]
async fn an_expired_token_is_not_remembered() {
    let counting = Counting {
        lifetime: Some(Duration::ZERO),
        ..Counting::new()
    };
    let cached = CachedVerifier::new(counting.clone());
    let app = app(cached.clone());
    for _ in 0..3 {
        assert_eq!(call(&app, "valid-gina-0123456789").await.0, StatusCode::OK);
    }
    assert_eq!(counting.calls(), 3);
    assert_eq!(cached.entries(), 0);
}

#[tokio::test]
async fn refusals_are_remembered_briefly_and_outages_never() {
    let counting = Counting::new();
    let cached = CachedVerifier::builder(counting.clone())
        .with_refusals(10, ms(400))
        .build()
        .unwrap();
    let app = app(cached);

    assert_eq!(
        call(&app, "forged-0123456789").await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        call(&app, "forged-0123456789").await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(counting.calls(), 1);
    tokio::time::sleep(ms(500)).await;
    assert_eq!(
        call(&app, "forged-0123456789").await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(counting.calls(), 2, "asked again after the refusal TTL");

    // An unavailable verifier is asked every time: 503 is not a verdict.
    assert_eq!(
        call(&app, "down-0123456789").await.0,
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert_eq!(
        call(&app, "down-0123456789").await.0,
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert_eq!(counting.calls(), 4);
}

#[test]
fn the_jwt_verifier_knows_expiry_id_and_key() {
    let key = tower_bearer_auth::jwt::JwtKey::from_jwk_json(
        &String::from_utf8(key_server::fixture("a3.jwk.json")).unwrap(),
    )
    .unwrap()
    .with_issuer(ISSUER_A);
    let verifier: JwtVerifier = JwtVerifier::builder()
        .with_key(key)
        .with_issuer(ISSUER_A)
        .with_audience(AUDIENCE)
        .build()
        .unwrap();
    let token = token("a3");
    let claims = verifier.verify_jwt(&token).unwrap();
    let mut headers = http::HeaderMap::new();
    headers.insert("authorization", format!("Bearer {token}").parse().unwrap());
    let bearer = TokenExtractor::new()
        .with_max_len(8192)
        .unwrap()
        .extract(&headers, &"/".parse().unwrap())
        .unwrap()
        .unwrap();
    let facts = verifier.token_facts(&bearer, &claims);
    // Every fixture expires at 4102444800 (2100-01-01).
    assert_eq!(
        facts.expires_at(),
        Some(UNIX_EPOCH + Duration::from_secs(4_102_444_800))
    );
    assert_eq!(facts.token_id(), claims.jti());
    assert!(facts.token_id().is_some_and(|jti| jti.ends_with("-a3")));
    assert_eq!(facts.keys().len(), 1);
    assert!(verifier.still_trusts(&facts));
}

#[tokio::test]
async fn a_jwt_verdict_is_dropped_when_its_key_rotates_out() {
    const COOLDOWN: Duration = Duration::from_millis(300);
    let server = KeyServer::start().await;
    server.reply("/jwks", Reply::fixture("jwks-a.json"));
    let keys = Jwks::from_url(server.url("/jwks"), ISSUER_A)
        .with_cooldown(COOLDOWN)
        .build()
        .unwrap();
    keys.ready().await.unwrap();
    let verifier: JwtVerifier = JwtVerifier::builder()
        .with_jwks(keys)
        .with_audience(AUDIENCE)
        .build()
        .unwrap();
    let cached = CachedVerifier::new(verifier);
    let app = app(cached.clone());

    assert_eq!(
        call(&app, &token("a1")).await,
        (StatusCode::OK, "alice".to_owned())
    );
    assert_eq!(call(&app, &token("a3")).await.0, StatusCode::OK);
    assert_eq!(cached.entries(), 2);

    // a1 leaves the key set: the first token naming a2 brings the new set.
    server.reply("/jwks", Reply::fixture("jwks-a-rotated.json"));
    tokio::time::sleep(COOLDOWN + ms(50)).await;
    assert_eq!(call(&app, &token("a2")).await.0, StatusCode::OK);
    assert_eq!(server.hits("/jwks"), 2);

    assert_eq!(cached.entries(), 3, "a1, a3 and a2 remembered");

    // The remembered a1 verdict no longer holds: forgotten, and a1's token
    // refused. a3 stayed in the set across the rotation: its verdict stays.
    assert_eq!(call(&app, &token("a1")).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(cached.entries(), 2, "a1's verdict dropped");
    assert_eq!(call(&app, &token("a3")).await.0, StatusCode::OK);
    assert_eq!(cached.entries(), 2, "a3 still answered from memory");
}

/// Two issuers publish the same key. A verdict on issuer A's token holds
/// while A's set has the key; once A rotates it out, B still publishing it
/// does not keep the verdict: each key is trusted for its own issuer only.
#[tokio::test]
async fn a_jwt_verdict_is_upheld_only_by_its_own_issuers_keys() {
    const COOLDOWN: Duration = Duration::from_millis(300);
    let server = KeyServer::start().await;
    server.reply("/a", Reply::fixture("jwks-a.json"));
    server.reply("/b", Reply::fixture("jwks-a.json"));
    let jwks = |path: &str, issuer: &str| {
        Jwks::from_url(server.url(path), issuer)
            .with_cooldown(COOLDOWN)
            .build()
            .unwrap()
    };
    let (a, b) = (jwks("/a", ISSUER_A), jwks("/b", key_server::ISSUER_B));
    a.ready().await.unwrap();
    b.ready().await.unwrap();
    let verifier: JwtVerifier = JwtVerifier::builder()
        .with_jwks(a)
        .with_jwks(b)
        .with_audience(AUDIENCE)
        .build()
        .unwrap();
    let cached = CachedVerifier::new(verifier);
    let app = app(cached.clone());
    assert_eq!(
        call(&app, &token("a1")).await,
        (StatusCode::OK, "alice".to_owned())
    );
    assert_eq!(cached.entries(), 1);

    // a1 leaves A's set (a2 brings the new one); B still publishes a1.
    server.reply("/a", Reply::fixture("jwks-a-rotated.json"));
    tokio::time::sleep(COOLDOWN + ms(50)).await;
    assert_eq!(call(&app, &token("a2")).await.0, StatusCode::OK);
    assert_eq!(server.hits("/a"), 2);

    assert_eq!(call(&app, &token("a1")).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(cached.entries(), 1, "a1's verdict dropped, a2's kept");
}

/// Accepts a token only where its binding is checked, as the JWT verifier
/// does with a bound token.
#[derive(Clone)]
struct BoundTokens;

impl VerifyToken for BoundTokens {
    type Claims = User;
    type Future = std::future::Ready<Result<User, AuthError>>;

    fn verify(&self, token: BearerToken, _head: &Parts) -> Self::Future {
        std::future::ready(if token.binding_checked() {
            Ok(User(token.as_str().to_owned()))
        } else {
            Err(AuthError::invalid_token())
        })
    }
}

/// One cache behind a layer that checks bindings (DPoP) and one that does
/// not: neither the refusal nor the acceptance of a bound token crosses
/// over.
#[tokio::test]
async fn a_bound_tokens_verdict_serves_only_where_its_binding_is_checked() {
    let cached = CachedVerifier::new(BoundTokens);
    let head = Request::new(()).into_parts().0;
    let token: BearerToken = "bound-0123456789".parse().unwrap();
    let kind = |verdict: Result<User, AuthError>| verdict.map(|user| user.0).map_err(|e| e.kind());

    let plain = cached.verify(token.clone(), &head).await;
    assert_eq!(kind(plain), Err(tower_bearer_auth::ErrorKind::InvalidToken));
    assert_eq!(cached.refusals(), 1);
    let checked = cached
        .verify(token.clone().with_binding_checked(), &head)
        .await;
    assert_eq!(
        kind(checked),
        Ok("bound-0123456789".to_owned()),
        "not the plain refusal"
    );
    assert_eq!(cached.entries(), 1);
    let plain = cached.verify(token.clone(), &head).await;
    assert_eq!(
        kind(plain),
        Err(tower_bearer_auth::ErrorKind::InvalidToken),
        "not the checked acceptance"
    );
    // Over the wire, behind a plain layer.
    let answer = call(&app(cached.clone()), "bound-0123456789").await;
    assert_eq!(answer.0, StatusCode::UNAUTHORIZED);
}
