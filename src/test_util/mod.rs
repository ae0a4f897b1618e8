//! What your application's own tests need (feature `test-util`): a
//! verifier that answers from a map, and, with `jwks`, an identity provider
//! of its own on 127.0.0.1 that signs the tokens your tests choose.
//!
//! # Testing your application
//!
//! - [`MapVerifier`], for a handler's tests: each token gets the answer the
//!   test gave it (claims, expired, unavailable...), with no key, no clock
//!   and no network. It tests what your routes do with claims and with each
//!   refusal, not how tokens are verified.
//! - [`TestIssuer`] (with feature `jwks`), for the whole verification path:
//!   a throwaway key, OpenID Connect discovery and the JWK Set served on
//!   127.0.0.1, and tokens signed with the claims the test chooses. Your
//!   verifier fetches the keys over HTTP with this crate's own client, as
//!   it would from your identity provider, and checks the signature, issuer,
//!   audience, expiry and type as it does in production: your configuration
//!   is tested too.
//!
//! Neither replaces a test against your real identity provider's tokens
//! (its claim names, its key types); both keep such tests few.
#![cfg_attr(
    feature = "axum",
    doc = r#"
A handler's test with [`MapVerifier`]:

```
use axum::{Extension, Router, body::Body, routing::get};
use http::{Request, StatusCode};
use tower::ServiceExt;
use tower_bearer_auth::test_util::MapVerifier;
use tower_bearer_auth::{AuthError, BearerAuthLayer};

#[derive(Clone)]
struct User { name: &'static str }

# #[tokio::main(flavor = "current_thread")]
# async fn main() -> Result<(), Box<dyn std::error::Error>> {
let verifier = MapVerifier::new()
    .accept("alice", User { name: "alice" })
    .refuse("old", AuthError::expired())
    .refuse("down", AuthError::unavailable());
let app = Router::new()
    .route("/me", get(|Extension(user): Extension<User>| async move { user.name }))
    .route_layer(BearerAuthLayer::new(verifier));

let get = |token: &str| {
    let request = Request::get("/me").header("authorization", format!("Bearer {token}"));
    app.clone().oneshot(request.body(Body::empty()).unwrap())
};
assert_eq!(get("alice").await?.status(), StatusCode::OK);
assert_eq!(get("old").await?.status(), StatusCode::UNAUTHORIZED);
assert_eq!(get("down").await?.status(), StatusCode::SERVICE_UNAVAILABLE);
assert_eq!(get("nobody").await?.status(), StatusCode::UNAUTHORIZED);
# Ok(())
# }
```
"#
)]
#![cfg_attr(
    all(feature = "axum", feature = "jwks"),
    doc = r#"
An application's test with [`TestIssuer`]: the verifier is the one the
application builds, with its keys found by discovery at the issuer, and
each token is one the test asked for.

```
use axum::{Json, Router, body::Body, routing::get};
use http::{Request, StatusCode};
use serde_json::{Value, json};
use tower::ServiceExt;
use tower_bearer_auth::jwt::AccessClaims;
use tower_bearer_auth::test_util::TestIssuer;
use tower_bearer_auth::{BearerAuthLayer, axum::Claims};

# #[tokio::main(flavor = "current_thread")]
# async fn main() -> Result<(), Box<dyn std::error::Error>> {
let issuer = TestIssuer::start().await?;
let verifier = issuer.verifier().with_audience("https://api.example.com").build()?;
let app = Router::new()
    .route("/me", get(|Claims(claims): Claims<AccessClaims>| async move { Json(claims) }))
    .route_layer(BearerAuthLayer::new(verifier));

let get = |token: String| {
    let request = Request::get("/me").header("authorization", format!("Bearer {token}"));
    app.clone().oneshot(request.body(Body::empty()).unwrap())
};
let alice = issuer
    .token()
    .subject("alice")
    .audience("https://api.example.com")
    .scopes(["read"])
    .claim("roles", json!(["admin"]));

// Valid: the handler sees the claims.
let response = get(alice.clone().sign()).await?;
assert_eq!(response.status(), StatusCode::OK);
let body = axum::body::to_bytes(response.into_body(), 64 * 1024).await?;
let seen: Value = serde_json::from_slice(&body)?;
assert_eq!(seen["sub"], "alice");
assert_eq!(seen["iss"], issuer.issuer());
assert_eq!(seen["roles"], json!(["admin"]));

// Expired, for another audience, signed by another key: 401.
for token in [
    alice.clone().expired().sign(),
    alice.clone().audience("https://other.example.com").sign(),
    alice.clone().signed_by_another_key().sign(),
] {
    let response = get(token).await?;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(response.headers()["www-authenticate"].to_str()?.contains("invalid_token"));
}
# Ok(())
# }
```
"#
)]

mod map_verifier;

#[cfg(feature = "jwks")]
mod issuer;
#[cfg(feature = "jwks")]
mod server;
#[cfg(feature = "jwks")]
mod token;

pub use map_verifier::MapVerifier;

#[cfg(feature = "jwks")]
pub use issuer::TestIssuer;
#[cfg(feature = "jwks")]
pub use token::TokenBuilder;
