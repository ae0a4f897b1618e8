//! DPoP (RFC 9449) and certificate-bound tokens (RFC 8705) over a real
//! server on 127.0.0.1, with proofs and tokens made by PyJWT
//! (`tests/fixtures/dpop/generate.py`): every case of the fixtures gets
//! the exact status and challenges it must, in the order written.

mod support;

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::routing::get;
use serde_json::Value;
use tower_bearer_auth::axum::Claims;
use tower_bearer_auth::dpop::{ClientCertificate, Dpop, DpopPolicy};
use tower_bearer_auth::jwt::{AccessClaims, JwtKey, JwtVerifier};
use tower_bearer_auth::{AuthCounters, BearerAuthLayer, ErrorKind};

use support::RawResponse;

const ALGS: &str = r#"DPoP algs="ES256 ES384 EdDSA PS256 PS384 PS512 RS256 RS384 RS512""#;
const BEARER: &str = r#"Bearer realm="api""#;

fn fixtures() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/dpop/fixtures.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).expect("fixtures")).expect("JSON")
}

fn fixture_now() -> u64 {
    fixtures()["now"].as_u64().expect("now")
}

/// The fixtures' clock, read once: proofs were made at this instant.
fn clock() -> u64 {
    static NOW: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *NOW.get_or_init(fixture_now)
}

