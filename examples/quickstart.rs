//! The quickstart: an axum service whose routes need a JWT access token.
//!
//! ```text
//! cargo run --example quickstart --features axum,jwt
//! ```
//!
//! - `GET /public`: no token needed.
//! - `GET /me`: any valid token; answers its claims as JSON.
//! - `GET /hello`: any valid token; answers `hello`.
//! - `GET /admin`: a valid token with the scope `admin`, else 403.
//!
//! Environment: `BIND` (default `127.0.0.1:3000`), `JWT_SECRET` (HS256) or
//! `JWT_PUBLIC_KEY` (path of a PEM public key; the algorithm follows from the
//! key, or `JWT_ALGORITHMS` names them: `PS256`), `JWT_ISSUER`, `JWT_AUDIENCE`, `JWT_PROFILE` (`jwt` or `rfc9068`),
//! `JWT_CACHE` (`on` keeps verdicts in a `CachedVerifier`; built with the
//! feature `cache`).
//! With no key set it generates a secret for this run and prints tokens
//! valid for an hour, with `curl` lines to try them:
//!
//! ```text
//! curl -i http://127.0.0.1:3000/me                                   # 401, no token
//! curl -i -H "Authorization: Bearer $TOKEN" http://127.0.0.1:3000/me     # 200, the claims
//! curl -i -H "Authorization: Bearer $TOKEN" http://127.0.0.1:3000/admin  # 403 without scope admin
//! ```

#[path = "common/mod.rs"]
mod common;
#[path = "common/jwt_env.rs"]
mod jwt_env;
#[path = "common/jwt_routes.rs"]
mod jwt_routes;

use tokio::net::TcpListener;
use tower_bearer_auth::BearerAuthLayer;
#[cfg(feature = "cache")]
use tower_bearer_auth::ConfigError;
use tower_bearer_auth::jwt::{AccessClaims, JwtVerifier};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    common::init_tracing();
    let config = jwt_env::from_env()?;
    let listener = TcpListener::bind(common::bind_address()?).await?;
    let address = listener.local_addr()?;

    let app = if cache_wanted()? {
        cached_routes(config.verifier)?
    } else {
        jwt_routes::routes(BearerAuthLayer::new(config.verifier), axum::Router::new())
    };

    eprintln!("listening on http://{address}");
    for (scope, token) in &config.demo_tokens {
        eprintln!("\nA token with scope {scope:?}, valid for an hour:\n{token}");
        eprintln!("curl -i -H 'Authorization: Bearer {token}' http://{address}/me");
        if scope.contains("admin") {
            eprintln!("curl -i -H 'Authorization: Bearer {token}' http://{address}/admin");
        }
    }
    axum::serve(listener, app).await?;
    Ok(())
}

/// `JWT_CACHE`: `on`, or unset (or `off`).
fn cache_wanted() -> Result<bool, Box<dyn std::error::Error>> {
    match std::env::var("JWT_CACHE").ok().as_deref() {
        None | Some("" | "off") => Ok(false),
        Some("on") => Ok(true),
        Some(other) => Err(format!("JWT_CACHE must be on or off, not {other:?}").into()),
    }
}

#[cfg(feature = "cache")]
fn cached_routes(verifier: JwtVerifier<AccessClaims>) -> Result<axum::Router, ConfigError> {
    let cached = tower_bearer_auth::cache::CachedVerifier::new(verifier);
    Ok(jwt_routes::routes(
        BearerAuthLayer::new(cached),
        axum::Router::new(),
    ))
}

#[cfg(not(feature = "cache"))]
fn cached_routes(_: JwtVerifier<AccessClaims>) -> Result<axum::Router, Box<dyn std::error::Error>> {
    Err("JWT_CACHE=on needs the feature cache: --features axum,jwt,cache".into())
}
