//! The annual cycle: adopting a draft plan (the board's date and reference), marking an
//! adopted plan as followed up (likewise), and rolling an adopted plan into a draft for
//! the next year. Plan Y stays unchanged.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};

use kvalitet_domain::access::Permission;
use kvalitet_domain::plan::QualityPlan;
use kvalitet_store::{StoreError, plans, repo};

use crate::auth::User;
use crate::error::{WebError, WebResult};
use crate::forms::FormState;
use crate::pages::deviations::today;
use crate::pages::plan;
use crate::router::AppState;

async fn editable(state: &AppState, user: &User, id: &str) -> WebResult<kvalitet_domain::Versioned<QualityPlan>> {
    let id = super::parse_id::<QualityPlan>(id)?;
    let mut conn = state.store.read().await?;
    let plan = repo::get::<QualityPlan>(&mut conn, id).await?;
    if plan.tenant_id != user.session.account.tenant_id {
        return Err(WebError::NotFound);
    }
    user.require(Permission::EditPlan, plan.scope_id)?;
    Ok(plan)
}

/// A decision of the board that a form records on a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Decision {
    /// The plan is adopted.
    Adoption,
    /// The plan's follow-up is received.
    FollowUp,
}

impl Decision {
    /// The form's fields: the decision's date and the board's reference.
    fn fields(self) -> (&'static str, &'static str) {
        match self {
            Decision::Adoption => ("adopted_on", "board_reference"),
            Decision::FollowUp => ("followed_up_on", "follow_up_reference"),
        }
    }
}

/// Records the board's decision (date and reference) on a plan, or shows the plan again
/// with the form's errors.
async fn record_decision(
    state: AppState,
    user: User,
    id: String,
    values: HashMap<String, String>,
    decision: Decision,
) -> WebResult<Response> {
    user.check_csrf(values.get("csrf").map_or("", String::as_str))?;
    let plan = editable(&state, &user, &id).await?;
    let (date_field, reference_field) = decision.fields();
    let mut form = FormState::new(values);
    let on = form.date(date_field, "datum för nämndens beslut");
    if on.is_some_and(|d| d > today()) {
        form.push(date_field, "Datumet kan inte vara i framtiden.");
    }
    let reference = form.value(reference_field).trim().to_owned();
    if reference.is_empty() {
        form.push(reference_field, "Ange nämndens diarienummer eller paragraf.");
    }
    if decision == Decision::Adoption && plan.is_adopted() {
        form.push(date_field, "Planen är redan antagen.");
    }
    let version = form.value("version").parse::<i64>().unwrap_or(0);
    if let (Some(on), false) = (on, form.has_errors()) {
        let mut tx = state.store.write(&user.actor()).await?;
        let done = match decision {
            Decision::Adoption => plans::adopt(&mut tx, plan.id, version, on, &reference).await,
            Decision::FollowUp => plans::mark_followed_up(&mut tx, plan.id, version, on, &reference).await,
        };
        match done {
            Ok(_) => {
                // What the board decided on, stored in the same transaction.
                let kind = match decision {
                    Decision::Adoption => kvalitet_documents::DocumentKind::Plan,
                    Decision::FollowUp => kvalitet_documents::DocumentKind::FollowUp,
                };
                let subject = kvalitet_store::document_versions::Subject::Plan(plan.id.get());
                super::documents::freeze(&mut tx, &user, kind, subject, plan.scope_id, plan.year, on, &reference)
                    .await?;
                tx.commit().await?;
                return Ok(Redirect::to(&format!("/planer/{}", plan.id)).into_response());
            }
            Err(StoreError::Conflict { .. }) => form
                .push(date_field, "Planen har ändrats av någon annan medan du skrev. Ladda om sidan och försök igen."),
            Err(StoreError::Invalid(v)) => form.add_validation(&v, |f| {
                if f == date_field {
                    "Datumet"
                } else if f == reference_field {
                    "Diarienumret"
                } else {
                    "Planen"
                }
            }),
            Err(e) => return Err(e.into()),
        }
    }
    let page = plan::page(&state, &user, plan.id, form).await?;
    Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

pub async fn adopt(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    Form(values): Form<HashMap<String, String>>,
) -> WebResult<Response> {
    record_decision(state, user, id, values, Decision::Adoption).await
}

pub async fn follow_up(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    Form(values): Form<HashMap<String, String>>,
) -> WebResult<Response> {
    record_decision(state, user, id, values, Decision::FollowUp).await
}

pub async fn roll_over(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    Form(values): Form<HashMap<String, String>>,
) -> WebResult<Response> {
    user.check_csrf(values.get("csrf").map_or("", String::as_str))?;
    let plan = editable(&state, &user, &id).await?;
    let mut tx = state.store.write(&user.actor()).await?;
    match plans::roll_over_plan(&mut tx, plan.id, today()).await {
        Ok(next) => {
            tx.commit().await?;
            Ok(Redirect::to(&format!("/planer/{next}")).into_response())
        }
        Err(StoreError::Invalid(v)) => {
            drop(tx);
            let mut form = FormState::default();
            form.add_validation(&v, |_| "Planen");
            let page = plan::page(&state, &user, plan.id, form).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(StoreError::Database(e)) if e.as_database_error().is_some_and(|d| d.is_unique_violation()) => {
            drop(tx);
            let mut form = FormState::default();
            form.push("roll_over", "Det finns redan en plan för nästa år för den här delen av organisationen.");
            let page = plan::page(&state, &user, plan.id, form).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
