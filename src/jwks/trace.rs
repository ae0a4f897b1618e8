//! `tracing` events when feature `tracing` is on, nothing otherwise. Events
//! carry key ids, counts, URLs and reasons: never a key or a token.

/// Forwards to the `tracing` macro of the same level; compiled out without
/// feature `tracing`.
macro_rules! event {
    ($level:ident, $($arg:tt)+) => {{
        #[cfg(feature = "tracing")]
        ::tracing::$level!(target: "tower_bearer_auth::jwks", $($arg)+);
    }};
}

pub(crate) use event;
