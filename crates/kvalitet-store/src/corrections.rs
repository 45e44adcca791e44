//! Corrections of what people recorded: a self-inspection run, an action's follow-up, an
//! indicator's result or a risk's assessment changed or removed after the fact. One
//! function (`correct`) does it for every kind: the caller's version must be current, the
//! reason is required, the replacement is checked as recording checks it, and a
//! `Correction` (reason, who, when, the record as it was) is stored beside the item the
//! record belongs to, whose page shows it. What each kind adds is in its `Correctable`:
//! which item it belongs to, what else it must be checked against, and what of that item
//! follows from it (a risk's level from its latest assessment, an action's status from
//! its latest follow-up).

use std::future::Future;

use sqlx::AnyConnection;

use kvalitet_domain::action::{Action, ActionFollowUp, ActionStatus};
use kvalitet_domain::correction::{Correction, CorrectionKind};
use kvalitet_domain::indicator::{Indicator, IndicatorResult};
use kvalitet_domain::org::{Tenant, TenantId};
use kvalitet_domain::plan::{PlanId, QualityPlan};
use kvalitet_domain::risk::{Risk, RiskAssessment};
use kvalitet_domain::self_inspection::{SelfInspection, SelfInspectionRun};
use kvalitet_domain::{Date, Id, Problem, Validate, ValidationErrors, Versioned};

use crate::Tx;
use crate::error::{Result, StoreError};
use crate::record::{Column, Record};
use crate::repo::{self, Where};

/// The item a recorded thing belongs to, whose history shows its corrections.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    pub table: &'static str,
    pub id: i64,
    pub plan_id: PlanId,
}

/// A recorded thing that may be corrected.
pub trait Correctable: Record + Clone {
    /// The item the record belongs to.
    fn subject(conn: &mut AnyConnection, record: &Self) -> impl Future<Output = Result<Subject>> + Send;

    /// Checks a replacement (`Some`) or a removal (`None`) of the record `id` against
    /// the rest of what its item holds, before anything is written.
    fn check(conn: &mut AnyConnection, id: Id<Self>, next: Option<&Self>) -> impl Future<Output = Result<()>> + Send;

    /// Brings the item up to date after the record was changed or removed.
    fn settle(conn: &mut Tx, subject: &Subject) -> impl Future<Output = Result<()>> + Send {
        let _ = (conn, subject);
        async { Ok(()) }
    }
}

/// Corrects record `id`: replaces it with `next` (or removes it with `None`) if still at
/// `version`, and stores the correction with its reason, `by` and `on` beside the item
/// the record belongs to. Refused without a reason, with a replacement that does not
/// hold, or when the record may not be removed; then nothing is written.
pub async fn correct<T: Correctable>(
    conn: &mut Tx,
    id: Id<T>,
    version: i64,
    next: Option<&T>,
    reason: &str,
    by: &str,
    on: Date,
) -> Result<()> {
    let current = repo::get::<T>(conn, id).await?;
    let subject = T::subject(conn, &current.item).await?;
    if let Some(next) = next
        && T::subject(conn, next).await? != subject
    {
        let mut v = ValidationErrors::default();
        v.push("record", Problem::NotAllowed("en rättelse kan inte flytta posten till en annan"));
        return Err(StoreError::Invalid(v));
    }
    let tenant = plan_tenant(conn, subject.plan_id).await?;
    let correction = Correction {
        tenant_id: tenant,
        subject_table: subject.table.into(),
        subject_id: subject.id,
        record_table: T::TABLE.into(),
        record_id: id.get(),
        corrected_on: on,
        corrected_by: by.to_owned(),
        kind: if next.is_some() { CorrectionKind::Changed } else { CorrectionKind::Removed },
        reason: reason.trim().to_owned(),
        before_text: serde_json::to_string(&current.item).expect("records serialise"),
    };
    correction.validate()?;
    T::check(conn, id, next).await?;
    match next {
        Some(record) => {
            repo::update(conn, id, version, record).await?;
        }
        None => repo::delete::<T>(conn, id, version).await?,
    }
    T::settle(conn, &subject).await?;
    repo::insert(conn, &correction).await?;
    Ok(())
}

