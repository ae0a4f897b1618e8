//! The JWS compact serialization: three base64url segments joined by dots.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::error::{JwtError, JwtErrorKind};

/// A token split into its segments, each checked to be unpadded base64url
/// (RFC 7515 §2): the bearer token grammar also allows `+`, `/`, `~` and
/// `=`, which a JWS never contains.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Compact<'a> {
    /// `header.payload`, the bytes the signature covers.
    pub(crate) signing_input: &'a [u8],
    pub(crate) header: &'a [u8],
    pub(crate) payload: &'a [u8],
    /// May be empty: that is a signature that does not verify, decided once
    /// the header has been checked.
    pub(crate) signature: &'a str,
}

const MALFORMED: JwtError = JwtError::new(JwtErrorKind::Malformed);

impl<'a> Compact<'a> {
    /// Splits `token`; anything but exactly two dots, an empty header or
    /// payload, or a character outside base64url is malformed. A JWE (five
    /// segments) is malformed too: only signed tokens are accepted.
    pub(crate) fn split(token: &'a str) -> Result<Self, JwtError> {
        let bytes = token.as_bytes();
        let mut dots = [0; 2];
        let mut count = 0;
        for (index, &byte) in bytes.iter().enumerate() {
            if byte == b'.' {
                if count == 2 {
                    return Err(MALFORMED);
                }
                dots[count] = index;
                count += 1;
            } else if !is_base64url(byte) {
                return Err(MALFORMED);
            }
        }
        let [first, second] = dots;
        if count != 2 || first == 0 || second == first + 1 {
            return Err(MALFORMED);
        }
        Ok(Self {
            signing_input: &bytes[..second],
            header: &bytes[..first],
            payload: &bytes[first + 1..second],
            signature: &token[second + 1..],
        })
    }
}

/// Decodes one segment; a length no base64 can have, or non-zero trailing
/// bits (a second spelling of the same bytes), is malformed.
pub(crate) fn decode_segment(segment: &[u8]) -> Result<Vec<u8>, JwtError> {
    URL_SAFE_NO_PAD.decode(segment).map_err(|_| MALFORMED)
}

fn is_base64url(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_exactly_three_segments() {
        type Segments<'a> = Option<(&'a str, &'a str, &'a str)>;
        let cases: &[(&str, Segments<'_>)] = &[
            ("aGVhZA.cGF5.c2ln", Some(("aGVhZA", "cGF5", "c2ln"))),
            ("aGVhZA.cGF5.", Some(("aGVhZA", "cGF5", ""))),
            ("aGVhZA.cGF5", None),
            ("aGVhZA.cGF5.c2ln.eA", None),
            ("a.b.c.d.e", None),
            ("..", None),
            (".cGF5.c2ln", None),
            ("aGVhZA..c2ln", None),
            ("aGVhZA.cGF5=.c2ln", None),
            ("aGVhZA.cG+5.c2ln", None),
            ("aGVhZA.cG/5.c2ln", None),
            ("aGVhZA.cG~5.c2ln", None),
            ("", None),
        ];
        for &(token, expected) in cases {
            let split = Compact::split(token).ok().map(|compact| {
                (
                    std::str::from_utf8(compact.header).unwrap_or_default(),
                    std::str::from_utf8(compact.payload).unwrap_or_default(),
                    compact.signature,
                )
            });
            assert_eq!(split, expected, "{token:?}");
        }
        let compact = Compact::split("aGVhZA.cGF5.c2ln").expect("valid");
        assert_eq!(compact.signing_input, b"aGVhZA.cGF5");
    }

    #[test]
    fn decoding_is_strict() {
        assert_eq!(decode_segment(b"e30").expect("valid"), b"{}");
        // A length of 4n+1 is never base64; a last character with bits set
        // beyond the data is a second spelling of the same bytes.
        assert!(decode_segment(b"e30xx").is_err());
        assert!(decode_segment(b"e31").is_err());
    }
}
