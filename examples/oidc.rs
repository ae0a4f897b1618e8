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

use tokio::net::TcpListener;
use tower_bearer_auth::jwks::Jwks;
use tower_bearer_auth::jwt::JwtVerifier;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    common::init_tracing();
    let keys = match (
        jwt_env::var("OIDC_ISSUER"),
        jwt_env::var("JWKS_URL"),
        jwt_env::var("JWT_ISSUER"),
    ) {
        (Some(issuer), None, None) => Jwks::discover(issuer),
        (None, Some(url), Some(issuer)) => Jwks::from_url(url, issuer),
        (None, Some(_), None) => return Err("JWKS_URL needs JWT_ISSUER".into()),
        (Some(_), _, _) => {
            return Err("set OIDC_ISSUER alone, or JWKS_URL with JWT_ISSUER".into());
        }
        (None, None, _) => return Err("set OIDC_ISSUER, or JWKS_URL and JWT_ISSUER".into()),
    }
    .build()?;

    let mut builder = JwtVerifier::builder()
        .with_jwks(keys.clone())
        .with_profile(jwt_env::profile()?);
    match jwt_env::var("JWT_AUDIENCE") {
        Some(audience) => builder = builder.with_audience(audience),
        None => {
            eprintln!("JWT_AUDIENCE not set: tokens for any audience are accepted");
            builder = builder.without_audience_check();
        }
    }
    let app = jwt_routes::routes(builder.build()?, axum::Router::new())?;

    // Not fatal: the service answers 503 until the keys arrive. A service
    // that must not start without them would return the error instead.
    match keys.ready().await {
        Ok(()) => eprintln!(
            "keys of {} fetched: {:?}",
            keys.issuer(),
            keys.status().key_ids
        ),
        Err(error) => eprintln!(
            "keys of {} not available yet ({error}): 503 until they are",
            keys.issuer()
        ),
    }

    let listener = TcpListener::bind(common::bind_address()?).await?;
    eprintln!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}
