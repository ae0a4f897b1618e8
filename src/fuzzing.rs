//! Entry points for the fuzz targets in `fuzz/` to parsers the public API
//! reaches only over the network. Compiled only under `--cfg fuzzing`,
//! which cargo-fuzz sets; never part of the API.

/// Parses a JWK Set document as a key server's answer is parsed: the
/// number of usable keys, or `None` when the document is refused.
#[cfg(feature = "jwks")]
pub fn jwks_key_count(body: &[u8]) -> Option<usize> {
    crate::jwks::fuzzing::parse_key_set(body)
        .ok()
        .map(|keys| keys.len())
}

/// Parses an OpenID Connect discovery document: its issuer and `jwks_uri`,
/// or `None` when it is refused.
#[cfg(feature = "jwks")]
pub fn discovery(body: &[u8]) -> Option<(String, String)> {
    crate::jwks::fuzzing::parse_discovery(body)
        .ok()
        .map(|discovery| (discovery.issuer, discovery.jwks_uri))
}
