//! [`RedisRevocations`]: one revocation list shared by every instance of a
//! service through Redis, mirrored into memory so no request waits on it.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use redis::aio::MultiplexedConnection;
use redis::streams::{StreamRangeReply, StreamReadReply};
use redis::{AsyncConnectionConfig, Client};
use tokio::sync::Mutex as AsyncMutex;
use tokio::task::JoinHandle;

use super::{MemoryRevocations, RevocationError, Revocations, TokenId, with_grace};
use crate::error::ConfigError;

/// The default most time since Redis was last heard from before the list
/// stops answering ([`RedisRevocationsBuilder::with_max_lag`]).
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub const DEFAULT_MAX_LAG: Duration = Duration::from_secs(5);
/// The default bound on every Redis command and connection attempt.
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1);
/// How long the mirror's `XREAD` waits for new revocations before asking
/// again: Redis is heard from at least this often while it is up.
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub const POLL: Duration = Duration::from_millis(500);
/// The default key prefix: the keys are `{prefix}:revoked` and
/// `{prefix}:revocations`.
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub const DEFAULT_PREFIX: &str = "tower-bearer-auth";
/// Entries kept in the change stream; an instance that falls further behind
/// reloads the whole list.
const STREAM_LENGTH: usize = 10_000;
/// Revocations read per `XREAD`, and set members per `ZSCAN`.
const BATCH: usize = 1_000;
/// How long a revocation whose expiry cannot be read is kept.
const UNREADABLE_EXPIRY: Duration = Duration::from_secs(24 * 60 * 60);
/// How long a revocation "forever" (an expiry past what a time can hold)
/// is kept: a hundred years.
const FAR_FUTURE: Duration = Duration::from_secs(100 * 365 * 24 * 60 * 60);

/// A revocation list shared through Redis: revoke on one instance, refused
/// by all.
///
/// - **Storage**: a sorted set `{prefix}:revoked` holds every live
///   revocation (member: the [`TokenId::key`], score: when the token
///   expires plus [`REVOCATION_GRACE`](super::REVOCATION_GRACE), after which it is dropped); a
///   stream `{prefix}:revocations` announces each new one.
/// - **Reading**: each instance loads the set once, then follows the stream
///   with a blocking `XREAD` on its own connection and copies what arrives
///   into a [`MemoryRevocations`]. [`is_revoked`](Revocations::is_revoked)
///   reads that copy: no request ever waits on Redis.
/// - **Delay**: a revocation reaches every other instance one `XREAD`
///   round trip after [`revoke`](Self::revoke) returns: milliseconds on a
///   local network.
/// - **Redis unreachable**: the mirror reconnects in the background (with
///   a back-off up to 2 s), reloading the set each time. Once Redis has not
///   been heard from for `max_lag` ([`DEFAULT_MAX_LAG`]), the list answers
///   [`RevocationError::Stale`]: [`CheckRevoked`](super::CheckRevoked)
///   refuses with 503 by default (fail closed), or accepts with
///   [`fail_open`](super::CheckRevoked::fail_open). Tokens revoked before
///   are still refused, from memory. So a token revoked anywhere is refused
///   everywhere within `max_lag`, or those instances answer 503.
/// - **Durability**: the list is as durable as Redis. A Redis that
///   restarts without its data (no persistence) forgets the revocations,
///   and instances reconnecting to it carry on without them: run Redis
///   with persistence (`appendonly yes`) or replicas.
/// - **Writing**: [`revoke`](Self::revoke) adds to this instance's copy at
///   once, then to Redis, bounded by the timeout; an error says the others
///   may not know.
///
/// Cloning is a pointer copy; the mirror stops when the last clone is
/// dropped. Needs a tokio runtime. Its `Debug` output shows the key prefix
/// and the state, never the URL (which may carry a password).
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
#[derive(Clone)]
pub struct RedisRevocations {
    shared: Arc<Shared>,
}

struct Shared {
    mirror: Arc<Mirror>,
    client: Client,
    writer: AsyncMutex<Option<MultiplexedConnection>>,
    task: JoinHandle<()>,
}

