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
use kvalitet_domain::action::Action;
use kvalitet_domain::deviation::{
    Deviation, DeviationKind, DeviationStatus, DeviationTally, LexSarahCategory, count_by_kind_and_year,
};
use kvalitet_domain::org::{OrgUnit, OrgUnitKind};
use kvalitet_domain::plan::QualityPlan;
use kvalitet_domain::risk::Risk;
use kvalitet_domain::self_inspection::{SelfInspection, SelfInspectionRun};
use kvalitet_domain::{Code, Date, Id, Validate, Versioned};
use kvalitet_store::{Column, Where, audit, org, plans, repo, submissions};

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
    /// The self-inspection the deviation is registered after (its title), if any.
    pub self_inspection: String,
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

/// The self-inspection a deviation is registered after (`egenkontroll`), if it is one
/// of the user's municipality's, with its plan.
async fn after_self_inspection(
    state: &AppState,
    user: &User,
    raw: Option<&String>,
) -> WebResult<Option<(Versioned<SelfInspection>, Versioned<QualityPlan>)>> {
    let Some(id) = raw.and_then(|r| r.trim().parse::<i64>().ok()) else { return Ok(None) };
    let mut conn = state.store.read().await?;
    let Some(si) = repo::find::<SelfInspection>(&mut conn, Id::new(id)).await? else { return Ok(None) };
    let plan = repo::get::<QualityPlan>(&mut conn, si.plan_id).await?;
    Ok((plan.tenant_id == user.session.account.tenant_id).then_some((si, plan)))
}

/// The form, empty, or (`?egenkontroll=…&genomforande=…`) filled in from a
/// self-inspection run that was not approved, to which the deviation will be linked.
pub async fn new_form(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<HashMap<String, String>>,
) -> WebResult<NewPage> {
    let units = registrable_units(&state, &user).await?;
    if units.is_empty() {
        return Err(WebError::Forbidden);
    }
    let mut values = HashMap::new();
    values.insert("occurred_on".to_owned(), today().to_string());
    // Stores the report once however often the form is sent (Back and submit again).
    values.insert("form_token".to_owned(), submissions::new_token());
    if units.len() == 1 {
        values.insert("unit".to_owned(), units[0].0.to_string());
    }
    let mut self_inspection = String::new();
    if let Some((si, plan)) = after_self_inspection(&state, &user, q.get("egenkontroll")).await? {
        let unit = si.unit_id.unwrap_or(plan.scope_id);
        if units.iter().any(|(u, _)| *u == unit.get()) {
            values.insert("unit".to_owned(), unit.to_string());
        }
        values.insert("egenkontroll".to_owned(), si.id.to_string());
        values.insert("title".to_owned(), format!("Egenkontroll inte godkänd: {}", si.title));
        let mut conn = state.store.read().await?;
        let run = match q.get("genomforande").and_then(|r| r.parse::<i64>().ok()) {
            Some(r) => {
                repo::find::<SelfInspectionRun>(&mut conn, Id::new(r)).await?.filter(|r| r.self_inspection_id == si.id)
            }
            None => None,
        };
        if let Some(run) = run {
            values.insert("occurred_on".to_owned(), run.run_on.to_string());
            values.insert(
                "description".to_owned(),
                format!("Egenkontrollen genomfördes {} och blev inte godkänd. {}", run.run_on, run.comment)
                    .trim()
                    .to_owned(),
            );
        }
        self_inspection = si.title.clone();
    }
    Ok(NewPage { nav: user.nav(), units, kinds: kinds(), values, errors: vec![], self_inspection })
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
    let tenant = user.session.account.tenant_id;
    let token = f.get("form_token").map(|t| t.trim().to_owned()).filter(|t| !t.is_empty());
    // The same form sent again: its report is stored already.
    if let Some(t) = &token
        && let Some(path) = submissions::earlier(&mut *state.store.read().await?, tenant, t).await?
    {
        return Ok(Redirect::to(&path).into_response());
    }
    let units = registrable_units(&state, &user).await?;
    let after = after_self_inspection(&state, &user, f.get("egenkontroll")).await?;
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
    // Linked to a self-inspection, the deviation is of a unit its plan covers.
    if let (Some(u), Some((_, plan))) = (unit, &after)
        && !user.tree.is_within(Id::new(u), plan.scope_id)
    {
        errors.push(("unit".into(), "Välj en enhet som egenkontrollens kvalitetsplan gäller.".into()));
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
        let si = after.map(|(si, _)| si.title.clone()).unwrap_or_default();
        return Ok(render_errors(&user, units, f, errors, si));
    }
    let mut tx = state.store.write(&user.actor()).await?;
    let id = plans::create(&mut tx, &deviation).await?;
    if let Some((si, _)) = &after {
        kvalitet_store::links::link(&mut tx, kvalitet_store::LinkKind::DeviationSelfInspection, id.get(), si.id.get())
            .await?;
    }
    if state.mail {
        let unit_name = units.iter().find(|(u, _)| *u == unit).map_or("", |(_, n)| n.as_str());
        kvalitet_store::mail::deviation_registered(&mut tx, id, &deviation, user.session.account.id, unit_name).await?;
    } else {
        kvalitet_store::mail::remember_reporter(&mut tx, id, user.session.account.id).await?;
    }
    let receipt = if user.may(Permission::ViewDeviations, deviation.unit_id) {
        format!("/avvikelser/{id}")
    } else {
        "/avvikelser?registrerad=1".to_owned()
    };
    if let Some(t) = &token
        && let Err(e) = submissions::remember(&mut tx, tenant, user.session.account.id.get(), t, &receipt).await
    {
        // Sent twice at once: the other one stored it.
        drop(tx);
        return match submissions::earlier(&mut *state.store.read().await?, tenant, t).await? {
            Some(path) => Ok(Redirect::to(&path).into_response()),
            None => Err(WebError::from(e)),
        };
    }
    tx.commit().await?;
    Ok(Redirect::to(&receipt).into_response())
}

fn render_errors(
    user: &User,
    units: Vec<(i64, String)>,
    f: HashMap<String, String>,
    errors: Vec<(String, String)>,
    self_inspection: String,
) -> Response {
    let mut f = f;
    f.entry("form_token".to_owned()).or_insert_with(submissions::new_token);
    let page = NewPage { nav: user.nav(), units, kinds: kinds(), values: f, errors, self_inspection };
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
    /// Actions of the same plans, to tie it to.
    pub actions: Vec<(i64, String)>,
    /// The risk and action it is tied to, as links.
    pub links: Vec<super::risk_links::LinkGroup>,
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
    let links = super::risk_links::groups_of_deviation(&mut conn, &d).await?;
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
    let d = super::posted_on::<Deviation>(&state, &user, &id, &values).await?;
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
