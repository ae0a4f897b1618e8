//! A set of JWS algorithms, one bit each.

use std::fmt;

use jsonwebtoken::Algorithm;

/// The algorithms a key may verify: a copyable bit set, so checking a
/// token's `alg` against a key is one AND.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct Algorithms(u16);

/// Every algorithm jsonwebtoken verifies, in bit order.
const ALL: [Algorithm; 12] = [
    Algorithm::HS256,
    Algorithm::HS384,
    Algorithm::HS512,
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::EdDSA,
];

fn bit(algorithm: Algorithm) -> u16 {
    ALL.iter()
        .position(|&known| known == algorithm)
        .map_or(0, |index| 1 << index)
}

impl Algorithms {
    pub(crate) const EMPTY: Self = Self(0);

    pub(crate) fn with(self, algorithm: Algorithm) -> Self {
        Self(self.0 | bit(algorithm))
    }

    pub(crate) fn contains(self, algorithm: Algorithm) -> bool {
        self.0 & bit(algorithm) != 0
    }

    /// One bit per algorithm, for fingerprints.
    pub(crate) fn bits(self) -> u16 {
        self.0
    }

    pub(crate) fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub(crate) fn iter(self) -> impl Iterator<Item = Algorithm> {
        ALL.into_iter()
            .filter(move |&algorithm| self.contains(algorithm))
    }
}

impl fmt::Debug for Algorithms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_algorithm_has_its_own_bit() {
        let mut set = Algorithms::EMPTY;
        for (count, algorithm) in ALL.into_iter().enumerate() {
            assert!(!set.contains(algorithm), "{algorithm:?}");
            set = set.with(algorithm);
            assert!(set.contains(algorithm), "{algorithm:?}");
            assert_eq!(set.iter().count(), count + 1);
        }
    }
}
