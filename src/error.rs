//! Why a request was refused, and why a configuration was.

use std::borrow::Cow;
use std::error::Error;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use http::StatusCode;

use crate::scan::{is_nqschar_text, is_scope_list};

/// Why a request was refused.
///
/// Verifiers return it, the layer turns it into the response (status and
/// `WWW-Authenticate` challenge from [`ErrorKind`]) and puts it in the
/// response extensions, so logging and metrics layers outside can read it.
///
/// Its `Display` output is the description, a fixed text; its `Debug` output
/// adds the kind, the [`subject`](Self::with_subject) and the verifier's
/// [`source`](Self::with_source), which the verifier must keep free of the
/// token as well.
#[derive(Clone)]
pub struct AuthError {
    kind: ErrorKind,
    description: Option<Cow<'static, str>>,
    scope: Option<Arc<str>>,
    retry_after: Option<Duration>,
    source: Option<Arc<dyn Error + Send + Sync>>,
    subject: Option<Arc<str>>,
    authentication: Option<Arc<AuthenticationRequirement>>,
}

/// What a route requires of the user's authentication (RFC 9470 §3): the
/// `acr_values` and `max_age` of an `insufficient_user_authentication`
/// challenge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct AuthenticationRequirement {
    pub(crate) acr_values: Option<Box<str>>,
    pub(crate) max_age: Option<u64>,
}

/// The kinds of [`AuthError`]: each decides the status, the RFC 6750 error
/// code and the gRPC status of the answer.
///
/// | kind | HTTP | `error=` | gRPC |
/// | --- | --- | --- | --- |
/// | `MissingCredentials` | 401 | (none) | 16 `UNAUTHENTICATED` |
/// | `MalformedCredentials`, `TokenTooLong`, `MultipleTokens` | 400 | `invalid_request` | 16 |
/// | `InvalidToken`, `Expired`, `Revoked` | 401 | `invalid_token` | 16 |
/// | `InsufficientScope` | 403 | `insufficient_scope` | 7 `PERMISSION_DENIED` |
/// | `Unavailable` | 503 + `Retry-After` | (none) | 14 `UNAVAILABLE` |
/// | `InvalidDpopProof` | 401 | `invalid_dpop_proof` | 16 |
/// | `UseDpopNonce` | 401 + `DPoP-Nonce` | `use_dpop_nonce` | 16 |
/// | `InsufficientUserAuthentication` | 401 | `insufficient_user_authentication` | 16 |
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The request carried no bearer token (RFC 6750 §3.1: no error information).
    MissingCredentials,
    /// The credentials break the RFC 6750 §2.1 syntax (`Bearer` without a
    /// token, a tab, characters outside b64token, an empty parameter).
    MalformedCredentials,
    /// The credentials are longer than the configured maximum.
    TokenTooLong,
    /// The request presents more than one token (RFC 6750 §2).
    MultipleTokens,
    /// The verifier refused the token.
    InvalidToken,
    /// The token has expired.
    Expired,
    /// The token was revoked.
    Revoked,
    /// The token is valid but lacks a required scope.
    InsufficientScope,
    /// The verifier's own source (key server, introspection endpoint,
    /// revocation store) cannot answer: the client did nothing wrong.
    Unavailable,
    /// The DPoP proof is missing, malformed, or fails a check of RFC 9449
    /// §4.3.
    InvalidDpopProof,
    /// The DPoP proof lacks the server's current nonce (RFC 9449 §9): the
    /// answer carries a fresh one in `DPoP-Nonce`.
    UseDpopNonce,
    /// The token is valid, but the user's authentication behind it is too
    /// weak (`acr`) or too old (`auth_time`) for the route (RFC 9470 §3).
    InsufficientUserAuthentication,
}

/// The RFC 6750 §3.1 error codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// `invalid_request`: answered 400.
    InvalidRequest,
    /// `invalid_token`: answered 401.
    InvalidToken,
    /// `insufficient_scope`: answered 403.
    InsufficientScope,
    /// `invalid_dpop_proof` (RFC 9449 §7.1): answered 401.
    InvalidDpopProof,
    /// `use_dpop_nonce` (RFC 9449 §9): answered 401.
    UseDpopNonce,
    /// `insufficient_user_authentication` (RFC 9470 §3): answered 401.
    InsufficientUserAuthentication,
}

