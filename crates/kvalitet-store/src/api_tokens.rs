//! API tokens (F14): another system's way into the JSON API. A token carries one role over
//! one part of the org tree, as a role assignment does; only the SHA-256 of its secret is
//! stored, the secret is shown once when it is made. A token is revoked, never deleted;
//! every use is appended to the audit log.

use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Row};

use kvalitet_domain::access::Role;
use kvalitet_domain::org::{OrgUnitId, TenantId};
use kvalitet_domain::validate::limits;
use kvalitet_domain::{Code, Date, Problem, ValidationErrors};

use crate::error::{Result, StoreError};
use crate::{Actor, Store, Tx, audit};

/// What every token's secret begins with, so a leaked one is recognisable.
pub const PREFIX: &str = "kvt_";

/// A stored token (never its secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    pub id: i64,
    pub tenant_id: TenantId,
    pub name: String,
    pub role: Role,
    pub scope_id: OrgUnitId,
    /// Who made it (the actor's name).
    pub created_by: String,
    /// Unix seconds.
    pub created_at: i64,
    /// The last day the token works, if it expires.
    pub expires_on: Option<Date>,
    pub revoked_at: Option<i64>,
    pub last_used_at: Option<i64>,
}

impl ApiToken {
    /// Whether the token may be used on `today`.
    pub fn is_live(&self, today: Date) -> bool {
        self.revoked_at.is_none() && self.expires_on.is_none_or(|last| today <= last)
    }

    /// Who acts when the token is used: named in the audit log by the token's number and
    /// name, never by its secret.
    pub fn actor(&self, client: Option<String>) -> Actor {
        Actor {
            account_id: None,
            name: format!("api-token:{}:{}", self.id, self.name),
            tenant_id: Some(self.tenant_id.get()),
            client,
        }
    }
}

/// A token to make.
#[derive(Debug, Clone)]
pub struct NewToken {
    pub name: String,
    pub role: Role,
    pub scope_id: OrgUnitId,
    pub expires_on: Option<Date>,
}

fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

const COLUMNS: &str =
    "id, tenant_id, name, role, scope_id, created_by, created_at, expires_on, revoked_at, last_used_at";

fn from_row(row: &sqlx::any::AnyRow) -> Result<ApiToken> {
    use sqlx::ValueRef;
    let corrupt =
        |column: &str, detail: String| StoreError::Corrupt { table: "api_token", column: column.into(), detail };
    let role: String = row.try_get("role")?;
    let expires: Option<String> =
        if row.try_get_raw("expires_on")?.is_null() { None } else { Some(row.try_get("expires_on")?) };
    let opt_int = |c: &str| -> Result<Option<i64>> {
        Ok(if row.try_get_raw(c)?.is_null() { None } else { Some(row.try_get::<i64, _>(c)?) })
    };
    Ok(ApiToken {
        id: row.try_get("id")?,
        tenant_id: TenantId::new(row.try_get("tenant_id")?),
        name: row.try_get("name")?,
        role: Role::from_code(&role).ok_or_else(|| corrupt("role", role.clone()))?,
        scope_id: OrgUnitId::new(row.try_get("scope_id")?),
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
        expires_on: match expires {
            Some(d) => Some(d.parse().map_err(|e| corrupt("expires_on", format!("{e}")))?),
            None => None,
        },
        revoked_at: opt_int("revoked_at")?,
        last_used_at: opt_int("last_used_at")?,
    })
}

