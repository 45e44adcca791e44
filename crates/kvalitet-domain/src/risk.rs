//! Risks and the risk matrix: likelihood × consequence on a configurable matrix
//! (default 4×4, levels 1-16) with colour zones, and the assessment history.

use serde::{Deserialize, Serialize};

use crate::Date;
use crate::coded_enum;
use crate::id::Id;
use crate::org::{OrgUnitId, ProcessAreaId, TargetGroupId};
use crate::plan::PlanId;
use crate::validate::{Problem, Validate, ValidationErrors, limits};

/// The tenant's risk matrix: how many steps likelihood and consequence have, and the
/// colour zones levels fall into.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiskMatrix {
    pub likelihood_steps: u8,
    pub consequence_steps: u8,
    /// Zones in ascending order; a level belongs to the first zone whose `max_level` is
    /// at least the level.
    pub zones: Vec<RiskZone>,
}

/// A colour zone of the risk matrix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiskZone {
    pub max_level: u8,
    /// Stable code used for styling: `low`, `moderate`, `high`, `very_high`.
    pub code: String,
    /// The Swedish name shown to users.
    pub label: String,
    /// Fill colour, `#rrggbb`.
    pub colour: String,
}

impl Default for RiskMatrix {
    /// The 4×4 matrix the seeds use: levels 1-16.
    fn default() -> Self {
        let zone = |max_level, code: &str, label: &str, colour: &str| RiskZone {
            max_level,
            code: code.into(),
            label: label.into(),
            colour: colour.into(),
        };
        RiskMatrix {
            likelihood_steps: 4,
            consequence_steps: 4,
            zones: vec![
                zone(3, "low", "Låg risk", "#cfe8d5"),
                zone(6, "moderate", "Måttlig risk", "#fbe7a1"),
                zone(9, "high", "Hög risk", "#f7c08a"),
                zone(16, "very_high", "Mycket hög risk", "#f0a3a3"),
            ],
        }
    }
}

impl RiskMatrix {
    pub fn max_level(&self) -> u8 {
        self.likelihood_steps * self.consequence_steps
    }

    /// The zone a level falls in; levels above every zone fall in the last one.
    pub fn zone(&self, level: RiskLevel) -> &RiskZone {
        self.zones
            .iter()
            .find(|z| level.0 <= z.max_level)
            .or_else(|| self.zones.last())
            .expect("a risk matrix has at least one zone")
    }

    /// Every level that is a product likelihood × consequence on this matrix.
    pub fn possible_levels(&self) -> Vec<u8> {
        let mut levels: Vec<u8> =
            (1..=self.likelihood_steps).flat_map(|l| (1..=self.consequence_steps).map(move |c| l * c)).collect();
        levels.sort_unstable();
        levels.dedup();
        levels
    }

    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        e.range("likelihood_steps", self.likelihood_steps.into(), 2, 10);
        e.range("consequence_steps", self.consequence_steps.into(), 2, 10);
        if self.zones.is_empty() {
            e.push("zones", Problem::Required);
        }
        if !self.zones.windows(2).all(|w| w[0].max_level < w[1].max_level) {
            e.push("zones", Problem::Invalid("zonerna ska stå i stigande ordning".into()));
        }
        e.into_result()
    }
}

/// A risk level, 1 to the matrix's maximum (16 on the default matrix).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RiskLevel(u8);

impl RiskLevel {
    pub fn new(level: i64, matrix: &RiskMatrix) -> Result<Self, Problem> {
        if level < 1 || level > matrix.max_level().into() {
            return Err(Problem::OutOfRange { min: 1, max: matrix.max_level().into() });
        }
        Ok(RiskLevel(level as u8))
    }

    /// A level read back from storage, where it was validated on the way in.
    pub fn from_stored(level: i64) -> Self {
        RiskLevel(level.clamp(1, u8::MAX.into()) as u8)
    }

    pub fn get(self) -> u8 {
        self.0
    }
}

/// A risk's assessment: the level, and where the analysis recorded them, likelihood
/// and consequence (the seeds print only the level).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessment {
    pub likelihood: Option<u8>,
    pub consequence: Option<u8>,
    pub level: RiskLevel,
}

impl Assessment {
    /// An assessment from likelihood and consequence; the level is their product.
    pub fn from_factors(likelihood: i64, consequence: i64, matrix: &RiskMatrix) -> Result<Self, ValidationErrors> {
        let mut e = ValidationErrors::default();
        e.range("likelihood", likelihood, 1, matrix.likelihood_steps.into());
        e.range("consequence", consequence, 1, matrix.consequence_steps.into());
        e.into_result()?;
        Ok(Assessment {
            likelihood: Some(likelihood as u8),
            consequence: Some(consequence as u8),
            level: RiskLevel((likelihood * consequence) as u8),
        })
    }

    /// An assessment of which only the level is known, as the seeds print it.
    pub fn level_only(level: i64, matrix: &RiskMatrix) -> Result<Self, ValidationErrors> {
        let level = RiskLevel::new(level, matrix).map_err(|p| {
            let mut e = ValidationErrors::default();
            e.push("level", p);
            e
        })?;
        Ok(Assessment { likelihood: None, consequence: None, level })
    }

