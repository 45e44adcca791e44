//! One document's own furniture on the plan's "Dokument" page: the board's reference
//! (diarienummer), the date of the board meeting and the status, per document (plan,
//! follow-up, report) of the plan's scope and year, set by those who may edit the plan
//! (`POST /planer/{id}/dokument`). The stored version of a decided document keeps what
//! they were when it was stored; today's version and later decisions use the new ones.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use sqlx::AnyConnection;

use kvalitet_documents::DocumentKind;
use kvalitet_domain::access::Permission;
use kvalitet_domain::plan::QualityPlan;
use kvalitet_domain::{Date, Versioned};
use kvalitet_store::document_settings::{self, DocumentDetails};
use kvalitet_store::{StoreError, repo};

use crate::auth::User;
use crate::error::{WebError, WebResult};
use crate::forms::{DATE_YEARS, FormState, parse_date};
use crate::router::AppState;

/// One field of a document's form; its name (and id) carries the document's kind, so
/// the forms of the page's documents do not share ids.
pub struct FieldV {
    pub name: String,
    pub label: &'static str,
    pub hint: &'static str,
}

/// A document's details on the page: the form's version and fields.
pub struct DetailsV {
    pub version: i64,
    /// Whether anything is set (for readers, who see the values, not the form).
    pub any: bool,
    pub fields: Vec<FieldV>,
}

fn field(name: &str, kind: DocumentKind) -> String {
    format!("{name}-{}", kind.code())
}

/// The stored details of `kind` for the plan's scope and year, as form values (put in
/// `values`) and the form's fields.
pub async fn details_of(
    conn: &mut AnyConnection,
    plan: &Versioned<QualityPlan>,
    kind: DocumentKind,
    values: &mut HashMap<String, String>,
) -> WebResult<DetailsV> {
    let stored = document_settings::details(conn, plan.tenant_id, kind.code(), plan.year, plan.scope_id).await?;
    values.insert(field("reference", kind), stored.reference.clone());
    values.insert(field("meeting_on", kind), stored.meeting_on.map(|d| d.to_string()).unwrap_or_default());
    values.insert(field("status", kind), stored.status.clone());
    let reference_hint = match kind {
        DocumentKind::Plan => {
            "Nämndens diarienummer för ärendet. Lämnas det tomt visas diarienumret från beslutet att anta planen, om det finns."
        }
        _ => "Nämndens diarienummer för ärendet.",
    };
    let meeting_hint = match kind {
        DocumentKind::Plan => {
            "Datum för nämndens sammanträde, ÅÅÅÅ-MM-DD. Lämnas det tomt visas datumet då planen antogs, om den är antagen."
        }
        _ => "Datum för nämndens sammanträde, ÅÅÅÅ-MM-DD.",
    };
    Ok(DetailsV {
        version: stored.version,
        any: !stored.reference.is_empty() || stored.meeting_on.is_some() || !stored.status.is_empty(),
        fields: vec![
            FieldV { name: field("reference", kind), label: "Diarienummer", hint: reference_hint },
            FieldV { name: field("meeting_on", kind), label: "Sammanträdesdatum", hint: meeting_hint },
            FieldV {
                name: field("status", kind),
                label: "Status",
                hint: "Dokumentets status i ord, till exempel Förslag till nämnden eller Antagen av socialnämnden.",
            },
        ],
    })
}

/// An optional date typed `ÅÅÅÅ-MM-DD`.
fn optional_date(form: &mut FormState, name: &str) -> Option<Date> {
    let raw = form.value(name).trim().to_owned();
    if raw.is_empty() {
        return None;
    }
    match parse_date(&raw) {
        Some(d) if DATE_YEARS.contains(&d.year()) => Some(d),
        _ => {
            form.push(name, "Sammanträdesdatum: ange datum som ÅÅÅÅ-MM-DD, till exempel 2024-03-31.");
            None
        }
    }
}

/// Saves one document's details (`typ` names the document), or shows the page again with
/// the form's errors.
pub async fn save(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    Form(values): Form<HashMap<String, String>>,
) -> WebResult<Response> {
    user.check_csrf(values.get("csrf").map_or("", String::as_str))?;
    let plan_id = super::parse_id::<QualityPlan>(&id)?;
    let mut conn = state.store.read().await?;
    let plan = repo::get::<QualityPlan>(&mut conn, plan_id).await?;
    drop(conn);
    if plan.tenant_id != user.session.account.tenant_id {
        return Err(WebError::NotFound);
    }
    user.require(Permission::EditPlan, plan.scope_id)?;
    let mut form = FormState::new(values);
    let Some(kind) = DocumentKind::from_code(form.value("typ")) else {
        form.push(
            &field("reference", DocumentKind::Plan),
            "Dokument: välj kvalitetsplanen, uppföljningen eller kvalitetsberättelsen.",
        );
        return refused(&state, &user, &id, form, false).await;
    };
    let meeting_on = optional_date(&mut form, &field("meeting_on", kind));
    let details = DocumentDetails {
        tenant_id: plan.tenant_id,
        kind: kind.code().to_owned(),
        year: plan.year,
        scope_id: plan.scope_id,
        reference: form.value(&field("reference", kind)).trim().to_owned(),
        meeting_on,
        status: form.value(&field("status", kind)).trim().to_owned(),
    };
    if let Err(e) = details.validate() {
        for fe in &e.errors {
            let label = if fe.field == "status" { "Status:" } else { "Diarienummer:" };
            form.push(&field(fe.field, kind), format!("{label} {}.", fe.problem));
        }
    }
    if form.has_errors() {
        return refused(&state, &user, &id, form, false).await;
    }
    let version = form.value("version").parse::<i64>().unwrap_or(-1);
    let mut tx = state.store.write(&user.actor()).await?;
    match document_settings::save_details(&mut tx, &details, version).await {
        Ok(_) => {
            tx.commit().await?;
            Ok(Redirect::to(&format!("/planer/{id}/dokument?sparat={}#uppgifter-{}", kind.code(), kind.code()))
                .into_response())
        }
        Err(StoreError::Conflict { .. }) => {
            drop(tx);
            refused(&state, &user, &id, form, true).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn refused(state: &AppState, user: &User, id: &str, form: FormState, conflict: bool) -> WebResult<Response> {
    let status = if conflict { StatusCode::CONFLICT } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = super::documents::render(state, user, id, Some(form), conflict, None).await?;
    Ok((status, page).into_response())
}
