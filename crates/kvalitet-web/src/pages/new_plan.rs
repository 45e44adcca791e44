//! A new quality plan for a part of the organisation and a year (`/planer/ny`), for
//! whoever may edit plans there: empty, or a copy of another plan the user may read;
//! next year's plan from this year's is the roll-over on the plan's own page.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};

use kvalitet_domain::Code;
use kvalitet_domain::Id;
use kvalitet_domain::access::Permission;
use kvalitet_domain::labels::Label;
use kvalitet_domain::org::OrgUnitId;
use kvalitet_domain::plan::{PlanId, QualityPlan, TableLayout};
use kvalitet_store::{StoreError, org, plans};

use crate::auth::{Nav, User};
use crate::error::{WebError, WebResult};
use crate::forms::FormState;
use crate::pages::accounts::Choice;
use crate::pages::deviations::today;
use crate::router::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "plan_new.html")]
pub struct NewPlanPage {
    pub nav: Nav,
    pub units: Vec<Choice>,
    /// Plans the user may read, to start from a copy.
    pub sources: Vec<Choice>,
    /// How the documents set out the risk tables (the empty choice is the default).
    pub layouts: Vec<Choice>,
    pub form: FormState,
}

/// The parts of the tree where the user may edit plans, in tree order.
pub(super) async fn units(state: &AppState, user: &User) -> WebResult<Vec<(OrgUnitId, String, String)>> {
    let mut conn = state.store.read().await?;
    let all = org::units(&mut conn, user.session.account.tenant_id).await?;
    let mut out = Vec::new();
    let mut stack: Vec<(OrgUnitId, usize)> = all.iter().filter(|u| u.parent_id.is_none()).map(|u| (u.id, 0)).collect();
    while let Some((id, depth)) = stack.pop() {
        let Some(u) = all.iter().find(|u| u.id == id) else { continue };
        if user.may(Permission::EditPlan, u.id) {
            out.push((u.id, u.name.clone(), format!("{}{}", "– ".repeat(depth), u.name)));
        }
        let mut children: Vec<_> = all.iter().filter(|c| c.parent_id == Some(id)).collect();
        children.sort_by(|a, b| b.name.cmp(&a.name));
        stack.extend(children.into_iter().map(|c| (c.id, depth + 1)));
    }
    Ok(out)
}

/// The plans the user may read, newest first, to copy from.
async fn sources(state: &AppState, user: &User) -> WebResult<Vec<(PlanId, String)>> {
    let mut conn = state.store.read().await?;
    let all = plans::list_plans(&mut conn, user.session.account.tenant_id).await?;
    Ok(all.into_iter().filter(|p| user.may(p.read_permission(), p.scope_id)).map(|p| (p.id, p.title.clone())).collect())
}

/// What a form for a new plan or report names: a part of the tree the user may edit
/// plans in, the year and the title.
pub(super) struct Named {
    pub scope: OrgUnitId,
    pub scope_name: String,
    pub year: i64,
    pub title: String,
}

/// Reads the part of the tree, the year and the title (`{kind} {year} {part}` when left
/// empty) from `form`; `None` when no part the user may edit was chosen. `subject` ends
/// the messages: "som planen gäller", "som berättelsen gäller".
pub(super) fn named(
    form: &mut FormState,
    units: &[(OrgUnitId, String, String)],
    kind: &str,
    subject: &str,
) -> Option<Named> {
    let scope = form.value("scope").trim().parse::<i64>().ok().map(Id::new);
    let Some((scope, scope_name, _)) = units.iter().find(|(id, ..)| Some(*id) == scope).cloned() else {
        form.push("scope", format!("Välj den del av organisationen {subject}."));
        return None;
    };
    let year = form.count("year");
    if year.is_none() && form.error("year").is_empty() {
        form.push("year", format!("Ange vilket år {subject}."));
    }
    let year = year.unwrap_or(0);
    let title = match form.value("title").trim() {
        "" => format!("{kind} {year} {scope_name}"),
        t => t.to_owned(),
    };
    Some(Named { scope, scope_name, year, title })
}

