//! The JWT configuration the JWT examples share, read from the environment.
//!
//! - `JWT_SECRET`: an HS256 secret (at least 32 bytes), or
//! - `JWT_PUBLIC_KEY`: the path of a PEM public key (RSA, EC P-256/P-384,
//!   Ed25519); the algorithm follows from the key (RS256, ES256/ES384, EdDSA).
//! - `JWT_ALGORITHMS`: the algorithms the key verifies instead, separated by
//!   commas (`PS256`, `RS256,PS256`): a bare RSA key does not say whether
//!   its issuer signs with RS256 or PS256.
//! - `JWT_ISSUER`, `JWT_AUDIENCE`: the accepted `iss` and `aud`; unset, that
//!   claim is not checked (a warning says so).
//! - `JWT_PROFILE`: `jwt` (the default) or `rfc9068` (RFC 9068 access tokens:
//!   `typ: at+jwt` and `iss exp aud sub client_id iat jti` required).
//!
//! With neither key variable set, a random secret is generated for this run,
//! issuer and audience default to demo values, and tokens valid for an hour
//! are made to try the service with.

#![allow(dead_code)] // each example uses a part

use std::time::{SystemTime, UNIX_EPOCH};

use tower_bearer_auth::jwt::jsonwebtoken::{self, EncodingKey, Header};
use tower_bearer_auth::jwt::{AccessClaims, JwtKey, JwtProfile, JwtVerifier};

type Error = Box<dyn std::error::Error>;

/// Used in demo mode when `JWT_ISSUER` is unset.
const DEMO_ISSUER: &str = "https://quickstart.example";
/// Used in demo mode when `JWT_AUDIENCE` is unset.
const DEMO_AUDIENCE: &str = "quickstart-api";

/// The verifier, and in demo mode the tokens to try it with.
pub(crate) struct JwtConfig {
    pub(crate) verifier: JwtVerifier<AccessClaims>,
    /// `(scope, token)` pairs, when the secret was generated.
    pub(crate) demo_tokens: Vec<(&'static str, String)>,
}

/// `JWT_PROFILE`: `jwt` (the default) or `rfc9068`.
pub(crate) fn profile() -> Result<JwtProfile, Error> {
    match var("JWT_PROFILE").as_deref() {
        None | Some("jwt") => Ok(JwtProfile::Jwt),
        Some("rfc9068") => Ok(JwtProfile::Rfc9068),
        Some(other) => Err(format!("JWT_PROFILE must be jwt or rfc9068, not {other:?}").into()),
    }
}

/// `JWT_ALGORITHMS`: JWA names separated by commas.
fn algorithms(names: &str) -> Result<Vec<jsonwebtoken::Algorithm>, Error> {
    names
        .split(',')
        .map(|name| {
            name.trim()
                .parse()
                .map_err(|_| format!("JWT_ALGORITHMS: {name:?} is not an algorithm").into())
        })
        .collect()
}

pub(crate) fn from_env() -> Result<JwtConfig, Error> {
    let profile = profile()?;
    let mut issuer = var("JWT_ISSUER");
    let mut audience = var("JWT_AUDIENCE");
    let mut demo_secret = None;
    let key = match (var("JWT_SECRET"), var("JWT_PUBLIC_KEY")) {
        (Some(_), Some(_)) => return Err("set JWT_SECRET or JWT_PUBLIC_KEY, not both".into()),
        (Some(secret), None) => JwtKey::hmac(secret)?,
        (None, Some(path)) => {
            let pem =
                std::fs::read(&path).map_err(|error| format!("JWT_PUBLIC_KEY {path}: {error}"))?;
            JwtKey::from_pem(pem)?
        }
        (None, None) => {
            let mut secret = [0u8; 32];
            getrandom::fill(&mut secret).map_err(|error| format!("no randomness: {error}"))?;
            issuer.get_or_insert_with(|| DEMO_ISSUER.to_owned());
            audience.get_or_insert_with(|| DEMO_AUDIENCE.to_owned());
            demo_secret = Some(secret);
            JwtKey::hmac(secret)?
        }
    };

    let key = match var("JWT_ALGORITHMS") {
        Some(names) => key.with_algorithms(algorithms(&names)?)?,
        None => key,
    };
    let mut builder = JwtVerifier::builder().with_key(key).with_profile(profile);
    match &issuer {
        Some(issuer) => builder = builder.with_issuer(issuer.as_str()),
        None => eprintln!("JWT_ISSUER not set: tokens of any issuer are accepted"),
    }
    match &audience {
        Some(audience) => builder = builder.with_audience(audience.as_str()),
        None => {
            eprintln!("JWT_AUDIENCE not set: tokens for any audience are accepted");
            builder = builder.without_audience_check();
        }
    }
    let verifier = builder.build()?;

    let demo_tokens = match demo_secret {
        Some(secret) => ["read", "read admin"]
            .into_iter()
            .map(|scope| {
                let token = demo_token(
                    &secret,
                    profile,
                    issuer.as_deref(),
                    audience.as_deref(),
                    scope,
                )?;
                Ok((scope, token))
            })
            .collect::<Result<_, Error>>()?,
        None => Vec::new(),
    };
    Ok(JwtConfig {
        verifier,
        demo_tokens,
    })
}

/// An HS256 token valid for an hour, with what `profile` requires.
fn demo_token(
    secret: &[u8],
    profile: JwtProfile,
    issuer: Option<&str>,
    audience: Option<&str>,
    scope: &str,
) -> Result<String, Error> {
    let now = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs();
    let mut header = Header::new(jsonwebtoken::Algorithm::HS256);
    if profile == JwtProfile::Rfc9068 {
        header.typ = Some("at+jwt".to_owned());
    }
    let claims = serde_json::json!({
        "iss": issuer,
        "aud": audience,
        "sub": if scope.contains("admin") { "demo-admin" } else { "demo" },
        "client_id": "quickstart",
        "scope": scope,
        "iat": now,
        "exp": now + 3600,
        "jti": format!("demo-{now}-{}", scope.len()),
    });
    Ok(jsonwebtoken::encode(
        &header,
        &claims,
        &EncodingKey::from_secret(secret),
    )?)
}

/// The variable `name`, if set and not empty.
pub(crate) fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|value| !value.is_empty())
}
