//! [`JwtVerifierBuilder`]: everything about a JWT verifier that is decided
//! once, at start-up.

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use serde::de::DeserializeOwned;

use super::header::media_type_is;
use super::key::JwtKey;
use super::key_set::KeySet;
use super::key_source::{KeySource, KeySources};
use super::provider_rules::{AudienceRule, ProviderRules};
use super::verifier::{ClaimsCheck, Inner, JwtVerifier, claims_reader};
use crate::error::ConfigError;
use crate::metadata::ProtectedResourceMetadata;
use crate::registered::{ClaimRules, MAX_REQUIRED};

/// The default [`JwtVerifierBuilder::with_leeway`]: one minute of clock skew.
pub const DEFAULT_LEEWAY: Duration = Duration::from_secs(60);

/// The largest [`JwtVerifierBuilder::with_leeway`] accepted: RFC 9068 §4
/// allows "usually no more than a few minutes"; more would quietly turn the
/// time checks off. A revocation outlives it
/// ([`REVOCATION_GRACE`](crate::revocation::REVOCATION_GRACE)).
pub const MAX_LEEWAY: Duration = crate::revocation::REVOCATION_GRACE;

/// The default [`JwtVerifierBuilder::with_max_token_size`], in bytes: room
/// for a large claims set, and a bound on what is decoded at all.
pub const DEFAULT_MAX_TOKEN_SIZE: usize = 8 * 1024;

/// Which kind of JWT is accepted as an access token.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum JwtProfile {
    /// Any JWT that passes the configured checks. `typ` may be absent, `JWT`
    /// or `at+jwt`; any other type (`dpop+jwt`, `secevent+jwt`, …) is a
    /// token of another kind and refused (RFC 8725 §3.11).
    #[default]
    Jwt,
    /// The RFC 9068 JWT access token: `typ` must be `at+jwt` (so an OIDC ID
    /// token from the same issuer and key is refused), and `iss`, `exp`,
    /// `aud`, `sub`, `client_id`, `iat` and `jti` are required. An issuer
    /// and an audience must be configured.
    Rfc9068,
}

/// The claims RFC 9068 §2.2 requires beyond `iss`, `exp` and `aud`.
const RFC9068_REQUIRED: [&str; 4] = ["sub", "client_id", "iat", "jti"];

/// The `typ` values a profile accepts.
#[derive(Clone, Copy, Debug)]
pub(crate) enum TypeRule {
    /// Absent, `JWT` or `at+jwt`.
    AnyAccessJwt,
    /// `at+jwt` only.
    AccessTokenJwt,
}

impl TypeRule {
    pub(crate) fn accepts(self, typ: Option<&str>) -> bool {
        match (self, typ) {
            (Self::AnyAccessJwt, None) => true,
            (Self::AnyAccessJwt, Some(typ)) => {
                media_type_is(typ, "jwt") || media_type_is(typ, "at+jwt")
            }
            (Self::AccessTokenJwt, typ) => typ.is_some_and(|typ| media_type_is(typ, "at+jwt")),
        }
    }
}

