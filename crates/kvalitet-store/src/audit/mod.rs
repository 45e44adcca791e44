//! The audit log: every change (who, when, which record, before and after) and every
//! read of a sensitive record, appended in the same transaction as the change itself,
//! with the municipality and the part of the org tree it concerns and the client's
//! address. Entries are chained (`chain.rs`): each entry's hash covers its content and
//! the previous entry's hash, keyed with the audit key kept outside the database; the
//! head is kept in `audit_head` and, for whoever holds the database, in anchors outside
//! it. The database refuses UPDATE and DELETE of entries (a trigger per backend).

mod chain;
mod key;
mod scope;
mod search;

use sqlx::{AnyConnection, Row};

use crate::Tx;
use crate::error::Result;
use crate::record::Value;
use crate::repo::bind_values;

pub use chain::{Anchor, Verification, parse_anchors, verify};
pub use key::AuditKey;
pub use scope::Place;
pub use search::{Scope, Search, search};

/// How an entry's hash was made.
pub mod scheme {
    /// Entries written before the log was scoped: plain SHA-256 over the first fields.
    pub const LEGACY: &str = "sha256";
    /// Every field, unkeyed: written by a store opened without the audit key.
    pub const UNKEYED: &str = "sha256-2";
    /// Every field, HMAC-SHA256 under the audit key.
    pub const KEYED: &str = "hmac-sha256";
}

/// One entry of the audit log.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AuditEntry {
    pub seq: i64,
    /// UTC, `YYYY-MM-DDTHH:MM:SSZ`.
    pub at: String,
    pub actor_id: Option<i64>,
    pub actor: String,
    /// `create`, `update`, `delete`, `link`, `unlink`, `read`, `login`, `login_failed`, `logout`.
    pub action: String,
    pub table_name: String,
    pub record_id: Option<i64>,
    pub before_data: Option<String>,
    pub after_data: Option<String>,
    pub prev_hash: String,
    pub hash: String,
    /// The municipality the entry concerns.
    pub tenant_id: Option<i64>,
    /// The part of the org tree the entry concerns (unknown for entries about the whole
    /// organisation, and for entries written before the log was scoped).
    pub unit_id: Option<i64>,
    /// The client's address, for entries made by a request.
    pub client: Option<String>,
    /// How the hash was made: one of [`scheme`].
    pub scheme: String,
    /// For a read: how many times the same person read the same record that day (kept
    /// beside the chain, in `audit_read`; not part of the hash).
    pub reads: Option<i64>,
}

