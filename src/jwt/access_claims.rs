//! [`AccessClaims`]: the claims of an access token, for applications that
//! do not define their own type.

use std::fmt;
use std::sync::{Arc, OnceLock};

use serde::de::{Deserialize, Deserializer};
use serde::ser::{Serialize, Serializer};
use serde_json::{Map, Value};

use super::access_members::{AccessMembers, Text};
use super::error::{JwtError, JwtErrorKind};
use crate::claims::{ClaimLookup, ClaimPath};
use crate::registered::Registered;
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
/// The verifier keeps the payload as it was signed and reads the claims
/// above in the same pass as the registered ones; [`get`](Self::get),
/// [`as_map`](Self::as_map), [`audiences`](Self::audiences) and claim paths
/// read the whole payload on first use, once. It serializes back to the
/// claims object as it was received. Cloning is a pointer copy: a
/// remembered verdict (`cache::CachedVerifier`, feature `cache`) hands the
/// handler its claims without copying them.
#[derive(Clone)]
pub struct AccessClaims {
    inner: Arc<Claims>,
}

struct Claims {
    /// The claims object, as JSON text (empty when it was read some other
    /// way: then `all` is set from the start).
    json: String,
    members: AccessMembers,
    exp: Option<i64>,
    iat: Option<i64>,
    scopes: Scopes,
    /// Whether there is a `cnf` claim (RFC 7800): known without reading
    /// every claim, which only a bound token then needs.
    bound: bool,
    /// Every claim, read from `json` on first use.
    all: OnceLock<Map<String, Value>>,
}

impl AccessClaims {
    /// The claims of a verified payload, from what the verifier's pass
    /// kept of it.
    pub(crate) fn from_verified(json: String, registered: Registered) -> Result<Self, JwtError> {
        let exp = registered.expiry().map(whole_seconds);
        let iat = registered.issued_at().map(whole_seconds);
        let bound = registered.is_bound();
        // Kept whenever the claims type is this one; refused if not.
        let members = registered.access_members.ok_or(JwtErrorKind::Malformed)?;
        Ok(Self::new(json, members, (exp, iat), bound, OnceLock::new()))
    }

    fn new(
        json: String,
        members: AccessMembers,
        (exp, iat): (Option<i64>, Option<i64>),
        bound: bool,
        all: OnceLock<Map<String, Value>>,
    ) -> Self {
        Self {
            inner: Arc::new(Claims {
                json,
                scopes: members.scopes(),
                members,
                exp,
                iat,
                bound,
                all,
            }),
        }
    }

    /// Whether the token has a `cnf` claim: it is bound to a key.
    // Read by DPoP's binding check (feature `dpop`).
    #[cfg_attr(not(feature = "dpop"), allow(dead_code))]
    pub(crate) fn is_bound(&self) -> bool {
        self.inner.bound
    }

    /// The claim `name`, if present.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.as_map().get(name)
    }

    /// All the claims.
    pub fn as_map(&self) -> &Map<String, Value> {
        let claims = &*self.inner;
        claims.all.get_or_init(|| {
            // The verifier read `json` as an object already, with the same
            // grammar, its non-integer numbers by serde_json itself (the
            // `json_reader` fuzz target compares the two): this cannot fail.
            let all = serde_json::from_str(&claims.json);
            debug_assert!(all.is_ok(), "verified claims that do not read as a map");
            all.unwrap_or_default()
        })
    }

    /// `sub`: whom the token is about.
    pub fn sub(&self) -> Option<&str> {
        self.text(&self.inner.members.sub)
    }

    /// `iss`: who issued the token.
    pub fn iss(&self) -> Option<&str> {
        self.text(&self.inner.members.iss)
    }

    /// `client_id`: the OAuth client the token was issued to (RFC 9068).
    pub fn client_id(&self) -> Option<&str> {
        self.text(&self.inner.members.client_id)
    }

    /// `jti`: the token's unique id.
    pub fn jti(&self) -> Option<&str> {
        self.text(&self.inner.members.jti)
    }

    /// `aud`: the audiences, whether the claim is one string or an array.
    pub fn audiences(&self) -> impl Iterator<Item = &str> {
        let (one, many) = match self.get("aud") {
            Some(Value::String(one)) => (Some(one.as_str()), None),
            Some(Value::Array(many)) => (None, Some(many.iter().filter_map(Value::as_str))),
            _ => (None, None),
        };
        one.into_iter().chain(many.into_iter().flatten())
    }

    /// `exp`, in whole seconds since the Unix epoch.
    pub fn exp(&self) -> Option<i64> {
        self.inner.exp
    }

    /// `iat`, in whole seconds since the Unix epoch.
    pub fn iat(&self) -> Option<i64> {
        self.inner.iat
    }

    /// `acr`: the authentication context class the user's authentication
    /// satisfied (RFC 9068 §2.2.1), when it is a string.
    pub fn acr(&self) -> Option<&str> {
        self.text(&self.inner.members.acr)
    }

    /// `auth_time`: when the user authenticated, in whole seconds since
    /// the Unix epoch (RFC 9068 §2.2.1).
    pub fn auth_time(&self) -> Option<i64> {
        self.inner.members.auth_time
    }

    /// The granted scopes.
    pub fn scopes(&self) -> &Scopes {
        &self.inner.scopes
    }

    fn text<'a>(&'a self, text: &'a Text) -> Option<&'a str> {
        text.get(&self.inner.json)
    }
}

