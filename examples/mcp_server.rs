//! An MCP server (Model Context Protocol over Streamable HTTP, built with
//! rmcp) protected as the MCP authorization spec asks: it publishes its
//! OAuth 2.0 Protected Resource Metadata (RFC 9728), names that document
//! in every challenge, and takes only tokens issued for itself (RFC 8707:
//! the audience is its resource URI).
//!
//! ```text
//! OIDC_ISSUER=https://sso.example.com/realms/mcp \
//! MCP_RESOURCE=https://mcp.example.com/mcp \
//!     cargo run --example mcp_server --features axum,jwks
//! ```
//!
//! Environment:
//! - `OIDC_ISSUER`: the authorization server; its keys are found through
//!   `{OIDC_ISSUER}/.well-known/openid-configuration`. Or:
//! - `JWKS_URL`: the key set's URL, with `JWT_ISSUER` (required: the keys
//!   vouch for that issuer only).
//! - `MCP_RESOURCE`: the server's canonical resource URI, as clients name
//!   it (an `https` URL, or `http` to a loopback IP literal such as
//!   `http://127.0.0.1:3000/mcp`; default `http://{the bound address}/mcp`).
//!   Tokens must have it as their audience, and the metadata names it as
//!   its `resource`. Behind a TLS proxy it is the public URL, not `BIND`.
//! - `BIND`: the address to listen on (default `127.0.0.1:3000`).
//!
//! The issuer is the only authorization server in the metadata, and
//! `mcp:tools` its only scope. Plain `http` to the issuer is allowed to
//! 127.0.0.1 for local testing. The server starts even if the keys cannot
//! be fetched yet: requests get 503 with `Retry-After` until they can.
//!
//! Routes:
//! - `POST /mcp` (and `GET`, `DELETE` for clients of the session-based
//!   protocol versions): the MCP endpoint, behind the token. Its tools:
//!   - `whoami`: the token's `sub` and scopes, as text;
//!   - `add`: `a + b` for two integers; needs scope `mcp:tools`, else
//!     the call is answered 403 `insufficient_scope` with
//!     `scope="mcp:tools"`, which tells the client which scope to ask for.
//! - `GET /.well-known/oauth-protected-resource/mcp`: the metadata (the
//!   path follows from `MCP_RESOURCE`, RFC 9728 §3.1), and
//!   `GET /.well-known/oauth-protected-resource` too, for clients that
//!   look there.
//!
//! Try it with `MCP_RESOURCE=http://127.0.0.1:3000/mcp` and `$TOKEN`, an
//! access token from your issuer whose audience is that URI:
//!
//! ```text
//! # No token: 401, naming the metadata.
//! curl -i -X POST http://127.0.0.1:3000/mcp
//! #   www-authenticate: Bearer realm="api",
//! #     resource_metadata="http://127.0.0.1:3000/.well-known/oauth-protected-resource/mcp"
//! curl http://127.0.0.1:3000/.well-known/oauth-protected-resource/mcp
//! #   {"resource":"http://127.0.0.1:3000/mcp","authorization_servers":["$OIDC_ISSUER"],
//! #    "scopes_supported":["mcp:tools"],"bearer_methods_supported":["header"],
//! #    "resource_name":"tower-bearer-auth MCP example"}
//!
//! # With the token: a session (protocol 2025-06-18), then the tools.
//! MCP=(-H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json'
//!      -H 'Accept: application/json, text/event-stream')
//! curl -s -D - -o /dev/null http://127.0.0.1:3000/mcp "${MCP[@]}" -d '{"jsonrpc":"2.0","id":1,
//!   "method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},
//!   "clientInfo":{"name":"curl","version":"1"}}}'
//! #   mcp-session-id: <id>: send it with each request below
//! MCP+=(-H "Mcp-Session-Id: <id>")
//! curl -s http://127.0.0.1:3000/mcp "${MCP[@]}" -d '{"jsonrpc":"2.0","method":"notifications/initialized"}'
//! curl -s http://127.0.0.1:3000/mcp "${MCP[@]}" -d '{"jsonrpc":"2.0","id":2,
//!   "method":"tools/call","params":{"name":"whoami"}}'
//! #   data: {"jsonrpc":"2.0","id":2,"result":{"content":[{"type":"text",
//! #     "text":"sub: alice\nscopes: openid mcp:tools"}],"isError":false}}
//! curl -si http://127.0.0.1:3000/mcp "${MCP[@]}" -d '{"jsonrpc":"2.0","id":3,
//!   "method":"tools/call","params":{"name":"add","arguments":{"a":2,"b":3}}}'
//! #   data: {"jsonrpc":"2.0","id":3,"result":{"content":[{"type":"text","text":"5"}],...}}
//! # or, for a token without scope mcp:tools:
//! #   HTTP/1.1 403 Forbidden
//! #   www-authenticate: Bearer realm="api", resource_metadata="...",
//! #     error="insufficient_scope", error_description="...", scope="mcp:tools"
//! ```
//!
//! An MCP client (an IDE, `npx @modelcontextprotocol/inspector`) does all
//! of this itself: it reads the metadata from the 401, signs the user in at
//! the authorization server for this resource, and asks for `mcp:tools`
//! when `add` answers 403.

