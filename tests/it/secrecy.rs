//! The token never shows: not in `Debug` output, error messages, response
//! headers or bodies, whatever the answer.

use crate::support;

use std::future::ready;

use axum::Router;
use axum::body::Body;
use axum::routing::get;
use http::request::Parts;
use http::{HeaderMap, Request, Uri};
use tower::ServiceExt;
use tower_bearer_auth::scope::RequireScopeLayer;
use tower_bearer_auth::{
    AuthError, BearerAuthLayer, BearerToken, ErrorKind, Rejected, StaticTokens, TokenExtractor,
};

/// The secret every check looks for.
const SECRET: &str = "s3cr3t-t0ken-Zq8Xw2Lr9Kp4Vn7M";

fn assert_hidden(name: &str, text: &str) {
    assert!(!text.contains(SECRET), "{name} shows the token: {text}");
    assert!(
        !text.contains("s3cr3t"),
        "{name} shows part of the token: {text}"
    );
}

#[test]
fn debug_and_display_never_show_the_token() {
    let token: BearerToken = SECRET.parse().expect("valid token");
    assert_hidden("BearerToken Debug", &format!("{token:?}"));

    let tokens = StaticTokens::new()
        .with_token(SECRET, "claims")
        .expect("valid token");
    assert_hidden("StaticTokens Debug", &format!("{tokens:?}"));

    let layer = BearerAuthLayer::new(tokens.clone());
    assert_hidden("BearerAuthLayer Debug", &format!("{layer:?}"));
    let service = tower::Layer::layer(
        &layer,
        tower::service_fn(|_: Request<Body>| async {
            Ok::<_, std::convert::Infallible>(http::Response::new(Body::empty()))
        }),
    );
    assert_hidden("BearerAuth Debug", &format!("{service:?}"));

    let mut headers = HeaderMap::new();
    headers.insert(
        "authorization",
        format!("Bearer {SECRET}").parse().expect("header"),
    );
    let extracted = TokenExtractor::new()
        .extract(&headers, &Uri::from_static("/"))
        .expect("well formed")
        .expect("present");
    assert_hidden("extracted BearerToken Debug", &format!("{extracted:?}"));
    assert_eq!(
        extracted.as_str(),
        SECRET,
        "the value is there when asked for by name"
    );

    for kind in support::ERROR_KINDS {
        let error = AuthError::new(kind);
        assert_hidden("AuthError Display", &error.to_string());
        assert_hidden("AuthError Debug", &format!("{error:?}"));
    }
}

#[tokio::test]
async fn no_answer_carries_the_token() {
    let tokens = StaticTokens::new()
        .with_token(
            SECRET,
            support::ApiClaims {
                sub: "demo".to_owned(),
                scopes: Default::default(),
            },
        )
        .expect("valid token");
    // The rejection sees the request, whose head holds the token: its Debug
    // output must not show it either.
    let debug_rejection = |rejected: &Rejected<'_>| {
        let debug = format!("{rejected:?}");
        assert_hidden("Rejected Debug", &debug);
        rejected.default_response::<Body>()
    };
    let extractor = TokenExtractor::new().with_query_parameter();
    let app = Router::new()
        .route("/me", get(|| async { "me" }))
        .route(
            "/admin",
            get(|| async { "admin" }).route_layer(
                RequireScopeLayer::<support::ApiClaims>::new(["admin"]).expect("valid scope"),
            ),
        )
        .route_layer(
            BearerAuthLayer::new(tokens)
                .with_extractor(extractor.clone())
                .with_rejection(debug_rejection),
        )
        .merge(
            Router::new()
                .route("/down", get(|| async { "down" }))
                .route_layer(
                    BearerAuthLayer::new(|_: BearerToken, _: &Parts| {
                        ready(Err::<(), _>(AuthError::unavailable()))
                    })
                    .with_extractor(extractor),
                ),
        );
    let address = support::serve(app).await;

    let bearer = format!("Authorization: Bearer {SECRET}");
    let cases: Vec<(&str, String, Vec<Vec<u8>>, u16)> = vec![
        (
            "scope refused",
            "/admin".into(),
            vec![bearer.clone().into_bytes()],
            403,
        ),
        (
            "extra word",
            "/me".into(),
            vec![format!("{bearer} x").into_bytes()],
            400,
        ),
        (
            "padded",
            "/me".into(),
            vec![format!("{bearer}=").into_bytes()],
            401,
        ),
        (
            "two headers",
            "/me".into(),
            vec![bearer.clone().into_bytes(), bearer.clone().into_bytes()],
            400,
        ),
        (
            "header and query",
            format!("/me?access_token={SECRET}"),
            vec![bearer.clone().into_bytes()],
            400,
        ),
        (
            "query twice",
            format!("/me?access_token={SECRET}&access_token={SECRET}"),
            vec![],
            400,
        ),
        (
            "unavailable",
            "/down".into(),
            vec![bearer.clone().into_bytes()],
            503,
        ),
        (
            "tab",
            "/me".into(),
            vec![format!("Authorization: Bearer\t{SECRET}").into_bytes()],
            400,
        ),
        (
            "quote",
            "/me".into(),
            vec![format!("Authorization: Bearer \"{SECRET}\"").into_bytes()],
            400,
        ),
    ];
    for (name, path, headers, status) in cases {
        let headers: Vec<&[u8]> = headers.iter().map(Vec::as_slice).collect();
        let response = support::get(address, &path, &headers).await;
        assert_eq!(response.status, status, "case {name}");
        assert_hidden(name, &String::from_utf8_lossy(&response.raw));
    }

    // And through tower directly, the error in the extensions too.
    let app = Router::new()
        .route("/me", get(|| async { "me" }))
        .route_layer(BearerAuthLayer::new(support::tokens()));
    let request = Request::get("/me")
        .header("authorization", format!("Bearer {SECRET}"))
        .body(Body::empty())
        .expect("request");
    let response = app.oneshot(request).await.expect("infallible");
    let error = response
        .extensions()
        .get::<AuthError>()
        .expect("error attached");
    assert_eq!(error.kind(), ErrorKind::InvalidToken);
    assert_hidden("AuthError in the extensions", &format!("{error:?} {error}"));
}
