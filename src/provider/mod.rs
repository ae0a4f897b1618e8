//! Identity providers as they really issue tokens: [`Provider`] profiles
//! for Keycloak, Auth0, Microsoft Entra ID, Amazon Cognito and Okta, on top
//! of OpenID Connect discovery ([`Jwks`]).
//!
//! Each provider bends the standards its own way: where the roles are, an
//! issuer with a trailing `/`, one issuer per tenant, access tokens without
//! `aud`, ID tokens signed with the same keys as access tokens. A profile
//! knows this, so the configuration is the issuer and, where needed, a
//! client id:
//!
//! ```no_run
//! use axum::{Router, routing::get};
//! use tower_bearer_auth::BearerAuthLayer;
//! use tower_bearer_auth::jwt::JwtVerifier;
//! use tower_bearer_auth::provider::Provider;
//!
//! # #[tokio::main]
//! # async fn main() -> Result<(), tower_bearer_auth::ConfigError> {
//! let keycloak = Provider::keycloak("https://sso.example.com/realms/shop").with_client_id("shop-api");
//! let keys = keycloak.discover().build()?;
//! let verifier = JwtVerifier::builder()
//!     .with_provider(&keycloak, keys)
//!     .with_audience("shop-api")
//!     .build()?;
//! let auth = BearerAuthLayer::new(verifier);
//! // Realm role `admin`, or the client role `admin` of `shop-api`.
//! let admins = auth.require(keycloak.require_roles(["admin"])?);
//! let app: Router = Router::new()
//!     .route("/admin", get(|| async { "admin" }).route_layer(admins))
//!     .route_layer(auth);
//! # Ok(()) }
//! ```
//!
//! | profile | issuer | audience | roles ([`require_roles`](Provider::require_roles)) | refused as not an access token |
//! | --- | --- | --- | --- | --- |
//! | [`generic`](Provider::generic) | byte for byte | [`with_audience`](crate::jwt::JwtVerifierBuilder::with_audience) | `roles` | `aud` naming the client |
//! | [`keycloak`](Provider::keycloak) | `https://{host}/realms/{realm}` | an audience mapper's, not `account` | `realm_access.roles`, `resource_access.{client}.roles` | `typ` claim other than `Bearer` or `DPoP` (`ID`, `Refresh`) |
//! | [`auth0`](Provider::auth0) | `https://{tenant}.auth0.com/`, the `/` added | the API identifier | `permissions` | `aud` naming the client |
//! | [`entra`](Provider::entra) | `https://login.microsoftonline.com/{tenant}/v2.0`; `organizations` or `common` accept every tenant, `tid` bound to `iss` | the API's client id or app ID URI | `roles` | neither `scp` nor `roles`; `aud` naming the client |
//! | [`cognito`](Provider::cognito) | `https://cognito-idp.{region}.amazonaws.com/{pool}` | none: `client_id` is checked instead | `cognito:groups` | `token_use` other than `access` |
//! | [`okta`](Provider::okta) | `https://{org}.okta.com/oauth2/{server}` | `api://default` or yours | `groups` | `aud` naming the client |
//!
//! Scopes come from `scope`, or from `scp` as a string (Entra ID) or an
//! array (Okta): [`AccessClaims`](crate::jwt::AccessClaims) reads both, so
//! [`require_scopes`](crate::BearerAuthLayer::require_scopes) works with
//! every profile. Two providers in one service are two verifiers, one per
//! profile, joined by [`FirstOf`](crate::FirstOf): each recognizes its own
//! issuer's tokens.
//!
//! # Recipes
//!
//! Every recipe ends like the example above: `discover().build()?`, then
//! `JwtVerifier::builder().with_provider(&provider, keys)`, then the
//! audience. The `oidc` example runs each of them from the environment
//! (`OIDC_PROVIDER`, `OIDC_ISSUER`, `OIDC_CLIENT_ID`, `JWT_AUDIENCE`).
//!
//! ## Keycloak
//!
//! ```no_run
//! # use tower_bearer_auth::{jwt::JwtVerifier, provider::Provider};
//! # async fn run() -> Result<(), tower_bearer_auth::ConfigError> {
//! let keycloak = Provider::keycloak("https://sso.example.com/realms/shop")
//!     .with_client_id("shop-api"); // its client roles count too
//! let verifier = JwtVerifier::builder()
//!     .with_provider(&keycloak, keycloak.discover().build()?)
//!     .with_audience("shop-api")
//!     .build()?;
//! # Ok(()) }
//! ```
//!
//! - **Claims**: `sub` (a user id), `preferred_username`, `azp` (the client
//!   that asked), `scope`, `realm_access.roles`,
//!   `resource_access.{client}.roles`, and `typ: "Bearer"`.
//! - **Trap: the `account` audience.** Without an audience mapper,
//!   Keycloak's access tokens name only `account` (its account console).
//!   Add an "Audience" mapper for your API's client to the client scope
//!   your front end requests, and configure that client id as the
//!   audience; accepting `account` would accept tokens meant for any
//!   client of the realm.
//! - **Trap: ID tokens with your audience.** A confidential client that is
//!   also the API gets ID tokens with `aud` = itself: the profile refuses
//!   them by their `typ: "ID"` claim.
//!
//! ## Auth0
//!
//! ```no_run
//! # use tower_bearer_auth::{jwt::JwtVerifier, provider::Provider};
//! # async fn run() -> Result<(), tower_bearer_auth::ConfigError> {
//! let auth0 = Provider::auth0("https://example.eu.auth0.com")
//!     .with_client_id("Xq3fY8d2LkP0aZ7tR1mN5bC9vW4sE6hJ"); // the SPA's
//! let verifier = JwtVerifier::builder()
//!     .with_provider(&auth0, auth0.discover().build()?)
//!     .with_audience("https://api.shop.example") // the API identifier
//!     .build()?;
//! # Ok(()) }
//! ```
//!
//! - **Claims**: `sub` (`auth0|…`), `azp`, `scope`, and with RBAC's "Add
//!   Permissions in the Access Token" on, `permissions`. `aud` also names
//!   `https://{tenant}/userinfo` when `openid` was asked for.
//! - **Trap: the trailing slash.** Auth0's `iss` ends with `/`; a verifier
//!   comparing byte for byte refuses every token when configured without
//!   it. The profile adds it.
//! - **Trap: roles.** Auth0 puts no roles in tokens by itself: use
//!   `permissions`, or an Action that adds a namespaced claim, read with
//!   [`RequiredRoles::in_claim`].
//!
//! ## Microsoft Entra ID
//!
//! ```no_run
//! # use tower_bearer_auth::{jwt::JwtVerifier, provider::Provider};
//! # async fn run() -> Result<(), tower_bearer_auth::ConfigError> {
//! // One tenant: its id in the issuer. Every tenant: `organizations`.
//! let entra = Provider::entra("https://login.microsoftonline.com/organizations/v2.0")
//!     .with_tenants(["8eaef023-2b34-4da1-9baa-8bc8c9d6a490"]); // or every tenant without it
//! let verifier = JwtVerifier::builder()
//!     .with_provider(&entra, entra.discover().build()?)
//!     .with_audience("6e74172b-be56-4843-9ff4-e66a39bb12e3") // the API's client id
//!     .build()?;
//! # Ok(()) }
//! ```
//!
//! - **Claims**: `tid` (the tenant), `oid` (the user or service principal,
//!   the same in every app), `sub` (per app), `azp`, `scp` (delegated
//!   scopes, space-delimited), `roles` (app roles; an app-only token has
//!   `roles` and no `scp`), `ver: "2.0"`.
//! - **Keys without `alg`.** Entra publishes none: an RSA key without one
//!   verifies RS256 only, the algorithm Entra signs with.
//! - **Trap: the audience.** v2 tokens name the API's client id; v1 tokens
//!   the app ID URI (`api://…`). Set `accessTokenAcceptedVersion: 2` in
//!   the API's manifest, or accept v1 tokens with
//!   [`with_v1_tokens`](Provider::with_v1_tokens) and both audiences.
//! - **Trap: multi-tenant issuers.** Without the template, either every
//!   token is refused (the issuer is not `…/organizations/v2.0`), or the
//!   issuer check is turned off and any tenant's token, for any app in it,
//!   is one step from accepted. The profile binds `tid` to `iss`; list the
//!   tenants you serve.
//!
//! ## Amazon Cognito
//!
//! ```no_run
//! # use tower_bearer_auth::{jwt::JwtVerifier, provider::Provider};
//! # async fn run() -> Result<(), tower_bearer_auth::ConfigError> {
//! let cognito = Provider::cognito(
//!     "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Sh0pPool1",
//!     "1example23456789abcdefghij", // the app client
//! );
//! let verifier = JwtVerifier::builder()
//!     .with_provider(&cognito, cognito.discover().build()?) // and no audience
//!     .build()?;
//! # Ok(()) }
//! ```
//!
//! - **Claims**: `sub`, `username`, `client_id`, `scope`,
//!   `cognito:groups`, `token_use: "access"`.
//! - **Trap: no `aud`.** Cognito's access tokens have none: the profile
//!   checks `client_id` and `token_use` instead, and refuses an audience
//!   configured beside it. Its ID tokens have `aud` and `token_use: "id"`,
//!   and are refused.
//!
//! ## Okta
//!
//! ```no_run
//! # use tower_bearer_auth::{jwt::JwtVerifier, provider::Provider};
//! # async fn run() -> Result<(), tower_bearer_auth::ConfigError> {
//! let okta = Provider::okta("https://example.okta.com/oauth2/default")
//!     .with_client_id("0oa1shopweb2Xz5d7"); // the front end's
//! let verifier = JwtVerifier::builder()
//!     .with_provider(&okta, okta.discover().build()?)
//!     .with_audience("api://default")
//!     .build()?;
//! # Ok(()) }
//! ```
//!
//! - **Claims**: `sub` (the login), `uid`, `cid` (the client), `scp` (an
//!   array), and `groups` once a groups claim is added to the
//!   authorization server.
//! - **Trap: the org authorization server.** Tokens of
//!   `https://{org}.okta.com` itself are for Okta's own APIs; verify those
//!   of a custom authorization server.
//!
//! ## Any other provider
//!
//! [`Provider::generic`] compares the issuer byte for byte and reads roles
//! from `roles`; [`RequiredRoles::in_claim`] reads them anywhere else.

