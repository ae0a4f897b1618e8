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
pub(crate) type PayloadCheck = Arc<dyn Fn(&[u8]) -> Result<(), JwtError> + Send + Sync>;

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
    /// Its access tokens have no `aud`: no audience may be configured, and
    /// the check returns the audience's role.
    pub(crate) without_audience: bool,
    /// Audiences that mark another kind of token (the client's ID tokens):
    /// configuring one is a mistake.
    pub(crate) not_audiences: Vec<Box<str>>,
    /// A mistake found while the profile was put together.
    pub(crate) error: Option<ConfigError>,
}

impl ProviderRules {
    /// Checks these rules against the rest of the configuration: the
    /// issuers given directly and those with a key source, whether static
    /// keys were given, and the audiences.
    pub(crate) fn check_against(
        &self,
        issuers: &[Box<str>],
        sourced: &[&str],
        has_keys: bool,
        audiences: &[Box<str>],
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
        let audience_conflict = if self.without_audience {
            !audiences.is_empty()
        } else {
            audiences
                .iter()
                .any(|audience| self.not_audiences.contains(audience))
        };
        if audience_conflict {
            return Err(ConfigError::ProviderConflict);
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
            .field("without_audience", &self.without_audience)
            .field("not_audiences", &self.not_audiences)
            .finish_non_exhaustive()
    }
}