/// The corrections shown in an item's history, newest first.
pub async fn history(conn: &mut AnyConnection, table: &'static str, id: i64) -> Result<Vec<Versioned<Correction>>> {
    let mut list: Vec<Versioned<Correction>> = repo::list(
        conn,
        Where::sql("subject_table = $1 AND subject_id = $2", vec![table.to_owned().to_value(), id.to_value()]),
    )
    .await?;
    list.sort_by(|a, b| b.corrected_on.cmp(&a.corrected_on).then(b.id.cmp(&a.id)));
    Ok(list)
}

async fn plan_tenant(conn: &mut AnyConnection, plan: PlanId) -> Result<TenantId> {
    Ok(repo::get::<QualityPlan>(conn, plan).await?.tenant_id)
}

fn refused(field: &'static str, why: String) -> StoreError {
    let mut v = ValidationErrors::default();
    v.push(field, Problem::Invalid(why));
    StoreError::Invalid(v)
}

impl Correctable for SelfInspectionRun {
    async fn subject(conn: &mut AnyConnection, run: &Self) -> Result<Subject> {
        let si = repo::get::<SelfInspection>(conn, run.self_inspection_id).await?;
        Ok(Subject { table: "self_inspection", id: si.id.get(), plan_id: si.plan_id })
    }

    async fn check(_: &mut AnyConnection, _: Id<Self>, next: Option<&Self>) -> Result<()> {
        if let Some(run) = next {
            run.validate()?;
        }
        Ok(())
    }
}

impl Correctable for IndicatorResult {
    async fn subject(conn: &mut AnyConnection, result: &Self) -> Result<Subject> {
        let ind = repo::get::<Indicator>(conn, result.indicator_id).await?;
        Ok(Subject { table: "indicator", id: ind.id.get(), plan_id: ind.plan_id })
    }

    /// The result as recording checks it, and still the only one for its year.
    async fn check(conn: &mut AnyConnection, id: Id<Self>, next: Option<&Self>) -> Result<()> {
        let Some(result) = next else { return Ok(()) };
        let ind = repo::get::<Indicator>(conn, result.indicator_id).await?;
        result.validate_for(ind.unit)?;
        if let Some(other) = other_result_of_year(conn, result.indicator_id, result.year, Some(id)).await? {
            return Err(refused(
                "year",
                format!("har redan ett resultat ({}); rätta det i stället för att göra två", other.year),
            ));
        }
        Ok(())
    }
}

/// The indicator's result for `year`, other than `except`.
pub async fn other_result_of_year(
    conn: &mut AnyConnection,
    indicator: Id<Indicator>,
    year: i64,
    except: Option<Id<IndicatorResult>>,
) -> Result<Option<Versioned<IndicatorResult>>> {
    let results: Vec<Versioned<IndicatorResult>> =
        repo::list(conn, Where::sql("indicator_id = $1 AND year = $2", vec![indicator.to_value(), year.to_value()]))
            .await?;
    Ok(results.into_iter().find(|r| Some(r.id) != except))
}

impl Correctable for ActionFollowUp {
    async fn subject(conn: &mut AnyConnection, follow_up: &Self) -> Result<Subject> {
        let action = repo::get::<Action>(conn, follow_up.action_id).await?;
        Ok(Subject { table: "action", id: action.id.get(), plan_id: action.plan_id })
    }

    /// The follow-up as recording checks it; a status once left behind is not planned
    /// again (the status of the follow-up before it decides).
    async fn check(conn: &mut AnyConnection, id: Id<Self>, next: Option<&Self>) -> Result<()> {
        let Some(follow_up) = next else { return Ok(()) };
        follow_up.validate()?;
        let others = follow_ups(conn, follow_up.action_id, Some(id)).await?;
        let before = others.iter().rev().find(|f| (f.entry_on, f.id.get()) < (follow_up.entry_on, id.get()));
        if let Some(before) = before
            && !before.new_status.may_become(follow_up.new_status)
        {
            let mut v = ValidationErrors::default();
            v.push("new_status", Problem::NotAllowed("en påbörjad åtgärd kan inte bli planerad igen"));
            return Err(StoreError::Invalid(v));
        }
        Ok(())
    }

