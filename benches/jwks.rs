//! Steady-state cost of a token verified with keys fetched from a JWKS
//! endpoint against the same keys configured statically: the target is a
//! ratio of 1, since remote keys add one lock-free pointer load and a time
//! check per token.
//!
//! Both verifiers hold the same four keys (`tests/fixtures/jwks/jwks-a-both.json`,
//! PyJWT's), accept issuer A and the same audience, and verify the same
//! tokens through `BearerAuthLayer` (request built, token extracted and
//! verified, claims attached, response future polled once: every future is
//! ready at once in steady state, so no runtime is measured). The remote
//! keys come from a key server on 127.0.0.1 started by the bench.
//!
//! Wall clock (criterion): `cargo bench --bench jwks --features jwt,jwks`.
//! Instructions (callgrind, deterministic on a noisy machine):
//! `benches/jwks_instructions.sh`, which runs this binary as
//! `jwks <static|remote|none> <rs256|es256|eddsa> <n>`.

#[path = "../tests/support/key_server.rs"]
mod key_server;
mod support;

use std::hint::black_box;

use criterion::Criterion;
use http::{HeaderValue, Request, Response, StatusCode};
use key_server::{AUDIENCE, ISSUER_A, KeyServer, Reply, fixture, token};
use tower::{Layer, service_fn};

use support::{authorized, claims_handler, once};
use tower_bearer_auth::BearerAuthLayer;
use tower_bearer_auth::jwks::Jwks;
use tower_bearer_auth::jwt::{AccessClaims, JwtKey, JwtVerifier};

/// The algorithms benched, by the fixture token signed with each.
const CASES: [(&str, &str); 3] = [("rs256", "a1"), ("es256", "a3"), ("eddsa", "a4")];

/// The same keys, configured: each JWK of the set the server serves.
fn static_verifier() -> JwtVerifier {
    let set: serde_json::Value =
        serde_json::from_slice(&fixture("jwks-a-both.json")).expect("jwks-a-both.json");
    let keys = set["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .map(|jwk| JwtKey::from_jwk_json(&jwk.to_string()).expect("key"));
    JwtVerifier::builder()
        .with_keys(keys)
        .with_issuer(ISSUER_A)
        .with_audience(AUDIENCE)
        .build()
        .expect("static verifier")
}

/// The runtime and key server the remote keys come from, kept alive.
struct Remote {
    runtime: tokio::runtime::Runtime,
    _server: KeyServer,
    verifier: JwtVerifier,
}

fn remote_verifier() -> Remote {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let (server, verifier) = runtime.block_on(async {
        let server = KeyServer::start().await;
        server.reply("/jwks", Reply::fixture("jwks-a-both.json"));
        let keys = Jwks::from_url(server.url("/jwks"), ISSUER_A)
            .build()
            .expect("jwks");
        keys.ready().await.expect("keys fetched");
        let verifier = JwtVerifier::builder()
            .with_jwks(keys)
            .with_audience(AUDIENCE)
            .build()
            .expect("remote verifier");
        (server, verifier)
    });
    Remote {
        runtime,
        _server: server,
        verifier,
    }
}

type Bench = dyn FnMut(Request<()>) -> Response<String>;

/// The layer around `handler` with `verifier`, checked once: a refusal
/// must never pass for a fast verification.
fn service(verifier: JwtVerifier, authorization: &HeaderValue) -> Box<Bench> {
    let mut service =
        BearerAuthLayer::new(verifier).layer(service_fn(claims_handler::<AccessClaims>));
    assert_eq!(
        once(&mut service, authorized(authorization)).status(),
        StatusCode::OK
    );
    Box::new(move |request| once(&mut service, request))
}

fn criterion(c: &mut Criterion, remote: &Remote) {
    for (name, token_name) in CASES {
        let authorization =
            HeaderValue::try_from(format!("Bearer {}", token(token_name))).expect("header");
        let mut configured = service(static_verifier(), &authorization);
        let mut fetched = service(remote.verifier.clone(), &authorization);
        let mut group = c.benchmark_group(format!("jwks/{name}"));
        group.bench_function("static_keys", |b| {
            b.iter(|| configured(authorized(black_box(&authorization))));
        });
        group.bench_function("remote_keys", |b| {
            b.iter(|| fetched(authorized(black_box(&authorization))));
        });
        group.finish();
    }
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let remote = remote_verifier();
    if let [mode, alg, n] = &args[..] {
        // Instruction counting: the same set-up every time, then `n`
        // requests through one of the services.
        let token_name = CASES
            .iter()
            .find(|(name, _)| name == alg)
            .map(|(_, token)| *token)
            .expect("rs256, es256 or eddsa");
        let authorization =
            HeaderValue::try_from(format!("Bearer {}", token(token_name))).expect("header");
        let mut configured = service(static_verifier(), &authorization);
        let mut fetched = service(remote.verifier.clone(), &authorization);
        let n: usize = n.parse().expect("a count");
        for _ in 0..n {
            let response = match mode.as_str() {
                "static" => configured(authorized(black_box(&authorization))),
                "remote" => fetched(authorized(black_box(&authorization))),
                _ => Response::new(String::new()),
            };
            assert_eq!(black_box(response).status(), StatusCode::OK);
        }
        return;
    }
    let mut c = Criterion::default().configure_from_args();
    criterion(&mut c, &remote);
    c.final_summary();
    drop(remote.runtime);
}
