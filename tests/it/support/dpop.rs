//! What the DPoP tests share: PyJWT's fixtures (`tests/fixtures/dpop/`),
//! their clock, a server behind a DPoP layer on 127.0.0.1, and a raw
//! HTTP/1.1 call with any `Authorization` and `DPoP` lines.

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::routing::get;
use serde_json::Value;
use tower_bearer_auth::axum::Claims;
use tower_bearer_auth::dpop::{ClientCertificate, Dpop, DpopBuilder, DpopPolicy, ReplayCache};
use tower_bearer_auth::jwt::{AccessClaims, JwtKey, JwtVerifier};
use tower_bearer_auth::{AuthCounters, BearerAuthLayer};

use super::RawResponse;

pub const ALGS: &str = r#"DPoP algs="ES256 ES384 EdDSA PS256 PS384 PS512 RS256 RS384 RS512""#;
pub const BEARER: &str = r#"Bearer realm="api""#;

pub fn fixtures() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/dpop/fixtures.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).expect("fixtures")).expect("JSON")
}

pub fn fixture_now() -> u64 {
    fixtures()["now"].as_u64().expect("now")
}

/// The fixtures' clock, read once: proofs were made at this instant.
pub fn clock() -> u64 {
    static NOW: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *NOW.get_or_init(fixture_now)
}

pub fn verifier(fixtures: &Value) -> JwtVerifier {
    let key = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/dpop/issuer.jwk.json"
    ))
    .expect("issuer key");
    JwtVerifier::builder()
        .with_key(JwtKey::from_jwk_json(&key).expect("a public key"))
        .with_issuer(fixtures["issuer"].as_str().expect("issuer"))
        .with_audience(fixtures["audience"].as_str().expect("audience"))
        .build()
        .expect("a verifier")
}

/// The fixtures' rules for `policy`, on their clock, with their nonces
/// when `nonces`.
pub fn rules(fixtures: &Value, policy: DpopPolicy, nonces: bool) -> DpopBuilder {
    let mut dpop = Dpop::builder(policy)
        .with_origin(fixtures["origin"].as_str().expect("origin"))
        .expect("an origin")
        .with_clock(clock);
    if nonces {
        let secret = fixtures["nonce_secret"].as_str().expect("secret");
        let rotation = fixtures["nonce_rotation"].as_u64().expect("rotation");
        dpop = dpop
            .with_nonces(secret.as_bytes(), Duration::from_secs(rotation))
            .expect("nonces");
    }
    dpop
}

/// A server whose routes answer the subject the handler saw, behind a layer
/// with `dpop`, and `certificate` put into every request's extensions as a
/// TLS layer would.
pub async fn server<C>(
    fixtures: &Value,
    dpop: Dpop<C>,
    certificate: Option<ClientCertificate>,
    counters: AuthCounters,
) -> SocketAddr
where
    C: ReplayCache + Clone + Send + Sync + 'static,
    C::Future: Send,
{
    let auth = BearerAuthLayer::new(verifier(fixtures))
        .with_dpop(dpop)
        .with_counters(counters);
    let me = |Claims(claims): Claims<AccessClaims>| async move {
        claims.sub().unwrap_or_default().to_owned()
    };
    let app = Router::new()
        .route("/me", get(me).post(me))
        .route("/caf%c3%a9", get(me))
        .route_layer(auth)
        .layer(axum::middleware::from_fn(
            move |mut request: axum::extract::Request, next: axum::middleware::Next| async move {
                if let Some(certificate) = certificate {
                    request.extensions_mut().insert(certificate);
                }
                next.run(request).await
            },
        ));
    super::serve(app).await
}

/// `method path` with the token under `scheme` and each proof in its own
/// `DPoP` line.
pub async fn call(
    address: SocketAddr,
    method: &str,
    path: &str,
    authorization: Option<String>,
    proofs: &[&str],
    extra: &[&str],
) -> RawResponse {
    let mut request =
        format!("{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n");
    if let Some(authorization) = authorization {
        request.push_str(&format!("Authorization: {authorization}\r\n"));
    }
    for proof in proofs {
        request.push_str(&format!("DPoP: {proof}\r\n"));
    }
    for line in extra {
        request.push_str(line);
        request.push_str("\r\n");
    }
    if method == "POST" {
        request.push_str("Content-Length: 0\r\n");
    }
    request.push_str("\r\n");
    super::send(address, request.as_bytes()).await
}

/// The challenges of an answer, with each `error_description` checked to
/// be a fixed text and then left out, so the rest compares exactly.
pub fn challenges(response: &RawResponse, case: &str) -> Vec<String> {
    response
        .header_values("www-authenticate")
        .into_iter()
        .map(
            |challenge| match challenge.split_once(", error_description=\"") {
                Some((head, rest)) => {
                    let (description, tail) = rest.split_once('"').expect("closed description");
                    assert!(
                        !description.is_empty()
                            && description
                                .bytes()
                                .all(|b| (0x20..0x7f).contains(&b) && b != b'\\'),
                        "{case}: description {description:?}"
                    );
                    format!("{head}{tail}")
                }
                None => challenge,
            },
        )
        .collect()
}
