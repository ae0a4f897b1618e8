//! [`IntrospectionClaims`]: what an active introspection response says about
//! a token, typed.

use serde::Deserialize;
use serde::de::{Deserializer, IgnoredAny};

use crate::scope::{HasScopes, Scopes};
use crate::step_up::AuthenticationEvent;

/// The members of an active introspection response (RFC 7662 §2.2), plus
/// the application's own in `extra`.
///
/// `scopes` feed [`RequireScopeLayer`](crate::scope::RequireScopeLayer)
/// through [`HasScopes`]; `acr` and `auth_time` feed
/// [`RequireAuthenticationLayer`](crate::step_up::RequireAuthenticationLayer)
/// through [`AuthenticationEvent`]. Times are whole seconds since the Unix
/// epoch.
/// `extra` is read from the same response object by the application's
/// `Deserialize` type (default [`NoExtraClaims`], which reads nothing):
///
/// ```
/// use serde::Deserialize;
/// use tower_bearer_auth::introspection::{IntrospectionClaims, IntrospectionVerifier};
///
/// #[derive(Clone, Debug, Deserialize)]
/// struct Tenant {
///     tenant_id: String,
/// }
///
/// # fn build() -> Result<(), tower_bearer_auth::ConfigError> {
/// let verifier: IntrospectionVerifier<Tenant> =
///     IntrospectionVerifier::builder("https://login.example.com/oauth2/introspect")
///         .with_client_secret_basic("api", "secret from the environment")
///         .with_audience("https://api.example.com")
///         .with_extra_claims::<Tenant>()
///         .build()?;
/// // Handlers get `IntrospectionClaims<Tenant>`: `claims.extra.tenant_id`.
/// # let _ = verifier; Ok(()) }
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct IntrospectionClaims<X = NoExtraClaims> {
    /// `scope`: the scopes granted.
    pub scopes: Scopes,
    /// `client_id`: the client the token was issued to.
    pub client_id: Option<String>,
    /// `username`: a human-readable name of the resource owner.
    pub username: Option<String>,
    /// `sub`: whom the token is about.
    pub sub: Option<String>,
    /// `iss`: who issued the token.
    pub iss: Option<String>,
    /// `aud`: the audiences, whether sent as one string or an array.
    pub aud: Vec<String>,
    /// `exp`: when the token expires.
    pub exp: Option<i64>,
    /// `iat`: when it was issued.
    pub iat: Option<i64>,
    /// `nbf`: when it becomes valid.
    pub nbf: Option<i64>,
    /// `jti`: the token's identifier.
    pub jti: Option<String>,
    /// `token_type`: `Bearer` (compared case-insensitively) when present.
    pub token_type: Option<String>,
    /// `acr`: the authentication context class the user's authentication
    /// satisfied (RFC 9470 §6.2).
    pub acr: Option<String>,
    /// `auth_time`: when the user authenticated (RFC 9470 §6.2).
    pub auth_time: Option<i64>,
    /// The application's own members.
    pub extra: X,
}

impl<X> HasScopes for IntrospectionClaims<X> {
    fn has_scope(&self, scope: &str) -> bool {
        self.scopes.contains(scope)
    }

    fn subject(&self) -> Option<&str> {
        self.sub.as_deref()
    }
}

impl<X> AuthenticationEvent for IntrospectionClaims<X> {
    fn acr(&self) -> Option<&str> {
        self.acr.as_deref()
    }

    fn auth_time(&self) -> Option<i64> {
        self.auth_time
    }

    fn subject(&self) -> Option<&str> {
        self.sub.as_deref()
    }
}

/// The default `extra` of [`IntrospectionClaims`]: reads nothing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NoExtraClaims;

impl<'de> Deserialize<'de> for NoExtraClaims {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        IgnoredAny::deserialize(deserializer).map(|_| Self)
    }
}
