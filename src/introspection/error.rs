//! Why an introspection did not accept a token: the endpoint could not
//! answer, or it answered no.

use std::fmt;

/// Why an introspection did not accept a token; the source of the
/// [`AuthError`](crate::AuthError) in the response extensions.
///
/// Its `Display` is a fixed text plus, at most, an HTTP status: never a
/// response body (which may hold personal data, RFC 7662 §5), a token or
/// a secret. Refusals by the claim checks have a
/// [`JwtError`](crate::jwt::JwtError) as their source instead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IntrospectionError {
    kind: IntrospectionErrorKind,
    status: Option<u16>,
}

/// The way an introspection failed. The first five are the endpoint's
/// fault and answer 503; the others refuse the token with 401.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum IntrospectionErrorKind {
    /// No connection, a TLS failure, or the connection broke.
    Transport,
    /// No complete answer within the timeout.
    Timeout,
    /// An answer other than 200: 401 or 403 say the resource server's own
    /// credentials are wrong (RFC 7662 §2.3); a redirect is not followed.
    Status,
    /// The body is larger than the configured maximum.
    TooLarge,
    /// The body is not JSON.
    NotJson,
    /// `active` is not the JSON `true` (absent, `false`, `"true"`).
    Inactive,
    /// A member has the wrong type, or a name is given twice.
    Malformed,
    /// `token_type` is present and not `Bearer`.
    WrongTokenType,
    /// The token is bound to a key (`cnf`, RFC 7800): a sender-constrained
    /// token presented as a bearer token.
    Bound,
}

impl IntrospectionErrorKind {
    /// A fixed lowercase text for logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Transport => "connection failed",
            Self::Timeout => "timed out",
            Self::Status => "unexpected status",
            Self::TooLarge => "response too large",
            Self::NotJson => "response is not JSON",
            Self::Inactive => "token not active",
            Self::Malformed => "malformed response",
            Self::WrongTokenType => "not a bearer token",
            Self::Bound => "token bound to a key",
        }
    }

    /// Whether the endpoint failed to answer, rather than refused the token.
    pub fn is_unavailable(self) -> bool {
        matches!(
            self,
            Self::Transport | Self::Timeout | Self::Status | Self::TooLarge | Self::NotJson
        )
    }
}

impl IntrospectionError {
    pub(crate) const fn new(kind: IntrospectionErrorKind) -> Self {
        Self { kind, status: None }
    }

    pub(crate) fn status(status: http::StatusCode) -> Self {
        Self {
            kind: IntrospectionErrorKind::Status,
            status: Some(status.as_u16()),
        }
    }

    /// The way the introspection failed.
    pub fn kind(&self) -> IntrospectionErrorKind {
        self.kind
    }

    /// The HTTP status, for [`IntrospectionErrorKind::Status`].
    pub fn http_status(&self) -> Option<u16> {
        self.status
    }
}

impl From<IntrospectionErrorKind> for IntrospectionError {
    fn from(kind: IntrospectionErrorKind) -> Self {
        Self::new(kind)
    }
}

impl fmt::Display for IntrospectionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.kind.as_str())?;
        if let Some(status) = self.status {
            write!(f, " {status}")?;
        }
        Ok(())
    }
}

impl std::error::Error for IntrospectionError {}

#[cfg_attr(docsrs, doc(cfg(feature = "introspection")))]
impl From<IntrospectionError> for crate::AuthError {
    /// 503 for the endpoint's faults, 401 `invalid_token` otherwise; the
    /// `IntrospectionError` is the source.
    fn from(error: IntrospectionError) -> Self {
        let auth = if error.kind.is_unavailable() {
            Self::unavailable()
        } else {
            Self::invalid_token()
        };
        auth.with_source(error)
    }
}
