//! OAuth 2.0 Protected Resource Metadata (RFC 9728): the document that
//! tells a client which authorization servers issue tokens for this
//! resource, and which scopes and token kinds it takes. MCP servers must
//! publish it, and name it in every challenge.
//!
//! [`ProtectedResourceMetadata`] is the document, built once and checked:
//! its `resource` is the resource's identifier (an `https` URL without
//! query or fragment; `http` only to a loopback IP literal, for local
//! tests), and the URL it is served at follows from it (§3.1). It answers
//! requests itself, as a tower `Service`.
//!
//! Three calls tie it to the rest:
//! - [`JwtVerifierBuilder::for_resource`](crate::jwt::JwtVerifierBuilder::for_resource)
//!   (feature `jwt`) makes its `resource` the audience the verifier
//!   requires (RFC 8707), so the two cannot disagree;
//! - [`BearerAuthLayer::with_resource_metadata`](crate::BearerAuthLayer::with_resource_metadata)
//!   names it in every challenge: `resource_metadata="…"` on each 401 and
//!   each 403 `insufficient_scope` (§5.1), in gRPC answers' `www-authenticate`
//!   too;
//! - [`BearerAuthLayer::resource_metadata`](crate::BearerAuthLayer::resource_metadata)
//!   hands back the document completed from the layer's own
//!   configuration (where tokens are read from, DPoP's algorithms), to
//!   serve at its [`well_known_path`](ProtectedResourceMetadata::well_known_path).
//!
//! ```
//! use axum::Router;
//! use tower_bearer_auth::metadata::ProtectedResourceMetadata;
//! use tower_bearer_auth::{BearerAuthLayer, StaticTokens};
//!
//! let metadata = ProtectedResourceMetadata::builder("https://mcp.example.com/mcp")
//!     .with_authorization_servers(["https://login.example.com"])
//!     .with_scopes_supported(["mcp:tools"])
//!     .build()?;
//! assert_eq!(metadata.well_known_path(), "/.well-known/oauth-protected-resource/mcp");
//!
//! let auth = BearerAuthLayer::new(StaticTokens::<()>::new()).with_resource_metadata(metadata);
//! let document = auth.resource_metadata().expect("configured above");
//! let app: Router = Router::new()
//!     // .route("/mcp", …).route_layer(auth)
//!     .route_service(document.well_known_path(), document.clone());
//! # Ok::<(), tower_bearer_auth::ConfigError>(())
//! ```

mod json;
mod service;
mod well_known;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use json::JsonObject;
use well_known::ResourceUrl;

use crate::error::ConfigError;
use crate::scan::is_scope_token;

/// How long clients and caches may keep the document unless configured
/// otherwise: an hour.
pub const DEFAULT_MAX_AGE: Duration = Duration::from_secs(60 * 60);

/// The bearer methods of RFC 6750 §2 a document may list.
const BEARER_METHODS: [&str; 3] = ["header", "body", "query"];

/// A protected resource's metadata document (RFC 9728 §2), and the
/// `Service` that serves it: `GET` and `HEAD` get it as
/// `application/json`, with `Cache-Control` and
/// `Access-Control-Allow-Origin: *` (it is public, and browser-based
/// clients read it across origins). See the [module docs](self).
///
/// Cloning it is a pointer copy.
#[derive(Clone)]
pub struct ProtectedResourceMetadata {
    inner: Arc<Document>,
}

#[derive(Clone, Debug)]
struct Document {
    url: ResourceUrl,
    members: Members,
    max_age: Duration,
    /// The document as served.
    json: Box<str>,
}

/// The members besides `resource`, in the order RFC 9728 §2 lists them.
#[derive(Clone, Debug, Default)]
struct Members {
    authorization_servers: Vec<Box<str>>,
    jwks_uri: Option<Box<str>>,
    scopes_supported: Vec<Box<str>>,
    bearer_methods_supported: Vec<Box<str>>,
    resource_signing_alg_values_supported: Vec<Box<str>>,
    resource_name: Option<Box<str>>,
    resource_documentation: Option<Box<str>>,
    dpop_signing_alg_values_supported: Vec<Box<str>>,
    dpop_bound_access_tokens_required: bool,
}