impl ErrorCode {
    /// The code as it appears in the `error` attribute.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidRequest => "invalid_request",
            Self::InvalidToken => "invalid_token",
            Self::InsufficientScope => "insufficient_scope",
            Self::InvalidDpopProof => "invalid_dpop_proof",
            Self::UseDpopNonce => "use_dpop_nonce",
            Self::InsufficientUserAuthentication => "insufficient_user_authentication",
        }
    }
}

impl ErrorKind {
    /// Every kind, in declaration order: to export a count per kind, or to
    /// test an answer for each.
    pub const ALL: &'static [ErrorKind] = &[
        Self::MissingCredentials,
        Self::MalformedCredentials,
        Self::TokenTooLong,
        Self::MultipleTokens,
        Self::InvalidToken,
        Self::Expired,
        Self::Revoked,
        Self::InsufficientScope,
        Self::Unavailable,
        Self::InvalidDpopProof,
        Self::UseDpopNonce,
        Self::InsufficientUserAuthentication,
    ];

    /// The position of the kind in [`ALL`](Self::ALL). The match is
    /// exhaustive, so a new kind needs its index here; the counters' tests
    /// check each kind of `ALL` sits at its index.
    pub(crate) const fn index(self) -> usize {
        match self {
            Self::MissingCredentials => 0,
            Self::MalformedCredentials => 1,
            Self::TokenTooLong => 2,
            Self::MultipleTokens => 3,
            Self::InvalidToken => 4,
            Self::Expired => 5,
            Self::Revoked => 6,
            Self::InsufficientScope => 7,
            Self::Unavailable => 8,
            Self::InvalidDpopProof => 9,
            Self::UseDpopNonce => 10,
            Self::InsufficientUserAuthentication => 11,
        }
    }

    /// The HTTP status a request refused for this reason is answered with.
    pub fn status(self) -> StatusCode {
        match self {
            Self::MissingCredentials
            | Self::InvalidToken
            | Self::Expired
            | Self::Revoked
            | Self::InvalidDpopProof
            | Self::UseDpopNonce
            | Self::InsufficientUserAuthentication => StatusCode::UNAUTHORIZED,
            Self::MalformedCredentials | Self::TokenTooLong | Self::MultipleTokens => {
                StatusCode::BAD_REQUEST
            }
            Self::InsufficientScope => StatusCode::FORBIDDEN,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// The RFC 6750 `error` code, or `None` where the challenge carries none
    /// (no credentials, or a fault on the server's side).
    pub fn error_code(self) -> Option<ErrorCode> {
        match self {
            Self::MissingCredentials | Self::Unavailable => None,
            Self::MalformedCredentials | Self::TokenTooLong | Self::MultipleTokens => {
                Some(ErrorCode::InvalidRequest)
            }
            Self::InvalidToken | Self::Expired | Self::Revoked => Some(ErrorCode::InvalidToken),
            Self::InsufficientScope => Some(ErrorCode::InsufficientScope),
            Self::InvalidDpopProof => Some(ErrorCode::InvalidDpopProof),
            Self::UseDpopNonce => Some(ErrorCode::UseDpopNonce),
            Self::InsufficientUserAuthentication => Some(ErrorCode::InsufficientUserAuthentication),
        }
    }

    /// The gRPC status code a gRPC request refused for this reason gets.
    pub fn grpc_status(self) -> u8 {
        match self {
            Self::InsufficientScope => 7,
            Self::Unavailable => 14,
            _ => 16,
        }
    }

    /// The fixed `error_description` used unless the verifier gave a better one.
    pub fn description(self) -> &'static str {
        match self {
            Self::MissingCredentials => "no bearer token in the request",
            Self::MalformedCredentials => "the authorization credentials are malformed",
            Self::TokenTooLong => "the access token is too long",
            Self::MultipleTokens => "the request presents more than one access token",
            Self::InvalidToken => "the access token is invalid",
            Self::Expired => "the access token expired",
            Self::Revoked => "the access token was revoked",
            Self::InsufficientScope => "the access token lacks a required scope",
            Self::Unavailable => "the token verifier is unavailable",
            Self::InvalidDpopProof => "the DPoP proof is invalid",
            Self::UseDpopNonce => "the DPoP proof must carry the server's nonce",
            Self::InsufficientUserAuthentication => {
                "a stronger or more recent user authentication is required"
            }
        }
    }
}