/// A NumericDate in whole seconds: exact up to 2^53, past any real date; a
/// fractional one truncated.
#[allow(clippy::cast_possible_truncation)]
fn whole_seconds(date: f64) -> i64 {
    date as i64
}

/// Any claim, by path into nested objects: `roles`,
/// `realm_access.roles`, `cognito:groups`.
impl ClaimLookup for AccessClaims {
    fn claim_has(&self, path: &ClaimPath, value: &str) -> bool {
        let mut names = path.names();
        let mut claim = names.next().and_then(|name| self.get(name));
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
        self.scopes().contains(scope)
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

/// From any claims object: an introspection answer, a test's JSON. The
/// typed claims are read as the verifier reads them, with a claim of an
/// odd type read as absent.
impl<'de> Deserialize<'de> for AccessClaims {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let claims = Map::deserialize(deserializer)?;
        let mut members = AccessMembers::default();
        for (name, value) in &claims {
            members.keep_value(name, value);
        }
        let date = |name: &str| {
            let value = claims.get(name)?;
            value.as_i64().or_else(|| value.as_f64().map(whole_seconds))
        };
        let dates = (date("exp"), date("iat"));
        let bound = claims.contains_key("cnf");
        // No JSON text: every string is kept as a value, and every claim is
        // in the map already.
        Ok(Self::new(
            String::new(),
            members,
            dates,
            bound,
            OnceLock::from(claims),
        ))
    }
}

impl Serialize for AccessClaims {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.as_map().serialize(serializer)
    }
}

/// Equal when the claims are.
impl PartialEq for AccessClaims {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner) || self.as_map() == other.as_map()
    }
}

impl fmt::Debug for AccessClaims {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessClaims")
            .field("sub", &self.sub())
            .field("iss", &self.iss())
            .field("client_id", &self.client_id())
            .field("scopes", self.scopes())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::registered::{ClaimRules, Keep};

    /// The claims of `json` both ways a user gets them: read in the
    /// verifier's own pass, and deserialized (an introspection answer, a
    /// test's JSON).
    fn claims(json: &str) -> [AccessClaims; 2] {
        let rules = ClaimRules::new(Vec::new(), Vec::new(), false, Duration::ZERO).expect("rules");
        let keep = Keep {
            access_members: true,
            ..Keep::default()
        };
        let registered = Registered::read(json, &rules, keep).expect(json);
        let verified = AccessClaims::from_verified(json.to_owned(), registered).expect(json);
        let deserialized: AccessClaims = serde_json::from_str(json).expect(json);
        [verified, deserialized]
    }

