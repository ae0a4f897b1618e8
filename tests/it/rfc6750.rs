//! RFC 6750 over a real axum server on 127.0.0.1: each request shape with
//! its exact status, challenge and body, and the claims the handler saw.

use crate::support;

use axum::Router;
use axum::routing::get;
use http::HeaderName;
use support::{ADMIN_TOKEN, ApiClaims, READ_TOKEN, UNKNOWN_TOKEN};
use tower_bearer_auth::axum::Claims;
use tower_bearer_auth::scope::RequireScopeLayer;
use tower_bearer_auth::{BearerAuthLayer, TokenExtractor};

const C0: &str = r#"Bearer realm="api""#;
const MALFORMED: &str = r#"Bearer realm="api", error="invalid_request", error_description="the authorization credentials are malformed""#;
const MULTIPLE: &str = r#"Bearer realm="api", error="invalid_request", error_description="the request presents more than one access token""#;
const TOO_LONG: &str = r#"Bearer realm="api", error="invalid_request", error_description="the access token is too long""#;
const INVALID: &str =
    r#"Bearer realm="api", error="invalid_token", error_description="the access token is invalid""#;
const SCOPE: &str = r#"Bearer realm="api", error="insufficient_scope", error_description="the access token lacks a required scope", scope="admin""#;

/// Which server a case runs against.
#[derive(Clone, Copy, Debug)]
enum Server {
    /// Only the `Authorization` header.
    Default,
    /// Also `access_token` in the query, the `token` cookie and `X-Api-Key`.
    AllSources,
}

struct Case {
    name: &'static str,
    server: Server,
    path: &'static str,
    headers: Vec<Vec<u8>>,
    status: u16,
    /// The exact challenge, or `None` when there must be none.
    challenge: Option<&'static str>,
    /// The exact body.
    body: &'static str,
}

fn app(extractor: TokenExtractor) -> Router {
    Router::new()
        .route(
            "/me",
            get(|Claims(c): Claims<ApiClaims>| async move {
                format!("sub={} scope={}", c.sub, c.scopes)
            }),
        )
        .route(
            "/admin",
            get(|Claims(c): Claims<ApiClaims>| async move { format!("admin={}", c.sub) })
                .route_layer(RequireScopeLayer::<ApiClaims>::new(["admin"]).expect("valid scope")),
        )
        .route_layer(BearerAuthLayer::new(support::tokens()).with_extractor(extractor))
        .route("/public", get(|| async { "public" }))
}

fn bearer(token: &str) -> Vec<u8> {
    format!("Authorization: Bearer {token}").into_bytes()
}

