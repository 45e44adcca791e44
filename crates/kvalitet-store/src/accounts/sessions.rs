//! Sessions in the database (so several app instances share them), stored as hashes of
//! their tokens, with idle and absolute timeouts.

use sha2::{Digest, Sha256};
use sqlx::Row;

use kvalitet_domain::Versioned;
use kvalitet_domain::access::{Account, AccountId, RoleAssignment};

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
}

/// The session of a cookie token, if it is still alive and its account active; refreshes
/// its idle timer at most once a minute. Expired sessions are removed.
pub async fn session(store: &crate::Store, token: &str) -> Result<Option<Session>> {
    let hash = token_hash(token);
    let mut conn = store.read().await?;
    let row = sqlx::query(
        "SELECT account_id, csrf_token, created_at, last_seen_at, method FROM session WHERE token_hash = $1",
    )
    .bind(hash.clone())
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let now = super::now_seconds();
    let created: i64 = row.try_get("created_at")?;
    let seen: i64 = row.try_get("last_seen_at")?;
    if now - seen > IDLE_TIMEOUT_SECONDS || now - created > ABSOLUTE_TIMEOUT_SECONDS {
        sqlx::query("DELETE FROM session WHERE token_hash = $1").bind(hash).execute(&mut *conn).await?;
        return Ok(None);
    }
    if now - seen > 60 {
        sqlx::query("UPDATE session SET last_seen_at = $1 WHERE token_hash = $2")
            .bind(now)
            .bind(hash)
            .execute(&mut *conn)
            .await?;
    }
    let account_id = AccountId::new(row.try_get("account_id")?);
    let account = match repo::find::<Account>(&mut conn, account_id).await? {
        Some(a) if a.active => a,
        _ => return Ok(None),
    };
    let assignments = super::assignments(&mut conn, account_id).await?;
    Ok(Some(Session { account, assignments, csrf_token: row.try_get("csrf_token")?, method: row.try_get("method")? }))
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
