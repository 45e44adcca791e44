//! The `kvalitet` binary as a user runs it: flags, errors, serving the demo, shutting
//! down on SIGTERM.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::process::{Command, Output, Stdio};

#[allow(dead_code, reason = "shared with the faults tests, which use more of it")]
#[path = "../support/mod.rs"]
mod support;

use support::{Server, kvalitet};

fn run(cmd: &mut Command) -> (Output, String, String) {
    let out = cmd.output().expect("run kvalitet");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out, stdout, stderr)
}

/// Signs in as the demo administrator; returns the session cookie.
fn http_login(addr: &str) -> String {
    support::login(addr, "admin@exempel.se", "demo-administrator").expect("sign in")
}

#[test]
fn serve_loads_the_demo_shows_the_plans_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(kvalitet(dir.path()), &[]);
    let addr = server.addr.clone();
    let anonymous = support::get(&addr, "/", "");
    assert_eq!(anonymous.status, 303, "{anonymous:?}");
    let cookie = http_login(&addr);
    let page = support::get(&addr, "/", &cookie);
    assert_eq!(page.status, 200, "{page:?}");
    assert!(page.body.contains("Kvalitetsplan 2024 Individ- och familjeomsorg"));
    assert!(dir.path().join("kvalitet.db").exists(), "default database is kvalitet.db in the working directory");

    let exit = server.stop();
    assert!(exit.success(), "graceful shutdown exits 0: {exit:?}");

    // Same directory, same database: the demo is not loaded twice.
    let (out, _, stderr) = run(kvalitet(dir.path()).args(["demo", "load"]));
    assert!(!out.status.success());
    assert!(stderr.contains("innehåller redan data"), "{stderr}");
}

#[test]
fn demo_load_then_serve_share_one_database() {
    let dir = tempfile::tempdir().unwrap();
    let (out, stdout, stderr) = run(kvalitet(dir.path()).args(["demo", "load"]));
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("3 planer, 1 berättelser"), "{stdout}");
    let mut server = Server::start(kvalitet(dir.path()), &["--no-demo"]);
    let cookie = http_login(&server.addr);
    let page = support::get(&server.addr, "/", &cookie).body;
    server.kill();
    assert!(page.contains("Kvalitetsberättelse 2022 Vuxensektionen"));
}

#[test]
fn a_port_in_use_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let (out, _, stderr) = run(kvalitet(dir.path()).args(["serve", "--bind", &addr]));
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr.contains("används redan"), "{stderr}");
}

#[test]
fn bad_flags_and_unreachable_databases_fail_loudly() {
    let dir = tempfile::tempdir().unwrap();
    let (out, _, stderr) = run(kvalitet(dir.path()).args(["serve", "--no-such-flag"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr.contains("--no-such-flag"), "{stderr}");

    let (out, _, stderr) = run(kvalitet(dir.path()).args([
        "--database-url",
        "postgres://kvalitet:hemligt@127.0.0.1:1/kvalitet",
        "migrate",
    ]));
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr.contains("kan inte öppna databasen"), "{stderr}");
    assert!(!stderr.contains("hemligt"), "the password is never printed: {stderr}");

    let (out, _, stderr) = run(kvalitet(dir.path()).env("KVALITET_DATABASE_URL", "mysql://x/y").arg("migrate"));
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr.contains("sqlite:// eller postgres://"), "{stderr}");

    let (out, _, stderr) = run(kvalitet(dir.path()).args(["serve", "--bind", "inte-en-adress"]));
    assert_eq!(out.status.code(), Some(2), "{stderr}");
}

/// An empty database on each backend: a SQLite file in `dir`, and a fresh PostgreSQL one
/// where PostgreSQL answers (dropped by the caller).
fn databases(dir: &std::path::Path) -> Vec<(String, Option<kvalitet_store::testing::TestDb>)> {
    let mut out = vec![(kvalitet_store::sqlite_file_url(&dir.join("kvalitet.db")), None)];
    let rt = tokio::runtime::Runtime::new().unwrap();
    if let Some(pg) = rt.block_on(kvalitet_store::testing::TestDb::postgres()) {
        out.push((pg.url.clone(), Some(pg)));
    }
    out
}

fn with_stdin(cmd: &mut Command, input: &str) -> (Output, String, String) {
    let mut child = cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out, stdout, stderr)
}

