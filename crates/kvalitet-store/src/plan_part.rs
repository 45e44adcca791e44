//! One part of a large plan: its outline (what each process area holds, counted by the
//! database) and the items of one process area, or of the actions tied to nothing, with
//! what they show (actions, follow-up entries, runs, results). A plan of 700 risks opens
//! at one area without reading the other areas' items.

use std::collections::HashSet;

use sqlx::{AnyConnection, Row};

use kvalitet_domain::action::{Action, ActionId};
use kvalitet_domain::bundle::{Links, PlanBundle};
use kvalitet_domain::indicator::{Indicator, IndicatorId, IndicatorResult};
use kvalitet_domain::org::ProcessAreaId;
use kvalitet_domain::plan::PlanId;
use kvalitet_domain::risk::{Risk, RiskId};
use kvalitet_domain::self_inspection::{SelfInspection, SelfInspectionId, SelfInspectionRun};
use kvalitet_domain::{Id, Versioned};

use crate::error::Result;
use crate::links::{self, End, LinkKind, typed};
use crate::plans;
use crate::record::Column;
use crate::repo::{self, Where};

/// What one process area of a plan holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AreaCount {
    pub area: ProcessAreaId,
    /// Risks and self-inspections.
    pub items: i64,
    pub indicators: i64,
}

/// A plan's content counted by the database: by process area, in all, and what to look
/// at before adopting.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlanOutline {
    /// The areas that hold anything, in no particular order.
    pub areas: Vec<AreaCount>,
    pub risks: i64,
    pub self_inspections: i64,
    pub actions: i64,
    pub indicators: i64,
    /// Actions tied to no risk and no self-inspection.
    pub loose_actions: i64,
    /// Risks still to be re-assessed.
    pub to_reassess: i64,
    /// Actions with no account and no text responsible.
    pub without_owner: i64,
}

/// A part of a plan that is read on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanPart {
    /// The risks, self-inspections and indicators of a process area.
    Area(ProcessAreaId),
    /// The actions tied to no risk and no self-inspection.
    LooseActions,
}

/// An item of a plan, as a page names the one to return to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanItem {
    Risk(RiskId),
    SelfInspection(SelfInspectionId),
    Indicator(IndicatorId),
    Action(ActionId),
}

/// The plan's outline: two statements whatever its size.
pub async fn outline(conn: &mut AnyConnection, plan: PlanId) -> Result<PlanOutline> {
    let by_area = sqlx::query(
        "SELECT 'r' AS kind, process_area_id AS area, COUNT(*) AS n, \
         COUNT(CASE WHEN needs_reassessment = 1 THEN 1 END) AS flagged FROM risk WHERE plan_id = $1 GROUP BY process_area_id \
         UNION ALL SELECT 's', process_area_id, COUNT(*), 0 FROM self_inspection WHERE plan_id = $1 GROUP BY process_area_id \
         UNION ALL SELECT 'i', area_id, COUNT(*), 0 FROM indicator WHERE plan_id = $1 GROUP BY area_id",
    )
    .bind(plan.get())
    .fetch_all(&mut *conn)
    .await?;
    let mut o = PlanOutline::default();
    for row in &by_area {
        let kind: String = row.try_get("kind")?;
        let area: ProcessAreaId = Id::new(row.try_get("area")?);
        let n: i64 = row.try_get("n")?;
        let i = match o.areas.iter().position(|a| a.area == area) {
            Some(i) => i,
            None => {
                o.areas.push(AreaCount { area, items: 0, indicators: 0 });
                o.areas.len() - 1
            }
        };
        match kind.as_str() {
            "r" => {
                o.areas[i].items += n;
                o.risks += n;
                o.to_reassess += row.try_get::<i64, _>("flagged")?;
            }
            "s" => {
                o.areas[i].items += n;
                o.self_inspections += n;
            }
            _ => {
                o.areas[i].indicators += n;
                o.indicators += n;
            }
        }
    }
    // Rust's `trim` and SQL's `TRIM` differ on other white space than blanks, which a
    // responsible's one-line name does not hold (forms trim it).
    let actions = sqlx::query(
        "SELECT COUNT(*) AS n, \
         COUNT(CASE WHEN responsible_account_id IS NULL AND TRIM(responsible) = '' THEN 1 END) AS without_owner, \
         COUNT(CASE WHEN NOT EXISTS (SELECT 1 FROM action_risk l WHERE l.action_id = a.id) \
         AND NOT EXISTS (SELECT 1 FROM action_self_inspection l WHERE l.action_id = a.id) THEN 1 END) AS loose \
         FROM action a WHERE a.plan_id = $1",
    )
    .bind(plan.get())
    .fetch_one(&mut *conn)
    .await?;
    o.actions = actions.try_get("n")?;
    o.without_owner = actions.try_get("without_owner")?;
    o.loose_actions = actions.try_get("loose")?;
    Ok(o)
}

