//! The futures of this crate: [`BearerAuth`](crate::BearerAuth)'s response
//! future, and [`VerifyFuture`], the verdict of the verifiers that may wait.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use http::header::CACHE_CONTROL;
use http::request::Parts;
use http::{HeaderValue, Request, Response};
use pin_project_lite::pin_project;
use tower::Service;

use crate::rejection::Reject;
use crate::settings::Settings;
use crate::verify::VerifyToken;

pub use crate::verify_future::VerifyFuture;

pin_project! {
    /// Response future of [`BearerAuth`](crate::BearerAuth): an answer known
    /// at once, or the verifier's verdict followed by the inner service's
    /// response. Nothing is boxed.
    pub struct ResponseFuture<S, V, R, ReqBody>
    where
        S: Service<Request<ReqBody>>,
        V: VerifyToken,
    {
        #[pin]
        state: State<V::Future, S::Future, S::Response, Pending<S, V, R, ReqBody>>,
    }
}

pin_project! {
    #[project = StateProj]
    enum State<Verdict, Call, Res, Wait> {
        Rejected {
            response: Option<Res>,
        },
        Verifying {
            #[pin]
            verdict: Verdict,
            pending: Option<Wait>,
        },
        Calling {
            #[pin]
            call: Call,
            // The token came in the URL: a successful answer gets
            // `Cache-Control: private`.
            private: bool,
        },
    }
}

/// What a request waiting for its verdict holds: itself, the ready inner
/// service, and the settings to answer a refusal with.
struct Pending<S, V, R, ReqBody> {
    head: Parts,
    body: ReqBody,
    inner: S,
    settings: Arc<Settings<V, R>>,
    private: bool,
}

impl<S, V, R, ReqBody> ResponseFuture<S, V, R, ReqBody>
where
    S: Service<Request<ReqBody>>,
    V: VerifyToken,
{
    pub(crate) fn rejected(response: S::Response) -> Self {
        Self {
            state: State::Rejected {
                response: Some(response),
            },
        }
    }

    /// `private`: the token came in the URL.
    pub(crate) fn calling(call: S::Future, private: bool) -> Self {
        Self {
            state: State::Calling { call, private },
        }
    }

    pub(crate) fn verifying(
        verdict: V::Future,
        head: Parts,
        body: ReqBody,
        inner: S,
        settings: Arc<Settings<V, R>>,
        private: bool,
    ) -> Self {
        Self {
            state: State::Verifying {
                verdict,
                pending: Some(Pending {
                    head,
                    body,
                    inner,
                    settings,
                    private,
                }),
            },
        }
    }
}

impl<S, V, R, ReqBody, ResBody> Future for ResponseFuture<S, V, R, ReqBody>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    V: VerifyToken,
    R: Reject<ResBody>,
{
    type Output = Result<Response<ResBody>, S::Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut state = self.project().state;
        loop {
            match state.as_mut().project() {
                StateProj::Rejected { response } => {
                    let response = response.take().expect("polled after completion");
                    return Poll::Ready(Ok(response));
                }
                StateProj::Verifying { verdict, pending } => {
                    let verdict = ready!(verdict.poll(cx));
                    let Pending {
                        mut head,
                        body,
                        mut inner,
                        settings,
                        private,
                    } = pending.take().expect("polled after completion");
                    match verdict {
                        Ok(claims) => {
                            settings.rejecter.count_accepted();
                            head.extensions.insert(claims);
                            let call = inner.call(Request::from_parts(head, body));
                            state.set(State::Calling { call, private });
                        }
                        Err(error) => {
                            return Poll::Ready(Ok(settings.rejecter.respond(error, &head)));
                        }
                    }
                }
                StateProj::Calling { call, private } => {
                    let mut response = ready!(call.poll(cx))?;
                    if *private {
                        mark_private(&mut response);
                    }
                    return Poll::Ready(Ok(response));
                }
            }
        }
    }
}

