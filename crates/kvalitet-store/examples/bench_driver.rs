//! What sqlx's `Any` driver costs against the native SQLite and PostgreSQL drivers, on
//! the reads the heaviest pages make (issue 19, item 4). The same statements, rows and
//! decoded columns through both, on a benchmark data set (`bench_data`), alternating
//! rounds so both see the same machine; medians of the rounds.
//!
//!   cargo run --release -p kvalitet-store --example bench_driver -- URL [ROUNDS]
//!
//! URL: the benchmark database, `sqlite:///…/bench.db` or `postgres://…`. Prints a
//! markdown table: per statement, microseconds through each driver and their ratio.

use std::time::Instant;

use sqlx::{AnyConnection, Connection, PgConnection, Row, SqliteConnection};

/// A statement of a page, with the one number it binds and the columns it decodes.
struct Read {
    name: &'static str,
    sql: String,
    bind: i64,
    ints: &'static [&'static str],
    texts: &'static [&'static str],
}

/// Decodes the columns of every row, as a page's record reading does; returns a
/// checksum so that nothing is optimised away and both drivers can be compared.
macro_rules! run {
    ($conn:expr, $read:expr) => {{
        let rows = sqlx::query(sqlx::AssertSqlSafe($read.sql.clone())).bind($read.bind).fetch_all(&mut *$conn).await?;
        let mut sum = rows.len() as i64;
        for row in &rows {
            for c in $read.ints {
                sum = sum.wrapping_add(row.try_get::<Option<i64>, _>(*c)?.unwrap_or(0));
            }
            for c in $read.texts {
                sum = sum.wrapping_add(row.try_get::<String, _>(*c)?.len() as i64);
            }
        }
        sum
    }};
}

/// What the plan page decodes of a risk.
const RISK_INTS: &[&str] =
    &["id", "version", "plan_id", "process_area_id", "likelihood", "consequence", "level", "sort_order"];
const RISK_TEXTS: &[&str] = &["title", "consequence_text"];

enum Native {
    Sqlite(SqliteConnection),
    Postgres(PgConnection),
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let url = args.next().ok_or_else(|| anyhow::anyhow!("usage: bench_driver URL [ROUNDS]"))?;
    let rounds: usize = args.next().map(|r| r.parse()).transpose()?.unwrap_or(11);
    sqlx::any::install_default_drivers();
    let mut any = AnyConnection::connect(&url).await?;
    let mut native = if url.starts_with("sqlite") {
        Native::Sqlite(SqliteConnection::connect(&url).await?)
    } else {
        Native::Postgres(PgConnection::connect(&url).await?)
    };

    // The largest plan, its first process area, and the actions of that area's risks.
    let plan: i64 = sqlx::query("SELECT plan_id FROM risk GROUP BY plan_id ORDER BY COUNT(*) DESC LIMIT 1")
        .fetch_one(&mut any)
        .await?
        .try_get(0)?;
    let area: i64 = sqlx::query("SELECT MIN(process_area_id) FROM risk WHERE plan_id = $1")
        .bind(plan)
        .fetch_one(&mut any)
        .await?
        .try_get(0)?;
    let tenant: i64 = sqlx::query("SELECT tenant_id FROM quality_plan WHERE id = $1")
        .bind(plan)
        .fetch_one(&mut any)
        .await?
        .try_get(0)?;
    let actions: Vec<String> = sqlx::query(
        "SELECT DISTINCT l.action_id FROM action_risk l JOIN risk r ON r.id = l.risk_id \
         WHERE r.plan_id = $1 AND r.process_area_id = $2",
    )
    .bind(plan)
    .bind(area)
    .fetch_all(&mut any)
    .await?
    .iter()
    .map(|r| r.try_get::<i64, _>(0).map(|i| i.to_string()))
    .collect::<Result<_, _>>()?;
    let actions = actions.join(", ");
    let risk_cols = "id, version, plan_id, process_area_id, title, consequence_text, likelihood, consequence, level, \
                     needs_reassessment, sort_order";
    let reads = [
        Read {
            name: "a plan by its id (1 row)",
            sql: "SELECT id, version, tenant_id, scope_id, year, title, state FROM quality_plan WHERE id = $1".into(),
            bind: plan,
            ints: &["id", "version", "tenant_id", "scope_id", "year"],
            texts: &["title", "state"],
        },
        Read {
            name: "the tenant's units (311 rows)",
            sql: "SELECT id, version, tenant_id, parent_id, kind, name FROM org_unit WHERE tenant_id = $1 ORDER BY id"
                .into(),
            bind: tenant,
            ints: &["id", "version", "tenant_id", "parent_id"],
            texts: &["kind", "name"],
        },
        Read {
            name: "a process area's risks of the large plan",
            sql: format!("SELECT {risk_cols} FROM risk WHERE plan_id = $1 AND process_area_id = {area}"),
            bind: plan,
            ints: RISK_INTS,
            texts: RISK_TEXTS,
        },
        Read {
            name: "every risk of the large plan",
            sql: format!("SELECT {risk_cols} FROM risk WHERE plan_id = $1"),
            bind: plan,
            ints: RISK_INTS,
            texts: RISK_TEXTS,
        },
        Read {
            name: "the follow-up entries of that area's actions",
            sql: format!(
                "SELECT id, version, action_id, entry_on, text, new_status, recorded_by FROM action_follow_up \
                 WHERE action_id IN ({actions}) AND id > $1"
            ),
            bind: 0,
            ints: &["id", "version", "action_id"],
            texts: &["entry_on", "text", "new_status", "recorded_by"],
        },
    ];

    let backend = if matches!(native, Native::Sqlite(_)) { "SQLite" } else { "PostgreSQL" };
    println!("| {backend}: statement | rows | Any µs | native µs | Any / native |");
    println!("| --- | ---: | ---: | ---: | ---: |");
    for read in &reads {
        // Enough repetitions for about 50 ms a round, found from one timed run.
        let t = Instant::now();
        let expected = run!(&mut any, read);
        let reps = ((0.05 / t.elapsed().as_secs_f64()) as usize).clamp(10, 5000);
        let (mut a, mut n) = (Vec::new(), Vec::new());
        for _ in 0..rounds {
            let t = Instant::now();
            for _ in 0..reps {
                run!(&mut any, read);
            }
            a.push(t.elapsed().as_secs_f64() * 1e6 / reps as f64);
            let t = Instant::now();
            for _ in 0..reps {
                let sum = match &mut native {
                    Native::Sqlite(c) => run!(c, read),
                    Native::Postgres(c) => run!(c, read),
                };
                anyhow::ensure!(sum == expected, "{}: the drivers read different values", read.name);
            }
            n.push(t.elapsed().as_secs_f64() * 1e6 / reps as f64);
        }
        let rows: usize =
            sqlx::query(sqlx::AssertSqlSafe(read.sql.clone())).bind(read.bind).fetch_all(&mut any).await?.len();
        let (a, n) = (median(&mut a), median(&mut n));
        println!("| {} | {rows} | {a:.0} | {n:.0} | {:.2} |", read.name, a / n);
    }
    Ok(())
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}