#[test]
fn user_add_reads_the_password_from_stdin_and_the_account_can_sign_in() {
    let dir = tempfile::tempdir().unwrap();
    assert!(run(kvalitet(dir.path()).args(["demo", "load"])).0.status.success());
    let (out, stdout, stderr) = with_stdin(
        kvalitet(dir.path()).args([
            "user",
            "add",
            "ny@exempel.se",
            "--role",
            "manager",
            "--scope",
            "Barnenheten",
            "--password-stdin",
        ]),
        "ett-eget-lösenord-1\n",
    );
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("ny@exempel.se"));
    assert!(!stdout.contains("ett-eget-lösenord-1") && !stderr.contains("ett-eget-lösenord-1"));

    let (out, _, stderr) = with_stdin(
        kvalitet(dir.path()).args(["user", "add", "kort@exempel.se", "--role", "staff", "--password-stdin"]),
        "kort\n",
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr.contains("minst 12 tecken"), "{stderr}");
    let (out, _, stderr) = with_stdin(
        kvalitet(dir.path()).args(["user", "add", "x@exempel.se", "--role", "kung", "--password-stdin"]),
        "ett-eget-lösenord-1\n",
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr.contains("okänd roll"), "{stderr}");

    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let url = kvalitet_store::sqlite_file_url(&dir.path().join("kvalitet.db"));
        let store = kvalitet_store::Store::connect(&url).await.unwrap();
        let ok = kvalitet_store::accounts::login(&store, "ny@exempel.se", "ett-eget-lösenord-1", None).await.unwrap();
        assert!(ok.is_ok());
        store.close().await;
    });
}

#[test]
fn the_first_start_without_demo_data_prints_a_one_time_administrator_password() {
    let dir = tempfile::tempdir().unwrap();
    // An organisation without accounts: the demo loaded, its accounts removed.
    assert!(run(kvalitet(dir.path()).args(["demo", "load"])).0.status.success());
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let url = kvalitet_store::sqlite_file_url(&dir.path().join("kvalitet.db"));
        let store = kvalitet_store::Store::connect(&url).await.unwrap();
        let mut conn = store.read().await.unwrap();
        sqlx::query("DELETE FROM session").execute(&mut *conn).await.unwrap();
        sqlx::query("DELETE FROM role_assignment").execute(&mut *conn).await.unwrap();
        sqlx::query("DELETE FROM account").execute(&mut *conn).await.unwrap();
        drop(conn);
        store.close().await;
    });
    let mut child = kvalitet(dir.path())
        .args(["serve", "--bind", "127.0.0.1:0", "--no-demo"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(first.starts_with("Första administratören: admin@kvalitet.local, engångslösenord "), "{first}");
    let password = first.rsplit(' ').next().unwrap().to_owned();
    assert_eq!(password.len(), 20);
    rt.block_on(async {
        let url = kvalitet_store::sqlite_file_url(&dir.path().join("kvalitet.db"));
        let store = kvalitet_store::Store::connect(&url).await.unwrap();
        let ok = kvalitet_store::accounts::login(&store, "admin@kvalitet.local", &password, None).await.unwrap();
        assert!(ok.is_ok(), "the printed password signs in");
        let mut conn = store.read().await.unwrap();
        let acc = kvalitet_store::accounts::find_by_email(&mut conn, "admin@kvalitet.local").await.unwrap().unwrap();
        assert!(acc.must_change_password);
    });
}

#[test]
fn measures_compute_reads_the_export_and_names_bad_cells() {
    let dir = tempfile::tempdir().unwrap();
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../kvalitet-measures/tests/fixtures");
    let (out, stdout, stderr) = run(kvalitet(dir.path()).args([
        "measures",
        "compute",
        "--arenden",
        fixtures.join("arenden.csv").to_str().unwrap(),
        "--from",
        "2024-01-01",
        "--to",
        "2024-03-31",
        "--format",
        "json",
    ]));
    assert!(out.status.success(), "{stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let row = json
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["measure"] == "forhandsbedomning_14d" && r["unit"].is_null() && r["month"].is_null())
        .expect("the period's row for all units");
    assert_eq!((row["numerator"].as_i64(), row["denominator"].as_i64()), (Some(2), Some(3)));
    assert!(!dir.path().join("kvalitet.db").exists(), "compute touches no database");

    let (out, _, stderr) = run(kvalitet(dir.path()).args([
        "measures",
        "compute",
        "--arenden",
        fixtures.join("arenden_bad.csv").to_str().unwrap(),
        "--from",
        "2024-01-01",
        "--to",
        "2024-03-31",
    ]));
    assert!(!out.status.success());
    assert!(stderr.contains("arenden_bad.csv:"), "{stderr}");
    assert!(!stderr.contains("19121212"), "no personal identity number in errors");
}

/// Every board document of the demo in every format, from the command line: written,
/// and with nothing on standard error at the level `warn` (no library's warning, such as usvg's about an
/// invalid SVG shape, reaches an operator's terminal).
#[test]
fn document_writes_every_demo_document_without_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let (out, _, stderr) = run(kvalitet(dir.path()).args(["demo", "load"]));
    assert!(out.status.success(), "{stderr}");
    for (kind, year) in [("plan", "2024"), ("plan", "2022"), ("followup", "2022"), ("report", "2022")] {
        for format in ["pdf", "docx", "html"] {
            let file = dir.path().join(format!("{kind}-{year}.{format}"));
            let (out, stdout, stderr) =
                run(kvalitet(dir.path()).args(["document", kind, "--year", year, "--format", format, "-o"]).arg(&file));
            assert!(out.status.success(), "{kind} {year} {format}: {stderr}");
            assert!(stdout.contains("är skriven"), "{stdout}");
            assert!(std::fs::metadata(&file).is_ok_and(|m| m.len() > 1000), "{kind} {year} {format}");
            assert_eq!(stderr, "", "{kind} {year} {format}: nothing on standard error");
        }
    }
}

