//! The integration tests, one binary: each module was a test binary of its
//! own, and is compiled under the features that binary required, so the
//! binary builds under every feature set and runs what that set allows.
//!
//! The tests of one binary run in parallel threads of one process: none may
//! set process-wide state (a global `tracing` subscriber, an environment
//! variable, a global allocator). A test capturing `tracing` events makes
//! its subscriber the default of its own threads only, after
//! `support::let_scoped_subscribers_see_every_callsite`.
//! `tests/allocations.rs` counts the whole process's allocations and stays a
//! binary of its own.

mod support;

#[cfg(feature = "jwt")]
mod algorithms;
#[cfg(feature = "axum")]
mod axum_layer;
#[cfg(all(feature = "cache", feature = "jwks", feature = "axum"))]
mod cache;
#[cfg(all(feature = "jwt", feature = "axum"))]
mod claim_rules;
#[cfg(all(feature = "dpop", feature = "axum"))]
mod dpop;
#[cfg(all(feature = "dpop", feature = "jwks", feature = "axum",))]
mod dpop_examples;
#[cfg(all(feature = "dpop", feature = "redis", feature = "axum"))]
mod dpop_redis;
#[cfg(all(feature = "jwt", feature = "jwks", feature = "axum"))]
mod first_of;
#[cfg(all(
    feature = "axum",
    feature = "jwks",
    feature = "introspection",
    feature = "cache",
    feature = "tracing"
))]
mod hostile;
mod hyper_server;
#[cfg(all(feature = "introspection", feature = "axum"))]
mod introspection;
#[cfg(all(feature = "introspection", feature = "axum"))]
mod introspection_examples;
#[cfg(all(feature = "jwks", feature = "axum"))]
mod jwks;
#[cfg(all(feature = "jwks", feature = "axum",))]
mod jwks_examples;
#[cfg(all(feature = "jwt", feature = "axum",))]
mod jwt;
#[cfg(all(feature = "jwt", feature = "axum",))]
mod jwt_examples;
#[cfg(all(feature = "jwks", feature = "axum"))]
mod mcp_example;
mod properties;
#[cfg(all(feature = "jwks", feature = "axum"))]
mod providers;
mod readiness;
#[cfg(all(feature = "redis", feature = "axum"))]
mod redis_revocations;
#[cfg(all(feature = "jwt", feature = "axum"))]
mod resource_metadata;
#[cfg(all(feature = "cache", feature = "jwt", feature = "axum"))]
mod revocation;
#[cfg(all(
    feature = "redis",
    feature = "cache",
    feature = "jwt",
    feature = "axum",
))]
mod revocation_examples;
#[cfg(feature = "axum")]
mod rfc6750;
mod secrecy;
#[cfg(all(feature = "cache", feature = "jwt", feature = "axum"))]
mod security;
#[cfg(feature = "axum")]
mod step_up;
#[cfg(all(feature = "test-util", feature = "jwks", feature = "axum"))]
mod test_issuer;
mod tonic_grpc;
