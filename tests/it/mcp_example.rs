//! End to end: the `mcp_server` example binary as it runs behind a TLS
//! proxy (its resource is `https://mcp.example.com/mcp`; it listens on
//! 127.0.0.1), keys from a key server on 127.0.0.1, PyJWT's tokens for
//! that resource, and rmcp's own MCP client over Streamable HTTP, plus raw
//! HTTP where the status itself is the point. `cargo test` builds the
//! example before it runs this.

use crate::support;
use crate::support::example::{Example, start};
use crate::support::key_server::{ISSUER_A, KeyServer, Reply, token};

use std::error::Error as _;
use std::net::SocketAddr;

use rmcp::model::{CallToolRequestParams, CallToolResult, ClientConfig};
use rmcp::service::{ClientInitializeError, RoleClient, RunningService};
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::{
    InsufficientScopeError, StreamableHttpClientTransportConfig,
};
use rmcp::{ServiceError, ServiceExt};
use serde_json::{Value, json};

/// `MCP_RESOURCE`: the public URL, as a client names it.
const RESOURCE: &str = "https://mcp.example.com/mcp";
/// Where the metadata of `RESOURCE` is (RFC 9728 §3.1).
const METADATA_URL: &str = "https://mcp.example.com/.well-known/oauth-protected-resource/mcp";

type Client = RunningService<RoleClient, ClientConfig>;

/// The key server (issuer A's keys) and the example in front of it.
async fn start_example() -> (KeyServer, Example) {
    let server = KeyServer::start().await;
    server.reply("/jwks", Reply::fixture("jwks-a.json"));
    let example = start(
        "mcp_server",
        &[
            ("JWKS_URL", server.url("/jwks")),
            ("JWT_ISSUER", ISSUER_A.to_owned()),
            ("MCP_RESOURCE", RESOURCE.to_owned()),
        ],
        0,
    );
    assert!(
        example
            .output
            .iter()
            .any(|line| line.contains("keys of https://a.issuer.example fetched")),
        "{:?}",
        example.output
    );
    (server, example)
}

/// `future`, or a panic naming `what` once the deadline passed.
async fn within<T>(what: &str, future: impl Future<Output = T>) -> T {
    tokio::time::timeout(support::DEADLINE, future)
        .await
        .unwrap_or_else(|_| panic!("{what}: no answer within {:?}", support::DEADLINE))
}

/// rmcp's client, connected (`initialize` done) to the example with
/// `token`, or the error that stopped it.
async fn connect(
    address: SocketAddr,
    token: Option<&str>,
) -> Result<Client, ClientInitializeError> {
    let mut config = StreamableHttpClientTransportConfig::with_uri(format!("http://{address}/mcp"));
    if let Some(token) = token {
        config = config.auth_header(token);
    }
    let transport = StreamableHttpClientTransport::from_config(config);
    within("initialize", ClientConfig::default().serve(transport)).await
}

/// `tool` called with `arguments` (a JSON object).
async fn call(
    client: &Client,
    tool: &str,
    arguments: Value,
) -> Result<CallToolResult, ServiceError> {
    let arguments = arguments.as_object().cloned().unwrap_or_default();
    let params = CallToolRequestParams::new(tool.to_owned()).with_arguments(arguments);
    within(tool, client.call_tool(params)).await
}

/// The text of a tool's answer.
fn text(result: &CallToolResult) -> String {
    assert_ne!(result.is_error, Some(true), "{result:?}");
    result
        .content
        .iter()
        .filter_map(|content| content.as_text())
        .map(|text| text.text.as_str())
        .collect()
}

