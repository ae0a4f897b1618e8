//! Bearer-token authentication on a plain hyper 1 server, without axum: the
//! layer in front of a `service_fn` router served with hyper-util (HTTP/1.1
//! and HTTP/2), a public route let through with `with_bypass`, and a route
//! that needs the `admin` scope behind a `RequireScopeLayer`.
//!
//! ```text
//! cargo run --example hyper_service
//!
//! curl -i http://127.0.0.1:3000/public
//! curl -i http://127.0.0.1:3000/me
//! curl -i -H 'Authorization: Bearer demo-read-token-0123456789' http://127.0.0.1:3000/me
//! curl -i -H 'Authorization: Bearer demo-read-token-0123456789' http://127.0.0.1:3000/admin
//! curl -i -H 'Authorization: Bearer demo-admin-token-0123456789' http://127.0.0.1:3000/admin
//! curl -i --http2-prior-knowledge -H 'Authorization: Bearer demo-admin-token-0123456789' \
//!     http://127.0.0.1:3000/me
//! ```
//!
//! The tokens come from `API_TOKEN` and `ADMIN_TOKEN` (the demo ones above
//! when unset), the address from `BIND` (default `127.0.0.1:3000`).

#[path = "common/mod.rs"]
mod common;

use std::convert::Infallible;
use std::time::Duration;

use bytes::Bytes;
use http::header::CONTENT_TYPE;
use http::{HeaderValue, Request, Response, StatusCode};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tower::{Service, ServiceBuilder, ServiceExt};
use tower_bearer_auth::BearerAuthLayer;
use tower_bearer_auth::scope::RequireScopeLayer;

use common::ApiClaims;

/// Every response body: `Full` implements `Default`, which the rejections
/// need to build their empty body.
type Body = Full<Bytes>;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    common::init_tracing();
    let tokens = common::tokens_from_env()?;

    // `/admin` alone needs the `admin` scope: its handler sits behind the
    // scope check, which reads the claims the authentication put in.
    let admin = ServiceBuilder::new()
        .layer(RequireScopeLayer::<ApiClaims>::new(["admin"])?)
        .service_fn(admin);

    let service = ServiceBuilder::new()
        .layer(BearerAuthLayer::new(tokens).with_bypass(|head| head.uri.path() == "/public"))
        .service_fn(move |request| route(request, admin.clone()));

    let listener = TcpListener::bind(common::bind_address()?).await?;
    println!("listening on http://{}", listener.local_addr()?);

    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => stream,
                Err(error) => {
                    // Out of file descriptors, a connection reset before it
                    // was accepted...: not a reason to stop serving.
                    eprintln!("accept failed: {error}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            _ = tokio::signal::ctrl_c() => break,
        };
        let service = TowerToHyperService::new(service.clone());
        tokio::spawn(async move {
            // `auto` answers HTTP/1.1 and HTTP/2 (prior knowledge) alike.
            let builder = auto::Builder::new(TokioExecutor::new());
            if let Err(error) = builder
                .serve_connection(TokioIo::new(stream), service)
                .await
            {
                eprintln!("connection failed: {error}");
            }
        });
    }
    Ok(())
}

/// The router behind the authentication: `/public` is let through without a
/// token, every other path has verified claims in its extensions.
async fn route<A>(request: Request<Incoming>, admin: A) -> Result<Response<Body>, Infallible>
where
    A: Service<Request<Incoming>, Response = Response<Body>, Error = Infallible>,
{
    match request.uri().path() {
        "/public" => Ok(text(StatusCode::OK, "anyone may read this\n")),
        "/me" => Ok(me(&request)),
        "/admin" => admin.oneshot(request).await,
        _ => Ok(text(StatusCode::NOT_FOUND, "not found\n")),
    }
}

/// The caller's claims as JSON.
fn me(request: &Request<Incoming>) -> Response<Body> {
    let Some(claims) = request.extensions().get::<ApiClaims>() else {
        // Only reachable if the router and the bypass disagree.
        return text(StatusCode::INTERNAL_SERVER_ERROR, "no claims\n");
    };
    let json = serde_json::json!({ "sub": claims.sub, "scope": claims.scopes.as_str() });
    let mut response = Response::new(Body::from(json.to_string()));
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// Reached only with the `admin` scope.
async fn admin(request: Request<Incoming>) -> Result<Response<Body>, Infallible> {
    let sub = request
        .extensions()
        .get::<ApiClaims>()
        .map_or("nobody", |claims| claims.sub.as_str());
    Ok(text(
        StatusCode::OK,
        &format!("welcome to the admin area, {sub}\n"),
    ))
}

fn text(status: StatusCode, body: &str) -> Response<Body> {
    let mut response = Response::new(Body::from(body.to_owned()));
    *response.status_mut() = status;
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}
