//! The `oidc` example with DPoP required (RFC 9449): each request proves,
//! with a fresh signed proof in the `DPoP` header, that it comes from the
//! holder of the key its token is bound to (`cnf.jkt`). A stolen token
//! alone gets 401.
//!
//! ```text
//! OIDC_ISSUER=https://login.example.com JWT_AUDIENCE=my-api \
//! DPOP_ORIGIN=https://api.example.com \
//!     cargo run --example dpop --features axum,jwt,jwks,dpop
//! ```
//!
//! Environment: the `oidc` example's (`OIDC_ISSUER` or `JWKS_URL` with
//! `JWT_ISSUER`, `JWT_AUDIENCE`, `JWT_PROFILE`, `BIND`), and
//! - `DPOP_ORIGIN`: the scheme and host clients reach the service at, which
//!   proofs name in `htu` (behind a proxy, the proxy's); default
//!   `http://{BIND}`.
//! - `DPOP_MAX_AGE`: seconds a proof is accepted after it was made
//!   (default 60).
//! - `DPOP_NONCE_SECRET`: when set (32 bytes or more), proofs must carry a
//!   nonce of this server, handed out in `DPoP-Nonce` (RFC 9449 §9).
//!
//! Routes, all needing `Authorization: DPoP <token>` and its proof:
//! `GET /me` (the token's claims), `GET /admin` (scope `admin`); `GET
//! /public` is open. The docs of `tower_bearer_auth::dpop` show how a client
//! builds a proof.

#[path = "common/mod.rs"]
mod common;
#[path = "common/jwt_env.rs"]
mod jwt_env;
#[path = "common/jwt_routes.rs"]
mod jwt_routes;
#[path = "common/oidc_env.rs"]
mod oidc_env;

use std::time::Duration;

use tokio::net::TcpListener;
use tower_bearer_auth::BearerAuthLayer;
use tower_bearer_auth::dpop::{DEFAULT_PROOF_MAX_AGE, Dpop, DpopPolicy};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    common::init_tracing();
    let bind = common::bind_address()?;
    let origin = jwt_env::var("DPOP_ORIGIN").unwrap_or_else(|| format!("http://{bind}"));
    let max_age = match jwt_env::var("DPOP_MAX_AGE") {
        Some(seconds) => Duration::from_secs(seconds.parse()?),
        None => DEFAULT_PROOF_MAX_AGE,
    };
    let mut dpop = Dpop::builder(DpopPolicy::DpopOnly)
        .with_origin(&origin)?
        .with_max_age(max_age);
    if let Some(secret) = jwt_env::var("DPOP_NONCE_SECRET") {
        dpop = dpop.with_nonces(secret.as_bytes(), Duration::from_secs(300))?;
    }
    let auth = BearerAuthLayer::new(oidc_env::verifier().await?.0).with_dpop(dpop.build()?);
    let app = jwt_routes::routes(auth, axum::Router::new());

    let listener = TcpListener::bind(bind).await?;
    eprintln!("listening on http://{}", listener.local_addr()?);
    eprintln!("proofs must name {origin} in htu");
    axum::serve(listener, app).await?;
    Ok(())
}