/// What the background task and the requests share.
struct Mirror {
    local: MemoryRevocations,
    keys: Keys,
    timeout: Duration,
    max_lag: Duration,
    /// When Redis last confirmed the copy complete: milliseconds since
    /// `started`, plus one (0: never).
    synced: AtomicU64,
    started: Instant,
}

#[derive(Clone, Debug)]
struct Keys {
    set: String,
    stream: String,
}

/// Configures a [`RedisRevocations`]; see [`RedisRevocations::builder`].
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
#[derive(Clone)]
#[must_use]
pub struct RedisRevocationsBuilder {
    url: String,
    prefix: String,
    timeout: Duration,
    max_lag: Duration,
}

impl RedisRevocations {
    /// Starts configuring a list kept in the Redis at `url`
    /// (`redis://[:password@]host:port[/db]`).
    pub fn builder(url: impl Into<String>) -> RedisRevocationsBuilder {
        RedisRevocationsBuilder {
            url: url.into(),
            prefix: DEFAULT_PREFIX.to_owned(),
            timeout: DEFAULT_TIMEOUT,
            max_lag: DEFAULT_MAX_LAG,
        }
    }

    /// Waits until the list has been loaded from Redis (bounded by
    /// `max_lag`): call it at start-up to fail fast when Redis cannot be
    /// reached.
    pub async fn ready(&self) -> Result<(), RevocationError> {
        let mirror = &self.shared.mirror;
        let deadline = Instant::now() + mirror.max_lag;
        loop {
            match mirror.lag() {
                Some(lag) if lag <= mirror.max_lag => return Ok(()),
                _ if Instant::now() >= deadline => {
                    return Err(RevocationError::Stale(
                        mirror.lag().unwrap_or(mirror.max_lag),
                    ));
                }
                _ => tokio::time::sleep(Duration::from_millis(10)).await,
            }
        }
    }

    /// Revokes the token `id` until `until` (when it would have expired),
    /// and [`REVOCATION_GRACE`](super::REVOCATION_GRACE) longer: at once on this instance, and
    /// through Redis on every other.
    ///
    /// `Err` means Redis did not take it within the timeout: this instance
    /// refuses the token, the others may not.
    pub async fn revoke(&self, id: TokenId, until: SystemTime) -> Result<(), RevocationError> {
        let mirror = &self.shared.mirror;
        let key = id.key();
        let until = with_grace(until);
        mirror.local.keep(id, until);
        let expires = unix_seconds_up(until);
        let now = unix_seconds_up(SystemTime::now());
        if expires <= now {
            return Ok(());
        }
        let mut pipe = redis::pipe();
        // GT: a revocation is only ever lengthened, as in memory.
        pipe.atomic()
            .cmd("ZADD")
            .arg(&mirror.keys.set)
            .arg("GT")
            .arg(expires)
            .arg(&key)
            .ignore()
            .cmd("ZREMRANGEBYSCORE")
            .arg(&mirror.keys.set)
            .arg("-inf")
            .arg(now)
            .ignore()
            .cmd("XADD")
            .arg(&mirror.keys.stream)
            .arg("MAXLEN")
            .arg("~")
            .arg(STREAM_LENGTH)
            .arg("*")
            .arg("id")
            .arg(&key)
            .arg("until")
            .arg(expires)
            .ignore();
        let write = async {
            let mut connection = self.writer().await?;
            pipe.query_async::<()>(&mut connection)
                .await
                .map_err(store_error)
        };
        #[cfg(feature = "tracing")]
        let write = tracing::Instrument::instrument(
            write,
            tracing::debug_span!(target: "tower_bearer_auth::revocation", "revoke"),
        );
        let written = tokio::time::timeout(mirror.timeout, write)
            .await
            .unwrap_or(Err(RevocationError::Timeout));
        if written.is_err() {
            // A broken or hung connection is not kept for the next call.
            *self.shared.writer.lock().await = None;
        }
        written
    }

    /// How many revocations this instance holds.
    pub fn len(&self) -> usize {
        self.shared.mirror.local.len()
    }

