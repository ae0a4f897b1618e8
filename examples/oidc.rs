//! The quickstart's routes with keys from the identity provider: OpenID
//! Connect discovery, or a JWK Set URL, fetched, cached and kept fresh.
//!
//! ```text
//! OIDC_ISSUER=https://login.example.com JWT_AUDIENCE=my-api \
//!     cargo run --example oidc --features axum,jwt,jwks
//! ```
//!
//! Environment:
//! - `OIDC_ISSUER`: the issuer; its keys are found through
//!   `{OIDC_ISSUER}/.well-known/openid-configuration`, or
//! - `JWKS_URL`: the key set's URL, with `JWT_ISSUER` (required: the keys
//!   vouch for that issuer only).
//! - `JWT_AUDIENCE` (unset: any audience, with a warning), `JWT_PROFILE`
//!   (`jwt` or `rfc9068`) and `BIND` (default `127.0.0.1:3000`), as in the
//!   quickstart.
//!
//! It starts even if the keys cannot be fetched yet: requests get 503 with
//! `Retry-After` until they can. Routes: `GET /public`, `GET /me` (the
//! token's claims), `GET /admin` (scope `admin`).

#[path = "common/mod.rs"]
mod common;
#[path = "common/jwt_env.rs"]
mod jwt_env;
#[path = "common/jwt_routes.rs"]
mod jwt_routes;
#[path = "common/oidc_env.rs"]
mod oidc_env;

use tokio::net::TcpListener;
use tower_bearer_auth::BearerAuthLayer;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    common::init_tracing();
    let verifier = oidc_env::verifier().await?;
    let app = jwt_routes::routes(BearerAuthLayer::new(verifier), axum::Router::new());

    let listener = TcpListener::bind(common::bind_address()?).await?;
    eprintln!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}
