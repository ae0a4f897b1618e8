//! The registered claims (RFC 7519 §4.1: `exp`, `nbf`, `iat`, `iss`, `aud`,
//! and the claims a verifier requires), read and checked in one pass over a
//! JSON object before the application's claims type sees it: a JWT's
//! payload, or an introspection answer (RFC 7662 §2.2 uses the same names).

use std::time::Duration;

use crate::error::ConfigError;
use crate::issuer_template::{IssuerMatch, find_issuer, is_template, is_valid_template};
use crate::jwt::MAX_LEEWAY;
use crate::jwt::json_reader::{JsonReader, Malformed, Read};
use crate::jwt::{AccessMembers, JwtError, JwtErrorKind};

/// What a payload must satisfy, fixed when the verifier is built.
#[derive(Clone, Debug)]
pub(crate) struct ClaimRules {
    /// Accepted `iss` values, some perhaps templates
    /// ([`issuer_template`](crate::issuer_template)); empty means `iss` is
    /// not checked.
    pub(crate) issuers: Box<[Box<str>]>,
    /// Whether an accepted issuer is a template: `tid` is then read.
    pub(crate) tenant_bound: bool,
    /// The tenants a template accepts; `None` means any.
    pub(crate) tenants: Option<Box<[Box<str>]>>,
    /// Accepted audiences; `None` means `aud` is not checked.
    pub(crate) audiences: Option<Box<[Box<str>]>>,
    /// Seconds of clock skew allowed on `exp`, `nbf` and `iat`.
    pub(crate) leeway: u64,
    /// Whether the leeway applies to `exp` too; an introspection answer
    /// holds no longer than its `exp` (RFC 7662 §4).
    pub(crate) leeway_on_exp: bool,
    pub(crate) require_exp: bool,
    /// Claims that must be present, besides `exp`, `iss` and `aud`; at most
    /// [`MAX_REQUIRED`].
    pub(crate) required: Box<[Box<str>]>,
}

impl ClaimRules {
    /// The issuer, audience and time rules, checked: no empty issuer or
    /// audience, an audience unless `audience_required` is false, a leeway
    /// of at most [`MAX_LEEWAY`]. `exp` optional, nothing else required.
    pub(crate) fn new(
        issuers: Vec<Box<str>>,
        audiences: Vec<Box<str>>,
        audience_required: bool,
        leeway: Duration,
    ) -> Result<Self, ConfigError> {
        if issuers
            .iter()
            .chain(&audiences)
            .any(|value| value.is_empty())
        {
            return Err(ConfigError::EmptyIssuerOrAudience);
        }
        let mut templates = issuers.iter().filter(|issuer| is_template(issuer));
        if !templates.all(|issuer| is_valid_template(issuer)) {
            return Err(ConfigError::InvalidIssuerTemplate);
        }
        if leeway > MAX_LEEWAY {
            return Err(ConfigError::LeewayTooLong {
                max_secs: MAX_LEEWAY.as_secs(),
            });
        }
        if audiences.is_empty() && audience_required {
            return Err(ConfigError::NoAudience);
        }
        Ok(Self {
            tenant_bound: issuers.iter().any(|issuer| is_template(issuer)),
            tenants: None,
            issuers: issuers.into(),
            audiences: (!audiences.is_empty()).then(|| audiences.into_boxed_slice()),
            leeway: leeway.as_secs(),
            leeway_on_exp: true,
            require_exp: false,
            required: Box::new([]),
        })
    }
}

/// How many claims can be required: one bit each in a `u64`.
pub(crate) const MAX_REQUIRED: usize = 64;

