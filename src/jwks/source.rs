//! [`Jwks`]: the keys of one issuer, fetched once, shared by every clone,
//! refreshed in the background and on an unknown `kid`.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::time::{Duration, Instant};

use arc_swap::ArcSwapOption;
use bytes::Bytes;
use http::header::{ACCEPT, ETAG, IF_NONE_MATCH, USER_AGENT};
use http::{HeaderMap, HeaderValue, Request, StatusCode, Uri};
use jsonwebtoken::Algorithm;
use tokio::runtime::Handle;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::builder::{Config, Endpoint, JwksBuilder, Location};
use super::cache_control::max_age;
use super::document::{parse_discovery, parse_key_set};
use super::error::{JwksError, JwksErrorKind};
use super::trace::event;
use crate::client::{HttpClient, HttpPolicy, ReadError, allowed_url, read_limited};
use crate::facts::KeyFingerprint;
use crate::jwt::{Compact, JwtVerifierBuilder, KeySet, KeySource, Lookup};
use crate::jwt::{JwtError, JwtErrorKind};

/// The keys of one issuer, from its JWK Set URL or found by OpenID Connect
/// discovery, for [`JwtVerifierBuilder::with_jwks`](crate::jwt::JwtVerifierBuilder::with_jwks).
///
/// Built with [`Jwks::from_url`] or [`Jwks::discover`]; cloning is a pointer
/// copy, and every clone shares one cache and one fetch in flight. Verifying
/// a token reads the current keys without a lock or an allocation.
///
/// - **Start**: the first fetch starts at [`build`](JwksBuilder::build).
///   Until keys arrive, tokens are refused with 503 (the layer's
///   `Unavailable`); call [`ready`](Self::ready) to wait for them, and fail
///   fast if they cannot be had.
/// - **Refresh**: in the background when three quarters of the keys'
///   lifetime have passed. The lifetime is the response's `Cache-Control:
///   max-age`, clamped to the configured bounds; an `ETag` makes the next
///   fetch conditional, and a 304 renews the keys without a download.
/// - **Unknown `kid`**: a token naming a key the set lacks (a key rotated
///   in) waits for one refresh, unless one started less than the cooldown
///   ago; however many requests wait, one fetch is in flight, and a flood of
///   invented `kid`s causes at most one fetch per cooldown.
/// - **Faults**: every fetch is bounded by the timeout and the body size
///   cap; a failure of any kind (no connection, slow, a status other than
///   200, garbage, no usable key) keeps the last good keys, which serve for
///   their lifetime plus [`with_max_stale`](JwksBuilder::with_max_stale).
///   After that, tokens are refused with 503 until a fetch succeeds: never
///   accepted unchecked.
///
/// Its `Debug` output and [`status`](Self::status) show key ids, counts and
/// times, never a key.
#[derive(Clone)]
pub struct Jwks {
    shared: Arc<Shared>,
}

/// What [`Jwks::status`] reports: for health checks and tests.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct JwksStatus {
    /// The `kid`s of the usable keys held (`None` for a key without one).
    pub key_ids: Vec<Option<String>>,
    /// How long ago the keys were fetched (or confirmed by a 304).
    pub age: Option<Duration>,
    /// Their lifetime: `max-age` clamped to the configured bounds.
    pub ttl: Option<Duration>,
    /// Whether tokens can be verified now (keys held, not past their
    /// lifetime plus the maximum staleness).
    pub usable: bool,
    /// Why the last fetch failed, if it did.
    pub last_error: Option<JwksError>,
    /// Fetch attempts so far, successful or not.
    pub fetches: u64,
}

pub(crate) struct Shared {
    pub(crate) issuer: Arc<str>,
    config: Config,
    client: Arc<dyn HttpClient>,
    keys: ArcSwapOption<Snapshot>,
    state: Mutex<State>,
    /// Counts completed fetch attempts; waiters watch it.
    completed: watch::Sender<u64>,
    runtime: Handle,
    background: Mutex<Option<JoinHandle<()>>>,
}

/// One fetched key set and its times.
struct Snapshot {
    keys: KeySet,
    fetched: Instant,
    ttl: Duration,
    usable_until: Instant,
}

impl Snapshot {
    /// Within the keys' lifetime plus the maximum staleness.
    fn is_usable(&self) -> bool {
        Instant::now() < self.usable_until
    }
}

