//! Just enough DER: to size an RSA public key before trusting it, and to
//! write an ECDSA signature as aws-lc-rs reads it.

/// The modulus size in bits of a PKCS#1 `RSAPublicKey`
/// (`SEQUENCE { INTEGER n, INTEGER e }`), or `None` if `der` is not one or
/// its exponent is unusable.
pub(crate) fn rsa_public_key_bits(der: &[u8]) -> Option<usize> {
    let (0x30, sequence, []) = read_tlv(der)? else {
        return None;
    };
    let (0x02, n, rest) = read_tlv(sequence)? else {
        return None;
    };
    let (0x02, e, []) = read_tlv(rest)? else {
        return None;
    };
    rsa_components_bits(n, e)
}

/// The modulus size in bits of `(n, e)`, big-endian; `None` unless `e` is
/// odd, at least 3 and at most 32 bits, as verifiers require.
pub(crate) fn rsa_components_bits(n: &[u8], e: &[u8]) -> Option<usize> {
    let n = strip_leading_zeros(n);
    let e = strip_leading_zeros(e);
    let exponent_ok = !e.is_empty()
        && e.len() <= 4
        && e.last().is_some_and(|last| last & 1 == 1)
        && (e.len() > 1 || e[0] >= 3);
    let &first = n.first()?;
    exponent_ok.then(|| n.len() * 8 - first.leading_zeros() as usize)
}

/// The longest `ECDSA-Sig-Value` [`ecdsa_signature`] writes: P-384's two
/// 48-byte integers, each with a sign byte.
#[cfg(feature = "aws-lc-rs")]
pub(crate) const MAX_ECDSA_SIGNATURE_LEN: usize = 2 + 2 * (2 + 49);

/// A JWS ECDSA signature, `r || s` of `scalar_len` bytes each (RFC 7518
/// §3.4), as the DER `SEQUENCE { INTEGER r, INTEGER s }` (RFC 3279 §2.2.3),
/// written into `buffer`; `None` if `fixed` is not `2 * scalar_len` bytes
/// long. The integers are minimal, as a strict DER reader requires; `r` or
/// `s` zero is written as it is, and left to the verifier to refuse.
#[cfg(feature = "aws-lc-rs")]
pub(crate) fn ecdsa_signature<'b>(
    fixed: &[u8],
    scalar_len: usize,
    buffer: &'b mut [u8; MAX_ECDSA_SIGNATURE_LEN],
) -> Option<&'b [u8]> {
    if scalar_len > 48 || fixed.len() != 2 * scalar_len {
        return None;
    }
    let (r, s) = fixed.split_at(scalar_len);
    let mut len = 2;
    for integer in [r, s] {
        let mut value = strip_leading_zeros(integer);
        if value.is_empty() {
            value = &[0];
        }
        // A set top bit would make the integer negative: a zero byte first.
        let sign = usize::from(value[0] >= 0x80);
        let content = sign + value.len();
        buffer[len] = 0x02;
        buffer[len + 1] = u8::try_from(content).ok()?;
        buffer[len + 2] = 0;
        buffer[len + 2 + sign..len + 2 + content].copy_from_slice(value);
        len += 2 + content;
    }
    buffer[0] = 0x30;
    buffer[1] = u8::try_from(len - 2).ok()?;
    buffer.get(..len)
}

fn strip_leading_zeros(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    &bytes[start..]
}

