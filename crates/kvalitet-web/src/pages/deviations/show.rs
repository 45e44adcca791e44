//! A deviation's page and its handling by the unit's manager.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};

use kvalitet_domain::access::{Permission, Tree};
use kvalitet_domain::action::Action;
use kvalitet_domain::deviation::{Deviation, DeviationKind, DeviationStatus, LexSarahCategory};
use kvalitet_domain::org::OrgUnit;
use kvalitet_domain::plan::QualityPlan;
use kvalitet_domain::risk::Risk;
use kvalitet_domain::{Code, Date, Id, Validate, Versioned};
use kvalitet_store::{Column, Where, audit, org, repo};

use crate::auth::{Nav, User};
use crate::error::{WebError, WebResult};
use crate::forms::FormState;
use crate::router::AppState;
use crate::text::{Block, blocks};

use super::unit_name;

#[derive(Template, WebTemplate)]
#[template(path = "deviation.html")]
pub struct ShowPage {
    pub nav: Nav,
    pub href: String,
    pub version: i64,
    pub is_lex_sarah: bool,
    pub may_handle: bool,
    pub statuses: Vec<&'static str>,
    pub categories: Vec<&'static str>,
    pub risks: Vec<(i64, String)>,
    /// Actions of the same plans, to tie it to.
    pub actions: Vec<(i64, String)>,
    /// The risk and action it is tied to, as links.
    pub links: Vec<crate::pages::risk_links::LinkGroup>,
    pub conflict: bool,
    pub form: FormState,
    pub title: String,
    pub unit: String,
    pub kind: &'static str,
    pub status: &'static str,
    pub occurred_on: String,
    pub reported_on: String,
    pub reported_by: String,
    pub category: &'static str,
    pub ivo: String,
    pub closed_on: String,
    pub description: Vec<Block>,
    pub investigation: Vec<Block>,
    pub measures: Vec<Block>,
}

/// Risks and actions of the plans of the deviation's year that cover its unit, to tie it
/// to, and those it is tied to already (which stay choosable).
async fn risks_for(
    state: &AppState,
    user: &User,
    d: &Deviation,
) -> WebResult<(Vec<(i64, String)>, Vec<(i64, String)>)> {
    let mut conn = state.store.read().await?;
    let plans: Vec<Versioned<QualityPlan>> =
        repo::list(&mut conn, Where::sql("tenant_id = $1", vec![user.session.account.tenant_id.to_value()])).await?;
    let mut out = Vec::new();
    let mut actions_out = Vec::new();
    let year = i64::from(d.occurred_on.year());
    for p in plans.iter().filter(|p| p.year == year && user.tree.is_within(d.unit_id, p.scope_id)) {
        let risks: Vec<Versioned<Risk>> =
            repo::list(&mut conn, Where::sql("plan_id = $1", vec![p.id.to_value()])).await?;
        out.extend(risks.iter().map(|r| (r.id.get(), format!("{} ({})", r.title, p.year))));
        let actions: Vec<Versioned<Action>> =
            repo::list(&mut conn, Where::sql("plan_id = $1", vec![p.id.to_value()])).await?;
        actions_out.extend(actions.iter().map(|a| (a.id.get(), format!("{} ({})", a.title, p.year))));
    }
    let year_of = |plan| plans.iter().find(|p| p.id == plan).map_or(0, |p| p.year);
    if let Some(r) = d.risk_id.filter(|r| !out.iter().any(|(id, _)| *id == r.get()))
        && let Some(r) = repo::find::<Risk>(&mut conn, r).await?
    {
        out.push((r.id.get(), format!("{} ({})", r.title, year_of(r.plan_id))));
    }
    if let Some(a) = d.action_id.filter(|a| !actions_out.iter().any(|(id, _)| *id == a.get()))
        && let Some(a) = repo::find::<Action>(&mut conn, a).await?
    {
        actions_out.push((a.id.get(), format!("{} ({})", a.title, year_of(a.plan_id))));
    }
    Ok((out, actions_out))
}