    #[test]
    fn every_claim_of_an_accepted_payload_is_in_the_map() {
        // Numbers at the edge of f64's range, which serde_json and
        // `str::parse` round differently: the verifier must accept what
        // serde_json reads whole later, or `restricted` would vanish.
        let rules = ClaimRules::new(Vec::new(), Vec::new(), false, Duration::ZERO).expect("rules");
        for number in [
            "1.7976931348623157e308",
            "1.7976931348623158e308",
            "1.79769313486231588e308",
            "179769313486231598e291",
            "4.9e-324",
        ] {
            let json = format!(r#"{{"sub":"u","n":{number},"restricted":true}}"#);
            let accepted = Registered::read(&json, &rules, Keep::default()).is_ok();
            assert_eq!(
                accepted,
                serde_json::from_str::<Value>(&json).is_ok(),
                "{json}"
            );
            if accepted {
                for claims in claims(&json) {
                    assert_eq!(claims.get("restricted"), Some(&Value::Bool(true)), "{json}");
                }
            }
        }
    }

    #[test]
    fn scopes_from_scope_or_scp() {
        let cases: &[(&str, &[&str])] = &[
            (r#"{"scope":"read admin"}"#, &["read", "admin"]),
            (r#"{"scope":"  read   admin "}"#, &["read", "admin"]),
            (r#"{"scp":["read","admin"]}"#, &["read", "admin"]),
            (r#"{"scp":"read admin"}"#, &["read", "admin"]),
            (r#"{"scope":"read","scp":["admin"]}"#, &["read"]),
            (r#"{"scp":["admin"],"scope":"read"}"#, &["read"]),
            (r#"{"scope":"read\u0020admin"}"#, &["read", "admin"]),
            (r#"{"sub":"x"}"#, &[]),
        ];
        for (json, expected) in cases {
            for claims in claims(json) {
                assert_eq!(
                    claims.scopes().iter().collect::<Vec<_>>(),
                    *expected,
                    "{json}"
                );
            }
        }
        for admin in claims(r#"{"scope":"superadmin read:admin ADMIN"}"#) {
            assert!(!admin.has_scope("admin"));
        }
        // Odd types grant nothing; they do not make the token unreadable.
        for odd in [
            r#"{"scope":["admin"]}"#,
            r#"{"scope":1,"scp":["admin"]}"#,
            r#"{"scope":null,"scp":"admin"}"#,
            r#"{"scp":["admin",1]}"#,
            r#"{"scp":["admin",["admin"]]}"#,
            r#"{"scp":{"admin":true}}"#,
        ] {
            for claims in claims(odd) {
                assert!(!claims.has_scope("admin"), "{odd}");
            }
        }
    }

    #[test]
    fn typed_registered_claims() {
        let json = r#"{"sub":"u","iss":"i","client_id":"c","jti":"j","aud":["a","b"],"exp":4102444800.5,"iat":1700000000,"extra":{"k":[1]}}"#;
        for claims in claims(json) {
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
    }

    #[test]
    fn strings_with_escapes_read_as_their_value() {
        let json = r#"{"sub":"caf\u00e9 \"x\"","iss":"https:\/\/issuer","client_id":"","jti":"\n","acr":"a\\b"}"#;
        for claims in claims(json) {
            assert_eq!(claims.sub(), Some("café \"x\""));
            assert_eq!(claims.iss(), Some("https://issuer"));
            assert_eq!(claims.client_id(), Some(""));
            assert_eq!(claims.jti(), Some("\n"));
            assert_eq!(claims.acr(), Some("a\\b"));
        }
    }

    #[test]
    fn both_readings_agree() {
        for json in [
            r#"{}"#,
            r#"{"sub":"u","scope":"read","aud":"a","nested":{"sub":"not this one"}}"#,
            r#"{"roles":["admin"],"realm_access":{"roles":["x"]},"exp":1.5e9}"#,
            r#"{"auth_time":18446744073709551615,"iat":-1,"acr":""}"#,
            r#"{"sub":"u","cnf":{"jkt":"0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"}}"#,
        ] {
            let [verified, deserialized] = claims(json);
            assert_eq!(verified.is_bound(), json.contains("cnf"), "{json}");
            assert_eq!(deserialized.is_bound(), json.contains("cnf"), "{json}");
            assert_eq!(verified, deserialized, "{json}");
            assert_eq!(verified.as_map(), deserialized.as_map(), "{json}");
            assert_eq!(verified.sub(), deserialized.sub(), "{json}");
            assert_eq!(verified.iss(), deserialized.iss(), "{json}");
            assert_eq!(verified.client_id(), deserialized.client_id(), "{json}");
            assert_eq!(verified.jti(), deserialized.jti(), "{json}");
            assert_eq!(verified.acr(), deserialized.acr(), "{json}");
            assert_eq!(verified.exp(), deserialized.exp(), "{json}");
            assert_eq!(verified.iat(), deserialized.iat(), "{json}");
            assert_eq!(verified.auth_time(), deserialized.auth_time(), "{json}");
            assert_eq!(verified.scopes(), deserialized.scopes(), "{json}");
            assert_eq!(
                verified.audiences().collect::<Vec<_>>(),
                deserialized.audiences().collect::<Vec<_>>(),
                "{json}"
            );
        }
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
            (
                r#"{"acr":{"a":"mfa"},"auth_time":[1700000000]}"#,
                None,
                None,
            ),
        ];
        for (json, acr, auth_time) in cases {
            for claims in claims(json) {
                assert_eq!(claims.acr(), *acr, "{json}");
                assert_eq!(claims.auth_time(), *auth_time, "{json}");
                let event: &dyn AuthenticationEvent = &claims;
                assert_eq!(event.acr(), *acr, "{json}");
                assert_eq!(event.auth_time(), *auth_time, "{json}");
                assert_eq!(event.subject(), claims.sub(), "{json}");
            }
        }
    }
}