#[path = "common/mod.rs"]
mod common;
#[path = "common/jwt_env.rs"]
mod jwt_env;
#[path = "common/oidc_env.rs"]
mod oidc_env;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::tool::Extension;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{
    ClientJsonRpcMessage, ClientRequest, Implementation, ServerCapabilities, ServerConfig,
};
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use rmcp::{ErrorData, ServerHandler, schemars, tool, tool_handler, tool_router};
use serde::Deserialize;
use tokio::net::TcpListener;
use tower_bearer_auth::jwt::{AccessClaims, JwtVerifier};
use tower_bearer_auth::metadata::ProtectedResourceMetadata;
use tower_bearer_auth::{AuthError, BearerAuthLayer};

/// The scope `add` needs.
const TOOLS_SCOPE: &str = "mcp:tools";
/// The largest JSON-RPC message taken, by the scope check and by rmcp.
const MAX_MESSAGE_BYTES: usize = 256 * 1024;
/// Where the MCP endpoint is mounted.
const MCP_PATH: &str = "/mcp";
/// Where RFC 9728 puts the metadata of a resource without a path; older
/// clients look there whatever the path.
const WELL_KNOWN_ROOT: &str = "/.well-known/oauth-protected-resource";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    common::init_tracing();
    let keys = oidc_env::keys()?;
    let listener = TcpListener::bind(common::bind_address()?).await?;
    let address = listener.local_addr()?;
    let resource =
        jwt_env::var("MCP_RESOURCE").unwrap_or_else(|| format!("http://{address}{MCP_PATH}"));

    // The document, and the verifier bound to its resource (RFC 8707).
    let metadata = ProtectedResourceMetadata::builder(resource.as_str())
        .with_authorization_servers([keys.issuer()])
        .with_scopes_supported([TOOLS_SCOPE])
        .with_resource_name("tower-bearer-auth MCP example")
        .build()
        .map_err(|error| format!("MCP_RESOURCE {resource:?}: {error}"))?;
    let verifier = JwtVerifier::builder()
        .with_jwks(keys.clone())
        .for_resource(&metadata)
        .build()?;
    oidc_env::report_first_fetch(&keys).await;

    let auth = BearerAuthLayer::new(verifier).with_resource_metadata(metadata);
    let app = routes(auth)?;
    eprintln!("MCP endpoint for {resource}");
    eprintln!("listening on http://{address}");
    axum::serve(listener, app).await?;
    Ok(())
}

/// `/mcp` behind `auth`, and the metadata `auth` completed, at its
/// well-known path and at the root one.
fn routes(auth: BearerAuthLayer<JwtVerifier>) -> Result<Router, Box<dyn std::error::Error>> {
    let document = auth.resource_metadata().ok_or("no resource metadata")?;
    // rmcp refuses a `Host` it does not know (DNS rebinding): loopback,
    // and the resource's host, which a proxy in front may pass on.
    let resource: axum::http::Uri = document.resource().parse()?;
    let resource_host = resource.host().ok_or("the resource has no host")?;
    let config = StreamableHttpServerConfig::default()
        .with_allowed_hosts(["localhost", "127.0.0.1", "::1", resource_host])
        .with_max_request_body_bytes(MAX_MESSAGE_BYTES);
    let mcp = StreamableHttpService::new(
        || Ok(Tools::new()),
        LocalSessionManager::default().into(),
        config,
    );

    let mut app = Router::new()
        .route_service(MCP_PATH, mcp)
        .route_layer(axum::middleware::from_fn_with_state(
            auth.clone(),
            require_scope_for_add,
        ))
        .route_layer(auth)
        .route_service(document.well_known_path(), document.clone());
    if document.well_known_path() != WELL_KNOWN_ROOT {
        app = app.route_service(WELL_KNOWN_ROOT, document);
    }
    Ok(app)
}

