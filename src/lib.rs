//! Bearer-token authentication (RFC 6750) for any Tower service: axum
//! routers, tonic gRPC servers, plain hyper.
//!
//! # The path of one request
//!
//! ```text
//! request ─> TokenExtractor ─> BearerToken ─> VerifyToken ─> claims ─> extensions ─> inner service
//!              │ none / malformed                │ invalid / expired / revoked / unavailable
//!              └───────────> AuthError ──────────┴──> Reject ─> 400/401/403/503 + WWW-Authenticate
//!                                                              or a gRPC status 16/7/14
//! ```
//!
//! 1. **Extract** ([`TokenExtractor`]): the `Authorization: Bearer` header,
//!    scheme case-insensitive, `1*SP` before the token, the `b64token`
//!    grammar enforced, the length capped before anything else looks at it.
//!    A named header, a cookie and the `access_token` query parameter are
//!    opt-in; a request presenting more than one token is `invalid_request`.
//!    With `dpop` (feature `dpop`), `Authorization: DPoP` too, its proof
//!    checked and every token's binding (`cnf`) proved after verification.
//!    One parser of `Authorization` finds the token and, for a refusal,
//!    the scheme whose challenge carries the error.
//! 2. **Verify** ([`VerifyToken`]): the user's verifier gets the token and
//!    the request head and answers claims or an [`AuthError`]. Closures are
//!    verifiers; [`StaticTokens`] checks a fixed set of API keys; `jwt`
//!    (feature `jwt`) verifies JWT access tokens, with keys configured or
//!    fetched from the identity provider (`jwks`, feature `jwks`);
//!    `introspection` (feature `introspection`) asks the authorization
//!    server about opaque tokens (RFC 7662). Only a verifier waiting for
//!    keys or an answer makes the layer wait; a source that is down answers
//!    503, never an unchecked pass. Wrappers work on any verifier:
//!    `cache::CachedVerifier` (feature `cache`) remembers verdicts,
//!    [`revocation::CheckRevoked`] refuses revoked tokens, listed in memory
//!    or shared through Redis (`RedisRevocations`, feature `redis`); both
//!    learn what they need about a token (expiry, `jti`, keys) from
//!    [`VerifyToken::token_facts`].
//! 3. **Attach**: the claims go into the request extensions, where handlers
//!    read them (axum: `axum::Claims`, feature `axum`; tonic: `request.extensions()`).
//! 4. **Reject** ([`Reject`], [`DefaultRejection`]): the status and the
//!    RFC 6750 §3 challenge of the error's [`ErrorKind`], or a gRPC
//!    trailers-only answer for gRPC calls. The [`AuthError`] goes into the
//!    response extensions for outer logging and metrics layers.
//! 5. **Authorize** ([`require::RequireLayer`], made by
//!    [`BearerAuthLayer::require`]): one layer per route checks a
//!    [`require::Requirement`] on the verified claims. Scopes
//!    ([`BearerAuthLayer::require_scopes`], 403 `insufficient_scope`) and
//!    step-up authentication ([`BearerAuthLayer::require_authentication`],
//!    RFC 9470: an acceptable `acr` and a recent enough `auth_time`, 401
//!    `insufficient_user_authentication`) are two requirements; a closure
//!    on the claims is another (a role, a claim value).
//!
//! The service's error type is the inner service's: every refusal is a
//! response. The response future is a named type; nothing is boxed on the way.
//!
//! # Where new capabilities plug in
//!
//! The core (the layer, its service and future, extraction, rejection and
//! challenges) knows `Bearer` and the [`VerifyToken`] trait, and nothing
//! of the features built on them:
//!
//! - **A scheme** hands the layer the `Authorization` schemes it accepts and
//!   the challenges that answer for them (how `dpop` adds `DPoP`).
//! - **A verifier** is any [`VerifyToken`]: a closure, [`StaticTokens`],
//!   `jwt::JwtVerifier`, `introspection::IntrospectionVerifier`, or a
//!   wrapper around another verifier (`cache::CachedVerifier`,
//!   [`revocation::CheckRevoked`], `dpop::DpopVerifier`).
//! - **A key source** answers the JWT verifier for one issuer's keys: the
//!   configured keys, or `jwks::Jwks`, which fetches and refreshes them.
//! - **A provider profile** adds an identity provider's rules to the JWT
//!   verifier: the issuers it owns, the tenants it accepts, and a check of
//!   the payload that tells its access tokens from its other tokens
//!   (`provider::Provider`). The verifier names no provider.
//! - **A requirement** is any [`require::Requirement`] on the claims, put on
//!   a route with [`BearerAuthLayer::require`].
//! - **A rejection** is any [`Reject`], which builds the response a refused
//!   request gets; the challenges are added to it if it has none.
//!
//! # axum
//!
//! Put the layer on the routes that need a token with `route_layer`, a
//! scope layer on the routes that need a scope
//! ([`BearerAuthLayer::require_scopes`]), and read the claims in handlers
//! with the `axum::Claims` extractor (feature `axum`), which answers 401
//! with the challenge when a route has none. The `axum` module has a
//! complete example, with what each request gets.
//!
//! Use `route_layer`, not `layer`, for authentication in axum: `layer` also
//! wraps the fallback, so a request for an unknown path gets 401 instead of
//! 404 and reveals nothing, but also tells nothing useful.
//!
//! # tonic
//!
//! The same layer goes on a tonic server; gRPC calls are refused with a real
//! gRPC status (`Unauthenticated`, `PermissionDenied`, `Unavailable`) whose
//! metadata carries the `www-authenticate` challenge. Handlers read the claims
//! from `request.extensions()`.
//!
//! ```no_run
//! # use tower_bearer_auth::{BearerAuthLayer, StaticTokens};
//! # #[derive(Clone)] struct User;
//! # async fn run(tokens: StaticTokens<User>, greeter: tonic::service::Routes) -> Result<(), Box<dyn std::error::Error>> {
//! tonic::transport::Server::builder()
//!     .layer(BearerAuthLayer::new(tokens))
//!     .add_routes(greeter)
//!     .serve("127.0.0.1:50051".parse()?)
//!     .await?;
//! # Ok(()) }
//! ```
//!
//! # hyper
//!
//! Any `tower::Service<http::Request<B>>` works, so plain hyper through
//! `hyper_util::service::TowerToHyperService`:
//!
//! ```no_run
//! # use tower_bearer_auth::{BearerAuthLayer, StaticTokens};
//! # #[derive(Clone)] struct User;
//! # async fn run(tokens: StaticTokens<User>, stream: tokio::net::TcpStream) -> Result<(), Box<dyn std::error::Error>> {
//! use bytes::Bytes;
//! use http_body_util::Full;
//! use tower::ServiceBuilder;
//!
//! let service = ServiceBuilder::new()
//!     .layer(BearerAuthLayer::new(tokens))
//!     .service_fn(|request: http::Request<hyper::body::Incoming>| async move {
//!         let _user = request.extensions().get::<User>();
//!         Ok::<_, std::convert::Infallible>(http::Response::new(Full::<Bytes>::from("hello")))
//!     });
//! hyper::server::conn::http1::Builder::new()
//!     .serve_connection(
//!         hyper_util::rt::TokioIo::new(stream),
//!         hyper_util::service::TowerToHyperService::new(service),
//!     )
//!     .await?;
//! # Ok(()) }
//! ```
//!
//! # Recipes
//!
//! Each recipe names the module that holds the whole story and a tested
//! example.
//!
//! - **JWTs with configured keys** ([`jwt`], feature `jwt`):
//!   `JwtVerifier::builder()` with a key, the issuer and the audience.
//!   Every check is listed in the module docs, in the order it runs. RFC
//!   9068 access tokens are one call away (`with_profile`).
//! - **Keys from your identity provider** ([`jwks`], feature `jwks`):
//!   `Jwks::discover(issuer)` or `Jwks::from_url(url, issuer)`, then
//!   `with_jwks` on the JWT builder. Keys are fetched once, shared, refreshed
//!   before they expire and when a token names a new `kid`. When the keys
//!   cannot be had, the answer is 503.
//! - **Keycloak, Auth0, Entra ID, Cognito, Okta** ([`provider`], feature
//!   `jwks`): `Provider::keycloak(issuer)` and the others know each
//!   provider's issuer form, role claim, and how its access tokens differ
//!   from its ID tokens; `with_provider` applies one. Multi-tenant Entra ID
//!   binds each token's `tid` to its issuer. One recipe per provider, with
//!   the claims you get and the traps.
//! - **Opaque tokens** ([`introspection`], feature `introspection`): each new
//!   token is checked at the authorization server's RFC 7662 endpoint, with
//!   client authentication, a timeout and the JWT verifier's claim checks.
//!   Only `"active": true` accepts.
//! - **Fewer verifications** ([`cache`], feature `cache`): `CachedVerifier`
//!   wraps any verifier and remembers its verdicts. A verdict is kept until
//!   the token's expiry or a maximum age, whichever comes first, and never
//!   after the key that vouched for it is gone.
//! - **Revocation** ([`revocation`]): [`revocation::CheckRevoked`] refuses
//!   revoked tokens after any verifier. The list is kept in memory
//!   ([`revocation::MemoryRevocations`]), or shared by every instance
//!   through Redis (`RedisRevocations`, feature `redis`).
//! - **Sender-constrained tokens** ([`dpop`], feature `dpop`):
//!   `with_dpop(Dpop::builder(policy)...)` checks DPoP proofs (RFC 9449)
//!   and certificate-bound tokens (RFC 8705) in the same layer.
//! - **Step-up authentication** ([`step_up`]):
//!   [`BearerAuthLayer::require_authentication`] asks a route for a stronger
//!   or more recent sign-in (RFC 9470). The answer is 401
//!   `insufficient_user_authentication` with `acr_values` and `max_age`.
//! - **A JWT or an API key** ([`FirstOf`]): two verifiers as one; the first
//!   that recognizes the token decides, and the other never sees it.
//! - **Static API keys** ([`StaticTokens`]): a fixed set of tokens, each
//!   mapped to its claims. They are stored as SHA-256 digests and compared
//!   in constant time.
//! - **Roles and claim values per route** ([`claims`]): `RequiredRoles`
//!   reads the claim your provider keeps roles in (`roles`,
//!   `realm_access.roles`, `permissions`, `cognito:groups`),
//!   `RequiredClaim` any claim; a missing one is 403 `insufficient_scope`.
//!   [`require::OrElse`] lets a route take a role or else a scope.
//! - **A rule of your own per route** ([`require`]): `auth.require(|claims:
//!   &User| ...)` answers `Ok(())` or the `AuthError` to send, for example
//!   a 403 `insufficient_scope`.
//! - **Testing your application** ([`test_util`], feature `test-util`):
//!   `MapVerifier` answers each token what the test says (claims, expired,
//!   unavailable), so a handler's test needs no identity provider. With
//!   `jwks`, `TestIssuer` is one on 127.0.0.1: a throwaway Ed25519 key,
//!   discovery and the JWK Set served, and tokens signed with the claims a
//!   test picks (`issuer.token().subject("alice").audience(..).sign()`,
//!   `.expired()`, `.signed_by_another_key()`); `issuer.verifier()` fetches
//!   its keys over HTTP, so the whole verification path and your
//!   configuration are tested.
//! - **Logs and metrics**. With feature `tracing`:
//!   - every refusal is one event on target
//!     `tower_bearer_auth::rejection`, with the kind, status, realm,
//!     description and, at DEBUG, the subject;
//!   - a 503 is a WARN;
//!   - key fetches, introspection calls and the Redis mirror run in spans.
//!
//!   No event or span carries a token, a key or a secret. [`AuthCounters`]
//!   counts verdicts without a metrics dependency:
//!
//! ```
//! use tower_bearer_auth::{AuthCounters, BearerAuthLayer, ErrorKind, StaticTokens};
//!
//! let counters = AuthCounters::new();
//! let layer = BearerAuthLayer::new(StaticTokens::<()>::new()).with_counters(counters.clone());
//! // When the exporter asks:
//! let accepted = counters.accepted();
//! let expired = counters.refused(ErrorKind::Expired);
//! # let _ = (layer, accepted, expired);
//! ```
//!
//! # Protecting an MCP server
//!
//! The MCP authorization spec asks an MCP server reached over Streamable
//! HTTP for three things, each one call here:
//!
//! 1. publish OAuth 2.0 Protected Resource Metadata (RFC 9728): a
//!    [`metadata::ProtectedResourceMetadata`] serves itself, at the path
//!    §3.1 derives from the resource (`/.well-known/oauth-protected-resource/mcp`
//!    for `https://mcp.example.com/mcp`);
//! 2. name it in every 401 (and in each 403 `insufficient_scope`, to ask
//!    for more scopes): [`BearerAuthLayer::with_resource_metadata`];
//! 3. take only tokens issued for itself (RFC 8707): the verifier's
//!    audience is the metadata's `resource` (`for_resource`, feature
//!    `jwt`).
//!
#![cfg_attr(
    all(feature = "jwks", feature = "axum"),
    doc = r#"
