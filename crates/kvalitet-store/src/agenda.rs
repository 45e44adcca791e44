//! What is waiting for people: the data behind each person's start page and daily
//! digest, read in a few queries per tenant (the current plans' self-inspections and
//! runs, actions past due, deviations not yet taken up, lex Sarah reports not yet made
//! to IVO (with the municipality's IVO deadline), risks to re-assess, plans to follow
//! up; voided deviations never), and [`due_for`], the one rule for
//! which of them are a person's: those their roles are responsible for, where the item
//! belongs, and the actions and self-inspections they are named responsible for. Both
//! the start page and the digest use it.

use std::collections::HashMap;

use sqlx::{AnyConnection, Row};

use kvalitet_domain::Id;
use kvalitet_domain::access::{AccountId, Permission, RoleAssignment, Tree, allows};
use kvalitet_domain::action::ActionId;
use kvalitet_domain::org::OrgUnitId;
use kvalitet_domain::plan::PlanId;
use kvalitet_domain::self_inspection::{SelfInspectionId, missing_runs};

use kvalitet_domain::action::Action;
use kvalitet_domain::deviation::Deviation;
use kvalitet_domain::org::TenantId;
use kvalitet_domain::plan::{PlanState, QualityPlan};
use kvalitet_domain::risk::Risk;
use kvalitet_domain::self_inspection::{SelfInspection, SelfInspectionRun};
use kvalitet_domain::{Date, Versioned};

use crate::error::Result;
use crate::record::{Column, Value};
use crate::repo::{self, Where};

/// The items that may be due.
#[derive(Debug, Clone, Default)]
pub struct Agenda {
    /// Plans being carried out: adopted and not yet followed up.
    pub current_plans: Vec<Versioned<QualityPlan>>,
    /// Every plan not yet followed up (drafts too), for risks to re-assess.
    pub open_plans: Vec<Versioned<QualityPlan>>,
    pub self_inspections: Vec<Versioned<SelfInspection>>,
    pub runs: Vec<Versioned<SelfInspectionRun>>,
    pub overdue_actions: Vec<Versioned<Action>>,
    pub new_deviations: Vec<Versioned<Deviation>>,
    /// Lex Sarah reports assessed as serious (or a risk of it) and not yet made to IVO,
    /// whatever their status.
    pub ivo_reports_due: Vec<Versioned<Deviation>>,
    /// Days after the report that the report to IVO is due (the tenant's setting).
    pub ivo_deadline_days: i64,
    pub risks_to_reassess: Vec<Versioned<Risk>>,
    /// The self-inspections each overdue action is tied to.
    pub action_self_inspections: Vec<(ActionId, SelfInspectionId)>,
    /// The kinds ([`due_kind`]) of which only the first `limit` were read: what is due of
    /// them is at least what [`due_for`] finds.
    pub truncated: Vec<&'static str>,
}

/// Where a person's roles reach, for reading only what may be theirs: the units where
/// they may record follow-ups, handle deviations and edit plans (`None`: every unit), and
/// the account, for the items they are named responsible for. What is read with a reach
/// is a superset of what [`due_for`] keeps for them; `due_for` decides.
#[derive(Debug, Clone)]
pub struct Reach {
    pub account: AccountId,
    pub follow_up_in: Option<Vec<OrgUnitId>>,
    pub handle_in: Option<Vec<OrgUnitId>>,
    pub edit_in: Option<Vec<OrgUnitId>>,
}

impl Reach {
    /// The reach of `account` with `assignments` over the tenant's `units`.
    pub fn of(account: AccountId, assignments: &[RoleAssignment], tree: &impl Tree, units: &[OrgUnitId]) -> Reach {
        let within = |p: Permission| {
            let allowed: Vec<OrgUnitId> = units.iter().copied().filter(|u| allows(assignments, tree, p, *u)).collect();
            (allowed.len() != units.len()).then_some(allowed)
        };
        Reach {
            account,
            follow_up_in: within(Permission::RecordFollowUp),
            handle_in: within(Permission::HandleDeviation),
            edit_in: within(Permission::EditPlan),
        }
    }
}

/// `column IN (…)` of the tenant's own unit numbers (numbers, never text from input),
/// nothing for every unit, false for none.
fn units_in(column: &str, units: &Option<Vec<OrgUnitId>>) -> Option<String> {
    units.as_ref().map(|u| repo::in_ids(column, u.iter().copied()))
}

/// `base` and, where the reach narrows it, `narrowed` (a condition on the reach).
fn within(base: &str, narrowed: Option<String>) -> String {
    match narrowed {
        Some(n) => format!("{base} AND ({n})"),
        None => base.to_owned(),
    }
}

