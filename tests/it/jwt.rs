//! `JwtVerifier` against tokens made by an independent JOSE implementation
//! (PyJWT, `tests/fixtures/jwt/`): every valid token accepted with its
//! claims, every hostile one refused for its own reason, and the answers a
//! client gets over HTTP on 127.0.0.1.

use crate::support;
use crate::support::jwt as fixtures;

use std::io::ErrorKind as IoErrorKind;
use std::net::TcpListener;

use axum::routing::get;
use axum::{Json, Router};
use fixtures::{AUDIENCE, ISSUER, fixture, fixtures, verifier};
use tower_bearer_auth::axum::Claims;
use tower_bearer_auth::jwt::jsonwebtoken::Algorithm;
use tower_bearer_auth::jwt::{AccessClaims, JwtErrorKind, JwtKey, JwtProfile, JwtVerifier};
use tower_bearer_auth::{AuthError, BearerAuthLayer, ConfigError};

#[test]
fn every_fixture_gets_its_verdict() {
    let jwt = verifier(JwtProfile::Jwt);
    let rfc9068 = verifier(JwtProfile::Rfc9068);
    let mut failures = Vec::new();
    let all = fixtures();
    assert!(all.len() >= 80, "{} fixtures", all.len());
    for fixture in &all {
        let verifier = match fixture.profile {
            JwtProfile::Rfc9068 => &rfc9068,
            _ => &jwt,
        };
        let verdict = verifier.verify_jwt(&fixture.token);
        match (&fixture.reason, verdict) {
            (None, Ok(claims)) => {
                let expected = fixture.claims.as_ref().and_then(|c| c.as_object());
                if Some(claims.as_map()) != expected {
                    failures.push(format!("{}: claims {:?}", fixture.name, claims.as_map()));
                }
            }
            (Some(reason), Err(error)) if error.kind() == *reason => {}
            (expected, got) => failures.push(format!(
                "{}: expected {expected:?}, got {:?}",
                fixture.name,
                got.map(|_| "accepted").map_err(|e| e.kind())
            )),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn each_algorithm_is_accepted_with_its_claims() {
    let verifier = verifier(JwtProfile::Jwt);
    for (name, sub) in [
        ("hs256-valid", "user-hs256"),
        ("rs256-valid", "user-rs256"),
        ("ps256-valid", "user-ps256"),
        ("es256-valid", "user-es256"),
        ("es384-valid", "user-es384"),
        ("eddsa-valid", "user-eddsa"),
    ] {
        let claims = verifier.verify_jwt(&fixture(name).token).expect(name);
        assert_eq!(claims.sub(), Some(sub), "{name}");
        assert_eq!(claims.iss(), Some(ISSUER), "{name}");
        assert_eq!(claims.audiences().collect::<Vec<_>>(), [AUDIENCE], "{name}");
        assert_eq!(claims.scopes().as_str(), "read", "{name}");
    }
    let scp = verifier
        .verify_jwt(&fixture("hs256-scp-array").token)
        .expect("scp");
    assert_eq!(scp.scopes().iter().collect::<Vec<_>>(), ["read", "admin"]);
}

#[test]
fn every_key_format_verifies_the_same_tokens() {
    let rs256 = fixture("rs256-valid").token;
    let es256 = fixture("es256-valid").token;
    let eddsa = fixture("eddsa-valid").token;
    let hs256 = fixture("hs256-valid").token;
    let text = |name| String::from_utf8(fixtures::file(name)).expect("utf-8");
    let cases: Vec<(&str, JwtKey, &str)> = vec![
        (
            "rsa spki pem",
            JwtKey::from_pem(fixtures::file("rsa.pem")).expect("pem"),
            &rs256,
        ),
        (
            "rsa pkcs1 pem",
            JwtKey::from_pem(fixtures::file("rsa-pkcs1.pem")).expect("pem"),
            &rs256,
        ),
        (
            "rsa der",
            JwtKey::from_der(fixtures::file("rsa.der")).expect("der"),
            &rs256,
        ),
        (
            "rsa jwk",
            JwtKey::from_jwk_json(&text("rsa.jwk.json")).expect("jwk"),
            &rs256,
        ),
        (
            "ec256 pem",
            JwtKey::from_pem(fixtures::file("ec256.pem")).expect("pem"),
            &es256,
        ),
        (
            "ec256 der",
            JwtKey::from_der(fixtures::file("ec256.der")).expect("der"),
            &es256,
        ),
        (
            "ec256 jwk",
            JwtKey::from_jwk_json(&text("ec256.jwk.json")).expect("jwk"),
            &es256,
        ),
        (
            "ed25519 pem",
            JwtKey::from_pem(fixtures::file("ed25519.pem")).expect("pem"),
            &eddsa,
        ),
        (
            "ed25519 der",
            JwtKey::from_der(fixtures::file("ed25519.der")).expect("der"),
            &eddsa,
        ),
        (
            "ed25519 jwk",
            JwtKey::from_jwk_json(&text("ed25519.jwk.json")).expect("jwk"),
            &eddsa,
        ),
        (
            "hmac jwk",
            JwtKey::from_jwk_json(&text("hs256.jwk.json")).expect("jwk"),
            &hs256,
        ),
    ];
    for (name, key, token) in cases {
        // Without a kid the key answers whatever kid the token names.
        let verifier: JwtVerifier = JwtVerifier::builder()
            .with_key(key)
            .with_issuer(ISSUER)
            .with_audience(AUDIENCE)
            .build()
            .expect(name);
        assert!(verifier.verify_jwt(token).is_ok(), "{name}");
    }
}

#[test]
fn jwk_metadata_binds_kid_and_algorithm() {
    let rsa =
        JwtKey::from_jwk_json(&String::from_utf8(fixtures::file("rsa.jwk.json")).expect("utf-8"))
            .expect("jwk");
    assert_eq!(rsa.kid(), Some("rsa"));
    assert_eq!(rsa.algorithms().collect::<Vec<_>>(), [Algorithm::RS256]);
    let verifier: JwtVerifier = JwtVerifier::builder()
        .with_key(rsa.clone())
        .with_audience(AUDIENCE)
        .build()
        .expect("verifier");
    // A PS256 token for the same key is refused: the JWK says RS256.
    let ps256 = JwtKey::from_pem(fixtures::file("rsa.pem"))
        .and_then(|key| key.with_kid("rsa"))
        .and_then(|key| key.with_algorithm(Algorithm::PS256))
        .expect("pss key");
    let pss: JwtVerifier = JwtVerifier::builder()
        .with_key(ps256)
        .with_audience(AUDIENCE)
        .build()
        .expect("verifier");
    let rs256_token = fixture("rs256-valid").token;
    assert!(verifier.verify_jwt(&rs256_token).is_ok());
    assert_eq!(
        pss.verify_jwt(&rs256_token)
            .map(|_| ())
            .map_err(|e| e.kind()),
        Err(JwtErrorKind::Algorithm)
    );
}

#[test]
fn unsafe_or_useless_configurations_are_refused() {
    let text = |name| String::from_utf8(fixtures::file(name)).expect("utf-8");
    let rsa = || JwtKey::from_pem(fixtures::file("rsa.pem")).expect("rsa");
    let p256 = || JwtKey::from_pem(fixtures::file("ec256.pem")).expect("p-256");
    let secret = || JwtKey::hmac([7u8; 32]).expect("32-byte secret");
    let mut enc_jwk: serde_json::Value = serde_json::from_str(&text("rsa.jwk.json")).expect("jwk");
    enc_jwk["use"] = "enc".into();
    let mut sign_only_jwk: serde_json::Value =
        serde_json::from_str(&text("ec256.jwk.json")).expect("jwk");
    sign_only_jwk["key_ops"] = serde_json::json!(["sign"]);
    let mut p384_labelled: serde_json::Value =
        serde_json::from_str(&text("ec256.jwk.json")).expect("jwk");
    p384_labelled["crv"] = "P-384".into();
    p384_labelled.as_object_mut().expect("object").remove("alg");
    let cases: Vec<(&str, Result<JwtKey, ConfigError>, ConfigError)> = vec![
        (
            "rsa 1024",
            JwtKey::from_pem(fixtures::file("rsa-1024.pem")),
            ConfigError::WeakKey { min_bits: 2048 },
        ),
        (
            "empty secret",
            JwtKey::hmac(b""),
            ConfigError::WeakKey { min_bits: 256 },
        ),
        (
            "password",
            JwtKey::hmac(b"hunter2"),
            ConfigError::WeakKey { min_bits: 256 },
        ),
        (
            "31-byte secret",
            JwtKey::hmac([7u8; 31]),
            ConfigError::WeakKey { min_bits: 256 },
        ),
        (
            "HS512 with a 32-byte secret",
            secret().with_algorithm(Algorithm::HS512),
            ConfigError::AlgorithmNotForKey,
        ),
        (
            "RS256 on a secret",
            secret().with_algorithm(Algorithm::RS256),
            ConfigError::AlgorithmNotForKey,
        ),
        (
            "HS256 on an RSA key",
            rsa().with_algorithm(Algorithm::HS256),
            ConfigError::AlgorithmNotForKey,
        ),
        (
            "ES384 on a P-256 key",
            p256().with_algorithm(Algorithm::ES384),
            ConfigError::AlgorithmNotForKey,
        ),
        (
            "no algorithm",
            rsa().with_algorithms([]),
            ConfigError::AlgorithmNotForKey,
        ),
        ("empty kid", rsa().with_kid(""), ConfigError::InvalidKeyId),
        (
            "huge kid",
            rsa().with_kid("k".repeat(257)),
            ConfigError::InvalidKeyId,
        ),
        (
            "private key",
            JwtKey::from_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"),
            ConfigError::InvalidKey,
        ),
        (
            "not pem",
            JwtKey::from_pem("hello"),
            ConfigError::InvalidKey,
        ),
        (
            "garbage der",
            JwtKey::from_der([0x30, 0x03, 0x02, 0x01, 0x05]),
            ConfigError::InvalidKey,
        ),
        (
            "jwk use enc",
            JwtKey::from_jwk_json(&enc_jwk.to_string()),
            ConfigError::InvalidKey,
        ),
        (
            "jwk key_ops sign",
            JwtKey::from_jwk_json(&sign_only_jwk.to_string()),
            ConfigError::InvalidKey,
        ),
        (
            "jwk crv lies",
            JwtKey::from_jwk_json(&p384_labelled.to_string()),
            ConfigError::InvalidKey,
        ),
        (
            "jwk garbage",
            JwtKey::from_jwk_json("{}"),
            ConfigError::InvalidKey,
        ),
        // A public key used as an HMAC secret would let anyone who has it
        // make valid HS256 tokens.
        (
            "pem as secret",
            JwtKey::hmac(fixtures::file("rsa.pem")),
            ConfigError::InvalidKey,
        ),
        (
            "indented pem as secret",
            JwtKey::hmac(format!("  \n{}", text("ec256.pem"))),
            ConfigError::InvalidKey,
        ),
        (
            "jwk as secret",
            JwtKey::hmac(text("rsa.jwk.json")),
            ConfigError::InvalidKey,
        ),
        (
            "openssh key as secret",
            JwtKey::hmac(
                "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl user@host",
            ),
            ConfigError::InvalidKey,
        ),
    ];
    for (name, result, expected) in cases {
        assert_eq!(result.map(|_| ()), Err(expected), "{name}");
    }

    let build = |builder: tower_bearer_auth::jwt::JwtVerifierBuilder<AccessClaims>| {
        builder.build().map(|_| ())
    };
    assert_eq!(
        build(JwtVerifier::builder().with_audience(AUDIENCE)),
        Err(ConfigError::NoKeys)
    );
    assert_eq!(
        build(JwtVerifier::builder().with_key(rsa())),
        Err(ConfigError::NoAudience)
    );
    assert_eq!(
        build(
            JwtVerifier::builder()
                .with_key(rsa())
                .with_audience(AUDIENCE)
                .with_profile(JwtProfile::Rfc9068)
        ),
        Err(ConfigError::NoIssuer)
    );
    assert_eq!(
        build(
            JwtVerifier::builder()
                .with_key(rsa())
                .with_issuer(ISSUER)
                .without_audience_check()
                .with_profile(JwtProfile::Rfc9068)
        ),
        Err(ConfigError::NoAudience)
    );
    assert_eq!(
        build(
            JwtVerifier::builder()
                .with_key(rsa())
                .with_audience(AUDIENCE)
                .with_max_token_size(0)
        ),
        Err(ConfigError::ZeroMaxLength)
    );
    assert_eq!(
        build(
            JwtVerifier::builder()
                .with_key(rsa())
                .without_audience_check()
        ),
        Ok(())
    );
    let leeway = std::time::Duration::from_secs(601);
    let cases = [
        (
            JwtVerifier::builder()
                .with_key(rsa())
                .with_audience(AUDIENCE)
                .with_leeway(leeway),
            ConfigError::LeewayTooLong { max_secs: 600 },
        ),
        (
            JwtVerifier::builder()
                .with_key(rsa())
                .with_audience(AUDIENCE)
                .with_issuer(""),
            ConfigError::EmptyIssuerOrAudience,
        ),
        (
            JwtVerifier::builder().with_key(rsa()).with_audience(""),
            ConfigError::EmptyIssuerOrAudience,
        ),
    ];
    for (builder, expected) in cases {
        assert_eq!(build(builder), Err(expected));
    }
    // A random secret that happens to start with `{` is still a secret.
    assert!(JwtKey::hmac(b"{not json, just 32 bytes of secret}").is_ok());
}

#[test]
fn audience_check_can_be_turned_off_explicitly() {
    let verifier: JwtVerifier = JwtVerifier::builder()
        .with_keys(fixtures::keys())
        .with_issuer(ISSUER)
        .without_audience_check()
        .build()
        .expect("verifier");
    let id_token = verifier
        .verify_jwt(&fixture("id-token").token)
        .expect("any audience");
    assert_eq!(id_token.audiences().collect::<Vec<_>>(), ["client-1"]);
}

#[test]
fn keys_bound_to_issuers_vouch_for_their_issuer_only() {
    // Two issuers: the HMAC secret belongs to ISSUER, the RSA key to OTHER.
    const OTHER: &str = "https://evil.example.com";
    let keys = fixtures::keys();
    let bind = |kid: &str, issuer: &str| {
        let key = keys.iter().find(|key| key.kid() == Some(kid)).expect(kid);
        key.clone().with_issuer(issuer)
    };
    let verifier: JwtVerifier = JwtVerifier::builder()
        .with_key(bind("hs", ISSUER))
        .with_key(bind("rsa", OTHER))
        .with_issuer(ISSUER)
        .with_issuer(OTHER)
        .with_audience(AUDIENCE)
        .build()
        .expect("verifier");
    let kind = |name: &str| {
        verifier
            .verify_jwt(&fixture(name).token)
            .map(|_| ())
            .map_err(|e| e.kind())
    };
    assert_eq!(kind("hs256-valid"), Ok(()));
    assert_eq!(kind("hs256-no-kid"), Ok(()));
    // `iss` OTHER, signed with ISSUER's secret: that key is not OTHER's.
    assert_eq!(kind("wrong-issuer"), Err(JwtErrorKind::UnknownKey));
    // `iss` ISSUER, signed with OTHER's RSA key.
    assert_eq!(kind("rs256-valid"), Err(JwtErrorKind::UnknownKey));
    assert_eq!(kind("iss-missing"), Err(JwtErrorKind::UnknownKey));

    let rsa = || JwtKey::from_pem(fixtures::file("rsa.pem")).expect("rsa");
    let refused = [
        // Several issuers, a key bound to none of them.
        JwtVerifier::<AccessClaims>::builder()
            .with_key(rsa().with_issuer(ISSUER))
            .with_key(rsa())
            .with_issuer(ISSUER)
            .with_issuer(OTHER),
        // A key bound to an issuer that is not accepted.
        JwtVerifier::builder()
            .with_key(rsa().with_issuer(OTHER))
            .with_issuer(ISSUER),
    ];
    for builder in refused {
        let result = builder.with_audience(AUDIENCE).build().map(|_| ());
        assert_eq!(result, Err(ConfigError::IssuerBinding));
    }
}

#[test]
fn claims_check_and_required_claims() {
    let verifier: JwtVerifier = JwtVerifier::builder()
        .with_keys(fixtures::keys())
        .with_issuer(ISSUER)
        .with_audience(AUDIENCE)
        .with_required_claims(["tenant"])
        .build()
        .expect("verifier");
    let error = verifier
        .verify_jwt(&fixture("hs256-valid").token)
        .expect_err("no tenant");
    assert_eq!(error.kind(), JwtErrorKind::MissingClaim);
    assert_eq!(error.detail(), Some("tenant"));

    let verifier: JwtVerifier = JwtVerifier::builder()
        .with_keys(fixtures::keys())
        .with_issuer(ISSUER)
        .with_audience(AUDIENCE)
        .with_claims_check(|claims: &AccessClaims| match claims.sub() {
            Some(sub) if sub.starts_with("admin-") => Ok(()),
            _ => Err("not an administrator"),
        })
        .build()
        .expect("verifier");
    assert!(verifier.verify_jwt(&fixture("hs256-admin").token).is_ok());
    let error = verifier
        .verify_jwt(&fixture("hs256-valid").token)
        .expect_err("refused");
    assert_eq!(error.kind(), JwtErrorKind::Rejected);
    assert_eq!(error.to_string(), "claims rejected: not an administrator");
}

#[test]
fn leeway_and_the_clock() {
    let verifier = |leeway| -> JwtVerifier {
        JwtVerifier::builder()
            .with_keys(fixtures::keys())
            .with_issuer(ISSUER)
            .with_audience(AUDIENCE)
            .with_leeway(std::time::Duration::from_secs(leeway))
            .build()
            .expect("verifier")
    };
    // `expired` has exp 1700003600; `nbf-future` has nbf 4000000000.
    let expired = fixture("expired").token;
    let kind = |result: Result<AccessClaims, tower_bearer_auth::jwt::JwtError>| {
        result.map(|_| ()).map_err(|e| e.kind())
    };
    assert_eq!(
        kind(verifier(60).verify_jwt_at(&expired, 1_700_003_659)),
        Ok(())
    );
    assert_eq!(
        kind(verifier(60).verify_jwt_at(&expired, 1_700_003_660)),
        Err(JwtErrorKind::Expired)
    );
    assert_eq!(
        kind(verifier(0).verify_jwt_at(&expired, 1_700_003_599)),
        Ok(())
    );
    assert_eq!(
        kind(verifier(0).verify_jwt_at(&expired, 1_700_003_600)),
        Err(JwtErrorKind::Expired)
    );
    let future = fixture("nbf-future").token;
    assert_eq!(
        kind(verifier(60).verify_jwt_at(&future, 3_999_999_940)),
        Ok(())
    );
    assert_eq!(
        kind(verifier(60).verify_jwt_at(&future, 3_999_999_939)),
        Err(JwtErrorKind::NotYetValid)
    );
}

#[test]
fn jku_and_x5u_are_never_fetched() {
    // The URLs in these tokens point at this port: nothing may connect.
    let listener = TcpListener::bind("127.0.0.1:47913").expect("port 47913 free");
    listener.set_nonblocking(true).expect("non-blocking");
    let verifier = verifier(JwtProfile::Jwt);
    for name in ["jku-elsewhere", "x5u-elsewhere", "jwk-embedded"] {
        assert!(verifier.verify_jwt(&fixture(name).token).is_err(), "{name}");
    }
    match listener.accept() {
        Err(error) if error.kind() == IoErrorKind::WouldBlock => {}
        other => panic!("the verifier connected somewhere: {other:?}"),
    }
}

#[test]
fn nothing_secret_in_debug_or_errors() {
    let secret = String::from_utf8(fixtures::file("hs256.secret")).expect("utf-8");
    let pem = String::from_utf8(fixtures::file("rsa.pem")).expect("utf-8");
    let pem_body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let verifier = verifier(JwtProfile::Jwt);
    let debug = format!("{verifier:?} {:?}", fixtures::keys());
    assert!(!debug.contains(&secret), "secret in {debug}");
    assert!(!debug.contains(&pem_body[..40]), "key in {debug}");
    // Nor as bytes: the Debug output shows only ids, kinds and algorithms.
    let secret_bytes = format!("{:?}", &secret.as_bytes()[..8]);
    assert!(
        !debug.contains(secret_bytes.trim_end_matches(']')),
        "secret bytes in {debug}"
    );
    let hs = fixtures::keys().remove(0);
    assert_eq!(
        format!("{hs:?}"),
        r#"JwtKey { kid: Some("hs"), issuer: None, kind: "hmac", algorithms: {HS256}, .. }"#
    );
    for fixture in fixtures() {
        if let Err(error) = verifier.verify_jwt(&fixture.token) {
            let auth = AuthError::from(error.clone());
            let shown = format!("{error} {error:?} {auth} {auth:?}");
            for segment in fixture.token.split('.').filter(|s| s.len() > 8) {
                assert!(
                    !shown.contains(segment),
                    "{}: token in {shown}",
                    fixture.name
                );
            }
        }
    }
}

// --- over HTTP -------------------------------------------------------------

async fn app() -> std::net::SocketAddr {
    let auth = BearerAuthLayer::new(verifier(JwtProfile::Jwt));
    let app = Router::new()
        .route(
            "/me",
            get(|Claims(claims): Claims<AccessClaims>| async move { Json(claims) }),
        )
        .route(
            "/admin",
            get(|| async { "admin" }).route_layer(auth.require_scopes(["admin"])),
        )
        .route_layer(auth)
        .route("/public", get(|| async { "public" }));
    support::serve(app).await
}

async fn get_with(address: std::net::SocketAddr, path: &str, token: &str) -> support::RawResponse {
    let header = format!("Authorization: Bearer {token}");
    support::get(address, path, &[header.as_bytes()]).await
}

#[tokio::test]
async fn http_answers_for_fixture_tokens() {
    let address = app().await;
    let invalid = r#"Bearer realm="api", error="invalid_token", error_description="the access token is invalid""#;
    let expired = r#"Bearer realm="api", error="invalid_token", error_description="the access token expired""#;

    for name in ["hs256-valid", "rs256-valid", "es256-valid", "eddsa-valid"] {
        let response = get_with(address, "/me", &fixture(name).token).await;
        assert_eq!(response.status, 200, "{name}");
        let body: serde_json::Value = serde_json::from_slice(&response.body).expect("json");
        assert_eq!(Some(&body), fixture(name).claims.as_ref(), "{name}");
    }

    let admin = get_with(address, "/admin", &fixture("rs256-admin").token).await;
    assert_eq!((admin.status, admin.body_text().as_str()), (200, "admin"));
    let scp = get_with(address, "/admin", &fixture("hs256-scp-array").token).await;
    assert_eq!(scp.status, 200);
    let reader = get_with(address, "/admin", &fixture("rs256-valid").token).await;
    assert_eq!(reader.status, 403);
    assert_eq!(
        reader.header("www-authenticate").as_deref(),
        Some(
            r#"Bearer realm="api", error="insufficient_scope", error_description="the access token lacks a required scope", scope="admin""#
        )
    );

    let refused = [
        ("expired", expired),
        ("alg-none", invalid),
        ("key-confusion-rs256-to-hs256", invalid),
        ("signature-altered", invalid),
        ("wrong-audience", invalid),
        ("wrong-issuer", invalid),
        ("nbf-future", invalid),
        ("unknown-kid", invalid),
        ("crit-unknown", invalid),
        ("duplicate-claim-sub", invalid),
    ];
    for (name, challenge) in refused {
        let response = get_with(address, "/me", &fixture(name).token).await;
        assert_eq!(response.status, 401, "{name}");
        assert_eq!(
            response.header("www-authenticate").as_deref(),
            Some(challenge),
            "{name}"
        );
        assert!(response.body.is_empty(), "{name}");
    }

    // Over the layer's 4096-byte cap: refused before the verifier, 400.
    for name in ["huge", "deeply-nested"] {
        let response = get_with(address, "/me", &fixture(name).token).await;
        assert_eq!(response.status, 400, "{name}");
        let challenge = response.header("www-authenticate").unwrap_or_default();
        assert!(
            challenge.contains(r#"error="invalid_request""#),
            "{name}: {challenge}"
        );
    }

    let public = support::get(address, "/public", &[]).await;
    assert_eq!(public.status, 200);
}
