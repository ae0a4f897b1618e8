//! Server nonces for DPoP proofs (RFC 9449 §9): stateless, so every
//! instance sharing the secret issues and accepts the same ones.
//!
//! Time is cut into slots of the rotation period; the nonce of slot `s` is
//! `base64url(s as 8 bytes big-endian || the first 16 bytes of
//! HMAC-SHA256(secret, "DPoP nonce" || s as 8 bytes big-endian))`, 32
//! characters. The current slot's nonce and the previous one's are
//! accepted, so a nonce lives between one and two rotation periods.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use http::HeaderValue;
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// The shortest nonce secret accepted, in bytes.
pub const MIN_NONCE_SECRET_LEN: usize = 32;

const LABEL: &[u8] = b"DPoP nonce";
const MAC_LEN: usize = 16;
const NONCE_BYTES: usize = 8 + MAC_LEN;

#[derive(Clone)]
pub(crate) struct Nonces {
    /// HMAC-SHA256 keyed with the secret, cloned for each nonce.
    mac: Hmac<Sha256>,
    rotation: u64,
}

impl Nonces {
    /// `rotation` in seconds, at least 1.
    pub(super) fn new(secret: &[u8], rotation: u64) -> Self {
        Self {
            // HMAC takes a key of any length (RFC 2104).
            mac: Hmac::new_from_slice(secret).unwrap_or_else(|_| unreachable!("any key length")),
            rotation,
        }
    }

    /// The nonce to hand out at `now` (seconds since the epoch).
    pub(super) fn current(&self, now: u64) -> HeaderValue {
        let nonce = URL_SAFE_NO_PAD.encode(self.nonce_bytes(now / self.rotation));
        // base64url is visible ASCII.
        HeaderValue::try_from(nonce).unwrap_or(HeaderValue::from_static("-"))
    }

    /// Whether `nonce` is the current slot's or the previous one's.
    pub(super) fn accepts(&self, nonce: &str, now: u64) -> bool {
        let mut bytes = [0; NONCE_BYTES];
        let decoded = URL_SAFE_NO_PAD.decode_slice(nonce.as_bytes(), &mut bytes);
        if decoded != Ok(NONCE_BYTES) || nonce.len() != 32 {
            return false;
        }
        let mut slot_bytes = [0; 8];
        slot_bytes.copy_from_slice(&bytes[..8]);
        let slot = u64::from_be_bytes(slot_bytes);
        let current = now / self.rotation;
        if slot != current && Some(slot) != current.checked_sub(1) {
            return false;
        }
        self.nonce_bytes(slot)[8..].ct_eq(&bytes[8..]).into()
    }

    fn nonce_bytes(&self, slot: u64) -> [u8; NONCE_BYTES] {
        let slot = slot.to_be_bytes();
        let mut mac = self.mac.clone();
        mac.update(LABEL);
        mac.update(&slot);
        let mut nonce = [0; NONCE_BYTES];
        nonce[..8].copy_from_slice(&slot);
        nonce[8..].copy_from_slice(&mac.finalize().into_bytes()[..MAC_LEN]);
        nonce
    }
}

impl fmt::Debug for Nonces {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Nonces")
            .field("rotation", &self.rotation)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The documented nonce: slot, then the first 16 bytes of
    /// HMAC-SHA256(secret, "DPoP nonce" || slot), checked with RFC 4231's
    /// test case 2 key and message in place of the secret and label.
    #[test]
    fn the_nonce_is_the_documented_hmac() {
        let mut mac = Hmac::<Sha256>::new_from_slice(b"Jefe").expect("a key");
        mac.update(b"what do ya want for nothing?");
        let hex: String = mac
            .finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(
            hex,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        let nonces = Nonces::new(b"a DPoP nonce secret, 32 bytes or more", 300);
        let mut mac = Hmac::<Sha256>::new_from_slice(b"a DPoP nonce secret, 32 bytes or more")
            .expect("a key");
        mac.update(b"DPoP nonce");
        mac.update(&7_u64.to_be_bytes());
        let bytes = nonces.nonce_bytes(7);
        assert_eq!(bytes[..8], 7_u64.to_be_bytes());
        assert_eq!(bytes[8..], mac.finalize().into_bytes()[..16]);
    }

    #[test]
    fn current_and_previous_slots_are_accepted() {
        let nonces = Nonces::new(b"a DPoP nonce secret, 32 bytes or more", 300);
        let now = 1_800_000_000;
        let current = nonces.current(now);
        let current = current.to_str().expect("ASCII");
        assert!(nonces.accepts(current, now));
        assert!(nonces.accepts(current, now + 300), "previous slot");
        assert!(!nonces.accepts(current, now + 600), "two slots on");
        assert!(!nonces.accepts(current, now - 300), "a slot to come");
        let other = Nonces::new(b"another secret of thirty-two bytes!", 300);
        assert!(!other.accepts(current, now), "another secret");
        assert!(!nonces.accepts(&format!("{current}A"), now));
        assert!(!nonces.accepts("", now));
    }
}
