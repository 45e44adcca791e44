//! Backup and restore of a whole database while the server runs. SQLite: `VACUUM INTO`
//! writes a consistent copy of the live file; restoring checks the copy's integrity and
//! puts it in place of a database that does not exist yet. PostgreSQL: `pg_dump` in its
//! custom format and `pg_restore` into an empty database (the PostgreSQL client tools
//! must be installed).

use std::path::Path;
use std::process::Command;

use sqlx::{AssertSqlSafe, Connection, Row};

use crate::backend::sqlite_path;
use crate::{Backend, Store, StoreError};

/// Creates `file` empty, readable by the owner only; refuses if it exists.
fn create_private(file: &Path) -> Result<std::fs::File, StoreError> {
    crate::files::create_private(file).map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => {
            StoreError::BadUrl(format!("filen {} finns redan; välj ett nytt namn", file.display()))
        }
        _ => StoreError::BadUrl(format!("kan inte skriva {}: {e}", file.display())),
    })
}

/// Writes a backup of `store` to `file` (mode 0600), which must not exist.
pub async fn backup(store: &Store, file: &Path) -> Result<(), StoreError> {
    // Created first, empty and private: `VACUUM INTO` and `pg_dump` write into it.
    drop(create_private(file)?);
    let done = write_backup(store, file).await;
    if done.is_err() {
        let _ = std::fs::remove_file(file);
    }
    done
}

async fn write_backup(store: &Store, file: &Path) -> Result<(), StoreError> {
    match store.backend() {
        Backend::Sqlite => {
            let mut conn = store.read().await?;
            let target = file.to_string_lossy().replace('\'', "''");
            sqlx::query(AssertSqlSafe(format!("VACUUM INTO '{target}'"))).execute(&mut *conn).await?;
            Ok(())
        }
        Backend::Postgres => {
            let (url, password) = without_password(store.url());
            run("pg_dump", &["--format=custom", "--no-owner", "--file", &file.to_string_lossy(), &url], password)
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
            let target =
                sqlite_path(url).ok_or_else(|| StoreError::BadUrl("återställning kräver en databasfil".into()))?;
            if Path::new(&target).exists() {
                return Err(StoreError::BadUrl(format!(
                    "databasen {target} finns redan; återställ till en ny fil så att inget skrivs över"
                )));
            }
            // A write-ahead log left from an earlier database of the same name would be
            // replayed into the restored one.
            for suffix in ["-wal", "-shm", "-journal"] {
                let left = format!("{target}{suffix}");
                if Path::new(&left).exists() {
                    return Err(StoreError::BadUrl(format!(
                        "{left} finns kvar från en tidigare databas; flytta eller ta bort den först, annars blandas dess innehåll in i den återställda databasen"
                    )));
                }
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
            let mut out = create_private(Path::new(&target))?;
            let copied = std::fs::File::open(file).and_then(|mut src| std::io::copy(&mut src, &mut out));
            copied.map_err(|e| StoreError::BadUrl(format!("kunde inte skriva {target}: {e}")))?;
            out.sync_all().map_err(|e| StoreError::BadUrl(format!("kunde inte skriva {target}: {e}")))?;
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
            let (url, password) = without_password(url);
            run("pg_restore", &["--no-owner", "--exit-on-error", "--dbname", &url, &file.to_string_lossy()], password)
        }
    }
}

/// A PostgreSQL URL without its password, and the password (percent-decoded): the
/// PostgreSQL tools get it in `PGPASSWORD`, never on their command line, where every
/// user of the machine could read it.
pub fn without_password(url: &str) -> (String, Option<String>) {
    let Some((scheme, rest)) = url.split_once("://") else { return (url.to_owned(), None) };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let Some(at) = rest[..authority_end].rfind('@') else { return (url.to_owned(), None) };
    let Some((user, password)) = rest[..at].split_once(':') else { return (url.to_owned(), None) };
    (
        format!("{scheme}://{user}@{}", &rest[at + 1..]),
        Some(percent_encoding::percent_decode_str(password).decode_utf8_lossy().into_owned()),
    )
}

fn run(program: &str, args: &[&str], password: Option<String>) -> Result<(), StoreError> {
    let mut command = Command::new(program);
    command.args(args);
    if let Some(p) = password {
        command.env("PGPASSWORD", p);
    }
    let out = command.output().map_err(|e| {
        StoreError::BadUrl(format!("{program} kunde inte startas ({e}); installera PostgreSQL:s klientprogram"))
    })?;
    if out.status.success() {
        Ok(())
    } else {
        // The tools' own messages may name the server but never a password (it is not
        // on their command line).
        Err(StoreError::BadUrl(format!("{program} misslyckades: {}", String::from_utf8_lossy(&out.stderr).trim())))
    }
}