    /// Whether this instance holds no revocation.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The writer connection, opened on first use and after a failure.
    async fn writer(&self) -> Result<MultiplexedConnection, RevocationError> {
        let mut writer = self.shared.writer.lock().await;
        if let Some(connection) = &*writer {
            return Ok(connection.clone());
        }
        let connection = connect(&self.shared.client, self.shared.mirror.timeout).await?;
        *writer = Some(connection.clone());
        Ok(connection)
    }
}

impl RedisRevocationsBuilder {
    /// The prefix of the two keys (default [`DEFAULT_PREFIX`]): one list per
    /// prefix, so services sharing a Redis keep theirs apart.
    pub fn with_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// The bound on every Redis command and connection attempt (default
    /// [`DEFAULT_TIMEOUT`]).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The most time since Redis was last heard from before the list stops
    /// answering (default [`DEFAULT_MAX_LAG`]): the longest a revocation
    /// made elsewhere can go unseen here. At least [`POLL`] plus the
    /// timeout.
    pub fn with_max_lag(mut self, max_lag: Duration) -> Self {
        self.max_lag = max_lag;
        self
    }

    /// Checks the configuration and starts mirroring the list.
    ///
    /// Refused: a URL the Redis client cannot read
    /// ([`ConfigError::InvalidUrl`]); an empty prefix
    /// ([`ConfigError::InvalidName`]); a zero timeout, or a `max_lag`
    /// below [`POLL`] plus the timeout, or either over an hour
    /// ([`ConfigError::InvalidDuration`]); no tokio runtime
    /// ([`ConfigError::NoRuntime`]).
    pub fn build(self) -> Result<RedisRevocations, ConfigError> {
        let client = Client::open(self.url.as_str()).map_err(|_| ConfigError::InvalidUrl)?;
        if self.prefix.is_empty() {
            return Err(ConfigError::InvalidName);
        }
        let hour = Duration::from_secs(3600);
        if self.timeout.is_zero()
            || self.timeout > hour
            || self.max_lag > hour
            || self.max_lag < POLL + self.timeout
        {
            return Err(ConfigError::InvalidDuration);
        }
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| ConfigError::NoRuntime)?;
        let mirror = Arc::new(Mirror {
            local: MemoryRevocations::new(),
            keys: Keys {
                set: format!("{}:revoked", self.prefix),
                stream: format!("{}:revocations", self.prefix),
            },
            timeout: self.timeout,
            max_lag: self.max_lag,
            synced: AtomicU64::new(0),
            started: Instant::now(),
        });
        let task = runtime.spawn(follow(Arc::clone(&mirror), client.clone()));
        Ok(RedisRevocations {
            shared: Arc::new(Shared {
                mirror,
                client,
                writer: AsyncMutex::new(None),
                task,
            }),
        })
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
impl Revocations for RedisRevocations {
    /// Revoked tokens known here are refused whatever Redis's state; others
    /// are accepted only while the copy is at most `max_lag` old.
    fn is_revoked(&self, id: &TokenId) -> Result<bool, RevocationError> {
        let mirror = &self.shared.mirror;
        // The freshness first: the copy read next holds at least what it vouches for.
        let lag = mirror.lag();
        if mirror.local.is_revoked(id)? {
            return Ok(true);
        }
        match lag {
            Some(lag) if lag <= mirror.max_lag => Ok(false),
            lag => Err(RevocationError::Stale(lag.unwrap_or(mirror.max_lag))),
        }
    }
}

impl Mirror {
    /// How long ago Redis last confirmed the copy complete.
    fn lag(&self) -> Option<Duration> {
        match self.synced.load(Ordering::Acquire) {
            0 => None,
            synced => Some(
                self.started
                    .elapsed()
                    .saturating_sub(Duration::from_millis(synced - 1)),
            ),
        }
    }

    /// Records that everything revoked up to `at` is in the copy.
    fn synced_at(&self, at: Instant) {
        let millis =
            u64::try_from(at.duration_since(self.started).as_millis()).unwrap_or(u64::MAX - 1);
        self.synced.fetch_max(millis + 1, Ordering::AcqRel);
    }

