//! A verifier of your own: tokens looked up in a session store, with expiry,
//! revocation and a tenant check against the request.
//!
//! ```text
//! cargo run --example custom_verifier --features axum
//! ```
//!
//! The store is in memory here; a real one would be a database or a cache,
//! reached asynchronously, which is why the verifier returns a boxed future.
//! Environment: `BIND` (default `127.0.0.1:3000`). The example prints a
//! valid, an expired and a revoked token at start-up, and requests must send
//! the token's tenant in `X-Tenant`:
//!
//! ```text
//! curl -i -H 'Authorization: Bearer <valid>' -H 'X-Tenant: acme' http://127.0.0.1:3000/me
//! curl -i -H 'Authorization: Bearer <expired>' -H 'X-Tenant: acme' http://127.0.0.1:3000/me  # 401 expired
//! curl -i -H 'Authorization: Bearer <valid>' -H 'X-Tenant: other' http://127.0.0.1:3000/me   # 401 invalid
//! ```

#[path = "common/mod.rs"]
mod common;

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime};

use axum::Router;
use axum::routing::get;
use http::request::Parts;
use tower_bearer_auth::axum::Claims;
use tower_bearer_auth::{AuthError, BearerAuthLayer, BearerToken, VerifyToken};

/// What the handler gets.
#[derive(Clone, Debug)]
struct Session {
    user: String,
    tenant: String,
}

/// A stored session.
struct Entry {
    session: Session,
    expires: SystemTime,
    revoked: bool,
}

/// Verifies tokens against a shared session store.
#[derive(Clone, Default)]
struct SessionVerifier {
    sessions: Arc<RwLock<HashMap<String, Entry>>>,
}

impl SessionVerifier {
    fn insert(&self, token: &str, user: &str, lifetime: Duration, revoked: bool) {
        let entry = Entry {
            session: Session {
                user: user.to_owned(),
                tenant: "acme".to_owned(),
            },
            expires: SystemTime::now() + lifetime,
            revoked,
        };
        if let Ok(mut sessions) = self.sessions.write() {
            sessions.insert(token.to_owned(), entry);
        }
    }
}

impl VerifyToken for SessionVerifier {
    type Claims = Session;
    type Future = Pin<Box<dyn Future<Output = Result<Session, AuthError>> + Send>>;

    fn verify(&self, token: BearerToken, head: &Parts) -> Self::Future {
        // Take from the request what the decision needs before going async.
        let tenant = head
            .headers
            .get("x-tenant")
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        let sessions = Arc::clone(&self.sessions);
        Box::pin(async move {
            // A real store would be awaited here.
            let sessions = sessions.read().map_err(|_| AuthError::unavailable())?;
            let entry = sessions
                .get(token.as_str())
                .ok_or_else(AuthError::invalid_token)?;
            if entry.revoked {
                return Err(AuthError::revoked());
            }
            if entry.expires <= SystemTime::now() {
                return Err(AuthError::expired());
            }
            if tenant.as_deref() != Some(entry.session.tenant.as_str()) {
                return Err(AuthError::invalid_token()
                    .with_description("the access token is not valid for this tenant"));
            }
            Ok(entry.session.clone())
        })
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    common::init_tracing();
    let verifier = SessionVerifier::default();
    let hour = Duration::from_secs(3600);
    verifier.insert("valid-session-token-0123456789", "alice", hour, false);
    verifier.insert(
        "expired-session-token-0123456789",
        "bob",
        Duration::ZERO,
        false,
    );
    verifier.insert("revoked-session-token-0123456789", "carol", hour, true);
    eprintln!("valid:   valid-session-token-0123456789");
    eprintln!("expired: expired-session-token-0123456789");
    eprintln!("revoked: revoked-session-token-0123456789");

    let app = Router::new()
        .route("/me", get(me))
        .route_layer(BearerAuthLayer::new(verifier).with_realm("sessions"));

    let address = std::env::var("BIND").unwrap_or_else(|_| "127.0.0.1:3000".to_owned());
    let listener = tokio::net::TcpListener::bind(address).await?;
    eprintln!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}

async fn me(Claims(session): Claims<Session>) -> String {
    format!("{} of {}\n", session.user, session.tenant)
}
