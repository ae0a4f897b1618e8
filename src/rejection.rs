//! Turning an [`AuthError`] into the response the client gets.

use std::fmt;
use std::time::Duration;

use http::header::{CACHE_CONTROL, CONTENT_TYPE, RETRY_AFTER, WWW_AUTHENTICATE};
use http::request::Parts;
use http::{HeaderValue, Response, StatusCode};

use crate::challenge::{Realm, grpc_message};
use crate::counters::AuthCounters;
use crate::error::{AuthError, ConfigError, ErrorKind};

/// Builds the response for a refused request, in place of
/// [`DefaultRejection`].
///
/// Whatever it returns, the layer puts the [`AuthError`] into the response
/// extensions, and adds the default challenge to a 400, 401 or 403 that has
/// no `WWW-Authenticate` (RFC 6750 §3; RFC 9110 §11.6.1 for 401).
///
/// Closures `Fn(&Rejected<'_>) -> Response<B>` implement it:
///
/// ```
/// use axum::body::Body;
/// use http::{Response, header::CONTENT_TYPE};
/// use tower_bearer_auth::{BearerAuthLayer, Rejected, StaticTokens};
///
/// let layer = BearerAuthLayer::new(StaticTokens::<()>::new()).with_rejection(
///     |rejected: &Rejected<'_>| {
///         let mut response = rejected.default_response::<Body>();
///         if !rejected.is_grpc() {
///             let body = format!("{{\"error\":\"{}\"}}", rejected.error());
///             *response.body_mut() = Body::from(body);
///             response.headers_mut().insert(CONTENT_TYPE, "application/json".parse().unwrap());
///         }
///         response
///     },
/// );
/// # let _ = layer;
/// ```
pub trait Reject<ResBody> {
    /// The response for `rejected`.
    fn reject(&self, rejected: &Rejected<'_>) -> Response<ResBody>;
}

impl<F, ResBody> Reject<ResBody> for F
where
    F: Fn(&Rejected<'_>) -> Response<ResBody>,
{
    fn reject(&self, rejected: &Rejected<'_>) -> Response<ResBody> {
        self(rejected)
    }
}

/// The answers of RFC 6750 §3 over HTTP, and a gRPC status over gRPC.
///
/// HTTP: the status of the [`ErrorKind`], an empty body and the
/// `WWW-Authenticate: Bearer` challenge; `Retry-After` on 503 (and as
/// metadata of a gRPC `Unavailable`).
///
/// gRPC (`content-type: application/grpc*`): a trailers-only response, HTTP
/// 200 with `grpc-status` 16, 7 or 14, a percent-encoded `grpc-message` and
/// the challenge as `www-authenticate` metadata and `cache-control:
/// no-store` (it is an HTTP 200), so a tonic client sees
/// `Unauthenticated`, `PermissionDenied` or `Unavailable` with the reason
/// (a plain 401 with a body reaches it as `Internal`).
#[derive(Clone, Copy, Debug, Default)]
pub struct DefaultRejection;

impl<ResBody: Default> Reject<ResBody> for DefaultRejection {
    fn reject(&self, rejected: &Rejected<'_>) -> Response<ResBody> {
        rejected.default_response()
    }
}

/// A refused request, as a [`Reject`] sees it.
pub struct Rejected<'a> {
    error: &'a AuthError,
    request: &'a Parts,
    realm: &'a Realm,
    retry_after: Duration,
    #[cfg(feature = "dpop")]
    dpop: Option<&'a crate::dpop::DpopAnswer>,
}

impl Rejected<'_> {
    /// Why the request was refused.
    pub fn error(&self) -> &AuthError {
        self.error
    }

    /// The head of the refused request.
    ///
    /// It holds the credentials as the client sent them (`Authorization`,
    /// cookies, the query): never copy it into a response or a log.
    pub fn request(&self) -> &Parts {
        self.request
    }

