//! A plan with everything in it, loaded at once, and its grouping by process area as the
//! seed tables show it. The web views and the document generators read plans this way.

use std::collections::HashMap;

use serde::Serialize;

use crate::action::{Action, ActionFollowUp, ActionId};
use crate::id::Versioned;
use crate::indicator::{Indicator, IndicatorId, IndicatorResult};
use crate::org::{OrgUnit, ProcessArea, ProcessAreaId, QualityFactor, QualityFactorId};
use crate::plan::{FocusArea, QualityPlan, Section};
use crate::risk::{Risk, RiskId, RiskMatrix};
use crate::self_inspection::{SelfInspection, SelfInspectionId, SelfInspectionRun};

/// The links between a plan's items.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Links {
    pub action_risk: Vec<(ActionId, RiskId)>,
    pub action_self_inspection: Vec<(ActionId, SelfInspectionId)>,
    pub self_inspection_risk: Vec<(SelfInspectionId, RiskId)>,
    pub indicator_risk: Vec<(IndicatorId, RiskId)>,
}

/// A plan and all its content.
#[derive(Debug, Clone, Serialize)]
pub struct PlanBundle {
    pub plan: Versioned<QualityPlan>,
    pub scope: Versioned<OrgUnit>,
    pub matrix: RiskMatrix,
    pub sections: Vec<Versioned<Section>>,
    pub focus_areas: Vec<Versioned<FocusArea>>,
    /// Every process area of the tenant, in display order.
    pub process_areas: Vec<Versioned<ProcessArea>>,
    pub quality_factors: Vec<Versioned<QualityFactor>>,
    pub risks: Vec<Versioned<Risk>>,
    pub actions: Vec<Versioned<Action>>,
    pub action_follow_ups: Vec<Versioned<ActionFollowUp>>,
    pub self_inspections: Vec<Versioned<SelfInspection>>,
    pub runs: Vec<Versioned<SelfInspectionRun>>,
    pub indicators: Vec<Versioned<Indicator>>,
    pub indicator_results: Vec<Versioned<IndicatorResult>>,
    pub links: Links,
}

/// A risk with its actions.
#[derive(Debug, Serialize)]
pub struct RiskView<'a> {
    pub risk: &'a Versioned<Risk>,
    pub actions: Vec<ActionView<'a>>,
}

/// An action with its follow-up entries, oldest first.
#[derive(Debug, Serialize)]
pub struct ActionView<'a> {
    pub action: &'a Versioned<Action>,
    pub follow_ups: Vec<&'a Versioned<ActionFollowUp>>,
}

/// A self-inspection with its linked risks, actions and runs (oldest first).
#[derive(Debug, Serialize)]
pub struct SelfInspectionView<'a> {
    pub self_inspection: &'a Versioned<SelfInspection>,
    pub risks: Vec<&'a Versioned<Risk>>,
    pub actions: Vec<ActionView<'a>>,
    pub runs: Vec<&'a Versioned<SelfInspectionRun>>,
}

/// An indicator with its factor and results (oldest year first).
#[derive(Debug, Serialize)]
pub struct IndicatorView<'a> {
    pub indicator: &'a Versioned<Indicator>,
    pub quality_factor: Option<&'a Versioned<QualityFactor>>,
    pub results: Vec<&'a Versioned<IndicatorResult>>,
}

/// Everything of a plan under one process area heading.
#[derive(Debug, Serialize)]
pub struct AreaGroup<'a> {
    pub area: &'a Versioned<ProcessArea>,
    pub risks: Vec<RiskView<'a>>,
    /// Actions tied to no risk and no self-inspection of this area but to the area's
    /// risks through nothing else: shown under the area on their own.
    pub self_inspections: Vec<SelfInspectionView<'a>>,
    pub indicators: Vec<IndicatorView<'a>>,
}

impl AreaGroup<'_> {
    pub fn is_empty(&self) -> bool {
        self.risks.is_empty() && self.self_inspections.is_empty() && self.indicators.is_empty()
    }
}

/// The links and child records of a plan by owner, built once so grouping a plan is
/// linear in its size (a plan may hold hundreds of risks and thousands of follow-ups).
#[derive(Debug, Default)]
pub struct PlanIndex<'a> {
    actions: HashMap<ActionId, &'a Versioned<Action>>,
    risk_actions: HashMap<RiskId, Vec<ActionId>>,
    si_actions: HashMap<SelfInspectionId, Vec<ActionId>>,
    si_risks: HashMap<SelfInspectionId, Vec<RiskId>>,
    follow_ups: HashMap<ActionId, Vec<&'a Versioned<ActionFollowUp>>>,
    runs: HashMap<SelfInspectionId, Vec<&'a Versioned<SelfInspectionRun>>>,
    results: HashMap<IndicatorId, Vec<&'a Versioned<IndicatorResult>>>,
    risks: HashMap<RiskId, &'a Versioned<Risk>>,
    linked_actions: std::collections::HashSet<ActionId>,
}

