//! The annual cycle's rules: rolling plan Y into a draft of Y+1.
//!
//! The new plan carries the prose and focus areas, every risk (flagged for
//! re-assessment), the actions still going on, the self-inspections kept for next year
//! (with the verdict of their last run as last year's status) and every indicator. Plan Y itself is not changed. Each carried item names the item
//! it came from, so links are re-made between the new items.

use crate::action::{Action, ActionStatus};
use crate::bundle::PlanBundle;
use crate::indicator::Indicator;
use crate::plan::{FocusArea, PlanState, QualityPlan, Section};
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
    let sections = from.sections.iter().map(|s| s.item.clone()).collect();
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
            // Last year's status is the verdict of its last run that year.
            previous_status: from
                .runs
                .iter()
                .filter(|r| r.self_inspection_id == s.id)
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
