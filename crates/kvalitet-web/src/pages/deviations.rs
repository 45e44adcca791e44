//! Deviations, lex Sarah reports and complaints: the list (only of units the user may
//! see; every record shown is logged as read), registration by any staff member for
//! their own unit, and the record's page.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};

use kvalitet_domain::access::Tree;
use kvalitet_domain::access::{self, Permission};
use kvalitet_domain::deviation::{
    Deviation, DeviationKind, DeviationStatus, DeviationTally, LexSarahCategory, count_by_kind_and_year,
};
use kvalitet_domain::org::OrgUnitId;
use kvalitet_domain::org::{OrgUnit, OrgUnitKind};
use kvalitet_domain::plan::QualityPlan;
use kvalitet_domain::risk::Risk;
use kvalitet_domain::{Code, Date, Id, Validate, Versioned};
use kvalitet_store::{Column, Where, audit, org, plans, repo};

use crate::auth::{Nav, User};
use crate::error::{WebError, WebResult};
use crate::forms::FormState;
use crate::router::AppState;
use crate::text::{Block, blocks};

/// Today in Sweden.
pub fn today() -> Date {
    jiff::Zoned::now()
        .with_time_zone(jiff::tz::TimeZone::get("Europe/Stockholm").unwrap_or(jiff::tz::TimeZone::UTC))
        .date()
}

pub struct Row {
    pub href: String,
    pub title: String,
    pub unit: String,
    pub kind: &'static str,
    pub status: &'static str,
    pub reported_on: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "deviations.html")]
pub struct ListPage {
    pub nav: Nav,
    pub year: i64,
    pub kinds: Vec<&'static str>,
    /// Per unit in the user's scope: the unit and, per kind, (this year, last year).
    pub counts: Vec<(String, Vec<(i64, i64)>)>,
    pub rows: Vec<Row>,
    pub may_view: bool,
    pub may_register: bool,
    pub registered: bool,
}

fn unit_name(units: &[Versioned<OrgUnit>], id: kvalitet_domain::org::OrgUnitId) -> String {
    units.iter().find(|u| u.id == id).map(|u| u.name.clone()).unwrap_or_default()
}