impl<'a> PlanIndex<'a> {
    /// An action's follow-up entries, by date and then as recorded.
    pub fn follow_ups_of(&self, action: ActionId) -> &[&'a Versioned<ActionFollowUp>] {
        self.follow_ups.get(&action).map_or(&[], Vec::as_slice)
    }
}

impl PlanBundle {
    /// The plan's index; build it once per view.
    pub fn index(&self) -> PlanIndex<'_> {
        let mut ix = PlanIndex {
            actions: self.actions.iter().map(|a| (a.id, a)).collect(),
            risks: self.risks.iter().map(|r| (r.id, r)).collect(),
            ..PlanIndex::default()
        };
        for (a, r) in &self.links.action_risk {
            ix.risk_actions.entry(*r).or_default().push(*a);
            ix.linked_actions.insert(*a);
        }
        for (a, s) in &self.links.action_self_inspection {
            ix.si_actions.entry(*s).or_default().push(*a);
            ix.linked_actions.insert(*a);
        }
        for (s, r) in &self.links.self_inspection_risk {
            ix.si_risks.entry(*s).or_default().push(*r);
        }
        for f in &self.action_follow_ups {
            ix.follow_ups.entry(f.action_id).or_default().push(f);
        }
        for v in ix.follow_ups.values_mut() {
            v.sort_by_key(|f| (f.entry_on, f.id));
        }
        for r in &self.runs {
            ix.runs.entry(r.self_inspection_id).or_default().push(r);
        }
        for v in ix.runs.values_mut() {
            v.sort_by_key(|r| (r.run_on, r.id));
        }
        for r in &self.indicator_results {
            ix.results.entry(r.indicator_id).or_default().push(r);
        }
        for v in ix.results.values_mut() {
            v.sort_by_key(|r| r.year);
        }
        ix
    }

    fn action_view<'a>(&'a self, ix: &PlanIndex<'a>, action: &'a Versioned<Action>) -> ActionView<'a> {
        ActionView { action, follow_ups: ix.follow_ups_of(action.id).to_vec() }
    }

    fn actions_of<'a>(&'a self, ix: &PlanIndex<'a>, ids: Option<&Vec<ActionId>>) -> Vec<ActionView<'a>> {
        let mut v: Vec<&Versioned<Action>> =
            ids.map(|ids| ids.iter().filter_map(|id| ix.actions.get(id).copied()).collect()).unwrap_or_default();
        v.sort_by_key(|a| (a.sort_order, a.id));
        v.dedup_by_key(|a| a.id);
        v.into_iter().map(|a| self.action_view(ix, a)).collect()
    }

    pub fn risk_view<'a>(&'a self, ix: &PlanIndex<'a>, risk: &'a Versioned<Risk>) -> RiskView<'a> {
        RiskView { risk, actions: self.actions_of(ix, ix.risk_actions.get(&risk.id)) }
    }

    pub fn self_inspection_view<'a>(
        &'a self,
        ix: &PlanIndex<'a>,
        si: &'a Versioned<SelfInspection>,
    ) -> SelfInspectionView<'a> {
        let mut risks: Vec<&Versioned<Risk>> = ix
            .si_risks
            .get(&si.id)
            .map(|ids| ids.iter().filter_map(|id| ix.risks.get(id).copied()).collect())
            .unwrap_or_default();
        risks.sort_by_key(|r| (r.sort_order, r.id));
        SelfInspectionView {
            self_inspection: si,
            risks,
            actions: self.actions_of(ix, ix.si_actions.get(&si.id)),
            runs: ix.runs.get(&si.id).cloned().unwrap_or_default(),
        }
    }

    pub fn indicator_view<'a>(&'a self, ix: &PlanIndex<'a>, ind: &'a Versioned<Indicator>) -> IndicatorView<'a> {
        let quality_factor = ind.quality_factor_id.and_then(|q| self.factor(q));
        IndicatorView { indicator: ind, quality_factor, results: ix.results.get(&ind.id).cloned().unwrap_or_default() }
    }

    pub fn factor(&self, id: QualityFactorId) -> Option<&Versioned<QualityFactor>> {
        self.quality_factors.iter().find(|q| q.id == id)
    }

    pub fn area(&self, id: ProcessAreaId) -> Option<&Versioned<ProcessArea>> {
        self.process_areas.iter().find(|p| p.id == id)
    }

    /// Risks and self-inspections grouped by process area, areas in display order,
    /// items in the plan's order; empty areas left out.
    pub fn risk_groups<'a>(&'a self, ix: &PlanIndex<'a>) -> Vec<AreaGroup<'a>> {
        self.groups(ix, false)
    }

    /// Indicators grouped by their area.
    pub fn indicator_groups<'a>(&'a self, ix: &PlanIndex<'a>) -> Vec<AreaGroup<'a>> {
        self.groups(ix, true)
    }

    fn groups<'a>(&'a self, ix: &PlanIndex<'a>, indicators: bool) -> Vec<AreaGroup<'a>> {
        let mut risks_by_area: HashMap<ProcessAreaId, Vec<&Versioned<Risk>>> = HashMap::new();
        let mut sis_by_area: HashMap<ProcessAreaId, Vec<&Versioned<SelfInspection>>> = HashMap::new();
        let mut inds_by_area: HashMap<ProcessAreaId, Vec<&Versioned<Indicator>>> = HashMap::new();
        if indicators {
            for i in &self.indicators {
                inds_by_area.entry(i.area_id).or_default().push(i);
            }
        } else {
            for r in &self.risks {
                risks_by_area.entry(r.process_area_id).or_default().push(r);
            }
            for s in &self.self_inspections {
                sis_by_area.entry(s.process_area_id).or_default().push(s);
            }
        }
        let mut areas: Vec<_> = self.process_areas.iter().collect();
        areas.sort_by_key(|a| (a.sort_order, a.id));
        areas
            .into_iter()
            .map(|area| {
                let mut risks = risks_by_area.remove(&area.id).unwrap_or_default();
                risks.sort_by_key(|r| (r.sort_order, r.id));
                let mut sis = sis_by_area.remove(&area.id).unwrap_or_default();
                sis.sort_by_key(|s| (s.sort_order, s.id));
                let mut inds = inds_by_area.remove(&area.id).unwrap_or_default();
                inds.sort_by_key(|i| (i.sort_order, i.id));
                AreaGroup {
                    area,
                    risks: risks.into_iter().map(|r| self.risk_view(ix, r)).collect(),
                    self_inspections: sis.into_iter().map(|s| self.self_inspection_view(ix, s)).collect(),
                    indicators: inds.into_iter().map(|i| self.indicator_view(ix, i)).collect(),
                }
            })
            .filter(|g| !g.is_empty())
            .collect()
    }

    /// Actions tied to neither a risk nor a self-inspection.
    pub fn loose_actions<'a>(&'a self, ix: &PlanIndex<'a>) -> Vec<ActionView<'a>> {
        let mut v: Vec<&Versioned<Action>> =
            self.actions.iter().filter(|a| !ix.linked_actions.contains(&a.id)).collect();
        v.sort_by_key(|a| (a.sort_order, a.id));
        v.into_iter().map(|a| self.action_view(ix, a)).collect()
    }
}

