//! The rows of a combined risk table (seeds 001 and 004): one table per process area in
//! which each risk is followed by its self-inspections, each with the actions that
//! address it, and by the risk's own actions; then the area's self-inspections tied to
//! no risk of the area. Every self-inspection and action of the area appears once.

use std::collections::HashSet;

use kvalitet_domain::action::ActionId;
use kvalitet_domain::bundle::{ActionView, AreaGroup, RiskView, SelfInspectionView};
use kvalitet_domain::self_inspection::SelfInspectionId;

/// One row: the risk on the first row of its rows only, a self-inspection or none, and
/// the actions shown beside it.
pub struct Row<'g, 'a> {
    pub risk: Option<&'g RiskView<'a>>,
    pub self_inspection: Option<&'g SelfInspectionView<'a>>,
    pub actions: Vec<&'g ActionView<'a>>,
}

/// The rows of one area, in the plan's order.
pub fn rows<'g, 'a>(g: &'g AreaGroup<'a>) -> Vec<Row<'g, 'a>> {
    let mut out = Vec::new();
    let mut placed_sis: HashSet<SelfInspectionId> = HashSet::new();
    let mut placed_actions: HashSet<ActionId> = HashSet::new();
    let take = |actions: &'g [ActionView<'a>], placed: &mut HashSet<ActionId>| -> Vec<&'g ActionView<'a>> {
        actions.iter().filter(|a| placed.insert(a.action.id)).collect()
    };
    for r in &g.risks {
        let mut first = true;
        let mut risk_rows = Vec::new();
        for s in g.self_inspections.iter().filter(|s| s.risks.iter().any(|x| x.id == r.risk.id)) {
            if !placed_sis.insert(s.self_inspection.id) {
                continue;
            }
            risk_rows.push(Row {
                risk: first.then_some(r),
                self_inspection: Some(s),
                actions: take(&s.actions, &mut placed_actions),
            });
            first = false;
        }
        let own = take(&r.actions, &mut placed_actions);
        if !own.is_empty() || risk_rows.is_empty() {
            // The risk's own actions come first, beside the risk, as in the seeds.
            risk_rows.insert(0, Row { risk: Some(r), self_inspection: None, actions: own });
            if let Some(second) = risk_rows.get_mut(1) {
                second.risk = None;
            }
        }
        out.extend(risk_rows);
    }
    for s in &g.self_inspections {
        if placed_sis.insert(s.self_inspection.id) {
            out.push(Row { risk: None, self_inspection: Some(s), actions: take(&s.actions, &mut placed_actions) });
        }
    }
    out
}
