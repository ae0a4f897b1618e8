//! Opaque tokens checked at the authorization server: OAuth 2.0 Token
//! Introspection (RFC 7662).
//!
//! ```no_run
//! use axum::{Router, routing::get};
//! use tower_bearer_auth::{BearerAuthLayer, axum::Claims};
//! use tower_bearer_auth::cache::CachedVerifier;
//! use tower_bearer_auth::introspection::{IntrospectionClaims, IntrospectionVerifier};
//!
//! # fn main() -> Result<(), tower_bearer_auth::ConfigError> {
//! let introspection =
//!     IntrospectionVerifier::builder("https://login.example.com/oauth2/introspect")
//!         .with_client_secret_basic("api", std::env::var("CLIENT_SECRET").unwrap_or_default())
//!         .with_issuer("https://login.example.com")
//!         .with_audience("https://api.example.com")
//!         .build()?;
//! // One introspection per token per minute at most, and never past its `exp`.
//! let verifier = CachedVerifier::new(introspection);
//!
//! let app: Router = Router::new()
//!     .route(
//!         "/me",
//!         get(|Claims(claims): Claims<IntrospectionClaims>| async move {
//!             claims.sub.unwrap_or_default()
//!         }),
//!     )
//!     .route_layer(BearerAuthLayer::new(verifier));
//! # Ok(()) }
//! ```
//!
//! # Behaviour
//!
//! - **Request** (RFC 7662 §2.1): `POST`, `application/x-www-form-urlencoded`,
//!   `token=<token>&token_type_hint=access_token`, the token form-encoded;
//!   `Accept: application/json`.
//! - **Client authentication** (§2.1, RFC 6749 §2.3.1):
//!   `client_secret_basic` or `client_secret_post`, required. A 401 or
//!   403 from the endpoint means the resource server's own credentials are
//!   wrong (§2.3) and answers 503, never 401: the client's token may well
//!   be valid.
//! - **Answer** (§2.2): only `"active": true` accepts; `false`, an absent
//!   `active`, `"true"` as a string, or any member of the wrong type refuse
//!   with 401 `invalid_token`, whatever else the answer says. Then, like
//!   the JWT verifier: `nbf` and `iat` with the leeway, `exp` without one
//!   (an `active` answer with `exp` in the past is refused), `iss` and `aud` compared
//!   byte for byte once configured (an audience is required unless
//!   [`without_audience_check`](IntrospectionVerifierBuilder::without_audience_check)),
//!   duplicate member names and nesting beyond 128 levels refused.
//! - **Type and binding**: `token_type`, when present, must be `Bearer`
//!   (case-insensitive). An answer with `cnf` describes a token bound to a
//!   key (DPoP, RFC 9449 §6.2; mutual TLS, RFC 8705 §3.2) that this
//!   verifier cannot check, so it is refused: a stolen bound token gains
//!   nothing by being presented as a bearer token.
//! - **Faults**: the whole exchange is bounded by
//!   [`with_timeout`](IntrospectionVerifierBuilder::with_timeout) and the
//!   body by
//!   [`with_max_response_size`](IntrospectionVerifierBuilder::with_max_response_size);
//!   at most
//!   [`with_max_concurrent`](IntrospectionVerifierBuilder::with_max_concurrent)
//!   exchanges are in flight, so a flood of invented tokens cannot turn
//!   into a flood at the authorization server (§4);
//!   redirects are not followed. No connection, too slow, a status other
//!   than 200, a body too large or not JSON: 503 with `Retry-After` (gRPC
//!   `UNAVAILABLE`), never an unchecked pass, and never cached.
//! - **Transport**: `https` only (§4 requires TLS), or `http` to a loopback
//!   address, unless
//!   [`with_plain_http`](IntrospectionVerifierBuilder::with_plain_http);
//!   the default client is [`HyperClient`](crate::client::HyperClient).
//! - **Size**: the layer's extractor caps the token's length (4 KiB by
//!   default) before any request is sent, so an absurd token never reaches
//!   the endpoint.
//! - **Privacy** (§5): answers may hold personal data; they are never
//!   logged. With feature `tracing`, a failed exchange logs the endpoint
//!   and the reason under the target `tower_bearer_auth::introspection`.
//!
//! # Caching (§4)
//!
//! Every introspection is a round trip to the authorization server; wrap
//! the verifier in a [`CachedVerifier`](crate::cache::CachedVerifier). An
//! answer is then remembered until the earlier of its `exp` and the cache's
//! maximum age (60 s by default), so a token revoked at the authorization
//! server keeps working here for at most that long: lower the maximum age
//! to shorten the window, or revoke here too with
//! [`CheckRevoked`](crate::revocation::CheckRevoked). Inactive answers are
//! remembered only briefly (5 s by default), and endpoint faults never.
//!
//! A [`IntrospectionVerifier`] needs a tokio runtime when it verifies.

mod builder;
mod claims;
mod error;
mod form;
mod response;
mod verifier;

pub use builder::{
    DEFAULT_MAX_CONCURRENT, DEFAULT_MAX_RESPONSE_SIZE, DEFAULT_TIMEOUT,
    IntrospectionVerifierBuilder, MAX_TIMEOUT,
};
pub use claims::{IntrospectionClaims, NoExtraClaims};
pub use error::{IntrospectionError, IntrospectionErrorKind};
pub use verifier::IntrospectionVerifier;
