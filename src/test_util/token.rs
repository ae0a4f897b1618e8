//! [`TokenBuilder`]: a token of a [`TestIssuer`](super::TestIssuer), with
//! the claims and the flaw a test chooses.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};

use super::issuer::Signer;

/// How long a token is valid by default.
const DEFAULT_LIFETIME: Duration = Duration::from_secs(5 * 60);
/// How long ago an [`expired`](TokenBuilder::expired) token expired: more
/// than the longest leeway a verifier accepts
/// ([`MAX_LEEWAY`](crate::jwt::MAX_LEEWAY)).
const EXPIRED_AGO: Duration = Duration::from_secs(60 * 60);

/// A token of a [`TestIssuer`](super::TestIssuer), from
/// [`TestIssuer::token`](super::TestIssuer::token): valid by default,
/// changed by each call, signed by [`sign`](Self::sign).
///
/// By default the token has the claims of an RFC 9068 access token, so the
/// [`JwtProfile::Rfc9068`](crate::jwt::JwtProfile::Rfc9068) profile accepts
/// it too:
///
/// | claim | default |
/// | --- | --- |
/// | `iss` | the issuer |
/// | `sub` | `test-user` |
/// | `client_id` | `test-client` |
/// | `iat` | now |
/// | `exp` | now + 5 minutes |
/// | `jti` | new for every token signed |
/// | `aud` | none: name it with [`audience`](Self::audience) |
///
/// Its header is `{"alg": "EdDSA", "typ": "at+jwt", "kid": <the issuer's>}`.
///
/// The presets for what a verifier must refuse:
/// [`expired`](Self::expired), [`audience`](Self::audience) with another
/// audience, [`issuer`](Self::issuer) with another issuer,
/// [`signed_by_another_key`](Self::signed_by_another_key), and
/// [`claim`](Self::claim) or [`without_claim`](Self::without_claim) for
/// anything else. Cloning a builder makes variants of one token:
///
/// ```
/// # use tower_bearer_auth::test_util::TestIssuer;
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// let issuer = TestIssuer::start().await?;
/// let alice = issuer
///     .token()
///     .subject("alice")
///     .audience("https://api.example.com")
///     .scopes(["read", "write"])
///     .claim("roles", serde_json::json!(["admin"]));
/// let valid = alice.clone().sign();
/// let expired = alice.clone().expired().sign();
/// let forged = alice.signed_by_another_key().sign();
/// # let _ = (valid, expired, forged);
/// # Ok(()) }
/// ```
#[derive(Clone)]
#[must_use]
#[cfg_attr(docsrs, doc(cfg(all(feature = "test-util", feature = "jwks"))))]
pub struct TokenBuilder {
    signer: Arc<Signer>,
    /// The time the builder was made, in seconds since the Unix epoch.
    now: u64,
    claims: Map<String, Value>,
    /// Whether [`sign`](Self::sign) adds a new `jti`.
    new_jti: bool,
    typ: Option<String>,
    other_key: bool,
}

impl TokenBuilder {
    pub(super) fn new(signer: Arc<Signer>) -> Self {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |since| since.as_secs());
        let mut claims = Map::new();
        claims.insert("iss".to_owned(), Value::from(&*signer.issuer));
        claims.insert("sub".to_owned(), Value::from("test-user"));
        claims.insert("client_id".to_owned(), Value::from("test-client"));
        claims.insert("iat".to_owned(), Value::from(now));
        claims.insert(
            "exp".to_owned(),
            Value::from(now.saturating_add(DEFAULT_LIFETIME.as_secs())),
        );
        Self {
            signer,
            now,
            claims,
            new_jti: true,
            typ: Some("at+jwt".to_owned()),
            other_key: false,
        }
    }

    /// `sub`: whom the token is about.
    pub fn subject(self, subject: impl Into<String>) -> Self {
        self.claim("sub", subject.into())
    }

    /// `aud`: the one audience the token is for. Another audience than the
    /// verifier's makes a token it refuses; for several, `claim("aud",
    /// json!([...]))`.
    pub fn audience(self, audience: impl Into<String>) -> Self {
        self.claim("aud", audience.into())
    }

    /// `scope`: the scopes granted, space-separated (RFC 9068 §2.2.3).
    pub fn scopes<I>(self, scopes: I) -> Self
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        let mut scope = String::new();
        for granted in scopes {
            if !scope.is_empty() {
                scope.push(' ');
            }
            scope.push_str(granted.as_ref());
        }
        self.claim("scope", scope)
    }

    /// `client_id`: the OAuth client the token was issued to.
    pub fn client_id(self, client_id: impl Into<String>) -> Self {
        self.claim("client_id", client_id.into())
    }

    /// `iss`: another issuer than this one, which a verifier of this issuer
    /// refuses, though the token is signed with this issuer's key.
    pub fn issuer(self, issuer: impl Into<String>) -> Self {
        self.claim("iss", issuer.into())
    }

    /// Sets the claim `name` to `value`, replacing the default if any:
    /// `claim("roles", json!(["admin"]))`, `claim("nbf", ...)`.
    pub fn claim(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        let name = name.into();
        if name == "jti" {
            self.new_jti = false;
        }
        self.claims.insert(name, value.into());
        self
    }

    /// Leaves the claim `name` out, a default one included: a token
    /// without `exp` or `sub`.
    pub fn without_claim(mut self, name: &str) -> Self {
        if name == "jti" {
            self.new_jti = false;
        }
        self.claims.remove(name);
        self
    }

    /// `exp`: `lifetime` from now (default 5 minutes).
    pub fn expires_in(self, lifetime: Duration) -> Self {
        let exp = self.now.saturating_add(lifetime.as_secs());
        self.claim("exp", exp)
    }

    /// Expired an hour ago (issued two hours ago): refused by a verifier
    /// with any leeway it accepts.
    pub fn expired(self) -> Self {
        let exp = self.now.saturating_sub(EXPIRED_AGO.as_secs());
        let iat = exp.saturating_sub(EXPIRED_AGO.as_secs());
        self.claim("iat", iat).claim("exp", exp)
    }

    /// The header's `typ` (default `at+jwt`): `JWT`, or a type a verifier
    /// refuses, such as `dpop+jwt`.
    pub fn typ(mut self, typ: impl Into<String>) -> Self {
        self.typ = Some(typ.into());
        self
    }

    /// No `typ` in the header: refused by the RFC 9068 profile.
    pub fn without_typ(mut self) -> Self {
        self.typ = None;
        self
    }

    /// Signed by another key than the issuer's, under the issuer's `kid`:
    /// a verifier finds the key and refuses the signature.
    pub fn signed_by_another_key(mut self) -> Self {
        self.other_key = true;
        self
    }

    /// The token, in its compact form.
    ///
    /// # Panics
    ///
    /// Never in practice: both keys signed a token with this process's
    /// crypto backend when the issuer started, and the claims are JSON.
    pub fn sign(self) -> String {
        let mut claims = self.claims;
        if self.new_jti {
            claims.insert("jti".to_owned(), Value::from(self.signer.next_jti()));
        }
        self.signer
            .sign(self.typ.as_deref(), &claims, self.other_key)
            .expect("the test issuer's keys sign with this backend since it started")
    }
}

impl fmt::Debug for TokenBuilder {
    /// The claims and the header's type, and which key will sign, never
    /// the key.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let key = if self.other_key {
            "another"
        } else {
            "the issuer's"
        };
        f.debug_struct("TokenBuilder")
            .field("claims", &self.claims)
            .field("typ", &self.typ)
            .field("key", &key)
            .finish()
    }
}
