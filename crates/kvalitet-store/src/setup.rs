//! Setting up a database: its file created readable by the owner only, and the lock
//! under which instances starting together on one fresh database set it up once.

use std::path::Path;

use sqlx::pool::PoolConnection;
use sqlx::{Any, AssertSqlSafe, Executor};

use crate::backend::{setup_lock, sqlite_path};
use crate::{Store, StoreError};

/// Creates the SQLite file of `url` with mode 0600 if it does not exist yet, so neither
/// it nor the WAL and shared-memory files SQLite makes beside it (which take its mode)
/// are readable by others.
pub(crate) fn create_private_file(url: &str) -> Result<(), StoreError> {
    let Some(path) = sqlite_path(url) else { return Ok(()) };
    if Path::new(&path).exists() || !url.contains("mode=rwc") {
        return Ok(());
    }
    match crate::files::create_private(Path::new(&path)) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(StoreError::BadUrl(format!("kan inte skapa databasfilen {path}: {e}"))),
    }
}

/// Held while an instance sets up a fresh database (migrations, the demo, the first
/// administrator); others starting at the same time wait for it. Release it when done.
#[derive(Debug)]
pub struct SetupLock {
    conn: Option<(PoolConnection<Any>, &'static str)>,
}

impl Store {
    /// Takes the setup lock (PostgreSQL: an advisory lock held by one connection).
    pub async fn setup_lock(&self) -> Result<SetupLock, StoreError> {
        match setup_lock(self.backend) {
            Some((take, release)) => {
                let mut conn = self.pool.acquire().await?;
                conn.execute(AssertSqlSafe(take)).await?;
                Ok(SetupLock { conn: Some((conn, release)) })
            }
            None => Ok(SetupLock { conn: None }),
        }
    }
}

impl SetupLock {
    pub async fn release(mut self) -> Result<(), StoreError> {
        if let Some((mut conn, release)) = self.conn.take() {
            conn.execute(AssertSqlSafe(release)).await?;
        }
        Ok(())
    }
}

impl Drop for SetupLock {
    /// Not released (an error on the way): the connection is closed rather than put
    /// back in the pool, which ends its session and so the lock.
    fn drop(&mut self) {
        if let Some((conn, _)) = self.conn.take() {
            drop(conn.detach());
        }
    }
}
