//! The annual cycle's rules: rolling plan Y into a draft of Y+1, and starting a unit's
//! plan from a copy of another unit's.
//!
//! The new plan carries the plan's prose (never the follow-up's) and focus areas, every risk (flagged for
//! re-assessment), the actions still going on, the self-inspections kept for next year
//! (with the verdict of their last run as last year's status) and every indicator. Plan Y itself is not changed. Each carried item names the item
//! it came from, so links are re-made between the new items.

use crate::action::{Action, ActionStatus};
use crate::bundle::PlanBundle;
use crate::indicator::Indicator;
use crate::org::OrgUnitId;
use crate::plan::{FocusArea, PlanState, QualityPlan, Section, SectionKind};
use crate::risk::Risk;
use crate::self_inspection::SelfInspection;

/// The draft of next year's plan, its items still pointing at their origins in plan Y
/// through their `previous_*_id` fields. The store inserts it and re-makes the links.
#[derive(Debug, Clone)]
pub struct RolledPlan {
    pub plan: QualityPlan,
    pub sections: Vec<Section>,
    pub focus_areas: Vec<FocusArea>,
    pub risks: Vec<Risk>,
    pub actions: Vec<Action>,
    pub self_inspections: Vec<SelfInspection>,
    pub indicators: Vec<Indicator>,
}

/// Why a plan cannot be rolled over.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RolloverError {
    #[error("en plan som inte är antagen kan inte föras över till nästa år")]
    NotAdopted,
}

/// Rolls `from` into a draft for the next year. The new plan's ids are unknown until
/// stored, so the plan ids inside are those of `from`; the store replaces them.
pub fn roll_over(from: &PlanBundle) -> Result<RolledPlan, RolloverError> {
    if !from.plan.is_adopted() {
        return Err(RolloverError::NotAdopted);
    }
    let year = from.plan.year + 1;
    let old_year = from.plan.year.to_string();
    let plan = QualityPlan {
        year,
        title: from.plan.title.replace(&old_year, &year.to_string()),
        state: PlanState::Draft,
        adopted_on: None,
        board_reference: None,
        followed_up_on: None,
        follow_up_reference: None,
        previous_plan_id: Some(from.plan.id),
        ..from.plan.item.clone()
    };
    let sections = plan_sections(from);
    let focus_areas = from.focus_areas.iter().map(|f| f.item.clone()).collect();
    let risks = from
        .risks
        .iter()
        .map(|r| Risk { previous_risk_id: Some(r.id), needs_reassessment: true, ..r.item.clone() })
        .collect();
    let actions = from
        .actions
        .iter()
        .filter(|a| a.status.carries_into_next_year())
        .map(|a| Action {
            status: if a.status == ActionStatus::Planned { ActionStatus::Planned } else { ActionStatus::Ongoing },
            previous_action_id: Some(a.id),
            ..a.item.clone()
        })
        .collect();
    let self_inspections = from
        .self_inspections
        .iter()
        .filter(|s| s.keep_next_year)
        .map(|s| SelfInspection {
            is_new: false,
            // Last year's status is the verdict of its last run that year that gave one
            // (a run taken over without a verdict says nothing of the status).
            previous_status: from
                .runs
                .iter()
                .filter(|r| r.self_inspection_id == s.id && r.verdict != crate::self_inspection::Verdict::NotStated)
                .max_by_key(|r| (r.run_on, r.id))
                .and_then(|r| r.verdict.status()),
            previous_self_inspection_id: Some(s.id),
            ..s.item.clone()
        })
        .collect();
    let indicators =
        from.indicators.iter().map(|i| Indicator { previous_indicator_id: Some(i.id), ..i.item.clone() }).collect();
    Ok(RolledPlan { plan, sections, focus_areas, risks, actions, self_inspections, indicators })
}

/// The plan's own prose: every section but the follow-up's.
fn plan_sections(from: &PlanBundle) -> Vec<Section> {
    from.sections.iter().filter(|s| s.kind != SectionKind::FollowUp).map(|s| s.item.clone()).collect()
}

/// A draft plan for `scope` and `year` that starts from a copy of another unit's plan
/// (`from`, in any state): its prose, focus areas, risks (to be assessed for the new
/// unit), self-inspections (new, with no status of their own yet, and no unit of the
/// other part of the tree) and indicators. Actions are the other unit's work and are
/// not copied. The `previous_*_id` fields name the copied item only so that the store
/// can re-make the links; the store does not keep them, since a copy is no history.
pub fn copy_plan(from: &PlanBundle, scope: OrgUnitId, year: i64, title: String) -> RolledPlan {
    let plan = QualityPlan::draft(from.plan.tenant_id, scope, year, title, from.plan.table_layout);
    let risks = from
        .risks
        .iter()
        .map(|r| Risk { previous_risk_id: Some(r.id), needs_reassessment: true, ..r.item.clone() })
        .collect();
    let self_inspections = from
        .self_inspections
        .iter()
        .map(|s| SelfInspection {
            is_new: true,
            previous_status: None,
            unit_id: None,
            keep_next_year: true,
            previous_self_inspection_id: Some(s.id),
            ..s.item.clone()
        })
        .collect();
    let indicators =
        from.indicators.iter().map(|i| Indicator { previous_indicator_id: Some(i.id), ..i.item.clone() }).collect();
    RolledPlan {
        plan,
        sections: plan_sections(from),
        focus_areas: from.focus_areas.iter().map(|f| f.item.clone()).collect(),
        risks,
        actions: Vec::new(),
        self_inspections,
        indicators,
    }
}
