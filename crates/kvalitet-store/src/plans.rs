//! Plans: listing them (a page of a reader's, by the database), loading a plan with everything in it, validated writes of its
//! items, adoption, rolling a plan into next year's draft, and copying another unit's.

use std::collections::HashMap;

use sqlx::{AnyConnection, Row};

use kvalitet_domain::action::{Action, ActionFollowUp, ActionId};
use kvalitet_domain::bundle::PlanBundle;
use kvalitet_domain::cycle::{RolledPlan, roll_over};
use kvalitet_domain::indicator::{Indicator, IndicatorResult};
use kvalitet_domain::org::{OrgUnit, OrgUnitId, Tenant, TenantId};
use kvalitet_domain::plan::{FocusArea, PlanId, PlanState, QualityPlan, Section};
use kvalitet_domain::risk::{Risk, RiskAssessment, RiskId, RiskMatrix};
use kvalitet_domain::self_inspection::{SelfInspection, SelfInspectionRun};
use kvalitet_domain::{Code, Date, Id, Validate, Versioned};

use crate::Tx;
use crate::error::{Result, StoreError};
use crate::links::{self, LinkKind};
use crate::org;
use crate::record::{Column, Record, Value};
use crate::repo::{self, Where};

/// Every plan of a tenant, newest year first.
pub async fn list_plans(conn: &mut AnyConnection, tenant: TenantId) -> Result<Vec<Versioned<QualityPlan>>> {
    let mut plans: Vec<Versioned<QualityPlan>> =
        repo::list(conn, Where::sql("tenant_id = $1", vec![tenant.to_value()])).await?;
    plans.sort_by(|a, b| b.year.cmp(&a.year).then(a.id.cmp(&b.id)));
    Ok(plans)
}

/// Which plans a list asks for.
#[derive(Debug, Clone)]
pub struct PlanQuery {
    pub tenant: TenantId,
    /// The units whose adopted plans the reader may read; `None` for all.
    pub adopted_in: Option<Vec<OrgUnitId>>,
    /// The units whose drafts the reader may read; `None` for all.
    pub drafts_in: Option<Vec<OrgUnitId>>,
    pub year: Option<i64>,
    pub unit: Option<OrgUnitId>,
    pub state: Option<PlanState>,
}

/// `scope_id` within `units`: any, none, or an `IN` list of the tenant's own unit
/// numbers (numbers, never text from input).
fn scope_in(units: &Option<Vec<OrgUnitId>>) -> String {
    match units {
        None => "1 = 1".to_owned(),
        Some(u) => repo::in_ids("scope_id", u.iter().copied()),
    }
}

/// The condition that a plan or report (a `state` and a `scope_id` column, `draft` the
/// state of a draft) is readable: a draft within `drafts_in`, any other within
/// `adopted_in`.
pub(crate) fn readable(draft: &str, adopted_in: &Option<Vec<OrgUnitId>>, drafts_in: &Option<Vec<OrgUnitId>>) -> String {
    format!("((state <> '{draft}' AND {}) OR (state = '{draft}' AND {}))", scope_in(adopted_in), scope_in(drafts_in))
}

/// One page of the plans `q` asks for, newest year first, with how many there are in
/// all; filtered, counted and paged by the database.
pub async fn page(
    conn: &mut AnyConnection,
    q: &PlanQuery,
    limit: i64,
    offset: i64,
) -> Result<(i64, Vec<Versioned<QualityPlan>>)> {
    let mut sql = format!("tenant_id = $1 AND {}", readable(PlanState::Draft.code(), &q.adopted_in, &q.drafts_in));
    let mut binds = vec![q.tenant.to_value()];
    let mut condition = |column: &str, value: Value| {
        binds.push(value);
        sql.push_str(&format!(" AND {column} = ${}", binds.len()));
    };
    if let Some(year) = q.year {
        condition("year", Value::Int(year));
    }
    if let Some(unit) = q.unit {
        condition("scope_id", unit.to_value());
    }
    if let Some(state) = q.state {
        condition("state", Value::Text(state.code().to_owned()));
    }
    repo::page(conn, Where::built(sql, binds), "year DESC, id", limit, offset).await
}

