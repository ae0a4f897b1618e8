//! Scope requirements per route (RFC 6750 §3.1 `insufficient_scope`).
//!
//! [`RequireScopeLayer`] sits inside [`BearerAuthLayer`](crate::BearerAuthLayer),
//! reads the verified claims from the request extensions and answers 403
//! `insufficient_scope`, naming the scopes needed, when one is missing. With
//! axum, put it on the routes that need it with `route_layer`:
//!
//! ```
//! use axum::{Router, routing::get};
//! use tower_bearer_auth::scope::{HasScopes, RequireScopeLayer, Scopes};
//!
//! #[derive(Clone)]
//! struct Claims { scopes: Scopes }
//!
//! impl HasScopes for Claims {
//!     fn has_scope(&self, scope: &str) -> bool { self.scopes.contains(scope) }
//! }
//!
//! let admin: Router = Router::new()
//!     .route("/admin", get(|| async { "admin" }))
//!     .route_layer(RequireScopeLayer::<Claims>::new(["admin"])?);
//! # Ok::<(), tower_bearer_auth::ConfigError>(())
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

use crate::challenge::is_scope_token;
use crate::counters::AuthCounters;
use crate::error::{AuthError, ConfigError, ErrorKind};
use crate::rejection::{DefaultRejection, Reject, Rejecter};

/// Claims that grant scopes.
pub trait HasScopes {
    /// Whether the claims grant `scope` (an exact, case-sensitive match:
    /// `Admin` and `superadmin` do not grant `admin`).
    fn has_scope(&self, scope: &str) -> bool;

    /// The subject the claims are about, named in the log event of a
    /// refusal for a missing scope; `None` unless implemented.
    fn subject(&self) -> Option<&str> {
        None
    }
}

impl<T: HasScopes + ?Sized> HasScopes for Arc<T> {
    fn has_scope(&self, scope: &str) -> bool {
        (**self).has_scope(scope)
    }

    fn subject(&self) -> Option<&str> {
        (**self).subject()
    }
}

/// A set of granted scopes: the OAuth `scope` claim (a space-delimited
/// string) or the `scp` array, kept as one space-delimited string.
///
/// Only scope-tokens as RFC 6749 §3.3 defines them count: one or more of
/// `%x21 / %x23-5B / %x5D-7E`, separated by single spaces (SP). Anything
/// else grants nothing: `"read\tadmin"` is one malformed scope, neither
/// `read` nor `admin`, so an issuer that copies a client's text into a
/// token cannot be tricked into granting a scope it did not mean to.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct Scopes(Arc<str>);

impl Scopes {
    /// Scopes from a space-delimited string (`"read write"`): split at SP
    /// only, each part kept if it is a scope-token.
    pub fn from_space_delimited(scopes: &str) -> Self {
        scopes.split(' ').collect()
    }

    /// Whether `scope` is one of them.
    pub fn contains(&self, scope: &str) -> bool {
        self.iter().any(|granted| granted == scope)
    }

    /// The scopes, in order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.split(' ').filter(|scope| !scope.is_empty())
    }

    /// The scopes as one space-delimited string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The scope-tokens among `iter`; anything else is left out.
impl<S: AsRef<str>> FromIterator<S> for Scopes {
    fn from_iter<I: IntoIterator<Item = S>>(iter: I) -> Self {
        let mut joined = String::new();
        for scope in iter {
            let scope = scope.as_ref();
            if !is_scope_token(scope) {
                continue;
            }
            if !joined.is_empty() {
                joined.push(' ');
            }
            joined.push_str(scope);
        }
        Self(joined.into())
    }
}

/// A space-delimited string (`"read admin"`, the OAuth `scope` claim) or an
/// array of strings (`["read", "admin"]`, the `scp` claim of some issuers).
#[cfg(feature = "serde")]
#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl<'de> serde::Deserialize<'de> for Scopes {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ScopesVisitor;

        impl<'de> serde::de::Visitor<'de> for ScopesVisitor {
            type Value = Scopes;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a space-delimited string or an array of strings")
            }

            fn visit_str<E: serde::de::Error>(self, scopes: &str) -> Result<Scopes, E> {
                Ok(Scopes::from_space_delimited(scopes))
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Scopes, A::Error> {
                let mut scopes = Vec::new();
                while let Some(scope) = seq.next_element::<std::borrow::Cow<'de, str>>()? {
                    scopes.push(scope);
                }
                Ok(scopes.iter().collect())
            }
        }

        deserializer.deserialize_any(ScopesVisitor)
    }
}

