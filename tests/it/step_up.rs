//! RFC 9470 step-up authentication over a real axum server on 127.0.0.1:
//! routes requiring an `acr`, a `max_age`, or both, against every
//! combination of the token's `acr` and `auth_time`, each with its exact
//! status, challenge and the claims the handler saw; the plain challenge
//! without a token or claims, `invalid_token` before any step-up, the gRPC
//! status, and the tower contract.

use crate::support;

use std::sync::LazyLock;
use std::task::Poll;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::routing::get;
use http::{Request, Response, StatusCode};
use support::UNKNOWN_TOKEN;
use tower_bearer_auth::axum::Claims;
use tower_bearer_auth::step_up::{ANY_ACR, AuthenticationEvent, RequireAuthenticationLayer};
use tower_bearer_auth::{BearerAuthLayer, StaticTokens};
use tower_test::mock;

const C0: &str = r#"Bearer realm="api""#;
const INVALID: &str =
    r#"Bearer realm="api", error="invalid_token", error_description="the access token is invalid""#;
/// The refusal of `/acr`: `mfa` or `hwk`, in that order of preference.
const ACR: &str = r#"Bearer realm="api", error="insufficient_user_authentication", error_description="a stronger or more recent user authentication is required", acr_values="mfa hwk""#;
/// The refusal of `/age`: at most 300 seconds.
const AGE: &str = r#"Bearer realm="api", error="insufficient_user_authentication", error_description="a stronger or more recent user authentication is required", max_age="300""#;
/// The refusal of `/both`, whichever requirement failed.
const BOTH: &str = r#"Bearer realm="api", error="insufficient_user_authentication", error_description="a stronger or more recent user authentication is required", acr_values="mfa hwk", max_age="300""#;

const MAX_AGE: Duration = Duration::from_secs(300);

/// Seconds since the epoch when the tests started: every token's
/// `auth_time` is relative to it.
static START: LazyLock<i64> = LazyLock::new(|| {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970");
    i64::try_from(since.as_secs()).expect("seconds fit")
});

#[derive(Clone, Debug, PartialEq)]
struct User {
    sub: String,
    acr: Option<String>,
    auth_time: Option<i64>,
}

impl AuthenticationEvent for User {
    fn acr(&self) -> Option<&str> {
        self.acr.as_deref()
    }

    fn auth_time(&self) -> Option<i64> {
        self.auth_time
    }

    fn subject(&self) -> Option<&str> {
        Some(&self.sub)
    }
}

/// The `acr` of a token.
#[derive(Clone, Copy, Debug)]
enum Acr {
    /// `mfa`, the first acceptable value.
    Mfa,
    /// `hwk`, the second acceptable value.
    Hwk,
    /// `pwd`, not acceptable.
    Other,
    /// No `acr` claim.
    Absent,
}

/// The `auth_time` of a token.
#[derive(Clone, Copy, Debug)]
enum AuthTime {
    /// A minute ago: within `max_age`.
    Recent,
    /// 15 minutes ago: past `max_age`.
    TooOld,
    /// No `auth_time` claim.
    Absent,
    /// An hour ahead: beyond the leeway.
    Future,
}

impl Acr {
    fn claim(self) -> Option<String> {
        match self {
            Self::Mfa => Some("mfa".to_owned()),
            Self::Hwk => Some("hwk".to_owned()),
            Self::Other => Some("pwd".to_owned()),
            Self::Absent => None,
        }
    }
}

impl AuthTime {
    fn claim(self) -> Option<i64> {
        match self {
            Self::Recent => Some(*START - 60),
            Self::TooOld => Some(*START - 900),
            Self::Absent => None,
            Self::Future => Some(*START + 3600),
        }
    }
}

/// One token of the matrix, with the verdict each route must give it:
/// `true` to let it through, `false` to answer the route's challenge.
struct Case {
    acr: Acr,
    auth_time: AuthTime,
    acr_route: bool,
    age_route: bool,
    both_route: bool,
}

const fn case(
    acr: Acr,
    auth_time: AuthTime,
    acr_route: bool,
    age_route: bool,
    both_route: bool,
) -> Case {
    Case {
        acr,
        auth_time,
        acr_route,
        age_route,
        both_route,
    }
}

/// Every `acr` × every `auth_time`, and the second acceptable `acr`.
#[rustfmt::skip]
const MATRIX: [Case; 13] = [
    //    acr          auth_time           /acr   /age   /both
    case(Acr::Mfa,    AuthTime::Recent,   true,  true,  true),
    case(Acr::Mfa,    AuthTime::TooOld,   true,  false, false),
    case(Acr::Mfa,    AuthTime::Absent,   true,  false, false),
    case(Acr::Mfa,    AuthTime::Future,   true,  false, false),
    case(Acr::Other,  AuthTime::Recent,   false, true,  false),
    case(Acr::Other,  AuthTime::TooOld,   false, false, false),
    case(Acr::Other,  AuthTime::Absent,   false, false, false),
    case(Acr::Other,  AuthTime::Future,   false, false, false),
    case(Acr::Absent, AuthTime::Recent,   false, true,  false),
    case(Acr::Absent, AuthTime::TooOld,   false, false, false),
    case(Acr::Absent, AuthTime::Absent,   false, false, false),
    case(Acr::Absent, AuthTime::Future,   false, false, false),
    case(Acr::Hwk,    AuthTime::Recent,   true,  true,  true),
];

