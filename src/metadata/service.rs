//! [`ProtectedResourceMetadata`] answering requests for itself.

use std::convert::Infallible;
use std::future::{Ready, ready};
use std::task::{Context, Poll};

use http::header::{
    ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN, ALLOW, CACHE_CONTROL, CONTENT_TYPE,
};
use http::{HeaderValue, Method, Request, Response, StatusCode};
use tower::Service;

use super::ProtectedResourceMetadata;

/// The methods the document answers.
const METHODS: &str = "GET, HEAD, OPTIONS";

/// `GET`: the document (`application/json`, cacheable for the max age,
/// readable from any origin: it is public). `HEAD`: the same headers.
/// `OPTIONS` (a CORS preflight): 204 with the methods. Anything else: 405.
impl<B> Service<Request<B>> for ProtectedResourceMetadata {
    type Response = Response<String>;
    type Error = Infallible;
    type Future = Ready<Result<Response<String>, Infallible>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        ready(Ok(self.answer(request.method())))
    }
}

impl ProtectedResourceMetadata {
    fn answer(&self, method: &Method) -> Response<String> {
        let (status, body) = match *method {
            Method::GET => (StatusCode::OK, self.to_json().to_owned()),
            Method::HEAD => (StatusCode::OK, String::new()),
            Method::OPTIONS => (StatusCode::NO_CONTENT, String::new()),
            _ => (StatusCode::METHOD_NOT_ALLOWED, String::new()),
        };
        let mut response = Response::new(body);
        *response.status_mut() = status;
        let headers = response.headers_mut();
        let methods = HeaderValue::from_static(METHODS);
        headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
        match status {
            StatusCode::OK => {
                headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
                let cache = format!("public, max-age={}", self.max_age().as_secs());
                if let Ok(cache) = HeaderValue::try_from(cache) {
                    headers.insert(CACHE_CONTROL, cache);
                }
            }
            StatusCode::NO_CONTENT => {
                headers.insert(ACCESS_CONTROL_ALLOW_METHODS, methods);
            }
            _ => {
                headers.insert(ALLOW, methods);
            }
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn each_method_gets_its_answer() {
        let metadata = ProtectedResourceMetadata::builder("https://mcp.example.com/mcp")
            .with_max_age(Duration::from_secs(300))
            .build()
            .expect("valid");
        let get = metadata.answer(&Method::GET);
        assert_eq!(get.status(), StatusCode::OK);
        assert_eq!(get.headers()[CONTENT_TYPE], "application/json");
        assert_eq!(get.headers()[CACHE_CONTROL], "public, max-age=300");
        assert_eq!(get.headers()[ACCESS_CONTROL_ALLOW_ORIGIN], "*");
        assert_eq!(get.body(), metadata.to_json());
        let head = metadata.answer(&Method::HEAD);
        assert_eq!(head.status(), StatusCode::OK);
        assert_eq!(head.headers()[CONTENT_TYPE], "application/json");
        assert!(head.body().is_empty());
        let preflight = metadata.answer(&Method::OPTIONS);
        assert_eq!(preflight.status(), StatusCode::NO_CONTENT);
        assert_eq!(preflight.headers()[ACCESS_CONTROL_ALLOW_METHODS], METHODS);
        let post = metadata.answer(&Method::POST);
        assert_eq!(post.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(post.headers()[ALLOW], METHODS);
        assert!(post.body().is_empty());
    }
}
