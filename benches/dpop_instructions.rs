//! Instructions per request under callgrind, for `benches/dpop_instructions.sh`:
//! `dpop_instructions <bearer|bearer_with_dpop_on|dpop|none> <n>` sends `n`
//! requests down one path of `benches/dpop.rs` (`none` only sets up).

mod support;

use std::hint::black_box;

use http::StatusCode;

use support::dpop::{Paths, request};
use support::once;

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let [mode, n] = &args[..] else {
        // `cargo bench` runs every bench without arguments: this one is
        // meant for callgrind, through the script.
        eprintln!(
            "dpop_instructions: run benches/dpop_instructions.sh, or \
             dpop_instructions <bearer|bearer_with_dpop_on|dpop|none> <n>"
        );
        return;
    };
    let n: usize = n.parse().expect("a count");
    let mut paths = Paths::new();
    for _ in 0..n {
        let response = match mode.as_str() {
            "bearer" => once(
                &mut paths.bearer_only,
                request(black_box(&paths.unbound), None),
            ),
            "bearer_with_dpop_on" => once(
                &mut paths.with_dpop,
                request(black_box(&paths.unbound), None),
            ),
            "dpop" => once(
                &mut paths.with_dpop,
                request(black_box(&paths.bound), Some(&paths.proof)),
            ),
            "none" => return,
            other => panic!("no mode {other}"),
        };
        assert_eq!(response.status(), StatusCode::OK);
    }
}
