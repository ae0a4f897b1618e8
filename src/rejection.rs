//! Turning an [`AuthError`] into the response the client gets.

use std::fmt;
use std::time::Duration;

use http::header::{CACHE_CONTROL, CONTENT_TYPE, RETRY_AFTER, WWW_AUTHENTICATE};
use http::request::Parts;
use http::{HeaderValue, Response, StatusCode};

use crate::challenge::{Realm, grpc_message};
use crate::counters::AuthCounters;
use crate::error::{AuthError, ConfigError, ErrorKind};
use crate::extract::presented_scheme;
use crate::metadata::ProtectedResourceMetadata;
use crate::scheme::{AuthScheme, ChallengeSet, Schemes};

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
    challenges: Option<&'a dyn ChallengeSet>,
    accepted: &'a [AuthScheme],
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
        let Some(set) = self.challenges else {
            return self.realm.challenge(self.error);
        };
        let mut challenges = self.scheme_challenges(set);
        let carrying = challenges.iter().position(|(_, carries)| *carries);
        match carrying {
            Some(at) => challenges.swap_remove(at).0,
            None if !challenges.is_empty() => challenges.swap_remove(0).0,
            None => self.realm.challenge(self.error),
        }
    }

    /// Every `WWW-Authenticate` challenge of the answer, one per field line
    /// (RFC 9110 §11.6.1): one per scheme the layer accepts, `Bearer` alone
    /// by default. With several, the error goes in the challenge of the
    /// scheme the request used, or in each when that is unclear.
    pub fn challenges(&self) -> impl Iterator<Item = HeaderValue> {
        let challenges = match self.challenges {
            None => vec![self.realm.challenge(self.error)],
            Some(set) => self
                .scheme_challenges(set)
                .into_iter()
                .map(|(c, _)| c)
                .collect(),
        };
        challenges.into_iter()
    }

    /// Puts the challenges into `headers`.
    fn add_challenges(&self, headers: &mut http::HeaderMap) {
        match self.challenges {
            None => {
                headers.insert(WWW_AUTHENTICATE, self.realm.challenge(self.error));
            }
            Some(set) => {
                for (challenge, _) in self.scheme_challenges(set) {
                    headers.append(WWW_AUTHENTICATE, challenge);
                }
            }
        }
    }

    /// The challenges of the layer's schemes, each with whether it carries
    /// the error.
    fn scheme_challenges(&self, set: &dyn ChallengeSet) -> Vec<(HeaderValue, bool)> {
        let presented = presented_scheme(&self.request.headers, self.accepted);
        set.challenges(self.error, self.realm.bare(), presented)
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
        if let Some(set) = self.challenges {
            set.complete(self.error, headers);
        }
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
    challenges: Option<std::sync::Arc<dyn ChallengeSet>>,
    /// The schemes the challenges answer for.
    accepted: &'static [AuthScheme],
    /// The protected resource metadata the challenges name.
    metadata: Option<ProtectedResourceMetadata>,
}

impl Rejecter<DefaultRejection> {
    pub(crate) fn new() -> Self {
        Self {
            realm: Realm::default(),
            retry_after: DEFAULT_RETRY_AFTER,
            rejection: DefaultRejection,
            counters: None,
            challenges: None,
            accepted: Schemes::default().accepted,
            metadata: None,
        }
    }
}

impl<R> Rejecter<R> {
    pub(crate) fn set_realm(&mut self, realm: &str) -> Result<(), ConfigError> {
        self.realm = self.realm.renamed(realm)?;
        Ok(())
    }

    /// Names the protected resource's metadata in every challenge, and
    /// keeps the document.
    pub(crate) fn set_resource_metadata(&mut self, metadata: ProtectedResourceMetadata) {
        // Cannot fail: the document's URL was checked to be quotable when
        // it was built, and the realm's name when it was set.
        if let Ok(realm) = self.realm.with_resource_metadata(metadata.url()) {
            self.realm = realm;
            self.metadata = Some(metadata);
        }
    }

    /// The protected resource metadata, completed by the layer's schemes.
    pub(crate) fn resource_metadata(&self) -> Option<ProtectedResourceMetadata> {
        let metadata = self.metadata.clone()?;
        Some(match &self.challenges {
            Some(challenges) => challenges.describe(metadata),
            None => metadata,
        })
    }

    pub(crate) fn set_retry_after(&mut self, retry_after: Duration) {
        self.retry_after = retry_after;
    }

    pub(crate) fn set_counters(&mut self, counters: AuthCounters) {
        self.counters = Some(counters);
    }

    /// The challenges of the layer's schemes.
    #[allow(
        dead_code,
        reason = "the seam a scheme module plugs into; none may be built"
    )]
    pub(crate) fn set_challenges(&mut self, schemes: &Schemes) {
        self.challenges.clone_from(&schemes.challenges);
        self.accepted = schemes.accepted;
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
            challenges: self.challenges,
            accepted: self.accepted,
            metadata: self.metadata,
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
            challenges: self.challenges.as_deref(),
            accepted: self.accepted,
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
        // What the schemes' answers need (a nonce to retry with), whoever
        // built the answer.
        if let Some(set) = rejected.challenges {
            set.complete(&error, response.headers_mut());
        }
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