mod audit;
mod case_data;
mod kolada;
mod limits;
mod recovery;
mod setup;
mod sso;
mod tokens;

/// Row counts of every table, for comparing two databases.
async fn table_counts(url: &str) -> Vec<(String, i64)> {
    let store = kvalitet_store::Store::connect(url).await.unwrap();
    let mut conn = store.read().await.unwrap();
    let mut out = Vec::new();
    for t in [
        "tenant",
        "org_unit",
        "quality_plan",
        "risk",
        "action",
        "action_follow_up",
        "self_inspection",
        "self_inspection_run",
        "indicator",
        "indicator_result",
        "deviation",
        "account",
        "audit_entry",
    ] {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) AS n FROM {t}")))
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        out.push((t.to_owned(), sqlx::Row::try_get::<i64, _>(&row, "n").unwrap()));
    }
    drop(conn);
    let v = kvalitet_store::audit::verify(&store, None, &[]).await.unwrap();
    assert!(v.problems.is_empty(), "{:?}", v.problems);
    store.close().await;
    out
}

#[test]
fn a_backup_taken_while_serving_restores_to_the_same_data() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(kvalitet(dir.path()), &[]);
    let cookie = http_login(&server.addr);
    assert_eq!(support::get(&server.addr, "/", &cookie).status, 200);
    let (out, stdout, stderr) = run(kvalitet(dir.path()).args(["backup", "kopia.db"]));
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("kopia.db"));
    let (out, _, stderr) = run(kvalitet(dir.path()).args(["backup", "kopia.db"]));
    assert_eq!(out.status.code(), Some(1), "an existing file is never overwritten");
    assert!(stderr.contains("finns redan"));
    server.kill();

    let restored = dir.path().join("aterstalld.db");
    let url = kvalitet_store::sqlite_file_url(&restored);
    let (out, _, stderr) = run(kvalitet(dir.path()).args(["--database-url", &url, "restore", "kopia.db"]));
    assert!(out.status.success(), "{stderr}");
    let (out, _, stderr) = run(kvalitet(dir.path()).args(["--database-url", &url, "restore", "kopia.db"]));
    assert_eq!(out.status.code(), Some(1), "restoring over a database is refused");
    assert!(stderr.contains("finns redan"), "{stderr}");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let original = rt.block_on(table_counts(&kvalitet_store::sqlite_file_url(&dir.path().join("kvalitet.db"))));
    let copy = rt.block_on(table_counts(&url));
    // The login after the backup is the only difference: one audit entry.
    let strip = |v: &[(String, i64)]| v.iter().filter(|(t, _)| t != "audit_entry").cloned().collect::<Vec<_>>();
    assert_eq!(strip(&original), strip(&copy));
    assert!(copy.iter().any(|(t, n)| t == "risk" && *n == 26));

    // PostgreSQL: pg_dump while serving, pg_restore into an empty database.
    let Some(pg) = rt.block_on(kvalitet_store::testing::TestDb::postgres()) else { return };
    if Command::new("pg_dump").arg("--version").output().is_err() {
        rt.block_on(pg.drop_db());
        return;
    }
    assert!(run(kvalitet(dir.path()).args(["--database-url", &pg.url, "demo", "load"])).0.status.success());
    let (out, _, stderr) = run(kvalitet(dir.path()).args(["--database-url", &pg.url, "backup", "pg.dump"]));
    assert!(out.status.success(), "{stderr}");
    let empty = format!("{}_r", pg.url.rsplit('/').next().unwrap());
    let admin_url = std::env::var("KVALITET_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let target = format!("{}/{empty}", admin_url.rsplit_once('/').unwrap().0);
    rt.block_on(async {
        use sqlx::{Connection, Executor};
        let mut admin = sqlx::PgConnection::connect(&admin_url).await.unwrap();
        admin.execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {empty}"))).await.unwrap();
    });
    let (out, _, stderr) = run(kvalitet(dir.path()).args(["--database-url", &target, "restore", "pg.dump"]));
    assert!(out.status.success(), "{stderr}");
    let a = rt.block_on(table_counts(&pg.url));
    let b = rt.block_on(table_counts(&target));
    assert_eq!(a, b);
    rt.block_on(async {
        use sqlx::{Connection, Executor};
        let mut admin = sqlx::PgConnection::connect(&admin_url).await.unwrap();
        let _ = admin.execute(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {empty} WITH (FORCE)"))).await;
    });
    rt.block_on(pg.drop_db());
}

/// `kvalitet plan export`: the top unit's plan of a year as a workbook; a year whose plans
/// are all below the top is refused with the plans named.
#[test]
fn plan_export_writes_a_workbook_or_names_the_plans_of_the_year() {
    let dir = tempfile::tempdir().unwrap();
    let (out, _, stderr) = run(kvalitet(dir.path()).args(["demo", "load"]));
    assert!(out.status.success(), "{stderr}");
    let file = dir.path().join("plan-2024.xlsx");
    let (out, stdout, stderr) = run(kvalitet(dir.path()).args(["plan", "export", "--year", "2024", "-o"]).arg(&file));
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("Kvalitetsplan 2024 Individ- och familjeomsorg"), "{stdout}");
    assert_eq!(&std::fs::read(&file).unwrap()[..2], b"PK", "a workbook");
    let (out, _, stderr) = run(kvalitet(dir.path()).args(["plan", "export", "--year", "2022", "-o"]).arg(&file));
    assert!(!out.status.success());
    assert!(stderr.contains("har ingen kvalitetsplan för 2022. Välj enhet med --scope"), "{stderr}");
    assert!(stderr.contains("Kvalitetsplan 2022"), "the year's plans are named: {stderr}");
}

