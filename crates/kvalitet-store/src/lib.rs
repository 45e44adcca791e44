//! Storage: one repository layer over SQLite (the default: one file, WAL, foreign keys
//! on) and PostgreSQL (the scale-out backend), with embedded migrations for both.
//!
//! Architecture invariants: every SQLite/PostgreSQL difference lives in `backend.rs`;
//! every write runs in a transaction from [`Store::write`] and is audited in it; every
//! editable record has a version and is updated only if the caller's version is current.

pub mod accounts;
pub mod action_list;
pub mod agenda;
pub mod api_tokens;
pub mod audit;
mod backend;
pub mod backup;
pub mod case_data;
pub mod case_import_jobs;
pub mod corrections;
pub mod deviations;
pub mod document_settings;
pub mod document_versions;
pub mod error;
pub mod files;
pub mod kolada;
pub mod links;
pub mod mail;
pub mod oidc;
pub mod org;
pub mod plan_import;
pub mod plan_part;
pub mod plans;
pub mod record;
pub mod repo;
pub mod reports;
pub mod responsible;
pub mod search;
mod setup;
pub mod submissions;
pub mod tenants;
pub mod testing;

use std::time::Duration;

use sqlx::AnyPool;
use sqlx::pool::PoolConnection;
use sqlx::{Any, AssertSqlSafe, Transaction};

pub use backend::{Backend, sqlite_file_url};
pub use error::{Result, StoreError};
pub use links::LinkKind;
pub use record::{Column, Record, Value};
pub use repo::Where;
pub use setup::SetupLock;

/// A handle on the database: a pool of connections. Cheap to clone; app instances keep
/// no other state, so several can share one PostgreSQL.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    url: String,
    /// The audit chain's key (from a file outside the database); without it, entries
    /// are chained unkeyed.
    audit_key: Option<audit::AuditKey>,
}

/// Who makes a change: an account, or the system itself (a migration, the demo loader,
/// a CLI command run by an administrator on the server).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub account_id: Option<i64>,
    pub name: String,
    /// The municipality the actor acts in (an account's tenant; a CLI command names it).
    pub tenant_id: Option<i64>,
    /// The client's address (behind a trusted proxy, the forwarded one), for requests.
    pub client: Option<String>,
}

impl Actor {
    pub fn system(what: &str) -> Actor {
        Actor { account_id: None, name: format!("system:{what}"), tenant_id: None, client: None }
    }

    pub fn account(id: i64, email: &str) -> Actor {
        Actor { account_id: Some(id), name: email.to_owned(), tenant_id: None, client: None }
    }

    /// The same actor, acting in tenant `tenant`.
    pub fn in_tenant(self, tenant: i64) -> Actor {
        Actor { tenant_id: Some(tenant), ..self }
    }

    /// The same actor, making a request from `client`.
    pub fn from_client(self, client: Option<String>) -> Actor {
        Actor { client, ..self }
    }
}

/// A write transaction on behalf of an actor; every change made through it is written
/// to the audit log in the same transaction. Dropped without `commit`, it rolls back:
/// nothing partial is stored. It reads like a connection.
#[derive(Debug)]
pub struct Tx {
    inner: Transaction<'static, Any>,
    actor: Actor,
    audit_key: Option<audit::AuditKey>,
    /// Where records already looked up in this transaction belong, for the audit log.
    places: std::collections::HashMap<(String, i64), audit::Place>,
}

impl Tx {
    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    /// The same transaction, acting for `actor` from here on (once a sign-in knows who).
    pub(crate) fn with_actor(self, actor: Actor) -> Tx {
        Tx { actor, ..self }
    }

    pub async fn commit(self) -> Result<()> {
        self.inner.commit().await?;
        Ok(())
    }
}

impl std::ops::Deref for Tx {
    type Target = sqlx::AnyConnection;
    fn deref(&self) -> &sqlx::AnyConnection {
        &self.inner
    }
}

impl std::ops::DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut sqlx::AnyConnection {
        &mut self.inner
    }
}

impl Store {
    /// Connects to the database at `url` (`sqlite://…` or `postgres://…`).
    pub async fn connect(url: &str) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url)?;
        if backend == Backend::Sqlite {
            setup::create_private_file(url)?;
        }
        let in_memory = backend == Backend::Sqlite && url.contains(":memory:");
        // Each connection to an in-memory SQLite database is its own database.
        let max = if in_memory { 1 } else { 8 };
        let pool = backend.pool_options(max).acquire_timeout(Duration::from_secs(10)).connect(url).await?;
        Ok(Store { pool, backend, url: url.to_owned(), audit_key: None })
    }

    /// The same store, chaining the audit log with `key`.
    pub fn with_audit_key(self, key: audit::AuditKey) -> Store {
        Store { audit_key: Some(key), ..self }
    }

    pub fn audit_key(&self) -> Option<&audit::AuditKey> {
        self.audit_key.as_ref()
    }

    /// Brings the schema up to date.
    pub async fn migrate(&self) -> Result<()> {
        self.backend.migrator().run(&self.pool).await?;
        Ok(())
    }

    /// The URL the store was opened with (may hold a password: never print it).
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A connection for reading.
    pub async fn read(&self) -> Result<PoolConnection<Any>> {
        Ok(self.pool.acquire().await?)
    }

    /// A read-only transaction that sees the database as it was at its first read: what
    /// others commit while it is open is not seen. For reads that must agree with each
    /// other, such as the audit chain's head and its entries while the server writes on.
    pub async fn snapshot(&self) -> Result<sqlx::Transaction<'static, Any>> {
        Ok(self.pool.begin_with(AssertSqlSafe(self.backend.begin_snapshot())).await?)
    }

    /// A write transaction on behalf of `actor`; commit it to keep its writes.
    pub async fn write(&self, actor: &Actor) -> Result<Tx> {
        let inner = self.pool.begin_with(AssertSqlSafe(self.backend.begin_write())).await?;
        Ok(Tx { inner, actor: actor.clone(), audit_key: self.audit_key.clone(), places: Default::default() })
    }

    /// Proves a write can commit now (the readiness check): one row written and
    /// committed, outside the audit log.
    pub async fn check_write(&self) -> Result<()> {
        let mut tx = self.pool.begin_with(AssertSqlSafe(self.backend.begin_write())).await?;
        sqlx::query(
            "INSERT INTO readiness (id, checked_at) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET checked_at = $1",
        )
        .bind(audit::now_utc())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Whether the database has no tenant yet (a fresh database).
    pub async fn is_empty(&self) -> Result<bool> {
        let mut conn = self.read().await?;
        Ok(repo::count::<kvalitet_domain::org::Tenant>(&mut conn).await? == 0)
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}