impl Case {
    fn name(&self) -> String {
        format!("acr {:?}, auth_time {:?}", self.acr, self.auth_time)
    }

    /// A static token of at least 22 characters naming the case.
    fn token(&self) -> String {
        format!("step-up-{:?}-{:?}-0123456789", self.acr, self.auth_time)
    }

    fn user(&self) -> User {
        User {
            sub: format!("{:?}-{:?}", self.acr, self.auth_time).to_lowercase(),
            acr: self.acr.claim(),
            auth_time: self.auth_time.claim(),
        }
    }
}

fn tokens() -> StaticTokens<User> {
    MATRIX
        .iter()
        .try_fold(StaticTokens::new(), |tokens, case| {
            tokens.with_token(case.token(), case.user())
        })
        .expect("valid tokens")
}

/// What the handler answers: the claims it saw.
fn seen(user: &User) -> String {
    format!(
        "sub={} acr={:?} auth_time={:?}",
        user.sub, user.acr, user.auth_time
    )
}

async fn handler(Claims(user): Claims<User>) -> String {
    seen(&user)
}

/// `/acr`, `/age` and `/both` behind one authentication layer, each with
/// its step-up layer; `/optional` behind an optional authentication layer,
/// so a request may reach its step-up layer without claims.
fn app() -> Router {
    let auth = BearerAuthLayer::new(tokens());
    let acr = auth
        .require_authentication(["mfa", "hwk"], None)
        .expect("valid requirement");
    let age = auth
        .require_authentication(ANY_ACR, Some(MAX_AGE))
        .expect("valid requirement");
    let both = auth
        .require_authentication(["mfa", "hwk"], Some(MAX_AGE))
        .expect("valid requirement");
    let optional = Router::new()
        .route(
            "/optional",
            get(handler).route_layer(
                RequireAuthenticationLayer::<User>::new(["mfa"], Some(MAX_AGE))
                    .expect("valid requirement"),
            ),
        )
        .route_layer(BearerAuthLayer::new(tokens()).optional());
    Router::new()
        .route("/acr", get(handler).route_layer(acr))
        .route("/age", get(handler).route_layer(age))
        .route("/both", get(handler).route_layer(both))
        .route_layer(auth)
        .merge(optional)
}

fn bearer(token: &str) -> Vec<u8> {
    format!("Authorization: Bearer {token}").into_bytes()
}

