//! Tying a case-data measure to a self-inspection (with the share that approves a run)
//! or to an indicator, in the browser (`/matt/kopplingar`): the same store function as
//! `kvalitet measures link`, so each later import adds a run or a result. For those who
//! may import case data, and only to the items of plans they may edit.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use kvalitet_domain::access::Permission;
use kvalitet_domain::indicator::Indicator;
use kvalitet_domain::measure::MeasureLink;
use kvalitet_domain::plan::QualityPlan;
use kvalitet_domain::self_inspection::SelfInspection;
use kvalitet_domain::{Id, Versioned};
use kvalitet_store::case_data;
use kvalitet_store::{Where, repo};

use crate::auth::{Nav, User};
use crate::error::{WebError, WebResult};
use crate::forms::FormState;
use crate::router::AppState;

/// A choice in the form's list of items: `egenkontroll-12` or `indikator-7`.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// A plan's items, as a group of the list.
pub struct PlanGroup {
    pub title: String,
    pub choices: Vec<Choice>,
}

pub struct LinkRow {
    pub id: i64,
    pub version: i64,
    pub measure: String,
    pub item: String,
    pub href: String,
    pub plan: String,
    pub approve_at: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "measure_links.html")]
pub struct LinksPage {
    pub nav: Nav,
    pub form: FormState,
    pub measures: Vec<Choice>,
    pub groups: Vec<PlanGroup>,
    pub links: Vec<LinkRow>,
    pub done: &'static str,
}

/// What the pages read: the tenant's plans the user may edit, their self-inspections
/// and indicators, and the links.
struct Items {
    plans: Vec<Versioned<QualityPlan>>,
    self_inspections: Vec<Versioned<SelfInspection>>,
    indicators: Vec<Versioned<Indicator>>,
    links: Vec<Versioned<MeasureLink>>,
}

async fn items(state: &AppState, user: &User) -> WebResult<Items> {
    let tenant = user.session.account.tenant_id;
    let mut conn = state.store.read().await?;
    let plans: Vec<Versioned<QualityPlan>> =
        repo::list(&mut conn, Where::sql("tenant_id = $1", vec![kvalitet_store::Value::Int(tenant.get())])).await?;
    let of_plans = || {
        Where::sql(
            "plan_id IN (SELECT id FROM quality_plan WHERE tenant_id = $1)",
            vec![kvalitet_store::Value::Int(tenant.get())],
        )
    };
    let self_inspections = repo::list(&mut conn, of_plans()).await?;
    let indicators = repo::list(&mut conn, of_plans()).await?;
    let links = case_data::links(&mut conn, tenant).await?;
    drop(conn);
    let mut plans: Vec<_> = plans.into_iter().filter(|p| user.may(Permission::EditPlan, p.scope_id)).collect();
    plans.sort_by(|a, b| b.year.cmp(&a.year).then_with(|| a.title.cmp(&b.title)));
    Ok(Items { plans, self_inspections, indicators, links })
}

fn measure_name(id: &str) -> String {
    kvalitet_measures::default_definitions().into_iter().find(|d| d.id == id).map_or_else(|| id.to_owned(), |d| d.name)
}

async fn page(state: &AppState, user: &User, form: FormState, done: &'static str) -> WebResult<LinksPage> {
    let Items { plans, self_inspections, indicators, links } = items(state, user).await?;
    let chosen = form.value("item").to_owned();
    let groups = plans
        .iter()
        .map(|p| {
            let sis = self_inspections.iter().filter(|s| s.plan_id == p.id).map(|s| {
                let value = format!("egenkontroll-{}", s.id);
                Choice { selected: value == chosen, value, label: format!("Egenkontroll: {}", s.title) }
            });
            let inds = indicators.iter().filter(|i| i.plan_id == p.id).map(|i| {
                let value = format!("indikator-{}", i.id);
                Choice { selected: value == chosen, value, label: format!("Indikator: {}", i.name) }
            });
            PlanGroup { title: p.title.clone(), choices: sis.chain(inds).collect() }
        })
        .filter(|g| !g.choices.is_empty())
        .collect();
    let plan_title = |id| plans.iter().find(|p| p.id == id).map(|p| p.title.clone());
    // Only links to items of plans the user may edit are listed (and may be removed).
    let rows = links
        .iter()
        .filter_map(|l| {
            let (item, href, plan) = match (l.self_inspection_id, l.indicator_id) {
                (Some(si), _) => {
                    let s = self_inspections.iter().find(|s| s.id == si)?;
                    (format!("Egenkontroll: {}", s.title), format!("/egenkontroller/{si}"), plan_title(s.plan_id)?)
                }
                (None, Some(ind)) => {
                    let i = indicators.iter().find(|i| i.id == ind)?;
                    (format!("Indikator: {}", i.name), format!("/indikatorer/{ind}"), plan_title(i.plan_id)?)
                }
                (None, None) => return None,
            };
            Some(LinkRow {
                id: l.id.get(),
                version: l.version,
                measure: measure_name(&l.measure),
                item,
                href,
                plan,
                approve_at: l.approve_at.map(|a| format!("{} %", crate::format::number(a))).unwrap_or_default(),
            })
        })
        .collect();
    let measure = form.value("measure").to_owned();
    Ok(LinksPage {
        nav: user.nav(),
        measures: kvalitet_measures::default_definitions()
            .into_iter()
            .map(|d| Choice { selected: d.id == measure, value: d.id, label: d.name })
            .collect(),
        form,
        groups,
        links: rows,
        done,
    })
}

