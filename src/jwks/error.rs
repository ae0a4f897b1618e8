//! Why fetching a key set failed: one reason per way it can fail.

use std::fmt;

/// Why a fetch of the key set (or of the discovery document) failed.
///
/// The keys fetched last keep working while fetches fail, for as long as
/// [`JwksBuilder::with_max_stale`](super::JwksBuilder::with_max_stale)
/// allows. Its `Display` is a fixed text plus, at most, an HTTP status: never
/// a response body, a key or a token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JwksError {
    kind: JwksErrorKind,
    status: Option<u16>,
}

/// The way a fetch failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum JwksErrorKind {
    /// No connection, a TLS failure, or the connection broke.
    Transport,
    /// No complete answer within the timeout.
    Timeout,
    /// An answer other than 200 (or 304 to a conditional request); a
    /// redirect is not followed.
    Status,
    /// The body is larger than the configured maximum.
    TooLarge,
    /// The body is not a JSON key set (`{"keys": [...]}`) or discovery
    /// document (`issuer`, `jwks_uri`).
    Malformed,
    /// The key set holds no key this verifier can use (RFC 7517 §5: keys of
    /// unknown types, for encryption, symmetric or too weak are skipped).
    NoUsableKeys,
    /// The discovery document names another issuer (OpenID Connect
    /// Discovery §4.3): none of its keys may be used.
    IssuerMismatch,
    /// The discovery document's `jwks_uri` is not an allowed URL (`https`,
    /// or `http` to a loopback address).
    InsecureUrl,
    /// No fetch has completed yet.
    NotFetched,
}

impl JwksErrorKind {
    /// A fixed lowercase text for logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Transport => "connection failed",
            Self::Timeout => "timed out",
            Self::Status => "unexpected status",
            Self::TooLarge => "response too large",
            Self::Malformed => "malformed response",
            Self::NoUsableKeys => "no usable key",
            Self::IssuerMismatch => "discovery names another issuer",
            Self::InsecureUrl => "jwks_uri is not an allowed URL",
            Self::NotFetched => "keys not fetched yet",
        }
    }
}

impl JwksError {
    pub(crate) const fn new(kind: JwksErrorKind) -> Self {
        Self { kind, status: None }
    }

    pub(crate) fn status(status: http::StatusCode) -> Self {
        Self {
            kind: JwksErrorKind::Status,
            status: Some(status.as_u16()),
        }
    }

    /// The way the fetch failed.
    pub fn kind(&self) -> JwksErrorKind {
        self.kind
    }

    /// The HTTP status, for [`JwksErrorKind::Status`].
    pub fn http_status(&self) -> Option<u16> {
        self.status
    }
}

impl From<JwksErrorKind> for JwksError {
    fn from(kind: JwksErrorKind) -> Self {
        Self::new(kind)
    }
}

impl fmt::Display for JwksError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.kind.as_str())?;
        if let Some(status) = self.status {
            write!(f, " {status}")?;
        }
        Ok(())
    }
}

impl std::error::Error for JwksError {}
