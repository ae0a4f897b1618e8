//! What the JSON passes share: strings borrowed from the decoded segment,
//! the lenient claim shapes, and a refusal of duplicate member names; and,
//! for the DPoP proof's serde passes, a skip of the members they do not
//! read that keeps serde_json's depth limit, and NumericDate.

use std::collections::BTreeSet;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;

use serde::de::{self, Deserializer, Visitor};
#[cfg(feature = "dpop")]
use serde::de::{MapAccess, SeqAccess};

/// A JSON string, borrowed unless it had escapes.
#[derive(Clone, Debug)]
pub(crate) enum Str<'de> {
    Borrowed(&'de str),
    Owned(String),
}

impl Deref for Str<'_> {
    type Target = str;

    fn deref(&self) -> &str {
        match self {
            Self::Borrowed(s) => s,
            Self::Owned(s) => s,
        }
    }
}

impl PartialEq for Str<'_> {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl Eq for Str<'_> {}

impl Ord for Str<'_> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (**self).cmp(&**other)
    }
}

impl PartialOrd for Str<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Hash for Str<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        (**self).hash(state);
    }
}

impl<'de> de::Deserialize<'de> for Str<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct StrVisitor;

        impl<'de> Visitor<'de> for StrVisitor {
            type Value = Str<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }

            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Str::Borrowed(v))
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Str::Owned(v.to_owned()))
            }

            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Str::Owned(v))
            }
        }

        deserializer.deserialize_str(StrVisitor)
    }
}

/// The member names of one object seen so far: RFC 7515 §4 and RFC 7519 §4
/// let a parser refuse duplicates or take the last one; refusing leaves no
/// room for two parsers to read one token two ways.
///
/// A name of up to 15 bytes (nearly every claim's) is known exactly by a
/// fingerprint: its bytes and its length in one `u128`. The first 16 such
/// fingerprints stay on the stack and are searched linearly, after a
/// one-word filter (a bit per fingerprint, picked by its hash) has told
/// most new names at once. Longer names, and short names past the first
/// 16, go to an ordered set, so a payload of a thousand claims costs
/// `n log n`, not `n²`.
#[derive(Default)]
pub(crate) struct Names<'de> {
    seen: u64,
    fingerprints: [u128; INLINE],
    len: usize,
    spilled: BTreeSet<Str<'de>>,
}

const INLINE: usize = 16;

/// The longest name a fingerprint holds.
const FINGERPRINT_BYTES: usize = 15;

/// `name`'s bytes, then its length; `None` if it is too long to fit.
fn fingerprint(name: &str) -> Option<u128> {
    let bytes = name.as_bytes();
    if bytes.len() > FINGERPRINT_BYTES {
        return None;
    }
    let mut word = [0; 16];
    word[..bytes.len()].copy_from_slice(bytes);
    word[FINGERPRINT_BYTES] = u8::try_from(bytes.len()).ok()?;
    Some(u128::from_le_bytes(word))
}

/// The filter's bit for `fingerprint`: Fibonacci hashing, the top six bits
/// of a product.
fn filter_bit(fingerprint: u128) -> u64 {
    let folded = (fingerprint as u64) ^ ((fingerprint >> 64) as u64);
    1 << (folded.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 58)
}

impl<'de> Names<'de> {
    /// Records `name`; an error if it was seen before.
    #[cfg(feature = "dpop")]
    pub(crate) fn insert<E: de::Error>(&mut self, name: &Str<'de>) -> Result<(), E> {
        if self.is_new(name) {
            Ok(())
        } else {
            Err(E::custom("duplicate member name"))
        }
    }

    /// Records `name`; `false` if it was seen before.
    pub(crate) fn is_new(&mut self, name: &Str<'de>) -> bool {
        if let Some(fingerprint) = fingerprint(name) {
            let bit = filter_bit(fingerprint);
            if self.seen & bit != 0 && self.fingerprints[..self.len].contains(&fingerprint) {
                return false;
            }
            if self.len < INLINE {
                self.seen |= bit;
                self.fingerprints[self.len] = fingerprint;
                self.len += 1;
                return true;
            }
        }
        self.spilled.insert(name.clone())
    }
}

/// Skips any JSON value, in the DPoP proof's serde passes (the token's own
/// passes use [`JsonReader`](super::json_reader::JsonReader)). Unlike
/// `IgnoredAny`, which serde_json skips without a depth limit, this
/// descends through `deserialize_any`, so a value nested deeper than
/// serde_json's 127 levels is an error whatever claims type the application
/// reads afterwards.
#[cfg(feature = "dpop")]
pub(crate) struct Skip;

#[cfg(feature = "dpop")]
impl<'de> de::Deserialize<'de> for Skip {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(SkipVisitor)
    }
}

#[cfg(feature = "dpop")]
struct SkipVisitor;

#[cfg(feature = "dpop")]
impl<'de> Visitor<'de> for SkipVisitor {
    type Value = Skip;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_str<E>(self, _: &str) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_unit<E>(self) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Skip, A::Error> {
        while seq.next_element::<Skip>()?.is_some() {}
        Ok(Skip)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Skip, A::Error> {
        let mut names = Names::default();
        while let Some(name) = map.next_key::<Str<'de>>()? {
            names.insert(&name)?;
            map.next_value::<Skip>()?;
        }
        Ok(Skip)
    }
}