/// The plan's items of one kind.
async fn items<T: Record>(conn: &mut AnyConnection, plan: PlanId) -> Result<Vec<Versioned<T>>> {
    repo::list(conn, Where::sql("plan_id = $1", vec![plan.to_value()])).await
}

/// A plan with everything in it.
pub async fn load_bundle(conn: &mut AnyConnection, plan_id: PlanId) -> Result<PlanBundle> {
    let mut bundle = load_head(conn, plan_id).await?;
    fill_all(conn, &mut bundle).await?;
    Ok(bundle)
}

/// Fills a plan's head ([`load_head`]) with everything in the plan.
pub async fn fill_all(conn: &mut AnyConnection, bundle: &mut PlanBundle) -> Result<()> {
    fill_items(conn, bundle).await?;
    bundle.action_follow_ups = repo::list::<ActionFollowUp>(
        conn,
        Where::sql("action_id IN (SELECT id FROM action WHERE plan_id = $1)", vec![bundle.plan.id.to_value()]),
    )
    .await?;
    Ok(())
}

/// Fills a plan's head ([`load_head`]) with every item of the plan and the links among
/// them, but not its actions' follow-up entries.
async fn fill_items(conn: &mut AnyConnection, bundle: &mut PlanBundle) -> Result<()> {
    let plan_id = bundle.plan.id;
    let p = plan_id.to_value();
    bundle.runs = repo::list::<SelfInspectionRun>(
        conn,
        Where::sql("self_inspection_id IN (SELECT id FROM self_inspection WHERE plan_id = $1)", vec![p.clone()]),
    )
    .await?;
    bundle.indicator_results = repo::list::<IndicatorResult>(
        conn,
        Where::sql("indicator_id IN (SELECT id FROM indicator WHERE plan_id = $1)", vec![p]),
    )
    .await?;
    bundle.risks = items::<Risk>(conn, plan_id).await?;
    bundle.actions = items::<Action>(conn, plan_id).await?;
    bundle.self_inspections = items::<SelfInspection>(conn, plan_id).await?;
    bundle.indicators = items::<Indicator>(conn, plan_id).await?;
    bundle.links = links::load_plan_links(conn, plan_id.get()).await?;
    Ok(())
}

/// The plan, its scope, the tenant's matrix, process areas and quality factors, and the
/// plan's prose (sections, focus areas); no risks, self-inspections, actions or
/// indicators: what every view of a plan reads before its items (all: [`fill_all`], or one
/// part of a large plan: [`crate::plan_part::fill_part`]).
pub async fn load_head(conn: &mut AnyConnection, plan_id: PlanId) -> Result<PlanBundle> {
    let plan = repo::get::<QualityPlan>(conn, plan_id).await?;
    let tenant = repo::get::<Tenant>(conn, plan.tenant_id).await?;
    let scope = repo::get::<OrgUnit>(conn, plan.scope_id).await?;
    Ok(PlanBundle {
        matrix: tenant.item.risk_matrix,
        sections: items::<Section>(conn, plan_id).await?,
        focus_areas: items::<FocusArea>(conn, plan_id).await?,
        process_areas: org::process_areas(conn, plan.tenant_id).await?,
        quality_factors: org::quality_factors(conn, plan.tenant_id).await?,
        risks: vec![],
        actions: vec![],
        self_inspections: vec![],
        runs: vec![],
        indicators: vec![],
        indicator_results: vec![],
        links: Default::default(),
        plan,
        scope,
        action_follow_ups: vec![],
    })
}

/// The follow-up entries of `actions` (record numbers, so written into the statement).
pub async fn action_follow_ups(
    conn: &mut AnyConnection,
    actions: &[ActionId],
) -> Result<Vec<Versioned<ActionFollowUp>>> {
    if actions.is_empty() {
        return Ok(vec![]);
    }
    repo::list(conn, Where::built(repo::in_ids("action_id", actions.iter().copied()), vec![])).await
}

/// How many of a plan's risks are assessed at each likelihood and consequence: the heat
/// map's cells, counted by the database. Risks without both are not counted.
pub async fn risk_cells(conn: &mut AnyConnection, plan: PlanId) -> Result<Vec<(i64, i64, i64)>> {
    let rows = sqlx::query(
        "SELECT likelihood, consequence, COUNT(*) AS n FROM risk WHERE plan_id = $1 \
         AND likelihood IS NOT NULL AND consequence IS NOT NULL GROUP BY likelihood, consequence",
    )
    .bind(plan.get())
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(|r| Ok((r.try_get("likelihood")?, r.try_get("consequence")?, r.try_get("n")?))).collect()
}

