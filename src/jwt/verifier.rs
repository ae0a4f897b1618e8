//! [`JwtVerifier`]: a JWT access token in, the application's claims out.

use std::any::Any;
use std::fmt;
use std::marker::PhantomData;
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::request::Parts;
use jsonwebtoken::Algorithm;
use serde::de::DeserializeOwned;

use super::JwtFuture;
use super::access_claims::AccessClaims;
use super::builder::{JwtVerifierBuilder, TypeRule};
use super::compact::{Compact, decode_segment};
use super::error::{JwtError, JwtErrorKind};
use super::header::JoseHeader;
use super::key_source::{KeySource, KeySources, Lookup};
use super::provider_rules::PayloadCheck;
use crate::error::AuthError;
use crate::facts::{KeyFingerprint, TokenFacts};
use crate::registered::{ClaimRules, Keep, Registered};
use crate::token::BearerToken;
use crate::verify::{Verdict, VerifyToken};

/// The application's own check of the claims, run last: `Err` carries a
/// short fixed reason for logs.
pub(crate) type ClaimsCheck<C> = Arc<dyn Fn(&C) -> Result<(), &'static str> + Send + Sync>;

/// How a verified payload (its JSON text and what the registered-claims
/// pass kept) becomes the claims `C`.
pub(crate) type ReadClaims<C> = fn(String, Registered) -> Result<C, JwtError>;

/// The reader of `C`, and whether the registered-claims pass must keep what
/// it reads: for [`AccessClaims`], the members it reads up front, so the
/// payload is read once; for any other type, serde reads the payload again
/// (and the pass keeps nothing more).
pub(crate) fn claims_reader<C: DeserializeOwned + 'static>() -> (ReadClaims<C>, Keep) {
    let access_claims: ReadClaims<AccessClaims> = AccessClaims::from_verified;
    // A cast of the function pointer's type, which succeeds when `C` is
    // `AccessClaims`. Comparing `TypeId`s would say so too, but would not
    // give a reader typed for `C`; this needs no `unsafe`, and no trait
    // bound a user's type must meet.
    match (&access_claims as &dyn Any).downcast_ref::<ReadClaims<C>>() {
        Some(&reader) => (
            reader,
            Keep {
                access_members: true,
                ..Keep::default()
            },
        ),
        None => (deserialize::<C>, Keep::default()),
    }
}

fn deserialize<C: DeserializeOwned>(json: String, _: Registered) -> Result<C, JwtError> {
    serde_json::from_str(&json).map_err(|_| JwtError::new(JwtErrorKind::Malformed))
}

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
/// jsonwebtoken's `decode` reads the header and the claims twice each,
/// builds its validation and rebuilds the backend's key per call. This
/// verifier builds everything once, keys included (each in the crypto
/// backend's own parsed form), reads the payload once for the registered
/// claims and [`AccessClaims`], and per token does the signature check and
/// nothing more of the crypto.
pub struct JwtVerifier<C = AccessClaims> {
    inner: Arc<Inner<C>>,
}

pub(crate) struct Inner<C> {
    pub(crate) sources: KeySources,
    pub(crate) rules: ClaimRules,
    pub(crate) types: TypeRule,
    pub(crate) max_token_size: usize,
    pub(crate) check: Option<ClaimsCheck<C>>,
    /// The identity provider's rules on the payload, if a profile is used.
    pub(crate) payload_check: Option<PayloadCheck>,
    pub(crate) read_claims: ReadClaims<C>,
    /// What the registered-claims pass keeps for `read_claims`.
    pub(crate) keep: Keep,
    pub(crate) _claims: PhantomData<fn() -> C>,
}

impl JwtVerifier {
    /// A builder of a verifier answering [`AccessClaims`]; see
    /// [`JwtVerifierBuilder`]. For claims of a type of your own, start from
    /// [`JwtVerifierBuilder::new`].
    pub fn builder() -> JwtVerifierBuilder<AccessClaims> {
        JwtVerifierBuilder::new()
    }
}

impl<C> JwtVerifier<C> {
    pub(crate) fn from_inner(inner: Inner<C>) -> Self {
        Self {
            inner: Arc::new(inner),
        }
    }
}

impl<C: DeserializeOwned> JwtVerifier<C> {
    /// Verifies `token` now and answers its claims, or why it was refused.
    /// A token bound to a key (`cnf`) is refused ([`JwtErrorKind::Bound`]):
    /// nothing here checks its binding.
    ///
    /// With fetched keys (feature `jwks`) it never waits: a token naming a
    /// key not fetched yet is refused ([`JwtErrorKind::UnknownKey`]), as is
    /// any token while no keys are usable ([`JwtErrorKind::KeysUnavailable`]),
    /// and a refresh starts within the cooldown rules. The layer, through
    /// [`VerifyToken`], waits for that refresh instead.
    pub fn verify_jwt(&self, token: &str) -> Result<C, JwtError> {
        self.verify_jwt_at(token, now())
    }

