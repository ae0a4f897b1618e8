//! Scope requirements per route (RFC 6750 §3.1 `insufficient_scope`).
//!
//! [`RequireScopeLayer`] sits inside [`BearerAuthLayer`](crate::BearerAuthLayer),
//! reads the verified claims from the request extensions and answers 403
//! `insufficient_scope`, naming the scopes needed, when one is missing. With
//! axum, put it on the routes that need it with `route_layer`:
//!
//! ```
//! use axum::{Router, routing::get};
//! use tower_bearer_auth::scope::{HasScopes, RequireScopeLayer, Scopes};
//!
//! #[derive(Clone)]
//! struct Claims { scopes: Scopes }
//!
//! impl HasScopes for Claims {
//!     fn has_scope(&self, scope: &str) -> bool { self.scopes.contains(scope) }
//! }
//!
//! let admin: Router = Router::new()
//!     .route("/admin", get(|| async { "admin" }))
//!     .route_layer(RequireScopeLayer::<Claims>::new(["admin"])?);
//! # Ok::<(), tower_bearer_auth::ConfigError>(())
//! ```

use std::fmt;
use std::sync::Arc;

use crate::error::{AuthError, ConfigError, ErrorKind};
use crate::rejection::DefaultRejection;
pub use crate::require::ResponseFuture;
use crate::require::{Require, RequireLayer, Requirement};
use crate::scan::{is_scope_list, is_scope_token};

/// Claims that grant scopes.
pub trait HasScopes {
    /// Whether the claims grant `scope` (an exact, case-sensitive match:
    /// `Admin` and `superadmin` do not grant `admin`).
    fn has_scope(&self, scope: &str) -> bool;

    /// The subject the claims are about, named in the log event of a
    /// refusal for a missing scope; `None` unless implemented.
    fn subject(&self) -> Option<&str> {
        None
    }
}

impl<T: HasScopes + ?Sized> HasScopes for Arc<T> {
    fn has_scope(&self, scope: &str) -> bool {
        (**self).has_scope(scope)
    }

    fn subject(&self) -> Option<&str> {
        (**self).subject()
    }
}

/// A set of granted scopes: the OAuth `scope` claim (a space-delimited
/// string) or the `scp` array, kept as one space-delimited string.
///
/// Only scope-tokens as RFC 6749 §3.3 defines them count: one or more of
/// `%x21 / %x23-5B / %x5D-7E`, separated by single spaces (SP). Anything
/// else grants nothing: `"read\tadmin"` is one malformed scope, neither
/// `read` nor `admin`, so an issuer that copies a client's text into a
/// token cannot be tricked into granting a scope it did not mean to.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct Scopes(Arc<str>);

impl Scopes {
    /// Scopes from a space-delimited string (`"read write"`): split at SP
    /// only, each part kept if it is a scope-token.
    pub fn from_space_delimited(scopes: &str) -> Self {
        // Usually already scope-tokens joined by single spaces: kept whole.
        if is_scope_list(scopes) {
            return Self(scopes.into());
        }
        scopes.split(' ').collect()
    }

    /// Whether `scope` is one of them.
    pub fn contains(&self, scope: &str) -> bool {
        self.iter().any(|granted| granted == scope)
    }

    /// The scopes, in order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.split(' ').filter(|scope| !scope.is_empty())
    }

    /// The scopes as one space-delimited string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The scope-tokens among `iter`; anything else is left out.
impl<S: AsRef<str>> FromIterator<S> for Scopes {
    fn from_iter<I: IntoIterator<Item = S>>(iter: I) -> Self {
        let mut joined = String::new();
        for scope in iter {
            let scope = scope.as_ref();
            if !is_scope_token(scope) {
                continue;
            }
            if !joined.is_empty() {
                joined.push(' ');
            }
            joined.push_str(scope);
        }
        Self(joined.into())
    }
}

/// A space-delimited string (`"read admin"`, the OAuth `scope` claim) or an
/// array of strings (`["read", "admin"]`, the `scp` claim of some issuers).
#[cfg(feature = "serde")]
#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl<'de> serde::Deserialize<'de> for Scopes {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ScopesVisitor;

        impl<'de> serde::de::Visitor<'de> for ScopesVisitor {
            type Value = Scopes;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a space-delimited string or an array of strings")
            }

            fn visit_str<E: serde::de::Error>(self, scopes: &str) -> Result<Scopes, E> {
                Ok(Scopes::from_space_delimited(scopes))
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Scopes, A::Error> {
                let mut scopes = Vec::new();
                while let Some(scope) = seq.next_element::<std::borrow::Cow<'de, str>>()? {
                    scopes.push(scope);
                }
                Ok(scopes.iter().collect())
            }
        }

        deserializer.deserialize_any(ScopesVisitor)
    }
}

impl HasScopes for Scopes {
    fn has_scope(&self, scope: &str) -> bool {
        self.contains(scope)
    }
}

impl fmt::Display for Scopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Scopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// The scopes a route requires, every one of them: a [`Requirement`]
/// answering 403 `insufficient_scope` with `scope="<all of them>"` when
/// one is missing, and 401 with the challenge when there are no claims.
#[derive(Clone)]
pub struct RequiredScopes {
    required: Box<[Box<str>]>,
    joined: Arc<str>,
}

