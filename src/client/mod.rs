//! The HTTP client that fetches keys (`jwks`) and asks the introspection
//! endpoint (`introspection`): a small trait, and a default on hyper and
//! rustls.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use crate::error::ConfigError;

mod body;
mod url;

pub(crate) use body::{ReadError, read_limited};
pub(crate) use url::{HttpPolicy, allowed_url, without_userinfo};

/// The TLS library of [`HyperClient::with_tls_config`].
#[doc(no_inline)]
pub use rustls;

/// An error from an [`HttpClient`]: only its presence is used, never its text
/// (which may name a URL).
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A response body, read frame by frame so that an oversized one is
/// abandoned at the size cap instead of buffered.
pub type ResponseBody = Pin<Box<dyn http_body::Body<Data = Bytes, Error = BoxError> + Send>>;

/// The future of [`HttpClient::send`].
pub type HttpClientFuture =
    Pin<Box<dyn Future<Output = Result<http::Response<ResponseBody>, BoxError>> + Send>>;

/// Sends the requests: `GET` for a discovery document and a key set, `POST`
/// to an introspection endpoint.
///
/// Implement it to bring your own client: a private certificate authority,
/// a proxy, client certificates, other timeouts. The caller bounds every
/// exchange with its own timeout and body size cap whatever the client does,
/// and never follows a redirect: a client should not follow them either.
/// Requests may carry credentials (an `Authorization` header, a form body
/// with a client secret): a client must not log them.
///
/// ```
/// use bytes::Bytes;
/// use tower_bearer_auth::client::{HttpClient, HttpClientFuture};
///
/// /// Every request through a company proxy.
/// #[derive(Debug)]
/// struct ThroughProxy { /* a hyper-util client with a proxy connector */ }
///
/// impl HttpClient for ThroughProxy {
///     fn send(&self, request: http::Request<Bytes>) -> HttpClientFuture {
///         Box::pin(async move {
///             let _ = request;
///             Err("not connected in this example".into())
///         })
///     }
/// }
/// ```
pub trait HttpClient: fmt::Debug + Send + Sync + 'static {
    /// Sends `request` (method, URI, headers and a body, empty for a `GET`)
    /// and answers the response.
    fn send(&self, request: http::Request<Bytes>) -> HttpClientFuture;
}

/// The default [`HttpClient`]: hyper-util's pooled client over rustls with
/// the Mozilla root certificates (webpki-roots), HTTP/1.1, a connect timeout,
/// no redirects, no proxy. TLS uses the crate's crypto backend: aws-lc-rs,
/// or ring with `rust-crypto` alone.
///
/// For a private certificate authority, build one with
/// [`with_tls_config`](Self::with_tls_config).
#[derive(Clone)]
pub struct HyperClient {
    client: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
}

/// The default connect timeout of [`HyperClient`].
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

impl HyperClient {
    /// The default client.
    pub fn new() -> Result<Self, ConfigError> {
        let config = rustls::ClientConfig::builder_with_provider(tls_provider())
            .with_safe_default_protocol_versions()
            .map_err(|_| ConfigError::NoTlsProvider)?
            .with_root_certificates(rustls::RootCertStore {
                roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
            })
            .with_no_client_auth();
        Ok(Self::with_tls_config(config))
    }

    /// A client with the application's own TLS configuration: its root
    /// certificates, a client certificate.
    pub fn with_tls_config(config: rustls::ClientConfig) -> Self {
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_connect_timeout(Some(DEFAULT_CONNECT_TIMEOUT));
        http.set_nodelay(true);
        let https = HttpsConnectorBuilder::new()
            .with_tls_config(config)
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(90))
            .build(https);
        Self { client }
    }
}

/// The rustls crypto provider of this crate's backend: aws-lc-rs when its
/// feature is on, ring (with `rust-crypto`) otherwise.
fn tls_provider() -> Arc<rustls::crypto::CryptoProvider> {
    #[cfg(feature = "aws-lc-rs")]
    let provider = rustls::crypto::aws_lc_rs::default_provider();
    #[cfg(not(feature = "aws-lc-rs"))]
    let provider = rustls::crypto::ring::default_provider();
    Arc::new(provider)
}

impl HttpClient for HyperClient {
    fn send(&self, request: http::Request<Bytes>) -> HttpClientFuture {
        let request = request.map(Full::new);
        let response = self.client.request(request);
        Box::pin(async move {
            let response = response.await?;
            Ok(response.map(|body| -> ResponseBody { Box::pin(body.map_err(BoxError::from)) }))
        })
    }
}

impl fmt::Debug for HyperClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HyperClient").finish_non_exhaustive()
    }
}