mod access_token;

use std::sync::Arc;

use access_token::Markers;

use crate::claims::{ClaimPath, RequiredRoles};
use crate::error::ConfigError;
use crate::issuer_template::{TENANT, is_template};
use crate::jwks::{Jwks, JwksBuilder, discovery_url};
use crate::jwt::{JwtError, JwtErrorKind, JwtVerifierBuilder, ProviderRules};

/// An identity provider's profile: its issuer, where its keys and roles
/// are, and how its access tokens differ from its other tokens. See the
/// [module docs](self).
///
/// Apply it with [`JwtVerifierBuilder::with_provider`]; a verifier with a
/// profile accepts that provider's tokens only (a token from another
/// issuer is a second verifier: see [`FirstOf`](crate::FirstOf)).
#[derive(Clone, Debug)]
pub struct Provider {
    kind: Kind,
    issuer: Box<str>,
    discovery_url: String,
    clients: Vec<Box<str>>,
    tenants: Option<Vec<Box<str>>>,
    v1_tokens: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Generic,
    Keycloak,
    Auth0,
    Entra,
    Cognito,
    Okta,
}

/// The tenant segments of Entra ID's multi-tenant endpoints.
const MULTI_TENANT: [&str; 2] = ["organizations", "common"];

impl Provider {
    fn new(kind: Kind, issuer: String, discovery_from: &str) -> Self {
        Self {
            kind,
            discovery_url: discovery_url(discovery_from),
            issuer: issuer.into(),
            clients: Vec::new(),
            tenants: None,
            v1_tokens: false,
        }
    }

