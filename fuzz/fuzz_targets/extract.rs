//! Token extraction from any header map and URI, through the layer: the
//! request is refused with an extraction error and its challenge, or the
//! verifier sees a `b64token` within the cap, taken from the source it
//! names, and the inner service sees no `access_token` in the URI. A
//! request whose only credential is a plain `Bearer <b64token>` within the
//! cap is accepted with exactly that token.

#![no_main]

use std::convert::Infallible;
use std::future::{Future, ready};
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use arbitrary::Arbitrary;
use http::header::{AUTHORIZATION, COOKIE, WWW_AUTHENTICATE};
use http::request::Parts;
use http::{HeaderName, HeaderValue, Request, Response, StatusCode, Uri};
use libfuzzer_sys::fuzz_target;
use tower::{Layer, Service, service_fn};
use tower_bearer_auth::{
    AuthError, BearerAuthLayer, BearerToken, ErrorKind, TokenExtractor, TokenSource,
};

#[path = "../../tests/support/grammar.rs"]
mod grammar;

#[derive(Arbitrary, Debug)]
struct Input<'a> {
    headers: Vec<(Name, &'a [u8])>,
    path_and_query: &'a str,
    max_len: u16,
}

#[derive(Arbitrary, Clone, Copy, Debug)]
enum Name {
    Authorization,
    Cookie,
    ApiToken,
    Other,
}

const API_TOKEN: HeaderName = HeaderName::from_static("x-api-token");
const COOKIE_NAME: &str = "access_token";

/// What the verifier saw, handed on to the inner service as the claims.
#[derive(Clone, Debug)]
struct Seen {
    token: String,
    source: TokenSource,
}

/// What the inner service saw: the claims and the URI.
#[derive(Clone, Debug)]
struct Forwarded {
    seen: Option<Seen>,
    uri: Uri,
}

fuzz_target!(|input: Input<'_>| {
    let Ok(uri) = Uri::try_from(format!("/{}", input.path_and_query)) else {
        return;
    };
    let mut request = Request::builder().uri(uri.clone());
    for (name, value) in &input.headers {
        let Ok(value) = HeaderValue::from_bytes(value) else {
            return;
        };
        let name = match name {
            Name::Authorization => AUTHORIZATION,
            Name::Cookie => COOKIE,
            Name::ApiToken => API_TOKEN,
            Name::Other => HeaderName::from_static("x-other"),
        };
        request = request.header(name, value);
    }
    let request = request.body(()).expect("a request");
    let headers = request.headers().clone();

    let Ok(extractor) = TokenExtractor::new()
        .with_header(API_TOKEN)
        .and_then(|e| e.with_cookie(COOKIE_NAME))
        .map(TokenExtractor::with_query_parameter)
        .and_then(|e| e.with_max_len(usize::from(input.max_len)))
    else {
        assert_eq!(input.max_len, 0, "only a zero cap is refused");
        return;
    };
    let max_len = extractor.max_len();
    let plain = plain_bearer_token(&headers, &uri, max_len);
    let verifier = |token: BearerToken, _: &Parts| {
        ready(Ok::<_, AuthError>(Seen {
            token: token.as_str().to_owned(),
            source: token.source(),
        }))
    };
    let inner = service_fn(|request: Request<()>| {
        let mut response = Response::new(());
        response.extensions_mut().insert(Forwarded {
            seen: request.extensions().get::<Seen>().cloned(),
            uri: request.uri().clone(),
        });
        ready(Ok::<_, Infallible>(response))
    });
    let mut service = BearerAuthLayer::new(verifier)
        .with_extractor(extractor)
        .layer(inner);
    let mut cx = Context::from_waker(Waker::noop());
    let Poll::Ready(Ok(response)) = pin!(service.call(request)).poll(&mut cx) else {
        panic!("a verdict known at once answers at once");
    };

    match response.extensions().get::<Forwarded>() {
        Some(forwarded) => {
            assert_eq!(response.status(), StatusCode::OK);
            let seen = forwarded
                .seen
                .as_ref()
                .expect("claims reach the inner service");
            if let Some(plain) = &plain {
                assert_eq!(&seen.token, plain);
                assert_eq!(seen.source, TokenSource::Authorization);
            }
            assert!(grammar::is_b64token(&seen.token), "{seen:?}");
            assert!(seen.token.len() <= max_len);
            let within = |name: &HeaderName| {
                headers
                    .get_all(name)
                    .iter()
                    .any(|value| contains(value.as_bytes(), seen.token.as_bytes()))
            };
            match seen.source {
                TokenSource::Authorization => assert!(within(&AUTHORIZATION)),
                TokenSource::Header => assert!(within(&API_TOKEN)),
                TokenSource::Cookie => assert!(within(&COOKIE)),
                TokenSource::Query => {
                    assert!(uri.query().is_some_and(|q| q.contains("access_token")));
                }
                other => panic!("source {other:?} was not configured"),
            }
            // RFC 6750 §5.3: the token does not travel on in the URL.
            let query = forwarded.uri.query().unwrap_or_default();
            assert!(
                !query
                    .split('&')
                    .any(|pair| pair == "access_token" || pair.starts_with("access_token=")),
                "forwarded {:?}",
                forwarded.uri
            );
        }
        None => {
            assert_eq!(plain, None, "a plain Bearer token was refused");
            let error = response.extensions().get::<AuthError>().expect("an error");
            let kind = error.kind();
            assert!(
                matches!(
                    kind,
                    ErrorKind::MissingCredentials
                        | ErrorKind::MalformedCredentials
                        | ErrorKind::TokenTooLong
                        | ErrorKind::MultipleTokens
                ),
                "{kind:?}"
            );
            assert_eq!(response.status(), kind.status());
            let challenge = response
                .headers()
                .get(WWW_AUTHENTICATE)
                .expect("a challenge");
            let text = challenge.to_str().expect("visible ASCII");
            let (scheme, params) = grammar::parse_challenge(text).expect("RFC 9110 challenge");
            assert_eq!(scheme, "Bearer");
            assert_eq!(params[0], ("realm".to_owned(), "api".to_owned()));
        }
    }
});

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

/// The token of a request whose only credential is one `Authorization:
/// Bearer <token>` (the scheme in any case, one space) within the cap, by
/// RFC 6750 §2.1 read on its own: no other token source is present.
fn plain_bearer_token(headers: &http::HeaderMap, uri: &Uri, max_len: usize) -> Option<String> {
    let mut values = headers.get_all(AUTHORIZATION).iter();
    let (Some(value), None) = (values.next(), values.next()) else {
        return None;
    };
    let others = headers.contains_key(API_TOKEN)
        || headers
            .get_all(COOKIE)
            .iter()
            .any(|cookie| contains(cookie.as_bytes(), COOKIE_NAME.as_bytes()))
        || uri
            .query()
            .is_some_and(|query| query.contains("access_token"));
    let value = value.to_str().ok()?;
    let token = value.get(7..)?;
    let is_bearer = value[..7].eq_ignore_ascii_case("bearer ");
    (is_bearer && !others && token.len() <= max_len && grammar::is_b64token(token))
        .then(|| token.to_owned())
}