/// The registered claims of one payload, as far as the rules need them.
#[derive(Debug, Default)]
pub(crate) struct Registered {
    exp: Option<f64>,
    nbf: Option<f64>,
    iat: Option<f64>,
    /// `iss`, as an index into the accepted issuers (`Some(None)`: present
    /// but not accepted); `None` when absent.
    issuer: Option<Option<usize>>,
    /// The tenant id in `iss`, when it matched a template.
    tenant: Option<Box<str>>,
    /// `tid`, read only when an accepted issuer is a template.
    tid: Option<Box<str>>,
    /// Whether `aud` names an accepted audience; `None` when absent.
    audience_accepted: Option<bool>,
    /// Bit `i` set: `rules.required[i]` is present.
    present: u64,
    /// `jti`, kept only when asked for ([`Keep::id`]).
    jti: Option<Box<str>>,
    /// Whether there is a `cnf` claim: the token is bound to a key.
    bound: bool,
    /// What `AccessClaims` reads up front, kept only when asked for
    /// ([`Keep::access_members`]).
    pub(crate) access_members: Option<AccessMembers>,
}

/// [`Registered::fields`].
#[cfg(fuzzing)]
pub(crate) struct Fields {
    pub(crate) exp: Option<f64>,
    pub(crate) nbf: Option<f64>,
    pub(crate) iat: Option<f64>,
    pub(crate) issuer: Option<Option<usize>>,
    pub(crate) audience_accepted: Option<bool>,
    pub(crate) present: u64,
    pub(crate) bound: bool,
    pub(crate) jti: Option<String>,
    pub(crate) tenant: Option<String>,
    pub(crate) tid: Option<String>,
    /// Whether the tenant binding holds, for a token of a template issuer.
    pub(crate) tenant_accepted: Option<bool>,
}

/// What a read keeps beyond what the rules check.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Keep {
    /// `jti`, for the facts a cache or a revocation check needs.
    pub(crate) id: bool,
    /// The claims `AccessClaims` reads up front.
    pub(crate) access_members: bool,
}

impl Registered {
    /// Reads `payload`, keeping `keep` besides; anything but a JSON object
    /// of well-typed registered claims without duplicate names is
    /// malformed.
    pub(crate) fn read(payload: &str, rules: &ClaimRules, keep: Keep) -> Result<Self, JwtError> {
        let mut claims = Self::default();
        let mut members = keep.access_members.then(AccessMembers::default);
        JsonReader::read_object(payload, |value, name| {
            if let Some(index) = rules.required.iter().position(|r| **r == *name) {
                claims.present |= 1 << index;
            }
            match &*name {
                "exp" => claims.exp = Some(value.number()?.as_f64()),
                "nbf" => claims.nbf = Some(value.number()?.as_f64()),
                "iat" => claims.iat = Some(value.number()?.as_f64()),
                "iss" => {
                    let issuer = value.string()?;
                    let found = find_issuer(&rules.issuers, rules.tenant_bound, &issuer);
                    if let Some((_, IssuerMatch::Tenant(tenant))) = found {
                        claims.tenant = Some(tenant.into());
                    }
                    claims.issuer = Some(found.map(|(at, _)| at));
                    if let Some(members) = &mut members {
                        members.keep_text("iss", &issuer, payload);
                    }
                }
                "tid" if rules.tenant_bound => claims.tid = Some((*value.string()?).into()),
                "aud" => {
                    let accepted = rules.audiences.as_deref().unwrap_or_default();
                    claims.audience_accepted = Some(read_audience(value, accepted)?);
                }
                // StringOrURI claims: a number or an object here is a token
                // some other parser would read differently.
                "sub" | "jti" | "client_id" => {
                    let text = value.string()?;
                    if keep.id && &*name == "jti" {
                        claims.jti = Some((*text).into());
                    }
                    if let Some(members) = &mut members {
                        members.keep_text(&name, &text, payload);
                    }
                }
                "cnf" => {
                    claims.bound = true;
                    value.skip()?;
                }
                _ => match &mut members {
                    Some(members) if AccessMembers::reads_loosely(&name) => {
                        members.keep_loose(&name, value.loose()?, payload);
                    }
                    _ => value.skip()?,
                },
            }
            Ok(())
        })
        .map_err(|Malformed| JwtError::new(JwtErrorKind::Malformed))?;
        claims.access_members = members;
        Ok(claims)
    }