    /// Verifies `token` as if the time were `now` (seconds since the Unix
    /// epoch): for tests and replaying logs, not for serving requests.
    pub fn verify_jwt_at(&self, token: &str, now: u64) -> Result<C, JwtError> {
        let mut stalled = None;
        let verified = self.verify_at(token.as_bytes(), now, false, &mut stalled);
        if let Some(source) = stalled {
            source.refresh_soon();
        }
        verified
    }

    /// Verifies `token`, refusing it if it is bound to a key unless
    /// `binding_checked` (by the caller, afterwards); when the issuer's
    /// key source cannot decide (an unknown `kid`, no usable keys),
    /// `stalled` receives it, so the caller may wait for a refresh and
    /// try again.
    fn verify_at(
        &self,
        token: &[u8],
        now: u64,
        binding_checked: bool,
        stalled: &mut Option<Arc<dyn KeySource>>,
    ) -> Result<C, JwtError> {
        let inner = &*self.inner;
        let (payload, registered) = self.read(token, inner.keep, |read| {
            self.check_signature(
                read.kid,
                read.registered.issuer(),
                read.alg,
                &read.compact,
                stalled,
            )?;
            read.registered.check(&inner.rules, now)?;
            if let Some(check) = &inner.payload_check {
                check(&read.payload)?;
            }
            if read.registered.is_bound() && !binding_checked {
                return Err(JwtErrorKind::Bound.into());
            }
            Ok((read.payload, read.registered))
        })?;
        let claims = (inner.read_claims)(payload, registered)?;
        if let Some(check) = &inner.check {
            check(&claims)
                .map_err(|reason| JwtError::with_detail(JwtErrorKind::Rejected, reason))?;
        }
        Ok(claims)
    }
}

/// A token taken apart and read; its signature not checked yet.
struct Read<'a> {
    compact: Compact<'a>,
    alg: Algorithm,
    kid: Option<&'a str>,
    payload: String,
    registered: Registered,
}

impl<C> JwtVerifier<C> {
    /// Takes `token` apart and reads its header and registered claims
    /// (keeping `keep` besides), then hands them to `then`: the
    /// checks up to the key choice, shared by verification and
    /// [`token_facts`](VerifyToken::token_facts).
    fn read<R>(
        &self,
        token: &[u8],
        keep: Keep,
        then: impl FnOnce(Read<'_>) -> Result<R, JwtError>,
    ) -> Result<R, JwtError> {
        let inner = &*self.inner;
        if token.len() > inner.max_token_size {
            return Err(JwtErrorKind::TooLarge.into());
        }
        let compact = Compact::split(token)?;

        // Both segments decoded first: padding or a character outside
        // base64url anywhere is malformed, before any other check.
        let header_json = decode_segment(compact.header)?;
        let payload = decode_segment(compact.payload)?;
        let header_json = std::str::from_utf8(&header_json).map_err(|_| JwtErrorKind::Malformed)?;
        let header = JoseHeader::read(header_json).map_err(|_| JwtErrorKind::Malformed)?;
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
        // Read, not yet trusted: the token's issuer selects its keys. Its
        // UTF-8 checked once here, not string by string.
        let payload = String::from_utf8(payload).map_err(|_| JwtErrorKind::Malformed)?;
        let registered = Registered::read(&payload, &inner.rules, keep)?;
        then(Read {
            compact,
            alg,
            kid: header.kid.as_deref(),
            payload,
            registered,
        })
    }

    /// The facts of a token this verifier accepted: `exp`, `jti` and the
    /// fingerprints of every key that could have verified it (usually one).
    /// Keys that cannot be looked up any more (fetched keys gone stale)
    /// leave the `jti` in place and an expiry in the past, so a revocation
    /// check still finds the token and no cache keeps it.
    fn facts(&self, token: &[u8]) -> Result<TokenFacts, JwtError> {
        let keep = Keep {
            id: true,
            ..Keep::default()
        };
        self.read(token, keep, |read| {
            let issuer = read.registered.issuer();
            let mut facts = TokenFacts::new();
            if let Some(jti) = read.registered.jti() {
                facts = facts.with_token_id(jti);
            }
            let keys = self.fingerprints(read.kid, issuer, read.alg);
            Ok(match (keys, read.registered.expiry()) {
                (Ok(keys), exp) => {
                    let facts = keys.into_iter().fold(facts, TokenFacts::with_key);
                    match exp {
                        Some(exp) => facts.with_expiry(epoch_seconds(exp)),
                        None => facts,
                    }
                }
                (Err(_), _) => facts.with_expiry(UNIX_EPOCH),
            })
        })
    }

    /// The fingerprints of the keys that `kid`, `issuer` and `alg` select
    /// now.
    fn fingerprints(
        &self,
        kid: Option<&str>,
        issuer: Option<usize>,
        alg: Algorithm,
    ) -> Result<Vec<KeyFingerprint>, JwtError> {
        self.source(issuer).fingerprints(kid, alg)
    }

    /// Whether every key in `facts` is still held by a key source.
    fn trusts(&self, facts: &TokenFacts) -> bool {
        facts.keys().iter().all(|key| self.inner.sources.hold(key))
    }

    /// The key source of the accepted issuer at `issuer` (an index), or of
    /// tokens without one.
    fn source(&self, issuer: Option<usize>) -> &Arc<dyn KeySource> {
        self.inner.sources.of(issuer)
    }
}

/// `exp` as a time; a negative or absurd one as the epoch itself (long
/// expired).
fn epoch_seconds(exp: f64) -> SystemTime {
    if exp.is_finite() && exp > 0.0 {
        Duration::try_from_secs_f64(exp)
            .ok()
            .and_then(|since| UNIX_EPOCH.checked_add(since))
            .unwrap_or(UNIX_EPOCH)
    } else {
        UNIX_EPOCH
    }
}

impl<C> JwtVerifier<C> {
    /// Checks the signature with the keys of the token's issuer; a source
    /// that could not decide goes into `stalled`.
    fn check_signature(
        &self,
        kid: Option<&str>,
        issuer: Option<usize>,
        alg: Algorithm,
        compact: &Compact<'_>,
        stalled: &mut Option<Arc<dyn KeySource>>,
    ) -> Result<(), JwtError> {
        let source = self.source(issuer);
        let kind = match source.verify(kid, alg, compact) {
            Lookup::Done(verified) => return verified,
            Lookup::UnknownKid => JwtErrorKind::UnknownKey,
            Lookup::NoKeys => JwtErrorKind::KeysUnavailable,
        };
        *stalled = Some(Arc::clone(source));
        Err(kind.into())
    }
}

pub(crate) fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs())
}

