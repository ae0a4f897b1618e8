//! [`IntrospectionVerifierBuilder`]: where the endpoint is, how to log in
//! to it, and what an active token must also satisfy.

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use tokio::sync::Semaphore;

use super::claims::NoExtraClaims;
use super::form::{basic_credentials, post_credentials};
use super::verifier::{ClientAuth, Inner, IntrospectionVerifier};
use crate::client::{HttpClient, HttpPolicy, HyperClient, allowed_url, without_userinfo};
use crate::error::ConfigError;
use crate::jwt::DEFAULT_LEEWAY;
use crate::registered::ClaimRules;

/// The most one introspection (connect, request, whole response) may take.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(2);
/// The largest response body read.
pub const DEFAULT_MAX_RESPONSE_SIZE: usize = 16 * 1024;
/// The default most introspections in flight at once.
pub const DEFAULT_MAX_CONCURRENT: usize = 64;
/// The longest timeout accepted: a request waits this long at most.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(60);

/// Configures an [`IntrospectionVerifier`]; see
/// [`IntrospectionVerifier::builder`].
///
/// Defaults: no issuer check, an audience required (or
/// [`without_audience_check`](Self::without_audience_check)), `exp`
/// checked when present with a leeway of [`DEFAULT_LEEWAY`], a timeout of
/// [`DEFAULT_TIMEOUT`], responses up to [`DEFAULT_MAX_RESPONSE_SIZE`]
/// bytes, [`DEFAULT_MAX_CONCURRENT`] exchanges at once, the default
/// [`HyperClient`].
#[must_use]
pub struct IntrospectionVerifierBuilder<X = NoExtraClaims> {
    endpoint: String,
    client_id: String,
    auth: Option<(Method, Secret)>,
    client: Option<Arc<dyn HttpClient>>,
    issuers: Vec<Box<str>>,
    audiences: Vec<Box<str>>,
    audience_check: bool,
    leeway: Duration,
    timeout: Duration,
    max_response_size: usize,
    max_concurrent: usize,
    http_policy: HttpPolicy,
    _claims: PhantomData<fn() -> X>,
}

#[derive(Clone, Copy, Debug)]
enum Method {
    Basic,
    Post,
}

/// A client secret: never printed.
struct Secret(String);

impl IntrospectionVerifierBuilder {
    pub(super) fn new(endpoint: String) -> Self {
        Self {
            endpoint,
            client_id: String::new(),
            auth: None,
            client: None,
            issuers: Vec::new(),
            audiences: Vec::new(),
            audience_check: true,
            leeway: DEFAULT_LEEWAY,
            timeout: DEFAULT_TIMEOUT,
            max_response_size: DEFAULT_MAX_RESPONSE_SIZE,
            max_concurrent: DEFAULT_MAX_CONCURRENT,
            http_policy: HttpPolicy::LoopbackOnly,
            _claims: PhantomData,
        }
    }
}

impl<X> IntrospectionVerifierBuilder<X> {
    /// Reads the application's own members of each answer into `Y`, found
    /// in [`IntrospectionClaims::extra`](super::IntrospectionClaims::extra).
    pub fn with_extra_claims<Y>(self) -> IntrospectionVerifierBuilder<Y> {
        IntrospectionVerifierBuilder {
            endpoint: self.endpoint,
            client_id: self.client_id,
            auth: self.auth,
            client: self.client,
            issuers: self.issuers,
            audiences: self.audiences,
            audience_check: self.audience_check,
            leeway: self.leeway,
            timeout: self.timeout,
            max_response_size: self.max_response_size,
            max_concurrent: self.max_concurrent,
            http_policy: self.http_policy,
            _claims: PhantomData,
        }
    }

    /// Authenticates with HTTP Basic (`client_secret_basic`, RFC 6749
    /// §2.3.1): id and secret form-encoded, then base64-encoded. What most
    /// authorization servers expect.
    pub fn with_client_secret_basic(
        mut self,
        client_id: impl Into<String>,
        secret: impl Into<String>,
    ) -> Self {
        self.client_id = client_id.into();
        self.auth = Some((Method::Basic, Secret(secret.into())));
        self
    }

    /// Authenticates with `client_id` and `client_secret` in the form body
    /// (`client_secret_post`).
    pub fn with_client_secret_post(
        mut self,
        client_id: impl Into<String>,
        secret: impl Into<String>,
    ) -> Self {
        self.client_id = client_id.into();
        self.auth = Some((Method::Post, Secret(secret.into())));
        self
    }

    /// Sends with `client` instead of the default [`HyperClient`]: a
    /// private certificate authority, a client certificate, a proxy.
    pub fn with_client(mut self, client: impl HttpClient) -> Self {
        self.client = Some(Arc::new(client));
        self
    }

    /// Accepts tokens whose `iss` is exactly `issuer`; call it again to
    /// accept several. Once set, an answer without `iss` is refused.
    pub fn with_issuer(mut self, issuer: impl Into<Box<str>>) -> Self {
        self.issuers.push(issuer.into());
        self
    }

