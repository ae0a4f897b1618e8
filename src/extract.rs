//! Finding the token in a request (RFC 6750 §2).

use http::header::{AUTHORIZATION, COOKIE};
use std::borrow::Cow;
use std::ops::Range;

use http::uri::PathAndQuery;
use http::{HeaderMap, HeaderName, HeaderValue, Uri};

use crate::error::{AuthError, ConfigError, ErrorKind};
use crate::scheme::{AuthScheme, Presented};
use crate::token::{BearerToken, TokenSource, is_b64token};

/// The longest token accepted unless configured otherwise: below the
/// 8 KiB many servers and gRPC allow for all headers together, above the
/// largest access tokens identity providers issue in practice.
pub const DEFAULT_MAX_TOKEN_LEN: usize = 4096;

/// Where the layer looks for the token, and how long it may be.
///
/// By default only the `Authorization: Bearer` header (RFC 6750 §2.1). A
/// named header, a cookie and the `access_token` query parameter (§2.3, which
/// the RFC advises against: URLs end up in logs and browser history) are
/// opt-in. Whatever the sources, a request that presents more than one token
/// is refused with `invalid_request`, so no two parts of a stack can act on
/// different tokens.
///
/// ```
/// use http::{HeaderMap, Uri};
/// use tower_bearer_auth::{ErrorKind, TokenExtractor};
///
/// let extractor = TokenExtractor::new().with_query_parameter();
/// let mut headers = HeaderMap::new();
/// headers.insert("authorization", "bEaReR  mF_9.B5f-4.1JqM  ".parse().unwrap());
///
/// let token = extractor.extract(&headers, &Uri::from_static("/me")).unwrap().unwrap();
/// assert_eq!(token.as_str(), "mF_9.B5f-4.1JqM");
///
/// let both = Uri::from_static("/me?access_token=mF_9.B5f-4.1JqM");
/// let error = extractor.extract(&headers, &both).unwrap_err();
/// assert_eq!(error.kind(), ErrorKind::MultipleTokens);
/// ```
#[derive(Clone, Debug)]
pub struct TokenExtractor {
    authorization: bool,
    header: Option<HeaderName>,
    cookie: Option<Box<str>>,
    query: bool,
    max_len: usize,
    schemes: &'static [AuthScheme],
}

impl Default for TokenExtractor {
    fn default() -> Self {
        Self::new()
    }
}

impl TokenExtractor {
    /// Reads the `Authorization: Bearer` header only.
    pub fn new() -> Self {
        Self {
            authorization: true,
            header: None,
            cookie: None,
            query: false,
            max_len: DEFAULT_MAX_TOKEN_LEN,
            schemes: &[AuthScheme::BEARER],
        }
    }

    /// Also reads the token, with no scheme, from the header `name`
    /// (`X-Api-Key: <token>`). `Authorization` and `Cookie` are refused:
    /// they have their own rules.
    pub fn with_header(mut self, name: HeaderName) -> Result<Self, ConfigError> {
        if name == AUTHORIZATION || name == COOKIE {
            return Err(ConfigError::InvalidName);
        }
        self.header = Some(name);
        Ok(self)
    }

    /// Also reads the token from the cookie `name`.
    ///
    /// A browser sends cookies on cross-site requests too: a service that
    /// accepts a token cookie must protect itself against cross-site request
    /// forgery (RFC 6750 §5.3), for example with `SameSite` cookies and
    /// tower-http's CSRF layer.
    pub fn with_cookie(mut self, name: &str) -> Result<Self, ConfigError> {
        if name.is_empty() || !name.bytes().all(is_tchar) {
            return Err(ConfigError::InvalidName);
        }
        self.cookie = Some(name.into());
        Ok(self)
    }

    /// Also reads the `access_token` query parameter (RFC 6750 §2.3).
    ///
    /// The RFC advises against it: URLs are logged by servers and proxies and
    /// kept in browser history. Only for clients that cannot set a header.
    pub fn with_query_parameter(mut self) -> Self {
        self.query = true;
        self
    }

