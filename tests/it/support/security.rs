//! The fixtures of `tests/fixtures/security/` (made by PyJWT, see its
//! `generate.py`): tokens bound by `cnf`, scopes joined by other
//! whitespace, an ES256 token and the other spelling of its signature, and
//! DPoP proofs of one key after another.

use serde_json::Value;

pub fn fixtures() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/security/tokens.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).expect("fixtures")).expect("JSON")
}

/// The token named `name`.
pub fn token(name: &str) -> String {
    fixtures()["tokens"][name]
        .as_str()
        .unwrap_or_else(|| panic!("no token {name}"))
        .to_owned()
}

/// The path of the public key of the ES256 tokens.
#[cfg(all(feature = "cache", feature = "jwt"))] // the security and revocation-example tests
pub const ES256_PEM: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/security/es256.pem"
);
