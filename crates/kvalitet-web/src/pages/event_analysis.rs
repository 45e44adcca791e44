//! The event analysis (händelseanalys) of a serious case, `/avvikelser/{id}/handelseanalys`,
//! for those who handle deviations on its unit: the course of events, the causes and the
//! conclusions, and the actions decided. Each action is a real action of a quality plan
//! covering the case's unit (one the user may edit), linked to the case and, where one of
//! that plan's risks is chosen, to the risk. Each post is one transaction; every view of
//! the page is logged as a read of the case.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use kvalitet_domain::access::{Permission, Tree};
use kvalitet_domain::action::{Action, ActionStatus};
use kvalitet_domain::deviation::{Deviation, EventAnalysis};
use kvalitet_domain::plan::QualityPlan;
use kvalitet_domain::risk::Risk;
use kvalitet_domain::{Code, Date, Id, Validate, Versioned};
use kvalitet_store::{Column, LinkKind, StoreError, Where, audit, links, org, plans, repo};

use crate::auth::{Nav, User};
use crate::error::{WebError, WebResult};
use crate::forms::FormState;
use crate::router::AppState;

pub struct ActionV {
    pub href: String,
    pub title: String,
    pub status: &'static str,
    pub responsible: String,
    pub due_on: String,
    pub plan: String,
}

pub struct PlanChoice {
    pub id: i64,
    pub label: String,
    pub risks: Vec<(i64, String)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "event_analysis.html")]
pub struct AnalysisPage {
    pub nav: Nav,
    pub href: String,
    pub deviation_href: String,
    pub title: String,
    pub reference: String,
    pub unit: String,
    pub version: i64,
    pub analysed: bool,
    pub actions: Vec<ActionV>,
    pub plans: Vec<PlanChoice>,
    pub form: FormState,
    pub conflict: bool,
    pub saved: bool,
}

/// The case, if the user may handle it.
async fn case(state: &AppState, user: &User, id: Id<Deviation>) -> WebResult<Versioned<Deviation>> {
    let mut conn = state.store.read().await?;
    let d = repo::get::<Deviation>(&mut conn, id).await?;
    if d.tenant_id != user.session.account.tenant_id {
        return Err(WebError::NotFound);
    }
    user.require(Permission::HandleDeviation, d.unit_id)?;
    Ok(d)
}

async fn analysis_of(conn: &mut sqlx::AnyConnection, d: Id<Deviation>) -> WebResult<Option<Versioned<EventAnalysis>>> {
    let found: Vec<Versioned<EventAnalysis>> =
        repo::list(conn, Where::sql("deviation_id = $1", vec![d.to_value()])).await?;
    Ok(found.into_iter().next())
}

/// The plans an action may be put in: those the user may edit whose scope covers the
/// case's unit, newest year first, each with its risks.
async fn plan_choices(state: &AppState, user: &User, d: &Deviation) -> WebResult<Vec<PlanChoice>> {
    let mut conn = state.store.read().await?;
    let mut found: Vec<Versioned<QualityPlan>> =
        repo::list(&mut conn, Where::sql("tenant_id = $1", vec![d.tenant_id.to_value()])).await?;
    found.retain(|p| user.tree.is_within(d.unit_id, p.scope_id) && user.may(Permission::EditPlan, p.scope_id));
    found.sort_by(|a, b| b.year.cmp(&a.year).then(b.id.cmp(&a.id)));
    let mut out = Vec::new();
    for p in found {
        let risks: Vec<Versioned<Risk>> =
            repo::list(&mut conn, Where::sql("plan_id = $1", vec![p.id.to_value()])).await?;
        out.push(PlanChoice {
            id: p.id.get(),
            label: format!("{} ({})", p.title, p.year),
            risks: risks.iter().map(|r| (r.id.get(), r.title.clone())).collect(),
        });
    }
    Ok(out)
}