    /// Any OpenID Connect provider: `issuer` compared byte for byte, roles
    /// in `roles`.
    pub fn generic(issuer: impl Into<String>) -> Self {
        let issuer = issuer.into();
        Self::new(Kind::Generic, issuer.clone(), &issuer)
    }

    /// Keycloak: `issuer` is the realm's, `https://{host}/realms/{realm}`.
    /// Roles are the realm roles and, for each
    /// [`with_client_id`](Self::with_client_id), that client's roles.
    pub fn keycloak(issuer: impl Into<String>) -> Self {
        let issuer = without_trailing_slash(issuer.into());
        Self::new(Kind::Keycloak, issuer.clone(), &issuer)
    }

    /// Auth0: `issuer` is `https://{tenant}.{region}.auth0.com/` or a
    /// custom domain; the trailing `/` Auth0 puts in `iss` is added when
    /// missing. Roles are RBAC's `permissions`.
    pub fn auth0(issuer: impl Into<String>) -> Self {
        let mut issuer = without_trailing_slash(issuer.into());
        let discovery_from = issuer.clone();
        issuer.push('/');
        Self::new(Kind::Auth0, issuer, &discovery_from)
    }

    /// Microsoft Entra ID: `issuer` is a tenant's v2 issuer,
    /// `https://login.microsoftonline.com/{tenant-id}/v2.0`, or, for a
    /// multi-tenant app, the discovery base `…/organizations/v2.0` or
    /// `…/common/v2.0`, whose tokens carry each tenant's own issuer.
    pub fn entra(issuer: impl Into<String>) -> Self {
        let base = without_trailing_slash(issuer.into());
        let issuer = base
            .split('/')
            .enumerate()
            .map(
                |(at, segment)| match at >= 3 && MULTI_TENANT.contains(&segment) {
                    true => TENANT,
                    false => segment,
                },
            )
            .collect::<Vec<_>>()
            .join("/");
        Self::new(Kind::Entra, issuer, &base)
    }

