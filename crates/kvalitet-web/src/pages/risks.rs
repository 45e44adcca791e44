//! Risks: the risk's page with its assessment history and the actions' follow-ups in
//! between, re-assessment with likelihood and consequence on the tenant's matrix (a lost
//! race shown as a conflict), and the heat map of a plan's risks.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};

use kvalitet_domain::access::Permission;
use kvalitet_domain::action::{Action, ActionFollowUp};
use kvalitet_domain::bundle::PlanBundle;
use kvalitet_domain::plan::QualityPlan;
use kvalitet_domain::risk::{Risk, RiskAssessment, RiskLevel};
use kvalitet_domain::{Code, Id, Versioned};
use kvalitet_store::{Column, StoreError, Where, corrections, plans, repo};

use crate::auth::{Nav, User};
use crate::chart;
use crate::error::WebResult;
use crate::forms::FormState;
use crate::pages::corrections::{CorrectionRow, factors};
use crate::pages::deviations::today;
use crate::pages::follow_up::PlanLink;
use crate::router::AppState;
use crate::text::{Block, blocks};

/// One line of a risk's history: an assessment, or an action's follow-up.
pub struct Event {
    /// The assessment's id (0 for a follow-up).
    pub id: i64,
    pub date: String,
    pub assessment: bool,
    pub level: String,
    pub factors: String,
    pub zone: String,
    pub title: String,
    pub status: &'static str,
    pub text: Vec<Block>,
}

#[derive(Template, WebTemplate)]
#[template(path = "risk.html")]
pub struct RiskPage {
    pub nav: Nav,
    pub plan: PlanLink,
    pub href: String,
    pub title: String,
    pub area: String,
    pub level: u8,
    pub factors: String,
    pub zone: String,
    pub zone_label: String,
    pub needs_reassessment: bool,
    pub consequence: Vec<Block>,
    pub history: Vec<Event>,
    /// Assessments corrected or removed, newest first.
    pub corrections: Vec<CorrectionRow>,
    pub version: i64,
    pub may_edit: bool,
    pub likelihoods: Vec<u8>,
    pub consequences: Vec<u8>,
    pub conflict: String,
    pub form: FormState,
    pub plan_id: i64,
    pub risk_id: i64,
    /// The self-inspections and indicators linked to the risk, and those that could be.
    pub linked: Vec<super::risk_links::Linked>,
    pub linkable: Vec<super::accounts::Choice>,
    /// Its actions and deviations.
    pub links: Vec<super::risk_links::LinkGroup>,
    pub edit_href: String,
}

async fn plan_of(state: &AppState, user: &User, plan: Id<QualityPlan>) -> WebResult<PlanBundle> {
    let mut conn = state.store.read().await?;
    let bundle = plans::load_bundle(&mut conn, plan).await?;
    user.require_read_plan(&bundle.plan)?;
    Ok(bundle)
}

