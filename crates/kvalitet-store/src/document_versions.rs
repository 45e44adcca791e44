//! The board documents as they were at a decision (`document_version`): stored in the
//! decision's transaction, byte for byte with their SHA-256, never changed afterwards.
//! The documents crate makes the bytes; this module only keeps and finds them.

use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Row};

use kvalitet_domain::Date;
use kvalitet_domain::org::{OrgUnitId, TenantId};

use crate::Tx;
use crate::audit;
use crate::error::{Result, StoreError};

/// What a stored version belongs to: the plan or the report whose decision it records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    Plan(i64),
    Report(i64),
}

/// The board's decision a version was stored at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// The plan was adopted.
    Adopted,
    /// The plan's follow-up was recorded.
    FollowedUp,
    /// The report was submitted to the board.
    Submitted,
}

impl Decision {
    pub fn code(self) -> &'static str {
        match self {
            Decision::Adopted => "adopted",
            Decision::FollowedUp => "followed_up",
            Decision::Submitted => "submitted",
        }
    }

    pub fn from_code(code: &str) -> Option<Decision> {
        [Decision::Adopted, Decision::FollowedUp, Decision::Submitted].into_iter().find(|d| d.code() == code)
    }

    /// How a stored version is named to users: "Antagen version", …
    pub fn label(self) -> &'static str {
        match self {
            Decision::Adopted => "Antagen version",
            Decision::FollowedUp => "Version vid uppföljningen",
            Decision::Submitted => "Version som lämnades till nämnden",
        }
    }
}

/// One document to be stored: kind and format by their codes (`plan`, `follow-up`,
/// `report`; `docx`, `html`, `pdf`) and the file's bytes.
#[derive(Debug, Clone)]
pub struct NewVersion {
    pub tenant_id: TenantId,
    pub scope_id: OrgUnitId,
    pub year: i64,
    pub subject: Subject,
    pub kind: &'static str,
    pub format: &'static str,
    pub decision: Decision,
    pub decided_on: Date,
    pub board_reference: String,
    /// Who recorded the decision, as people know them (the account's display name).
    pub stored_by_name: String,
    pub content: Vec<u8>,
}

/// A stored version without its bytes: what a page lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionInfo {
    pub id: i64,
    pub tenant_id: TenantId,
    pub scope_id: OrgUnitId,
    pub year: i64,
    pub subject: Subject,
    pub kind: String,
    pub format: String,
    pub decision: Decision,
    pub decided_on: String,
    pub board_reference: String,
    pub sha256: String,
    pub size: i64,
    pub stored_by_name: String,
    /// UTC, `YYYY-MM-DDTHH:MM:SSZ`.
    pub stored_at: String,
}

/// The SHA-256 of `bytes`, lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Stores one document version in the decision's transaction; the audit log gets its
/// metadata and checksum (not the bytes). Returns its id.
pub async fn store(tx: &mut Tx, v: &NewVersion) -> Result<i64> {
    let sha = sha256_hex(&v.content);
    let actor = tx.actor().clone();
    let at = audit::now_utc();
    let (plan_id, report_id) = match v.subject {
        Subject::Plan(p) => (Some(p), None),
        Subject::Report(r) => (None, Some(r)),
    };
    let row = sqlx::query(
        "INSERT INTO document_version (tenant_id, scope_id, year, plan_id, report_id, kind, format, decision, \
         decided_on, board_reference, content, sha256, stored_by, stored_by_name, stored_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id",
    )
    .bind(v.tenant_id.get())
    .bind(v.scope_id.get())
    .bind(v.year)
    .bind(plan_id)
    .bind(report_id)
    .bind(v.kind)
    .bind(v.format)
    .bind(v.decision.code())
    .bind(v.decided_on.to_string())
    .bind(v.board_reference.clone())
    .bind(v.content.clone())
    .bind(sha.clone())
    .bind(actor.account_id)
    .bind(v.stored_by_name.clone())
    .bind(at.clone())
    .fetch_one(&mut **tx)
    .await?;
    let id: i64 = row.try_get("id")?;
    let meta = serde_json::json!({
        "tenant_id": v.tenant_id.get(),
        "scope_id": v.scope_id.get(),
        "year": v.year,
        "plan_id": plan_id,
        "report_id": report_id,
        "kind": v.kind,
        "format": v.format,
        "decision": v.decision.code(),
        "decided_on": v.decided_on.to_string(),
        "board_reference": v.board_reference,
        "sha256": sha,
        "size": v.content.len(),
        "stored_at": at,
    });
    audit::append(tx, "create", "document_version", Some(id), None, Some(meta.to_string())).await?;
    Ok(id)
}

