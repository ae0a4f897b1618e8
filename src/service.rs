//! [`BearerAuth`]: the middleware service.

use std::fmt;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::{Request, Response};
use tower::Service;

use crate::error::{AuthError, ErrorKind};
use crate::extract::without_access_token;
use crate::future::ResponseFuture;
use crate::rejection::{DefaultRejection, Reject};
use crate::settings::Settings;
use crate::token::TokenSource;
use crate::verify::{Verdict, VerifyToken};

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
            return ResponseFuture::calling(
                self.inner.call(Request::from_parts(head, body)),
                false,
            );
        }
        let error = match settings.extractor.extract(&head.headers, &head.uri) {
            Ok(Some(token)) => {
                // A token in the URL must not travel on in it, and the answer
                // must not be cached for others (RFC 6750 §2.3, §5.3).
                let from_query = token.source() == TokenSource::Query;
                if from_query && let Some(uri) = without_access_token(&head.uri) {
                    head.uri = uri;
                }
                match settings.verifier.verify_now(token, &head) {
                    // Decided at once (a JWT, a cache hit): the service polled
                    // ready is called now, nothing waits in the future.
                    Verdict::Now(Ok(claims)) => {
                        settings.rejecter.count_accepted();
                        head.extensions.insert(claims);
                        let call = self.inner.call(Request::from_parts(head, body));
                        return ResponseFuture::calling(call, from_query);
                    }
                    Verdict::Now(Err(error)) => error,
                    Verdict::Later(verdict) => {
                        // The service polled ready goes into the future; a
                        // fresh clone stays for the next request (tower-http's
                        // rule).
                        let fresh = self.inner.clone();
                        let ready = std::mem::replace(&mut self.inner, fresh);
                        let settings = Arc::clone(settings);
                        return ResponseFuture::verifying(
                            verdict, head, body, ready, settings, from_query,
                        );
                    }
                }
            }
            Ok(None) if settings.optional => {
                settings.rejecter.count_anonymous();
                head.extensions.insert(settings.rejecter.realm().clone());
                let call = self.inner.call(Request::from_parts(head, body));
                return ResponseFuture::calling(call, false);
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

#[cfg(test)]
mod tests {
    use std::convert::Infallible;
    use std::future::{Ready, ready};
    use std::pin::pin;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::task::{Context, Poll, Waker};

    use http::header::AUTHORIZATION;
    use http::request::Parts;
    use http::{Request, Response, StatusCode};
    use tower::{Layer, Service};

    use super::*;
    use crate::{BearerAuthLayer, BearerToken, StaticTokens};

    const TOKEN: &str = "valid-token-0123456789";

    /// Answers 200 when claims are attached; counts its clones.
    struct Counted(Arc<AtomicUsize>);

    impl Clone for Counted {
        fn clone(&self) -> Self {
            self.0.fetch_add(1, Ordering::Relaxed);
            Self(Arc::clone(&self.0))
        }
    }

    impl Service<Request<()>> for Counted {
        type Response = Response<()>;
        type Error = Infallible;
        type Future = Ready<Result<Response<()>, Infallible>>;

        fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
            Poll::Ready(Ok(()))
        }

        fn call(&mut self, request: Request<()>) -> Self::Future {
            let mut response = Response::new(());
            if request.extensions().get::<u32>() != Some(&7) {
                *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
            }
            ready(Ok(response))
        }
    }

    /// The status of one request with the token, and the inner service's
    /// clones it caused.
    fn one_request<V: VerifyToken<Claims = u32> + Clone>(verifier: V) -> (StatusCode, usize) {
        let clones = Arc::new(AtomicUsize::new(0));
        let mut service = BearerAuthLayer::new(verifier).layer(Counted(Arc::clone(&clones)));
        let request = Request::builder()
            .header(AUTHORIZATION, format!("Bearer {TOKEN}"))
            .body(())
            .expect("a request");
        let mut cx = Context::from_waker(Waker::noop());
        assert!(service.poll_ready(&mut cx).is_ready());
        let Poll::Ready(Ok(response)) = pin!(service.call(request)).poll(&mut cx) else {
            panic!("ready at once");
        };
        (response.status(), clones.load(Ordering::Relaxed))
    }

    #[test]
    fn a_verdict_known_at_once_calls_the_ready_service_without_a_clone() {
        let tokens = StaticTokens::new().with_token(TOKEN, 7).expect("a token");
        assert_eq!(one_request(tokens), (StatusCode::OK, 0));
    }

    #[test]
    fn a_verdict_that_may_wait_takes_the_ready_service_and_leaves_a_clone() {
        let closure = |_: BearerToken, _: &Parts| ready(Ok::<u32, AuthError>(7));
        assert_eq!(one_request(closure), (StatusCode::OK, 1));
    }
}
