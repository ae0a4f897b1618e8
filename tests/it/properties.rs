//! Properties over generated input (proptest): what the extractor accepts
//! round-trips, every rendered challenge parses back (RFC 9110 §11.3) to the
//! attributes it was built from, and the answer's status depends on the
//! error kind alone.

use crate::support;
use crate::support::grammar;

use std::convert::Infallible;
use std::future::{Future, Ready, ready};
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use http::header::{AUTHORIZATION, CONTENT_TYPE, WWW_AUTHENTICATE};
use http::request::Parts;
use http::{HeaderMap, HeaderValue, Method, Request, Response, StatusCode, Uri};
use proptest::prelude::*;
use tower::{Layer, Service, service_fn};

use tower_bearer_auth::{AuthError, BearerAuthLayer, BearerToken, ErrorKind, TokenExtractor};

use grammar::{is_b64token, is_nqschar_text, is_scope_list, parse_challenge};
use support::ERROR_KINDS;

/// A `b64token` (RFC 6750 §2.1), by the grammar's own words.
const B64TOKEN: &str = "[A-Za-z0-9._~+/-]{1,64}={0,2}";

type Inner = fn(Request<()>) -> Ready<Result<Response<String>, Infallible>>;

fn ok(_: Request<()>) -> Ready<Result<Response<String>, Infallible>> {
    ready(Ok(Response::new(String::new())))
}

/// The layer's answer when its verifier refuses every token with `error`.
fn refused(
    layer: BearerAuthLayer<impl Fn(BearerToken, &Parts) -> Ready<Result<(), AuthError>> + Clone>,
    request: Request<()>,
) -> Response<String> {
    let mut service = layer.layer(service_fn(ok as Inner));
    let mut cx = Context::from_waker(Waker::noop());
    assert!(service.poll_ready(&mut cx).is_ready());
    match pin!(service.call(request)).poll(&mut cx) {
        Poll::Ready(Ok(response)) => response,
        Poll::Ready(Err(never)) => match never {},
        Poll::Pending => panic!("every future here is ready at once"),
    }
}

fn refusing(
    error: AuthError,
) -> impl Fn(BearerToken, &Parts) -> Ready<Result<(), AuthError>> + Clone {
    move |_, _| ready(Err(error.clone()))
}

/// The error a verifier could build from these parts.
fn error(kind: ErrorKind, description: Option<&str>, scope: Option<&str>) -> AuthError {
    let error = match (kind, scope) {
        (ErrorKind::InsufficientScope, Some(scope)) => AuthError::insufficient_scope(scope),
        _ => AuthError::new(kind),
    };
    match description {
        Some(description) => error.with_description(description.to_owned()),
        None => error,
    }
}

