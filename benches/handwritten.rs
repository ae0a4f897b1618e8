//! The yardstick of `benches/load.sh`: the quickstart's `/public` and
//! `/hello`, with `/hello` behind the JWT check people write by hand
//! instead of using this crate. An axum `from_fn` middleware takes the
//! `Bearer` token, calls jsonwebtoken's `decode` into a typed claims struct
//! of two strings (the cheapest claims a hand-written check reads) and
//! puts the claims into the request, or answers a bare 401.
//!
//! Not a criterion bench: `cargo bench` runs it without arguments, and it
//! only says how to use it. `benches/load.sh` runs it with `serve`, and the
//! quickstart's environment: `BIND`, `JWT_SECRET` (HS256) or
//! `JWT_PUBLIC_KEY` (a PEM EC P-256 key: ES256), `JWT_ISSUER`,
//! `JWT_AUDIENCE`.

use std::env::var;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::http::header::AUTHORIZATION;
use axum::middleware::{Next, from_fn_with_state};
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;
use tokio::net::TcpListener;
use tower_bearer_auth::jwt::jsonwebtoken::{Algorithm, DecodingKey, Validation, decode};

/// The claims a handler would use. The hello-world, as the quickstart's,
/// does not.
#[derive(Clone, Deserialize)]
#[allow(dead_code)]
struct Claims {
    sub: String,
    #[serde(default)]
    scope: String,
}

struct Keys {
    key: DecodingKey,
    validation: Validation,
}

type Error = Box<dyn std::error::Error>;

fn main() -> Result<(), Error> {
    if std::env::args().nth(1).as_deref() != Some("serve") {
        eprintln!(
            "handwritten: run by benches/load.sh (handwritten serve, configured like the quickstart)"
        );
        return Ok(());
    }
    let keys = Arc::new(keys()?);
    let app = Router::new()
        .route("/hello", get(|| async { "hello\n" }))
        .route_layer(from_fn_with_state(keys, check))
        .route("/public", get(|| async { "public\n" }));
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(async {
            let listener = TcpListener::bind(var("BIND")?).await?;
            axum::serve(listener, app).await?;
            Ok(())
        })
}

/// The key and checks of the quickstart's configuration.
fn keys() -> Result<Keys, Error> {
    let (key, algorithm) = match (var("JWT_SECRET"), var("JWT_PUBLIC_KEY")) {
        (Ok(secret), Err(_)) => (
            DecodingKey::from_secret(secret.as_bytes()),
            Algorithm::HS256,
        ),
        (Err(_), Ok(path)) => (
            DecodingKey::from_ec_pem(&std::fs::read(path)?)?,
            Algorithm::ES256,
        ),
        _ => return Err("set JWT_SECRET or JWT_PUBLIC_KEY".into()),
    };
    // The checks the layer makes: `exp` (jsonwebtoken's default), `nbf`,
    // the issuer, the audience and the one algorithm.
    let mut validation = Validation::new(algorithm);
    validation.validate_nbf = true;
    validation.set_issuer(&[var("JWT_ISSUER")?]);
    validation.set_audience(&[var("JWT_AUDIENCE")?]);
    Ok(Keys { key, validation })
}

async fn check(State(keys): State<Arc<Keys>>, mut request: Request, next: Next) -> Response {
    let token = request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "));
    let Some(Ok(token)) = token.map(|token| decode::<Claims>(token, &keys.key, &keys.validation))
    else {
        let mut response = Response::default();
        *response.status_mut() = StatusCode::UNAUTHORIZED;
        return response;
    };
    request.extensions_mut().insert(token.claims);
    next.run(request).await
}
