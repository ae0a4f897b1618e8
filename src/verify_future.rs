//! [`VerifyFuture`]: a verdict known at once, or one that must wait.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::error::AuthError;
use crate::verify::Verdict;

/// The future of the verifiers that usually decide at once and sometimes
/// wait: the JWT verifier (for fetched keys) and the cache (for the
/// verifier it wraps); yours too, if it fits.
///
/// A verdict known at once costs no allocation; only a wait is boxed.
#[must_use = "futures do nothing unless polled"]
pub struct VerifyFuture<C> {
    state: State<C>,
}

enum State<C> {
    Ready(Option<Result<C, AuthError>>),
    Waiting(Pin<Box<dyn Future<Output = Result<C, AuthError>> + Send>>),
}

impl<C> VerifyFuture<C> {
    /// A verdict known now.
    pub fn ready(result: Result<C, AuthError>) -> Self {
        Self {
            state: State::Ready(Some(result)),
        }
    }

    /// The verdict if it is known now, else this future: what a verifier
    /// answering `VerifyFuture` returns from
    /// [`VerifyToken::verify_now`](crate::VerifyToken::verify_now).
    pub fn into_verdict(self) -> Verdict<C, Self> {
        match self.state {
            State::Ready(Some(result)) => Verdict::Now(result),
            state => Verdict::Later(Self { state }),
        }
    }

    /// A verdict `future` decides.
    pub fn waiting(future: impl Future<Output = Result<C, AuthError>> + Send + 'static) -> Self {
        Self {
            state: State::Waiting(Box::pin(future)),
        }
    }
}

// Never pinned through: the claims are moved out by value, the waiting
// future is boxed.
impl<C> Unpin for VerifyFuture<C> {}

impl<C> Future for VerifyFuture<C> {
    type Output = Result<C, AuthError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match &mut self.get_mut().state {
            State::Ready(result) => Poll::Ready(
                result
                    .take()
                    .expect("VerifyFuture polled after it completed"),
            ),
            State::Waiting(future) => future.as_mut().poll(cx),
        }
    }
}

impl<C> fmt::Debug for VerifyFuture<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match &self.state {
            State::Ready(_) => "ready",
            State::Waiting(_) => "waiting",
        };
        f.debug_struct("VerifyFuture")
            .field("state", &state)
            .finish()
    }
}
