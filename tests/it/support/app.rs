//! The router most tests put a verifier in front of: `GET /me` answers the
//! subject of the claims the handler saw, `GET /admin` also needs scope
//! `admin`. Plus a call through it in-process.

use axum::Router;
use axum::routing::get;
use tower_bearer_auth::axum::Claims;
use tower_bearer_auth::scope::HasScopes;
use tower_bearer_auth::{BearerAuthLayer, VerifyToken};
#[cfg(any(feature = "introspection", feature = "redis"))] // for `call`
use {
    axum::body::Body,
    http::{HeaderMap, Request, StatusCode},
    http_body_util::BodyExt,
    tower::ServiceExt,
};

/// Claims that name whom the token is about.
pub trait Subject {
    fn who(&self) -> String;
}

#[cfg(feature = "jwt")]
impl Subject for tower_bearer_auth::jwt::AccessClaims {
    fn who(&self) -> String {
        self.sub().unwrap_or_default().to_owned()
    }
}

#[cfg(feature = "introspection")]
impl<X> Subject for tower_bearer_auth::introspection::IntrospectionClaims<X> {
    fn who(&self) -> String {
        self.sub.clone().unwrap_or_default()
    }
}

/// `/me` answering the subject, `/admin` the subject once scope `admin` is
/// granted, both behind `verifier`.
pub fn app<V>(verifier: V) -> Router
where
    V: VerifyToken + Clone + Send + Sync + 'static,
    V::Future: Send,
    V::Claims: Subject + HasScopes,
{
    let layer = BearerAuthLayer::new(verifier);
    let me = |Claims(claims): Claims<V::Claims>| async move { claims.who() };
    Router::new()
        .route("/me", get(me))
        .route(
            "/admin",
            get(me).route_layer(layer.require_scopes(["admin"])),
        )
        .route_layer(layer)
}

/// What a call answered.
#[cfg(any(feature = "introspection", feature = "redis"))] // the tests calling in-process
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

#[cfg(any(feature = "introspection", feature = "redis"))]
impl Answer {
    /// The `WWW-Authenticate` challenge, or "".
    pub fn challenge(&self) -> &str {
        self.headers
            .get("www-authenticate")
            .map_or("", |value| value.to_str().expect("ASCII challenge"))
    }
}

/// `GET path` with `token` as a bearer token, through `app` in-process.
#[cfg(any(feature = "introspection", feature = "redis"))]
pub async fn call(app: &Router, path: &str, token: &str) -> Answer {
    let request = Request::get(path)
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())
        .expect("request");
    let response = app.clone().oneshot(request).await.expect("infallible");
    let status = response.status();
    let headers = response.headers().clone();
    let body = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    Answer {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}
