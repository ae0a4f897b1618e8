//! Reading a response body up to a size cap and no further.

use std::future::poll_fn;

use bytes::{Bytes, BytesMut};
use http_body::Body;

use super::ResponseBody;

/// Why a body could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ReadError {
    /// The connection broke while reading.
    Transport,
    /// The body is larger than the cap.
    TooLarge,
}

/// The whole of `body`, or [`ReadError::TooLarge`] as soon as it announces
/// or sends more than `max` bytes: an oversized body is abandoned, never
/// buffered.
pub(crate) async fn read_limited(mut body: ResponseBody, max: usize) -> Result<Bytes, ReadError> {
    if body.size_hint().lower() > max as u64 {
        return Err(ReadError::TooLarge);
    }
    let mut read = BytesMut::new();
    while let Some(frame) = poll_fn(|cx| body.as_mut().poll_frame(cx)).await {
        let frame = frame.map_err(|_| ReadError::Transport)?;
        if let Ok(data) = frame.into_data() {
            if read.len() + data.len() > max {
                return Err(ReadError::TooLarge);
            }
            read.extend_from_slice(&data);
        }
    }
    Ok(read.freeze())
}
