//! DPoP (RFC 9449) and certificate-bound tokens (RFC 8705) over a real
//! server on 127.0.0.1, with proofs and tokens made by PyJWT
//! (`tests/fixtures/dpop/generate.py`): every case of the fixtures gets
//! the exact status and challenges it must, in the order written.

use crate::support;

use tower_bearer_auth::dpop::{ClientCertificate, DpopPolicy};
use tower_bearer_auth::{AuthCounters, ErrorKind};

use support::dpop::{ALGS, BEARER, call, challenges, fixtures, rules, server};

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
        let dpop = rules(&fixtures, policy, nonces).build().expect("rules");
        let address = server(&fixtures, dpop, None, counters.clone()).await;
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
        rules(&fixtures, DpopPolicy::BearerOrDpop, false)
            .build()
            .expect("rules"),
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
        rules(&fixtures, DpopPolicy::BearerOnly, false)
            .build()
            .expect("rules"),
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
            rules(&fixtures, DpopPolicy::BearerOrDpop, false)
                .build()
                .expect("rules"),
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

/// A custom rejection that builds its own answer still hands out the nonce
/// (the client cannot retry without it), and the challenges it left out
/// are added.
#[tokio::test]
async fn a_custom_rejection_keeps_the_nonce() {
    use axum::body::Body;
    use http::{Request, Response, StatusCode};
    use tower::ServiceExt;
    use tower_bearer_auth::axum::Claims;
    use tower_bearer_auth::jwt::AccessClaims;
    use tower_bearer_auth::{BearerAuthLayer, Rejected};

    let fixtures = fixtures();
    let case = fixtures["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .find(|case| case["name"] == "nonce: none in the proof")
        .expect("the case");
    let dpop = rules(&fixtures, DpopPolicy::BearerOrDpop, true)
        .build()
        .expect("rules");
    let bare = |rejected: &Rejected<'_>| {
        let mut response = Response::new(Body::from(rejected.error().to_string()));
        *response.status_mut() = rejected.error().kind().status();
        response
    };
    let app = axum::Router::new()
        .route(
            "/me",
            axum::routing::get(|Claims(c): Claims<AccessClaims>| async move {
                c.sub().unwrap_or_default().to_owned()
            }),
        )
        .route_layer(
            BearerAuthLayer::new(support::dpop::verifier(&fixtures))
                .with_dpop(dpop)
                .with_rejection(bare),
        );
    let token = fixtures["tokens"]["es256"].as_str().expect("token");
    let request = Request::get("/me")
        .header("authorization", format!("DPoP {token}"))
        .header("dpop", case["proofs"][0].as_str().expect("proof"))
        .body(Body::empty())
        .expect("a request");
    let response = app.oneshot(request).await.expect("an answer");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        response.headers()["dpop-nonce"],
        fixtures["current_nonce"].as_str().expect("nonce")
    );
    assert_eq!(response.headers()["cache-control"], "no-store");
    let challenges: Vec<_> = response
        .headers()
        .get_all("www-authenticate")
        .iter()
        .collect();
    assert_eq!(challenges.len(), 2);
    assert_eq!(challenges[0], BEARER);
    assert!(
        challenges[1]
            .to_str()
            .expect("ASCII")
            .starts_with(&format!(r#"{ALGS}, error="use_dpop_nonce""#)),
        "{challenges:?}"
    );
}
