//! Storage: one repository layer over SQLite (the default: one file, WAL, foreign keys
//! on) and PostgreSQL (the scale-out backend), with embedded migrations for both.
//!
//! Architecture invariants: every SQLite/PostgreSQL difference lives in `backend.rs`;
//! every write runs in a transaction from [`Store::write`]; every editable record has a
//! version and is updated only if the caller's version is current.

mod backend;
pub mod error;
pub mod links;
pub mod org;
pub mod plans;
pub mod record;
pub mod repo;
pub mod reports;
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

/// A handle on the database: a pool of connections. Cheap to clone; app instances keep
/// no other state, so several can share one PostgreSQL.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

/// A write transaction. Dropped without `commit`, it rolls back: nothing partial is
/// stored.
pub type WriteTx = Transaction<'static, Any>;

impl Store {
    /// Connects to the database at `url` (`sqlite://…` or `postgres://…`).
    pub async fn connect(url: &str) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url)?;
        let in_memory = backend == Backend::Sqlite && url.contains(":memory:");
        // Each connection to an in-memory SQLite database is its own database.
        let max = if in_memory { 1 } else { 8 };
        let pool = backend
            .pool_options(max)
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await?;
        Ok(Store { pool, backend })
    }

    /// Brings the schema up to date.
    pub async fn migrate(&self) -> Result<()> {
        self.backend.migrator().run(&self.pool).await?;
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A connection for reading.
    pub async fn read(&self) -> Result<PoolConnection<Any>> {
        Ok(self.pool.acquire().await?)
    }

    /// A write transaction; commit it to keep its writes.
    pub async fn write(&self) -> Result<WriteTx> {
        Ok(self
            .pool
            .begin_with(AssertSqlSafe(self.backend.begin_write()))
            .await?)
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
