//! The link tables between a plan's items: action ↔ risk, action ↔ self-inspection,
//! self-inspection ↔ risk, indicator ↔ risk, a risk's units and target groups, and
//! deviation ↔ self-inspection, deviation ↔ action (its event analysis's actions; the one
//! action a deviation is tied to is its own column, as is its risk).

use sqlx::AnyConnection;
use sqlx::{AssertSqlSafe, Row};

use kvalitet_domain::Id;
use kvalitet_domain::bundle::Links;

use crate::Tx;
use crate::audit;
use crate::error::Result;

/// A kind of link: its table and its two columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkKind {
    ActionRisk,
    ActionSelfInspection,
    SelfInspectionRisk,
    IndicatorRisk,
    RiskUnit,
    RiskTargetGroup,
    DeviationSelfInspection,
    /// The actions decided for a deviation (its event analysis's).
    DeviationAction,
}

impl LinkKind {
    fn table(self) -> (&'static str, &'static str, &'static str) {
        match self {
            LinkKind::ActionRisk => ("action_risk", "action_id", "risk_id"),
            LinkKind::ActionSelfInspection => ("action_self_inspection", "action_id", "self_inspection_id"),
            LinkKind::SelfInspectionRisk => ("self_inspection_risk", "self_inspection_id", "risk_id"),
            LinkKind::IndicatorRisk => ("indicator_risk", "indicator_id", "risk_id"),
            LinkKind::RiskUnit => ("risk_unit", "risk_id", "unit_id"),
            LinkKind::RiskTargetGroup => ("risk_target_group", "risk_id", "target_group_id"),
            LinkKind::DeviationSelfInspection => ("deviation_self_inspection", "deviation_id", "self_inspection_id"),
            LinkKind::DeviationAction => ("deviation_action", "deviation_id", "action_id"),
        }
    }

    /// The query of every link of this kind whose first item belongs to a plan.
    fn plan_query(self) -> String {
        let (table, a, b) = self.table();
        let owner = match self {
            LinkKind::ActionRisk | LinkKind::ActionSelfInspection => "action",
            LinkKind::SelfInspectionRisk => "self_inspection",
            LinkKind::IndicatorRisk => "indicator",
            LinkKind::RiskUnit | LinkKind::RiskTargetGroup => "risk",
            LinkKind::DeviationSelfInspection => {
                // A deviation belongs to no plan; its link is the plan's through the
                // self-inspection.
                return format!(
                    "SELECT l.{a} AS a, l.{b} AS b FROM {table} l JOIN self_inspection o ON o.id = l.{b} WHERE o.plan_id = $1 ORDER BY l.{a}, l.{b}"
                );
            }
            LinkKind::DeviationAction => {
                return format!(
                    "SELECT l.{a} AS a, l.{b} AS b FROM {table} l JOIN action o ON o.id = l.{b} WHERE o.plan_id = $1 ORDER BY l.{a}, l.{b}"
                );
            }
        };
        format!(
            "SELECT l.{a} AS a, l.{b} AS b FROM {table} l JOIN {owner} o ON o.id = l.{a} WHERE o.plan_id = $1 ORDER BY l.{a}, l.{b}"
        )
    }
}

/// Links `a` to `b`; linking twice is harmless.
pub async fn link(tx: &mut Tx, kind: LinkKind, a: i64, b: i64) -> Result<()> {
    let (table, ca, cb) = kind.table();
    let sql = format!("INSERT INTO {table} ({ca}, {cb}) VALUES ($1, $2) ON CONFLICT DO NOTHING");
    let done = sqlx::query(AssertSqlSafe(sql)).bind(a).bind(b).execute(&mut **tx).await?;
    if done.rows_affected() == 1 {
        let after = format!("{{\"{cb}\":{b}}}");
        audit::append(tx, "link", table, Some(a), None, Some(after)).await?;
    }
    Ok(())
}

/// Removes the link between `a` and `b`.
pub async fn unlink(tx: &mut Tx, kind: LinkKind, a: i64, b: i64) -> Result<()> {
    let (table, ca, cb) = kind.table();
    let sql = format!("DELETE FROM {table} WHERE {ca} = $1 AND {cb} = $2");
    let done = sqlx::query(AssertSqlSafe(sql)).bind(a).bind(b).execute(&mut **tx).await?;
    if done.rows_affected() == 1 {
        let before = format!("{{\"{cb}\":{b}}}");
        audit::append(tx, "unlink", table, Some(a), Some(before), None).await?;
    }
    Ok(())
}