#[derive(Default)]
struct State {
    in_flight: bool,
    last_start: Option<Instant>,
    /// The `jwks_uri` found by discovery.
    jwks_uri: Option<Uri>,
    etag: Option<HeaderValue>,
    last_error: Option<JwksError>,
    fetches: u64,
}

/// What one successful fetch brought.
enum Fetched {
    Keys {
        keys: KeySet,
        etag: Option<HeaderValue>,
        ttl: Duration,
    },
    NotModified {
        ttl: Duration,
    },
}

impl Jwks {
    /// Keys from the JWK Set at `url`, for tokens whose `iss` is exactly
    /// `issuer`: the keys are bound to it (RFC 8725 §3.8). `url` must be
    /// `https` (or `http` to a loopback address); checked at
    /// [`build`](JwksBuilder::build).
    pub fn from_url(url: impl Into<String>, issuer: impl Into<Arc<str>>) -> JwksBuilder {
        JwksBuilder::new(issuer.into(), Location::KeySet(url.into()))
    }

    /// Keys found by OpenID Connect discovery: `{issuer}/.well-known/openid-configuration`
    /// names the `jwks_uri`. The document's `issuer` must equal `issuer`
    /// exactly, or none of its keys is used (OpenID Connect Discovery §4.3).
    pub fn discover(issuer: impl Into<Arc<str>>) -> JwksBuilder {
        JwksBuilder::new(issuer.into(), Location::Discovery(None))
    }

    pub(crate) fn start(
        issuer: Arc<str>,
        config: Config,
        client: Arc<dyn HttpClient>,
        runtime: Handle,
    ) -> Self {
        let shared = Arc::new(Shared {
            issuer,
            config,
            client,
            keys: ArcSwapOption::empty(),
            state: Mutex::new(State::default()),
            completed: watch::Sender::new(0),
            runtime,
            background: Mutex::new(None),
        });
        let first = shared.start_fetch(false);
        let background = shared
            .runtime
            .spawn(keep_fresh(Arc::downgrade(&shared), first));
        *lock(&shared.background) = Some(background);
        Self { shared }
    }

    /// The issuer whose keys these are.
    pub fn issuer(&self) -> &str {
        &self.shared.issuer
    }

    /// Waits for the first fetch (bounded by the timeout) and answers
    /// whether keys are usable: `Err` says why not. For a service that
    /// should fail at start-up rather than answer 503 until its identity
    /// provider is reachable.
    pub async fn ready(&self) -> Result<(), JwksError> {
        let mut completed = self.shared.completed.subscribe();
        let in_flight = lock(&self.shared.state).in_flight;
        if in_flight && !self.shared.has_usable_keys() {
            let wait = self.shared.config.timeout + Duration::from_secs(1);
            let _ = tokio::time::timeout(wait, completed.changed()).await;
        }
        if self.shared.has_usable_keys() {
            return Ok(());
        }
        Err(lock(&self.shared.state)
            .last_error
            .clone()
            .unwrap_or(JwksErrorKind::NotFetched.into()))
    }

    /// What the key source holds now.
    pub fn status(&self) -> JwksStatus {
        let state = lock(&self.shared.state);
        let snapshot = self.shared.keys.load_full();
        let now = Instant::now();
        JwksStatus {
            key_ids: snapshot.as_ref().map_or_else(Vec::new, |s| {
                s.keys.kids().map(|kid| kid.map(str::to_owned)).collect()
            }),
            age: snapshot
                .as_ref()
                .map(|s| now.saturating_duration_since(s.fetched)),
            ttl: snapshot.as_ref().map(|s| s.ttl),
            usable: snapshot.as_ref().is_some_and(|s| now < s.usable_until),
            last_error: state.last_error.clone(),
            fetches: state.fetches,
        }
    }
}

impl<C> JwtVerifierBuilder<C> {
    /// Accepts tokens of the issuer of `jwks`, verified with its keys only
    /// (fetched, cached and refreshed by `jwks`; see [`crate::jwks`]). Call
    /// it again for more issuers: a token's `iss` selects the key source,
    /// and a token of an issuer not configured is refused before anything
    /// is fetched.
    #[cfg_attr(docsrs, doc(cfg(feature = "jwks")))]
    pub fn with_jwks(self, jwks: Jwks) -> Self {
        let issuer = jwks.issuer().to_owned();
        self.with_key_source(&issuer, Arc::new(jwks))
    }
}

