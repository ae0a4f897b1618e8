//! [`Dpop`]: what a layer accepts as proof of possession, built once.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::HeaderValue;
use jsonwebtoken::Algorithm;

use super::htu::parse_origin;
use super::nonce::{MIN_NONCE_SECRET_LEN, Nonces};
use super::replay::{MemoryReplayCache, ReplayCache};
use crate::error::ConfigError;

/// Which schemes a layer accepts (RFC 9449 §7.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DpopPolicy {
    /// `Bearer` only: `Authorization: DPoP` is a scheme the layer does not
    /// know. Bound tokens are still refused unless their binding is proved
    /// another way (a client certificate).
    BearerOnly,
    /// `DPoP` only: `Authorization: Bearer` is no credential at all, and
    /// every token must be bound to the proof's key.
    DpopOnly,
    /// Both: unbound tokens as `Bearer`, bound ones as `DPoP`; refusals
    /// carry both challenges.
    BearerOrDpop,
}

/// How long after its `iat` a proof is accepted unless configured
/// otherwise (RFC 9449 §11.1 suggests seconds to minutes).
pub const DEFAULT_PROOF_MAX_AGE: Duration = Duration::from_secs(60);
/// How far a proof's `iat` may be in the future, and past the maximum age,
/// for clocks that disagree.
pub const DEFAULT_PROOF_LEEWAY: Duration = Duration::from_secs(15);
/// The longest proof read, in bytes: an RSA-8192 key in the header fits.
pub const MAX_PROOF_LEN: usize = 8192;

/// The asymmetric algorithms accepted unless configured otherwise, in the
/// order the challenge lists them.
const DEFAULT_ALGORITHMS: [Algorithm; 9] = [
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::EdDSA,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
];

/// The rules for DPoP proofs (RFC 9449) and bound tokens, for
/// [`BearerAuthLayer::with_dpop`](crate::BearerAuthLayer::with_dpop).
/// Cloning it is a pointer copy.
///
/// ```
/// use std::time::Duration;
/// use tower_bearer_auth::dpop::{Dpop, DpopPolicy};
///
/// let dpop = Dpop::builder(DpopPolicy::DpopOnly)
///     .with_origin("https://api.example.com")?
///     .with_max_age(Duration::from_secs(30))
///     .build()?;
/// # let _ = dpop;
/// # Ok::<(), tower_bearer_auth::ConfigError>(())
/// ```
pub struct Dpop<C = MemoryReplayCache> {
    pub(super) rules: Arc<Rules<C>>,
}

pub(super) struct Rules<C> {
    pub(super) policy: DpopPolicy,
    pub(super) algorithms: Box<[Algorithm]>,
    pub(super) origins: Box<[String]>,
    pub(super) max_age: u64,
    pub(super) leeway: u64,
    pub(super) replay: C,
    pub(super) answer: Arc<DpopAnswer>,
}

/// What the answers of a refusal need: whether the `Bearer` challenge is
/// sent too, the `DPoP` challenge, and the nonces to hand out.
pub(crate) struct DpopAnswer {
    pub(crate) bearer: bool,
    pub(crate) challenge: HeaderValue,
    /// The algorithms proofs may use, by name, in the challenge's order.
    pub(crate) algorithms: Box<[&'static str]>,
    pub(super) nonces: Option<Nonces>,
    pub(crate) clock: fn() -> u64,
}

impl DpopAnswer {
    /// The nonce for a `DPoP-Nonce` header, when nonces are on.
    pub(crate) fn current_nonce(&self) -> Option<HeaderValue> {
        self.nonces.as_ref().map(|n| n.current((self.clock)()))
    }
}

/// Builds a [`Dpop`].
#[must_use]
pub struct DpopBuilder<C = MemoryReplayCache> {
    policy: DpopPolicy,
    algorithms: Vec<Algorithm>,
    origins: Vec<String>,
    bad_origin: bool,
    max_age: Duration,
    leeway: Duration,
    replay: C,
    nonces: Option<Nonces>,
    bad_nonces: bool,
    clock: fn() -> u64,
}

/// Seconds since the Unix epoch.
pub(super) fn system_clock() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs())
}

impl Dpop {
    /// A builder for a layer with `policy`.
    pub fn builder(policy: DpopPolicy) -> DpopBuilder {
        DpopBuilder {
            policy,
            algorithms: DEFAULT_ALGORITHMS.to_vec(),
            origins: Vec::new(),
            bad_origin: false,
            max_age: DEFAULT_PROOF_MAX_AGE,
            leeway: DEFAULT_PROOF_LEEWAY,
            replay: MemoryReplayCache::default(),
            nonces: None,
            bad_nonces: false,
            clock: system_clock,
        }
    }
}

