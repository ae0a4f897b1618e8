//! The JWT verifier's keys from the identity provider: a JWK Set URL, or
//! OpenID Connect discovery, fetched once, shared, and kept fresh.
//!
//! ```no_run
//! use axum::{Json, Router, routing::get};
//! use tower_bearer_auth::{BearerAuthLayer, axum::Claims};
//! use tower_bearer_auth::jwks::Jwks;
//! use tower_bearer_auth::jwt::{AccessClaims, JwtProfile, JwtVerifier};
//!
//! # #[tokio::main]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // `https://login.example.com/.well-known/openid-configuration` names the keys.
//! let keys = Jwks::discover("https://login.example.com").build()?;
//! keys.ready().await?; // optional: fail at start-up if the keys cannot be had
//!
//! let verifier = JwtVerifier::builder()
//!     .with_jwks(keys) // accepts the issuer, with its keys only
//!     .with_audience("https://api.example.com")
//!     .with_profile(JwtProfile::Rfc9068)
//!     .build()?;
//!
//! let app: Router = Router::new()
//!     .route("/me", get(|Claims(claims): Claims<AccessClaims>| async move { Json(claims) }))
//!     .route_layer(BearerAuthLayer::new(verifier));
//! # Ok(()) }
//! ```
//!
//! # Behaviour
//!
//! - **Shared**: the keys are fetched once per [`Jwks`] and read by every
//!   clone of the verifier and layer without a lock; steady-state
//!   verification costs the same as with configured keys.
//! - **Fresh**: refreshed in the background before their lifetime ends
//!   (`Cache-Control: max-age` within [`JwksBuilder::with_ttl_bounds`],
//!   [`DEFAULT_TTL`] without one); an `ETag` makes the refresh conditional.
//! - **Rotation**: a token naming an unknown `kid` waits for one refresh;
//!   one fetch is in flight however many requests wait, and at most one
//!   starts per cooldown however many `kid`s are invented
//!   ([`JwksBuilder::with_cooldown`], OpenID Connect Core §10.1.1).
//! - **Several issuers**: one [`Jwks`] per issuer; the token's `iss` picks
//!   it, and a token of an issuer not configured is refused before any
//!   fetch.
//! - **Faults**: every fetch is bounded by [`JwksBuilder::with_timeout`] and
//!   [`JwksBuilder::with_max_response_size`]; redirects are not followed; a
//!   failed fetch keeps the last good keys for their lifetime plus
//!   [`JwksBuilder::with_max_stale`]. A token that cannot be checked is
//!   refused: 503 with `Retry-After` (gRPC `UNAVAILABLE`) when no keys are
//!   usable, 401 for an unknown `kid` when they are.
//! - **Keys** (RFC 7517): RSA (2048 bits or more), EC P-256 and P-384,
//!   Ed25519. A key's `alg` is the only algorithm it verifies; without one,
//!   the key's default (RS256, ES256/ES384 by curve, EdDSA). Skipped, each
//!   with a logged reason, the others staying usable: unknown `kty`, `use`
//!   other than `sig`, `key_ops` without `verify`, `oct` (a published
//!   symmetric key signs for anyone), weak or malformed keys.
//! - **Transport**: `https` only, or `http` to a loopback address, unless
//!   [`JwksBuilder::with_plain_http`]; the default client is
//!   [`HyperClient`](crate::client::HyperClient) (hyper and rustls, no
//!   OpenSSL); bring another through [`HttpClient`](crate::client::HttpClient).
//! - **Logs** (feature `tracing`): fetches, key changes (by `kid`) and
//!   failures, under the target `tower_bearer_auth::jwks`; never a key or a
//!   token.
//!
//! A [`Jwks`] needs a tokio runtime: build it inside one.

mod builder;
mod cache_control;
mod document;
mod error;
mod source;
mod trace;

/// The parsers `crate::fuzzing` exposes to the fuzz targets.
#[cfg(fuzzing)]
pub(crate) mod fuzzing {
    pub(crate) use super::document::{parse_discovery, parse_key_set};
}

pub(crate) use builder::discovery_url;
pub use builder::{
    DEFAULT_COOLDOWN, DEFAULT_MAX_RESPONSE_SIZE, DEFAULT_MAX_STALE, DEFAULT_MAX_TTL,
    DEFAULT_MIN_TTL, DEFAULT_TIMEOUT, DEFAULT_TTL, JwksBuilder,
};
pub use document::MAX_KEYS;
pub use error::{JwksError, JwksErrorKind};
pub use source::{Jwks, JwksStatus};