/// Now, in UTC, to the second.
pub fn now_utc() -> String {
    jiff::Timestamp::now().strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

const COLUMNS: &str = "seq, at, actor_id, actor, action, table_name, record_id, before_data, after_data, \
                       prev_hash, hash, tenant_id, unit_id, client, scheme";

/// Appends an entry in the caller's transaction: the tenant and unit are those of the
/// record (or, failing that, the actor's tenant); the hash is keyed when the store has
/// the audit key.
pub async fn append(
    tx: &mut Tx,
    action: &str,
    table: &str,
    record_id: Option<i64>,
    before: Option<String>,
    after: Option<String>,
) -> Result<()> {
    let actor = tx.actor().clone();
    let key = tx.audit_key.clone();
    let mut cache = std::mem::take(&mut tx.places);
    let data = after.as_deref().or(before.as_deref());
    let place = scope::locate(&mut *tx, &mut cache, table, record_id, data).await;
    tx.places = cache;
    let place = place?;
    let conn: &mut AnyConnection = tx;
    // Taking the head row first serialises concurrent appends.
    let head = sqlx::query("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, last_hash")
        .fetch_one(&mut *conn)
        .await?;
    let mut entry = AuditEntry {
        seq: head.try_get("seq")?,
        at: now_utc(),
        actor_id: actor.account_id,
        actor: actor.name,
        action: action.to_owned(),
        table_name: table.to_owned(),
        record_id,
        before_data: before,
        after_data: after,
        prev_hash: head.try_get("last_hash")?,
        hash: String::new(),
        tenant_id: place.tenant.or(actor.tenant_id),
        unit_id: place.unit,
        client: actor.client,
        scheme: if key.is_some() { scheme::KEYED } else { scheme::UNKEYED }.to_owned(),
        reads: None,
    };
    entry.hash = entry.compute_hash(key.as_ref()).expect("a key is at hand for the scheme chosen");
    let text = |s: &Option<String>| s.clone().map_or(Value::NullText, Value::Text);
    let int = |i: Option<i64>| i.map_or(Value::NullInt, Value::Int);
    let values = vec![
        Value::Int(entry.seq),
        Value::Text(entry.at.clone()),
        int(entry.actor_id),
        Value::Text(entry.actor.clone()),
        Value::Text(entry.action.clone()),
        Value::Text(entry.table_name.clone()),
        int(entry.record_id),
        text(&entry.before_data),
        text(&entry.after_data),
        Value::Text(entry.prev_hash.clone()),
        Value::Text(entry.hash.clone()),
        int(entry.tenant_id),
        int(entry.unit_id),
        text(&entry.client),
        Value::Text(entry.scheme.clone()),
    ];
    let sql = format!(
        "INSERT INTO audit_entry ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
    );
    bind_values(sqlx::query(sqlx::AssertSqlSafe(sql)), values).execute(&mut *conn).await?;
    sqlx::query("UPDATE audit_head SET last_hash = $1 WHERE id = 1").bind(entry.hash).execute(&mut *conn).await?;
    Ok(())
}

/// Logs that the actor read a sensitive record: the first read of the record by the
/// same actor on a day is an entry of the log, later ones that day only raise its count
/// (so the log grows with the records people look at, not with page views).
pub async fn record_read(tx: &mut Tx, table: &str, record_id: i64) -> Result<()> {
    reads(tx, table, &[record_id], None).await
}

/// [`record_read`] of every record of `table` in `ids`, in one statement (a list of a
/// hundred reports is one write, not a hundred); the first reads of the day are entries
/// of the log in the order of `ids`.
pub async fn record_reads(tx: &mut Tx, table: &str, ids: &[i64]) -> Result<()> {
    reads(tx, table, ids, None).await
}

/// The reads of `ids`, each first read of the day an entry of the log with `detail`.
async fn reads(tx: &mut Tx, table: &str, ids: &[i64], detail: Option<String>) -> Result<()> {
    let mut unique: Vec<i64> = Vec::with_capacity(ids.len());
    for id in ids {
        if !unique.contains(id) {
            unique.push(*id);
        }
    }
    let day = now_utc()[..10].to_owned();
    let actor = tx.actor().name.clone();
    for chunk in unique.chunks(500) {
        // Record numbers written as numbers; the rest bound.
        let values: Vec<String> = chunk.iter().map(|id| format!("($1, $2, {id}, $3, 1)")).collect();
        let sql = format!(
            "INSERT INTO audit_read (actor, table_name, record_id, day, reads) VALUES {} \
             ON CONFLICT (actor, table_name, record_id, day) DO UPDATE SET reads = audit_read.reads + 1 \
             RETURNING record_id, reads",
            values.join(", ")
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(actor.clone())
            .bind(table.to_owned())
            .bind(day.clone())
            .fetch_all(&mut **tx)
            .await?;
        let mut first = Vec::new();
        for row in &rows {
            if row.try_get::<i64, _>("reads")? == 1 {
                first.push(row.try_get::<i64, _>("record_id")?);
            }
        }
        for id in chunk.iter().filter(|id| first.contains(id)) {
            append(tx, "read", table, Some(*id), None, detail.clone()).await?;
        }
    }
    Ok(())
}

/// [`record_read`], with what was read beyond the record itself (e.g. how many case ids).
pub async fn record_read_with(tx: &mut Tx, table: &str, record_id: i64, detail: Option<String>) -> Result<()> {
    reads(tx, table, &[record_id], detail).await
}

fn entry_from(row: &sqlx::any::AnyRow) -> Result<AuditEntry> {
    use sqlx::ValueRef;
    let opt_text = |c: &str| -> Result<Option<String>> {
        Ok(if row.try_get_raw(c)?.is_null() { None } else { Some(row.try_get::<String, _>(c)?) })
    };
    let opt_int = |c: &str| -> Result<Option<i64>> {
        Ok(if row.try_get_raw(c)?.is_null() { None } else { Some(row.try_get::<i64, _>(c)?) })
    };
    Ok(AuditEntry {
        seq: row.try_get("seq")?,
        at: row.try_get("at")?,
        actor_id: opt_int("actor_id")?,
        actor: row.try_get("actor")?,
        action: row.try_get("action")?,
        table_name: row.try_get("table_name")?,
        record_id: opt_int("record_id")?,
        before_data: opt_text("before_data")?,
        after_data: opt_text("after_data")?,
        prev_hash: row.try_get("prev_hash")?,
        hash: row.try_get("hash")?,
        tenant_id: opt_int("tenant_id")?,
        unit_id: opt_int("unit_id")?,
        client: opt_text("client")?,
        scheme: row.try_get("scheme")?,
        reads: None,
    })
}