impl ProtectedResourceMetadata {
    /// A document for the resource identified by `resource` (RFC 8707 §2),
    /// such as `https://mcp.example.com/mcp`.
    pub fn builder(resource: impl Into<String>) -> ProtectedResourceMetadataBuilder {
        ProtectedResourceMetadataBuilder {
            resource: resource.into(),
            members: Members::default(),
            max_age: DEFAULT_MAX_AGE,
        }
    }

    /// The resource identifier: the audience its tokens must name.
    pub fn resource(&self) -> &str {
        self.inner.url.resource()
    }

    /// The path the document is served at (RFC 9728 §3.1):
    /// `/.well-known/oauth-protected-resource`, then the resource's path.
    pub fn well_known_path(&self) -> &str {
        self.inner.url.well_known_path()
    }

    /// The document's URL, as challenges name it in `resource_metadata`.
    pub fn url(&self) -> &str {
        self.inner.url.metadata_url()
    }

    /// The document, as served.
    pub fn to_json(&self) -> &str {
        &self.inner.json
    }

    /// The `Cache-Control: max-age` it is served with.
    pub fn max_age(&self) -> Duration {
        self.inner.max_age
    }

    /// The same document with `methods` as its bearer methods, unless it
    /// names its own.
    pub(crate) fn with_bearer_methods(&self, methods: &[&str]) -> Self {
        self.edited(|members| {
            if members.bearer_methods_supported.is_empty() {
                members.bearer_methods_supported = boxed(methods.iter().copied());
            }
        })
    }

    /// The same document with DPoP's `algorithms`, unless it names its
    /// own, and DPoP-bound tokens `required` if so.
    #[cfg_attr(
        not(feature = "dpop"),
        allow(dead_code, reason = "DPoP describes itself")
    )]
    pub(crate) fn with_dpop(&self, algorithms: &[&str], required: bool) -> Self {
        self.edited(|members| {
            if members.dpop_signing_alg_values_supported.is_empty() {
                members.dpop_signing_alg_values_supported = boxed(algorithms.iter().copied());
            }
            members.dpop_bound_access_tokens_required |= required;
        })
    }

    fn edited(&self, edit: impl FnOnce(&mut Members)) -> Self {
        let mut document = (*self.inner).clone();
        edit(&mut document.members);
        document.json = render(&document.url, &document.members).into();
        Self {
            inner: Arc::new(document),
        }
    }
}

impl fmt::Debug for ProtectedResourceMetadata {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProtectedResourceMetadata")
            .field("resource", &self.resource())
            .field("url", &self.url())
            .field("members", &self.inner.members)
            .finish_non_exhaustive()
    }
}

/// Configures a [`ProtectedResourceMetadata`]; [`build`](Self::build)
/// checks it. Lists are written as given, and omitted when empty.
#[must_use]
#[derive(Debug)]
pub struct ProtectedResourceMetadataBuilder {
    resource: String,
    members: Members,
    max_age: Duration,
}

fn boxed<I>(values: I) -> Vec<Box<str>>
where
    I: IntoIterator,
    I::Item: Into<Box<str>>,
{
    values.into_iter().map(Into::into).collect()
}