/// The fetched keys, as the JWT verifier asks for them.
impl KeySource for Jwks {
    /// Checks `token`'s signature with the current keys; never waits.
    fn verify(&self, kid: Option<&str>, alg: Algorithm, token: &Compact<'_>) -> Lookup {
        let current = self.shared.keys.load();
        let Some(snapshot) = current.as_deref().filter(|s| s.is_usable()) else {
            return Lookup::NoKeys;
        };
        match (snapshot.keys.verify(kid, alg, token), kid) {
            // A `kid` the set lacks is a key not fetched yet, even when keys
            // without a `kid` were tried in its place and failed.
            (Err(error), Some(kid))
                if error.kind() == JwtErrorKind::UnknownKey || !snapshot.keys.has_kid(kid) =>
            {
                Lookup::UnknownKid
            }
            (verified, _) => Lookup::Done(verified),
        }
    }

    /// The fingerprints of the current keys that `kid` and `alg` select.
    fn fingerprints(
        &self,
        kid: Option<&str>,
        alg: Algorithm,
    ) -> Result<Vec<KeyFingerprint>, JwtError> {
        let current = self.shared.keys.load();
        let snapshot = current
            .as_deref()
            .filter(|s| s.is_usable())
            .ok_or(JwtErrorKind::KeysUnavailable)?;
        let keys = snapshot.keys.candidates(kid, alg)?;
        Ok(keys.map(|held| held.fingerprint).collect())
    }

    /// Whether the current keys are usable and hold this one.
    fn holds(&self, fingerprint: &KeyFingerprint) -> bool {
        self.shared
            .keys
            .load()
            .as_deref()
            .is_some_and(|s| s.is_usable() && s.keys.contains(fingerprint))
    }

    /// Waits for new keys: joins the fetch in flight, or starts one unless
    /// one started less than the cooldown ago. Bounded by the timeout.
    fn refreshed(&self) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        let completed = self.shared.start_fetch(true);
        let wait = self.shared.config.timeout + Duration::from_millis(100);
        Box::pin(async move {
            if let Some(mut completed) = completed {
                let _ = tokio::time::timeout(wait, completed.changed()).await;
            }
        })
    }

    /// Starts a fetch unless one is in flight or in its cooldown; does not
    /// wait for it.
    fn refresh_soon(&self) {
        drop(self.shared.start_fetch(true));
    }

    /// The `Retry-After` for a request refused because no keys are usable.
    fn retry_after(&self) -> Duration {
        self.shared.config.cooldown
    }
}

impl Shared {
    /// Whether the current keys may still be used.
    fn has_usable_keys(&self) -> bool {
        self.keys.load().as_deref().is_some_and(Snapshot::is_usable)
    }

    /// Starts a fetch on the runtime, unless one is in flight (joined) or,
    /// with `cooldown`, one started less than the cooldown ago (`None`). The
    /// receiver sees the fetch complete. The fetch runs as its own task: a
    /// request that gives up waiting does not cancel it for the others.
    fn start_fetch(self: &Arc<Self>, cooldown: bool) -> Option<watch::Receiver<u64>> {
        let mut state = lock(&self.state);
        let completed = self.completed.subscribe();
        if state.in_flight {
            return Some(completed);
        }
        if cooldown
            && state
                .last_start
                .is_some_and(|start| start.elapsed() < self.config.cooldown)
        {
            return None;
        }
        state.in_flight = true;
        state.last_start = Some(Instant::now());
        state.fetches += 1;
        drop(state);
        // The guard goes with the task: dropped unpolled (a runtime shutting
        // down), it still marks the fetch complete.
        let completion = Completion(Arc::clone(self));
        self.runtime.spawn(async move {
            let fetch = completion.0.fetch_and_store();
            #[cfg(feature = "tracing")]
            let fetch = tracing::Instrument::instrument(
                fetch,
                tracing::debug_span!(target: "tower_bearer_auth::jwks", "jwks_fetch", issuer = %completion.0.issuer),
            );
            fetch.await;
            drop(completion);
        });
        Some(completed)
    }

