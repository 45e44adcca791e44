//! Applying what a workbook does to a draft plan (`PlanChanges`, worked out by
//! `kvalitet_import::plan_workbook::changes`) in the caller's transaction: new items
//! inserted (a risk with its first assessment), changed items updated if still at the
//! version that was read (a risk whose level changes is re-assessed, keeping the history),
//! and links added and removed. Any refusal rolls the whole transaction back.

use kvalitet_domain::plan::{PlanState, QualityPlan};
use kvalitet_domain::plan_changes::{Change, ChangeKind, PlanChanges, PlanLink};
use kvalitet_domain::risk::{Risk, RiskAssessment};
use kvalitet_domain::validate::Problem;
use kvalitet_domain::{Date, Validate, ValidationErrors};

use crate::links::{self, LinkKind};
use crate::record::Record;
use crate::{Result, StoreError, Tx, plans, repo};

/// What was stored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Applied {
    pub created: usize,
    pub changed: usize,
    pub links: usize,
}

fn link_kind(link: PlanLink) -> LinkKind {
    match link {
        PlanLink::SelfInspectionRisk => LinkKind::SelfInspectionRisk,
        PlanLink::ActionRisk => LinkKind::ActionRisk,
        PlanLink::ActionSelfInspection => LinkKind::ActionSelfInspection,
        PlanLink::IndicatorRisk => LinkKind::IndicatorRisk,
    }
}

/// Inserts or updates the items of one kind in order; their ids, by position.
async fn store<T: Record + Validate>(tx: &mut Tx, changes: &[Change<T>], applied: &mut Applied) -> Result<Vec<i64>> {
    let mut ids = Vec::with_capacity(changes.len());
    for ch in changes {
        let id = match &ch.kind {
            ChangeKind::Create => {
                applied.created += 1;
                plans::create(tx, &ch.item).await?
            }
            ChangeKind::Update { id, version, .. } => {
                applied.changed += 1;
                plans::save(tx, *id, *version, &ch.item).await?;
                *id
            }
            ChangeKind::Unchanged { id } => *id,
        };
        ids.push(id.get());
    }
    Ok(ids)
}

/// Risks: a new one with its first assessment, a changed level as a re-assessment.
async fn store_risks(tx: &mut Tx, changes: &[Change<Risk>], today: Date, applied: &mut Applied) -> Result<Vec<i64>> {
    let mut ids = Vec::with_capacity(changes.len());
    for ch in changes {
        let id = match &ch.kind {
            ChangeKind::Create => {
                applied.created += 1;
                plans::add_risk(tx, &ch.item, today).await?
            }
            ChangeKind::Update { id, version, .. } => {
                applied.changed += 1;
                let current = repo::get::<Risk>(tx, *id).await?;
                let tenant = plans::plan_tenant(tx, current.plan_id).await?;
                let matrix = plans::matrix(tx, tenant).await?;
                ch.item.validate_with(&matrix)?;
                let assessed = |r: &Risk| (r.likelihood, r.consequence, r.level);
                // The fields besides the level first, the level as an assessment after
                // (which also marks the risk as re-assessed).
                let kept = Risk {
                    likelihood: current.likelihood,
                    consequence: current.consequence,
                    level: current.level,
                    ..ch.item.clone()
                };
                let version = repo::update(tx, *id, *version, &kept).await?;
                if assessed(&ch.item) != assessed(&current) {
                    let assessment = RiskAssessment {
                        risk_id: *id,
                        assessed_on: today,
                        likelihood: ch.item.likelihood,
                        consequence: ch.item.consequence,
                        level: ch.item.level,
                        comment: "Ändrad genom planens arbetsbok.".into(),
                    };
                    plans::reassess_risk(tx, *id, version, &assessment).await?;
                }
                *id
            }
            ChangeKind::Unchanged { id } => *id,
        };
        ids.push(id.get());
    }
    Ok(ids)
}

/// Applies `changes` to their plan, which must still be a draft.
pub async fn apply(tx: &mut Tx, changes: &PlanChanges, today: Date) -> Result<Applied> {
    let plan = repo::get::<QualityPlan>(tx, changes.plan_id).await?;
    if plan.state != PlanState::Draft {
        let mut e = ValidationErrors::default();
        e.push("state", Problem::Invalid("planen är inte längre ett utkast; en antagen plan ändras i Kvalitet".into()));
        return Err(StoreError::Invalid(e));
    }
    let mut applied = Applied::default();
    let risks = store_risks(tx, &changes.risks, today, &mut applied).await?;
    let sis = store(tx, &changes.self_inspections, &mut applied).await?;
    let actions = store(tx, &changes.actions, &mut applied).await?;
    let indicators = store(tx, &changes.indicators, &mut applied).await?;
    for l in &changes.links {
        let (from, to) = match l.link {
            PlanLink::SelfInspectionRisk => (&sis, &risks),
            PlanLink::ActionRisk => (&actions, &risks),
            PlanLink::ActionSelfInspection => (&actions, &sis),
            PlanLink::IndicatorRisk => (&indicators, &risks),
        };
        let kind = link_kind(l.link);
        for &t in &l.add {
            links::link(tx, kind, from[l.from], to[t]).await?;
        }
        for &t in &l.remove {
            links::unlink(tx, kind, from[l.from], t).await?;
        }
        applied.links += 1;
    }
    Ok(applied)
}