/// Configures a [`JwtVerifier`]; [`build`](Self::build) checks the whole
/// configuration and refuses one that would be unsafe or could never accept
/// a token.
///
/// ```
/// use serde::Deserialize;
/// use tower_bearer_auth::jwt::{JwtKey, JwtProfile, JwtVerifier, JwtVerifierBuilder};
///
/// // The claims as `AccessClaims`.
/// let verifier = JwtVerifier::builder()
///     .with_key(JwtKey::hmac(b"a secret of at least thirty-two bytes!")?)
///     .with_issuer("https://issuer.example.com")
///     .with_audience("https://api.example.com")
///     .with_profile(JwtProfile::Rfc9068)
///     .build()?;
///
/// // The claims as a type of your own.
/// #[derive(Clone, Deserialize)]
/// struct User {
///     sub: String,
/// }
/// let users: JwtVerifier<User> = JwtVerifierBuilder::new()
///     .with_key(JwtKey::hmac(b"a secret of at least thirty-two bytes!")?)
///     .with_audience("https://api.example.com")
///     .build()?;
/// # let _ = (verifier, users);
/// # Ok::<(), tower_bearer_auth::ConfigError>(())
/// ```
///
/// Defaults: `exp` required, `nbf` and `iat` checked, a leeway of
/// [`DEFAULT_LEEWAY`], tokens up to [`DEFAULT_MAX_TOKEN_SIZE`] bytes, the
/// [`JwtProfile::Jwt`] profile. An audience is required: name one with
/// [`with_audience`](Self::with_audience), or say that tokens of this issuer
/// are meant for this service alone with
/// [`without_audience_check`](Self::without_audience_check).
#[must_use]
pub struct JwtVerifierBuilder<C> {
    keys: Vec<JwtKey>,
    /// Key sources by their issuer.
    remote: Vec<(Box<str>, Arc<dyn KeySource>)>,
    issuers: Vec<Box<str>>,
    audiences: Vec<Box<str>>,
    audience_check: bool,
    leeway: Duration,
    require_exp: bool,
    required: Vec<Box<str>>,
    profile: JwtProfile,
    max_token_size: usize,
    check: Option<ClaimsCheck<C>>,
    provider: Option<ProviderRules>,
    /// The protected resource whose identifier is the audience.
    resource: Option<Box<str>>,
}

impl<C> Default for JwtVerifierBuilder<C> {
    fn default() -> Self {
        Self::new()
    }
}

impl<C> JwtVerifierBuilder<C> {
    /// A builder of a verifier answering `C`, any type serde can read:
    /// `JwtVerifierBuilder::<MyClaims>::new()`, or `new()` where the
    /// verifier's type says it. [`JwtVerifier::builder`] is this for
    /// [`AccessClaims`](super::AccessClaims).
    pub fn new() -> Self {
        Self {
            keys: Vec::new(),
            remote: Vec::new(),
            issuers: Vec::new(),
            audiences: Vec::new(),
            audience_check: true,
            leeway: DEFAULT_LEEWAY,
            require_exp: true,
            required: Vec::new(),
            profile: JwtProfile::Jwt,
            max_token_size: DEFAULT_MAX_TOKEN_SIZE,
            check: None,
            provider: None,
            resource: None,
        }
    }

    /// Adds a verification key.
    pub fn with_key(mut self, key: JwtKey) -> Self {
        self.keys.push(key);
        self
    }

    /// Adds several verification keys.
    pub fn with_keys(mut self, keys: impl IntoIterator<Item = JwtKey>) -> Self {
        self.keys.extend(keys);
        self
    }

