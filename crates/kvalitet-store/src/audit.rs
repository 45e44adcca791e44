//! The audit log: every change (who, when, which record, before and after) and every
//! read of a sensitive record, appended in the same transaction as the change itself.
//! Entries are hash-chained: each entry's hash covers its content and the previous
//! entry's hash, and the chain's head (count and last hash) is kept in `audit_head`, so
//! an edited, removed or truncated entry is found by [`verify`].

use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, AssertSqlSafe, Row};

use crate::error::Result;
use crate::record::Value;
use crate::repo::bind_values;
use crate::{Actor, Tx};

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
}

impl AuditEntry {
    /// The hash of the entry's content chained to the previous hash. Fields are
    /// length-prefixed so no two entries can serialise alike.
    pub fn compute_hash(&self) -> String {
        let mut h = Sha256::new();
        let mut field = |s: &str| {
            h.update((s.len() as u64).to_be_bytes());
            h.update(s.as_bytes());
        };
        field(&self.seq.to_string());
        field(&self.at);
        field(&self.actor_id.map(|a| a.to_string()).unwrap_or_default());
        field(&self.actor);
        field(&self.action);
        field(&self.table_name);
        field(&self.record_id.map(|r| r.to_string()).unwrap_or_default());
        field(self.before_data.as_deref().unwrap_or("\u{0}"));
        field(self.after_data.as_deref().unwrap_or("\u{0}"));
        field(&self.prev_hash);
        hex::encode(h.finalize())
    }
}

/// Now, in UTC, to the second.
pub fn now_utc() -> String {
    jiff::Timestamp::now().strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Appends an entry in the caller's transaction.
pub async fn append(
    tx: &mut Tx,
    action: &str,
    table: &str,
    record_id: Option<i64>,
    before: Option<String>,
    after: Option<String>,
) -> Result<()> {
    let actor: Actor = tx.actor().clone();
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
    };
    entry.hash = entry.compute_hash();
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
    ];
    bind_values(
        sqlx::query(
            "INSERT INTO audit_entry (seq, at, actor_id, actor, action, table_name, record_id, before_data, after_data, prev_hash, hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        ),
        values,
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE audit_head SET last_hash = $1 WHERE id = 1").bind(entry.hash).execute(&mut *conn).await?;
    Ok(())
}

/// Logs that the actor read a sensitive record.
pub async fn record_read(tx: &mut Tx, table: &str, record_id: i64) -> Result<()> {
    append(tx, "read", table, Some(record_id), None, None).await
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
    })
}

const COLUMNS: &str =
    "seq, at, actor_id, actor, action, table_name, record_id, before_data, after_data, prev_hash, hash";

/// What [`verify`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    pub entries: i64,
    /// Every problem, in Swedish, naming the entry.
    pub problems: Vec<String>,
}

/// Walks the whole chain: every entry's hash, every link to the previous entry, no gap
/// in the numbering, and the head matching the last entry.
pub async fn verify(conn: &mut AnyConnection) -> Result<Verification> {
    let head = sqlx::query("SELECT seq, last_hash FROM audit_head WHERE id = 1").fetch_one(&mut *conn).await?;
    let head_seq: i64 = head.try_get("seq")?;
    let head_hash: String = head.try_get("last_hash")?;
    let mut problems = Vec::new();
    let mut prev_hash = "0".repeat(64);
    let mut expected_seq = 1;
    let mut entries = 0;
    let mut after = 0i64;
    loop {
        // In pages, so a long log is never held in memory at once.
        let sql = format!("SELECT {COLUMNS} FROM audit_entry WHERE seq > $1 ORDER BY seq LIMIT 5000");
        let rows = sqlx::query(AssertSqlSafe(sql)).bind(after).fetch_all(&mut *conn).await?;
        if rows.is_empty() {
            break;
        }
        for row in &rows {
            let e = entry_from(row)?;
            if e.seq != expected_seq {
                problems.push(format!("post {} saknas (nästa post är {})", expected_seq, e.seq));
            }
            if e.prev_hash != prev_hash {
                problems
                    .push(format!("post {}: kedjan är bruten, föregående post har ändrats eller tagits bort", e.seq));
            }
            if e.compute_hash() != e.hash {
                problems.push(format!("post {}: innehållet har ändrats efter att den skrevs", e.seq));
            }
            prev_hash = e.hash.clone();
            expected_seq = e.seq + 1;
            after = e.seq;
            entries += 1;
        }
    }
    if head_seq != after || (entries > 0 && head_hash != prev_hash) {
        problems.push(format!(
            "loggen slutar vid post {after} men ska ha {head_seq} poster: poster i slutet har tagits bort eller ändrats"
        ));
    }
    Ok(Verification { entries, problems })
}

/// A search of the audit log.
#[derive(Debug, Clone, Default)]
pub struct Search {
    pub actor_id: Option<i64>,
    pub table_name: Option<String>,
    pub record_id: Option<i64>,
    pub action: Option<String>,
    /// Inclusive bounds on `at`, as `YYYY-MM-DD`.
    pub from: Option<String>,
    pub to: Option<String>,
    pub limit: i64,
}

/// Entries matching `s`, newest first.
pub async fn search(conn: &mut AnyConnection, s: &Search) -> Result<Vec<AuditEntry>> {
    let mut clauses = Vec::new();
    let mut values = Vec::new();
    let mut add = |clause: &str, v: Value| {
        values.push(v);
        clauses.push(clause.replace('?', &format!("${}", values.len())));
    };
    if let Some(a) = s.actor_id {
        add("actor_id = ?", Value::Int(a));
    }
    if let Some(t) = &s.table_name {
        add("table_name = ?", Value::Text(t.clone()));
    }
    if let Some(r) = s.record_id {
        add("record_id = ?", Value::Int(r));
    }
    if let Some(a) = &s.action {
        add("action = ?", Value::Text(a.clone()));
    }
    if let Some(f) = &s.from {
        add("at >= ?", Value::Text(f.clone()));
    }
    if let Some(t) = &s.to {
        add("at < ?", Value::Text(format!("{t}T99")));
    }
    let filter = if clauses.is_empty() { "1 = 1".to_owned() } else { clauses.join(" AND ") };
    let limit = s.limit.clamp(1, 1000);
    let sql = format!("SELECT {COLUMNS} FROM audit_entry WHERE {filter} ORDER BY seq DESC LIMIT {limit}");
    let rows = bind_values(sqlx::query(AssertSqlSafe(sql)), values).fetch_all(&mut *conn).await?;
    rows.iter().map(entry_from).collect()
}
