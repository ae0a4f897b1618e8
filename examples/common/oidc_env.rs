//! The verifier of the `oidc` and `dpop` examples: keys from the identity
//! provider, configured by the environment; and the keys alone, for the
//! `mcp_server` example (`OIDC_ISSUER`, or `JWKS_URL` with `JWT_ISSUER`).
//!
//! - `OIDC_PROVIDER`: the provider's profile, `generic` (the default),
//!   `keycloak`, `auth0`, `entra`, `cognito` or `okta`
//!   (`tower_bearer_auth::provider`).
//! - `OIDC_ISSUER`: the issuer; its keys are found through
//!   `{OIDC_ISSUER}/.well-known/openid-configuration`. For `entra`, the
//!   multi-tenant base `https://login.microsoftonline.com/organizations/v2.0`
//!   accepts every tenant. Or, for `generic` only:
//! - `JWKS_URL`: the key set's URL, with `JWT_ISSUER` (required: the keys
//!   vouch for that issuer only).
//! - `OIDC_DISCOVERY_URL`: where to fetch the discovery document instead
//!   (an internal address); its `issuer` must still be the provider's.
//! - `OIDC_CLIENT_ID`: Cognito's app client (required for `cognito`),
//!   Keycloak's client whose client roles count, or elsewhere your client
//!   that receives ID tokens (tokens for it are refused).
//! - `OIDC_TENANTS`: for a multi-tenant `entra` issuer, the tenant ids
//!   accepted, separated by commas (unset: every tenant, with a warning).
//! - `JWT_AUDIENCE`: required, except for `generic` (unset: any audience,
//!   with a warning) and `cognito` (never set); and `JWT_PROFILE` (`jwt`
//!   or `rfc9068`), as in the quickstart.

#![allow(dead_code)] // each example uses a part

use tower_bearer_auth::jwks::{Jwks, JwksBuilder};
use tower_bearer_auth::jwt::{JwtVerifier, JwtVerifierBuilder};
use tower_bearer_auth::provider::Provider;

use crate::jwt_env;

type Error = Box<dyn std::error::Error>;

/// The verifier and the provider's profile (`None` with `JWKS_URL`), once
/// a first fetch of the keys succeeded or failed. Not fatal: the service
/// answers 503 until the keys arrive. A service that must not start
/// without them would return the error instead.
pub(crate) async fn verifier() -> Result<(JwtVerifier, Option<Provider>), Error> {
    let provider = provider()?;
    let (keys, mut builder) = match &provider {
        Some(provider) => {
            let keys = provider.discover().build()?;
            let builder = JwtVerifier::builder().with_provider(provider, keys.clone());
            (keys, builder)
        }
        None => {
            let keys = key_set()?.build()?;
            (keys.clone(), JwtVerifier::builder().with_jwks(keys))
        }
    };
    builder = builder.with_profile(jwt_env::profile()?);
    builder = audience(builder, provider.as_ref())?;
    let verifier = builder.build()?;
    report_first_fetch(&keys).await;
    Ok((verifier, provider))
}

/// The keys of `OIDC_ISSUER` (discovery), or of `JWKS_URL` with
/// `JWT_ISSUER`, without a provider's profile: for a verifier the example
/// configures itself (`mcp_server`). [`Jwks::issuer`] names the issuer.
pub(crate) fn keys() -> Result<Jwks, Error> {
    let issuer = jwt_env::var("OIDC_ISSUER");
    let keys = match (issuer, jwt_env::var("JWKS_URL"), jwt_env::var("JWT_ISSUER")) {
        (Some(issuer), None, None) => Jwks::discover(issuer),
        (None, Some(_), _) => key_set()?,
        (Some(_), _, _) => return Err("set OIDC_ISSUER alone, or JWKS_URL with JWT_ISSUER".into()),
        (None, None, _) => return Err("set OIDC_ISSUER, or JWKS_URL and JWT_ISSUER".into()),
    };
    Ok(keys.build()?)
}

/// Waits for the first fetch of `keys` and says how it went. Not fatal:
/// the service answers 503 until the keys arrive.
pub(crate) async fn report_first_fetch(keys: &Jwks) {
    match keys.ready().await {
        Ok(()) => eprintln!(
            "keys of {} fetched: {:?}",
            keys.issuer(),
            keys.status().key_ids
        ),
        Err(error) => eprintln!(
            "keys of {} not available yet ({error}): 503 until they are",
            keys.issuer()
        ),
    }
}

