//! "Mina rapporter": the deviations a person reported, the receipt after registering,
//! what became of each (status, the manager's feedback, the history meant for the
//! reporter) and adding information afterwards. Nothing of the investigation is shown.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};

use kvalitet_domain::access::Permission;
use kvalitet_domain::deviation::{Deviation, DeviationEvent, DeviationEventKind};
use kvalitet_domain::{Code, Validate, Versioned};
use kvalitet_store::{audit, deviations, org, repo};

use crate::auth::{Nav, User};
use crate::error::{WebError, WebResult};
use crate::forms::FormState;
use crate::pages::deviations::today;
use crate::router::AppState;
use crate::text::{Block, blocks};

/// Why nothing can be added to a voided report.
const NOT_ON_VOIDED: &str = "Rapporten är makulerad. Det går inte att lägga till information i den.";

/// One of the person's reports in the list.
pub struct Row {
    pub href: String,
    pub reference: String,
    pub title: String,
    pub kind: &'static str,
    pub unit: String,
    pub reported_on: String,
    pub status: &'static str,
    pub voided: bool,
    pub has_feedback: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "my_reports.html")]
pub struct ListPage {
    pub nav: Nav,
    pub rows: Vec<Row>,
}

/// One entry of a report's history as its reporter sees it.
pub struct Entry {
    pub on: String,
    /// The event kind's code.
    pub kind: &'static str,
    /// For a status change: the new status's code; for a change of kind: the new kind's.
    pub to_value: String,
    /// What the reporter added, or why the report was voided; empty otherwise.
    pub text: Vec<Block>,
}

#[derive(Template, WebTemplate)]
#[template(path = "my_report.html")]
pub struct ReportPage {
    pub nav: Nav,
    pub href: String,
    /// Just registered: the page is the receipt.
    pub received: bool,
    /// Information was just added.
    pub added: bool,
    /// Whether mails are sent: only then does the receipt promise one.
    pub mail: bool,
    pub reference: String,
    pub title: String,
    pub kind: &'static str,
    pub unit: String,
    pub occurred_on: String,
    pub reported_on: String,
    pub status: &'static str,
    pub complainant: &'static str,
    pub channel: &'static str,
    pub description: Vec<Block>,
    pub feedback: Vec<Block>,
    pub voided_on: String,
    pub void_reason: Vec<Block>,
    pub history: Vec<Entry>,
    pub form: FormState,
}

/// The report `segment` names, if the user reported it; anyone else's (or none) is not
/// found, so its existence is not given away.
async fn own_report(state: &AppState, user: &User, segment: &str) -> WebResult<Versioned<Deviation>> {
    let id = crate::pages::parse_id::<Deviation>(segment)?;
    let mut conn = state.store.read().await?;
    let Some(d) = repo::find::<Deviation>(&mut conn, id).await? else { return Err(WebError::NotFound) };
    let mine = deviations::reporter(&mut conn, id).await? == Some(user.session.account.id);
    if d.tenant_id != user.session.account.tenant_id || !mine {
        return Err(WebError::NotFound);
    }
    Ok(d)
}

/// `GET /mina-rapporter`: the user's own reports, newest first.
pub async fn list(State(state): State<AppState>, user: User) -> WebResult<ListPage> {
    user.require_somewhere(Permission::RegisterDeviation)?;
    let tenant = user.session.account.tenant_id;
    let mut conn = state.store.read().await?;
    let mine = deviations::reported_by(&mut conn, tenant, user.session.account.id).await?;
    let units = org::units(&mut conn, tenant).await?;
    drop(conn);
    if !mine.is_empty() {
        let mut tx = state.store.write(&user.actor()).await?;
        let ids: Vec<i64> = mine.iter().map(|d| d.id.get()).collect();
        audit::record_reads(&mut tx, "deviation", &ids).await?;
        tx.commit().await?;
    }
    let rows = mine
        .iter()
        .map(|d| Row {
            href: format!("/mina-rapporter/{}", d.id),
            reference: d.reference(d.id),
            title: d.title.clone(),
            kind: d.kind.code(),
            unit: units.iter().find(|u| u.id == d.unit_id).map(|u| u.name.clone()).unwrap_or_default(),
            reported_on: kvalitet_domain::shown_date(d.reported_on, d.undated),
            status: d.status.code(),
            voided: d.is_voided(),
            has_feedback: !d.feedback.trim().is_empty(),
        })
        .collect();
    Ok(ListPage { nav: user.nav(), rows })
}

