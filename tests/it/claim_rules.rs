//! Roles and claim values on a route (`claims::RequiredRoles`,
//! `claims::RequiredClaim`), read from `AccessClaims` shaped like the
//! tokens of Keycloak, Entra ID, Auth0 and Cognito, over HTTP on 127.0.0.1:
//! a missing role is 403 `insufficient_scope` without a `scope` attribute.

use axum::Router;
use axum::routing::get;
use serde_json::{Value, json};
use tower_bearer_auth::claims::{ClaimPath, RequiredClaim, RequiredRoles};
use tower_bearer_auth::jwt::AccessClaims;
use tower_bearer_auth::{BearerAuthLayer, StaticTokens};

use crate::support;

fn claims(value: Value) -> AccessClaims {
    serde_json::from_value(value).expect("claims")
}

/// Each provider's token shape: its key, and its claims with and without
/// the `admin` role.
fn providers() -> Vec<(&'static str, &'static str, AccessClaims, AccessClaims)> {
    vec![
        (
            "keycloak",
            "realm_access.roles",
            claims(
                json!({"sub": "kc-admin", "realm_access": {"roles": ["offline_access", "admin"]}}),
            ),
            claims(json!({"sub": "kc-user", "realm_access": {"roles": ["offline_access"]}})),
        ),
        (
            "entra",
            "roles",
            claims(json!({"sub": "entra-admin", "roles": ["admin"], "tid": "t1"})),
            claims(json!({"sub": "entra-user", "scp": "admin"})),
        ),
        (
            "auth0",
            "permissions",
            claims(json!({"sub": "auth0-admin", "permissions": ["admin", "read:orders"]})),
            claims(json!({"sub": "auth0-user", "permissions": "read:orders"})),
        ),
        (
            "cognito",
            "cognito:groups",
            claims(json!({"sub": "cognito-admin", "cognito:groups": "admin"})),
            claims(json!({"sub": "cognito-user", "cognito:groups": {"admin": true}})),
        ),
    ]
}

fn token(provider: &str, admin: bool) -> String {
    format!(
        "{provider}-{}-token-0123456789",
        if admin { "admin" } else { "user" }
    )
}

#[tokio::test]
async fn a_route_needs_its_role_in_the_providers_claim() {
    for (provider, claim, admin, user) in providers() {
        let tokens = StaticTokens::new()
            .with_token(token(provider, true), admin)
            .and_then(|tokens| tokens.with_token(token(provider, false), user))
            .expect("tokens");
        let auth = BearerAuthLayer::new(tokens);
        let admins = RequiredRoles::new(["admin"])
            .expect("roles")
            .in_claim(ClaimPath::new(claim).expect("a path"));
        let app = Router::new()
            .route(
                "/admin",
                get(|| async { "admin" }).route_layer(auth.require(admins)),
            )
            .route_layer(auth);
        let address = support::serve(app).await;

        let header = |admin| format!("Authorization: Bearer {}", token(provider, admin));
        let answer = support::get(address, "/admin", &[header(true).as_bytes()]).await;
        assert_eq!(answer.status, 200, "{provider}");
        assert_eq!(answer.body_text(), "admin", "{provider}");

        let answer = support::get(address, "/admin", &[header(false).as_bytes()]).await;
        assert_eq!(answer.status, 403, "{provider}");
        let challenge = answer.header("www-authenticate").expect("a challenge");
        assert!(
            challenge.contains(r#"error="insufficient_scope""#),
            "{provider}: {challenge}"
        );
        assert!(!challenge.contains("scope=\""), "{provider}: {challenge}");
    }
}

#[tokio::test]
async fn a_claim_value_guards_a_route() {
    let eu = claims(json!({"sub": "a", "tenant": {"region": "eu"}}));
    let us = claims(json!({"sub": "b", "tenant": {"region": "us"}}));
    let flat = claims(json!({"sub": "c", "tenant": "eu"}));
    let tokens = StaticTokens::new()
        .with_token("eu-tenant-token-0123456789", eu)
        .and_then(|tokens| tokens.with_token("us-tenant-token-0123456789", us))
        .and_then(|tokens| tokens.with_token("flat-tenant-token-0123456789", flat))
        .expect("tokens");
    let auth = BearerAuthLayer::new(tokens);
    let europe =
        RequiredClaim::new(ClaimPath::new("tenant.region").expect("a path"), "eu").expect("a rule");
    let app = Router::new()
        .route(
            "/orders",
            get(|| async { "orders" }).route_layer(auth.require(europe)),
        )
        .route_layer(auth);
    let address = support::serve(app).await;
    for (token, status) in [
        ("eu-tenant-token-0123456789", 200),
        ("us-tenant-token-0123456789", 403),
        ("flat-tenant-token-0123456789", 403),
    ] {
        let header = format!("Authorization: Bearer {token}");
        let answer = support::get(address, "/orders", &[header.as_bytes()]).await;
        assert_eq!(answer.status, status, "{token}");
    }
}