fn cases() -> Vec<Case> {
    use Server::*;
    let ok = |name, headers: Vec<Vec<u8>>| Case {
        name,
        server: Default,
        path: "/me",
        headers,
        status: 200,
        challenge: None,
        body: "sub=demo scope=read",
    };
    let refused = |name, headers: Vec<Vec<u8>>, status, challenge| Case {
        name,
        server: Default,
        path: "/me",
        headers,
        status,
        challenge: Some(challenge),
        body: "",
    };
    let h = |s: &str| s.as_bytes().to_vec();
    let at_cap = format!("Authorization: Bearer   {}", "a".repeat(4096));
    let over_cap = format!("Authorization: Bearer {}", "a".repeat(4097));
    let long_negotiate = format!("Authorization: Negotiate {}", "a".repeat(6000));
    let dots = format!("Authorization: Bearer {}", ".".repeat(4000));
    let ten_kb = format!("Authorization: Bearer {}", "a".repeat(10 * 1024));
    vec![
        refused("no authorization header", vec![], 401, C0),
        ok("Bearer token", vec![bearer(READ_TOKEN)]),
        ok(
            "lower-case scheme",
            vec![h(&format!("Authorization: bearer {READ_TOKEN}"))],
        ),
        ok(
            "upper-case scheme",
            vec![h(&format!("Authorization: BEARER {READ_TOKEN}"))],
        ),
        ok(
            "mixed-case scheme",
            vec![h(&format!("Authorization: BeArEr {READ_TOKEN}"))],
        ),
        ok(
            "two spaces",
            vec![h(&format!("Authorization: Bearer  {READ_TOKEN}"))],
        ),
        ok(
            "trailing spaces",
            vec![h(&format!("Authorization: Bearer {READ_TOKEN}   "))],
        ),
        ok(
            "leading spaces",
            vec![h(&format!("Authorization:    Bearer {READ_TOKEN}"))],
        ),
        refused(
            "tab separator",
            vec![h(&format!("Authorization: Bearer\t{READ_TOKEN}"))],
            400,
            MALFORMED,
        ),
        refused(
            "Bearer without token",
            vec![h("Authorization: Bearer")],
            400,
            MALFORMED,
        ),
        refused(
            "Bearer and a space",
            vec![h("Authorization: Bearer ")],
            400,
            MALFORMED,
        ),
        refused(
            "Basic scheme",
            vec![h("Authorization: Basic dXNlcjpwYXNz")],
            401,
            C0,
        ),
        refused(
            "Digest scheme",
            vec![h("Authorization: Digest username=\"a\"")],
            401,
            C0,
        ),
        refused(
            "Token scheme",
            vec![h(&format!("Authorization: Token {READ_TOKEN}"))],
            401,
            C0,
        ),
        refused(
            "scheme glued to token",
            vec![h(&format!("Authorization: Bearer{READ_TOKEN}"))],
            401,
            C0,
        ),
        refused("empty header", vec![h("Authorization:")], 401, C0),
        refused(
            "only Proxy-Authorization",
            vec![h(&format!("Proxy-Authorization: Bearer {READ_TOKEN}"))],
            401,
            C0,
        ),
        refused("unknown token", vec![bearer(UNKNOWN_TOKEN)], 401, INVALID),
        refused(
            "unknown token with padding",
            vec![bearer(&format!("{UNKNOWN_TOKEN}=="))],
            401,
            INVALID,
        ),
        refused(
            "valid token with padding added",
            vec![bearer(&format!("{READ_TOKEN}="))],
            401,
            INVALID,
        ),
        refused("padding inside", vec![bearer("ab=cd")], 400, MALFORMED),
        refused("quote in token", vec![bearer("ab\"cd")], 400, MALFORMED),
        refused("backslash in token", vec![bearer("ab\\cd")], 400, MALFORMED),
        refused(
            "JSON as token",
            vec![bearer("{\"alg\":\"none\"}")],
            400,
            MALFORMED,
        ),
        refused("comma in token", vec![bearer("a,b")], 400, MALFORMED),
        refused(
            "extra word",
            vec![bearer(&format!("{READ_TOKEN} extra"))],
            400,
            MALFORMED,
        ),
        refused(
            "comma-joined credentials",
            vec![bearer(&format!("{READ_TOKEN},Bearer {READ_TOKEN}"))],
            400,
            MALFORMED,
        ),
        refused(
            "auth-param form",
            vec![h("Authorization: Bearer realm=\"x\", token=\"y\"")],
            400,
            MALFORMED,
        ),
        refused(
            "two valid Authorization lines",
            vec![bearer(READ_TOKEN), bearer(READ_TOKEN)],
            400,
            MULTIPLE,
        ),
        refused(
            "valid then Basic",
            vec![bearer(READ_TOKEN), h("Authorization: Basic dXNlcjpwYXNz")],
            400,
            MULTIPLE,
        ),
        refused(
            "unknown then valid",
            vec![bearer(UNKNOWN_TOKEN), bearer(READ_TOKEN)],
            400,
            MULTIPLE,
        ),
        refused("UTF-8 in token", vec![bearer("tök")], 400, MALFORMED),
        refused(
            "obs-text byte in token",
            vec![b"Authorization: Bearer t\xe9k".to_vec()],
            400,
            MALFORMED,
        ),
        refused(
            "percent-encoded CRLF",
            vec![bearer(&format!("{UNKNOWN_TOKEN}%0d%0aX-Injected:1"))],
            400,
            MALFORMED,
        ),
        refused("token at the length cap", vec![h(&at_cap)], 401, INVALID),
        refused("token one over the cap", vec![h(&over_cap)], 400, TOO_LONG),
        refused("10 KB token", vec![h(&ten_kb)], 400, TOO_LONG),
        refused(
            "long credentials of another scheme",
            vec![h(&long_negotiate)],
            401,
            C0,
        ),
        refused("4000 dots", vec![h(&dots)], 401, INVALID),
        refused(
            "lower-case scheme without token",
            vec![h("Authorization: bearer")],
            400,
            MALFORMED,
        ),
        Case {
            path: "/me?access_token=demo-read-token-0123456789",
            ..refused("query token ignored when off", vec![], 401, C0)
        },
        Case {
            path: "/admin",
            ..refused("read token on admin", vec![bearer(READ_TOKEN)], 403, SCOPE)
        },
        Case {
            path: "/admin",
            body: "admin=root",
            ..ok("admin token on admin", vec![bearer(ADMIN_TOKEN)])
        },
        Case {
            path: "/public",
            body: "public",
            ..ok("public route without token", vec![])
        },
        Case {
            path: "/public",
            body: "public",
            ..ok("public route with garbage", vec![bearer("a b c")])
        },
        Case {
            server: AllSources,
            path: "/me?access_token=demo-read-token-0123456789",
            ..ok("query source", vec![])
        },
        Case {
            server: AllSources,
            path: "/me?access_token=demo-read-token-0123456789",
            ..refused("header and query", vec![bearer(READ_TOKEN)], 400, MULTIPLE)
        },
        Case {
            server: AllSources,
            path: "/me?access_token=a&access_token=b",
            ..refused("query twice", vec![], 400, MULTIPLE)
        },
        Case {
            server: AllSources,
            path: "/me?access_token=",
            ..refused("empty query parameter", vec![], 400, MALFORMED)
        },
        Case {
            server: AllSources,
            ..ok(
                "cookie source",
                vec![h(&format!("Cookie: theme=dark; token={READ_TOKEN}"))],
            )
        },
        Case {
            server: AllSources,
            ..refused(
                "cookie and header",
                vec![
                    h(&format!("Cookie: token={READ_TOKEN}")),
                    bearer(READ_TOKEN),
                ],
                400,
                MULTIPLE,
            )
        },
        Case {
            server: AllSources,
            ..ok(
                "named header source",
                vec![h(&format!("X-Api-Key: {READ_TOKEN}"))],
            )
        },
        Case {
            server: AllSources,
            ..refused(
                "named header unknown token",
                vec![h(&format!("X-Api-Key: {UNKNOWN_TOKEN}"))],
                401,
                INVALID,
            )
        },
    ]
}

