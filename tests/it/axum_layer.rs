//! The layer in an axum application over 127.0.0.1: the claims handlers see,
//! the extractor, optional authentication, bypass, custom rejections, the
//! error in the response extensions, and the 503 of an unavailable verifier.

use crate::support;

use std::future::{Ready, ready};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::response::Response;
use axum::routing::{get, options};
use http::request::Parts;
use http::{HeaderValue, StatusCode, Uri};
use support::{ApiClaims, READ_TOKEN, UNKNOWN_TOKEN};
use tower_bearer_auth::axum::Claims;
use tower_bearer_auth::{
    AuthError, BearerAuthLayer, BearerToken, Rejected, TokenExtractor, VerifyToken,
    is_cors_preflight,
};

fn bearer(token: &str) -> Vec<u8> {
    format!("Authorization: Bearer {token}").into_bytes()
}

/// Copies the kind of the `AuthError` in the response extensions into a
/// header, as a logging layer outside would read it.
async fn expose_error_kind(mut response: Response) -> Response {
    if let Some(error) = response.extensions().get::<AuthError>() {
        let kind = format!("{:?}", error.kind());
        let value = HeaderValue::from_str(&kind).expect("kind is ASCII");
        response.headers_mut().insert("x-auth-error", value);
    }
    response
}

#[tokio::test]
async fn handler_sees_the_claims_and_the_original_header() {
    let app = Router::new()
        .route(
            "/me",
            get(|Claims(c): Claims<ApiClaims>, head: Parts| async move {
                let header = head.headers.get("authorization").is_some();
                format!("sub={} scope={} header={header}", c.sub, c.scopes)
            }),
        )
        .route_layer(BearerAuthLayer::new(support::tokens()));
    let address = support::serve(app).await;

    let response = support::get(address, "/me", &[&bearer(READ_TOKEN)]).await;
    assert_eq!(response.status, 200);
    assert_eq!(response.body_text(), "sub=demo scope=read header=true");
}