/// A quality report and what it draws on from the units in its scope.
#[derive(Debug, Clone, Serialize)]
pub struct ReportBundle {
    pub report: Versioned<crate::report::QualityReport>,
    pub scope: Versioned<OrgUnit>,
    /// The units of the scope (the scope itself first).
    pub units: Vec<Versioned<OrgUnit>>,
    pub sections: Vec<Versioned<Section>>,
    pub statistics: Vec<Versioned<crate::report::KeyStatistic>>,
    pub surveys: Vec<Versioned<crate::report::UserSurvey>>,
    pub follow_ups: Vec<Versioned<crate::report::SystematicFollowUp>>,
    pub findings: Vec<Versioned<crate::report::Finding>>,
    pub reviews: Vec<Versioned<crate::report::Review>>,
    /// Deviations of the report's year and the year before.
    pub deviations: Vec<Versioned<crate::deviation::Deviation>>,
    pub tallies: Vec<Versioned<crate::deviation::DeviationTally>>,
    pub assessments: Vec<Versioned<crate::report::QualityAssessment>>,
    pub improvement_areas: Vec<Versioned<crate::report::ImprovementArea>>,
}

impl ReportBundle {
    pub fn unit_name(&self, id: crate::org::OrgUnitId) -> &str {
        self.units.iter().find(|u| u.id == id).map_or("", |u| u.name.as_str())
    }

    /// Counts per kind for the report's year and the year before (seed 002's table).
    pub fn deviation_counts(&self, kind: crate::deviation::DeviationKind) -> (i64, i64) {
        let d = self.deviations.iter().map(|d| &d.item);
        let t = self.tallies.iter().map(|t| &t.item);
        let y = self.report.year;
        (
            crate::deviation::count_by_kind_and_year(d.clone(), t.clone(), kind, y),
            crate::deviation::count_by_kind_and_year(d, t, kind, y - 1),
        )
    }

    /// Lex Sarah assessments per category for the report's year and the year before.
    pub fn lex_sarah_counts(&self, category: crate::deviation::LexSarahCategory) -> (i64, i64) {
        let d = self.deviations.iter().map(|d| &d.item);
        let t = self.tallies.iter().map(|t| &t.item);
        let y = self.report.year;
        (
            crate::deviation::count_lex_sarah(d.clone(), t.clone(), category, y),
            crate::deviation::count_lex_sarah(d, t, category, y - 1),
        )
    }
}