impl RequiredScopes {
    /// Every scope of `scopes`. Refuses an empty list and scopes with
    /// characters RFC 6750 §3 does not allow (space, `"`, `\`, controls,
    /// non-ASCII).
    pub fn new<I>(scopes: I) -> Result<Self, ConfigError>
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        let required: Box<[Box<str>]> = scopes
            .into_iter()
            .map(|scope| {
                let scope = scope.as_ref();
                if is_scope_token(scope) {
                    Ok(Box::from(scope))
                } else {
                    Err(ConfigError::InvalidScope)
                }
            })
            .collect::<Result<_, _>>()?;
        if required.is_empty() {
            return Err(ConfigError::NoScopes);
        }
        let joined = Arc::from(required.join(" "));
        Ok(Self { required, joined })
    }

    /// The scopes, space-delimited, as the challenge names them.
    pub fn as_str(&self) -> &str {
        &self.joined
    }
}

impl<C: HasScopes> Requirement<C> for RequiredScopes {
    fn check(&self, claims: &C) -> Result<(), AuthError> {
        if self.required.iter().all(|scope| claims.has_scope(scope)) {
            return Ok(());
        }
        let error =
            AuthError::new(ErrorKind::InsufficientScope).with_scope(Arc::clone(&self.joined));
        Err(match claims.subject() {
            Some(subject) => error.with_subject(subject),
            None => error,
        })
    }

    fn without_claims(&self) -> AuthError {
        AuthError::new(ErrorKind::MissingCredentials).with_scope(Arc::clone(&self.joined))
    }
}

impl fmt::Debug for RequiredScopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("RequiredScopes").field(&self.joined).finish()
    }
}

/// Requires the verified claims `C` to grant every one of a set of scopes
/// ([`RequiredScopes`]).
///
/// A request without claims `C` (the authentication layer did not run, or
/// let an anonymous request through) is answered 401 with the challenge; one
/// whose claims lack a scope, 403 `insufficient_scope` with
/// `scope="<all required scopes>"`.
pub type RequireScopeLayer<C, R = DefaultRejection> = RequireLayer<RequiredScopes, C, R>;

/// Middleware that requires scopes; built by [`RequireScopeLayer`].
pub type RequireScope<S, C, R = DefaultRejection> = Require<S, RequiredScopes, C, R>;

impl<C> RequireScopeLayer<C> {
    /// Requires every scope of `scopes` ([`RequiredScopes::new`]).
    ///
    /// Its challenges name the default realm; to share the realm and the
    /// rejection of an authentication layer, build it with
    /// [`BearerAuthLayer::require_scopes`](crate::BearerAuthLayer::require_scopes).
    pub fn new<I>(scopes: I) -> Result<Self, ConfigError>
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        RequiredScopes::new(scopes).map(RequireLayer::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_match_exactly() {
        let scopes = Scopes::from_space_delimited("read  admin:all Write");
        let cases = [
            ("read", true),
            ("admin:all", true),
            ("Write", true),
            ("write", false),
            ("admin", false),
            ("rea", false),
            ("", false),
        ];
        for (scope, granted) in cases {
            assert_eq!(scopes.has_scope(scope), granted, "{scope:?}");
        }
        assert_eq!(scopes.as_str(), "read admin:all Write");
        let from_array: Scopes = ["read", "", "bad scope", "admin"].into_iter().collect();
        assert_eq!(from_array.as_str(), "read admin");
        assert_eq!(format!("{from_array:?}"), r#"["read", "admin"]"#);
    }

    /// RFC 6749 §3.3: SP alone delimits, and a part with any byte outside
    /// the scope-token set grants nothing.
    #[test]
    fn only_space_delimits_and_only_scope_tokens_grant() {
        let cases: &[(&str, &[&str])] = &[
            ("read admin", &["read", "admin"]),
            (" read  admin ", &["read", "admin"]),
            ("read\tadmin", &[]),
            ("read\nadmin", &[]),
            ("read\radmin", &[]),
            ("read\x0cadmin", &[]),
            ("read \tadmin", &["read"]),
            ("read\u{a0}admin", &[]),
            ("admin\"", &[]),
            ("ad\\min read", &["read"]),
            ("adm\u{e9}n", &[]),
            ("admin\u{7f}", &[]),
        ];
        for (text, granted) in cases {
            let scopes = Scopes::from_space_delimited(text);
            assert_eq!(scopes.iter().collect::<Vec<_>>(), *granted, "{text:?}");
            assert!(
                !scopes.has_scope("admin") || granted.contains(&"admin"),
                "{text:?}"
            );
        }
        let from_array: Scopes = ["read\tadmin", "admin\n", "write"].into_iter().collect();
        assert_eq!(from_array.as_str(), "write");
    }

    #[test]
    fn requirements_are_checked() {
        assert!(RequireScopeLayer::<Scopes>::new(["admin", "read"]).is_ok());
        let empty: [&str; 0] = [];
        assert_eq!(
            RequireScopeLayer::<Scopes>::new(empty).err(),
            Some(ConfigError::NoScopes)
        );
        for bad in ["", "a b", "a\"b", "tök"] {
            assert_eq!(
                RequireScopeLayer::<Scopes>::new([bad]).err(),
                Some(ConfigError::InvalidScope),
                "{bad:?}"
            );
        }
        assert!(
            RequireScopeLayer::<Scopes>::new(["admin"])
                .and_then(|l| l.try_with_realm("a\"b"))
                .is_err()
        );
    }
}