    /// Amazon Cognito: `issuer` is the user pool's,
    /// `https://cognito-idp.{region}.amazonaws.com/{pool-id}`, and
    /// `client_id` the app client whose access tokens are accepted (add
    /// more with [`with_client_id`](Self::with_client_id)). Roles are the
    /// groups in `cognito:groups`.
    pub fn cognito(issuer: impl Into<String>, client_id: impl Into<Box<str>>) -> Self {
        let issuer = without_trailing_slash(issuer.into());
        Self::new(Kind::Cognito, issuer.clone(), &issuer).with_client_id(client_id)
    }

    /// Okta: `issuer` is a custom authorization server's,
    /// `https://{org}.okta.com/oauth2/{server-id}` (`default` for the
    /// default one). Roles are the groups in `groups` (a claim you add in
    /// Okta).
    pub fn okta(issuer: impl Into<String>) -> Self {
        let issuer = without_trailing_slash(issuer.into());
        Self::new(Kind::Okta, issuer.clone(), &issuer)
    }

    /// A client id. For Cognito, an app client whose access tokens are
    /// accepted. For Keycloak, a client whose client roles count. For the
    /// others, a client of yours that receives ID tokens: a token whose
    /// `aud` names it is one of them, and refused.
    pub fn with_client_id(mut self, client_id: impl Into<Box<str>>) -> Self {
        self.clients.push(client_id.into());
        self
    }

