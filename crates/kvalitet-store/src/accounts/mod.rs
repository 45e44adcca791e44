//! Accounts and their role assignments, sign-in and password changes (throttled per
//! account and per client address), and what an administrator does to an account:
//! roles, deactivation, one-time passwords, unlocking, ending sessions. Every change is
//! audited with the data before and after.

mod password;
pub mod provider;
mod sessions;
pub mod throttle;

use std::time::{Duration, Instant};

use sqlx::AnyConnection;

use kvalitet_domain::access::{Account, AccountId, Role, RoleAssignment, RoleAssignmentId};
use kvalitet_domain::org::{OrgUnitId, Tenant, TenantId};
use kvalitet_domain::{Problem, Validate, ValidationErrors, Versioned};

use crate::error::{Result, StoreError};
use crate::record::{Column, Value};
use crate::repo::{self, Where};
use crate::{Actor, Tx, audit};

pub use password::{check_policy, hash_password, new_password_hash};
pub use sessions::{
    ABSOLUTE_TIMEOUT_SECONDS, IDLE_TIMEOUT_SECONDS, NewSession, Session, SessionTenant, count_sessions, end_sessions,
    logout, session, start_session,
};

/// How long a one-time password signs in, in seconds (72 hours).
pub const ONE_TIME_PASSWORD_SECONDS: i64 = 72 * 60 * 60;
/// Every failed sign-in answers after at least this long, whatever the cause, so the
/// time of the answer tells nothing about the address.
pub const FAILURE_FLOOR: Duration = Duration::from_millis(400);

pub fn now_seconds() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// A random token, hex.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the OS has randomness");
    hex::encode(bytes)
}

fn invalid(field: &'static str, message: &str) -> StoreError {
    let mut e = ValidationErrors::default();
    e.push(field, Problem::Invalid(message.into()));
    StoreError::Invalid(e)
}

/// The account with an address, in any tenant (addresses are unique in an installation).
pub async fn find_by_email(conn: &mut AnyConnection, email: &str) -> Result<Option<Versioned<Account>>> {
    let email = email.trim().to_lowercase();
    Ok(repo::list::<Account>(conn, Where::sql("email = $1", vec![Value::Text(email)])).await?.into_iter().next())
}

/// An account's role assignments.
pub async fn assignments(conn: &mut AnyConnection, account: AccountId) -> Result<Vec<RoleAssignment>> {
    Ok(role_assignments(conn, account).await?.into_iter().map(|a| a.item).collect())
}

/// An account's role assignments with their ids (to remove one).
pub async fn role_assignments(conn: &mut AnyConnection, account: AccountId) -> Result<Vec<Versioned<RoleAssignment>>> {
    repo::list(conn, Where::sql("account_id = $1", vec![account.to_value()])).await
}

/// Creates an account with a password hash (already checked against the policy; empty
/// for none) and its role assignments.
pub async fn create_account(
    tx: &mut Tx,
    account: &Account,
    password_hash: String,
    roles: &[(Role, OrgUnitId)],
) -> Result<AccountId> {
    let account = Account { email: account.email.trim().to_lowercase(), password_hash, ..account.clone() };
    account.validate()?;
    if find_by_email(tx, &account.email).await?.is_some() {
        return Err(invalid("email", "det finns redan ett konto med den e-postadressen"));
    }
    let id = repo::insert(tx, &account).await?;
    for (role, scope) in roles {
        add_role(tx, id, *role, *scope).await?;
    }
    Ok(id)
}

/// Gives an account a role over a part of the tree (refused if it already has it there).
pub async fn add_role(tx: &mut Tx, account: AccountId, role: Role, scope: OrgUnitId) -> Result<RoleAssignmentId> {
    let assignment = RoleAssignment { account_id: account, role, scope_id: scope };
    if assignments(tx, account).await?.contains(&assignment) {
        return Err(invalid("role", "kontot har redan den rollen för den delen av organisationen"));
    }
    repo::insert(tx, &assignment).await
}