#[tokio::test]
async fn extractor_without_the_layer_answers_401_with_a_challenge() {
    let app = Router::new().route(
        "/me",
        get(|Claims(c): Claims<ApiClaims>| async move { c.sub }),
    );
    let address = support::serve(app).await;

    let response = support::get(address, "/me", &[&bearer(READ_TOKEN)]).await;
    assert_eq!(response.status, 401);
    assert_eq!(
        response.header("www-authenticate").as_deref(),
        Some(r#"Bearer realm="api""#)
    );
    assert_eq!(response.body_text(), "");
}

#[tokio::test]
async fn optional_authentication() {
    let who = |claims: Option<Claims<ApiClaims>>| async move {
        claims.map_or("anonymous".to_owned(), |Claims(c)| c.sub)
    };
    let app = Router::new()
        .route("/hello", get(who))
        .route(
            "/me",
            get(|Claims(c): Claims<ApiClaims>| async move { c.sub }),
        )
        .route_layer(
            BearerAuthLayer::new(support::tokens())
                .optional()
                .with_realm("shop"),
        )
        .layer(axum::middleware::map_response(expose_error_kind));
    let address = support::serve(app).await;

    /// Name, path, header line, status, challenge, body.
    type Case = (
        &'static str,
        &'static str,
        Vec<u8>,
        u16,
        Option<&'static str>,
        &'static str,
    );
    let cases: &[Case] = &[
        ("anonymous", "/hello", vec![], 200, None, "anonymous"),
        (
            "valid token",
            "/hello",
            bearer(READ_TOKEN),
            200,
            None,
            "demo",
        ),
        (
            "invalid token is not downgraded",
            "/hello",
            bearer(UNKNOWN_TOKEN),
            401,
            Some(
                r#"Bearer realm="shop", error="invalid_token", error_description="the access token is invalid""#,
            ),
            "",
        ),
        (
            "malformed token is not downgraded",
            "/hello",
            bearer("a b"),
            400,
            Some(
                r#"Bearer realm="shop", error="invalid_request", error_description="the authorization credentials are malformed""#,
            ),
            "",
        ),
        (
            "anonymous on a route that needs claims",
            "/me",
            vec![],
            401,
            Some(r#"Bearer realm="shop""#),
            "",
        ),
    ];
    for (name, path, header, status, challenge, body) in cases {
        let headers: Vec<&[u8]> = if header.is_empty() {
            vec![]
        } else {
            vec![header]
        };
        let response = support::get(address, path, &headers).await;
        assert_eq!(response.status, *status, "case {name}");
        assert_eq!(
            response.header("www-authenticate").as_deref(),
            *challenge,
            "case {name}"
        );
        assert_eq!(response.body_text(), *body, "case {name}");
    }
}

#[tokio::test]
async fn cors_preflight_bypasses_authentication() {
    let app = Router::new()
        .route(
            "/me",
            options(|| async { "preflight" }).get(|| async { "get" }),
        )
        .route_layer(BearerAuthLayer::new(support::tokens()).with_bypass(is_cors_preflight));
    let address = support::serve(app).await;

    let preflight = b"OPTIONS /me HTTP/1.1\r\nHost: x\r\nConnection: close\r\nOrigin: https://app.example\r\nAccess-Control-Request-Method: GET\r\n\r\n";
    let response = support::send(address, preflight).await;
    assert_eq!(response.status, 200);
    assert_eq!(response.body_text(), "preflight");

    let bare_options = b"OPTIONS /me HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    let response = support::send(address, bare_options).await;
    assert_eq!(response.status, 401);
    assert_eq!(
        response.header("www-authenticate").as_deref(),
        Some(r#"Bearer realm="api""#)
    );

    let response = support::get(address, "/me", &[]).await;
    assert_eq!(response.status, 401);
}

#[tokio::test]
async fn the_error_is_in_the_response_extensions() {
    let app = Router::new()
        .route("/me", get(|| async { "me" }))
        .route_layer(BearerAuthLayer::new(support::tokens()))
        .layer(axum::middleware::map_response(expose_error_kind));
    let address = support::serve(app).await;

    let cases: &[(&str, Vec<u8>, &str)] = &[
        ("missing", vec![], "MissingCredentials"),
        ("malformed", bearer("a\tb"), "MalformedCredentials"),
        ("unknown", bearer(UNKNOWN_TOKEN), "InvalidToken"),
    ];
    for (name, header, kind) in cases {
        let headers: Vec<&[u8]> = if header.is_empty() {
            vec![]
        } else {
            vec![header]
        };
        let response = support::get(address, "/me", &headers).await;
        assert_eq!(
            response.header("x-auth-error").as_deref(),
            Some(*kind),
            "case {name}"
        );
    }
    let response = support::get(address, "/me", &[&bearer(READ_TOKEN)]).await;
    assert_eq!(response.status, 200);
    assert_eq!(response.header("x-auth-error"), None);
}

#[tokio::test]
async fn custom_rejection_replaces_the_default() {
    let json = |rejected: &Rejected<'_>| {
        let mut response = rejected.default_response::<Body>();
        let body = format!("{{\"error\":\"{}\"}}", rejected.error());
        *response.body_mut() = Body::from(body);
        response
    };
    // A rejection that forgets the challenge on its 401.
    let bare = |rejected: &Rejected<'_>| {
        let mut response = Response::new(Body::from("no"));
        *response.status_mut() = rejected.error().kind().status();
        response
    };
    let app = Router::new()
        .route("/json", get(|| async { "json" }))
        .route_layer(BearerAuthLayer::new(support::tokens()).with_rejection(json))
        .merge(
            Router::new()
                .route("/bare", get(|| async { "bare" }))
                .route_layer(BearerAuthLayer::new(support::tokens()).with_rejection(bare)),
        );
    let address = support::serve(app).await;

    let response = support::get(address, "/json", &[&bearer(UNKNOWN_TOKEN)]).await;
    assert_eq!(response.status, 401);
    assert_eq!(
        response.body_text(),
        r#"{"error":"the access token is invalid"}"#
    );
    assert!(
        response
            .header("www-authenticate")
            .is_some_and(|c| c.contains("invalid_token"))
    );

    // RFC 9110 §11.6.1: a 401 carries a challenge, so the layer adds one.
    let response = support::get(address, "/bare", &[]).await;
    assert_eq!(response.status, 401);
    assert_eq!(response.body_text(), "no");
    assert_eq!(
        response.header("www-authenticate").as_deref(),
        Some(r#"Bearer realm="api""#)
    );

    // RFC 6750 §3: so does a 400 or a 403.
    let response = support::get(address, "/bare", &[&bearer("a b")]).await;
    assert_eq!(response.status, 400);
    assert_eq!(
        response.header("www-authenticate").as_deref(),
        Some(
            r#"Bearer realm="api", error="invalid_request", error_description="the authorization credentials are malformed""#
        )
    );
}

/// A verifier whose backing store is down.
#[derive(Clone)]
struct Down(Option<Duration>);

impl tower_bearer_auth::VerifyToken for Down {
    type Claims = ApiClaims;
    type Future = Ready<Result<ApiClaims, AuthError>>;

    fn verify(&self, _token: BearerToken, _head: &Parts) -> Self::Future {
        let error = AuthError::unavailable();
        ready(Err(match self.0 {
            Some(retry_after) => error.with_retry_after(retry_after),
            None => error,
        }))
    }
}

#[tokio::test]
async fn unavailable_verifier_is_503_with_retry_after() {
    let app = Router::new()
        .route("/default", get(|| async { "unreachable" }))
        .route_layer(BearerAuthLayer::new(Down(None)))
        .merge(
            Router::new()
                .route("/configured", get(|| async { "unreachable" }))
                .route_layer(
                    BearerAuthLayer::new(Down(None)).with_retry_after(Duration::from_secs(30)),
                ),
        )
        .merge(
            Router::new()
                .route("/verifier", get(|| async { "unreachable" }))
                .route_layer(BearerAuthLayer::new(Down(Some(Duration::from_secs(2))))),
        );
    let address = support::serve(app).await;

    for (path, retry_after) in [("/default", "5"), ("/configured", "30"), ("/verifier", "2")] {
        let response = support::get(address, path, &[&bearer(READ_TOKEN)]).await;
        assert_eq!(
            response.status,
            StatusCode::SERVICE_UNAVAILABLE.as_u16(),
            "{path}"
        );
        assert_eq!(
            response.header("retry-after").as_deref(),
            Some(retry_after),
            "{path}"
        );
        assert_eq!(
            response.header("www-authenticate").as_deref(),
            Some(r#"Bearer realm="api""#),
            "{path}"
        );
        assert_eq!(response.body_text(), "", "{path}");
    }
}

#[tokio::test]
async fn closure_verifier_sees_the_request_head() {
    let verifier = |token: BearerToken, head: &Parts| {
        let tenant = head.headers.get("x-tenant").cloned();
        let path = head.uri.path().to_owned();
        let method = head.method.clone();
        async move {
            match tenant {
                Some(tenant) if tenant == "acme" && token.as_str() == READ_TOKEN => {
                    Ok(format!("{method} {path} for acme"))
                }
                Some(_) => Err(AuthError::invalid_token()
                    .with_description("the access token is not valid for this tenant")),
                None => {
                    Err(AuthError::invalid_token().with_description("bad \"quote\" \\ description"))
                }
            }
        }
    };
    let app = Router::new()
        .route(
            "/orders",
            get(|Claims(seen): Claims<String>| async move { seen }),
        )
        .route_layer(BearerAuthLayer::new(verifier));
    let address = support::serve(app).await;

    let response = support::get(
        address,
        "/orders",
        &[&bearer(READ_TOKEN), b"X-Tenant: acme"],
    )
    .await;
    assert_eq!(response.status, 200);
    assert_eq!(response.body_text(), "GET /orders for acme");

    let response = support::get(
        address,
        "/orders",
        &[&bearer(READ_TOKEN), b"X-Tenant: other"],
    )
    .await;
    assert_eq!(response.status, 401);
    assert_eq!(
        response.header("www-authenticate").as_deref(),
        Some(
            r#"Bearer realm="api", error="invalid_token", error_description="the access token is not valid for this tenant""#
        )
    );

    // A description that would need escaping is replaced by the fixed text.
    let response = support::get(address, "/orders", &[&bearer(READ_TOKEN)]).await;
    assert_eq!(
        response.header("www-authenticate").as_deref(),
        Some(
            r#"Bearer realm="api", error="invalid_token", error_description="the access token is invalid""#
        )
    );
}

#[tokio::test]
async fn scope_layer_from_the_auth_layer_shares_its_realm() {
    let auth = BearerAuthLayer::new(support::tokens()).with_realm("shop");
    let app = Router::new()
        .route(
            "/admin",
            get(|| async { "admin" }).route_layer(auth.require_scopes(["admin"])),
        )
        .route_layer(auth);
    let address = support::serve(app).await;

    let response = support::get(address, "/admin", &[&bearer(READ_TOKEN)]).await;
    assert_eq!(response.status, 403);
    assert_eq!(
        response.header("www-authenticate").as_deref(),
        Some(
            r#"Bearer realm="shop", error="insufficient_scope", error_description="the access token lacks a required scope", scope="admin""#
        )
    );
    let response = support::get(address, "/admin", &[&bearer(support::ADMIN_TOKEN)]).await;
    assert_eq!(response.status, 200);
    assert_eq!(response.body_text(), "admin");
}

#[tokio::test]
async fn query_token_leaves_the_uri_and_keeps_the_answer_private() {
    // `StaticTokens` answers at once: the inner service is called straight
    // from the layer's `call`.
    query_token_case(support::tokens()).await;
}

#[tokio::test]
async fn query_token_leaves_the_uri_and_keeps_the_answer_private_after_a_wait() {
    // A closure's verdict is awaited in the layer's response future.
    let tokens = support::tokens();
    let verifier = move |token: BearerToken, head: &Parts| tokens.verify(token, head);
    query_token_case(verifier).await;
}

async fn query_token_case<V>(verifier: V)
where
    V: VerifyToken<Claims = ApiClaims> + Clone + Send + Sync + 'static,
    V::Future: Send,
{
    let extractor = TokenExtractor::new().with_query_parameter();
    let app = Router::new()
        .route(
            "/me",
            get(|Claims(c): Claims<ApiClaims>, uri: Uri| async move { format!("{} {uri}", c.sub) }),
        )
        .route(
            "/cached",
            get(|| async { ([("cache-control", "max-age=60")], "cached") }),
        )
        .route(
            "/no-store",
            get(|| async { ([("cache-control", "no-store")], "no-store") }),
        )
        .route_layer(BearerAuthLayer::new(verifier).with_extractor(extractor));
    let address = support::serve(app).await;

    let path = format!("/me?a=1&access_token={READ_TOKEN}&b=2");
    let response = support::get(address, &path, &[]).await;
    assert_eq!(response.status, 200);
    assert_eq!(response.body_text(), "demo /me?a=1&b=2");
    assert_eq!(response.header("cache-control").as_deref(), Some("private"));

    let path = format!("/cached?access_token={READ_TOKEN}");
    let response = support::get(address, &path, &[]).await;
    assert_eq!(
        response.header("cache-control").as_deref(),
        Some("private, max-age=60")
    );

    let path = format!("/no-store?access_token={READ_TOKEN}");
    let response = support::get(address, &path, &[]).await;
    assert_eq!(
        response.header("cache-control").as_deref(),
        Some("no-store")
    );

    // The header source leaves caching to the service.
    let response = support::get(address, "/cached", &[&bearer(READ_TOKEN)]).await;
    assert_eq!(
        response.header("cache-control").as_deref(),
        Some("max-age=60")
    );
}

/// A rule of the application's own, as a closure on the claims: a role
/// (here, the subject) that fails is 403 `insufficient_scope` without a
/// `scope` attribute; no claims at all is the plain 401; the rule shares
/// the authentication layer's realm.
#[tokio::test]
async fn a_closure_requirement_guards_a_route() {
    let auth = BearerAuthLayer::new(support::tokens()).with_realm("shop");
    let root_only = auth.require(|claims: &ApiClaims| match claims.sub.as_str() {
        "root" => Ok(()),
        _ => Err(AuthError::new(
            tower_bearer_auth::ErrorKind::InsufficientScope,
        )),
    });
    let who = |Claims(claims): Claims<ApiClaims>| async move { claims.sub };
    let app = Router::new()
        .route("/root", get(who).route_layer(root_only.clone()))
        .route_layer(auth)
        .route(
            "/unguarded",
            get(|| async { "open" }).route_layer(root_only),
        );
    let address = support::serve(app).await;

    let admin = support::get(address, "/root", &[&bearer(support::ADMIN_TOKEN)]).await;
    assert_eq!((admin.status, admin.body_text().as_str()), (200, "root"));
    let reader = support::get(address, "/root", &[&bearer(READ_TOKEN)]).await;
    assert_eq!(reader.status, 403);
    assert_eq!(
        reader.header("www-authenticate").as_deref(),
        Some(
            r#"Bearer realm="shop", error="insufficient_scope", error_description="the access token lacks a required scope""#
        )
    );
    // Without the authentication layer, no claims: the plain challenge.
    let anonymous = support::get(address, "/unguarded", &[]).await;
    assert_eq!(anonymous.status, 401);
    assert_eq!(
        anonymous.header("www-authenticate").as_deref(),
        Some(r#"Bearer realm="shop""#)
    );
}
