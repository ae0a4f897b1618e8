//! [`TokenId`]: what a revocation names.

use std::fmt;
use std::sync::Arc;

use sha2::{Digest, Sha256};

/// The identity of a token on a revocation list: its `jti` (RFC 7519
/// §4.1.7), or a SHA-256 digest of the token, which works for any token.
/// A list never holds the token itself.
///
/// The digest of a JWT ([`TokenId::is_jwt`]) is that of its signing
/// input, `header.payload`, not of the signature: an ECDSA signature has
/// two valid spellings (`s` and `n − s`), so a digest of the whole token
/// would miss the re-spelled copy of a revoked token. Any other token, such
/// as an opaque `v1.<id>.<secret>`, is digested whole.
///
/// A `jti` is unique per issuer: with several issuers whose `jti`s could
/// meet, revoke by digest. A `jti` longer than
/// [`MAX_TOKEN_ID_LEN`](crate::MAX_TOKEN_ID_LEN) bytes is not read from
/// tokens, so revoke such tokens by digest too.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct TokenId(Repr);

#[derive(Clone, PartialEq, Eq, Hash)]
enum Repr {
    Jti(Arc<str>),
    Digest([u8; 32]),
}

impl TokenId {
    /// The token with this `jti`.
    pub fn jti(jti: &str) -> Self {
        Self(Repr::Jti(jti.into()))
    }

    /// The token itself, by its digest: for tokens without a `jti`. Every
    /// spelling of a JWT's signature has the same identity.
    pub fn of_token(token: &str) -> Self {
        Self(Repr::Digest(Sha256::digest(signed_part(token)).into()))
    }

    /// Whether `token` has the shape of a JWT (a compact JWS, RFC 7515
    /// §7.1): three dot-separated parts, the first the base64url of a JSON
    /// object, as a JOSE header is. [`of_token`](Self::of_token) names such
    /// a token by its first two parts.
    pub fn is_jwt(token: &str) -> bool {
        let mut parts = token.split('.');
        match (parts.next(), parts.next(), parts.next(), parts.next()) {
            (Some(header), Some(_), Some(_), None) => encodes_json_object(header.as_bytes()),
            _ => false,
        }
    }

    /// A name for a shared store: `jti:<jti>` or `sha256:<hex digest>`, so
    /// no `jti` can take the name of a digest.
    pub fn key(&self) -> String {
        match &self.0 {
            Repr::Jti(jti) => format!("jti:{jti}"),
            Repr::Digest(digest) => {
                let mut key = String::with_capacity(7 + 64);
                key.push_str("sha256:");
                for byte in digest {
                    key.push(hex_digit(byte >> 4));
                    key.push(hex_digit(byte & 0xf));
                }
                key
            }
        }
    }

    /// The identity named by [`key`](Self::key), if it is one.
    pub fn from_key(key: &str) -> Option<Self> {
        if let Some(jti) = key.strip_prefix("jti:") {
            return (!jti.is_empty()).then(|| Self::jti(jti));
        }
        let hex = key.strip_prefix("sha256:")?.as_bytes();
        if hex.len() != 64 {
            return None;
        }
        let mut digest = [0; 32];
        for (byte, pair) in digest.iter_mut().zip(hex.chunks_exact(2)) {
            *byte = hex_value(pair[0])? << 4 | hex_value(pair[1])?;
        }
        Some(Self(Repr::Digest(digest)))
    }
}

/// What identifies `token`: the signing input of a JWT
/// (`header.payload.signature`), the whole token otherwise.
fn signed_part(token: &str) -> &[u8] {
    match token.rfind('.') {
        Some(last_dot) if TokenId::is_jwt(token) => &token.as_bytes()[..last_dot],
        _ => token.as_bytes(),
    }
}

