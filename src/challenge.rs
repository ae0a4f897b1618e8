//! The `WWW-Authenticate: Bearer` challenge (RFC 6750 §3, RFC 9110 §11).
//!
//! Every attribute value is checked against the character set RFC 6750 §3
//! allows for it (printable ASCII without `"` and `\`), at configuration time
//! for the realm and the required scopes and at construction for a verifier's
//! description. Values therefore never need escaping, and nothing from a
//! request can end a quoted-string or start a header line.

use std::fmt::Write;

use http::HeaderValue;

use crate::error::{AuthError, ConfigError, ErrorCode, ErrorKind};
use crate::scan::is_nqschar_text;

/// The protection space the challenges name, and the protected resource's
/// metadata when it is published (RFC 9728 §5.1), with the
/// no-credentials challenge rendered once.
#[derive(Clone, Debug)]
pub(crate) struct Realm {
    bare: HeaderValue,
    /// The length of the realm's name, which follows [`REALM_PREFIX`].
    name_len: usize,
    /// The metadata's URL, which follows the name in `bare`.
    resource_metadata: Option<Box<str>>,
}

/// The challenge up to the realm's name.
const REALM_PREFIX: &str = "Bearer realm=\"";

/// The realm used unless one is configured: `api`.
impl Default for Realm {
    fn default() -> Self {
        Self {
            bare: HeaderValue::from_static("Bearer realm=\"api\""),
            name_len: 3,
            resource_metadata: None,
        }
    }
}

impl Realm {
    /// The realm renamed, its resource metadata kept. Refuses names with
    /// `"`, `\`, control or non-ASCII characters, so the quoted-string
    /// needs no escaping (RFC 9110 §11.5, §5.6.4).
    pub(crate) fn renamed(&self, name: &str) -> Result<Self, ConfigError> {
        Self::build(name, self.resource_metadata.as_deref()).map_err(|_| ConfigError::InvalidRealm)
    }

    /// The same realm, its challenges naming the protected resource's
    /// metadata at `url` (RFC 9728 §5.1). Refuses a URL that would need
    /// escaping in a quoted-string.
    pub(crate) fn with_resource_metadata(&self, url: &str) -> Result<Self, ConfigError> {
        Self::build(self.as_str(), Some(url)).map_err(|_| ConfigError::InvalidResource)
    }

    fn build(name: &str, resource_metadata: Option<&str>) -> Result<Self, ()> {
        let quotable = |text: &str| !text.is_empty() && is_nqschar_text(text);
        if !quotable(name) || !resource_metadata.is_none_or(quotable) {
            return Err(());
        }
        let mut bare = format!("{REALM_PREFIX}{name}\"");
        if let Some(url) = resource_metadata {
            bare.push_str(", resource_metadata=\"");
            bare.push_str(url);
            bare.push('"');
        }
        Ok(Self {
            bare: HeaderValue::try_from(bare).map_err(|_| ())?,
            name_len: name.len(),
            resource_metadata: resource_metadata.map(Box::from),
        })
    }

    /// The realm's name.
    pub(crate) fn as_str(&self) -> &str {
        let bare = self.bare.as_bytes();
        let name = &bare[REALM_PREFIX.len()..REALM_PREFIX.len() + self.name_len];
        // The name was checked to be ASCII when it was set.
        std::str::from_utf8(name).unwrap_or_default()
    }

    /// The challenge for `error`: `realm` and `resource_metadata`, then
    /// `error`, `error_description`, `scope`, `acr_values` and `max_age`
    /// where the error has them. No error information when the request had
    /// no credentials (RFC 6750 §3.1) or the server is at fault.
    pub(crate) fn challenge(&self, error: &AuthError) -> HeaderValue {
        with_error(&self.bare, error)
    }

    /// The challenge without error information.
    pub(crate) fn bare(&self) -> &HeaderValue {
        &self.bare
    }
}

/// `bare` (a scheme and its first auth-param) followed by the error's
/// attributes, if it has any.
pub(crate) fn with_error(bare: &HeaderValue, error: &AuthError) -> HeaderValue {
    let code = error.kind().error_code();
    let max_age = error.max_age().map(|age| age.to_string());
    let attributes = [
        ("error", code.map(ErrorCode::as_str)),
        ("error_description", code.map(|_| error.description())),
        ("scope", error.scope()),
        ("acr_values", error.acr_values()),
        ("max_age", max_age.as_deref()),
    ];
    let present = || {
        attributes
            .iter()
            .filter_map(|&(name, value)| Some((name, value?)))
    };
    if present().next().is_none() {
        return bare.clone();
    }
    // `, name="value"` per attribute, into a buffer of the exact length,
    // which the header value then owns: one allocation, the response's own.
    let len = present().map(|(name, value)| name.len() + value.len() + 5);
    let mut value = Vec::with_capacity(bare.len() + len.sum::<usize>());
    value.extend_from_slice(bare.as_bytes());
    for (name, text) in present() {
        for part in [", ", name, "=\"", text, "\""] {
            value.extend_from_slice(part.as_bytes());
        }
    }
    // Every value was checked to be visible ASCII, so this cannot fail;
    // should it ever, the bare challenge is still a correct answer.
    HeaderValue::try_from(value).unwrap_or_else(|_| bare.clone())
}

