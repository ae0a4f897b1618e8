//! Rules on claim values for a route: roles ([`RequiredRoles`]) and any
//! claim ([`RequiredClaim`]), read through [`ClaimLookup`] at a
//! [`ClaimPath`].
//!
//! Identity providers keep roles in different claims: Entra ID app roles in
//! `roles`, Keycloak realm roles in `realm_access.roles` and client roles in
//! `resource_access.<client>.roles`, Auth0 in `permissions`, Cognito in
//! `cognito:groups`, Okta groups in `groups`. A rule names the claim; a
//! rule that fails is 403 `insufficient_scope` without a `scope` attribute
//! (RFC 6750 §3.1: the token lacks the privileges the route needs).
//!
//! `jwt::AccessClaims` reads any path, so with JWTs from Keycloak the rule
//! is `RequiredRoles::new(["admin"])?.in_claim(ClaimPath::new("realm_access.roles")?)`.
//! A claims type of your own implements [`ClaimLookup`]:
//!
//! ```
//! use axum::{Router, routing::get};
//! use tower_bearer_auth::claims::{ClaimLookup, ClaimPath, RequiredClaim, RequiredRoles};
//! use tower_bearer_auth::{BearerAuthLayer, StaticTokens};
//!
//! #[derive(Clone)]
//! struct User { roles: Vec<String>, region: String }
//!
//! impl ClaimLookup for User {
//!     fn claim_has(&self, path: &ClaimPath, value: &str) -> bool {
//!         match path.to_string().as_str() {
//!             "roles" => self.roles.iter().any(|role| role == value),
//!             "region" => self.region == value,
//!             _ => false,
//!         }
//!     }
//! }
//!
//! let auth = BearerAuthLayer::new(StaticTokens::<User>::new());
//! let admins = RequiredRoles::new(["admin"])?;
//! let europe = RequiredClaim::new(ClaimPath::new("region")?, "eu")?;
//! let app: Router = Router::new()
//!     .route("/admin", get(|| async { "admin" }).route_layer(auth.require(admins)))
//!     .route("/orders", get(|| async { "orders" }).route_layer(auth.require(europe)))
//!     .route_layer(auth);
//! # Ok::<(), tower_bearer_auth::ConfigError>(())
//! ```

use std::fmt;

use crate::error::{AuthError, ConfigError, ErrorKind};
use crate::require::Requirement;

/// Where a claim sits: member names into nested objects, outermost first
/// (`realm_access.roles` is member `roles` of member `realm_access`).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ClaimPath {
    names: Box<[Box<str>]>,
}

impl ClaimPath {
    /// `path` split at each `.`. Refuses an empty path and empty names
    /// (`a..b`, `.a`); a name that holds a dot needs
    /// [`from_names`](Self::from_names).
    pub fn new(path: &str) -> Result<Self, ConfigError> {
        Self::from_names(path.split('.'))
    }

    /// The member names, outermost first: for names that hold a dot
    /// (`["resource_access", "shop.web", "roles"]`). Refuses an empty list
    /// and empty names.
    pub fn from_names<I>(names: I) -> Result<Self, ConfigError>
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        let names: Box<[Box<str>]> = names
            .into_iter()
            .map(|name| Box::from(name.as_ref()))
            .collect();
        if names.is_empty() || names.iter().any(|name| name.is_empty()) {
            return Err(ConfigError::InvalidClaimRule);
        }
        Ok(Self { names })
    }

    /// The member names, outermost first.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.names.iter().map(|name| &**name)
    }
}

impl fmt::Display for ClaimPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (at, name) in self.names().enumerate() {
            if at > 0 {
                f.write_str(".")?;
            }
            f.write_str(name)?;
        }
        Ok(())
    }
}

impl fmt::Debug for ClaimPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ClaimPath({self})")
    }
}

/// Claims a rule can read: `jwt::AccessClaims` (feature `jwt`), or a type
/// of your own.
pub trait ClaimLookup {
    /// Whether the claim at `path` is the string `value`, or an array that
    /// holds it. A claim that is missing or of another type holds nothing.
    fn claim_has(&self, path: &ClaimPath, value: &str) -> bool;
}

/// The default claim of [`RequiredRoles`]: `roles` (Entra ID app roles,
/// and the usual name elsewhere).
pub const DEFAULT_ROLE_CLAIM: &str = "roles";

/// Every role of a list, in the claim that holds the roles
/// ([`DEFAULT_ROLE_CLAIM`] unless [`in_claim`](Self::in_claim) or
/// [`in_claims`](Self::in_claims) say otherwise). Put it on a route with
/// [`BearerAuthLayer::require`](crate::BearerAuthLayer::require).
#[derive(Clone, Debug)]
pub struct RequiredRoles {
    /// A role is held when any of these claims holds it.
    claims: Box<[ClaimPath]>,
    roles: Box<[Box<str>]>,
}

