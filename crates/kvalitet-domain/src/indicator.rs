//! Quality indicators (kvalitetsindikatorer): what is measured year by year, with a
//! target and a direction, and their yearly results.

use serde::{Deserialize, Serialize};

use crate::coded_enum;
use crate::id::Id;
use crate::org::{ProcessAreaId, QualityFactorId};
use crate::plan::PlanId;
use crate::stats::{Share, wilson};
use crate::validate::{Problem, Validate, ValidationErrors, limits};

coded_enum! {
    /// What an indicator's value is.
    pub enum MeasureUnit {
        Percent = "percent",
        Count = "count",
        /// A mean on a 1-5 scale.
        MeanScale = "mean_scale",
        Days = "days",
    }
}

coded_enum! {
    /// Where an indicator's data comes from.
    pub enum IndicatorSource {
        OwnSurvey = "own_survey",
        OwnStudy = "own_study",
        SkrSurvey = "skr_survey",
        Kolada = "kolada",
        CaseSystem = "case_system",
        Other = "other",
    }
}

coded_enum! {
    /// Which way is better.
    pub enum Direction {
        HigherIsBetter = "higher_is_better",
        LowerIsBetter = "lower_is_better",
    }
}

/// An indicator followed in a plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Indicator {
    pub plan_id: PlanId,
    /// The area the indicator is grouped under ("Stöd till barn och unga").
    pub area_id: ProcessAreaId,
    pub name: String,
    pub quality_factor_id: Option<QualityFactorId>,
    pub unit: MeasureUnit,
    pub source: IndicatorSource,
    pub target_value: Option<f64>,
    pub direction: Direction,
    /// "Inga tillgängliga data".
    pub no_data: bool,
    /// A note the plan prints beside the indicator (the seeds' "*").
    pub note: String,
    pub previous_indicator_id: Option<IndicatorId>,
    pub sort_order: i64,
    /// The Kolada key figure (KPI) the indicator is compared with (F13), e.g. `U21468`.
    pub kolada_kpi: Option<String>,
}
pub type IndicatorId = Id<Indicator>;

/// Which way an indicator's results moved between two years, judged by its direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trend {
    Better,
    Worse,
    Unchanged,
}

impl Indicator {
    /// Whether `value` reaches the target; `None` without a target.
    pub fn meets_target(&self, value: f64) -> Option<bool> {
        let target = self.target_value?;
        Some(match self.direction {
            Direction::HigherIsBetter => value >= target,
            Direction::LowerIsBetter => value <= target,
        })
    }

    /// The trend from the earlier of two results to the later one.
    pub fn trend(&self, earlier: f64, later: f64) -> Trend {
        let rise = later - earlier;
        if rise.abs() < 1e-9 {
            Trend::Unchanged
        } else if (rise > 0.0) == (self.direction == Direction::HigherIsBetter) {
            Trend::Better
        } else {
            Trend::Worse
        }
    }
}

impl Validate for Indicator {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        e.text("name", &self.name, limits::TITLE);
        e.optional_text("note", &self.note, limits::TEXT);
        if let Some(t) = self.target_value {
            check_value(&mut e, "target_value", t, self.unit);
        }
        crate::kolada::check_kpi(&mut e, "kolada_kpi", self.kolada_kpi.as_deref());
        e.into_result()
    }
}

fn check_value(e: &mut ValidationErrors, field: &'static str, v: f64, unit: MeasureUnit) {
    let ok = v.is_finite()
        && match unit {
            MeasureUnit::Percent => (0.0..=100.0).contains(&v),
            MeasureUnit::MeanScale => (1.0..=5.0).contains(&v),
            MeasureUnit::Count | MeasureUnit::Days => v >= 0.0,
        };
    if !ok {
        let why = match unit {
            MeasureUnit::Percent => "ska vara en andel mellan 0 och 100",
            MeasureUnit::MeanScale => "ska vara ett medelvärde mellan 1 och 5",
            MeasureUnit::Count | MeasureUnit::Days => "får inte vara negativt",
        };
        e.push(field, Problem::NotAllowed(why));
    }
}

/// An indicator's result for one year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndicatorResult {
    pub indicator_id: IndicatorId,
    pub year: i64,
    /// The value in the indicator's unit (per cent for shares).
    pub value: Option<f64>,
    pub numerator: Option<i64>,
    pub denominator: Option<i64>,
    /// Answers received, for surveys.
    pub answers: Option<i64>,
    /// Response rate in per cent, for surveys.
    pub response_rate: Option<f64>,
    /// The national comparison value, in the same unit.
    pub national_value: Option<f64>,
    pub comment: String,
    pub no_data: bool,
}
pub type IndicatorResultId = Id<IndicatorResult>;

