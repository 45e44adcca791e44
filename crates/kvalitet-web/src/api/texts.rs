//! A plan's texts: its sections and its focus areas, each read alone (a plan's are all in
//! the plan's read) and written through the forms (`writes.rs`). A report's sections are
//! not the API's: they are not found here.

use axum::Json;
use axum::extract::{Path, State};

use kvalitet_domain::Versioned;
use kvalitet_domain::plan::{FocusArea, Section};

use super::model::{FocusAreaOut, SectionOut};
use super::principal::Caller;
use super::problem::{ApiError, ApiResult, ReadRefusals};
use super::writes::Writable;
use crate::router::AppState;

// One section of a plan's text.
#[utoipa::path(
    get,
    path = "/api/v1/avsnitt/{id}",
    summary = "Ett avsnitt av en plans text.",
    tag = "Planer",
    params(("id" = i64, Path, description = "Avsnittets nummer")),
    responses(
        (status = 200, description = "Avsnittet", body = SectionOut),
        ReadRefusals,
    ),
    security(("nyckel" = []), ("inloggning" = []))
)]
pub async fn section(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<SectionOut>> {
    let section = super::record::<Section>(&state, &id).await?;
    super::readable_plan(&state, &caller, section.plan_id.ok_or(ApiError::NotFound)?).await?;
    Ok(Json(SectionOut::from(&section)))
}

// One focus area of a plan.
#[utoipa::path(
    get,
    path = "/api/v1/fokusomraden/{id}",
    summary = "Ett fokusområde eller särskilt uppdrag i en plan.",
    tag = "Planer",
    params(("id" = i64, Path, description = "Fokusområdets nummer")),
    responses(
        (status = 200, description = "Fokusområdet", body = FocusAreaOut),
        ReadRefusals,
    ),
    security(("nyckel" = []), ("inloggning" = []))
)]
pub async fn focus_area(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<FocusAreaOut>> {
    let focus = super::record::<FocusArea>(&state, &id).await?;
    super::readable_plan(&state, &caller, focus.plan_id).await?;
    Ok(Json(FocusAreaOut::from(&focus)))
}

impl Writable for Section {
    const API: &'static str = "avsnitt";
    const TAG: &'static str = "Planer";
    const ONE: &'static str = "ett avsnitt av planens text";
    const DETAIL: &'static str = "SectionOut";
    const BODY: &'static str = "Section";
    type Detail = SectionOut;
    async fn detail(_: &AppState, item: &Versioned<Self>) -> ApiResult<SectionOut> {
        Ok(SectionOut::from(item))
    }
}

impl Writable for FocusArea {
    const API: &'static str = "fokusomraden";
    const TAG: &'static str = "Planer";
    const ONE: &'static str = "ett fokusområde";
    const DETAIL: &'static str = "FocusAreaOut";
    const BODY: &'static str = "FocusArea";
    type Detail = FocusAreaOut;
    async fn detail(_: &AppState, item: &Versioned<Self>) -> ApiResult<FocusAreaOut> {
        Ok(FocusAreaOut::from(item))
    }
}
