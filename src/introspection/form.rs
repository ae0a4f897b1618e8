//! `application/x-www-form-urlencoded` bodies and HTTP Basic client
//! credentials (RFC 6749 §2.3.1, Appendix B).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use http::HeaderValue;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// What the URL standard's urlencoded serializer escapes: every byte but
/// the ASCII alphanumerics and `*-._` (space is written `+` apart).
const FORM: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'*')
    .remove(b'-')
    .remove(b'.')
    .remove(b'_');

/// Appends `value` form-encoded to `out`: the bytes the URL standard's
/// urlencoded serializer keeps as they are, space as `+`, every other byte
/// as `%XX`. A token's `+`, `/` and `=` are escaped, so the endpoint reads
/// back the very token.
pub(super) fn form_encode(value: &str, out: &mut Vec<u8>) {
    for (index, words) in value.split(' ').enumerate() {
        if index > 0 {
            out.push(b'+');
        }
        for piece in utf8_percent_encode(words, FORM) {
            out.extend_from_slice(piece.as_bytes());
        }
    }
}

/// The `Authorization` value of `client_secret_basic`: id and secret each
/// form-encoded, then joined by `:` and base64-encoded (RFC 6749 §2.3.1).
/// Marked sensitive, so HTTP/2 never indexes it.
pub(super) fn basic_credentials(client_id: &str, secret: &str) -> HeaderValue {
    let mut pair = Vec::with_capacity(client_id.len() + secret.len() + 1);
    form_encode(client_id, &mut pair);
    pair.push(b':');
    form_encode(secret, &mut pair);
    let mut encoded = String::from("Basic ");
    STANDARD.encode_string(&pair, &mut encoded);
    let mut value = HeaderValue::try_from(encoded).unwrap_or_else(|_| HeaderValue::from_static(""));
    value.set_sensitive(true);
    value
}

/// The body suffix of `client_secret_post`:
/// `&client_id=...&client_secret=...`.
pub(super) fn post_credentials(client_id: &str, secret: &str) -> Vec<u8> {
    let mut body = b"&client_id=".to_vec();
    form_encode(client_id, &mut body);
    body.extend_from_slice(b"&client_secret=");
    form_encode(secret, &mut body);
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encoded(value: &str) -> String {
        let mut out = Vec::new();
        form_encode(value, &mut out);
        String::from_utf8(out).expect("ASCII")
    }

    #[test]
    fn form_encoding_escapes_what_a_form_parser_would_change() {
        assert_eq!(encoded("abc-XYZ_0.9*"), "abc-XYZ_0.9*");
        assert_eq!(encoded("a+b/c=="), "a%2Bb%2Fc%3D%3D");
        assert_eq!(encoded("a b&c=d%"), "a+b%26c%3Dd%25");
        assert_eq!(encoded("~é"), "%7E%C3%A9");
    }

    #[test]
    fn basic_credentials_are_encoded_before_base64() {
        // RFC 6749 §2.3.1: "s6BhdRkqt3:7Fjfp0ZBr1KtDRbnfVdmIw".
        let value = basic_credentials("s6BhdRkqt3", "7Fjfp0ZBr1KtDRbnfVdmIw");
        assert_eq!(value, "Basic czZCaGRSa3F0Mzo3RmpmcDBaQnIxS3REUmJuZlZkbUl3");
        assert!(value.is_sensitive());
        // "a:b c" encodes as "a%3Ab+c" before base64.
        let value = basic_credentials("a:b c", "p");
        assert_eq!(value, format!("Basic {}", STANDARD.encode("a%3Ab+c:p")));
    }

    #[test]
    fn post_credentials_are_form_encoded() {
        assert_eq!(
            post_credentials("api", "s&=cret"),
            b"&client_id=api&client_secret=s%26%3Dcret"
        );
    }
}
