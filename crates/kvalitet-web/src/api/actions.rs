//! Actions: one with its follow-ups, and a follow-up (its new status), through the same
//! validated store functions as the pages. A new action and a change are `writes.rs`'s.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use kvalitet_domain::Versioned;
use kvalitet_domain::access::Permission;
use kvalitet_domain::action::{Action, ActionFollowUp};
use kvalitet_domain::plan::QualityPlan;
use kvalitet_store::{Column, Where, plans, repo};

use super::body::{self, Kind};
use super::model::{ActionOut, FollowUpOut};
use super::principal::Caller;
use super::problem::{ApiResult, ReadRefusals, WriteRefusals};
use super::writes::Writable;
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

fn created(location: String, body: impl Serialize) -> Response {
    (StatusCode::CREATED, [(header::LOCATION, location)], Json(body)).into_response()
}

impl Writable for Action {
    const API: &'static str = "atgarder";
    const TAG: &'static str = "Åtgärder";
    const ONE: &'static str = "en åtgärd";
    const DETAIL: &'static str = "ActionDetail";
    const BODY: &'static str = "Action";
    type Detail = ActionDetail;
    async fn detail(state: &AppState, item: &Versioned<Self>) -> ApiResult<ActionDetail> {
        detail(state, item).await
    }
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