impl<C> VerifyToken for JwtVerifier<C>
where
    C: DeserializeOwned + Clone + Send + Sync + 'static,
{
    type Claims = C;
    type Future = JwtFuture<C>;

    /// A token bound to a key (`cnf`) is refused ([`JwtErrorKind::Bound`])
    /// unless [`BearerToken::binding_checked`]: a layer with DPoP checks
    /// the binding after this verifier, a plain one does not.
    ///
    /// Verification is CPU work of microseconds: it is done at once, and
    /// the future is ready, unless the issuer's fetched keys lack the
    /// token's `kid` or are unusable: then it waits for one refresh
    /// (bounded by the key source's timeout) and verifies again.
    fn verify(&self, token: BearerToken, _head: &Parts) -> Self::Future {
        let mut stalled = None;
        let bound_ok = token.binding_checked();
        // The bytes: a b64token is ASCII, no need to check it is UTF-8.
        let verified = self.verify_at(token.as_bytes(), now(), bound_ok, &mut stalled);
        if let Some(source) = stalled {
            let verifier = self.clone();
            return JwtFuture::waiting(async move {
                source.refreshed().await;
                verifier
                    .verify_at(token.as_bytes(), now(), bound_ok, &mut None)
                    .map_err(|error| match error.kind() {
                        JwtErrorKind::KeysUnavailable => {
                            AuthError::from(error).with_retry_after(source.retry_after())
                        }
                        _ => AuthError::from(error),
                    })
            });
        }
        JwtFuture::ready(verified.map_err(AuthError::from))
    }

    fn verify_now(&self, token: BearerToken, head: &Parts) -> Verdict<C, Self::Future> {
        self.verify(token, head).into_verdict()
    }

    /// `exp`, `jti` and the keys that could have verified the token, read
    /// again from it (a cache calls this once per new token). A token that
    /// cannot be read again gets an expiry in the past, so nothing keeps it.
    fn token_facts(&self, token: &BearerToken, _claims: &C) -> TokenFacts {
        self.facts(token.as_bytes())
            .unwrap_or_else(|_| TokenFacts::new().with_expiry(UNIX_EPOCH))
    }

    /// A JWT (a header and a payload that read as JSON objects) whose `iss`
    /// is an issuer this verifier accepts, or any JWT when it accepts every
    /// issuer. The signature and the claims are left to verification.
    fn recognizes(&self, token: &BearerToken) -> bool {
        let every_issuer = self.inner.rules.issuers.is_empty();
        self.read(token.as_bytes(), Keep::default(), |read| {
            Ok(every_issuer || read.registered.issuer().is_some())
        })
        .unwrap_or(false)
    }

    /// `false` once a key that vouched for the token left the configured
    /// keys and the usable fetched ones (a rotation, or keys past their
    /// staleness).
    fn still_trusts(&self, facts: &TokenFacts) -> bool {
        self.trusts(facts)
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
            .field("sources", &inner.sources)
            .field("rules", &inner.rules)
            .field("types", &inner.types)
            .field("max_token_size", &inner.max_token_size)
            .field("claims_check", &inner.check.is_some())
            .field("provider_check", &inner.payload_check.is_some())
            .finish()
    }
}
