//! Correcting what was recorded: a self-inspection run changed or removed, with a reason
//! (`/genomforanden/{id}/rattelse`), by whoever may record runs for the self-inspection.
//! The change is audited and the correction is kept in the self-inspection's history.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};

use kvalitet_domain::access::Permission;
use kvalitet_domain::self_inspection::{SelfInspection, SelfInspectionRun, Verdict};
use kvalitet_domain::{Code, Versioned};
use kvalitet_store::{StoreError, plans, repo};

use crate::auth::{Nav, User};
use crate::error::WebResult;
use crate::forms::FormState;
use crate::pages::deviations::today;
use crate::pages::follow_up::{parse_run, readable_plan, si_unit};
use crate::router::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "run_correction.html")]
pub struct CorrectionPage {
    pub nav: Nav,
    pub si_href: String,
    pub si_title: String,
    pub href: String,
    pub version: i64,
    pub verdicts: Vec<&'static str>,
    pub form: FormState,
}

/// The run, its self-inspection, and the user's right to correct it.
async fn load(
    state: &AppState,
    user: &User,
    id: &str,
) -> WebResult<(Versioned<SelfInspectionRun>, Versioned<SelfInspection>, Versioned<kvalitet_domain::plan::QualityPlan>)>
{
    let id = super::parse_id::<SelfInspectionRun>(id)?;
    let mut conn = state.store.read().await?;
    let run = repo::get::<SelfInspectionRun>(&mut conn, id).await?;
    let si = repo::get::<SelfInspection>(&mut conn, run.self_inspection_id).await?;
    drop(conn);
    let plan = readable_plan(state, user, si.plan_id).await?;
    user.require(Permission::RecordFollowUp, si_unit(&si, &plan))?;
    Ok((run, si, plan))
}

fn page(
    user: &User,
    run: &Versioned<SelfInspectionRun>,
    si: &Versioned<SelfInspection>,
    form: FormState,
) -> CorrectionPage {
    CorrectionPage {
        nav: user.nav(),
        si_href: format!("/egenkontroller/{}", si.id),
        si_title: si.title.clone(),
        href: format!("/genomforanden/{}/rattelse", run.id),
        version: run.version,
        verdicts: Verdict::ALL.iter().map(|v| v.code()).collect(),
        form,
    }
}

pub async fn form(State(state): State<AppState>, user: User, Path(id): Path<String>) -> WebResult<CorrectionPage> {
    let (run, si, _) = load(&state, &user, &id).await?;
    let values = HashMap::from([
        ("run_on".to_owned(), run.run_on.to_string()),
        ("verdict".to_owned(), run.verdict.code().to_owned()),
        ("verdict_reason".to_owned(), run.verdict_reason.clone()),
        ("result_value".to_owned(), run.result_value.map(crate::format::number).unwrap_or_default()),
        ("sample_size".to_owned(), run.sample_size.map(|n| n.to_string()).unwrap_or_default()),
        ("comment".to_owned(), run.comment.clone()),
    ]);
    Ok(page(&user, &run, &si, FormState::new(values)))
}

pub async fn submit(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    Form(values): Form<HashMap<String, String>>,
) -> WebResult<Response> {
    user.check_csrf(values.get("csrf").map_or("", String::as_str))?;
    let (run, si, plan) = load(&state, &user, &id).await?;
    let mut form = FormState::new(values);
    let remove = form.value("remove") == "1";
    let version = form.value("version").parse::<i64>().unwrap_or(0);
    let reason = form.value("reason").trim().to_owned();
    if reason.is_empty() {
        form.push("reason", "Skriv varför genomförandet rättas eller tas bort.");
    }
    let next = if remove {
        None
    } else {
        // The run keeps who recorded it; the correction says who corrected it.
        Some(SelfInspectionRun { recorded_by: run.recorded_by.clone(), ..parse_run(&mut form, &si, &plan, "") })
    };
    if !form.has_errors() {
        let mut tx = state.store.write(&user.actor()).await?;
        let by = user.session.account.display_name.clone();
        match plans::correct_run(&mut tx, run.id, version, next.as_ref(), &reason, &by, today()).await {
            Ok(()) => {
                tx.commit().await?;
                return Ok(Redirect::to(&format!("/egenkontroller/{}#rattelser", si.id)).into_response());
            }
            Err(StoreError::Conflict { .. }) => form
                .push("reason", "Genomförandet har ändrats av någon annan under tiden. Läs in sidan och försök igen."),
            Err(StoreError::Invalid(v)) => form.add_validation(&v, |f| match f {
                "reason" => "Skälet",
                _ => "Värdet",
            }),
            Err(e) => return Err(e.into()),
        }
    }
    Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page(&user, &run, &si, form)).into_response())
}
