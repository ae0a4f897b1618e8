//! [`JwksBuilder`]: where the keys are, and how hard to try for them.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use http::Uri;
use tokio::runtime::Handle;

use super::source::Jwks;
use crate::client::{HttpClient, HttpPolicy, HyperClient, allowed_url, without_userinfo};
use crate::error::ConfigError;

/// The keys' lifetime when the response has no `Cache-Control: max-age`.
pub const DEFAULT_TTL: Duration = Duration::from_secs(10 * 60);
/// The shortest lifetime a `max-age` can set (`max-age=0` would mean a
/// fetch per request).
pub const DEFAULT_MIN_TTL: Duration = Duration::from_secs(60);
/// The longest lifetime a `max-age` can set: a key the issuer withdrew is
/// trusted at most this long.
pub const DEFAULT_MAX_TTL: Duration = Duration::from_secs(60 * 60);
/// The least time between two fetches caused by unknown `kid`s or failures
/// (jose, Nimbus and Auth0 use 30 s).
pub const DEFAULT_COOLDOWN: Duration = Duration::from_secs(30);
/// The most one fetch (discovery and key set together) may take.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long keys keep serving past their lifetime while fetches fail.
pub const DEFAULT_MAX_STALE: Duration = Duration::from_secs(60 * 60);
/// The largest response body read (Nimbus uses 50 KiB).
pub const DEFAULT_MAX_RESPONSE_SIZE: usize = 64 * 1024;

/// The longest any of the durations may be: keeps every deadline computed
/// from them representable.
const MAX_DURATION: Duration = Duration::from_secs(365 * 24 * 60 * 60);

/// Where the keys are, as configured.
#[derive(Clone, Debug)]
pub(crate) enum Location {
    KeySet(String),
    /// Discovery, at the issuer's well-known URL or at the one given.
    Discovery(Option<String>),
}

/// Where the keys are, checked.
#[derive(Debug)]
pub(crate) enum Endpoint {
    KeySet(Uri),
    /// The discovery document's URL.
    Discovery(Uri),
}

/// The settings of a running [`Jwks`].
#[derive(Debug)]
pub(crate) struct Config {
    pub(crate) endpoint: Endpoint,
    pub(crate) default_ttl: Duration,
    pub(crate) min_ttl: Duration,
    pub(crate) max_ttl: Duration,
    pub(crate) cooldown: Duration,
    pub(crate) timeout: Duration,
    pub(crate) max_stale: Duration,
    pub(crate) max_response_size: usize,
    pub(crate) http_policy: HttpPolicy,
}

impl Config {
    /// The lifetime of keys from a response with this `max-age`.
    pub(crate) fn ttl(&self, max_age: Option<Duration>) -> Duration {
        max_age
            .unwrap_or(self.default_ttl)
            .clamp(self.min_ttl, self.max_ttl)
    }
}

/// Configures a [`Jwks`]; see [`Jwks::from_url`] and [`Jwks::discover`].
///
/// ```
/// use std::time::Duration;
/// use tower_bearer_auth::jwks::Jwks;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), tower_bearer_auth::ConfigError> {
/// let keys = Jwks::discover("https://login.example.com/realms/main")
///     .with_timeout(Duration::from_secs(2))
///     .with_ttl_bounds(Duration::from_secs(120), Duration::from_secs(1800))
///     .build()?;
/// // Fetching has started; `keys.ready().await` waits for it.
/// # Ok(()) }
/// ```
#[must_use]
pub struct JwksBuilder {
    issuer: Arc<str>,
    location: Location,
    client: Option<Arc<dyn HttpClient>>,
    default_ttl: Duration,
    min_ttl: Duration,
    max_ttl: Duration,
    cooldown: Duration,
    timeout: Duration,
    max_stale: Duration,
    max_response_size: usize,
    http_policy: HttpPolicy,
}

impl JwksBuilder {
    pub(crate) fn new(issuer: Arc<str>, location: Location) -> Self {
        Self {
            issuer,
            location,
            client: None,
            default_ttl: DEFAULT_TTL,
            min_ttl: DEFAULT_MIN_TTL,
            max_ttl: DEFAULT_MAX_TTL,
            cooldown: DEFAULT_COOLDOWN,
            timeout: DEFAULT_TIMEOUT,
            max_stale: DEFAULT_MAX_STALE,
            max_response_size: DEFAULT_MAX_RESPONSE_SIZE,
            http_policy: HttpPolicy::LoopbackOnly,
        }
    }

    /// Fetches the discovery document from `url` instead of the issuer's
    /// well-known URL: for an identity provider reached at an internal
    /// address. Its `issuer` must still equal the configured issuer. On a
    /// builder from [`Jwks::from_url`], discovery replaces the URL.
    pub fn with_discovery_url(mut self, url: impl Into<String>) -> Self {
        self.location = Location::Discovery(Some(url.into()));
        self
    }

    /// Fetches with `client` instead of the default [`HyperClient`].
    pub fn with_client(mut self, client: impl HttpClient) -> Self {
        self.client = Some(Arc::new(client));
        self
    }

    /// The keys' lifetime when the response says nothing (default
    /// [`DEFAULT_TTL`]); clamped to the bounds.
    pub fn with_default_ttl(mut self, ttl: Duration) -> Self {
        self.default_ttl = ttl;
        self
    }

    /// The bounds a `Cache-Control: max-age` is clamped to (default
    /// [`DEFAULT_MIN_TTL`] and [`DEFAULT_MAX_TTL`]).
    pub fn with_ttl_bounds(mut self, min: Duration, max: Duration) -> Self {
        self.min_ttl = min;
        self.max_ttl = max;
        self
    }

