//! What [`AccessClaims`](super::AccessClaims) reads up front, gathered in
//! the verifier's own pass over the payload: the payload is then read once,
//! not once for the registered claims and again for the claims type.

use std::ops::Range;

use serde_json::Value;

use super::json::{Loose, Str};
use crate::scope::Scopes;

/// The string, date and scope claims `AccessClaims` answers without
/// reading the whole payload. Every other claim is read on first use.
#[derive(Clone, Debug, Default)]
pub(crate) struct AccessMembers {
    pub(crate) sub: Text,
    pub(crate) iss: Text,
    pub(crate) client_id: Text,
    pub(crate) jti: Text,
    /// `acr`, when it is a string.
    pub(crate) acr: Text,
    /// `auth_time`, when it is a number.
    pub(crate) auth_time: Option<i64>,
    /// `scope`: `Some(None)` when it is there but not a string.
    scope: Option<Option<Scopes>>,
    /// `scp`: a string or an array of strings; anything else is no scopes.
    scp: Option<Scopes>,
}

impl AccessMembers {
    /// Whether the claim `name` is one [`keep_loose`](Self::keep_loose)
    /// reads: those whose odd types read as absent rather than refuse the
    /// token.
    pub(crate) fn reads_loosely(name: &str) -> bool {
        matches!(name, "acr" | "auth_time" | "scope" | "scp")
    }

    /// Keeps `sub`, `iss`, `client_id` or `jti`, strings the registered
    /// pass has already required, as their place in `payload`.
    pub(crate) fn keep_text(&mut self, name: &str, value: &Str<'_>, payload: &str) {
        let field = match name {
            "sub" => &mut self.sub,
            "iss" => &mut self.iss,
            "client_id" => &mut self.client_id,
            "jti" => &mut self.jti,
            _ => return,
        };
        *field = Text::of(value, payload);
    }

    /// Keeps `acr`, `auth_time`, `scope` or `scp` if its type is one
    /// `AccessClaims` reads.
    // NumericDates are integers in practice; a fractional one is truncated.
    #[allow(clippy::cast_possible_truncation)]
    pub(crate) fn keep_loose(&mut self, name: &str, value: Loose<'_>, payload: &str) {
        match (name, value) {
            ("acr", Loose::Str(acr)) => self.acr = Text::of(&acr, payload),
            ("auth_time", Loose::Int(seconds)) => self.auth_time = Some(seconds),
            ("auth_time", Loose::Float(seconds)) => self.auth_time = Some(seconds as i64),
            ("scope", Loose::Str(scope)) => {
                self.scope = Some(Some(Scopes::from_space_delimited(&scope)));
            }
            ("scope", _) => self.scope = Some(None),
            ("scp", Loose::Str(scp)) => self.scp = Some(Scopes::from_space_delimited(&scp)),
            ("scp", Loose::Strings(scp)) => self.scp = Some(scp.iter().map(|s| &**s).collect()),
            _ => {}
        }
    }

    /// Keeps `name` from a claims object read some other way
    /// (`Deserialize`), with the same types as the verifier's pass; a
    /// string of another type is absent.
    pub(crate) fn keep_value(&mut self, name: &str, value: &Value) {
        let text = matches!(name, "sub" | "iss" | "client_id" | "jti");
        if !text && !Self::reads_loosely(name) {
            return;
        }
        let loose = match value {
            Value::String(text) => Loose::Str(Str::Owned(text.clone())),
            Value::Number(number) => number
                .as_i64()
                .map(Loose::Int)
                .or_else(|| number.as_f64().map(Loose::Float))
                .unwrap_or(Loose::Other),
            Value::Array(items) => items
                .iter()
                .map(|item| item.as_str().map(|text| Str::Owned(text.to_owned())))
                .collect::<Option<Vec<_>>>()
                .map_or(Loose::Other, Loose::Strings),
            _ => Loose::Other,
        };
        match (text, &loose) {
            (true, Loose::Str(value)) => self.keep_text(name, value, ""),
            (true, _) => {}
            (false, _) => self.keep_loose(name, loose, ""),
        }
    }

    /// The granted scopes: `scope` when it is there (none unless it is a
    /// string), else `scp`.
    pub(crate) fn scopes(&self) -> Scopes {
        match (&self.scope, &self.scp) {
            (Some(scope), _) => scope.clone().unwrap_or_default(),
            (None, Some(scp)) => scp.clone(),
            (None, None) => Scopes::default(),
        }
    }
}

/// A string claim: where it is in the payload, or, if it had escapes, its
/// value.
#[derive(Clone, Debug, Default)]
pub(crate) enum Text {
    #[default]
    Absent,
    At(Range<usize>),
    Owned(Box<str>),
}

impl Text {
    /// `value`, read from `payload`.
    fn of(value: &Str<'_>, payload: &str) -> Self {
        match value {
            Str::Borrowed(text) => match offset_in(payload, text) {
                Some(start) => Self::At(start..start + text.len()),
                None => Self::Owned((*text).into()),
            },
            Str::Owned(text) => Self::Owned(text.as_str().into()),
        }
    }

    /// The string, given the payload it was read from.
    pub(crate) fn get<'a>(&'a self, payload: &'a str) -> Option<&'a str> {
        match self {
            Self::Absent => None,
            Self::At(range) => payload.get(range.clone()),
            Self::Owned(text) => Some(text),
        }
    }
}

/// Where `part`, a slice of `whole`, starts in it.
fn offset_in(whole: &str, part: &str) -> Option<usize> {
    let start = part.as_ptr().addr().checked_sub(whole.as_ptr().addr())?;
    (start + part.len() <= whole.len()).then_some(start)
}
