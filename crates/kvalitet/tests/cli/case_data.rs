//! `kvalitet measures import` on both backends: the export is stored pseudonymised (no
//! personal identity number anywhere in the database or its dump), a bad file stores
//! nothing, and linked self-inspections and indicators get their runs and results.

use std::path::{Path, PathBuf};
use std::process::Command;

use kvalitet_store::testing::TestDb;

use super::{kvalitet, run};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

/// Every personal identity number in the fixtures, as written and without the dash.
const PERSONNUMMER: &[&str] = &["19121212-1212", "20150301-2384", "20180615-4471", "19750102-3319", "19880909-1122"];

fn assert_no_personnummer(bytes: &[u8], what: &str) {
    let text = String::from_utf8_lossy(bytes);
    for p in PERSONNUMMER {
        assert!(!text.contains(p), "{p} found in {what}");
        assert!(!text.contains(&p.replace('-', "")), "{p} without dash found in {what}");
    }
}

/// A database with the demo loaded: a SQLite file in `dir`, or a fresh PostgreSQL one.
fn databases(dir: &Path) -> Vec<(String, Option<TestDb>)> {
    let mut out = vec![(kvalitet_store::sqlite_file_url(&dir.join("kvalitet.db")), None)];
    let rt = tokio::runtime::Runtime::new().unwrap();
    if let Some(pg) = rt.block_on(TestDb::postgres()) {
        out.push((pg.url.clone(), Some(pg)));
    }
    out
}