    /// Stops reading the `Authorization` header, for a service that takes
    /// its token from another source only.
    pub fn without_authorization_header(mut self) -> Self {
        self.authorization = false;
        self
    }

    /// Sets the longest token accepted, in bytes (default
    /// [`DEFAULT_MAX_TOKEN_LEN`]). It is checked before the token's
    /// characters are; longer ones are answered `invalid_request`.
    /// Credentials of another scheme are not measured: they are not ours.
    pub fn with_max_len(mut self, max_len: usize) -> Result<Self, ConfigError> {
        if max_len == 0 {
            return Err(ConfigError::ZeroMaxLength);
        }
        self.max_len = max_len;
        Ok(self)
    }

    /// The longest token accepted, in bytes.
    pub fn max_len(&self) -> usize {
        self.max_len
    }

    /// The RFC 6750 §2 methods among the token's sources, as protected
    /// resource metadata names them (RFC 9728 §2): `header` for the
    /// `Authorization` header, `query` for the `access_token` parameter.
    /// A custom header or a cookie has no name there.
    pub(crate) fn bearer_methods(&self) -> Vec<&'static str> {
        let header = self.authorization.then_some("header");
        let query = self.query.then_some("query");
        header.into_iter().chain(query).collect()
    }

    pub(crate) fn schemes(&self) -> &'static [AuthScheme] {
        self.schemes
    }

    /// Set by the layer, which knows the schemes it checks.
    pub(crate) fn set_schemes(&mut self, schemes: &'static [AuthScheme]) {
        self.schemes = schemes;
    }

    /// Finds the token: `Ok(None)` when the request presents none (or only
    /// credentials of another scheme), an error of kind
    /// [`MalformedCredentials`](ErrorKind::MalformedCredentials),
    /// [`TokenTooLong`](ErrorKind::TokenTooLong) or
    /// [`MultipleTokens`](ErrorKind::MultipleTokens) when it presents one badly.
    pub fn extract(
        &self,
        headers: &HeaderMap,
        uri: &Uri,
    ) -> Result<Option<BearerToken>, AuthError> {
        let mut found = None;
        if self.authorization {
            let value = single(headers, &AUTHORIZATION)?;
            found = value
                .map(|v| self.authorization_token(v))
                .transpose()?
                .flatten();
        }
        if let Some(name) = &self.header {
            let token = single(headers, name)?
                .map(|value| self.raw_header_token(value))
                .transpose()?
                .flatten();
            found = at_most_one(found, token)?;
        }
        if let Some(name) = &self.cookie {
            found = at_most_one(found, self.cookie_token(headers, name)?)?;
        }
        if self.query
            && let Some(query) = uri.query()
        {
            found = at_most_one(found, self.query_token(query)?)?;
        }
        Ok(found)
    }

    /// `credentials = "Bearer" 1*SP b64token` (or another accepted
    /// scheme), scheme case-insensitive. Another scheme is no token at all.
    fn authorization_token(&self, value: &HeaderValue) -> Result<Option<BearerToken>, AuthError> {
        let bytes = value.as_bytes();
        let (start, end) = trim_ows(bytes);
        // Another scheme (`Basic`, `Negotiate`, `BearerX`) is not ours to
        // judge, however long its credentials.
        let Some((scheme, len)) = scheme_among(&bytes[start..end], self.schemes) else {
            return Ok(None);
        };
        let rest = &bytes[start + len..end];
        if rest.first() != Some(&b' ') {
            // `Bearer` alone, or followed by a tab, a comma, a quote...
            return Err(ErrorKind::MalformedCredentials.into());
        }
        let spaces = rest.iter().take_while(|&&b| b == b' ').count();
        let token_start = start + len + spaces;
        let token = self.checked(value, token_start..end, TokenSource::Authorization)?;
        Ok(token.map(|token| token.with_scheme(scheme)))
    }

    fn raw_header_token(&self, value: &HeaderValue) -> Result<Option<BearerToken>, AuthError> {
        let (start, end) = trim_ows(value.as_bytes());
        if start == end {
            return Ok(None);
        }
        self.checked(value, start..end, TokenSource::Header)
    }

    /// `cookie-string = cookie-pair *( ";" SP cookie-pair )` (RFC 6265 §4.2.1),
    /// over every `Cookie` line (HTTP/2 may split them, RFC 9113 §8.2.3).
    ///
    /// The cookie present twice (a browser sends both when two paths or
    /// domains set it) is two tokens: refused, as any request with two.
    fn cookie_token(
        &self,
        headers: &HeaderMap,
        name: &str,
    ) -> Result<Option<BearerToken>, AuthError> {
        let mut found = None;
        for value in headers.get_all(COOKIE) {
            let bytes = value.as_bytes();
            let mut offset = 0;
            for pair in bytes.split(|&b| b == b';') {
                let pair_start = offset;
                offset += pair.len() + 1;
                let (start, end) = trim_ows(pair);
                let pair = &pair[start..end];
                let Some(eq) = pair.iter().position(|&b| b == b'=') else {
                    continue;
                };
                if &pair[..eq] != name.as_bytes() {
                    continue;
                }
                let mut range = pair_start + start + eq + 1..pair_start + end;
                let cookie_value = &bytes[range.clone()];
                if cookie_value.len() >= 2
                    && cookie_value.starts_with(b"\"")
                    && cookie_value.ends_with(b"\"")
                {
                    range = range.start + 1..range.end - 1;
                }
                let token = self.checked(value, range, TokenSource::Cookie)?;
                found = at_most_one(found, token)?;
            }
        }
        Ok(found)
    }

    /// `access_token` in an `application/x-www-form-urlencoded` query.
    fn query_token(&self, query: &str) -> Result<Option<BearerToken>, AuthError> {
        let mut found = None;
        for pair in query.split('&') {
            let Some(raw) = pair.strip_prefix("access_token") else {
                continue;
            };
            let raw = match raw.strip_prefix('=') {
                Some(raw) => raw,
                None if raw.is_empty() => raw,
                None => continue,
            };
            // Encoded, it is at least as long as decoded: bound the work first.
            if raw.len() > self.max_len.saturating_mul(3) {
                return Err(ErrorKind::TokenTooLong.into());
            }
            let decoded = form_decode(raw);
            let value =
                HeaderValue::from_bytes(&decoded).map_err(|_| ErrorKind::MalformedCredentials)?;
            let token = self.checked(&value, 0..decoded.len(), TokenSource::Query)?;
            found = at_most_one(found, token)?;
        }
        Ok(found)
    }

    /// A present credential must be no longer than the cap, which is checked
    /// first, and a b64token.
    fn checked(
        &self,
        value: &HeaderValue,
        range: Range<usize>,
        source: TokenSource,
    ) -> Result<Option<BearerToken>, AuthError> {
        if range.len() > self.max_len {
            return Err(ErrorKind::TokenTooLong.into());
        }
        if !is_b64token(&value.as_bytes()[range.clone()]) {
            return Err(ErrorKind::MalformedCredentials.into());
        }
        Ok(Some(BearerToken::from_checked(
            value.clone(),
            range,
            source,
        )))
    }
}

