//! Just enough DER to size an RSA public key before trusting it.

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
