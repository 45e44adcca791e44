//! Voiding (makulering) a duplicate or mistaken deviation report: the unit's handler
//! gives a reason; the report stays stored and in the audit log, with its history, but
//! leaves every list and count (the domain's counts skip voided reports).

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use kvalitet_domain::access::Permission;
use kvalitet_domain::deviation::{Deviation, DeviationEvent, DeviationEventKind};
use kvalitet_domain::validate::limits;
use kvalitet_domain::{Code, ValidationErrors, Versioned};
use kvalitet_store::{audit, deviations, repo};

use crate::auth::{Nav, User};
use crate::error::{WebError, WebResult};
use crate::forms::FormState;
use crate::pages::deviations::today;
use crate::router::AppState;
use crate::text::{Block, blocks};

#[derive(Template, WebTemplate)]
#[template(path = "deviation_void.html")]
pub struct VoidPage {
    pub nav: Nav,
    /// The report's page.
    pub href: String,
    pub version: i64,
    pub reference: String,
    pub title: String,
    pub kind: &'static str,
    pub reported_on: String,
    /// When it was voided, if it is; then there is no form.
    pub voided_on: String,
    pub void_reason: Vec<Block>,
    /// Someone else changed the report while the form was open.
    pub conflict: bool,
    pub form: FormState,
}

/// The report, if it is of the user's municipality (else not found) and the user may
/// handle its unit's deviations (else forbidden).
fn check(user: &User, d: &Versioned<Deviation>) -> WebResult<()> {
    if d.tenant_id != user.session.account.tenant_id {
        return Err(WebError::NotFound);
    }
    user.require(Permission::HandleDeviation, d.unit_id)
}

async fn page(
    state: &AppState,
    user: &User,
    d: &Versioned<Deviation>,
    form: FormState,
    conflict: bool,
) -> WebResult<VoidPage> {
    let mut tx = state.store.write(&user.actor()).await?;
    audit::record_read(&mut tx, "deviation", d.id.get()).await?;
    tx.commit().await?;
    Ok(VoidPage {
        nav: user.nav(),
        href: format!("/avvikelser/{}", d.id),
        version: d.version,
        reference: d.reference(d.id),
        title: d.title.clone(),
        kind: d.kind.code(),
        reported_on: kvalitet_domain::shown_date(d.reported_on, d.undated),
        voided_on: d.voided_on.map(|v| v.to_string()).unwrap_or_default(),
        void_reason: blocks(&d.void_reason),
        conflict,
        form,
    })
}

/// `GET /avvikelser/{id}/makulera`: the form asking for the reason (or, for a voided
/// report, when and why it was voided).
pub async fn form(State(state): State<AppState>, user: User, Path(id): Path<String>) -> WebResult<VoidPage> {
    let id = crate::pages::parse_id::<Deviation>(&id)?;
    let mut conn = state.store.read().await?;
    let d = repo::get::<Deviation>(&mut conn, id).await?;
    drop(conn);
    check(&user, &d)?;
    page(&state, &user, &d, FormState::default(), false).await
}

/// `POST /avvikelser/{id}/makulera`: voids the report with the reason, once, if the
/// version read is still current, and records it in the report's history (which the
/// reporter sees, with the reason).
pub async fn submit(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    Form(values): Form<HashMap<String, String>>,
) -> WebResult<Response> {
    change(&state, &user, &id, values, true).await
}

/// `POST /avvikelser/{id}/makulera/hav`: a report voided by mistake counts again; the
/// reason is recorded in its history beside the voiding's.
pub async fn restore(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    Form(values): Form<HashMap<String, String>>,
) -> WebResult<Response> {
    change(&state, &user, &id, values, false).await
}

/// Voids (`void`) or restores the report, with a reason, if the version read is current
/// and the report is not already so.
async fn change(
    state: &AppState,
    user: &User,
    id: &str,
    values: HashMap<String, String>,
    void: bool,
) -> WebResult<Response> {
    let d = crate::pages::posted_on::<Deviation>(state, user, id, &values).await?;
    check(user, &d)?;
    if d.is_voided() == void {
        let page = page(state, user, &d, FormState::default(), false).await?;
        return Ok((StatusCode::CONFLICT, page).into_response());
    }
    let mut form = FormState::new(values);
    let field = if void { "reason" } else { "restore_reason" };
    let reason = form.value(field).trim().to_owned();
    let mut v = ValidationErrors::default();
    v.text(field, &reason, limits::TEXT);
    form.add_validation(&v, |_| "Skälet");
    if form.has_errors() {
        let page = page(state, user, &d, form, false).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let today = today();
    let next = if void {
        Deviation { voided_on: Some(today), void_reason: reason.clone(), ..d.item.clone() }
    } else {
        Deviation { voided_on: None, void_reason: String::new(), ..d.item.clone() }
    };
    let version = form.value("version").parse::<i64>().unwrap_or(0);
    let mut tx = state.store.write(&user.actor()).await?;
    match repo::update(&mut tx, d.id, version, &next).await {
        Ok(_) => {
            let event = DeviationEvent {
                deviation_id: d.id,
                happened_on: today,
                actor: user.session.account.display_name.clone(),
                kind: if void { DeviationEventKind::Voided } else { DeviationEventKind::Restored },
                from_value: String::new(),
                to_value: String::new(),
                text: reason,
                for_reporter: true,
            };
            deviations::record_event(&mut tx, &event).await?;
            tx.commit().await?;
            Ok(Redirect::to(&format!("/avvikelser/{}", d.id)).into_response())
        }
        Err(kvalitet_store::StoreError::Conflict { .. }) => {
            drop(tx);
            let mut conn = state.store.read().await?;
            let now = repo::get::<Deviation>(&mut conn, d.id).await?;
            drop(conn);
            let page = page(state, user, &now, form, true).await?;
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
