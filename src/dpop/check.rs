//! Checking the DPoP proof of a request (RFC 9449 §4.3).

use std::str::FromStr;

use http::request::Parts;
use jsonwebtoken::Algorithm;
use sha2::{Digest, Sha256};

use super::config::{MAX_PROOF_LEN, Rules};
use super::confirmation::names_digest;
use super::htu::htu_matches;
use super::key::proof_key;
use super::proof::{ProofClaims, ProofHeader};
use super::replay::{ProofId, ProofWindow};
use crate::error::{AuthError, ErrorKind};
use crate::jwt::compact::{Compact, decode_segment, decode_signature, signature_buffer};
use crate::jwt::{PreparedKey, media_type_is};
use crate::token::BearerToken;

/// Longest `jti` accepted: identifiers are random strings of a few dozen
/// characters (RFC 9449 §11.1 warns of "unnecessarily large" ones).
pub(super) const MAX_JTI_LEN: usize = 256;

/// A proof that passed every check but the replay one.
pub(super) struct CheckedProof {
    /// The RFC 7638 thumbprint of the proof's key.
    pub(super) thumbprint: [u8; 32],
    pub(super) id: ProofId,
    /// When the proof can be accepted.
    pub(super) window: ProofWindow,
}

fn invalid(description: &'static str) -> AuthError {
    AuthError::new(ErrorKind::InvalidDpopProof).with_description(description)
}

/// Checks the `DPoP` header of `head`, presented with `token`, at `now`:
/// one proof, a JWS of type `dpop+jwt`, an accepted asymmetric `alg`, a
/// public `jwk` that verifies the signature, `htm` and `htu` for this
/// request, `iat` within the window, `ath` for this token, and the
/// server's nonce when nonces are on. The cheap checks come first; the
/// nonce is asked for only of a proof that is otherwise good, so a forged
/// proof never gets one.
pub(super) fn check_proof<C>(
    rules: &Rules<C>,
    head: &Parts,
    token: &BearerToken,
    now: u64,
) -> Result<CheckedProof, AuthError> {
    let mut values = head.headers.get_all("dpop").iter();
    let value = values
        .next()
        .ok_or_else(|| invalid("the request has no DPoP proof"))?;
    if values.next().is_some() {
        return Err(invalid("the request has more than one DPoP proof"));
    }
    let malformed = || invalid("the DPoP proof is malformed");
    let bytes = value.as_bytes();
    if bytes.len() > MAX_PROOF_LEN {
        return Err(malformed());
    }
    let compact = Compact::split(bytes).map_err(|_| malformed())?;
    let header_json = decode_segment(compact.header).map_err(|_| malformed())?;
    let header: ProofHeader<'_> = serde_json::from_slice(&header_json).map_err(|_| malformed())?;
    let payload_json = decode_segment(compact.payload).map_err(|_| malformed())?;
    let claims: ProofClaims<'_> = serde_json::from_slice(&payload_json).map_err(|_| malformed())?;

    // The header: type, algorithm, key.
    if !header
        .typ
        .as_deref()
        .is_some_and(|typ| media_type_is(typ, "dpop+jwt"))
    {
        return Err(invalid("the DPoP proof is not of type dpop+jwt"));
    }
    let not_accepted = || invalid("the DPoP proof's algorithm or key is not accepted");
    if header.unsupported {
        return Err(not_accepted());
    }
    let alg = header
        .alg
        .as_deref()
        .and_then(|alg| Algorithm::from_str(alg).ok())
        .filter(|alg| rules.algorithms.contains(alg))
        .ok_or_else(not_accepted)?;
    let jwk = header.jwk.as_ref().ok_or_else(not_accepted)?;
    let key = proof_key(jwk, alg).ok_or_else(not_accepted)?;

    // The claims: all present, and for this request.
    let (Some(jti), Some(htm), Some(htu), Some(iat), Some(ath)) = (
        claims.jti.as_deref(),
        claims.htm.as_deref(),
        claims.htu.as_deref(),
        claims.iat,
        claims.ath.as_deref(),
    ) else {
        return Err(invalid("the DPoP proof lacks a required claim"));
    };
    if jti.is_empty() || jti.len() > MAX_JTI_LEN {
        return Err(malformed());
    }
    if htm != head.method.as_str() || !htu_matches(htu, &rules.origins, head.uri.path()) {
        return Err(invalid("the DPoP proof is for another method or URI"));
    }
    let iat = u64::try_from(iat).map_err(|_| malformed())?;
    let oldest = now.saturating_sub(rules.max_age.saturating_add(rules.leeway));
    if iat < oldest || iat > now.saturating_add(rules.leeway) {
        return Err(invalid(
            "the DPoP proof is too old or too far in the future",
        ));
    }
    if !names_digest(ath, &Sha256::digest(token.as_bytes()).into()) {
        return Err(invalid("the DPoP proof is for another access token"));
    }

    // The signature, with the proof's own key.
    let mut buffer = signature_buffer();
    let signature = decode_signature(compact.signature, &mut buffer);
    let signature_ok = signature
        .zip(PreparedKey::new(&key.key, alg))
        .is_some_and(|(signature, key)| key.verifies(compact.signing_input, signature));
    if !signature_ok {
        return Err(invalid("the DPoP proof's signature does not verify"));
    }

    if let Some(nonces) = &rules.answer.nonces {
        let fresh = claims
            .nonce
            .as_deref()
            .is_some_and(|nonce| nonces.accepts(nonce, now));
        if !fresh {
            return Err(AuthError::new(ErrorKind::UseDpopNonce));
        }
    }
    Ok(CheckedProof {
        thumbprint: key.thumbprint,
        id: ProofId::new(&key.thumbprint, jti),
        window: ProofWindow {
            now,
            expires_at: iat
                .saturating_add(rules.max_age)
                .saturating_add(rules.leeway)
                .saturating_add(1),
            skew: rules.leeway,
        },
    })
}
