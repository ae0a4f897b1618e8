//! [`JsonReader`]: the JSON reader of the two passes every token goes
//! through, its header and its payload's registered claims. Each member's
//! value is read straight from the text in the type the pass wants, with
//! no visitor in between.
//!
//! It accepts the JSON serde_json accepts, and refuses what the serde
//! passes it replaced refused:
//! - anything but one value with only whitespace around it (RFC 8259);
//! - a string with a control character, a bad escape or a lone surrogate;
//! - a number out of `f64`'s range, or spelled as JSON does not allow;
//! - arrays and objects nested deeper than serde_json's 127 levels;
//! - an object with a name given twice, at any depth.
//!
//! A number that is not an integer of at most 18 digits is handed to
//! serde_json itself, so it is accepted and rounded exactly as serde_json
//! reads it, at the edges of `f64`'s range too (where `str::parse` rounds
//! otherwise): `AccessClaims` reads its whole payload with serde_json later,
//! and must find what the verifier accepted. The `json_reader` fuzz target
//! compares the reader with serde_json.

use super::json::{Loose, Names, Str};

/// Why a text was refused: it is not JSON, or a value is not of the type
/// asked for. One reason is enough: each makes the token malformed.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Malformed;

pub(crate) type Read<T> = Result<T, Malformed>;

/// The deepest nesting of arrays and objects serde_json reads.
const MAX_DEPTH: u32 = 127;

/// A reading position in a JSON text. No `Debug`: the text is a token's.
pub(crate) struct JsonReader<'a> {
    text: &'a str,
    at: usize,
    /// The arrays and objects open around the position.
    depth: u32,
}

/// A JSON number: an integer that fits an `i64`, or any other as an `f64`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Number {
    Int(i64),
    Float(f64),
}

impl Number {
    // Seconds fit an f64 exactly up to 2^53, past any real date.
    #[allow(clippy::cast_precision_loss)]
    pub(crate) fn as_f64(self) -> f64 {
        match self {
            Self::Int(value) => value as f64,
            Self::Float(value) => value,
        }
    }
}

impl<'a> JsonReader<'a> {
    /// Reads `text`, which must be one JSON object, handing each member's
    /// name to `member`, which reads its value with one of the methods
    /// below.
    pub(crate) fn read_object(
        text: &'a str,
        member: impl FnMut(&mut Self, Str<'a>) -> Read<()>,
    ) -> Read<()> {
        let mut reader = Self {
            text,
            at: 0,
            depth: 0,
        };
        reader.object(member)?;
        reader.skip_whitespace();
        if reader.at == text.len() {
            Ok(())
        } else {
            Err(Malformed)
        }
    }

    /// The first byte of the next value, whitespace skipped.
    pub(crate) fn peek(&mut self) -> Option<u8> {
        self.skip_whitespace();
        self.byte()
    }

    /// An object: each member's name goes to `member`, which must read its
    /// value, exactly one (a value left unread makes the text malformed).
    /// A name given twice is refused.
    pub(crate) fn object(
        &mut self,
        mut member: impl FnMut(&mut Self, Str<'a>) -> Read<()>,
    ) -> Read<()> {
        self.open(b'{')?;
        if self.peek() == Some(b'}') {
            return self.close();
        }
        let mut names = Names::default();
        loop {
            let name = self.string()?;
            if !names.is_new(&name) {
                return Err(Malformed);
            }
            self.expect(b':')?;
            member(self, name)?;
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b'}') => return self.close(),
                _ => return Err(Malformed),
            }
        }
    }

