//! [`AccessClaims`]: the claims of an access token, for applications that
//! do not define their own type.

use std::fmt;
use std::sync::Arc;

use serde::de::{Deserialize, Deserializer};
use serde::ser::{Serialize, Serializer};
use serde_json::{Map, Value};

use crate::claims::{ClaimLookup, ClaimPath};
use crate::scope::{HasScopes, Scopes};
use crate::step_up::AuthenticationEvent;

/// Every claim of a verified token, with typed access to the registered
/// ones and the granted scopes parsed once.
///
/// Scopes come from `scope` (RFC 9068 §2.2.3, RFC 8693 §4.2: a
/// space-delimited string) or, when there is no `scope`, from `scp` (a
/// string or an array of strings, as Azure AD and Okta issue it). When both
/// are present, `scope` alone counts; a `scope` that is not a string, or an
/// `scp` that is neither, grants no scope at all rather than being read
/// some other way. They feed
/// [`RequireScopeLayer`](crate::scope::RequireScopeLayer) through
/// [`HasScopes`]; `acr` and `auth_time` feed
/// [`RequireAuthenticationLayer`](crate::step_up::RequireAuthenticationLayer)
/// through [`AuthenticationEvent`].
///
/// It serializes back to the claims object as it was received. Cloning is
/// two pointer copies: a remembered verdict (`cache::CachedVerifier`,
/// feature `cache`) hands the handler its claims without copying them.
#[derive(Clone, PartialEq)]
pub struct AccessClaims {
    claims: Arc<Map<String, Value>>,
    scopes: Scopes,
}

impl AccessClaims {
    /// The claim `name`, if present.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.claims.get(name)
    }

    /// All the claims.
    pub fn as_map(&self) -> &Map<String, Value> {
        &self.claims
    }

    /// `sub`: whom the token is about.
    pub fn sub(&self) -> Option<&str> {
        self.string("sub")
    }

    /// `iss`: who issued the token.
    pub fn iss(&self) -> Option<&str> {
        self.string("iss")
    }

    /// `client_id`: the OAuth client the token was issued to (RFC 9068).
    pub fn client_id(&self) -> Option<&str> {
        self.string("client_id")
    }

    /// `jti`: the token's unique id.
    pub fn jti(&self) -> Option<&str> {
        self.string("jti")
    }

    /// `aud`: the audiences, whether the claim is one string or an array.
    pub fn audiences(&self) -> impl Iterator<Item = &str> {
        let (one, many) = match self.claims.get("aud") {
            Some(Value::String(one)) => (Some(one.as_str()), None),
            Some(Value::Array(many)) => (None, Some(many.iter().filter_map(Value::as_str))),
            _ => (None, None),
        };
        one.into_iter().chain(many.into_iter().flatten())
    }

    /// `exp`, in whole seconds since the Unix epoch.
    pub fn exp(&self) -> Option<i64> {
        self.date("exp")
    }

    /// `iat`, in whole seconds since the Unix epoch.
    pub fn iat(&self) -> Option<i64> {
        self.date("iat")
    }

    /// `acr`: the authentication context class the user's authentication
    /// satisfied (RFC 9068 §2.2.1), when it is a string.
    pub fn acr(&self) -> Option<&str> {
        self.string("acr")
    }

    /// `auth_time`: when the user authenticated, in whole seconds since
    /// the Unix epoch (RFC 9068 §2.2.1).
    pub fn auth_time(&self) -> Option<i64> {
        self.date("auth_time")
    }

    /// The granted scopes.
    pub fn scopes(&self) -> &Scopes {
        &self.scopes
    }

    fn string(&self, name: &str) -> Option<&str> {
        self.claims.get(name).and_then(Value::as_str)
    }

    // NumericDates are integers in practice; a fractional one is truncated.
    #[allow(clippy::cast_possible_truncation)]
    fn date(&self, name: &str) -> Option<i64> {
        let value = self.claims.get(name)?;
        value
            .as_i64()
            .or_else(|| value.as_f64().map(|date| date as i64))
    }
}

/// Any claim, by path into nested objects: `roles`,
/// `realm_access.roles`, `cognito:groups`.
impl ClaimLookup for AccessClaims {
    fn claim_has(&self, path: &ClaimPath, value: &str) -> bool {
        let mut names = path.names();
        let mut claim = names.next().and_then(|name| self.claims.get(name));
        for name in names {
            claim = claim
                .and_then(Value::as_object)
                .and_then(|object| object.get(name));
        }
        match claim {
            Some(Value::String(text)) => text == value,
            Some(Value::Array(items)) => items.iter().any(|item| item.as_str() == Some(value)),
            _ => false,
        }
    }
}

impl HasScopes for AccessClaims {
    fn has_scope(&self, scope: &str) -> bool {
        self.scopes.contains(scope)
    }