fn verifier(fixtures: &Value) -> JwtVerifier {
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

/// A server whose routes answer the subject the handler saw, behind a layer
/// with `policy`, nonces when `nonces`, and `certificate` put into every
/// request's extensions as a TLS layer would.
async fn server(
    fixtures: &Value,
    policy: DpopPolicy,
    nonces: bool,
    certificate: Option<ClientCertificate>,
    counters: AuthCounters,
) -> SocketAddr {
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
    let dpop = dpop.build().expect("DPoP rules");
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
    support::serve(app).await
}

/// `method path` with the token under `scheme` and each proof in its own
/// `DPoP` line.
async fn call(
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
    support::send(address, request.as_bytes()).await
}

/// The challenges of an answer, with each `error_description` checked to
/// be a fixed text and then left out, so the rest compares exactly.
fn challenges(response: &RawResponse, case: &str) -> Vec<String> {
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

#[tokio::test]
async fn every_fixture_gets_its_answer() {
    let fixtures = fixtures();
    let counters = AuthCounters::new();
    let mut servers = std::collections::HashMap::new();
    for (route, policy, nonces) in [
        ("dpop", DpopPolicy::BearerOrDpop, false),
        ("dpop-only", DpopPolicy::DpopOnly, false),
        ("nonce", DpopPolicy::BearerOrDpop, true),
    ] {
        let address = server(&fixtures, policy, nonces, None, counters.clone()).await;
        servers.insert(route, address);
    }
    let current_nonce = fixtures["current_nonce"].as_str().expect("nonce");
    let cases = fixtures["cases"].as_array().expect("cases");
    let mut expected_refusals = std::collections::HashMap::<ErrorKind, u64>::new();
    let mut accepted = 0;
    for case in cases {
        let name = case["name"].as_str().expect("name");
        let route = case["route"].as_str().expect("route");
        let token = &fixtures["tokens"][case["token"].as_str().expect("token")];
        let scheme = case["scheme"].as_str().expect("scheme");
        let proofs: Vec<&str> = case["proofs"]
            .as_array()
            .expect("proofs")
            .iter()
            .map(|p| p.as_str().expect("a proof"))
            .collect();
        let authorization = format!("{scheme} {}", token.as_str().expect("a token"));
        let response = call(
            servers[route],
            case["method"].as_str().expect("method"),
            case["path"].as_str().expect("path"),
            Some(authorization),
            &proofs,
            &[],
        )
        .await;
        let dpop_scheme = scheme.eq_ignore_ascii_case("dpop");
        let only = route == "dpop-only";
        let (status, expected, kind): (u16, Vec<String>, Option<ErrorKind>) =
            match case["expect"].as_str().expect("expect") {
                "accept" => (200, vec![], None),
                "missing" => (
                    401,
                    vec![ALGS.to_owned()],
                    Some(ErrorKind::MissingCredentials),
                ),
                code @ ("invalid_dpop_proof" | "use_dpop_nonce") => {
                    let kind = match code {
                        "invalid_dpop_proof" => ErrorKind::InvalidDpopProof,
                        _ => ErrorKind::UseDpopNonce,
                    };
                    let dpop = format!(r#"{ALGS}, error="{code}""#);
                    let expected = if only {
                        vec![dpop]
                    } else {
                        vec![BEARER.to_owned(), dpop]
                    };
                    (401, expected, Some(kind))
                }
                "invalid_token" => {
                    let error = r#", error="invalid_token""#;
                    let expected = match (only, dpop_scheme) {
                        (true, _) => vec![format!("{ALGS}{error}")],
                        (false, true) => vec![BEARER.to_owned(), format!("{ALGS}{error}")],
                        (false, false) => vec![format!("{BEARER}{error}"), ALGS.to_owned()],
                    };
                    (401, expected, Some(ErrorKind::InvalidToken))
                }
                other => panic!("{name}: unknown expectation {other}"),
            };
        assert_eq!(response.status, status, "{name}: {}", response.body_text());
        assert_eq!(challenges(&response, name), expected, "{name}");
        match kind {
            None => {
                accepted += 1;
                assert_eq!(
                    response.body_text(),
                    "alice",
                    "{name}: the handler's claims"
                );
            }
            Some(kind) => *expected_refusals.entry(kind).or_default() += 1,
        }
        if kind == Some(ErrorKind::UseDpopNonce) {
            assert_eq!(
                response.header("dpop-nonce").as_deref(),
                Some(current_nonce),
                "{name}"
            );
            assert_eq!(
                response.header("cache-control").as_deref(),
                Some("no-store"),
                "{name}"
            );
        } else {
            assert_eq!(response.header("dpop-nonce"), None, "{name}");
        }
    }
    assert_eq!(counters.accepted(), accepted);
    for (kind, count) in expected_refusals {
        assert_eq!(counters.refused(kind), count, "{kind:?}");
    }
}

#[tokio::test]
async fn no_credentials_and_ambiguous_credentials() {
    let fixtures = fixtures();
    let both = server(
        &fixtures,
        DpopPolicy::BearerOrDpop,
        false,
        None,
        AuthCounters::new(),
    )
    .await;

    // RFC 9449 §7.2: without credentials, both challenges, neither with an error.
    let response = call(both, "GET", "/me", None, &[], &[]).await;
    assert_eq!(response.status, 401);
    assert_eq!(response.header_values("www-authenticate"), [BEARER, ALGS]);

    // Both schemes at once is ambiguous: 400 with the error in both.
    let token = fixtures["tokens"]["es256"].as_str().expect("token");
    let bearer = format!("Authorization: Bearer {token}");
    let response = call(
        both,
        "GET",
        "/me",
        Some(format!("DPoP {token}")),
        &[],
        &[&bearer],
    )
    .await;
    assert_eq!(response.status, 400);
    let error = r#", error="invalid_request""#;
    assert_eq!(
        challenges(&response, "ambiguous"),
        [format!("{BEARER}{error}"), format!("{ALGS}{error}")]
    );

    // A gRPC call gets its status, with the challenges as metadata.
    let response = call(
        both,
        "GET",
        "/me",
        Some(format!("DPoP {token}")),
        &[],
        &["Content-Type: application/grpc"],
    )
    .await;
    assert_eq!(response.status, 200);
    assert_eq!(response.header("grpc-status").as_deref(), Some("16"));
    assert_eq!(
        challenges(&response, "gRPC"),
        [
            BEARER.to_owned(),
            format!(r#"{ALGS}, error="invalid_dpop_proof""#)
        ]
    );

    // DPoP is another scheme to a Bearer-only layer: no credentials.
    let bearer_only = server(
        &fixtures,
        DpopPolicy::BearerOnly,
        false,
        None,
        AuthCounters::new(),
    )
    .await;
    let response = call(
        bearer_only,
        "GET",
        "/me",
        Some(format!("DPoP {token}")),
        &[],
        &[],
    )
    .await;
    assert_eq!(response.status, 401);
    assert_eq!(response.header_values("www-authenticate"), [BEARER]);
    // And a token bound to a key is refused as Bearer there too.
    let response = call(
        bearer_only,
        "GET",
        "/me",
        Some(format!("Bearer {token}")),
        &[],
        &[],
    )
    .await;
    assert_eq!(response.status, 401);
    assert_eq!(
        challenges(&response, "bearer only"),
        [format!(r#"{BEARER}, error="invalid_token""#)]
    );
}

#[tokio::test]
async fn certificate_bound_tokens_need_their_certificate() {
    let fixtures = fixtures();
    let der = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/dpop/client.der"
    ))
    .expect("certificate");
    let token = fixtures["tokens"]["certificate"].as_str().expect("token");
    let cases = [
        (
            "its certificate",
            Some(ClientCertificate::from_der(&der)),
            200,
        ),
        (
            "another certificate",
            Some(ClientCertificate::from_der(b"another")),
            401,
        ),
        ("no certificate", None, 401),
    ];
    for (name, certificate, status) in cases {
        let address = server(
            &fixtures,
            DpopPolicy::BearerOrDpop,
            false,
            certificate,
            AuthCounters::new(),
        )
        .await;
        let response = call(
            address,
            "GET",
            "/me",
            Some(format!("Bearer {token}")),
            &[],
            &[],
        )
        .await;
        assert_eq!(response.status, status, "{name}");
        if status == 200 {
            assert_eq!(response.body_text(), "alice", "{name}");
        } else {
            assert_eq!(
                challenges(&response, name),
                [
                    format!(r#"{BEARER}, error="invalid_token""#),
                    ALGS.to_owned()
                ],
                "{name}"
            );
        }
    }
}