const INFO: &str = "id, tenant_id, scope_id, year, plan_id, report_id, kind, format, decision, decided_on, \
                    board_reference, sha256, CAST(LENGTH(content) AS BIGINT) AS size, stored_by_name, stored_at";

fn corrupt(column: &str, detail: String) -> StoreError {
    StoreError::Corrupt { table: "document_version", column: column.to_owned(), detail }
}

fn info(row: &sqlx::any::AnyRow) -> Result<VersionInfo> {
    let plan: Option<i64> = row.try_get("plan_id")?;
    let report: Option<i64> = row.try_get("report_id")?;
    let subject = match (plan, report) {
        (Some(p), _) => Subject::Plan(p),
        (None, Some(r)) => Subject::Report(r),
        (None, None) => return Err(corrupt("plan_id", "neither a plan nor a report".into())),
    };
    let decision: String = row.try_get("decision")?;
    Ok(VersionInfo {
        id: row.try_get("id")?,
        tenant_id: TenantId::new(row.try_get("tenant_id")?),
        scope_id: OrgUnitId::new(row.try_get("scope_id")?),
        year: row.try_get("year")?,
        subject,
        kind: row.try_get("kind")?,
        format: row.try_get("format")?,
        decision: Decision::from_code(&decision)
            .ok_or_else(|| corrupt("decision", format!("unknown decision {decision}")))?,
        decided_on: row.try_get("decided_on")?,
        board_reference: row.try_get("board_reference")?,
        sha256: row.try_get("sha256")?,
        size: row.try_get("size")?,
        stored_by_name: row.try_get("stored_by_name")?,
        stored_at: row.try_get("stored_at")?,
    })
}

/// The stored versions of one document (`kind`) for a scope and year, in every format,
/// newest decision first.
pub async fn list(
    conn: &mut AnyConnection,
    tenant: TenantId,
    scope: OrgUnitId,
    year: i64,
    kind: &str,
) -> Result<Vec<VersionInfo>> {
    let sql = format!(
        "SELECT {INFO} FROM document_version WHERE tenant_id = $1 AND scope_id = $2 AND year = $3 AND kind = $4 \
         ORDER BY id DESC"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(tenant.get())
        .bind(scope.get())
        .bind(year)
        .bind(kind.to_owned())
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(info).collect()
}

/// The newest stored version of a document in one format, with its bytes.
pub async fn latest(
    conn: &mut AnyConnection,
    tenant: TenantId,
    scope: OrgUnitId,
    year: i64,
    kind: &str,
    format: &str,
) -> Result<Option<(VersionInfo, Vec<u8>)>> {
    let sql = format!(
        "SELECT {INFO}, content FROM document_version WHERE tenant_id = $1 AND scope_id = $2 AND year = $3 \
         AND kind = $4 AND format = $5 ORDER BY id DESC LIMIT 1"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(tenant.get())
        .bind(scope.get())
        .bind(year)
        .bind(kind.to_owned())
        .bind(format.to_owned())
        .fetch_optional(&mut *conn)
        .await?;
    match row {
        Some(row) => Ok(Some((info(&row)?, row.try_get::<Vec<u8>, _>("content")?))),
        None => Ok(None),
    }
}
