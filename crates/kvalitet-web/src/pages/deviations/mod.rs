//! Deviations, lex Sarah reports and complaints: the list (only of units the user may
//! see; every record shown is logged as read) here, registration by any staff member for
//! their own unit in `new`, the record's page in `show`, its handling in `handle` and
//! the change of its kind in `reclassify`.

mod handle;
mod new;
mod reclassify;
mod show;

pub use handle::handle;
pub use new::{create, new_form};
pub use reclassify::reclassify;
pub use show::show;

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};

use kvalitet_domain::access::{self, Permission};
use kvalitet_domain::deviation::{Deviation, DeviationKind, DeviationTally, count_by_kind_and_year};
use kvalitet_domain::org::OrgUnit;
use kvalitet_domain::{Code, Date, Versioned};
use kvalitet_store::{Column, Where, audit, org, repo};

use crate::auth::{Nav, User};
use crate::error::{WebError, WebResult};
use crate::router::AppState;

/// Today in Sweden.
pub fn today() -> Date {
    jiff::Zoned::now()
        .with_time_zone(jiff::tz::TimeZone::get("Europe/Stockholm").unwrap_or(jiff::tz::TimeZone::UTC))
        .date()
}

pub struct Row {
    pub href: String,
    pub title: String,
    pub unit: String,
    pub kind: &'static str,
    pub status: &'static str,
    pub reported_on: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "deviations.html")]
pub struct ListPage {
    pub nav: Nav,
    pub year: i64,
    pub kinds: Vec<&'static str>,
    /// Per unit in the user's scope: the unit and, per kind, (this year, last year).
    pub counts: Vec<(String, Vec<(i64, i64)>)>,
    pub rows: Vec<Row>,
    pub may_view: bool,
    pub may_register: bool,
    pub registered: bool,
}

fn unit_name(units: &[Versioned<OrgUnit>], id: kvalitet_domain::org::OrgUnitId) -> String {
    units.iter().find(|u| u.id == id).map(|u| u.name.clone()).unwrap_or_default()
}

pub async fn list(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<HashMap<String, String>>,
) -> WebResult<ListPage> {
    let may_view = access::allows_somewhere(user.assignments(), Permission::ViewDeviations);
    let may_register = access::allows_somewhere(user.assignments(), Permission::RegisterDeviation);
    if !may_view && !may_register {
        return Err(WebError::Forbidden);
    }
    let tenant = user.session.account.tenant_id;
    let mut conn = state.store.read().await?;
    let units = org::units(&mut conn, tenant).await?;
    let mut all: Vec<Versioned<Deviation>> =
        repo::list(&mut conn, Where::sql("tenant_id = $1", vec![tenant.to_value()])).await?;
    drop(conn);
    all.retain(|d| user.may(Permission::ViewDeviations, d.unit_id));
    let year = q.get("ar").and_then(|y| y.parse::<i64>().ok()).unwrap_or(i64::from(today().year()));
    let mut conn = state.store.read().await?;
    let tallies: Vec<Versioned<DeviationTally>> =
        repo::list(&mut conn, Where::sql("tenant_id = $1", vec![tenant.to_value()])).await?;
    drop(conn);
    // Year against year per unit and kind, from records and tallies, for the units the
    // user may see (aggregates, so no read is logged for them).
    let counts: Vec<(String, Vec<(i64, i64)>)> = units
        .iter()
        .filter(|u| user.may(Permission::ViewDeviations, u.id))
        .filter_map(|u| {
            let recs: Vec<&Deviation> = all.iter().filter(|d| d.unit_id == u.id).map(|d| &d.item).collect();
            let tals: Vec<&DeviationTally> = tallies.iter().filter(|t| t.unit_id == u.id).map(|t| &t.item).collect();
            let row: Vec<(i64, i64)> = DeviationKind::ALL
                .iter()
                .map(|k| {
                    (
                        count_by_kind_and_year(recs.iter().copied(), tals.iter().copied(), *k, year),
                        count_by_kind_and_year(recs.iter().copied(), tals.iter().copied(), *k, year - 1),
                    )
                })
                .collect();
            row.iter().any(|(a, b)| a + b > 0).then(|| (u.name.clone(), row))
        })
        .collect();
    all.sort_by(|a, b| b.reported_on.cmp(&a.reported_on).then(b.id.cmp(&a.id)));
    if !all.is_empty() {
        let mut tx = state.store.write(&user.actor()).await?;
        for d in &all {
            audit::record_read(&mut tx, "deviation", d.id.get()).await?;
        }
        tx.commit().await?;
    }
    let rows = all
        .iter()
        .map(|d| Row {
            href: format!("/avvikelser/{}", d.id),
            title: d.title.clone(),
            unit: unit_name(&units, d.unit_id),
            kind: d.kind.code(),
            status: d.status.code(),
            reported_on: d.reported_on.to_string(),
        })
        .collect();
    Ok(ListPage {
        nav: user.nav(),
        year,
        kinds: kinds(),
        counts,
        rows,
        may_view,
        may_register,
        registered: q.contains_key("registrerad"),
    })
}

pub(crate) fn kinds() -> Vec<&'static str> {
    DeviationKind::ALL.iter().map(|k| k.code()).collect()
}