/// The only value of a header that must not repeat (RFC 9110 §5.3).
fn single<'a>(
    headers: &'a HeaderMap,
    name: &HeaderName,
) -> Result<Option<&'a HeaderValue>, AuthError> {
    let mut values = headers.get_all(name).iter();
    let first = values.next();
    if values.next().is_some() {
        return Err(ErrorKind::MultipleTokens.into());
    }
    Ok(first)
}

fn at_most_one(
    found: Option<BearerToken>,
    next: Option<BearerToken>,
) -> Result<Option<BearerToken>, AuthError> {
    match (found, next) {
        (Some(_), Some(_)) => Err(ErrorKind::MultipleTokens.into()),
        (found, next) => Ok(found.or(next)),
    }
}

/// The scheme among `accepted` that an `Authorization` field value (without
/// surrounding whitespace, RFC 9110 §5.5) names, and its length: the name,
/// case aside, then no more `tchar` (RFC 9110 §11.4: `credentials =
/// auth-scheme [ 1*SP ( token68 / #auth-param ) ]`). The one reading of the
/// header's scheme, for finding the token and for choosing the challenge
/// of a refusal.
fn scheme_among(field: &[u8], accepted: &[AuthScheme]) -> Option<(AuthScheme, usize)> {
    accepted.iter().find_map(|&scheme| {
        let name = scheme.name().as_bytes();
        let named = field
            .get(..name.len())
            .is_some_and(|start| start.eq_ignore_ascii_case(name));
        let ends = !field.get(name.len()).is_some_and(|&b| is_tchar(b));
        (named && ends).then_some((scheme, name.len()))
    })
}