/// The tools. Each call reads the token's claims from the HTTP request
/// rmcp hands it.
#[derive(Clone, Debug)]
struct Tools {
    tool_router: ToolRouter<Self>,
}

/// The arguments of `add`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
struct AddRequest {
    /// The first number.
    a: i64,
    /// The second number.
    b: i64,
}

#[tool_router]
impl Tools {
    fn new() -> Self {
        Self {
            tool_router: Self::tool_router(),
        }
    }

    #[tool(description = "Who the access token is about, and what it may do")]
    fn whoami(&self, Extension(request): Extension<Parts>) -> Result<String, ErrorData> {
        let claims = claims(&request)?;
        Ok(format!(
            "sub: {}\nscopes: {}",
            claims.sub().unwrap_or("(none)"),
            claims.scopes()
        ))
    }

    #[tool(description = "Adds two integers (needs scope mcp:tools)")]
    fn add(
        &self,
        Parameters(AddRequest { a, b }): Parameters<AddRequest>,
        Extension(request): Extension<Parts>,
    ) -> Result<String, ErrorData> {
        // The rule is the tool's; `require_scope_for_add` answers its
        // refusal with the HTTP status an MCP client acts on.
        if !claims(&request)?.scopes().contains(TOOLS_SCOPE) {
            return Err(ErrorData::invalid_request(
                "add needs scope mcp:tools",
                None,
            ));
        }
        a.checked_add(b)
            .map(|sum| sum.to_string())
            .ok_or_else(|| ErrorData::invalid_params("the sum overflows", None))
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for Tools {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new(
                "tower-bearer-auth-mcp-example",
                env!("CARGO_PKG_VERSION"),
            ))
            .with_instructions("whoami tells who the token is about; add needs scope mcp:tools")
    }
}

/// The verified claims `BearerAuthLayer` put into the HTTP request rmcp
/// hands the tool.
fn claims(request: &Parts) -> Result<&AccessClaims, ErrorData> {
    request
        .extensions
        .get::<AccessClaims>()
        .ok_or_else(|| ErrorData::internal_error("no verified claims", None))
}

/// Answers a `tools/call` of `add` by a token without `mcp:tools` with the
/// layer's own 403 `insufficient_scope`: a tool cannot choose the HTTP
/// status, and the status is what tells an MCP client to ask for the
/// scope. Reads the JSON-RPC message (at most `MAX_MESSAGE_BYTES`) and
/// hands it on.
async fn require_scope_for_add(
    State(auth): State<BearerAuthLayer<JwtVerifier>>,
    request: Request,
    next: Next,
) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(message) = axum::body::to_bytes(body, MAX_MESSAGE_BYTES).await else {
        // Too large, or cut off.
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    let has_scope = parts
        .extensions
        .get::<AccessClaims>()
        .is_some_and(|claims| claims.scopes().contains(TOOLS_SCOPE));
    if !has_scope && calls_tool(&message, "add") {
        return auth.reject(AuthError::insufficient_scope(TOOLS_SCOPE), &parts);
    }
    next.run(Request::from_parts(parts, Body::from(message)))
        .await
}

/// Whether `message` is a JSON-RPC request `tools/call` of tool `name`,
/// read by rmcp's own parser: what this check sees is what rmcp will
/// dispatch, however odd the message (rmcp takes one with two `name`s for
/// no tool call at all, where another parser would pick one of them).
fn calls_tool(message: &[u8], name: &str) -> bool {
    match serde_json::from_slice(message) {
        Ok(ClientJsonRpcMessage::Request(request)) => matches!(
            request.request,
            ClientRequest::CallToolRequest(call) if call.params.name == name
        ),
        _ => false,
    }
}