    /// Accepts tokens whose `aud` is, or contains, exactly `audience`. Call
    /// it again to accept several; an answer without `aud` is refused.
    pub fn with_audience(mut self, audience: impl Into<Box<str>>) -> Self {
        self.audiences.push(audience.into());
        self
    }

    /// Allows a verifier without [`with_audience`](Self::with_audience),
    /// which then accepts answers whatever their `aud`: only for an
    /// authorization server whose tokens are all meant for this service.
    pub fn without_audience_check(mut self) -> Self {
        self.audience_check = false;
        self
    }

    /// The clock skew allowed on `nbf` and `iat` (default
    /// [`DEFAULT_LEEWAY`], at most [`MAX_LEEWAY`](crate::jwt::MAX_LEEWAY)).
    pub fn with_leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// The most one introspection may take, from connecting to the last
    /// byte of the answer (default [`DEFAULT_TIMEOUT`], at most
    /// [`MAX_TIMEOUT`]). Past it the request is answered 503.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The largest response body read (default
    /// [`DEFAULT_MAX_RESPONSE_SIZE`]); a larger one answers 503.
    pub fn with_max_response_size(mut self, bytes: usize) -> Self {
        self.max_response_size = bytes;
        self
    }

    /// The most introspections in flight at once (default
    /// [`DEFAULT_MAX_CONCURRENT`]); more wait their turn within the timeout,
    /// then answer 503. A flood of invented tokens, each a new one no cache
    /// holds, then costs the authorization server this many requests at a
    /// time, not one per attacking request (RFC 7662 §4).
    pub fn with_max_concurrent(mut self, requests: usize) -> Self {
        self.max_concurrent = requests;
        self
    }

    /// Allows `http` endpoints on any host, not only loopback addresses:
    /// for a network the application trusts (a sidecar, a cluster-internal
    /// authorization server). Tokens and the client secret then cross it in
    /// clear text.
    pub fn with_plain_http(mut self) -> Self {
        self.http_policy = HttpPolicy::Anywhere;
        self
    }

    /// Checks the configuration and builds the verifier.
    ///
    /// Refused: an endpoint that is not `https` (or `http` to a loopback
    /// address) or carries credentials ([`ConfigError::InvalidUrl`]); no
    /// client authentication or an empty client id
    /// ([`ConfigError::NoClientAuthentication`]); no audience and no
    /// [`without_audience_check`](Self::without_audience_check)
    /// ([`ConfigError::NoAudience`]); an empty issuer or audience; a leeway
    /// over [`MAX_LEEWAY`](crate::jwt::MAX_LEEWAY); a zero timeout or one over [`MAX_TIMEOUT`]; a
    /// zero response size; a zero concurrency
    /// ([`ConfigError::ZeroCapacity`]).
    pub fn build(self) -> Result<IntrospectionVerifier<X>, ConfigError> {
        let endpoint =
            allowed_url(&self.endpoint, self.http_policy).ok_or(ConfigError::InvalidUrl)?;
        let auth = match self.auth {
            Some((method, Secret(secret))) if !self.client_id.is_empty() => match method {
                Method::Basic => ClientAuth::Basic(basic_credentials(&self.client_id, &secret)),
                Method::Post => {
                    ClientAuth::Post(Bytes::from(post_credentials(&self.client_id, &secret)))
                }
            },
            _ => return Err(ConfigError::NoClientAuthentication),
        };
        let mut rules = ClaimRules::new(
            self.issuers,
            self.audiences,
            self.audience_check,
            self.leeway,
        )?;
        // Past its `exp`, an answer no longer holds (RFC 7662 §4).
        rules.leeway_on_exp = false;
        if self.timeout.is_zero() || self.timeout > MAX_TIMEOUT {
            return Err(ConfigError::InvalidDuration);
        }
        if self.max_response_size == 0 {
            return Err(ConfigError::ZeroMaxLength);
        }
        if self.max_concurrent == 0 {
            return Err(ConfigError::ZeroCapacity);
        }
        let client = match self.client {
            Some(client) => client,
            None => Arc::new(HyperClient::new()?),
        };
        Ok(IntrospectionVerifier::from_inner(Inner {
            endpoint,
            client_id: self.client_id.into(),
            auth,
            client,
            rules,
            timeout: self.timeout,
            max_response_size: self.max_response_size,
            permits: Semaphore::new(self.max_concurrent.min(Semaphore::MAX_PERMITS)),
        }))
    }
}

impl<X> fmt::Debug for IntrospectionVerifierBuilder<X> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IntrospectionVerifierBuilder")
            .field("endpoint", &without_userinfo(&self.endpoint))
            .field("client_id", &self.client_id)
            .field(
                "authentication",
                &self.auth.as_ref().map(|(method, _)| method),
            )
            .field("client", &self.client)
            .field("issuers", &self.issuers)
            .field("audiences", &self.audiences)
            .field("audience_check", &self.audience_check)
            .field("leeway", &self.leeway)
            .field("timeout", &self.timeout)
            .field("max_response_size", &self.max_response_size)
            .field("max_concurrent", &self.max_concurrent)
            .field("http_policy", &self.http_policy)
            .finish()
    }
}