/// `GET /matt/kopplingar`: the links and the form to add one.
pub async fn show(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<HashMap<String, String>>,
) -> WebResult<LinksPage> {
    super::case_import::require(&user)?;
    let done = match q.get("klart").map(String::as_str) {
        Some("kopplad") => "Kopplingen är sparad. Nästa inläsning ger ett resultat för den.",
        Some("borttagen") => "Kopplingen är borttagen.",
        _ => "",
    };
    page(&state, &user, FormState::default(), done).await
}

/// `POST /matt/kopplingar`: ties a measure to a self-inspection or an indicator.
pub async fn create(
    State(state): State<AppState>,
    user: User,
    Form(values): Form<HashMap<String, String>>,
) -> WebResult<Response> {
    super::case_import::require(&user)?;
    user.check_csrf(values.get("csrf").map_or("", String::as_str))?;
    let mut form = FormState::new(values);
    let Items { plans, self_inspections, indicators, links } = items(&state, &user).await?;
    let measure = form.value("measure").trim().to_owned();
    if !kvalitet_measures::default_definitions().iter().any(|d| d.id == measure) {
        form.push("measure", "Mått: välj ett mått i listan.");
    }
    let editable = |plan| plans.iter().any(|p| p.id == plan);
    let item = form.value("item").to_owned();
    let (self_inspection, indicator) = match item.split_once('-') {
        Some(("egenkontroll", id)) => {
            (self_inspections.iter().find(|s| s.id.to_string() == id && editable(s.plan_id)).map(|s| s.id), None)
        }
        Some(("indikator", id)) => {
            (None, indicators.iter().find(|i| i.id.to_string() == id && editable(i.plan_id)).map(|i| i.id))
        }
        _ => (None, None),
    };
    if self_inspection.is_none() && indicator.is_none() {
        form.push("item", "Egenkontroll eller indikator: välj en egenkontroll eller en indikator i listan.");
    }
    let approve_at = form.number("approve_at");
    match (self_inspection, approve_at) {
        (Some(_), None) if form.error("approve_at").is_empty() => form.push(
            "approve_at",
            "Gräns för godkänt: ange hur stor andel i procent som krävs för att egenkontrollen ska vara godkänd, till exempel 90.",
        ),
        (Some(_), Some(a)) if !(0.0..=100.0).contains(&a) => {
            form.push("approve_at", "Gräns för godkänt: ange en andel mellan 0 och 100 procent.")
        }
        (None, Some(_)) if indicator.is_some() => {
            form.push("approve_at", "Gräns för godkänt: anges bara för en egenkontroll; lämna fältet tomt för en indikator.")
        }
        _ => {}
    }
    if !form.has_errors()
        && links
            .iter()
            .any(|l| l.measure == measure && l.self_inspection_id == self_inspection && l.indicator_id == indicator)
    {
        form.push("item", "Egenkontroll eller indikator: måttet är redan kopplat hit.");
    }
    if form.has_errors() {
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page(&state, &user, form, "").await?).into_response());
    }
    let link = MeasureLink {
        tenant_id: user.session.account.tenant_id,
        measure,
        self_inspection_id: self_inspection,
        indicator_id: indicator,
        approve_at: if self_inspection.is_some() { approve_at } else { None },
    };
    let mut tx = state.store.write(&user.actor()).await?;
    case_data::link(&mut tx, &link).await?;
    tx.commit().await?;
    Ok(Redirect::to("/matt/kopplingar?klart=kopplad").into_response())
}

/// `POST /matt/kopplingar/{id}/ta-bort`: removes a link (its version as read).
pub async fn remove(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    Form(values): Form<HashMap<String, String>>,
) -> WebResult<Response> {
    super::case_import::require(&user)?;
    let link = super::posted_on::<MeasureLink>(&state, &user, &id, &values).await?;
    if link.tenant_id != user.session.account.tenant_id {
        return Err(WebError::NotFound);
    }
    // Only links to items of plans the user may edit.
    let Items { plans, self_inspections, indicators, .. } = items(&state, &user).await?;
    let plan = match (link.self_inspection_id, link.indicator_id) {
        (Some(si), _) => self_inspections.iter().find(|s| s.id == si).map(|s| s.plan_id),
        (None, Some(ind)) => indicators.iter().find(|i| i.id == ind).map(|i| i.plan_id),
        _ => None,
    };
    if !plan.is_some_and(|p| plans.iter().any(|pl| pl.id == p)) {
        return Err(WebError::Forbidden);
    }
    let version = values.get("version").and_then(|v| v.parse().ok()).unwrap_or(-1);
    let mut tx = state.store.write(&user.actor()).await?;
    match case_data::unlink(&mut tx, Id::new(link.id.get()), version).await {
        Ok(()) => tx.commit().await?,
        // Read before someone else changed it: the page shows it as it is now.
        Err(kvalitet_store::StoreError::Conflict { .. }) => return Ok(Redirect::to("/matt/kopplingar").into_response()),
        Err(e) => return Err(e.into()),
    }
    Ok(Redirect::to("/matt/kopplingar?klart=borttagen").into_response())
}