    /// Accepts tokens of `issuer`, verified with the keys of `source`
    /// only: how a source that fetches keys plugs in (`with_jwks`).
    #[allow(
        dead_code,
        reason = "the seam a key source that fetches plugs into; none may be built"
    )]
    pub(crate) fn with_key_source(mut self, issuer: &str, source: Arc<dyn KeySource>) -> Self {
        self.remote.push((issuer.into(), source));
        self
    }

    /// Accepts tokens whose `iss` is exactly `issuer` (byte for byte: no
    /// trailing-slash or case folding). Call it again to accept several, and
    /// then bind each key to its issuer with [`JwtKey::with_issuer`]; once
    /// one is given, a token without `iss` is refused.
    ///
    /// An issuer holding `{tenantid}` is a template, as multi-tenant
    /// identity providers publish it
    /// (`https://login.microsoftonline.com/{tenantid}/v2.0`): it accepts an
    /// `iss` with a tenant id (ASCII letters, digits and `-`) in that place,
    /// and the token's `tid` must be that tenant. Every tenant's: the
    /// `provider` module's Entra ID profile lists the tenants accepted.
    pub fn with_issuer(mut self, issuer: impl Into<Box<str>>) -> Self {
        self.issuers.push(issuer.into());
        self
    }

    /// Accepts tokens whose `aud` is, or contains, exactly `audience`. Call
    /// it again to accept several; a token without `aud` is refused.
    pub fn with_audience(mut self, audience: impl Into<Box<str>>) -> Self {
        self.audiences.push(audience.into());
        self
    }

    /// Accepts tokens whose `aud` names the protected resource of
    /// `metadata`, and no other audience: its identifier (RFC 8707 §2), as
    /// the metadata's `resource` says it (RFC 9728 §2), so the two cannot
    /// disagree. Another audience or
    /// [`without_audience_check`](Self::without_audience_check) beside it
    /// is refused at build ([`ConfigError::ResourceAudience`]).
    pub fn for_resource(mut self, metadata: &ProtectedResourceMetadata) -> Self {
        self.resource = Some(metadata.resource().into());
        self.audiences.push(metadata.resource().into());
        self
    }

    /// Accepts tokens whatever their `aud`. Only for an issuer whose tokens
    /// are all meant for this service: otherwise a token issued to another
    /// service could be replayed here (RFC 8725 §3.9).
    pub fn without_audience_check(mut self) -> Self {
        self.audience_check = false;
        self
    }

    /// The clock skew allowed on `exp`, `nbf` and `iat`, in whole seconds
    /// (default [`DEFAULT_LEEWAY`], at most [`MAX_LEEWAY`]).
    pub fn with_leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// Accepts tokens without `exp`, which then never expire. Refused with
    /// the [`JwtProfile::Rfc9068`] profile.
    pub fn without_exp_requirement(mut self) -> Self {
        self.require_exp = false;
        self
    }

    /// Requires each of `claims` to be present, whatever its value.
    pub fn with_required_claims<I>(mut self, claims: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<Box<str>>,
    {
        self.required.extend(claims.into_iter().map(Into::into));
        self
    }

    /// Selects the kind of JWT accepted (default [`JwtProfile::Jwt`]).
    pub fn with_profile(mut self, profile: JwtProfile) -> Self {
        self.profile = profile;
        self
    }

    /// Refuses tokens longer than `bytes` before decoding anything (default
    /// [`DEFAULT_MAX_TOKEN_SIZE`]).
    pub fn with_max_token_size(mut self, bytes: usize) -> Self {
        self.max_token_size = bytes;
        self
    }

    /// Runs `check` on the claims of every token that passed all other
    /// checks; `Err(reason)` refuses it (401 `invalid_token`), with `reason`
    /// kept for logs in the [`JwtError`](super::JwtError) detail, never sent.
    pub fn with_claims_check<F>(mut self, check: F) -> Self
    where
        F: Fn(&C) -> Result<(), &'static str> + Send + Sync + 'static,
    {
        self.check = Some(Arc::new(check));
        self
    }

    /// Applies an identity provider's profile: how `provider::Provider`
    /// plugs in (`with_provider`).
    #[cfg_attr(
        not(feature = "jwks"),
        allow(dead_code, reason = "provider profiles come with jwks")
    )]
    pub(crate) fn with_provider_rules(mut self, rules: ProviderRules) -> Self {
        self.provider = Some(rules);
        self
    }

    /// Checks the configuration and builds the verifier.
    ///
    /// Refused: no key ([`ConfigError::NoKeys`]); no audience and no
    /// [`without_audience_check`](Self::without_audience_check)
    /// ([`ConfigError::NoAudience`]); an empty issuer or audience; a leeway
    /// over [`MAX_LEEWAY`]; the RFC 9068 profile without an issuer
    /// ([`ConfigError::NoIssuer`]), without an audience, or without `exp`; a
    /// maximum token size of zero; more than 64 required claims; a key bound
    /// to an issuer not accepted, or, with several issuers, a key bound to
    /// none ([`ConfigError::IssuerBinding`]); an issuer template whose
    /// `{tenantid}` is not one whole path segment
    /// ([`ConfigError::InvalidIssuerTemplate`]); another audience beside
    /// [`for_resource`](Self::for_resource)'s
    /// ([`ConfigError::ResourceAudience`]); what a provider profile refuses
    /// (`with_provider`).
    ///
    /// `C` is `'static` (every type serde reads into an owned value is):
    /// the verifier recognizes [`AccessClaims`](super::AccessClaims) by its
    /// type, and reads it from its own pass over the payload.
    ///
    /// It also installs this crate's crypto backend as jsonwebtoken's
    /// process default, unless one is installed already: jsonwebtoken's own
    /// `encode` and `decode`, elsewhere in the application, would otherwise
    /// panic when both of its backends are on. The verifier does not use it.
    pub fn build(mut self) -> Result<JwtVerifier<C>, ConfigError>
    where
        C: DeserializeOwned + 'static,
    {
        if self.keys.is_empty() && self.remote.is_empty() {
            return Err(ConfigError::NoKeys);
        }
        if let Some(resource) = &self.resource {
            let only_resource = self.audiences.iter().all(|audience| audience == resource);
            if !only_resource || !self.audience_check {
                return Err(ConfigError::ResourceAudience);
            }
        }
        let mut audience_check = self.audience_check;
        if let Some(provider) = &self.provider {
            let sourced: Vec<&str> = self.remote.iter().map(|(issuer, _)| &**issuer).collect();
            provider.check_against(
                &self.issuers,
                &sourced,
                !self.keys.is_empty(),
                &self.audiences,
                self.audience_check,
            )?;
            audience_check &= provider.audience != AudienceRule::Absent;
        }
        accept_source_issuers(&mut self.issuers, &self.remote)?;
        let rfc9068 = self.profile == JwtProfile::Rfc9068;
        let mut rules = ClaimRules::new(
            self.issuers,
            self.audiences,
            audience_check || rfc9068,
            self.leeway,
        )?;
        install_crypto_provider();
        if rfc9068 && rules.issuers.is_empty() {
            return Err(ConfigError::NoIssuer);
        }
        if rfc9068 && !self.require_exp {
            return Err(ConfigError::ExpRequired);
        }
        if self.max_token_size == 0 {
            return Err(ConfigError::ZeroMaxLength);
        }
        let mut required = self.required;
        if rfc9068 {
            required.extend(RFC9068_REQUIRED.map(Box::from));
        }
        required.sort_unstable();
        required.dedup();
        if required.len() > MAX_REQUIRED {
            return Err(ConfigError::TooManyRequiredClaims { max: MAX_REQUIRED });
        }
        let sources = sources_by_issuer(self.keys, &self.remote, &rules.issuers)?;
        rules.require_exp = self.require_exp;
        rules.required = required.into();
        let (read_claims, keep) = claims_reader::<C>();
        rules.tenants = self
            .provider
            .as_ref()
            .and_then(|provider| provider.tenants.clone());
        Ok(JwtVerifier::from_inner(Inner {
            sources,
            rules,
            types: if rfc9068 {
                TypeRule::AccessTokenJwt
            } else {
                TypeRule::AnyAccessJwt
            },
            max_token_size: self.max_token_size,
            check: self.check,
            payload_check: self.provider.and_then(|provider| provider.check),
            read_claims,
            keep,
            _claims: PhantomData,
        }))
    }
}

