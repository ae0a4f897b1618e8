//! Character classes: those of the per-request byte scan, written so that
//! the compiler checks 16 bytes at a time with vector instructions (a table
//! lookup a byte is not vectorized, and neither is an early-exit loop), and
//! those of the RFC 6750 §3 challenge attributes, checked at configuration
//! time so that values never need escaping.

/// Whether every byte of `bytes` passes `is_member`, which must be built
/// from comparisons (no table) to vectorize. The tail is checked as the
/// last 16 bytes, overlapping the chunk before it, so that no byte is
/// left to a loop of one byte a step.
pub(crate) fn all_bytes(bytes: &[u8], is_member: impl Fn(u8) -> bool + Copy) -> bool {
    let chunk_passes = |chunk: &[u8; 16]| chunk.iter().fold(true, |ok, &b| ok & is_member(b));
    match bytes.last_chunk::<16>() {
        Some(last) => bytes.as_chunks::<16>().0.iter().all(chunk_passes) && chunk_passes(last),
        None => bytes.iter().fold(true, |ok, &b| ok & is_member(b)),
    }
}

/// `ALPHA`: `b | 0x20` folds upper case onto lower case.
pub(crate) fn is_alpha(b: u8) -> bool {
    (b | 0x20).wrapping_sub(b'a') < 26
}

/// `DIGIT`.
// Used by the JWT verifier only.
#[cfg_attr(not(feature = "jwt"), allow(dead_code))]
pub(crate) fn is_digit(b: u8) -> bool {
    b.wrapping_sub(b'0') < 10
}

/// `error_description` characters: `%x20-21 / %x23-5B / %x5D-7E`.
pub(crate) fn is_nqschar_text(text: &str) -> bool {
    text.bytes()
        .all(|b| matches!(b, 0x20..=0x21 | 0x23..=0x5B | 0x5D..=0x7E))
}

/// One `scope-token`: `1*( %x21 / %x23-5B / %x5D-7E )`.
pub(crate) fn is_scope_token(scope: &str) -> bool {
    !scope.is_empty()
        && scope
            .bytes()
            .all(|b| matches!(b, 0x21 | 0x23..=0x5B | 0x5D..=0x7E))
}

/// A `scope` attribute value: scope-tokens separated by single spaces.
pub(crate) fn is_scope_list(scope: &str) -> bool {
    scope.split(' ').all(is_scope_token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_match_std() {
        for b in 0..=u8::MAX {
            assert_eq!(is_alpha(b), b.is_ascii_alphabetic(), "{b:#x}");
            assert_eq!(is_digit(b), b.is_ascii_digit(), "{b:#x}");
        }
    }

    #[test]
    fn the_scan_agrees_with_the_plain_loop_at_every_length_and_position() {
        for len in 0..70 {
            let clean = vec![b'a'; len];
            assert!(all_bytes(&clean, is_alpha));
            for at in 0..len {
                let mut bytes = clean.clone();
                bytes[at] = b'.';
                assert!(!all_bytes(&bytes, is_alpha), "len {len}, at {at}");
            }
        }
    }
}
