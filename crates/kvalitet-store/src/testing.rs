//! Test support: fresh databases of their own for every test, on both backends.
//!
//! PostgreSQL tests connect to `KVALITET_TEST_POSTGRES` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`) and create a database per test. Where
//! no PostgreSQL answers, they are skipped with a plain message, unless
//! `KVALITET_REQUIRE_POSTGRES=1` (set by CI) makes that a failure.

use std::future::Future;
use std::path::PathBuf;

use sqlx::{Connection, Executor};

use crate::{Backend, Store, sqlite_file_url};

const DEFAULT_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// A fresh, migrated database that removes itself when done.
#[derive(Debug)]
pub struct TestDb {
    pub store: Store,
    pub url: String,
    cleanup: Cleanup,
}

#[derive(Debug)]
enum Cleanup {
    File(PathBuf),
    Postgres { admin_url: String, name: String },
}

fn unique_name() -> String {
    format!("kvalitet_test_{}", uuid::Uuid::new_v4().simple())
}

impl TestDb {
    /// A fresh SQLite database in a temporary file (a file, so WAL and several
    /// connections are exercised as in production).
    pub async fn sqlite() -> TestDb {
        let path = std::env::temp_dir().join(format!("{}.db", unique_name()));
        let url = sqlite_file_url(&path);
        let store = Store::connect(&url).await.expect("open SQLite test database");
        store.migrate().await.expect("migrate SQLite test database");
        TestDb { store, url, cleanup: Cleanup::File(path) }
    }

    /// A fresh PostgreSQL database, or `None` (with a message) where no PostgreSQL
    /// answers and CI does not require one.
    pub async fn postgres() -> Option<TestDb> {
        let admin_url = std::env::var("KVALITET_TEST_POSTGRES").unwrap_or_else(|_| DEFAULT_ADMIN_URL.into());
        let required = std::env::var("KVALITET_REQUIRE_POSTGRES").is_ok_and(|v| v == "1");
        let mut admin = match sqlx::PgConnection::connect(&admin_url).await {
            Ok(c) => c,
            Err(e) if !required => {
                say_skipped(&admin_url, &e);
                return None;
            }
            Err(e) => panic!("PostgreSQL required (KVALITET_REQUIRE_POSTGRES=1) but not reachable at {admin_url}: {e}"),
        };
        let name = unique_name();
        admin
            .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .await
            .expect("create PostgreSQL test database");
        let url = database_url(&admin_url, &name);
        let store = Store::connect(&url).await.expect("connect to PostgreSQL test database");
        store.migrate().await.expect("migrate PostgreSQL test database");
        Some(TestDb { store, url, cleanup: Cleanup::Postgres { admin_url, name } })
    }

    /// Closes the store and removes the database.
    pub async fn drop_db(self) {
        self.store.close().await;
        match self.cleanup {
            Cleanup::File(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            Cleanup::Postgres { admin_url, name } => {
                if let Ok(mut admin) = sqlx::PgConnection::connect(&admin_url).await {
                    let _ = admin
                        .execute(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
                        .await;
                }
            }
        }
    }
}

/// Says once per test process, past the test harness's output capture, that the
/// PostgreSQL half of the suite did not run.
fn say_skipped(admin_url: &str, error: &sqlx::Error) {
    use std::io::Write;
    static SAID: std::sync::Once = std::sync::Once::new();
    SAID.call_once(|| {
        let _ = writeln!(
            std::io::stderr(),
            "\n*** PostgreSQL suite SKIPPED: no PostgreSQL at {admin_url} ({error}). Only SQLite was tested. ***\n"
        );
    });
}

/// The URL of database `name` on the server of `admin_url`.
fn database_url(admin_url: &str, name: &str) -> String {
    let (base, query) = match admin_url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (admin_url, String::new()),
    };
    let base = base.rsplit_once('/').map_or(base, |(b, _)| b);
    format!("{base}/{name}{query}")
}

/// Runs `test` on a fresh SQLite database and then on a fresh PostgreSQL database
/// (where one is available), removing each afterwards.
pub async fn on_each_backend<F, Fut>(test: F)
where
    F: Fn(Store, Backend) -> Fut,
    Fut: Future<Output = ()>,
{
    let sqlite = TestDb::sqlite().await;
    test(sqlite.store.clone(), Backend::Sqlite).await;
    sqlite.drop_db().await;
    if let Some(pg) = TestDb::postgres().await {
        test(pg.store.clone(), Backend::Postgres).await;
        pg.drop_db().await;
    }
}
