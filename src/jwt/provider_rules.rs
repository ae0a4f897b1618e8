//! [`ProviderRules`]: what an identity provider's profile adds to a JWT
//! verifier: the seam `provider::Provider` plugs into, so the verifier
//! knows no provider by name.

use std::fmt;
use std::sync::Arc;

use super::error::JwtError;
use crate::error::ConfigError;

/// A check of a token's payload (the claims JSON, already read once for
/// the registered claims, so well formed), run after the registered
/// claims passed.
pub(crate) type PayloadCheck = Arc<dyn Fn(&str) -> Result<(), JwtError> + Send + Sync>;

/// A provider's rules, applied by `JwtVerifierBuilder::build`.
#[derive(Clone)]
pub(crate) struct ProviderRules {
    /// The provider's name, for `Debug`.
    pub(crate) name: &'static str,
    /// The issuers it vouches for, each with its key source: the only ones
    /// the verifier may accept, so its rules cover every accepted token.
    pub(crate) issuers: Vec<Box<str>>,
    /// Rules on the payload beyond the registered claims, if any.
    pub(crate) check: Option<PayloadCheck>,
    /// The tenants an issuer template accepts; `None` means any.
    pub(crate) tenants: Option<Box<[Box<str>]>>,
    /// What the profile needs of the audience configuration.
    pub(crate) audience: AudienceRule,
    /// Audiences that mark another kind of token (the client's ID tokens):
    /// configuring one is a mistake.
    pub(crate) not_audiences: Vec<Box<str>>,
    /// A mistake found while the profile was put together.
    pub(crate) error: Option<ConfigError>,
}

/// What a profile needs of the audience configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(
    not(feature = "jwks"),
    allow(dead_code, reason = "provider profiles come with jwks")
)]
pub(crate) enum AudienceRule {
    /// The provider's tokens serve many APIs: an audience is required.
    Required,
    /// As the verifier has it: an audience, or no check when asked for.
    AsConfigured,
    /// The provider's access tokens have none (Cognito), and the payload
    /// check takes its role: no audience may be configured.
    Absent,
}

impl ProviderRules {
    /// Checks these rules against the rest of the configuration: the
    /// issuers given directly and those with a key source, whether static
    /// keys were given, the audiences and whether they are checked.
    pub(crate) fn check_against(
        &self,
        issuers: &[Box<str>],
        sourced: &[&str],
        has_keys: bool,
        audiences: &[Box<str>],
        audience_check: bool,
    ) -> Result<(), ConfigError> {
        if let Some(error) = &self.error {
            return Err(error.clone());
        }
        let own = |issuer: &str| self.issuers.iter().any(|own| **own == *issuer);
        let all_sourced = self.issuers.iter().all(|own| sourced.contains(&&**own));
        if has_keys
            || !all_sourced
            || !sourced.iter().all(|issuer| own(issuer))
            || !issuers.iter().all(|issuer| own(issuer))
        {
            return Err(ConfigError::ProviderConflict);
        }
        let audience_conflict = match self.audience {
            AudienceRule::Absent => !audiences.is_empty(),
            AudienceRule::Required => !audience_check,
            AudienceRule::AsConfigured => false,
        };
        let refused = audiences
            .iter()
            .any(|audience| self.not_audiences.contains(audience));
        if audience_conflict || refused {
            return Err(ConfigError::ProviderAudience);
        }
        Ok(())
    }
}

impl fmt::Debug for ProviderRules {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProviderRules")
            .field("name", &self.name)
            .field("issuers", &self.issuers)
            .field("tenants", &self.tenants)
            .field("audience", &self.audience)
            .field("not_audiences", &self.not_audiences)
            .finish_non_exhaustive()
    }
}