/// Whether `segment` is base64url whose first decoded byte other than JSON
/// whitespace is `{`: decoded only as far as that byte.
fn encodes_json_object(segment: &[u8]) -> bool {
    let (mut bits, mut pending) = (0_u16, 0);
    for &c in segment {
        let value = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' => 62,
            b'_' => 63,
            _ => return false,
        };
        bits = (bits << 6 | u16::from(value)) & 0x3fff;
        pending += 6;
        if pending >= 8 {
            pending -= 8;
            match (bits >> pending) as u8 {
                b' ' | b'\t' | b'\n' | b'\r' => {}
                byte => return byte == b'{',
            }
        }
    }
    false
}

fn hex_digit(nibble: u8) -> char {
    char::from(b"0123456789abcdef"[usize::from(nibble)])
}

fn hex_value(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        _ => None,
    }
}

/// A `jti` is an identifier, not a credential, and is shown; a digest is
/// shown by its first bytes only.
impl fmt::Debug for TokenId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Repr::Jti(jti) => f.debug_tuple("TokenId::Jti").field(jti).finish(),
            Repr::Digest(digest) => write!(
                f,
                "TokenId::Digest({:02x}{:02x}{:02x}{:02x}..)",
                digest[0], digest[1], digest[2], digest[3]
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip() {
        for id in [TokenId::jti("a-1"), TokenId::of_token("some.token.value")] {
            assert_eq!(TokenId::from_key(&id.key()), Some(id));
        }
        assert_eq!(TokenId::jti("x").key(), "jti:x");
        assert!(TokenId::of_token("t").key().starts_with("sha256:"));
        for bad in ["", "jti:", "sha256:zz", "sha256:00", "other:1"] {
            assert_eq!(TokenId::from_key(bad), None, "{bad}");
        }
    }

    /// Unpadded base64url, for the tests' headers.
    fn b64url(bytes: &[u8]) -> String {
        const ALPHABET: &[u8; 64] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let n = chunk
                .iter()
                .enumerate()
                .fold(0_u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
            for i in 0..=chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
            }
        }
        out
    }

    #[test]
    fn a_jwt_is_named_by_its_signing_input() {
        let jwt = TokenId::of_token("eyJhbGciOiJFUzI1NiJ9.cGF5bG9hZA.c2lnbmF0dXJl");
        assert_eq!(
            jwt,
            TokenId::of_token("eyJhbGciOiJFUzI1NiJ9.cGF5bG9hZA.b3RoZXI")
        );
        assert_eq!(jwt, TokenId::of_token("eyJhbGciOiJFUzI1NiJ9.cGF5bG9hZA."));
        assert_ne!(
            jwt,
            TokenId::of_token("eyJhbGciOiJFUzI1NiJ9.b3RoZXI.c2lnbmF0dXJl")
        );
        // JSON whitespace before the `{` is still a JOSE header.
        for header in ["{\n\"alg\":\"ES256\"}", " {\"alg\":\"ES256\"}", "\r\n\t{}"] {
            let header = b64url(header.as_bytes());
            assert!(
                TokenId::is_jwt(&format!("{header}.cGF5bG9hZA.c2ln")),
                "{header}"
            );
            assert_eq!(
                TokenId::of_token(&format!("{header}.cGF5bG9hZA.c2ln")),
                TokenId::of_token(&format!("{header}.cGF5bG9hZA.b3RoZXI")),
            );
        }
        // Not the shape of a JWS: digested whole.
        for opaque in [
            "a.b",
            "a.b.c.d",
            "abc",
            "v1.id-1.secret",
            "ey.b.c.d",
            "W10.e30.sig",
        ] {
            assert!(!TokenId::is_jwt(opaque), "{opaque}");
            assert_ne!(
                TokenId::of_token(opaque),
                TokenId::of_token(&format!("{opaque}x"))
            );
        }
    }

    #[test]
    fn a_jti_cannot_name_a_digest() {
        let digest = TokenId::of_token("t");
        let lookalike = TokenId::jti(digest.key().trim_start_matches("jti:"));
        assert_ne!(lookalike, digest);
        assert_ne!(lookalike.key(), digest.key());
    }
}
