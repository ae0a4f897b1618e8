//! The quickstart with revocation shared through Redis: a token revoked on
//! one instance is refused by every instance.
//!
//! ```text
//! export REDIS_URL=redis://127.0.0.1:6379/ JWT_SECRET=$(openssl rand -hex 32)
//! cargo run --example revocation --features axum,jwt,cache,redis
//! # another instance on the same Redis, with the same secret:
//! BIND=127.0.0.1:3001 cargo run --example revocation --features axum,jwt,cache,redis
//! # revoke through the first; the second refuses the token:
//! curl -i -X POST -H "Authorization: Bearer $ADMIN_TOKEN" -d "$JTI" http://127.0.0.1:3000/admin/revoke
//! curl -i -X POST -H "Authorization: Bearer $ADMIN_TOKEN" -d "$TOKEN" http://127.0.0.1:3000/admin/revoke
//! ```
//!
//! Environment: the quickstart's (`JWT_SECRET` or `JWT_PUBLIC_KEY`,
//! `JWT_ISSUER`, `JWT_AUDIENCE`, `JWT_PROFILE`, `BIND`; with no key, a
//! secret for this run and demo tokens) plus `REDIS_URL` (default
//! `redis://127.0.0.1:6379/`). Two instances must share the key to accept
//! the same tokens.
//!
//! Routes: the quickstart's, plus `POST /admin/revoke` (scope `admin`),
//! whose body is the `jti` of the token to revoke, or the whole token (a
//! body with the shape of a JWT, `TokenId::is_jwt`: three parts separated
//! by dots, the first a JSON object) for one without a `jti`: 204 once Redis has it, 503 if Redis did not take it
//! (this instance refuses the token anyway). A token revoked whole is
//! refused in every spelling of its signature.
//! Revoked tokens get 401 `invalid_token` "the access token was revoked"
//! from every instance a Redis round trip later; an instance that has not
//! heard from Redis for 5 s answers 503 until it does.

#[path = "common/mod.rs"]
mod common;
#[path = "common/jwt_env.rs"]
mod jwt_env;
#[path = "common/jwt_routes.rs"]
mod jwt_routes;

use std::time::{Duration, SystemTime};

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use tokio::net::TcpListener;
use tower_bearer_auth::BearerAuthLayer;
use tower_bearer_auth::cache::CachedVerifier;
use tower_bearer_auth::revocation::{CheckRevoked, RedisRevocations, TokenId};

/// How long a revocation is kept: longer than any token here lives (the
/// demo tokens last an hour).
const KEEP_REVOCATIONS: Duration = Duration::from_secs(24 * 60 * 60);

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    common::init_tracing();
    let config = jwt_env::from_env()?;
    let redis_url = jwt_env::var("REDIS_URL").unwrap_or_else(|| "redis://127.0.0.1:6379/".into());
    let revocations = RedisRevocations::builder(redis_url).build()?;
    if let Err(error) = revocations.ready().await {
        eprintln!("Redis not reachable yet ({error}): 503 until it is");
    }

    // Verified once per token (cached), checked against the list every time.
    let verifier = CheckRevoked::new(CachedVerifier::new(config.verifier), revocations.clone());
    let admin = Router::new()
        .route("/admin/revoke", post(revoke))
        .with_state(revocations);
    let app = jwt_routes::routes(BearerAuthLayer::new(verifier), admin);

    let listener = TcpListener::bind(common::bind_address()?).await?;
    let address = listener.local_addr()?;
    eprintln!("listening on http://{address}");
    for (scope, token) in &config.demo_tokens {
        eprintln!("\nA token with scope {scope:?}, valid for an hour:\n{token}");
    }
    axum::serve(listener, app).await?;
    Ok(())
}

/// Revokes the token the body names: by its `jti`, or, for a body shaped
/// like a JWT, the token itself.
async fn revoke(State(revocations): State<RedisRevocations>, body: String) -> StatusCode {
    let body = body.trim();
    // A JWT is named by its signed part: every spelling of its signature.
    let id = if TokenId::is_jwt(body) {
        TokenId::of_token(body)
    } else if (1..=256).contains(&body.len()) {
        TokenId::jti(body)
    } else {
        return StatusCode::BAD_REQUEST;
    };
    let until = SystemTime::now() + KEEP_REVOCATIONS;
    match revocations.revoke(id, until).await {
        Ok(()) => StatusCode::NO_CONTENT,
        Err(error) => {
            eprintln!("revocation not shared: {error}");
            StatusCode::SERVICE_UNAVAILABLE
        }
    }
}
