//! Quality plans (kvalitetsplaner): one per year and scope, with prose sections and focus
//! areas, and the states of the annual cycle: draft, adopted, followed up.

use serde::{Deserialize, Serialize};

use crate::Date;
use crate::coded_enum;
use crate::id::Id;
use crate::org::{OrgUnitId, QualityFactorId, TenantId};
use crate::report::ReportId;
use crate::validate::{Problem, Validate, ValidationErrors, limits};

coded_enum! {
    /// Where a plan is in the annual cycle.
    pub enum PlanState {
        Draft = "draft",
        Adopted = "adopted",
        FollowedUp = "followed_up",
    }
}

coded_enum! {
    /// How the plan's documents set out risks, self-inspections and actions: one table
    /// per process area with each risk followed by its self-inspections and actions
    /// (seeds 001 and 004), or a table of risks and a table of self-inspections (seed 000).
    pub enum TableLayout {
        Separate = "separate",
        Combined = "combined",
    }
}

/// A quality plan for one year and one scope (an org unit and everything below it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QualityPlan {
    pub tenant_id: TenantId,
    pub scope_id: OrgUnitId,
    pub year: i64,
    pub title: String,
    pub state: PlanState,
    /// The board's decision: set when adopted.
    pub adopted_on: Option<Date>,
    pub board_reference: Option<String>,
    pub followed_up_on: Option<Date>,
    /// The board's reference for the follow-up (the seeds do not print one).
    pub follow_up_reference: Option<String>,
    /// The plan this one was rolled over from.
    pub previous_plan_id: Option<PlanId>,
    /// How its documents set out the risk tables.
    #[serde(default = "separate")]
    pub table_layout: TableLayout,
}

fn separate() -> TableLayout {
    TableLayout::Separate
}
pub type PlanId = Id<QualityPlan>;

/// Years a plan may be for.
pub const YEARS: std::ops::RangeInclusive<i64> = 2000..=2100;

impl Validate for QualityPlan {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        e.range("year", self.year, *YEARS.start(), *YEARS.end());
        e.text("title", &self.title, limits::TITLE);
        // A plan taken over from a document that does not give the board's date or
        // reference keeps them unknown; the transitions below require them.
        if let Some(r) = &self.board_reference {
            e.text("board_reference", r, limits::SHORT);
        }
        e.into_result()
    }
}

/// Why a state change was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("planen är redan antagen")]
    AlreadyAdopted,
    #[error("planen måste vara antagen innan den kan följas upp")]
    NotAdopted,
    #[error("{0}")]
    Invalid(ValidationErrors),
}

impl QualityPlan {
    /// A new, empty draft: nothing decided by the board yet, no plan before it.
    pub fn draft(
        tenant_id: TenantId,
        scope_id: OrgUnitId,
        year: i64,
        title: String,
        table_layout: TableLayout,
    ) -> Self {
        QualityPlan {
            tenant_id,
            scope_id,
            year,
            title,
            state: PlanState::Draft,
            adopted_on: None,
            board_reference: None,
            followed_up_on: None,
            follow_up_reference: None,
            previous_plan_id: None,
            table_layout,
        }
    }

    /// Adopts a draft: the board's date and reference are required.
    pub fn adopt(&mut self, on: Date, board_reference: &str) -> Result<(), TransitionError> {
        if self.state != PlanState::Draft {
            return Err(TransitionError::AlreadyAdopted);
        }
        let mut next = self.clone();
        next.state = PlanState::Adopted;
        next.adopted_on = Some(on);
        next.board_reference = Some(board_reference.trim().to_owned());
        next.validate().map_err(TransitionError::Invalid)?;
        *self = next;
        Ok(())
    }

    /// Marks an adopted plan as followed up, with the date and the board's reference:
    /// its self-inspections and actions are then no longer anyone's to-do.
    pub fn mark_followed_up(&mut self, on: Date, board_reference: &str) -> Result<(), TransitionError> {
        if self.state != PlanState::Adopted {
            return Err(TransitionError::NotAdopted);
        }
        let mut e = ValidationErrors::default();
        e.text("follow_up_reference", board_reference, limits::SHORT);
        if self.adopted_on.is_some_and(|a| on < a) {
            e.push("followed_up_on", Problem::Invalid("kan inte vara före antagandet".into()));
        }
        e.into_result().map_err(TransitionError::Invalid)?;
        self.state = PlanState::FollowedUp;
        self.followed_up_on = Some(on);
        self.follow_up_reference = Some(board_reference.trim().to_owned());
        Ok(())
    }