impl<C> Dpop<C> {
    /// The policy.
    pub fn policy(&self) -> DpopPolicy {
        self.rules.policy
    }

    /// The replay cache.
    pub fn replay_cache(&self) -> &C {
        &self.rules.replay
    }

    pub(crate) fn answer(&self) -> &Arc<DpopAnswer> {
        &self.rules.answer
    }
}

impl<C> DpopBuilder<C> {
    /// Accepts proofs whose `htu` is at `origin` (`https://api.example.com`),
    /// the scheme, host and port clients use to reach the service: behind
    /// a proxy, the proxy's. Call it once per origin. Never read from the
    /// request: a client chooses its `Host` header.
    pub fn with_origin(mut self, origin: &str) -> Result<Self, ConfigError> {
        match parse_origin(origin) {
            Some(origin) => {
                self.origins.push(origin);
                Ok(self)
            }
            None => {
                self.bad_origin = true;
                Err(ConfigError::InvalidUrl)
            }
        }
    }

    /// Accepts proofs signed with these algorithms only, listed in this
    /// order in the challenge's `algs` (default: ES256, ES384, EdDSA, the
    /// PS and the RS algorithms). Symmetric ones are refused (RFC 9449
    /// §4.3 (5)): a proof key is public.
    pub fn with_algorithms(
        mut self,
        algorithms: impl IntoIterator<Item = Algorithm>,
    ) -> Result<Self, ConfigError> {
        let mut accepted: Vec<Algorithm> = Vec::new();
        for algorithm in algorithms {
            if !accepted.contains(&algorithm) {
                accepted.push(algorithm);
            }
        }
        let algorithms = accepted;
        if algorithms.is_empty() || algorithms.iter().any(|a| !DEFAULT_ALGORITHMS.contains(a)) {
            return Err(ConfigError::AlgorithmNotForKey);
        }
        self.algorithms = algorithms;
        Ok(self)
    }

    /// How long after its `iat` a proof is accepted (default 60 s), in
    /// whole seconds, at least one.
    pub fn with_max_age(mut self, max_age: Duration) -> Self {
        self.max_age = max_age;
        self
    }

    /// How far clocks may disagree (default 15 s): a proof's `iat` may be
    /// this far in the future, or this much older than the maximum age.
    pub fn with_leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// Requires proofs to carry a nonce of this server (RFC 9449 §9): a
    /// proof without one, or with one older than two rotation periods, is
    /// answered 401 `use_dpop_nonce` with a fresh nonce in `DPoP-Nonce`.
    /// Nonces are derived from `secret` and the time, so instances sharing
    /// the secret accept each other's. The secret must have at least 32
    /// bytes.
    pub fn with_nonces(mut self, secret: &[u8], rotation: Duration) -> Result<Self, ConfigError> {
        if secret.len() < MIN_NONCE_SECRET_LEN {
            self.bad_nonces = true;
            return Err(ConfigError::WeakKey {
                min_bits: MIN_NONCE_SECRET_LEN * 8,
            });
        }
        if rotation.as_secs() == 0 {
            self.bad_nonces = true;
            return Err(ConfigError::InvalidDuration);
        }
        self.nonces = Some(Nonces::new(secret, rotation.as_secs()));
        Ok(self)
    }

    /// Keeps the identifiers of accepted proofs in `replay` instead of this
    /// process's memory: a store shared by every instance refuses a proof
    /// replayed at another one.
    pub fn with_replay_cache<T: ReplayCache>(self, replay: T) -> DpopBuilder<T> {
        DpopBuilder {
            policy: self.policy,
            algorithms: self.algorithms,
            origins: self.origins,
            bad_origin: self.bad_origin,
            max_age: self.max_age,
            leeway: self.leeway,
            replay,
            nonces: self.nonces,
            bad_nonces: self.bad_nonces,
            clock: self.clock,
        }
    }

    /// Reads the time, in seconds since the Unix epoch, from `clock`
    /// instead of the system: for tests with recorded proofs.
    pub fn with_clock(mut self, clock: fn() -> u64) -> Self {
        self.clock = clock;
        self
    }

