//! End to end: the `oidc` example under each `OIDC_PROVIDER`, against a
//! server on 127.0.0.1 that serves discovery and keys the way that
//! provider does (its paths, issuer form, key members), answering tokens
//! PyJWT made in that provider's shapes (`tests/fixtures/providers/`); and
//! the `provider` API itself: Entra ID's v1 tokens, the configurations a
//! profile refuses, two providers in one service.

use std::net::SocketAddr;
use std::path::PathBuf;

use axum::Router;
use axum::routing::get;
use serde_json::Value;
use tower::ServiceExt;
use tower_bearer_auth::axum::Claims;
use tower_bearer_auth::jwks::Jwks;
use tower_bearer_auth::jwt::{AccessClaims, JwtErrorKind, JwtKey, JwtVerifier};
use tower_bearer_auth::provider::Provider;
use tower_bearer_auth::{BearerAuthLayer, ConfigError, FirstOf};

use crate::support;
use crate::support::example::{Example, start};
use crate::support::key_server::{KeyServer, Reply};

const FIXTURES: &str = "tests/fixtures/providers";

fn fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join(FIXTURES)
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("fixture {name}: {error}"))
}

fn token(name: &str) -> String {
    let tokens: Value = serde_json::from_str(&fixture("tokens.json")).expect("tokens.json");
    tokens[name]["token"]
        .as_str()
        .unwrap_or_else(|| panic!("no token {name}"))
        .to_owned()
}

/// A server shaped like `provider`'s: its discovery document at
/// `discovery`, naming its key set at `keys`.
async fn provider_server(provider: &str, discovery: &str, keys: &str) -> KeyServer {
    let server = KeyServer::start().await;
    let document =
        fixture(&format!("{provider}.discovery.json")).replace("__JWKS_URI__", &server.url(keys));
    server.reply(discovery, Reply::json(document));
    server.reply(keys, Reply::json(fixture(&format!("{provider}.jwks.json"))));
    server
}

/// The `oidc` example with `env`, its keys fetched.
fn oidc(server: &KeyServer, discovery: &str, env: &[(&str, &str)]) -> Example {
    let mut env: Vec<(&str, String)> = env
        .iter()
        .map(|(name, value)| (*name, (*value).to_owned()))
        .collect();
    env.push(("OIDC_DISCOVERY_URL", server.url(discovery)));
    let example = start("oidc", &env, 0);
    assert!(
        example.output.iter().any(|line| line.contains("fetched")),
        "{:?}",
        example.output
    );
    example
}

async fn call(address: SocketAddr, path: &str, token: &str) -> support::RawResponse {
    let header = format!("Authorization: Bearer {token}");
    support::get(address, path, &[header.as_bytes()]).await
}

/// `/me` answers 200 with the token's claims.
async fn me(example: &Example, name: &str) -> Value {
    let response = call(example.address, "/me", &token(name)).await;
    assert_eq!(response.status, 200, "{name}: {}", response.body_text());
    serde_json::from_slice(&response.body).expect("claims as JSON")
}

/// The status of `/admin` for the token `name`; a 403 names the scope.
async fn admin(example: &Example, name: &str) -> u16 {
    let response = call(example.address, "/admin", &token(name)).await;
    if response.status == 403 {
        assert_eq!(
            response.header("www-authenticate").as_deref(),
            Some(
                r#"Bearer realm="api", error="insufficient_scope", error_description="the access token lacks a required scope", scope="admin""#
            ),
            "{name}"
        );
    }
    response.status
}

