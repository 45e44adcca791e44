//! The demo data against the seed documents: after loading, the database holds every
//! risk, self-inspection and indicator of each seed, word for word, as many as the
//! seed has; and the report's tables come out as printed. Runs on both backends.

use kvalitet_domain::self_inspection::Verdict;
use std::path::PathBuf;

use kvalitet_domain::Versioned;
use kvalitet_domain::deviation::{DeviationKind, LexSarahCategory};
use kvalitet_domain::plan::QualityPlan;
use kvalitet_domain::report::QualityReport;
use kvalitet_store::testing::on_each_backend;
use kvalitet_store::{Where, plans, repo, reports};

/// The seed documents (shared/ beside the checkout).
fn seeds_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/seeds");
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(std::env::var("CI").is_err(), "CI must have shared/seeds beside the checkout");
    eprintln!("seed fidelity checks SKIPPED: {} not found", dir.display());
    None
}

/// Text compared without whitespace, hyphens, case and the `(%)` marks that the demo
/// data leaves out of names (line breaks and hyphenation differ between PDF and data).
fn norm(s: &str) -> String {
    let squeezed: String = s
        .to_lowercase()
        .replace("( procent)", "")
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '–' | '\u{ad}'))
        .collect();
    squeezed.replace("(%)", "")
}

fn seed_text(dir: &std::path::Path, file: &str) -> String {
    std::fs::read_to_string(dir.join(file)).expect("seed file")
}

struct Expect {
    seed: &'static str,
    plan_title: &'static str,
    /// Self-inspections and indicators as counted by hand in the seed.
    self_inspections: usize,
    indicators: usize,
}

const PLANS: &[Expect] = &[
    Expect {
        seed: "000_a1321f673db82280.txt",
        plan_title: "Kvalitetsplan 2024 Individ- och familjeomsorg",
        self_inspections: 12,
        indicators: 22,
    },
    Expect {
        seed: "001_2f8871f465a3d2a6.txt",
        plan_title: "Kvalitetsplan 2022 Barn och unga 0-20 år",
        self_inspections: 8,
        indicators: 11,
    },
    Expect {
        seed: "004_3db242e3a9df9e2c.txt",
        plan_title: "Kvalitetsplan 2022 för vuxna",
        self_inspections: 19,
        indicators: 6,
    },
];

#[tokio::test]
async fn every_seed_item_is_in_the_loaded_data() {
    on_each_backend(|store, _| async move {
        let summary = kvalitet_demo::load(&store).await.expect("demo data loads");
        assert_eq!(summary.plans, 3);
        assert_eq!(summary.reports, 1);
        let Some(dir) = seeds_dir() else { return };
        let mut conn = store.read().await.unwrap();
        let all: Vec<Versioned<QualityPlan>> = repo::list(&mut conn, Where::all()).await.unwrap();
        for expect in PLANS {
            let plan = all.iter().find(|p| p.title == expect.plan_title).expect(expect.plan_title);
            let bundle = plans::load_bundle(&mut conn, plan.id).await.unwrap();
            let text = seed_text(&dir, expect.seed);
            let seed = norm(&text);

            // As many risks as the seed prints risk levels, each with its level.
            let levels: Vec<i64> = text
                .match_indices("Risknivå ")
                .map(|(i, _)| text[i + 10..].split_whitespace().next().unwrap().parse().unwrap())
                .collect();
            assert_eq!(bundle.risks.len(), levels.len(), "{}: risks", expect.seed);
            let mut loaded_levels: Vec<i64> = bundle.risks.iter().map(|r| r.level).collect();
            let mut printed = levels.clone();
            loaded_levels.sort_unstable();
            printed.sort_unstable();
            assert_eq!(loaded_levels, printed, "{}: risk levels", expect.seed);
            for r in &bundle.risks {
                assert!(seed.contains(&norm(&r.title)), "{}: risk not in seed: {}", expect.seed, r.title);
            }

            assert_eq!(bundle.self_inspections.len(), expect.self_inspections, "{}: self-inspections", expect.seed);
            for s in &bundle.self_inspections {
                assert!(seed.contains(&norm(&s.title)), "{}: self-inspection not in seed: {}", expect.seed, s.title);
            }
            assert_eq!(bundle.indicators.len(), expect.indicators, "{}: indicators", expect.seed);
            for i in &bundle.indicators {
                assert!(seed.contains(&norm(&i.name)), "{}: indicator not in seed: {}", expect.seed, i.name);
            }
            for a in &bundle.actions {
                assert!(seed.contains(&norm(&a.title)), "{}: action not in seed: {}", expect.seed, a.title);
            }
            // Seed 004 follows up every action, and every self-inspection but the two whose
            // row holds only the action's text; no verdict and no day is stated.
            if expect.seed.starts_with("004") {
                assert_eq!(bundle.runs.len(), bundle.self_inspections.len() - 2);
                assert_eq!(bundle.action_follow_ups.len(), bundle.actions.len());
                assert!(bundle.runs.iter().all(|r| r.undated && r.verdict == Verdict::NotStated));
                assert!(bundle.action_follow_ups.iter().all(|f| f.undated));
            }
        }
    })
    .await;
}

