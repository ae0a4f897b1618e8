//! The [`Claims`] extractor for axum handlers (feature `axum`).
//!
//! A router with a public route, routes for any valid token and a route
//! that needs scope `admin`, and what each request gets:
//!
//! ```
//! use axum::{Router, body::Body, routing::get};
//! use http::{Request, StatusCode};
//! use tower::ServiceExt;
//! use tower_bearer_auth::{BearerAuthLayer, StaticTokens, axum::Claims};
//! use tower_bearer_auth::scope::{HasScopes, Scopes};
//!
//! #[derive(Clone)]
//! struct User { name: &'static str, scopes: Scopes }
//!
//! impl HasScopes for User {
//!     fn has_scope(&self, scope: &str) -> bool { self.scopes.contains(scope) }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let tokens = StaticTokens::new().with_token(
//!     "3Yp9-kq2HcW8xTzL4mNvB1rQ",
//!     User { name: "alice", scopes: Scopes::from_space_delimited("read") },
//! )?;
//!
//! let auth = BearerAuthLayer::new(tokens).with_realm("example");
//! let app = Router::new()
//!     .route("/me", get(|Claims(user): Claims<User>| async move { user.name }))
//!     .route("/admin", get(|| async { "admin" }).route_layer(auth.require_scopes(["admin"])))
//!     .route_layer(auth)
//!     .route("/public", get(|| async { "public" }));
//!
//! let request = |uri, token: Option<&str>| {
//!     let mut request = Request::get(uri);
//!     if let Some(token) = token {
//!         request = request.header("authorization", format!("Bearer {token}"));
//!     }
//!     request.body(Body::empty()).unwrap()
//! };
//!
//! let response = app.clone().oneshot(request("/me", Some("3Yp9-kq2HcW8xTzL4mNvB1rQ"))).await?;
//! assert_eq!(response.status(), StatusCode::OK);
//!
//! let response = app.clone().oneshot(request("/me", None)).await?;
//! assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
//! assert_eq!(response.headers()["www-authenticate"], r#"Bearer realm="example""#);
//!
//! let response = app.clone().oneshot(request("/admin", Some("3Yp9-kq2HcW8xTzL4mNvB1rQ"))).await?;
//! assert_eq!(response.status(), StatusCode::FORBIDDEN);
//! assert_eq!(
//!     response.headers()["www-authenticate"],
//!     r#"Bearer realm="example", error="insufficient_scope", error_description="the access token lacks a required scope", scope="admin""#,
//! );
//!
//! let response = app.oneshot(request("/public", None)).await?;
//! assert_eq!(response.status(), StatusCode::OK);
//! # Ok(())
//! # }
//! ```

use std::convert::Infallible;
use std::fmt;
use std::ops::{Deref, DerefMut};

use axum_core::extract::{FromRequestParts, OptionalFromRequestParts};
use axum_core::response::{IntoResponse, Response};
use http::StatusCode;
use http::header::WWW_AUTHENTICATE;
use http::request::Parts;

use crate::challenge::Realm;
use crate::error::{AuthError, ErrorKind};

/// The claims [`BearerAuthLayer`](crate::BearerAuthLayer) verified, for a
/// handler.
///
/// When the request has none (the layer did not run on this route, or let an
/// anonymous request through), the extractor answers 401 with the
/// `WWW-Authenticate` challenge rather than axum's 500 for a missing
/// extension. `Option<Claims<C>>` is `None` instead.
///
/// ```
/// use tower_bearer_auth::axum::Claims;
///
/// #[derive(Clone)]
/// struct User { name: String }
///
/// async fn me(Claims(user): Claims<User>) -> String {
///     user.name
/// }
///
/// async fn hello(user: Option<Claims<User>>) -> String {
///     match user {
///         Some(Claims(user)) => format!("hello {}", user.name),
///         None => "hello stranger".to_owned(),
///     }
/// }
/// # let _: axum::Router = axum::Router::new()
/// #     .route("/me", axum::routing::get(me))
/// #     .route("/hello", axum::routing::get(hello));
/// ```
#[derive(Clone, Copy, Default)]
pub struct Claims<C>(pub C);

impl<S, C> FromRequestParts<S> for Claims<C>
where
    S: Send + Sync,
    C: Clone + Send + Sync + 'static,
{
    type Rejection = MissingClaims;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<C>() {
            Some(claims) => Ok(Self(claims.clone())),
            None => Err(MissingClaims {
                realm: parts.extensions.get::<Realm>().cloned().unwrap_or_default(),
            }),
        }
    }
}

impl<S, C> OptionalFromRequestParts<S> for Claims<C>
where
    S: Send + Sync,
    C: Clone + Send + Sync + 'static,
{
    type Rejection = Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        Ok(parts.extensions.get::<C>().cloned().map(Self))
    }
}

impl<C> Deref for Claims<C> {
    type Target = C;

    fn deref(&self) -> &C {
        &self.0
    }
}

impl<C> DerefMut for Claims<C> {
    fn deref_mut(&mut self) -> &mut C {
        &mut self.0
    }
}

impl<C> fmt::Debug for Claims<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Claims are the user's type and may hold personal data.
        f.write_str("Claims(..)")
    }
}

/// The rejection of [`Claims`]: 401 with the `WWW-Authenticate: Bearer`
/// challenge of the realm the layer used, and an
/// [`AuthError`] of kind [`MissingCredentials`](ErrorKind::MissingCredentials)
/// in the response extensions.
#[derive(Debug)]
pub struct MissingClaims {
    realm: Realm,
}

impl fmt::Display for MissingClaims {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(ErrorKind::MissingCredentials.description())
    }
}

impl std::error::Error for MissingClaims {}

impl IntoResponse for MissingClaims {
    fn into_response(self) -> Response {
        let error = AuthError::new(ErrorKind::MissingCredentials);
        let mut response = StatusCode::UNAUTHORIZED.into_response();
        response
            .headers_mut()
            .insert(WWW_AUTHENTICATE, self.realm.challenge(&error));
        response.extensions_mut().insert(error);
        response
    }
}
