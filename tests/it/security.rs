//! What a security review found the crate accepting, each refused now, over
//! 127.0.0.1 with PyJWT's tokens (`tests/fixtures/security/`):
//!
//! - a token bound to a key (`cnf`) sent as a plain bearer token, to a
//!   layer that does not check the binding, with the crate's claims type,
//!   a user's own, and a cache between;
//! - scopes delimited by anything but SP (`read\tadmin` granting `admin`);
//! - a revoked ES256 token presented with the other spelling of its
//!   signature;
//! - a revocation that lapses at `exp` while the verifier's leeway still
//!   accepts the token;
//! - one DPoP key filling the replay cache for everybody.

use crate::support;
use crate::support::app as support_app;
use crate::support::jwt;

use std::net::SocketAddr;
use std::time::{Duration, SystemTime};

use serde::Deserialize;
use tower_bearer_auth::cache::CachedVerifier;
use tower_bearer_auth::jwt::{
    AccessClaims, JwtErrorKind, JwtKey, JwtProfile, JwtVerifier, JwtVerifierBuilder,
};
use tower_bearer_auth::revocation::{CheckRevoked, MemoryRevocations, TokenId};
use tower_bearer_auth::scope::{HasScopes, Scopes};

use jwt::{AUDIENCE, ISSUER};
use support::{RawResponse, serve};
use support_app::{Subject, app};

const INVALID: &str =
    r#"Bearer realm="api", error="invalid_token", error_description="the access token is invalid""#;
const REVOKED: &str = r#"Bearer realm="api", error="invalid_token", error_description="the access token was revoked""#;
const NEEDS_ADMIN: &str = r#"Bearer realm="api", error="insufficient_scope", error_description="the access token lacks a required scope", scope="admin""#;

/// Every way of binding a token the fixtures have: `jkt`, `x5t#S256`, an
/// unknown member, an empty object, a string.
const BOUND: [&str; 5] = [
    "bound-jkt",
    "bound-x5t",
    "bound-unknown",
    "bound-empty",
    "bound-string",
];

fn token(name: &str) -> String {
    support::security::token(name)
}

async fn get(address: SocketAddr, path: &str, token: &str) -> RawResponse {
    let authorization = format!("Authorization: Bearer {token}");
    support::get(address, path, &[authorization.as_bytes()]).await
}

/// Asserts the status, the challenge (`None`: none) and the body.
fn assert_answer(
    response: &RawResponse,
    status: u16,
    challenge: Option<&str>,
    body: &str,
    case: &str,
) {
    assert_eq!(response.status, status, "{case}: {}", response.body_text());
    assert_eq!(
        response.header("www-authenticate").as_deref(),
        challenge,
        "{case}"
    );
    assert_eq!(response.body_text(), body, "{case}");
}

/// A user's own claims type: it knows nothing of `cnf`.
#[derive(Clone, Debug, Deserialize)]
struct UserClaims {
    sub: String,
    #[serde(default, rename = "scope")]
    scopes: Scopes,
}

impl Subject for UserClaims {
    fn who(&self) -> String {
        self.sub.clone()
    }
}

impl HasScopes for UserClaims {
    fn has_scope(&self, scope: &str) -> bool {
        self.scopes.contains(scope)
    }
}

fn user_verifier() -> JwtVerifier<UserClaims> {
    JwtVerifierBuilder::new()
        .with_keys(jwt::keys())
        .with_issuer(ISSUER)
        .with_audience(AUDIENCE)
        .build()
        .expect("a verifier")
}

#[tokio::test]
async fn a_bound_token_is_refused_as_a_plain_bearer_token() {
    let fixtures = support::security::fixtures();
    assert_eq!(fixtures["issuer"], ISSUER);
    assert_eq!(fixtures["audience"], AUDIENCE);
    let servers = [
        (
            "AccessClaims",
            serve(app(jwt::verifier(JwtProfile::Jwt))).await,
        ),
        ("a user's claims", serve(app(user_verifier())).await),
        (
            "behind a cache",
            serve(app(CachedVerifier::new(jwt::verifier(JwtProfile::Jwt)))).await,
        ),
    ];
    for (server, address) in servers {
        let unbound = get(address, "/me", &token("unbound")).await;
        assert_answer(&unbound, 200, None, "alice", server);
        for name in BOUND {
            // Twice: the second answer is the cache's, where there is one.
            for attempt in ["first", "again"] {
                let case = format!("{server}, {name}, {attempt}");
                let response = get(address, "/me", &token(name)).await;
                assert_answer(&response, 401, Some(INVALID), "", &case);
            }
        }
    }
    // The reason: the binding, not a signature or a claim.
    for name in BOUND {
        let refused = jwt::verifier(JwtProfile::Jwt).verify_jwt(&token(name));
        assert_eq!(
            refused.map(|_| ()).map_err(|e| e.kind()),
            Err(JwtErrorKind::Bound),
            "{name}"
        );
    }
}