```no_run
# async fn run(mcp: axum::routing::MethodRouter) -> Result<(), Box<dyn std::error::Error>> {
use tower_bearer_auth::BearerAuthLayer;
use tower_bearer_auth::jwks::Jwks;
use tower_bearer_auth::jwt::JwtVerifier;
use tower_bearer_auth::metadata::ProtectedResourceMetadata;

let issuer = "https://login.example.com";
let metadata = ProtectedResourceMetadata::builder("https://mcp.example.com/mcp")
    .with_authorization_servers([issuer])
    .with_scopes_supported(["mcp:tools"])
    .build()?;
let verifier = JwtVerifier::builder()
    .with_jwks(Jwks::discover(issuer).build()?)
    .for_resource(&metadata) // aud must be https://mcp.example.com/mcp
    .build()?;
let auth = BearerAuthLayer::new(verifier).with_resource_metadata(metadata);
let document = auth.resource_metadata().expect("configured above");
let app: axum::Router = axum::Router::new()
    .route("/mcp", mcp) // rmcp's Streamable HTTP service
    .route_layer(auth)
    .route_service(document.well_known_path(), document.clone())
    // Clients of the first drafts looked here (for a resource without a
    // path, the two are one route: register it once).
    .route_service("/.well-known/oauth-protected-resource", document);
# Ok(()) }
```
"#
)]
//!
//! A call without a token is answered `401` with `WWW-Authenticate: Bearer
//! realm="api", resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp"`,
//! and the client finds the authorization server from there. A tool that
//! needs a scope the token lacks is refused with 403 `insufficient_scope`
//! and that scope: since one endpoint serves every tool, a middleware reads
//! the JSON-RPC call and answers with [`BearerAuthLayer::reject`]. The
//! `mcp_server` example does all of it with the `rmcp` crate, and its test
//! drives it with a real MCP client.
//!
//! # Examples
//!
//! | example | run |
//! | --- | --- |
//! | the quickstart: axum with JWTs (`/public`, `/me`, `/admin`) | `cargo run --example quickstart --features axum,jwt,tracing` |
//! | the quickstart's routes with keys from `OIDC_ISSUER` or `JWKS_URL` + `JWT_ISSUER`, under `OIDC_PROVIDER`'s profile (`OIDC_CLIENT_ID`, `OIDC_TENANTS`, `ADMIN_ROLE`) | `cargo run --example oidc --features axum,jwt,jwks` |
//! | axum with static API tokens (the same routes) | `cargo run --example axum_static --features axum` |
//! | the same three routes on plain hyper 1 + hyper-util | `cargo run --example hyper_service` |
//! | tonic `helloworld.Greeter/SayHello` with JWTs, greeting the token's subject | `cargo run --example tonic_greeter --features jwt` |
//! | a verifier of your own (session store, expiry, revocation, tenant) | `cargo run --example custom_verifier --features axum` |
//! | the quickstart's routes for opaque tokens, checked by RFC 7662 introspection | `cargo run --example introspection --features axum,jwt,introspection` |
//! | the quickstart with revocation shared through Redis, `POST /admin/revoke` | `cargo run --example revocation --features axum,jwt,cache,redis` |
//! | an MCP server (rmcp, Streamable HTTP at `/mcp`) with RFC 9728 metadata and a per-tool scope (`MCP_RESOURCE`, `OIDC_ISSUER` or `JWKS_URL` + `JWT_ISSUER`) | `cargo run --example mcp_server --features axum,jwt,jwks` |
//! | the `oidc` example with DPoP required (`DPOP_ORIGIN`, `DPOP_MAX_AGE`, `DPOP_NONCE_SECRET`) | `cargo run --example dpop --features axum,jwt,jwks,dpop` |
//!
//! All take `BIND` (default `127.0.0.1:3000`). The JWT examples take
//! `JWT_SECRET` or `JWT_PUBLIC_KEY` (with `JWT_ALGORITHMS` for a key of
//! several algorithms: `PS256`), `JWT_ISSUER`, `JWT_AUDIENCE` and
//! `JWT_PROFILE`, and print demo tokens when no key is set; the static-token
//! examples take `API_TOKEN` (subject `demo`, scope `read`) and `ADMIN_TOKEN`
//! (subject `root`, scopes `read admin`) and print the demo defaults they use
//! when unset. Each logs to stderr what `RUST_LOG` selects (unset:
//! `warn,tower_bearer_auth=debug`); with feature `tracing` that includes one
//! event per refused request.
//!
//! # Answers
//!
//! | situation | HTTP | `WWW-Authenticate` | gRPC |
//! | --- | --- | --- | --- |
//! | no token, or another scheme (`Basic`) | 401 | `Bearer realm="api"` | 16 |
//! | malformed: `Bearer` alone, tab, bad characters, too long, two tokens | 400 | `error="invalid_request"` | 16 |
//! | refused by the verifier: invalid, expired, revoked | 401 | `error="invalid_token"` | 16 |
//! | valid, but a scope is missing | 403 | `error="insufficient_scope", scope="…"` | 7 |
//! | valid, but the user's authentication is too weak (`acr`) or too old (`auth_time`): step-up | 401 | `error="insufficient_user_authentication", acr_values="…", max_age="…"` | 16 |
//! | the verifier's source is down | 503 + `Retry-After` | `Bearer realm="api"` | 14 |
//! | a DPoP proof missing or invalid (`dpop`) | 401 | `DPoP algs="…", error="invalid_dpop_proof"` | 16 |
//! | a DPoP nonce missing or stale | 401 + `DPoP-Nonce` | `DPoP algs="…", error="use_dpop_nonce"` | 16 |
//!
//! Every attribute value is checked against the RFC 6750 §3 character set,
//! and descriptions are fixed texts: nothing from the request is echoed, so
//! nothing can inject a header.
//!
//! # Features
//!
//! | feature | default | what it adds |
//! | --- | --- | --- |
//! | `axum` | no | `axum::Claims`, an extractor answering 401 with the challenge when no claims are present |
//! | `aws-lc-rs` | yes | the crypto backend of `jwt` and of TLS: aws-lc-rs; used whenever it is on |
//! | `rust-crypto` | no | the crypto backend RustCrypto (ring for TLS); used when `aws-lc-rs` is off |
//! | `jwt` | no | `jwt::JwtVerifier` on jsonwebtoken; needs one of the two backends |
//! | `jwks` | no | `jwks::Jwks`: the JWT verifier's keys from a JWKS URL or OIDC discovery, cached and refreshed; needs tokio |
//! | `introspection` | no | `introspection::IntrospectionVerifier`: opaque tokens checked at an RFC 7662 endpoint; needs tokio |
//! | `cache` | no | `cache::CachedVerifier`: verdicts remembered for any verifier, bounded in entries and time |
//! | `redis` | no | `revocation::RedisRevocations`: one revocation list shared through Redis; needs tokio |
//! | `dpop` | no | `dpop::Dpop`: DPoP proofs (RFC 9449) and certificate-bound tokens (RFC 8705), checked by the same layer |
//! | `tracing` | no | `tracing` events: one per refused request, key fetches, refreshes and failures; spans around remote calls (never a token or key) |
//! | `serde` | no | `Deserialize` for [`scope::Scopes`] |
//! | `test-util` | no | `test_util::MapVerifier`, for your application's tests; with `jwks`, `test_util::TestIssuer`, an identity provider on 127.0.0.1 |
//!
//! Features are additive: any combination builds, `--all-features`
//! included. With both backends on, aws-lc-rs is used; for RustCrypto alone,
//! turn the default off (`default-features = false, features = ["jwt",
//! "rust-crypto"]`). `jwt`, `jwks`, `introspection` and `dpop` without a
//! backend are a compile error that says so.
//!
//! # Security notes
//!
//! - Serve over HTTPS only: a bearer token is a credential whoever holds it
//!   can use (RFC 6750 §5.3).
//! - Keep tokens short-lived; the verifier decides, the layer never caches
//!   a verdict on its own (a `cache::CachedVerifier` does, for at most its
//!   maximum age, and never past the token's expiry). The JWT verifier
//!   requires `exp` and an audience by default. Revoke tokens with
//!   [`revocation::CheckRevoked`]: a revocation covers every spelling of a
//!   JWT and lasts until the `until` given plus
//!   [`revocation::REVOCATION_GRACE`], the longest leeway past `exp`.
//! - A token bound to a key (a `cnf` claim: DPoP, a client certificate) is
//!   refused unless the layer checks the binding (`with_dpop`, feature
//!   `dpop`): a verifier that finds `cnf` accepts the token only when
//!   [`BearerToken::binding_checked`], so a stolen bound token never works
//!   as a plain bearer token.
//! - Scopes are separated by SP alone; one with any other whitespace or a
//!   byte outside RFC 6749 §3.3's set grants nothing.
//! - Tokens never appear in `Debug` output, errors or responses:
//!   [`BearerToken`] prints `<redacted>`, [`StaticTokens`] keeps only SHA-256
//!   digests and compares them in constant time.
//! - Keys fetched from a JWKS endpoint come over `https` only (or `http` to
//!   a loopback address), never from a token's `jku`/`x5u`; a key set that
//!   cannot be fetched keeps the last good keys for a bounded time, then
//!   fails closed.
//! - The query and cookie sources are off by default; a cookie source needs
//!   CSRF protection (RFC 6750 §5.3).
//! - In axum, authenticate with `route_layer` on the routes that need it, and
//!   keep public routes outside it.
#![cfg_attr(docsrs, feature(doc_cfg))]
// The docs link to every feature's items; docs.rs builds them all, and a
// build with fewer features keeps those links as text.
#![cfg_attr(
    not(all(
        feature = "axum",
        feature = "jwks",
        feature = "introspection",
        feature = "cache",
        feature = "redis",
        feature = "dpop",
        feature = "test-util"
    )),
    allow(rustdoc::broken_intra_doc_links)
)]
#![cfg_attr(not(test), warn(clippy::unwrap_used, clippy::print_stdout))]