    async fn fetch_and_store(&self) {
        let fetched = tokio::time::timeout(self.config.timeout, self.fetch())
            .await
            .unwrap_or(Err(JwksErrorKind::Timeout.into()));
        let now = Instant::now();
        let mut state = lock(&self.state);
        match fetched {
            Ok(Fetched::Keys { keys, etag, ttl }) => {
                let old = self.keys.load_full();
                log_changes(&self.issuer, old.as_deref().map(|s| &s.keys), &keys, ttl);
                state.etag = etag;
                state.last_error = None;
                self.keys.store(Some(Arc::new(Snapshot {
                    keys,
                    fetched: now,
                    ttl,
                    usable_until: now + ttl + self.config.max_stale,
                })));
            }
            Ok(Fetched::NotModified { ttl }) => {
                event!(debug, issuer = %self.issuer, ttl_secs = ttl.as_secs(), "key set not modified");
                state.last_error = None;
                if let Some(old) = self.keys.load_full() {
                    self.keys.store(Some(Arc::new(Snapshot {
                        keys: old.keys.clone(),
                        fetched: now,
                        ttl,
                        usable_until: now + ttl + self.config.max_stale,
                    })));
                }
            }
            Err(error) => {
                event!(warn, issuer = %self.issuer, error = %error, "key set fetch failed; keeping the last good keys");
                // The key set may have moved: discover it again next time.
                state.jwks_uri = None;
                state.last_error = Some(error);
            }
        }
    }

    /// One attempt: discovery if the `jwks_uri` is not known yet, then the
    /// key set, conditional on the `ETag` of the keys held.
    async fn fetch(&self) -> Result<Fetched, JwksError> {
        let (known_uri, etag) = {
            let state = lock(&self.state);
            let have_keys = self.keys.load().is_some();
            (
                state.jwks_uri.clone(),
                state.etag.clone().filter(|_| have_keys),
            )
        };
        let jwks_uri = match (&self.config.endpoint, known_uri) {
            (_, Some(uri)) => uri,
            (Endpoint::KeySet(uri), None) => uri.clone(),
            (Endpoint::Discovery(metadata), None) => {
                let uri = self.discover(metadata).await?;
                lock(&self.state).jwks_uri = Some(uri.clone());
                uri
            }
        };
        event!(debug, issuer = %self.issuer, url = %jwks_uri, "fetching key set");
        let (status, headers, body) = self.get(&jwks_uri, etag.as_ref()).await?;
        let ttl = self.config.ttl(max_age(&headers));
        match status {
            StatusCode::NOT_MODIFIED if etag.is_some() => Ok(Fetched::NotModified { ttl }),
            StatusCode::OK => {
                let keys = parse_key_set(&body)?;
                Ok(Fetched::Keys {
                    keys: KeySet::published(keys, &self.issuer),
                    etag: headers.get(ETAG).cloned(),
                    ttl,
                })
            }
            status => Err(JwksError::status(status)),
        }
    }

    /// The `jwks_uri` of the discovery document at `metadata`.
    async fn discover(&self, metadata: &Uri) -> Result<Uri, JwksError> {
        event!(debug, issuer = %self.issuer, url = %metadata, "fetching discovery document");
        let (status, _, body) = self.get(metadata, None).await?;
        if status != StatusCode::OK {
            return Err(JwksError::status(status));
        }
        let discovery = parse_discovery(&body)?;
        if *discovery.issuer != *self.issuer {
            event!(error, issuer = %self.issuer, discovered = %discovery.issuer, "discovery document names another issuer; its keys are not used");
            return Err(JwksErrorKind::IssuerMismatch.into());
        }
        let jwks_uri = allowed_url(&discovery.jwks_uri, self.config.http_policy)
            .ok_or(JwksError::new(JwksErrorKind::InsecureUrl))?;
        // A document fetched over TLS may not send the keys' fetch to clear
        // text, not even on this machine.
        let downgrade = metadata.scheme() == Some(&http::uri::Scheme::HTTPS)
            && jwks_uri.scheme() != Some(&http::uri::Scheme::HTTPS)
            && self.config.http_policy == HttpPolicy::LoopbackOnly;
        if downgrade {
            return Err(JwksErrorKind::InsecureUrl.into());
        }
        Ok(jwks_uri)
    }