/// Longest `error_description` a verifier may set; longer ones are replaced
/// by the kind's fixed text.
const MAX_DESCRIPTION_LEN: usize = 200;

impl AuthError {
    /// An error of the given kind with its fixed description.
    pub fn new(kind: ErrorKind) -> Self {
        Self {
            kind,
            description: None,
            scope: None,
            retry_after: None,
            source: None,
            subject: None,
            authentication: None,
        }
    }

    /// The verifier refused the token (401 `invalid_token`).
    pub fn invalid_token() -> Self {
        Self::new(ErrorKind::InvalidToken)
    }

    /// The token has expired (401 `invalid_token`).
    pub fn expired() -> Self {
        Self::new(ErrorKind::Expired)
    }

    /// The token was revoked (401 `invalid_token`).
    pub fn revoked() -> Self {
        Self::new(ErrorKind::Revoked)
    }

    /// The verifier cannot reach what it needs to decide (503, gRPC 14).
    pub fn unavailable() -> Self {
        Self::new(ErrorKind::Unavailable)
    }

    /// The token lacks `scope`, a space-delimited list of the scopes needed
    /// (403 `insufficient_scope` with the `scope` attribute).
    ///
    /// A list with characters RFC 6750 §3 does not allow in `scope` is
    /// dropped from the challenge rather than sent.
    pub fn insufficient_scope(scope: &str) -> Self {
        Self::new(ErrorKind::InsufficientScope).with_scope(Arc::from(scope))
    }

    /// The user's authentication is too weak or too old (401
    /// `insufficient_user_authentication`, RFC 9470 §3): the challenge
    /// names the acceptable `acr_values` (space-separated, in order of
    /// preference) and the `max_age` in seconds, where given.
    ///
    /// Values with characters RFC 6750 §3 does not allow in a
    /// quoted-string are dropped from the challenge rather than sent.
    pub fn insufficient_user_authentication(
        acr_values: Option<&str>,
        max_age: Option<Duration>,
    ) -> Self {
        let acr_values = acr_values
            .filter(|acr| !acr.is_empty() && is_nqschar_text(acr))
            .map(Box::from);
        let requirement = AuthenticationRequirement {
            acr_values,
            max_age: max_age.map(|age| age.as_secs()),
        };
        Self::new(ErrorKind::InsufficientUserAuthentication)
            .with_authentication(Arc::new(requirement))
    }

    /// Replaces the fixed `error_description`.
    ///
    /// The text is sent to the client as it is, so it must be a fixed text,
    /// never built from the token or request input. Text outside the RFC 6750
    /// §3 character set (printable ASCII without `"` and `\`) or longer than
    /// 200 bytes is ignored and the fixed text of the kind is used instead.
    #[must_use]
    pub fn with_description(mut self, description: impl Into<Cow<'static, str>>) -> Self {
        let description = description.into();
        if description.len() <= MAX_DESCRIPTION_LEN && is_nqschar_text(&description) {
            self.description = Some(description);
        }
        self
    }

    /// Attaches the underlying cause, for logs: its `Display` output is the
    /// `cause` of the refusal's event (feature `tracing`), so it must not
    /// quote the token or a secret. It is never sent to the client.
    #[must_use]
    pub fn with_source(mut self, source: impl Into<Box<dyn Error + Send + Sync>>) -> Self {
        self.source = Some(Arc::from(source.into()));
        self
    }

    /// Names the subject whose token was refused, for the refusal's log
    /// event, when it is established: by a verifier of your own that
    /// refuses a token it could authenticate, or by the scope and step-up
    /// layers from [`HasScopes::subject`](crate::scope::HasScopes::subject)
    /// and [`AuthenticationEvent::subject`](crate::step_up::AuthenticationEvent::subject).
    /// It is never sent to the client.
    #[must_use]
    pub fn with_subject(mut self, subject: impl Into<Arc<str>>) -> Self {
        self.subject = Some(subject.into());
        self
    }

