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
//! let keycloak = Provider::keycloak("https://sso.example.com/realms/shop").with_client_roles("shop-api");
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
//! | [`generic`](Provider::generic) | byte for byte | [`with_audience`](crate::jwt::JwtVerifierBuilder::with_audience) | `roles` | `aud` naming a client of [`refusing_tokens_for`](Provider::refusing_tokens_for) (every profile) |
//! | [`keycloak`](Provider::keycloak) | `https://{host}/realms/{realm}` | an audience mapper's, not `account` | `realm_access.roles`, `resource_access.{client}.roles` | a `typ` claim missing or other than `Bearer` or `DPoP` (`ID`, `Refresh`) |
//! | [`auth0`](Provider::auth0) | `https://{tenant}.auth0.com/`, the `/` added | the API identifier | `permissions` | |
//! | [`entra`](Provider::entra) | `https://login.microsoftonline.com/{tenant}/v2.0`; `organizations` or `common` for several tenants, each token's `tid` bound to its `iss` | the API's client id or app ID URI | `roles` | no client named (`azp`, `appid`), or neither `scp` nor `roles` |
//! | [`cognito`](Provider::cognito) | `https://cognito-idp.{region}.amazonaws.com/{pool}` | none: `client_id` is checked instead | `cognito:groups` | `token_use` other than `access` |
//! | [`okta`](Provider::okta) | `https://{org}.okta.com/oauth2/{server}` | `api://default` or yours | `groups` | |
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
//!     .with_client_roles("shop-api"); // its client roles count too
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
//!     .refusing_tokens_for("Xq3fY8d2LkP0aZ7tR1mN5bC9vW4sE6hJ"); // the SPA's ID tokens
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
//!     .with_tenants(["8eaef023-2b34-4da1-9baa-8bc8c9d6a490"]); // or with_any_tenant()
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
//!   is one step from accepted. The profile binds `tid` to `iss`, and
//!   wants the tenants chosen: a stranger's tenant admin grants the roles
//!   and scopes in that tenant's tokens, so list the tenants you serve
//!   ([`with_tenants`](Provider::with_tenants)), or accept any
//!   ([`with_any_tenant`](Provider::with_any_tenant)) only where no role
//!   or scope of theirs opens anything.
//! - **Trap: ID tokens with roles.** An app that is its own API gets ID
//!   tokens with its audience, and with `roles` when the user has app
//!   roles. They name no client (`azp` in v2, `appid` in v1), every access
//!   token does: the profile refuses them.
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
//!     .refusing_tokens_for("0oa1shopweb2Xz5d7"); // the front end's ID tokens
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
use crate::issuer_template::{TENANT, is_template, is_tenant_id};
use crate::jwks::{Jwks, JwksBuilder, discovery_url};
use crate::jwt::{AudienceRule, JwtError, JwtErrorKind, JwtVerifierBuilder, ProviderRules};

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
    /// Cognito: the app clients whose access tokens are accepted.
    app_clients: Vec<Box<str>>,
    /// Keycloak: the clients whose client roles count.
    role_clients: Vec<Box<str>>,
    /// Clients whose tokens (their ID tokens) are refused.
    refused_clients: Vec<Box<str>>,
    tenants: Tenants,
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

/// The tenants a multi-tenant issuer accepts.
#[derive(Clone, Debug)]
enum Tenants {
    NotChosen,
    Listed(Vec<Box<str>>),
    Any,
}

/// The tenant segments of Entra ID's multi-tenant endpoints.
const MULTI_TENANT: [&str; 2] = ["organizations", "common"];