#[tokio::test]
async fn only_space_delimits_scopes() {
    // (token, whether it grants `admin`); every one grants `/me`.
    let cases = [
        ("scope-space", true),
        ("scope-tab", false),
        ("scope-lf", false),
        ("scope-cr", false),
        ("scope-nbsp", false),
        ("scp-array", true),
        ("scp-tab", false),
        ("scp-lf", false),
        ("scp-space", false),
    ];
    let access = serve(app(jwt::verifier(JwtProfile::Jwt))).await;
    let user = serve(app(user_verifier())).await;
    for (name, admin) in cases {
        let me = get(access, "/me", &token(name)).await;
        assert_answer(&me, 200, None, "alice", name);
        let response = get(access, "/admin", &token(name)).await;
        if admin {
            assert_answer(&response, 200, None, "alice", name);
        } else {
            assert_answer(&response, 403, Some(NEEDS_ADMIN), "", name);
        }
        // A user's claims type reads `scope` through `Scopes` the same way.
        if name.starts_with("scope-") {
            let response = get(user, "/admin", &token(name)).await;
            let status = if admin { 200 } else { 403 };
            assert_eq!(response.status, status, "{name}, a user's claims");
        }
    }
    let granted = jwt::verifier(JwtProfile::Jwt)
        .verify_jwt(&token("scope-tab"))
        .expect("valid");
    assert!(
        granted.scopes().iter().next().is_none(),
        "read\\tadmin grants nothing"
    );
}

#[tokio::test]
async fn a_revoked_jwt_is_refused_in_every_spelling_of_its_signature() {
    let key = std::fs::read(support::security::ES256_PEM).expect("key");
    let verifier: JwtVerifier<AccessClaims> = JwtVerifier::builder()
        .with_key(JwtKey::from_pem(key).expect("a P-256 key"))
        .with_issuer(ISSUER)
        .with_audience(AUDIENCE)
        .build()
        .expect("a verifier");
    let revocations = MemoryRevocations::new();
    let address = serve(app(CheckRevoked::new(verifier, revocations.clone()))).await;
    let original = token("es256-no-jti");
    let twin = token("es256-no-jti-twin");
    assert_ne!(original, twin);
    // (r, s) and (r, n - s): both verify.
    for (name, token) in [("original", &original), ("twin", &twin)] {
        assert_answer(&get(address, "/me", token).await, 200, None, "carol", name);
    }

    revocations.revoke(
        TokenId::of_token(&original),
        SystemTime::now() + Duration::from_secs(3600),
    );
    for (name, token) in [("original", &original), ("twin", &twin)] {
        let response = get(address, "/me", token).await;
        assert_answer(&response, 401, Some(REVOKED), "", name);
    }
}

#[tokio::test]
async fn a_revocation_outlives_the_verifiers_leeway() {
    let revocations = MemoryRevocations::new();
    let address = serve(app(CheckRevoked::new(
        jwt::verifier(JwtProfile::Jwt),
        revocations.clone(),
    )))
    .await;
    // As if the token had expired 30 s ago: the verifier's 60 s leeway
    // still accepts it, so its revocation must still hold.
    revocations.revoke(
        TokenId::jti("sec-unbound"),
        SystemTime::now() - Duration::from_secs(30),
    );
    let response = get(address, "/me", &token("unbound")).await;
    assert_answer(&response, 401, Some(REVOKED), "", "revoked 30 s after exp");
}

/// One DPoP key (one client holding one valid bound token) sends proof
/// after proof with fresh `jti`s: it gets its share of the replay cache, a
/// 64th of each shard, then 503; another client's proof is still accepted.
#[cfg(feature = "dpop")]
#[tokio::test]
async fn one_dpop_key_cannot_fill_the_replay_cache() {
    use axum::Router;
    use axum::routing::get as route_get;
    use serde_json::Value;
    use tower_bearer_auth::BearerAuthLayer;
    use tower_bearer_auth::axum::Claims;
    use tower_bearer_auth::dpop::{Dpop, DpopPolicy, MemoryReplayCache};

    fn clock() -> u64 {
        1_800_000_000
    }

    let fixtures = support::security::fixtures();
    let dpop = &fixtures["dpop"];
    assert_eq!(dpop["now"], clock());
    let verifier: JwtVerifier = JwtVerifier::builder()
        .with_key(JwtKey::from_jwk_json(&dpop["issuer_jwk"].to_string()).expect("a key"))
        .with_issuer(ISSUER)
        .with_audience(AUDIENCE)
        .build()
        .expect("a verifier");
    // 16 shards of 64: one key may hold one proof in each.
    let rules = Dpop::builder(DpopPolicy::DpopOnly)
        .with_origin(dpop["origin"].as_str().expect("origin"))
        .expect("an origin")
        .with_clock(clock)
        .with_replay_cache(MemoryReplayCache::new(16 * 64))
        .build()
        .expect("rules");
    let me = |Claims(claims): Claims<AccessClaims>| async move { claims.who() };
    let app = Router::new()
        .route("/me", route_get(me))
        .route_layer(BearerAuthLayer::new(verifier).with_dpop(rules));
    let address = serve(app).await;
    let call = |client: &str, proof: &Value| {
        let token = dpop["clients"][client]["token"].as_str().expect("token");
        let request = format!(
            "GET /me HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\
             Authorization: DPoP {token}\r\nDPoP: {}\r\n\r\n",
            proof.as_str().expect("a proof")
        );
        async move { support::send(address, request.as_bytes()).await }
    };

    let mut accepted = 0;
    let mut refused = 0;
    for proof in dpop["clients"]["greedy"]["proofs"]
        .as_array()
        .expect("proofs")
    {
        let response = call("greedy", proof).await;
        match response.status {
            200 => {
                assert_eq!(response.body_text(), "greedy");
                accepted += 1;
            }
            status => {
                assert_eq!(status, 503, "{}", response.body_text());
                assert_eq!(response.header("retry-after").as_deref(), Some("5"));
                refused += 1;
            }
        }
    }
    assert!((1..=16).contains(&accepted), "{accepted} of 40 accepted");
    assert_eq!(accepted + refused, 40);

    let honest = &dpop["clients"]["honest"]["proofs"][0];
    let response = call("honest", honest).await;
    assert_answer(&response, 200, None, "honest", "another key");
}
