//! Sender-constrained tokens: DPoP proof of possession (RFC 9449) and
//! certificate-bound tokens (RFC 8705), in the same layer.
//!
//! A bearer token works for whoever holds it. A token bound to a key
//! (`cnf.jkt`) works only with a proof, made fresh for each request and
//! signed by that key, in the `DPoP` header; one bound to a client
//! certificate (`cnf.x5t#S256`) only over a TLS connection with that
//! certificate. [`BearerAuthLayer::with_dpop`](crate::BearerAuthLayer::with_dpop)
//! turns both checks on:
//!
//! ```no_run
//! use tower_bearer_auth::BearerAuthLayer;
//! use tower_bearer_auth::dpop::{Dpop, DpopPolicy};
//! use tower_bearer_auth::jwt::{JwtKey, JwtVerifier};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let issuer_key = r#"{"kty":"EC","crv":"P-256","x":"","y":""}"#;
//! let verifier = JwtVerifier::builder()
//!     .with_key(JwtKey::from_jwk_json(issuer_key)?)
//!     .with_issuer("https://issuer.example.com")
//!     .with_audience("https://api.example.com")
//!     .build()?;
//! let dpop = Dpop::builder(DpopPolicy::DpopOnly)
//!     .with_origin("https://api.example.com")?
//!     .build()?;
//! let auth = BearerAuthLayer::new(verifier).with_dpop(dpop);
//! # let _ = auth;
//! # Ok(()) }
//! ```
//!
//! # What is checked
//!
//! For `Authorization: DPoP <token>` (RFC 9449 §4.3, §7.1):
//! exactly one `DPoP` header; a JWS of `typ` `dpop+jwt`; an asymmetric
//! `alg` from the allow-list, never `none` or HMAC; a public `jwk` in the
//! header (private members refused) of that algorithm's key type and size,
//! which verifies the signature; `htm` the request method; `htu` the
//! request's path at a configured origin, compared without query and
//! fragment after RFC 3986 normalisation (the origin is configured, never
//! read from the `Host` header); `iat` within the maximum age, with a
//! leeway both ways; `ath` the base64url SHA-256 of the token; the server's
//! nonce when nonces are on; then the token's `cnf.jkt` equal to the RFC
//! 7638 thumbprint of the proof key, and the proof's `jti` not seen before
//! ([`ReplayCache`]).
//!
//! For every token (any scheme): its [`TokenBinding`] holds. A `cnf.jkt`
//! token sent as `Bearer` is refused (RFC 9449 §7.2), a `cnf.x5t#S256`
//! token needs its [`ClientCertificate`] in the request extensions (RFC
//! 8705 §3), and a `cnf` the layer does not understand is refused.
//! [`DpopVerifier`] hands every token to the verifier it wraps marked
//! [`BearerToken::binding_checked`](crate::BearerToken::binding_checked):
//! only then does the JWT verifier accept a token with `cnf`. A layer
//! without `with_dpop` refuses every bound token.
//!
//! Replays: each accepted proof's identifier is recorded for the proof's
//! window. [`MemoryReplayCache`] lets one proof key hold at most a 64th of
//! each shard, so a client with a valid bound token cannot fill it for
//! every other; a store shared by instances (`RedisReplayCache`, feature
//! `redis`) keeps it for [`ProofWindow::shared_ttl`], the window on every
//! clock within the leeway.
//!
//! # Limits
//!
//! - The introspection verifier still refuses every bound token (`cnf`,
//!   `token_type: DPoP`): DPoP works with JWT access tokens.
//! - A fresh nonce is handed out only with `use_dpop_nonce`, not on
//!   successful answers: a client whose nonce is two rotations old gets
//!   one 401 and retries.
//!
//! # Answers
//!
//! | situation | HTTP | challenges |
//! | --- | --- | --- |
//! | no credentials | 401 | `Bearer realm="api"` and `DPoP algs="…"` (per policy) |
//! | a proof missing or failing a check | 401 | `DPoP algs="…", error="invalid_dpop_proof", error_description="…"` |
//! | nonces on, the proof's missing or stale | 401 + `DPoP-Nonce`, `Cache-Control: no-store` | `DPoP algs="…", error="use_dpop_nonce"` |
//! | a binding that does not hold | 401 | `error="invalid_token"` in the scheme used |
//! | two `Authorization` lines | 400 | `error="invalid_request"` in both |
//!
//! gRPC calls get status 16 with the same challenges as metadata.
//!
//! # How a client builds a proof
//!
//! For each request, a new JWT signed with the client's private key
//! (RFC 9449 §4.2). With PyJWT:
//!
//! ```text
//! proof = jwt.encode(
//!     {"jti": secrets.token_urlsafe(16), "htm": "GET",
//!      "htu": "https://api.example.com/me", "iat": int(time.time()),
//!      "ath": b64url(sha256(access_token)),
//!      # "nonce": <the last DPoP-Nonce>, when the server asks for one
//!     },
//!     private_key, algorithm="ES256",
//!     headers={"typ": "dpop+jwt", "jwk": public_jwk})
//! GET /me
//! Authorization: DPoP <access_token>
//! DPoP: <proof>
//! ```

mod check;
mod config;
mod confirmation;
mod htu;
mod key;
mod nonce;
mod proof;
#[cfg(feature = "redis")]
mod redis;
mod replay;
mod scheme;
mod verifier;

#[cfg(feature = "redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub use self::redis::{
    DEFAULT_REPLAY_PREFIX, DEFAULT_REPLAY_TIMEOUT, RedisReplayCache, RedisReplayFuture,
};
pub use config::{
    DEFAULT_PROOF_LEEWAY, DEFAULT_PROOF_MAX_AGE, Dpop, DpopBuilder, DpopPolicy, MAX_PROOF_LEN,
};
pub use confirmation::{ClientCertificate, Confirmation, TokenBinding};
pub use nonce::MIN_NONCE_SECRET_LEN;
pub use replay::{DEFAULT_REPLAY_CAPACITY, MemoryReplayCache, ProofId, ProofWindow, ReplayCache};
pub use scheme::DPOP;
pub use verifier::{DpopFuture, DpopVerifier};
