//! What a token is bound to (its `cnf` claim, RFC 7800), and the client
//! certificate a TLS layer vouches for (RFC 8705).

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// Claims that can say what their token is bound to. The layer asks after
/// every verification, remembered verdicts included, and refuses a bound
/// token whose holder did not prove the binding.
///
/// The verifier hands bound tokens on to a DPoP layer
/// ([`BearerToken::binding_checked`](crate::BearerToken::binding_checked)),
/// trusting this answer: an implementation for your own claims type must
/// read the token's `cnf` claim ([`Confirmation::from_cnf`]), never answer
/// a default it did not read.
pub trait TokenBinding {
    /// The token's confirmation (`cnf`): [`Confirmation::default`] for a
    /// token bound to nothing.
    fn confirmation(&self) -> Confirmation<'_>;
}

impl<T: TokenBinding + ?Sized> TokenBinding for std::sync::Arc<T> {
    fn confirmation(&self) -> Confirmation<'_> {
        (**self).confirmation()
    }
}

/// The confirmation methods of a token (RFC 7800 `cnf`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Confirmation<'a> {
    /// `jkt`: the RFC 7638 SHA-256 thumbprint of the DPoP key (RFC 9449 §6.1).
    pub jkt: Option<&'a str>,
    /// `x5t#S256`: the SHA-256 thumbprint of the client certificate
    /// (RFC 8705 §3.1).
    pub x5t_s256: Option<&'a str>,
    /// A `cnf` that is not an object, or has another member: the binding
    /// cannot be checked, so the token is refused.
    pub unsupported: bool,
}

impl<'a> Confirmation<'a> {
    /// Reads a `cnf` claim's value.
    pub fn from_cnf(cnf: Option<&'a Value>) -> Self {
        let Some(cnf) = cnf else {
            return Self::default();
        };
        let Some(members) = cnf.as_object() else {
            return Self {
                unsupported: true,
                ..Self::default()
            };
        };
        // An empty `cnf` binds to nothing that can be checked.
        let mut confirmation = Self {
            unsupported: members.is_empty(),
            ..Self::default()
        };
        for (name, value) in members {
            match (name.as_str(), value.as_str()) {
                ("jkt", Some(jkt)) => confirmation.jkt = Some(jkt),
                ("x5t#S256", Some(x5t)) => confirmation.x5t_s256 = Some(x5t),
                _ => confirmation.unsupported = true,
            }
        }
        confirmation
    }

    /// Whether the token is bound to anything.
    pub fn is_bound(&self) -> bool {
        self.jkt.is_some() || self.x5t_s256.is_some() || self.unsupported
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "dpop")))]
impl TokenBinding for crate::jwt::AccessClaims {
    fn confirmation(&self) -> Confirmation<'_> {
        // Most tokens have no `cnf`: that is known without reading every
        // claim.
        if !self.is_bound() {
            return Confirmation::default();
        }
        Confirmation::from_cnf(self.get("cnf"))
    }
}

/// The certificate the client authenticated with over mutual TLS, as the
/// TLS layer puts it into the request extensions (RFC 8705 §3): a token
/// bound to a certificate (`cnf.x5t#S256`) is accepted only over a
/// connection with that one.
///
/// Make it once per connection, from the DER bytes of the leaf
/// certificate the TLS library verified; only its SHA-256 is kept.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ClientCertificate {
    thumbprint: [u8; 32],
}

impl ClientCertificate {
    /// The certificate `der` (its DER encoding, as the TLS library hands it
    /// over).
    pub fn from_der(der: &[u8]) -> Self {
        Self {
            thumbprint: Sha256::digest(der).into(),
        }
    }

    /// Whether `x5t_s256` (a `cnf.x5t#S256` value) names this certificate.
    pub(super) fn matches(&self, x5t_s256: &str) -> bool {
        names_digest(x5t_s256, &self.thumbprint)
    }
}

/// Whether `encoded` is the unpadded base64url of `digest` (`ath`, `jkt`,
/// `x5t#S256`), compared in constant time without allocating. base64url
/// has one spelling per value: non-zero trailing bits are refused.
pub(super) fn names_digest(encoded: &str, digest: &[u8; 32]) -> bool {
    use subtle::ConstantTimeEq;
    let mut claimed = [0; 33];
    URL_SAFE_NO_PAD.decode_slice(encoded.as_bytes(), &mut claimed) == Ok(32)
        && bool::from(claimed[..32].ct_eq(digest))
}

impl fmt::Debug for ClientCertificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ClientCertificate(")?;
        f.write_str(&URL_SAFE_NO_PAD.encode(self.thumbprint))?;
        f.write_str(")")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn cnf_members() {
        let cases = [
            (None, Confirmation::default()),
            (
                Some(json!({"jkt": "abc"})),
                Confirmation {
                    jkt: Some("abc"),
                    ..Confirmation::default()
                },
            ),
            (
                Some(json!({"x5t#S256": "def"})),
                Confirmation {
                    x5t_s256: Some("def"),
                    ..Confirmation::default()
                },
            ),
            (
                Some(json!({"kid": "k"})),
                Confirmation {
                    unsupported: true,
                    ..Confirmation::default()
                },
            ),
            (
                Some(json!({"jkt": 1})),
                Confirmation {
                    unsupported: true,
                    ..Confirmation::default()
                },
            ),
            (
                Some(json!("jkt")),
                Confirmation {
                    unsupported: true,
                    ..Confirmation::default()
                },
            ),
            (
                Some(json!({})),
                Confirmation {
                    unsupported: true,
                    ..Confirmation::default()
                },
            ),
        ];
        for (cnf, expected) in &cases {
            assert_eq!(Confirmation::from_cnf(cnf.as_ref()), *expected, "{cnf:?}");
        }
        assert!(!Confirmation::default().is_bound());
    }

    #[test]
    fn certificate_thumbprint() {
        let certificate = ClientCertificate::from_der(b"not really DER");
        let x5t = URL_SAFE_NO_PAD.encode(Sha256::digest(b"not really DER"));
        assert!(certificate.matches(&x5t));
        assert!(!certificate.matches(&URL_SAFE_NO_PAD.encode(Sha256::digest(b"other"))));
        assert!(!certificate.matches("short"));
        assert!(!certificate.matches(&format!("{x5t}A")));
    }
}
