//! Step-up authentication per route (RFC 9470 `insufficient_user_authentication`).
//!
//! [`RequireAuthenticationLayer`] sits inside
//! [`BearerAuthLayer`](crate::BearerAuthLayer), reads the verified claims
//! from the request extensions and answers 401
//! `insufficient_user_authentication` when the user's authentication behind
//! the token is too weak (its `acr` is not one of the acceptable ones) or
//! too old (its `auth_time` is more than `max_age` ago). The challenge names
//! the route's `acr_values` and `max_age`, so the client can send the user
//! back to the authorization server for a stronger or fresher
//! authentication and retry with the new token (RFC 9470 §4, §5). With axum,
//! put it on the routes that need it with `route_layer`:
//!
//! ```
//! use std::time::{Duration, SystemTime, UNIX_EPOCH};
//!
//! use axum::{Extension, Router, body::Body, routing::get};
//! use http::{Request, StatusCode};
//! use tower::ServiceExt;
//! use tower_bearer_auth::step_up::AuthenticationEvent;
//! use tower_bearer_auth::{BearerAuthLayer, StaticTokens};
//!
//! #[derive(Clone)]
//! struct User { name: &'static str, acr: &'static str, auth_time: i64 }
//!
//! impl AuthenticationEvent for User {
//!     fn acr(&self) -> Option<&str> { Some(self.acr) }
//!     fn auth_time(&self) -> Option<i64> { Some(self.auth_time) }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let now = i64::try_from(SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs())?;
//! let tokens = StaticTokens::new()
//!     .with_token("mfa-3Yp9-kq2HcW8xTzL4mNvB", User { name: "alice", acr: "mfa", auth_time: now - 60 })?
//!     .with_token("pwd-1rQ7-dF5sJ2wXcV8bNmK", User { name: "bob", acr: "pwd", auth_time: now - 60 })?;
//!
//! let auth = BearerAuthLayer::new(tokens);
//! // `acr` "mfa", and a user authentication at most 300 seconds old.
//! let step_up = auth.require_authentication(["mfa"], Some(Duration::from_secs(300)))?;
//! let app = Router::new()
//!     .route(
//!         "/transfer",
//!         get(|Extension(user): Extension<User>| async move { user.name }).route_layer(step_up),
//!     )
//!     .route_layer(auth);
//!
//! let get = |token: &str| {
//!     Request::get("/transfer").header("authorization", format!("Bearer {token}")).body(Body::empty())
//! };
//!
//! let response = app.clone().oneshot(get("mfa-3Yp9-kq2HcW8xTzL4mNvB")?).await?;
//! assert_eq!(response.status(), StatusCode::OK);
//!
//! let response = app.oneshot(get("pwd-1rQ7-dF5sJ2wXcV8bNmK")?).await?;
//! assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
//! assert_eq!(
//!     response.headers()["www-authenticate"],
//!     r#"Bearer realm="api", error="insufficient_user_authentication", error_description="a stronger or more recent user authentication is required", acr_values="mfa", max_age="300""#,
//! );
//! # Ok(())
//! # }
//! ```
//!
//! # What is checked
//!
//! - **`acr`**: when acceptable values are configured, the token's `acr`
//!   must be one of them, an exact, case-sensitive match; a token without
//!   `acr` is refused. An empty list ([`ANY_ACR`]) accepts any `acr`, or
//!   none.
//! - **`auth_time`**: when a `max_age` is configured, the token must carry
//!   `auth_time`, at most `max_age` seconds before now, and not more than
//!   [`AUTH_TIME_LEEWAY`] after now (a clock ahead of ours by more than
//!   that is refused rather than trusted). The clock is read once per
//!   request, and only on routes with a `max_age`.
//! - **The answer** (RFC 9470 §3): 401 with
//!   `error="insufficient_user_authentication"` and both the configured
//!   `acr_values` (in the order of preference given) and `max_age`, whatever
//!   the check that failed; gRPC calls get status 16 `UNAUTHENTICATED`. The
//!   values come from the configuration only, never from the token (§9).
//! - **No claims**: a request the authentication layer did not verify (it
//!   did not run, or an [`optional`](crate::BearerAuthLayer::optional) one
//!   let it through without a token) gets the plain 401 challenge, without
//!   the route's requirement: clients that have not authenticated learn
//!   nothing about it (RFC 9470 §9).
//!
//! `acr` and `auth_time` come from the claims through
//! [`AuthenticationEvent`]: implemented by `jwt::AccessClaims` (feature
//! `jwt`) and `introspection::IntrospectionClaims` (feature
//! `introspection`), and by your own claims type in two lines.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::error::{AuthError, AuthenticationRequirement, ConfigError, ErrorKind};
use crate::rejection::DefaultRejection;
pub use crate::require::ResponseFuture;
use crate::require::{Require, RequireLayer, Requirement};
use crate::scan::is_scope_token;

