//! Plans: the list of the plans the caller may read (filtered by year, unit and state,
//! paged) and one plan with its risks, actions, self-inspections and indicators.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Path, Query, State};
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};

use kvalitet_domain::Code;
use kvalitet_domain::access::Permission;
use kvalitet_domain::plan::{PlanState, QualityPlan};
use kvalitet_store::plans;

use super::model::{ActionOut, FocusAreaOut, IndicatorOut, PlanOut, RiskOut, SectionOut, SelfInspectionOut};
use super::paging::{Page, PageParams};
use super::principal::Caller;
use super::problem::{ApiResult, ListRefusals, ReadRefusals};
use crate::router::AppState;

/// The filters of the plan list.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code, reason = "the OpenAPI description of the query, which `paging::Query` reads")]
pub struct PlanFilters {
    /// Planens år.
    #[param(minimum = 1900, maximum = 2200)]
    pub ar: Option<i64>,
    /// Enheten som planen gäller (dess nummer).
    pub enhet: Option<i64>,
    /// Planens läge.
    #[param(schema_with = super::schema::plan_state)]
    pub status: Option<String>,
}

// The plans the caller may read, newest year first.
#[utoipa::path(
    get,
    path = "/api/v1/planer",
    summary = "Planerna du får läsa, senaste året först.",
    tag = "Planer",
    params(PlanFilters, PageParams),
    responses(
        (status = 200, description = "En sida av planerna", body = Page<PlanOut>),
        ListRefusals,
    ),
    security(("nyckel" = []), ("inloggning" = []))
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<HashMap<String, String>>,
) -> ApiResult<Json<Page<PlanOut>>> {
    let mut q = super::paging::Query::new(q);
    let year = q.int("ar", 1900, 2200);
    let unit = q.int("enhet", i64::MIN, i64::MAX);
    let states: Vec<&'static str> = PlanState::ALL.iter().map(|s| s.code()).collect();
    let wanted = q.choice("status", &states);
    let page = q.page();
    q.finish()?;
    let query = plans::PlanQuery {
        tenant: caller.tenant(),
        adopted_in: caller.user.units_where(Permission::ViewPlan),
        drafts_in: caller.user.units_where(Permission::ViewDraft),
        year,
        unit: unit.map(kvalitet_domain::Id::new),
        state: wanted.and_then(PlanState::from_code),
    };
    let (limit, offset) = page.window();
    let mut conn = state.store.read().await?;
    let (total, rows) = plans::page(&mut conn, &query, limit, offset).await?;
    Ok(Json(Page::read(rows.iter().map(PlanOut::from).collect(), total, page)))
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(description = "Ett av nämndens dokument för planen.")]
pub struct DocumentLink {
    /// `plan` (Kvalitetsplan) eller `follow-up` (Uppföljning av kvalitetsplan).
    pub typ: String,
    /// `docx`, `pdf` eller `html`.
    pub format: String,
    pub href: String,
}

/// The plan's documents: the plan and its follow-up, in each format.
fn documents(plan: &QualityPlan) -> Vec<DocumentLink> {
    use kvalitet_documents::{DocumentKind, Format};
    let mut out = Vec::new();
    for kind in [DocumentKind::Plan, DocumentKind::FollowUp] {
        for format in [Format::Docx, Format::Pdf, Format::Html] {
            out.push(DocumentLink {
                typ: kind.code().to_owned(),
                format: format.extension().to_owned(),
                href: crate::pages::documents::href(kind, plan.year, format, plan.scope_id.get()),
            });
        }
    }
    out
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(description = "En plan med dess poster.")]
pub struct PlanDetail {
    pub plan: PlanOut,
    /// Nämndens dokument (den senast antagna versionen, eller dagens med `&version=aktuell`).
    pub documents: Vec<DocumentLink>,
    pub risks: Vec<RiskOut>,
    pub actions: Vec<ActionOut>,
    pub self_inspections: Vec<SelfInspectionOut>,
    pub indicators: Vec<IndicatorOut>,
    /// Planens text, avsnitt för avsnitt.
    pub sections: Vec<SectionOut>,
    pub focus_areas: Vec<FocusAreaOut>,
}

// One plan with its risks, actions, self-inspections and indicators; a plan the caller
// may not read is not found.
#[utoipa::path(
    get,
    path = "/api/v1/planer/{id}",
    summary = "En plan med risker, åtgärder, egenkontroller, indikatorer och länkar till nämndens dokument; en plan du inte får läsa finns inte för dig.",
    tag = "Planer",
    params(("id" = i64, Path, description = "Planens nummer")),
    responses(
        (status = 200, description = "Planen", body = PlanDetail),
        ReadRefusals,
    ),
    security(("nyckel" = []), ("inloggning" = []))
)]
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<PlanDetail>> {
    let plan = super::readable_plan(&state, &caller, super::id::<QualityPlan>(&id)?).await?;
    let mut conn = state.store.read().await?;
    let b = plans::load_bundle(&mut conn, plan.id).await?;
    Ok(Json(PlanDetail {
        plan: PlanOut::from(&b.plan),
        documents: documents(&b.plan),
        risks: b.risks.iter().map(RiskOut::from).collect(),
        actions: b.actions.iter().map(ActionOut::from).collect(),
        self_inspections: b.self_inspections.iter().map(SelfInspectionOut::from).collect(),
        indicators: b.indicators.iter().map(IndicatorOut::from).collect(),
        sections: b.sections.iter().map(SectionOut::from).collect(),
        focus_areas: b.focus_areas.iter().map(FocusAreaOut::from).collect(),
    }))
}
