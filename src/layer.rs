//! [`BearerAuthLayer`]: the configuration of the middleware.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use http::header::{ACCESS_CONTROL_REQUEST_METHOD, ORIGIN};
use http::request::Parts;
use http::{Method, Response};
use tower_layer::Layer;

use crate::counters::AuthCounters;
use crate::error::{AuthError, ConfigError};
use crate::extract::TokenExtractor;
use crate::metadata::ProtectedResourceMetadata;
use crate::rejection::{DefaultRejection, Reject, Rejecter};
use crate::require::{RequireLayer, Requirement};
use crate::scheme::Schemes;
use crate::scope::{RequireScopeLayer, RequiredScopes};
use crate::service::BearerAuth;
use crate::settings::Settings;
use crate::step_up::{RequireAuthenticationLayer, RequiredAuthentication};
use crate::verify::VerifyToken;

/// Puts bearer-token authentication in front of a service.
///
/// Each request has its token extracted ([`TokenExtractor`]), verified by
/// `V` ([`VerifyToken`](crate::VerifyToken)), and its claims put into the
/// request extensions for the inner service; a refused request is answered
/// by `R` ([`DefaultRejection`]) and never reaches the inner service.
///
/// See the [crate docs](crate) for complete examples with axum, tonic and
/// hyper.
#[must_use]
pub struct BearerAuthLayer<V, R = DefaultRejection> {
    pub(crate) settings: Settings<V, R>,
}

impl<V> BearerAuthLayer<V> {
    /// Authentication with `verifier`, the token from the `Authorization`
    /// header, realm `"api"`, and the [`DefaultRejection`].
    pub fn new(verifier: V) -> Self {
        Self {
            settings: Settings {
                verifier,
                extractor: TokenExtractor::new(),
                rejecter: Rejecter::new(),
                optional: false,
                bypass: None,
            },
        }
    }
}

impl<V, R> BearerAuthLayer<V, R> {
    /// Sets the realm named in challenges (default `"api"`), written in the
    /// code. A realm read at run time goes through
    /// [`try_with_realm`](Self::try_with_realm).
    ///
    /// # Panics
    ///
    /// If `realm` is empty or has `"`, `\`, control or non-ASCII
    /// characters: a mistake in the code, seen at start-up.
    #[track_caller]
    pub fn with_realm(self, realm: &'static str) -> Self {
        self.try_with_realm(realm)
            .unwrap_or_else(|error| panic!("realm {realm:?}: {error}"))
    }

    /// Sets the realm named in challenges (default `"api"`). Refuses names
    /// that are empty or have `"`, `\`, control or non-ASCII characters.
    pub fn try_with_realm(mut self, realm: &str) -> Result<Self, ConfigError> {
        self.settings.rejecter.set_realm(realm)?;
        Ok(self)
    }

    /// Sets where the token is looked for.
    pub fn with_extractor(mut self, mut extractor: TokenExtractor) -> Self {
        // The schemes are the layer's, whatever the extractor's.
        extractor.set_schemes(self.settings.extractor.schemes());
        self.settings.extractor = extractor;
        self
    }

    /// Sets the `Retry-After` of a 503 answered when the verifier is
    /// unavailable and did not say how long for (default 5 seconds).
    pub fn with_retry_after(mut self, retry_after: Duration) -> Self {
        self.settings.rejecter.set_retry_after(retry_after);
        self
    }

    /// Answers refused requests with `rejection` instead of the
    /// [`DefaultRejection`].
    pub fn with_rejection<T>(self, rejection: T) -> BearerAuthLayer<V, T> {
        self.map(
            |verifier| verifier,
            |rejecter| rejecter.with_rejection(rejection),
        )
    }