    /// An array: `element` reads each element.
    pub(crate) fn array(&mut self, mut element: impl FnMut(&mut Self) -> Read<()>) -> Read<()> {
        self.open(b'[')?;
        if self.peek() == Some(b']') {
            return self.close();
        }
        loop {
            element(self)?;
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b']') => return self.close(),
                _ => return Err(Malformed),
            }
        }
    }

    /// A string, borrowed from the text unless it has escapes.
    #[inline]
    pub(crate) fn string(&mut self) -> Read<Str<'a>> {
        self.expect(b'"')?;
        let start = self.at;
        self.skip_plain();
        match self.byte() {
            Some(b'"') => {
                let text = self.text.get(start..self.at).ok_or(Malformed)?;
                self.at += 1;
                Ok(Str::Borrowed(text))
            }
            Some(b'\\') => self.string_with_escapes(start).map(Str::Owned),
            _ => Err(Malformed),
        }
    }

    /// A number.
    pub(crate) fn number(&mut self) -> Read<Number> {
        self.skip_whitespace();
        let start = self.at;
        let negative = self.byte() == Some(b'-');
        if negative {
            self.at += 1;
        }
        // The integer part, its value kept as it is read: any 18 digits
        // fit an `i64`.
        let digits_start = self.at;
        let mut magnitude: i64 = 0;
        match self.byte() {
            Some(b'0') => self.at += 1,
            Some(b'1'..=b'9') => {
                while let Some(digit @ b'0'..=b'9') = self.byte() {
                    magnitude = magnitude
                        .wrapping_mul(10)
                        .wrapping_add(i64::from(digit - b'0'));
                    self.at += 1;
                }
            }
            _ => return Err(Malformed),
        }
        let integer_digits = self.at - digits_start;
        let mut integer = true;
        if self.byte() == Some(b'.') {
            self.at += 1;
            self.digits()?;
            integer = false;
        }
        if let Some(b'e' | b'E') = self.byte() {
            self.at += 1;
            if let Some(b'+' | b'-') = self.byte() {
                self.at += 1;
            }
            self.digits()?;
            integer = false;
        }
        if integer && integer_digits <= 18 {
            return Ok(Number::Int(if negative { -magnitude } else { magnitude }));
        }
        let text = self.text.get(start..self.at).ok_or(Malformed)?;
        if integer && let Ok(value) = text.parse() {
            return Ok(Number::Int(value));
        }
        // Rare in a token: serde_json's own reading, out-of-range refused.
        serde_json::from_str(text)
            .map(Number::Float)
            .map_err(|_| Malformed)
    }

    /// Any value, read and dropped.
    pub(crate) fn skip(&mut self) -> Read<()> {
        match self.peek() {
            Some(b'"') => self.string().map(drop),
            Some(b'{') => self.object(|value, _| value.skip()),
            Some(b'[') => self.array(Self::skip),
            Some(b't') => self.literal(b"true"),
            Some(b'f') => self.literal(b"false"),
            Some(b'n') => self.literal(b"null"),
            _ => self.number().map(drop),
        }
    }

    /// Any value, kept if it is a string, a number or an array of strings
    /// (the shapes a lenient claim reads), skipped otherwise.
    pub(crate) fn loose(&mut self) -> Read<Loose<'a>> {
        match self.peek() {
            Some(b'"') => self.string().map(Loose::Str),
            Some(b'-' | b'0'..=b'9') => Ok(match self.number()? {
                Number::Int(value) => Loose::Int(value),
                Number::Float(value) => Loose::Float(value),
            }),
            Some(b'[') => {
                let mut strings = Some(Vec::new());
                self.array(|element| {
                    match (&mut strings, element.peek()) {
                        (Some(strings), Some(b'"')) => strings.push(element.string()?),
                        _ => {
                            strings = None;
                            element.skip()?;
                        }
                    }
                    Ok(())
                })?;
                Ok(strings.map_or(Loose::Other, Loose::Strings))
            }
            _ => self.skip().map(|()| Loose::Other),
        }
    }

    /// Moves past the bytes a string holds as they are: any but `"`, `\\`
    /// and the control characters.
    fn skip_plain(&mut self) {
        while let Some(b) = self.byte()
            && is_plain(b)
        {
            self.at += 1;
        }
    }

    fn byte(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.byte() {
            self.at += 1;
        }
    }

    fn expect(&mut self, byte: u8) -> Read<()> {
        if self.peek() == Some(byte) {
            self.at += 1;
            Ok(())
        } else {
            Err(Malformed)
        }
    }

    /// `bytes` exactly, with nothing skipped before them.
    fn literal(&mut self, bytes: &[u8]) -> Read<()> {
        let rest = self.text.as_bytes().get(self.at..).unwrap_or_default();
        if rest.starts_with(bytes) {
            self.at += bytes.len();
            Ok(())
        } else {
            Err(Malformed)
        }
    }

    /// Enters an array or an object at its opening `bracket`.
    fn open(&mut self, bracket: u8) -> Read<()> {
        self.expect(bracket)?;
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Malformed);
        }
        Ok(())
    }

    /// Leaves an array or an object at its closing bracket.
    fn close(&mut self) -> Read<()> {
        self.at += 1;
        self.depth -= 1;
        Ok(())
    }

    /// One or more decimal digits.
    fn digits(&mut self) -> Read<()> {
        let start = self.at;
        while let Some(b'0'..=b'9') = self.byte() {
            self.at += 1;
        }
        if self.at == start {
            Err(Malformed)
        } else {
            Ok(())
        }
    }

    /// The rest of a string from its first backslash on: rare in a token,
    /// so kept apart from the borrowed case.
    #[cold]
    #[inline(never)]
    fn string_with_escapes(&mut self, start: usize) -> Read<String> {
        let mut value = String::from(self.text.get(start..self.at).ok_or(Malformed)?);
        loop {
            let run = self.at;
            self.skip_plain();
            value.push_str(self.text.get(run..self.at).ok_or(Malformed)?);
            match self.byte() {
                Some(b'"') => {
                    self.at += 1;
                    return Ok(value);
                }
                Some(b'\\') => {
                    self.at += 1;
                    value.push(self.escape()?);
                }
                Some(_) | None => return Err(Malformed),
            }
        }
    }

    /// The character an escape stands for, its backslash read.
    fn escape(&mut self) -> Read<char> {
        let byte = self.byte().ok_or(Malformed)?;
        self.at += 1;
        Ok(match byte {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => return self.unicode_escape(),
            _ => return Err(Malformed),
        })
    }

    /// `\uXXXX`, its `\u` read: a surrogate must be a leading one followed
    /// at once by a trailing one, as serde_json reads a string.
    fn unicode_escape(&mut self) -> Read<char> {
        let unit = self.hex4()?;
        let code = match unit {
            0xD800..=0xDBFF => {
                self.literal(b"\\u")?;
                let trailing = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&trailing) {
                    return Err(Malformed);
                }
                0x1_0000 + ((unit - 0xD800) << 10) + (trailing - 0xDC00)
            }
            _ => unit,
        };
        // A lone trailing surrogate is no `char`.
        char::from_u32(code).ok_or(Malformed)
    }

    /// Four hex digits.
    fn hex4(&mut self) -> Read<u32> {
        let digits = self.text.get(self.at..self.at + 4).ok_or(Malformed)?;
        if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Malformed);
        }
        self.at += 4;
        u32::from_str_radix(digits, 16).map_err(|_| Malformed)
    }
}

