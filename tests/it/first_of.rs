//! `FirstOf`: "a JWT or an API key" as one verifier behind the layer, over
//! HTTP on 127.0.0.1. The verifier that recognizes the token decides, the
//! other never sees it, and a 503 stays a 503.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::routing::get;
use http::request::Parts;
use serde_json::json;
use tower_bearer_auth::axum::Claims;
use tower_bearer_auth::jwks::Jwks;
use tower_bearer_auth::jwt::{AccessClaims, JwtProfile, JwtVerifier};
use tower_bearer_auth::{BearerAuthLayer, BearerToken, FirstOf, StaticTokens, VerifyToken};

use crate::support;
use crate::support::jwt::{AUDIENCE, ISSUER, fixture, verifier};

const API_KEY: &str = "robot-api-key-0123456789abcdef";

/// A verifier that counts the tokens it is asked to verify.
#[derive(Clone)]
struct Counted<V> {
    inner: V,
    calls: Arc<AtomicUsize>,
}

impl<V> Counted<V> {
    fn new(inner: V) -> Self {
        Self {
            inner,
            calls: Arc::default(),
        }
    }

    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

impl<V: VerifyToken> VerifyToken for Counted<V> {
    type Claims = V::Claims;
    type Future = V::Future;

    fn verify(&self, token: BearerToken, head: &Parts) -> Self::Future {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.inner.verify(token, head)
    }

    fn recognizes(&self, token: &BearerToken) -> bool {
        self.inner.recognizes(token)
    }
}

fn api_keys() -> StaticTokens<AccessClaims> {
    let robot = serde_json::from_value(json!({"sub": "robot", "scope": "read"})).expect("claims");
    StaticTokens::new()
        .with_token(API_KEY, robot)
        .expect("a long enough key")
}

fn app<V>(verifier: V) -> Router
where
    V: VerifyToken<Claims = AccessClaims> + Clone + Send + Sync + 'static,
    V::Future: Send,
{
    Router::new()
        .route(
            "/me",
            get(|Claims(claims): Claims<AccessClaims>| async move {
                claims.sub().unwrap_or("").to_owned()
            }),
        )
        .route_layer(BearerAuthLayer::new(verifier))
}

fn bearer(token: &str) -> String {
    format!("Authorization: Bearer {token}")
}

#[tokio::test]
async fn the_verifier_that_recognizes_the_token_decides() {
    let jwt = Counted::new(verifier(JwtProfile::Jwt));
    let keys = Counted::new(api_keys());
    let address = support::serve(app(FirstOf::new(jwt.clone(), keys.clone()))).await;

    // A JWT of the accepted issuer: the JWT verifier's claims.
    let token = fixture("hs256-valid").token;
    let answer = support::get(address, "/me", &[bearer(&token).as_bytes()]).await;
    assert_eq!(answer.status, 200, "{}", answer.body_text());
    let subject = verifier(JwtProfile::Jwt)
        .verify_jwt(&token)
        .expect("valid")
        .sub()
        .map(str::to_owned);
    assert_eq!(Some(answer.body_text()), subject);
    assert_eq!((jwt.calls(), keys.calls()), (1, 0));

    // The API key: the table's claims; the JWT verifier never sees it.
    let answer = support::get(address, "/me", &[bearer(API_KEY).as_bytes()]).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body_text(), "robot");
    assert_eq!((jwt.calls(), keys.calls()), (1, 1));

    // A JWT the JWT verifier recognizes but refuses: its answer, not a
    // second opinion from the table.
    let expired = fixture("expired").token;
    let answer = support::get(address, "/me", &[bearer(&expired).as_bytes()]).await;
    assert_eq!(answer.status, 401);
    assert!(
        answer
            .header("www-authenticate")
            .is_some_and(|c| c.contains(r#"error="invalid_token""#))
    );
    assert_eq!((jwt.calls(), keys.calls()), (2, 1));

    // A JWT of another issuer, and a token neither knows: the second
    // verifier decides, and refuses.
    for token in [
        fixture("wrong-issuer").token,
        "c29tZS1vdGhlci10b2tlbg".to_owned(),
    ] {
        let answer = support::get(address, "/me", &[bearer(&token).as_bytes()]).await;
        assert_eq!(answer.status, 401, "{token}");
        assert!(
            answer
                .header("www-authenticate")
                .is_some_and(|c| c.contains(r#"error="invalid_token""#))
        );
    }
    assert_eq!((jwt.calls(), keys.calls()), (2, 3));
}

#[tokio::test]
async fn a_503_from_the_recognizing_verifier_is_not_hidden() {
    // Keys from an endpoint that refuses connections: no keys ever arrive.
    let unused = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let url = format!("http://{}/jwks", unused.local_addr().expect("address"));
    drop(unused);
    let keys = Jwks::from_url(url, ISSUER)
        .with_timeout(Duration::from_millis(200))
        .build()
        .expect("a key source");
    let jwt: JwtVerifier = JwtVerifier::builder()
        .with_jwks(keys)
        .with_audience(AUDIENCE)
        .build()
        .expect("a verifier");
    let address = support::serve(app(FirstOf::new(jwt, api_keys()))).await;

    let token = fixture("rs256-valid").token;
    let answer = support::get(address, "/me", &[bearer(&token).as_bytes()]).await;
    assert_eq!(answer.status, 503, "{}", answer.body_text());
    assert!(answer.header("retry-after").is_some());

    let answer = support::get(address, "/me", &[bearer(API_KEY).as_bytes()]).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body_text(), "robot");
}

#[test]
fn recognizing_reads_the_token_and_nothing_else() {
    let jwt = verifier(JwtProfile::Jwt);
    let token = |text: &str| text.parse::<BearerToken>().expect("a b64token");
    assert!(jwt.recognizes(&token(&fixture("hs256-valid").token)));
    assert!(
        jwt.recognizes(&token(&fixture("expired").token)),
        "expiry is verification's"
    );
    assert!(!jwt.recognizes(&token(&fixture("wrong-issuer").token)));
    assert!(!jwt.recognizes(&token(API_KEY)));
    assert!(api_keys().recognizes(&token(API_KEY)));
    assert!(!api_keys().recognizes(&token(&fixture("hs256-valid").token)));
}
