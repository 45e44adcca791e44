//! What a risk is linked to, on the risk's page: its self-inspections and indicators
//! (the seeds' "Kopplad till risk"), linked and unlinked there, and new ones added from
//! it already linked ("Lägg till egenkontroll"). Also what every item page shows of its
//! links, both ways (`groups_of_*`): a self-inspection's risks and actions, an action's
//! risks, self-inspections and deviations, a risk's actions and deviations.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};

use kvalitet_domain::access::Permission;
use kvalitet_domain::action::Action;
use kvalitet_domain::bundle::PlanBundle;
use kvalitet_domain::deviation::Deviation;
use kvalitet_domain::risk::Risk;
use kvalitet_domain::self_inspection::SelfInspection;
use kvalitet_domain::{Id, Versioned};
use kvalitet_store::links::{self, LinkKind};
use kvalitet_store::{Column, Record, StoreError, Where, plans, repo};
use sqlx::AnyConnection;

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

/// One kind of link an item page shows: "Kopplad till risk" and the linked items, each
/// a link to its page.
pub struct LinkGroup {
    pub label: &'static str,
    /// (href, title)
    pub items: Vec<(String, String)>,
}

/// The items of `ids` that exist, as links to their pages.
async fn items<T: Record>(
    conn: &mut AnyConnection,
    ids: Vec<i64>,
    path: &str,
    title: impl Fn(&T) -> String,
) -> Result<Vec<(String, String)>, StoreError> {
    let mut out = Vec::new();
    for id in ids {
        if let Some(item) = repo::find::<T>(conn, Id::new(id)).await? {
            out.push((format!("/{path}/{id}"), title(&item.item)));
        }
    }
    Ok(out)
}

fn group(label: &'static str, items: Vec<(String, String)>) -> Option<LinkGroup> {
    (!items.is_empty()).then_some(LinkGroup { label, items })
}

/// The deviations tied to a risk, an action or a self-inspection (`sql` selects them)
/// that the user may see.
async fn deviations(
    conn: &mut AnyConnection,
    user: &User,
    sql: &'static str,
    id: i64,
) -> Result<Vec<(String, String)>, StoreError> {
    let found: Vec<Versioned<Deviation>> =
        repo::list(conn, Where::sql(sql, vec![Id::<Deviation>::new(id).to_value()])).await?;
    Ok(found
        .iter()
        .filter(|d| d.tenant_id == user.session.account.tenant_id && user.may(Permission::ViewDeviations, d.unit_id))
        .map(|d| (format!("/avvikelser/{}", d.id), d.title.clone()))
        .collect())
}

fn risk_title(r: &Risk) -> String {
    r.title.clone()
}

/// A self-inspection's links: its risks, and the actions and deviations after it.
pub async fn groups_of_self_inspection(
    conn: &mut AnyConnection,
    user: &User,
    id: i64,
) -> Result<Vec<LinkGroup>, StoreError> {
    let risks = links::linked_from(conn, LinkKind::SelfInspectionRisk, id).await?;
    let actions = links::linked_to(conn, LinkKind::ActionSelfInspection, id).await?;
    let sql = "id IN (SELECT deviation_id FROM deviation_self_inspection WHERE self_inspection_id = $1)";
    Ok([
        group("Kopplad till risk", items(conn, risks, "risker", risk_title).await?),
        group("Åtgärder", items(conn, actions, "atgarder", |a: &Action| a.title.clone()).await?),
        group("Avvikelser", deviations(conn, user, sql, id).await?),
    ]
    .into_iter()
    .flatten()
    .collect())
}

/// An indicator's links: its risks.
pub async fn groups_of_indicator(conn: &mut AnyConnection, id: i64) -> Result<Vec<LinkGroup>, StoreError> {
    let risks = links::linked_from(conn, LinkKind::IndicatorRisk, id).await?;
    Ok(group("Kopplad till risk", items(conn, risks, "risker", risk_title).await?).into_iter().collect())
}

/// An action's links: its risks, its self-inspections and the deviations tied to it.
pub async fn groups_of_action(conn: &mut AnyConnection, user: &User, id: i64) -> Result<Vec<LinkGroup>, StoreError> {
    let risks = links::linked_from(conn, LinkKind::ActionRisk, id).await?;
    let sis = links::linked_from(conn, LinkKind::ActionSelfInspection, id).await?;
    Ok([
        group("Kopplad till risk", items(conn, risks, "risker", risk_title).await?),
        group(
            "Kopplad till egenkontroll",
            items(conn, sis, "egenkontroller", |s: &SelfInspection| s.title.clone()).await?,
        ),
        group("Avvikelser", deviations(conn, user, "action_id = $1", id).await?),
    ]
    .into_iter()
    .flatten()
    .collect())
}

/// A risk's links besides its self-inspections and indicators (which its page links and
/// unlinks): its actions and the deviations tied to it.
pub async fn groups_of_risk(conn: &mut AnyConnection, user: &User, id: i64) -> Result<Vec<LinkGroup>, StoreError> {
    let actions = links::linked_to(conn, LinkKind::ActionRisk, id).await?;
    Ok([
        group("Åtgärder", items(conn, actions, "atgarder", |a: &Action| a.title.clone()).await?),
        group("Avvikelser", deviations(conn, user, "risk_id = $1", id).await?),
    ]
    .into_iter()
    .flatten()
    .collect())
}

/// A deviation's links: the risk and the action it is tied to, and the self-inspection
/// it was registered after.
pub async fn groups_of_deviation(
    conn: &mut AnyConnection,
    d: &Versioned<Deviation>,
) -> Result<Vec<LinkGroup>, StoreError> {
    let risks = d.risk_id.map(|r| r.get()).into_iter().collect();
    let actions = d.action_id.map(|a| a.get()).into_iter().collect();
    let sis = links::linked_from(conn, LinkKind::DeviationSelfInspection, d.id.get()).await?;
    Ok([
        group("Kopplad till risk", items(conn, risks, "risker", risk_title).await?),
        group("Kopplad till åtgärd", items(conn, actions, "atgarder", |a: &Action| a.title.clone()).await?),
        group(
            "Kopplad till egenkontroll",
            items(conn, sis, "egenkontroller", |s: &SelfInspection| s.title.clone()).await?,
        ),
    ]
    .into_iter()
    .flatten()
    .collect())
}