    /// Adds one revocation read from Redis. A key that is not a
    /// [`TokenId::key`] names no token this list is ever asked about, so it
    /// is skipped; an expiry that cannot be read keeps the revocation for
    /// [`UNREADABLE_EXPIRY`] rather than dropping it, one too far to be a
    /// time for [`FAR_FUTURE`].
    fn apply(&self, key: &str, until: Option<u64>) {
        if let Some(id) = TokenId::from_key(key) {
            let until = match until {
                Some(until) => UNIX_EPOCH
                    .checked_add(Duration::from_secs(until))
                    .unwrap_or_else(|| SystemTime::now() + FAR_FUTURE),
                None => SystemTime::now() + UNREADABLE_EXPIRY,
            };
            self.local.keep(id, until);
        }
    }
}

/// The mirror: follows the list for as long as a handle lives, reconnecting
/// after any failure.
async fn follow(mirror: Arc<Mirror>, client: Client) {
    const FIRST_BACKOFF: Duration = Duration::from_millis(50);
    let mut backoff = FIRST_BACKOFF;
    loop {
        let synced = mirror.synced.load(Ordering::Acquire);
        let session = session(&mirror, &client);
        #[cfg(feature = "tracing")]
        let session = tracing::Instrument::instrument(
            session,
            tracing::debug_span!(target: "tower_bearer_auth::revocation", "revocation_mirror"),
        );
        let result = session.await;
        if mirror.synced.load(Ordering::Acquire) != synced {
            backoff = FIRST_BACKOFF;
        }
        #[cfg(feature = "tracing")]
        if let Err(error) = &result {
            tracing::warn!(target: "tower_bearer_auth::revocation", %error, "revocation mirror lost Redis; reconnecting");
        }
        let _ = result;
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(2));
    }
}

/// One connection's worth of mirroring: load the set, then follow the
/// stream from the entry that was last when the set was read. Returns only
/// on a failure, or when the stream was trimmed past what this instance has
/// read (the next session reloads the whole set).
async fn session(mirror: &Mirror, client: &Client) -> Result<(), RevocationError> {
    let timeout = mirror.timeout;
    let mut connection = connect(client, POLL + timeout).await?;
    let started = Instant::now();
    let mut cursor = newest_entry(&mut connection, &mirror.keys.stream, timeout)
        .await?
        .unwrap_or((0, 0));
    load_set(mirror, &mut connection).await?;
    mirror.synced_at(started);
    loop {
        let asked = Instant::now();
        let read: Option<StreamReadReply> = bounded(
            POLL + timeout,
            redis::cmd("XREAD")
                .arg("COUNT")
                .arg(BATCH)
                .arg("BLOCK")
                .arg(u64::try_from(POLL.as_millis()).unwrap_or(500))
                .arg("STREAMS")
                .arg(&mirror.keys.stream)
                .arg(format!("{}-{}", cursor.0, cursor.1))
                .query_async(&mut connection),
        )
        .await?;
        let Some(read) = read else {
            // Nothing arrived while Redis waited: the copy was complete
            // when the wait ended.
            mirror.synced_at((asked + POLL).min(Instant::now()));
            continue;
        };
        let mut count = 0;
        for entry in read.keys.iter().flat_map(|stream| &stream.ids) {
            mirror.apply(
                &entry.get::<String>("id").unwrap_or_default(),
                entry.get::<u64>("until"),
            );
            cursor = stream_id(&entry.id).unwrap_or(cursor);
            count += 1;
        }
        if count < BATCH {
            mirror.synced_at(asked);
            continue;
        }
        // A full batch: more may wait, and the stream may have been trimmed
        // past the cursor while this instance fell behind.
        let oldest = oldest_entry(&mut connection, &mirror.keys.stream, timeout).await?;
        if oldest.is_some_and(|oldest| oldest > cursor) {
            return Err(RevocationError::Store("fell behind the stream".to_owned()));
        }
    }
}

