//! The DPoP benches' setup (`dpop.rs`, `dpop_instructions.rs`): the same
//! ES256 token as plain `Bearer`, and an ES256-bound token with its ES256
//! proof, through `BearerAuthLayer` with PyJWT's fixtures
//! (`tests/fixtures/dpop/`).

#![allow(dead_code)] // only the DPoP benches use it

use std::convert::Infallible;
use std::future::Ready;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use http::header::AUTHORIZATION;
use http::{HeaderValue, Request, Response, StatusCode};
use serde_json::Value;
use tower::util::ServiceFn;
use tower::{Layer, service_fn};
use tower_bearer_auth::dpop::{
    Dpop, DpopPolicy, DpopVerifier, MemoryReplayCache, ProofId, ProofWindow, ReplayCache,
};
use tower_bearer_auth::jwt::{AccessClaims, JwtKey, JwtVerifier};
use tower_bearer_auth::{BearerAuth, BearerAuthLayer, Verdict};

use super::{claims_handler, once};

pub(crate) fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/dpop/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(path).expect("fixture")
}

fn fixture_clock() -> u64 {
    1_800_000_000
}

/// Records a fresh identifier for every proof: a first use each time.
#[derive(Clone, Debug, Default)]
pub(crate) struct FreshIds {
    cache: MemoryReplayCache,
    next: Arc<AtomicU64>,
}

impl ReplayCache for FreshIds {
    type Future = <MemoryReplayCache as ReplayCache>::Future;

    fn first_use(&self, id: ProofId, window: ProofWindow) -> Verdict<(), Self::Future> {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let fresh = ProofId::new(id.key_thumbprint(), &n.to_string());
        // Entries live one step of a clock that advances every 1,000
        // proofs, so a full shard drops the old ones, as it would.
        let window = ProofWindow {
            now: n / 1000,
            expires_at: n / 1000 + 1,
            ..window
        };
        self.cache.first_use(fresh, window)
    }
}

type Handler = ServiceFn<fn(Request<()>) -> Ready<Result<Response<String>, Infallible>>>;

/// The two layers and the three requests' header values, each checked to
/// be accepted.
pub(crate) struct Paths {
    pub(crate) bearer_only: BearerAuth<Handler, JwtVerifier>,
    pub(crate) with_dpop: BearerAuth<Handler, DpopVerifier<JwtVerifier, FreshIds>>,
    pub(crate) unbound: HeaderValue,
    pub(crate) bound: HeaderValue,
    pub(crate) proof: HeaderValue,
}

pub(crate) fn request(authorization: &HeaderValue, proof: Option<&HeaderValue>) -> Request<()> {
    let mut request = Request::get("/me").header(AUTHORIZATION, authorization.clone());
    if let Some(proof) = proof {
        request = request.header("dpop", proof.clone());
    }
    request.body(()).expect("a request")
}

impl Paths {
    pub(crate) fn new() -> Self {
        let fixtures: Value = serde_json::from_str(&fixture("fixtures.json")).expect("JSON");
        let verifier: JwtVerifier = JwtVerifier::builder()
            .with_key(JwtKey::from_jwk_json(&fixture("issuer.jwk.json")).expect("a key"))
            .with_issuer(fixtures["issuer"].as_str().expect("issuer"))
            .with_audience(fixtures["audience"].as_str().expect("audience"))
            .build()
            .expect("a verifier");
        let dpop = Dpop::builder(DpopPolicy::BearerOrDpop)
            .with_origin(fixtures["origin"].as_str().expect("origin"))
            .expect("an origin")
            .with_clock(fixture_clock)
            .with_replay_cache(FreshIds::default())
            .build()
            .expect("DPoP rules");
        let handler: Handler = service_fn(claims_handler::<AccessClaims> as fn(_) -> _);
        let bearer_only = BearerAuthLayer::new(verifier.clone()).layer(handler);
        let with_dpop = BearerAuthLayer::new(verifier)
            .with_dpop(dpop)
            .layer(handler);

        let header = |value: String| HeaderValue::try_from(value).expect("a header value");
        let unbound = header(format!(
            "Bearer {}",
            fixtures["tokens"]["unbound"].as_str().expect("token")
        ));
        let bound = header(format!(
            "DPoP {}",
            fixtures["tokens"]["es256"].as_str().expect("token")
        ));
        let case = fixtures["cases"]
            .as_array()
            .expect("cases")
            .iter()
            .find(|case| case["name"] == "valid ES256")
            .expect("the valid ES256 case");
        let proof = header(case["proofs"][0].as_str().expect("a proof").to_owned());

        let mut paths = Self {
            bearer_only,
            with_dpop,
            unbound,
            bound,
            proof,
        };
        assert_eq!(
            once(&mut paths.bearer_only, request(&paths.unbound, None)).status(),
            StatusCode::OK
        );
        assert_eq!(
            once(&mut paths.with_dpop, request(&paths.unbound, None)).status(),
            StatusCode::OK
        );
        let dpop = request(&paths.bound, Some(&paths.proof));
        assert_eq!(once(&mut paths.with_dpop, dpop).status(), StatusCode::OK);
        paths
    }
}
