//! [`IntrospectionVerifier`]: one `POST` to the introspection endpoint per
//! verification, bounded in time and size.

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use bytes::Bytes;
use http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, USER_AGENT};
use http::request::Parts;
use http::{HeaderValue, Method, Request, StatusCode, Uri};
use serde::de::DeserializeOwned;
use tokio::sync::Semaphore;

use super::builder::IntrospectionVerifierBuilder;
use super::claims::{IntrospectionClaims, NoExtraClaims};
use super::error::{IntrospectionError, IntrospectionErrorKind};
use super::form::form_encode;
use super::response;
use crate::client::{HttpClient, ReadError, read_limited};
use crate::error::AuthError;
use crate::facts::TokenFacts;
use crate::future::VerifyFuture;
use crate::jwt::now;
use crate::registered::ClaimRules;
use crate::token::BearerToken;
use crate::verify::VerifyToken;

/// Verifies opaque tokens by asking the authorization server (RFC 7662).
///
/// Each verification `POST`s `token=...&token_type_hint=access_token` to
/// the endpoint, authenticated as the resource server, and accepts the
/// token only if the answer is `"active": true` and passes the claim
/// checks; handlers get [`IntrospectionClaims`]. Wrap it in a
/// [`CachedVerifier`](crate::cache::CachedVerifier) so that a token is
/// introspected once, not on every request: the cache keeps an answer no
/// longer than its `exp` (RFC 7662 §4) and makes concurrent requests with
/// one new token share one call.
///
/// An endpoint that cannot answer (no connection, too slow, a status other
/// than 200, a body too large or not JSON) refuses the request with 503
/// and `Retry-After`, never 401: the client did nothing wrong, and the
/// answer is not remembered. See the [module docs](super) for the rest.
///
/// Cloning is a pointer copy. Its `Debug` output shows the endpoint and the
/// client id, never the secret.
pub struct IntrospectionVerifier<X = NoExtraClaims> {
    inner: Arc<Inner>,
    _claims: PhantomData<fn() -> X>,
}

pub(super) struct Inner {
    pub(super) endpoint: Uri,
    pub(super) client_id: Box<str>,
    pub(super) auth: ClientAuth,
    pub(super) client: Arc<dyn HttpClient>,
    pub(super) rules: ClaimRules,
    pub(super) timeout: Duration,
    pub(super) max_response_size: usize,
    /// One per introspection in flight.
    pub(super) permits: Semaphore,
}

/// How the resource server proves who it is, encoded once.
pub(super) enum ClientAuth {
    /// The `Authorization: Basic` value, marked sensitive.
    Basic(HeaderValue),
    /// The body suffix `&client_id=...&client_secret=...`.
    Post(Bytes),
}

impl IntrospectionVerifier {
    /// Starts configuring a verifier for the introspection endpoint at
    /// `endpoint`; handlers get [`IntrospectionClaims`], with the
    /// application's own members once
    /// [`with_extra_claims`](IntrospectionVerifierBuilder::with_extra_claims)
    /// names their type.
    pub fn builder(endpoint: impl Into<String>) -> IntrospectionVerifierBuilder {
        IntrospectionVerifierBuilder::new(endpoint.into())
    }
}

impl<X> IntrospectionVerifier<X> {
    pub(super) fn from_inner(inner: Inner) -> Self {
        Self {
            inner: Arc::new(inner),
            _claims: PhantomData,
        }
    }
}

impl Inner {
    /// Asks the endpoint about `token` and reads the answer.
    async fn introspect<X: DeserializeOwned>(
        &self,
        token: BearerToken,
    ) -> Result<IntrospectionClaims<X>, AuthError> {
        let exchange = async {
            let _permit = self
                .permits
                .acquire()
                .await
                .map_err(|_| IntrospectionErrorKind::Transport)?;
            self.exchange(&token).await
        };
        #[cfg(feature = "tracing")]
        let exchange = tracing::Instrument::instrument(
            exchange,
            tracing::debug_span!(target: "tower_bearer_auth::introspection", "introspection", endpoint = %self.endpoint),
        );
        let body = match tokio::time::timeout(self.timeout, exchange).await {
            Ok(answer) => answer,
            Err(_) => Err(IntrospectionErrorKind::Timeout.into()),
        };
        drop(token);
        let body = body.map_err(|error| {
            log_failure(&self.endpoint, &error);
            AuthError::from(error)
        })?;
        response::read(&body, &self.rules, now())
    }

