//! Notifications by e-mail (F15), as far as the database goes: the outbox (a mail is
//! queued in the same transaction as what causes it, and claimed, sent and marked by a
//! sender job), the once-a-day job lease, each person's digest setting and who reported
//! a deviation. Texts and SMTP are the `kvalitet-mail` crate's.
//!
//! The outbox holds no address and nothing about the people served: the kind of mail,
//! the record it concerns and the few words it needs (a unit's name, a status code, a
//! digest's counts). The address is the account's when the mail is sent.

use sqlx::{AnyConnection, Row};

use kvalitet_domain::access::{AccountId, Role, RoleAssignment, Tree};
use kvalitet_domain::deviation::{Deviation, DeviationId, DeviationKind};
use kvalitet_domain::org::{OrgUnit, TenantId};
use kvalitet_domain::{Code, Versioned};

use crate::error::Result;
use crate::record::Column;
use crate::repo::{self, Where};
use crate::{Store, Tx, audit};

/// What a queued mail is about.
pub mod kind {
    /// A deviation, complaint or HSL deviation was registered: to the unit's managers.
    pub const DEVIATION_REGISTERED: &str = "deviation_registered";
    /// A lex Sarah report was registered: to the unit's managers, at once.
    pub const LEX_SARAH_REGISTERED: &str = "lex_sarah_registered";
    /// The status of someone's report changed: to whoever registered it.
    pub const DEVIATION_STATUS: &str = "deviation_status";
    /// One person's daily digest of what is due.
    pub const DIGEST: &str = "digest";
    /// The reporter added information to their report: to the unit's managers.
    pub const DEVIATION_INFORMATION_ADDED: &str = "deviation_information_added";
}

/// A mail is tried this many times before it is given up.
pub const MAX_ATTEMPTS: i64 = 8;

/// Unix seconds now.
pub fn now_seconds() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// Queues one mail to `account` in the caller's transaction (audited: who gets what
/// kind of mail about which record).
pub async fn queue(
    tx: &mut Tx,
    tenant: TenantId,
    account: AccountId,
    kind: &str,
    record_id: Option<i64>,
    data: &serde_json::Value,
    now: i64,
) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO mail_outbox (tenant_id, account_id, kind, record_id, data, created_at, next_attempt_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
    )
    .bind(tenant.get())
    .bind(account.get())
    .bind(kind)
    .bind(record_id)
    .bind(data.to_string())
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    let id: i64 = row.try_get("id")?;
    let after = serde_json::json!({
        "tenant_id": tenant.get(), "account_id": account.get(), "kind": kind, "record_id": record_id,
    });
    audit::append(tx, "queue_mail", "mail_outbox", Some(id), None, Some(after.to_string())).await?;
    Ok(id)
}

/// The org tree as parent links, for the authorization rule outside a request.
#[derive(Debug, Clone, Default)]
pub struct Parents(std::collections::HashMap<i64, i64>);

impl Parents {
    pub fn of(units: &[Versioned<OrgUnit>]) -> Parents {
        Parents(units.iter().filter_map(|u| Some((u.id.get(), u.parent_id?.get()))).collect())
    }
}

impl Tree for Parents {
    fn parent(&self, unit: kvalitet_domain::org::OrgUnitId) -> Option<kvalitet_domain::org::OrgUnitId> {
        self.0.get(&unit.get()).map(|p| kvalitet_domain::Id::new(*p))
    }
}

/// The active accounts of a tenant that are managers of `unit` (their scope holds it).
async fn managers_of(conn: &mut AnyConnection, tenant: TenantId, unit: i64) -> Result<Vec<AccountId>> {
    let units: Vec<Versioned<OrgUnit>> =
        repo::list(conn, Where::sql("tenant_id = $1", vec![tenant.to_value()])).await?;
    let tree = Parents::of(&units);
    let roles: Vec<Versioned<RoleAssignment>> = repo::list(
        conn,
        Where::sql(
            "role = 'manager' AND account_id IN (SELECT id FROM account WHERE tenant_id = $1 AND active = 1)",
            vec![tenant.to_value()],
        ),
    )
    .await?;
    let mut out: Vec<AccountId> = roles
        .iter()
        .filter(|r| r.role == Role::Manager && tree.is_within(kvalitet_domain::Id::new(unit), r.scope_id))
        .map(|r| r.account_id)
        .collect();
    out.sort();
    out.dedup();
    Ok(out)
}

/// A deviation was registered by `reporter`: remembers who, and tells the unit's
/// managers (a lex Sarah report as such, to be sent at once). Returns how many mails.
pub async fn deviation_registered(
    tx: &mut Tx,
    id: DeviationId,
    deviation: &Deviation,
    reporter: AccountId,
    unit_name: &str,
) -> Result<usize> {
    remember_reporter(tx, id, reporter).await?;
    notify_registered(tx, id, deviation, unit_name).await
}

