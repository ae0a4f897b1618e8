//! [`BearerAuth`]: the middleware service.

use std::fmt;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::{Request, Response};
use tower::Service;

use crate::error::{AuthError, ErrorKind};
use crate::extract::without_access_token;
use crate::future::ResponseFuture;
use crate::layer::Settings;
use crate::rejection::{DefaultRejection, Reject};
use crate::token::TokenSource;
use crate::verify::VerifyToken;

/// Middleware that authenticates requests with a bearer token; built by
/// [`BearerAuthLayer`](crate::BearerAuthLayer).
///
/// Its error is the inner service's: every refusal is a response.
pub struct BearerAuth<S, V, R = DefaultRejection> {
    inner: S,
    settings: Arc<Settings<V, R>>,
}

impl<S, V, R> BearerAuth<S, V, R> {
    pub(crate) fn from_settings(inner: S, settings: Arc<Settings<V, R>>) -> Self {
        Self { inner, settings }
    }

    /// The inner service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The inner service, mutably.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    /// Consumes the middleware, returning the inner service.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S, V, R, ReqBody, ResBody> Service<Request<ReqBody>> for BearerAuth<S, V, R>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>> + Clone,
    V: VerifyToken,
    R: Reject<ResBody>,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = ResponseFuture<S, V, R, ReqBody>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        let (mut head, body) = request.into_parts();
        let settings = &self.settings;
        if settings.bypass.as_ref().is_some_and(|bypass| bypass(&head)) {
            return ResponseFuture::calling(self.inner.call(Request::from_parts(head, body)));
        }
        let error = match settings.extractor.extract(&head.headers, &head.uri) {
            Ok(Some(token)) => {
                // A token in the URL must not travel on in it, and the answer
                // must not be cached for others (RFC 6750 §2.3, §5.3).
                let from_query = token.source() == TokenSource::Query;
                if from_query && let Some(uri) = without_access_token(&head.uri) {
                    head.uri = uri;
                }
                let verdict = settings.verifier.verify(token, &head);
                // The service polled ready goes into the future; a fresh clone
                // stays for the next request (tower-http's rule).
                let fresh = self.inner.clone();
                let ready = std::mem::replace(&mut self.inner, fresh);
                let settings = Arc::clone(settings);
                return ResponseFuture::verifying(verdict, head, body, ready, settings, from_query);
            }
            Ok(None) if settings.optional => {
                head.extensions.insert(settings.rejecter.realm().clone());
                return ResponseFuture::calling(self.inner.call(Request::from_parts(head, body)));
            }
            Ok(None) => AuthError::new(ErrorKind::MissingCredentials),
            Err(error) => error,
        };
        ResponseFuture::rejected(settings.rejecter.respond(error, &head))
    }
}

impl<S: Clone, V, R> Clone for BearerAuth<S, V, R> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
            settings: Arc::clone(&self.settings),
        }
    }
}

impl<S: fmt::Debug, V, R> fmt::Debug for BearerAuth<S, V, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BearerAuth")
            .field("inner", &self.inner)
            .field("settings", &self.settings)
            .finish()
    }
}