#[tokio::test]
async fn the_report_prints_the_seed_tables() {
    on_each_backend(|store, _| async move {
        kvalitet_demo::load(&store).await.expect("demo data loads");
        let mut conn = store.read().await.unwrap();
        let report: Vec<Versioned<QualityReport>> = repo::list(&mut conn, Where::all()).await.unwrap();
        let bundle = reports::load_report(&mut conn, report[0].id).await.unwrap();
        // Seed 002, "Lex Sarah / Intern avvikelse / Synpunkter och klagomål".
        assert_eq!(bundle.deviation_counts(DeviationKind::LexSarah), (1, 1));
        assert_eq!(bundle.deviation_counts(DeviationKind::Internal), (4, 1));
        assert_eq!(bundle.deviation_counts(DeviationKind::Complaint), (5, 3));
        assert_eq!(bundle.lex_sarah_counts(LexSarahCategory::Impropriety), (1, 0));
        assert_eq!(bundle.lex_sarah_counts(LexSarahCategory::NoImpropriety), (0, 1));
        assert_eq!(bundle.lex_sarah_counts(LexSarahCategory::Serious), (0, 0));
        // Beroendeenheten's survey: 26 answers of 73 asked, 36 %.
        let survey = bundle.surveys.iter().find(|s| s.answers == Some(26)).expect("beroende survey");
        assert_eq!(survey.sample_size, Some(73));
        assert_eq!(survey.response_rate().map(f64::round), Some(36.0));
        // Personligt ombud: 115 unique individuals.
        assert!(bundle.statistics.iter().any(|s| s.value == 115.0));
        assert!(bundle.improvement_areas.len() >= 9);
        let Some(dir) = seeds_dir() else { return };
        let seed = norm(&seed_text(&dir, "002_e7b48487659906d4.txt"));
        for s in &bundle.sections {
            assert!(seed.contains(&norm(&s.heading)), "section heading not in seed: {}", s.heading);
        }
        for i in &bundle.improvement_areas {
            assert!(seed.contains(&norm(&i.text)), "improvement area not in seed: {}", i.text);
        }
    })
    .await;
}

#[tokio::test]
async fn loading_twice_is_refused_and_stores_nothing_more() {
    on_each_backend(|store, _| async move {
        kvalitet_demo::load(&store).await.unwrap();
        let err = kvalitet_demo::load(&store).await.unwrap_err();
        assert!(err.to_string().contains("innehåller redan data"), "{err}");
        let mut conn = store.read().await.unwrap();
        assert_eq!(repo::count::<QualityPlan>(&mut conn).await.unwrap(), 3);
    })
    .await;
}

