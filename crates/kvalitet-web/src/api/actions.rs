//! Actions: one with its follow-ups; a new action in a plan, a change (with the version
//! read, 409 if someone changed it since), and a follow-up (its new status), through the
//! same validated store functions as the pages.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use kvalitet_domain::access::Permission;
use kvalitet_domain::action::{Action, ActionFollowUp, ActionStatus};
use kvalitet_domain::plan::QualityPlan;
use kvalitet_domain::{Code, Versioned};
use kvalitet_store::{Column, Where, plans, repo};

use super::body::{self, Kind};
use super::model::{ActionOut, FollowUpOut};
use super::principal::Caller;
use super::problem::{ApiResult, ReadRefusals, WriteRefusals};
use crate::forms::FormState;
use crate::router::AppState;

#[derive(Debug, Serialize, ToSchema)]
#[schema(description = "En åtgärd med dess uppföljningar, äldst först.")]
pub struct ActionDetail {
    pub action: ActionOut,
    pub follow_ups: Vec<FollowUpOut>,
}

async fn detail(state: &AppState, action: &Versioned<Action>) -> ApiResult<ActionDetail> {
    let mut conn = state.store.read().await?;
    let mut follow_ups: Vec<Versioned<ActionFollowUp>> =
        repo::list(&mut conn, Where::sql("action_id = $1", vec![action.id.to_value()])).await?;
    follow_ups.sort_by_key(|f| (f.entry_on, f.id));
    Ok(ActionDetail { action: ActionOut::from(action), follow_ups: follow_ups.iter().map(FollowUpOut::from).collect() })
}

/// The action `id` and its plan, if the caller may read the plan.
async fn readable(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> ApiResult<(Versioned<Action>, Versioned<QualityPlan>)> {
    let action = super::record::<Action>(state, id).await?;
    let plan = super::readable_plan(state, caller, action.plan_id).await?;
    Ok((action, plan))
}

// One action with its follow-ups.
#[utoipa::path(
    get,
    path = "/api/v1/atgarder/{id}",
    summary = "En åtgärd med dess uppföljningar.",
    tag = "Åtgärder",
    params(("id" = i64, Path, description = "Åtgärdens nummer")),
    responses(
        (status = 200, description = "Åtgärden", body = ActionDetail),
        ReadRefusals,
    ),
    security(("nyckel" = []), ("inloggning" = []))
)]
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<ActionDetail>> {
    let (action, _) = readable(&state, &caller, &id).await?;
    Ok(Json(detail(&state, &action).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(description = "En ny åtgärd.")]
#[serde(deny_unknown_fields)]
#[allow(dead_code, reason = "the OpenAPI description of the body, which is read by `ACTION_FIELDS`")]
pub struct ActionIn {
    #[schema(min_length = 1, max_length = 300)]
    title: String,
    #[schema(max_length = 20000)]
    description: Option<String>,
    /// Ansvarig, som text.
    #[schema(max_length = 120)]
    responsible: Option<String>,
    #[schema(format = Date)]
    due_on: Option<String>,
    /// `planned` om den inte anges.
    #[schema(schema_with = super::schema::optional_action_status)]
    status: Option<String>,
    /// Krävs när statusen är `withdrawn`.
    #[schema(max_length = 20000)]
    withdrawn_reason: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(description = "En åtgärds nya innehåll, med versionen som lästes.")]
#[serde(deny_unknown_fields)]
#[allow(dead_code, reason = "the OpenAPI description of the body, which is read by `ACTION_FIELDS`")]
pub struct ActionChange {
    /// Versionen som lästes; 409 om den inte längre är aktuell.
    version: i64,
    #[schema(min_length = 1, max_length = 300)]
    title: String,
    #[schema(max_length = 20000)]
    description: Option<String>,
    #[schema(max_length = 120)]
    responsible: Option<String>,
    #[schema(format = Date)]
    due_on: Option<String>,
    /// Oförändrad om den inte anges.
    #[schema(schema_with = super::schema::optional_action_status)]
    status: Option<String>,
    /// Krävs när statusen är `withdrawn`.
    #[schema(max_length = 20000)]
    withdrawn_reason: Option<String>,
}

const ACTION_FIELDS: &[(&str, Kind)] = &[
    ("title", Kind::Text),
    ("description", Kind::Text),
    ("responsible", Kind::Text),
    ("due_on", Kind::Filled),
    ("status", Kind::Filled),
    ("withdrawn_reason", Kind::Text),
];

/// A change's fields: the action's and its version.
const CHANGE_FIELDS: &[(&str, Kind)] = &[
    ("version", Kind::Integer),
    ("title", Kind::Text),
    ("description", Kind::Text),
    ("responsible", Kind::Text),
    ("due_on", Kind::Filled),
    ("status", Kind::Filled),
    ("withdrawn_reason", Kind::Text),
];

/// The action the form describes, on top of `base`.
fn apply(form: &mut FormState, base: &Action) -> Action {
    let due_on = if form.value("due_on").trim().is_empty() { None } else { form.date("due_on", "ett datum") };
    let status = match form.value("status").trim() {
        "" => base.status,
        code => ActionStatus::from_code(code).unwrap_or_else(|| {
            let all: Vec<&str> = ActionStatus::ALL.iter().map(|s| s.code()).collect();
            form.push("status", format!("Okänd status; välj en av {}.", all.join(", ")));
            base.status
        }),
    };
    let reason = form.value("withdrawn_reason").trim().to_owned();
    Action {
        title: form.value("title").trim().to_owned(),
        description: form.value("description").trim().to_owned(),
        responsible: form.value("responsible").trim().to_owned(),
        due_on,
        status,
        withdrawn_reason: (!reason.is_empty()).then_some(reason),
        ..base.clone()
    }
}

fn created(location: String, body: impl Serialize) -> Response {
    (StatusCode::CREATED, [(header::LOCATION, location)], Json(body)).into_response()
}

// Adds an action to a plan (for those who may edit the plan).
#[utoipa::path(
    post,
    path = "/api/v1/planer/{id}/atgarder",
    summary = "Lägger till en åtgärd i en plan (för den som får ändra planen).",
    tag = "Åtgärder",
    params(("id" = i64, Path, description = "Planens nummer")),
    request_body = ActionIn,
    responses(
        (status = 201, description = "Åtgärden är sparad", body = ActionDetail),
        WriteRefusals,
    ),
    security(("nyckel" = []), ("inloggning" = []))
)]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> ApiResult<Response> {
    let plan = super::readable_plan(&state, &caller, super::id::<QualityPlan>(&id)?).await?;
    caller.user.require(Permission::EditPlan, plan.scope_id)?;
    let mut form = body::form(&headers, &bytes, ACTION_FIELDS)?;
    let blank = Action {
        plan_id: plan.id,
        title: String::new(),
        description: String::new(),
        responsible: String::new(),
        responsible_account_id: None,
        due_on: None,
        status: ActionStatus::Planned,
        withdrawn_reason: None,
        previous_action_id: None,
        sort_order: 1000,
    };
    let action = apply(&mut form, &blank);
    if form.has_errors() {
        return Err(body::refused(form));
    }
    let mut tx = state.store.write(&caller.actor).await?;
    let id = plans::create(&mut tx, &action).await?;
    tx.commit().await?;
    let saved = super::record::<Action>(&state, &id.to_string()).await?;
    Ok(created(format!("/api/v1/atgarder/{id}"), detail(&state, &saved).await?))
}