/// A risk as a list by level shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct RiskByLevel {
    pub id: RiskId,
    pub title: String,
    pub level: i64,
}

/// A plan's risks, highest level first and in the plan's order within a level; only
/// what such a list shows is read.
pub async fn risks_by_level(conn: &mut AnyConnection, plan: PlanId) -> Result<Vec<RiskByLevel>> {
    let rows = sqlx::query("SELECT id, title, level FROM risk WHERE plan_id = $1 ORDER BY level DESC, sort_order, id")
        .bind(plan.get())
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(RiskByLevel { id: Id::new(r.try_get("id")?), title: r.try_get("title")?, level: r.try_get("level")? })
        })
        .collect()
}

/// The tenant's risk matrix.
pub async fn matrix(conn: &mut AnyConnection, tenant: TenantId) -> Result<RiskMatrix> {
    Ok(repo::get::<Tenant>(conn, tenant).await?.item.risk_matrix)
}

pub(crate) async fn plan_tenant(conn: &mut AnyConnection, plan: PlanId) -> Result<TenantId> {
    Ok(repo::get::<QualityPlan>(conn, plan).await?.tenant_id)
}

/// Validates and inserts any record that validates itself.
pub async fn create<T: Record + Validate>(conn: &mut Tx, item: &T) -> Result<Id<T>> {
    item.validate()?;
    repo::insert(conn, item).await
}

/// Validates and updates any record that validates itself, if still at `version`.
pub async fn save<T: Record + Validate>(conn: &mut Tx, id: Id<T>, version: i64, item: &T) -> Result<i64> {
    item.validate()?;
    repo::update(conn, id, version, item).await
}

/// Adds a risk, validated against the tenant's matrix, and records its first assessment.
pub async fn add_risk(conn: &mut Tx, risk: &Risk, assessed_on: Date) -> Result<RiskId> {
    let tenant = plan_tenant(conn, risk.plan_id).await?;
    let matrix = matrix(conn, tenant).await?;
    risk.validate_with(&matrix)?;
    let id = repo::insert(conn, risk).await?;
    let assessment = RiskAssessment {
        risk_id: id,
        assessed_on,
        likelihood: risk.likelihood,
        consequence: risk.consequence,
        level: risk.level,
        comment: String::new(),
    };
    repo::insert(conn, &assessment).await?;
    Ok(id)
}

/// Re-assesses a risk: updates its likelihood, consequence and level (if the caller's
/// version is current) and appends the assessment to its history.
pub async fn reassess_risk(conn: &mut Tx, id: RiskId, version: i64, assessment: &RiskAssessment) -> Result<i64> {
    let current = repo::get::<Risk>(conn, id).await?;
    let tenant = plan_tenant(conn, current.plan_id).await?;
    let matrix = matrix(conn, tenant).await?;
    assessment.validate_with(&matrix)?;
    let risk = Risk {
        likelihood: assessment.likelihood,
        consequence: assessment.consequence,
        level: assessment.level,
        needs_reassessment: false,
        ..current.item
    };
    let new_version = repo::update(conn, id, version, &risk).await?;
    repo::insert(conn, &RiskAssessment { risk_id: id, ..assessment.clone() }).await?;
    Ok(new_version)
}

/// Records an action's follow-up and moves the action to the follow-up's status.
pub async fn follow_up_action(conn: &mut Tx, version: i64, follow_up: &ActionFollowUp) -> Result<i64> {
    follow_up.validate()?;
    let current = repo::get::<Action>(conn, follow_up.action_id).await?;
    let mut action = current.item;
    action.apply(follow_up)?;
    let new_version = repo::update(conn, follow_up.action_id, version, &action).await?;
    repo::insert(conn, follow_up).await?;
    Ok(new_version)
}

/// Records an indicator's result for a year.
pub async fn add_indicator_result(conn: &mut Tx, result: &IndicatorResult) -> Result<Id<IndicatorResult>> {
    let indicator = repo::get::<Indicator>(conn, result.indicator_id).await?;
    result.validate_for(indicator.unit)?;
    repo::insert(conn, result).await
}