/// `/me` refuses the token `name` with 401 `invalid_token`.
async fn refused(example: &Example, name: &str) {
    let response = call(example.address, "/me", &token(name)).await;
    assert_eq!(response.status, 401, "{name}: {}", response.body_text());
    assert_eq!(
        response.header("www-authenticate").as_deref(),
        Some(
            r#"Bearer realm="api", error="invalid_token", error_description="the access token is invalid""#
        ),
        "{name}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)] // the server answers while `start` blocks
async fn keycloak_realm_and_client_roles_and_its_id_tokens() {
    let discovery = "/realms/shop/.well-known/openid-configuration";
    let server = provider_server(
        "keycloak",
        discovery,
        "/realms/shop/protocol/openid-connect/certs",
    )
    .await;
    let example = oidc(
        &server,
        discovery,
        &[
            ("OIDC_PROVIDER", "keycloak"),
            ("OIDC_ISSUER", "https://sso.example.com/realms/shop"),
            ("JWT_AUDIENCE", "shop-api"),
            ("OIDC_CLIENT_ID", "shop-api"),
        ],
    );
    let claims = me(&example, "keycloak-admin").await;
    assert_eq!(claims["preferred_username"], "alice");
    assert_eq!(claims["realm_access"]["roles"][3], "admin");
    assert_eq!(admin(&example, "keycloak-admin").await, 200, "a realm role");
    assert_eq!(
        admin(&example, "keycloak-client-admin").await,
        200,
        "a client role of shop-api"
    );
    assert_eq!(
        me(&example, "keycloak-user").await["preferred_username"],
        "bob"
    );
    assert_eq!(admin(&example, "keycloak-user").await, 403);
    // Keycloak's default audience, `account`, is not this API.
    refused(&example, "keycloak-account-only").await;
    // An ID token with this API's audience: its `typ` claim is `ID`.
    refused(&example, "keycloak-id").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)] // the server answers while `start` blocks
async fn auth0_issuer_without_its_slash_and_permissions() {
    let discovery = "/.well-known/openid-configuration";
    let server = provider_server("auth0", discovery, "/.well-known/jwks.json").await;
    let example = oidc(
        &server,
        discovery,
        &[
            ("OIDC_PROVIDER", "auth0"),
            // Configured without the `/` Auth0 puts at the end of `iss`.
            ("OIDC_ISSUER", "https://example.eu.auth0.com"),
            ("JWT_AUDIENCE", "https://api.shop.example"),
            ("OIDC_CLIENT_ID", "Xq3fY8d2LkP0aZ7tR1mN5bC9vW4sE6hJ"),
        ],
    );
    let claims = me(&example, "auth0-admin").await;
    assert_eq!(claims["iss"], "https://example.eu.auth0.com/");
    assert_eq!(claims["sub"], "auth0|65f0c1e2d3a4b5c6d7e8f901");
    assert_eq!(admin(&example, "auth0-admin").await, 200);
    assert_eq!(admin(&example, "auth0-user").await, 403);
    assert_eq!(
        admin(&example, "auth0-next-key").await,
        403,
        "the next key verifies"
    );
    refused(&example, "auth0-id").await;

    // ADMIN_ROLE names another permission.
    let readers = oidc(
        &server,
        discovery,
        &[
            ("OIDC_PROVIDER", "auth0"),
            ("OIDC_ISSUER", "https://example.eu.auth0.com/"),
            ("JWT_AUDIENCE", "https://api.shop.example"),
            ("ADMIN_ROLE", "read:orders"),
        ],
    );
    assert_eq!(admin(&readers, "auth0-user").await, 200);
}

const ENTRA_API: &str = "6e74172b-be56-4843-9ff4-e66a39bb12e3";
const TENANT_1: &str = "8eaef023-2b34-4da1-9baa-8bc8c9d6a490";
const TENANT_2: &str = "2a2b1c7e-0e39-4b5e-9a0f-5d3e1f4a7b6c";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)] // the server answers while `start` blocks
async fn entra_two_tenants_through_one_multi_tenant_configuration() {
    let discovery = "/organizations/v2.0/.well-known/openid-configuration";
    let server = provider_server("entra", discovery, "/organizations/discovery/v2.0/keys").await;
    let multi_tenant = [
        ("OIDC_PROVIDER", "entra"),
        (
            "OIDC_ISSUER",
            "https://login.microsoftonline.com/organizations/v2.0",
        ),
        ("JWT_AUDIENCE", ENTRA_API),
    ];
    let example = oidc(&server, discovery, &multi_tenant);
    let claims = me(&example, "entra-t1-admin").await;
    assert_eq!(claims["tid"], TENANT_1);
    assert_eq!(
        claims["iss"],
        format!("https://login.microsoftonline.com/{TENANT_1}/v2.0")
    );
    assert_eq!(
        admin(&example, "entra-t1-admin").await,
        200,
        "app role admin"
    );
    assert_eq!(me(&example, "entra-t2-user").await["tid"], TENANT_2);
    assert_eq!(admin(&example, "entra-t2-user").await, 403);
    assert_eq!(
        admin(&example, "entra-app-admin").await,
        200,
        "app-only token"
    );
    me(&example, "entra-t3-user").await;
    // `tid` must be the tenant in `iss`.
    refused(&example, "entra-tid-mismatch").await;
    refused(&example, "entra-no-tid").await;
    // ID tokens for the API's own app: no client named, and either
    // neither `scp` nor `roles`, or the user's app roles.
    refused(&example, "entra-id").await;
    refused(&example, "entra-id-with-roles").await;
    refused(&example, "entra-v1").await;
    refused(&example, "entra-forged").await;

    // The tenants accepted, listed.
    let tenants = format!("{TENANT_1}, {TENANT_2}");
    let listed = [multi_tenant.as_slice(), &[("OIDC_TENANTS", &tenants)]].concat();
    let example = oidc(&server, discovery, &listed);
    me(&example, "entra-t1-admin").await;
    me(&example, "entra-t2-user").await;
    refused(&example, "entra-t3-user").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)] // the server answers while `start` blocks
