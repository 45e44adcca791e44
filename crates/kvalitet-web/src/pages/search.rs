//! Search (`/sok?q=…`): the titles and texts of plans' items, deviations and reports'
//! items, through the store's full-text indexes (`kvalitet_store::search`), grouped by
//! kind and linked to each record's page. What is shown is exactly what the pages show:
//! a plan's or report's items only to those who may read it (drafts to those who may see
//! drafts), a deviation only to those who may view its unit's deviations, and every
//! deviation shown is logged as read.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};

use kvalitet_domain::access::Permission;
use kvalitet_domain::plan::PlanState;
use kvalitet_domain::report::ReportState;
use kvalitet_store::Backend;
use kvalitet_store::search::{self, Fragment, Group, GroupHits, Hit, Owner, SearchQuery};

use crate::auth::{Nav, User};
use crate::error::WebResult;
use crate::router::AppState;

/// The most hits shown of each kind.
pub const PER_GROUP: usize = 50;

/// One hit as listed.
pub struct HitView {
    pub href: String,
    pub title: String,
    /// What kind of text it is, within its group (e.g. "Fokusområde"), or empty.
    pub kind: &'static str,
    /// The plan's or report's title, or the deviation's unit.
    pub context: String,
    /// "Utkast" or "Makulerad", or empty.
    pub badge: &'static str,
    pub snippet: Vec<Fragment>,
}

/// The hits of one kind.
pub struct GroupView {
    pub heading: &'static str,
    /// The heading's anchor.
    pub anchor: &'static str,
    /// "1 träff", "3 träffar".
    pub count: String,
    /// More matched than are shown.
    pub more: bool,
    pub hits: Vec<HitView>,
}

#[derive(Template, WebTemplate)]
#[template(path = "search.html")]
pub struct SearchPage {
    pub nav: Nav,
    /// The search text as typed.
    pub q: String,
    /// Whether a search was made (a `q` was given).
    pub searched: bool,
    /// Why the text cannot be searched, in Swedish; empty when it can.
    pub error: String,
    /// The groups with hits, in order.
    pub groups: Vec<GroupView>,
    /// "Inga träffar", "1 träff", "12 träffar".
    pub total: String,
    /// How words are matched on this installation's database.
    pub stemming: bool,
    pub per_group: usize,
}

/// "1 träff", "2 träffar" (and "Inga träffar" for none).
pub fn hits_text(n: usize) -> String {
    match n {
        0 => "Inga träffar".to_owned(),
        1 => "1 träff".to_owned(),
        n => format!("{n} träffar"),
    }
}

fn heading(group: Group) -> (&'static str, &'static str) {
    match group {
        Group::PlanText => ("Planernas texter", "planer"),
        Group::Risk => ("Risker", "risker"),
        Group::SelfInspection => ("Egenkontroller", "egenkontroller"),
        Group::Action => ("Åtgärder", "atgarder"),
        Group::Indicator => ("Indikatorer", "indikatorer"),
        Group::Deviation => ("Avvikelser", "avvikelser"),
        Group::Report => ("Kvalitetsberättelser", "berattelser"),
    }
}

/// Whether `user` may read what `owner` is: the same rule as each record's page.
fn may_read(user: &User, owner: &Owner) -> bool {
    match *owner {
        Owner::Plan { scope, state, .. } => {
            let p = if state == PlanState::Draft { Permission::ViewDraft } else { Permission::ViewPlan };
            user.may(p, scope)
        }
        Owner::Report { scope, state, .. } => {
            let p = if state == ReportState::Draft { Permission::ViewDraft } else { Permission::ViewPlan };
            user.may(p, scope)
        }
        Owner::Deviation { unit, .. } => user.may(Permission::ViewDeviations, unit),
    }
}

fn view(hit: Hit) -> HitView {
    let own_page = |path: &str| format!("/{path}/{}", hit.id);
    let (href, kind) = match (hit.table, hit.owner) {
        ("risk", _) => (own_page("risker"), ""),
        ("self_inspection", _) => (own_page("egenkontroller"), ""),
        ("action", _) => (own_page("atgarder"), ""),
        ("indicator", _) => (own_page("indikatorer"), ""),
        ("focus_area", Owner::Plan { id, .. }) => (format!("/planer/{id}#fokus"), "Fokusområde"),
        (_, Owner::Plan { id, .. }) => (format!("/planer/{id}#texter"), "Avsnitt"),
        ("quality_assessment", Owner::Report { id, .. }) => (format!("/berattelser/{id}"), "Kvalitetsbedömning"),
        ("improvement_area", Owner::Report { id, .. }) => (format!("/berattelser/{id}"), "Förbättringsområde"),
        (_, Owner::Report { id, .. }) => (format!("/berattelser/{id}"), "Avsnitt"),
        (_, Owner::Deviation { .. }) => (own_page("avvikelser"), ""),
    };
    let badge = match hit.owner {
        Owner::Plan { state: PlanState::Draft, .. } | Owner::Report { state: ReportState::Draft, .. } => "Utkast",
        Owner::Deviation { voided: true, .. } => "Makulerad",
        _ => "",
    };
    HitView { href, title: hit.title, kind, context: hit.context, badge, snippet: hit.snippet }
}

pub async fn show(
    State(state): State<AppState>,
    user: User,
    Query(params): Query<HashMap<String, String>>,
) -> WebResult<SearchPage> {
    let q = params.get("q").cloned();
    let mut page = SearchPage {
        nav: user.nav(),
        q: q.clone().unwrap_or_default(),
        searched: q.is_some(),
        error: String::new(),
        groups: Vec::new(),
        total: String::new(),
        stemming: state.store.backend() == Backend::Postgres,
        per_group: PER_GROUP,
    };
    let Some(q) = q else { return Ok(page) };
    let query = match SearchQuery::parse(&q) {
        Ok(query) => query,
        Err(message) => {
            page.error = message;
            return Ok(page);
        }
    };
    let mut conn = state.store.read().await?;
    let found: Vec<GroupHits> =
        search::search(&mut conn, user.session.account.tenant_id, &query, PER_GROUP, |o: &Owner| may_read(&user, o))
            .await?;
    drop(conn);
    // Deviations are sensitive: every one shown is logged as read.
    let shown_deviations: Vec<i64> =
        found.iter().filter(|g| g.group == Group::Deviation).flat_map(|g| g.hits.iter().map(|h| h.id)).collect();
    crate::pages::deviations::log_reads(&state, &user, shown_deviations).await?;
    let total: usize = found.iter().map(|g| g.hits.len()).sum();
    page.total = hits_text(total);
    page.groups = found
        .into_iter()
        .filter(|g| !g.hits.is_empty())
        .map(|g| {
            let (heading, anchor) = heading(g.group);
            GroupView {
                heading,
                anchor,
                count: hits_text(g.hits.len()),
                more: g.more,
                hits: g.hits.into_iter().map(view).collect(),
            }
        })
        .collect();
    Ok(page)
}

#[cfg(test)]
mod tests {
    #[test]
    fn one_hit_is_singular() {
        assert_eq!(super::hits_text(0), "Inga träffar");
        assert_eq!(super::hits_text(1), "1 träff");
        assert_eq!(super::hits_text(2), "2 träffar");
    }
}