/// Adopts a draft plan.
pub async fn adopt(conn: &mut Tx, id: PlanId, version: i64, on: Date, reference: &str) -> Result<i64> {
    let mut plan = repo::get::<QualityPlan>(conn, id).await?.item;
    plan.adopt(on, reference).map_err(transition_error)?;
    repo::update(conn, id, version, &plan).await
}

/// Marks an adopted plan as followed up, with the date and the board's reference.
pub async fn mark_followed_up(conn: &mut Tx, id: PlanId, version: i64, on: Date, reference: &str) -> Result<i64> {
    let mut plan = repo::get::<QualityPlan>(conn, id).await?.item;
    plan.mark_followed_up(on, reference).map_err(transition_error)?;
    repo::update(conn, id, version, &plan).await
}

/// A refused state change as the field's validation error.
fn transition_error(e: kvalitet_domain::plan::TransitionError) -> StoreError {
    match e {
        kvalitet_domain::plan::TransitionError::Invalid(v) => StoreError::Invalid(v),
        other => {
            let mut v = kvalitet_domain::ValidationErrors::default();
            v.push("state", kvalitet_domain::Problem::Invalid(other.to_string()));
            StoreError::Invalid(v)
        }
    }
}

/// Rolls plan `id` into a draft of the next year; plan `id` is not changed. Returns the
/// new plan's id.
pub async fn roll_over_plan(conn: &mut Tx, id: PlanId, today: Date) -> Result<PlanId> {
    let bundle = load_bundle(conn, id).await?;
    let rolled: RolledPlan = roll_over(&bundle).map_err(|e| {
        let mut v = kvalitet_domain::ValidationErrors::default();
        v.push("state", kvalitet_domain::Problem::Invalid(e.to_string()));
        StoreError::Invalid(v)
    })?;
    insert_derived(conn, &bundle, rolled, Derived::NextYear, today).await
}

/// Creates a draft plan for `scope` and `year` from a copy of plan `from` (another
/// unit's, in any state; see `cycle::copy_plan`). Returns the new plan's id.
pub async fn copy_plan(
    conn: &mut Tx,
    from: PlanId,
    scope: OrgUnitId,
    year: i64,
    title: String,
    today: Date,
) -> Result<PlanId> {
    let bundle = load_bundle(conn, from).await?;
    // Only within one municipality.
    let unit = repo::get::<OrgUnit>(conn, scope).await?;
    if unit.tenant_id != bundle.plan.tenant_id {
        return Err(StoreError::NotFound { table: "quality_plan", id: from.get() });
    }
    let copied = kvalitet_domain::cycle::copy_plan(&bundle, scope, year, title);
    insert_derived(conn, &bundle, copied, Derived::Copy, today).await
}

/// How a new plan derives from an older one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Derived {
    /// Next year's plan of the same part of the tree: its items keep their origins.
    NextYear,
    /// Another part of the tree starts from a copy: no history, no units of the other part.
    Copy,
}