impl ProtectedResourceMetadataBuilder {
    /// `authorization_servers`: the issuers of the tokens this resource
    /// takes (their identifiers, as in their own metadata).
    pub fn with_authorization_servers<I>(mut self, issuers: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<Box<str>>,
    {
        self.members.authorization_servers = boxed(issuers);
        self
    }

    /// `jwks_uri`: the resource's own keys, for signed responses (rarely
    /// needed).
    pub fn with_jwks_uri(mut self, url: impl Into<Box<str>>) -> Self {
        self.members.jwks_uri = Some(url.into());
        self
    }

    /// `scopes_supported`: the scopes a client may ask for to reach this
    /// resource.
    pub fn with_scopes_supported<I>(mut self, scopes: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<Box<str>>,
    {
        self.members.scopes_supported = boxed(scopes);
        self
    }

    /// `bearer_methods_supported`: `header`, `body`, `query` (RFC 6750 §2).
    /// Unset, [`BearerAuthLayer::resource_metadata`](crate::BearerAuthLayer::resource_metadata)
    /// fills it from the layer's token sources.
    pub fn with_bearer_methods_supported<I>(mut self, methods: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<Box<str>>,
    {
        self.members.bearer_methods_supported = boxed(methods);
        self
    }

    /// `resource_signing_alg_values_supported`: the algorithms the resource
    /// signs its responses with.
    pub fn with_resource_signing_alg_values_supported<I>(mut self, algorithms: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<Box<str>>,
    {
        self.members.resource_signing_alg_values_supported = boxed(algorithms);
        self
    }

    /// `resource_name`: a name for people.
    pub fn with_resource_name(mut self, name: impl Into<Box<str>>) -> Self {
        self.members.resource_name = Some(name.into());
        self
    }

    /// `resource_documentation`: a page for developers.
    pub fn with_resource_documentation(mut self, url: impl Into<Box<str>>) -> Self {
        self.members.resource_documentation = Some(url.into());
        self
    }

    /// `dpop_signing_alg_values_supported`. Unset,
    /// [`BearerAuthLayer::resource_metadata`](crate::BearerAuthLayer::resource_metadata)
    /// fills it from the layer's DPoP configuration (feature `dpop`).
    pub fn with_dpop_signing_alg_values_supported<I>(mut self, algorithms: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<Box<str>>,
    {
        self.members.dpop_signing_alg_values_supported = boxed(algorithms);
        self
    }

    /// `dpop_bound_access_tokens_required`: only DPoP-bound tokens are
    /// taken. A layer that takes DPoP tokens only says so by itself.
    pub fn with_dpop_bound_access_tokens_required(mut self, required: bool) -> Self {
        self.members.dpop_bound_access_tokens_required = required;
        self
    }

    /// The `Cache-Control: max-age` of the document (default
    /// [`DEFAULT_MAX_AGE`]).
    pub fn with_max_age(mut self, max_age: Duration) -> Self {
        self.max_age = max_age;
        self
    }

    /// Checks the document and renders it.
    ///
    /// Refused ([`ConfigError::InvalidResource`]): a `resource` that is not
    /// an absolute `https` URL (`http` to a loopback IP literal) without
    /// userinfo, query or fragment (RFC 9728 §1.2), or the URLs among the
    /// members likewise; a scope that is not a scope token; a bearer method
    /// other than `header`, `body` and `query`; an empty value anywhere.
    pub fn build(self) -> Result<ProtectedResourceMetadata, ConfigError> {
        let url = ResourceUrl::parse(&self.resource)?;
        let members = &self.members;
        let urls = members
            .authorization_servers
            .iter()
            .chain(&members.jwks_uri)
            .chain(&members.resource_documentation);
        let texts = members
            .resource_signing_alg_values_supported
            .iter()
            .chain(&members.dpop_signing_alg_values_supported)
            .chain(&members.resource_name);
        let valid = urls.clone().all(|url| well_known::is_absolute_url(url))
            && members
                .scopes_supported
                .iter()
                .all(|scope| is_scope_token(scope))
            && members
                .bearer_methods_supported
                .iter()
                .all(|method| BEARER_METHODS.contains(&&**method))
            && texts.clone().all(|text| !text.is_empty());
        if !valid {
            return Err(ConfigError::InvalidResource);
        }
        let json = render(&url, members).into();
        Ok(ProtectedResourceMetadata {
            inner: Arc::new(Document {
                url,
                members: self.members,
                max_age: self.max_age,
                json,
            }),
        })
    }
}

/// The document: `resource`, then each member that has a value.
fn render(url: &ResourceUrl, members: &Members) -> String {
    let mut object = JsonObject::new();
    object.string("resource", Some(url.resource()));
    object.strings("authorization_servers", &members.authorization_servers);
    object.string("jwks_uri", members.jwks_uri.as_deref());
    object.strings("scopes_supported", &members.scopes_supported);
    object.strings(
        "bearer_methods_supported",
        &members.bearer_methods_supported,
    );
    object.strings(
        "resource_signing_alg_values_supported",
        &members.resource_signing_alg_values_supported,
    );
    object.string("resource_name", members.resource_name.as_deref());
    object.string(
        "resource_documentation",
        members.resource_documentation.as_deref(),
    );
    object.strings(
        "dpop_signing_alg_values_supported",
        &members.dpop_signing_alg_values_supported,
    );
    object.flag(
        "dpop_bound_access_tokens_required",
        members.dpop_bound_access_tokens_required,
    );
    object.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_lists_what_was_given_in_the_rfc_s_order() {
        let metadata = ProtectedResourceMetadata::builder("https://mcp.example.com/mcp")
            .with_resource_name("Shop \"MCP\"")
            .with_scopes_supported(["mcp:tools", "mcp:read"])
            .with_authorization_servers(["https://login.example.com"])
            .with_resource_documentation("https://docs.example.com/mcp")
            .build()
            .expect("valid");
        assert_eq!(
            metadata.to_json(),
            r#"{"resource":"https://mcp.example.com/mcp","authorization_servers":["https://login.example.com"],"scopes_supported":["mcp:tools","mcp:read"],"resource_name":"Shop \"MCP\"","resource_documentation":"https://docs.example.com/mcp"}"#
        );
        assert_eq!(
            metadata.url(),
            "https://mcp.example.com/.well-known/oauth-protected-resource/mcp"
        );
        let completed = metadata
            .with_bearer_methods(&["header"])
            .with_dpop(&["ES256", "EdDSA"], true);
        assert!(completed.to_json().ends_with(
            r#""resource_documentation":"https://docs.example.com/mcp","dpop_signing_alg_values_supported":["ES256","EdDSA"],"dpop_bound_access_tokens_required":true}"#
        ));
        assert!(
            completed
                .to_json()
                .contains(r#""bearer_methods_supported":["header"]"#)
        );
        let given = ProtectedResourceMetadata::builder("https://a.example")
            .with_bearer_methods_supported(["query"])
            .build()
            .expect("valid")
            .with_bearer_methods(&["header"]);
        assert_eq!(
            given.to_json(),
            r#"{"resource":"https://a.example","bearer_methods_supported":["query"]}"#,
            "what the user said stays"
        );
    }

    #[test]
    fn members_that_are_not_what_they_say_are_refused() {
        let refused = |builder: ProtectedResourceMetadataBuilder| builder.build().err();
        let base = || ProtectedResourceMetadata::builder("https://mcp.example.com/mcp");
        let invalid = Some(ConfigError::InvalidResource);
        assert_eq!(
            refused(base().with_authorization_servers(["login.example.com"])),
            invalid
        );
        assert_eq!(refused(base().with_jwks_uri("")), invalid);
        assert_eq!(
            refused(base().with_scopes_supported(["two words"])),
            invalid
        );
        assert_eq!(refused(base().with_scopes_supported([""])), invalid);
        assert_eq!(
            refused(base().with_bearer_methods_supported(["cookie"])),
            invalid
        );
        assert_eq!(refused(base().with_resource_name("")), invalid);
        assert_eq!(
            refused(ProtectedResourceMetadata::builder("https://a.example/#x")),
            invalid
        );
    }
}
