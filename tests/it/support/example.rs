//! Example binaries run as a user would: started on 127.0.0.1 with an
//! environment, their address read from what they print.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// How long an example may take to print a line.
const DEADLINE: Duration = Duration::from_secs(10);

/// A running example; killed when dropped.
pub struct Example {
    child: Child,
    pub address: SocketAddr,
    /// What it printed up to and including the line that gave the address,
    /// and the lines after it that `wait_for` asked for.
    pub output: Vec<String>,
}

impl Drop for Example {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn example_path(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    let target = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target dir");
    let path = target.join("examples").join(name);
    assert!(
        path.exists(),
        "{} is missing: run the tests with `cargo test --features axum,jwt`, which builds the examples",
        path.display()
    );
    path
}

/// Starts example `name` on an ephemeral port with `env` (and no other
/// `JWT_*` variable), and waits for the line naming its address, then for
/// `extra_lines` more lines.
pub fn start(name: &str, env: &[(&str, String)], extra_lines: usize) -> Example {
    let mut command = Command::new(example_path(name));
    for variable in [
        "JWT_SECRET",
        "JWT_PUBLIC_KEY",
        "JWT_ISSUER",
        "JWT_AUDIENCE",
        "JWT_PROFILE",
        "OIDC_ISSUER",
        "OIDC_PROVIDER",
        "OIDC_DISCOVERY_URL",
        "OIDC_CLIENT_ID",
        "OIDC_TENANTS",
        "ADMIN_ROLE",
        "JWKS_URL",
        "INTROSPECTION_URL",
        "CLIENT_ID",
        "CLIENT_SECRET",
        "REDIS_URL",
        "DPOP_ORIGIN",
        "DPOP_MAX_AGE",
        "DPOP_NONCE_SECRET",
        "MCP_RESOURCE",
    ] {
        command.env_remove(variable);
    }
    command
        .env("BIND", "127.0.0.1:0")
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("start the example");
    let stderr = child.stderr.take().expect("stderr");
    let (lines_tx, lines_rx) = mpsc::channel();
    std::thread::spawn(move || {
        // Read to the end, also once nobody listens: an example whose
        // stderr closed would fail at its next log line.
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = lines_tx.send(line);
        }
    });
    let mut output = Vec::new();
    let mut address = None;
    let mut remaining = extra_lines;
    while address.is_none() || remaining > 0 {
        let line = lines_rx
            .recv_timeout(DEADLINE)
            .unwrap_or_else(|_| panic!("{name} printed no address; it said {output:?}"));
        if address.is_some() {
            remaining -= 1;
        } else if let Some((_, rest)) = line.split_once("listening on ") {
            let rest = rest.trim_start_matches("http://");
            address = Some(rest.parse().expect("address"));
        }
        output.push(line);
    }
    Example {
        child,
        address: address.expect("address"),
        output,
    }
}