fn with_token(request: http::request::Builder) -> Request<()> {
    request
        .header(AUTHORIZATION, "Bearer valid-looking-token")
        .body(())
        .expect("a request")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Whatever an `Authorization` value holds, the extractor answers
    /// without panicking, and a token it takes is a `b64token` found in the
    /// value that, presented again, comes back the same.
    #[test]
    fn an_extracted_token_round_trips(value in proptest::collection::vec(any::<u8>(), 0..120)) {
        let Ok(value) = HeaderValue::from_bytes(&value) else {
            return Ok(());
        };
        let extractor = TokenExtractor::new();
        let uri = Uri::from_static("/");
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, value.clone());
        if let Ok(Some(token)) = extractor.extract(&headers, &uri) {
            prop_assert!(is_b64token(token.as_str()));
            let haystack = value.as_bytes();
            let needle = token.as_bytes();
            prop_assert!(haystack.windows(needle.len()).any(|w| w == needle));
            headers.insert(
                AUTHORIZATION,
                HeaderValue::try_from(format!("Bearer {}", token.as_str())).expect("a value"),
            );
            let again = extractor.extract(&headers, &uri).expect("accepted").expect("a token");
            prop_assert_eq!(again.as_str(), token.as_str());
        }
    }

    /// A well-formed `Bearer` credential, in any case, with any run of
    /// spaces and surrounding whitespace, yields exactly its token; one past
    /// the length cap is refused as too long.
    #[test]
    fn a_well_formed_credential_yields_its_token(
        token in B64TOKEN,
        scheme in "[Bb][Ee][Aa][Rr][Ee][Rr]",
        spaces in " {1,3}",
        before in "[ \t]{0,2}",
        after in "[ \t]{0,2}",
    ) {
        let uri = Uri::from_static("/");
        let mut headers = HeaderMap::new();
        let value = format!("{before}{scheme}{spaces}{token}{after}");
        headers.insert(AUTHORIZATION, HeaderValue::try_from(value).expect("a value"));
        let found = TokenExtractor::new().extract(&headers, &uri).expect("accepted");
        let found = found.expect("a token");
        prop_assert_eq!(found.as_str(), token.as_str());

        let capped = TokenExtractor::new().with_max_len(token.len() - 1);
        if let Ok(capped) = capped {
            let refused = capped.extract(&headers, &uri).expect_err("too long");
            prop_assert_eq!(refused.kind(), ErrorKind::TokenTooLong);
        }
    }

    /// Every challenge the layer sends parses back to the realm it was
    /// given, the kind's error code, the description it kept (the
    /// verifier's when RFC 6750 allows it, the kind's fixed text otherwise)
    /// and the scope when it is a valid scope list.
    #[test]
    fn a_rendered_challenge_parses_back_to_its_attributes(
        realm in prop_oneof!["[ -~]{0,30}", ".{0,30}"],
        kind in proptest::sample::select(&ERROR_KINDS[..]),
        description in proptest::option::of(prop_oneof!["[ -~]{0,40}", ".{0,40}", "[a-z ]{190,210}"]),
        scope in proptest::option::of(prop_oneof!["[a-z:]{1,8}( [a-z:]{1,8}){0,3}", "[ -~]{0,20}"]),
    ) {
        let layer = BearerAuthLayer::new(refusing(error(kind, description.as_deref(), scope.as_deref())));
        let valid_realm = !realm.is_empty() && is_nqschar_text(&realm);
        let layer = match layer.try_with_realm(&realm) {
            Ok(layer) => {
                prop_assert!(valid_realm, "realm {realm:?} accepted");
                layer
            }
            Err(_) => {
                prop_assert!(!valid_realm, "realm {realm:?} refused");
                return Ok(());
            }
        };
        let response = refused(layer, with_token(Request::builder()));
        let challenge = response.headers().get(WWW_AUTHENTICATE).expect("a challenge");
        let text = challenge.to_str().expect("visible ASCII");
        let (scheme, params) = parse_challenge(text).expect("parses as an RFC 9110 challenge");
        prop_assert_eq!(scheme, "Bearer");

        let mut expected = vec![("realm".to_owned(), realm.clone())];
        if let Some(code) = kind.error_code() {
            let kept = description
                .as_deref()
                .filter(|d| d.len() <= 200 && is_nqschar_text(d))
                .unwrap_or(kind.description());
            expected.push(("error".to_owned(), code.as_str().to_owned()));
            expected.push(("error_description".to_owned(), kept.to_owned()));
        }
        if kind == ErrorKind::InsufficientScope
            && let Some(scope) = scope.as_deref().filter(|s| is_scope_list(s))
        {
            expected.push(("scope".to_owned(), scope.to_owned()));
        }
        prop_assert_eq!(params, expected);
    }

    /// The status is the kind's, whatever the description, scope, method,
    /// path and other headers; a gRPC call gets 200 with the kind's
    /// `grpc-status` instead.
    #[test]
    fn the_status_depends_on_the_kind_alone(
        kind in proptest::sample::select(&ERROR_KINDS[..]),
        description in proptest::option::of("[ -~]{0,40}"),
        scope in proptest::option::of("[ -~]{0,20}"),
        method in proptest::sample::select(vec![Method::GET, Method::POST, Method::PUT, Method::DELETE, Method::PATCH]),
        path in "/[a-z0-9/._-]{0,20}",
        content_type in proptest::option::of(proptest::sample::select(vec![
            "application/json", "text/plain", "application/grpc", "application/grpc+proto", "APPLICATION/GRPC-web",
        ])),
    ) {
        let layer = BearerAuthLayer::new(refusing(error(kind, description.as_deref(), scope.as_deref())));
        let mut request = Request::builder().method(method).uri(path);
        if let Some(content_type) = content_type {
            request = request.header(CONTENT_TYPE, content_type);
        }
        let response = refused(layer, with_token(request));
        let grpc = content_type.is_some_and(|c| c.to_ascii_lowercase().starts_with("application/grpc"));
        if grpc {
            prop_assert_eq!(response.status(), StatusCode::OK);
            let status = response.headers().get("grpc-status").expect("grpc-status");
            let expected = kind.grpc_status().to_string();
            prop_assert_eq!(status.to_str().ok(), Some(expected.as_str()));
        } else {
            prop_assert_eq!(response.status(), kind.status());
            prop_assert!(response.headers().get("grpc-status").is_none());
        }
        let carried = response.extensions().get::<AuthError>().map(AuthError::kind);
        prop_assert_eq!(carried, Some(kind));
    }
}