/// Takes a role away.
pub async fn remove_role(tx: &mut Tx, assignment: RoleAssignmentId) -> Result<()> {
    let current = repo::get(tx, assignment).await?;
    repo::delete::<RoleAssignment>(tx, assignment, current.version).await
}

/// Deactivates or activates an account; a deactivated account's sessions end at once.
pub async fn set_active(tx: &mut Tx, account: AccountId, active: bool) -> Result<()> {
    let current = repo::get::<Account>(tx, account).await?;
    if current.active != active {
        repo::update(tx, account, current.version, &Account { active, ..current.item.clone() }).await?;
    }
    if !active {
        end_sessions(tx, account, None).await?;
    }
    Ok(())
}

/// Changes the name shown for an account.
pub async fn rename(tx: &mut Tx, account: AccountId, expected_version: i64, name: &str) -> Result<i64> {
    let current = repo::get::<Account>(tx, account).await?;
    repo::update(tx, account, expected_version, &Account { display_name: name.trim().to_owned(), ..current.item }).await
}

/// A new one-time password and its hash (made off the async workers).
pub async fn one_time_password() -> (String, String) {
    let password = random_token()[..20].to_owned();
    let p = password.clone();
    let hash = tokio::task::spawn_blocking(move || hash_password(&p)).await.expect("hashing does not panic");
    (password, hash)
}

/// Gives an account a one-time password (its hash from [`one_time_password`]): it signs
/// in for [`ONE_TIME_PASSWORD_SECONDS`] and must then be replaced; the account's
/// sessions end and its failed sign-ins are forgotten.
pub async fn set_one_time_password(tx: &mut Tx, account: AccountId, hash: String) -> Result<()> {
    let current = repo::get::<Account>(tx, account).await?;
    let next = Account {
        password_hash: hash,
        must_change_password: true,
        password_expires_at: Some(now_seconds() + ONE_TIME_PASSWORD_SECONDS),
        ..current.item.clone()
    };
    repo::update(tx, account, current.version, &next).await?;
    end_sessions(tx, account, None).await?;
    throttle::clear(tx, &[throttle::account_key(&current.email)]).await?;
    audit::append(tx, "reset_password", "account", Some(account.get()), None, None).await
}

/// Forgets an account's failed sign-ins, so it may try again at once.
pub async fn unlock(tx: &mut Tx, account: AccountId) -> Result<()> {
    let current = repo::get::<Account>(tx, account).await?;
    throttle::clear(tx, &[throttle::account_key(&current.email)]).await?;
    audit::append(tx, "unlock", "account", Some(account.get()), None, None).await
}

/// Ends every session of an account (audited).
pub async fn end_all_sessions(tx: &mut Tx, account: AccountId) -> Result<u64> {
    let n = end_sessions(tx, account, None).await?;
    let after = serde_json::json!({ "sessions_ended": n }).to_string();
    audit::append(tx, "end_sessions", "account", Some(account.get()), None, Some(after)).await?;
    Ok(n)
}

/// An account as the administration lists it.
#[derive(Debug, Clone)]
pub struct Listed {
    pub account: Versioned<Account>,
    pub roles: Vec<Versioned<RoleAssignment>>,
    /// Must wait before signing in again (throttled).
    pub locked: bool,
}

