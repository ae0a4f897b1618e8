//! The JWS compact serialization: three base64url segments joined by dots.

use std::mem::MaybeUninit;

use base64_simd::{Out, URL_SAFE_NO_PAD};

use super::error::{JwtError, JwtErrorKind};
use crate::scan::{all_bytes, is_alpha, is_digit};

/// A token split into its segments, each checked to be unpadded base64url
/// (RFC 7515 §2): the bearer token grammar also allows `+`, `/`, `~` and
/// `=`, which a JWS never contains.
///
/// No `Debug`: it holds the token.
#[derive(Clone, Copy)]
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
    /// Splits `token` at its two dots; an empty header or payload, or a
    /// third dot, is malformed. A JWE (five segments) is malformed too: only
    /// signed tokens are accepted. The header and payload are checked by
    /// [`decode_segment`], which takes unpadded base64url only; the
    /// signature here, so that a bad one is malformed rather than a
    /// signature that does not verify.
    pub(crate) fn split(token: &'a [u8]) -> Result<Self, JwtError> {
        let dot = |from: usize| memchr::memchr(b'.', &token[from..]).map(|at| from + at);
        let first = dot(0).ok_or(MALFORMED)?;
        let second = dot(first + 1).ok_or(MALFORMED)?;
        let (header, payload) = (&token[..first], &token[first + 1..second]);
        let signature = &token[second + 1..];
        // A third dot is not base64url either.
        if header.is_empty() || payload.is_empty() || !all_bytes(signature, is_base64url_char) {
            return Err(MALFORMED);
        }
        Ok(Self {
            signing_input: &token[..second],
            header,
            payload,
            // ASCII by now: this never fails.
            signature: std::str::from_utf8(signature).map_err(|_| MALFORMED)?,
        })
    }
}

/// Decodes one segment; a length no base64 can have, or non-zero trailing
/// bits (a second spelling of the same bytes), is malformed.
///
/// base64-simd decodes with vector instructions: a quarter of the base64
/// crate's instructions on a token's payload.
pub(crate) fn decode_segment(segment: &[u8]) -> Result<Vec<u8>, JwtError> {
    URL_SAFE_NO_PAD
        .decode_to_vec(segment)
        .map_err(|_| MALFORMED)
}

/// The longest signature there is: RSA with a modulus of 8192 bits.
const MAX_SIGNATURE_LEN: usize = 1024;

/// Room for a signature on the stack, left uninitialized: the decoder
/// writes what it returns, so no kilobyte is zeroed per token.
pub(crate) type SignatureBuffer = [MaybeUninit<u8>; MAX_SIGNATURE_LEN];

/// An empty [`SignatureBuffer`].
pub(crate) fn signature_buffer() -> SignatureBuffer {
    [MaybeUninit::uninit(); MAX_SIGNATURE_LEN]
}

/// Decodes a signature into `buffer`, without an allocation; `None` if it
/// is not base64url that decodes, or longer than any signature.
pub(crate) fn decode_signature<'b>(
    signature: &str,
    buffer: &'b mut SignatureBuffer,
) -> Option<&'b [u8]> {
    // `decode` panics on an output shorter than `decoded_length`: the
    // slice is cut to exactly that, or the signature is refused.
    let len = URL_SAFE_NO_PAD.decoded_length(signature.as_bytes()).ok()?;
    let decoded = URL_SAFE_NO_PAD.decode(
        signature.as_bytes(),
        Out::from_uninit_slice(buffer.get_mut(..len)?),
    );
    decoded.ok().map(|decoded| &*decoded)
}

/// The base64url alphabet (RFC 4648 §5), in comparisons.
fn is_base64url_char(b: u8) -> bool {
    is_alpha(b) | is_digit(b) | (b == b'-') | (b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_characters() {
        for b in 0..=u8::MAX {
            let listed = b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
            assert_eq!(is_base64url_char(b), listed, "{b:#x}");
        }
    }

    #[test]
    fn signatures_up_to_the_longest_decode_without_an_allocation() {
        use base64::Engine;
        use base64::engine::general_purpose::URL_SAFE_NO_PAD;

        let mut buffer = signature_buffer();
        for len in [0, 1, 32, 64, 256, 512, MAX_SIGNATURE_LEN] {
            let encoded = URL_SAFE_NO_PAD.encode(vec![0xa5; len]);
            let decoded = decode_signature(&encoded, &mut buffer);
            assert_eq!(decoded, Some(&[0xa5; MAX_SIGNATURE_LEN][..len]), "{len}");
        }
        let too_long = URL_SAFE_NO_PAD.encode([0xa5; MAX_SIGNATURE_LEN + 1]);
        assert_eq!(decode_signature(&too_long, &mut buffer), None);
        // Non-zero trailing bits: a second spelling of `AA`.
        assert_eq!(decode_signature("AB", &mut buffer), None);
        assert_eq!(decode_signature("A", &mut buffer), None);
    }

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
            ("aGVhZA.cGF5.c2l=", None),
            ("aGVhZA.cGF5.c2+n", None),
            ("aGVhZA.cGF5.c2/n", None),
            ("aGVhZA.cGF5.c2~n", None),
            ("", None),
        ];
        for &(token, expected) in cases {
            let split = Compact::split(token.as_bytes()).ok().map(|compact| {
                (
                    std::str::from_utf8(compact.header).unwrap_or_default(),
                    std::str::from_utf8(compact.payload).unwrap_or_default(),
                    compact.signature,
                )
            });
            assert_eq!(split, expected, "{token:?}");
        }
        let compact = Compact::split(b"aGVhZA.cGF5.c2ln").expect("valid");
        assert_eq!(compact.signing_input, b"aGVhZA.cGF5");
    }

    #[test]
    fn decoding_is_strict() {
        assert_eq!(decode_segment(b"e30").expect("valid"), b"{}");
        // A length of 4n+1 is never base64; a last character with bits set
        // beyond the data is a second spelling of the same bytes.
        assert!(decode_segment(b"e30xx").is_err());
        assert!(decode_segment(b"e31").is_err());
        // Padding, the base64 (not url) alphabet, whitespace and dots.
        for bad in [&b"e30="[..], b"e3+w", b"e3/w", b"e3 w", b"e3.w", b"e3~w"] {
            assert!(
                decode_segment(bad).is_err(),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }
}