    /// Accepts tokens under `schemes` and answers refusals with their
    /// challenges: how a scheme other than `Bearer` plugs in.
    #[allow(
        dead_code,
        reason = "the seam a scheme module plugs into; none may be built"
    )]
    pub(crate) fn with_schemes(mut self, schemes: &Schemes) -> Self {
        self.settings.extractor.set_schemes(schemes.accepted);
        self.settings.rejecter.set_challenges(schemes);
        self
    }

    /// The same layer with its verifier and rejecter replaced: how a
    /// wrapper around the verifier plugs in.
    pub(crate) fn map<W, T>(
        self,
        verifier: impl FnOnce(V) -> W,
        rejecter: impl FnOnce(Rejecter<R>) -> Rejecter<T>,
    ) -> BearerAuthLayer<W, T> {
        let Settings {
            verifier: inner,
            extractor,
            rejecter: answers,
            optional,
            bypass,
        } = self.settings;
        BearerAuthLayer {
            settings: Settings {
                verifier: verifier(inner),
                extractor,
                rejecter: rejecter(answers),
                optional,
                bypass,
            },
        }
    }

    /// Names `metadata`'s URL in every challenge: `resource_metadata` on
    /// each 401 and each 403 `insufficient_scope` (RFC 9728 §5.1), in gRPC
    /// answers' `www-authenticate` too; the requirement layers made
    /// afterwards ([`require`](Self::require) and the others) share it.
    /// Serve the document itself from
    /// [`resource_metadata`](Self::resource_metadata). See
    /// [`crate::metadata`].
    pub fn with_resource_metadata(mut self, metadata: ProtectedResourceMetadata) -> Self {
        self.settings.rejecter.set_resource_metadata(metadata);
        self
    }

    /// The protected resource metadata given to
    /// [`with_resource_metadata`](Self::with_resource_metadata), completed
    /// from this layer's configuration where the document left it unsaid:
    /// `bearer_methods_supported` from the token's sources, and with DPoP
    /// (feature `dpop`) its algorithms and whether DPoP is required. It is
    /// a tower `Service`: route it at its
    /// [`well_known_path`](ProtectedResourceMetadata::well_known_path).
    pub fn resource_metadata(&self) -> Option<ProtectedResourceMetadata> {
        let methods = self.settings.extractor.bearer_methods();
        let metadata = self.settings.rejecter.resource_metadata()?;
        Some(metadata.with_bearer_methods(&methods))
    }

    /// The answer this layer gives to `error` for the request `head`: its
    /// challenges, rejection, counters and logs, for a refusal found
    /// outside it (a middleware that reads the body, say).
    pub fn reject<B>(&self, error: AuthError, head: &Parts) -> Response<B>
    where
        R: Reject<B>,
    {
        self.settings.rejecter.respond(error, head)
    }

    /// Counts this layer's verdicts into `counters`, and those of the scope
    /// and step-up layers [`require_scopes`](Self::require_scopes) and
    /// [`require_authentication`](Self::require_authentication) make
    /// afterwards.
    pub fn with_counters(mut self, counters: AuthCounters) -> Self {
        self.settings.rejecter.set_counters(counters);
        self
    }

    /// Lets requests without a token through without claims. A request whose
    /// token is malformed or refused is still refused: sending garbage never
    /// downgrades a caller to anonymous.
    pub fn optional(mut self) -> Self {
        self.settings.optional = true;
        self
    }

    /// Lets requests for which `bypass` returns `true` through untouched,
    /// token or not (see [`is_cors_preflight`]).
    pub fn with_bypass<F>(mut self, bypass: F) -> Self
    where
        F: Fn(&Parts) -> bool + Send + Sync + 'static,
    {
        self.settings.bypass = Some(Arc::new(bypass));
        self
    }
}

impl<V: VerifyToken, R: Clone> BearerAuthLayer<V, R> {
    /// A [`RequireLayer`] checking `requirement` on this layer's claims,
    /// with its realm, rejection and counters, to put inside it on the
    /// routes it applies to: a closure `Fn(&V::Claims) -> Result<(), AuthError>`
    /// (a role, a claim value), [`RequiredScopes`] or
    /// [`RequiredAuthentication`]. See [`crate::require`].
    pub fn require<Q>(&self, requirement: Q) -> RequireLayer<Q, V::Claims, R>
    where
        Q: Requirement<V::Claims>,
    {
        RequireLayer::with_rejecter(requirement, self.settings.rejecter.clone())
    }

    /// A [`RequireScopeLayer`] for this layer's claims, with its realm and
    /// rejection, to put inside it on the routes that need `scopes`:
    ///
    /// ```
    /// use axum::{Router, routing::get};
    /// use tower_bearer_auth::{BearerAuthLayer, StaticTokens, scope::Scopes};
    ///
    /// let auth = BearerAuthLayer::new(StaticTokens::<Scopes>::new()).with_realm("shop");
    /// let app: Router = Router::new()
    ///     .route("/admin", get(|| async { "admin" }).route_layer(auth.require_scopes(["admin"])))
    ///     .route_layer(auth);
    /// ```
    ///
    /// Scopes read at run time go through
    /// [`try_require_scopes`](Self::try_require_scopes).
    ///
    /// # Panics
    ///
    /// If `scopes` is empty or one is not an RFC 6749 §3.3 scope-token: a
    /// mistake in the code, seen at start-up.
    #[track_caller]
    pub fn require_scopes<I>(&self, scopes: I) -> RequireScopeLayer<V::Claims, R>
    where
        I: IntoIterator<Item = &'static str>,
    {
        self.try_require_scopes(scopes)
            .unwrap_or_else(|error| panic!("required scopes: {error}"))
    }