async fn show_page(
    state: &AppState,
    user: &User,
    id: Id<Deviation>,
    form: Option<FormState>,
    conflict: bool,
) -> WebResult<ShowPage> {
    let mut conn = state.store.read().await?;
    let d = repo::get::<Deviation>(&mut conn, id).await?;
    if d.tenant_id != user.session.account.tenant_id {
        return Err(WebError::NotFound);
    }
    user.require(Permission::ViewDeviations, d.unit_id)?;
    let units = org::units(&mut conn, d.tenant_id).await?;
    let links = crate::pages::risk_links::groups_of_deviation(&mut conn, &d).await?;
    drop(conn);
    let mut tx = state.store.write(&user.actor()).await?;
    audit::record_read(&mut tx, "deviation", d.id.get()).await?;
    tx.commit().await?;
    let (risks, actions) = risks_for(state, user, &d).await?;
    let form = form.unwrap_or_else(|| {
        let mut f = FormState::default();
        let v = &mut f.values;
        v.insert("status".into(), d.status.code().into());
        v.insert("investigation".into(), d.investigation.clone());
        v.insert("lex_sarah_category".into(), d.lex_sarah_category.map_or("", |c| c.code()).into());
        v.insert("reported_to_ivo_on".into(), d.reported_to_ivo_on.map(|x| x.to_string()).unwrap_or_default());
        v.insert("measures_taken".into(), d.measures_taken.clone());
        v.insert("closed_on".into(), d.closed_on.map(|x| x.to_string()).unwrap_or_default());
        v.insert("risk_id".into(), d.risk_id.map(|r| r.get().to_string()).unwrap_or_default());
        v.insert("action_id".into(), d.action_id.map(|a| a.get().to_string()).unwrap_or_default());
        f
    });
    Ok(ShowPage {
        nav: user.nav(),
        href: format!("/avvikelser/{}", d.id),
        version: d.version,
        is_lex_sarah: d.kind == DeviationKind::LexSarah,
        may_handle: user.may(Permission::HandleDeviation, d.unit_id),
        statuses: DeviationStatus::ALL.iter().map(|s| s.code()).collect(),
        categories: LexSarahCategory::ALL.iter().map(|c| c.code()).collect(),
        risks,
        actions,
        links,
        conflict,
        form,
        title: d.title.clone(),
        unit: unit_name(&units, d.unit_id),
        kind: d.kind.code(),
        status: d.status.code(),
        occurred_on: d.occurred_on.to_string(),
        reported_on: d.reported_on.to_string(),
        reported_by: d.reported_by.clone(),
        category: d.lex_sarah_category.map_or("", |c| c.code()),
        ivo: d.reported_to_ivo_on.map(|x| x.to_string()).unwrap_or_default(),
        closed_on: d.closed_on.map(|x| x.to_string()).unwrap_or_default(),
        description: blocks(&d.description),
        investigation: blocks(&d.investigation),
        measures: blocks(&d.measures_taken),
    })
}

pub async fn show(State(state): State<AppState>, user: User, Path(id): Path<String>) -> WebResult<ShowPage> {
    show_page(&state, &user, crate::pages::parse_id(&id)?, None, false).await
}

/// The unit manager investigates, assesses (lex Sarah), reports to IVO, ties the
/// deviation to a risk and closes it; the domain's rules say what a state requires.
pub async fn handle(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    Form(values): Form<HashMap<String, String>>,
) -> WebResult<Response> {
    let d = crate::pages::posted_on::<Deviation>(&state, &user, &id, &values).await?;
    let id = d.id;
    if d.tenant_id != user.session.account.tenant_id {
        return Err(WebError::NotFound);
    }
    user.require(Permission::HandleDeviation, d.unit_id)?;
    let mut form = FormState::new(values);
    let status = DeviationStatus::from_code(form.value("status"));
    if status.is_none() {
        form.push("status", "Välj ärendets status.");
    }
    let category = match form.value("lex_sarah_category") {
        "" => None,
        code => match LexSarahCategory::from_code(code) {
            Some(c) => Some(c),
            None => {
                form.push("lex_sarah_category", "Välj en bedömning i listan.");
                None
            }
        },
    };
    let optional_date = |form: &mut FormState, field: &str| -> Option<Date> {
        if form.value(field).trim().is_empty() { None } else { form.date(field, "datum") }
    };
    let ivo = optional_date(&mut form, "reported_to_ivo_on");
    let closed = optional_date(&mut form, "closed_on");
    let (risks, actions) = risks_for(&state, &user, &d).await?;
    let risk_id = match form.value("risk_id").parse::<i64>() {
        Ok(r) if risks.iter().any(|(id, _)| *id == r) => Some(Id::new(r)),
        Ok(_) => {
            form.push("risk_id", "Välj en risk i listan.");
            None
        }
        Err(_) => None,
    };
    let action_id = match form.value("action_id").parse::<i64>() {
        Ok(a) if actions.iter().any(|(id, _)| *id == a) => Some(Id::new(a)),
        Ok(_) => {
            form.push("action_id", "Välj en åtgärd i listan.");
            None
        }
        Err(_) => None,
    };
    let next = Deviation {
        status: status.unwrap_or(d.status),
        investigation: form.value("investigation").trim().to_owned(),
        lex_sarah_category: category,
        reported_to_ivo_on: ivo,
        measures_taken: form.value("measures_taken").trim().to_owned(),
        closed_on: closed,
        risk_id,
        action_id,
        ..d.item.clone()
    };
    if let Err(v) = next.validate() {
        form.add_validation(&v, |f| match f {
            "lex_sarah_category" => "Bedömningen",
            "reported_to_ivo_on" => "Anmälan till IVO:",
            "closed_on" => "Avslutsdatumet",
            _ => "Uppgiften",
        });
    }
    if form.has_errors() {
        let page = show_page(&state, &user, id, Some(form), false).await?;
        return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let version = form.value("version").parse::<i64>().unwrap_or(0);
    let mut tx = state.store.write(&user.actor()).await?;
    match repo::update(&mut tx, id, version, &next).await {
        Ok(_) => {
            if state.mail && next.status != d.status {
                let unit = repo::get::<OrgUnit>(&mut tx, d.unit_id).await?;
                kvalitet_store::mail::deviation_status_changed(&mut tx, id, &next, &unit.name).await?;
            }
            tx.commit().await?;
            Ok(Redirect::to(&format!("/avvikelser/{id}")).into_response())
        }
        Err(kvalitet_store::StoreError::Conflict { .. }) => {
            drop(tx);
            let page = show_page(&state, &user, id, Some(form), true).await?;
            Ok((axum::http::StatusCode::CONFLICT, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
