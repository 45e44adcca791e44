//! The audit log search for administrators: who did what to which record, when, within
//! their municipality and their part of the org tree.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};

use kvalitet_domain::Versioned;
use kvalitet_domain::access::Permission;
use kvalitet_domain::org::OrgUnit;
use kvalitet_store::audit::{self, AuditEntry, Scope, Search};

use crate::auth::{Nav, User};
use crate::error::WebResult;
use crate::router::AppState;

pub struct EntryV {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub table: String,
    pub record: String,
    pub change: String,
    pub client: String,
    /// For a read: how many times that day, when more than once.
    pub reads: Option<i64>,
}

#[derive(Template, WebTemplate)]
#[template(path = "audit.html")]
pub struct AuditPage {
    pub nav: Nav,
    pub q: HashMap<String, String>,
    pub entries: Vec<EntryV>,
    pub limit: i64,
}

impl AuditPage {
    pub fn value(&self, k: &str) -> &str {
        self.q.get(k).map_or("", String::as_str)
    }
}

/// A short summary of a change: the data after, or before for a removal.
fn change(e: &AuditEntry) -> String {
    let data = e.after_data.as_deref().or(e.before_data.as_deref()).unwrap_or("");
    let mut s: String = data.chars().take(160).collect();
    if data.chars().count() > 160 {
        s.push('…');
    }
    s
}

/// The part of the audit log a user may read: their municipality, and the entries about
/// the units where they may read the log (everything, with the entries about the whole
/// organisation, for an administrator of the top of the tree).
pub fn scope(user: &User, units: &[Versioned<OrgUnit>]) -> Scope {
    let tenant = user.session.account.tenant_id.get();
    if user.tree.top().is_some_and(|top| user.may(Permission::ViewAuditLog, top)) {
        return Scope { tenant, units: None };
    }
    let units = units.iter().filter(|u| user.may(Permission::ViewAuditLog, u.id)).map(|u| u.id.get()).collect();
    Scope { tenant, units: Some(units) }
}

pub async fn search(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<HashMap<String, String>>,
) -> WebResult<AuditPage> {
    user.require_somewhere(Permission::ViewAuditLog)?;
    let text = |k: &str| q.get(k).map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    let date = |k: &str| text(k).filter(|s| s.parse::<kvalitet_domain::Date>().is_ok());
    let limit = 200;
    let mut conn = state.store.read().await?;
    let units = kvalitet_store::org::units(&mut conn, user.session.account.tenant_id).await?;
    let search = Search {
        scope: Some(scope(&user, &units)),
        actor_id: text("aktor").and_then(|s| s.parse().ok()),
        table_name: text("tabell"),
        record_id: text("post").and_then(|s| s.parse().ok()),
        action: text("handling"),
        from: date("fran"),
        to: date("till"),
        limit,
    };
    let found = audit::search(&mut conn, &search).await?;
    drop(conn);
    // A deviation's data shown here is a read of the deviation, logged as such.
    let deviations: Vec<i64> = found
        .iter()
        .filter(|e| e.table_name == "deviation" && (e.before_data.is_some() || e.after_data.is_some()))
        .filter_map(|e| e.record_id)
        .collect();
    if !deviations.is_empty() {
        let mut tx = state.store.write(&user.actor()).await?;
        audit::record_reads(&mut tx, "deviation", &deviations).await?;
        tx.commit().await?;
    }
    let entries = found
        .iter()
        .map(|e| EntryV {
            seq: e.seq,
            at: e.at.replace('T', " ").replace('Z', " UTC"),
            actor: e.actor.clone(),
            action: e.action.clone(),
            table: e.table_name.clone(),
            record: e.record_id.map(|r| r.to_string()).unwrap_or_default(),
            change: change(e),
            client: e.client.clone().unwrap_or_default(),
            reads: e.reads.filter(|n| *n > 1),
        })
        .collect();
    Ok(AuditPage { nav: user.nav(), q, entries, limit })
}
