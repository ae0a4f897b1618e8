//! How long the server says its answer stays fresh (RFC 9111 §5.2.2).

use std::time::Duration;

use http::HeaderMap;
use http::header::{AGE, CACHE_CONTROL};

/// How long the answer stays fresh from now: `Cache-Control: max-age` less
/// the `Age` a cache in between reports (RFC 9111 §4.2), or zero for
/// `no-cache` and `no-store`; `None` when it says nothing about it. The
/// caller clamps the answer to its configured bounds.
pub(crate) fn max_age(headers: &HeaderMap) -> Option<Duration> {
    let age = headers
        .get(AGE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse::<u64>().ok())
        .unwrap_or(0);
    freshness(headers).map(|lifetime| lifetime.saturating_sub(Duration::from_secs(age)))
}

/// The freshness lifetime `Cache-Control` gives (RFC 9111 §5.2.2).
fn freshness(headers: &HeaderMap) -> Option<Duration> {
    let mut max_age = None;
    let directives = headers
        .get_all(CACHE_CONTROL)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','));
    for directive in directives {
        let (name, value) = match directive.split_once('=') {
            Some((name, value)) => (name.trim(), Some(value.trim().trim_matches('"'))),
            None => (directive.trim(), None),
        };
        if name.eq_ignore_ascii_case("no-store") || name.eq_ignore_ascii_case("no-cache") {
            return Some(Duration::ZERO);
        }
        if name.eq_ignore_ascii_case("max-age") {
            // An invalid value makes the answer stale (RFC 9111 §4.2.1);
            // a huge one is clamped by the caller.
            let seconds = value
                .filter(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
                .map_or(0, |v| v.parse::<u64>().unwrap_or(u64::MAX));
            max_age = Some(max_age.map_or(seconds, |seen: u64| seen.min(seconds)));
        }
    }
    max_age.map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    #[test]
    fn age_is_subtracted() {
        let mut headers = HeaderMap::new();
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("max-age=600"));
        headers.insert(AGE, HeaderValue::from_static("100"));
        assert_eq!(max_age(&headers), Some(Duration::from_secs(500)));
        headers.insert(AGE, HeaderValue::from_static("900"));
        assert_eq!(max_age(&headers), Some(Duration::ZERO));
    }

    #[test]
    fn reads_max_age() {
        let cases: [(&[&str], Option<u64>); 11] = [
            (&[], None),
            (&["public"], None),
            (&["max-age=300"], Some(300)),
            (&["public, max-age=300, must-revalidate"], Some(300)),
            (&["Max-Age=60"], Some(60)),
            (&["max-age=\"60\""], Some(60)),
            (&["max-age=0"], Some(0)),
            (&["max-age=abc"], Some(0)),
            (&["max-age=99999999999999999999999"], Some(u64::MAX)),
            (&["max-age=600", "no-cache"], Some(0)),
            (&["max-age=600", "max-age=60"], Some(60)),
        ];
        for (values, expected) in cases {
            let mut headers = HeaderMap::new();
            for value in values {
                headers.append(CACHE_CONTROL, HeaderValue::from_static(value));
            }
            assert_eq!(
                max_age(&headers),
                expected.map(Duration::from_secs),
                "{values:?}"
            );
        }
    }
}
