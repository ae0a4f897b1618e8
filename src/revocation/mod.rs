//! Revocation: tokens taken back before they expire, refused on every
//! request.
//!
//! A JWT is valid until its `exp` by construction; to take one back, the
//! service keeps a list of revoked tokens and checks it after verification.
//! [`CheckRevoked`] wraps any verifier and does that check; the list is a
//! [`Revocations`], such as [`MemoryRevocations`], kept in this process.
//!
//! Tokens are named by their `jti`, or by the digest of the token when they
//! have none ([`TokenId`]; for a JWT, the digest of its signed part, so
//! every spelling of its signature is covered). An entry is kept until the
//! token would have expired anyway, plus [`REVOCATION_GRACE`]: the most
//! leeway any verifier of this crate grants past `exp`. So the list stays
//! as small as the set of revoked tokens still accepted anywhere, and a
//! revocation lasts as long as any verifier could accept the token.
//!
//! ```
//! use std::time::{Duration, SystemTime};
//! use http::request::Parts;
//! use tower_bearer_auth::{AuthError, BearerAuthLayer, BearerToken, TokenFacts, VerifyToken};
//! use tower_bearer_auth::revocation::{CheckRevoked, MemoryRevocations, TokenId};
//!
//! let revoked = MemoryRevocations::new();
//! let verifier = |token: BearerToken, _: &Parts| {
//!     std::future::ready(Ok::<_, AuthError>(token.as_str().len()))
//! };
//! let layer = BearerAuthLayer::new(CheckRevoked::new(verifier, revoked.clone()));
//!
//! // Later, from an admin endpoint: by `jti` for JWTs, by the token otherwise.
//! revoked.revoke(TokenId::of_token("a-leaked-token-0123456789"), SystemTime::now() + Duration::from_secs(3600));
//! # let _ = layer;
//! ```

mod check;
mod memory;
#[cfg(feature = "redis")]
mod redis;
mod token_id;

use std::error::Error;
use std::fmt;
use std::time::{Duration, SystemTime};

#[cfg(feature = "redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub use self::redis::{
    DEFAULT_MAX_LAG, DEFAULT_PREFIX, DEFAULT_TIMEOUT, POLL, RedisRevocations,
    RedisRevocationsBuilder,
};
pub use check::{CheckRevoked, RevocationFuture};
pub use memory::MemoryRevocations;
pub use token_id::TokenId;

/// How much longer than the `until` it is given a revocation is kept: the
/// largest leeway past `exp` any verifier of this crate allows (the JWT
/// verifier's `MAX_LEEWAY`). A token accepted a little after its `exp`, as
/// a leeway allows, is still refused, and revoking a token whose `exp` has
/// just passed is not a no-op.
pub const REVOCATION_GRACE: Duration = Duration::from_secs(600);

/// `until` and the grace: how long a revocation is kept. A time too far to
/// add to is kept as it is (it is forever anyway).
fn with_grace(until: SystemTime) -> SystemTime {
    until.checked_add(REVOCATION_GRACE).unwrap_or(until)
}

/// A list of revoked tokens, asked after every successful verification.
///
/// It answers from memory: a store shared between instances keeps a local
/// copy in sync in the background, so no request waits on it, and says
/// when that copy is too old to be trusted.
pub trait Revocations {
    /// Whether the token `id` is revoked; `Err` when the list cannot tell.
    fn is_revoked(&self, id: &TokenId) -> Result<bool, RevocationError>;
}

impl<R: Revocations + ?Sized> Revocations for std::sync::Arc<R> {
    fn is_revoked(&self, id: &TokenId) -> Result<bool, RevocationError> {
        (**self).is_revoked(id)
    }
}

/// Why a revocation list cannot answer, or a revocation did not reach it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RevocationError {
    /// The shared store has not been heard from for this long, more than
    /// the list allows: revocations made meanwhile may be missing.
    Stale(Duration),
    /// The shared store did not answer within the timeout.
    Timeout,
    /// The shared store answered with an error, or could not be reached.
    Store(String),
}

impl fmt::Display for RevocationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Stale(age) => write!(
                f,
                "revocation list not synchronised for {} ms",
                age.as_millis()
            ),
            Self::Timeout => f.write_str("revocation store timed out"),
            Self::Store(reason) => write!(f, "revocation store failed: {reason}"),
        }
    }
}

impl Error for RevocationError {}
