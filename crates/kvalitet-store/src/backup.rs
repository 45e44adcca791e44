//! Backup and restore of a whole database while the server runs. SQLite: `VACUUM INTO`
//! writes a consistent copy of the live file; restoring checks the copy's integrity and
//! puts it in place of a database that does not exist yet. PostgreSQL: `pg_dump` in its
//! custom format and `pg_restore` into an empty database (the PostgreSQL client tools
//! must be installed).

use std::path::Path;
use std::process::Command;

use sqlx::{AssertSqlSafe, Connection, Row};

use crate::{Backend, Store, StoreError};

/// Writes a backup of `store` to `file`, which must not exist.
pub async fn backup(store: &Store, file: &Path) -> Result<(), StoreError> {
    if file.exists() {
        return Err(StoreError::BadUrl(format!("filen {} finns redan; välj ett nytt namn", file.display())));
    }
    match store.backend() {
        Backend::Sqlite => {
            let mut conn = store.read().await?;
            let target = file.to_string_lossy().replace('\'', "''");
            sqlx::query(AssertSqlSafe(format!("VACUUM INTO '{target}'"))).execute(&mut *conn).await?;
            Ok(())
        }
        Backend::Postgres => {
            run("pg_dump", &["--format=custom", "--no-owner", "--file", &file.to_string_lossy(), store.url()])
        }
    }
}

/// Restores the backup `file` into the database at `url`, which must be empty (a
/// SQLite file that does not exist, or a PostgreSQL database without tables).
pub async fn restore(file: &Path, url: &str) -> Result<(), StoreError> {
    if !file.is_file() {
        return Err(StoreError::BadUrl(format!("säkerhetskopian {} finns inte", file.display())));
    }
    match Backend::from_url(url)? {
        Backend::Sqlite => {
            let target = sqlite_path(url)?;
            if Path::new(&target).exists() {
                return Err(StoreError::BadUrl(format!(
                    "databasen {target} finns redan; återställ till en ny fil så att inget skrivs över"
                )));
            }
            // The copy must be whole before it is put in place.
            let check = format!("sqlite://{}?mode=ro", file.display());
            let mut conn = sqlx::SqliteConnection::connect(&check).await?;
            let row = sqlx::query("PRAGMA integrity_check").fetch_one(&mut conn).await?;
            let verdict: String = row.try_get(0)?;
            conn.close().await?;
            if verdict != "ok" {
                return Err(StoreError::BadUrl(format!("säkerhetskopian är skadad: {verdict}")));
            }
            std::fs::copy(file, &target).map_err(|e| StoreError::BadUrl(format!("kunde inte skriva {target}: {e}")))?;
            Ok(())
        }
        Backend::Postgres => {
            let mut conn = sqlx::PgConnection::connect(url).await?;
            let row = sqlx::query("SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = 'public'")
                .fetch_one(&mut conn)
                .await?;
            let n: i64 = row.try_get("n")?;
            conn.close().await?;
            if n > 0 {
                return Err(StoreError::BadUrl(
                    "måldatabasen är inte tom; återställ till en ny databas så att inget skrivs över".into(),
                ));
            }
            run("pg_restore", &["--no-owner", "--exit-on-error", "--dbname", url, &file.to_string_lossy()])
        }
    }
}

/// The file of a SQLite URL.
fn sqlite_path(url: &str) -> Result<String, StoreError> {
    let rest = url.trim_start_matches("sqlite://").trim_start_matches("sqlite:");
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path.contains(":memory:") {
        return Err(StoreError::BadUrl("återställning kräver en databasfil".into()));
    }
    Ok(path.to_owned())
}

fn run(program: &str, args: &[&str]) -> Result<(), StoreError> {
    let out = Command::new(program).args(args).output().map_err(|e| {
        StoreError::BadUrl(format!("{program} kunde inte startas ({e}); installera PostgreSQL:s klientprogram"))
    })?;
    if out.status.success() {
        Ok(())
    } else {
        // The tools' own messages may name the server but never a password (the URL's
        // password is not echoed by them).
        Err(StoreError::BadUrl(format!("{program} misslyckades: {}", String::from_utf8_lossy(&out.stderr).trim())))
    }
}
