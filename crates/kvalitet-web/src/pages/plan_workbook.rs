//! `GET /planer/{id}/arbetsbok.xlsx`: the plan as a workbook (risks, self-inspections,
//! actions and indicators on their own sheets, linked by number; see
//! `kvalitet_import::plan_workbook`), for whoever may read the plan.

use axum::extract::{Path, State};
use axum::response::Response;

use kvalitet_domain::plan::QualityPlan;
use kvalitet_store::{org, plans, repo};

use crate::auth::User;
use crate::error::{WebError, WebResult};
use crate::router::AppState;
use crate::spreadsheet::{XLSX_MEDIA_TYPE, attachment};

pub async fn download(State(state): State<AppState>, user: User, Path(id): Path<String>) -> WebResult<Response> {
    let mut conn = state.store.read().await?;
    let plan = repo::get::<QualityPlan>(&mut conn, super::parse_id(&id)?).await?;
    user.require_read_plan(&plan)?;
    let bundle = plans::load_bundle(&mut conn, plan.id).await?;
    let units = org::units(&mut conn, plan.tenant_id).await?;
    let names = kvalitet_store::responsible::names(&mut conn, plan.tenant_id).await?;
    drop(conn);
    let unit_name = |id| units.iter().find(|u| u.id == id).map(|u| u.name.clone()).unwrap_or_default();
    let bytes = kvalitet_import::plan_workbook::write(&bundle, unit_name, |a, t| names.responsible(a, t))
        .map_err(|e| WebError::Internal(anyhow::anyhow!("plan workbook: {e}")))?;
    Ok(attachment(XLSX_MEDIA_TYPE, &format!("kvalitetsplan-{}-{}.xlsx", plan.year, plan.id), bytes))
}
