//! Responsible people: the accounts a plan's actions and self-inspections can be given
//! to (migration 0016), and one person's own tasks across plans ("Mina uppgifter").

use std::collections::{HashMap, HashSet};

use sqlx::{AnyConnection, Row};

use kvalitet_domain::access::AccountId;
use kvalitet_domain::action::Action;
use kvalitet_domain::org::TenantId;
use kvalitet_domain::plan::QualityPlan;
use kvalitet_domain::self_inspection::{SelfInspection, SelfInspectionRun};
use kvalitet_domain::{Versioned, swedish_key};

use crate::error::Result;
use crate::record::Column;
use crate::repo::{self, Where};

/// An account as a responsible person: who, and whether they can still be chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub id: AccountId,
    pub name: String,
    pub email: String,
    pub active: bool,
}

impl Person {
    /// The name shown: the display name, or the address for an account without one.
    pub fn shown(&self) -> &str {
        if self.name.trim().is_empty() { &self.email } else { &self.name }
    }
}

/// Every account of `tenant` (deactivated ones too, whose names still show on what they
/// were responsible for), in Swedish alphabetical order of name, then address.
pub async fn people(conn: &mut AnyConnection, tenant: TenantId) -> Result<Vec<Person>> {
    let rows = sqlx::query("SELECT id, display_name, email, active FROM account WHERE tenant_id = $1")
        .bind(tenant.get())
        .fetch_all(&mut *conn)
        .await?;
    let mut people = rows.iter().map(person).collect::<Result<Vec<_>>>()?;
    people.sort_by_cached_key(|p| (swedish_key(p.shown()), p.email.clone()));
    Ok(people)
}

fn person(r: &sqlx::any::AnyRow) -> Result<Person> {
    Ok(Person {
        id: AccountId::new(r.try_get("id")?),
        name: r.try_get("display_name")?,
        email: r.try_get("email")?,
        active: r.try_get::<i64, _>("active")? != 0,
    })
}

/// The accounts of `tenant` that can be made responsible: the active ones.
pub async fn active(conn: &mut AnyConnection, tenant: TenantId) -> Result<HashSet<AccountId>> {
    Ok(people(conn, tenant).await?.into_iter().filter(|p| p.active).map(|p| p.id).collect())
}

/// The names of a tenant's people, for showing who is responsible.
#[derive(Debug, Clone, Default)]
pub struct Names(HashMap<AccountId, String>);

impl Names {
    pub fn of(people: &[Person]) -> Names {
        Names(people.iter().map(|p| (p.id, p.shown().to_owned())).collect())
    }

    /// Who is responsible, as the pages show it: the account's name where one is
    /// chosen, else the text (a role, or a person without an account).
    pub fn responsible(&self, account: Option<AccountId>, text: &str) -> String {
        account.and_then(|a| self.0.get(&a)).cloned().unwrap_or_else(|| text.trim().to_owned())
    }
}

pub async fn names(conn: &mut AnyConnection, tenant: TenantId) -> Result<Names> {
    Ok(Names::of(&people(conn, tenant).await?))
}

/// The names of `accounts` only (what a page shows responsible), not every account of
/// the tenant.
pub async fn names_of(
    conn: &mut AnyConnection,
    tenant: TenantId,
    accounts: impl IntoIterator<Item = AccountId>,
) -> Result<Names> {
    let mut ids: Vec<AccountId> = accounts.into_iter().collect();
    ids.sort();
    ids.dedup();
    if ids.is_empty() {
        return Ok(Names::default());
    }
    let sql = format!(
        "SELECT id, display_name, email, active FROM account WHERE tenant_id = $1 AND {}",
        repo::in_ids("id", ids)
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(tenant.get()).fetch_all(&mut *conn).await?;
    Ok(Names::of(&rows.iter().map(person).collect::<Result<Vec<_>>>()?))
}

/// What one person is responsible for, for "Mina uppgifter": their actions not done or
/// withdrawn in the plans not yet followed up (a followed-up plan's unfinished actions
/// went on into next year's), their self-inspections in the adopted plans with the runs
/// recorded, and those plans. Who may read which plan is the caller's question.
#[derive(Debug, Clone, Default)]
pub struct Tasks {
    pub plans: Vec<Versioned<QualityPlan>>,
    pub actions: Vec<Versioned<Action>>,
    pub self_inspections: Vec<Versioned<SelfInspection>>,
    pub runs: Vec<Versioned<SelfInspectionRun>>,
}

pub async fn tasks_of(conn: &mut AnyConnection, tenant: TenantId, account: AccountId) -> Result<Tasks> {
    let (t, a) = (tenant.to_value(), account.to_value());
    let actions: Vec<Versioned<Action>> = repo::list(
        conn,
        Where::sql(
            "responsible_account_id = $1 AND status NOT IN ('done', 'withdrawn') \
             AND plan_id IN (SELECT id FROM quality_plan WHERE tenant_id = $2 AND state <> 'followed_up')",
            vec![a.clone(), t.clone()],
        ),
    )
    .await?;
    let self_inspections: Vec<Versioned<SelfInspection>> = repo::list(
        conn,
        Where::sql(
            "responsible_account_id = $1 \
             AND plan_id IN (SELECT id FROM quality_plan WHERE tenant_id = $2 AND state = 'adopted')",
            vec![a.clone(), t.clone()],
        ),
    )
    .await?;
    let runs = repo::list(
        conn,
        Where::sql(
            "self_inspection_id IN (SELECT id FROM self_inspection WHERE responsible_account_id = $1 \
             AND plan_id IN (SELECT id FROM quality_plan WHERE tenant_id = $2 AND state = 'adopted'))",
            vec![a, t.clone()],
        ),
    )
    .await?;
    let wanted: HashSet<_> =
        actions.iter().map(|x| x.plan_id).chain(self_inspections.iter().map(|s| s.plan_id)).collect();
    let plans = if wanted.is_empty() {
        vec![]
    } else {
        let sql = format!("tenant_id = $1 AND {}", repo::in_ids("id", wanted.iter().copied()));
        repo::list(conn, Where::built(sql, vec![t])).await?
    };
    Ok(Tasks { plans, actions, self_inspections, runs })
}