#[tokio::test]
async fn a_broken_file_is_named_and_nothing_is_stored() {
    on_each_backend(|store, _| async move {
        let bad = kvalitet_demo::DemoFile {
            name: "trasig.toml",
            text: "seed = \"x\"\n[plan]\nscope = \"Ingen sådan enhet\"\nyear = 2024\ntitle = \"T\"\nstate = \"draft\"\n",
        };
        let err = kvalitet_demo::load_files(&store, &kvalitet_demo::ORGANISATION, &[bad]).await.unwrap_err();
        let msg = format!("{err:#}");
        assert!(msg.contains("trasig.toml") && msg.contains("okänd enhet"), "{msg}");
        assert!(store.is_empty().await.unwrap(), "nothing of a failed load is kept");
    })
    .await;
}

/// Every table of the schema and how many rows it has.
async fn table_rows(store: &kvalitet_store::Store) -> Vec<(String, i64)> {
    let mut conn = store.read().await.unwrap();
    let sql = match store.backend() {
        kvalitet_store::Backend::Sqlite => {
            // The search index's FTS5 tables are counted by their rows, not by their shadow
            // tables' pages (which keep index structure, not records).
            "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type IN ('table', 'virtual') AND name NOT LIKE 'sqlite_%'"
        }
        kvalitet_store::Backend::Postgres => {
            "SELECT CAST(table_name AS TEXT) AS name FROM information_schema.tables WHERE table_schema = 'public'"
        }
    };
    let names: Vec<String> = sqlx::query(sql)
        .fetch_all(&mut *conn)
        .await
        .unwrap()
        .iter()
        .map(|r| sqlx::Row::try_get::<String, _>(r, "name").unwrap())
        .collect();
    let mut out = Vec::new();
    for name in names {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) AS n FROM {name}")))
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        out.push((name, sqlx::Row::try_get::<i64, _>(&row, "n").unwrap()));
    }
    out
}

#[tokio::test]
async fn removing_the_demo_leaves_no_row_of_it_in_any_table() {
    on_each_backend(|store, _| async move {
        kvalitet_demo::load(&store).await.unwrap();
        // A sign-in leaves a session and throttle-free state; both go with the demo.
        let signed_in =
            kvalitet_store::accounts::login(&store, "admin@exempel.se", "demo-administrator", None).await.unwrap();
        assert!(signed_in.is_ok());
        let removed = kvalitet_demo::remove(&store).await.unwrap();
        assert_eq!(removed.tenant, "Huddinge kommun");
        assert!(removed.rows > 400, "{removed:?}");
        // What is kept: the audit log (which records the removal), the migrations and
        // the sign-in throttle (not the tenant's).
        for (table, n) in table_rows(&store).await {
            let kept = ["audit_entry", "audit_head", "_sqlx_migrations", "login_throttle"].contains(&table.as_str())
                || table.starts_with("audit");
            assert!(kept || n == 0, "{table} still has {n} rows");
        }
    })
    .await;
}

#[tokio::test]
async fn the_demo_with_real_work_in_it_is_not_removed() {
    on_each_backend(|store, _| async move {
        kvalitet_demo::load(&store).await.unwrap();
        let mut conn = store.read().await.unwrap();
        let staff =
            kvalitet_store::accounts::find_by_email(&mut conn, "medarbetare@exempel.se").await.unwrap().unwrap();
        let unit = kvalitet_store::accounts::assignments(&mut conn, staff.id).await.unwrap()[0].scope_id;
        drop(conn);
        let actor = kvalitet_store::Actor::account(staff.id.get(), &staff.email);
        let mut tx = store.write(&actor).await.unwrap();
        let deviation = kvalitet_domain::deviation::Deviation::registered(
            staff.tenant_id,
            unit,
            DeviationKind::Internal,
            kvalitet_domain::Date::constant(2024, 5, 2),
            kvalitet_domain::Date::constant(2024, 5, 2),
            "En verklig händelse".into(),
            String::new(),
            staff.email.clone(),
        );
        plans::create(&mut tx, &deviation).await.unwrap();
        tx.commit().await.unwrap();
        let refused = kvalitet_demo::remove(&store).await.unwrap_err().to_string();
        assert!(refused.contains("inte kommer från demofilerna") && refused.contains("deviation"), "{refused}");
        let mut conn = store.read().await.unwrap();
        assert_eq!(kvalitet_store::tenants::all(&mut conn).await.unwrap().len(), 1, "nothing removed");
    })
    .await;
}