/// `grpc-message`: percent-encoded outside `%x20-24 / %x26-7E`
/// (gRPC over HTTP/2, "Status-Message").
pub(crate) fn grpc_message(error: &AuthError) -> HeaderValue {
    let prefix = match (error.kind(), error.kind().error_code()) {
        (_, Some(code)) => code.as_str(),
        (ErrorKind::Unavailable, None) => "unavailable",
        (_, None) => "unauthenticated",
    };
    let mut message = String::with_capacity(64);
    message.push_str(prefix);
    message.push_str(": ");
    for byte in error.description().bytes() {
        if matches!(byte, 0x20..=0x24 | 0x26..=0x7E) {
            message.push(char::from(byte));
        } else {
            let _ = write!(message, "%{byte:02X}");
        }
    }
    HeaderValue::try_from(message).unwrap_or_else(|_| HeaderValue::from_static("unauthenticated"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::is_scope_list;

    #[test]
    fn challenges() {
        let realm = Realm::default().renamed("example").expect("valid realm");
        let cases = [
            (
                "missing",
                AuthError::new(ErrorKind::MissingCredentials),
                r#"Bearer realm="example""#,
            ),
            (
                "malformed",
                AuthError::new(ErrorKind::MalformedCredentials),
                r#"Bearer realm="example", error="invalid_request", error_description="the authorization credentials are malformed""#,
            ),
            (
                "expired",
                AuthError::expired(),
                r#"Bearer realm="example", error="invalid_token", error_description="the access token expired""#,
            ),
            (
                "scope",
                AuthError::insufficient_scope("read admin"),
                r#"Bearer realm="example", error="insufficient_scope", error_description="the access token lacks a required scope", scope="read admin""#,
            ),
            (
                "step-up",
                AuthError::insufficient_user_authentication(
                    Some("mfa phr"),
                    Some(std::time::Duration::from_secs(300)),
                ),
                r#"Bearer realm="example", error="insufficient_user_authentication", error_description="a stronger or more recent user authentication is required", acr_values="mfa phr", max_age="300""#,
            ),
            (
                "step-up, age only",
                AuthError::insufficient_user_authentication(None, Some(std::time::Duration::ZERO)),
                r#"Bearer realm="example", error="insufficient_user_authentication", error_description="a stronger or more recent user authentication is required", max_age="0""#,
            ),
            (
                "step-up, acr with a quote dropped",
                AuthError::insufficient_user_authentication(Some("a\"b"), None),
                r#"Bearer realm="example", error="insufficient_user_authentication", error_description="a stronger or more recent user authentication is required""#,
            ),
            (
                "unavailable",
                AuthError::unavailable(),
                r#"Bearer realm="example""#,
            ),
            (
                "injected description",
                AuthError::invalid_token().with_description("x\"\r\nSet-Cookie: a=b".to_owned()),
                r#"Bearer realm="example", error="invalid_token", error_description="the access token is invalid""#,
            ),
        ];
        for (name, error, expected) in cases {
            assert_eq!(realm.challenge(&error), expected, "case {name}");
        }
    }

    #[test]
    fn default_realm_matches_new() {
        let made = Realm::default().renamed("api").expect("valid realm");
        assert_eq!(Realm::default().bare, made.bare);
        assert_eq!(Realm::default().as_str(), made.as_str());
    }

    #[test]
    fn resource_metadata_follows_the_realm_in_every_challenge() {
        let url = "https://mcp.example.com/.well-known/oauth-protected-resource/mcp";
        let realm = Realm::default()
            .renamed("mcp")
            .and_then(|realm| realm.with_resource_metadata(url))
            .expect("valid");
        assert_eq!(
            realm.challenge(&AuthError::new(ErrorKind::MissingCredentials)),
            format!(r#"Bearer realm="mcp", resource_metadata="{url}""#).as_str()
        );
        assert_eq!(
            realm.challenge(&AuthError::insufficient_scope("mcp:tools")),
            format!(r#"Bearer realm="mcp", resource_metadata="{url}", error="insufficient_scope", error_description="the access token lacks a required scope", scope="mcp:tools""#).as_str()
        );
        assert_eq!(realm.as_str(), "mcp");
        let renamed = realm.renamed("other").expect("valid");
        assert_eq!(
            renamed.bare(),
            format!(r#"Bearer realm="other", resource_metadata="{url}""#).as_str()
        );
        for bad in [
            "",
            "https://a.example/\"x",
            "https://a.example/\\",
            "https://a.example/\r\n",
        ] {
            assert_eq!(
                realm.with_resource_metadata(bad).err(),
                Some(ConfigError::InvalidResource),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn realms_that_would_need_escaping_are_refused() {
        for name in ["", "my \"realm\"", "a\\b", "a\r\nb", "tök", "tab\there"] {
            assert!(Realm::default().renamed(name).is_err(), "{name:?}");
        }
        assert!(Realm::default().renamed("My API, v2").is_ok());
    }

    #[test]
    fn scope_lists() {
        assert!(is_scope_list("read"));
        assert!(is_scope_list("read admin urn:x:y"));
        for bad in ["", "read  admin", " read", "read ", "a\"b", "a\\b", "tök"] {
            assert!(!is_scope_list(bad), "{bad:?}");
        }
    }

    #[test]
    fn grpc_message_is_percent_encoded() {
        let error = AuthError::invalid_token().with_description("100% wrong");
        assert_eq!(grpc_message(&error), "invalid_token: 100%25 wrong");
        assert_eq!(
            grpc_message(&AuthError::new(ErrorKind::MissingCredentials)),
            "unauthenticated: no bearer token in the request"
        );
        assert_eq!(
            grpc_message(&AuthError::unavailable()),
            "unavailable: the token verifier is unavailable"
        );
    }
}
