//! `kvalitet measures import` on both backends: the export is stored pseudonymised (no
//! personal identity number anywhere in the database or its dump), a bad file stores
//! nothing, and linked self-inspections and indicators get their runs and results.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::{databases, kvalitet, run};

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

/// The bad-input corpus through the command: each file is refused whole with a Swedish
/// message naming the place (`file:row:column`, or the workbook), shows no personal
/// identity number, and leaves every case-data table empty.
#[test]
fn bad_files_are_refused_with_their_place_and_store_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let head = "case_id;person_id;unit;target_group;aktualisering;forhandsbedomning;utredning_start;utredning_slut\n";
    let row = |rest: &str| format!("{head}B-1;19121212-1212;Barnenheten;barn;2024-01-02;;;\n{rest}");
    let write = |name: &str, bytes: Vec<u8>| {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path.to_str().unwrap().to_owned()
    };
    let huge = "x".repeat(10 << 20);
    let utf16: Vec<u8> = [0xff, 0xfe].into_iter().chain(row("").encode_utf16().flat_map(|u| u.to_le_bytes())).collect();
    let book =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("../kvalitet-measures/tests/fixtures/export.xlsx"))
            .unwrap();
    // (flag, file, what the message must say)
    let cases: Vec<(&str, String, String)> = vec![
        (
            "--arenden",
            write("citat.csv", row("B-2;20150301-2384;\"Barnenheten;barn;;;;\n").into_bytes()),
            "citat.csv:3:unit: cellen innehåller en radbrytning".into(),
        ),
        (
            "--arenden",
            write("kolumner.csv", row("B-2;20150301-2384;Barnenheten;barn;;;;;extra\n").into_bytes()),
            "kolumner.csv:3:: raden har 9 fält men rubrikraden har 8".into(),
        ),
        ("--arenden", write("tom.csv", Vec::new()), "tom.csv:1:: filen är tom".into()),
        ("--arenden", write("utf16.csv", utf16), "utf16.csv:1:: filen är inte text i UTF-8 eller Windows-1252".into()),
        (
            "--arenden",
            write("nul.csv", row("B-2;20150301-2384;Barn\0enheten;barn;;;;\n").into_bytes()),
            "nul.csv:3:unit: cellen innehåller otillåtna tecken".into(),
        ),
        (
            "--arenden",
            write("stor.csv", row(&format!("B-2;20150301-2384;{huge};barn;;;;\n")).into_bytes()),
            "stor.csv:3:unit: värdet är för långt, högst 200 tecken".into(),
        ),
        (
            "--arenden",
            write("datum.csv", row("B-2;20150301-2384;Barnenheten;barn;2023-02-30;20231301;;\n").into_bytes()),
            "datum.csv:3:aktualisering: ogiltigt datum \"2023-02-30\"".into(),
        ),
        (
            "--arenden",
            write("tomma.csv", row(";20150301-2384;;barn;;;;\n").into_bytes()),
            "tomma.csv:3:case_id: värde saknas".into(),
        ),
        (
            "--arenden",
            write("formel.csv", row("B-2;20150301-2384;=HYPERLINK(\"x\");barn;;;;\n").into_bytes()),
            "formel.csv:3:unit: okänd enhet \"=HYPERLINK(\"x\")\"".into(),
        ),
        (
            "--xlsx",
            write("avklippt.xlsx", book[..book.len() / 2].to_vec()),
            "avklippt.xlsx: filen är trasig eller inte en arbetsbok".into(),
        ),
        (
            "--arenden",
            write("inte-zip.xlsx", row("").into_bytes()),
            "inte-zip.xlsx: filen är trasig eller inte en arbetsbok".into(),
        ),
    ];
    for (url, pg) in databases(dir.path()) {
        let db = ["--database-url", url.as_str()];
        assert!(run(kvalitet(dir.path()).args(db).args(["demo", "load"])).0.status.success());
        for (flag, file, expected) in &cases {
            let (out, _, stderr) = run(kvalitet(dir.path()).args(db).args([
                "measures",
                "import",
                flag,
                file,
                "--from",
                "2024-01-01",
                "--to",
                "2024-03-31",
            ]));
            assert_eq!(out.status.code(), Some(1), "{file}: {stderr}");
            assert!(stderr.contains(expected.as_str()), "{file}: expected \"{expected}\" in:\n{stderr}");
            assert!(stderr.len() < 10_000, "{file}: the message is short ({} bytes)", stderr.len());
            assert_no_personnummer(stderr.as_bytes(), &format!("the message about {file}"));
        }
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            let store = kvalitet_store::Store::connect(&url).await.unwrap();
            let mut conn = store.read().await.unwrap();
            for table in ["case_import", "case_record", "intervention_record", "contact_record", "measure_result"] {
                let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) AS n FROM {table}")))
                    .fetch_one(&mut *conn)
                    .await
                    .unwrap();
                assert_eq!(sqlx::Row::try_get::<i64, _>(&row, "n").unwrap(), 0, "{table} after refused imports");
            }
            drop(conn);
            store.close().await;
        });
        if let Some(pg) = pg {
            rt.block_on(pg.drop_db());
        }
    }
}
