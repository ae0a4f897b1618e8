//! The canonical gRPC `helloworld.Greeter` behind bearer-token authentication:
//! a tonic server with [`BearerAuthLayer`] in `Server::builder().layer(...)`,
//! whose handler greets the subject of the token it was called with.
//!
//! ```text
//! cargo run --example tonic_greeter
//! ```
//!
//! Environment: `API_TOKEN` (subject `demo`), `ADMIN_TOKEN` (subject `root`)
//! and `BIND` (default `127.0.0.1:3000`); unset tokens fall back to demo
//! tokens printed at start-up. Call it with
//! [grpcurl](https://github.com/fullstorydev/grpcurl) from the crate root:
//!
//! ```text
//! grpcurl -proto examples/proto/helloworld.proto \
//!   -H 'authorization: Bearer demo-read-token-0123456789' \
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

use tonic::{Request, Response, Status};
use tower_bearer_auth::BearerAuthLayer;

use common::ApiClaims;
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
            .get::<ApiClaims>()
            .ok_or_else(|| Status::internal("authentication layer missing"))?;
        let message = format!("Hello {}, you are {}", request.get_ref().name, claims.sub);
        Ok(Response::new(HelloReply { message }))
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let tokens = common::tokens_from_env()?;
    let address = common::bind_address()?;

    eprintln!("gRPC helloworld.Greeter listening on {address}");
    tonic::transport::Server::builder()
        .layer(BearerAuthLayer::new(tokens))
        .add_service(GreeterServer::new(MyGreeter))
        .serve(address)
        .await?;
    Ok(())
}