pub async fn list(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<HashMap<String, String>>,
) -> WebResult<ListPage> {
    let may_view = access::allows_somewhere(user.assignments(), Permission::ViewDeviations);
    let may_register = access::allows_somewhere(user.assignments(), Permission::RegisterDeviation);
    if !may_view && !may_register {
        return Err(WebError::Forbidden);
    }
    let tenant = user.session.account.tenant_id;
    let mut conn = state.store.read().await?;
    let units = org::units(&mut conn, tenant).await?;
    let mut all: Vec<Versioned<Deviation>> =
        repo::list(&mut conn, Where::sql("tenant_id = $1", vec![tenant.to_value()])).await?;
    drop(conn);
    all.retain(|d| user.may(Permission::ViewDeviations, d.unit_id));
    let year = q.get("ar").and_then(|y| y.parse::<i64>().ok()).unwrap_or(i64::from(today().year()));
    let mut conn = state.store.read().await?;
    let tallies: Vec<Versioned<DeviationTally>> =
        repo::list(&mut conn, Where::sql("tenant_id = $1", vec![tenant.to_value()])).await?;
    drop(conn);
    // Year against year per unit and kind, from records and tallies, for the units the
    // user may see (aggregates, so no read is logged for them).
    let counts: Vec<(String, Vec<(i64, i64)>)> = units
        .iter()
        .filter(|u| user.may(Permission::ViewDeviations, u.id))
        .filter_map(|u| {
            let recs: Vec<&Deviation> = all.iter().filter(|d| d.unit_id == u.id).map(|d| &d.item).collect();
            let tals: Vec<&DeviationTally> = tallies.iter().filter(|t| t.unit_id == u.id).map(|t| &t.item).collect();
            let row: Vec<(i64, i64)> = DeviationKind::ALL
                .iter()
                .map(|k| {
                    (
                        count_by_kind_and_year(recs.iter().copied(), tals.iter().copied(), *k, year),
                        count_by_kind_and_year(recs.iter().copied(), tals.iter().copied(), *k, year - 1),
                    )
                })
                .collect();
            row.iter().any(|(a, b)| a + b > 0).then(|| (u.name.clone(), row))
        })
        .collect();
    all.sort_by(|a, b| b.reported_on.cmp(&a.reported_on).then(b.id.cmp(&a.id)));
    if !all.is_empty() {
        let mut tx = state.store.write(&user.actor()).await?;
        for d in &all {
            audit::record_read(&mut tx, "deviation", d.id.get()).await?;
        }
        tx.commit().await?;
    }
    let rows = all
        .iter()
        .map(|d| Row {
            href: format!("/avvikelser/{}", d.id),
            title: d.title.clone(),
            unit: unit_name(&units, d.unit_id),
            kind: d.kind.code(),
            status: d.status.code(),
            reported_on: d.reported_on.to_string(),
        })
        .collect();
    Ok(ListPage {
        nav: user.nav(),
        year,
        kinds: kinds(),
        counts,
        rows,
        may_view,
        may_register,
        registered: q.contains_key("registrerad"),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "deviation_new.html")]
pub struct NewPage {
    pub nav: Nav,
    pub units: Vec<(i64, String)>,
    pub kinds: Vec<&'static str>,
    pub values: HashMap<String, String>,
    pub errors: Vec<(String, String)>,
}

impl NewPage {
    pub fn value(&self, field: &str) -> &str {
        self.values.get(field).map_or("", String::as_str)
    }

    pub fn error(&self, field: &str) -> &str {
        self.errors.iter().find(|(f, _)| f == field).map_or("", |(_, m)| m.as_str())
    }
}

/// The units the user may register deviations for.
async fn registrable_units(state: &AppState, user: &User) -> WebResult<Vec<(i64, String)>> {
    let mut conn = state.store.read().await?;
    let units = org::units(&mut conn, user.session.account.tenant_id).await?;
    Ok(units
        .iter()
        .filter(|u| u.kind == OrgUnitKind::Unit && user.may(Permission::RegisterDeviation, u.id))
        .map(|u| (u.id.get(), u.name.clone()))
        .collect())
}

pub async fn new_form(State(state): State<AppState>, user: User) -> WebResult<NewPage> {
    let units = registrable_units(&state, &user).await?;
    if units.is_empty() {
        return Err(WebError::Forbidden);
    }
    let mut values = HashMap::new();
    values.insert("occurred_on".to_owned(), today().to_string());
    if units.len() == 1 {
        values.insert("unit".to_owned(), units[0].0.to_string());
    }
    Ok(NewPage { nav: user.nav(), units, kinds: kinds(), values, errors: vec![] })
}

fn kinds() -> Vec<&'static str> {
    DeviationKind::ALL.iter().map(|k| k.code()).collect()
}