/// Fills a plan's head ([`plans::load_head`]) with `part`'s items only:
/// an area's risks, self-inspections and indicators with their actions, runs, results
/// and every follow-up entry of those actions, the links among them, and the risks of
/// other areas that its self-inspections name (so a self-inspection shows them); or the
/// actions tied to nothing.
pub async fn fill_part(conn: &mut AnyConnection, b: &mut PlanBundle, part: PlanPart) -> Result<()> {
    fill(conn, b, part, None).await
}

/// [`fill_part`] of an area, with only `items` of its risks and self-inspections (a page
/// of [`area_items`]) and what they show; the area's indicators all. Risks the
/// self-inspections name that are not among `items` are read too, as in [`fill_part`].
pub async fn fill_area_items(
    conn: &mut AnyConnection,
    b: &mut PlanBundle,
    area: ProcessAreaId,
    items: &[PlanItem],
) -> Result<()> {
    fill(conn, b, PlanPart::Area(area), Some(items)).await
}

async fn fill(conn: &mut AnyConnection, b: &mut PlanBundle, part: PlanPart, only: Option<&[PlanItem]>) -> Result<()> {
    let p = b.plan.id.to_value();
    match part {
        PlanPart::LooseActions => {
            b.actions = repo::list(
                conn,
                Where::sql(
                    "plan_id = $1 AND NOT EXISTS (SELECT 1 FROM action_risk l WHERE l.action_id = action.id) \
                     AND NOT EXISTS (SELECT 1 FROM action_self_inspection l WHERE l.action_id = action.id)",
                    vec![p],
                ),
            )
            .await?;
        }
        PlanPart::Area(area) => {
            let in_area = |column: &str| {
                Where::built(format!("plan_id = $1 AND {column} = $2"), vec![p.clone(), area.to_value()])
            };
            let (risks, sis) = match only {
                None => (in_area("process_area_id"), in_area("process_area_id")),
                Some(items) => {
                    let risks = items.iter().filter_map(|i| if let PlanItem::Risk(r) = i { Some(*r) } else { None });
                    let sis = items.iter().filter_map(|i| match i {
                        PlanItem::SelfInspection(s) => Some(*s),
                        _ => None,
                    });
                    (
                        Where::built(format!("plan_id = $1 AND {}", repo::in_ids("id", risks)), vec![p.clone()]),
                        Where::built(format!("plan_id = $1 AND {}", repo::in_ids("id", sis)), vec![p.clone()]),
                    )
                }
            };
            b.risks = repo::list::<Risk>(conn, risks).await?;
            b.self_inspections = repo::list::<SelfInspection>(conn, sis).await?;
            b.indicators = repo::list::<Indicator>(conn, in_area("area_id")).await?;
            let risks: Vec<RiskId> = b.risks.iter().map(|r| r.id).collect();
            let sis: Vec<SelfInspectionId> = b.self_inspections.iter().map(|s| s.id).collect();
            let indicators: Vec<IndicatorId> = b.indicators.iter().map(|i| i.id).collect();
            b.links = Links {
                action_risk: typed(links::links_of(conn, LinkKind::ActionRisk, End::Second, risks.clone()).await?),
                action_self_inspection: typed(
                    links::links_of(conn, LinkKind::ActionSelfInspection, End::Second, sis.clone()).await?,
                ),
                self_inspection_risk: typed(
                    links::links_of(conn, LinkKind::SelfInspectionRisk, End::First, sis.clone()).await?,
                ),
                indicator_risk: typed(
                    links::links_of(conn, LinkKind::IndicatorRisk, End::First, indicators.clone()).await?,
                ),
            };
            let own: HashSet<RiskId> = risks.into_iter().collect();
            let mut named: Vec<RiskId> =
                b.links.self_inspection_risk.iter().map(|(_, r)| *r).filter(|r| !own.contains(r)).collect();
            named.sort();
            named.dedup();
            if !named.is_empty() {
                let others: Vec<Versioned<Risk>> =
                    repo::list(conn, Where::built(repo::in_ids("id", named), vec![])).await?;
                b.risks.extend(others);
            }
            let mut actions: Vec<ActionId> = b.links.action_risk.iter().map(|(a, _)| *a).collect();
            actions.extend(b.links.action_self_inspection.iter().map(|(a, _)| *a));
            actions.sort();
            actions.dedup();
            b.actions = if actions.is_empty() {
                vec![]
            } else {
                repo::list::<Action>(conn, Where::built(repo::in_ids("id", actions), vec![])).await?
            };
            b.runs = if sis.is_empty() {
                vec![]
            } else {
                repo::list::<SelfInspectionRun>(conn, Where::built(repo::in_ids("self_inspection_id", sis), vec![]))
                    .await?
            };
            b.indicator_results = if indicators.is_empty() {
                vec![]
            } else {
                repo::list::<IndicatorResult>(conn, Where::built(repo::in_ids("indicator_id", indicators), vec![]))
                    .await?
            };
        }
    }
    let actions: Vec<ActionId> = b.actions.iter().map(|a| a.id).collect();
    b.action_follow_ups = plans::action_follow_ups(conn, &actions).await?;
    Ok(())
}