/// What may be due in `tenant` on `today`. With a `limit`, at most that many past-due
/// actions, new deviations, IVO reports and risks are read (a start page shows the first
/// few and says "at least" of the rest); without, all of them (the daily digest, whose
/// counts must be exact). With a `reach`, only those of them within it.
pub async fn load(
    conn: &mut AnyConnection,
    tenant: TenantId,
    today: Date,
    limit: Option<i64>,
    reach: Option<&Reach>,
) -> Result<Agenda> {
    let t = tenant.to_value();
    let limit = limit.unwrap_or(i64::MAX);
    let me = reach.map_or(0, |r| r.account.get());
    let adopted_in = |units: &Option<Vec<OrgUnitId>>| {
        units_in("scope_id", units)
            .map(|c| format!("SELECT id FROM quality_plan WHERE tenant_id = $1 AND state = 'adopted' AND {c}"))
    };
    // Past-due actions where the person may record follow-ups: in a plan of such a unit,
    // tied to a self-inspection of one, or theirs by name.
    let actions_reach = reach.and_then(|r| {
        let plans = adopted_in(&r.follow_up_in)?;
        let tied = units_in("si.unit_id", &r.follow_up_in)?;
        Some(format!(
            "plan_id IN ({plans}) OR id IN (SELECT asi.action_id FROM action_self_inspection asi \
             JOIN self_inspection si ON si.id = asi.self_inspection_id WHERE {tied}) OR responsible_account_id = {me}"
        ))
    });
    let deviations_reach = reach.and_then(|r| units_in("unit_id", &r.handle_in));
    let risks_reach = reach.and_then(|r| {
        units_in("scope_id", &r.edit_in)
            .map(|c| format!("plan_id IN (SELECT id FROM quality_plan WHERE tenant_id = $1 AND {c})"))
    });
    // The longest past due first, read along the index on the due date (`+plan_id` keeps
    // SQLite from choosing the plan index and sorting every past-due action instead).
    let overdue_actions: Vec<Versioned<Action>> = repo::list_in_order(
        conn,
        Where::built(
            within(
                "+plan_id IN (SELECT id FROM quality_plan WHERE tenant_id = $1 AND state = 'adopted') AND due_on < $2 \
                 AND status NOT IN ('done', 'withdrawn')",
                actions_reach,
            ),
            vec![t.clone(), Value::Text(today.to_string())],
        ),
        "due_on, id",
        limit,
    )
    .await?;
    // The self-inspections of the actions read, for where each action belongs.
    let action_self_inspections = if overdue_actions.is_empty() {
        vec![]
    } else {
        let sql = format!(
            "SELECT action_id, self_inspection_id FROM action_self_inspection WHERE {}",
            repo::in_ids("action_id", overdue_actions.iter().map(|a| a.id))
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(&mut *conn).await?;
        rows.iter()
            .map(|r| Ok((Id::new(r.try_get("action_id")?), Id::new(r.try_get("self_inspection_id")?))))
            .collect::<Result<Vec<_>>>()?
    };
    // The plans being carried out are among the open ones: one read for both.
    let open_plans: Vec<Versioned<QualityPlan>> =
        repo::list(conn, Where::sql("tenant_id = $1 AND state <> 'followed_up'", vec![t.clone()])).await?;
    let mut agenda = Agenda {
        current_plans: open_plans.iter().filter(|p| p.state == PlanState::Adopted).cloned().collect(),
        open_plans,
        self_inspections: repo::list(conn, Where::sql(CURRENT_PLAN_ITEMS, vec![t.clone()])).await?,
        runs: repo::list(
            conn,
            Where::sql(
                "self_inspection_id IN (SELECT id FROM self_inspection WHERE plan_id IN (SELECT id FROM quality_plan WHERE tenant_id = $1 AND state = 'adopted'))",
                vec![t.clone()],
            ),
        )
        .await?,
        overdue_actions,
        new_deviations: repo::list_limited(
            conn,
            Where::built(
                within("tenant_id = $1 AND status = 'registered' AND voided_on IS NULL", deviations_reach.clone()),
                vec![t.clone()],
            ),
            limit,
        )
        .await?,
        ivo_reports_due: repo::list_limited(
            conn,
            Where::built(
                within(
                    "tenant_id = $1 AND kind = 'lex_sarah' AND lex_sarah_category IN ('serious', 'risk_of_serious') \
                     AND reported_to_ivo_on IS NULL AND voided_on IS NULL",
                    deviations_reach,
                ),
                vec![t.clone()],
            ),
            limit,
        )
        .await?,
        ivo_deadline_days: crate::deviations::settings(conn, tenant).await?.ivo_deadline_days,
        risks_to_reassess: repo::list_limited(
            conn,
            Where::built(
                within(
                    "plan_id IN (SELECT id FROM quality_plan WHERE tenant_id = $1 AND state <> 'followed_up') \
                     AND needs_reassessment = 1",
                    risks_reach,
                ),
                vec![t.clone()],
            ),
            limit,
        )
        .await?,
        action_self_inspections,
        truncated: vec![],
    };
    let full = |n: usize| i64::try_from(n).unwrap_or(i64::MAX) >= limit;
    for (kind, n) in [
        (due_kind::ACTION, agenda.overdue_actions.len()),
        (due_kind::DEVIATION, agenda.new_deviations.len()),
        (due_kind::IVO_REPORT, agenda.ivo_reports_due.len()),
        (due_kind::RISK, agenda.risks_to_reassess.len()),
    ] {
        if full(n) {
            agenda.truncated.push(kind);
        }
    }
    Ok(agenda)
}

/// The items of the plans being carried out.
const CURRENT_PLAN_ITEMS: &str = "plan_id IN (SELECT id FROM quality_plan WHERE tenant_id = $1 AND state = 'adopted')";

/// What kind of thing is due: stable codes, named in Swedish by the start page and the
/// digest.
pub mod due_kind {
    pub const DEVIATION: &str = "deviation";
    pub const IVO_REPORT: &str = "ivo_report";
    pub const SELF_INSPECTION: &str = "self_inspection";
    pub const ACTION: &str = "action";
    pub const RISK: &str = "risk";
    pub const PLAN_FOLLOW_UP: &str = "plan_follow_up";
    /// Not a kind of item: in [`super::counts`], how many of the IVO reports are
    /// overdue, right after them.
    pub const IVO_REPORT_OVERDUE: &str = "ivo_report_overdue";
    /// Every kind, most urgent first.
    pub const ALL: [&str; 6] = [DEVIATION, IVO_REPORT, SELF_INSPECTION, ACTION, RISK, PLAN_FOLLOW_UP];
}

/// One thing due for a person.
#[derive(Debug, Clone, PartialEq)]
pub struct DueItem {
    /// One of [`due_kind`].
    pub kind: &'static str,
    /// The page it is done on.
    pub href: String,
    pub title: String,
    pub context: String,
    /// Due or waiting since.
    pub since: Option<Date>,
    /// A sensitive record (a deviation) whose title is shown: its read is logged.
    pub sensitive: Option<i64>,
    /// Past its due date (`since`): an IVO report not made within the deadline.
    pub overdue: bool,
}

/// What of `agenda` is due for `account` with `assignments`: what their roles are
/// responsible for where the item belongs. A self-inspection tied to a unit (or a
/// section) belongs there, not to the whole plan: the manager of an adults' unit is not
/// asked to record a self-inspection tied to the children's section. An action belongs
/// where the self-inspections it follows up are tied, if they all are, else to its
/// plan's scope. Deviations and IVO reports belong to their unit. An action or a
/// self-inspection whose responsible person is `account` is theirs as well, if they may
/// read its plan. Most urgent kind first.
pub fn due_for(
    agenda: &Agenda,
    account: AccountId,
    assignments: &[RoleAssignment],
    tree: &impl Tree,
    today: Date,
) -> Vec<DueItem> {
    let may = |p: Permission, unit: OrgUnitId| allows(assignments, tree, p, unit);
    // Named responsible for an item of plan `p` that they may read.
    let named = |responsible: Option<AccountId>, p: &QualityPlan| {
        responsible == Some(account) && may(p.read_permission(), p.scope_id)
    };
    let plans: HashMap<PlanId, &Versioned<QualityPlan>> =
        agenda.current_plans.iter().chain(&agenda.open_plans).map(|p| (p.id, p)).collect();
    let plan = |id| plans.get(&id).copied();
    let mut runs: HashMap<SelfInspectionId, Vec<Date>> = HashMap::new();
    for r in &agenda.runs {
        runs.entry(r.self_inspection_id).or_default().push(r.run_on);
    }
    let ties: HashMap<SelfInspectionId, Option<OrgUnitId>> =
        agenda.self_inspections.iter().map(|s| (s.id, s.unit_id)).collect();
    let mut out = Vec::new();
    for d in agenda.new_deviations.iter().filter(|d| may(Permission::HandleDeviation, d.unit_id)) {
        out.push(DueItem {
            kind: due_kind::DEVIATION,
            href: format!("/avvikelser/{}", d.id),
            title: d.title.clone(),
            context: String::new(),
            since: Some(d.reported_on),
            sensitive: Some(d.id.get()),
            overdue: false,
        });
    }
    // From the serious assessment until the IVO date is set, due `ivo_deadline_days`
    // after the report.
    for d in agenda.ivo_reports_due.iter().filter(|d| may(Permission::HandleDeviation, d.unit_id)) {
        let due = d.ivo_due_on(agenda.ivo_deadline_days);
        out.push(DueItem {
            kind: due_kind::IVO_REPORT,
            href: format!("/avvikelser/{}", d.id),
            title: d.title.clone(),
            context: String::new(),
            since: due.or(Some(d.reported_on)),
            sensitive: Some(d.id.get()),
            overdue: due.is_some_and(|due| today > due),
        });
    }
    for si in &agenda.self_inspections {
        let Some(p) = plan(si.plan_id) else { continue };
        if !may(Permission::RecordFollowUp, si.unit_id.unwrap_or(p.scope_id)) && !named(si.responsible_account_id, p) {
            continue;
        }
        let done = runs.get(&si.id).map_or(&[][..], Vec::as_slice);
        let missing = missing_runs(si.frequency, p.year as i16, done, today);
        if let Some(first) = missing.first() {
            out.push(DueItem {
                kind: due_kind::SELF_INSPECTION,
                href: format!("/egenkontroller/{}", si.id),
                title: si.title.clone(),
                context: format!(
                    "{} · {} {}",
                    p.title,
                    missing.len(),
                    if missing.len() == 1 { "kontroll saknas" } else { "kontroller saknas" }
                ),
                since: Some(*first),
                sensitive: None,
                overdue: false,
            });
        }
    }
    for act in &agenda.overdue_actions {
        let Some(p) = plan(act.plan_id) else { continue };
        let tied: Vec<Option<OrgUnitId>> = agenda
            .action_self_inspections
            .iter()
            .filter(|(a, _)| *a == act.id)
            .map(|(_, s)| ties.get(s).copied().flatten())
            .collect();
        let units: Vec<OrgUnitId> = if !tied.is_empty() && tied.iter().all(Option::is_some) {
            tied.into_iter().flatten().collect()
        } else {
            vec![p.scope_id]
        };
        if units.into_iter().any(|u| may(Permission::RecordFollowUp, u)) || named(act.responsible_account_id, p) {
            out.push(DueItem {
                kind: due_kind::ACTION,
                href: format!("/atgarder/{}", act.id),
                title: act.title.clone(),
                context: p.title.clone(),
                since: act.due_on,
                sensitive: None,
                overdue: false,
            });
        }
    }
    for r in &agenda.risks_to_reassess {
        let Some(p) = plan(r.plan_id) else { continue };
        if may(Permission::EditPlan, p.scope_id) {
            out.push(DueItem {
                kind: due_kind::RISK,
                href: format!("/risker/{}", r.id),
                title: r.title.clone(),
                context: p.title.clone(),
                since: None,
                sensitive: None,
                overdue: false,
            });
        }
    }
    // A plan whose year is over is followed up (its Uppföljning to the board).
    for p in agenda.current_plans.iter().filter(|p| p.state == PlanState::Adopted && p.year < i64::from(today.year())) {
        if may(Permission::EditPlan, p.scope_id) {
            out.push(DueItem {
                kind: due_kind::PLAN_FOLLOW_UP,
                href: format!("/planer/{}", p.id),
                title: p.title.clone(),
                context: String::new(),
                since: Date::new(p.year as i16, 12, 31).ok(),
                sensitive: None,
                overdue: false,
            });
        }
    }
    let rank = |k: &str| due_kind::ALL.iter().position(|x| *x == k).unwrap_or(usize::MAX);
    out.sort_by_key(|i| rank(i.kind));
    out
}

/// How many items of each kind (kinds with none left out), in [`due_kind::ALL`]'s order;
/// after the IVO reports, how many of them are overdue
/// ([`due_kind::IVO_REPORT_OVERDUE`]), if any are.
pub fn counts(items: &[DueItem]) -> Vec<(&'static str, usize)> {
    let mut out = Vec::new();
    for k in due_kind::ALL {
        out.push((k, items.iter().filter(|i| i.kind == k).count()));
        if k == due_kind::IVO_REPORT {
            out.push((due_kind::IVO_REPORT_OVERDUE, items.iter().filter(|i| i.kind == k && i.overdue).count()));
        }
    }
    out.retain(|(_, n)| *n > 0);
    out
}
