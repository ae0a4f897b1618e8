//! Why a JWT was refused: one reason per check, for logs and metrics.

use std::borrow::Cow;
use std::fmt;

use crate::error::AuthError;

/// Why [`JwtVerifier`](super::JwtVerifier) refused a token.
///
/// The client always gets 401 `invalid_token` with a fixed description
/// ("the access token expired" for [`Expired`](JwtErrorKind::Expired), "the
/// access token is invalid" otherwise): telling a caller which check failed
/// helps an attacker more than a developer. The reason is kept here instead,
/// as the [`source`](std::error::Error::source) of the [`AuthError`] that the
/// layer puts into the response extensions:
///
/// ```
/// use tower_bearer_auth::AuthError;
/// use tower_bearer_auth::jwt::{JwtError, JwtErrorKind};
///
/// fn reason(error: &AuthError) -> Option<JwtErrorKind> {
///     std::error::Error::source(error)?.downcast_ref::<JwtError>().map(JwtError::kind)
/// }
/// ```
///
/// Its `Display` is a fixed lowercase text, never a part of the token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JwtError {
    kind: JwtErrorKind,
    detail: Option<Cow<'static, str>>,
}

/// The check a token failed, in the order the checks run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum JwtErrorKind {
    /// Longer than the configured maximum; nothing was decoded.
    TooLarge,
    /// Not a compact JWS: not three base64url segments, padding, a header
    /// or payload that is not a JSON object, duplicate names, nesting deeper
    /// than 128, or a claim of the wrong type.
    Malformed,
    /// A header the verifier does not implement: `crit` (RFC 7515 §4.1.11),
    /// `b64`, `zip`, or a nested JWT (`cty: JWT`).
    Unsupported,
    /// `alg` is `none`, unknown, or not one the selected key may verify
    /// (RFC 8725 §3.1).
    Algorithm,
    /// No configured key has the token's `kid`.
    UnknownKey,
    /// The signature does not verify.
    BadSignature,
    /// `exp` has passed (with the leeway).
    Expired,
    /// `nbf` has not been reached, or `iat` is in the future (with the
    /// leeway).
    NotYetValid,
    /// `iss` is not an accepted issuer.
    WrongIssuer,
    /// `aud` names none of the accepted audiences.
    WrongAudience,
    /// `typ` is not an accepted type (RFC 8725 §3.11, RFC 9068 §4).
    WrongType,
    /// A required claim is absent.
    MissingClaim,
    /// The application's own claims check refused the token.
    Rejected,
    /// The token is bound to a key (`cnf`, RFC 7800) and nothing around the
    /// verifier checks that binding
    /// ([`BearerToken::binding_checked`](crate::BearerToken::binding_checked)):
    /// a stolen bound token must not work as a plain bearer token (RFC 9449
    /// §7.2, RFC 8705 §3).
    Bound,
    /// The issuer's keys could not be had (feature `jwks`): never fetched,
    /// or past their lifetime while fetches fail. 503, not 401: the token
    /// may well be valid.
    KeysUnavailable,
}

impl JwtErrorKind {
    /// A fixed lowercase text for logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::TooLarge => "token too large",
            Self::Malformed => "malformed token",
            Self::Unsupported => "unsupported header",
            Self::Algorithm => "algorithm not allowed",
            Self::UnknownKey => "unknown key",
            Self::BadSignature => "bad signature",
            Self::Expired => "token expired",
            Self::NotYetValid => "token not yet valid",
            Self::WrongIssuer => "wrong issuer",
            Self::WrongAudience => "wrong audience",
            Self::WrongType => "wrong token type",
            Self::MissingClaim => "missing claim",
            Self::Rejected => "claims rejected",
            Self::Bound => "token bound to a key",
            Self::KeysUnavailable => "keys unavailable",
        }
    }
}

impl JwtError {
    pub(crate) const fn new(kind: JwtErrorKind) -> Self {
        Self { kind, detail: None }
    }

    pub(crate) fn with_detail(kind: JwtErrorKind, detail: impl Into<Cow<'static, str>>) -> Self {
        Self {
            kind,
            detail: Some(detail.into()),
        }
    }

    /// The check that failed.
    pub fn kind(&self) -> JwtErrorKind {
        self.kind
    }

    /// More about it, where there is something safe to say: the name of a
    /// missing claim, the reason a claims check gave.
    pub fn detail(&self) -> Option<&str> {
        self.detail.as_deref()
    }
}

impl fmt::Display for JwtError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.kind.as_str())?;
        if let Some(detail) = &self.detail {
            write!(f, ": {detail}")?;
        }
        Ok(())
    }
}

impl std::error::Error for JwtError {}

impl From<JwtErrorKind> for JwtError {
    fn from(kind: JwtErrorKind) -> Self {
        Self::new(kind)
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "jwt")))]
impl From<JwtError> for AuthError {
    /// 401 `invalid_token`; "expired" for [`JwtErrorKind::Expired`], the
    /// fixed "invalid" text otherwise; 503 for
    /// [`JwtErrorKind::KeysUnavailable`]. The `JwtError` is the source.
    fn from(error: JwtError) -> Self {
        let auth = match error.kind {
            JwtErrorKind::Expired => AuthError::expired(),
            JwtErrorKind::KeysUnavailable => AuthError::unavailable(),
            _ => AuthError::invalid_token(),
        };
        auth.with_source(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn every_reason_is_invalid_token_with_a_fixed_description() {
        let kinds = [
            JwtErrorKind::TooLarge,
            JwtErrorKind::Malformed,
            JwtErrorKind::Unsupported,
            JwtErrorKind::Algorithm,
            JwtErrorKind::UnknownKey,
            JwtErrorKind::BadSignature,
            JwtErrorKind::NotYetValid,
            JwtErrorKind::WrongIssuer,
            JwtErrorKind::WrongAudience,
            JwtErrorKind::WrongType,
            JwtErrorKind::MissingClaim,
            JwtErrorKind::Rejected,
            JwtErrorKind::Bound,
        ];
        for kind in kinds {
            let auth = AuthError::from(JwtError::new(kind));
            assert_eq!(auth.kind(), ErrorKind::InvalidToken, "{kind:?}");
            assert_eq!(
                auth.description(),
                "the access token is invalid",
                "{kind:?}"
            );
            let source = std::error::Error::source(&auth).expect("source");
            assert_eq!(
                source.downcast_ref::<JwtError>().map(JwtError::kind),
                Some(kind)
            );
        }
        let unavailable = AuthError::from(JwtError::new(JwtErrorKind::KeysUnavailable));
        assert_eq!(unavailable.kind(), ErrorKind::Unavailable);
        let expired = AuthError::from(JwtError::new(JwtErrorKind::Expired));
        assert_eq!(expired.kind(), ErrorKind::Expired);
        assert_eq!(expired.description(), "the access token expired");
    }

    #[test]
    fn display_names_the_reason_and_detail() {
        let error = JwtError::with_detail(JwtErrorKind::MissingClaim, "exp");
        assert_eq!(error.to_string(), "missing claim: exp");
        assert_eq!(
            JwtError::new(JwtErrorKind::BadSignature).to_string(),
            "bad signature"
        );
    }
}
