//! Sessions in the database (so several app instances share them), stored as hashes of
//! their tokens, with idle and absolute timeouts.

use sha2::{Digest, Sha256};
use sqlx::Row;

use kvalitet_domain::access::{Account, AccountId, Role, RoleAssignment};
use kvalitet_domain::{Code, Id, Versioned};

use crate::error::Result;
use crate::{Actor, Tx, audit, repo};

/// A session ends after this long without a request.
pub const IDLE_TIMEOUT_SECONDS: i64 = 30 * 60;
/// A session ends this long after sign-in, however active.
pub const ABSOLUTE_TIMEOUT_SECONDS: i64 = 12 * 60 * 60;

pub(crate) fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A signed-in session: the cookie's token (only its hash is stored) and its CSRF token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSession {
    pub token: String,
    pub csrf_token: String,
}

/// Starts a session for an account whose identity has been established: by password
/// ([`super::login`]), or by a second way in such as the municipality's OIDC provider
/// (verify the ID token, find the active account, then call this in a write
/// transaction). The sign-in is audited with how it was made.
pub async fn start_session(tx: &mut Tx, account: AccountId, method: &str) -> Result<NewSession> {
    let session = NewSession { token: super::random_token(), csrf_token: super::random_token() };
    sqlx::query(
        "INSERT INTO session (token_hash, account_id, csrf_token, created_at, last_seen_at, method) \
         VALUES ($1, $2, $3, $4, $4, $5)",
    )
    .bind(token_hash(&session.token))
    .bind(account.get())
    .bind(session.csrf_token.clone())
    .bind(super::now_seconds())
    .bind(method.to_owned())
    .execute(&mut **tx)
    .await?;
    let how = serde_json::json!({ "method": method, "client": tx.actor().client }).to_string();
    audit::append(tx, "login", "account", Some(account.get()), None, Some(how)).await?;
    tracing::info!(
        target: "kvalitet::signin",
        event = "login",
        method,
        account = account.get(),
        client = tx.actor().client.as_deref().unwrap_or("-"),
        "signed in"
    );
    Ok(session)
}

/// A live session, looked up by its cookie token.
#[derive(Debug, Clone)]
pub struct Session {
    pub account: Versioned<Account>,
    pub assignments: Vec<RoleAssignment>,
    pub csrf_token: String,
    /// How it was begun: `password` or `oidc`.
    pub method: String,
    /// The account's municipality, as every page needs it.
    pub tenant: SessionTenant,
}

/// What every request needs of the session's municipality.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionTenant {
    pub name: String,
    /// Whether the municipality is the demo's.
    pub demo: bool,
    /// Counted up by every change of its org units (migration 0020): a tree kept in
    /// memory is current while this is unchanged.
    pub org_version: i64,
}

/// The session of a cookie token, if it is still alive and its account active, with the
/// account, its role assignments and its municipality, in one query; refreshes its idle
/// timer at most once a minute. Expired sessions are removed.
pub async fn session(store: &crate::Store, token: &str) -> Result<Option<Session>> {
    let hash = token_hash(token);
    let mut conn = store.read().await?;
    let rows = sqlx::query(
        "SELECT s.csrf_token AS s_csrf_token, s.created_at AS s_created_at, s.last_seen_at AS s_last_seen_at, \
         s.method AS s_method, a.id, a.version, a.tenant_id, a.email, a.display_name, a.password_hash, a.active, \
         a.must_change_password, a.password_expires_at, t.name AS t_name, t.demo AS t_demo, \
         t.org_version AS t_org_version, r.role AS r_role, r.scope_id AS r_scope_id \
         FROM session s JOIN account a ON a.id = s.account_id JOIN tenant t ON t.id = a.tenant_id \
         LEFT JOIN role_assignment r ON r.account_id = a.id \
         WHERE s.token_hash = $1 ORDER BY r.id",
    )
    .bind(hash.clone())
    .fetch_all(&mut *conn)
    .await?;
    let Some(row) = rows.first() else { return Ok(None) };
    let now = super::now_seconds();
    let created: i64 = row.try_get("s_created_at")?;
    let seen: i64 = row.try_get("s_last_seen_at")?;
    if now - seen > IDLE_TIMEOUT_SECONDS || now - created > ABSOLUTE_TIMEOUT_SECONDS {
        sqlx::query("DELETE FROM session WHERE token_hash = $1").bind(hash).execute(&mut *conn).await?;
        return Ok(None);
    }
    let account: Versioned<Account> = repo::versioned(row)?;
    if !account.active {
        return Ok(None);
    }
    if now - seen > 60 {
        sqlx::query("UPDATE session SET last_seen_at = $1 WHERE token_hash = $2")
            .bind(now)
            .bind(hash)
            .execute(&mut *conn)
            .await?;
    }
    let mut assignments = Vec::new();
    for r in &rows {
        let Some(code) = r.try_get::<Option<String>, _>("r_role")? else { continue };
        let role = Role::from_code(&code).ok_or_else(|| crate::StoreError::Corrupt {
            table: "role_assignment",
            column: "role".into(),
            detail: code.clone(),
        })?;
        let scope: i64 = r.try_get("r_scope_id")?;
        assignments.push(RoleAssignment { account_id: account.id, role, scope_id: Id::new(scope) });
    }
    let tenant = SessionTenant {
        name: row.try_get("t_name")?,
        demo: row.try_get::<i64, _>("t_demo")? != 0,
        org_version: row.try_get("t_org_version")?,
    };
    Ok(Some(Session {
        csrf_token: row.try_get("s_csrf_token")?,
        method: row.try_get("s_method")?,
        account,
        assignments,
        tenant,
    }))
}

/// Ends a session.
pub async fn logout(store: &crate::Store, token: &str, actor: &Actor) -> Result<()> {
    let mut tx = store.write(actor).await?;
    sqlx::query("DELETE FROM session WHERE token_hash = $1").bind(token_hash(token)).execute(&mut *tx).await?;
    audit::append(&mut tx, "logout", "account", actor.account_id, None, None).await?;
    tx.commit().await?;
    tracing::info!(
        target: "kvalitet::signin",
        event = "logout",
        account = actor.account_id,
        client = actor.client.as_deref().unwrap_or("-"),
        "signed out"
    );
    Ok(())
}

/// Ends every session of an account but the one with `keep_token`, if given; returns how
/// many ended.
pub async fn end_sessions(tx: &mut Tx, account: AccountId, keep_token: Option<&str>) -> Result<u64> {
    let done = sqlx::query("DELETE FROM session WHERE account_id = $1 AND token_hash <> $2")
        .bind(account.get())
        .bind(keep_token.map(token_hash).unwrap_or_default())
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected())
}

/// How many live sessions an account has.
pub async fn count_sessions(conn: &mut sqlx::AnyConnection, account: AccountId) -> Result<i64> {
    let now = super::now_seconds();
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM session WHERE account_id = $1 AND last_seen_at >= $2 AND created_at >= $3",
    )
    .bind(account.get())
    .bind(now - IDLE_TIMEOUT_SECONDS)
    .bind(now - ABSOLUTE_TIMEOUT_SECONDS)
    .fetch_one(&mut *conn)
    .await?;
    Ok(row.try_get("n")?)
}