/// Whether `b` stands for itself in a string.
fn is_plain(b: u8) -> bool {
    b >= 0x20 && b != b'"' && b != b'\\'
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether `text` is read as an object whose values are all skipped.
    fn accepted(text: &str) -> bool {
        JsonReader::read_object(text, |value, _| value.skip()).is_ok()
    }

    /// What `read` makes of `json`, read as a member's value.
    fn value_of<T>(json: &str, read: impl for<'a> Fn(&mut JsonReader<'a>) -> Read<T>) -> Option<T> {
        let text = format!(r#"{{"v":{json}}}"#);
        let mut found = None;
        JsonReader::read_object(&text, |value, _| {
            found = Some(read(value)?);
            Ok(())
        })
        .ok()?;
        found
    }

    #[test]
    fn reads_what_serde_json_reads() {
        for text in [
            "{}",
            " \t\r\n{ } \n",
            r#"{"a":[1,2.5,-3e2,0,-0,1E+2,"x",null,true,false,{"b":{}},[]]}"#,
            r#"{"a" : "b" , "c":[ ] }"#,
            r#"{"\u0000":"\ud83d\ude00 \" \\ \/ \b \f \n \r \t"}"#,
            "{\"caf\u{e9}\":\"\u{1f600}\"}",
        ] {
            assert!(accepted(text), "{text}");
            assert!(serde_json::from_str::<serde_json::Value>(text).is_ok());
        }
    }

    #[test]
    fn refuses_what_serde_json_refuses() {
        for not_an_object in ["[]", r#""x""#, "1", "null"] {
            assert!(!accepted(not_an_object), "{not_an_object}");
        }
        for text in [
            "",
            "{",
            r#"{"a"}"#,
            r#"{"a":}"#,
            r#"{"a":1,}"#,
            r#"{,"a":1}"#,
            r#"{"a":[1,]}"#,
            r#"{"a":[,1]}"#,
            r#"{"a":1 "b":2}"#,
            r#"{a:1}"#,
            r#"{'a':1}"#,
            r#"{"a":01}"#,
            r#"{"a":1.}"#,
            r#"{"a":.5}"#,
            r#"{"a":+1}"#,
            r#"{"a":1e}"#,
            r#"{"a":-}"#,
            r#"{"a":1e400}"#,
            r#"{"a":NaN}"#,
            r#"{"a":tru}"#,
            r#"{"a":nul}"#,
            r#"{"a":True}"#,
            "{\"a\":\"\u{1}\"}",
            "{\"a\":\"\t\"}",
            r#"{"a":"\x"}"#,
            r#"{"a":"\u12"}"#,
            r#"{"a":"\u12G4"}"#,
            r#"{"a":"\ud800"}"#,
            r#"{"a":"\ud800\u0041"}"#,
            r#"{"a":"\udc00"}"#,
            r#"{"a":"\ud800 \udc00"}"#,
            r#"{"a":"x}"#,
            r#"{"a":1}x"#,
            r#"{"a":1}{}"#,
            "{\u{a0}}",
        ] {
            assert!(!accepted(text), "{text}");
            assert!(
                serde_json::from_str::<serde_json::Value>(text).is_err(),
                "{text}"
            );
        }
    }

    #[test]
    fn nesting_stops_where_serde_json_stops() {
        let nested =
            |depth: usize| format!(r#"{{"a":{}{}}}"#, "[".repeat(depth), "]".repeat(depth));
        // The object is one level; serde_json reads 127 in all.
        assert!(accepted(&nested(126)));
        assert!(serde_json::from_str::<serde_json::Value>(&nested(126)).is_ok());
        assert!(!accepted(&nested(127)));
        assert!(serde_json::from_str::<serde_json::Value>(&nested(127)).is_err());
        assert!(!accepted(&nested(100_000)));
    }

    #[test]
    fn names_given_twice_are_refused_at_any_depth() {
        assert!(!accepted(r#"{"a":1,"a":2}"#));
        assert!(!accepted(r#"{"a":1,"\u0061":2}"#));
        assert!(!accepted(r#"{"x":[{"b":1,"b":1}]}"#));
        assert!(accepted(r#"{"a":{"a":{"a":1}}}"#));
    }

    #[test]
    fn strings_borrow_unless_escaped() {
        let string = |json| {
            value_of(json, |value| {
                let string = value.string()?;
                Ok((matches!(string, Str::Borrowed(_)), string.to_string()))
            })
        };
        assert_eq!(string(r#""plain""#), Some((true, "plain".into())));
        let escaped = r#""a\nb\u00e9\ud83d\ude00""#;
        assert_eq!(string(escaped), Some((false, "a\nb\u{e9}\u{1f600}".into())));
        assert_eq!(string("1"), None);
    }

    #[test]
    fn numbers_are_integers_when_they_fit() {
        let number = |json| value_of(json, |value| value.number());
        assert_eq!(number("1700000000"), Some(Number::Int(1_700_000_000)));
        assert_eq!(number("-5"), Some(Number::Int(-5)));
        assert_eq!(number("-0"), Some(Number::Int(0)));
        assert_eq!(
            number("999999999999999999"),
            Some(Number::Int(999_999_999_999_999_999))
        );
        assert_eq!(
            number("-999999999999999999"),
            Some(Number::Int(-999_999_999_999_999_999))
        );
        assert_eq!(
            number("1000000000000000000"),
            Some(Number::Int(1_000_000_000_000_000_000))
        );
        assert_eq!(number("9223372036854775807"), Some(Number::Int(i64::MAX)));
        assert_eq!(number("-9223372036854775808"), Some(Number::Int(i64::MIN)));
        assert_eq!(
            number("9223372036854775808"),
            Some(Number::Float(9_223_372_036_854_775_808.0))
        );
        assert_eq!(number("1.5"), Some(Number::Float(1.5)));
        assert_eq!(number("1e3"), Some(Number::Float(1000.0)));
        assert_eq!(number("0e999999999"), Some(Number::Float(0.0)));
        assert_eq!(number("\"1\""), None);
        assert_eq!(number("1e309"), None);
        // At the edge of f64's range, as serde_json reads it: `str::parse`
        // would take the first as f64::MAX, and refuse the second.
        for edge in [
            "1.7976931348623158e308",
            "1.79769313486231588e308",
            "5e-324",
            "2e-324",
        ] {
            let serde = serde_json::from_str::<f64>(edge).ok();
            assert_eq!(number(edge).map(Number::as_f64), serde, "{edge}");
        }
        let long_exponent = format!("1{}e-700000", "0".repeat(700_000));
        assert_eq!(number(&long_exponent), Some(Number::Float(1.0)));
    }

    #[test]
    fn loose_values_keep_their_shape() {
        let shape = |json| {
            value_of(json, |value| {
                Ok(match value.loose()? {
                    Loose::Str(_) => "string",
                    Loose::Int(_) => "integer",
                    Loose::Float(_) => "float",
                    Loose::Strings(_) => "strings",
                    Loose::Other => "other",
                })
            })
        };
        assert_eq!(shape(r#""s""#), Some("string"));
        assert_eq!(shape("7"), Some("integer"));
        assert_eq!(shape("7.5"), Some("float"));
        assert_eq!(shape(r#"["a","b"]"#), Some("strings"));
        assert_eq!(shape("[]"), Some("strings"));
        for other in [r#"["a",1]"#, "[[]]", "{}", "null", "true"] {
            assert_eq!(shape(other), Some("other"), "{other}");
        }
        assert_eq!(shape(r#"["a",{"b":1,"b":2}]"#), None);
    }
}
