//! Reading an introspection response (RFC 7662 §2.2) into claims, or a
//! refusal: fail closed on anything but a well-formed active answer.

use serde::Deserialize;
use serde::de::{DeserializeOwned, IgnoredAny};

use super::claims::IntrospectionClaims;
use super::error::{IntrospectionError, IntrospectionErrorKind};
use crate::error::AuthError;
use crate::jwt::{JwtError, JwtErrorKind};
use crate::registered::{ClaimRules, Keep, Registered};
use crate::scope::Scopes;

/// The members this crate reads itself. Names given twice are refused.
#[derive(Deserialize)]
struct Members {
    active: Option<bool>,
    scope: Option<Scopes>,
    client_id: Option<String>,
    username: Option<String>,
    sub: Option<String>,
    iss: Option<String>,
    aud: Option<Audiences>,
    exp: Option<f64>,
    iat: Option<f64>,
    nbf: Option<f64>,
    jti: Option<String>,
    token_type: Option<String>,
    acr: Option<String>,
    auth_time: Option<f64>,
    /// Whether `cnf` is present, whatever its value (`null` included).
    #[serde(default, deserialize_with = "present")]
    cnf: bool,
}

/// `true` for a member that is there at all.
fn present<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    IgnoredAny::deserialize(deserializer).map(|_| true)
}

/// `aud`: one string or an array of strings.
#[derive(Deserialize)]
#[serde(untagged)]
enum Audiences {
    One(String),
    Many(Vec<String>),
}

/// The claims of the token `body` describes, checked against `rules` at
/// `now` (seconds since the epoch).
///
/// - Not JSON: the endpoint's fault, 503.
/// - `active` anything but `true`: 401, whatever else the body says.
/// - Then the registered members are checked as the JWT verifier checks
///   them (`nbf`, `iat` with the leeway; `iss`, `aud` byte for byte;
///   duplicate names and nesting beyond 128 levels refused), except `exp`,
///   which has no leeway: past it, the answer no longer holds (§4).
/// - `token_type` other than `Bearer`, or a `cnf` binding: 401.
/// - Last, the application's `extra` type reads the object.
pub(super) fn read<X: DeserializeOwned>(
    body: &[u8],
    rules: &ClaimRules,
    now: u64,
) -> Result<IntrospectionClaims<X>, AuthError> {
    use IntrospectionErrorKind::{Bound, Inactive, Malformed, NotJson, WrongTokenType};
    let refuse = |kind: IntrospectionErrorKind| {
        if kind == Malformed {
            log_malformed();
        }
        AuthError::from(IntrospectionError::new(kind))
    };
    let members: Members = serde_json::from_slice(body).map_err(|error| {
        if error.is_data() {
            refuse(Malformed)
        } else {
            refuse(NotJson)
        }
    })?;
    if members.active != Some(true) {
        return Err(refuse(Inactive));
    }
    std::str::from_utf8(body)
        .map_err(|_| JwtError::new(JwtErrorKind::Malformed))
        .and_then(|body| Registered::read(body, rules, Keep::default()))
        .and_then(|registered| registered.check(rules, now))
        .map_err(AuthError::from)?;
    let token_type = members.token_type;
    if token_type
        .as_deref()
        .is_some_and(|token_type| !token_type.eq_ignore_ascii_case("bearer"))
    {
        return Err(refuse(WrongTokenType));
    }
    if members.cnf {
        return Err(refuse(Bound));
    }
    let extra = serde_json::from_slice(body).map_err(|_| refuse(Malformed))?;
    #[allow(clippy::cast_possible_truncation)]
    let seconds = |time: Option<f64>| time.map(|time| time as i64);
    Ok(IntrospectionClaims {
        scopes: members.scope.unwrap_or_default(),
        client_id: members.client_id,
        username: members.username,
        sub: members.sub,
        iss: members.iss,
        aud: match members.aud {
            Some(Audiences::One(one)) => vec![one],
            Some(Audiences::Many(many)) => many,
            None => Vec::new(),
        },
        exp: seconds(members.exp),
        iat: seconds(members.iat),
        nbf: seconds(members.nbf),
        jti: members.jti,
        token_type,
        acr: members.acr,
        auth_time: seconds(members.auth_time),
        extra,
    })
}

