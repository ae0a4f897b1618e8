//! [`JwtVerifierBuilder`]: everything about a JWT verifier that is decided
//! once, at start-up.

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use super::claims::{ClaimRules, MAX_REQUIRED};
use super::header::media_type_is;
use super::key::JwtKey;
use super::key_set::KeySet;
use super::verifier::{ClaimsCheck, Inner, JwtVerifier, RemoteKeys};
use crate::error::ConfigError;

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
/// use tower_bearer_auth::jwt::{AccessClaims, JwtKey, JwtProfile, JwtVerifier};
///
/// let verifier: JwtVerifier<AccessClaims> = JwtVerifier::builder()
///     .with_key(JwtKey::hmac(b"a secret of at least thirty-two bytes!")?)
///     .with_issuer("https://issuer.example.com")
///     .with_audience("https://api.example.com")
///     .with_profile(JwtProfile::Rfc9068)
///     .build()?;
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
    remote: Vec<RemoteKeys>,
    issuers: Vec<Box<str>>,
    audiences: Vec<Box<str>>,
    audience_check: bool,
    leeway: Duration,
    require_exp: bool,
    required: Vec<Box<str>>,
    profile: JwtProfile,
    max_token_size: usize,
    check: Option<ClaimsCheck<C>>,
}

impl<C> JwtVerifierBuilder<C> {
    pub(crate) fn new() -> Self {
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

    /// Accepts tokens of the issuer of `jwks`, verified with its keys only
    /// (fetched, cached and refreshed by `jwks`; see [`crate::jwks`]). Call
    /// it again for more issuers: a token's `iss` selects the key source,
    /// and a token of an issuer not configured is refused before anything
    /// is fetched.
    #[cfg(feature = "jwks")]
    #[cfg_attr(docsrs, doc(cfg(feature = "jwks")))]
    pub fn with_jwks(mut self, jwks: crate::jwks::Jwks) -> Self {
        self.remote.push(jwks);
        self
    }

    /// Accepts tokens whose `iss` is exactly `issuer` (byte for byte: no
    /// trailing-slash or case folding). Call it again to accept several, and
    /// then bind each key to its issuer with [`JwtKey::with_issuer`]; once
    /// one is given, a token without `iss` is refused.
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

    /// Checks the configuration and builds the verifier.
    ///
    /// Refused: no key ([`ConfigError::NoKeys`]); no audience and no
    /// [`without_audience_check`](Self::without_audience_check)
    /// ([`ConfigError::NoAudience`]); an empty issuer or audience; a leeway
    /// over [`MAX_LEEWAY`]; the RFC 9068 profile without an issuer
    /// ([`ConfigError::NoIssuer`]), without an audience, or without `exp`; a
    /// maximum token size of zero; more than 64 required claims; a key bound
    /// to an issuer not accepted, or, with several issuers, a key bound to
    /// none ([`ConfigError::IssuerBinding`]).
    ///
    /// It installs this crate's crypto backend as jsonwebtoken's process
    /// default, unless one is installed already: jsonwebtoken would
    /// otherwise panic at the first token when both of its backends are on.
    pub fn build(mut self) -> Result<JwtVerifier<C>, ConfigError> {
        if self.keys.is_empty() && self.remote.is_empty() {
            return Err(ConfigError::NoKeys);
        }
        let remote = remote_by_issuer(&mut self.issuers, self.remote, &self.keys)?;
        let rfc9068 = self.profile == JwtProfile::Rfc9068;
        let mut rules = ClaimRules::new(
            self.issuers,
            self.audiences,
            self.audience_check || rfc9068,
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
        let keys = KeySet::new(self.keys, &rules.issuers)?;
        rules.require_exp = self.require_exp;
        rules.required = required.into();
        Ok(JwtVerifier::from_inner(Inner {
            keys,
            remote,
            rules,
            types: if rfc9068 {
                TypeRule::AccessTokenJwt
            } else {
                TypeRule::AnyAccessJwt
            },
            max_token_size: self.max_token_size,
            check: self.check,
            _claims: PhantomData,
        }))
    }
}

/// Each key source at the index of its issuer, which is accepted if it was
/// not already. An issuer has one source, and configured keys may not also
/// answer for an issuer with fetched keys: which would win is a guess.
#[cfg(feature = "jwks")]
fn remote_by_issuer(
    issuers: &mut Vec<Box<str>>,
    remote: Vec<RemoteKeys>,
    keys: &[JwtKey],
) -> Result<Box<[Option<RemoteKeys>]>, ConfigError> {
    let position = |issuers: &[Box<str>], issuer: &str| issuers.iter().position(|i| **i == *issuer);
    for jwks in &remote {
        if position(issuers, jwks.issuer()).is_none() {
            issuers.push(jwks.issuer().into());
        }
    }
    let mut by_issuer: Vec<Option<RemoteKeys>> = vec![None; issuers.len()];
    for jwks in remote {
        let slot = position(issuers, jwks.issuer()).and_then(|i| by_issuer.get_mut(i));
        match slot {
            Some(slot @ None) => *slot = Some(jwks),
            _ => return Err(ConfigError::IssuerBinding),
        }
    }
    let fetched = |issuer: &str| position(issuers, issuer).is_some_and(|i| by_issuer[i].is_some());
    let overlap = keys.iter().any(|key| match key.issuer() {
        Some(issuer) => fetched(issuer),
        None => by_issuer.iter().any(Option::is_some),
    });
    if overlap {
        return Err(ConfigError::IssuerBinding);
    }
    Ok(by_issuer.into())
}

#[cfg(not(feature = "jwks"))]
fn remote_by_issuer(
    _issuers: &mut Vec<Box<str>>,
    _remote: Vec<RemoteKeys>,
    _keys: &[JwtKey],
) -> Result<Box<[Option<RemoteKeys>]>, ConfigError> {
    Ok(Box::default())
}

/// Installs this crate's crypto backend as jsonwebtoken's process default,
/// so that no token can make it panic for want of one (a provider the
/// application installed first stays): aws-lc-rs when its feature is on,
/// RustCrypto otherwise.
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