    fn subject(&self) -> Option<&str> {
        self.sub()
    }
}

impl AuthenticationEvent for AccessClaims {
    fn acr(&self) -> Option<&str> {
        AccessClaims::acr(self)
    }

    fn auth_time(&self) -> Option<i64> {
        AccessClaims::auth_time(self)
    }

    fn subject(&self) -> Option<&str> {
        self.sub()
    }
}

impl<'de> Deserialize<'de> for AccessClaims {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let claims = Map::deserialize(deserializer)?;
        let scopes = match (claims.get("scope"), claims.get("scp")) {
            (Some(Value::String(scope)), _) => Scopes::from_space_delimited(scope),
            (None, Some(scp)) => Scopes::deserialize(scp).unwrap_or_default(),
            _ => Scopes::default(),
        };
        Ok(Self {
            claims: Arc::new(claims),
            scopes,
        })
    }
}

impl Serialize for AccessClaims {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.claims.serialize(serializer)
    }
}

impl fmt::Debug for AccessClaims {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessClaims")
            .field("sub", &self.sub())
            .field("iss", &self.iss())
            .field("client_id", &self.client_id())
            .field("scopes", &self.scopes)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(json: &str) -> Result<AccessClaims, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn scopes_from_scope_or_scp() {
        let cases: &[(&str, &[&str])] = &[
            (r#"{"scope":"read admin"}"#, &["read", "admin"]),
            (r#"{"scope":"  read   admin "}"#, &["read", "admin"]),
            (r#"{"scp":["read","admin"]}"#, &["read", "admin"]),
            (r#"{"scp":"read admin"}"#, &["read", "admin"]),
            (r#"{"scope":"read","scp":["admin"]}"#, &["read"]),
            (r#"{"sub":"x"}"#, &[]),
        ];
        for (json, expected) in cases {
            let claims = claims(json).expect(json);
            assert_eq!(
                claims.scopes().iter().collect::<Vec<_>>(),
                *expected,
                "{json}"
            );
        }
        let admin = claims(r#"{"scope":"superadmin read:admin ADMIN"}"#).expect("valid");
        assert!(!admin.has_scope("admin"));
        // Odd types grant nothing; they do not make the token unreadable.
        for odd in [
            r#"{"scope":["admin"]}"#,
            r#"{"scope":1,"scp":["admin"]}"#,
            r#"{"scp":["admin",1]}"#,
            r#"{"scp":{"admin":true}}"#,
        ] {
            let claims = claims(odd).expect(odd);
            assert!(!claims.has_scope("admin"), "{odd}");
        }
    }

    #[test]
    fn typed_registered_claims() {
        let claims = claims(
            r#"{"sub":"u","iss":"i","client_id":"c","jti":"j","aud":["a","b"],"exp":4102444800.5,"iat":1700000000,"extra":{"k":[1]}}"#,
        )
        .expect("valid");
        assert_eq!(claims.sub(), Some("u"));
        assert_eq!(claims.iss(), Some("i"));
        assert_eq!(claims.client_id(), Some("c"));
        assert_eq!(claims.jti(), Some("j"));
        assert_eq!(claims.audiences().collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(claims.exp(), Some(4_102_444_800));
        assert_eq!(claims.iat(), Some(1_700_000_000));
        assert_eq!(claims.get("extra"), Some(&serde_json::json!({"k": [1]})));
        let json = serde_json::to_value(&claims).expect("serializes");
        assert_eq!(json["sub"], "u");
        assert_eq!(json["aud"], serde_json::json!(["a", "b"]));
    }

    #[test]
    fn authentication_event_from_acr_and_auth_time() {
        let cases: &[(&str, Option<&str>, Option<i64>)] = &[
            (
                r#"{"sub":"u","acr":"mfa","auth_time":1700000000}"#,
                Some("mfa"),
                Some(1_700_000_000),
            ),
            (
                r#"{"acr":"urn:mace:incommon:iap:silver","auth_time":1700000000.9}"#,
                Some("urn:mace:incommon:iap:silver"),
                Some(1_700_000_000),
            ),
            (r#"{"sub":"u"}"#, None, None),
            // Odd types read as absent, which a step-up route refuses.
            (r#"{"acr":2,"auth_time":"1700000000"}"#, None, None),
            (r#"{"acr":["mfa"],"auth_time":null}"#, None, None),
        ];
        for (json, acr, auth_time) in cases {
            let claims = claims(json).expect(json);
            assert_eq!(claims.acr(), *acr, "{json}");
            assert_eq!(claims.auth_time(), *auth_time, "{json}");
            let event: &dyn AuthenticationEvent = &claims;
            assert_eq!(event.acr(), *acr, "{json}");
            assert_eq!(event.auth_time(), *auth_time, "{json}");
            assert_eq!(event.subject(), claims.sub(), "{json}");
        }
    }
}
