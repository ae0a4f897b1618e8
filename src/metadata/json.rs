//! A JSON object written member by member: the metadata document needs
//! strings, arrays of strings and booleans, nothing more.

use std::fmt::Write;

/// A JSON object being written; [`finish`](Self::finish) closes it.
pub(super) struct JsonObject {
    text: String,
    empty: bool,
}

impl JsonObject {
    pub(super) fn new() -> Self {
        Self {
            text: String::from("{"),
            empty: true,
        }
    }

    fn name(&mut self, name: &str) {
        if !self.empty {
            self.text.push(',');
        }
        self.empty = false;
        string(&mut self.text, name);
        self.text.push(':');
    }

    /// `"name":"value"`, when there is a value.
    pub(super) fn string(&mut self, name: &str, value: Option<&str>) {
        if let Some(value) = value {
            self.name(name);
            string(&mut self.text, value);
        }
    }

    /// `"name":["value",...]`, when the list is not empty (RFC 9728 §2:
    /// an empty list says nothing a missing one does not).
    pub(super) fn strings(&mut self, name: &str, values: &[Box<str>]) {
        if values.is_empty() {
            return;
        }
        self.name(name);
        self.text.push('[');
        for (at, value) in values.iter().enumerate() {
            if at > 0 {
                self.text.push(',');
            }
            string(&mut self.text, value);
        }
        self.text.push(']');
    }

    /// `"name":true`, when `value` is true (false is the default).
    pub(super) fn flag(&mut self, name: &str, value: bool) {
        if value {
            self.name(name);
            self.text.push_str("true");
        }
    }

    pub(super) fn finish(mut self) -> String {
        self.text.push('}');
        self.text
    }
}

/// `value` as a JSON string (RFC 8259 §7): `"` and `\` escaped, control
/// characters as `\u00XX`.
fn string(out: &mut String, value: &str) {
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_are_written_and_escaped() {
        let mut object = JsonObject::new();
        object.string("resource", Some("https://a.example/mcp"));
        object.string("absent", None);
        object.strings("empty", &[]);
        object.strings("scopes", &["a".into(), "b\"c".into()]);
        object.string("name", Some("tab\there \\ é"));
        object.flag("no", false);
        object.flag("yes", true);
        assert_eq!(
            object.finish(),
            r#"{"resource":"https://a.example/mcp","scopes":["a","b\"c"],"name":"tab\u0009here \\ é","yes":true}"#
        );
        assert_eq!(JsonObject::new().finish(), "{}");
    }
}
