//! The start page: the municipality's plans and reports.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;

use kvalitet_domain::Code;
use kvalitet_domain::org::OrgUnit;
use kvalitet_store::{org, plans};

use kvalitet_domain::access::Permission;
use kvalitet_domain::plan::PlanState;
use kvalitet_domain::report::ReportState;

use crate::auth::{Nav, User};
use crate::error::WebResult;
use crate::router::AppState;

pub struct Row {
    pub href: String,
    pub title: String,
    pub year: i64,
    pub scope: String,
    pub state: &'static str,
    pub date: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "start.html")]
pub struct StartPage {
    pub nav: Nav,
    pub tenant: String,
    pub plans: Vec<Row>,
    pub reports: Vec<Row>,
}

pub async fn show(State(state): State<AppState>, user: User) -> WebResult<StartPage> {
    let mut conn = state.store.read().await?;
    let tenant =
        kvalitet_store::repo::get::<kvalitet_domain::org::Tenant>(&mut conn, user.session.account.tenant_id).await?;
    let units = org::units(&mut conn, tenant.id).await?;
    let scope_name = |id| {
        units
            .iter()
            .find(|u: &&kvalitet_domain::Versioned<OrgUnit>| u.id == id)
            .map(|u| u.name.clone())
            .unwrap_or_default()
    };
    let plans = plans::list_plans(&mut conn, tenant.id)
        .await?
        .into_iter()
        .filter(|p| {
            let permission = if p.state == PlanState::Draft { Permission::ViewDraft } else { Permission::ViewPlan };
            user.may(permission, p.scope_id)
        })
        .map(|p| Row {
            href: format!("/planer/{}", p.id),
            title: p.title.clone(),
            year: p.year,
            scope: scope_name(p.scope_id),
            state: p.state.code(),
            date: p.adopted_on.map(|d| d.to_string()).unwrap_or_default(),
        })
        .collect();
    let reports = kvalitet_store::reports::list_reports(&mut conn, tenant.id).await?;
    let reports = reports
        .into_iter()
        .filter(|r| {
            let permission = if r.state == ReportState::Draft { Permission::ViewDraft } else { Permission::ViewPlan };
            user.may(permission, r.scope_id)
        })
        .map(|r| Row {
            href: format!("/berattelser/{}", r.id),
            title: r.title.clone(),
            year: r.year,
            scope: scope_name(r.scope_id),
            state: r.state.code(),
            date: r.submitted_on.map(|d| d.to_string()).unwrap_or_default(),
        })
        .collect();
    Ok(StartPage { nav: user.nav(), tenant: tenant.item.name, plans, reports })
}
