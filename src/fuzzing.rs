//! Entry points for the fuzz targets in `fuzz/` to parsers the public API
//! reaches only over the network. Compiled only under `--cfg fuzzing`,
//! which cargo-fuzz sets; never part of the API.

/// Parses a JWK Set document as a key server's answer is parsed: the
/// number of usable keys, or `None` when the document is refused.
#[cfg(feature = "jwks")]
pub fn jwks_key_count(body: &[u8]) -> Option<usize> {
    crate::jwks::fuzzing::parse_key_set(body)
        .ok()
        .map(|keys| keys.len())
}

/// Parses an OpenID Connect discovery document: its issuer and `jwks_uri`,
/// or `None` when it is refused.
#[cfg(feature = "jwks")]
pub fn discovery(body: &[u8]) -> Option<(String, String)> {
    crate::jwks::fuzzing::parse_discovery(body)
        .ok()
        .map(|discovery| (discovery.issuer, discovery.jwks_uri))
}

/// A JWT header as the verifier reads it: `alg`, `kid`, `typ`, and whether
/// it asks for something the verifier refuses; `None` when it is malformed.
#[cfg(feature = "jwt")]
pub fn read_header(json: &str) -> Option<HeaderRead> {
    let header = crate::jwt::fuzzing::read_header(json)?;
    Some(HeaderRead {
        alg: header.alg.map(|s| s.to_string()),
        kid: header.kid.map(|s| s.to_string()),
        typ: header.typ.map(|s| s.to_string()),
        unsupported: header.unsupported,
    })
}

/// What [`read_header`] answers.
#[cfg(feature = "jwt")]
#[derive(Debug, PartialEq)]
pub struct HeaderRead {
    pub alg: Option<String>,
    pub kid: Option<String>,
    pub typ: Option<String>,
    pub unsupported: bool,
}

/// The issuer, audience and required claim [`read_claims`] reads with.
#[cfg(feature = "jwt")]
pub const CLAIMS_ISSUER: &str = "https://issuer.example";
/// The second issuer it accepts: Entra ID's multi-tenant template, for
/// [`CLAIMS_TENANTS`] (compared ignoring ASCII case).
#[cfg(feature = "jwt")]
pub const CLAIMS_ISSUER_TEMPLATE: &str = "https://login.microsoftonline.com/{tenantid}/v2.0";
#[cfg(feature = "jwt")]
pub const CLAIMS_TENANTS: [&str; 2] = [
    "8eaef023-2b34-4da1-9baa-8bc8c9d6a490",
    "2A2B1C7E-0E39-4B5E-9A0F-5D3E1F4A7B6C",
];
#[cfg(feature = "jwt")]
pub const CLAIMS_AUDIENCE: &str = "api";
#[cfg(feature = "jwt")]
pub const CLAIMS_REQUIRED: &str = "scope";

/// A payload read as the verifier reads it, with [`CLAIMS_ISSUER`],
/// [`CLAIMS_ISSUER_TEMPLATE`] and its [`CLAIMS_TENANTS`],
/// [`CLAIMS_AUDIENCE`] and [`CLAIMS_REQUIRED`] as the rules, and then as
/// `AccessClaims`; `None` when it is malformed.
#[cfg(feature = "jwt")]
pub fn read_claims(json: &str) -> Option<ClaimsRead> {
    use crate::jwt::AccessClaims;
    use crate::registered::{ClaimRules, Keep, Registered};

    let mut rules = ClaimRules::new(
        vec![CLAIMS_ISSUER.into(), CLAIMS_ISSUER_TEMPLATE.into()],
        vec![CLAIMS_AUDIENCE.into()],
        true,
        std::time::Duration::ZERO,
    )
    .expect("valid rules");
    rules.required = Box::new([CLAIMS_REQUIRED.into()]);
    rules.tenants = Some(CLAIMS_TENANTS.map(Into::into).into());
    let keep = Keep {
        id: true,
        access_members: true,
    };
    let registered = Registered::read(json, &rules, keep).ok()?;
    let fields = registered.fields(&rules);
    let claims = AccessClaims::from_verified(json.to_owned(), registered).ok()?;
    Some(ClaimsRead {
        exp: fields.exp,
        nbf: fields.nbf,
        iat: fields.iat,
        issuer: fields.issuer,
        audience_accepted: fields.audience_accepted,
        required_present: fields.present == 1,
        bound: fields.bound,
        jti: fields.jti,
        tenant: fields.tenant,
        tid: fields.tid,
        tenant_accepted: fields.tenant_accepted,
        sub: claims.sub().map(str::to_owned),
        iss: claims.iss().map(str::to_owned),
        client_id: claims.client_id().map(str::to_owned),
        acr: claims.acr().map(str::to_owned),
        auth_time: claims.auth_time(),
        scopes: claims.scopes().iter().map(str::to_owned).collect(),
    })
}

/// What [`read_claims`] answers.
#[cfg(feature = "jwt")]
#[derive(Debug, PartialEq)]
pub struct ClaimsRead {
    pub exp: Option<f64>,
    pub nbf: Option<f64>,
    pub iat: Option<f64>,
    /// `Some(Some(0))`: `iss` is [`CLAIMS_ISSUER`]; `Some(Some(1))`: it
    /// fits [`CLAIMS_ISSUER_TEMPLATE`]; `Some(None)`: another.
    pub issuer: Option<Option<usize>>,
    pub audience_accepted: Option<bool>,
    pub required_present: bool,
    pub bound: bool,
    pub jti: Option<String>,
    /// The tenant id in `iss`, when it fits the template.
    pub tenant: Option<String>,
    pub tid: Option<String>,
    /// Whether `tid` is that tenant and the tenant is accepted.
    pub tenant_accepted: Option<bool>,
    pub sub: Option<String>,
    pub iss: Option<String>,
    pub client_id: Option<String>,
    pub acr: Option<String>,
    pub auth_time: Option<i64>,
    pub scopes: Vec<String>,
}