impl HasScopes for Scopes {
    fn has_scope(&self, scope: &str) -> bool {
        self.contains(scope)
    }
}

impl fmt::Display for Scopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Scopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// Requires the verified claims `C` to grant every one of a set of scopes.
///
/// A request without claims `C` (the authentication layer did not run, or
/// let an anonymous request through) is answered 401 with the challenge; one
/// whose claims lack a scope, 403 `insufficient_scope` with
/// `scope="<all required scopes>"`.
#[must_use]
pub struct RequireScopeLayer<C, R = DefaultRejection> {
    settings: ScopeSettings<R>,
    _claims: PhantomData<fn() -> C>,
}

#[derive(Clone)]
struct ScopeSettings<R> {
    required: Box<[Box<str>]>,
    joined: Arc<str>,
    rejecter: Rejecter<R>,
}

impl<C> RequireScopeLayer<C> {
    /// Requires every scope of `scopes`. Refuses an empty list and scopes with
    /// characters RFC 6750 §3 does not allow (space, `"`, `\`, controls,
    /// non-ASCII).
    ///
    /// Its challenges name the default realm; to share the realm and the
    /// rejection of an authentication layer, build it with
    /// [`BearerAuthLayer::require_scopes`](crate::BearerAuthLayer::require_scopes).
    pub fn new<I>(scopes: I) -> Result<Self, ConfigError>
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        Self::with_rejecter(scopes, Rejecter::new())
    }
}

impl<C, R> RequireScopeLayer<C, R> {
    pub(crate) fn with_rejecter<I>(scopes: I, rejecter: Rejecter<R>) -> Result<Self, ConfigError>
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        let required: Box<[Box<str>]> = scopes
            .into_iter()
            .map(|scope| {
                let scope = scope.as_ref();
                if is_scope_token(scope) {
                    Ok(Box::from(scope))
                } else {
                    Err(ConfigError::InvalidScope)
                }
            })
            .collect::<Result<_, _>>()?;
        if required.is_empty() {
            return Err(ConfigError::NoScopes);
        }
        let joined = Arc::from(required.join(" "));
        Ok(Self {
            settings: ScopeSettings {
                required,
                joined,
                rejecter,
            },
            _claims: PhantomData,
        })
    }

    /// Sets the realm named in challenges: use the one the authentication
    /// layer uses (default `"api"`).
    pub fn with_realm(mut self, realm: &str) -> Result<Self, ConfigError> {
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
    pub fn with_rejection<T>(self, rejection: T) -> RequireScopeLayer<C, T> {
        let ScopeSettings {
            required,
            joined,
            rejecter,
        } = self.settings;
        RequireScopeLayer {
            settings: ScopeSettings {
                required,
                joined,
                rejecter: rejecter.with_rejection(rejection),
            },
            _claims: PhantomData,
        }
    }
}

impl<S, C, R: Clone> Layer<S> for RequireScopeLayer<C, R> {
    type Service = RequireScope<S, C, R>;

    fn layer(&self, inner: S) -> Self::Service {
        RequireScope {
            inner,
            settings: Arc::new(self.settings.clone()),
            _claims: PhantomData,
        }
    }
}

impl<C, R: Clone> Clone for RequireScopeLayer<C, R> {
    fn clone(&self) -> Self {
        Self {
            settings: self.settings.clone(),
            _claims: PhantomData,
        }
    }
}

impl<C, R> fmt::Debug for RequireScopeLayer<C, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequireScopeLayer")
            .field("scopes", &self.settings.joined)
            .finish_non_exhaustive()
    }
}

/// Middleware that requires scopes; built by [`RequireScopeLayer`].
pub struct RequireScope<S, C, R = DefaultRejection> {
    inner: S,
    settings: Arc<ScopeSettings<R>>,
    _claims: PhantomData<fn() -> C>,
}

