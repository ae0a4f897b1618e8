//! Independent oracles for the grammars the crate implements: RFC 6750's
//! `b64token`, `scope` and quoted-value characters, and an RFC 9110 §11.3
//! challenge parser. They repeat the crate's rules on purpose: a test must
//! not check code with itself. Shared by the property tests and the fuzz
//! targets (`fuzz/`), which include this file by path.

#![allow(dead_code, unreachable_pub)]

/// RFC 6750 §3's characters for quoted attribute values: printable ASCII
/// without `"` and `\`.
pub fn is_nqschar_text(text: &str) -> bool {
    text.bytes().all(is_nqschar)
}

pub fn is_nqschar(b: u8) -> bool {
    (0x20..=0x7E).contains(&b) && b != b'"' && b != b'\\'
}

/// `scope-token *( SP scope-token )`, a scope token being `1*( %x21 /
/// %x23-5B / %x5D-7E )`.
pub fn is_scope_list(scope: &str) -> bool {
    scope
        .split(' ')
        .all(|token| !token.is_empty() && token.bytes().all(|b| is_nqschar(b) && b != b' '))
}

pub fn is_b64token(token: &str) -> bool {
    let body = token.trim_end_matches('=');
    !body.is_empty()
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~+/".contains(&b))
}

/// One challenge parsed by RFC 9110 §11.3 (`auth-scheme 1*SP #auth-param`,
/// values a `token` or a `quoted-string`): the scheme and the parameters
/// in order. `None` when the text does not parse.
pub fn parse_challenge(text: &str) -> Option<(String, Vec<(String, String)>)> {
    let is_tchar = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
    let (scheme, mut rest) = text.split_once(' ')?;
    if scheme.is_empty() || !scheme.chars().all(is_tchar) {
        return None;
    }
    let mut params = Vec::new();
    loop {
        rest = rest.trim_start_matches([' ', '\t']);
        let eq = rest.find('=')?;
        let name = rest[..eq].trim_end_matches([' ', '\t']);
        if name.is_empty() || !name.chars().all(is_tchar) {
            return None;
        }
        rest = rest[eq + 1..].trim_start_matches([' ', '\t']);
        let value;
        if let Some(quoted) = rest.strip_prefix('"') {
            let mut unescaped = String::new();
            let mut chars = quoted.char_indices();
            let end = loop {
                match chars.next()? {
                    (at, '"') => break at,
                    (_, '\\') => unescaped.push(chars.next()?.1),
                    (_, c) => unescaped.push(c),
                }
            };
            value = unescaped;
            rest = &quoted[end + 1..];
        } else {
            let end = rest.find(|c: char| !is_tchar(c)).unwrap_or(rest.len());
            if end == 0 {
                return None;
            }
            value = rest[..end].to_owned();
            rest = &rest[end..];
        }
        params.push((name.to_ascii_lowercase(), value));
        rest = rest.trim_start_matches([' ', '\t']);
        if rest.is_empty() {
            return Some((scheme.to_owned(), params));
        }
        rest = rest.strip_prefix(',')?;
    }
}