async fn page(
    state: &AppState,
    user: &User,
    d: &Versioned<Deviation>,
    form: Option<FormState>,
    conflict: bool,
    saved: bool,
) -> WebResult<AnalysisPage> {
    let mut conn = state.store.read().await?;
    let analysis = analysis_of(&mut conn, d.id).await?;
    let units = org::units(&mut conn, d.tenant_id).await?;
    let mut actions = Vec::new();
    for a in links::linked_from(&mut conn, LinkKind::DeviationAction, d.id.get()).await? {
        let Some(a) = repo::find::<Action>(&mut conn, Id::new(a)).await? else { continue };
        let plan = repo::get::<QualityPlan>(&mut conn, a.plan_id).await?;
        actions.push(ActionV {
            href: format!("/atgarder/{}", a.id),
            title: a.title.clone(),
            status: a.status.code(),
            responsible: a.responsible.clone(),
            due_on: a.due_on.map(|x| x.to_string()).unwrap_or_default(),
            plan: format!("{} ({})", plan.title, plan.year),
        });
    }
    drop(conn);
    let mut tx = state.store.write(&user.actor()).await?;
    audit::record_read(&mut tx, "deviation", d.id.get()).await?;
    tx.commit().await?;
    let form = form.unwrap_or_else(|| {
        let mut f = FormState::default();
        if let Some(a) = &analysis {
            let v = &mut f.values;
            v.insert("course_of_events".into(), a.course_of_events.clone());
            v.insert("causes".into(), a.causes.clone());
            v.insert("conclusions".into(), a.conclusions.clone());
            v.insert("analysed_by".into(), a.analysed_by.clone());
            v.insert("analysed_on".into(), a.analysed_on.map(|x| x.to_string()).unwrap_or_default());
        }
        f
    });
    Ok(AnalysisPage {
        nav: user.nav(),
        href: format!("/avvikelser/{}/handelseanalys", d.id),
        deviation_href: format!("/avvikelser/{}", d.id),
        title: d.title.clone(),
        reference: d.reference(d.id),
        unit: units.iter().find(|u| u.id == d.unit_id).map(|u| u.name.clone()).unwrap_or_default(),
        version: analysis.as_ref().map_or(0, |a| a.version),
        analysed: analysis.is_some(),
        actions,
        plans: plan_choices(state, user, d).await?,
        form,
        conflict,
        saved,
    })
}

pub async fn show(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    axum::extract::Query(q): axum::extract::Query<HashMap<String, String>>,
) -> WebResult<AnalysisPage> {
    let d = case(&state, &user, super::parse_id(&id)?).await?;
    page(&state, &user, &d, None, false, q.contains_key("sparat")).await
}

fn optional_date(form: &mut FormState, field: &str, label: &str) -> Option<Date> {
    if form.value(field).trim().is_empty() { None } else { form.date(field, label) }
}

/// Saves the analysis (`vad=analys`) or adds an action (`vad=atgard`).
pub async fn submit(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    Form(values): Form<HashMap<String, String>>,
) -> WebResult<Response> {
    user.check_csrf(values.get("csrf").map_or("", String::as_str))?;
    let d = case(&state, &user, super::parse_id(&id)?).await?;
    let mut form = FormState::new(values);
    let outcome = match form.value("vad") {
        "analys" => save_analysis(&state, &user, &d, &mut form).await?,
        "atgard" => add_action(&state, &user, &d, &mut form).await?,
        _ => {
            form.push("course_of_events", "Välj om händelseanalysen ska sparas eller en åtgärd läggas till.");
            Outcome::Refused
        }
    };
    let anchor = if form.value("vad") == "atgard" { "#atgarder" } else { "" };
    match outcome {
        Outcome::Saved => {
            Ok(Redirect::to(&format!("/avvikelser/{}/handelseanalys?sparat=1{anchor}", d.id)).into_response())
        }
        Outcome::Refused => {
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page(&state, &user, &d, Some(form), false, false).await?)
                .into_response())
        }
        Outcome::Conflict => {
            Ok((StatusCode::CONFLICT, page(&state, &user, &d, Some(form), true, false).await?).into_response())
        }
    }
}

enum Outcome {
    Saved,
    Refused,
    Conflict,
}

fn analysis_label(field: &str) -> &'static str {
    match field {
        "course_of_events" => "Händelseförloppet",
        "causes" => "Orsakerna",
        "conclusions" => "Slutsatserna",
        "analysed_by" => "Vem som gjorde analysen",
        _ => "Uppgiften",
    }
}