/// Accepts the issuer of each key source, if it was not already. An issuer
/// has one source: which of two would answer is a guess.
fn accept_source_issuers(
    issuers: &mut Vec<Box<str>>,
    remote: &[(Box<str>, Arc<dyn KeySource>)],
) -> Result<(), ConfigError> {
    for (at, (issuer, _)) in remote.iter().enumerate() {
        if remote[..at].iter().any(|(earlier, _)| earlier == issuer) {
            return Err(ConfigError::IssuerBinding);
        }
        if !issuers.contains(issuer) {
            issuers.push(issuer.clone());
        }
    }
    Ok(())
}

/// The key source of each accepted issuer (by index), and the keys of
/// tokens without an accepted issuer: the issuer's own source, or the
/// configured keys bound to it or to none.
///
/// Which key may vouch for which tokens is never a guess (RFC 8725 §3.8):
/// a key bound to an issuer not accepted or one with its own source is
/// refused, and so is a key bound to none beside several issuers or any
/// key source.
fn sources_by_issuer(
    keys: Vec<JwtKey>,
    remote: &[(Box<str>, Arc<dyn KeySource>)],
    issuers: &[Box<str>],
) -> Result<KeySources, ConfigError> {
    let bindings = keys
        .iter()
        .map(|key| match key.issuer() {
            Some(bound) => issuers
                .iter()
                .position(|issuer| **issuer == *bound)
                .filter(|&at| !remote.iter().any(|(of, _)| *of == issuers[at]))
                .map(Some)
                .ok_or(ConfigError::IssuerBinding),
            None if issuers.len() > 1 || !remote.is_empty() => Err(ConfigError::IssuerBinding),
            None => Ok(None),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let keys_of = |issuer: Option<usize>| -> Arc<dyn KeySource> {
        let keys = keys.iter().zip(&bindings);
        let bound = keys.filter(|(_, bound)| bound.is_none() || **bound == issuer);
        Arc::new(KeySet::new(bound.map(|(key, _)| key.clone()).collect()))
    };
    let by_issuer = issuers
        .iter()
        .enumerate()
        .map(
            |(at, issuer)| match remote.iter().find(|(of, _)| of == issuer) {
                Some((_, source)) => Arc::clone(source),
                None => keys_of(Some(at)),
            },
        )
        .collect();
    Ok(KeySources {
        by_issuer,
        without_issuer: keys_of(None),
    })
}

/// Installs this crate's crypto backend as jsonwebtoken's process default,
/// so that jsonwebtoken's own `encode` and `decode` (the application's, the
/// test kit's) cannot panic for want of one; a provider the application
/// installed first stays. aws-lc-rs when its feature is on, RustCrypto
/// otherwise. The verifier's signature checks do not go through it.
pub(crate) fn install_crypto_provider() {
    use jsonwebtoken::crypto::CryptoProvider;
    #[cfg(feature = "aws-lc-rs")]
    let provider = &jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER;
    #[cfg(not(feature = "aws-lc-rs"))]
    let provider = &jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER;
    let _already_installed = CryptoProvider::install_default(provider);
}

impl<C> fmt::Debug for JwtVerifierBuilder<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwtVerifierBuilder")
            .field("keys", &self.keys)
            .field("issuers", &self.issuers)
            .field("audiences", &self.audiences)
            .field("audience_check", &self.audience_check)
            .field("leeway", &self.leeway)
            .field("require_exp", &self.require_exp)
            .field("required", &self.required)
            .field("profile", &self.profile)
            .field("max_token_size", &self.max_token_size)
            .field("claims_check", &self.check.is_some())
            .field("provider", &self.provider)
            .field("resource", &self.resource)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_rules() {
        let cases = [
            (None, true, false),
            (Some("JWT"), true, false),
            (Some("jwt"), true, false),
            (Some("application/jwt"), true, false),
            (Some("at+jwt"), true, true),
            (Some("AT+JWT"), true, true),
            (Some("application/at+jwt"), true, true),
            (Some("dpop+jwt"), false, false),
            (Some("secevent+jwt"), false, false),
            (Some("logout+jwt"), false, false),
            (Some(""), false, false),
        ];
        for (typ, any, access) in cases {
            assert_eq!(TypeRule::AnyAccessJwt.accepts(typ), any, "{typ:?}");
            assert_eq!(TypeRule::AccessTokenJwt.accepts(typ), access, "{typ:?}");
        }
    }
}
