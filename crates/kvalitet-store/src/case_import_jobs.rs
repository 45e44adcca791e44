//! Imports of case data started in the browser, as jobs whose state lives in the
//! database (`case_import_job`, migration 0019): the request that received the files
//! starts the job and a task runs it; any instance shows how far it has come. A job
//! holds no case data: the files' names, the period, the rows read so far, and in the end
//! what was stored or why nothing was (file:row:column texts, never a person id).

use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, Row};

use kvalitet_domain::Date;
use kvalitet_domain::access::AccountId;
use kvalitet_domain::org::TenantId;

use crate::case_data::ImportSummary;
use crate::error::Result;
use crate::{Actor, Store, Tx, audit};

/// How many problems a failed job keeps one by one; the rest are counted by kind.
pub const KEPT_PROBLEMS: usize = 100;

/// A job that has not moved for this many seconds was cut off (its instance stopped):
/// a job reading moves every second.
pub const STALLED_AFTER_SECONDS: i64 = 120;

/// Storing is one transaction that does not move the job's row until it commits (a
/// large import takes minutes); if its instance stops, the transaction rolls back.
pub const STORING_STALLED_AFTER_SECONDS: i64 = 3600;

/// Where a job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Reading and checking the files, and computing the measures.
    Reading,
    /// Storing the import.
    Storing,
    /// Stored.
    Done,
    /// Nothing stored: see the problems.
    Failed,
}

impl Phase {
    pub fn code(self) -> &'static str {
        match self {
            Phase::Reading => "reading",
            Phase::Storing => "storing",
            Phase::Done => "done",
            Phase::Failed => "failed",
        }
    }

    fn from_code(code: &str) -> Phase {
        match code {
            "storing" => Phase::Storing,
            "done" => Phase::Done,
            "failed" => Phase::Failed,
            _ => Phase::Reading,
        }
    }

    /// Whether the job has ended.
    pub fn finished(self) -> bool {
        matches!(self, Phase::Done | Phase::Failed)
    }
}

/// Why a job stored nothing: the first problems as texts, how many there were, and the
/// rest counted by kind (or one message when the files could not be read at all).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problems {
    pub total: usize,
    pub listed: Vec<String>,
    /// "12 × ogiltigt datum i kolumn utredning_slut (arenden.csv)" for the problems not listed.
    pub rest: Vec<String>,
}

/// One job as stored.
#[derive(Debug, Clone)]
pub struct Job {
    pub id: i64,
    pub tenant_id: TenantId,
    pub account_id: AccountId,
    /// Unix seconds.
    pub created_at: i64,
    pub updated_at: i64,
    pub phase: Phase,
    pub files: String,
    pub bytes: i64,
    pub period_from: String,
    pub period_to: String,
    pub rows_read: i64,
    pub stored: Option<ImportSummary>,
    pub problems: Option<Problems>,
}

impl Job {
    /// Whether the job stopped without finishing (its instance went away), as of `now`.
    pub fn stalled(&self, now: i64) -> bool {
        let limit = if self.phase == Phase::Storing { STORING_STALLED_AFTER_SECONDS } else { STALLED_AFTER_SECONDS };
        !self.phase.finished() && now - self.updated_at > limit
    }
}

fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// What a new job is about.
#[derive(Debug, Clone)]
pub struct NewJob<'a> {
    pub tenant: TenantId,
    pub account: AccountId,
    pub files: &'a str,
    pub bytes: i64,
    pub from: Date,
    pub to: Date,
}

