//! DPoP proofs through the layer, from random bytes and from mutations of
//! the fixture proofs (the seeds): it never panics, answers 200, 400 or
//! 401 only, and accepts a DPoP request only when its proof's signed part
//! (header and payload), its token, method and path are, byte for byte,
//! those of a fixture request made to be accepted, or of a request a
//! refused fixture proof was signed for (`PROVE_ANOTHER_REQUEST`). A Bearer
//! request is accepted only with the unbound token.
//!
//! Input: one selector byte (token, method, path, scheme), then the `DPoP`
//! header lines, separated by `\n`.

#![no_main]

use std::convert::Infallible;
use std::future::{Future, ready};
use std::pin::pin;
use std::sync::LazyLock;
use std::task::{Context, Poll, Waker};

use http::{HeaderValue, Request, Response, StatusCode};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use tower::{Layer, Service, service_fn};
use tower_bearer_auth::BearerAuthLayer;
use tower_bearer_auth::dpop::{Dpop, DpopPolicy, MemoryReplayCache};
use tower_bearer_auth::jwt::{AccessClaims, JwtKey, JwtVerifier};

const FIXTURES: &str = include_str!("../../tests/fixtures/dpop/fixtures.json");
const TOKENS: [&str; 7] = [
    "es256",
    "rs256",
    "eddsa",
    "es384",
    "unbound",
    "certificate",
    "unknown_cnf",
];
const PATHS: [&str; 4] = ["/me", "/other", "/caf%c3%a9", "/me?page=2"];
/// Refused cases whose proofs the generator signed as valid proofs of a
/// request with the case's token, by method and path: the case's own
/// request, refused for something outside the signed part, or another
/// one. A mutation that drops the extra proof, flips the altered bit back
/// or changes the request to that one is rightly accepted.
const PROVE_ANOTHER_REQUEST: [(&str, &str, &str); 6] = [
    // Refused for the number of proofs: each alone is valid.
    ("two DPoP headers", "GET", "/me"),
    ("two proofs in one line", "GET", "/me"),
    // A bit of the signature flipped after signing.
    ("bad signature", "GET", "/me"),
    // Refused for the Bearer scheme.
    ("bound token as Bearer with a proof", "GET", "/me"),
    // Valid proofs of a GET, and of /other.
    ("wrong htm", "GET", "/me"),
    ("wrong htu path", "GET", "/other"),
];

fn clock() -> u64 {
    1_800_000_000
}

struct Setup {
    fixtures: Value,
    verifier: JwtVerifier,
    /// `(signed part, token, method, path without query)` of each request
    /// a fixture proof was signed for.
    acceptable: Vec<(String, String, String, String)>,
}

fn signed(proof: &str) -> &str {
    proof.rfind('.').map_or(proof, |dot| &proof[..dot])
}

fn without_query(path: &str) -> &str {
    path.split('?').next().unwrap_or(path)
}

/// The answer to one request through a fresh layer (and replay cache).
fn answer(
    setup: &Setup,
    token: &str,
    dpop: bool,
    method: &str,
    path: &str,
    proofs: &[&str],
) -> Option<StatusCode> {
    let rules = Dpop::builder(DpopPolicy::BearerOrDpop)
        .with_origin(setup.fixtures["origin"].as_str().expect("origin"))
        .expect("origin")
        .with_clock(clock)
        .with_replay_cache(MemoryReplayCache::new(64))
        .build()
        .expect("rules");
    let handler = service_fn(|request: Request<()>| {
        let status = match request.extensions().get::<AccessClaims>() {
            Some(_) => StatusCode::OK,
            None => StatusCode::INTERNAL_SERVER_ERROR,
        };
        let mut response = Response::new(());
        *response.status_mut() = status;
        ready(Ok::<_, Infallible>(response))
    });
    let mut service = BearerAuthLayer::new(setup.verifier.clone())
        .with_dpop(rules)
        .layer(handler);
    let scheme = if dpop { "DPoP" } else { "Bearer" };
    let mut request = Request::builder().method(method).uri(path);
    request = request.header("authorization", format!("{scheme} {token}"));
    for proof in proofs {
        request = request.header("dpop", HeaderValue::from_str(proof).ok()?);
    }
    let request = request.body(()).ok()?;
    let mut cx = Context::from_waker(Waker::noop());
    let Poll::Ready(Ok(())) = service.poll_ready(&mut cx) else {
        panic!("ready at once");
    };
    let Poll::Ready(Ok(response)) = pin!(service.call(request)).poll(&mut cx) else {
        panic!("a verdict with configured keys and a memory cache is known at once");
    };
    Some(response.status())
}