    /// Sets the `Retry-After` of an [`ErrorKind::Unavailable`] answer, in
    /// place of the layer's default.
    #[must_use]
    pub fn with_retry_after(mut self, retry_after: Duration) -> Self {
        self.retry_after = Some(retry_after);
        self
    }

    pub(crate) fn with_authentication(
        mut self,
        requirement: Arc<AuthenticationRequirement>,
    ) -> Self {
        self.authentication = Some(requirement);
        self
    }

    pub(crate) fn with_scope(mut self, scope: Arc<str>) -> Self {
        if is_scope_list(&scope) {
            self.scope = Some(scope);
        }
        self
    }

    /// The kind, which decides the answer.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The `error_description`: the verifier's text or the kind's fixed one.
    pub fn description(&self) -> &str {
        self.description
            .as_deref()
            .unwrap_or_else(|| self.kind.description())
    }

    /// The scopes needed, for `insufficient_scope`.
    pub fn scope(&self) -> Option<&str> {
        self.scope.as_deref()
    }

    /// The acceptable authentication context classes, for
    /// `insufficient_user_authentication`.
    pub fn acr_values(&self) -> Option<&str> {
        self.authentication.as_ref()?.acr_values.as_deref()
    }

    /// The longest time since the user's authentication the route allows,
    /// in seconds, for `insufficient_user_authentication`.
    pub fn max_age(&self) -> Option<u64> {
        self.authentication.as_ref()?.max_age
    }

    /// The subject whose token was refused, when known.
    pub fn subject(&self) -> Option<&str> {
        self.subject.as_deref()
    }

    /// The `Retry-After` the verifier asked for.
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }
}

impl fmt::Debug for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthError")
            .field("kind", &self.kind)
            .field("description", &self.description())
            .field("scope", &self.scope)
            .field("acr_values", &self.acr_values())
            .field("max_age", &self.max_age())
            .field("retry_after", &self.retry_after)
            .field("subject", &self.subject)
            .field("source", &self.source)
            .finish()
    }
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.description())
    }
}

impl Error for AuthError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        self.source.as_deref().map(|e| e as &(dyn Error + 'static))
    }
}

impl From<ErrorKind> for AuthError {
    fn from(kind: ErrorKind) -> Self {
        Self::new(kind)
    }
}