    /// The least time between two fetches caused by an unknown `kid` or a
    /// failure (default [`DEFAULT_COOLDOWN`]); also the `Retry-After` of a
    /// request refused because no keys are usable.
    pub fn with_cooldown(mut self, cooldown: Duration) -> Self {
        self.cooldown = cooldown;
        self
    }

    /// The most one fetch may take, connection, discovery and key set
    /// together (default [`DEFAULT_TIMEOUT`]). A request waiting for keys
    /// waits no longer.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// How long keys keep serving past their lifetime while fetches fail
    /// (default [`DEFAULT_MAX_STALE`]); after that, tokens are refused with
    /// 503 until a fetch succeeds. `Duration::ZERO` serves none past their
    /// lifetime.
    pub fn with_max_stale(mut self, max_stale: Duration) -> Self {
        self.max_stale = max_stale;
        self
    }

    /// The largest response body read (default
    /// [`DEFAULT_MAX_RESPONSE_SIZE`]); a larger one fails the fetch.
    pub fn with_max_response_size(mut self, bytes: usize) -> Self {
        self.max_response_size = bytes;
        self
    }

    /// Allows plain `http` URLs to any host, for an identity provider on a
    /// network the application trusts. Without it, `http` is allowed only
    /// to a loopback IP literal such as `127.0.0.1` or `[::1]` (a name,
    /// `localhost` included, could resolve anywhere): keys fetched in clear
    /// text could be replaced on the way, and with them every signature.
    pub fn with_plain_http(mut self) -> Self {
        self.http_policy = HttpPolicy::Anywhere;
        self
    }

    /// Checks the configuration and starts the first fetch on the current
    /// tokio runtime, which must have its time driver (`enable_time` or
    /// `enable_all`, as `#[tokio::main]` does); requests are refused with
    /// 503 until keys arrive ([`Jwks::ready`] waits for them).
    ///
    /// Refused: a URL that is not `https` (or allowed `http`), or an
    /// empty issuer ([`ConfigError::InvalidUrl`],
    /// [`ConfigError::EmptyIssuerOrAudience`]); a zero timeout, cooldown or
    /// lifetime, a duration over a year, or a minimum lifetime above the
    /// maximum ([`ConfigError::InvalidDuration`]); a zero size cap
    /// ([`ConfigError::ZeroMaxLength`]); no runtime
    /// ([`ConfigError::NoRuntime`]).
    pub fn build(self) -> Result<Jwks, ConfigError> {
        if self.issuer.is_empty() {
            return Err(ConfigError::EmptyIssuerOrAudience);
        }
        let url = |text: &str| allowed_url(text, self.http_policy).ok_or(ConfigError::InvalidUrl);
        let endpoint = match &self.location {
            Location::KeySet(text) => Endpoint::KeySet(url(text)?),
            Location::Discovery(Some(text)) => Endpoint::Discovery(url(text)?),
            Location::Discovery(None) => Endpoint::Discovery(url(&discovery_url(&self.issuer))?),
        };
        let positive = [self.default_ttl, self.min_ttl, self.cooldown, self.timeout];
        let all = [
            self.default_ttl,
            self.min_ttl,
            self.max_ttl,
            self.cooldown,
            self.timeout,
            self.max_stale,
        ];
        if positive.contains(&Duration::ZERO)
            || all.iter().any(|duration| *duration > MAX_DURATION)
            || self.min_ttl > self.max_ttl
        {
            return Err(ConfigError::InvalidDuration);
        }
        if self.max_response_size == 0 {
            return Err(ConfigError::ZeroMaxLength);
        }
        let runtime = Handle::try_current().map_err(|_| ConfigError::NoRuntime)?;
        let client = match self.client {
            Some(client) => client,
            None => Arc::new(HyperClient::new()?),
        };
        let config = Config {
            endpoint,
            default_ttl: self.default_ttl,
            min_ttl: self.min_ttl,
            max_ttl: self.max_ttl,
            cooldown: self.cooldown,
            timeout: self.timeout,
            max_stale: self.max_stale,
            max_response_size: self.max_response_size,
            http_policy: self.http_policy,
        };
        Ok(Jwks::start(self.issuer, config, client, runtime))
    }
}

/// The location without userinfo: a URL with credentials is refused at
/// build, but may be printed before.
fn redacted(location: &Location) -> String {
    match location {
        Location::KeySet(url) | Location::Discovery(Some(url)) => without_userinfo(url),
        Location::Discovery(None) => "discovery at the issuer".to_owned(),
    }
}

impl fmt::Debug for JwksBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwksBuilder")
            .field("issuer", &self.issuer)
            .field("location", &redacted(&self.location))
            .field("client", &self.client)
            .field("default_ttl", &self.default_ttl)
            .field("min_ttl", &self.min_ttl)
            .field("max_ttl", &self.max_ttl)
            .field("cooldown", &self.cooldown)
            .field("timeout", &self.timeout)
            .field("max_stale", &self.max_stale)
            .field("max_response_size", &self.max_response_size)
            .field("http_policy", &self.http_policy)
            .finish()
    }
}

/// The OpenID Connect discovery URL of `issuer` (Discovery §4): the issuer
/// without a trailing `/`, then `/.well-known/openid-configuration`.
pub(crate) fn discovery_url(issuer: &str) -> String {
    format!(
        "{}/.well-known/openid-configuration",
        issuer.trim_end_matches('/')
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discovery_urls() {
        assert_eq!(
            discovery_url("https://idp.example.com"),
            "https://idp.example.com/.well-known/openid-configuration"
        );
        assert_eq!(
            discovery_url("https://idp.example.com/realms/a/"),
            "https://idp.example.com/realms/a/.well-known/openid-configuration"
        );
    }
}
