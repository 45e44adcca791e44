//! A new Kvalitetsberättelse for a part of the organisation and a year
//! (`/berattelser/ny`), for whoever may edit plans there: a draft whose sections are
//! pre-filled from what the year recorded (`kvalitet_documents::report_draft`).

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use kvalitet_documents::report_draft::report_draft;
use kvalitet_domain::access::Permission;
use kvalitet_domain::org::OrgUnitId;
use kvalitet_domain::plan::Section;
use kvalitet_domain::report::{QualityReport, ReportState};
use kvalitet_store::{org, plans, reports};

use crate::auth::{Nav, User};
use crate::error::WebResult;
use crate::forms::FormState;
use crate::pages::accounts::Choice;
use crate::pages::deviations::today;
use crate::pages::new_plan::{Named, creation_failed, named, units};
use crate::router::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "report_new.html")]
pub struct NewReportPage {
    pub nav: Nav,
    pub units: Vec<Choice>,
    pub form: FormState,
}

fn page(user: &User, units: &[(OrgUnitId, String, String)], form: FormState) -> NewReportPage {
    let choices =
        units.iter().map(|(id, _, label)| Choice { value: id.get().to_string(), label: label.clone() }).collect();
    NewReportPage { nav: user.nav(), units: choices, form }
}

pub async fn form(State(state): State<AppState>, user: User) -> WebResult<NewReportPage> {
    user.require_somewhere(Permission::EditPlan)?;
    let units = units(&state, &user).await?;
    // The report tells of the year that has ended; until March, that is last year.
    let today = today();
    let year = if today.month() <= 3 { today.year() - 1 } else { today.year() };
    let form = FormState::new(HashMap::from([("year".to_owned(), year.to_string())]));
    Ok(page(&user, &units, form))
}

pub async fn create(
    State(state): State<AppState>,
    user: User,
    Form(values): Form<HashMap<String, String>>,
) -> WebResult<Response> {
    user.check_csrf(values.get("csrf").map_or("", String::as_str))?;
    user.require_somewhere(Permission::EditPlan)?;
    let units = units(&state, &user).await?;
    let mut form = FormState::new(values);
    let Some(Named { scope, scope_name, year, title }) =
        named(&mut form, &units, "Kvalitetsberättelse", "som berättelsen gäller")
    else {
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page(&user, &units, form)).into_response());
    };
    let tenant = user.session.account.tenant_id;
    let report = QualityReport {
        tenant_id: tenant,
        scope_id: scope,
        year,
        title,
        state: ReportState::Draft,
        submitted_on: None,
        board_reference: None,
    };
    if !form.has_errors() {
        let mut tx = state.store.write(&user.actor()).await?;
        // What the year recorded in the scope: its plans and its deviations (counted).
        let all_units = org::units(&mut tx, tenant).await?;
        let subtree = org::subtree(&all_units, scope);
        let mut bundles = Vec::new();
        for p in plans::list_plans(&mut tx, tenant).await? {
            if p.year == year && subtree.contains(&p.scope_id) {
                bundles.push(plans::load_bundle(&mut tx, p.id).await?);
            }
        }
        bundles.sort_by_key(|b| (subtree.iter().position(|u| *u == b.plan.scope_id), b.plan.id));
        let deviations = reports::deviations_of(&mut tx, tenant, (year, year), &subtree).await?;
        let sections: Vec<Section> = report_draft(year, &bundles, &deviations, today())
            .into_iter()
            .map(|d| Section {
                plan_id: None,
                report_id: None,
                kind: d.kind,
                heading: d.heading,
                body: d.body,
                sort_order: 0,
            })
            .collect();
        match reports::create_report(&mut tx, &report, &sections).await {
            Ok(id) => {
                tx.commit().await?;
                return Ok(Redirect::to(&format!("/berattelser/{id}")).into_response());
            }
            Err(e) => creation_failed(
                &mut form,
                e,
                format!("Det finns redan en kvalitetsberättelse för {scope_name} {year}."),
            )?,
        }
    }
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page(&user, &units, form)).into_response())
}
