//! Accounts, role assignments, sessions and sign-in: passwords hashed with Argon2id,
//! lockout after repeated failures, sessions in the database with idle and absolute
//! timeouts (so several app instances share them).

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Row};

use kvalitet_domain::access::{Account, AccountId, RoleAssignment, check_password};
use kvalitet_domain::{Validate, Versioned};

use crate::error::{Result, StoreError};
use crate::record::{Column, Value};
use crate::repo::{self, Where};
use crate::{Actor, Tx, audit};

/// Failed sign-ins in a row before an account is locked.
pub const MAX_FAILED_LOGINS: i64 = 5;
/// How long a locked account stays locked, in seconds.
pub const LOCKOUT_SECONDS: i64 = 15 * 60;
/// A session ends after this long without a request.
pub const IDLE_TIMEOUT_SECONDS: i64 = 30 * 60;
/// A session ends this long after sign-in, however active.
pub const ABSOLUTE_TIMEOUT_SECONDS: i64 = 12 * 60 * 60;

pub fn now_seconds() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// Hashes a password with Argon2id (slow on purpose: call it off the async runtime's
/// worker threads, e.g. in `spawn_blocking`).
pub fn hash_password(password: &str) -> String {
    Argon2::default().hash_password(password.as_bytes()).expect("argon2 hashes any password").to_string()
}

fn password_matches(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// A random token, hex.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the OS has randomness");
    hex::encode(bytes)
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub async fn find_by_email(conn: &mut AnyConnection, email: &str) -> Result<Option<Versioned<Account>>> {
    let email = email.trim().to_lowercase();
    Ok(repo::list::<Account>(conn, Where::sql("email = $1", vec![Value::Text(email)])).await?.into_iter().next())
}

pub async fn assignments(conn: &mut AnyConnection, account: AccountId) -> Result<Vec<RoleAssignment>> {
    let v: Vec<Versioned<RoleAssignment>> =
        repo::list(conn, Where::sql("account_id = $1", vec![account.to_value()])).await?;
    Ok(v.into_iter().map(|a| a.item).collect())
}

/// Creates an account with a password (already checked against the policy here) and
/// its role assignments.
pub async fn create_account(
    tx: &mut Tx,
    account: &Account,
    password_hash: String,
    roles: &[(kvalitet_domain::access::Role, kvalitet_domain::org::OrgUnitId)],
) -> Result<AccountId> {
    let account = Account { email: account.email.trim().to_lowercase(), password_hash, ..account.clone() };
    account.validate()?;
    if find_by_email(tx, &account.email).await?.is_some() {
        let mut e = kvalitet_domain::ValidationErrors::default();
        e.push("email", kvalitet_domain::Problem::Invalid("det finns redan ett konto med den e-postadressen".into()));
        return Err(e.into());
    }
    let id = repo::insert(tx, &account).await?;
    for (role, scope) in roles {
        repo::insert(tx, &RoleAssignment { account_id: id, role: *role, scope_id: *scope }).await?;
    }
    Ok(id)
}

/// Checks a new password against the policy and hashes it.
pub async fn new_password_hash(password: String, email: &str) -> Result<String> {
    check_password(&password, email)?;
    Ok(tokio::task::spawn_blocking(move || hash_password(&password)).await.expect("hashing does not panic"))
}

/// Why a sign-in was refused. Deliberately the same text for an unknown address and a
/// wrong password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginRefused {
    BadCredentials,
    Locked { until: i64 },
}

/// A signed-in session: the cookie's token (only its hash is stored) and its CSRF token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSession {
    pub token: String,
    pub csrf_token: String,
}

/// Signs in: checks the password (with lockout after repeated failures), and on success
/// creates a session. Both outcomes are audited.
pub async fn login(
    store: &crate::Store,
    email: &str,
    password: &str,
) -> Result<std::result::Result<(AccountId, NewSession), LoginRefused>> {
    let mut conn = store.read().await?;
    let found = find_by_email(&mut conn, email).await?;
    drop(conn);
    let now = now_seconds();
    let Some(account) = found.filter(|a| a.active) else {
        // Spend the time a real check takes, so timing does not tell which addresses exist.
        let pw = password.to_owned();
        let _ = tokio::task::spawn_blocking(move || hash_password(&pw)).await;
        return Ok(Err(LoginRefused::BadCredentials));
    };
    if let Some(until) = account.locked_until.filter(|u| *u > now) {
        return Ok(Err(LoginRefused::Locked { until }));
    }
    let (pw, hash) = (password.to_owned(), account.password_hash.clone());
    let ok = tokio::task::spawn_blocking(move || password_matches(&pw, &hash)).await.expect("verify does not panic");
    let actor = Actor::account(account.id.get(), &account.email);
    let mut tx = store.write(&actor).await?;
    // Re-read inside the write transaction: a concurrent failure must not be lost.
    let current = repo::get::<Account>(&mut tx, account.id).await?;
    if !ok {
        let failed = current.failed_logins + 1;
        let locked_until = (failed >= MAX_FAILED_LOGINS).then_some(now + LOCKOUT_SECONDS);
        let next = Account { failed_logins: failed, locked_until, ..current.item.clone() };
        sqlx::query("UPDATE account SET failed_logins = $1, locked_until = $2, version = version + 1 WHERE id = $3")
            .bind(next.failed_logins)
            .bind(next.locked_until)
            .bind(account.id.get())
            .execute(&mut *tx)
            .await?;
        audit::append(&mut tx, "login_failed", "account", Some(account.id.get()), None, None).await?;
        tx.commit().await?;
        return Ok(Err(match locked_until {
            Some(until) => LoginRefused::Locked { until },
            None => LoginRefused::BadCredentials,
        }));
    }
    sqlx::query("UPDATE account SET failed_logins = 0, locked_until = NULL WHERE id = $1")
        .bind(account.id.get())
        .execute(&mut *tx)
        .await?;
    let session = start_session(&mut tx, account.id, "password").await?;
    tx.commit().await?;
    Ok(Ok((account.id, session)))
}

