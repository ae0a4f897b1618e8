//! The quickstart's routes with keys from the identity provider: OpenID
//! Connect discovery, or a JWK Set URL, fetched, cached and kept fresh,
//! under the profile of the provider that issues the tokens.
//!
//! ```text
//! OIDC_PROVIDER=keycloak OIDC_ISSUER=https://sso.example.com/realms/shop \
//! JWT_AUDIENCE=shop-api OIDC_CLIENT_ID=shop-api \
//!     cargo run --example oidc --features axum,jwt,jwks
//! ```
//!
//! Environment:
//! - `OIDC_PROVIDER`: `generic` (the default), `keycloak`, `auth0`,
//!   `entra`, `cognito` or `okta`: where roles are, the issuer's form, and
//!   how access tokens are told from ID tokens (see
//!   `tower_bearer_auth::provider`).
//! - `OIDC_ISSUER`: the issuer; its keys are found through
//!   `{OIDC_ISSUER}/.well-known/openid-configuration`. For `entra`, the
//!   multi-tenant base `https://login.microsoftonline.com/organizations/v2.0`
//!   accepts every tenant, each token's `tid` bound to its `iss`. Or, with
//!   `generic`:
//! - `JWKS_URL`: the key set's URL, with `JWT_ISSUER` (required: the keys
//!   vouch for that issuer only).
//! - `OIDC_DISCOVERY_URL`: fetch the discovery document there instead.
//! - `OIDC_CLIENT_ID`: Cognito's app client (required), Keycloak's client
//!   whose client roles count, or elsewhere your client that receives ID
//!   tokens (tokens naming it in `aud` are refused).
//! - `OIDC_TENANTS`: the tenant ids a multi-tenant `entra` issuer accepts,
//!   separated by commas (unset: every tenant, with a warning).
//! - `ADMIN_ROLE`: the role `/admin` needs (default `admin`).
//! - `JWT_AUDIENCE` (required, except for `generic`, where unset means any
//!   audience with a warning, and `cognito`, where it is never set),
//!   `JWT_PROFILE` (`jwt` or `rfc9068`) and `BIND` (default
//!   `127.0.0.1:3000`), as in the quickstart.
//!
//! It starts even if the keys cannot be fetched yet: requests get 503 with
//! `Retry-After` until they can. Plain `http` is allowed to 127.0.0.1 for
//! local testing. Routes: `GET /public`, `GET /me` (the token's claims as
//! JSON), `GET /admin`: the role `ADMIN_ROLE` in the provider's role claim
//! (Keycloak realm or client roles, Auth0 `permissions`, Entra `roles`,
//! Cognito `cognito:groups`, Okta `groups`, otherwise `roles`), or the
//! scope `admin`.

#[path = "common/mod.rs"]
mod common;
#[path = "common/jwt_env.rs"]
mod jwt_env;
#[path = "common/jwt_routes.rs"]
mod jwt_routes;
#[path = "common/oidc_env.rs"]
mod oidc_env;

use tokio::net::TcpListener;
use tower_bearer_auth::BearerAuthLayer;
use tower_bearer_auth::claims::RequiredRoles;
use tower_bearer_auth::require::OrElse;
use tower_bearer_auth::scope::RequiredScopes;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    common::init_tracing();
    let (verifier, provider) = oidc_env::verifier().await?;

    let role = jwt_env::var("ADMIN_ROLE").unwrap_or_else(|| "admin".to_owned());
    let roles = match &provider {
        Some(provider) => provider.require_roles([&role])?,
        None => RequiredRoles::new([&role])?,
    };
    // The role, or else the scope: a refusal names the scope to ask for.
    let admins = OrElse::new(roles, RequiredScopes::new(["admin"])?);
    let app = jwt_routes::routes_with_admin_rule(
        BearerAuthLayer::new(verifier),
        axum::Router::new(),
        admins,
    );

    let listener = TcpListener::bind(common::bind_address()?).await?;
    eprintln!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}