/// A JSON number as seconds since the epoch (RFC 7519 §2 NumericDate, which
/// may be fractional). Strings, booleans and `null` are not dates.
#[cfg(feature = "dpop")]
pub(crate) struct NumericDate(pub(crate) f64);

#[cfg(feature = "dpop")]
impl<'de> de::Deserialize<'de> for NumericDate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct DateVisitor;

        impl Visitor<'_> for DateVisitor {
            type Value = NumericDate;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a NumericDate")
            }

            // Seconds fit an f64 exactly up to 2^53, past any real date.
            #[allow(clippy::cast_precision_loss)]
            fn visit_i64<E>(self, v: i64) -> Result<NumericDate, E> {
                Ok(NumericDate(v as f64))
            }

            #[allow(clippy::cast_precision_loss)]
            fn visit_u64<E>(self, v: u64) -> Result<NumericDate, E> {
                Ok(NumericDate(v as f64))
            }

            fn visit_f64<E>(self, v: f64) -> Result<NumericDate, E> {
                Ok(NumericDate(v))
            }
        }

        deserializer.deserialize_any(DateVisitor)
    }
}

/// Any JSON value, kept when it is one of the shapes a lenient claim reads
/// (a string, a number, an array of strings), and `Other` otherwise
/// ([`JsonReader::loose`](super::json_reader::JsonReader::loose)).
pub(crate) enum Loose<'de> {
    Str(Str<'de>),
    Int(i64),
    Float(f64),
    Strings(Vec<Str<'de>>),
    Other,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jwt::json_reader::JsonReader;

    /// Whether the object `json` is read: no name given twice.
    fn skip(json: &str) -> bool {
        JsonReader::read_object(json, |value, _| value.skip()).is_ok()
    }

    #[test]
    #[cfg(feature = "dpop")]
    fn skip_keeps_the_depth_limit() {
        let skip = |json: &str| serde_json::from_str::<Skip>(json).is_ok();
        let deep = |depth| format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        assert!(skip(&deep(100)));
        assert!(!skip(&deep(200)));
        assert!(!skip(&deep(100_000)));
        assert!(skip(r#"{"a":[1,2.5,"x",null,true,{"b":{}}]}"#));
    }

    #[test]
    fn duplicate_names_are_refused_at_any_count() {
        assert!(!skip(r#"{"a":1,"a":2}"#));
        assert!(!skip(r#"{"a":1,"\u0061":2}"#));
        for count in [INLINE - 1, INLINE, INLINE + 1, 200] {
            let members: Vec<String> = (0..count).map(|i| format!("\"k{i}\":{i}")).collect();
            let unique = format!("{{{}}}", members.join(","));
            assert!(skip(&unique), "{count} unique");
            for repeated in [0, count / 2, count - 1] {
                let duplicated = format!("{{{},\"k{repeated}\":0}}", members.join(","));
                assert!(!skip(&duplicated), "{count} names, k{repeated} twice");
            }
        }
    }

    #[test]
    fn fingerprints_decide_short_names_and_long_ones_compare_in_full() {
        // Fifteen bytes fit a fingerprint; sixteen and more are compared
        // in full, among names sharing their first fifteen bytes.
        let fifteen = "n".repeat(15);
        assert!(skip(&format!(
            r#"{{"{fifteen}":1,"{fifteen}a":2,"{fifteen}b":3}}"#
        )));
        assert!(!skip(&format!(r#"{{"{fifteen}":1,"a":2,"{fifteen}":3}}"#)));
        assert!(!skip(&format!(
            r#"{{"{fifteen}a":1,"a":2,"{fifteen}a":3}}"#
        )));
        assert!(skip(r#"{"client_a":1,"client_b":2}"#));
        assert!(!skip(r#"{"client_id":1,"client_id":2}"#));
        let long = "n".repeat(300);
        assert!(skip(&format!(r#"{{"{long}a":1,"{long}b":2}}"#)));
        assert!(!skip(&format!(r#"{{"{long}":1,"{long}":2}}"#)));
        // Short names that share a prefix, or are a prefix of one another,
        // or end in zero bytes.
        assert!(skip(r#"{"iss":1,"iat":2,"is":3,"i":4,"":5,"isss":6}"#));
        assert!(skip(r#"{"a":1,"a\u0000":2,"a\u0000\u0000":3}"#));
        assert!(!skip(r#"{"":1,"":2}"#));
        assert!(!skip(r#"{"exp":1,"aud":2,"exp":3}"#));
    }

    #[test]
    #[cfg(feature = "dpop")]
    fn numeric_dates_are_numbers_only() {
        let date = |json| serde_json::from_str::<NumericDate>(json).map(|d| d.0).ok();
        assert_eq!(date("1700000000"), Some(1_700_000_000.0));
        assert_eq!(date("-1"), Some(-1.0));
        assert_eq!(date("4102444800.5"), Some(4_102_444_800.5));
        for bad in ["\"1700000000\"", "true", "null", "[1]", "{}", "1e400"] {
            assert_eq!(date(bad), None, "{bad}");
        }
    }
}
