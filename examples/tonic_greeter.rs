//! The canonical gRPC `helloworld.Greeter` behind JWT bearer-token
//! authentication: a tonic server with [`BearerAuthLayer`] in
//! `Server::builder().layer(...)`, whose handler greets the subject of the
//! token it was called with.
//!
//! ```text
//! cargo run --example tonic_greeter --features jwt
//! ```
//!
//! It takes the quickstart's environment: `BIND` (default `127.0.0.1:3000`),
//! `JWT_SECRET` or `JWT_PUBLIC_KEY`, `JWT_ISSUER`, `JWT_AUDIENCE` and
//! `JWT_PROFILE`; with no key it generates a secret and prints tokens valid
//! for an hour. Call it with
//! [grpcurl](https://github.com/fullstorydev/grpcurl) from the crate root:
//!
//! ```text
//! grpcurl -proto examples/proto/helloworld.proto \
//!   -H "authorization: Bearer $TOKEN" \
//!   -plaintext -d '{"name":"x"}' 127.0.0.1:3000 helloworld.Greeter/SayHello
//! # {"message": "Hello x, you are demo"}
//!
//! grpcurl -proto examples/proto/helloworld.proto \
//!   -plaintext -d '{"name":"x"}' 127.0.0.1:3000 helloworld.Greeter/SayHello
//! # Code: Unauthenticated
//! # Message: unauthenticated: no bearer token in the request
//! ```
//!
//! A refused call is a gRPC status (`Unauthenticated`, `Unavailable`) with
//! the `WWW-Authenticate` challenge in its `www-authenticate` metadata
//! (`grpcurl -v` shows it among the response trailers).

#[path = "common/mod.rs"]
mod common;
#[path = "proto/helloworld.rs"]
mod helloworld;
#[path = "common/jwt_env.rs"]
mod jwt_env;

use tonic::{Request, Response, Status};
use tower_bearer_auth::BearerAuthLayer;
use tower_bearer_auth::jwt::AccessClaims;

use helloworld::greeter_server::{Greeter, GreeterServer};
use helloworld::{HelloReply, HelloRequest};

/// Greets the caller by name and by the subject of its token.
#[derive(Debug, Default)]
struct MyGreeter;

#[tonic::async_trait]
impl Greeter for MyGreeter {
    async fn say_hello(
        &self,
        request: Request<HelloRequest>,
    ) -> Result<Response<HelloReply>, Status> {
        // The layer put the verified claims here before calling the service;
        // without them the call would have been refused, so a missing value
        // means the server was assembled without the layer.
        let claims = request
            .extensions()
            .get::<AccessClaims>()
            .ok_or_else(|| Status::internal("authentication layer missing"))?;
        let subject = claims.sub().unwrap_or("nobody in particular");
        let message = format!("Hello {}, you are {subject}", request.get_ref().name);
        Ok(Response::new(HelloReply { message }))
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    common::init_tracing();
    let config = jwt_env::from_env()?;
    let listener = tokio::net::TcpListener::bind(common::bind_address()?).await?;
    let address = listener.local_addr()?;

    eprintln!("gRPC helloworld.Greeter listening on {address}");
    for (scope, token) in &config.demo_tokens {
        eprintln!("\nA token with scope {scope:?}, valid for an hour:\n{token}");
    }
    tonic::transport::Server::builder()
        .layer(BearerAuthLayer::new(config.verifier))
        .add_service(GreeterServer::new(MyGreeter))
        .serve_with_incoming(tokio_stream::wrappers::TcpListenerStream::new(listener))
        .await?;
    Ok(())
}
