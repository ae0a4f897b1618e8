//! Reading a DPoP proof (RFC 9449 §4.2): its header with the public key,
//! and its claims, each read once, strictly.

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};

use crate::jwt::json::{Names, NumericDate, Skip, Str};

/// The proof's JOSE header: `typ`, `alg` and the public `jwk`.
pub(super) struct ProofHeader<'a> {
    pub(super) typ: Option<Str<'a>>,
    pub(super) alg: Option<Str<'a>>,
    pub(super) jwk: Option<ProofJwk<'a>>,
    /// `crit` (no extension is understood), `b64` or `zip`. Other ways of
    /// naming a key (`kid`, `jku`, `x5c`) are ignored: the proof's key is
    /// its `jwk`, and nothing else.
    pub(super) unsupported: bool,
}

/// The members of the proof's `jwk` that make up an RSA, EC or OKP public
/// key, and whether it carries a private one.
#[derive(Default)]
pub(super) struct ProofJwk<'a> {
    pub(super) kty: Option<Str<'a>>,
    pub(super) crv: Option<Str<'a>>,
    pub(super) x: Option<Str<'a>>,
    pub(super) y: Option<Str<'a>>,
    pub(super) n: Option<Str<'a>>,
    pub(super) e: Option<Str<'a>>,
    /// `d`, `p`, `q`, `dp`, `dq`, `qi`, `oth` or `k` (RFC 9449 §4.3 (7)).
    pub(super) private: bool,
}

/// The proof's claims (RFC 9449 §4.2).
#[derive(Default)]
pub(super) struct ProofClaims<'a> {
    pub(super) jti: Option<Str<'a>>,
    pub(super) htm: Option<Str<'a>>,
    pub(super) htu: Option<Str<'a>>,
    pub(super) iat: Option<i64>,
    pub(super) ath: Option<Str<'a>>,
    pub(super) nonce: Option<Str<'a>>,
}

impl<'de> de::Deserialize<'de> for ProofHeader<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(HeaderVisitor)
    }
}

struct HeaderVisitor;

impl<'de> Visitor<'de> for HeaderVisitor {
    type Value = ProofHeader<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a DPoP proof header")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut header = ProofHeader {
            typ: None,
            alg: None,
            jwk: None,
            unsupported: false,
        };
        let mut names = Names::default();
        while let Some(name) = map.next_key::<Str<'de>>()? {
            names.insert(&name)?;
            match &*name {
                "typ" => header.typ = Some(map.next_value()?),
                "alg" => header.alg = Some(map.next_value()?),
                "jwk" => header.jwk = Some(map.next_value()?),
                "crit" | "b64" | "zip" => {
                    map.next_value::<Skip>()?;
                    header.unsupported = true;
                }
                _ => {
                    map.next_value::<Skip>()?;
                }
            }
        }
        Ok(header)
    }
}

impl<'de> de::Deserialize<'de> for ProofJwk<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(JwkVisitor)
    }
}

struct JwkVisitor;

impl<'de> Visitor<'de> for JwkVisitor {
    type Value = ProofJwk<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JWK")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut jwk = ProofJwk::default();
        let mut names = Names::default();
        while let Some(name) = map.next_key::<Str<'de>>()? {
            names.insert(&name)?;
            match &*name {
                "kty" => jwk.kty = Some(map.next_value()?),
                "crv" => jwk.crv = Some(map.next_value()?),
                "x" => jwk.x = Some(map.next_value()?),
                "y" => jwk.y = Some(map.next_value()?),
                "n" => jwk.n = Some(map.next_value()?),
                "e" => jwk.e = Some(map.next_value()?),
                "d" | "p" | "q" | "dp" | "dq" | "qi" | "oth" | "k" => {
                    map.next_value::<Skip>()?;
                    jwk.private = true;
                }
                _ => {
                    map.next_value::<Skip>()?;
                }
            }
        }
        Ok(jwk)
    }
}

impl<'de> de::Deserialize<'de> for ProofClaims<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(ClaimsVisitor)
    }
}

struct ClaimsVisitor;

impl<'de> Visitor<'de> for ClaimsVisitor {
    type Value = ProofClaims<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DPoP proof claims")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut claims = ProofClaims::default();
        let mut names = Names::default();
        while let Some(name) = map.next_key::<Str<'de>>()? {
            names.insert(&name)?;
            match &*name {
                "jti" => claims.jti = Some(map.next_value()?),
                "htm" => claims.htm = Some(map.next_value()?),
                "htu" => claims.htu = Some(map.next_value()?),
                "ath" => claims.ath = Some(map.next_value()?),
                "nonce" => claims.nonce = Some(map.next_value()?),
                "iat" => {
                    let NumericDate(iat) = map.next_value()?;
                    // Whole seconds: a fractional `iat` is truncated, one
                    // beyond any real date refused.
                    if !(0.0..=9.0e15).contains(&iat) {
                        return Err(de::Error::custom("iat out of range"));
                    }
                    #[allow(clippy::cast_possible_truncation)]
                    let iat = iat as i64;
                    claims.iat = Some(iat);
                }
                _ => {
                    map.next_value::<Skip>()?;
                }
            }
        }
        Ok(claims)
    }
}