async fn entra_single_tenant() {
    let discovery = format!("/{TENANT_1}/v2.0/.well-known/openid-configuration");
    let keys = format!("/{TENANT_1}/discovery/v2.0/keys");
    let server = KeyServer::start().await;
    let document = fixture("entra-t1.discovery.json").replace("__JWKS_URI__", &server.url(&keys));
    server.reply(&discovery, Reply::json(document));
    server.reply(&keys, Reply::json(fixture("entra.jwks.json")));
    let issuer = format!("https://login.microsoftonline.com/{TENANT_1}/v2.0");
    let example = oidc(
        &server,
        &discovery,
        &[
            ("OIDC_PROVIDER", "entra"),
            ("OIDC_ISSUER", &issuer),
            ("JWT_AUDIENCE", ENTRA_API),
        ],
    );
    assert_eq!(admin(&example, "entra-t1-admin").await, 200);
    refused(&example, "entra-t2-user").await;
    refused(&example, "entra-id").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)] // the server answers while `start` blocks
async fn cognito_client_id_in_place_of_aud_and_groups() {
    let discovery = "/eu-west-1_Sh0pPool1/.well-known/openid-configuration";
    let server = provider_server(
        "cognito",
        discovery,
        "/eu-west-1_Sh0pPool1/.well-known/jwks.json",
    )
    .await;
    let example = oidc(
        &server,
        discovery,
        &[
            ("OIDC_PROVIDER", "cognito"),
            (
                "OIDC_ISSUER",
                "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Sh0pPool1",
            ),
            ("OIDC_CLIENT_ID", "1example23456789abcdefghij"),
        ],
    );
    let claims = me(&example, "cognito-admin").await;
    assert_eq!(claims["token_use"], "access");
    assert!(claims.get("aud").is_none());
    assert_eq!(admin(&example, "cognito-admin").await, 200);
    assert_eq!(admin(&example, "cognito-user").await, 403);
    refused(&example, "cognito-other-client").await;
    refused(&example, "cognito-id").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)] // the server answers while `start` blocks
async fn okta_groups_scp_array_and_its_id_tokens() {
    let discovery = "/oauth2/default/.well-known/openid-configuration";
    let server = provider_server("okta", discovery, "/oauth2/default/v1/keys").await;
    let example = oidc(
        &server,
        discovery,
        &[
            ("OIDC_PROVIDER", "okta"),
            ("OIDC_ISSUER", "https://example.okta.com/oauth2/default"),
            ("JWT_AUDIENCE", "api://default"),
            ("OIDC_CLIENT_ID", "0oa1shopweb2Xz5d7"),
        ],
    );
    assert_eq!(me(&example, "okta-admin").await["cid"], "0oa1shopweb2Xz5d7");
    assert_eq!(admin(&example, "okta-admin").await, 200, "group admin");
    assert_eq!(admin(&example, "okta-user").await, 403);
    assert_eq!(
        admin(&example, "okta-scope-admin").await,
        200,
        "scope admin in the scp array"
    );
    refused(&example, "okta-id").await;
}

