//! An axum service behind bearer authentication with static API tokens.
//!
//! ```text
//! cargo run --example axum_static --features axum
//! ```
//!
//! Routes: `/public` (no token), `/me` (any valid token: the claims as
//! JSON), `/admin` (a token with scope `admin`). Environment: `BIND`
//! (default `127.0.0.1:3000`), `API_TOKEN` (subject `demo`, scope `read`),
//! `ADMIN_TOKEN` (subject `root`, scopes `read admin`); unset tokens fall back
//! to printed demo values.
//!
//! ```text
//! curl -i http://127.0.0.1:3000/public
//! curl -i http://127.0.0.1:3000/me                      # 401, WWW-Authenticate: Bearer realm="api"
//! curl -i -H 'Authorization: Bearer demo-read-token-0123456789' http://127.0.0.1:3000/me
//! curl -i -H 'Authorization: Bearer demo-read-token-0123456789' http://127.0.0.1:3000/admin   # 403
//! curl -i -H 'Authorization: Bearer demo-admin-token-0123456789' http://127.0.0.1:3000/admin
//! ```

#[path = "common/mod.rs"]
mod common;

use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};
use tower_bearer_auth::BearerAuthLayer;
use tower_bearer_auth::axum::Claims;

use common::ApiClaims;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    common::init_tracing();
    let auth = BearerAuthLayer::new(common::tokens_from_env()?);

    let app = Router::new()
        .route("/me", get(me))
        .route(
            "/admin",
            get(admin).route_layer(auth.require_scopes(["admin"])),
        )
        // `route_layer`: only the routes above need a token.
        .route_layer(auth)
        .route("/public", get(public));

    let address = common::bind_address()?;
    let listener = tokio::net::TcpListener::bind(address).await?;
    eprintln!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}

async fn public() -> &'static str {
    "public: no token needed\n"
}

async fn me(Claims(claims): Claims<ApiClaims>) -> Json<Value> {
    Json(json!({ "sub": claims.sub, "scope": claims.scopes.as_str() }))
}

async fn admin(Claims(claims): Claims<ApiClaims>) -> String {
    format!("admin: welcome, {}\n", claims.sub)
}
