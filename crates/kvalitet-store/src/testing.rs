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

/// The audit key of every test database (a real installation's is random, in a file).
pub fn test_audit_key() -> crate::audit::AuditKey {
    crate::audit::AuditKey::from_bytes([42; 32])
}

/// Every audit entry, oldest first (at most 1,000: test databases are small).
pub async fn audit_entries(store: &Store) -> Vec<crate::audit::AuditEntry> {
    let mut conn = store.read().await.expect("a connection");
    let search = crate::audit::Search { limit: 1000, ..Default::default() };
    let mut all = crate::audit::search(&mut conn, &search).await.expect("search the audit log");
    all.reverse();
    all
}

/// What an administrator who holds the database but not the key can do: replace the log
/// with `rewritten`, its first `keep` entries as they were and every later one renumbered
/// and rehashed the only way open to them (unkeyed), and the head set to match.
pub async fn rewrite_audit_without_key(store: &Store, rewritten: Vec<crate::audit::AuditEntry>, keep: usize) {
    rewrite_audit(store, rewritten, keep, crate::audit::scheme::UNKEYED).await
}

/// [`rewrite_audit_without_key`] with the entries from `keep` on hashed under `scheme`
/// (an unkeyed one): also how a log written before the key existed looks.
pub async fn rewrite_audit(store: &Store, rewritten: Vec<crate::audit::AuditEntry>, keep: usize, scheme: &str) {
    lift_audit_refusal(store).await;
    let mut conn = store.read().await.expect("a connection");
    sqlx::query("DELETE FROM audit_entry").execute(&mut *conn).await.unwrap();
    let mut prev = "0".repeat(64);
    for (i, mut e) in rewritten.into_iter().enumerate() {
        if i >= keep {
            e.seq = i as i64 + 1;
            e.prev_hash = prev.clone();
            e.scheme = scheme.into();
            e.hash = e.compute_hash(None).unwrap();
        }
        sqlx::query(
            "INSERT INTO audit_entry (seq, at, actor_id, actor, action, table_name, record_id, before_data, \
             after_data, prev_hash, hash, tenant_id, unit_id, client, scheme) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
        )
        .bind(e.seq)
        .bind(e.at.clone())
        .bind(e.actor_id)
        .bind(e.actor.clone())
        .bind(e.action.clone())
        .bind(e.table_name.clone())
        .bind(e.record_id)
        .bind(e.before_data.clone())
        .bind(e.after_data.clone())
        .bind(e.prev_hash.clone())
        .bind(e.hash.clone())
        .bind(e.tenant_id)
        .bind(e.unit_id)
        .bind(e.client.clone())
        .bind(e.scheme.clone())
        .execute(&mut *conn)
        .await
        .unwrap();
        prev = e.hash;
    }
    let row = sqlx::query("SELECT COUNT(*) AS n FROM audit_entry").fetch_one(&mut *conn).await.unwrap();
    let n: i64 = sqlx::Row::try_get(&row, "n").unwrap();
    sqlx::query("UPDATE audit_head SET seq = $1, last_hash = $2 WHERE id = 1")
        .bind(n)
        .bind(prev)
        .execute(&mut *conn)
        .await
        .unwrap();
}

/// Plays the part of whoever holds the database: lifts its refusal to change audit
/// entries, so a test can tamper with them as such an administrator could.
pub async fn lift_audit_refusal(store: &Store) {
    let mut conn = store.read().await.expect("a connection");
    conn.execute(sqlx::AssertSqlSafe(store.backend().lift_refusal_sql("audit_entry")))
        .await
        .expect("drop the audit triggers");
}

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
        let store = Store::connect(&url).await.expect("open SQLite test database").with_audit_key(test_audit_key());
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
        let store =
            Store::connect(&url).await.expect("connect to PostgreSQL test database").with_audit_key(test_audit_key());
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

/// Adds `n` open actions due on 2024-06-01 to the demo's adopted 2024 plan (copies of its
/// first action), so that more are past due than a page reads; returns the plan.
pub async fn add_past_due_actions(store: &Store, n: usize) -> kvalitet_domain::plan::PlanId {
    use kvalitet_domain::action::{Action, ActionStatus};
    use kvalitet_domain::plan::{PlanState, QualityPlan};
    let mut conn = store.read().await.unwrap();
    let plans: Vec<kvalitet_domain::Versioned<QualityPlan>> =
        crate::repo::list(&mut conn, crate::Where::all()).await.unwrap();
    let actions: Vec<kvalitet_domain::Versioned<Action>> =
        crate::repo::list(&mut conn, crate::Where::all()).await.unwrap();
    drop(conn);
    let plan = plans.iter().find(|p| p.state == PlanState::Adopted && p.year == 2024).expect("an adopted 2024 plan");
    let mut tx = store.write(&crate::Actor::system("test")).await.unwrap();
    for i in 0..n {
        let action = Action {
            plan_id: plan.id,
            title: format!("Sen åtgärd {i}"),
            due_on: Some(kvalitet_domain::Date::constant(2024, 6, 1)),
            status: ActionStatus::Planned,
            previous_action_id: None,
            withdrawn_reason: None,
            ..actions[0].item.clone()
        };
        crate::repo::insert(&mut tx, &action).await.unwrap();
    }
    tx.commit().await.unwrap();
    plan.id
}