mod challenge;
mod counters;
mod error;
mod extract;
mod facts;
mod first_of;
pub mod future;
mod layer;
mod rejection;
mod scan;
mod scheme;
mod service;
mod settings;
mod static_tokens;
mod token;
mod verify;
mod verify_future;

/// The front page's snippets, compiled as doctests so that it cannot rot.
#[cfg(all(doctest, feature = "axum", feature = "jwks"))]
#[doc = include_str!("../README.md")]
struct ReadmeSnippets;

pub mod claims;
pub mod metadata;
pub mod require;
pub mod revocation;
pub mod scope;
pub mod step_up;

#[cfg(feature = "axum")]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
pub mod axum;

#[cfg(feature = "cache")]
#[cfg_attr(docsrs, doc(cfg(feature = "cache")))]
pub mod cache;

#[cfg(feature = "jwt")]
mod issuer_template;
#[cfg(feature = "jwt")]
#[cfg_attr(docsrs, doc(cfg(feature = "jwt")))]
pub mod jwt;
#[cfg(feature = "jwt")]
mod registered;

#[cfg(any(feature = "jwks", feature = "introspection"))]
#[cfg_attr(docsrs, doc(cfg(any(feature = "jwks", feature = "introspection"))))]
pub mod client;

#[cfg(feature = "introspection")]
#[cfg_attr(docsrs, doc(cfg(feature = "introspection")))]
pub mod introspection;