    /// The tenants a multi-tenant Entra ID issuer accepts, by tenant id
    /// (compared ignoring ASCII case); without it, every tenant's tokens
    /// are accepted.
    pub fn with_tenants<I>(mut self, tenants: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<Box<str>>,
    {
        self.tenants = Some(tenants.into_iter().map(Into::into).collect());
        self
    }

    /// Also accepts Entra ID's v1 tokens, issued by
    /// `https://sts.windows.net/{tenant}/` with the same keys (an app whose
    /// manifest leaves `accessTokenAcceptedVersion` at 1).
    pub fn with_v1_tokens(mut self) -> Self {
        self.v1_tokens = true;
        self
    }

    /// Fetches the discovery document from `url`: for a provider reached at
    /// an internal address, or a test server. Its `issuer` must still be
    /// the profile's.
    pub fn with_discovery_url(mut self, url: impl Into<String>) -> Self {
        self.discovery_url = url.into();
        self
    }

    /// The provider's name: `generic`, `keycloak`, `auth0`, `entra`,
    /// `cognito` or `okta`.
    pub fn name(&self) -> &'static str {
        match self.kind {
            Kind::Generic => "generic",
            Kind::Keycloak => "keycloak",
            Kind::Auth0 => "auth0",
            Kind::Entra => "entra",
            Kind::Cognito => "cognito",
            Kind::Okta => "okta",
        }
    }

    /// The issuer its tokens carry: a template with `{tenantid}` for a
    /// multi-tenant Entra ID app.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// Where the discovery document is fetched.
    pub fn discovery_url(&self) -> &str {
        &self.discovery_url
    }

    /// The provider's keys, by discovery: tune the fetching on the builder,
    /// then build it and hand it to [`JwtVerifierBuilder::with_provider`].
    pub fn discover(&self) -> JwksBuilder {
        Jwks::discover(&*self.issuer).with_discovery_url(self.discovery_url.clone())
    }

    /// The claims that hold the provider's roles, in order.
    pub fn role_claims(&self) -> Vec<ClaimPath> {
        let path = |names: &[&str]| ClaimPath::from_names(names).ok();
        let mut claims = match self.kind {
            Kind::Generic | Kind::Entra => vec![path(&["roles"])],
            Kind::Keycloak => vec![path(&["realm_access", "roles"])],
            Kind::Auth0 => vec![path(&["permissions"])],
            Kind::Cognito => vec![path(&["cognito:groups"])],
            Kind::Okta => vec![path(&["groups"])],
        };
        if self.kind == Kind::Keycloak {
            let clients = self.clients.iter();
            claims.extend(clients.map(|client| path(&["resource_access", client, "roles"])));
        }
        claims.into_iter().flatten().collect()
    }

    /// Every role of `roles`, in the provider's role claims: put it on a
    /// route with [`BearerAuthLayer::require`](crate::BearerAuthLayer::require).
    /// Refuses an empty list and empty roles.
    pub fn require_roles<I>(&self, roles: I) -> Result<RequiredRoles, ConfigError>
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        RequiredRoles::new(roles)?.in_claims(self.role_claims())
    }

    /// The issuer of Entra ID's v1 tokens for this profile's tenant (or
    /// template).
    fn v1_issuer(&self) -> Option<String> {
        let tenant_part = self.issuer.strip_suffix("/v2.0")?;
        let (_, tenant) = tenant_part.rsplit_once('/')?;
        Some(format!("https://sts.windows.net/{tenant}/"))
    }

    /// The rules this profile adds to a verifier.
    fn rules(&self) -> ProviderRules {
        let mut error = None;
        let mut issuers = vec![self.issuer.clone()];
        if self.v1_tokens {
            match self.v1_issuer().filter(|_| self.kind == Kind::Entra) {
                Some(v1) => issuers.push(v1.into()),
                None => error = Some(ConfigError::ProviderConflict),
            }
        }
        if self.kind == Kind::Cognito && self.clients.is_empty() {
            error = Some(ConfigError::NoClientId);
        }
        let tenants = self.tenants.as_ref().map(|tenants| tenants.clone().into());
        let bad_tenants = self.tenants.as_ref().is_some_and(|tenants| {
            !is_template(&self.issuer)
                || tenants.is_empty()
                || tenants.iter().any(|tenant| tenant.is_empty())
        });
        if bad_tenants || self.clients.iter().any(|client| client.is_empty()) {
            error = Some(ConfigError::ProviderConflict);
        }
        let not_audiences = match self.kind {
            Kind::Keycloak | Kind::Cognito => Vec::new(),
            _ => self.clients.clone(),
        };
        ProviderRules {
            name: self.name(),
            issuers,
            check: self.payload_check(),
            tenants,
            without_audience: self.kind == Kind::Cognito,
            not_audiences,
            error,
        }
    }

    /// The check that tells this provider's access tokens from its other
    /// tokens, if it needs one.
    fn payload_check(&self) -> Option<crate::jwt::PayloadCheck> {
        let clients: Arc<[Box<str>]> = self.clients.clone().into();
        let kind = self.kind;
        if clients.is_empty() && matches!(kind, Kind::Generic | Kind::Auth0 | Kind::Okta) {
            return None;
        }
        Some(Arc::new(move |payload: &[u8]| {
            let markers = Markers::read(payload, &clients)?;
            match kind {
                Kind::Keycloak => keycloak_access_token(&markers),
                Kind::Cognito => cognito_access_token(&markers),
                Kind::Entra => not_for_the_client(&markers).and(entra_access_token(&markers)),
                Kind::Generic | Kind::Auth0 | Kind::Okta => not_for_the_client(&markers),
            }
        }))
    }
}