/// The scheme among `accepted` that a request presented in
/// `Authorization`, read as the token was.
pub(crate) fn presented_scheme(headers: &HeaderMap, accepted: &[AuthScheme]) -> Presented {
    let mut values = headers.get_all(AUTHORIZATION).iter();
    match (values.next(), values.next()) {
        (None, _) => Presented::Nothing,
        (Some(value), None) => {
            let bytes = value.as_bytes();
            let (start, end) = trim_ows(bytes);
            Presented::Scheme(scheme_among(&bytes[start..end], accepted).map(|(scheme, _)| scheme))
        }
        (Some(_), Some(_)) => Presented::Several,
    }
}

/// Bounds of `bytes` without leading and trailing SP / HTAB.
fn trim_ows(bytes: &[u8]) -> (usize, usize) {
    let is_ows = |b: &u8| *b == b' ' || *b == b'\t';
    let start = bytes.iter().position(|b| !is_ows(b)).unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !is_ows(b))
        .map_or(start, |i| i + 1);
    (start, end)
}

/// RFC 9110 `tchar`: a visible character other than a delimiter (§5.6.2).
/// The space after a scheme, its usual end, is answered by the first test.
fn is_tchar(b: u8) -> bool {
    b.is_ascii_graphic() && !b"\"(),/:;<=>?@[\\]{}".contains(&b)
}

/// Form decoding (`application/x-www-form-urlencoded`): `+` is a space,
/// `%XX` a byte. A broken escape stays as it is, and its `%` then fails
/// the `b64token` check.
fn form_decode(raw: &str) -> Vec<u8> {
    let spaced = match raw.contains('+') {
        true => Cow::Owned(raw.replace('+', " ")),
        false => Cow::Borrowed(raw),
    };
    percent_encoding::percent_decode_str(&spaced).collect()
}

