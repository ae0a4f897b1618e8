//! The JSON reader of every token's header and registered claims, against
//! serde_json: any text is accepted by both or refused by both, and read
//! alike. The oracle is serde_json reading a `Value` that refuses a name
//! given twice, then the types each claim must have, and the issuer rules
//! (an exact issuer, and a tenant template with its `tid` binding) written
//! out again independently. serde_json has the features the crate ships
//! with (no `float_roundtrip`), so what is fuzzed is what is built.

#![no_main]

use std::fmt;

use libfuzzer_sys::fuzz_target;
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use tower_bearer_auth::fuzzing::{
    self, CLAIMS_AUDIENCE, CLAIMS_ISSUER, CLAIMS_ISSUER_TEMPLATE, CLAIMS_REQUIRED, CLAIMS_TENANTS,
    ClaimsRead, HeaderRead,
};
use tower_bearer_auth::scope::Scopes;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    assert_eq!(fuzzing::read_header(text), expected_header(text), "header");
    assert_eq!(fuzzing::read_claims(text), expected_claims(text), "claims");
});

fn object(text: &str) -> Option<Map<String, Value>> {
    match serde_json::from_str::<Strict>(text).ok()?.0 {
        Value::Object(members) => Some(members),
        _ => None,
    }
}

/// A member that must be a string when present.
fn string(members: &Map<String, Value>, name: &str) -> Result<Option<String>, ()> {
    match members.get(name) {
        None => Ok(None),
        Some(Value::String(value)) => Ok(Some(value.clone())),
        Some(_) => Err(()),
    }
}

fn expected_header(text: &str) -> Option<HeaderRead> {
    let members = object(text)?;
    let cty = string(&members, "cty").ok()?;
    let nested = cty.is_some_and(|cty| {
        let subtype = match cty.split_once('/') {
            Some((kind, subtype)) if kind.eq_ignore_ascii_case("application") => subtype,
            Some(_) => return false,
            None => &cty,
        };
        subtype.eq_ignore_ascii_case("jwt")
    });
    Some(HeaderRead {
        alg: string(&members, "alg").ok()?,
        kid: string(&members, "kid").ok()?,
        typ: string(&members, "typ").ok()?,
        unsupported: nested
            || ["crit", "b64", "zip"]
                .iter()
                .any(|n| members.contains_key(*n)),
    })
}

fn expected_claims(text: &str) -> Option<ClaimsRead> {
    let members = object(text)?;
    let date = |name| match members.get(name) {
        None => Ok(None),
        Some(Value::Number(number)) => Ok(number.as_f64()),
        Some(_) => Err(()),
    };
    let audience_accepted = match members.get("aud") {
        None => None,
        Some(Value::String(audience)) => Some(audience == CLAIMS_AUDIENCE),
        Some(Value::Array(audiences)) => {
            let mut accepted = false;
            for audience in audiences {
                accepted |= audience.as_str()? == CLAIMS_AUDIENCE;
            }
            Some(accepted)
        }
        Some(_) => return None,
    };
    let iss = string(&members, "iss").ok()?;
    let tenant = iss.as_deref().and_then(tenant_of);
    // With a template among the issuers, `tid` must be a string.
    let tid = string(&members, "tid").ok()?;
    let strings = |value: &Value| -> Option<Vec<String>> {
        let items = value.as_array()?;
        items
            .iter()
            .map(|item| item.as_str().map(str::to_owned))
            .collect()
    };
    let scopes = match (members.get("scope"), members.get("scp")) {
        (Some(Value::String(scope)), _) => Scopes::from_space_delimited(scope),
        (Some(_), _) => Scopes::default(),
        (None, Some(Value::String(scp))) => Scopes::from_space_delimited(scp),
        (None, Some(scp)) => strings(scp).map_or_else(Scopes::default, |scp| scp.iter().collect()),
        (None, None) => Scopes::default(),
    };
    Some(ClaimsRead {
        exp: date("exp").ok()?,
        nbf: date("nbf").ok()?,
        iat: date("iat").ok()?,
        issuer: iss
            .as_ref()
            .map(|iss| match (iss == CLAIMS_ISSUER, &tenant) {
                (true, _) => Some(0),
                (false, Some(_)) => Some(1),
                (false, None) => None,
            }),
        audience_accepted,
        required_present: members.contains_key(CLAIMS_REQUIRED),
        bound: members.contains_key("cnf"),
        jti: string(&members, "jti").ok()?,
        tenant_accepted: tenant.as_ref().map(|tenant| {
            tid.as_ref() == Some(tenant)
                && CLAIMS_TENANTS
                    .iter()
                    .any(|accepted| accepted.to_lowercase() == tenant.to_lowercase())
        }),
        tenant,
        tid,
        sub: string(&members, "sub").ok()?,
        iss,
        client_id: string(&members, "client_id").ok()?,
        acr: members
            .get("acr")
            .and_then(Value::as_str)
            .map(str::to_owned),
        auth_time: match members.get("auth_time") {
            #[allow(clippy::cast_possible_truncation)]
            Some(Value::Number(n)) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
            _ => None,
        },
        scopes: scopes.iter().map(str::to_owned).collect(),
    })
}

/// The tenant id `iss` puts where the template has `{tenantid}`: the
/// whole text between the template's prefix and suffix, if it is 1 to 64
/// ASCII letters, digits and hyphens.
fn tenant_of(iss: &str) -> Option<String> {
    let at = CLAIMS_ISSUER_TEMPLATE.find("{tenantid}")?;
    let prefix = &CLAIMS_ISSUER_TEMPLATE[..at];
    let suffix = &CLAIMS_ISSUER_TEMPLATE[at + "{tenantid}".len()..];
    if iss.len() < prefix.len() + suffix.len() || !iss.starts_with(prefix) || !iss.ends_with(suffix)
    {
        return None;
    }
    let tenant = &iss[prefix.len()..iss.len() - suffix.len()];
    let valid = tenant.chars().count() <= 64
        && !tenant.is_empty()
        && tenant
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-');
    valid.then(|| tenant.to_owned())
}

/// A JSON value as serde_json reads it, refused if an object gives a name
/// twice.
struct Strict(Value);

impl<'de> Deserialize<'de> for Strict {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StrictVisitor).map(Strict)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom("not finite"))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(Strict(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut members = Map::new();
        while let Some(name) = map.next_key::<String>()? {
            let Strict(value) = map.next_value()?;
            if members.insert(name, value).is_some() {
                return Err(de::Error::custom("duplicate member name"));
            }
        }
        Ok(Value::Object(members))
    }
}