/// A Keycloak token's `typ` claim, when present, is `Bearer` (or `DPoP`
/// for a DPoP-bound one); `ID`, `Refresh` and `Logout` are other tokens.
fn keycloak_access_token(markers: &Markers) -> Result<(), JwtError> {
    match markers.typ.as_deref() {
        None => Ok(()),
        Some(typ) if typ.eq_ignore_ascii_case("Bearer") || typ.eq_ignore_ascii_case("DPoP") => {
            Ok(())
        }
        Some(_) => Err(not_an_access_token("typ claim")),
    }
}

/// A Cognito access token has `token_use: "access"` and the `client_id` of
/// an accepted app client.
fn cognito_access_token(markers: &Markers) -> Result<(), JwtError> {
    match markers.token_use.as_deref() {
        Some("access") => {}
        Some(_) => return Err(not_an_access_token("token_use")),
        None => {
            return Err(JwtError::with_detail(
                JwtErrorKind::MissingClaim,
                "token_use",
            ));
        }
    }
    match markers.client_accepted {
        Some(true) => Ok(()),
        Some(false) => Err(JwtError::with_detail(
            JwtErrorKind::WrongAudience,
            "client_id not accepted",
        )),
        None => Err(JwtError::with_detail(
            JwtErrorKind::MissingClaim,
            "client_id",
        )),
    }
}

/// An Entra ID access token has delegated scopes (`scp`) or app roles
/// (`roles`); an ID token has neither.
fn entra_access_token(markers: &Markers) -> Result<(), JwtError> {
    match markers.scp_or_roles {
        true => Ok(()),
        false => Err(not_an_access_token("no scp or roles")),
    }
}

/// A token whose `aud` names a client of the application is that client's
/// ID token.
fn not_for_the_client(markers: &Markers) -> Result<(), JwtError> {
    match markers.aud_names_client {
        true => Err(not_an_access_token("aud names the client")),
        false => Ok(()),
    }
}

fn not_an_access_token(why: &'static str) -> JwtError {
    JwtError::with_detail(JwtErrorKind::WrongType, why)
}

fn without_trailing_slash(mut issuer: String) -> String {
    while issuer.ends_with('/') {
        issuer.pop();
    }
    issuer
}