#[cfg(feature = "jwks")]
#[cfg_attr(docsrs, doc(cfg(feature = "jwks")))]
pub mod jwks;

#[cfg(feature = "dpop")]
#[cfg_attr(docsrs, doc(cfg(feature = "dpop")))]
pub mod dpop;

#[cfg(feature = "jwks")]
#[cfg_attr(docsrs, doc(cfg(feature = "jwks")))]
pub mod provider;

#[cfg(feature = "test-util")]
#[cfg_attr(docsrs, doc(cfg(feature = "test-util")))]
pub mod test_util;

#[cfg(fuzzing)]
#[doc(hidden)]
pub mod fuzzing;

pub use counters::AuthCounters;
pub use error::{AuthError, ConfigError, ErrorCode, ErrorKind};
pub use extract::{DEFAULT_MAX_TOKEN_LEN, TokenExtractor};
pub use facts::{KeyFingerprint, MAX_TOKEN_ID_LEN, TokenFacts};
pub use first_of::{FirstOf, FirstOfFuture};
pub use layer::{BearerAuthLayer, is_cors_preflight};
pub use rejection::{DefaultRejection, Reject, Rejected};
pub use scheme::AuthScheme;
pub use service::BearerAuth;
pub use static_tokens::{MIN_STATIC_TOKEN_LEN, StaticTokens};
pub use token::{BearerToken, TokenSource};
pub use verify::{Verdict, VerifyToken};
