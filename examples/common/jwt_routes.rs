//! The routes of the JWT examples (`quickstart`, `oidc`, `revocation`):
//! `/public` open, `/me` and `/hello` any valid token, `/admin` (and the
//! example's own admin routes) scope `admin`, or the example's own rule.

#![allow(dead_code)] // each example uses a part

use axum::routing::get;
use axum::{Json, Router};
use tower_bearer_auth::axum::Claims;
use tower_bearer_auth::jwt::AccessClaims;
use tower_bearer_auth::require::Requirement;
use tower_bearer_auth::scope::RequiredScopes;
use tower_bearer_auth::{BearerAuthLayer, VerifyToken};

/// The routes behind `auth`, with `admin` merged under the `admin` scope.
pub(crate) fn routes<V>(auth: BearerAuthLayer<V>, admin: Router) -> Router
where
    V: VerifyToken<Claims = AccessClaims> + Clone + Send + Sync + 'static,
    V::Future: Send,
{
    let admin_scope = RequiredScopes::new(["admin"]).expect("a valid scope");
    routes_with_admin_rule(auth, admin, admin_scope)
}

/// The routes behind `auth`, with `admin` merged under `rule`.
pub(crate) fn routes_with_admin_rule<V, Q>(
    auth: BearerAuthLayer<V>,
    admin: Router,
    rule: Q,
) -> Router
where
    V: VerifyToken<Claims = AccessClaims> + Clone + Send + Sync + 'static,
    V::Future: Send,
    Q: Requirement<AccessClaims> + Clone + Send + Sync + 'static,
{
    let admin = admin
        .route("/admin", get(hello_admin))
        .route_layer(auth.require(rule));
    Router::new()
        .route("/me", get(me))
        // The hello-world behind the layer, for `benches/load.sh` to set
        // against `/public`.
        .route("/hello", get(|| async { "hello\n" }))
        .merge(admin)
        .route_layer(auth)
        .route("/public", get(|| async { "public\n" }))
}

/// The verified claims, as the handler received them.
async fn me(Claims(claims): Claims<AccessClaims>) -> Json<AccessClaims> {
    Json(claims)
}

async fn hello_admin(Claims(claims): Claims<AccessClaims>) -> String {
    format!("hello admin {}\n", claims.sub().unwrap_or("(no subject)"))
}