/// Every live revocation in the set, read in pages: `ZSCAN` returns every
/// member present for the whole scan, whatever changes meanwhile.
async fn load_set(
    mirror: &Mirror,
    connection: &mut MultiplexedConnection,
) -> Result<(), RevocationError> {
    let now = unix_seconds_up(SystemTime::now());
    let mut cursor = 0_u64;
    loop {
        let (next, page): (u64, Vec<(String, String)>) = bounded(
            mirror.timeout,
            redis::cmd("ZSCAN")
                .arg(&mirror.keys.set)
                .arg(cursor)
                .arg("COUNT")
                .arg(BATCH)
                .query_async(connection),
        )
        .await?;
        for (key, score) in page {
            let until = score.parse::<f64>().ok().map(|until| until.max(0.0) as u64);
            if until.is_none_or(|until| until > now) {
                mirror.apply(&key, until);
            }
        }
        if next == 0 {
            return Ok(());
        }
        cursor = next;
    }
}

async fn newest_entry(
    connection: &mut MultiplexedConnection,
    stream: &str,
    timeout: Duration,
) -> Result<Option<(u64, u64)>, RevocationError> {
    end_entry(connection, "XREVRANGE", ["+", "-"], stream, timeout).await
}

async fn oldest_entry(
    connection: &mut MultiplexedConnection,
    stream: &str,
    timeout: Duration,
) -> Result<Option<(u64, u64)>, RevocationError> {
    end_entry(connection, "XRANGE", ["-", "+"], stream, timeout).await
}

/// The id of the first entry `command` (`XRANGE` or `XREVRANGE`) lists.
async fn end_entry(
    connection: &mut MultiplexedConnection,
    command: &str,
    range: [&str; 2],
    stream: &str,
    timeout: Duration,
) -> Result<Option<(u64, u64)>, RevocationError> {
    let reply: StreamRangeReply = bounded(
        timeout,
        redis::cmd(command)
            .arg(stream)
            .arg(range[0])
            .arg(range[1])
            .arg("COUNT")
            .arg(1)
            .query_async(connection),
    )
    .await?;
    Ok(reply.ids.first().and_then(|entry| stream_id(&entry.id)))
}

/// A stream entry id, `<milliseconds>-<sequence>`, as a comparable pair.
fn stream_id(id: &str) -> Option<(u64, u64)> {
    let (millis, sequence) = id.split_once('-')?;
    Some((millis.parse().ok()?, sequence.parse().ok()?))
}

/// `command`, bounded by `timeout`.
async fn bounded<T>(
    timeout: Duration,
    command: impl Future<Output = redis::RedisResult<T>>,
) -> Result<T, RevocationError> {
    tokio::time::timeout(timeout, command)
        .await
        .map_err(|_| RevocationError::Timeout)?
        .map_err(store_error)
}

async fn connect(
    client: &Client,
    response_timeout: Duration,
) -> Result<MultiplexedConnection, RevocationError> {
    let config = AsyncConnectionConfig::new()
        .set_connection_timeout(Some(response_timeout))
        .set_response_timeout(Some(response_timeout));
    bounded(
        response_timeout,
        client.get_multiplexed_async_connection_with_config(&config),
    )
    .await
}

/// The kind of a Redis error, never its text: it may quote the URL.
fn store_error(error: redis::RedisError) -> RevocationError {
    RevocationError::Store(format!("{:?}", error.kind()))
}

/// `time` in whole seconds since the epoch, rounded up: a revocation is
/// never dropped early.
fn unix_seconds_up(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH).map_or(0, |since| {
        since.as_secs() + u64::from(since.subsec_nanos() > 0)
    })
}

impl Drop for Shared {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl fmt::Debug for RedisRevocations {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mirror = &self.shared.mirror;
        f.debug_struct("RedisRevocations")
            .field("keys", &mirror.keys)
            .field("revoked", &mirror.local.len())
            .field("lag", &mirror.lag())
            .field("max_lag", &mirror.max_lag)
            .field("timeout", &mirror.timeout)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for RedisRevocationsBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisRevocationsBuilder")
            .field("prefix", &self.prefix)
            .field("timeout", &self.timeout)
            .field("max_lag", &self.max_lag)
            .finish_non_exhaustive()
    }
}
