//! RFC 9728 protected resource metadata: the document served where §3.1
//! puts it, `resource_metadata` in every 401 and 403 `insufficient_scope`
//! challenge (HTTP and gRPC), the verifier's audience tied to the resource
//! (RFC 8707), and the document completed from the layer's configuration.

use axum::body::Body;
use axum::routing::get;
use axum::{Router, routing::post};
use http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;
use tower_bearer_auth::jwt::{AccessClaims, JwtProfile, JwtVerifier};
use tower_bearer_auth::metadata::ProtectedResourceMetadata;
use tower_bearer_auth::{AuthError, BearerAuthLayer, ConfigError, TokenExtractor};

use crate::support::jwt::{AUDIENCE, ISSUER, fixture, keys};

/// The resource the JWT fixtures are issued for.
const METADATA_URL: &str = "https://api.example.com/.well-known/oauth-protected-resource";

fn metadata() -> ProtectedResourceMetadata {
    ProtectedResourceMetadata::builder(AUDIENCE)
        .with_authorization_servers([ISSUER])
        .with_scopes_supported(["read", "admin"])
        .with_resource_name("the fixtures' API")
        .build()
        .expect("valid metadata")
}

fn layer() -> BearerAuthLayer<JwtVerifier<AccessClaims>> {
    let verifier = JwtVerifier::builder()
        .with_keys(keys())
        .with_issuer(ISSUER)
        .for_resource(&metadata())
        .build()
        .expect("a verifier for the resource");
    BearerAuthLayer::new(verifier)
        .with_resource_metadata(metadata())
        .with_realm("fixtures")
}

fn app() -> Router {
    let auth = layer();
    let document = auth.resource_metadata().expect("configured");
    Router::new()
        .route("/me", get(|| async { "me" }))
        .route(
            "/admin",
            get(|| async { "admin" }).route_layer(auth.require_scopes(["admin"])),
        )
        .route_layer(auth)
        .route_service(document.well_known_path(), document.clone())
}

struct Answer {
    status: StatusCode,
    headers: http::HeaderMap,
    body: Vec<u8>,
}

impl Answer {
    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .map_or("", |value| value.to_str().expect("ASCII"))
    }
}

async fn send(app: Router, request: Request<Body>) -> Answer {
    let response = app.oneshot(request).await.expect("infallible");
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
        body: body.to_vec(),
    }
}

fn get_with(path: &str, token: Option<&str>) -> Request<Body> {
    let mut request = Request::get(path);
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    request.body(Body::empty()).expect("request")
}