    /// Checks a stored or submitted combination: both factors or neither, and the level
    /// equal to their product when both are given.
    pub fn check(
        likelihood: Option<i64>,
        consequence: Option<i64>,
        level: Option<i64>,
        matrix: &RiskMatrix,
    ) -> Result<Self, ValidationErrors> {
        match (likelihood, consequence, level) {
            (Some(l), Some(c), level) => {
                let a = Self::from_factors(l, c, matrix)?;
                if let Some(level) = level.filter(|&lv| lv != i64::from(a.level.0)) {
                    let mut e = ValidationErrors::default();
                    e.push(
                        "level",
                        Problem::LevelMismatch {
                            likelihood: l as u8,
                            consequence: c as u8,
                            level: level.clamp(0, 255) as u8,
                        },
                    );
                    return Err(e);
                }
                Ok(a)
            }
            (None, None, Some(level)) => Self::level_only(level, matrix),
            (None, None, None) => {
                let mut e = ValidationErrors::default();
                e.push("level", Problem::Required);
                Err(e)
            }
            (l, _, _) => {
                let mut e = ValidationErrors::default();
                let field = if l.is_none() { "likelihood" } else { "consequence" };
                e.push(field, Problem::Invalid("ange både sannolikhet och konsekvens, eller bara risknivån".into()));
                Err(e)
            }
        }
    }
}

coded_enum! {
    /// Where a risk was identified.
    pub enum RiskOrigin {
        RiskAnalysis = "risk_analysis",
        LexSarah = "lex_sarah",
        Deviation = "deviation",
        SelfInspection = "self_inspection",
        Complaint = "complaint",
        Review = "review",
        Other = "other",
    }
}

/// A risk in a quality plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Risk {
    pub plan_id: PlanId,
    pub process_area_id: ProcessAreaId,
    pub title: String,
    /// What happens if the risk occurs (the seeds' text under the level).
    pub consequence_text: String,
    pub likelihood: Option<i64>,
    pub consequence: Option<i64>,
    pub level: i64,
    pub origin: RiskOrigin,
    /// The same risk in the previous year's plan, when the plan was rolled over.
    pub previous_risk_id: Option<RiskId>,
    /// Set when a plan is rolled over: the risk must be re-assessed for the new year.
    pub needs_reassessment: bool,
    pub sort_order: i64,
}
pub type RiskId = Id<Risk>;

impl Risk {
    pub fn validate_with(&self, matrix: &RiskMatrix) -> Result<Assessment, ValidationErrors> {
        let mut e = ValidationErrors::default();
        e.text("title", &self.title, limits::TITLE);
        e.optional_text("consequence_text", &self.consequence_text, limits::TEXT);
        let assessment = Assessment::check(self.likelihood, self.consequence, Some(self.level), matrix);
        match assessment {
            Ok(a) if e.errors.is_empty() => Ok(a),
            Ok(_) => Err(e),
            Err(more) => {
                e.errors.extend(more.errors);
                Err(e)
            }
        }
    }

    pub fn level(&self) -> RiskLevel {
        RiskLevel::from_stored(self.level)
    }
}

/// The units and target groups a risk concerns.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RiskScope {
    pub units: Vec<OrgUnitId>,
    pub target_groups: Vec<TargetGroupId>,
}

/// One assessment in a risk's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiskAssessment {
    pub risk_id: RiskId,
    pub assessed_on: Date,
    pub likelihood: Option<i64>,
    pub consequence: Option<i64>,
    pub level: i64,
    pub comment: String,
}
pub type RiskAssessmentId = Id<RiskAssessment>;

impl RiskAssessment {
    pub fn validate_with(&self, matrix: &RiskMatrix) -> Result<Assessment, ValidationErrors> {
        let mut e = ValidationErrors::default();
        e.optional_text("comment", &self.comment, limits::TEXT);
        e.into_result()?;
        Assessment::check(self.likelihood, self.consequence, Some(self.level), matrix)
    }
}

impl Validate for Risk {
    fn validate(&self) -> Result<(), ValidationErrors> {
        self.validate_with(&RiskMatrix::default()).map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_matrix_levels_and_zones() {
        let m = RiskMatrix::default();
        assert_eq!(m.max_level(), 16);
        assert_eq!(m.possible_levels(), vec![1, 2, 3, 4, 6, 8, 9, 12, 16]);
        let zone = |l| m.zone(RiskLevel::new(l, &m).unwrap()).code.clone();
        assert_eq!(zone(3), "low");
        assert_eq!(zone(4), "moderate");
        assert_eq!(zone(6), "moderate");
        assert_eq!(zone(8), "high");
        assert_eq!(zone(9), "high");
        assert_eq!(zone(12), "very_high");
        assert_eq!(zone(16), "very_high");
    }

    #[test]
    fn level_must_match_factors() {
        let m = RiskMatrix::default();
        assert_eq!(Assessment::check(Some(3), Some(3), Some(9), &m).unwrap().level.get(), 9);
        let err = Assessment::check(Some(3), Some(3), Some(8), &m).unwrap_err();
        assert!(matches!(err.errors[0].problem, Problem::LevelMismatch { level: 8, .. }));
        assert!(Assessment::check(Some(5), Some(1), None, &m).is_err());
        assert!(Assessment::check(Some(2), None, Some(4), &m).is_err());
        assert_eq!(Assessment::check(None, None, Some(12), &m).unwrap().likelihood, None);
        assert!(Assessment::check(None, None, Some(17), &m).is_err());
        assert!(Assessment::check(None, None, Some(0), &m).is_err());
    }

    #[test]
    fn a_larger_matrix_allows_higher_levels() {
        let m = RiskMatrix { likelihood_steps: 5, consequence_steps: 5, ..RiskMatrix::default() };
        assert_eq!(Assessment::check(Some(5), Some(5), None, &m).unwrap().level.get(), 25);
        assert_eq!(m.zone(RiskLevel::new(25, &m).unwrap()).code, "very_high");
    }
}