    /// Every field but the access members, for the `json_reader` fuzz
    /// target to compare with serde_json's reading.
    #[cfg(fuzzing)]
    pub(crate) fn fields(&self, rules: &ClaimRules) -> Fields {
        Fields {
            exp: self.exp,
            nbf: self.nbf,
            iat: self.iat,
            issuer: self.issuer,
            audience_accepted: self.audience_accepted,
            present: self.present,
            bound: self.bound,
            jti: self.jti.as_deref().map(str::to_owned),
            tenant: self.tenant.as_deref().map(str::to_owned),
            tid: self.tid.as_deref().map(str::to_owned),
            tenant_accepted: self
                .tenant
                .as_deref()
                .map(|tenant| check_tenant(tenant, self.tid.as_deref(), rules).is_ok()),
        }
    }

    /// `exp`, in seconds since the epoch.
    pub(crate) fn expiry(&self) -> Option<f64> {
        self.exp
    }

    /// `iat`, in seconds since the epoch.
    pub(crate) fn issued_at(&self) -> Option<f64> {
        self.iat
    }

    /// `jti`, if kept ([`Keep::id`]).
    pub(crate) fn jti(&self) -> Option<&str> {
        self.jti.as_deref()
    }

    /// Whether the token has a `cnf` claim (RFC 7800), whatever its value:
    /// it is bound to a key.
    pub(crate) fn is_bound(&self) -> bool {
        self.bound
    }

    /// Which of the accepted issuers the token names, if any.
    pub(crate) fn issuer(&self) -> Option<usize> {
        self.issuer.flatten()
    }

    /// Checks the claims against the rules at `now` (seconds since the
    /// epoch), in a fixed order: `exp`, `nbf`, `iat`, `iss`, `aud`, then the
    /// required claims.
    #[allow(clippy::cast_precision_loss)]
    pub(crate) fn check(&self, rules: &ClaimRules, now: u64) -> Result<(), JwtError> {
        let now = now as f64;
        let leeway = rules.leeway as f64;
        let exp_leeway = if rules.leeway_on_exp { leeway } else { 0.0 };
        match self.exp {
            // RFC 7519 §4.1.4: "on or after which the JWT MUST NOT be accepted".
            Some(exp) if now >= exp + exp_leeway => return Err(JwtErrorKind::Expired.into()),
            None if rules.require_exp => return Err(missing("exp")),
            _ => {}
        }
        if self.nbf.is_some_and(|nbf| now + leeway < nbf) {
            return Err(JwtErrorKind::NotYetValid.into());
        }
        if self.iat.is_some_and(|iat| iat > now + leeway) {
            return Err(JwtErrorKind::NotYetValid.into());
        }
        if !rules.issuers.is_empty() {
            match self.issuer {
                Some(Some(_)) => {}
                Some(None) => return Err(JwtErrorKind::WrongIssuer.into()),
                None => return Err(missing("iss")),
            }
            if let Some(tenant) = &self.tenant {
                check_tenant(tenant, self.tid.as_deref(), rules)?;
            }
        }
        if rules.audiences.is_some() {
            match self.audience_accepted {
                Some(true) => {}
                Some(false) => return Err(JwtErrorKind::WrongAudience.into()),
                None => return Err(missing("aud")),
            }
        }
        if rules.required.is_empty() {
            return Ok(());
        }
        // One bit per required claim; the builder keeps the count in 1..=64.
        let all = u64::MAX >> (MAX_REQUIRED - rules.required.len());
        if self.present == all {
            return Ok(());
        }
        let absent = (0..rules.required.len())
            .find(|&index| self.present & (1 << index) == 0)
            .map_or("", |index| &*rules.required[index]);
        Err(JwtError::with_detail(
            JwtErrorKind::MissingClaim,
            absent.to_owned(),
        ))
    }
}