/// `OIDC_PROVIDER` applied to `OIDC_ISSUER` and the variables that tune
/// it; `None` for a key set named by `JWKS_URL`.
fn provider() -> Result<Option<Provider>, Error> {
    let name = jwt_env::var("OIDC_PROVIDER");
    let (issuer, jwks_url) = (jwt_env::var("OIDC_ISSUER"), jwt_env::var("JWKS_URL"));
    let issuer = match (issuer, jwks_url, jwt_env::var("JWT_ISSUER")) {
        (Some(issuer), None, None) => issuer,
        (None, Some(_), _) if name.as_deref().is_none_or(|name| name == "generic") => {
            return Ok(None);
        }
        (None, Some(_), _) => return Err("JWKS_URL is for OIDC_PROVIDER=generic".into()),
        (Some(_), _, _) => {
            return Err("set OIDC_ISSUER alone, or JWKS_URL with JWT_ISSUER".into());
        }
        (None, None, _) => return Err("set OIDC_ISSUER, or JWKS_URL and JWT_ISSUER".into()),
    };
    let client = jwt_env::var("OIDC_CLIENT_ID");
    let mut provider = match name.as_deref().unwrap_or("generic") {
        "generic" => Provider::generic(issuer),
        "keycloak" => Provider::keycloak(issuer),
        "auth0" => Provider::auth0(issuer),
        "entra" => Provider::entra(issuer),
        "okta" => Provider::okta(issuer),
        "cognito" => match &client {
            Some(client) => Provider::cognito(issuer, client.as_str()),
            None => return Err("OIDC_PROVIDER=cognito needs OIDC_CLIENT_ID".into()),
        },
        other => {
            return Err(format!(
                "OIDC_PROVIDER must be generic, keycloak, auth0, entra, cognito or okta, not {other:?}"
            )
            .into());
        }
    };
    provider = match (client, provider.name()) {
        (Some(_), "cognito") | (None, _) => provider,
        (Some(client), "keycloak") => provider.with_client_roles(client),
        (Some(client), _) => provider.refusing_tokens_for(client),
    };
    match jwt_env::var("OIDC_TENANTS") {
        Some(tenants) => provider = provider.with_tenants(tenants.split(',').map(str::trim)),
        None if provider.is_multi_tenant() => {
            eprintln!("OIDC_TENANTS not set: tokens of every tenant are accepted");
            provider = provider.with_any_tenant();
        }
        None => {}
    }
    if let Some(url) = jwt_env::var("OIDC_DISCOVERY_URL") {
        provider = provider.with_discovery_url(url);
    }
    Ok(Some(provider))
}

/// `JWKS_URL` with `JWT_ISSUER`.
fn key_set() -> Result<JwksBuilder, Error> {
    match (jwt_env::var("JWKS_URL"), jwt_env::var("JWT_ISSUER")) {
        (Some(url), Some(issuer)) => Ok(Jwks::from_url(url, issuer)),
        _ => Err("JWKS_URL needs JWT_ISSUER".into()),
    }
}

/// `JWT_AUDIENCE`: required by the profiles of providers whose tokens
/// serve many APIs; Cognito's access tokens have none, and are checked by
/// `client_id` instead.
fn audience(
    builder: JwtVerifierBuilder<tower_bearer_auth::jwt::AccessClaims>,
    provider: Option<&Provider>,
) -> Result<JwtVerifierBuilder<tower_bearer_auth::jwt::AccessClaims>, Error> {
    let name = provider.map_or("generic", Provider::name);
    Ok(match (jwt_env::var("JWT_AUDIENCE"), name) {
        (Some(_), "cognito") => {
            return Err("Cognito's access tokens have no audience: unset JWT_AUDIENCE".into());
        }
        (None, "cognito") => builder,
        (Some(audience), _) => builder.with_audience(audience),
        (None, "generic") => {
            eprintln!("JWT_AUDIENCE not set: tokens for any audience are accepted");
            builder.without_audience_check()
        }
        (None, name) => {
            return Err(format!(
                "OIDC_PROVIDER={name} needs JWT_AUDIENCE: its tokens serve many APIs"
            )
            .into());
        }
    })
}