impl IndicatorResult {
    /// The share with its interval, where numerator and denominator are known, or where
    /// a percentage and the number of answers are.
    pub fn share(&self) -> Option<Share> {
        match (self.numerator, self.denominator) {
            (Some(n), Some(d)) if n >= 0 && d > 0 => wilson(n as u64, d as u64),
            _ => {
                let answers = self.answers.filter(|&a| a > 0)?;
                let value = self.value?;
                let n = (value / 100.0 * answers as f64).round() as u64;
                wilson(n.min(answers as u64), answers as u64)
            }
        }
    }
}

/// How far (in percentage points) a share's value may lie from its fraction: the value
/// rounded to a whole percent.
const SHARE_TOLERANCE: f64 = 0.5;

impl IndicatorResult {
    /// The share a numerator and denominator give, in percent with one decimal.
    pub fn fraction_value(&self) -> Option<f64> {
        match (self.numerator, self.denominator) {
            (Some(n), Some(d)) if d > 0 && (0..=d).contains(&n) => Some((n as f64 * 1000.0 / d as f64).round() / 10.0),
            _ => None,
        }
    }

    /// The result with its value computed from the fraction when a share is given only
    /// as numerator and denominator.
    pub fn with_computed_value(self, unit: MeasureUnit) -> IndicatorResult {
        match (unit, self.value, self.fraction_value()) {
            (MeasureUnit::Percent, None, Some(v)) if !self.no_data => IndicatorResult { value: Some(v), ..self },
            _ => self,
        }
    }

    pub fn validate_for(&self, unit: MeasureUnit) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        e.range("year", self.year, 2000, 2100);
        e.optional_text("comment", &self.comment, limits::TEXT);
        if let Some(v) = self.value {
            check_value(&mut e, "value", v, unit);
        }
        if let Some(r) = self.response_rate {
            check_value(&mut e, "response_rate", r, MeasureUnit::Percent);
        }
        match (self.numerator, self.denominator) {
            (Some(n), Some(d)) if n < 0 || d <= 0 || n > d => {
                e.push("numerator", Problem::Invalid("täljaren ska vara mellan 0 och nämnaren".into()))
            }
            (Some(_), None) => e.push("denominator", Problem::Required),
            (None, Some(_)) => e.push("numerator", Problem::Required),
            _ => {}
        }
        if let (MeasureUnit::Percent, Some(v), Some(f), Some(n), Some(d)) =
            (unit, self.value, self.fraction_value(), self.numerator, self.denominator)
            && (v - f).abs() > SHARE_TOLERANCE
        {
            e.push(
                "value",
                Problem::Invalid(format!(
                    "stämmer inte med täljaren och nämnaren: {n} av {d} är {} %",
                    format!("{f:.1}").replace('.', ",")
                )),
            );
        }
        if self.no_data && self.value.is_some() {
            e.push("value", Problem::NotAllowed("ett resultat utan tillgängliga data kan inte ha ett värde"));
        }
        e.into_result()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn indicator(target: Option<f64>, direction: Direction) -> Indicator {
        Indicator {
            plan_id: Id::new(1),
            area_id: Id::new(1),
            name: "Andel".into(),
            quality_factor_id: None,
            unit: MeasureUnit::Percent,
            source: IndicatorSource::OwnStudy,
            target_value: target,
            direction,
            no_data: false,
            note: String::new(),
            previous_indicator_id: None,
            sort_order: 0,
            kolada_kpi: None,
        }
    }

    #[test]
    fn a_kolada_key_figure_must_have_koladas_form() {
        let mut i = indicator(None, Direction::HigherIsBetter);
        i.kolada_kpi = Some("U21468".into());
        assert!(i.validate().is_ok());
        i.kolada_kpi = Some("21468".into());
        let e = i.validate().unwrap_err();
        assert_eq!(e.errors[0].field, "kolada_kpi");
        assert!(e.to_string().contains("en stor bokstav och fem siffror"), "{e}");
    }

    #[test]
    fn the_target_is_met_in_the_indicators_direction() {
        let up = indicator(Some(80.0), Direction::HigherIsBetter);
        assert_eq!(up.meets_target(80.0), Some(true));
        assert_eq!(up.meets_target(79.9), Some(false));
        let down = indicator(Some(10.0), Direction::LowerIsBetter);
        assert_eq!(down.meets_target(9.0), Some(true));
        assert_eq!(down.meets_target(11.0), Some(false));
        assert_eq!(indicator(None, Direction::HigherIsBetter).meets_target(50.0), None);
    }

    #[test]
    fn a_trend_is_better_or_worse_by_direction() {
        let up = indicator(None, Direction::HigherIsBetter);
        assert_eq!(up.trend(60.0, 70.0), Trend::Better);
        assert_eq!(up.trend(70.0, 60.0), Trend::Worse);
        assert_eq!(up.trend(70.0, 70.0), Trend::Unchanged);
        let down = indicator(None, Direction::LowerIsBetter);
        assert_eq!(down.trend(20.0, 12.0), Trend::Better);
        assert_eq!(down.trend(12.0, 20.0), Trend::Worse);
    }
}
