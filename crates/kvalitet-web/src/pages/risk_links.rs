//! What a risk is linked to, on the risk's page: its self-inspections and indicators
//! (the seeds' "Kopplad till risk"), linked and unlinked there, and new ones added from
//! it already linked ("Lägg till egenkontroll").

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};

use kvalitet_domain::Versioned;
use kvalitet_domain::access::Permission;
use kvalitet_domain::bundle::PlanBundle;
use kvalitet_domain::risk::Risk;
use kvalitet_store::links::{self, LinkKind};
use kvalitet_store::{plans, repo};

use crate::auth::User;
use crate::error::{WebError, WebResult};
use crate::pages::accounts::Choice;
use crate::router::AppState;

/// A self-inspection or indicator linked to the risk.
pub struct Linked {
    /// `egenkontroll:ID` or `indikator:ID`, as the unlink form posts it.
    pub key: String,
    pub href: String,
    pub kind: &'static str,
    pub title: String,
}

/// The risk's links in its plan, and what else in the plan could be linked.
pub fn of(bundle: &PlanBundle, risk: &Versioned<Risk>) -> (Vec<Linked>, Vec<Choice>) {
    let si_linked = |id| bundle.links.self_inspection_risk.iter().any(|(s, r)| *s == id && *r == risk.id);
    let ind_linked = |id| bundle.links.indicator_risk.iter().any(|(i, r)| *i == id && *r == risk.id);
    let mut linked = Vec::new();
    let mut free = Vec::new();
    for s in &bundle.self_inspections {
        let key = format!("egenkontroll:{}", s.id);
        if si_linked(s.id) {
            let href = format!("/egenkontroller/{}", s.id);
            linked.push(Linked { key, href, kind: "Egenkontroll", title: s.title.clone() });
        } else {
            free.push(Choice { value: key, label: format!("Egenkontroll: {}", s.title) });
        }
    }
    for i in &bundle.indicators {
        let key = format!("indikator:{}", i.id);
        if ind_linked(i.id) {
            let href = format!("/indikatorer/{}", i.id);
            linked.push(Linked { key, href, kind: "Indikator", title: i.name.clone() });
        } else {
            free.push(Choice { value: key, label: format!("Indikator: {}", i.name) });
        }
    }
    (linked, free)
}

/// `POST /risker/{id}/kopplingar`: links (or with `ta_bort`, unlinks) a self-inspection
/// or an indicator of the same plan.
pub async fn change(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    Form(f): Form<HashMap<String, String>>,
) -> WebResult<Response> {
    user.check_csrf(f.get("csrf").map_or("", String::as_str))?;
    let id = super::parse_id::<Risk>(&id)?;
    let mut conn = state.store.read().await?;
    let risk = repo::get::<Risk>(&mut conn, id).await?;
    let bundle = plans::load_bundle(&mut conn, risk.plan_id).await?;
    drop(conn);
    user.require_read_plan(&bundle.plan)?;
    user.require(Permission::EditPlan, bundle.plan.scope_id)?;
    let item = f.get("item").map_or("", |s| s.trim());
    let (kind, item_id) = match item.split_once(':').map(|(k, n)| (k, n.parse::<i64>().ok())) {
        Some(("egenkontroll", Some(n))) if bundle.self_inspections.iter().any(|s| s.id.get() == n) => {
            (LinkKind::SelfInspectionRisk, n)
        }
        Some(("indikator", Some(n))) if bundle.indicators.iter().any(|i| i.id.get() == n) => {
            (LinkKind::IndicatorRisk, n)
        }
        // Nothing chosen, or something outside the risk's plan.
        _ => return Ok(Redirect::to(&format!("/risker/{id}#kopplingar")).into_response()),
    };
    let mut tx = state.store.write(&user.actor()).await?;
    let unlink = f.get("ta_bort").is_some_and(|v| v == "1");
    let linked = match kind {
        LinkKind::SelfInspectionRisk => {
            bundle.links.self_inspection_risk.iter().any(|(s, r)| s.get() == item_id && *r == id)
        }
        _ => bundle.links.indicator_risk.iter().any(|(i, r)| i.get() == item_id && *r == id),
    };
    match (unlink, linked) {
        (true, true) => links::unlink(&mut tx, kind, item_id, id.get()).await?,
        (false, false) => links::link(&mut tx, kind, item_id, id.get()).await?,
        _ => {}
    }
    tx.commit().await.map_err(WebError::from)?;
    Ok(Redirect::to(&format!("/risker/{id}#kopplingar")).into_response())
}
