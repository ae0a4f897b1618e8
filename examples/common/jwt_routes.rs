//! The routes of the JWT examples (`quickstart`, `oidc`): `/public` open,
//! `/me` any valid token, `/admin` scope `admin`.

use axum::routing::get;
use axum::{Json, Router};
use tower_bearer_auth::axum::Claims;
use tower_bearer_auth::jwt::{AccessClaims, JwtVerifier};
use tower_bearer_auth::{BearerAuthLayer, ConfigError};

pub(crate) fn routes(verifier: JwtVerifier<AccessClaims>) -> Result<Router, ConfigError> {
    let auth = BearerAuthLayer::new(verifier);
    Ok(Router::new()
        .route("/me", get(me))
        .route(
            "/admin",
            get(admin).route_layer(auth.require_scopes(["admin"])?),
        )
        .route_layer(auth)
        .route("/public", get(|| async { "public\n" })))
}

/// The verified claims, as the handler received them.
async fn me(Claims(claims): Claims<AccessClaims>) -> Json<AccessClaims> {
    Json(claims)
}

async fn admin(Claims(claims): Claims<AccessClaims>) -> String {
    format!("hello admin {}\n", claims.sub().unwrap_or("(no subject)"))
}