#[tokio::test]
async fn request_shapes() {
    let default = support::serve(app(TokenExtractor::new())).await;
    let all_sources = TokenExtractor::new()
        .with_query_parameter()
        .with_cookie("token")
        .and_then(|e| e.with_header(HeaderName::from_static("x-api-key")))
        .expect("valid sources");
    let all_sources = support::serve(app(all_sources)).await;

    let cases = cases();
    assert!(cases.len() >= 30, "the table covers at least 30 shapes");
    for case in cases {
        let address = match case.server {
            Server::Default => default,
            Server::AllSources => all_sources,
        };
        let headers: Vec<&[u8]> = case.headers.iter().map(Vec::as_slice).collect();
        let response = support::get(address, case.path, &headers).await;
        let name = case.name;
        assert_eq!(response.status, case.status, "case {name}: status");
        assert_eq!(
            response.header("www-authenticate").as_deref(),
            case.challenge,
            "case {name}: challenge"
        );
        assert_eq!(response.body_text(), case.body, "case {name}: body");
    }
}

/// Bytes an HTTP server must refuse before any layer sees them (RFC 9110
/// §5.5): whatever answers, it is a 4xx, never a 500 or a dropped connection.
#[tokio::test]
async fn control_characters_never_reach_a_500() {
    let address = support::serve(app(TokenExtractor::new())).await;
    for (name, header) in [
        ("NUL", b"Authorization: Bearer a\x00b".as_slice()),
        ("SOH", b"Authorization: Bearer a\x01b".as_slice()),
        ("DEL", b"Authorization: Bearer a\x7fb".as_slice()),
    ] {
        let response = support::get(address, "/me", &[header]).await;
        assert!(
            response.status == 400,
            "case {name}: status {} with challenge {:?}",
            response.status,
            response.header("www-authenticate")
        );
    }
}

/// A 64 KiB header is refused by the server or the layer; either way a 4xx.
#[tokio::test]
async fn oversized_header_is_refused() {
    let address = support::serve(app(TokenExtractor::new())).await;
    let header = format!("Authorization: Bearer {}", "a".repeat(64 * 1024));
    let response = support::get(address, "/me", &[header.as_bytes()]).await;
    assert!(
        matches!(response.status, 400 | 431),
        "status {}",
        response.status
    );
    assert!(!String::from_utf8_lossy(&response.raw).contains(&"a".repeat(64)));
}