/// How far in the future an `auth_time` may be, for clocks that disagree:
/// 60 seconds, the JWT verifier's default leeway.
pub const AUTH_TIME_LEEWAY: Duration = Duration::from_secs(60);

/// An empty list of acceptable `acr` values, for a requirement on
/// `max_age` only: any `acr` is accepted, or none.
///
/// ```
/// use std::time::Duration;
/// use tower_bearer_auth::step_up::{ANY_ACR, RequireAuthenticationLayer};
/// # struct User;
///
/// let recent = RequireAuthenticationLayer::<User>::new(ANY_ACR, Some(Duration::from_secs(600)))?;
/// # Ok::<(), tower_bearer_auth::ConfigError>(())
/// ```
pub const ANY_ACR: [&str; 0] = [];

/// Claims that describe the user's authentication behind the token.
///
/// `acr` and `auth_time` are the claims of RFC 9068 §2.2.1 (from OpenID
/// Connect Core §2): the authentication context class the authentication
/// satisfied, and when it took place, in whole seconds since the Unix
/// epoch. RFC 7662 introspection responses carry members of the same names
/// (RFC 9470 §6.2).
pub trait AuthenticationEvent {
    /// `acr`: the authentication context class reference, if the token
    /// carries one.
    fn acr(&self) -> Option<&str>;

    /// `auth_time`: when the user authenticated, in seconds since the Unix
    /// epoch, if the token says.
    fn auth_time(&self) -> Option<i64>;

    /// The subject the claims are about, named in the log event of a
    /// refusal; `None` unless implemented.
    fn subject(&self) -> Option<&str> {
        None
    }
}

impl<T: AuthenticationEvent + ?Sized> AuthenticationEvent for Arc<T> {
    fn acr(&self) -> Option<&str> {
        (**self).acr()
    }

    fn auth_time(&self) -> Option<i64> {
        (**self).auth_time()
    }

    fn subject(&self) -> Option<&str> {
        (**self).subject()
    }
}

/// The user authentication a route requires: strong enough (an `acr`
/// among the acceptable ones) and recent enough (an `auth_time` at most
/// `max_age` ago). A [`Requirement`] answering 401
/// `insufficient_user_authentication` with the configured `acr_values` and
/// `max_age` when the claims fall short, and 401 with the plain challenge,
/// which tells nothing of the requirement (RFC 9470 §9), when there are no
/// claims. See the [module docs](self) for what is checked.
#[derive(Clone)]
pub struct RequiredAuthentication {
    acr_values: Box<[Box<str>]>,
    max_age: Option<u64>,
    /// What the challenge names, built once and shared by every refusal.
    challenge: Arc<AuthenticationRequirement>,
}

