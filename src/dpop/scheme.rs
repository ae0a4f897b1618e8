//! The `DPoP` scheme plugged into [`BearerAuthLayer`]: the schemes the
//! policy accepts, their challenges and the nonce an answer hands out.

use std::sync::Arc;

use http::header::CACHE_CONTROL;
use http::{HeaderMap, HeaderValue};

use super::config::{Dpop, DpopAnswer, DpopPolicy};
use super::confirmation::TokenBinding;
use super::verifier::DpopVerifier;
use crate::challenge::with_error;
use crate::error::{AuthError, ErrorKind};
use crate::layer::BearerAuthLayer;
use crate::metadata::ProtectedResourceMetadata;
use crate::scheme::{AuthScheme, ChallengeSet, Presented, Schemes};
use crate::verify::VerifyToken;

/// `Authorization: DPoP <token>`, with a proof of possession in the `DPoP`
/// header (RFC 9449 §7.1).
pub const DPOP: AuthScheme = AuthScheme::new("DPoP");

#[cfg_attr(docsrs, doc(cfg(feature = "dpop")))]
impl<V, R> BearerAuthLayer<V, R>
where
    V: VerifyToken,
    V::Claims: TokenBinding,
{
    /// Accepts sender-constrained tokens as `dpop` says (RFC 9449 DPoP,
    /// RFC 8705 certificate binding): the `DPoP` scheme with its proof, per
    /// the policy, and every token's binding checked after verification.
    /// Challenges name the `DPoP` scheme and its algorithms; nonces, when
    /// on, are handed out in `DPoP-Nonce`. See [`crate::dpop`].
    ///
    /// Call it before [`require_scopes`](Self::require_scopes) and
    /// [`require_authentication`](Self::require_authentication): the layers
    /// they make share the challenges
    /// the layer has when they are made. The proof's `htu` is compared with
    /// the path the layer sees: put the layer where the path is the one
    /// clients use (not inside an axum `nest`, which strips its prefix).
    pub fn with_dpop<C>(self, dpop: Dpop<C>) -> BearerAuthLayer<DpopVerifier<V, C>, R> {
        let schemes = schemes(dpop.policy(), dpop.answer());
        self.with_schemes(&schemes).map(
            |verifier| DpopVerifier::new(verifier, dpop),
            |rejecter| rejecter,
        )
    }
}

/// The schemes `policy` accepts in `Authorization`, and their challenges:
/// `Bearer`'s alone when `DPoP` is not accepted.
fn schemes(policy: DpopPolicy, answer: &Arc<DpopAnswer>) -> Schemes {
    let accepted: &'static [AuthScheme] = match policy {
        DpopPolicy::BearerOnly => return Schemes::default(),
        DpopPolicy::DpopOnly => &[DPOP],
        DpopPolicy::BearerOrDpop => &[AuthScheme::BEARER, DPOP],
    };
    let challenges: Arc<dyn ChallengeSet> = answer.clone();
    Schemes {
        accepted,
        challenges: Some(challenges),
    }
}

impl ChallengeSet for DpopAnswer {
    /// `Bearer` (unless the policy is DPoP only), then `DPoP`. The error
    /// goes in the challenge of the scheme the request used, in `DPoP`'s
    /// when it is about the proof, and in both when the request used
    /// several `Authorization` lines (RFC 9449 §7.2).
    fn challenges(
        &self,
        error: &AuthError,
        bearer: &HeaderValue,
        presented: Presented,
    ) -> Vec<(HeaderValue, bool)> {
        let about_proof = matches!(
            error.kind(),
            ErrorKind::InvalidDpopProof | ErrorKind::UseDpopNonce
        );
        let (bearer_error, dpop_error) = if !self.bearer || about_proof {
            (false, true)
        } else {
            match presented {
                Presented::Scheme(Some(DPOP)) => (false, true),
                Presented::Scheme(_) | Presented::Nothing => (true, false),
                Presented::Several => (true, true),
            }
        };
        let render = |bare: &HeaderValue, carries: bool| {
            let challenge = if carries {
                with_error(bare, error)
            } else {
                bare.clone()
            };
            (challenge, carries)
        };
        let mut challenges = Vec::with_capacity(2);
        if self.bearer {
            challenges.push(render(bearer, bearer_error));
        }
        challenges.push(render(&self.challenge, dpop_error));
        challenges
    }

    /// `dpop_signing_alg_values_supported`, and
    /// `dpop_bound_access_tokens_required` when `Bearer` is not accepted
    /// (RFC 9728 §2).
    fn describe(&self, metadata: ProtectedResourceMetadata) -> ProtectedResourceMetadata {
        metadata.with_dpop(&self.algorithms, !self.bearer)
    }

    /// `DPoP-Nonce` with a fresh nonce and `Cache-Control: no-store` on a
    /// `use_dpop_nonce` answer that lacks one (RFC 9449 §9): an answer no
    /// cache may keep.
    fn complete(&self, error: &AuthError, headers: &mut HeaderMap) {
        if error.kind() != ErrorKind::UseDpopNonce || headers.contains_key("dpop-nonce") {
            return;
        }
        if let Some(nonce) = self.current_nonce() {
            headers.insert("dpop-nonce", nonce);
            headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
        }
    }
}
