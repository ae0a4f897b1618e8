//! `CheckRevoked` through the layer: a revoked JWT (by `jti`) and a revoked
//! opaque token (by digest) refused with 401 `invalid_token`, a revocation
//! seen through a `CachedVerifier`, and a list that cannot answer refusing
//! with 503 unless configured to fail open.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime};

use axum::Router;
use axum::body::Body;
use http::request::Parts;
use http::{HeaderMap, Request, StatusCode};
use tower::ServiceExt;
use tower_bearer_auth::cache::CachedVerifier;
use tower_bearer_auth::jwt::JwtProfile;
use tower_bearer_auth::revocation::{
    CheckRevoked, MemoryRevocations, REVOCATION_GRACE, RevocationError, Revocations, TokenId,
};
use tower_bearer_auth::{AuthError, BearerToken};

use crate::support::app as support_app;
use crate::support::jwt;

use support_app::{Subject, app};
use tower_bearer_auth::scope::HasScopes;

const REVOKED_CHALLENGE: &str = r#"Bearer realm="api", error="invalid_token", error_description="the access token was revoked""#;

fn in_an_hour() -> SystemTime {
    SystemTime::now() + Duration::from_secs(3600)
}

async fn call(app: &Router, token: &str) -> (StatusCode, HeaderMap) {
    let request = Request::get("/me")
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    (response.status(), response.headers().clone())
}

#[tokio::test]
async fn a_revoked_jwt_is_refused_by_its_jti() {
    let revoked = MemoryRevocations::new();
    let app = app(CheckRevoked::new(
        jwt::verifier(JwtProfile::Jwt),
        revoked.clone(),
    ));
    let token = jwt::fixture("rs256-valid").token;
    let other = jwt::fixture("es256-valid").token;

    assert_eq!(call(&app, &token).await.0, StatusCode::OK);

    revoked.revoke(TokenId::jti(&jti_of(&token)), in_an_hour());
    let (status, headers) = call(&app, &token).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(headers["www-authenticate"], REVOKED_CHALLENGE);
    assert_eq!(
        call(&app, &other).await.0,
        StatusCode::OK,
        "other tokens pass"
    );
}

/// The `jti` of a fixture token, as the JWT verifier reads it.
fn jti_of(token: &str) -> String {
    jwt::verifier(JwtProfile::Jwt)
        .verify_jwt(token)
        .unwrap()
        .jti()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn a_revocation_is_seen_through_the_cache() {
    let revoked = MemoryRevocations::new();
    let cached = CachedVerifier::new(jwt::verifier(JwtProfile::Jwt));
    let app = app(CheckRevoked::new(cached.clone(), revoked.clone()));
    let token = jwt::fixture("es256-valid").token;

    assert_eq!(call(&app, &token).await.0, StatusCode::OK);
    assert_eq!(cached.entries(), 1);
    revoked.revoke(TokenId::jti(&jti_of(&token)), in_an_hour());
    assert_eq!(call(&app, &token).await.0, StatusCode::UNAUTHORIZED);
}

/// Claims naming the token's length.
#[derive(Clone, Debug)]
struct Length(usize);

impl Subject for Length {
    fn who(&self) -> String {
        self.0.to_string()
    }
}

impl HasScopes for Length {
    fn has_scope(&self, _: &str) -> bool {
        false
    }
}

/// Accepts any token; its claims are the token's length.
fn opaque(token: BearerToken, _: &Parts) -> std::future::Ready<Result<Length, AuthError>> {
    std::future::ready(Ok(Length(token.len())))
}

#[tokio::test]
async fn a_token_without_jti_is_revoked_by_its_digest() {
    let revoked = MemoryRevocations::new();
    let app = app(CheckRevoked::new(opaque, revoked.clone()));
    assert_eq!(
        call(&app, "opaque-leaked-0123456789").await.0,
        StatusCode::OK
    );

    revoked.revoke(TokenId::of_token("opaque-leaked-0123456789"), in_an_hour());
    let (status, headers) = call(&app, "opaque-leaked-0123456789").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(headers["www-authenticate"], REVOKED_CHALLENGE);
    assert_eq!(
        call(&app, "opaque-other-0123456789").await.0,
        StatusCode::OK
    );
    assert!(
        !format!("{revoked:?}").contains("leaked"),
        "the list keeps no token"
    );
}

/// A revocation lasts `REVOCATION_GRACE` past the expiry it is given (the
/// longest leeway a verifier grants), then ends.
#[tokio::test]
async fn a_revocation_ends_a_grace_after_the_token_would_have_expired() {
    let revoked = MemoryRevocations::new();
    let app = app(CheckRevoked::new(opaque, revoked.clone()));
    revoked.revoke(
        TokenId::of_token("opaque-short-0123456789"),
        SystemTime::now() - REVOCATION_GRACE + Duration::from_millis(300),
    );
    assert_eq!(
        call(&app, "opaque-short-0123456789").await.0,
        StatusCode::UNAUTHORIZED
    );
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(
        call(&app, "opaque-short-0123456789").await.0,
        StatusCode::OK
    );
}

/// A list that can be switched to "cannot tell".
#[derive(Clone, Default)]
struct Flaky {
    down: Arc<AtomicBool>,
}

impl Revocations for Flaky {
    fn is_revoked(&self, _id: &TokenId) -> Result<bool, RevocationError> {
        if self.down.load(Ordering::SeqCst) {
            Err(RevocationError::Stale(Duration::from_secs(30)))
        } else {
            Ok(false)
        }
    }
}

#[tokio::test]
async fn a_list_that_cannot_answer_fails_closed_unless_told_otherwise() {
    let list = Flaky::default();
    let closed = app(CheckRevoked::new(opaque, list.clone()));
    let open = app(CheckRevoked::new(opaque, list.clone()).fail_open());
    assert_eq!(call(&closed, "opaque-0123456789").await.0, StatusCode::OK);

    list.down.store(true, Ordering::SeqCst);
    let (status, headers) = call(&closed, "opaque-0123456789").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(headers.contains_key("retry-after"));
    assert_eq!(headers["www-authenticate"], r#"Bearer realm="api""#);
    assert_eq!(call(&open, "opaque-0123456789").await.0, StatusCode::OK);
}