impl RequiredAuthentication {
    /// Requires an `acr` among `acr_values` (in order of preference; empty,
    /// as [`ANY_ACR`], for any) and, with `max_age`, an `auth_time` at most
    /// that long ago, in whole seconds (a fraction of a second is dropped).
    ///
    /// Refuses a requirement of neither, and `acr` values that are empty or
    /// have characters RFC 6750 §3 does not allow in a challenge (space,
    /// `"`, `\`, controls, non-ASCII).
    pub fn new<I>(acr_values: I, max_age: Option<Duration>) -> Result<Self, ConfigError>
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        let acr_values: Box<[Box<str>]> = acr_values
            .into_iter()
            .map(|acr| {
                let acr = acr.as_ref();
                // The grammar of a scope-token is the one an acr value
                // needs: non-empty, no space, nothing to escape.
                if is_scope_token(acr) {
                    Ok(Box::from(acr))
                } else {
                    Err(ConfigError::InvalidAcrValue)
                }
            })
            .collect::<Result<_, _>>()?;
        if acr_values.is_empty() && max_age.is_none() {
            return Err(ConfigError::NoAuthenticationRequirement);
        }
        let max_age = max_age.map(|age| age.as_secs());
        let challenge = Arc::new(AuthenticationRequirement {
            acr_values: (!acr_values.is_empty()).then(|| Box::from(acr_values.join(" "))),
            max_age,
        });
        Ok(Self {
            acr_values,
            max_age,
            challenge,
        })
    }

    /// Whether `claims` meet the requirement; the clock is read only when
    /// a `max_age` is configured.
    fn accepts<C: AuthenticationEvent + ?Sized>(&self, claims: &C) -> bool {
        acr_accepted(&self.acr_values, claims.acr())
            && self
                .max_age
                .is_none_or(|max_age| recent_enough(claims.auth_time(), now(), max_age))
    }
}

impl<C: AuthenticationEvent> Requirement<C> for RequiredAuthentication {
    fn check(&self, claims: &C) -> Result<(), AuthError> {
        if self.accepts(claims) {
            return Ok(());
        }
        let error = AuthError::new(ErrorKind::InsufficientUserAuthentication)
            .with_authentication(Arc::clone(&self.challenge));
        Err(match claims.subject() {
            Some(subject) => error.with_subject(subject),
            None => error,
        })
    }
}

impl fmt::Debug for RequiredAuthentication {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequiredAuthentication")
            .field("acr_values", &self.challenge.acr_values)
            .field("max_age", &self.max_age)
            .finish()
    }
}

/// Whether `acr` is one of `acceptable`, or anything when none is listed.
fn acr_accepted(acceptable: &[Box<str>], acr: Option<&str>) -> bool {
    acceptable.is_empty() || acr.is_some_and(|acr| acceptable.iter().any(|a| **a == *acr))
}

/// Whether an authentication at `auth_time` is at most `max_age` seconds
/// before `now` and at most [`AUTH_TIME_LEEWAY`] after it.
fn recent_enough(auth_time: Option<i64>, now: i64, max_age: u64) -> bool {
    const LEEWAY: i64 = AUTH_TIME_LEEWAY.as_secs() as i64;
    let Some(auth_time) = auth_time else {
        return false;
    };
    let age = now.saturating_sub(auth_time);
    age >= -LEEWAY && age <= i64::try_from(max_age).unwrap_or(i64::MAX)
}

/// Seconds since the Unix epoch; 0 for a clock set before it, which only
/// makes every `auth_time` look in the future, so refused.
fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| {
            i64::try_from(since.as_secs()).unwrap_or(i64::MAX)
        })
}

/// Requires the user's authentication behind the verified claims `C` to be
/// strong enough and recent enough ([`RequiredAuthentication`]).
pub type RequireAuthenticationLayer<C, R = DefaultRejection> =
    RequireLayer<RequiredAuthentication, C, R>;

/// Middleware that requires a strong or recent enough user
/// authentication; built by [`RequireAuthenticationLayer`].
pub type RequireAuthentication<S, C, R = DefaultRejection> =
    Require<S, RequiredAuthentication, C, R>;

