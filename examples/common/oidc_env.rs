//! The verifier of the `oidc` and `dpop` examples: keys from the identity
//! provider, configured by the environment.
//!
//! - `OIDC_ISSUER`: the issuer; its keys are found through
//!   `{OIDC_ISSUER}/.well-known/openid-configuration`, or
//! - `JWKS_URL`: the key set's URL, with `JWT_ISSUER` (required: the keys
//!   vouch for that issuer only).
//! - `JWT_AUDIENCE` (unset: any audience, with a warning) and `JWT_PROFILE`
//!   (`jwt` or `rfc9068`), as in the quickstart.

use tower_bearer_auth::jwks::Jwks;
use tower_bearer_auth::jwt::JwtVerifier;

use crate::jwt_env;

/// The verifier, once a first fetch of the keys succeeded or failed. Not
/// fatal: the service answers 503 until the keys arrive. A service that
/// must not start without them would return the error instead.
pub(crate) async fn verifier() -> Result<JwtVerifier, Box<dyn std::error::Error>> {
    let keys = match (
        jwt_env::var("OIDC_ISSUER"),
        jwt_env::var("JWKS_URL"),
        jwt_env::var("JWT_ISSUER"),
    ) {
        (Some(issuer), None, None) => Jwks::discover(issuer),
        (None, Some(url), Some(issuer)) => Jwks::from_url(url, issuer),
        (None, Some(_), None) => return Err("JWKS_URL needs JWT_ISSUER".into()),
        (Some(_), _, _) => {
            return Err("set OIDC_ISSUER alone, or JWKS_URL with JWT_ISSUER".into());
        }
        (None, None, _) => return Err("set OIDC_ISSUER, or JWKS_URL and JWT_ISSUER".into()),
    }
    .build()?;

    let mut builder = JwtVerifier::builder()
        .with_jwks(keys.clone())
        .with_profile(jwt_env::profile()?);
    match jwt_env::var("JWT_AUDIENCE") {
        Some(audience) => builder = builder.with_audience(audience),
        None => {
            eprintln!("JWT_AUDIENCE not set: tokens for any audience are accepted");
            builder = builder.without_audience_check();
        }
    }
    let verifier = builder.build()?;

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
    Ok(verifier)
}
