//! [`RedisReplayCache`]: the identifiers of accepted DPoP proofs in Redis,
//! so a proof accepted by one instance is refused by every other.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use redis::aio::MultiplexedConnection;
use redis::{AsyncConnectionConfig, Client};
use tokio::sync::Mutex as AsyncMutex;

use super::replay::{ProofId, ProofWindow, ReplayCache};
use crate::error::{AuthError, ConfigError, ErrorKind};
use crate::verify::Verdict;

/// The default bound on each Redis round trip.
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub const DEFAULT_REPLAY_TIMEOUT: Duration = Duration::from_millis(500);
/// The default key prefix: keys are `{prefix}:dpop:{hex of the ProofId}`.
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub const DEFAULT_REPLAY_PREFIX: &str = "tower-bearer-auth";

/// Accepted proofs' identifiers in Redis, one key each, written with
/// `SET key 1 NX PX <ttl>`: the first instance to write it accepts the
/// proof, every later write (at any instance) finds it and refuses. The
/// TTL ([`ProofWindow::shared_ttl`]) lasts until no instance whose clock
/// is within the leeway could accept the proof any more, however far
/// behind the others it runs; then Redis drops the key.
///
/// Each DPoP request waits for one round trip, bounded by the timeout; a
/// Redis that does not answer in time, or at all, is 503 (fail closed: a
/// replay check that passes when the store is down lets replays through
/// exactly then). The connection is opened on first use and again after a
/// failure. Needs a tokio runtime. Cloning is a pointer copy; its `Debug`
/// output never shows the URL (which may carry a password).
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
#[derive(Clone)]
pub struct RedisReplayCache {
    shared: Arc<Shared>,
}

struct Shared {
    client: Client,
    connection: AsyncMutex<Option<MultiplexedConnection>>,
    prefix: String,
    timeout: Duration,
}

impl RedisReplayCache {
    /// The cache at `url` (`redis://host:port/db`), with the default prefix
    /// and timeout. Refuses a URL the Redis client cannot read.
    pub fn new(url: &str) -> Result<Self, ConfigError> {
        Self::with_options(url, DEFAULT_REPLAY_PREFIX, DEFAULT_REPLAY_TIMEOUT)
    }

    /// The cache at `url`, keys under `prefix` (services sharing a Redis
    /// keep theirs apart), each round trip bounded by `timeout`.
    pub fn with_options(url: &str, prefix: &str, timeout: Duration) -> Result<Self, ConfigError> {
        if timeout.is_zero() {
            return Err(ConfigError::InvalidDuration);
        }
        let client = Client::open(url).map_err(|_| ConfigError::InvalidUrl)?;
        Ok(Self {
            shared: Arc::new(Shared {
                client,
                connection: AsyncMutex::new(None),
                prefix: prefix.to_owned(),
                timeout,
            }),
        })
    }
}

impl Shared {
    /// The connection, opened on first use and after a failure.
    async fn connection(&self) -> Result<MultiplexedConnection, redis::RedisError> {
        let mut connection = self.connection.lock().await;
        if let Some(open) = &*connection {
            return Ok(open.clone());
        }
        let config = AsyncConnectionConfig::new()
            .set_connection_timeout(Some(self.timeout))
            .set_response_timeout(Some(self.timeout));
        let open = self
            .client
            .get_multiplexed_async_connection_with_config(&config)
            .await?;
        *connection = Some(open.clone());
        Ok(open)
    }

    /// `SET key 1 NX PX ttl`: whether the key was new.
    async fn first_use(&self, key: String, ttl_ms: u64) -> Result<bool, redis::RedisError> {
        let mut connection = self.connection().await?;
        let set: Result<Option<String>, _> = redis::cmd("SET")
            .arg(&key)
            .arg(1)
            .arg("NX")
            .arg("PX")
            .arg(ttl_ms.max(1))
            .query_async(&mut connection)
            .await;
        match set {
            Ok(reply) => Ok(reply.is_some()),
            Err(error) => {
                *self.connection.lock().await = None;
                Err(error)
            }
        }
    }
}

/// The answer of [`RedisReplayCache`]: one Redis round trip.
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub type RedisReplayFuture = Pin<Box<dyn Future<Output = Result<(), AuthError>> + Send>>;

#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
impl ReplayCache for RedisReplayCache {
    type Future = RedisReplayFuture;

    fn first_use(&self, id: ProofId, window: ProofWindow) -> Verdict<(), Self::Future> {
        let shared = Arc::clone(&self.shared);
        let mut key = format!("{}:dpop:", shared.prefix);
        for byte in id.as_bytes() {
            key.push(char::from(b"0123456789abcdef"[usize::from(byte >> 4)]));
            key.push(char::from(b"0123456789abcdef"[usize::from(byte & 0xf)]));
        }
        // Every instance's clock, not only this one's: one running behind
        // accepts the proof later.
        let ttl_ms = u64::try_from(window.shared_ttl().as_millis()).unwrap_or(u64::MAX);
        Verdict::Later(Box::pin(async move {
            let unavailable = || {
                AuthError::unavailable().with_description("the DPoP replay cache is unavailable")
            };
            match tokio::time::timeout(shared.timeout, shared.first_use(key, ttl_ms)).await {
                Ok(Ok(true)) => Ok(()),
                Ok(Ok(false)) => Err(AuthError::new(ErrorKind::InvalidDpopProof)
                    .with_description("the DPoP proof was used before")),
                Ok(Err(error)) => Err(unavailable().with_source(format!("{:?}", error.kind()))),
                Err(_) => {
                    *shared.connection.lock().await = None;
                    Err(unavailable().with_source("timed out"))
                }
            }
        }))
    }
}

impl fmt::Debug for RedisReplayCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisReplayCache")
            .field("prefix", &self.shared.prefix)
            .field("timeout", &self.shared.timeout)
            .finish_non_exhaustive()
    }
}