    /// The rules; refused without an origin (unless the policy is
    /// [`BearerOnly`](DpopPolicy::BearerOnly)), after a refused setting,
    /// or without a jsonwebtoken crypto provider.
    pub fn build(self) -> Result<Dpop<C>, ConfigError> {
        if self.bad_origin {
            return Err(ConfigError::InvalidUrl);
        }
        if self.bad_nonces {
            return Err(ConfigError::InvalidDuration);
        }
        let dpop = self.policy != DpopPolicy::BearerOnly;
        if dpop && self.origins.is_empty() {
            return Err(ConfigError::NoOrigin);
        }
        if self.max_age.as_secs() == 0 {
            return Err(ConfigError::InvalidDuration);
        }
        crate::jwt::install_crypto_provider();
        let algs: Vec<&'static str> = self.algorithms.iter().map(algorithm_name).collect();
        let challenge = HeaderValue::try_from(format!("DPoP algs=\"{}\"", algs.join(" ")))
            .map_err(|_| ConfigError::AlgorithmNotForKey)?;
        let answer = DpopAnswer {
            bearer: self.policy != DpopPolicy::DpopOnly,
            challenge,
            algorithms: algs.into(),
            nonces: self.nonces,
            clock: self.clock,
        };
        Ok(Dpop {
            rules: Arc::new(Rules {
                policy: self.policy,
                algorithms: self.algorithms.into(),
                origins: self.origins.into(),
                max_age: self.max_age.as_secs(),
                leeway: self.leeway.as_secs(),
                replay: self.replay,
                answer: Arc::new(answer),
            }),
        })
    }
}

/// The JWA name (RFC 7518 §3.1, RFC 8037 §3.1).
pub(super) fn algorithm_name(algorithm: &Algorithm) -> &'static str {
    match algorithm {
        Algorithm::ES256 => "ES256",
        Algorithm::ES384 => "ES384",
        Algorithm::RS256 => "RS256",
        Algorithm::RS384 => "RS384",
        Algorithm::RS512 => "RS512",
        Algorithm::PS256 => "PS256",
        Algorithm::PS384 => "PS384",
        Algorithm::PS512 => "PS512",
        Algorithm::EdDSA => "EdDSA",
        // Only the asymmetric algorithms above get this far.
        _ => "",
    }
}

impl<C> Clone for Dpop<C> {
    fn clone(&self) -> Self {
        Self {
            rules: Arc::clone(&self.rules),
        }
    }
}

impl<C: fmt::Debug> fmt::Debug for Dpop<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rules = &*self.rules;
        f.debug_struct("Dpop")
            .field("policy", &rules.policy)
            .field("algorithms", &rules.algorithms)
            .field("origins", &rules.origins)
            .field("max_age", &rules.max_age)
            .field("leeway", &rules.leeway)
            .field("replay", &rules.replay)
            .field("nonces", &rules.answer.nonces)
            .finish()
    }
}

impl fmt::Debug for DpopAnswer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DpopAnswer")
            .field("bearer", &self.bearer)
            .field("challenge", &self.challenge)
            .finish_non_exhaustive()
    }
}

impl<C: fmt::Debug> fmt::Debug for DpopBuilder<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DpopBuilder")
            .field("policy", &self.policy)
            .field("algorithms", &self.algorithms)
            .field("origins", &self.origins)
            .field("replay", &self.replay)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configurations_refused() {
        let no_origin = Dpop::builder(DpopPolicy::DpopOnly).build();
        assert_eq!(no_origin.err(), Some(ConfigError::NoOrigin));
        assert!(Dpop::builder(DpopPolicy::BearerOnly).build().is_ok());
        let bad = Dpop::builder(DpopPolicy::DpopOnly).with_origin("https://a.example/path");
        assert_eq!(bad.err(), Some(ConfigError::InvalidUrl));
        let symmetric = Dpop::builder(DpopPolicy::DpopOnly).with_algorithms([Algorithm::HS256]);
        assert_eq!(symmetric.err(), Some(ConfigError::AlgorithmNotForKey));
        let weak =
            Dpop::builder(DpopPolicy::DpopOnly).with_nonces(b"short", Duration::from_secs(60));
        assert_eq!(weak.err(), Some(ConfigError::WeakKey { min_bits: 256 }));
    }

    #[test]
    fn the_challenge_lists_the_algorithms_in_order() {
        let dpop = Dpop::builder(DpopPolicy::BearerOrDpop)
            .with_origin("https://api.example.com")
            .and_then(|b| b.with_algorithms([Algorithm::ES256, Algorithm::PS256, Algorithm::ES256]))
            .and_then(DpopBuilder::build)
            .expect("valid");
        assert_eq!(dpop.answer().challenge, r#"DPoP algs="ES256 PS256""#);
    }
}