async fn risk_page(
    state: &AppState,
    user: &User,
    id: Id<Risk>,
    form: FormState,
    conflict: String,
) -> WebResult<RiskPage> {
    let mut conn = state.store.read().await?;
    let risk = repo::get::<Risk>(&mut conn, id).await?;
    let assessments: Vec<Versioned<RiskAssessment>> =
        repo::list(&mut conn, Where::sql("risk_id = $1", vec![risk.id.to_value()])).await?;
    let follow_ups: Vec<Versioned<ActionFollowUp>> = repo::list(
        &mut conn,
        Where::sql("action_id IN (SELECT action_id FROM action_risk WHERE risk_id = $1)", vec![risk.id.to_value()]),
    )
    .await?;
    let actions: Vec<Versioned<Action>> = repo::list(
        &mut conn,
        Where::sql("id IN (SELECT action_id FROM action_risk WHERE risk_id = $1)", vec![risk.id.to_value()]),
    )
    .await?;
    let corrections = corrections::history(&mut conn, "risk", risk.id.get()).await?;
    let links = super::risk_links::groups_of_risk(&mut conn, user, risk.id.get()).await?;
    drop(conn);
    let bundle = plan_of(state, user, risk.plan_id).await?;
    let matrix = &bundle.matrix;
    let mut history: Vec<(kvalitet_domain::Date, i64, Event)> = assessments
        .iter()
        .map(|a| {
            let zone = matrix.zone(RiskLevel::from_stored(a.level));
            (
                a.assessed_on,
                a.id.get(),
                Event {
                    id: a.id.get(),
                    date: a.assessed_on.to_string(),
                    assessment: true,
                    level: a.level.to_string(),
                    factors: factors(a.likelihood, a.consequence),
                    zone: zone.code.clone(),
                    title: zone.label.clone(),
                    status: "",
                    text: blocks(&a.comment),
                },
            )
        })
        .collect();
    history.extend(follow_ups.iter().map(|f| {
        let title = actions.iter().find(|a| a.id == f.action_id).map(|a| a.title.clone()).unwrap_or_default();
        (
            f.entry_on,
            i64::MAX,
            Event {
                id: 0,
                date: kvalitet_domain::shown_date(f.entry_on, f.undated),
                assessment: false,
                level: String::new(),
                factors: String::new(),
                zone: String::new(),
                title,
                status: f.new_status.code(),
                text: blocks(&f.text),
            },
        )
    }));
    history.sort_by_key(|(d, id, _)| (*d, *id));
    let zone = matrix.zone(risk.level());
    let (linked, linkable) = super::risk_links::of(&bundle, &risk);
    Ok(RiskPage {
        plan_id: bundle.plan.id.get(),
        risk_id: risk.id.get(),
        linked,
        linkable,
        links,
        nav: user.nav(),
        plan: PlanLink { href: format!("/planer/{}", bundle.plan.id), title: bundle.plan.title.clone() },
        href: format!("/risker/{}", risk.id),
        title: risk.title.clone(),
        area: bundle.area(risk.process_area_id).map(|a| a.name.clone()).unwrap_or_default(),
        level: risk.level().get(),
        factors: factors(risk.likelihood, risk.consequence),
        zone: zone.code.clone(),
        zone_label: zone.label.clone(),
        needs_reassessment: risk.needs_reassessment,
        consequence: blocks(&risk.consequence_text),
        history: history.into_iter().map(|(_, _, e)| e).collect(),
        corrections: super::corrections::history(&corrections, None),
        version: risk.version,
        may_edit: user.may(Permission::EditPlan, bundle.plan.scope_id),
        edit_href: if user.may(Permission::EditPlan, bundle.plan.scope_id) {
            format!("/risker/{}/andra", risk.id)
        } else {
            String::new()
        },
        likelihoods: (1..=matrix.likelihood_steps).collect(),
        consequences: (1..=matrix.consequence_steps).collect(),
        conflict,
        form,
    })
}

pub async fn show(State(state): State<AppState>, user: User, Path(id): Path<String>) -> WebResult<RiskPage> {
    let mut form = FormState::default();
    form.values.insert("assessed_on".into(), today().to_string());
    risk_page(&state, &user, super::parse_id(&id)?, form, String::new()).await
}

/// A risk's assessment from its form (re-assessing, or correcting an assessment): the
/// date not in the future and not before the year before the plan's (a plan's risks are
/// assessed as it is drawn up), and likelihood and consequence on the tenant's matrix.
pub(crate) fn parse_assessment(
    form: &mut FormState,
    risk: Id<Risk>,
    m: &kvalitet_domain::risk::RiskMatrix,
    plan: &QualityPlan,
) -> Option<RiskAssessment> {
    let assessed_on = form.date("assessed_on", "datum för bedömningen");
    if assessed_on.is_some_and(|d| d > today()) {
        form.push("assessed_on", "Datumet kan inte vara i framtiden.");
    } else if let Some(d) = assessed_on.filter(|d| i64::from(d.year()) < plan.year - 1) {
        form.push(
            "assessed_on",
            format!(
                "Planen gäller {}; en bedömning {} hör till en tidigare års plan (tidigast {}).",
                plan.year,
                d.year(),
                plan.year - 1
            ),
        );
    }
    let likelihood = form.count("likelihood");
    let consequence = form.count("consequence");
    if likelihood.is_none() && form.error("likelihood").is_empty() {
        form.push("likelihood", "Välj hur sannolikt det är att risken inträffar.");
    }
    if consequence.is_none() && form.error("consequence").is_empty() {
        form.push("consequence", "Välj hur allvarlig konsekvensen blir.");
    }
    if likelihood.is_some_and(|l| l < 1 || l > i64::from(m.likelihood_steps)) {
        form.push("likelihood", format!("Sannolikheten ska vara mellan 1 och {}.", m.likelihood_steps));
    }
    if consequence.is_some_and(|c| c < 1 || c > i64::from(m.consequence_steps)) {
        form.push("consequence", format!("Konsekvensen ska vara mellan 1 och {}.", m.consequence_steps));
    }
    let (Some(l), Some(c), Some(on)) = (likelihood, consequence, assessed_on) else { return None };
    Some(RiskAssessment {
        risk_id: risk,
        assessed_on: on,
        likelihood: Some(l),
        consequence: Some(c),
        level: l * c,
        comment: form.value("comment").trim().to_owned(),
    })
}

