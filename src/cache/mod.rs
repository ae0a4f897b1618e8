//! [`CachedVerifier`]: verdicts remembered, so a token seen again costs a
//! hash lookup and a comparison instead of a verification (feature `cache`).
//!
//! It wraps any [`VerifyToken`](crate::VerifyToken): a JWT verifier, whose
//! signature check it saves, or an introspection verifier, whose round trip
//! to the authorization server it saves.
//!
//! - **Keyed by the token itself**: an entry answers only the very same
//!   token, compared byte for byte after a hash lookup. The cache keeps the
//!   tokens it remembers, as long as it remembers them; they are never in
//!   its `Debug` output. Refusals, whose tokens anyone can choose, are kept
//!   by SHA-256 digest in a table hashed with a random key. The verified
//!   tokens' table uses a faster hash that does not resist chosen
//!   collisions: do not cache a verifier that accepts any token.
//! - **Bounded in entries** ([`CachedVerifierBuilder::with_max_entries`]),
//!   evicting with S3-FIFO (`quick_cache`): a burst of tokens seen once does
//!   not push out the tokens seen again and again.
//! - **Bounded in time**: a verdict is remembered until the earlier of the
//!   token's expiry ([`TokenFacts::expires_at`](crate::TokenFacts::expires_at))
//!   and the maximum age ([`CachedVerifierBuilder::with_max_age`], one
//!   minute by default). The maximum age is the trade-off RFC 7662 §4 asks
//!   to weigh: a token revoked at its issuer passes for up to that long,
//!   unless a [`CheckRevoked`](crate::revocation::CheckRevoked) outside the
//!   cache refuses it.
//! - **Dropped when a key leaves**: a verdict whose key is no longer among
//!   the verifier's keys ([`VerifyToken::still_trusts`](crate::VerifyToken::still_trusts))
//!   is forgotten and the token verified again, so a rotated-out key stops
//!   vouching at once.
//! - **One verification per new token**: concurrent requests with a token
//!   being verified wait for that verification (its future is shared, so a
//!   client that disconnects does not stall the others).
//! - **Refusals kept apart**: an `invalid_token` refusal is remembered for a
//!   few seconds in a small separate cache, so retries of a bad token and a
//!   flood of random ones cost one verification each and push no valid
//!   token out. An unavailable verifier's answer (503) is never remembered.
//!
//! What the cache knows of a token comes from the wrapped verifier's
//! [`VerifyToken::token_facts`](crate::VerifyToken::token_facts): a
//! verifier that does not implement it (a closure) has its verdicts kept for
//! the maximum age, with no expiry and no key to check.
//!
//! Verdicts are keyed by the token alone: wrap only verifiers whose verdict
//! depends on the token, not on the rest of the request (a proof of
//! possession or a client certificate checked by the verifier would be
//! skipped on a hit).
//!
//! Put a revocation check outside the cache, so it runs on every request:
//!
//! ```
//! # #[derive(Clone)] struct User;
//! # fn verifier() -> impl tower_bearer_auth::VerifyToken<Claims = User, Future = std::future::Ready<Result<User, tower_bearer_auth::AuthError>>> + Clone + Send + Sync + 'static {
//! #     |_: tower_bearer_auth::BearerToken, _: &http::request::Parts| std::future::ready(Ok(User))
//! # }
//! use std::time::Duration;
//! use tower_bearer_auth::BearerAuthLayer;
//! use tower_bearer_auth::cache::CachedVerifier;
//! use tower_bearer_auth::revocation::{CheckRevoked, MemoryRevocations};
//!
//! let cached = CachedVerifier::builder(verifier())
//!     .with_max_entries(50_000)
//!     .with_max_age(Duration::from_secs(300))
//!     .build()?;
//! let layer = BearerAuthLayer::new(CheckRevoked::new(cached, MemoryRevocations::new()));
//! # let _ = layer;
//! # Ok::<(), tower_bearer_auth::ConfigError>(())
//! ```

mod builder;
mod verifier;

pub use builder::{
    CachedVerifierBuilder, DEFAULT_MAX_AGE, DEFAULT_MAX_ENTRIES, DEFAULT_MAX_REFUSALS,
    DEFAULT_REFUSAL_TTL,
};
pub use verifier::CachedVerifier;
