//! Instruction counts of the `benches/layer.rs` cases, for callgrind:
//! `benches/layer_instructions.sh` runs this under `valgrind
//! --tool=callgrind` and prints each case's instructions per request beyond
//! the bare service's, beside tower-http's.
//!
//! Usage: `layer_instructions <case> <n>`, with a case of
//! `bare accepting static_tokens missing malformed tower_http_accepted
//! tower_http_missing tower_http_with_claims none`. The script subtracts `none` (the set-up) and
//! divides by `n`.

#[path = "support/layer_cases.rs"]
mod layer_cases;
mod support;

use std::fmt::Debug;
use std::hint::black_box;

use http::header::HeaderName;
use http::{Request, Response, StatusCode};
use tower::Service;

use layer_cases::{ACCEPTED, MALFORMED, MISSING, request};
use support::once;

fn run<S>(mut service: S, header: (HeaderName, &'static str), status: StatusCode, n: usize)
where
    S: Service<Request<()>, Response = Response<String>>,
    S::Error: Debug,
{
    for _ in 0..n {
        let response = once(&mut service, request(black_box(&header)));
        assert_eq!(response.status(), status);
    }
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let [case, n] = &args[..] else {
        // `cargo bench` runs every bench without arguments: this one is
        // meant for callgrind, through the script.
        eprintln!("layer_instructions: run benches/layer_instructions.sh");
        return;
    };
    let n: usize = n.parse().expect("a count");
    // Every service is built whatever the case, so `none` counts the same
    // set-up as the others.
    let (bare, ours, tokens, theirs, theirs_with_claims) = (
        layer_cases::bare(),
        layer_cases::accepting(),
        layer_cases::static_tokens(),
        layer_cases::tower_http(),
        layer_cases::tower_http_with_claims(),
    );
    use StatusCode as S;
    match case.as_str() {
        "bare" => run(bare, ACCEPTED, S::NO_CONTENT, n),
        "accepting" => run(ours, ACCEPTED, S::OK, n),
        "static_tokens" => run(tokens, ACCEPTED, S::OK, n),
        "missing" => run(ours, MISSING, S::UNAUTHORIZED, n),
        "malformed" => run(ours, MALFORMED, S::BAD_REQUEST, n),
        "tower_http_accepted" => run(theirs, ACCEPTED, S::NO_CONTENT, n),
        "tower_http_missing" => run(theirs, MISSING, S::UNAUTHORIZED, n),
        "tower_http_with_claims" => run(theirs_with_claims, ACCEPTED, S::OK, n),
        "none" => {}
        other => panic!("no case {other}"),
    }
}