/// Every account of a tenant with its roles, by address.
pub async fn list(conn: &mut AnyConnection, tenant: TenantId) -> Result<Vec<Listed>> {
    let mut accounts: Vec<Versioned<Account>> =
        repo::list(conn, Where::sql("tenant_id = $1", vec![tenant.to_value()])).await?;
    accounts.sort_by(|a, b| a.email.cmp(&b.email));
    let roles: Vec<Versioned<RoleAssignment>> = repo::list(
        conn,
        Where::sql("account_id IN (SELECT id FROM account WHERE tenant_id = $1)", vec![tenant.to_value()]),
    )
    .await?;
    let mut by_account: std::collections::HashMap<AccountId, Vec<Versioned<RoleAssignment>>> = Default::default();
    for r in roles {
        by_account.entry(r.account_id).or_default().push(r);
    }
    let blocked = throttle::blocked(conn, now_seconds()).await?;
    Ok(accounts
        .into_iter()
        .map(|a| Listed {
            locked: blocked.contains(&throttle::account_key(&a.email)),
            roles: by_account.remove(&a.id).unwrap_or_default(),
            account: a,
        })
        .collect())
}

/// Why a sign-in was refused. The person is told the same in every case (and after the
/// same time); the reason goes to the audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// No such address, or the wrong password.
    BadCredentials,
    /// The account has no password (it signs in through the identity provider, or waits
    /// for a one-time password).
    NoPassword,
    /// The account is deactivated.
    Inactive,
    /// The one-time password is older than 72 hours.
    Expired,
    /// Too many failed attempts: the account or the client must wait.
    Throttled,
    /// Passwords are off (sign-in is through the provider) and the account is not a
    /// break-glass account.
    PasswordsOff,
}

impl Refused {
    pub fn code(self) -> &'static str {
        match self {
            Refused::BadCredentials => "bad_credentials",
            Refused::NoPassword => "no_password",
            Refused::Inactive => "inactive",
            Refused::Expired => "expired",
            Refused::Throttled => "throttled",
            Refused::PasswordsOff => "password_login_off",
        }
    }
}

fn actor_for(account: Option<&Versioned<Account>>, client: Option<&str>, what: &str) -> Actor {
    let actor = match account {
        Some(a) => Actor::account(a.id.get(), &a.email).in_tenant(a.tenant_id.get()),
        None => Actor::system(what),
    };
    actor.from_client(client.map(str::to_owned))
}

fn throttle_keys(email: &str, client: Option<&str>) -> Vec<(String, throttle::Policy)> {
    let mut keys = vec![(throttle::account_key(email), throttle::PER_ACCOUNT)];
    keys.extend(client.map(|c| (throttle::client_key(c), throttle::PER_CLIENT)));
    keys
}

/// Audits a refusal and answers no earlier than [`FAILURE_FLOOR`] after `started`.
async fn refuse(
    store: &crate::Store,
    actor: &Actor,
    action: &str,
    account: Option<AccountId>,
    reason: Refused,
    started: Instant,
) -> Result<Refused> {
    let mut tx = store.write(actor).await?;
    let after = serde_json::json!({ "reason": reason.code(), "client": actor.client }).to_string();
    audit::append(&mut tx, action, "account", account.map(|a| a.get()), None, Some(after)).await?;
    tx.commit().await?;
    // For the operator's log: the account's number, never the address typed.
    tracing::warn!(
        target: "kvalitet::signin",
        event = action,
        reason = reason.code(),
        account = account.map(|a| a.get()),
        client = actor.client.as_deref().unwrap_or("-"),
        "sign-in refused"
    );
    tokio::time::sleep_until((started + FAILURE_FLOOR).into()).await;
    Ok(reason)
}