/// A configuration the layer refuses to be built with: caught when the
/// service is set up, never at the first request.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The realm would not be a plain quoted-string (RFC 9110 §11.5).
    #[error("realm must be printable ASCII without '\"' or '\\'")]
    InvalidRealm,
    /// A scope is empty or has characters RFC 6750 §3 does not allow.
    #[error("scope must be non-empty printable ASCII without space, '\"' or '\\'")]
    InvalidScope,
    /// A claim rule with an empty claim path, member name, role or value,
    /// or no role at all.
    #[error("claim paths, roles and values must be non-empty")]
    InvalidClaimRule,
    /// A scope requirement lists no scope.
    #[error("at least one scope is required")]
    NoScopes,
    /// An acceptable `acr` value is empty or has characters RFC 6750 §3
    /// does not allow in a challenge (space, `"`, `\`, controls,
    /// non-ASCII).
    #[error("acr value must be non-empty printable ASCII without space, '\"' or '\\'")]
    InvalidAcrValue,
    /// A step-up requirement names neither an acceptable `acr` nor a
    /// `max_age`, so it would require nothing (RFC 9470 §3).
    #[error("an authentication requirement needs acr values or a max age")]
    NoAuthenticationRequirement,
    /// A header or cookie name is not a valid token.
    #[error("invalid header or cookie name")]
    InvalidName,
    /// A static token breaks the b64token grammar, so no request could
    /// present it.
    #[error("static token is not a valid b64token")]
    MalformedToken,
    /// A static token is too short to be unguessable.
    #[error("static token is shorter than {min} characters")]
    TokenTooShort {
        /// The minimum length.
        min: usize,
    },
    /// The same static token was given twice.
    #[error("static token given twice")]
    DuplicateToken,
    /// A maximum token length of zero would refuse every token.
    #[error("maximum token length must be at least 1")]
    ZeroMaxLength,
    /// A key could not be parsed, is not a public key, or is of a kind or
    /// use that cannot verify signatures.
    #[error("key is not a usable public verification key")]
    InvalidKey,
    /// A key is too short to be safe (RFC 7518 §3.2, §3.3).
    #[error("key is shorter than {min_bits} bits")]
    WeakKey {
        /// The minimum size.
        min_bits: usize,
    },
    /// An algorithm outside the key's family or curve, or a hash longer than
    /// an HMAC secret (RFC 8725 §3.1).
    #[error("algorithm cannot be used with this key")]
    AlgorithmNotForKey,
    /// A key id is empty or longer than 256 bytes.
    #[error("key id must be 1 to 256 bytes")]
    InvalidKeyId,
    /// A JWT verifier without a key would refuse every token.
    #[error("no verification key configured")]
    NoKeys,
    /// No audience was configured and the check was not explicitly turned
    /// off: a token issued for another service would be accepted.
    #[error("no audience configured")]
    NoAudience,
    /// The RFC 9068 profile needs the issuer to match.
    #[error("no issuer configured")]
    NoIssuer,
    /// The RFC 9068 profile requires `exp`.
    #[error("exp cannot be optional with this profile")]
    ExpRequired,
    /// A key is bound to an issuer the verifier does not accept, or, with
    /// several accepted issuers, a key is bound to none of them.
    #[error("with several issuers every key must be bound to one of them")]
    IssuerBinding,
    /// An identity provider's profile (`provider::Provider`) beside keys or
    /// issuers of its own, with keys of another issuer, or with a setting
    /// of another provider (app clients outside Cognito, client roles
    /// outside Keycloak, v1 tokens outside Entra ID), or an empty client
    /// id.
    #[error("the provider profile conflicts with the rest of the configuration")]
    ProviderConflict,
    /// An audience the provider's access tokens cannot have (any for
    /// Cognito; a client whose tokens the profile refuses), or no audience
    /// check for a provider whose tokens serve many APIs.
    #[error("the audience does not fit the provider's access tokens")]
    ProviderAudience,
    /// A multi-tenant issuer without its tenants chosen: list them, or
    /// accept any explicitly.
    #[error("a multi-tenant issuer needs its tenants listed, or any tenant accepted explicitly")]
    TenantsNotChosen,
    /// Tenants listed for an issuer that is not multi-tenant, an empty
    /// list, or a tenant that is not a tenant id (1 to 64 ASCII letters,
    /// digits and `-`).
    #[error("tenants must be tenant ids, listed for a multi-tenant issuer")]
    InvalidTenant,
    /// A protected resource identifier (RFC 9728 §1.2) that is not an
    /// absolute `https` URL (`http` only to a loopback IP literal) without
    /// userinfo, query or fragment, or a metadata member that is not what
    /// it names (a URL, a scope token, a bearer method).
    #[error(
        "the resource must be an https URL without query or fragment, and its metadata well formed"
    )]
    InvalidResource,
    /// A verifier for a protected resource
    /// (`JwtVerifierBuilder::for_resource`) with another audience, or
    /// without the audience check: RFC 8707 and RFC 9728 §3.3 want the
    /// resource's tokens, and only those.
    #[error("the audience must be the protected resource's identifier, and only it")]
    ResourceAudience,
    /// An issuer template whose `{tenantid}` is not exactly one whole path
    /// segment after the scheme and host.
    #[error("{{tenantid}} must be one whole path segment of the issuer, after its host")]
    InvalidIssuerTemplate,
    /// A Cognito profile without an app client id: its access tokens have
    /// no `aud`, and are checked by `client_id` instead.
    #[error("the provider profile needs a client id")]
    NoClientId,
    /// An accepted issuer or audience is the empty string.
    #[error("issuer and audience must not be empty")]
    EmptyIssuerOrAudience,
    /// A leeway so long that it would disable the time checks.
    #[error("leeway is longer than {max_secs} seconds")]
    LeewayTooLong {
        /// The maximum, in seconds.
        max_secs: u64,
    },
    /// More required claims than the verifier tracks.
    #[error("at most {max} claims can be required")]
    TooManyRequiredClaims {
        /// The maximum.
        max: usize,
    },
    /// A key set, discovery or introspection URL that is not an absolute
    /// `https` URL (or `http` to a loopback address, or any `http` when
    /// explicitly allowed), or that carries credentials.
    #[error("URL must be an absolute https URL without credentials")]
    InvalidUrl,
    /// Keys are fetched in the background, which needs a tokio runtime when
    /// the key source is built.
    #[error("no tokio runtime to fetch keys on")]
    NoRuntime,
    /// A duration is zero where it must not be, or a minimum exceeds its
    /// maximum.
    #[error("durations must be non-zero and each minimum at most its maximum")]
    InvalidDuration,
    /// A cache with room for no entry.
    #[error("a cache needs room for at least one entry")]
    ZeroCapacity,
    /// An introspection endpoint needs the resource server to authenticate
    /// (RFC 7662 §2.1): a client id that is not empty, and its secret.
    #[error("introspection needs client authentication with a non-empty client id")]
    NoClientAuthentication,
    /// A layer that accepts DPoP proofs needs the origin clients reach it
    /// at, to compare each proof's `htu` with (RFC 9449 §4.3 (9)).
    #[error("DPoP needs the service's origin")]
    NoOrigin,
    /// rustls refused the crypto provider of the default HTTPS client (its
    /// default protocol versions); never with this crate's backends.
    #[error("rustls refused the TLS crypto provider")]
    NoTlsProvider,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn description_outside_nqschar_is_replaced() {
        let cases = [
            ("quote", "bad \"quote\""),
            ("backslash", "a\\b"),
            ("crlf", "x\r\nSet-Cookie: a=b"),
            ("non-ascii", "tök"),
            ("too long", &"a".repeat(201)),
        ];
        for (name, text) in cases {
            let error = AuthError::invalid_token().with_description(text.to_owned());
            assert_eq!(
                error.description(),
                "the access token is invalid",
                "case {name}"
            );
        }
        let error = AuthError::invalid_token().with_description("signature mismatch");
        assert_eq!(error.description(), "signature mismatch");
    }

    #[test]
    fn status_depends_on_kind_only() {
        let cases = [
            (ErrorKind::MissingCredentials, 401, None, 16),
            (
                ErrorKind::MalformedCredentials,
                400,
                Some("invalid_request"),
                16,
            ),
            (ErrorKind::TokenTooLong, 400, Some("invalid_request"), 16),
            (ErrorKind::MultipleTokens, 400, Some("invalid_request"), 16),
            (ErrorKind::InvalidToken, 401, Some("invalid_token"), 16),
            (ErrorKind::Expired, 401, Some("invalid_token"), 16),
            (ErrorKind::Revoked, 401, Some("invalid_token"), 16),
            (
                ErrorKind::InsufficientScope,
                403,
                Some("insufficient_scope"),
                7,
            ),
            (ErrorKind::Unavailable, 503, None, 14),
            (
                ErrorKind::InvalidDpopProof,
                401,
                Some("invalid_dpop_proof"),
                16,
            ),
            (ErrorKind::UseDpopNonce, 401, Some("use_dpop_nonce"), 16),
            (
                ErrorKind::InsufficientUserAuthentication,
                401,
                Some("insufficient_user_authentication"),
                16,
            ),
        ];
        for (kind, status, code, grpc) in cases {
            assert_eq!(kind.status().as_u16(), status, "{kind:?}");
            assert_eq!(kind.error_code().map(ErrorCode::as_str), code, "{kind:?}");
            assert_eq!(kind.grpc_status(), grpc, "{kind:?}");
            assert!(is_nqschar_text(kind.description()), "{kind:?}");
        }
    }

    #[test]
    fn invalid_scope_list_is_dropped() {
        assert_eq!(
            AuthError::insufficient_scope("read admin").scope(),
            Some("read admin")
        );
        assert_eq!(AuthError::insufficient_scope("a\"b").scope(), None);
        assert_eq!(AuthError::insufficient_scope("").scope(), None);
    }
}
