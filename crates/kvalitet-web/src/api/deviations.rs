//! Deviations, lex Sarah reports and complaints, for those who may read them at their
//! unit (`ViewDeviations`, as on the pages): a year's list, filtered and paged, and one
//! report. Every report returned is logged as read, as the pages log them.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Path, Query, State};
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};

use kvalitet_domain::access::Permission;
use kvalitet_domain::deviation::{Deviation, DeviationKind, DeviationStatus};
use kvalitet_domain::{Code, Versioned};
use kvalitet_store::{Column, Where, audit, repo};

use super::paging::{Page, PageParams};
use super::principal::Caller;
use super::problem::{ApiError, ApiResult, Problem};
use crate::router::AppState;

/// A deviation report, without the people it concerns (a report names none).
#[derive(Debug, Serialize, ToSchema)]
pub struct DeviationOut {
    pub id: i64,
    pub version: i64,
    /// The reference number shown to people (year and number).
    pub reference: String,
    pub unit_id: i64,
    #[schema(schema_with = super::schema::deviation_kind)]
    pub kind: String,
    #[schema(schema_with = super::schema::deviation_status)]
    pub status: String,
    #[schema(format = Date)]
    pub occurred_on: String,
    #[schema(format = Date)]
    pub reported_on: String,
    /// Only the year is known (taken over from a document).
    pub undated: bool,
    pub title: String,
    pub description: String,
    pub investigation: String,
    #[schema(schema_with = super::schema::optional_lex_sarah_category)]
    pub lex_sarah_category: Option<String>,
    #[schema(format = Date)]
    pub reported_to_ivo_on: Option<String>,
    pub measures_taken: String,
    #[schema(format = Date)]
    pub closed_on: Option<String>,
    /// Voided (makulerad): kept, but out of every count.
    #[schema(format = Date)]
    pub voided_on: Option<String>,
    pub risk_id: Option<i64>,
    pub action_id: Option<i64>,
}

impl From<&Versioned<Deviation>> for DeviationOut {
    fn from(d: &Versioned<Deviation>) -> Self {
        let date = |x: Option<kvalitet_domain::Date>| x.map(|x| x.to_string());
        DeviationOut {
            id: d.id.get(),
            version: d.version,
            reference: d.reference(d.id),
            unit_id: d.unit_id.get(),
            kind: d.kind.code().into(),
            status: d.status.code().into(),
            occurred_on: d.occurred_on.to_string(),
            reported_on: d.reported_on.to_string(),
            undated: d.undated,
            title: d.title.clone(),
            description: d.description.clone(),
            investigation: d.investigation.clone(),
            lex_sarah_category: d.lex_sarah_category.map(|c| c.code().to_owned()),
            reported_to_ivo_on: date(d.reported_to_ivo_on),
            measures_taken: d.measures_taken.clone(),
            closed_on: date(d.closed_on),
            voided_on: date(d.voided_on),
            risk_id: d.risk_id.map(|r| r.get()),
            action_id: d.action_id.map(|a| a.get()),
        }
    }
}

/// The filters of the deviation list.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code, reason = "the OpenAPI description of the query, which `paging::Query` reads")]
pub struct DeviationFilters {
    /// The year reported (this year if not given).
    #[param(minimum = 1900, maximum = 2200)]
    pub ar: Option<i64>,
    /// The org unit (its number) the report belongs to.
    pub enhet: Option<i64>,
    #[param(schema_with = super::schema::deviation_kind)]
    pub slag: Option<String>,
    #[param(schema_with = super::schema::deviation_status)]
    pub status: Option<String>,
    /// 1 to list the voided reports instead.
    #[param(minimum = 0, maximum = 1)]
    pub makulerade: Option<i64>,
}

/// Logs that the caller read the reports `ids`.
async fn log_reads(state: &AppState, caller: &Caller, ids: &[i64]) -> ApiResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let mut tx = state.store.write(&caller.actor).await?;
    for id in ids {
        audit::record_read(&mut tx, "deviation", *id).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// A year's reports of the units where the caller may read deviations, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/avvikelser",
    tag = "Avvikelser",
    params(DeviationFilters, PageParams),
    responses(
        (status = 200, description = "En sida av rapporterna", body = Page<DeviationOut>),
        (status = 401, description = "Ingen giltig nyckel eller inloggning", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Ogiltig parameter", body = Problem, content_type = "application/problem+json"),
    ),
    security(("nyckel" = []), ("inloggning" = []))
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<HashMap<String, String>>,
) -> ApiResult<Json<Page<DeviationOut>>> {
    let mut q = super::paging::Query::new(q);
    let year = q.int("ar", 1900, 2200).unwrap_or_else(|| i64::from(crate::pages::deviations::today().year()));
    let unit = q.int("enhet", i64::MIN, i64::MAX);
    let kinds: Vec<&'static str> = DeviationKind::ALL.iter().map(|k| k.code()).collect();
    let kind = q.choice("slag", &kinds);
    let statuses: Vec<&'static str> = DeviationStatus::ALL.iter().map(|s| s.code()).collect();
    let status = q.choice("status", &statuses);
    let voided = q.int("makulerade", 0, 1) == Some(1);
    let page = q.page();
    q.finish()?;
    let mut conn = state.store.read().await?;
    let mut all: Vec<Versioned<Deviation>> =
        repo::list(&mut conn, Where::sql("tenant_id = $1", vec![caller.tenant().to_value()])).await?;
    drop(conn);
    all.retain(|d| {
        caller.user.may(Permission::ViewDeviations, d.unit_id)
            && i64::from(d.reported_on.year()) == year
            && unit.is_none_or(|u| d.unit_id.get() == u)
            && kind.is_none_or(|k| d.kind.code() == k)
            && status.is_none_or(|s| d.status.code() == s)
            && d.is_voided() == voided
    });
    all.sort_by_key(|d| (std::cmp::Reverse(d.reported_on), std::cmp::Reverse(d.id)));
    let page = Page::of(all.iter().map(DeviationOut::from).collect(), page);
    log_reads(&state, &caller, &page.data.iter().map(|d| d.id).collect::<Vec<_>>()).await?;
    Ok(Json(page))
}

/// One report; a report the caller may not read is not found.
#[utoipa::path(
    get,
    path = "/api/v1/avvikelser/{id}",
    tag = "Avvikelser",
    params(("id" = i64, Path, description = "Rapportens nummer")),
    responses(
        (status = 200, description = "Rapporten", body = DeviationOut),
        (status = 401, description = "Ingen giltig nyckel eller inloggning", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Ingen rapport som du kan läsa", body = Problem, content_type = "application/problem+json"),
    ),
    security(("nyckel" = []), ("inloggning" = []))
)]
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<DeviationOut>> {
    let d = super::record::<Deviation>(&state, &id).await?;
    if d.tenant_id != caller.tenant() || !caller.user.may(Permission::ViewDeviations, d.unit_id) {
        return Err(ApiError::NotFound);
    }
    log_reads(&state, &caller, &[d.id.get()]).await?;
    Ok(Json(DeviationOut::from(&d)))
}
