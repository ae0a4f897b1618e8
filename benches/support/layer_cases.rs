//! The services `benches/layer.rs` and `benches/layer_instructions.rs`
//! compare: the same trivial handler bare, behind `BearerAuthLayer` and
//! behind tower-http's static bearer check.

// Each bench uses its part; tower-http's static bearer check is deprecated
// since 0.6.7, and still the closest equivalent to compare with.
#![allow(dead_code, deprecated)]

use std::convert::Infallible;
use std::future::{Ready, ready};

use http::header::{ACCEPT, AUTHORIZATION, HeaderName};
use http::request::Parts;
use http::{HeaderValue, Request, Response, StatusCode};
use tower::util::ServiceFn;
use tower::{Layer, service_fn};

use tower_bearer_auth::{
    AuthError, BearerAuth, BearerAuthLayer, BearerToken, StaticTokens, Verdict, VerifyToken,
};
use tower_http::add_extension::{AddExtension, AddExtensionLayer};
use tower_http::auth::require_authorization::Bearer;
use tower_http::validate_request::{ValidateRequestHeader, ValidateRequestHeaderLayer};

pub(crate) const TOKEN: &str = "3Yp9-kq2HcW8xTzL4mNvB1rQ";

/// The headers of the cases: every request carries exactly one, so
/// building one costs the same whatever the case.
pub(crate) const ACCEPTED: (HeaderName, &str) = (AUTHORIZATION, "Bearer 3Yp9-kq2HcW8xTzL4mNvB1rQ");
pub(crate) const MALFORMED: (HeaderName, &str) = (AUTHORIZATION, "Bearer a b");
pub(crate) const MISSING: (HeaderName, &str) = (ACCEPT, "application/json");

/// The claims attached by the layer.
#[derive(Clone, Debug)]
pub(crate) struct User {
    _id: u64,
}

pub(crate) type Handler = fn(Request<()>) -> Ready<Result<Response<String>, Infallible>>;

/// The inner service: answers at once, 200 when the layer attached claims,
/// 204 otherwise.
pub(crate) fn bare() -> ServiceFn<Handler> {
    service_fn(handler as Handler)
}

fn handler(request: Request<()>) -> Ready<Result<Response<String>, Infallible>> {
    let mut response = Response::new(String::new());
    if request.extensions().get::<User>().is_none() {
        *response.status_mut() = StatusCode::NO_CONTENT;
    }
    ready(Ok(response))
}

/// A verifier that accepts any token at once, and says so
/// (`verify_now`): the layer's own cost, nothing else.
#[derive(Clone, Debug)]
pub(crate) struct Accept;

impl VerifyToken for Accept {
    type Claims = User;
    type Future = Ready<Result<User, AuthError>>;

    fn verify(&self, _token: BearerToken, _head: &Parts) -> Self::Future {
        ready(Ok(User { _id: 7 }))
    }

    fn verify_now(&self, token: BearerToken, head: &Parts) -> Verdict<User, Self::Future> {
        Verdict::Now(self.verify(token, head).into_inner())
    }
}

/// `BearerAuthLayer` with a verifier that accepts any token at once.
pub(crate) fn accepting() -> BearerAuth<ServiceFn<Handler>, Accept> {
    BearerAuthLayer::new(Accept).layer(bare())
}

/// `BearerAuthLayer` with `StaticTokens` knowing [`TOKEN`].
pub(crate) fn static_tokens() -> BearerAuth<ServiceFn<Handler>, StaticTokens<User>> {
    let tokens = StaticTokens::new()
        .with_token(TOKEN, User { _id: 7 })
        .expect("valid token");
    BearerAuthLayer::new(tokens).layer(bare())
}

/// tower-http's static bearer check for [`TOKEN`].
pub(crate) fn tower_http() -> ValidateRequestHeader<ServiceFn<Handler>, Bearer<String>> {
    ValidateRequestHeaderLayer::bearer(TOKEN).layer(bare())
}

/// tower-http's static check followed by its `AddExtension` layer putting
/// a `User` into the request: what the same two steps as ours cost there.
pub(crate) fn tower_http_with_claims()
-> ValidateRequestHeader<AddExtension<ServiceFn<Handler>, User>, Bearer<String>> {
    let inner = AddExtensionLayer::new(User { _id: 7 }).layer(bare());
    ValidateRequestHeaderLayer::bearer(TOKEN).layer(inner)
}

/// The request of every case: one header, an empty body. The value is
/// static, so cloning it costs about what cloning hyper's does (a
/// reference-counted slice of its read buffer). A value copied from a
/// `&str` would allocate at its first clone instead (the layer's token is
/// one), which no server request pays.
pub(crate) fn request((name, value): &(HeaderName, &'static str)) -> Request<()> {
    Request::builder()
        .header(name.clone(), HeaderValue::from_static(value))
        .body(())
        .expect("valid request")
}