/// `kvalitet plan import`: a workbook read into a new draft for a year without a plan
/// (shown first with `--dry-run`, nothing stored), then exported again unchanged; a
/// workbook with problems is refused with each one named; an adopted plan is refused.
#[test]
fn plan_import_reads_a_workbook_into_a_draft_or_names_every_problem() {
    let dir = tempfile::tempdir().unwrap();
    let (out, _, stderr) = run(kvalitet(dir.path()).args(["demo", "load"]));
    assert!(out.status.success(), "{stderr}");
    let file = dir.path().join("plan-2024.xlsx");
    let (out, _, stderr) = run(kvalitet(dir.path()).args(["plan", "export", "--year", "2024", "-o"]).arg(&file));
    assert!(out.status.success(), "{stderr}");

    let (out, _, stderr) = run(kvalitet(dir.path()).args(["plan", "import", "--year", "2024"]).arg(&file));
    assert!(!out.status.success());
    assert!(stderr.contains("är antagen; en arbetsbok kan bara läsas in i ett utkast"), "{stderr}");

    let (out, stdout, stderr) =
        run(kvalitet(dir.path()).args(["plan", "import", "--year", "2025", "--dry-run"]).arg(&file));
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("Kvalitetsplan 2025 Individ- och familjeomsorg: en ny plan (utkast)."), "{stdout}");
    assert!(stdout.contains("risk R1 ny:"), "{stdout}");
    assert!(stdout.contains("Inget är sparat (--dry-run)."), "{stdout}");
    let again = dir.path().join("plan-2025.xlsx");
    let (out, _, stderr) = run(kvalitet(dir.path()).args(["plan", "export", "--year", "2025", "-o"]).arg(&again));
    assert!(!out.status.success(), "the dry run stored no plan");
    assert!(stderr.contains("ingen kvalitetsplan för 2025"), "{stderr}");

    let (out, stdout, stderr) = run(kvalitet(dir.path()).args(["plan", "import", "--year", "2025"]).arg(&file));
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("Sparat."), "{stdout}");
    let (out, _, stderr) = run(kvalitet(dir.path()).args(["plan", "export", "--year", "2025", "-o"]).arg(&again));
    assert!(out.status.success(), "{stderr}");
    let (out, stdout, stderr) = run(kvalitet(dir.path()).args(["plan", "import", "--year", "2025"]).arg(&again));
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("säger samma sak som Kvalitetsplan 2025"), "read back, nothing changes: {stdout}");

    let broken = dir.path().join("trasig.xlsx");
    std::fs::write(&broken, b"PK\x03\x04 inte en riktig arbetsbok").unwrap();
    let (out, _, stderr) = run(kvalitet(dir.path()).args(["plan", "import", "--year", "2025"]).arg(&broken));
    assert!(!out.status.success());
    assert!(stderr.contains("trasig.xlsx:1: filen är trasig eller ingen arbetsbok"), "{stderr}");
}
