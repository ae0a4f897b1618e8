//! The JOSE header, read once, strictly.

use super::json::Str;
use super::json_reader::{JsonReader, Read};

/// The header members the verifier acts on. `jku`, `x5u`, `x5c` and `jwk`
/// are skipped unread: a key is only ever one the application configured
/// (RFC 8725 §3.10), so a token never makes the verifier fetch anything.
#[derive(Debug)]
pub(crate) struct JoseHeader<'a> {
    pub(crate) alg: Option<Str<'a>>,
    pub(crate) kid: Option<Str<'a>>,
    pub(crate) typ: Option<Str<'a>>,
    /// `crit` (any form: no extension is understood, RFC 7515 §4.1.11), `b64`
    /// (RFC 7797), `zip` (compression is JWE only), or `cty: JWT` (a nested
    /// token): refused rather than half processed.
    pub(crate) unsupported: bool,
}

impl<'a> JoseHeader<'a> {
    /// Reads a header: a JSON object whose `alg`, `kid`, `typ` and `cty`,
    /// where present, are strings.
    pub(crate) fn read(json: &'a str) -> Read<Self> {
        let mut header = JoseHeader {
            alg: None,
            kid: None,
            typ: None,
            unsupported: false,
        };
        JsonReader::read_object(json, |value, name| {
            match &*name {
                "alg" => header.alg = Some(value.string()?),
                "kid" => header.kid = Some(value.string()?),
                "typ" => header.typ = Some(value.string()?),
                "cty" => header.unsupported |= media_type_is(&value.string()?, "jwt"),
                "crit" | "b64" | "zip" => {
                    value.skip()?;
                    header.unsupported = true;
                }
                _ => value.skip()?,
            }
            Ok(())
        })?;
        Ok(header)
    }
}

/// Whether the media type `value` is `expected` (given lowercase, without
/// `application/`): case-insensitive, and a value without a `/` is read as
/// if `application/` preceded it (RFC 7515 §4.1.9).
pub(crate) fn media_type_is(value: &str, expected: &str) -> bool {
    // A byte search: `split_once('/')` starts a `memchr` call, which costs
    // more than the few bytes a media type has.
    let subtype = match value.bytes().position(|b| b == b'/') {
        Some(slash) if value[..slash].eq_ignore_ascii_case("application") => &value[slash + 1..],
        Some(_) => return false,
        None => value,
    };
    subtype.eq_ignore_ascii_case(expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Option<JoseHeader<'_>> {
        JoseHeader::read(json).ok()
    }

    #[test]
    fn reads_alg_kid_typ() {
        let header =
            parse(r#"{"alg":"RS256","kid":"k1","typ":"at+jwt","x5t":"abc"}"#).expect("valid");
        assert_eq!(header.alg.as_deref(), Some("RS256"));
        assert_eq!(header.kid.as_deref(), Some("k1"));
        assert_eq!(header.typ.as_deref(), Some("at+jwt"));
        assert!(!header.unsupported);
    }

    #[test]
    fn refuses_what_a_jws_header_cannot_be() {
        let cases = [
            ("not an object", r#""x""#),
            ("array", "[]"),
            ("duplicate alg", r#"{"alg":"HS256","alg":"none"}"#),
            ("duplicate kid", r#"{"alg":"HS256","kid":"a","kid":"b"}"#),
            ("alg number", r#"{"alg":256}"#),
            ("kid number", r#"{"alg":"HS256","kid":123}"#),
            ("typ object", r#"{"alg":"HS256","typ":{}}"#),
            ("trailing garbage", r#"{"alg":"HS256"}x"#),
            (
                "deep",
                &format!(
                    r#"{{"alg":"HS256","x":{}{}}}"#,
                    "[".repeat(200),
                    "]".repeat(200)
                ),
            ),
        ];
        for (name, json) in cases {
            assert!(parse(json).is_none(), "{name}");
        }
    }

    #[test]
    fn marks_unsupported_extensions() {
        let cases = [
            (r#"{"alg":"HS256","crit":["foo"],"foo":1}"#, true),
            (r#"{"alg":"HS256","crit":[]}"#, true),
            (r#"{"alg":"HS256","crit":"x"}"#, true),
            (r#"{"alg":"HS256","b64":false,"crit":["b64"]}"#, true),
            (r#"{"alg":"HS256","zip":"DEF"}"#, true),
            (r#"{"alg":"HS256","cty":"JWT"}"#, true),
            (r#"{"alg":"HS256","cty":"application/jwt"}"#, true),
            (r#"{"alg":"HS256","cty":"json"}"#, false),
            (
                r#"{"alg":"HS256","jku":"http://127.0.0.1:9/k","x5u":"x","x5c":[],"jwk":{}}"#,
                false,
            ),
        ];
        for (json, unsupported) in cases {
            assert_eq!(parse(json).expect(json).unsupported, unsupported, "{json}");
        }
    }

    #[test]
    fn media_types_compare_like_rfc_7515() {
        assert!(media_type_is("at+jwt", "at+jwt"));
        assert!(media_type_is("AT+JWT", "at+jwt"));
        assert!(media_type_is("application/at+jwt", "at+jwt"));
        assert!(media_type_is("Application/AT+JWT", "at+jwt"));
        assert!(!media_type_is("text/at+jwt", "at+jwt"));
        assert!(!media_type_is("at+jwt ", "at+jwt"));
        assert!(!media_type_is("dpop+jwt", "at+jwt"));
    }
}