/// `POST /mcp` of one JSON-RPC message, raw, with `token`.
async fn post(address: SocketAddr, token: Option<&str>, message: &Value) -> support::RawResponse {
    let body = message.to_string();
    let mut request = format!(
        "POST /mcp HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\
         Content-Type: application/json\r\nAccept: application/json, text/event-stream\r\n\
         Content-Length: {}\r\n",
        body.len()
    );
    if let Some(token) = token {
        request.push_str(&format!("Authorization: Bearer {token}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(&body);
    support::send(address, request.as_bytes()).await
}

fn call_add() -> Value {
    json!({
        "jsonrpc": "2.0",
        "id": 7,
        "method": "tools/call",
        "params": {"name": "add", "arguments": {"a": 2, "b": 3}}
    })
}

/// The challenge of a 401 to a request without a token.
fn no_token_challenge() -> String {
    format!(r#"Bearer realm="api", resource_metadata="{METADATA_URL}""#)
}

/// The challenge of a 401 to a token that is not for this resource.
fn invalid_token_challenge() -> String {
    format!(
        r#"Bearer realm="api", resource_metadata="{METADATA_URL}", error="invalid_token", error_description="the access token is invalid""#
    )
}

/// The challenge of a 403 to `add` without scope `mcp:tools`.
fn insufficient_scope_challenge() -> String {
    format!(
        r#"Bearer realm="api", resource_metadata="{METADATA_URL}", error="insufficient_scope", error_description="the access token lacks a required scope", scope="mcp:tools""#
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)] // the key server answers while `start` blocks
async fn mcp_example_without_a_token_names_its_metadata() {
    let (_keys, example) = start_example().await;

    let response = post(example.address, None, &call_add()).await;
    assert_eq!(response.status, 401, "{}", response.body_text());
    assert_eq!(
        response.header("www-authenticate"),
        Some(no_token_challenge())
    );

    // An MCP client is stopped at `initialize`, with the challenge that
    // starts its authorization: where the metadata is.
    let error = connect(example.address, None).await.expect_err("401");
    assert_eq!(
        error.auth_challenge(),
        Some(no_token_challenge().as_str()),
        "{error}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)] // the key server answers while `start` blocks
async fn mcp_example_serves_its_metadata() {
    let (_keys, example) = start_example().await;

    // At the path RFC 9728 derives from the resource, and at the root.
    let mut documents = Vec::new();
    for path in [
        "/.well-known/oauth-protected-resource/mcp",
        "/.well-known/oauth-protected-resource",
    ] {
        let response = support::get(example.address, path, &[]).await;
        assert_eq!(response.status, 200, "{path}: {}", response.body_text());
        assert_eq!(
            response.header("content-type").as_deref(),
            Some("application/json"),
            "{path}"
        );
        let document: Value = serde_json::from_slice(&response.body).expect("JSON");
        assert_eq!(document["resource"], RESOURCE, "{path}: {document}");
        assert_eq!(
            document["authorization_servers"],
            json!([ISSUER_A]),
            "{path}"
        );
        assert_eq!(document["scopes_supported"], json!(["mcp:tools"]), "{path}");
        assert_eq!(
            document["bearer_methods_supported"],
            json!(["header"]),
            "{path}"
        );
        assert_eq!(
            document["resource_name"], "tower-bearer-auth MCP example",
            "{path}"
        );
        documents.push(document);
    }
    assert_eq!(documents[0], documents[1]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)] // the key server answers while `start` blocks
async fn mcp_example_answers_a_token_for_its_resource() {
    let (_keys, example) = start_example().await;
    let client = connect(example.address, Some(&token("mcp-tools")))
        .await
        .expect("initialize");

    let tools = within("tools/list", client.list_all_tools())
        .await
        .expect("tools/list");
    let mut names: Vec<&str> = tools.iter().map(|tool| &*tool.name).collect();
    names.sort_unstable();
    assert_eq!(names, ["add", "whoami"]);

    let whoami = call(&client, "whoami", json!({})).await.expect("whoami");
    assert_eq!(text(&whoami), "sub: mcp-user\nscopes: openid mcp:tools");

    let sum = call(&client, "add", json!({"a": 2, "b": 3}))
        .await
        .expect("add");
    assert_eq!(text(&sum), "5");
    within("cancel", client.cancel()).await.expect("close");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)] // the key server answers while `start` blocks
async fn mcp_example_refuses_add_without_its_scope() {
    let (_keys, example) = start_example().await;
    let reader = token("mcp-no-tools");
    let client = connect(example.address, Some(&reader))
        .await
        .expect("initialize");
    let whoami = call(&client, "whoami", json!({})).await.expect("whoami");
    assert_eq!(text(&whoami), "sub: mcp-reader\nscopes: openid");

    // The client sees the 403 and the scope to ask for.
    let error = call(&client, "add", json!({"a": 2, "b": 3}))
        .await
        .expect_err("403");
    assert_eq!(
        error.auth_challenge(),
        Some(insufficient_scope_challenge().as_str()),
        "{error}"
    );
    let mut source = error.source();
    let mut refusal = None;
    while let Some(error) = source {
        refusal = refusal.or(error.downcast_ref::<InsufficientScopeError>());
        source = error.source();
    }
    // rmcp's client names a 403 with a challenge so, and no other answer.
    let refusal = refusal.expect("an InsufficientScopeError");
    assert_eq!(refusal.get_required_scope(), Some("mcp:tools"));

    // The session is still good for what the token may do.
    let whoami = call(&client, "whoami", json!({})).await.expect("whoami");
    assert_eq!(text(&whoami), "sub: mcp-reader\nscopes: openid");
    within("cancel", client.cancel()).await.expect("close");

    // The status itself, on the wire.
    let response = post(example.address, Some(&reader), &call_add()).await;
    assert_eq!(response.status, 403, "{}", response.body_text());
    assert_eq!(
        response.header("www-authenticate"),
        Some(insufficient_scope_challenge())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)] // the key server answers while `start` blocks
async fn mcp_example_refuses_a_token_for_another_resource() {
    let (_keys, example) = start_example().await;
    let other = token("mcp-other-audience");

    let error = connect(example.address, Some(&other))
        .await
        .expect_err("401");
    assert_eq!(
        error.auth_challenge(),
        Some(invalid_token_challenge().as_str()),
        "{error}"
    );
    let response = post(example.address, Some(&other), &call_add()).await;
    assert_eq!(response.status, 401, "{}", response.body_text());
    assert_eq!(
        response.header("www-authenticate"),
        Some(invalid_token_challenge())
    );
}