#[test]
fn an_import_is_stored_pseudonymised_and_feeds_the_linked_self_inspection_and_indicator() {
    let dir = tempfile::tempdir().unwrap();
    for (url, pg) in databases(dir.path()) {
        let db = ["--database-url", url.as_str()];
        assert!(run(kvalitet(dir.path()).args(db).args(["demo", "load"])).0.status.success());

        // Tie the 2024 plan's "Andel aktualiseringar avslutade inom 14 dagar" and an
        // indicator to measures.
        let rt = tokio::runtime::Runtime::new().unwrap();
        let (si, ind) = rt.block_on(async {
            let store = kvalitet_store::Store::connect(&url).await.unwrap();
            let mut conn = store.read().await.unwrap();
            let row = sqlx::query("SELECT id FROM self_inspection WHERE title = 'Andel aktualiseringar avslutade inom 14 dagar'")
                .fetch_one(&mut *conn)
                .await
                .unwrap();
            let si: i64 = sqlx::Row::try_get(&row, "id").unwrap();
            let row = sqlx::query("SELECT id FROM indicator WHERE name LIKE 'Andelen barnavårdsutredningar avslutade inom 90 dagar%' ORDER BY id")
                .fetch_one(&mut *conn)
                .await
                .unwrap();
            let ind: i64 = sqlx::Row::try_get(&row, "id").unwrap();
            drop(conn);
            store.close().await;
            (si, ind)
        });
        let (out, _, stderr) = run(kvalitet(dir.path()).args(db).args([
            "measures",
            "link",
            "forhandsbedomning_14d",
            "--self-inspection",
            &si.to_string(),
            "--approve-at",
            "90",
        ]));
        assert!(out.status.success(), "{stderr}");
        let (out, _, stderr) = run(kvalitet(dir.path()).args(db).args([
            "measures",
            "link",
            "barnutredning_90d",
            "--indicator",
            &ind.to_string(),
        ]));
        assert!(out.status.success(), "{stderr}");

        // A file with an unknown unit is refused whole.
        let (out, _, stderr) = run(kvalitet(dir.path()).args(db).args([
            "measures",
            "import",
            "--arenden",
            fixture("arenden_okand_enhet.csv").to_str().unwrap(),
            "--from",
            "2024-01-01",
            "--to",
            "2024-03-31",
        ]));
        assert_eq!(out.status.code(), Some(1));
        assert!(stderr.contains("arenden_okand_enhet.csv:3:unit") && stderr.contains("Påhittade enheten"), "{stderr}");
        assert_no_personnummer(stderr.as_bytes(), "the error message");

        let (out, stdout, stderr) = run(kvalitet(dir.path()).args(db).args([
            "measures",
            "import",
            "--arenden",
            fixture("arenden.csv").to_str().unwrap(),
            "--insatser",
            fixture("insatser.csv").to_str().unwrap(),
            "--from",
            "2024-01-01",
            "--to",
            "2024-03-31",
        ]));
        assert!(out.status.success(), "{stderr}");
        assert!(stdout.contains("5 ärenden, 2 insatser"), "{stdout}");
        assert!(stdout.contains("1 egenkontroller och 1 indikatorer uppdaterade"), "{stdout}");
        assert!(dir.path().join("kvalitet.secret").exists());

        rt.block_on(async {
            let store = kvalitet_store::Store::connect(&url).await.unwrap();
            let mut conn = store.read().await.unwrap();
            let count = |sql: &'static str| sqlx::query(sql);
            let n: i64 = sqlx::Row::try_get(
                &count("SELECT COUNT(*) AS n FROM case_import").fetch_one(&mut *conn).await.unwrap(),
                "n",
            )
            .unwrap();
            assert_eq!(n, 1, "the refused file stored nothing");
            // Children's pre-assessments within 14 days: B-1 (8 days) and B-3 (13) of
            // B-1, B-2 (20), B-3: 2 of 3, 66,7 %, below 90 %: not approved.
            let row = sqlx::query(
                "SELECT result_value, sample_size, verdict FROM self_inspection_run WHERE self_inspection_id = $1",
            )
            .bind(si)
            .fetch_one(&mut *conn)
            .await
            .unwrap();
            assert_eq!(sqlx::Row::try_get::<f64, _>(&row, "result_value").unwrap(), 66.7);
            assert_eq!(sqlx::Row::try_get::<i64, _>(&row, "sample_size").unwrap(), 3);
            assert_eq!(sqlx::Row::try_get::<String, _>(&row, "verdict").unwrap(), "not_approved");
            // Children's investigations ended in the period: B-1 in 70 days: 1 of 1.
            let row = sqlx::query(
                "SELECT value, numerator, denominator FROM indicator_result WHERE indicator_id = $1 AND year = 2024",
            )
            .bind(ind)
            .fetch_one(&mut *conn)
            .await
            .unwrap();
            assert_eq!(sqlx::Row::try_get::<f64, _>(&row, "value").unwrap(), 100.0);
            assert_eq!(sqlx::Row::try_get::<i64, _>(&row, "denominator").unwrap(), 1);
            // The case outside the 14-day limit is kept for the manager: B-2.
            let row = sqlx::query(
                "SELECT o.case_id FROM measure_outside o JOIN measure_result r ON r.id = o.result_id \
                 WHERE r.measure = 'forhandsbedomning_14d' AND r.unit_id IS NULL AND r.month IS NULL",
            )
            .fetch_one(&mut *conn)
            .await
            .unwrap();
            assert_eq!(sqlx::Row::try_get::<String, _>(&row, "case_id").unwrap(), "B-2");
            drop(conn);
            store.close().await;
        });

        // No personal identity number anywhere: the database file (and its WAL), or the
        // PostgreSQL dump.
        match &pg {
            None => {
                for f in ["kvalitet.db", "kvalitet.db-wal"] {
                    if let Ok(bytes) = std::fs::read(dir.path().join(f)) {
                        assert_no_personnummer(&bytes, f);
                    }
                }
            }
            Some(pg) => {
                if let Ok(out) = Command::new("pg_dump").arg(&pg.url).output() {
                    assert!(out.status.success(), "pg_dump: {}", String::from_utf8_lossy(&out.stderr));
                    assert!(String::from_utf8_lossy(&out.stdout).contains("case_record"));
                    assert_no_personnummer(&out.stdout, "pg_dump");
                }
            }
        }
        if let Some(pg) = pg {
            tokio::runtime::Runtime::new().unwrap().block_on(pg.drop_db());
        }
    }
}
