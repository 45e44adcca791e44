//! Corrections of what was recorded: a self-inspection run changed or removed after the
//! fact, with the reason, who did it and when, and what it said before. Kept beside the
//! item it belongs to, so its history shows every correction.

use serde::{Deserialize, Serialize};

use crate::coded_enum;
use crate::org::TenantId;
use crate::validate::{Validate, ValidationErrors, limits};

coded_enum! {
    /// What a correction did.
    pub enum CorrectionKind {
        Changed = "changed",
        Removed = "removed",
    }
}

/// One correction of a recorded thing (`record_table`/`record_id`) that belongs to an
/// item (`subject_table`/`subject_id`, e.g. the self-inspection of a run).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Correction {
    pub tenant_id: TenantId,
    pub subject_table: String,
    pub subject_id: i64,
    pub record_table: String,
    pub record_id: i64,
    pub corrected_on: crate::Date,
    pub corrected_by: String,
    pub kind: CorrectionKind,
    /// Why it was corrected: required.
    pub reason: String,
    /// What the record said before (the record as JSON).
    pub before_text: String,
}

impl Validate for Correction {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        e.text("reason", &self.reason, limits::TEXT);
        e.into_result()
    }
}
