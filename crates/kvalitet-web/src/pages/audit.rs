//! The audit log search for administrators: who did what to which record, when.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};

use kvalitet_domain::access::Permission;
use kvalitet_store::audit::{self, AuditEntry, Search};

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

pub async fn search(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<HashMap<String, String>>,
) -> WebResult<AuditPage> {
    user.require_somewhere(Permission::ViewAuditLog)?;
    let text = |k: &str| q.get(k).map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    let date = |k: &str| text(k).filter(|s| s.parse::<kvalitet_domain::Date>().is_ok());
    let limit = 200;
    let search = Search {
        actor_id: text("aktor").and_then(|s| s.parse().ok()),
        table_name: text("tabell"),
        record_id: text("post").and_then(|s| s.parse().ok()),
        action: text("handling"),
        from: date("fran"),
        to: date("till"),
        limit,
    };
    let mut conn = state.store.read().await?;
    let entries = audit::search(&mut conn, &search)
        .await?
        .iter()
        .map(|e| EntryV {
            seq: e.seq,
            at: e.at.replace('T', " ").replace('Z', " UTC"),
            actor: e.actor.clone(),
            action: e.action.clone(),
            table: e.table_name.clone(),
            record: e.record_id.map(|r| r.to_string()).unwrap_or_default(),
            change: change(e),
        })
        .collect();
    Ok(AuditPage { nav: user.nav(), q, entries, limit })
}