    /// [`require_scopes`](Self::require_scopes) for scopes known at run
    /// time: refuses an empty list, and a scope that is not an RFC 6749
    /// §3.3 scope-token ([`ConfigError::NoScopes`], [`ConfigError::InvalidScope`]).
    pub fn try_require_scopes<I>(
        &self,
        scopes: I,
    ) -> Result<RequireScopeLayer<V::Claims, R>, ConfigError>
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        let rejecter = self.settings.rejecter.clone();
        RequiredScopes::new(scopes).map(|scopes| RequireLayer::with_rejecter(scopes, rejecter))
    }

    /// A [`RequireAuthenticationLayer`] for this layer's claims, with its
    /// realm, rejection and counters, to put inside it on the routes that
    /// need a stronger or more recent user authentication (RFC 9470): an
    /// `acr` among `acr_values` (in order of preference; empty, as
    /// [`ANY_ACR`](crate::step_up::ANY_ACR), for any) and, with `max_age`,
    /// an `auth_time` at most that long ago. See
    /// [`RequiredAuthentication::new`] for what is refused.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// use axum::{Router, routing::{get, post}};
    /// use tower_bearer_auth::step_up::{ANY_ACR, AuthenticationEvent};
    /// use tower_bearer_auth::{BearerAuthLayer, StaticTokens};
    ///
    /// #[derive(Clone)]
    /// struct User { acr: String, auth_time: i64 }
    ///
    /// impl AuthenticationEvent for User {
    ///     fn acr(&self) -> Option<&str> { Some(&self.acr) }
    ///     fn auth_time(&self) -> Option<i64> { Some(self.auth_time) }
    /// }
    ///
    /// let auth = BearerAuthLayer::new(StaticTokens::<User>::new()).with_realm("bank");
    /// let strong = auth.require_authentication(["hwk", "mfa"], Some(Duration::from_secs(300)))?;
    /// let recent = auth.require_authentication(ANY_ACR, Some(Duration::from_secs(3600)))?;
    /// let app: Router = Router::new()
    ///     .route("/transfer", post(|| async { "sent" }).route_layer(strong))
    ///     .route("/profile", get(|| async { "profile" }).route_layer(recent))
    ///     .route_layer(auth);
    /// # Ok::<(), tower_bearer_auth::ConfigError>(())
    /// ```
    pub fn require_authentication<I>(
        &self,
        acr_values: I,
        max_age: Option<Duration>,
    ) -> Result<RequireAuthenticationLayer<V::Claims, R>, ConfigError>
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        RequiredAuthentication::new(acr_values, max_age).map(|requirement| {
            RequireLayer::with_rejecter(requirement, self.settings.rejecter.clone())
        })
    }
}

/// Whether `head` is a CORS preflight (`OPTIONS` with `Origin` and
/// `Access-Control-Request-Method`), which browsers send without
/// credentials: pass it to [`BearerAuthLayer::with_bypass`] when a CORS layer
/// sits inside the authentication.
pub fn is_cors_preflight(head: &Parts) -> bool {
    head.method == Method::OPTIONS
        && head.headers.contains_key(ORIGIN)
        && head.headers.contains_key(ACCESS_CONTROL_REQUEST_METHOD)
}

impl<S, V: Clone, R: Clone> Layer<S> for BearerAuthLayer<V, R> {
    type Service = BearerAuth<S, V, R>;

    fn layer(&self, inner: S) -> Self::Service {
        BearerAuth::from_settings(inner, Arc::new(self.settings.clone()))
    }
}

impl<V: Clone, R: Clone> Clone for BearerAuthLayer<V, R> {
    fn clone(&self) -> Self {
        Self {
            settings: self.settings.clone(),
        }
    }
}

impl<V, R> fmt::Debug for BearerAuthLayer<V, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BearerAuthLayer")
            .field("settings", &self.settings)
            .finish()
    }
}