/// An answer of the wrong shape refuses every token, so it is worth a log
/// line: the reason only, never the body (§5: it may hold personal data).
fn log_malformed() {
    #[cfg(feature = "tracing")]
    tracing::warn!(
        target: "tower_bearer_auth::introspection",
        "introspection answer malformed: a member has the wrong type or is repeated, or the claims type does not match"
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;
    use crate::introspection::NoExtraClaims;

    const NOW: u64 = 1_800_000_000;

    fn rules() -> ClaimRules {
        ClaimRules {
            issuers: Box::new(["https://as.example.com".into()]),
            tenant_bound: false,
            tenants: None,
            audiences: Some(Box::new(["https://api.example.com".into()])),
            leeway: 60,
            leeway_on_exp: false,
            require_exp: false,
            required: Box::new([]),
        }
    }

    fn verdict(body: &str) -> Result<IntrospectionClaims, (ErrorKind, String)> {
        read::<NoExtraClaims>(body.as_bytes(), &rules(), NOW).map_err(|error| {
            let reason = std::error::Error::source(&error).map_or(String::new(), |source| {
                source
                    .downcast_ref::<IntrospectionError>()
                    .map(|e| e.kind().as_str().to_owned())
                    .or_else(|| {
                        source
                            .downcast_ref::<crate::jwt::JwtError>()
                            .map(|e| e.kind().as_str().to_owned())
                    })
                    .unwrap_or_default()
            });
            (error.kind(), reason)
        })
    }

    const ACTIVE: &str =
        r#""active":true,"iss":"https://as.example.com","aud":"https://api.example.com""#;

    fn active(extra: &str) -> String {
        if extra.is_empty() {
            format!("{{{ACTIVE}}}")
        } else {
            format!("{{{ACTIVE},{extra}}}")
        }
    }

    #[test]
    fn an_active_response_becomes_claims() {
        let claims = verdict(&active(
            r#""scope":"read write","client_id":"app","username":"alice","sub":"u1","exp":1800000100.7,"iat":1799999000,"jti":"t-1","token_type":"Bearer","acr":"mfa","auth_time":1799998800.5,"ext":{"a":[1,2]}"#,
        ))
        .expect("accepted");
        assert!(claims.scopes.contains("read") && claims.scopes.contains("write"));
        assert_eq!(claims.client_id.as_deref(), Some("app"));
        assert_eq!(claims.username.as_deref(), Some("alice"));
        assert_eq!(claims.sub.as_deref(), Some("u1"));
        assert_eq!(claims.aud, ["https://api.example.com"]);
        assert_eq!(claims.exp, Some(1_800_000_100));
        assert_eq!(claims.iat, Some(1_799_999_000));
        assert_eq!(claims.jti.as_deref(), Some("t-1"));
        assert_eq!(claims.acr.as_deref(), Some("mfa"));
        assert_eq!(claims.auth_time, Some(1_799_998_800));
        let event: &dyn crate::step_up::AuthenticationEvent = &claims;
        assert_eq!(
            (event.acr(), event.auth_time(), event.subject()),
            (Some("mfa"), Some(1_799_998_800), Some("u1"))
        );
        let bare = verdict(&active("")).expect("accepted");
        assert_eq!((bare.acr, bare.auth_time), (None, None));
    }

    #[test]
    fn anything_but_a_well_formed_active_answer_is_refused() {
        use ErrorKind::{Expired, InvalidToken, Unavailable};
        let cases: &[(&str, String, ErrorKind, &str)] = &[
            ("inactive", r#"{"active":false}"#.into(), InvalidToken, "token not active"),
            ("inactive with claims", r#"{"active":false,"sub":"u1","exp":1900000000}"#.into(), InvalidToken, "token not active"),
            ("active as a string", r#"{"active":"true"}"#.into(), InvalidToken, "malformed response"),
            ("active as 1", r#"{"active":1}"#.into(), InvalidToken, "malformed response"),
            ("active null", r#"{"active":null}"#.into(), InvalidToken, "token not active"),
            ("empty object", "{}".into(), InvalidToken, "token not active"),
            ("active twice", r#"{"active":false,"active":true}"#.into(), InvalidToken, "malformed response"),
            ("array", "[true]".into(), InvalidToken, "malformed response"),
            ("html", "<html>login</html>".into(), Unavailable, "response is not JSON"),
            ("empty", String::new(), Unavailable, "response is not JSON"),
            ("truncated", r#"{"active":tr"#.into(), Unavailable, "response is not JSON"),
            ("trailing garbage", format!("{} x", active("")), Unavailable, "response is not JSON"),
            ("expired", active(r#""exp":1799999900"#), Expired, "token expired"),
            ("expired within the leeway", active(r#""exp":1799999990"#), Expired, "token expired"),
            ("exp now", active(r#""exp":1800000000"#), Expired, "token expired"),
            ("not yet valid", active(r#""nbf":1800000100"#), InvalidToken, "token not yet valid"),
            ("issued in the future", active(r#""iat":1800000100"#), InvalidToken, "token not yet valid"),
            ("exp as a string", active(r#""exp":"1900000000""#), InvalidToken, "malformed response"),
            ("acr as a number", active(r#""acr":2"#), InvalidToken, "malformed response"),
            ("auth_time as a string", active(r#""auth_time":"1799999000""#), InvalidToken, "malformed response"),
            ("acr twice", active(r#""acr":"pwd","acr":"mfa""#), InvalidToken, "malformed response"),
            ("wrong audience", r#"{"active":true,"iss":"https://as.example.com","aud":"https://other.example.com"}"#.into(), InvalidToken, "wrong audience"),
            ("no audience", r#"{"active":true,"iss":"https://as.example.com"}"#.into(), InvalidToken, "missing claim"),
            ("wrong issuer", r#"{"active":true,"iss":"https://evil.example.com","aud":"https://api.example.com"}"#.into(), InvalidToken, "wrong issuer"),
            ("duplicate sub", active(r#""sub":"a","sub":"b""#), InvalidToken, "malformed response"),
            ("duplicate unknown member", active(r#""x":1,"x":2"#), InvalidToken, "malformed token"),
            ("deep nesting", active(&format!(r#""x":{}{}"#, "[".repeat(200), "]".repeat(200))), InvalidToken, "malformed token"),
            ("dpop token type", active(r#""token_type":"DPoP""#), InvalidToken, "not a bearer token"),
            ("refresh token type", active(r#""token_type":"refresh_token""#), InvalidToken, "not a bearer token"),
            ("bound by cnf", active(r#""cnf":{"jkt":"0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"}"#), InvalidToken, "token bound to a key"),
            ("bound by certificate", active(r#""cnf":{"x5t#S256":"bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2"}"#), InvalidToken, "token bound to a key"),
            ("cnf null", active(r#""cnf":null"#), InvalidToken, "token bound to a key"),
        ];
        for (name, body, kind, reason) in cases {
            let (got_kind, got_reason) = verdict(body).expect_err(name);
            assert_eq!((got_kind, got_reason.as_str()), (*kind, *reason), "{name}");
        }
        assert!(
            verdict(&active(r#""token_type":"bearer""#)).is_ok(),
            "case-insensitive Bearer"
        );
    }
}