    /// The `WWW-Authenticate` challenge for the error: the one carrying
    /// its code when there are several (see [`challenges`](Self::challenges)).
    pub fn challenge(&self) -> HeaderValue {
        match self.dpop_challenges() {
            None => self.realm.challenge(self.error),
            Some([Some((bearer, true)), _] | [Some((bearer, false)), None]) => bearer,
            Some([_, Some((dpop, _))]) => dpop,
            Some([None, None]) => self.realm.challenge(self.error),
        }
    }

    /// Every `WWW-Authenticate` challenge of the answer, one per field line
    /// (RFC 9110 §11.6.1): `Bearer`, and `DPoP` when the layer accepts it.
    /// With both, the error goes in the challenge of the scheme the request
    /// used, or in both when that is unclear (RFC 9449 §7.2).
    pub fn challenges(&self) -> impl Iterator<Item = HeaderValue> {
        let challenges = self
            .dpop_challenges()
            .unwrap_or_else(|| [Some((self.realm.challenge(self.error), true)), None]);
        challenges
            .into_iter()
            .flatten()
            .map(|(challenge, _)| challenge)
    }

    /// Puts the challenges into `headers`: the one `Bearer` challenge
    /// without DPoP, the path of nearly every refusal.
    fn add_challenges(&self, headers: &mut http::HeaderMap) {
        match self.dpop_challenges() {
            None => {
                headers.insert(WWW_AUTHENTICATE, self.realm.challenge(self.error));
            }
            Some(challenges) => {
                for (challenge, _) in challenges.into_iter().flatten() {
                    headers.append(WWW_AUTHENTICATE, challenge);
                }
            }
        }
    }

    /// The server nonce a `use_dpop_nonce` answer hands out in `DPoP-Nonce`
    /// (RFC 9449 §9), when the layer requires nonces.
    #[cfg(feature = "dpop")]
    pub fn dpop_nonce(&self) -> Option<HeaderValue> {
        if self.error.kind() != ErrorKind::UseDpopNonce {
            return None;
        }
        self.dpop.and_then(crate::dpop::DpopAnswer::current_nonce)
    }

    /// `DPoP-Nonce` and `Cache-Control: no-store` on a `use_dpop_nonce`
    /// answer that lacks the nonce: an answer no cache may keep.
    #[cfg(feature = "dpop")]
    fn add_nonce(&self, headers: &mut http::HeaderMap) {
        if headers.contains_key("dpop-nonce") {
            return;
        }
        if let Some(nonce) = self.dpop_nonce() {
            headers.insert("dpop-nonce", nonce);
            headers.insert(
                http::header::CACHE_CONTROL,
                HeaderValue::from_static("no-store"),
            );
        }
    }

    /// The `Bearer` and `DPoP` challenges sent, each with whether it
    /// carries the error, when the layer accepts DPoP; `None` otherwise:
    /// the `Bearer` challenge alone.
    #[cfg(not(feature = "dpop"))]
    fn dpop_challenges(&self) -> Option<[Option<(HeaderValue, bool)>; 2]> {
        None
    }

    #[cfg(feature = "dpop")]
    fn dpop_challenges(&self) -> Option<[Option<(HeaderValue, bool)>; 2]> {
        use crate::token::AuthScheme;
        let dpop = self.dpop.filter(|dpop| dpop.dpop)?;
        let kind = self.error.kind();
        let dpop_kind = matches!(kind, ErrorKind::InvalidDpopProof | ErrorKind::UseDpopNonce);
        let (bearer_error, dpop_error) = if !dpop.bearer || dpop_kind {
            (false, true)
        } else {
            match presented_scheme(self.request) {
                Some(AuthScheme::Dpop) => (false, true),
                Some(_) => (true, false),
                None => (true, true),
            }
        };
        let render = |bare: &HeaderValue, with_error: bool| {
            if with_error {
                crate::challenge::with_error(bare, self.error)
            } else {
                bare.clone()
            }
        };
        let bearer = dpop
            .bearer
            .then(|| (render(self.realm.bare(), bearer_error), bearer_error));
        Some([
            bearer,
            Some((render(&dpop.challenge, dpop_error), dpop_error)),
        ])
    }