/// Tells the unit's managers of a new deviation (as [`deviation_registered`], for a report
/// no person of the municipality made: one sent in through the API with a token). Returns
/// how many mails.
pub async fn notify_registered(tx: &mut Tx, id: DeviationId, deviation: &Deviation, unit_name: &str) -> Result<usize> {
    let kind =
        if deviation.kind == DeviationKind::LexSarah { kind::LEX_SARAH_REGISTERED } else { kind::DEVIATION_REGISTERED };
    let data = serde_json::json!({ "unit": unit_name, "deviation_kind": deviation.kind.code() });
    let now = now_seconds();
    let managers = managers_of(tx, deviation.tenant_id, deviation.unit_id.get()).await?;
    for m in &managers {
        queue(tx, deviation.tenant_id, *m, kind, Some(id.get()), &data, now).await?;
    }
    Ok(managers.len())
}

/// Remembers who registered a deviation.
pub async fn remember_reporter(tx: &mut Tx, id: DeviationId, reporter: AccountId) -> Result<()> {
    sqlx::query("INSERT INTO deviation_reporter (deviation_id, account_id) VALUES ($1, $2)")
        .bind(id.get())
        .bind(reporter.get())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The reporter added information to their report afterwards: tells the unit's
/// managers (the kind of report and its unit; not what was added). Returns how many mails.
pub async fn information_added(tx: &mut Tx, id: DeviationId, deviation: &Deviation, unit_name: &str) -> Result<usize> {
    let data = serde_json::json!({ "unit": unit_name, "deviation_kind": deviation.kind.code() });
    let now = now_seconds();
    let managers = managers_of(tx, deviation.tenant_id, deviation.unit_id.get()).await?;
    for m in &managers {
        queue(tx, deviation.tenant_id, *m, kind::DEVIATION_INFORMATION_ADDED, Some(id.get()), &data, now).await?;
    }
    Ok(managers.len())
}

/// A deviation's status changed: tells whoever registered it (not when they changed it
/// themselves). Returns how many mails.
pub async fn deviation_status_changed(
    tx: &mut Tx,
    id: DeviationId,
    deviation: &Deviation,
    unit_name: &str,
) -> Result<usize> {
    let row = sqlx::query("SELECT account_id FROM deviation_reporter WHERE deviation_id = $1")
        .bind(id.get())
        .fetch_optional(&mut **tx)
        .await?;
    let Some(row) = row else { return Ok(0) };
    let reporter: i64 = row.try_get("account_id")?;
    if tx.actor().account_id == Some(reporter) {
        return Ok(0);
    }
    let data = serde_json::json!({
        "unit": unit_name,
        "deviation_kind": deviation.kind.code(),
        "status": deviation.status.code(),
        "reported_on": deviation.reported_on.to_string(),
    });
    let account = kvalitet_domain::Id::new(reporter);
    queue(tx, deviation.tenant_id, account, kind::DEVIATION_STATUS, Some(id.get()), &data, now_seconds()).await?;
    Ok(1)
}

/// A report's kind was changed to lex Sarah: tells the unit's managers at once, as for
/// a lex Sarah report registered (a report changed to another kind: no mail). Returns
/// how many mails.
pub async fn deviation_reclassified(
    tx: &mut Tx,
    id: DeviationId,
    deviation: &Deviation,
    unit_name: &str,
) -> Result<usize> {
    if deviation.kind != DeviationKind::LexSarah {
        return Ok(0);
    }
    let data = serde_json::json!({ "unit": unit_name, "deviation_kind": deviation.kind.code(), "reclassified": true });
    let now = now_seconds();
    let managers = managers_of(tx, deviation.tenant_id, deviation.unit_id.get()).await?;
    for m in &managers {
        queue(tx, deviation.tenant_id, *m, kind::LEX_SARAH_REGISTERED, Some(id.get()), &data, now).await?;
    }
    Ok(managers.len())
}

/// A mail claimed for sending, with its recipient's address as it is now.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub id: i64,
    pub tenant_id: i64,
    pub account_id: i64,
    /// The account's address; `None` if the account is no longer active.
    pub to: Option<String>,
    pub kind: String,
    pub record_id: Option<i64>,
    pub data: serde_json::Value,
    pub attempts: i64,
}