async fn save_analysis(
    state: &AppState,
    user: &User,
    d: &Versioned<Deviation>,
    form: &mut FormState,
) -> WebResult<Outcome> {
    let analysed_on = optional_date(form, "analysed_on", "datum för analysen");
    let analysis = EventAnalysis {
        deviation_id: d.id,
        course_of_events: form.value("course_of_events").trim().to_owned(),
        causes: form.value("causes").trim().to_owned(),
        conclusions: form.value("conclusions").trim().to_owned(),
        analysed_by: form.value("analysed_by").trim().to_owned(),
        analysed_on,
    };
    if let Err(e) = analysis.validate() {
        form.add_validation(&e, analysis_label);
    }
    if analysis.course_of_events.is_empty() && form.error("course_of_events").is_empty() {
        form.push("course_of_events", "Händelseförloppet måste fyllas i.");
    }
    if form.has_errors() {
        return Ok(Outcome::Refused);
    }
    let version = form.value("version").parse::<i64>().unwrap_or(-1);
    let mut tx = state.store.write(&user.actor()).await?;
    let result = match analysis_of(&mut tx, d.id).await? {
        Some(current) => plans::save(&mut tx, current.id, version, &analysis).await.map(|_| ()),
        None if version == 0 => plans::create(&mut tx, &analysis).await.map(|_| ()),
        None => Err(StoreError::Conflict { table: "event_analysis", id: 0, expected: version, current: 0 }),
    };
    match result {
        Ok(()) => {
            tx.commit().await?;
            Ok(Outcome::Saved)
        }
        Err(StoreError::Conflict { .. }) => Ok(Outcome::Conflict),
        Err(e) => Err(e.into()),
    }
}

fn action_label(field: &str) -> &'static str {
    match field {
        "title" => "Åtgärdens rubrik",
        "description" => "Vad som ska göras",
        "responsible" => "Ansvarig",
        _ => "Uppgiften",
    }
}

async fn add_action(
    state: &AppState,
    user: &User,
    d: &Versioned<Deviation>,
    form: &mut FormState,
) -> WebResult<Outcome> {
    let choices = plan_choices(state, user, d).await?;
    let plan = match form.value("action_plan").parse::<i64>() {
        Ok(p) => choices.iter().find(|c| c.id == p),
        Err(_) => None,
    };
    if choices.is_empty() {
        form.push(
            "action_plan",
            "Det finns ingen kvalitetsplan för enheten som du får ändra i. Åtgärden kan inte läggas till.",
        );
    } else if plan.is_none() {
        form.push("action_plan", "Kvalitetsplan: välj den plan som åtgärden ska ingå i.");
    }
    let risk = match form.value("action_risk") {
        "" => None,
        r => match (r.parse::<i64>(), plan) {
            (Ok(r), Some(p)) if p.risks.iter().any(|(id, _)| *id == r) => Some(r),
            (_, Some(_)) => {
                form.push("action_risk", "Risk: välj en risk i den valda planen, eller ingen.");
                None
            }
            _ => None,
        },
    };
    let due_on = optional_date(form, "action_due_on", "när åtgärden ska vara klar");
    let action = Action {
        plan_id: Id::new(plan.map_or(0, |p| p.id)),
        title: form.value("action_title").trim().to_owned(),
        description: form.value("action_description").trim().to_owned(),
        responsible: form.value("action_responsible").trim().to_owned(),
        responsible_account_id: None,
        due_on,
        status: ActionStatus::Planned,
        withdrawn_reason: None,
        previous_action_id: None,
        sort_order: 1000,
    };
    if let Err(e) = action.validate() {
        for err in &e.errors {
            form.push(&format!("action_{}", err.field), format!("{} {}.", action_label(err.field), err.problem));
        }
    }
    if action.responsible.is_empty() && form.error("action_responsible").is_empty() {
        form.push("action_responsible", "Ansvarig måste fyllas i.");
    }
    if form.has_errors() {
        return Ok(Outcome::Refused);
    }
    let mut tx = state.store.write(&user.actor()).await?;
    let id = plans::create(&mut tx, &action).await?;
    links::link(&mut tx, LinkKind::DeviationAction, d.id.get(), id.get()).await?;
    if let Some(r) = risk {
        links::link(&mut tx, LinkKind::ActionRisk, id.get(), r).await?;
    }
    tx.commit().await?;
    Ok(Outcome::Saved)
}
