//! The response future of [`BearerAuth`](crate::BearerAuth).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use http::request::Parts;
use http::{Request, Response};
use pin_project_lite::pin_project;
use tower::Service;

use crate::layer::Settings;
use crate::rejection::Reject;
use crate::verify::VerifyToken;

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

    pub(crate) fn calling(call: S::Future) -> Self {
        Self {
            state: State::Calling { call },
        }
    }

    pub(crate) fn verifying(
        verdict: V::Future,
        head: Parts,
        body: ReqBody,
        inner: S,
        settings: Arc<Settings<V, R>>,
    ) -> Self {
        Self {
            state: State::Verifying {
                verdict,
                pending: Some(Pending {
                    head,
                    body,
                    inner,
                    settings,
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
                    } = pending.take().expect("polled after completion");
                    match verdict {
                        Ok(claims) => {
                            head.extensions.insert(claims);
                            let call = inner.call(Request::from_parts(head, body));
                            state.set(State::Calling { call });
                        }
                        Err(error) => {
                            return Poll::Ready(Ok(settings.rejecter.respond(error, &head)));
                        }
                    }
                }
                StateProj::Calling { call } => return call.poll(cx),
            }
        }
    }
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