impl RequiredRoles {
    /// Every role of `roles`, in the claim `roles`. Refuses an empty list
    /// and empty roles.
    pub fn new<I>(roles: I) -> Result<Self, ConfigError>
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        let roles: Box<[Box<str>]> = roles
            .into_iter()
            .map(|role| Box::from(role.as_ref()))
            .collect();
        if roles.is_empty() || roles.iter().any(|role| role.is_empty()) {
            return Err(ConfigError::InvalidClaimRule);
        }
        let claim = ClaimPath {
            names: Box::new([DEFAULT_ROLE_CLAIM.into()]),
        };
        Ok(Self {
            claims: Box::new([claim]),
            roles,
        })
    }

    /// The same roles, in the claim at `claim`.
    pub fn in_claim(mut self, claim: ClaimPath) -> Self {
        self.claims = Box::new([claim]);
        self
    }

    /// The same roles, each held when any of `claims` holds it: Keycloak's
    /// realm roles and one client's roles, say. Refuses an empty list.
    pub fn in_claims(
        mut self,
        claims: impl IntoIterator<Item = ClaimPath>,
    ) -> Result<Self, ConfigError> {
        self.claims = claims.into_iter().collect();
        if self.claims.is_empty() {
            return Err(ConfigError::InvalidClaimRule);
        }
        Ok(self)
    }

    /// The claims read, in order.
    pub fn claims(&self) -> &[ClaimPath] {
        &self.claims
    }
}

impl<C: ClaimLookup> Requirement<C> for RequiredRoles {
    fn check(&self, claims: &C) -> Result<(), AuthError> {
        let held = |role: &str| {
            self.claims
                .iter()
                .any(|claim| claims.claim_has(claim, role))
        };
        if self.roles.iter().all(|role| held(role)) {
            Ok(())
        } else {
            Err(AuthError::new(ErrorKind::InsufficientScope))
        }
    }
}

/// A claim that is a value, or an array that holds it: a tenant, a region,
/// a group. Put it on a route with
/// [`BearerAuthLayer::require`](crate::BearerAuthLayer::require).
#[derive(Clone, Debug)]
pub struct RequiredClaim {
    claim: ClaimPath,
    value: Box<str>,
}

impl RequiredClaim {
    /// The claim at `claim` holding `value`. Refuses an empty value.
    pub fn new(claim: ClaimPath, value: impl AsRef<str>) -> Result<Self, ConfigError> {
        let value = value.as_ref();
        if value.is_empty() {
            return Err(ConfigError::InvalidClaimRule);
        }
        Ok(Self {
            claim,
            value: value.into(),
        })
    }
}

impl<C: ClaimLookup> Requirement<C> for RequiredClaim {
    fn check(&self, claims: &C) -> Result<(), AuthError> {
        if claims.claim_has(&self.claim, &self.value) {
            Ok(())
        } else {
            Err(AuthError::new(ErrorKind::InsufficientScope))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_split_at_dots_and_refuse_empty_names() {
        let path = ClaimPath::new("realm_access.roles").expect("a path");
        assert_eq!(path.names().collect::<Vec<_>>(), ["realm_access", "roles"]);
        assert_eq!(path.to_string(), "realm_access.roles");
        for bad in ["", ".", "a..b", ".a", "a."] {
            assert_eq!(
                ClaimPath::new(bad),
                Err(ConfigError::InvalidClaimRule),
                "{bad:?}"
            );
        }
        let dotted =
            ClaimPath::from_names(["resource_access", "shop.web", "roles"]).expect("names");
        assert_eq!(dotted.names().nth(1), Some("shop.web"));
        assert!(ClaimPath::from_names(Vec::<&str>::new()).is_err());
    }

    struct Flat(&'static [(&'static str, &'static str)]);

    impl ClaimLookup for Flat {
        fn claim_has(&self, path: &ClaimPath, value: &str) -> bool {
            let name = path.to_string();
            self.0.iter().any(|&(n, v)| n == name && v == value)
        }
    }

    #[test]
    fn a_missing_role_or_value_is_insufficient_scope_without_a_scope() {
        let claims = Flat(&[("roles", "reader"), ("groups", "admin"), ("region", "eu")]);
        let readers = RequiredRoles::new(["reader"]).expect("roles");
        assert!(readers.check(&claims).is_ok());
        let both = RequiredRoles::new(["reader", "admin"]).expect("roles");
        let error = both.check(&claims).expect_err("admin is not in roles");
        assert_eq!(error.kind(), ErrorKind::InsufficientScope);
        assert_eq!(error.scope(), None);
        let in_groups = RequiredRoles::new(["admin"])
            .expect("roles")
            .in_claim(ClaimPath::new("groups").expect("a path"));
        assert!(in_groups.check(&claims).is_ok());
        let either_claim = RequiredRoles::new(["reader", "admin"])
            .expect("roles")
            .in_claims([
                ClaimPath::new("roles").expect("a path"),
                ClaimPath::new("groups").expect("a path"),
            ])
            .expect("claims");
        assert!(
            either_claim.check(&claims).is_ok(),
            "each role in one claim"
        );
        assert!(
            RequiredRoles::new(["admin"])
                .expect("roles")
                .in_claims([])
                .is_err()
        );
        let region = |value| RequiredClaim::new(ClaimPath::new("region").expect("a path"), value);
        assert!(region("eu").expect("a rule").check(&claims).is_ok());
        assert!(region("us").expect("a rule").check(&claims).is_err());
        assert!(region("").is_err());
        assert!(RequiredRoles::new(Vec::<&str>::new()).is_err());
        assert!(RequiredRoles::new([""]).is_err());
    }
}