impl<C> JwtVerifierBuilder<C> {
    /// Accepts the tokens of `provider` only, verified with `keys` (its
    /// [`discover`](Provider::discover)y, built), under its rules: see the
    /// [module docs](self). An audience is still needed, except for
    /// Cognito.
    ///
    /// [`build`](Self::build) refuses ([`ConfigError::ProviderConflict`])
    /// keys of another issuer, other keys or issuers beside the profile,
    /// and an audience the profile's access tokens cannot have; a Cognito
    /// profile without a client id is [`ConfigError::NoClientId`].
    pub fn with_provider(self, provider: &Provider, keys: Jwks) -> Self {
        let rules = provider.rules();
        let mut builder = self.with_key_source(keys.issuer(), Arc::new(keys.clone()));
        for other in rules.issuers.iter().skip(1) {
            builder = builder.with_key_source(other, Arc::new(keys.clone()));
        }
        builder.with_provider_rules(rules)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issuers_and_discovery_urls_per_provider() {
        let cases = [
            (
                Provider::keycloak("https://sso.example.com/realms/shop/"),
                "https://sso.example.com/realms/shop",
                "https://sso.example.com/realms/shop/.well-known/openid-configuration",
            ),
            (
                Provider::auth0("https://example.eu.auth0.com"),
                "https://example.eu.auth0.com/",
                "https://example.eu.auth0.com/.well-known/openid-configuration",
            ),
            (
                Provider::auth0("https://example.eu.auth0.com/"),
                "https://example.eu.auth0.com/",
                "https://example.eu.auth0.com/.well-known/openid-configuration",
            ),
            (
                Provider::entra("https://login.microsoftonline.com/organizations/v2.0"),
                "https://login.microsoftonline.com/{tenantid}/v2.0",
                "https://login.microsoftonline.com/organizations/v2.0/.well-known/openid-configuration",
            ),
            (
                Provider::entra("https://login.microsoftonline.com/common/v2.0"),
                "https://login.microsoftonline.com/{tenantid}/v2.0",
                "https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration",
            ),
            (
                Provider::entra(
                    "https://login.microsoftonline.com/8eaef023-2b34-4da1-9baa-8bc8c9d6a490/v2.0",
                ),
                "https://login.microsoftonline.com/8eaef023-2b34-4da1-9baa-8bc8c9d6a490/v2.0",
                "https://login.microsoftonline.com/8eaef023-2b34-4da1-9baa-8bc8c9d6a490/v2.0/.well-known/openid-configuration",
            ),
            (
                Provider::cognito(
                    "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Pool",
                    "app",
                ),
                "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Pool",
                "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Pool/.well-known/openid-configuration",
            ),
            (
                Provider::okta("https://example.okta.com/oauth2/default"),
                "https://example.okta.com/oauth2/default",
                "https://example.okta.com/oauth2/default/.well-known/openid-configuration",
            ),
            (
                Provider::generic("https://idp.example.com/"),
                "https://idp.example.com/",
                "https://idp.example.com/.well-known/openid-configuration",
            ),
        ];
        for (provider, issuer, discovery) in cases {
            assert_eq!(provider.issuer(), issuer, "{}", provider.name());
            assert_eq!(provider.discovery_url(), discovery, "{}", provider.name());
        }
        let moved = Provider::okta("https://example.okta.com/oauth2/default").with_discovery_url(
            "http://127.0.0.1:1/oauth2/default/.well-known/openid-configuration",
        );
        assert!(moved.discovery_url().starts_with("http://127.0.0.1:1/"));
    }

    #[test]
    fn role_claims_per_provider() {
        let names = |provider: Provider| {
            provider
                .role_claims()
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
        };
        assert_eq!(names(Provider::generic("https://a")), ["roles"]);
        assert_eq!(
            names(Provider::keycloak("https://a/realms/r").with_client_id("shop.api")),
            ["realm_access.roles", "resource_access.shop.api.roles"]
        );
        let keycloak = Provider::keycloak("https://a/realms/r").with_client_id("shop.api");
        assert_eq!(
            keycloak.role_claims()[1].names().collect::<Vec<_>>(),
            ["resource_access", "shop.api", "roles"],
            "a client id with a dot is one name"
        );
        assert_eq!(names(Provider::auth0("https://a")), ["permissions"]);
        assert_eq!(names(Provider::entra("https://a/common/v2.0")), ["roles"]);
        assert_eq!(
            names(Provider::cognito("https://a", "c")),
            ["cognito:groups"]
        );
        assert_eq!(
            names(Provider::okta("https://a/oauth2/default")),
            ["groups"]
        );
    }

    #[test]
    fn v1_issuers_and_mistakes_found_at_build() {
        let entra =
            Provider::entra("https://login.microsoftonline.com/common/v2.0").with_v1_tokens();
        let rules = entra.rules();
        assert_eq!(
            rules
                .issuers
                .iter()
                .map(|issuer| &**issuer)
                .collect::<Vec<_>>(),
            [
                "https://login.microsoftonline.com/{tenantid}/v2.0",
                "https://sts.windows.net/{tenantid}/"
            ]
        );
        assert!(rules.error.is_none());
        let error = |provider: Provider| provider.rules().error;
        assert_eq!(
            error(Provider::okta("https://a/oauth2/default").with_v1_tokens()),
            Some(ConfigError::ProviderConflict)
        );
        assert_eq!(
            error(Provider::entra("https://login.microsoftonline.com/t/v2.0").with_tenants(["t"])),
            Some(ConfigError::ProviderConflict),
            "tenants of a single-tenant issuer"
        );
        assert_eq!(
            error(
                Provider::entra("https://login.microsoftonline.com/common/v2.0")
                    .with_tenants(Vec::<String>::new())
            ),
            Some(ConfigError::ProviderConflict)
        );
        assert_eq!(
            error(Provider::generic("https://a").with_client_id("")),
            Some(ConfigError::ProviderConflict)
        );
        let mut cognito = Provider::cognito("https://a", "c");
        cognito.clients.clear();
        assert_eq!(error(cognito), Some(ConfigError::NoClientId));
    }

    #[test]
    fn access_tokens_and_the_other_tokens() {
        let check = |provider: &Provider, payload: &str| match provider.payload_check() {
            Some(check) => check(payload.as_bytes()).map_err(|error| error.kind()),
            None => Ok(()),
        };
        use JwtErrorKind::*;
        let keycloak = Provider::keycloak("https://a/realms/r").with_client_id("shop-api");
        assert_eq!(
            check(&keycloak, r#"{"typ":"Bearer","aud":"shop-api"}"#),
            Ok(())
        );
        assert_eq!(check(&keycloak, r#"{"typ":"DPoP"}"#), Ok(()));
        assert_eq!(check(&keycloak, "{}"), Ok(()));
        assert_eq!(
            check(&keycloak, r#"{"typ":"ID","aud":"shop-api"}"#),
            Err(WrongType)
        );
        assert_eq!(check(&keycloak, r#"{"typ":"Refresh"}"#), Err(WrongType));

        let cognito = Provider::cognito("https://a", "app");
        assert_eq!(
            check(&cognito, r#"{"token_use":"access","client_id":"app"}"#),
            Ok(())
        );
        assert_eq!(
            check(&cognito, r#"{"token_use":"id","aud":"app"}"#),
            Err(WrongType)
        );
        assert_eq!(
            check(&cognito, r#"{"token_use":"access","client_id":"x"}"#),
            Err(WrongAudience)
        );
        assert_eq!(
            check(&cognito, r#"{"token_use":"access"}"#),
            Err(MissingClaim)
        );
        assert_eq!(check(&cognito, r#"{"client_id":"app"}"#), Err(MissingClaim));

        let entra = Provider::entra("https://login.microsoftonline.com/common/v2.0");
        assert_eq!(check(&entra, r#"{"scp":"access_as_user"}"#), Ok(()));
        assert_eq!(check(&entra, r#"{"roles":["admin"]}"#), Ok(()));
        assert_eq!(
            check(&entra, r#"{"aud":"api","nonce":"n"}"#),
            Err(WrongType)
        );
        let entra = entra.with_client_id("spa");
        assert_eq!(check(&entra, r#"{"aud":"spa","scp":"x"}"#), Err(WrongType));

        let auth0 = Provider::auth0("https://a");
        assert!(
            auth0.payload_check().is_none(),
            "nothing to check without a client"
        );
        let auth0 = auth0.with_client_id("spa");
        assert_eq!(
            check(&auth0, r#"{"aud":["https://api","https://a/userinfo"]}"#),
            Ok(())
        );
        assert_eq!(
            check(&auth0, r#"{"aud":"spa","nonce":"n"}"#),
            Err(WrongType)
        );
    }
}
