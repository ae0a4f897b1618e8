//! [`Settings`]: what a [`BearerAuthLayer`](crate::BearerAuthLayer) hands
//! every service it makes.

use std::fmt;
use std::sync::Arc;

use http::request::Parts;

use crate::extract::TokenExtractor;
use crate::rejection::Rejecter;

/// A predicate on the request head: `true` lets the request through
/// untouched.
pub(crate) type Bypass = Arc<dyn Fn(&Parts) -> bool + Send + Sync>;

/// Everything a [`BearerAuth`](crate::BearerAuth) service needs, shared by
/// its clones behind one `Arc`.
#[derive(Clone)]
pub(crate) struct Settings<V, R> {
    pub(crate) verifier: V,
    pub(crate) extractor: TokenExtractor,
    pub(crate) rejecter: Rejecter<R>,
    pub(crate) optional: bool,
    pub(crate) bypass: Option<Bypass>,
}

impl<V, R> fmt::Debug for Settings<V, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("verifier", &std::any::type_name::<V>())
            .field("extractor", &self.extractor)
            .field("realm", self.rejecter.realm())
            .field("optional", &self.optional)
            .field("bypass", &self.bypass.is_some())
            .finish_non_exhaustive()
    }
}