/// A token of a template issuer: its `tid` must be the tenant in its `iss`,
/// and one the rules accept.
fn check_tenant(tenant: &str, tid: Option<&str>, rules: &ClaimRules) -> Result<(), JwtError> {
    match tid {
        None => return Err(missing("tid")),
        Some(tid) if tid != tenant => {
            return Err(JwtError::with_detail(
                JwtErrorKind::WrongIssuer,
                "tid is not the tenant of iss",
            ));
        }
        Some(_) => {}
    }
    let accepted = rules.tenants.as_deref().is_none_or(|tenants| {
        tenants
            .iter()
            .any(|accepted| accepted.eq_ignore_ascii_case(tenant))
    });
    if accepted {
        Ok(())
    } else {
        Err(JwtError::with_detail(
            JwtErrorKind::WrongIssuer,
            "tenant not accepted",
        ))
    }
}

fn missing(claim: &'static str) -> JwtError {
    JwtError::with_detail(JwtErrorKind::MissingClaim, claim)
}

/// `aud`: one string or an array of strings (RFC 7519 §4.1.3); answers
/// whether one of them is in `accepted`, compared byte for byte.
pub(crate) fn read_audience(value: &mut JsonReader<'_>, accepted: &[Box<str>]) -> Read<bool> {
    let is_accepted = |audience: &str| accepted.iter().any(|accepted| **accepted == *audience);
    if value.peek() != Some(b'[') {
        return Ok(is_accepted(&value.string()?));
    }
    let mut found = false;
    value.array(|element| {
        found |= is_accepted(&element.string()?);
        Ok(())
    })?;
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_800_000_000;

    fn rules() -> ClaimRules {
        ClaimRules {
            issuers: Box::new(["https://issuer.example.com".into()]),
            tenant_bound: false,
            tenants: None,
            audiences: Some(Box::new(["https://api.example.com".into()])),
            leeway: 60,
            leeway_on_exp: true,
            require_exp: true,
            required: Box::new([]),
        }
    }

    fn verdict(payload: &str, rules: &ClaimRules) -> Result<(), JwtErrorKind> {
        Registered::read(payload, rules, Keep::default())
            .and_then(|registered| registered.check(rules, NOW))
            .map_err(|error| error.kind())
    }

    fn payload(extra: &str) -> String {
        let base = r#""iss":"https://issuer.example.com","aud":"https://api.example.com","exp":1800000100"#;
        if extra.is_empty() {
            format!("{{{base}}}")
        } else {
            format!("{{{base},{extra}}}")
        }
    }

    #[test]
    fn time_claims_with_leeway() {
        use JwtErrorKind::*;
        let rules = rules();
        let with = |claims: &str| {
            format!(
                r#"{{"iss":"https://issuer.example.com","aud":"https://api.example.com",{claims}}}"#
            )
        };
        let cases: &[(&str, String, Result<(), JwtErrorKind>)] = &[
            ("exp in the future", with(r#""exp":1800000100"#), Ok(())),
            ("exp within leeway", with(r#""exp":1799999950"#), Ok(())),
            (
                "exp at now - leeway",
                with(r#""exp":1799999940"#),
                Err(Expired),
            ),
            ("exp long past", with(r#""exp":1700000000"#), Err(Expired)),
            ("exp negative", with(r#""exp":-1"#), Err(Expired)),
            ("exp fractional", with(r#""exp":1799999940.5"#), Ok(())),
            ("exp missing", with(r#""sub":"x""#), Err(MissingClaim)),
            (
                "nbf now",
                with(r#""exp":1800000100,"nbf":1800000000"#),
                Ok(()),
            ),
            (
                "nbf within leeway",
                with(r#""exp":1800000100,"nbf":1800000060"#),
                Ok(()),
            ),
            (
                "nbf beyond leeway",
                with(r#""exp":1800000100,"nbf":1800000061"#),
                Err(NotYetValid),
            ),
            (
                "iat beyond leeway",
                with(r#""exp":1800000100,"iat":1800000061"#),
                Err(NotYetValid),
            ),
            (
                "iat past",
                with(r#""exp":1800000100,"iat":1700000000"#),
                Ok(()),
            ),
        ];
        for (name, payload, expected) in cases {
            assert_eq!(verdict(payload, &rules), *expected, "{name}");
        }
        let mut strict = rules.clone();
        strict.leeway = 0;
        assert_eq!(
            verdict(&with(r#""exp":1800000000"#), &strict),
            Err(Expired),
            "exp == now"
        );
        assert_eq!(
            verdict(&with(r#""exp":1800000001"#), &strict),
            Ok(()),
            "exp == now + 1"
        );
    }

    #[test]
    fn issuer_and_audience_compare_exactly() {
        use JwtErrorKind::*;
        let rules = rules();
        let token =
            |iss: &str, aud: &str| format!(r#"{{"exp":1800000100,"iss":{iss},"aud":{aud}}}"#);
        let api = r#""https://api.example.com""#;
        let issuer = r#""https://issuer.example.com""#;
        let cases: &[(&str, String, Result<(), JwtErrorKind>)] = &[
            ("exact", token(issuer, api), Ok(())),
            (
                "escaped",
                token(r#""https:\/\/issuer.example.com""#, api),
                Ok(()),
            ),
            (
                "trailing slash",
                token(r#""https://issuer.example.com/""#, api),
                Err(WrongIssuer),
            ),
            (
                "upper case",
                token(r#""HTTPS://ISSUER.EXAMPLE.COM""#, api),
                Err(WrongIssuer),
            ),
            ("substring", token(r#""https""#, api), Err(WrongIssuer)),
            (
                "iss array",
                token(r#"["https://issuer.example.com"]"#, api),
                Err(Malformed),
            ),
            ("iss number", token("123", api), Err(Malformed)),
            ("iss null", token("null", api), Err(Malformed)),
            (
                "aud array",
                token(issuer, r#"["https://x","https://api.example.com"]"#),
                Ok(()),
            ),
            (
                "aud other",
                token(issuer, r#""https://api.example.com.evil""#),
                Err(WrongAudience),
            ),
            ("aud empty array", token(issuer, "[]"), Err(WrongAudience)),
            ("aud number", token(issuer, "42"), Err(Malformed)),
            ("aud null", token(issuer, "null"), Err(Malformed)),
            ("aud array of numbers", token(issuer, "[1]"), Err(Malformed)),
            (
                "iss missing",
                r#"{"exp":1800000100,"aud":"https://api.example.com"}"#.into(),
                Err(MissingClaim),
            ),
            (
                "aud missing",
                r#"{"exp":1800000100,"iss":"https://issuer.example.com"}"#.into(),
                Err(MissingClaim),
            ),
        ];
        for (name, payload, expected) in cases {
            assert_eq!(verdict(payload, &rules), *expected, "{name}");
        }
    }

    #[test]
    fn unchecked_issuer_and_audience_are_still_typed() {
        let mut rules = rules();
        rules.issuers = Box::new([]);
        rules.audiences = None;
        assert_eq!(
            verdict(r#"{"exp":1800000100,"iss":"anyone","aud":"any"}"#, &rules),
            Ok(())
        );
        assert_eq!(verdict(r#"{"exp":1800000100}"#, &rules), Ok(()));
        assert_eq!(
            verdict(r#"{"exp":1800000100,"aud":7}"#, &rules),
            Err(JwtErrorKind::Malformed)
        );
    }

    #[test]
    fn malformed_payloads() {
        let rules = rules();
        let cases = [
            ("array", "[]".to_owned()),
            ("string", r#""x""#.to_owned()),
            ("not json", "not json".to_owned()),
            ("trailing garbage", format!("{}x", payload(""))),
            ("duplicate sub", payload(r#""sub":"u1","sub":"admin""#)),
            ("duplicate exp", r#"{"exp":1,"exp":1800000100}"#.to_owned()),
            (
                "duplicate scope",
                payload(r#""scope":"read","scope":"admin""#),
            ),
            ("exp string", r#"{"exp":"1800000100"}"#.to_owned()),
            ("exp bool", r#"{"exp":true}"#.to_owned()),
            ("exp huge", r#"{"exp":1e400}"#.to_owned()),
            ("nbf string", payload(r#""nbf":"0""#)),
            ("sub number", payload(r#""sub":1"#)),
            ("client_id object", payload(r#""client_id":{}"#)),
            (
                "deep",
                payload(&format!(r#""x":{}{}"#, "[".repeat(2000), "]".repeat(2000))),
            ),
            (
                "invalid utf-8",
                "{\"sub\":\"\u{0}\"}".replace('\u{0}', "\\ud800"),
            ),
        ];
        for (name, payload) in cases {
            assert_eq!(
                verdict(&payload, &rules),
                Err(JwtErrorKind::Malformed),
                "{name}"
            );
        }
    }

    #[test]
    fn required_claims() {
        let mut rules = rules();
        rules.required = ["sub", "client_id", "iat", "jti"].map(Box::from).into();
        let all = payload(r#""sub":"u","client_id":"c","iat":1700000000,"jti":"j""#);
        assert_eq!(verdict(&all, &rules), Ok(()));
        for absent in ["sub", "client_id", "iat", "jti"] {
            let claims: Vec<String> = [
                ("sub", r#""u""#),
                ("client_id", r#""c""#),
                ("iat", "1700000000"),
                ("jti", r#""j""#),
            ]
            .iter()
            .filter(|(name, _)| *name != absent)
            .map(|(name, value)| format!(r#""{name}":{value}"#))
            .collect();
            let payload = payload(&claims.join(","));
            let error = Registered::read(&payload, &rules, Keep::default())
                .and_then(|registered| registered.check(&rules, NOW))
                .expect_err(absent);
            assert_eq!(error.kind(), JwtErrorKind::MissingClaim, "{absent}");
            assert_eq!(error.detail(), Some(absent));
        }
    }

    #[test]
    fn a_template_issuer_binds_tid_to_the_tenant_in_iss() {
        use JwtErrorKind::*;
        let template = "https://login.example.com/{tenantid}/v2.0";
        let mut rules = ClaimRules::new(
            vec![template.into()],
            vec!["https://api.example.com".into()],
            true,
            Duration::from_secs(60),
        )
        .expect("rules");
        assert!(rules.tenant_bound);
        let token = |tenant: &str, tid: &str| {
            format!(
                r#"{{"exp":1800000100,"aud":"https://api.example.com",{tid}"iss":"https://login.example.com/{tenant}/v2.0"}}"#
            )
        };
        let cases: &[(&str, String, Result<(), JwtErrorKind>)] = &[
            ("tid after iss", token("t-1", r#""tid":"t-1","#), Ok(())),
            (
                "tid before iss",
                r#"{"tid":"t-1","iss":"https://login.example.com/t-1/v2.0","exp":1800000100,"aud":"https://api.example.com"}"#.into(),
                Ok(()),
            ),
            ("another tenant's tid", token("t-1", r#""tid":"t-2","#), Err(WrongIssuer)),
            ("no tid", token("t-1", ""), Err(MissingClaim)),
            ("tid a number", token("t-1", r#""tid":1,"#), Err(Malformed)),
            ("not a tenant id", token("t.1", r#""tid":"t.1","#), Err(WrongIssuer)),
            (
                "the template itself",
                token("{tenantid}", r#""tid":"{tenantid}","#),
                Err(WrongIssuer),
            ),
        ];
        for (name, payload, expected) in cases {
            assert_eq!(verdict(payload, &rules), *expected, "{name}");
        }
        for bad in ["https://{tenantid}/v2.0", "https://a.example/x{tenantid}"] {
            let refused = ClaimRules::new(
                vec![bad.into()],
                vec!["https://api.example.com".into()],
                true,
                Duration::from_secs(60),
            );
            assert_eq!(
                refused.err(),
                Some(ConfigError::InvalidIssuerTemplate),
                "{bad}"
            );
        }
        rules.tenants = Some(Box::new(["T-1".into()]));
        assert_eq!(verdict(&token("t-1", r#""tid":"t-1","#), &rules), Ok(()));
        assert_eq!(
            verdict(&token("t-2", r#""tid":"t-2","#), &rules),
            Err(WrongIssuer),
            "a tenant not in the list"
        );
    }
}
