//! Which URLs may be asked: `https`, or `http` to this machine.

use std::net::IpAddr;

use http::Uri;
use http::uri::Scheme;

/// Whether plain `http` is allowed beyond loopback addresses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum HttpPolicy {
    /// `https` anywhere; `http` only to a loopback address (an IP literal:
    /// a name could resolve anywhere).
    LoopbackOnly,
    /// `http` anywhere: a network the application trusts (a sidecar, a
    /// cluster-internal identity provider).
    Anywhere,
}

/// `text` as an absolute URL keys may be fetched from or tokens sent to, or
/// `None`. Keys fetched over plain HTTP from another machine could be
/// replaced on the way, and with them every token's signature (RFC 8725
/// §3.10 for `jku`, the same risk); an introspection answer could be forged
/// and the token read (RFC 7662 §4 requires TLS).
pub(crate) fn allowed_url(text: &str, policy: HttpPolicy) -> Option<Uri> {
    let uri: Uri = text.parse().ok()?;
    let host = uri.host()?;
    if uri.path_and_query().is_none() || host.is_empty() {
        return None;
    }
    // No credentials in the URL: they would be sent, and logged, with it.
    if uri.authority()?.as_str().contains('@') {
        return None;
    }
    let scheme = uri.scheme()?;
    if *scheme == Scheme::HTTPS {
        return Some(uri);
    }
    (*scheme == Scheme::HTTP && (policy == HttpPolicy::Anywhere || is_loopback(host)))
        .then_some(uri)
}

/// `url` with any userinfo replaced, for `Debug` output: a URL with
/// credentials is refused when built, but may be printed before.
pub(crate) fn without_userinfo(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            format!("{}://<credentials>{}", &url[..scheme], &url[at..])
        }
        _ => url.to_owned(),
    }
}

fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowed_urls() {
        let cases = [
            ("https://idp.example.com/jwks", true, true),
            ("https://idp.example.com", true, true),
            ("http://127.0.0.1:8080/jwks", true, true),
            ("http://127.1.2.3/jwks", true, true),
            ("http://[::1]:8080/jwks", true, true),
            ("http://localhost:8080/jwks", false, true),
            ("http://idp.example.com/jwks", false, true),
            ("http://203.0.113.5/jwks", false, true),
            ("http://169.254.169.254/latest", false, true),
            ("ftp://idp.example.com/jwks", false, false),
            ("file:///etc/passwd", false, false),
            ("/jwks", false, false),
            ("idp.example.com/jwks", false, false),
            ("https://user:pass@idp.example.com/jwks", false, false),
            ("", false, false),
        ];
        for (url, loopback_only, anywhere) in cases {
            assert_eq!(
                allowed_url(url, HttpPolicy::LoopbackOnly).is_some(),
                loopback_only,
                "{url}"
            );
            assert_eq!(
                allowed_url(url, HttpPolicy::Anywhere).is_some(),
                anywhere,
                "{url}"
            );
        }
    }
}