/// The part of `plan` that shows `item` first: its own process area; an action's is the
/// first in the areas' display order of its risks' and self-inspections' areas, and the
/// actions tied to nothing if it has none. `None` when the item is not the plan's.
pub async fn part_of(conn: &mut AnyConnection, plan: PlanId, item: PlanItem) -> Result<Option<PlanPart>> {
    let (sql, id) = match item {
        PlanItem::Risk(id) => ("SELECT process_area_id AS area FROM risk WHERE id = $1 AND plan_id = $2", id.get()),
        PlanItem::SelfInspection(id) => {
            ("SELECT process_area_id AS area FROM self_inspection WHERE id = $1 AND plan_id = $2", id.get())
        }
        PlanItem::Indicator(id) => ("SELECT area_id AS area FROM indicator WHERE id = $1 AND plan_id = $2", id.get()),
        PlanItem::Action(id) => (
            "SELECT COALESCE((SELECT p.id FROM process_area p WHERE p.id IN ( \
             SELECT r.process_area_id FROM action_risk l JOIN risk r ON r.id = l.risk_id WHERE l.action_id = a.id \
             UNION SELECT s.process_area_id FROM action_self_inspection l JOIN self_inspection s \
             ON s.id = l.self_inspection_id WHERE l.action_id = a.id) ORDER BY p.sort_order, p.id LIMIT 1), 0) AS area \
             FROM action a WHERE a.id = $1 AND a.plan_id = $2",
            id.get(),
        ),
    };
    let row = sqlx::query(sql).bind(id).bind(plan.get()).fetch_optional(&mut *conn).await?;
    Ok(match row {
        None => None,
        Some(row) => match row.try_get::<i64, _>("area")? {
            0 => Some(PlanPart::LooseActions),
            area => Some(PlanPart::Area(Id::new(area))),
        },
    })
}

/// Which of an area's risks and self-inspections a page lists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AreaFilter {
    /// Only those with an action of this status (its code).
    pub status: Option<String>,
    /// Only the self-inspections of this unit, and no risks (an id no unit has lists none).
    pub unit: Option<i64>,
}

/// The risks and then the self-inspections of `area` in `plan` that `filter` keeps, in
/// display order (`sort_order`, then id): ids only, so that a page of them can be read.
pub async fn area_items(
    conn: &mut AnyConnection,
    plan: PlanId,
    area: ProcessAreaId,
    filter: &AreaFilter,
) -> Result<Vec<PlanItem>> {
    // One statement whatever the filter: an empty status and unit 0 filter nothing.
    let rows = sqlx::query(
        "SELECT 0 AS kind, id, sort_order FROM risk r WHERE r.plan_id = $1 AND r.process_area_id = $2 AND $4 = 0 \
         AND ($3 = '' OR EXISTS (SELECT 1 FROM action_risk l JOIN action a ON a.id = l.action_id \
         WHERE l.risk_id = r.id AND a.status = $3)) \
         UNION ALL SELECT 1, id, sort_order FROM self_inspection s \
         WHERE s.plan_id = $1 AND s.process_area_id = $2 AND ($4 = 0 OR s.unit_id = $4) \
         AND ($3 = '' OR EXISTS (SELECT 1 FROM action_self_inspection l JOIN action a ON a.id = l.action_id \
         WHERE l.self_inspection_id = s.id AND a.status = $3)) \
         ORDER BY kind, sort_order, id",
    )
    .bind(plan.get())
    .bind(area.get())
    .bind(filter.status.clone().unwrap_or_default())
    .bind(filter.unit.map_or(0, |u| if u > 0 { u } else { -1 }))
    .fetch_all(&mut *conn)
    .await?;
    risks_and_self_inspections(&rows)
}

/// The risks and self-inspections `action` is tied to.
pub async fn items_of_action(conn: &mut AnyConnection, action: ActionId) -> Result<Vec<PlanItem>> {
    let rows = sqlx::query(
        "SELECT 0 AS kind, risk_id AS id FROM action_risk WHERE action_id = $1 \
         UNION ALL SELECT 1, self_inspection_id FROM action_self_inspection WHERE action_id = $1",
    )
    .bind(action.get())
    .fetch_all(&mut *conn)
    .await?;
    risks_and_self_inspections(&rows)
}

/// Rows of `kind` (0 a risk, 1 a self-inspection) and `id` as plan items.
fn risks_and_self_inspections(rows: &[sqlx::any::AnyRow]) -> Result<Vec<PlanItem>> {
    rows.iter()
        .map(|row| {
            let id: i64 = row.try_get("id")?;
            Ok(match row.try_get::<i64, _>("kind")? {
                0 => PlanItem::Risk(Id::new(id)),
                _ => PlanItem::SelfInspection(Id::new(id)),
            })
        })
        .collect()
}
