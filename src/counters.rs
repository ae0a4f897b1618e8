//! [`AuthCounters`]: how many requests each verdict had, for metrics.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::ErrorKind;

/// Counts of the verdicts of the layers that share it: requests let through
/// with claims, requests let through without a token (an
/// [`optional`](crate::BearerAuthLayer::optional) layer), and refusals by
/// [`ErrorKind`].
///
/// Each layer counts its own verdicts: a request the authentication layer
/// accepts and a scope layer inside it refuses is counted once as accepted
/// and once as `InsufficientScope`. A scope or step-up layer counts only
/// when built by [`require_scopes`](crate::BearerAuthLayer::require_scopes)
/// or [`require_authentication`](crate::BearerAuthLayer::require_authentication)
/// after [`with_counters`](crate::BearerAuthLayer::with_counters), or given
/// counters itself. Requests let through by a bypass, and requests dropped
/// before their verdict, are not counted.
///
/// Clones count into the same numbers. Read them whenever your metrics
/// system asks (a Prometheus scrape, an OpenTelemetry observable counter);
/// the crate depends on no metrics library. Each count is a relaxed atomic
/// add, and only on layers given counters.
///
/// ```
/// use tower_bearer_auth::{AuthCounters, BearerAuthLayer, ErrorKind, StaticTokens};
///
/// let counters = AuthCounters::new();
/// let layer = BearerAuthLayer::new(StaticTokens::<()>::new()).with_counters(counters.clone());
/// // ... serve, then export:
/// for &kind in ErrorKind::ALL {
///     println!("auth_refused_total{{kind=\"{kind:?}\"}} {}", counters.refused(kind));
/// }
/// println!("auth_accepted_total {}", counters.accepted());
/// # let _ = layer;
/// ```
#[derive(Clone, Default)]
pub struct AuthCounters(Arc<Counts>);

#[derive(Default)]
struct Counts {
    accepted: AtomicU64,
    anonymous: AtomicU64,
    refused: [AtomicU64; KINDS],
}

const KINDS: usize = ErrorKind::ALL.len();

impl AuthCounters {
    /// Counters at zero.
    pub fn new() -> Self {
        Self::default()
    }

    /// Requests let through with verified claims.
    pub fn accepted(&self) -> u64 {
        self.0.accepted.load(Ordering::Relaxed)
    }

    /// Requests an optional layer let through without a token.
    pub fn anonymous(&self) -> u64 {
        self.0.anonymous.load(Ordering::Relaxed)
    }

    /// Requests refused for `kind`.
    pub fn refused(&self, kind: ErrorKind) -> u64 {
        self.0.refused[kind.index()].load(Ordering::Relaxed)
    }

    /// Requests refused, whatever the kind.
    pub fn refused_total(&self) -> u64 {
        self.0
            .refused
            .iter()
            .map(|count| count.load(Ordering::Relaxed))
            .sum()
    }

    pub(crate) fn count_accepted(&self) {
        self.0.accepted.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn count_anonymous(&self) {
        self.0.anonymous.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn count_refused(&self, kind: ErrorKind) {
        self.0.refused[kind.index()].fetch_add(1, Ordering::Relaxed);
    }
}

impl fmt::Debug for AuthCounters {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        map.entry(&"accepted", &self.accepted());
        map.entry(&"anonymous", &self.anonymous());
        for &kind in ErrorKind::ALL {
            map.entry(&kind, &self.refused(kind));
        }
        map.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_its_place_in_all() {
        for (index, &kind) in ErrorKind::ALL.iter().enumerate() {
            assert_eq!(kind.index(), index, "{kind:?}");
        }
    }

    #[test]
    fn each_kind_has_its_own_count_and_clones_share_them() {
        let counters = AuthCounters::new();
        let clone = counters.clone();
        for (n, &kind) in ErrorKind::ALL.iter().enumerate() {
            for _ in 0..=n {
                clone.count_refused(kind);
            }
        }
        clone.count_accepted();
        clone.count_anonymous();
        clone.count_anonymous();
        for (n, &kind) in ErrorKind::ALL.iter().enumerate() {
            assert_eq!(counters.refused(kind), n as u64 + 1, "{kind:?}");
        }
        assert_eq!(counters.refused_total(), (1..=KINDS as u64).sum::<u64>());
        assert_eq!((counters.accepted(), counters.anonymous()), (1, 2));
    }
}