static SETUP: LazyLock<Setup> = LazyLock::new(|| {
    let fixtures: Value = serde_json::from_str(FIXTURES).expect("fixtures.json");
    let verifier = JwtVerifier::builder()
        .with_key(
            JwtKey::from_jwk_json(include_str!("../../tests/fixtures/dpop/issuer.jwk.json"))
                .expect("key"),
        )
        .with_issuer(fixtures["issuer"].as_str().expect("issuer"))
        .with_audience(fixtures["audience"].as_str().expect("audience"))
        .build()
        .expect("verifier");
    let mut setup = Setup {
        fixtures: fixtures.clone(),
        verifier,
        acceptable: Vec::new(),
    };
    for case in fixtures["cases"].as_array().expect("cases") {
        let proofs: Vec<&str> = case["proofs"]
            .as_array()
            .expect("proofs")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        let dpop = case["scheme"]
            .as_str()
            .expect("scheme")
            .eq_ignore_ascii_case("dpop");
        if case["route"] != "dpop" {
            continue;
        }
        let name = case["name"].as_str().expect("name");
        let token_name = case["token"].as_str().expect("token");
        let token = fixtures["tokens"][token_name].as_str().expect("token");
        let method = case["method"].as_str().expect("method");
        let path = case["path"].as_str().expect("path");
        let accept = case["expect"] == "accept";
        // Each verdict checked once, each request on a fresh cache (the
        // replay case is the same proof as the first use).
        if name != "replayed jti" {
            let status = answer(&setup, token, dpop, method, path, &proofs).expect("a request");
            assert_eq!(status == StatusCode::OK, accept, "{name}");
        }
        let proves = if let Some((_, method, path)) = PROVE_ANOTHER_REQUEST
            .iter()
            .find(|(case, ..)| *case == name)
        {
            Some((*method, *path))
        } else if accept && dpop {
            Some((method, path))
        } else {
            None
        };
        let Some((method, path)) = proves else {
            continue;
        };
        for proof in proofs.iter().flat_map(|line| line.split(',')) {
            setup.acceptable.push((
                signed(proof).to_owned(),
                token_name.to_owned(),
                method.to_owned(),
                without_query(path).to_owned(),
            ));
        }
    }
    setup
});

fuzz_target!(|data: &[u8]| {
    let setup = &*SETUP;
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Ok(rest) = std::str::from_utf8(rest) else {
        return;
    };
    let token_name = TOKENS[usize::from(selector & 0x07) % TOKENS.len()];
    let method = if selector & 0x08 != 0 { "POST" } else { "GET" };
    let path = PATHS[usize::from(selector >> 4) & 0x03];
    let dpop = selector & 0x40 == 0;
    let proofs: Vec<&str> = if rest.is_empty() {
        Vec::new()
    } else {
        rest.split('\n').take(4).collect()
    };
    let token = setup.fixtures["tokens"][token_name]
        .as_str()
        .expect("token");
    let Some(status) = answer(setup, token, dpop, method, path, &proofs) else {
        return;
    };
    assert!(
        matches!(
            status,
            StatusCode::OK | StatusCode::BAD_REQUEST | StatusCode::UNAUTHORIZED
        ),
        "status {status}"
    );
    if status == StatusCode::OK {
        if dpop {
            assert_eq!(proofs.len(), 1, "accepted with {} proofs", proofs.len());
            let request = (signed(proofs[0]), token_name, method, without_query(path));
            assert!(
                setup.acceptable.iter().any(|(s, t, m, p)| (
                    s.as_str(),
                    t.as_str(),
                    m.as_str(),
                    p.as_str()
                ) == request),
                "a DPoP request no fixture makes acceptable was accepted"
            );
        } else {
            assert_eq!(token_name, "unbound", "a bound token accepted as Bearer");
        }
    }
});