/// `uri` without its `access_token` parameters, so the token does not reach
/// the inner service (and its logs) through the URI (RFC 6750 §5.3).
pub(crate) fn without_access_token(uri: &Uri) -> Option<Uri> {
    let query = uri.query()?;
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| *pair != "access_token" && !pair.starts_with("access_token="))
        .collect();
    let path_and_query = if kept.is_empty() {
        uri.path().to_owned()
    } else {
        format!("{}?{}", uri.path(), kept.join("&"))
    };
    let mut parts = uri.clone().into_parts();
    parts.path_and_query = Some(PathAndQuery::try_from(path_and_query).ok()?);
    Uri::from_parts(parts).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tchar_is_rfc_9110s_list() {
        for b in 0..=u8::MAX {
            let listed = b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
            assert_eq!(is_tchar(b), listed, "{b:#x}");
        }
    }

    enum Expect {
        Token(&'static str),
        None,
        Error(ErrorKind),
    }
    use Expect::*;

    fn run(
        extractor: &TokenExtractor,
        headers: &[(&str, &[u8])],
        uri: &'static str,
    ) -> Result<Option<String>, ErrorKind> {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            let name = HeaderName::from_bytes(name.as_bytes()).expect("name");
            map.append(name, HeaderValue::from_bytes(value).expect("value"));
        }
        extractor
            .extract(&map, &Uri::from_static(uri))
            .map(|t| t.map(|t| t.as_str().to_owned()))
            .map_err(|e| e.kind())
    }

    fn check(extractor: &TokenExtractor, cases: &[Case<'_>]) {
        for (name, headers, uri, expect) in cases {
            let got = run(extractor, headers, uri);
            match expect {
                Token(t) => assert_eq!(got, Ok(Some((*t).to_owned())), "case {name}"),
                None => assert_eq!(got, Ok(Option::None), "case {name}"),
                Error(kind) => assert_eq!(got, Err(*kind), "case {name}"),
            }
        }
    }

    const A: &str = "authorization";

    /// Name, header lines, URI, expected outcome.
    type Case<'a> = (&'a str, &'a [(&'a str, &'a [u8])], &'static str, Expect);

    #[test]
    fn authorization_header() {
        use ErrorKind::*;
        let long = format!("Bearer {}", "a".repeat(5000));
        let negotiate = format!("Negotiate {}", "a".repeat(5000));
        let cases: &[Case<'_>] = &[
            ("absent", &[], "/", None),
            ("bearer", &[(A, b"Bearer abc")], "/", Token("abc")),
            ("lower", &[(A, b"bearer abc")], "/", Token("abc")),
            ("upper", &[(A, b"BEARER abc")], "/", Token("abc")),
            ("two spaces", &[(A, b"Bearer  abc")], "/", Token("abc")),
            (
                "trailing spaces",
                &[(A, b"Bearer abc  ")],
                "/",
                Token("abc"),
            ),
            ("padding", &[(A, b"Bearer abc==")], "/", Token("abc==")),
            (
                "tab",
                &[(A, b"Bearer\tabc")],
                "/",
                Error(MalformedCredentials),
            ),
            (
                "no token",
                &[(A, b"Bearer")],
                "/",
                Error(MalformedCredentials),
            ),
            (
                "space only",
                &[(A, b"Bearer ")],
                "/",
                Error(MalformedCredentials),
            ),
            (
                "comma",
                &[(A, b"Bearer abc,Bearer def")],
                "/",
                Error(MalformedCredentials),
            ),
            (
                "extra",
                &[(A, b"Bearer abc def")],
                "/",
                Error(MalformedCredentials),
            ),
            (
                "inner padding",
                &[(A, b"Bearer ab=cd")],
                "/",
                Error(MalformedCredentials),
            ),
            (
                "auth-param",
                &[(A, b"Bearer realm=\"x\"")],
                "/",
                Error(MalformedCredentials),
            ),
            (
                "non-ascii",
                &[(A, "Bearer tök".as_bytes())],
                "/",
                Error(MalformedCredentials),
            ),
            (
                "obs-text",
                &[(A, b"Bearer t\xe9k")],
                "/",
                Error(MalformedCredentials),
            ),
            ("basic", &[(A, b"Basic dXNlcjpwYXNz")], "/", None),
            ("glued", &[(A, b"Bearerabc")], "/", None),
            ("empty", &[(A, b"")], "/", None),
            (
                "two lines",
                &[(A, b"Bearer abc"), (A, b"Bearer abc")],
                "/",
                Error(MultipleTokens),
            ),
            (
                "basic and bearer",
                &[(A, b"Basic x"), (A, b"Bearer abc")],
                "/",
                Error(MultipleTokens),
            ),
            (
                "proxy",
                &[("proxy-authorization", b"Bearer abc")],
                "/",
                None,
            ),
            ("query ignored", &[], "/?access_token=abc", None),
            (
                "too long",
                &[(A, long.as_bytes())],
                "/",
                Error(TokenTooLong),
            ),
            (
                "other scheme, long",
                &[(A, negotiate.as_bytes())],
                "/",
                None,
            ),
            ("scheme prefix", &[(A, b"Bearers abc")], "/", None),
        ];
        check(&TokenExtractor::new(), cases);
    }

    #[test]
    fn other_sources() {
        use ErrorKind::*;
        let extractor = TokenExtractor::new()
            .with_header(HeaderName::from_static("x-api-key"))
            .and_then(|e| e.with_cookie("token"))
            .expect("valid names")
            .with_query_parameter();
        let cases: &[Case<'_>] = &[
            ("query", &[], "/?a=1&access_token=abc&b=2", Token("abc")),
            (
                "query encoded",
                &[],
                "/?access_token=a%2Bb%2F%3D",
                Token("a+b/="),
            ),
            (
                "query plus is space",
                &[],
                "/?access_token=a+b",
                Error(MalformedCredentials),
            ),
            (
                "query empty",
                &[],
                "/?access_token=",
                Error(MalformedCredentials),
            ),
            (
                "query bare name",
                &[],
                "/?access_token",
                Error(MalformedCredentials),
            ),
            (
                "query broken escape",
                &[],
                "/?access_token=a%2",
                Error(MalformedCredentials),
            ),
            ("query other name", &[], "/?access_tokens=abc", None),
            (
                "query twice",
                &[],
                "/?access_token=a&access_token=b",
                Error(MultipleTokens),
            ),
            (
                "header and query",
                &[(A, b"Bearer abc")],
                "/?access_token=abc",
                Error(MultipleTokens),
            ),
            ("custom header", &[("x-api-key", b"abc")], "/", Token("abc")),
            ("custom header empty", &[("x-api-key", b"")], "/", None),
            (
                "custom header bad",
                &[("x-api-key", b"a b")],
                "/",
                Error(MalformedCredentials),
            ),
            (
                "custom and bearer",
                &[("x-api-key", b"abc"), (A, b"Bearer abc")],
                "/",
                Error(MultipleTokens),
            ),
            (
                "cookie",
                &[("cookie", b"a=1; token=abc; b=2")],
                "/",
                Token("abc"),
            ),
            (
                "cookie quoted",
                &[("cookie", b"token=\"abc\"")],
                "/",
                Token("abc"),
            ),
            (
                "cookie split lines",
                &[("cookie", b"a=1"), ("cookie", b"token=abc")],
                "/",
                Token("abc"),
            ),
            (
                "cookie twice",
                &[("cookie", b"token=a; token=b")],
                "/",
                Error(MultipleTokens),
            ),
            (
                "cookie empty",
                &[("cookie", b"token=")],
                "/",
                Error(MalformedCredentials),
            ),
            (
                "cookie other",
                &[("cookie", b"xtoken=abc; tokenx=abc")],
                "/",
                None,
            ),
            (
                "cookie and bearer",
                &[("cookie", b"token=abc"), (A, b"Bearer abc")],
                "/",
                Error(MultipleTokens),
            ),
            (
                "basic and cookie",
                &[("cookie", b"token=abc"), (A, b"Basic x")],
                "/",
                Token("abc"),
            ),
        ];
        check(&extractor, cases);
    }

    #[test]
    fn query_token_is_removed_from_the_uri() {
        let cases = [
            ("/me?access_token=abc", "/me"),
            ("/me?a=1&access_token=abc&b=2", "/me?a=1&b=2"),
            ("/me?access_token&x=access_token", "/me?x=access_token"),
            (
                "http://h/me?access_tokens=1&access_token=a",
                "http://h/me?access_tokens=1",
            ),
        ];
        for (uri, expected) in cases {
            let uri: Uri = uri.parse().expect("uri");
            let stripped = without_access_token(&uri).expect("has a query");
            assert_eq!(stripped, expected, "{uri}");
        }
    }

    #[test]
    fn form_decoding() {
        assert_eq!(form_decode("a%2Bb+c"), b"a+b c");
        for broken in ["%", "%2", "%-1", "%g0"] {
            assert_eq!(form_decode(broken), broken.as_bytes(), "{broken:?}");
            assert!(!is_b64token(&form_decode(broken)), "{broken:?}");
        }
    }

    #[test]
    fn configuration_is_checked() {
        assert!(TokenExtractor::new().with_header(AUTHORIZATION).is_err());
        assert!(TokenExtractor::new().with_cookie("").is_err());
        assert!(TokenExtractor::new().with_cookie("a;b").is_err());
        assert!(TokenExtractor::new().with_max_len(0).is_err());
    }
}
