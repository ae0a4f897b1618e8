//! Challenge rendering from any realm, error kind, description, scope and
//! protected resource (RFC 9728), over HTTP and gRPC: the status is the
//! kind's, the `WWW-Authenticate` value parses (RFC 9110 §11.3) back to
//! the attributes it was built from, `grpc-message` is percent-encoded
//! visible ASCII, and an accepted resource's metadata is JSON that names
//! it.

#![no_main]

use std::convert::Infallible;
use std::future::{Future, ready};
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use arbitrary::Arbitrary;
use http::header::{AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER, WWW_AUTHENTICATE};
use http::request::Parts;
use http::{Request, Response, StatusCode};
use libfuzzer_sys::fuzz_target;
use tower::{Layer, Service, service_fn};
use tower_bearer_auth::metadata::ProtectedResourceMetadata;
use tower_bearer_auth::{AuthError, BearerAuthLayer, BearerToken, ErrorKind};

#[path = "../../tests/support/grammar.rs"]
mod grammar;

#[derive(Arbitrary, Debug)]
struct Input {
    realm: String,
    kind: u8,
    description: Option<String>,
    scope: Option<String>,
    retry_after: Option<u32>,
    grpc: bool,
    resource: Option<String>,
}

fuzz_target!(|input: Input| {
    let kind = ErrorKind::ALL[usize::from(input.kind) % ErrorKind::ALL.len()];
    let mut error = AuthError::new(kind);
    if let Some(scope) = &input.scope {
        if kind == ErrorKind::InsufficientScope {
            error = AuthError::insufficient_scope(scope);
        }
    }
    if let Some(description) = input.description.clone() {
        error = error.with_description(description);
    }
    if let Some(seconds) = input.retry_after {
        error = error.with_retry_after(Duration::from_secs(seconds.into()));
    }
    let verifier = move |_: BearerToken, _: &Parts| ready(Err::<(), _>(error.clone()));
    let layer = BearerAuthLayer::new(verifier);
    let valid_realm = !input.realm.is_empty() && grammar::is_nqschar_text(&input.realm);
    let layer = match layer.try_with_realm(&input.realm) {
        Ok(layer) => {
            assert!(valid_realm, "realm {:?} accepted", input.realm);
            layer
        }
        Err(_) => {
            assert!(!valid_realm, "realm {:?} refused", input.realm);
            return;
        }
    };
    let metadata = input.resource.as_deref().and_then(|resource| {
        let metadata = ProtectedResourceMetadata::builder(resource).build().ok()?;
        assert!(
            grammar::is_nqschar_text(resource)
                && !resource.contains(['#', '?'])
                && (resource.starts_with("https://") || resource.starts_with("http://")),
            "resource {resource:?} accepted"
        );
        let document: serde_json::Value =
            serde_json::from_str(metadata.to_json()).expect("the document is JSON");
        assert_eq!(document["resource"], resource);
        Some(metadata)
    });
    let layer = match &metadata {
        Some(metadata) => layer.with_resource_metadata(metadata.clone()),
        None => layer,
    };
    let inner = service_fn(|_: Request<()>| ready(Ok::<_, Infallible>(Response::new(()))));
    let mut service = layer.layer(inner);
    let mut request = Request::builder().header(AUTHORIZATION, "Bearer a-token-0123456789");
    if input.grpc {
        request = request.header(CONTENT_TYPE, "application/grpc");
    }
    let mut cx = Context::from_waker(Waker::noop());
    let call = service.call(request.body(()).expect("a request"));
    let Poll::Ready(Ok(response)) = pin!(call).poll(&mut cx) else {
        panic!("a verdict known at once answers at once");
    };

    let headers = response.headers();
    if input.grpc {
        assert_eq!(response.status(), StatusCode::OK);
        let status = headers.get("grpc-status").expect("grpc-status");
        assert_eq!(
            status.to_str().ok(),
            Some(kind.grpc_status().to_string().as_str())
        );
        let message = headers.get("grpc-message").expect("grpc-message");
        assert!(
            message
                .as_bytes()
                .iter()
                .all(|&b| (0x20..=0x7E).contains(&b))
        );
    } else {
        assert_eq!(response.status(), kind.status());
    }
    assert_eq!(
        headers.contains_key(RETRY_AFTER),
        kind == ErrorKind::Unavailable
    );

    let challenge = headers.get(WWW_AUTHENTICATE).expect("a challenge");
    let text = challenge.to_str().expect("visible ASCII");
    let (scheme, params) = grammar::parse_challenge(text).expect("RFC 9110 challenge");
    assert_eq!(scheme, "Bearer");
    let mut expected = vec![("realm".to_owned(), input.realm.clone())];
    if let Some(metadata) = &metadata {
        expected.push(("resource_metadata".to_owned(), metadata.url().to_owned()));
    }
    if let Some(code) = kind.error_code() {
        let kept = input
            .description
            .as_deref()
            .filter(|d| d.len() <= 200 && grammar::is_nqschar_text(d))
            .unwrap_or(kind.description());
        expected.push(("error".to_owned(), code.as_str().to_owned()));
        expected.push(("error_description".to_owned(), kept.to_owned()));
    }
    if kind == ErrorKind::InsufficientScope
        && let Some(scope) = input.scope.as_deref().filter(|s| grammar::is_scope_list(s))
    {
        expected.push(("scope".to_owned(), scope.to_owned()));
    }
    assert_eq!(params, expected);
});