    /// Whether edits to the plan's content are kept as history rather than silently
    /// changing what the board adopted.
    pub fn is_adopted(&self) -> bool {
        self.state != PlanState::Draft
    }

    /// What reading the plan takes: a draft is read by those who may see drafts.
    pub fn read_permission(&self) -> crate::access::Permission {
        if self.is_adopted() { crate::access::Permission::ViewPlan } else { crate::access::Permission::ViewDraft }
    }
}

coded_enum! {
    /// The kind of a prose section of a plan or report.
    pub enum SectionKind {
        Introduction = "introduction",
        Purpose = "purpose",
        QualityDefinition = "quality_definition",
        Mission = "mission",
        Priorities = "priorities",
        Vision = "vision",
        Narrative = "narrative",
        OpenComparisons = "open_comparisons",
        Conditions = "conditions",
        Other = "other",
        /// Prose of the plan's follow-up (Uppföljning), not of the plan itself: printed in
        /// the follow-up, never in the plan, and never carried into next year's plan.
        FollowUp = "follow_up",
    }
}

/// A prose section with its heading: belongs to a plan or to a report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Section {
    pub plan_id: Option<PlanId>,
    pub report_id: Option<ReportId>,
    pub kind: SectionKind,
    pub heading: String,
    pub body: String,
    pub sort_order: i64,
}
pub type SectionId = Id<Section>;

impl Validate for Section {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        e.text("heading", &self.heading, limits::TITLE);
        e.optional_text("body", &self.body, limits::TEXT);
        if self.plan_id.is_some() == self.report_id.is_some() {
            e.push("plan_id", Problem::Invalid("ett avsnitt hör till en plan eller en berättelse".into()));
        }
        e.into_result()
    }
}

coded_enum! {
    /// Kinds of focus areas in a plan.
    pub enum FocusAreaKind {
        /// "Kvalitetsfaktorer som kommer prioriteras under året".
        Prioritised = "prioritised",
        /// "Särskilda fokusområden".
        Special = "special",
    }
}

/// A focus area of a plan, often tied to a quality factor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FocusArea {
    pub plan_id: PlanId,
    pub kind: FocusAreaKind,
    pub title: String,
    pub body: String,
    pub quality_factor_id: Option<QualityFactorId>,
    pub sort_order: i64,
}
pub type FocusAreaId = Id<FocusArea>;

impl Validate for FocusArea {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        e.text("title", &self.title, limits::TITLE);
        e.optional_text("body", &self.body, limits::TEXT);
        e.into_result()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> QualityPlan {
        QualityPlan::draft(Id::new(1), Id::new(1), 2024, "Kvalitetsplan 2024".into(), TableLayout::Separate)
    }

    #[test]
    fn adoption_needs_date_and_reference_and_happens_once() {
        let mut p = draft();
        let day = Date::constant(2023, 12, 13);
        assert!(matches!(p.adopt(day, "  "), Err(TransitionError::Invalid(_))));
        assert_eq!(p.state, PlanState::Draft);
        p.adopt(day, "SN-2023/112").unwrap();
        assert_eq!(p.state, PlanState::Adopted);
        assert_eq!(p.board_reference.as_deref(), Some("SN-2023/112"));
        assert_eq!(p.adopt(day, "x"), Err(TransitionError::AlreadyAdopted));
    }

    #[test]
    fn only_adopted_plans_are_followed_up() {
        let mut p = draft();
        let day = Date::constant(2025, 2, 1);
        assert_eq!(p.mark_followed_up(day, "SN-2"), Err(TransitionError::NotAdopted));
        p.adopt(Date::constant(2023, 12, 13), "SN-1").unwrap();
        assert!(p.mark_followed_up(day, " ").is_err(), "the board's reference is needed");
        assert!(p.mark_followed_up(Date::constant(2023, 12, 1), "SN-2").is_err(), "not before the adoption");
        p.mark_followed_up(day, "SN-2").unwrap();
        assert_eq!(p.state, PlanState::FollowedUp);
        assert!(p.validate().is_ok());
    }
}