/// Adds `private` to the `Cache-Control` of a successful answer, unless it
/// already forbids shared caching (`private` or `no-store`, RFC 6750
/// §2.3); `public`, which says the opposite, is dropped (RFC 9111
/// §5.2.2.9), and so is `private="field"`, which lets a shared cache keep
/// the rest (§5.2.2.7). Every `Cache-Control` line counts; one that is not
/// visible ASCII is kept as it is, with a `private` line added.
fn mark_private<B>(response: &mut Response<B>) {
    if !response.status().is_success() {
        return;
    }
    let headers = response.headers_mut();
    let lines: Option<Vec<&str>> = headers
        .get_all(CACHE_CONTROL)
        .iter()
        .map(|line| line.to_str().ok())
        .collect();
    let Some(lines) = lines else {
        headers.append(CACHE_CONTROL, HeaderValue::from_static("private"));
        return;
    };
    // A directive's name, and whether it has an argument.
    let name = |directive: &str| {
        let directive = directive.trim();
        match directive.split_once('=') {
            Some((name, _)) => (name.trim_end().to_ascii_lowercase(), true),
            None => (directive.to_ascii_lowercase(), false),
        }
    };
    let directives = lines.iter().flat_map(|line| line.split(','));
    let forbids_sharing =
        |d: &str| matches!(name(d), (n, false) if n == "private" || n == "no-store");
    if directives.clone().any(forbids_sharing) {
        return;
    }
    let dropped = |d: &str| d.trim().is_empty() || matches!(&*name(d).0, "public" | "private");
    let mut value = String::from("private");
    for directive in directives.filter(|d| !dropped(d)) {
        value.push_str(", ");
        value.push_str(directive.trim());
    }
    let value = HeaderValue::from_str(&value).unwrap_or(HeaderValue::from_static("private"));
    headers.insert(CACHE_CONTROL, value);
}

impl<S, V, R, ReqBody> fmt::Debug for ResponseFuture<S, V, R, ReqBody>
where
    S: Service<Request<ReqBody>>,
    V: VerifyToken,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match &self.state {
            State::Rejected { .. } => "rejected",
            State::Verifying { .. } => "verifying",
            State::Calling { .. } => "calling",
        };
        f.debug_struct("ResponseFuture")
            .field("state", &state)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_from_the_url_makes_the_answer_private() {
        let cases: &[(Option<&str>, &str)] = &[
            (None, "private"),
            (Some("max-age=60"), "private, max-age=60"),
            (Some("public"), "private"),
            (Some("public, max-age=60"), "private, max-age=60"),
            (Some("max-age=60, PUBLIC"), "private, max-age=60"),
            (Some("private"), "private"),
            (Some("no-store"), "no-store"),
            (Some("public, no-store"), "public, no-store"),
            (
                Some(r#"private="set-cookie", max-age=5"#),
                "private, max-age=5",
            ),
            (Some("no-store=x"), "private, no-store=x"),
            (Some("No-Store"), "No-Store"),
        ];
        for &(existing, expected) in cases {
            let mut response = Response::new(());
            if let Some(existing) = existing {
                response
                    .headers_mut()
                    .insert(CACHE_CONTROL, HeaderValue::from_static(existing));
            }
            mark_private(&mut response);
            assert_eq!(response.headers()[CACHE_CONTROL], expected, "{existing:?}");
        }
    }

    #[test]
    fn every_cache_control_line_counts() {
        let answer = |lines: &[&[u8]]| {
            let mut response = Response::new(());
            for line in lines {
                let line = HeaderValue::from_bytes(line).expect("a header value");
                response.headers_mut().append(CACHE_CONTROL, line);
            }
            mark_private(&mut response);
            let lines = response.headers().get_all(CACHE_CONTROL).iter();
            lines
                .map(|line| line.as_bytes().to_vec())
                .collect::<Vec<_>>()
        };
        // no-store on a second line: nothing to add, nothing dropped.
        assert_eq!(
            answer(&[b"public", b"no-store"]),
            [&b"public"[..], b"no-store"]
        );
        assert_eq!(
            answer(&[b"public", b"max-age=5"]),
            [&b"private, max-age=5"[..]]
        );
        // A line that is not visible ASCII stays, and `private` is added.
        assert_eq!(
            answer(&[b"no-cache=\"\xe9\""]),
            [&b"no-cache=\"\xe9\""[..], b"private"]
        );
    }
}
