//! The resource identifier and the URL of its metadata (RFC 9728 §1.2,
//! §3.1).

use std::net::IpAddr;

use http::Uri;

use crate::error::ConfigError;
use crate::scan::is_nqschar_text;

/// The well-known URI suffix of protected resource metadata (§3).
const WELL_KNOWN: &str = "/.well-known/oauth-protected-resource";

/// A resource identifier, checked, with where its metadata lives.
#[derive(Clone, Debug)]
pub(super) struct ResourceUrl {
    resource: Box<str>,
    well_known_path: Box<str>,
    metadata_url: Box<str>,
}

impl ResourceUrl {
    /// `resource`, if it is an absolute URL [`is_absolute_url`] accepts.
    pub(super) fn parse(resource: &str) -> Result<Self, ConfigError> {
        let uri = checked(resource).ok_or(ConfigError::InvalidResource)?;
        let authority = uri.authority().ok_or(ConfigError::InvalidResource)?;
        let scheme = uri.scheme_str().ok_or(ConfigError::InvalidResource)?;
        // §3.1: the suffix goes between the host and the path; a resource
        // without a path (or with `/` alone) has the suffix alone.
        let path = match uri.path() {
            "" | "/" => "",
            path => path,
        };
        let well_known_path = format!("{WELL_KNOWN}{path}");
        Ok(Self {
            resource: resource.into(),
            metadata_url: format!("{scheme}://{authority}{well_known_path}").into(),
            well_known_path: well_known_path.into(),
        })
    }

    pub(super) fn resource(&self) -> &str {
        &self.resource
    }

    pub(super) fn well_known_path(&self) -> &str {
        &self.well_known_path
    }

    pub(super) fn metadata_url(&self) -> &str {
        &self.metadata_url
    }
}

/// Whether `text` is an absolute `https` URL, or `http` to a loopback IP
/// literal (`127.0.0.1`, `[::1]`: a name could resolve anywhere), without
/// userinfo, query or fragment, made of characters a quoted-string holds
/// as they are.
pub(super) fn is_absolute_url(text: &str) -> bool {
    checked(text).is_some()
}

fn checked(text: &str) -> Option<Uri> {
    if text.is_empty() || !is_nqschar_text(text) || text.contains(['#', '?', ' ']) {
        return None;
    }
    let uri: Uri = text.parse().ok()?;
    let authority = uri.authority()?;
    if authority.as_str().contains('@') || authority.host().is_empty() {
        return None;
    }
    let allowed = match uri.scheme_str()? {
        "https" => true,
        "http" => is_loopback(authority.host()),
        _ => false,
    };
    allowed.then_some(uri)
}

fn is_loopback(host: &str) -> bool {
    let literal = host.trim_start_matches('[').trim_end_matches(']');
    literal.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_well_known_path_goes_between_the_host_and_the_path() {
        let cases = [
            (
                "https://mcp.example.com/mcp",
                "/.well-known/oauth-protected-resource/mcp",
                "https://mcp.example.com/.well-known/oauth-protected-resource/mcp",
            ),
            (
                "https://mcp.example.com",
                "/.well-known/oauth-protected-resource",
                "https://mcp.example.com/.well-known/oauth-protected-resource",
            ),
            (
                "https://mcp.example.com/",
                "/.well-known/oauth-protected-resource",
                "https://mcp.example.com/.well-known/oauth-protected-resource",
            ),
            (
                "https://api.example.com:8443/tenants/a/mcp/",
                "/.well-known/oauth-protected-resource/tenants/a/mcp/",
                "https://api.example.com:8443/.well-known/oauth-protected-resource/tenants/a/mcp/",
            ),
            (
                "http://127.0.0.1:3000/mcp",
                "/.well-known/oauth-protected-resource/mcp",
                "http://127.0.0.1:3000/.well-known/oauth-protected-resource/mcp",
            ),
            (
                "http://[::1]:3000/mcp",
                "/.well-known/oauth-protected-resource/mcp",
                "http://[::1]:3000/.well-known/oauth-protected-resource/mcp",
            ),
        ];
        for (resource, path, url) in cases {
            let parsed = ResourceUrl::parse(resource).expect(resource);
            assert_eq!(parsed.resource(), resource);
            assert_eq!(parsed.well_known_path(), path, "{resource}");
            assert_eq!(parsed.metadata_url(), url, "{resource}");
        }
    }

    #[test]
    fn a_resource_is_https_without_query_or_fragment() {
        for bad in [
            "",
            "mcp.example.com/mcp",
            "/mcp",
            "http://mcp.example.com/mcp",
            "http://localhost:3000/mcp",
            "ftp://mcp.example.com/mcp",
            "https://mcp.example.com/mcp#frag",
            "https://mcp.example.com/mcp?tenant=a",
            "https://user:pass@mcp.example.com/mcp",
            "https://mcp.example.com/m\"cp",
            "https://mcp.example.com/m cp",
            "https:///mcp",
        ] {
            assert_eq!(
                ResourceUrl::parse(bad).err(),
                Some(ConfigError::InvalidResource),
                "{bad:?}"
            );
        }
    }
}
