//! JWT access tokens verified with [`jsonwebtoken`]: keys bound to their
//! algorithms, the registered claims checked, RFC 8725 and RFC 9068 applied.
//!
//! ```
//! use axum::{Json, Router, body::Body, routing::get};
//! use http::{Request, StatusCode};
//! use tower::ServiceExt;
//! use tower_bearer_auth::{BearerAuthLayer, axum::Claims};
//! use tower_bearer_auth::jwt::{AccessClaims, JwtKey, JwtVerifier};
//! use tower_bearer_auth::jwt::jsonwebtoken::{self, EncodingKey, Header};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let secret = b"an example secret, at least 32 bytes long";
//! let verifier = JwtVerifier::builder()
//!     .with_key(JwtKey::hmac(secret)?)
//!     .with_issuer("https://issuer.example.com")
//!     .with_audience("https://api.example.com")
//!     .build()?;
//!
//! let auth = BearerAuthLayer::new(verifier);
//! let app = Router::new()
//!     .route("/me", get(|Claims(claims): Claims<AccessClaims>| async move { Json(claims) }))
//!     .route("/admin", get(|| async { "admin" }).route_layer(auth.require_scopes(["admin"])))
//!     .route_layer(auth);
//!
//! // A token as the issuer would make it.
//! let claims = serde_json::json!({
//!     "iss": "https://issuer.example.com", "aud": "https://api.example.com",
//!     "sub": "alice", "scope": "read", "exp": 4102444800u64,
//! });
//! let token = jsonwebtoken::encode(&Header::default(), &claims, &EncodingKey::from_secret(secret))?;
//! let get = |uri: &str, token: &str| {
//!     Request::get(uri).header("authorization", format!("Bearer {token}")).body(Body::empty())
//! };
//!
//! let response = app.clone().oneshot(get("/me", &token)?).await?;
//! assert_eq!(response.status(), StatusCode::OK);
//!
//! let response = app.clone().oneshot(get("/admin", &token)?).await?;
//! assert_eq!(response.status(), StatusCode::FORBIDDEN);
//!
//! let forged = format!("{token}x");
//! let response = app.oneshot(get("/me", &forged)?).await?;
//! assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
//! assert_eq!(
//!     response.headers()["www-authenticate"],
//!     r#"Bearer realm="api", error="invalid_token", error_description="the access token is invalid""#,
//! );
//! # Ok(()) }
//! ```
//!
//! # What is checked, and what is refused
//!
//! - **Keys** ([`JwtKey`]): HMAC secrets of at least 32 bytes; RSA (2048
//!   bits or more), EC P-256 and P-384, and Ed25519 public keys from PEM,
//!   DER or JWK. Each is bound to the algorithms it may verify, one by
//!   default, always within its family, so an RSA public key can never
//!   serve as an HMAC secret, and a public key is refused as a secret. A
//!   token's `kid` selects the keys with that id (or, failing that, those
//!   configured without one). With several issuers, each key is bound to
//!   its own ([`JwtKey::with_issuer`]) and the token's `iss` selects among
//!   them, so no issuer's key vouches for another's tokens (RFC 8725 §3.8).
//! - **Algorithms**: `alg` must be exactly one of jsonwebtoken's names and
//!   bound to the selected key; `none` is refused whatever the
//!   configuration (RFC 8725 §3.1, §3.2).
//! - **Header**: read once, strictly. Duplicate names, `crit` (no extension
//!   is understood, RFC 7515 §4.1.11), `b64`, `zip` and nested tokens are
//!   refused; `jku`, `x5u`, `x5c` and `jwk` are never followed: keys come
//!   from the configuration only.
//! - **Claims** (RFC 7519 §4.1): `exp` required, `nbf` checked, `iat` not in
//!   the future, all with a leeway (60 s by default); `iss` and `aud`
//!   required and compared byte for byte once configured, `iss` a string
//!   only; duplicate claim names and nesting deeper than serde_json
//!   allows (127 levels) refused, whatever claims type the application
//!   reads.
//! - **Type** (RFC 8725 §3.11): `typ` absent, `JWT` or `at+jwt`; with
//!   [`JwtProfile::Rfc9068`], `at+jwt` only, and the RFC 9068 claims
//!   required.
//! - **Size**: tokens over 8 KiB are refused before anything is decoded
//!   (behind [`BearerAuthLayer`](crate::BearerAuthLayer), its extractor's
//!   4 KiB cap answers 400 first: raise both for larger tokens).
//! - **The application's own check** ([`JwtVerifierBuilder::with_claims_check`]).
//!
//! Every refusal is 401 `invalid_token`; the [`JwtError`] saying which check
//! failed is the source of the [`AuthError`](crate::AuthError) in the
//! response extensions.
//!
//! # Crypto backend
//!
//! The backend is a feature of its own: `aws-lc-rs` (a default feature) or
//! `rust-crypto` (RustCrypto, with ring for TLS). When both are on,
//! aws-lc-rs is used, so a dependency tree that enables both still builds
//! and works. The verifier checks signatures with that backend directly,
//! each key parsed once; jsonwebtoken reads the key formats. jsonwebtoken's
//! own `encode` and `decode` panic unless they can pick one provider, so
//! [`JwtVerifierBuilder::build`] also installs the chosen backend as
//! jsonwebtoken's process default, for the application's own calls; a
//! provider the application installed first stays, and is not what the
//! verifier uses. Without a backend, `jwt` (and the features that use it)
//! is a compile error that says what to enable.