// Changes an action (for those who may edit its plan): the whole content, with the
// version read; 409 if it has changed since.
#[utoipa::path(
    put,
    path = "/api/v1/atgarder/{id}",
    summary = "Ändrar en åtgärd (för den som får ändra planen): hela innehållet, med versionen som lästes; 409 om den har ändrats sedan dess.",
    tag = "Åtgärder",
    params(("id" = i64, Path, description = "Åtgärdens nummer")),
    request_body = ActionChange,
    responses(
        (status = 200, description = "Åtgärden är ändrad", body = ActionDetail),
        WriteRefusals,
    ),
    security(("nyckel" = []), ("inloggning" = []))
)]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> ApiResult<Json<ActionDetail>> {
    let (action, plan) = readable(&state, &caller, &id).await?;
    caller.user.require(Permission::EditPlan, plan.scope_id)?;
    let mut form = body::form(&headers, &bytes, CHANGE_FIELDS)?;
    let version = body::version(&mut form);
    let changed = apply(&mut form, &action);
    let Some(version) = version.filter(|_| !form.has_errors()) else { return Err(body::refused(form)) };
    let mut tx = state.store.write(&caller.actor).await?;
    plans::save(&mut tx, action.id, version, &changed).await?;
    tx.commit().await?;
    let saved = super::record::<Action>(&state, &id).await?;
    Ok(Json(detail(&state, &saved).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(description = "En uppföljning av en åtgärd.")]
#[serde(deny_unknown_fields)]
#[allow(dead_code, reason = "the OpenAPI description of the body, which is read by `FOLLOW_UP_FIELDS`")]
pub struct FollowUpIn {
    /// Åtgärdens version som lästes.
    version: i64,
    /// Uppföljningens dag: planens år eller senare, inte i framtiden.
    #[schema(format = Date)]
    entry_on: String,
    #[schema(max_length = 20000)]
    text: Option<String>,
    /// Åtgärdens status efter uppföljningen.
    #[schema(schema_with = super::schema::action_status)]
    new_status: String,
}

const FOLLOW_UP_FIELDS: &[(&str, Kind)] =
    &[("version", Kind::Integer), ("entry_on", Kind::Filled), ("text", Kind::Text), ("new_status", Kind::Filled)];

// Follows an action up (for those who may record follow-ups in its plan); its status
// becomes the follow-up's. 409 if the action has changed since the version read.
#[utoipa::path(
    post,
    path = "/api/v1/atgarder/{id}/uppfoljningar",
    summary = "Följer upp en åtgärd (för den som får registrera uppföljning i planen); åtgärden får uppföljningens status. 409 om åtgärden har ändrats sedan versionen som lästes.",
    tag = "Åtgärder",
    params(("id" = i64, Path, description = "Åtgärdens nummer")),
    request_body = FollowUpIn,
    responses(
        (status = 201, description = "Uppföljningen är sparad", body = ActionDetail),
        WriteRefusals,
    ),
    security(("nyckel" = []), ("inloggning" = []))
)]
pub async fn follow_up(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> ApiResult<Response> {
    let (action, plan) = readable(&state, &caller, &id).await?;
    caller.user.require(Permission::RecordFollowUp, plan.scope_id)?;
    let mut form = body::form(&headers, &bytes, FOLLOW_UP_FIELDS)?;
    let version = body::version(&mut form);
    let entry = crate::pages::follow_up::parse_follow_up(&mut form, &action, &plan, caller.name());
    let Some(version) = version.filter(|_| !form.has_errors()) else { return Err(body::refused(form)) };
    let mut tx = state.store.write(&caller.actor).await?;
    plans::follow_up_action(&mut tx, version, &entry).await?;
    tx.commit().await?;
    let saved = super::record::<Action>(&state, &id).await?;
    Ok(created(format!("/api/v1/atgarder/{id}"), detail(&state, &saved).await?))
}