/// Makes a token in `tenant`; returns it and its secret, which is not kept (only its
/// hash) and so can be shown this once. The scope must be a unit of the tenant, the
/// name a short text, and an expiry not before `today`.
pub async fn create(tx: &mut Tx, tenant: TenantId, new: &NewToken, today: Date) -> Result<(ApiToken, String)> {
    let mut e = ValidationErrors::default();
    e.text("name", &new.name, limits::SHORT);
    if new.expires_on.is_some_and(|d| d < today) {
        e.push("expires", Problem::Invalid("slutdagen har redan passerat".into()));
    }
    let unit = sqlx::query("SELECT tenant_id FROM org_unit WHERE id = $1")
        .bind(new.scope_id.get())
        .fetch_optional(&mut **tx)
        .await?;
    if unit.map(|r| r.try_get::<i64, _>("tenant_id")).transpose()? != Some(tenant.get()) {
        e.push("scope", Problem::Invalid("enheten finns inte i kommunen".into()));
    }
    e.into_result()?;
    let secret = format!("{PREFIX}{}", crate::accounts::random_token());
    let created_at = crate::accounts::now_seconds();
    let created_by = tx.actor().name.clone();
    let row = sqlx::query(
        "INSERT INTO api_token (tenant_id, name, role, scope_id, token_hash, created_by, created_at, expires_on) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(tenant.get())
    .bind(new.name.trim().to_owned())
    .bind(new.role.code())
    .bind(new.scope_id.get())
    .bind(hash(&secret))
    .bind(created_by.clone())
    .bind(created_at)
    .bind(new.expires_on.map(|d| d.to_string()))
    .fetch_one(&mut **tx)
    .await?;
    let token = ApiToken {
        id: row.try_get("id")?,
        tenant_id: tenant,
        name: new.name.trim().to_owned(),
        role: new.role,
        scope_id: new.scope_id,
        created_by,
        created_at,
        expires_on: new.expires_on,
        revoked_at: None,
        last_used_at: None,
    };
    audit::append(tx, "insert", "api_token", Some(token.id), None, Some(audit_json(&token))).await?;
    Ok((token, secret))
}

/// The audit log's record of a token: what it may do, never its secret or hash.
fn audit_json(t: &ApiToken) -> String {
    serde_json::json!({
        "tenant_id": t.tenant_id.get(),
        "name": t.name,
        "role": t.role.code(),
        "scope_id": t.scope_id.get(),
        "expires_on": t.expires_on.map(|d| d.to_string()),
        "revoked_at": t.revoked_at,
    })
    .to_string()
}

/// The tenant's tokens, oldest first.
pub async fn list(conn: &mut AnyConnection, tenant: TenantId) -> Result<Vec<ApiToken>> {
    let sql = format!("SELECT {COLUMNS} FROM api_token WHERE tenant_id = $1 ORDER BY id");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(tenant.get()).fetch_all(&mut *conn).await?;
    rows.iter().map(from_row).collect()
}

/// Revokes token `id` of `tenant`: it no longer works. Returns false if it was revoked
/// already; another tenant's token is not found.
pub async fn revoke(tx: &mut Tx, tenant: TenantId, id: i64) -> Result<bool> {
    let sql = format!("SELECT {COLUMNS} FROM api_token WHERE id = $1 AND tenant_id = $2");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .bind(tenant.get())
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound { table: "api_token", id })?;
    let before = from_row(&row)?;
    if before.revoked_at.is_some() {
        return Ok(false);
    }
    let after = ApiToken { revoked_at: Some(crate::accounts::now_seconds()), ..before.clone() };
    sqlx::query("UPDATE api_token SET revoked_at = $1 WHERE id = $2")
        .bind(after.revoked_at)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    audit::append(tx, "update", "api_token", Some(id), Some(audit_json(&before)), Some(audit_json(&after))).await?;
    Ok(true)
}

/// The live token whose secret is `secret`, for a request (`what`: its method and path)
/// from `client` on `today`. The use is audited and the token's last use set, in one
/// transaction, before the request is served. An unknown, revoked or expired token is
/// `None`.
pub async fn authenticate(
    store: &Store,
    secret: &str,
    today: Date,
    client: Option<String>,
    what: &str,
) -> Result<Option<ApiToken>> {
    if !secret.starts_with(PREFIX) || secret.len() > 200 {
        return Ok(None);
    }
    let sql = format!("SELECT {COLUMNS} FROM api_token WHERE token_hash = $1");
    let row = {
        let mut conn = store.read().await?;
        sqlx::query(sqlx::AssertSqlSafe(sql)).bind(hash(secret)).fetch_optional(&mut *conn).await?
    };
    let Some(row) = row else { return Ok(None) };
    let token = from_row(&row)?;
    if !token.is_live(today) {
        return Ok(None);
    }
    let actor = token.actor(client.clone());
    let mut tx = store.write(&actor).await?;
    let now = crate::accounts::now_seconds();
    // Revoked meanwhile: refused, as it would have been a moment later.
    let used = sqlx::query("UPDATE api_token SET last_used_at = $1 WHERE id = $2 AND revoked_at IS NULL")
        .bind(now)
        .bind(token.id)
        .execute(&mut *tx)
        .await?;
    if used.rows_affected() != 1 {
        return Ok(None);
    }
    let detail = serde_json::json!({ "request": what, "client": client }).to_string();
    audit::append(&mut tx, "api_use", "api_token", Some(token.id), None, Some(detail)).await?;
    tx.commit().await?;
    Ok(Some(ApiToken { last_used_at: Some(now), ..token }))
}