/// Puts why creating failed on the form (invalid fields, or one already there for the
/// part and year: `duplicate`); other errors are passed on.
pub(super) fn creation_failed(form: &mut FormState, e: StoreError, duplicate: String) -> WebResult<()> {
    match e {
        StoreError::Invalid(v) => form.add_validation(&v, |f| match f {
            "year" => "Året",
            _ => "Rubriken",
        }),
        StoreError::Database(e) if e.as_database_error().is_some_and(|d| d.is_unique_violation()) => {
            form.push("year", duplicate)
        }
        e => return Err(WebError::from(e)),
    }
    Ok(())
}

fn page(
    user: &User,
    units: &[(OrgUnitId, String, String)],
    sources: &[(PlanId, String)],
    form: FormState,
) -> NewPlanPage {
    let choices =
        units.iter().map(|(id, _, label)| Choice { value: id.get().to_string(), label: label.clone() }).collect();
    let sources = sources
        .iter()
        .map(|(id, title)| Choice { value: id.get().to_string(), label: format!("Kopia av {title}") })
        .collect();
    let layouts = [TableLayout::Combined]
        .iter()
        .map(|l| Choice { value: l.code().to_owned(), label: l.label().to_owned() })
        .collect();
    NewPlanPage { nav: user.nav(), units: choices, sources, layouts, form }
}

pub async fn form(State(state): State<AppState>, user: User) -> WebResult<NewPlanPage> {
    user.require_somewhere(Permission::EditPlan)?;
    let units = units(&state, &user).await?;
    let sources = sources(&state, &user).await?;
    // In the autumn, next year's plan is the one being written.
    let today = today();
    let year = if today.month() >= 9 { today.year() + 1 } else { today.year() };
    let form = FormState::new(HashMap::from([("year".to_owned(), year.to_string())]));
    Ok(page(&user, &units, &sources, form))
}

pub async fn create(
    State(state): State<AppState>,
    user: User,
    Form(values): Form<HashMap<String, String>>,
) -> WebResult<Response> {
    user.check_csrf(values.get("csrf").map_or("", String::as_str))?;
    user.require_somewhere(Permission::EditPlan)?;
    let units = units(&state, &user).await?;
    let sources = sources(&state, &user).await?;
    let mut form = FormState::new(values);
    let Some(Named { scope, scope_name, year, title }) = named(&mut form, &units, "Kvalitetsplan", "som planen gäller")
    else {
        return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page(&user, &units, &sources, form)).into_response());
    };
    // A copy only of a plan the user may read (the list offered); anything else is refused.
    let from = match form.value("from").trim() {
        "" => None,
        v => match sources.iter().find(|(id, _)| id.get().to_string() == v) {
            Some((id, _)) => Some(*id),
            None => {
                form.push("from", "Välj en plan i listan, eller en tom plan.");
                None
            }
        },
    };
    let table_layout = match form.value("table_layout").trim() {
        "" => TableLayout::Separate,
        v => TableLayout::from_code(v).unwrap_or_else(|| {
            form.push("table_layout", "Välj en uppställning i listan.");
            TableLayout::Separate
        }),
    };
    let plan = QualityPlan::draft(user.session.account.tenant_id, scope, year, title, table_layout);
    if !form.has_errors() {
        let mut tx = state.store.write(&user.actor()).await?;
        let created = match from {
            Some(from) => plans::copy_plan(&mut tx, from, scope, year, plan.title.clone(), today()).await,
            None => plans::create(&mut tx, &plan).await,
        };
        match created {
            Ok(id) => {
                tx.commit().await?;
                return Ok(Redirect::to(&format!("/planer/{id}")).into_response());
            }
            Err(e) => creation_failed(&mut form, e, format!("Det finns redan en plan för {scope_name} {year}."))?,
        }
    }
    Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page(&user, &units, &sources, form)).into_response())
}