pub async fn create(
    State(state): State<AppState>,
    user: User,
    Form(f): Form<HashMap<String, String>>,
) -> WebResult<Response> {
    user.check_csrf(f.get("csrf").map_or("", String::as_str))?;
    let units = registrable_units(&state, &user).await?;
    let get = |k: &str| f.get(k).map(|s| s.trim().to_owned()).unwrap_or_default();
    let mut errors: Vec<(String, String)> = Vec::new();
    let unit = get("unit").parse::<i64>().ok();
    // A unit the user may not register for is refused outright; a missing one is a
    // field error like the others.
    if unit.is_some_and(|u| !units.iter().any(|(id, _)| *id == u)) {
        return Err(WebError::Forbidden);
    }
    if unit.is_none() {
        errors.push(("unit".into(), "Välj vilken enhet det gäller.".into()));
    }
    let unit = unit.unwrap_or(0);
    let kind = DeviationKind::from_code(&get("kind"));
    if kind.is_none() {
        errors.push(("kind".into(), "Välj vad du vill rapportera.".into()));
    }
    let occurred: Option<Date> =
        crate::forms::parse_date(&get("occurred_on")).filter(|d| crate::forms::DATE_YEARS.contains(&d.year()));
    let today = today();
    match occurred {
        None => errors.push(("occurred_on".into(), "Ange datum som ÅÅÅÅ-MM-DD, till exempel 2024-03-31.".into())),
        Some(d) if d > today => errors.push(("occurred_on".into(), "Datumet kan inte vara i framtiden.".into())),
        Some(_) => {}
    }
    let deviation = Deviation {
        tenant_id: user.session.account.tenant_id,
        unit_id: kvalitet_domain::Id::new(unit),
        kind: kind.unwrap_or(DeviationKind::Internal),
        status: DeviationStatus::Registered,
        occurred_on: occurred.unwrap_or(today),
        reported_on: today,
        title: get("title"),
        description: get("description"),
        investigation: String::new(),
        lex_sarah_category: None,
        reported_to_ivo_on: None,
        measures_taken: String::new(),
        closed_on: None,
        risk_id: None,
        action_id: None,
        reported_by: user.session.account.display_name.clone(),
    };
    if let Err(v) = deviation.validate() {
        for e in v.errors {
            let label = match e.field {
                "title" => "Rubriken",
                "description" => "Beskrivningen",
                _ => "Fältet",
            };
            errors.push((e.field.to_owned(), format!("{label} {}.", e.problem)));
        }
    }
    if !errors.is_empty() {
        return Ok(render_errors(&user, units, f, errors));
    }
    let mut tx = state.store.write(&user.actor()).await?;
    let id = plans::create(&mut tx, &deviation).await?;
    if state.mail {
        let unit_name = units.iter().find(|(u, _)| *u == unit).map_or("", |(_, n)| n.as_str());
        kvalitet_store::mail::deviation_registered(&mut tx, id, &deviation, user.session.account.id, unit_name).await?;
    } else {
        kvalitet_store::mail::remember_reporter(&mut tx, id, user.session.account.id).await?;
    }
    tx.commit().await?;
    if user.may(Permission::ViewDeviations, deviation.unit_id) {
        Ok(Redirect::to(&format!("/avvikelser/{id}")).into_response())
    } else {
        Ok(Redirect::to("/avvikelser?registrerad=1").into_response())
    }
}

fn render_errors(
    user: &User,
    units: Vec<(i64, String)>,
    f: HashMap<String, String>,
    errors: Vec<(String, String)>,
) -> Response {
    let page = NewPage { nav: user.nav(), units, kinds: kinds(), values: f, errors };
    (axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
}

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
    pub risk: String,
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

/// Risks of the plans that cover the deviation's unit, to tie it to.
async fn risks_for(state: &AppState, user: &User, unit: OrgUnitId) -> WebResult<Vec<(i64, String)>> {
    let mut conn = state.store.read().await?;
    let plans: Vec<Versioned<QualityPlan>> =
        repo::list(&mut conn, Where::sql("tenant_id = $1", vec![user.session.account.tenant_id.to_value()])).await?;
    let mut out = Vec::new();
    for p in plans.iter().filter(|p| user.tree.is_within(unit, p.scope_id)) {
        let risks: Vec<Versioned<Risk>> =
            repo::list(&mut conn, Where::sql("plan_id = $1", vec![p.id.to_value()])).await?;
        out.extend(risks.iter().map(|r| (r.id.get(), format!("{} ({})", r.title, p.year))));
    }
    Ok(out)
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
    drop(conn);
    let mut tx = state.store.write(&user.actor()).await?;
    audit::record_read(&mut tx, "deviation", d.id.get()).await?;
    tx.commit().await?;
    let risks = risks_for(state, user, d.unit_id).await?;
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
        risk: d
            .risk_id
            .and_then(|r| risks.iter().find(|(id, _)| *id == r.get()).map(|(_, t)| t.clone()))
            .unwrap_or_default(),
        risks,
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
    show_page(&state, &user, super::parse_id(&id)?, None, false).await
}

/// The unit manager investigates, assesses (lex Sarah), reports to IVO, ties the
/// deviation to a risk and closes it; the domain's rules say what a state requires.
pub async fn handle(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    Form(values): Form<HashMap<String, String>>,
) -> WebResult<Response> {
    user.check_csrf(values.get("csrf").map_or("", String::as_str))?;
    let id = super::parse_id::<Deviation>(&id)?;
    let mut conn = state.store.read().await?;
    let d = repo::get::<Deviation>(&mut conn, id).await?;
    drop(conn);
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
    let risks = risks_for(&state, &user, d.unit_id).await?;
    let risk_id = match form.value("risk_id").parse::<i64>() {
        Ok(r) if risks.iter().any(|(id, _)| *id == r) => Some(Id::new(r)),
        Ok(_) => {
            form.push("risk_id", "Välj en risk i listan.");
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
