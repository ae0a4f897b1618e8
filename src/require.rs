//! Per-route rules on the verified claims: [`RequireLayer`] and the
//! [`Requirement`] it checks.
//!
//! A [`RequireLayer`] sits inside [`BearerAuthLayer`](crate::BearerAuthLayer)
//! on the routes that need more than a valid token. It reads the verified
//! claims from the request extensions and asks its [`Requirement`]: allowed,
//! or the [`AuthError`] to answer with. Scopes
//! ([`scope::RequiredScopes`](crate::scope::RequiredScopes), 403
//! `insufficient_scope`) and step-up authentication
//! ([`step_up::RequiredAuthentication`](crate::step_up::RequiredAuthentication),
//! 401 `insufficient_user_authentication`) are requirements; so is any
//! closure `Fn(&C) -> Result<(), AuthError>`, such as a role check:
//!
//! ```
//! use axum::{Router, routing::post};
//! use tower_bearer_auth::{AuthError, BearerAuthLayer, ErrorKind, StaticTokens};
//!
//! #[derive(Clone)]
//! struct User { roles: Vec<String> }
//!
//! let auth = BearerAuthLayer::new(StaticTokens::<User>::new());
//! // A missing role is 403 `insufficient_scope` (RFC 6750 §3.1), without a `scope`.
//! let editors = auth.require(|user: &User| match user.roles.iter().any(|r| r == "editor") {
//!     true => Ok(()),
//!     false => Err(AuthError::new(ErrorKind::InsufficientScope)),
//! });
//! let app: Router = Router::new()
//!     .route("/articles", post(|| async { "saved" }).route_layer(editors))
//!     .route_layer(auth);
//! ```

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::{Request, Response};
use pin_project_lite::pin_project;
use tower::Service;
use tower_layer::Layer;

use crate::counters::AuthCounters;
use crate::error::{AuthError, ConfigError, ErrorKind};
use crate::rejection::{DefaultRejection, Reject, Rejecter};

/// A rule on the verified claims `C` of a route.
///
/// Closures `Fn(&C) -> Result<(), AuthError>` are requirements; name the
/// claims type of the argument (`|user: &User| …`), which the compiler does
/// not infer through this trait. A rule that refuses for lack of a scope
/// can answer with [`RequiredScopes`](crate::scope::RequiredScopes)'s
/// `check`, which names the scopes in the challenge.
pub trait Requirement<C> {
    /// `Ok` lets the request through; an `Err` is the answer.
    fn check(&self, claims: &C) -> Result<(), AuthError>;

    /// The answer to a request without claims `C` (the authentication
    /// layer did not run, or let an anonymous request through): by default
    /// 401 with the plain challenge, which tells nothing of the rule.
    fn without_claims(&self) -> AuthError {
        AuthError::new(ErrorKind::MissingCredentials)
    }
}

impl<C, F> Requirement<C> for F
where
    F: Fn(&C) -> Result<(), AuthError>,
{
    fn check(&self, claims: &C) -> Result<(), AuthError> {
        self(claims)
    }
}

/// One of two requirements: the request passes when the first or the
/// second allows it. When neither does, the second's answer is sent, so
/// put last the rule whose refusal tells the client the most: "the role
/// `admin`, or else the scope `admin`" answers 403 with `scope="admin"`.
///
/// ```
/// use tower_bearer_auth::claims::RequiredRoles;
/// use tower_bearer_auth::require::OrElse;
/// use tower_bearer_auth::scope::RequiredScopes;
///
/// let admins = OrElse::new(RequiredRoles::new(["admin"])?, RequiredScopes::new(["admin"])?);
/// # let _ = admins;
/// # Ok::<(), tower_bearer_auth::ConfigError>(())
/// ```
#[derive(Clone, Debug)]
pub struct OrElse<A, B> {
    first: A,
    second: B,
}

impl<A, B> OrElse<A, B> {
    /// `first`, or else `second`.
    pub fn new(first: A, second: B) -> Self {
        Self { first, second }
    }
}

impl<C, A: Requirement<C>, B: Requirement<C>> Requirement<C> for OrElse<A, B> {
    fn check(&self, claims: &C) -> Result<(), AuthError> {
        self.first
            .check(claims)
            .or_else(|_| self.second.check(claims))
    }

    fn without_claims(&self) -> AuthError {
        self.second.without_claims()
    }
}

/// Checks a [`Requirement`] on the verified claims `C` of every request;
/// see the [module docs](self).
#[must_use]
pub struct RequireLayer<Q, C, R = DefaultRejection> {
    settings: Settings<Q, R>,
    _claims: PhantomData<fn() -> C>,
}

#[derive(Clone)]
struct Settings<Q, R> {
    requirement: Q,
    rejecter: Rejecter<R>,
}

impl<Q, C> RequireLayer<Q, C> {
    /// Requires `requirement`, answering with the default realm and
    /// rejection; [`BearerAuthLayer::require`](crate::BearerAuthLayer::require)
    /// makes one that shares the authentication layer's.
    pub fn custom(requirement: Q) -> Self {
        Self::with_rejecter(requirement, Rejecter::new())
    }
}