#[tokio::test]
async fn the_document_is_served_at_the_well_known_path() {
    let answer = send(
        app(),
        get_with("/.well-known/oauth-protected-resource", None),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.header("content-type"), "application/json");
    assert_eq!(answer.header("cache-control"), "public, max-age=3600");
    assert_eq!(answer.header("access-control-allow-origin"), "*");
    let document: Value = serde_json::from_slice(&answer.body).expect("JSON");
    assert_eq!(
        document,
        serde_json::json!({
            "resource": AUDIENCE,
            "authorization_servers": [ISSUER],
            "scopes_supported": ["read", "admin"],
            "bearer_methods_supported": ["header"],
            "resource_name": "the fixtures' API",
        })
    );
    let post = Request::post("/.well-known/oauth-protected-resource")
        .body(Body::empty())
        .expect("request");
    let answer = send(app(), post).await;
    assert_eq!(answer.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(answer.header("allow"), "GET, HEAD, OPTIONS");
}

#[tokio::test]
async fn every_401_and_insufficient_scope_403_names_the_document() {
    let bare = format!(r#"Bearer realm="fixtures", resource_metadata="{METADATA_URL}""#);
    let answer = send(app(), get_with("/me", None)).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(answer.header("www-authenticate"), bare);

    let expired = fixture("expired").token;
    let answer = send(app(), get_with("/me", Some(&expired))).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        answer.header("www-authenticate"),
        format!(r#"{bare}, error="invalid_token", error_description="the access token expired""#)
    );

    let reader = fixture("hs256-valid").token;
    assert_eq!(
        send(app(), get_with("/me", Some(&reader))).await.status,
        StatusCode::OK
    );
    let answer = send(app(), get_with("/admin", Some(&reader))).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert_eq!(
        answer.header("www-authenticate"),
        format!(
            r#"{bare}, error="insufficient_scope", error_description="the access token lacks a required scope", scope="admin""#
        )
    );
    let admin = fixture("hs256-admin").token;
    assert_eq!(
        send(app(), get_with("/admin", Some(&admin))).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_grpc_refusal_carries_it_in_its_www_authenticate_metadata() {
    let request = Request::post("/me")
        .header("content-type", "application/grpc")
        .header("te", "trailers")
        .body(Body::empty())
        .expect("request");
    let app = Router::new()
        .route("/me", post(|| async { "me" }))
        .route_layer(layer());
    let answer = send(app, request).await;
    assert_eq!(answer.status, StatusCode::OK, "a trailers-only gRPC answer");
    assert_eq!(answer.header("grpc-status"), "16");
    assert_eq!(
        answer.header("www-authenticate"),
        format!(r#"Bearer realm="fixtures", resource_metadata="{METADATA_URL}""#)
    );
}

#[tokio::test]
async fn a_refusal_found_elsewhere_gets_the_layer_s_answer() {
    let auth = layer();
    let (head, ()) = Request::post("/mcp")
        .body(())
        .expect("request")
        .into_parts();
    let response = auth.reject::<Body>(AuthError::insufficient_scope("mcp:tools"), &head);
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        response.headers()["www-authenticate"],
        format!(
            r#"Bearer realm="fixtures", resource_metadata="{METADATA_URL}", error="insufficient_scope", error_description="the access token lacks a required scope", scope="mcp:tools""#
        )
        .as_str()
    );
}

#[test]
fn the_verifier_takes_the_resource_s_tokens_only() {
    let verifier = || {
        JwtVerifier::builder()
            .with_keys(keys())
            .with_issuer(ISSUER)
            .with_profile(JwtProfile::Jwt)
            .for_resource(&metadata())
    };
    let built = verifier().build().expect("a verifier");
    assert!(built.verify_jwt(&fixture("hs256-valid").token).is_ok());
    assert!(built.verify_jwt(&fixture("wrong-audience").token).is_err());
    let refused = |builder: tower_bearer_auth::jwt::JwtVerifierBuilder<AccessClaims>| {
        builder.build().map(|_| ())
    };
    assert_eq!(
        refused(verifier().with_audience("https://other.example.com")),
        Err(ConfigError::ResourceAudience)
    );
    assert_eq!(
        refused(verifier().without_audience_check()),
        Err(ConfigError::ResourceAudience)
    );
}

#[test]
fn the_document_says_where_the_layer_reads_tokens() {
    let auth = BearerAuthLayer::new(tower_bearer_auth::StaticTokens::<()>::new())
        .with_extractor(TokenExtractor::new().with_query_parameter())
        .with_resource_metadata(metadata());
    let document: Value =
        serde_json::from_str(auth.resource_metadata().expect("configured").to_json())
            .expect("JSON");
    assert_eq!(
        document["bearer_methods_supported"],
        serde_json::json!(["header", "query"])
    );
    let plain = BearerAuthLayer::new(tower_bearer_auth::StaticTokens::<()>::new());
    assert!(plain.resource_metadata().is_none());
}

#[cfg(feature = "dpop")]
#[test]
fn the_document_says_what_dpop_takes() {
    use tower_bearer_auth::dpop::{Dpop, DpopPolicy};
    let dpop = |policy| {
        let verifier = JwtVerifier::builder()
            .with_keys(keys())
            .for_resource(&metadata())
            .build()
            .expect("a verifier");
        let dpop = Dpop::builder(policy)
            .with_origin("https://api.example.com")
            .and_then(|builder| builder.build())
            .expect("dpop");
        let auth = BearerAuthLayer::new(verifier)
            .with_resource_metadata(metadata())
            .with_dpop(dpop);
        let document = auth.resource_metadata().expect("configured");
        serde_json::from_str::<Value>(document.to_json()).expect("JSON")
    };
    let either = dpop(DpopPolicy::BearerOrDpop);
    assert_eq!(
        either["dpop_signing_alg_values_supported"][0], "ES256",
        "{either}"
    );
    assert!(either.get("dpop_bound_access_tokens_required").is_none());
    let only = dpop(DpopPolicy::DpopOnly);
    assert_eq!(only["dpop_bound_access_tokens_required"], true);
}