#[test]
fn oidc_example_refuses_a_configuration_it_cannot_honour() {
    let run = |env: &[(&str, &str)]| {
        let mut command = std::process::Command::new(support::example::example_path("oidc"));
        for name in ["JWKS_URL", "JWT_ISSUER", "JWT_AUDIENCE", "OIDC_CLIENT_ID"] {
            command.env_remove(name);
        }
        let output = command
            .envs(env.iter().copied())
            .output()
            .expect("run the example");
        assert!(!output.status.success());
        String::from_utf8_lossy(&output.stderr).into_owned()
    };
    let issuer = (
        "OIDC_ISSUER",
        "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Sh0pPool1",
    );
    let stderr = run(&[("OIDC_PROVIDER", "cognito"), issuer]);
    assert!(
        stderr.contains("OIDC_PROVIDER=cognito needs OIDC_CLIENT_ID"),
        "{stderr}"
    );
    let stderr = run(&[
        ("OIDC_PROVIDER", "cognito"),
        issuer,
        ("OIDC_CLIENT_ID", "1example23456789abcdefghij"),
        ("JWT_AUDIENCE", "api"),
    ]);
    assert!(
        stderr.contains("Cognito's access tokens have no audience"),
        "{stderr}"
    );
    let stderr = run(&[
        ("OIDC_PROVIDER", "okta"),
        ("OIDC_ISSUER", "https://example.okta.com/oauth2/default"),
    ]);
    assert!(
        stderr.contains("OIDC_PROVIDER=okta needs JWT_AUDIENCE"),
        "{stderr}"
    );
    let stderr = run(&[("OIDC_PROVIDER", "ping"), issuer]);
    assert!(
        stderr.contains("OIDC_PROVIDER must be generic, keycloak"),
        "{stderr}"
    );
}

/// The keys of `provider` from `server`, fetched.
async fn ready_keys(provider: &Provider) -> Jwks {
    let keys = provider.discover().build().expect("keys");
    keys.ready().await.expect("keys fetched");
    keys
}

fn kind(verifier: &JwtVerifier, name: &str) -> Option<JwtErrorKind> {
    verifier
        .verify_jwt(&token(name))
        .err()
        .map(|error| error.kind())
}

#[tokio::test]
async fn entra_v1_tokens_when_asked_for() {
    let discovery = "/organizations/v2.0/.well-known/openid-configuration";
    let server = provider_server("entra", discovery, "/organizations/discovery/v2.0/keys").await;
    let entra = Provider::entra("https://login.microsoftonline.com/organizations/v2.0")
        .with_tenants([TENANT_1, TENANT_2])
        .with_discovery_url(server.url(discovery));
    let v2_only = JwtVerifier::builder()
        .with_provider(&entra, ready_keys(&entra).await)
        .with_audience(ENTRA_API)
        .with_audience(format!("api://{ENTRA_API}"))
        .build()
        .expect("a verifier");
    // No key vouches for an issuer not accepted.
    assert_eq!(kind(&v2_only, "entra-v1"), Some(JwtErrorKind::UnknownKey));

    let entra = entra.with_v1_tokens();
    let both = JwtVerifier::builder()
        .with_provider(&entra, ready_keys(&entra).await)
        .with_audience(ENTRA_API)
        .with_audience(format!("api://{ENTRA_API}"))
        .build()
        .expect("a verifier");
    let claims = both.verify_jwt(&token("entra-v1")).expect("a v1 token");
    assert_eq!(
        claims.iss(),
        Some(format!("https://sts.windows.net/{TENANT_1}/").as_str())
    );
    assert_eq!(claims.get("ver"), Some(&Value::from("1.0")));
    assert!(claims.scopes().contains("access_as_user"));
    assert!(both.verify_jwt(&token("entra-t2-user")).is_ok());
    assert_eq!(
        kind(&both, "entra-tid-mismatch"),
        Some(JwtErrorKind::WrongIssuer)
    );
    assert_eq!(kind(&both, "entra-id"), Some(JwtErrorKind::WrongType));
}

