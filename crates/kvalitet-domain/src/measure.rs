//! Ties between case-data measures and the plan: a measure (by its id, e.g.
//! `forhandsbedomning_14d`) feeds a self-inspection's runs or an indicator's results
//! when case data is imported.

use serde::{Deserialize, Serialize};

use crate::id::Id;
use crate::indicator::IndicatorId;
use crate::org::TenantId;
use crate::self_inspection::{SelfInspectionId, Verdict};
use crate::validate::{Problem, Validate, ValidationErrors};

/// A measure feeding a self-inspection (judged against `approve_at`, in per cent) or an
/// indicator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeasureLink {
    pub tenant_id: TenantId,
    pub measure: String,
    pub self_inspection_id: Option<SelfInspectionId>,
    pub indicator_id: Option<IndicatorId>,
    /// For a self-inspection: the share (per cent) at or above which a run is approved.
    pub approve_at: Option<f64>,
}
pub type MeasureLinkId = Id<MeasureLink>;

impl Validate for MeasureLink {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        e.text("measure", &self.measure, 80);
        if self.self_inspection_id.is_some() == self.indicator_id.is_some() {
            e.push(
                "self_inspection_id",
                Problem::Invalid("koppla måttet till en egenkontroll eller en indikator".into()),
            );
        }
        match (self.self_inspection_id, self.approve_at) {
            (Some(_), None) => e.push("approve_at", Problem::Required),
            (_, Some(a)) if !(0.0..=100.0).contains(&a) => {
                e.push("approve_at", Problem::OutOfRange { min: 0, max: 100 })
            }
            _ => {}
        }
        e.into_result()
    }
}

impl MeasureLink {
    /// The verdict of a run whose share is `percent`.
    pub fn verdict(&self, percent: f64) -> Verdict {
        if percent >= self.approve_at.unwrap_or(100.0) { Verdict::Approved } else { Verdict::NotApproved }
    }
}
