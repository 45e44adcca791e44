//! One computed figure: a share with its Wilson interval, a count, a mean or an occupancy.

use serde::Serialize;

use crate::data::CaseId;

/// What `value` holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueType {
    /// A fraction 0..=1 of `numerator` / `denominator`, with a 95 % Wilson interval.
    Share,
    /// A count; numerator and denominator are null.
    Count,
    /// A mean number of days; `denominator` is the number of rows it is over.
    Days,
    /// Occupied place-days / available place-days, a fraction (may exceed 1 when
    /// overbooked); no interval, since it is a census, not a sample.
    Occupancy,
}

/// One row of output: one measure for one unit (or all) and one month (or the period).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MeasureResult {
    /// The measure's id.
    pub measure: String,
    /// The measure's Swedish name.
    pub name: String,
    pub value_type: ValueType,
    /// The unit, or `None` for all units. For `occupancy` the residential unit.
    pub unit: Option<String>,
    /// `YYYY-MM`, or `None` for the whole period.
    pub month: Option<String>,
    /// The intervention name for counts per intervention, else `None`.
    pub group: Option<String>,
    pub numerator: Option<u64>,
    pub denominator: Option<u64>,
    /// `None` when there is nothing to compute from (denominator 0).
    pub value: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    /// Rows over the limit that have an extension decision (`forlangning`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub over_limit_with_extension: Option<u64>,
    /// Mean days (for waits reported beside a share).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mean: Option<f64>,
    /// Median days (beside a mean).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub median: Option<f64>,
    /// Maximum days (for waits reported beside a share).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<i64>,
    /// Case ids outside the limit (or counted, for counts of pending decisions), for a
    /// "show me the cases" view. Not serialised.
    #[serde(skip)]
    pub outside: Vec<CaseId>,
    /// How many case ids are outside: `outside.len()`, or their number alone when they
    /// were not kept ([`crate::import_and_compute`]). Not serialised.
    #[serde(skip)]
    pub outside_count: u64,
}

impl MeasureResult {
    /// An empty result for `measure` to be filled in.
    pub(crate) fn new(measure: &str, name: &str, value_type: ValueType) -> Self {
        MeasureResult {
            measure: measure.to_owned(),
            name: name.to_owned(),
            value_type,
            unit: None,
            month: None,
            group: None,
            numerator: None,
            denominator: None,
            value: None,
            ci_low: None,
            ci_high: None,
            over_limit_with_extension: None,
            mean: None,
            median: None,
            max: None,
            outside: Vec::new(),
            outside_count: 0,
        }
    }

    /// Sets numerator, denominator, value and the Wilson interval.
    pub(crate) fn set_share(&mut self, numerator: u64, denominator: u64) {
        self.numerator = Some(numerator);
        self.denominator = Some(denominator);
        if let Some((value, low, high)) = wilson(numerator, denominator) {
            self.value = Some(value);
            self.ci_low = Some(low);
            self.ci_high = Some(high);
        }
    }
}

/// z for a two-sided 95 % interval.
const Z95: f64 = 1.959_963_984_540_054;

/// The share and its 95 % Wilson score interval, all fractions 0..=1; `None` when the
/// denominator is zero or smaller than the numerator.
pub fn wilson(numerator: u64, denominator: u64) -> Option<(f64, f64, f64)> {
    if denominator == 0 || numerator > denominator {
        return None;
    }
    let n = denominator as f64;
    let p = numerator as f64 / n;
    let z2 = Z95 * Z95;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = Z95 * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / (1.0 + z2 / n);
    Some((p, (centre - half).max(0.0), (centre + half).min(1.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 5e-4
    }

    #[test]
    fn wilson_matches_published_values() {
        let (p, lo, hi) = wilson(21, 26).unwrap();
        assert!(close(p, 0.8077) && close(lo, 0.6211) && close(hi, 0.9149));
        let (_, lo, hi) = wilson(10, 10).unwrap();
        assert!(close(hi, 1.0) && close(lo, 0.7225));
        assert!(wilson(1, 0).is_none());
        assert!(wilson(5, 4).is_none());
    }
}
