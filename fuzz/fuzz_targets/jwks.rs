//! JWK Set and discovery documents as a key server could send them, and
//! single JWKs: parsing never panics, a set is refused or yields between
//! one and `MAX_KEYS` keys.

#![no_main]

use libfuzzer_sys::fuzz_target;
use tower_bearer_auth::fuzzing;
use tower_bearer_auth::jwks::MAX_KEYS;
use tower_bearer_auth::jwt::JwtKey;

fuzz_target!(|data: &[u8]| {
    if let Some(count) = fuzzing::jwks_key_count(data) {
        assert!((1..=MAX_KEYS).contains(&count), "{count} keys");
    }
    let _ = fuzzing::discovery(data);
    if let Ok(json) = std::str::from_utf8(data) {
        let _ = JwtKey::from_jwk_json(json);
    }
});