/// Starts a session for an account whose identity has been established: by password
/// ([`login`]), or by a second way in such as the municipality's OIDC provider (the seam
/// for single sign-on: verify the ID token, find the active account by its e-mail, then
/// call this in a write transaction). The sign-in is audited with how it was made.
pub async fn start_session(tx: &mut Tx, account: AccountId, method: &str) -> Result<NewSession> {
    let session = NewSession { token: random_token(), csrf_token: random_token() };
    sqlx::query(
        "INSERT INTO session (token_hash, account_id, csrf_token, created_at, last_seen_at) VALUES ($1, $2, $3, $4, $4)",
    )
    .bind(token_hash(&session.token))
    .bind(account.get())
    .bind(session.csrf_token.clone())
    .bind(now_seconds())
    .execute(&mut **tx)
    .await?;
    let how = format!("{{\"method\":\"{}\"}}", method.replace(['"', '\\'], ""));
    audit::append(tx, "login", "account", Some(account.get()), None, Some(how)).await?;
    Ok(session)
}

/// A live session, looked up by its cookie token.
#[derive(Debug, Clone)]
pub struct Session {
    pub account: Versioned<Account>,
    pub assignments: Vec<RoleAssignment>,
    pub csrf_token: String,
}

/// The session of a cookie token, if it is still alive; refreshes its idle timer at most
/// once a minute. Expired sessions are removed.
pub async fn session(store: &crate::Store, token: &str) -> Result<Option<Session>> {
    let hash = token_hash(token);
    let mut conn = store.read().await?;
    let row = sqlx::query("SELECT account_id, csrf_token, created_at, last_seen_at FROM session WHERE token_hash = $1")
        .bind(hash.clone())
        .fetch_optional(&mut *conn)
        .await?;
    let Some(row) = row else { return Ok(None) };
    let now = now_seconds();
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
    let assignments = assignments(&mut conn, account_id).await?;
    Ok(Some(Session { account, assignments, csrf_token: row.try_get("csrf_token")? }))
}

/// Ends a session.
pub async fn logout(store: &crate::Store, token: &str, actor: &Actor) -> Result<()> {
    let mut tx = store.write(actor).await?;
    sqlx::query("DELETE FROM session WHERE token_hash = $1").bind(token_hash(token)).execute(&mut *tx).await?;
    audit::append(&mut tx, "logout", "account", actor.account_id, None, None).await?;
    tx.commit().await
}

/// Changes a password after checking the current one; ends the account's other sessions.
pub async fn change_password(
    store: &crate::Store,
    account: AccountId,
    current: &str,
    new: String,
    keep_token: &str,
) -> Result<()> {
    let mut conn = store.read().await?;
    let acc = repo::get::<Account>(&mut conn, account).await?;
    drop(conn);
    let (pw, hash) = (current.to_owned(), acc.password_hash.clone());
    if !tokio::task::spawn_blocking(move || password_matches(&pw, &hash)).await.expect("verify does not panic") {
        let mut e = kvalitet_domain::ValidationErrors::default();
        e.push("current", kvalitet_domain::Problem::Invalid("det nuvarande lösenordet stämmer inte".into()));
        return Err(StoreError::Invalid(e));
    }
    let new_hash = new_password_hash(new, &acc.email).await?;
    let actor = Actor::account(account.get(), &acc.email);
    let mut tx = store.write(&actor).await?;
    let next = Account { password_hash: new_hash, must_change_password: false, ..acc.item.clone() };
    repo::update(&mut tx, account, acc.version, &next).await?;
    sqlx::query("DELETE FROM session WHERE account_id = $1 AND token_hash <> $2")
        .bind(account.get())
        .bind(token_hash(keep_token))
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}

/// How many accounts there are.
pub async fn count(conn: &mut AnyConnection) -> Result<i64> {
    repo::count::<Account>(conn).await
}
