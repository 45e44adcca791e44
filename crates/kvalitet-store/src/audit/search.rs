//! Searching the audit log, within what the searcher may see: one municipality and,
//! for an administrator of a part of the tree, only the entries about that part.

use sqlx::{AnyConnection, AssertSqlSafe, Row};

use super::{AuditEntry, COLUMNS, entry_from};
use crate::error::Result;
use crate::record::Value;
use crate::repo::bind_values;

/// The entries someone may see: those of `tenant` and, unless `units` is `None` (the
/// whole organisation), only those about the listed units (entries about the whole
/// organisation, without a unit, are then left out).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub tenant: i64,
    pub units: Option<Vec<i64>>,
}

/// A search of the audit log.
#[derive(Debug, Clone, Default)]
pub struct Search {
    /// `None` only for the command line and tests: every entry.
    pub scope: Option<Scope>,
    pub actor_id: Option<i64>,
    pub table_name: Option<String>,
    pub record_id: Option<i64>,
    pub action: Option<String>,
    /// Inclusive bounds on `at`, as `YYYY-MM-DD`.
    pub from: Option<String>,
    pub to: Option<String>,
    pub limit: i64,
}

/// Entries matching `s`, newest first; reads carry their count for the day.
pub async fn search(conn: &mut AnyConnection, s: &Search) -> Result<Vec<AuditEntry>> {
    let mut clauses = Vec::new();
    let mut values = Vec::new();
    let mut add = |clause: &str, v: Value| {
        values.push(v);
        clauses.push(clause.replace('?', &format!("${}", values.len())));
    };
    if let Some(scope) = &s.scope {
        add("e.tenant_id = ?", Value::Int(scope.tenant));
    }
    if let Some(a) = s.actor_id {
        add("e.actor_id = ?", Value::Int(a));
    }
    if let Some(t) = &s.table_name {
        add("e.table_name = ?", Value::Text(t.clone()));
    }
    if let Some(r) = s.record_id {
        add("e.record_id = ?", Value::Int(r));
    }
    if let Some(a) = &s.action {
        add("e.action = ?", Value::Text(a.clone()));
    }
    if let Some(f) = &s.from {
        add("e.at >= ?", Value::Text(f.clone()));
    }
    if let Some(t) = &s.to {
        add("e.at < ?", Value::Text(format!("{t}T99")));
    }
    if let Some(Scope { units: Some(units), .. }) = &s.scope {
        // Unit ids are integers from the org tree, written into the statement so a large
        // tree does not meet SQLite's limit on bound values.
        let list: Vec<String> = units.iter().map(i64::to_string).collect();
        clauses.push(if list.is_empty() { "1 = 0".into() } else { format!("e.unit_id IN ({})", list.join(", ")) });
    }
    let filter = if clauses.is_empty() { "1 = 1".to_owned() } else { clauses.join(" AND ") };
    let limit = s.limit.clamp(1, 1000);
    let columns: Vec<String> = COLUMNS.split(", ").map(|c| format!("e.{}", c.trim())).collect();
    let sql = format!(
        "SELECT {}, r.reads AS reads FROM audit_entry e LEFT JOIN audit_read r ON e.action = 'read' \
         AND r.actor = e.actor AND r.table_name = e.table_name AND r.record_id = e.record_id \
         AND r.day = SUBSTR(e.at, 1, 10) WHERE {filter} ORDER BY e.seq DESC LIMIT {limit}",
        columns.join(", ")
    );
    let rows = bind_values(sqlx::query(AssertSqlSafe(sql)), values).fetch_all(&mut *conn).await?;
    rows.iter()
        .map(|row| {
            let mut e = entry_from(row)?;
            e.reads = row.try_get::<i64, _>("reads").ok();
            Ok(e)
        })
        .collect()
}
