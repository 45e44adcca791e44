//! Small statistics for shares: the 95 % Wilson interval and the rule for when a basis
//! is too thin to conclude from.

use serde::Serialize;

/// A share with its basis and 95 % confidence interval, all as fractions 0..=1.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Share {
    pub numerator: u64,
    pub denominator: u64,
    pub value: f64,
    pub ci_low: f64,
    pub ci_high: f64,
}

/// z for a two-sided 95 % interval.
const Z95: f64 = 1.959_963_984_540_054;

/// The Wilson score interval for `numerator` of `denominator`; `None` when the
/// denominator is zero or smaller than the numerator.
pub fn wilson(numerator: u64, denominator: u64) -> Option<Share> {
    if denominator == 0 || numerator > denominator {
        return None;
    }
    let n = denominator as f64;
    let p = numerator as f64 / n;
    let z2 = Z95 * Z95;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = Z95 * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / (1.0 + z2 / n);
    Some(Share {
        numerator,
        denominator,
        value: p,
        ci_low: (centre - half).max(0.0),
        ci_high: (centre + half).min(1.0),
    })
}

/// How much a share can be trusted, in the terms a board member needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Basis {
    /// Enough answers to draw conclusions from.
    Sufficient,
    /// Fewer than [`MIN_BASIS`] answers, or an interval wider than [`MAX_INTERVAL_WIDTH`].
    TooThin,
}

/// Fewer answers than this are too few to conclude from.
pub const MIN_BASIS: u64 = 30;
/// An interval wider than this (20 percentage points) is too uncertain to conclude from.
pub const MAX_INTERVAL_WIDTH: f64 = 0.20;

impl Share {
    pub fn basis(&self) -> Basis {
        if self.denominator < MIN_BASIS || self.ci_high - self.ci_low > MAX_INTERVAL_WIDTH {
            Basis::TooThin
        } else {
            Basis::Sufficient
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 5e-4
    }

    #[test]
    fn wilson_matches_published_values() {
        // 81 % of 26 answers (seed 002: beroendeenheten's survey): 21 of 26.
        let s = wilson(21, 26).unwrap();
        assert!(close(s.value, 0.8077), "{s:?}");
        assert!(close(s.ci_low, 0.6211), "{s:?}");
        assert!(close(s.ci_high, 0.9149), "{s:?}");
        assert_eq!(s.basis(), Basis::TooThin);
        // Edges stay inside 0..=1.
        let all = wilson(10, 10).unwrap();
        assert!(close(all.ci_high, 1.0) && close(all.ci_low, 0.7225), "{all:?}");
        let none = wilson(0, 10).unwrap();
        assert!(close(none.ci_low, 0.0) && close(none.ci_high, 0.2775), "{none:?}");
    }

    #[test]
    fn large_samples_are_sufficient_and_nonsense_is_refused() {
        assert_eq!(wilson(800, 1000).unwrap().basis(), Basis::Sufficient);
        assert!(wilson(1, 0).is_none());
        assert!(wilson(5, 4).is_none());
    }
}