/// One tag-length-value: `(tag, value, rest)`. Definite lengths of up to
/// two length bytes, which covers keys of up to 64 KiB.
fn read_tlv(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = match first {
        0..=0x7f => (usize::from(first), rest),
        0x81 => {
            let (&len, rest) = rest.split_first()?;
            (usize::from(len), rest)
        }
        0x82 => {
            let (bytes, rest) = rest.split_first_chunk::<2>()?;
            (usize::from(u16::from_be_bytes(*bytes)), rest)
        }
        _ => return None,
    };
    (rest.len() >= len).then(|| (tag, &rest[..len], &rest[len..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pkcs1(n: &[u8], e: &[u8]) -> Vec<u8> {
        let integer = |value: &[u8]| {
            let mut out = vec![0x02];
            push_len(&mut out, value.len());
            out.extend_from_slice(value);
            out
        };
        let body = [integer(n), integer(e)].concat();
        let mut out = vec![0x30];
        push_len(&mut out, body.len());
        out.extend(body);
        out
    }

    fn push_len(out: &mut Vec<u8>, len: usize) {
        match len {
            0..=0x7f => out.push(len as u8),
            0x80..=0xff => out.extend([0x81, len as u8]),
            _ => out.extend([0x82, (len >> 8) as u8, len as u8]),
        }
    }

    #[test]
    fn sizes_keys() {
        let modulus = |bytes: usize| {
            let mut n = vec![0xff; bytes];
            n.insert(0, 0); // DER's sign byte
            n
        };
        assert_eq!(
            rsa_public_key_bits(&pkcs1(&modulus(256), &[1, 0, 1])),
            Some(2048)
        );
        assert_eq!(
            rsa_public_key_bits(&pkcs1(&modulus(128), &[1, 0, 1])),
            Some(1024)
        );
        assert_eq!(rsa_public_key_bits(&pkcs1(&[0x01, 0x00], &[3])), Some(9));
    }

    #[test]
    #[cfg(feature = "aws-lc-rs")]
    fn writes_ecdsa_signatures_in_minimal_der() {
        let mut buffer = [0; MAX_ECDSA_SIGNATURE_LEN];
        let mut der = |fixed: &[u8], scalar_len| {
            ecdsa_signature(fixed, scalar_len, &mut buffer).map(<[u8]>::to_vec)
        };
        // A small r, and an s whose top bit needs a sign byte.
        let mut fixed = [0; 64];
        fixed[31] = 5;
        fixed[32] = 0x80;
        let expected = [
            &[0x30, 0x26, 0x02, 0x01, 0x05, 0x02, 0x21, 0x00, 0x80][..],
            &[0; 31],
        ]
        .concat();
        assert_eq!(der(&fixed, 32), Some(expected));
        // Zero is one zero byte; leading zeros go, down to a clear top bit.
        let mut fixed = [0; 64];
        fixed[32..34].copy_from_slice(&[0x00, 0x7f]);
        let expected = [
            &[0x30, 0x24, 0x02, 0x01, 0x00, 0x02, 0x1f, 0x7f][..],
            &[0; 30],
        ]
        .concat();
        assert_eq!(der(&fixed, 32), Some(expected));
        // The longest: P-384 with both top bits set.
        let written = der(&[0xff; 96], 48).expect("P-384");
        assert_eq!(written.len(), MAX_ECDSA_SIGNATURE_LEN);
        assert_eq!(written[..5], [0x30, 0x66, 0x02, 0x31, 0x00]);
        for wrong in [0, 63, 65, 96] {
            assert_eq!(der(&vec![1; wrong], 32), None, "{wrong} bytes");
        }
        assert_eq!(der(&[1; 98], 49), None);
    }

    #[test]
    fn refuses_what_is_not_a_key() {
        let n = [0xc5; 256];
        let cases: &[(&str, Vec<u8>)] = &[
            ("empty", vec![]),
            ("even exponent", pkcs1(&n, &[1, 0, 0])),
            ("exponent 1", pkcs1(&n, &[1])),
            ("exponent too long", pkcs1(&n, &[1, 0, 0, 0, 1])),
            ("zero modulus", pkcs1(&[0, 0], &[3])),
            ("trailing bytes", [pkcs1(&n, &[3]), vec![0]].concat()),
            ("truncated", pkcs1(&n, &[3])[..100].to_vec()),
            ("not a sequence", vec![0x02, 0x01, 0x03]),
            ("indefinite length", vec![0x30, 0x80, 0, 0]),
        ];
        for (name, der) in cases {
            assert_eq!(rsa_public_key_bits(der), None, "{name}");
        }
    }
}
