//! The `htu` comparison (RFC 9449 §4.3 (9)): the proof's URI against the
//! request's, without query and fragment, after RFC 3986 §6.2.2 syntax-based
//! and §6.2.3 scheme-based normalisation.
//!
//! The request's scheme and host are never read from the request: a client
//! chooses its `Host` header, so a proof made for another server would pass.
//! They are the origins the service is configured with, as clients reach it
//! (behind a proxy, the proxy's).

use std::borrow::Cow;

use http::Uri;
use http::uri::Scheme;

/// `scheme://host[:port]`, lower case, without the scheme's default port.
pub(super) fn normalized_origin(uri: &Uri) -> Option<String> {
    let scheme = uri.scheme()?;
    let authority = uri.authority()?;
    if authority.as_str().contains('@') {
        return None;
    }
    let default_port = if *scheme == Scheme::HTTPS {
        443
    } else if *scheme == Scheme::HTTP {
        80
    } else {
        return None;
    };
    let host = authority.host();
    // The `http` crate does not check the port: `1*DIGIT` within 16 bits,
    // or nothing (RFC 3986 §3.2.3: an empty port is the default one).
    let port = match authority.as_str().strip_prefix(host)? {
        "" | ":" => default_port,
        rest => {
            let digits = rest.strip_prefix(':')?;
            if digits.is_empty() || digits.len() > 5 || !digits.bytes().all(|b| b.is_ascii_digit())
            {
                return None;
            }
            digits.parse::<u16>().ok()?
        }
    };
    let host = host.to_ascii_lowercase();
    Some(if port == default_port {
        format!("{scheme}://{host}")
    } else {
        format!("{scheme}://{host}:{port}")
    })
}

/// The configured origin of an `htu`, as an absolute `http(s)` URI with
/// nothing but an origin: `None` when it is anything else.
pub(super) fn parse_origin(origin: &str) -> Option<String> {
    let uri: Uri = origin.parse().ok()?;
    let bare = uri
        .path_and_query()
        .is_none_or(|p| p.as_str() == "/" || p.as_str().is_empty());
    if !bare {
        return None;
    }
    normalized_origin(&uri)
}

/// Whether `htu` names `path` at one of `origins` (each normalised by
/// [`normalized_origin`]). Query and fragment of both are ignored.
pub(super) fn htu_matches(htu: &str, origins: &[String], path: &str) -> bool {
    let htu = htu.split(['?', '#']).next().unwrap_or_default();
    let Ok(uri) = htu.parse::<Uri>() else {
        return false;
    };
    let Some(origin) = normalized_origin(&uri) else {
        return false;
    };
    if !origins.contains(&origin) {
        return false;
    }
    match (normalized_path(uri.path()), normalized_path(path)) {
        (Some(htu_path), Some(request_path)) => htu_path == request_path,
        _ => false,
    }
}

/// RFC 3986 §6.2.2.1-2 and §6.2.3: an empty path is `/`; percent-encodings
/// of unreserved characters are decoded, the others' hex digits upper
/// case, and bytes outside ASCII percent-encoded, so both sides compare as
/// the same bytes. `None` for a broken percent-encoding.
/// `remove_dot_segments` (§6.2.2.3) is left out: neither side should have
/// dot segments, and a proxy that resolves them changes the path anyway.
fn normalized_path(path: &str) -> Option<Cow<'_, str>> {
    if path.is_empty() {
        return Some(Cow::Borrowed("/"));
    }
    if path.bytes().all(|b| b != b'%' && b.is_ascii()) {
        return Some(Cow::Borrowed(path));
    }
    let bytes = path.as_bytes();
    let mut out = String::with_capacity(path.len() * 3);
    let mut i = 0;
    while i < bytes.len() {
        let byte = match bytes[i] {
            b'%' => {
                let high = hex(*bytes.get(i + 1)?)?;
                let low = hex(*bytes.get(i + 2)?)?;
                i += 3;
                high << 4 | low
            }
            byte => {
                i += 1;
                if byte.is_ascii() {
                    out.push(char::from(byte));
                    continue;
                }
                byte
            }
        };
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(percent_encoding::percent_encode_byte(byte));
        }
    }
    Some(Cow::Owned(out))
}

fn hex(b: u8) -> Option<u8> {
    char::from(b)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_normalised() {
        let cases = [
            ("https://API.Example.com", Some("https://api.example.com")),
            (
                "https://api.example.com:443/",
                Some("https://api.example.com"),
            ),
            ("http://api.example.com:80", Some("http://api.example.com")),
            (
                "https://api.example.com:8443",
                Some("https://api.example.com:8443"),
            ),
            ("HTTPS://api.example.com", Some("https://api.example.com")),
            ("https://api.example.com/v1", None),
            ("https://user@api.example.com", None),
            ("ftp://api.example.com", None),
            ("/relative", None),
            ("https://api.example.com:abc", None),
            ("https://[::1]:8443", Some("https://[::1]:8443")),
            ("https://[::1]:443", Some("https://[::1]")),
        ];
        for (origin, expected) in cases {
            assert_eq!(parse_origin(origin).as_deref(), expected, "{origin}");
        }
    }

    #[test]
    fn htu_comparison() {
        let origins = vec!["https://api.example.com".to_owned()];
        let cases = [
            ("https://api.example.com/me", "/me", true),
            ("https://API.example.com:443/me", "/me", true),
            ("https://api.example.com/me?a=1#f", "/me", true),
            ("https://api.example.com", "/", true),
            ("https://api.example.com/caf%c3%a9", "/caf%C3%A9", true),
            ("https://api.example.com/%7Euser", "/~user", true),
            ("https://api.example.com/me", "/Me", false),
            ("https://api.example.com/me/", "/me", false),
            ("http://api.example.com/me", "/me", false),
            ("https://api.example.com:8443/me", "/me", false),
            ("https://evil.example.com/me", "/me", false),
            ("https://api.example.com@evil.example.com/me", "/me", false),
            ("/me", "/me", false),
            ("not a uri", "/me", false),
            ("https://api.example.com/%2", "/%2", false),
            ("https://api.example.com/%%41", "/%A", false),
            ("https://api.example.com/café", "/caf%C3%A9", true),
            ("https://api.example.com/Ã©A", "/é%41", false),
            ("https://api.example.com:99999/me", "/me", false),
            ("https://api.example.com:abc/me", "/me", false),
            ("https://api.example.com:+443/me", "/me", false),
            ("https://api.example.com:/me", "/me", true),
            ("https://api.example.com:0443/me", "/me", true),
        ];
        for (htu, path, expected) in cases {
            assert_eq!(
                htu_matches(htu, &origins, path),
                expected,
                "{htu} vs {path}"
            );
        }
    }
}
