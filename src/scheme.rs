//! Authentication schemes: the ones the layer takes tokens under, and the
//! challenges its refusals carry.
//!
//! The core knows `Bearer` (RFC 6750) and nothing else. A module that adds
//! a scheme (`dpop`) hands the layer a [`Schemes`]: the `Authorization`
//! schemes to accept and the [`ChallengeSet`] that answers for them.

use std::fmt;
use std::sync::Arc;

use http::{HeaderMap, HeaderValue};

use crate::error::AuthError;
use crate::metadata::ProtectedResourceMetadata;

/// An authentication scheme of the `Authorization` header (RFC 9110
/// §11.4); a request's scheme names it without regard to case.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct AuthScheme(&'static str);

impl AuthScheme {
    /// `Bearer` (RFC 6750): the `Authorization` scheme, and the scheme of a
    /// token from every other source.
    pub const BEARER: Self = Self("Bearer");

    /// The scheme `name`, as registered (`DPoP`).
    #[allow(
        dead_code,
        reason = "the seam a scheme module plugs into; none may be built"
    )]
    pub(crate) const fn new(name: &'static str) -> Self {
        Self(name)
    }

    /// Its registered name.
    pub fn name(self) -> &'static str {
        self.0
    }
}

impl fmt::Debug for AuthScheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// The challenges of a layer that accepts another scheme than `Bearer`
/// alone, and any header its refusals need.
pub(crate) trait ChallengeSet: Send + Sync + fmt::Debug {
    /// Every `WWW-Authenticate` challenge for `error`, in order, each with
    /// whether it carries the error. `bearer` is the layer's `Bearer`
    /// challenge without the error; `presented`, the scheme the request
    /// used.
    fn challenges(
        &self,
        error: &AuthError,
        bearer: &HeaderValue,
        presented: Presented,
    ) -> Vec<(HeaderValue, bool)>;

    /// Adds the other headers the answer to `error` needs, whoever built
    /// it.
    fn complete(&self, error: &AuthError, headers: &mut HeaderMap);

    /// `metadata` with what these schemes add to protected resource
    /// metadata (RFC 9728 §2): nothing, unless a scheme says otherwise.
    fn describe(&self, metadata: ProtectedResourceMetadata) -> ProtectedResourceMetadata {
        metadata
    }
}

/// The schemes a layer accepts in `Authorization`, and the challenges for
/// them: `Bearer` and its challenge unless a module plugs in more.
#[derive(Clone, Debug)]
#[allow(
    dead_code,
    reason = "the seam a scheme module plugs into; none may be built"
)]
pub(crate) struct Schemes {
    pub(crate) accepted: &'static [AuthScheme],
    pub(crate) challenges: Option<Arc<dyn ChallengeSet>>,
}

impl Default for Schemes {
    fn default() -> Self {
        Self {
            accepted: &[AuthScheme::BEARER],
            challenges: None,
        }
    }
}

/// The scheme a refused request presented, as the one parser of
/// `Authorization` reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Presented {
    /// No `Authorization` line: any token came from another source, which
    /// carries bearer tokens.
    Nothing,
    /// The one `Authorization` line, with the accepted scheme it names
    /// (`None`: another scheme).
    Scheme(Option<AuthScheme>),
    /// Several `Authorization` lines: which one counts is unclear.
    Several,
}