    /// The action's status is its latest follow-up's; with no follow-up left, it keeps
    /// the status it has (which its edit form changes).
    async fn settle(conn: &mut Tx, subject: &Subject) -> Result<()> {
        let action = repo::get::<Action>(conn, Id::new(subject.id)).await?;
        let list = follow_ups(conn, action.id, None).await?;
        let Some(latest) = list.last() else { return Ok(()) };
        if latest.new_status == action.status {
            return Ok(());
        }
        let mut next = action.item.clone();
        next.status = latest.new_status;
        if next.status == ActionStatus::Withdrawn && next.withdrawn_reason.as_deref().is_none_or(str::is_empty) {
            next.withdrawn_reason = Some(latest.text.clone());
        }
        next.validate()?;
        repo::update(conn, action.id, action.version, &next).await?;
        Ok(())
    }
}

/// An action's follow-ups, oldest first, other than `except`.
async fn follow_ups(
    conn: &mut AnyConnection,
    action: Id<Action>,
    except: Option<Id<ActionFollowUp>>,
) -> Result<Vec<Versioned<ActionFollowUp>>> {
    let mut list: Vec<Versioned<ActionFollowUp>> =
        repo::list(conn, Where::sql("action_id = $1", vec![action.to_value()])).await?;
    list.retain(|f| Some(f.id) != except);
    list.sort_by_key(|f| (f.entry_on, f.id));
    Ok(list)
}

impl Correctable for RiskAssessment {
    async fn subject(conn: &mut AnyConnection, assessment: &Self) -> Result<Subject> {
        let risk = repo::get::<Risk>(conn, assessment.risk_id).await?;
        Ok(Subject { table: "risk", id: risk.id.get(), plan_id: risk.plan_id })
    }

    /// The assessment against the tenant's matrix; a risk's only assessment is not
    /// removed, since a risk always has a level and it comes from its assessments.
    async fn check(conn: &mut AnyConnection, id: Id<Self>, next: Option<&Self>) -> Result<()> {
        let current = repo::get::<RiskAssessment>(conn, id).await?;
        match next {
            Some(assessment) => {
                let risk = repo::get::<Risk>(conn, assessment.risk_id).await?;
                let tenant = plan_tenant(conn, risk.plan_id).await?;
                let matrix = repo::get::<Tenant>(conn, tenant).await?.item.risk_matrix;
                assessment.validate_with(&matrix)?;
            }
            None => {
                if assessments(conn, current.risk_id).await?.len() <= 1 {
                    let mut v = ValidationErrors::default();
                    v.push(
                        "assessment",
                        Problem::NotAllowed(
                            "är riskens enda bedömning och kan inte tas bort: en risk har alltid en risknivå; rätta bedömningen i stället",
                        ),
                    );
                    return Err(StoreError::Invalid(v));
                }
            }
        }
        Ok(())
    }

    /// The risk's likelihood, consequence and level are its latest assessment's.
    async fn settle(conn: &mut Tx, subject: &Subject) -> Result<()> {
        let risk = repo::get::<Risk>(conn, Id::new(subject.id)).await?;
        let list = assessments(conn, risk.id).await?;
        let Some(latest) = list.last() else { return Ok(()) };
        if (latest.likelihood, latest.consequence, latest.level) == (risk.likelihood, risk.consequence, risk.level) {
            return Ok(());
        }
        let next = Risk {
            likelihood: latest.likelihood,
            consequence: latest.consequence,
            level: latest.level,
            ..risk.item.clone()
        };
        repo::update(conn, risk.id, risk.version, &next).await?;
        Ok(())
    }
}

/// A risk's assessments, oldest first.
pub async fn assessments(conn: &mut AnyConnection, risk: Id<Risk>) -> Result<Vec<Versioned<RiskAssessment>>> {
    let mut list: Vec<Versioned<RiskAssessment>> =
        repo::list(conn, Where::sql("risk_id = $1", vec![risk.to_value()])).await?;
    list.sort_by_key(|a| (a.assessed_on, a.id));
    Ok(list)
}