#[tokio::test]
async fn a_profile_accepts_its_own_provider_only() {
    let discovery = "/oauth2/default/.well-known/openid-configuration";
    let server = provider_server("okta", discovery, "/oauth2/default/v1/keys").await;
    let okta = Provider::okta("https://example.okta.com/oauth2/default")
        .refusing_tokens_for("0oa1shopweb2Xz5d7")
        .with_discovery_url(server.url(discovery));
    let keys = ready_keys(&okta).await;
    let builder = || JwtVerifier::builder().with_provider(&okta, keys.clone());
    let conflict = Err(ConfigError::ProviderConflict);
    let audience = Err(ConfigError::ProviderAudience);
    let secret = JwtKey::hmac(b"a secret of at least thirty-two bytes!").expect("a key");
    let cases = [
        (
            "another key",
            builder().with_key(secret).with_audience("api://default"),
            conflict.clone(),
        ),
        (
            "another issuer",
            builder()
                .with_issuer("https://other.example")
                .with_audience("api://default"),
            conflict.clone(),
        ),
        (
            "keys of another issuer",
            JwtVerifier::builder()
                .with_provider(
                    &okta,
                    Jwks::discover("https://example.okta.com/oauth2/other")
                        .build()
                        .expect("keys"),
                )
                .with_audience("api://default"),
            conflict.clone(),
        ),
        (
            "a refused client as the audience",
            builder().with_audience("0oa1shopweb2Xz5d7"),
            audience.clone(),
        ),
        (
            "no audience check",
            builder().without_audience_check(),
            audience.clone(),
        ),
    ];
    for (name, builder, expected) in cases {
        assert_eq!(builder.build().map(|_| ()), expected, "{name}");
    }

    let cognito = Provider::cognito("https://cognito-idp.eu-west-1.amazonaws.com/p", "app")
        .with_discovery_url(server.url(discovery));
    let cognito_keys = cognito.discover().build().expect("keys");
    let with_audience = JwtVerifier::builder()
        .with_provider(&cognito, cognito_keys)
        .with_audience("api");
    assert_eq!(
        with_audience.build().map(|_| ()),
        audience,
        "Cognito has no aud"
    );
    let entra = Provider::entra("https://login.microsoftonline.com/organizations/v2.0")
        .with_discovery_url(server.url(discovery));
    let entra_keys = entra.discover().build().expect("keys");
    let tenants_not_chosen = JwtVerifier::builder()
        .with_provider(&entra, entra_keys)
        .with_audience(ENTRA_API);
    assert_eq!(
        tenants_not_chosen.build().map(|_| ()),
        Err(ConfigError::TenantsNotChosen)
    );

    // Each profile's tokens only.
    let verifier = builder()
        .with_audience("api://default")
        .build()
        .expect("a verifier");
    assert!(verifier.verify_jwt(&token("okta-admin")).is_ok());
    assert_eq!(
        kind(&verifier, "auth0-admin"),
        Some(JwtErrorKind::UnknownKey),
        "no key of this verifier vouches for Auth0's issuer"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_providers_in_one_service_through_first_of() {
    let discovery = "/oauth2/default/.well-known/openid-configuration";
    let okta_server = provider_server("okta", discovery, "/oauth2/default/v1/keys").await;
    let okta = Provider::okta("https://example.okta.com/oauth2/default")
        .refusing_tokens_for("0oa1shopweb2Xz5d7")
        .with_discovery_url(okta_server.url(discovery));
    let cognito_discovery = "/eu-west-1_Sh0pPool1/.well-known/openid-configuration";
    let cognito_server = provider_server(
        "cognito",
        cognito_discovery,
        "/eu-west-1_Sh0pPool1/.well-known/jwks.json",
    )
    .await;
    let cognito = Provider::cognito(
        "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Sh0pPool1",
        "1example23456789abcdefghij",
    )
    .with_discovery_url(cognito_server.url(cognito_discovery));
    let people = JwtVerifier::builder()
        .with_provider(&okta, ready_keys(&okta).await)
        .with_audience("api://default")
        .build()
        .expect("a verifier");
    let machines = JwtVerifier::builder()
        .with_provider(&cognito, ready_keys(&cognito).await)
        .build()
        .expect("a verifier");
    let app = Router::new()
        .route(
            "/me",
            get(|Claims(claims): Claims<AccessClaims>| async move {
                claims.iss().unwrap_or_default().to_owned()
            }),
        )
        .route_layer(BearerAuthLayer::new(FirstOf::new(people, machines)));
    let call = |name: &str| {
        let request = http::Request::get("/me")
            .header("authorization", format!("Bearer {}", token(name)))
            .body(axum::body::Body::empty())
            .expect("a request");
        app.clone().oneshot(request)
    };
    for (name, issuer) in [
        ("okta-admin", "https://example.okta.com/oauth2/default"),
        (
            "cognito-admin",
            "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Sh0pPool1",
        ),
    ] {
        let response = call(name).await.expect("an answer");
        assert_eq!(response.status(), 200, "{name}");
        let body = axum::body::to_bytes(response.into_body(), 4096)
            .await
            .expect("a body");
        assert_eq!(body, issuer.as_bytes(), "{name}");
    }
    for name in [
        "okta-id",
        "cognito-id",
        "cognito-other-client",
        "auth0-admin",
    ] {
        assert_eq!(call(name).await.expect("an answer").status(), 401, "{name}");
    }
}