/// Every link of `kind` whose first item belongs to the plan.
pub async fn plan_links(conn: &mut AnyConnection, kind: LinkKind, plan_id: i64) -> Result<Vec<(i64, i64)>> {
    let rows = sqlx::query(AssertSqlSafe(kind.plan_query())).bind(plan_id).fetch_all(&mut *conn).await?;
    rows.iter().map(|r| Ok((r.try_get::<i64, _>("a")?, r.try_get::<i64, _>("b")?))).collect()
}

/// An end of a link: its first item or its second.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    First,
    Second,
}

/// Every link of `kind` whose item at `end` is one of `ids` (record numbers, so written
/// into the statement), in the order of the first items.
pub async fn links_of<T>(
    conn: &mut AnyConnection,
    kind: LinkKind,
    end: End,
    ids: impl IntoIterator<Item = Id<T>>,
) -> Result<Vec<(i64, i64)>> {
    let (table, a, b) = kind.table();
    let column = if end == End::First { a } else { b };
    let sql =
        format!("SELECT {a} AS a, {b} AS b FROM {table} WHERE {} ORDER BY {a}, {b}", crate::repo::in_ids(column, ids));
    let rows = sqlx::query(AssertSqlSafe(sql)).fetch_all(&mut *conn).await?;
    rows.iter().map(|r| Ok((r.try_get::<i64, _>("a")?, r.try_get::<i64, _>("b")?))).collect()
}

/// Every link of `kind` whose first item belongs to one of the tenant's plans (the lists
/// across plans).
pub async fn tenant_links(
    conn: &mut AnyConnection,
    kind: LinkKind,
    tenant: kvalitet_domain::org::TenantId,
) -> Result<Vec<(i64, i64)>> {
    let sql =
        kind.plan_query().replace("plan_id = $1", "plan_id IN (SELECT id FROM quality_plan WHERE tenant_id = $1)");
    let rows = sqlx::query(AssertSqlSafe(sql)).bind(tenant.get()).fetch_all(&mut *conn).await?;
    rows.iter().map(|r| Ok((r.try_get::<i64, _>("a")?, r.try_get::<i64, _>("b")?))).collect()
}

/// All the links between a plan's items.
pub async fn load_plan_links(conn: &mut AnyConnection, plan_id: i64) -> Result<Links> {
    Ok(Links {
        action_risk: typed(plan_links(conn, LinkKind::ActionRisk, plan_id).await?),
        action_self_inspection: typed(plan_links(conn, LinkKind::ActionSelfInspection, plan_id).await?),
        self_inspection_risk: typed(plan_links(conn, LinkKind::SelfInspectionRisk, plan_id).await?),
        indicator_risk: typed(plan_links(conn, LinkKind::IndicatorRisk, plan_id).await?),
    })
}

pub(crate) fn typed<A, B>(v: Vec<(i64, i64)>) -> Vec<(Id<A>, Id<B>)> {
    v.into_iter().map(|(a, b)| (Id::new(a), Id::new(b))).collect()
}

/// The second items `a` is linked to by `kind` (a self-inspection's risks).
pub async fn linked_from(conn: &mut AnyConnection, kind: LinkKind, a: i64) -> Result<Vec<i64>> {
    let (table, ca, cb) = kind.table();
    let sql = format!("SELECT {cb} AS b FROM {table} WHERE {ca} = $1 ORDER BY {cb}");
    let rows = sqlx::query(AssertSqlSafe(sql)).bind(a).fetch_all(&mut *conn).await?;
    rows.iter().map(|r| Ok(r.try_get::<i64, _>("b")?)).collect()
}

/// The first items linked to `b` by `kind` (a risk's self-inspections).
pub async fn linked_to(conn: &mut AnyConnection, kind: LinkKind, b: i64) -> Result<Vec<i64>> {
    let (table, ca, cb) = kind.table();
    let sql = format!("SELECT {ca} AS a FROM {table} WHERE {cb} = $1 ORDER BY {ca}");
    let rows = sqlx::query(AssertSqlSafe(sql)).bind(b).fetch_all(&mut *conn).await?;
    rows.iter().map(|r| Ok(r.try_get::<i64, _>("a")?)).collect()
}

/// Links `a` to exactly `chosen`: what is no longer chosen is unlinked and what is new is
/// linked, each change audited, in the caller's transaction.
pub async fn set(tx: &mut Tx, kind: LinkKind, a: i64, chosen: &[i64]) -> Result<()> {
    let now = linked_from(tx, kind, a).await?;
    for b in now.iter().filter(|b| !chosen.contains(b)) {
        unlink(tx, kind, a, *b).await?;
    }
    for b in chosen.iter().filter(|b| !now.contains(b)) {
        link(tx, kind, a, *b).await?;
    }
    Ok(())
}
