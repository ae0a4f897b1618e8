//! The two documents fetched: a JWK Set (RFC 7517 §5) and an OpenID
//! Connect discovery document (Discovery §3).

use jsonwebtoken::jwk::Jwk;
use serde::Deserialize;
use serde_json::Value;

use super::error::{JwksError, JwksErrorKind};
use super::trace::event;
use crate::jwt::JwtKey;

/// The most keys taken from one key set; the rest are skipped. A token
/// without `kid` may be tried against each, so the count is bounded.
pub const MAX_KEYS: usize = 64;

/// The usable keys of a JWK Set. A member that is not a key this verifier
/// can use is skipped with its reason logged, and the others stay usable
/// (RFC 7517 §5: unknown `kty`, missing members, out-of-range values).
/// Skipped: `oct` keys (a symmetric key published is no secret: anyone
/// could sign with it), `use` other than `sig`, `key_ops` without `verify`,
/// RSA keys under 2048 bits, malformed keys. A key published with its
/// private members is used for its public part.
///
/// A body that is not `{"keys": [...]}`, or a set without one usable key,
/// is an error: the keys already held are kept rather than replaced by
/// nothing.
pub(crate) fn parse_key_set(body: &[u8]) -> Result<Vec<JwtKey>, JwksError> {
    #[derive(Deserialize)]
    struct KeySet {
        keys: Vec<Value>,
    }
    let set: KeySet =
        serde_json::from_slice(body).map_err(|_| JwksError::new(JwksErrorKind::Malformed))?;
    let mut keys = Vec::new();
    for (index, member) in set.keys.iter().enumerate() {
        if keys.len() == MAX_KEYS {
            skipped(
                index,
                member,
                "more keys than the verifier takes from one set",
            );
            continue;
        }
        match parse_key(member) {
            Ok(key) => keys.push(key),
            Err(reason) => skipped(index, member, reason),
        }
    }
    if keys.is_empty() {
        return Err(JwksErrorKind::NoUsableKeys.into());
    }
    Ok(keys)
}

/// Logs why the key at `_index` was skipped: its `kid`, never its members.
fn skipped(_index: usize, _member: &Value, _reason: &str) {
    event!(
        warn,
        index = _index,
        kid = _member.get("kid").and_then(serde_json::Value::as_str),
        reason = _reason,
        "key skipped"
    );
}

fn parse_key(member: &Value) -> Result<JwtKey, &'static str> {
    let Some(object) = member.as_object() else {
        return Err("not a JSON object");
    };
    match object.get("kty").and_then(Value::as_str) {
        Some("RSA" | "EC" | "OKP") => {}
        Some("oct") => return Err("symmetric (oct) keys are never taken from a key set"),
        _ => return Err("unknown or missing kty"),
    }
    if object.get("use").is_some_and(|key_use| key_use != "sig") {
        return Err("use is not sig");
    }
    if object.get("key_ops").is_some_and(|ops| {
        ops.as_array()
            .is_none_or(|ops| !ops.iter().any(|op| op == "verify"))
    }) {
        return Err("key_ops lack verify");
    }
    if object.contains_key("d") {
        event!(
            warn,
            kid = object.get("kid").and_then(serde_json::Value::as_str),
            "the key set publishes a private key; only its public part is used"
        );
    }
    let jwk = Jwk::deserialize(member).map_err(|_| "malformed key")?;
    JwtKey::from_jwk(&jwk).map_err(|error| match error {
        crate::ConfigError::WeakKey { .. } => "key too weak",
        crate::ConfigError::InvalidKeyId => "kid empty or too long",
        crate::ConfigError::AlgorithmNotForKey => "alg does not fit the key",
        _ => "not a usable signature verification key",
    })
}

/// What the discovery document says: the issuer, and where its keys are.
#[derive(Debug, Deserialize)]
pub(crate) struct Discovery {
    pub(crate) issuer: String,
    pub(crate) jwks_uri: String,
}

pub(crate) fn parse_discovery(body: &[u8]) -> Result<Discovery, JwksError> {
    serde_json::from_slice(body).map_err(|_| JwksErrorKind::Malformed.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fixtures' RSA-2048 public key with `extra` members added.
    fn rsa(extra: &str) -> String {
        let jwk: Value =
            serde_json::from_str(include_str!("../../tests/fixtures/jwt/rsa.jwk.json")).unwrap();
        let n = jwk["n"].as_str().unwrap();
        format!(r#"{{"kty":"RSA","n":"{n}","e":"AQAB"{extra}}}"#)
    }

    #[test]
    fn bad_members_are_skipped_and_the_others_kept() {
        let body = format!(
            r#"{{"keys":[{{"kty":"foo"}},"text",{{"kty":"oct","k":"c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0"}},{},{},{},{}],"x":1}}"#,
            rsa(r#","kid":"enc","use":"enc""#),
            rsa(r#","kid":"ops","key_ops":["encrypt"]"#),
            r#"{"kty":"RSA","kid":"bad-n","n":"!!!","e":"AQAB"}"#,
            rsa(r#","kid":"good","alg":"RS256""#),
        );
        let keys = parse_key_set(body.as_bytes()).expect("one good key");
        assert_eq!(keys.len(), 1);
        assert_eq!(keys[0].kid(), Some("good"));
    }

    #[test]
    fn a_set_without_usable_keys_is_an_error() {
        let cases: [(&str, JwksErrorKind); 7] = [
            ("", JwksErrorKind::Malformed),
            ("<html>", JwksErrorKind::Malformed),
            ("{}", JwksErrorKind::Malformed),
            (r#"{"keys":{}}"#, JwksErrorKind::Malformed),
            (
                r#"{"keys":[{"kty":"RSA","n":"AQAB""#,
                JwksErrorKind::Malformed,
            ),
            (r#"{"keys":[]}"#, JwksErrorKind::NoUsableKeys),
            (r#"{"keys":[{"kty":"foo"}]}"#, JwksErrorKind::NoUsableKeys),
        ];
        for (body, kind) in cases {
            let error = parse_key_set(body.as_bytes()).expect_err(body);
            assert_eq!(error.kind(), kind, "{body}");
        }
    }

    #[test]
    fn at_most_max_keys_are_taken() {
        let members: Vec<String> = (0..MAX_KEYS + 3)
            .map(|i| rsa(&format!(r#","kid":"k{i}""#)))
            .collect();
        let body = format!(r#"{{"keys":[{}]}}"#, members.join(","));
        assert_eq!(
            parse_key_set(body.as_bytes()).map(|k| k.len()),
            Ok(MAX_KEYS)
        );
    }

    #[test]
    fn discovery_needs_issuer_and_jwks_uri() {
        let ok = parse_discovery(br#"{"issuer":"https://a","jwks_uri":"https://a/k","x":[1]}"#)
            .expect("valid");
        assert_eq!(
            (ok.issuer.as_str(), ok.jwks_uri.as_str()),
            ("https://a", "https://a/k")
        );
        for body in [
            &br#"{"issuer":"https://a"}"#[..],
            br#"{"jwks_uri":1,"issuer":"a"}"#,
            b"[]",
        ] {
            assert!(parse_discovery(body).is_err());
        }
    }
}