    /// Whether the request is a gRPC call (`content-type: application/grpc*`,
    /// which covers `+proto`, `+json` and gRPC-Web).
    pub fn is_grpc(&self) -> bool {
        const GRPC: &[u8] = b"application/grpc";
        self.request
            .headers
            .get(CONTENT_TYPE)
            .and_then(|value| value.as_bytes().get(..GRPC.len()))
            .is_some_and(|prefix| prefix.eq_ignore_ascii_case(GRPC))
    }

    /// How long a client should wait before retrying an
    /// [`Unavailable`](ErrorKind::Unavailable) answer.
    pub fn retry_after(&self) -> Duration {
        self.error.retry_after().unwrap_or(self.retry_after)
    }

    /// The [`DefaultRejection`] answer, to start a custom one from.
    pub fn default_response<ResBody: Default>(&self) -> Response<ResBody> {
        let kind = self.error.kind();
        let mut response = Response::new(ResBody::default());
        let grpc = self.is_grpc();
        if !grpc {
            *response.status_mut() = kind.status();
        }
        let headers = response.headers_mut();
        self.add_challenges(headers);
        #[cfg(feature = "dpop")]
        self.add_nonce(headers);
        if grpc {
            if let Some(content_type) = self.request.headers.get(CONTENT_TYPE) {
                headers.insert(CONTENT_TYPE, content_type.clone());
            }
            let status = match kind.grpc_status() {
                7 => HeaderValue::from_static("7"),
                14 => HeaderValue::from_static("14"),
                _ => HeaderValue::from_static("16"),
            };
            headers.insert("grpc-status", status);
            headers.insert("grpc-message", grpc_message(self.error));
        }
        if kind == ErrorKind::Unavailable {
            let seconds = self.retry_after().as_secs().max(1);
            headers.insert(RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

impl fmt::Debug for Rejected<'_> {
    /// The error only: the request's headers and URI may hold the token.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rejected")
            .field("error", self.error)
            .field("grpc", &self.is_grpc())
            .finish_non_exhaustive()
    }
}

/// The default `Retry-After` of a 503.
pub(crate) const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(5);

/// What every layer that refuses requests shares: the realm, the default
/// `Retry-After`, the user's [`Reject`], and the counters its verdicts go
/// to (acceptances too: the layers count through it).
#[derive(Clone, Debug)]
pub(crate) struct Rejecter<R> {
    realm: Realm,
    retry_after: Duration,
    rejection: R,
    counters: Option<AuthCounters>,
    #[cfg(feature = "dpop")]
    dpop: Option<std::sync::Arc<crate::dpop::DpopAnswer>>,
}

impl Rejecter<DefaultRejection> {
    pub(crate) fn new() -> Self {
        Self {
            realm: Realm::default(),
            retry_after: DEFAULT_RETRY_AFTER,
            rejection: DefaultRejection,
            counters: None,
            #[cfg(feature = "dpop")]
            dpop: None,
        }
    }
}

impl<R> Rejecter<R> {
    pub(crate) fn set_realm(&mut self, realm: &str) -> Result<(), ConfigError> {
        self.realm = Realm::new(realm)?;
        Ok(())
    }

    pub(crate) fn set_retry_after(&mut self, retry_after: Duration) {
        self.retry_after = retry_after;
    }

    pub(crate) fn set_counters(&mut self, counters: AuthCounters) {
        self.counters = Some(counters);
    }

    #[cfg(feature = "dpop")]
    pub(crate) fn set_dpop(&mut self, dpop: std::sync::Arc<crate::dpop::DpopAnswer>) {
        self.dpop = Some(dpop);
    }

    pub(crate) fn realm(&self) -> &Realm {
        &self.realm
    }

    /// Counts a request let through with claims.
    pub(crate) fn count_accepted(&self) {
        if let Some(counters) = &self.counters {
            counters.count_accepted();
        }
    }

    /// Counts a request an optional layer let through without a token.
    pub(crate) fn count_anonymous(&self) {
        if let Some(counters) = &self.counters {
            counters.count_anonymous();
        }
    }

    pub(crate) fn with_rejection<T>(self, rejection: T) -> Rejecter<T> {
        Rejecter {
            realm: self.realm,
            retry_after: self.retry_after,
            rejection,
            counters: self.counters,
            #[cfg(feature = "dpop")]
            dpop: self.dpop,
        }
    }

    /// The response for `error`, with the error in its extensions; the
    /// refusal counted and logged.
    pub(crate) fn respond<ResBody>(&self, error: AuthError, request: &Parts) -> Response<ResBody>
    where
        R: Reject<ResBody>,
    {
        let rejected = Rejected {
            error: &error,
            request,
            realm: &self.realm,
            retry_after: self.retry_after,
            #[cfg(feature = "dpop")]
            dpop: self.dpop.as_deref(),
        };
        let mut response = self.rejection.reject(&rejected);
        // RFC 6750 §3: 400, 401 and 403 answers carry the challenge, whoever
        // built them (RFC 9110 §11.6.1 makes it a MUST for 401).
        let needs_challenge = matches!(
            response.status(),
            StatusCode::BAD_REQUEST | StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN
        );
        if needs_challenge && !response.headers().contains_key(WWW_AUTHENTICATE) {
            rejected.add_challenges(response.headers_mut());
        }
        // The client needs the nonce to retry, whoever built the answer.
        #[cfg(feature = "dpop")]
        rejected.add_nonce(response.headers_mut());
        // A gRPC refusal is an HTTP 200: no shared cache may keep it.
        let grpc = response.status() == StatusCode::OK && rejected.is_grpc();
        if grpc && !response.headers().contains_key(CACHE_CONTROL) {
            response
                .headers_mut()
                .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
        }
        if let Some(counters) = &self.counters {
            counters.count_refused(error.kind());
        }
        log(&rejected, response.status());
        response.extensions_mut().insert(error);
        response
    }
}

/// The scheme the request used: `DPoP` when its one `Authorization` line
/// says so, `Bearer` otherwise (the other sources carry bearer tokens);
/// `None` with several lines, which is ambiguous (RFC 9449 §7.2).
#[cfg(feature = "dpop")]
fn presented_scheme(request: &Parts) -> Option<crate::token::AuthScheme> {
    use crate::token::AuthScheme;
    let mut values = request.headers.get_all(http::header::AUTHORIZATION).iter();
    let Some(value) = values.next() else {
        return Some(AuthScheme::Bearer);
    };
    if values.next().is_some() {
        return None;
    }
    let field = value.as_bytes().trim_ascii_start();
    let is = |name: &[u8]| {
        field.len() >= name.len()
            && field[..name.len()].eq_ignore_ascii_case(name)
            && field
                .get(name.len())
                .is_none_or(|&b| b == b' ' || b == b'\t')
    };
    if is(b"dpop") {
        Some(AuthScheme::Dpop)
    } else {
        Some(AuthScheme::Bearer)
    }
}

/// One event per refusal (feature `tracing`): the kind, the HTTP status (and
/// the `grpc-status` of a gRPC call, answered HTTP 200), the realm, the
/// description sent, the subject and the verifier's cause when known. Never
/// the request: its credentials are in it. A fault of the verifier's source
/// is a warning, the client's refusals are debug.
#[cfg(feature = "tracing")]
fn log(rejected: &Rejected<'_>, status: StatusCode) {
    let error = rejected.error;
    let kind = error.kind();
    let realm = rejected.realm.as_str();
    let description = error.description();
    let subject = error.subject();
    let cause = std::error::Error::source(error).map(tracing::field::display);
    let status = status.as_u16();
    let grpc_status = rejected.is_grpc().then(|| kind.grpc_status());
    if kind == ErrorKind::Unavailable {
        tracing::warn!(target: "tower_bearer_auth::rejection", ?kind, status, grpc_status, realm, description, subject, cause, "request refused");
    } else {
        tracing::debug!(target: "tower_bearer_auth::rejection", ?kind, status, grpc_status, realm, description, subject, cause, "request refused");
    }
}

#[cfg(not(feature = "tracing"))]
fn log(_: &Rejected<'_>, _: StatusCode) {}