#[cfg(not(any(feature = "aws-lc-rs", feature = "rust-crypto")))]
compile_error!(
    "tower-bearer-auth: `jwt`, `jwks`, `introspection` and `dpop` need a crypto backend: \
     keep the default feature `aws-lc-rs`, or enable `rust-crypto`"
);

mod access_claims;
mod access_members;
mod algorithms;
mod builder;
pub(crate) mod compact;
mod der;
mod error;
mod header;
pub(crate) mod json;
pub(crate) mod json_reader;
mod key;
mod key_set;
mod key_source;
mod prepared_key;
mod provider_rules;
mod verifier;

pub use access_claims::AccessClaims;
pub(crate) use access_members::AccessMembers;
pub use builder::{
    DEFAULT_LEEWAY, DEFAULT_MAX_TOKEN_SIZE, JwtProfile, JwtVerifierBuilder, MAX_LEEWAY,
};
pub use error::{JwtError, JwtErrorKind};
/// The future of [`JwtVerifier`]'s [`VerifyToken`](crate::VerifyToken)
/// implementation: ready at once whenever the keys at hand decide (always
/// with configured keys); with fetched keys (feature `jwks`) it waits for
/// one refresh when the token names a key not fetched yet or no keys are
/// usable, bounded by the key source's timeout.
pub type JwtFuture<C> = crate::future::VerifyFuture<C>;
pub use key::{JwtKey, MAX_KID_LEN};
pub use verifier::JwtVerifier;

#[doc(no_inline)]
pub use jsonwebtoken;

#[cfg(any(feature = "dpop", all(feature = "test-util", feature = "jwks")))]
pub(crate) use builder::install_crypto_provider;
#[cfg(feature = "introspection")]
pub(crate) use verifier::now;
#[cfg(feature = "jwks")]
pub(crate) use {
    compact::Compact,
    key_set::KeySet,
    key_source::{KeySource, Lookup},
    provider_rules::{AudienceRule, PayloadCheck, ProviderRules},
};
#[cfg(feature = "dpop")]
pub(crate) use {header::media_type_is, prepared_key::PreparedKey};

/// The header reader, for `crate::fuzzing`.
#[cfg(fuzzing)]
pub(crate) mod fuzzing {
    pub(crate) fn read_header(json: &str) -> Option<super::header::JoseHeader<'_>> {
        super::header::JoseHeader::read(json).ok()
    }
}