/// Claims up to `limit` mails due at `now` for `lease` seconds: each row is taken by a
/// guarded update, so of two instances claiming together only one gets a row.
pub async fn claim(store: &Store, now: i64, lease: i64, limit: i64) -> Result<Vec<Outgoing>> {
    let mut conn = store.read().await?;
    let candidates = sqlx::query(
        "SELECT id FROM mail_outbox WHERE sent_at IS NULL AND next_attempt_at <= $1 AND lease_until <= $1 \
         ORDER BY CASE kind WHEN 'lex_sarah_registered' THEN 0 ELSE 1 END, id LIMIT $2",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::new();
    for c in candidates {
        let id: i64 = c.try_get("id")?;
        let taken = sqlx::query(
            "UPDATE mail_outbox SET lease_until = $1, attempts = attempts + 1 \
             WHERE id = $2 AND sent_at IS NULL AND next_attempt_at <= $3 AND lease_until <= $3",
        )
        .bind(now + lease)
        .bind(id)
        .bind(now)
        .execute(&mut *conn)
        .await?
        .rows_affected();
        if taken != 1 {
            continue;
        }
        let row = sqlx::query(
            "SELECT o.id, o.tenant_id, o.account_id, o.kind, o.record_id, o.data, o.attempts, a.email, a.active \
             FROM mail_outbox o JOIN account a ON a.id = o.account_id WHERE o.id = $1",
        )
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
        let active: i64 = row.try_get("active")?;
        out.push(Outgoing {
            id,
            tenant_id: row.try_get("tenant_id")?,
            account_id: row.try_get("account_id")?,
            to: (active == 1).then(|| row.try_get("email")).transpose()?,
            kind: row.try_get("kind")?,
            record_id: row.try_get("record_id")?,
            data: serde_json::from_str(&row.try_get::<String, _>("data")?).unwrap_or_default(),
            attempts: row.try_get("attempts")?,
        });
    }
    Ok(out)
}

/// Marks a claimed mail sent (or, with `note`, done without sending: an inactive
/// account's).
pub async fn mark_sent(store: &Store, id: i64, now: i64, note: &str) -> Result<()> {
    let mut conn = store.read().await?;
    sqlx::query("UPDATE mail_outbox SET sent_at = $1, lease_until = 0, last_error = $2 WHERE id = $3")
        .bind(now)
        .bind(note)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Records a failed try; the next waits twice as long as the last (a minute at first,
/// at most six hours), and after [`MAX_ATTEMPTS`] the mail is given up. `error` must hold
/// no address. Returns whether it was given up.
pub async fn mark_failed(store: &Store, id: i64, attempts: i64, now: i64, error: &str) -> Result<bool> {
    let given_up = attempts >= MAX_ATTEMPTS;
    let wait = (60_i64 << (attempts - 1).clamp(0, 9)).min(6 * 3600);
    let next = if given_up { i64::MAX / 2 } else { now + wait };
    let error: String = error.chars().take(500).collect();
    let mut conn = store.read().await?;
    sqlx::query("UPDATE mail_outbox SET next_attempt_at = $1, lease_until = 0, last_error = $2 WHERE id = $3")
        .bind(next)
        .bind(error)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(given_up)
}

/// Takes the day's run of `job` in the caller's transaction: true for the one
/// transaction that inserts the row (the others find it taken, after the first commits).
pub async fn claim_day(tx: &mut Tx, job: &str, day: &str, now: i64) -> Result<bool> {
    let n = sqlx::query("INSERT INTO job_run (job, day, started_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
        .bind(job)
        .bind(day)
        .bind(now)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    Ok(n == 1)
}

/// Whether `account` gets the daily digest (yes unless they turned it off).
pub async fn digest_on(conn: &mut AnyConnection, account: AccountId) -> Result<bool> {
    let row = sqlx::query("SELECT digest FROM mail_setting WHERE account_id = $1")
        .bind(account.get())
        .fetch_optional(&mut *conn)
        .await?;
    Ok(match row {
        Some(r) => r.try_get::<i64, _>("digest")? == 1,
        None => true,
    })
}

/// Turns `account`'s daily digest on or off (audited on the account).
pub async fn set_digest(tx: &mut Tx, account: AccountId, on: bool) -> Result<()> {
    let before = digest_on(tx, account).await?;
    sqlx::query(
        "INSERT INTO mail_setting (account_id, digest) VALUES ($1, $2) \
         ON CONFLICT (account_id) DO UPDATE SET digest = $2",
    )
    .bind(account.get())
    .bind(i64::from(on))
    .execute(&mut **tx)
    .await?;
    let json = |d: bool| Some(serde_json::json!({ "digest": d }).to_string());
    audit::append(tx, "set_digest", "account", Some(account.get()), json(before), json(on)).await
}

/// The accounts of a tenant that get a digest: active, digest not turned off.
pub async fn digest_accounts(conn: &mut AnyConnection, tenant: TenantId) -> Result<Vec<AccountId>> {
    let rows = sqlx::query(
        "SELECT id FROM account WHERE tenant_id = $1 AND active = 1 \
         AND id NOT IN (SELECT account_id FROM mail_setting WHERE digest = 0) ORDER BY id",
    )
    .bind(tenant.get())
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(|r| Ok(kvalitet_domain::Id::new(r.try_get::<i64, _>("id")?))).collect()
}

/// How many mails of a kind are still unsent (for tests and the operator).
pub async fn unsent(conn: &mut AnyConnection) -> Result<i64> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM mail_outbox WHERE sent_at IS NULL").fetch_one(&mut *conn).await?;
    Ok(row.try_get("n")?)
}