/// Signs in with a password from `client` (the client's address, when known). The
/// attempt is counted against the address and the client before the password is
/// checked; success resets both counts and starts a session. Every outcome is audited.
pub async fn login(
    store: &crate::Store,
    email: &str,
    password: &str,
    client: Option<&str>,
) -> Result<std::result::Result<(AccountId, NewSession), Refused>> {
    let started = Instant::now();
    let email = email.trim().to_lowercase();
    let keys = throttle_keys(&email, client);
    let mut tx = store.write(&Actor::system("sign-in")).await?;
    let account = find_by_email(&mut tx, &email).await?;
    let may_try = throttle::attempt(&mut tx, &keys, now_seconds()).await?;
    tx.commit().await?;
    let actor = actor_for(account.as_ref(), client, "sign-in");
    let id = account.as_ref().map(|a| a.id);
    if !may_try {
        return Ok(Err(refuse(store, &actor, "login_throttled", id, Refused::Throttled, started).await?));
    }
    let hash = account.as_ref().map_or("", |a| a.password_hash.as_str());
    let matches = password::verify(password, hash).await;
    let refusal = match &account {
        None => Some(Refused::BadCredentials),
        Some(a) if a.password_hash.is_empty() => Some(Refused::NoPassword),
        Some(_) if !matches => Some(Refused::BadCredentials),
        Some(a) if !a.active => Some(Refused::Inactive),
        Some(a) if a.must_change_password && a.password_expires_at.is_some_and(|t| t < now_seconds()) => {
            Some(Refused::Expired)
        }
        Some(_) => None,
    };
    if let Some(reason) = refusal {
        return Ok(Err(refuse(store, &actor, "login_failed", id, reason, started).await?));
    }
    let account = account.expect("refused above when missing");
    let mut tx = store.write(&actor).await?;
    throttle::clear(&mut tx, &keys.into_iter().map(|(k, _)| k).collect::<Vec<_>>()).await?;
    let session = start_session(&mut tx, account.id, "password").await?;
    tx.commit().await?;
    Ok(Ok((account.id, session)))
}

/// Audits a password sign-in refused because passwords are off for all but the
/// break-glass accounts (answered like any other refusal, after the same time).
pub async fn refuse_password_off(store: &crate::Store, email: &str, client: Option<&str>) -> Result<()> {
    let started = Instant::now();
    let mut conn = store.read().await?;
    let account = find_by_email(&mut conn, email).await?;
    drop(conn);
    let actor = actor_for(account.as_ref(), client, "sign-in");
    refuse(store, &actor, "login_failed", account.map(|a| a.id), Refused::PasswordsOff, started).await?;
    Ok(())
}

/// Changes a password after checking the current one (throttled like sign-in); ends
/// the account's other sessions.
pub async fn change_password(
    store: &crate::Store,
    account: AccountId,
    current: &str,
    new: String,
    keep_token: &str,
    client: Option<&str>,
) -> Result<()> {
    let started = Instant::now();
    let mut conn = store.read().await?;
    let acc = repo::get::<Account>(&mut conn, account).await?;
    let tenant = repo::get::<Tenant>(&mut conn, acc.tenant_id).await?;
    drop(conn);
    let actor = actor_for(Some(&acc), client, "password");
    let keys = throttle_keys(&acc.email, client);
    let mut tx = store.write(&actor).await?;
    let may_try = throttle::attempt(&mut tx, &keys, now_seconds()).await?;
    tx.commit().await?;
    if !may_try {
        refuse(store, &actor, "password_change_throttled", Some(account), Refused::Throttled, started).await?;
        return Err(invalid("current", "för många försök; vänta en stund och försök igen"));
    }
    if !password::verify(current, &acc.password_hash).await {
        refuse(store, &actor, "password_change_failed", Some(account), Refused::BadCredentials, started).await?;
        return Err(invalid("current", "det nuvarande lösenordet stämmer inte"));
    }
    let new_hash = new_password_hash(new, &acc.email, &tenant.name).await?;
    let mut tx = store.write(&actor).await?;
    throttle::clear(&mut tx, &keys.into_iter().map(|(k, _)| k).collect::<Vec<_>>()).await?;
    let next = Account { password_hash: new_hash, must_change_password: false, password_expires_at: None, ..acc.item };
    repo::update(&mut tx, account, acc.version, &next).await?;
    end_sessions(&mut tx, account, Some(keep_token)).await?;
    tx.commit().await
}

/// How many accounts there are.
pub async fn count(conn: &mut AnyConnection) -> Result<i64> {
    repo::count::<Account>(conn).await
}