async fn report_page(
    state: &AppState,
    user: &User,
    d: &Versioned<Deviation>,
    (received, added): (bool, bool),
    form: FormState,
) -> WebResult<ReportPage> {
    let mut conn = state.store.read().await?;
    let unit = org::units(&mut conn, d.tenant_id)
        .await?
        .into_iter()
        .find(|u| u.id == d.unit_id)
        .map(|u| u.name.clone())
        .unwrap_or_default();
    let events = deviations::events(&mut conn, d.id).await?;
    drop(conn);
    let mut tx = state.store.write(&user.actor()).await?;
    audit::record_read(&mut tx, "deviation", d.id.get()).await?;
    tx.commit().await?;
    // Only what is meant for the reporter, and of that only what cannot carry the
    // handling's details: a reason is shown for what the reporter added and for voiding.
    let history = events
        .iter()
        .filter(|e| e.for_reporter)
        .map(|e| Entry {
            on: e.happened_on.to_string(),
            kind: e.kind.code(),
            to_value: e.to_value.clone(),
            text: match e.kind {
                DeviationEventKind::InformationAdded | DeviationEventKind::Voided | DeviationEventKind::Restored => {
                    blocks(&e.text)
                }
                _ => vec![],
            },
        })
        .collect();
    Ok(ReportPage {
        nav: user.nav(),
        href: format!("/mina-rapporter/{}", d.id),
        received,
        added,
        mail: state.mail,
        reference: d.reference(d.id),
        title: d.title.clone(),
        kind: d.kind.code(),
        unit,
        occurred_on: kvalitet_domain::shown_date(d.occurred_on, d.undated),
        reported_on: kvalitet_domain::shown_date(d.reported_on, d.undated),
        status: d.status.code(),
        complainant: d.complainant.map_or("", |c| c.code()),
        channel: d.channel.map_or("", |c| c.code()),
        description: blocks(&d.description),
        feedback: blocks(&d.feedback),
        voided_on: d.voided_on.map(|v| v.to_string()).unwrap_or_default(),
        void_reason: blocks(&d.void_reason),
        history,
        form,
    })
}

/// `GET /mina-rapporter/{id}`: one's own report; `?mottagen=1` (right after
/// registering) makes it the receipt.
pub async fn show(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> WebResult<ReportPage> {
    let d = own_report(&state, &user, &id).await?;
    let flags = (q.contains_key("mottagen"), q.contains_key("kompletterad"));
    report_page(&state, &user, &d, flags, FormState::default()).await
}

/// `POST /mina-rapporter/{id}/komplettering`: the reporter adds information; the unit's
/// managers are told when mails are sent.
pub async fn add_information(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    Form(values): Form<HashMap<String, String>>,
) -> WebResult<Response> {
    user.check_csrf(values.get("csrf").map_or("", String::as_str))?;
    let d = own_report(&state, &user, &id).await?;
    let mut form = FormState::new(values);
    let event = DeviationEvent {
        deviation_id: d.id,
        happened_on: today(),
        actor: user.session.account.display_name.clone(),
        kind: DeviationEventKind::InformationAdded,
        from_value: String::new(),
        to_value: String::new(),
        text: form.value("text").trim().to_owned(),
        for_reporter: true,
    };
    // Read again in the writing transaction: a report voided meanwhile takes nothing.
    let mut tx = state.store.write(&user.actor()).await?;
    let current = repo::get::<Deviation>(&mut tx, d.id).await?;
    if current.is_voided() {
        form.push("text", NOT_ON_VOIDED);
    } else if let Err(v) = event.validate() {
        form.add_validation(&v, |_| "Informationen");
    }
    if form.has_errors() {
        drop(tx);
        let page = report_page(&state, &user, &current, (false, false), form).await?;
        return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    deviations::record_event(&mut tx, &event).await?;
    if state.mail {
        let unit = repo::get::<kvalitet_domain::org::OrgUnit>(&mut tx, d.unit_id).await?;
        kvalitet_store::mail::information_added(&mut tx, d.id, &current.item, &unit.name).await?;
    }
    tx.commit().await?;
    Ok(Redirect::to(&format!("/mina-rapporter/{}?kompletterad=1#historik", d.id)).into_response())
}
