//! [`JwtVerifier`]: a JWT access token in, the application's claims out.

use std::fmt;
use std::future::{Ready, ready};
use std::marker::PhantomData;
use std::str::FromStr;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use http::request::Parts;
use jsonwebtoken::Algorithm;
use serde::de::DeserializeOwned;

use super::access_claims::AccessClaims;
use super::builder::{JwtVerifierBuilder, TypeRule};
use super::claims::{ClaimRules, Registered};
use super::compact::{Compact, decode_segment};
use super::error::{JwtError, JwtErrorKind};
use super::header::JoseHeader;
use super::key_set::KeySet;
use crate::error::AuthError;
use crate::token::BearerToken;
use crate::verify::VerifyToken;

/// The application's own check of the claims, run last: `Err` carries a
/// short fixed reason for logs.
pub(crate) type ClaimsCheck<C> = Arc<dyn Fn(&C) -> Result<(), &'static str> + Send + Sync>;

/// Verifies JWT access tokens (RFC 7519, RFC 9068) signed with configured
/// keys, and answers the claims as `C`, any type serde can read
/// ([`AccessClaims`] by default).
///
/// Built with [`JwtVerifier::builder`]; cloning it is a pointer copy. Each
/// token is checked in this order, and the first failure is the
/// [`JwtErrorKind`]: size; the compact form (three base64url segments); the
/// header, read once (a JSON object without duplicate names, `crit`, `b64`,
/// `zip` or a nested `cty`); `alg` (exactly one of jsonwebtoken's names,
/// never `none`); `typ`; the payload, read once for the registered claims
/// (types, duplicate names, depth); the key, chosen by `iss`, `kid` and
/// `alg`; the signature; the registered claims checked (`exp`, `nbf`, `iat`
/// with the leeway, `iss`, `aud`, the required claims); then `C` is read
/// from the payload and the application's check runs.
///
/// jsonwebtoken's `decode` reads the header and the claims twice each and
/// builds its validation per call; this verifier builds everything once and
/// calls only jsonwebtoken's signature primitive per token.
pub struct JwtVerifier<C = AccessClaims> {
    inner: Arc<Inner<C>>,
}

pub(crate) struct Inner<C> {
    pub(crate) keys: KeySet,
    pub(crate) rules: ClaimRules,
    pub(crate) types: TypeRule,
    pub(crate) max_token_size: usize,
    pub(crate) check: Option<ClaimsCheck<C>>,
    pub(crate) _claims: PhantomData<fn() -> C>,
}

impl<C> JwtVerifier<C> {
    /// A builder; see [`JwtVerifierBuilder`].
    pub fn builder() -> JwtVerifierBuilder<C> {
        JwtVerifierBuilder::new()
    }

    pub(crate) fn from_inner(inner: Inner<C>) -> Self {
        Self {
            inner: Arc::new(inner),
        }
    }
}

impl<C: DeserializeOwned> JwtVerifier<C> {
    /// Verifies `token` now and answers its claims, or why it was refused.
    pub fn verify_jwt(&self, token: &str) -> Result<C, JwtError> {
        self.verify_at(token.as_bytes(), now())
    }

    /// Verifies `token` as if the time were `now` (seconds since the Unix
    /// epoch): for tests and replaying logs, not for serving requests.
    pub fn verify_jwt_at(&self, token: &str, now: u64) -> Result<C, JwtError> {
        self.verify_at(token.as_bytes(), now)
    }

    fn verify_at(&self, token: &[u8], now: u64) -> Result<C, JwtError> {
        let inner = &*self.inner;
        if token.len() > inner.max_token_size {
            return Err(JwtErrorKind::TooLarge.into());
        }
        let compact = Compact::split(token)?;

        // Both segments decoded first: padding or a character outside
        // base64url anywhere is malformed, before any other check.
        let header_json = decode_segment(compact.header)?;
        let payload = decode_segment(compact.payload)?;
        let header: JoseHeader<'_> = serde_json::from_slice(&header_json)
            .map_err(|_| JwtError::new(JwtErrorKind::Malformed))?;
        let alg = header.alg.ok_or(JwtErrorKind::Malformed)?;
        if header.unsupported {
            return Err(JwtErrorKind::Unsupported.into());
        }
        // Exactly one of the names, case-sensitive: `none`, `None` and
        // `hs256` are all refused here (RFC 8725 §3.1).
        let alg = Algorithm::from_str(&alg).map_err(|_| JwtErrorKind::Algorithm)?;
        if !inner.types.accepts(header.typ.as_deref()) {
            return Err(JwtErrorKind::WrongType.into());
        }
        // Read, not yet trusted: the token's issuer selects its keys.
        let registered = Registered::read(&payload, &inner.rules)?;
        let kid = header.kid.as_deref();
        inner.keys.verify(kid, registered.issuer(), alg, &compact)?;

        registered.check(&inner.rules, now)?;
        let claims: C =
            serde_json::from_slice(&payload).map_err(|_| JwtError::new(JwtErrorKind::Malformed))?;
        if let Some(check) = &inner.check {
            check(&claims)
                .map_err(|reason| JwtError::with_detail(JwtErrorKind::Rejected, reason))?;
        }
        Ok(claims)
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs())
}

impl<C> VerifyToken for JwtVerifier<C>
where
    C: DeserializeOwned + Clone + Send + Sync + 'static,
{
    type Claims = C;
    type Future = Ready<Result<C, AuthError>>;

    /// Verification is CPU work of microseconds: it is done at once, and
    /// the future is ready.
    fn verify(&self, token: BearerToken, _head: &Parts) -> Self::Future {
        // The bytes: a b64token is ASCII, no need to check it is UTF-8.
        ready(
            self.verify_at(token.as_bytes(), now())
                .map_err(AuthError::from),
        )
    }
}

impl<C> Clone for JwtVerifier<C> {
    fn clone(&self) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<C> fmt::Debug for JwtVerifier<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &*self.inner;
        f.debug_struct("JwtVerifier")
            .field("keys", &inner.keys)
            .field("rules", &inner.rules)
            .field("types", &inner.types)
            .field("max_token_size", &inner.max_token_size)
            .field("claims_check", &inner.check.is_some())
            .finish()
    }
}