/// Starts a job (audited), reading.
pub async fn start(tx: &mut Tx, job: &NewJob<'_>) -> Result<i64> {
    let at = now();
    let row = sqlx::query(
        "INSERT INTO case_import_job (tenant_id, account_id, created_at, updated_at, phase, files, bytes, period_from, period_to) \
         VALUES ($1, $2, $3, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(job.tenant.get())
    .bind(job.account.get())
    .bind(at)
    .bind(Phase::Reading.code())
    .bind(job.files.to_owned())
    .bind(job.bytes)
    .bind(job.from.to_string())
    .bind(job.to.to_string())
    .fetch_one(&mut **tx)
    .await?;
    let id: i64 = row.try_get("id")?;
    let after = serde_json::json!({
        "files": job.files, "bytes": job.bytes, "period": [job.from.to_string(), job.to.to_string()],
    })
    .to_string();
    audit::append(tx, "create", "case_import_job", Some(id), None, Some(after)).await?;
    Ok(id)
}

/// Records how far a running job has come (not audited: a counter, not a change of
/// anything recorded). A finished job is left as it is.
pub async fn progress(store: &Store, id: i64, phase: Phase, rows_read: u64) -> Result<()> {
    let mut tx = store.write(&Actor::system("case-import")).await?;
    sqlx::query(
        "UPDATE case_import_job SET phase = $1, rows_read = $2, updated_at = $3 \
         WHERE id = $4 AND phase NOT IN ('done', 'failed')",
    )
    .bind(phase.code())
    .bind(rows_read as i64)
    .bind(now())
    .bind(id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await
}

/// Marks a job done in the transaction that stored its import (audited).
pub async fn finish_done(tx: &mut Tx, id: i64, rows_read: u64, summary: &ImportSummary) -> Result<()> {
    let stored = serde_json::to_string(summary).expect("plain data serialises");
    sqlx::query(
        "UPDATE case_import_job SET phase = 'done', rows_read = $1, updated_at = $2, import_id = $3, summary = $4 \
         WHERE id = $5",
    )
    .bind(rows_read as i64)
    .bind(now())
    .bind(summary.import_id)
    .bind(stored.clone())
    .bind(id)
    .execute(&mut **tx)
    .await?;
    audit::append(tx, "update", "case_import_job", Some(id), None, Some(stored)).await
}

/// Marks a job failed: nothing was stored, for these reasons (audited).
pub async fn finish_failed(store: &Store, actor: &Actor, id: i64, rows_read: u64, problems: &Problems) -> Result<()> {
    let text = serde_json::to_string(problems).expect("plain data serialises");
    let mut tx = store.write(actor).await?;
    sqlx::query(
        "UPDATE case_import_job SET phase = 'failed', rows_read = $1, updated_at = $2, problems = $3 WHERE id = $4",
    )
    .bind(rows_read as i64)
    .bind(now())
    .bind(text)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    let after = serde_json::json!({ "phase": "failed", "problems": problems.total }).to_string();
    audit::append(&mut tx, "update", "case_import_job", Some(id), None, Some(after)).await?;
    tx.commit().await
}

const COLUMNS: &str = "id, tenant_id, account_id, created_at, updated_at, phase, files, bytes, period_from, \
     period_to, rows_read, summary, problems";

fn job(r: &sqlx::any::AnyRow) -> Result<Job> {
    let summary: String = r.try_get("summary")?;
    let problems: String = r.try_get("problems")?;
    Ok(Job {
        id: r.try_get("id")?,
        tenant_id: kvalitet_domain::Id::new(r.try_get("tenant_id")?),
        account_id: kvalitet_domain::Id::new(r.try_get("account_id")?),
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
        phase: Phase::from_code(&r.try_get::<String, _>("phase")?),
        files: r.try_get("files")?,
        bytes: r.try_get("bytes")?,
        period_from: r.try_get("period_from")?,
        period_to: r.try_get("period_to")?,
        rows_read: r.try_get("rows_read")?,
        stored: serde_json::from_str(&summary).ok(),
        problems: serde_json::from_str(&problems).ok(),
    })
}

/// One job, if it is the tenant's.
pub async fn get(conn: &mut AnyConnection, tenant: TenantId, id: i64) -> Result<Option<Job>> {
    let sql = format!("SELECT {COLUMNS} FROM case_import_job WHERE id = $1 AND tenant_id = $2");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).bind(tenant.get()).fetch_optional(&mut *conn).await?;
    row.as_ref().map(job).transpose()
}

/// The tenant's latest jobs, newest first.
pub async fn recent(conn: &mut AnyConnection, tenant: TenantId, limit: i64) -> Result<Vec<Job>> {
    let sql = format!("SELECT {COLUMNS} FROM case_import_job WHERE tenant_id = $1 ORDER BY id DESC LIMIT $2");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(tenant.get()).bind(limit).fetch_all(&mut *conn).await?;
    rows.iter().map(job).collect()
}

/// The problems of refused files, as a job keeps them, each file named by `rename`.
pub fn problems_of(errors: &kvalitet_measures::ImportErrors, rename: impl Fn(&str) -> String) -> Problems {
    let renamed = kvalitet_measures::ImportErrors {
        problems: errors
            .problems
            .iter()
            .map(|p| kvalitet_measures::Problem { file: rename(&p.file), ..p.clone() })
            .collect(),
        listed: KEPT_PROBLEMS,
    };
    Problems {
        total: renamed.problems.len(),
        listed: renamed.problems.iter().take(KEPT_PROBLEMS).map(ToString::to_string).collect(),
        rest: renamed.rest(),
    }
}