pub async fn reassess(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    Form(values): Form<HashMap<String, String>>,
) -> WebResult<Response> {
    let risk = super::posted_on::<Risk>(&state, &user, &id, &values).await?;
    let id = risk.id;
    let bundle = plan_of(&state, &user, risk.plan_id).await?;
    user.require(Permission::EditPlan, bundle.plan.scope_id)?;
    let mut form = FormState::new(values);
    let version = form.value("version").parse::<i64>().unwrap_or(0);
    let assessment = parse_assessment(&mut form, id, &bundle.matrix, &bundle.plan);
    let (Some(assessment), false) = (assessment, form.has_errors()) else {
        let page = risk_page(&state, &user, id, form, String::new()).await?;
        return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let (l, c) = (assessment.likelihood.unwrap_or(0), assessment.consequence.unwrap_or(0));
    let mut tx = state.store.write(&user.actor()).await?;
    match plans::reassess_risk(&mut tx, id, version, &assessment).await {
        Ok(_) => {
            tx.commit().await?;
            Ok(Redirect::to(&format!("/risker/{id}?sparat=bedomning#historik")).into_response())
        }
        Err(StoreError::Conflict { .. }) => {
            drop(tx);
            let mut conn = state.store.read().await?;
            let now = repo::get::<Risk>(&mut conn, id).await?;
            drop(conn);
            let theirs = match (now.likelihood, now.consequence) {
                (Some(l), Some(c)) => format!("risknivå {} (sannolikhet {l} × konsekvens {c})", now.level),
                _ => format!("risknivå {}", now.level),
            };
            let conflict = format!(
                "Någon annan har bedömt risken medan du arbetade: den har nu {theirs}. Din bedömning (sannolikhet {l} × konsekvens {c} = {}) är inte sparad. Kontrollera och skicka igen om den ska gälla.",
                l * c
            );
            let page = risk_page(&state, &user, id, form, conflict).await?;
            Ok((axum::http::StatusCode::CONFLICT, page).into_response())
        }
        Err(StoreError::Invalid(v)) => {
            drop(tx);
            form.add_validation(&v, |f| match f {
                "likelihood" => "Sannolikheten",
                "consequence" => "Konsekvensen",
                _ => "Bedömningen",
            });
            let page = risk_page(&state, &user, id, form, String::new()).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub struct LevelRow {
    pub level: u8,
    pub zone: String,
    pub zone_label: String,
    pub risks: Vec<(String, String)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "heat_map.html")]
pub struct HeatMapPage {
    pub nav: Nav,
    pub plan: PlanLink,
    pub map: String,
    pub with_factors: usize,
    pub levels: Vec<LevelRow>,
}

pub async fn heat_map(State(state): State<AppState>, user: User, Path(id): Path<String>) -> WebResult<HeatMapPage> {
    // Only the plan, its cells counted by the database and what the list by level shows.
    let mut conn = state.store.read().await?;
    let plan = repo::get::<QualityPlan>(&mut conn, super::parse_id(&id)?).await?;
    user.require_read_plan(&plan)?;
    let counted = plans::risk_cells(&mut conn, plan.id).await?;
    let risks = plans::risks_by_level(&mut conn, plan.id).await?;
    let matrix = plans::matrix(&mut conn, plan.tenant_id).await?;
    drop(conn);
    let m = &matrix;
    let mut cells = Vec::new();
    for l in 1..=m.likelihood_steps {
        for c in 1..=m.consequence_steps {
            let (l64, c64) = (i64::from(l), i64::from(c));
            let count = counted.iter().find(|(x, y, _)| (*x, *y) == (l64, c64)).map_or(0, |(_, _, n)| *n as usize);
            let zone = m.zone(RiskLevel::from_stored(l64 * c64)).code.clone();
            cells.push(chart::Cell { likelihood: l, consequence: c, count, zone });
        }
    }
    let with_factors = cells.iter().map(|c| c.count).sum();
    let mut levels: Vec<LevelRow> = Vec::new();
    for r in risks {
        let stored = RiskLevel::from_stored(r.level);
        let level = stored.get();
        if levels.last().is_none_or(|l| l.level != level) {
            let zone = m.zone(stored);
            levels.push(LevelRow { level, zone: zone.code.clone(), zone_label: zone.label.clone(), risks: vec![] });
        }
        levels.last_mut().expect("pushed").risks.push((format!("/risker/{}", r.id), r.title));
    }
    Ok(HeatMapPage {
        nav: user.nav(),
        plan: PlanLink { href: format!("/planer/{}", plan.id), title: plan.title.clone() },
        map: chart::heat_map(&format!("Riskkarta, {}", plan.title), m.likelihood_steps, m.consequence_steps, &cells),
        with_factors,
        levels,
    })
}