/// Inserts a plan derived from `from` (its items' `previous_*_id` naming the items they
/// came from) and re-makes the links between the new items.
async fn insert_derived(
    conn: &mut Tx,
    from: &PlanBundle,
    rolled: RolledPlan,
    how: Derived,
    today: Date,
) -> Result<PlanId> {
    let id = from.plan.id;
    let bundle = from;
    let keep = how == Derived::NextYear;
    let comment = match how {
        Derived::NextYear => "Överförd från föregående års plan; ska bedömas på nytt.".to_owned(),
        Derived::Copy => format!("Kopierad från {}; ska bedömas för den egna verksamheten.", from.plan.title),
    };
    // Whoever was responsible stays so, unless their account has been deactivated since.
    let active = crate::responsible::active(conn, from.plan.tenant_id).await?;
    let still = |a: Option<kvalitet_domain::access::AccountId>| a.filter(|a| active.contains(a));
    let new_plan = create(conn, &rolled.plan).await?;
    for s in &rolled.sections {
        repo::insert(conn, &Section { plan_id: Some(new_plan), ..s.clone() }).await?;
    }
    for f in &rolled.focus_areas {
        repo::insert(conn, &FocusArea { plan_id: new_plan, ..f.clone() }).await?;
    }
    let mut risks: HashMap<i64, i64> = HashMap::new();
    for r in &rolled.risks {
        let origin = if keep { r.previous_risk_id } else { None };
        let new = repo::insert(conn, &Risk { plan_id: new_plan, previous_risk_id: origin, ..r.clone() }).await?;
        repo::insert(
            conn,
            &RiskAssessment {
                risk_id: new,
                assessed_on: today,
                likelihood: r.likelihood,
                consequence: r.consequence,
                level: r.level,
                comment: comment.clone(),
            },
        )
        .await?;
        risks.insert(r.previous_risk_id.map_or(0, |p| p.get()), new.get());
    }
    let mut sis: HashMap<i64, i64> = HashMap::new();
    for s in &rolled.self_inspections {
        let origin = if keep { s.previous_self_inspection_id } else { None };
        let new = repo::insert(
            conn,
            &SelfInspection {
                plan_id: new_plan,
                previous_self_inspection_id: origin,
                responsible_account_id: still(s.responsible_account_id),
                ..s.clone()
            },
        )
        .await?;
        sis.insert(s.previous_self_inspection_id.map_or(0, |p| p.get()), new.get());
    }
    let mut actions: HashMap<i64, i64> = HashMap::new();
    for a in &rolled.actions {
        let origin = if keep { a.previous_action_id } else { None };
        let new = repo::insert(
            conn,
            &Action {
                plan_id: new_plan,
                previous_action_id: origin,
                responsible_account_id: still(a.responsible_account_id),
                ..a.clone()
            },
        )
        .await?;
        actions.insert(a.previous_action_id.map_or(0, |p| p.get()), new.get());
    }
    let mut indicators: HashMap<i64, i64> = HashMap::new();
    for i in &rolled.indicators {
        let origin = if keep { i.previous_indicator_id } else { None };
        let new =
            repo::insert(conn, &Indicator { plan_id: new_plan, previous_indicator_id: origin, ..i.clone() }).await?;
        indicators.insert(i.previous_indicator_id.map_or(0, |p| p.get()), new.get());
    }
    let l = &bundle.links;
    let remake = |pairs: Vec<(i64, i64)>, a: &HashMap<i64, i64>, b: &HashMap<i64, i64>| -> Vec<(i64, i64)> {
        pairs.into_iter().filter_map(|(x, y)| Some((*a.get(&x)?, *b.get(&y)?))).collect()
    };
    let ar: Vec<(i64, i64)> = l.action_risk.iter().map(|(a, b)| (a.get(), b.get())).collect();
    let asi: Vec<(i64, i64)> = l.action_self_inspection.iter().map(|(a, b)| (a.get(), b.get())).collect();
    let sir: Vec<(i64, i64)> = l.self_inspection_risk.iter().map(|(a, b)| (a.get(), b.get())).collect();
    let ir: Vec<(i64, i64)> = l.indicator_risk.iter().map(|(a, b)| (a.get(), b.get())).collect();
    for (a, b) in remake(ar, &actions, &risks) {
        links::link(conn, LinkKind::ActionRisk, a, b).await?;
    }
    for (a, b) in remake(asi, &actions, &sis) {
        links::link(conn, LinkKind::ActionSelfInspection, a, b).await?;
    }
    for (a, b) in remake(sir, &sis, &risks) {
        links::link(conn, LinkKind::SelfInspectionRisk, a, b).await?;
    }
    for (a, b) in remake(ir, &indicators, &risks) {
        links::link(conn, LinkKind::IndicatorRisk, a, b).await?;
    }
    // The units a risk concerns lie in the plan's part of the tree: a copy for another
    // part keeps only the target groups.
    let kinds: &[LinkKind] =
        if keep { &[LinkKind::RiskUnit, LinkKind::RiskTargetGroup] } else { &[LinkKind::RiskTargetGroup] };
    for (old, new) in &risks {
        for &kind in kinds {
            for (r, x) in links::plan_links(conn, kind, id.get()).await? {
                if r == *old {
                    links::link(conn, kind, *new, x).await?;
                }
            }
        }
    }
    Ok(new_plan)
}