impl<Q, C, R> RequireLayer<Q, C, R> {
    pub(crate) fn with_rejecter(requirement: Q, rejecter: Rejecter<R>) -> Self {
        Self {
            settings: Settings {
                requirement,
                rejecter,
            },
            _claims: PhantomData,
        }
    }

    /// The requirement.
    pub fn requirement(&self) -> &Q {
        &self.settings.requirement
    }

    /// Sets the realm named in challenges, written in the code: use the one
    /// the authentication layer uses (default `"api"`).
    ///
    /// # Panics
    ///
    /// If `realm` is empty or has `"`, `\`, control or non-ASCII
    /// characters.
    #[track_caller]
    pub fn with_realm(self, realm: &'static str) -> Self {
        self.try_with_realm(realm)
            .unwrap_or_else(|error| panic!("realm {realm:?}: {error}"))
    }

    /// Sets the realm named in challenges; refuses the names
    /// [`with_realm`](Self::with_realm) panics on.
    pub fn try_with_realm(mut self, realm: &str) -> Result<Self, ConfigError> {
        self.settings.rejecter.set_realm(realm)?;
        Ok(self)
    }

    /// Counts this layer's refusals into `counters`.
    pub fn with_counters(mut self, counters: AuthCounters) -> Self {
        self.settings.rejecter.set_counters(counters);
        self
    }

    /// Answers refused requests with `rejection` instead of the
    /// [`DefaultRejection`].
    pub fn with_rejection<T>(self, rejection: T) -> RequireLayer<Q, C, T> {
        let Settings {
            requirement,
            rejecter,
        } = self.settings;
        RequireLayer::with_rejecter(requirement, rejecter.with_rejection(rejection))
    }
}

impl<S, Q: Clone, C, R: Clone> Layer<S> for RequireLayer<Q, C, R> {
    type Service = Require<S, Q, C, R>;

    fn layer(&self, inner: S) -> Self::Service {
        Require {
            inner,
            settings: Arc::new(self.settings.clone()),
            _claims: PhantomData,
        }
    }
}

impl<Q: Clone, C, R: Clone> Clone for RequireLayer<Q, C, R> {
    fn clone(&self) -> Self {
        Self {
            settings: self.settings.clone(),
            _claims: PhantomData,
        }
    }
}

impl<Q: fmt::Debug, C, R> fmt::Debug for RequireLayer<Q, C, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequireLayer")
            .field("requirement", &self.settings.requirement)
            .finish_non_exhaustive()
    }
}

/// Middleware that checks a [`Requirement`]; built by [`RequireLayer`].
pub struct Require<S, Q, C, R = DefaultRejection> {
    inner: S,
    settings: Arc<Settings<Q, R>>,
    _claims: PhantomData<fn() -> C>,
}

impl<S, Q, C, R> Require<S, Q, C, R> {
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

impl<S, Q, C, R, ReqBody, ResBody> Service<Request<ReqBody>> for Require<S, Q, C, R>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    Q: Requirement<C>,
    C: Send + Sync + 'static,
    R: Reject<ResBody>,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future, Response<ResBody>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        let settings = &self.settings;
        let verdict = match request.extensions().get::<C>() {
            Some(claims) => settings.requirement.check(claims),
            None => Err(settings.requirement.without_claims()),
        };
        match verdict {
            Ok(()) => ResponseFuture::calling(self.inner.call(request)),
            Err(error) => {
                let (head, _) = request.into_parts();
                ResponseFuture::rejected(settings.rejecter.respond(error, &head))
            }
        }
    }
}

impl<S: Clone, Q, C, R> Clone for Require<S, Q, C, R> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
            settings: Arc::clone(&self.settings),
            _claims: PhantomData,
        }
    }
}

impl<S: fmt::Debug, Q: fmt::Debug, C, R> fmt::Debug for Require<S, Q, C, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Require")
            .field("inner", &self.inner)
            .field("requirement", &self.settings.requirement)
            .finish_non_exhaustive()
    }
}

pin_project! {
    /// Response future of [`Require`]: the refusal made at once, or the
    /// inner service's answer.
    pub struct ResponseFuture<F, Res> {
        #[pin]
        state: State<F, Res>,
    }
}

pin_project! {
    #[project = StateProj]
    enum State<F, Res> {
        Rejected { response: Option<Res> },
        Calling {
            #[pin]
            call: F,
        },
    }
}

impl<F, Res> ResponseFuture<F, Res> {
    fn rejected(response: Res) -> Self {
        Self {
            state: State::Rejected {
                response: Some(response),
            },
        }
    }

    fn calling(call: F) -> Self {
        Self {
            state: State::Calling { call },
        }
    }
}

impl<F, ResBody, E> Future for ResponseFuture<F, Response<ResBody>>
where
    F: Future<Output = Result<Response<ResBody>, E>>,
{
    type Output = Result<Response<ResBody>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().state.project() {
            StateProj::Rejected { response } => {
                Poll::Ready(Ok(response.take().expect("polled after completion")))
            }
            StateProj::Calling { call } => call.poll(cx),
        }
    }
}

impl<F, Res> fmt::Debug for ResponseFuture<F, Res> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match &self.state {
            State::Rejected { .. } => "rejected",
            State::Calling { .. } => "calling",
        };
        f.debug_struct("ResponseFuture")
            .field("state", &state)
            .finish()
    }
}