impl<S, C, R> RequireScope<S, C, R> {
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

impl<S, C, R, ReqBody, ResBody> Service<Request<ReqBody>> for RequireScope<S, C, R>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    C: HasScopes + Send + Sync + 'static,
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
        let error = match request.extensions().get::<C>() {
            Some(claims) if settings.required.iter().all(|s| claims.has_scope(s)) => {
                return ResponseFuture::calling(self.inner.call(request));
            }
            Some(claims) => {
                let error = AuthError::new(ErrorKind::InsufficientScope);
                match claims.subject() {
                    Some(subject) => error.with_subject(subject),
                    None => error,
                }
            }
            None => AuthError::new(ErrorKind::MissingCredentials),
        };
        let error = error.with_scope(Arc::clone(&settings.joined));
        let (head, _) = request.into_parts();
        ResponseFuture::rejected(settings.rejecter.respond(error, &head))
    }
}

impl<S: Clone, C, R> Clone for RequireScope<S, C, R> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
            settings: Arc::clone(&self.settings),
            _claims: PhantomData,
        }
    }
}

impl<S: fmt::Debug, C, R> fmt::Debug for RequireScope<S, C, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequireScope")
            .field("inner", &self.inner)
            .field("scopes", &self.settings.joined)
            .finish_non_exhaustive()
    }
}

pin_project! {
    /// Response future of [`RequireScope`] and
    /// [`RequireAuthentication`](crate::step_up::RequireAuthentication): the
    /// refusal made at once, or the inner service's answer.
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
    pub(crate) fn rejected(response: Res) -> Self {
        Self {
            state: State::Rejected {
                response: Some(response),
            },
        }
    }

    pub(crate) fn calling(call: F) -> Self {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_match_exactly() {
        let scopes = Scopes::from_space_delimited("read  admin:all Write");
        let cases = [
            ("read", true),
            ("admin:all", true),
            ("Write", true),
            ("write", false),
            ("admin", false),
            ("rea", false),
            ("", false),
        ];
        for (scope, granted) in cases {
            assert_eq!(scopes.has_scope(scope), granted, "{scope:?}");
        }
        assert_eq!(scopes.as_str(), "read admin:all Write");
        let from_array: Scopes = ["read", "", "bad scope", "admin"].into_iter().collect();
        assert_eq!(from_array.as_str(), "read admin");
        assert_eq!(format!("{from_array:?}"), r#"["read", "admin"]"#);
    }

    /// RFC 6749 §3.3: SP alone delimits, and a part with any byte outside
    /// the scope-token set grants nothing.
    #[test]
    fn only_space_delimits_and_only_scope_tokens_grant() {
        let cases: &[(&str, &[&str])] = &[
            ("read admin", &["read", "admin"]),
            (" read  admin ", &["read", "admin"]),
            ("read\tadmin", &[]),
            ("read\nadmin", &[]),
            ("read\radmin", &[]),
            ("read\x0cadmin", &[]),
            ("read \tadmin", &["read"]),
            ("read\u{a0}admin", &[]),
            ("admin\"", &[]),
            ("ad\\min read", &["read"]),
            ("adm\u{e9}n", &[]),
            ("admin\u{7f}", &[]),
        ];
        for (text, granted) in cases {
            let scopes = Scopes::from_space_delimited(text);
            assert_eq!(scopes.iter().collect::<Vec<_>>(), *granted, "{text:?}");
            assert!(
                !scopes.has_scope("admin") || granted.contains(&"admin"),
                "{text:?}"
            );
        }
        let from_array: Scopes = ["read\tadmin", "admin\n", "write"].into_iter().collect();
        assert_eq!(from_array.as_str(), "write");
    }

    #[test]
    fn requirements_are_checked() {
        assert!(RequireScopeLayer::<Scopes>::new(["admin", "read"]).is_ok());
        let empty: [&str; 0] = [];
        assert_eq!(
            RequireScopeLayer::<Scopes>::new(empty).err(),
            Some(ConfigError::NoScopes)
        );
        for bad in ["", "a b", "a\"b", "tök"] {
            assert_eq!(
                RequireScopeLayer::<Scopes>::new([bad]).err(),
                Some(ConfigError::InvalidScope),
                "{bad:?}"
            );
        }
        assert!(
            RequireScopeLayer::<Scopes>::new(["admin"])
                .and_then(|l| l.with_realm("a\"b"))
                .is_err()
        );
    }
}