#[tokio::test]
async fn every_combination_of_acr_and_auth_time_on_every_route() {
    let address = support::serve(app()).await;
    let mut checked = 0;
    for case in &MATRIX {
        let routes = [
            ("/acr", case.acr_route, ACR),
            ("/age", case.age_route, AGE),
            ("/both", case.both_route, BOTH),
        ];
        for (path, accepted, challenge) in routes {
            let name = format!("{} on {path}", case.name());
            let response = support::get(address, path, &[&bearer(&case.token())]).await;
            if accepted {
                assert_eq!(response.status, 200, "{name}");
                assert_eq!(response.header("www-authenticate"), None, "{name}");
                assert_eq!(response.body_text(), seen(&case.user()), "{name}");
            } else {
                assert_eq!(response.status, 401, "{name}");
                assert_eq!(
                    response.header("www-authenticate").as_deref(),
                    Some(challenge),
                    "{name}"
                );
                assert_eq!(response.body_text(), "", "{name}");
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 39);
}

#[tokio::test]
async fn the_handler_sees_the_claims_of_the_token() {
    let address = support::serve(app()).await;
    let response = support::get(address, "/both", &[&bearer(&MATRIX[0].token())]).await;
    assert_eq!(response.status, 200);
    assert_eq!(
        response.body_text(),
        format!(
            "sub=mfa-recent acr=Some(\"mfa\") auth_time=Some({})",
            *START - 60
        )
    );
}

#[tokio::test]
async fn no_token_or_a_bad_one_never_learns_the_requirement() {
    let address = support::serve(app()).await;
    let mfa_recent = bearer(&MATRIX[0].token());
    let pwd_recent = bearer(&MATRIX[4].token());
    let unknown = bearer(UNKNOWN_TOKEN);
    /// Name, path, header lines, status, challenge, body.
    type Row<'a> = (&'a str, &'a str, Vec<&'a [u8]>, u16, &'a str, String);
    let rows: Vec<Row<'_>> = vec![
        ("no token on /acr", "/acr", vec![], 401, C0, String::new()),
        ("no token on /age", "/age", vec![], 401, C0, String::new()),
        ("no token on /both", "/both", vec![], 401, C0, String::new()),
        (
            "basic on /both",
            "/both",
            vec![&b"Authorization: Basic dXNlcjpwYXNz"[..]],
            401,
            C0,
            String::new(),
        ),
        (
            "unknown token on /both",
            "/both",
            vec![unknown.as_slice()],
            401,
            INVALID,
            String::new(),
        ),
        (
            "optional, no token: no claims reach the step-up layer",
            "/optional",
            vec![],
            401,
            C0,
            String::new(),
        ),
        (
            "optional, weak token",
            "/optional",
            vec![pwd_recent.as_slice()],
            401,
            r#"Bearer realm="api", error="insufficient_user_authentication", error_description="a stronger or more recent user authentication is required", acr_values="mfa", max_age="300""#,
            String::new(),
        ),
        (
            "optional, strong token",
            "/optional",
            vec![mfa_recent.as_slice()],
            200,
            "",
            seen(&MATRIX[0].user()),
        ),
    ];
    for (name, path, headers, status, challenge, body) in rows {
        let response = support::get(address, path, &headers).await;
        assert_eq!(response.status, status, "{name}");
        let expected = (!challenge.is_empty()).then_some(challenge);
        assert_eq!(
            response.header("www-authenticate").as_deref(),
            expected,
            "{name}"
        );
        assert_eq!(response.body_text(), body, "{name}");
    }
}

#[tokio::test]
async fn grpc_calls_get_status_16_with_the_challenge() {
    let address = support::serve(app()).await;
    let cases = [
        ("weak acr on /both", "/both", MATRIX[4].token(), BOTH),
        ("too old on /age", "/age", MATRIX[1].token(), AGE),
        ("no auth_time on /both", "/both", MATRIX[2].token(), BOTH),
    ];
    for (name, path, token, challenge) in cases {
        let authorization = bearer(&token);
        let headers = [authorization.as_slice(), b"Content-Type: application/grpc"];
        let response = support::get(address, path, &headers).await;
        assert_eq!(response.status, 200, "{name}");
        assert_eq!(
            response.header("grpc-status").as_deref(),
            Some("16"),
            "{name}"
        );
        assert_eq!(
            response.header("grpc-message").as_deref(),
            Some(
                "insufficient_user_authentication: a stronger or more recent user authentication is required"
            ),
            "{name}"
        );
        assert_eq!(
            response.header("www-authenticate").as_deref(),
            Some(challenge),
            "{name}"
        );
        assert_eq!(
            response.header("content-type").as_deref(),
            Some("application/grpc"),
            "{name}"
        );
        assert_eq!(response.body_text(), "", "{name}");
    }
}

type Req = Request<&'static str>;
type Res = Response<String>;

fn request_with(user: Option<User>) -> Req {
    let mut request = Request::get("/both").body("body").expect("valid request");
    if let Some(user) = user {
        request.extensions_mut().insert(user);
    }
    request
}

#[tokio::test]
async fn poll_ready_is_forwarded_and_refusals_never_reach_the_inner_service() {
    let layer = RequireAuthenticationLayer::<User>::new(["mfa"], Some(MAX_AGE)).expect("valid");
    let (mut service, mut handle) = mock::spawn_layer::<Req, Res, _>(layer);

    handle.allow(0);
    assert!(
        service.poll_ready().is_pending(),
        "not ready while the inner service is not"
    );
    handle.allow(1);
    assert!(matches!(service.poll_ready(), Poll::Ready(Ok(()))));

    let refused = [
        ("no claims", None),
        ("weak acr", Some(MATRIX[4].user())),
        ("too old", Some(MATRIX[1].user())),
    ];
    for (name, user) in refused {
        assert!(
            matches!(service.poll_ready(), Poll::Ready(Ok(()))),
            "{name}"
        );
        // A request let through would wait for the mock forever: bound it.
        let response = tokio::time::timeout(support::DEADLINE, service.call(request_with(user)))
            .await
            .unwrap_or_else(|_| panic!("{name}: refused at once, not passed to the inner service"))
            .expect("a response, not an error");
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{name}");
        assert!(
            handle.poll_request().is_pending(),
            "{name}: the inner service got the request"
        );
    }

    // The service polled ready is the one called, with the claims.
    assert!(matches!(service.poll_ready(), Poll::Ready(Ok(()))));
    let call = service.call(request_with(Some(MATRIX[0].user())));
    let serve = async {
        let (request, send) = handle.next_request().await.expect("the request arrives");
        assert_eq!(request.extensions().get::<User>(), Some(&MATRIX[0].user()));
        assert_eq!(*request.body(), "body");
        send.send_response(Response::new("hello".to_owned()));
    };
    let (response, ()) =
        tokio::time::timeout(support::DEADLINE, async { tokio::join!(call, serve) })
            .await
            .expect("answered within the deadline");
    let response = response.expect("the inner response");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.body(), "hello");

    handle.send_error("inner service failed");
    match service.poll_ready() {
        Poll::Ready(Err(error)) => assert_eq!(error.to_string(), "inner service failed"),
        other => panic!(
            "the inner error is passed through, got {:?}",
            other.map_err(|e| e.to_string())
        ),
    }
}
