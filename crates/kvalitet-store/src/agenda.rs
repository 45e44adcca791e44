//! What is waiting for people: the data behind each person's start page, read in a few
//! queries (the current plans' self-inspections and runs, actions past due, deviations not
//! yet taken up, risks to re-assess). Who sees which item is decided by the caller.

use sqlx::AnyConnection;

use kvalitet_domain::action::Action;
use kvalitet_domain::deviation::Deviation;
use kvalitet_domain::org::TenantId;
use kvalitet_domain::plan::QualityPlan;
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
    pub risks_to_reassess: Vec<Versioned<Risk>>,
}

pub async fn load(conn: &mut AnyConnection, tenant: TenantId, today: Date) -> Result<Agenda> {
    let t = tenant.to_value();
    Ok(Agenda {
        current_plans: repo::list(conn, Where::sql("tenant_id = $1 AND state = 'adopted'", vec![t.clone()])).await?,
        open_plans: repo::list(conn, Where::sql("tenant_id = $1 AND state <> 'followed_up'", vec![t.clone()])).await?,
        self_inspections: repo::list(conn, Where::sql(CURRENT_PLAN_ITEMS, vec![t.clone()])).await?,
        runs: repo::list(
            conn,
            Where::sql(
                "self_inspection_id IN (SELECT id FROM self_inspection WHERE plan_id IN (SELECT id FROM quality_plan WHERE tenant_id = $1 AND state = 'adopted'))",
                vec![t.clone()],
            ),
        )
        .await?,
        overdue_actions: repo::list_limited(
            conn,
            Where::sql(
                "plan_id IN (SELECT id FROM quality_plan WHERE tenant_id = $1 AND state = 'adopted') AND due_on < $2 AND status NOT IN ('done', 'withdrawn')",
                vec![t.clone(), Value::Text(today.to_string())],
            ),
            LIMIT,
        )
        .await?,
        new_deviations: repo::list_limited(
            conn,
            Where::sql("tenant_id = $1 AND status = 'registered'", vec![t.clone()]),
            LIMIT,
        )
        .await?,
        risks_to_reassess: repo::list_limited(
            conn,
            Where::sql(
                "plan_id IN (SELECT id FROM quality_plan WHERE tenant_id = $1 AND state <> 'followed_up') AND needs_reassessment = 1",
                vec![t],
            ),
            LIMIT,
        )
        .await?,
    })
}

/// At most this many items of one kind are read; a start page shows the first few.
const LIMIT: i64 = 500;

/// The items of the plans being carried out.
const CURRENT_PLAN_ITEMS: &str = "plan_id IN (SELECT id FROM quality_plan WHERE tenant_id = $1 AND state = 'adopted')";