impl<C> RequireAuthenticationLayer<C> {
    /// Requires `acr_values` and `max_age` ([`RequiredAuthentication::new`]).
    ///
    /// Its challenges name the default realm; to share the realm, the
    /// rejection and the counters of an authentication layer, build it with
    /// [`BearerAuthLayer::require_authentication`](crate::BearerAuthLayer::require_authentication).
    pub fn new<I>(acr_values: I, max_age: Option<Duration>) -> Result<Self, ConfigError>
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        RequiredAuthentication::new(acr_values, max_age).map(RequireLayer::custom)
    }
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;

    use http::{Request, Response};
    use tower::{Layer, ServiceExt};

    use super::*;
    use crate::AuthCounters;

    #[derive(Clone)]
    struct Event {
        acr: Option<&'static str>,
        auth_time: Option<i64>,
    }

    impl AuthenticationEvent for Event {
        fn acr(&self) -> Option<&str> {
            self.acr
        }

        fn auth_time(&self) -> Option<i64> {
            self.auth_time
        }

        fn subject(&self) -> Option<&str> {
            Some("alice")
        }
    }

    type StepUp = RequireAuthenticationLayer<Event>;

    #[test]
    fn requirements_are_checked() {
        let minute = Some(Duration::from_secs(60));
        let cases: [(&str, Result<StepUp, ConfigError>, Option<ConfigError>); 10] = [
            ("acr only", StepUp::new(["mfa"], None), None),
            (
                "acr list",
                StepUp::new(["mfa", "hwk", "urn:x:loa:3"], None),
                None,
            ),
            ("max_age only", StepUp::new(ANY_ACR, minute), None),
            (
                "max_age zero",
                StepUp::new(ANY_ACR, Some(Duration::ZERO)),
                None,
            ),
            ("both", StepUp::new(["mfa"], minute), None),
            (
                "neither",
                StepUp::new(ANY_ACR, None),
                Some(ConfigError::NoAuthenticationRequirement),
            ),
            (
                "empty acr",
                StepUp::new([""], minute),
                Some(ConfigError::InvalidAcrValue),
            ),
            (
                "acr with a space",
                StepUp::new(["mfa", "a b"], minute),
                Some(ConfigError::InvalidAcrValue),
            ),
            (
                "acr with a quote",
                StepUp::new(["a\"b"], None),
                Some(ConfigError::InvalidAcrValue),
            ),
            (
                "non-ASCII acr",
                StepUp::new(["tök"], None),
                Some(ConfigError::InvalidAcrValue),
            ),
        ];
        for (name, result, expected) in cases {
            assert_eq!(result.err(), expected, "case {name}");
        }
        for bad in ["a\\b", "a\tb", "a\r\nb"] {
            assert_eq!(
                StepUp::new([bad], None).err(),
                Some(ConfigError::InvalidAcrValue),
                "{bad:?}"
            );
        }
        assert_eq!(
            StepUp::new(["mfa"], None)
                .and_then(|l| l.try_with_realm("a\"b"))
                .err(),
            Some(ConfigError::InvalidRealm)
        );
    }

    #[test]
    fn the_requirement_is_built_once_from_the_configuration() {
        let cases = [
            (
                StepUp::new(["mfa", "hwk"], Some(Duration::from_millis(300_900))),
                Some("mfa hwk"),
                Some(300),
            ),
            (StepUp::new(["mfa"], None), Some("mfa"), None),
            (StepUp::new(ANY_ACR, Some(Duration::ZERO)), None, Some(0)),
        ];
        for (layer, acr_values, max_age) in cases {
            let layer = layer.expect("valid requirement");
            let requirement = layer.requirement();
            assert_eq!(requirement.challenge.acr_values.as_deref(), acr_values);
            assert_eq!(requirement.challenge.max_age, max_age);
            assert_eq!(requirement.max_age, max_age);
        }
        let layer = StepUp::new(["mfa"], Some(Duration::from_secs(5))).expect("valid");
        assert_eq!(
            format!("{layer:?}"),
            r#"RequireLayer { requirement: RequiredAuthentication { acr_values: Some("mfa"), max_age: Some(5) }, .. }"#
        );
    }

    #[test]
    fn acr_matches_exactly() {
        let acceptable: Box<[Box<str>]> = Box::new(["mfa".into(), "hwk".into()]);
        let cases = [
            (Some("mfa"), true),
            (Some("hwk"), true),
            (Some("MFA"), false),
            (Some("mf"), false),
            (Some("mfa "), false),
            (Some("mfa hwk"), false),
            (Some(""), false),
            (None, false),
        ];
        for (acr, accepted) in cases {
            assert_eq!(acr_accepted(&acceptable, acr), accepted, "{acr:?}");
        }
        for acr in [Some("pwd"), Some(""), None] {
            assert!(acr_accepted(&[], acr), "any acr: {acr:?}");
        }
    }

    #[test]
    fn auth_time_within_max_age_and_leeway() {
        const NOW: i64 = 1_800_000_000;
        let cases = [
            ("just now", Some(NOW), 300, true),
            ("a minute ago", Some(NOW - 60), 300, true),
            ("exactly max_age ago", Some(NOW - 300), 300, true),
            ("one second too old", Some(NOW - 301), 300, false),
            ("an hour ago", Some(NOW - 3600), 300, false),
            ("absent", None, 300, false),
            ("future within the leeway", Some(NOW + 60), 300, true),
            ("future beyond the leeway", Some(NOW + 61), 300, false),
            ("far future", Some(i64::MAX), 300, false),
            ("far past", Some(i64::MIN), 300, false),
            ("max_age zero, same second", Some(NOW), 0, true),
            ("max_age zero, a second ago", Some(NOW - 1), 0, false),
            ("huge max_age", Some(0), u64::MAX, true),
            ("epoch", Some(0), 300, false),
        ];
        for (name, auth_time, max_age, accepted) in cases {
            assert_eq!(
                recent_enough(auth_time, NOW, max_age),
                accepted,
                "case {name}"
            );
        }
    }

    async fn answer(layer: &StepUp, claims: Option<Event>) -> Response<String> {
        let service = layer.layer(tower::service_fn(|_: Request<()>| async {
            Ok::<_, Infallible>(Response::new("called".to_owned()))
        }));
        let mut request = Request::new(());
        if let Some(claims) = claims {
            request.extensions_mut().insert(claims);
        }
        match service.oneshot(request).await {
            Ok(response) => response,
            Err(never) => match never {},
        }
    }

    #[tokio::test]
    async fn refusals_carry_the_configured_requirement_only() {
        let counters = AuthCounters::new();
        let layer = StepUp::new(["mfa"], Some(Duration::from_secs(300)))
            .expect("valid")
            .with_realm("bank")
            .with_counters(counters.clone());
        let now = now();

        let accepted = Event {
            acr: Some("mfa"),
            auth_time: Some(now - 10),
        };
        let response = answer(&layer, Some(accepted)).await;
        assert_eq!(response.status(), 200);
        assert_eq!(response.body(), "called");

        let weak = Event {
            acr: Some("pwd"),
            auth_time: Some(now - 10),
        };
        let response = answer(&layer, Some(weak)).await;
        assert_eq!(response.status(), 401);
        assert_eq!(response.body(), "");
        assert_eq!(
            response.headers()["www-authenticate"],
            r#"Bearer realm="bank", error="insufficient_user_authentication", error_description="a stronger or more recent user authentication is required", acr_values="mfa", max_age="300""#
        );
        let error = response
            .extensions()
            .get::<AuthError>()
            .expect("the error in the extensions");
        assert_eq!(error.kind(), ErrorKind::InsufficientUserAuthentication);
        assert_eq!(error.acr_values(), Some("mfa"));
        assert_eq!(error.max_age(), Some(300));
        assert_eq!(error.subject(), Some("alice"));

        // Without claims, the plain challenge: the requirement is not
        // disclosed to a client that has not authenticated.
        let response = answer(&layer, None).await;
        assert_eq!(response.status(), 401);
        assert_eq!(
            response.headers()["www-authenticate"],
            r#"Bearer realm="bank""#
        );
        let error = response.extensions().get::<AuthError>().expect("error");
        assert_eq!(error.kind(), ErrorKind::MissingCredentials);
        assert_eq!((error.acr_values(), error.max_age()), (None, None));

        assert_eq!(
            counters.refused(ErrorKind::InsufficientUserAuthentication),
            1
        );
        assert_eq!(counters.refused(ErrorKind::MissingCredentials), 1);
        assert_eq!(counters.refused_total(), 2);
    }
}
