//! The [`Claims`] extractor for axum handlers (feature `axum`).

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
