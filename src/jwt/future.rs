//! [`JwtFuture`]: the answer of a [`JwtVerifier`](super::JwtVerifier).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::error::AuthError;

/// The future of [`JwtVerifier`](super::JwtVerifier)'s
/// [`VerifyToken`](crate::VerifyToken) implementation.
///
/// Ready at once whenever the keys at hand decide: always with configured
/// keys, and with remote keys (feature `jwks`) unless the token names a key
/// not fetched yet or no keys are usable. Then it waits for one refresh,
/// bounded by the key source's timeout; only that wait is boxed.
#[must_use = "futures do nothing unless polled"]
pub struct JwtFuture<C> {
    state: State<C>,
}

enum State<C> {
    Ready(Option<Result<C, AuthError>>),
    #[cfg(feature = "jwks")]
    Waiting(Pin<Box<dyn Future<Output = Result<C, AuthError>> + Send>>),
}

impl<C> JwtFuture<C> {
    pub(crate) fn ready(result: Result<C, AuthError>) -> Self {
        Self {
            state: State::Ready(Some(result)),
        }
    }

    #[cfg(feature = "jwks")]
    pub(crate) fn waiting(
        future: impl Future<Output = Result<C, AuthError>> + Send + 'static,
    ) -> Self {
        Self {
            state: State::Waiting(Box::pin(future)),
        }
    }
}

// Never pinned through: the claims are moved out by value, the waiting
// future is boxed.
impl<C> Unpin for JwtFuture<C> {}

impl<C> Future for JwtFuture<C> {
    type Output = Result<C, AuthError>;

    fn poll(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Self::Output> {
        match &mut self.get_mut().state {
            State::Ready(result) => {
                Poll::Ready(result.take().expect("JwtFuture polled after it completed"))
            }
            #[cfg(feature = "jwks")]
            State::Waiting(future) => future.as_mut().poll(_cx),
        }
    }
}

impl<C> fmt::Debug for JwtFuture<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match &self.state {
            State::Ready(_) => "ready",
            #[cfg(feature = "jwks")]
            State::Waiting(_) => "waiting for keys",
        };
        f.debug_struct("JwtFuture").field("state", &state).finish()
    }
}
