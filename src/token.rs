//! The bearer token a request presented.

use std::fmt;
use std::ops::Range;
use std::str::FromStr;

use http::HeaderValue;

use crate::error::{AuthError, ErrorKind};
use crate::scan::{all_bytes, is_alpha};
use crate::scheme::AuthScheme;

/// A token taken from a request, checked against the RFC 6750 §2.1 `b64token`
/// grammar (`1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`).
///
/// It keeps a reference-counted handle on the header it came from, so taking
/// it out of a request copies nothing. Its `Debug` output never shows the
/// value, and it has no `Display`: whoever prints a token has to ask for
/// [`as_str`](Self::as_str) by name.
#[derive(Clone)]
pub struct BearerToken {
    value: HeaderValue,
    range: Range<usize>,
    source: TokenSource,
    scheme: AuthScheme,
    binding_checked: bool,
}

/// Where in the request a token was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TokenSource {
    /// `Authorization: Bearer <token>` (RFC 6750 §2.1).
    Authorization,
    /// A header named with [`TokenExtractor::with_header`](crate::TokenExtractor::with_header).
    Header,
    /// A cookie named with [`TokenExtractor::with_cookie`](crate::TokenExtractor::with_cookie).
    Cookie,
    /// The `access_token` query parameter (RFC 6750 §2.3).
    Query,
    /// Not from a request: parsed with [`str::parse`].
    Other,
}

impl BearerToken {
    /// `value[range]`, already checked to be a `b64token`.
    pub(crate) fn from_checked(
        value: HeaderValue,
        range: Range<usize>,
        source: TokenSource,
    ) -> Self {
        debug_assert!(is_b64token(&value.as_bytes()[range.clone()]));
        Self {
            value,
            range,
            source,
            scheme: AuthScheme::BEARER,
            binding_checked: false,
        }
    }

    /// The same token, presented with `scheme`.
    pub(crate) fn with_scheme(mut self, scheme: AuthScheme) -> Self {
        self.scheme = scheme;
        self
    }

    /// The scheme it was presented with: [`AuthScheme::BEARER`] unless the
    /// layer accepts another one in `Authorization` and the request used it.
    pub fn scheme(&self) -> AuthScheme {
        self.scheme
    }

    /// Whether a wrapper around the verifier checks what the token is bound
    /// to (its `cnf` claim, RFC 7800) once the verifier has accepted it.
    ///
    /// A bound token is worth nothing without its key (RFC 9449 §7.2,
    /// RFC 8705 §3), so a verifier that finds `cnf` in a token refuses it
    /// unless this is `true`: the crate's JWT verifier does, the
    /// introspection verifier refuses bound tokens always. `false` unless
    /// marked with [`with_binding_checked`](Self::with_binding_checked).
    pub fn binding_checked(&self) -> bool {
        self.binding_checked
    }

    /// The same token, marked as one whose binding the caller checks after
    /// verification: what a wrapper that checks proofs of possession does with
    /// every token it hands on. Mark a token only in a wrapper that refuses
    /// every `cnf` it cannot prove.
    #[must_use]
    pub fn with_binding_checked(mut self) -> Self {
        self.binding_checked = true;
        self
    }

    /// Where the request carried it.
    pub fn source(&self) -> TokenSource {
        self.source
    }

    /// The token, as the client sent it (with any trailing `=`).
    pub fn as_str(&self) -> &str {
        // A b64token is ASCII, so this never falls back.
        std::str::from_utf8(self.as_bytes()).unwrap_or_default()
    }

    /// The token's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.value.as_bytes()[self.range.clone()]
    }

    /// The token's length in bytes.
    pub fn len(&self) -> usize {
        self.range.len()
    }

    /// Always `false`: a `b64token` has at least one character.
    pub fn is_empty(&self) -> bool {
        self.range.is_empty()
    }
}

impl FromStr for BearerToken {
    type Err = AuthError;

    /// Checks `token` against the `b64token` grammar: useful in tests and for
    /// tokens that reach a verifier by another path.
    fn from_str(token: &str) -> Result<Self, Self::Err> {
        if !is_b64token(token.as_bytes()) {
            return Err(AuthError::new(ErrorKind::MalformedCredentials));
        }
        let value = HeaderValue::from_str(token)
            .map_err(|_| AuthError::new(ErrorKind::MalformedCredentials))?;
        Ok(Self::from_checked(
            value,
            0..token.len(),
            TokenSource::Other,
        ))
    }
}

impl PartialEq for BearerToken {
    fn eq(&self, other: &Self) -> bool {
        use subtle::ConstantTimeEq;
        self.as_bytes().ct_eq(other.as_bytes()).into()
    }
}

impl Eq for BearerToken {}

impl fmt::Debug for BearerToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.scheme == AuthScheme::BEARER {
            write!(f, "BearerToken({:?}, <redacted>)", self.source)
        } else {
            write!(
                f,
                "BearerToken({:?}, {:?}, <redacted>)",
                self.source, self.scheme
            )
        }
    }
}

/// The RFC 6750 §2.1 `b64token` (RFC 9110 `token68`) grammar: one or more
/// token characters, then any number of `=`. Every request with a token
/// pays for this check, so it runs 16 bytes at a time.
pub(crate) fn is_b64token(bytes: &[u8]) -> bool {
    let padding = bytes.iter().rev().take_while(|&&b| b == b'=').count();
    let body = &bytes[..bytes.len() - padding];
    !body.is_empty() && all_bytes(body, is_b64token_char)
}

/// `ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/"`, in comparisons:
/// `-`, `.`, `/` and the digits are the run 0x2D..=0x39.
fn is_b64token_char(b: u8) -> bool {
    is_alpha(b) | (b.wrapping_sub(b'-') <= b'9' - b'-') | (b == b'+') | (b == b'_') | (b == b'~')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn b64token_grammar() {
        let cases: &[(&str, bool)] = &[
            ("abc", true),
            ("a-b.c_d~e+f/g", true),
            ("abc=", true),
            ("abc==", true),
            ("eyJhbGciOiJIUzI1NiJ9.e30.sig", true),
            ("", false),
            ("=", false),
            ("==abc", false),
            ("ab=cd", false),
            ("ab=c=", false),
            ("a b", false),
            ("a,b", false),
            ("a\"b", false),
            ("a\\b", false),
            ("a%0d", false),
            ("tök", false),
            ("a\tb", false),
        ];
        for &(input, valid) in cases {
            assert_eq!(is_b64token(input.as_bytes()), valid, "{input:?}");
        }
    }

    #[test]
    fn b64token_characters() {
        for b in 0..=u8::MAX {
            let listed = b.is_ascii_alphanumeric() || b"-._~+/".contains(&b);
            assert_eq!(is_b64token_char(b), listed, "{b:#x}");
        }
    }

    #[test]
    fn debug_hides_the_value() {
        let token: BearerToken = "s3cr3t-t0ken".parse().expect("valid");
        assert_eq!(format!("{token:?}"), "BearerToken(Other, <redacted>)");
        assert_eq!(token.as_str(), "s3cr3t-t0ken");
    }
}