    /// `GET uri`: the status, headers and body, the body read up to the size
    /// cap and no further.
    async fn get(
        &self,
        uri: &Uri,
        etag: Option<&HeaderValue>,
    ) -> Result<(StatusCode, HeaderMap, Bytes), JwksError> {
        let mut request = Request::get(uri.clone());
        let headers = request.headers_mut().ok_or(JwksErrorKind::Transport)?;
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        headers.insert(
            USER_AGENT,
            HeaderValue::from_static(concat!("tower-bearer-auth/", env!("CARGO_PKG_VERSION"))),
        );
        if let Some(etag) = etag {
            headers.insert(IF_NONE_MATCH, etag.clone());
        }
        let request = request
            .body(Bytes::new())
            .map_err(|_| JwksErrorKind::Transport)?;
        let response = self
            .client
            .send(request)
            .await
            .map_err(|_| JwksErrorKind::Transport)?;
        let (parts, body) = response.into_parts();
        if parts.status != StatusCode::OK {
            // Nothing to read from a refusal or a 304.
            return Ok((parts.status, parts.headers, Bytes::new()));
        }
        let body = read_limited(body, self.config.max_response_size)
            .await
            .map_err(|error| match error {
                ReadError::Transport => JwksErrorKind::Transport,
                ReadError::TooLarge => JwksErrorKind::TooLarge,
            })?;
        Ok((parts.status, parts.headers, body))
    }

    /// How long the background task sleeps before its next fetch: until
    /// three quarters of the keys' lifetime have passed, or, after a failed
    /// fetch or with no keys, until the cooldown has passed.
    fn next_fetch_in(&self) -> Duration {
        let state = lock(&self.state);
        let keys = self.keys.load();
        let now = Instant::now();
        let cooled = state.last_start.unwrap_or(now) + self.config.cooldown;
        let at = match (keys.as_deref(), &state.last_error) {
            (Some(keys), None) => (keys.fetched + keys.ttl - keys.ttl / 4).max(cooled),
            _ => cooled,
        };
        at.saturating_duration_since(now)
            .max(Duration::from_millis(10))
    }
}

/// The background task: sleeps until the next fetch is due, fetches, and
/// ends when the last clone of the [`Jwks`] is dropped.
async fn keep_fresh(shared: Weak<Shared>, mut fetching: Option<watch::Receiver<u64>>) {
    loop {
        if let Some(completed) = &mut fetching {
            let _ = completed.changed().await;
        }
        let Some(delay) = shared.upgrade().map(|shared| shared.next_fetch_in()) else {
            return;
        };
        tokio::time::sleep(delay).await;
        let Some(strong) = shared.upgrade() else {
            return;
        };
        fetching = strong.start_fetch(true);
    }
}

/// Marks the fetch in flight complete when dropped, however the fetch
/// ended.
struct Completion(Arc<Shared>);

impl Drop for Completion {
    fn drop(&mut self) {
        let mut state = lock(&self.0.state);
        state.in_flight = false;
        // Under the lock: a fetch started next subscribes after this.
        self.0.completed.send_modify(|count| *count += 1);
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        if let Some(background) = lock(&self.background).take() {
            background.abort();
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Logs the keys a fetch brought and those it replaced: their ids, never
/// the keys.
fn log_changes(issuer: &str, old: Option<&KeySet>, new: &KeySet, ttl: Duration) {
    #[cfg(feature = "tracing")]
    {
        let ids = |set: &KeySet| -> Vec<String> {
            set.kids()
                .map(|kid| kid.unwrap_or("(none)").to_owned())
                .collect()
        };
        let previous = old.map(ids).unwrap_or_default();
        let keys = ids(new);
        if previous == keys {
            tracing::debug!(target: "tower_bearer_auth::jwks", issuer, ?keys, ttl_secs = ttl.as_secs(), "key set fetched, unchanged");
        } else {
            tracing::info!(target: "tower_bearer_auth::jwks", issuer, ?keys, ?previous, ttl_secs = ttl.as_secs(), "key set changed");
        }
    }
    #[cfg(not(feature = "tracing"))]
    let _ = (issuer, old, new, ttl);
}

impl fmt::Debug for Jwks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let status = self.status();
        f.debug_struct("Jwks")
            .field("issuer", &self.shared.issuer)
            .field("endpoint", &self.shared.config.endpoint)
            .field("key_ids", &status.key_ids)
            .field("usable", &status.usable)
            .finish_non_exhaustive()
    }
}