    /// The request and the body of a 200 answer, read up to the cap.
    async fn exchange(&self, token: &BearerToken) -> Result<Bytes, IntrospectionError> {
        let response = self
            .client
            .send(self.request(token))
            .await
            .map_err(|_| IntrospectionErrorKind::Transport)?;
        let (parts, body) = response.into_parts();
        if parts.status != StatusCode::OK {
            return Err(IntrospectionError::status(parts.status));
        }
        read_limited(body, self.max_response_size)
            .await
            .map_err(|error| match error {
                ReadError::Transport => IntrospectionErrorKind::Transport.into(),
                ReadError::TooLarge => IntrospectionErrorKind::TooLarge.into(),
            })
    }

    /// `POST endpoint` with the form body of RFC 7662 §2.1.
    fn request(&self, token: &BearerToken) -> Request<Bytes> {
        const HINT: &[u8] = b"&token_type_hint=access_token";
        let suffix = match &self.auth {
            ClientAuth::Post(suffix) => &suffix[..],
            ClientAuth::Basic(_) => &[],
        };
        let mut body = Vec::with_capacity(6 + token.len() * 3 / 2 + HINT.len() + suffix.len());
        body.extend_from_slice(b"token=");
        form_encode(token.as_str(), &mut body);
        body.extend_from_slice(HINT);
        body.extend_from_slice(suffix);

        let mut request = Request::new(Bytes::from(body));
        *request.method_mut() = Method::POST;
        *request.uri_mut() = self.endpoint.clone();
        let headers = request.headers_mut();
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/x-www-form-urlencoded"),
        );
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        headers.insert(
            USER_AGENT,
            HeaderValue::from_static(concat!("tower-bearer-auth/", env!("CARGO_PKG_VERSION"))),
        );
        if let ClientAuth::Basic(credentials) = &self.auth {
            headers.insert(AUTHORIZATION, credentials.clone());
        }
        request
    }
}

/// Logs an endpoint failure: the endpoint and the reason, never the body
/// (RFC 7662 §5: it may hold personal data) or the token.
/// A 401 or 403 means this service's own credentials are refused: an
/// error for the operator, not a passing fault.
fn log_failure(endpoint: &Uri, error: &IntrospectionError) {
    #[cfg(feature = "tracing")]
    if matches!(error.http_status(), Some(401 | 403)) {
        tracing::error!(target: "tower_bearer_auth::introspection", %endpoint, %error, "introspection endpoint refused this service's client credentials");
    } else {
        tracing::warn!(target: "tower_bearer_auth::introspection", %endpoint, %error, "introspection failed");
    }
    #[cfg(not(feature = "tracing"))]
    let _ = (endpoint, error);
}

impl<X> VerifyToken for IntrospectionVerifier<X>
where
    X: DeserializeOwned + Clone + Send + Sync + 'static,
{
    type Claims = IntrospectionClaims<X>;
    type Future = VerifyFuture<IntrospectionClaims<X>>;

    /// Lazy: nothing is sent until the future is polled, so a
    /// [`CachedVerifier`](crate::cache::CachedVerifier) that shares one
    /// verification among concurrent requests sends one request.
    fn verify(&self, token: BearerToken, _head: &Parts) -> Self::Future {
        let inner = Arc::clone(&self.inner);
        VerifyFuture::waiting(async move { inner.introspect(token).await })
    }

    /// `exp` and `jti` of the answer: a cached answer ends at `exp`, and
    /// revocation finds the token by `jti`.
    fn token_facts(&self, _token: &BearerToken, claims: &Self::Claims) -> TokenFacts {
        let mut facts = TokenFacts::new();
        if let Some(exp) = claims.exp {
            facts = facts.with_expiry(
                u64::try_from(exp)
                    .ok()
                    .and_then(|exp| UNIX_EPOCH.checked_add(Duration::from_secs(exp)))
                    .unwrap_or(UNIX_EPOCH),
            );
        }
        if let Some(jti) = &claims.jti {
            facts = facts.with_token_id(jti);
        }
        facts
    }
}

impl<X> Clone for IntrospectionVerifier<X> {
    fn clone(&self) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
            _claims: PhantomData,
        }
    }
}

impl<X> fmt::Debug for IntrospectionVerifier<X> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &*self.inner;
        f.debug_struct("IntrospectionVerifier")
            .field("endpoint", &inner.endpoint)
            .field("client_id", &inner.client_id)
            .field(
                "authentication",
                &match inner.auth {
                    ClientAuth::Basic(_) => "client_secret_basic",
                    ClientAuth::Post(_) => "client_secret_post",
                },
            )
            .field("client", &inner.client)
            .field("rules", &inner.rules)
            .field("timeout", &inner.timeout)
            .field("max_response_size", &inner.max_response_size)
            .field("in_flight_limit", &inner.permits)
            .finish()
    }
}
