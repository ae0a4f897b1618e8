//! The quickstart's routes for opaque tokens: each new token is checked at
//! the authorization server's introspection endpoint (RFC 7662), and the
//! answer remembered until the token's `exp` or for a minute at most.
//!
//! ```text
//! INTROSPECTION_URL=https://login.example.com/oauth2/introspect \
//! CLIENT_ID=my-api CLIENT_SECRET=... JWT_AUDIENCE=my-api \
//!     cargo run --example introspection --features axum,jwt,introspection
//! ```
//!
//! Environment:
//! - `INTROSPECTION_URL`: the endpoint (`https`, or `http` to 127.0.0.1).
//! - `CLIENT_ID`, `CLIENT_SECRET`: this service's credentials at the
//!   authorization server, sent with HTTP Basic (`client_secret_basic`).
//! - `JWT_ISSUER`, `JWT_AUDIENCE`: the `iss` and `aud` an answer must
//!   carry; unset, that member is not checked (a warning says so).
//! - `BIND` (default `127.0.0.1:3000`).
//!
//! Routes: `GET /public`, `GET /me` (what the endpoint said about the
//! token, as JSON), `GET /admin` (scope `admin`). An endpoint that cannot
//! answer gives 503 with `Retry-After`, never 401.

#[path = "common/mod.rs"]
mod common;

use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tower_bearer_auth::BearerAuthLayer;
use tower_bearer_auth::axum::Claims;
use tower_bearer_auth::cache::CachedVerifier;
use tower_bearer_auth::introspection::{IntrospectionClaims, IntrospectionVerifier};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    common::init_tracing();
    let required = |name: &str| std::env::var(name).map_err(|_| format!("set {name}"));
    let mut builder = IntrospectionVerifier::builder(required("INTROSPECTION_URL")?)
        .with_client_secret_basic(required("CLIENT_ID")?, required("CLIENT_SECRET")?);
    match std::env::var("JWT_ISSUER") {
        Ok(issuer) => builder = builder.with_issuer(issuer),
        Err(_) => eprintln!("JWT_ISSUER not set: answers from any issuer are accepted"),
    }
    match std::env::var("JWT_AUDIENCE") {
        Ok(audience) => builder = builder.with_audience(audience),
        Err(_) => {
            eprintln!("JWT_AUDIENCE not set: tokens for any audience are accepted");
            builder = builder.without_audience_check();
        }
    }
    // One introspection per token, shared by concurrent requests, remembered
    // until the token's `exp` or for 60 s at most.
    let auth = BearerAuthLayer::new(CachedVerifier::new(builder.build()?));

    let app = Router::new()
        .route("/me", get(me))
        .route(
            "/admin",
            get(admin).route_layer(auth.require_scopes(["admin"])),
        )
        .route_layer(auth)
        .route("/public", get(|| async { "public\n" }));

    let listener = TcpListener::bind(common::bind_address()?).await?;
    eprintln!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}

/// What the endpoint said about the token.
async fn me(Claims(claims): Claims<IntrospectionClaims>) -> Json<Value> {
    Json(json!({
        "sub": claims.sub,
        "username": claims.username,
        "client_id": claims.client_id,
        "scope": claims.scopes.as_str(),
        "exp": claims.exp,
    }))
}

async fn admin(Claims(claims): Claims<IntrospectionClaims>) -> String {
    format!(
        "hello admin {}\n",
        claims.sub.as_deref().unwrap_or("(no subject)")
    )
}
