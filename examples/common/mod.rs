//! What the examples share: the demo claims, the static tokens from the
//! environment, the listening address, and the log output.

#![allow(dead_code)] // each example uses a part

use std::net::SocketAddr;

use tower_bearer_auth::StaticTokens;
use tower_bearer_auth::scope::{HasScopes, Scopes};

/// The claims of the demo API tokens.
#[derive(Clone, Debug)]
pub(crate) struct ApiClaims {
    /// Who the token belongs to.
    pub(crate) sub: String,
    /// What it may do.
    pub(crate) scopes: Scopes,
}

impl HasScopes for ApiClaims {
    fn has_scope(&self, scope: &str) -> bool {
        self.scopes.contains(scope)
    }

    fn subject(&self) -> Option<&str> {
        Some(&self.sub)
    }
}

/// Logs to stderr what `RUST_LOG` asks for; unset, the crate's events down
/// to `debug` (every refusal, with feature `tracing`) and others' warnings.
pub(crate) fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,tower_bearer_auth=debug"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

/// Used when `API_TOKEN` is unset: subject `demo`, scope `read`.
const DEFAULT_API_TOKEN: &str = "demo-read-token-0123456789";
/// Used when `ADMIN_TOKEN` is unset: subject `root`, scopes `read admin`.
const DEFAULT_ADMIN_TOKEN: &str = "demo-admin-token-0123456789";

/// `API_TOKEN` (subject `demo`, scope `read`) and `ADMIN_TOKEN` (subject
/// `root`, scopes `read admin`), or printed defaults.
pub(crate) fn tokens_from_env() -> Result<StaticTokens<ApiClaims>, Box<dyn std::error::Error>> {
    let api = env_or("API_TOKEN", DEFAULT_API_TOKEN);
    let admin = env_or("ADMIN_TOKEN", DEFAULT_ADMIN_TOKEN);
    let claims = |sub: &str, scopes: &str| ApiClaims {
        sub: sub.to_owned(),
        scopes: Scopes::from_space_delimited(scopes),
    };
    Ok(StaticTokens::new()
        .with_token(api, claims("demo", "read"))?
        .with_token(admin, claims("root", "read admin"))?)
}

/// `BIND`, default `127.0.0.1:3000`.
pub(crate) fn bind_address() -> Result<SocketAddr, Box<dyn std::error::Error>> {
    Ok(env_or("BIND", "127.0.0.1:3000").parse()?)
}

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        if name.ends_with("TOKEN") {
            eprintln!("{name} not set: using the demo token {default}");
        }
        default.to_owned()
    })
}