impl Provider {
    fn new(kind: Kind, issuer: String, discovery_from: &str) -> Self {
        Self {
            kind,
            discovery_url: discovery_url(discovery_from),
            issuer: issuer.into(),
            app_clients: Vec::new(),
            role_clients: Vec::new(),
            refused_clients: Vec::new(),
            tenants: Tenants::NotChosen,
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
    /// Roles are the realm roles, and the client roles of each
    /// [`with_client_roles`](Self::with_client_roles).
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
    /// `…/common/v2.0`, whose tokens carry each tenant's own issuer: then
    /// choose the tenants with [`with_tenants`](Self::with_tenants) or
    /// [`with_any_tenant`](Self::with_any_tenant).
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
    /// `app_client` the app client whose access tokens are accepted (add
    /// more with [`with_app_client`](Self::with_app_client)). Roles are
    /// the groups in `cognito:groups`.
    pub fn cognito(issuer: impl Into<String>, app_client: impl Into<Box<str>>) -> Self {
        let issuer = without_trailing_slash(issuer.into());
        Self::new(Kind::Cognito, issuer.clone(), &issuer).with_app_client(app_client)
    }

    /// Okta: `issuer` is a custom authorization server's,
    /// `https://{org}.okta.com/oauth2/{server-id}` (`default` for the
    /// default one). Roles are the groups in `groups` (a claim you add in
    /// Okta).
    pub fn okta(issuer: impl Into<String>) -> Self {
        let issuer = without_trailing_slash(issuer.into());
        Self::new(Kind::Okta, issuer.clone(), &issuer)
    }

    /// Cognito: another app client whose access tokens (`client_id`) are
    /// accepted. Any other profile refuses it at build
    /// ([`ConfigError::ProviderConflict`]).
    pub fn with_app_client(mut self, client_id: impl Into<Box<str>>) -> Self {
        self.app_clients.push(client_id.into());
        self
    }

    /// Keycloak: the client roles of `client_id`
    /// (`resource_access.{client_id}.roles`, usually the API's own client)
    /// count as roles. Any other profile refuses it at build
    /// ([`ConfigError::ProviderConflict`]).
    pub fn with_client_roles(mut self, client_id: impl Into<Box<str>>) -> Self {
        self.role_clients.push(client_id.into());
        self
    }

    /// Refuses tokens whose `aud` names `client_id`: a client of yours
    /// that signs users in gets ID tokens with its own id as the audience,
    /// from the same issuer and keys. Configuring it as the audience too is
    /// refused at build ([`ConfigError::ProviderAudience`]).
    pub fn refusing_tokens_for(mut self, client_id: impl Into<Box<str>>) -> Self {
        self.refused_clients.push(client_id.into());
        self
    }

    /// The tenants a multi-tenant Entra ID issuer accepts, by tenant id
    /// (compared ignoring ASCII case).
    ///
    /// A tenant's admin grants the roles and scopes in its own tokens: an
    /// app role `admin` in a tenant you do not know means nothing. List the
    /// tenants you serve, or say that any will do with
    /// [`with_any_tenant`](Self::with_any_tenant); one of the two is
    /// required ([`ConfigError::TenantsNotChosen`]).
    pub fn with_tenants<I>(mut self, tenants: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<Box<str>>,
    {
        self.tenants = Tenants::Listed(tenants.into_iter().map(Into::into).collect());
        self
    }

    /// Accepts the tokens of every tenant of a multi-tenant issuer: for an
    /// application that trusts no role or scope from them, and checks the
    /// tenant (`tid`) itself.
    pub fn with_any_tenant(mut self) -> Self {
        self.tenants = Tenants::Any;
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

    /// Whether the issuer is a template, one per tenant: the tenants must
    /// be chosen.
    pub fn is_multi_tenant(&self) -> bool {
        is_template(&self.issuer)
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

    /// The claims that hold the provider's roles, in order. A client id
    /// that is empty names no claim (and the profile is refused at build).
    pub fn role_claims(&self) -> Vec<ClaimPath> {
        let path = |names: &[&str]| ClaimPath::from_names(names).ok();
        let own = match self.kind {
            Kind::Generic | Kind::Entra => path(&["roles"]),
            Kind::Keycloak => path(&["realm_access", "roles"]),
            Kind::Auth0 => path(&["permissions"]),
            Kind::Cognito => path(&["cognito:groups"]),
            Kind::Okta => path(&["groups"]),
        };
        let clients = self.role_clients.iter();
        let client_roles = clients.map(|client| path(&["resource_access", client, "roles"]));
        own.into_iter().chain(client_roles.flatten()).collect()
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
        let mut issuers = vec![self.issuer.clone()];
        let v1 = self.v1_issuer().filter(|_| self.kind == Kind::Entra);
        if let (true, Some(v1)) = (self.v1_tokens, &v1) {
            issuers.push(v1.as_str().into());
        }
        let (tenants, tenants_error) = match self.tenant_rule() {
            Ok(tenants) => (tenants, None),
            Err(error) => (None, Some(error)),
        };
        let clients = [&self.app_clients, &self.role_clients, &self.refused_clients];
        let misplaced = (!self.app_clients.is_empty() && self.kind != Kind::Cognito)
            || (!self.role_clients.is_empty() && self.kind != Kind::Keycloak)
            || (self.v1_tokens && v1.is_none())
            || clients.iter().any(|ids| ids.iter().any(|id| id.is_empty()));
        let error = if misplaced {
            Some(ConfigError::ProviderConflict)
        } else if self.kind == Kind::Cognito && self.app_clients.is_empty() {
            Some(ConfigError::NoClientId)
        } else {
            tenants_error
        };
        ProviderRules {
            name: self.name(),
            issuers,
            check: self.payload_check(),
            tenants,
            audience: match self.kind {
                Kind::Cognito => AudienceRule::Absent,
                Kind::Generic => AudienceRule::AsConfigured,
                _ => AudienceRule::Required,
            },
            not_audiences: self.refused_clients.clone(),
            error,
        }
    }

    /// The tenants accepted (`None`: any), or why the choice is refused.
    fn tenant_rule(&self) -> Result<Option<Box<[Box<str>]>>, ConfigError> {
        match (&self.tenants, self.is_multi_tenant()) {
            (Tenants::NotChosen, true) => Err(ConfigError::TenantsNotChosen),
            (Tenants::NotChosen, false) | (Tenants::Any, true) => Ok(None),
            (Tenants::Listed(tenants), true)
                if !tenants.is_empty() && tenants.iter().all(|tenant| is_tenant_id(tenant)) =>
            {
                Ok(Some(tenants.clone().into()))
            }
            _ => Err(ConfigError::InvalidTenant),
        }
    }

    /// The check that tells this provider's access tokens from its other
    /// tokens, if it needs one.
    fn payload_check(&self) -> Option<crate::jwt::PayloadCheck> {
        let kind = self.kind;
        if self.refused_clients.is_empty()
            && matches!(kind, Kind::Generic | Kind::Auth0 | Kind::Okta)
        {
            return None;
        }
        let app_clients: Arc<[Box<str>]> = self.app_clients.clone().into();
        let refused: Arc<[Box<str>]> = self.refused_clients.clone().into();
        Some(Arc::new(move |payload: &str| {
            let markers = Markers::read(payload, &app_clients, &refused)?;
            not_for_a_refused_client(&markers)?;
            match kind {
                Kind::Keycloak => keycloak_access_token(&markers),
                Kind::Cognito => cognito_access_token(&markers),
                Kind::Entra => entra_access_token(&markers),
                Kind::Generic | Kind::Auth0 | Kind::Okta => Ok(()),
            }
        }))
    }
}

/// A Keycloak token's `typ` claim, which Keycloak always sets, is `Bearer`
/// (or `DPoP` for a DPoP-bound one); `ID`, `Refresh` and `Logout` are other
/// tokens.
fn keycloak_access_token(markers: &Markers) -> Result<(), JwtError> {
    match markers.typ.as_deref() {
        Some(typ) if typ.eq_ignore_ascii_case("Bearer") || typ.eq_ignore_ascii_case("DPoP") => {
            Ok(())
        }
        Some(_) => Err(not_an_access_token("typ claim")),
        None => Err(JwtError::with_detail(JwtErrorKind::MissingClaim, "typ")),
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

/// An Entra ID access token names the client it was issued to (`azp` in
/// v2, `appid` in v1) and carries delegated scopes (`scp`) or app roles
/// (`roles`); an ID token names no client, and may carry `roles`.
fn entra_access_token(markers: &Markers) -> Result<(), JwtError> {
    match (markers.names_client, markers.scp_or_roles) {
        (true, true) => Ok(()),
        (false, _) => Err(not_an_access_token("no azp or appid")),
        (true, false) => Err(not_an_access_token("no scp or roles")),
    }
}

/// A token whose `aud` names a refused client is that client's ID token.
fn not_for_a_refused_client(markers: &Markers) -> Result<(), JwtError> {
    match markers.aud_names_refused {
        true => Err(not_an_access_token("aud names a refused client")),
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
    /// [module docs](self). An audience is required, except for Cognito
    /// (none) and the generic profile (which allows
    /// [`without_audience_check`](Self::without_audience_check)).
    ///
    /// [`build`](Self::build) refuses keys of another issuer, and other
    /// keys or issuers beside the profile
    /// ([`ConfigError::ProviderConflict`]); an audience the profile's
    /// access tokens cannot have, or none where they serve many APIs
    /// ([`ConfigError::ProviderAudience`]); a multi-tenant issuer whose
    /// tenants were not chosen ([`ConfigError::TenantsNotChosen`],
    /// [`ConfigError::InvalidTenant`]); a Cognito profile without an app
    /// client ([`ConfigError::NoClientId`]).
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
            names(Provider::keycloak("https://a/realms/r").with_client_roles("shop.api")),
            ["realm_access.roles", "resource_access.shop.api.roles"]
        );
        let keycloak = Provider::keycloak("https://a/realms/r").with_client_roles("shop.api");
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
        let entra = Provider::entra("https://login.microsoftonline.com/common/v2.0")
            .with_any_tenant()
            .with_v1_tokens();
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
        assert!(rules.tenants.is_none(), "any tenant");
        let error = |provider: Provider| provider.rules().error;
        let common = || Provider::entra("https://login.microsoftonline.com/common/v2.0");
        let single = || Provider::entra("https://login.microsoftonline.com/t/v2.0");
        let cases = [
            (
                "multi-tenant, tenants not chosen",
                common(),
                Some(ConfigError::TenantsNotChosen),
            ),
            ("single tenant", single(), None),
            (
                "tenants of a single tenant",
                single().with_tenants(["t"]),
                Some(ConfigError::InvalidTenant),
            ),
            (
                "no tenant",
                common().with_tenants(Vec::<String>::new()),
                Some(ConfigError::InvalidTenant),
            ),
            (
                "a domain",
                common().with_tenants(["contoso.onmicrosoft.com"]),
                Some(ConfigError::InvalidTenant),
            ),
            (
                "v1 outside Entra",
                Provider::okta("https://a/oauth2/default").with_v1_tokens(),
                Some(ConfigError::ProviderConflict),
            ),
            (
                "app clients outside Cognito",
                Provider::okta("https://a/oauth2/default").with_app_client("c"),
                Some(ConfigError::ProviderConflict),
            ),
            (
                "client roles outside Keycloak",
                Provider::auth0("https://a").with_client_roles("c"),
                Some(ConfigError::ProviderConflict),
            ),
            (
                "an empty client",
                Provider::generic("https://a").refusing_tokens_for(""),
                Some(ConfigError::ProviderConflict),
            ),
        ];
        for (name, provider, expected) in cases {
            assert_eq!(error(provider), expected, "{name}");
        }
        let listed = common().with_tenants(["T-1"]).rules();
        assert_eq!(listed.tenants.as_deref(), Some(&["T-1".into()][..]));
        let mut cognito = Provider::cognito("https://a", "c");
        cognito.app_clients.clear();
        assert_eq!(error(cognito), Some(ConfigError::NoClientId));
    }

    #[test]
    fn access_tokens_and_the_other_tokens() {
        let check = |provider: &Provider, payload: &str| match provider.payload_check() {
            Some(check) => check(payload).map_err(|error| error.kind()),
            None => Ok(()),
        };
        use JwtErrorKind::*;
        let keycloak = Provider::keycloak("https://a/realms/r").with_client_roles("shop-api");
        let cases: &[(&str, Result<(), JwtErrorKind>)] = &[
            (r#"{"typ":"Bearer","aud":"shop-api"}"#, Ok(())),
            (r#"{"typ":"DPoP"}"#, Ok(())),
            ("{}", Err(MissingClaim)),
            (r#"{"typ":"ID","aud":"shop-api"}"#, Err(WrongType)),
            (r#"{"typ":"Refresh"}"#, Err(WrongType)),
        ];
        for (payload, expected) in cases {
            assert_eq!(check(&keycloak, payload), *expected, "keycloak {payload}");
        }

        let cognito = Provider::cognito("https://a", "app").with_app_client("other");
        let cases: &[(&str, Result<(), JwtErrorKind>)] = &[
            (r#"{"token_use":"access","client_id":"app"}"#, Ok(())),
            (r#"{"token_use":"access","client_id":"other"}"#, Ok(())),
            (r#"{"token_use":"id","aud":"app"}"#, Err(WrongType)),
            (
                r#"{"token_use":"access","client_id":"x"}"#,
                Err(WrongAudience),
            ),
            (r#"{"token_use":"access"}"#, Err(MissingClaim)),
            (r#"{"client_id":"app"}"#, Err(MissingClaim)),
        ];
        for (payload, expected) in cases {
            assert_eq!(check(&cognito, payload), *expected, "cognito {payload}");
        }

        let entra = Provider::entra("https://login.microsoftonline.com/common/v2.0")
            .with_any_tenant()
            .refusing_tokens_for("spa");
        let cases: &[(&str, Result<(), JwtErrorKind>)] = &[
            (r#"{"azp":"spa","scp":"access_as_user"}"#, Ok(())),
            (r#"{"azp":"daemon","roles":["admin"]}"#, Ok(())),
            (r#"{"appid":"spa","scp":"x"}"#, Ok(())),
            (r#"{"aud":"api","nonce":"n"}"#, Err(WrongType)),
            (
                r#"{"aud":"api","nonce":"n","roles":["admin"]}"#,
                Err(WrongType),
            ),
            (r#"{"azp":"spa","aud":"api"}"#, Err(WrongType)),
            (r#"{"aud":"spa","azp":"spa","scp":"x"}"#, Err(WrongType)),
        ];
        for (payload, expected) in cases {
            assert_eq!(check(&entra, payload), *expected, "entra {payload}");
        }

        let auth0 = Provider::auth0("https://a");
        assert!(
            auth0.payload_check().is_none(),
            "nothing to check without a refused client"
        );
        let auth0 = auth0.refusing_tokens_for("spa");
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
