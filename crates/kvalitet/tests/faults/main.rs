//! Faults: the real `kvalitet serve` killed with SIGKILL while clients write through
//! HTTP (no acknowledged write may be lost, the database must stay whole and the server
//! must start again), and many clients editing one record at once (every edit either
//! lands or is shown as a conflict; none is lost). Each runs on SQLite and on
//! PostgreSQL, prints a summary line and appends it to `target/fault-summary.txt`.

mod concurrency;
mod durability;
#[path = "../support/mod.rs"]
mod support;

use std::io::Write;
use std::path::PathBuf;

use kvalitet_store::testing::TestDb;

/// The database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgresql",
        }
    }

    /// A fresh, migrated and empty database, or `None` where no PostgreSQL answers (the
    /// store's test support says so, or fails when PostgreSQL is required).
    async fn fresh(self) -> Option<TestDb> {
        match self {
            Backend::Sqlite => Some(TestDb::sqlite().await),
            Backend::Postgres => TestDb::postgres().await,
        }
    }
}

/// A tiny linear congruential generator: the faults are random but a run can be
/// repeated with `FAULTS_SEED`.
struct Lcg(u64);

impl Lcg {
    fn from_env_or_clock() -> Lcg {
        let seed = std::env::var("FAULTS_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(1, |d| d.as_nanos() as u64)
        });
        Lcg(seed)
    }

    fn seed(&self) -> u64 {
        self.0
    }

    /// A number in `low..=high`.
    fn between(&mut self, low: u64, high: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        low + (self.0 >> 33) % (high - low + 1)
    }
}

/// Prints the line past the harness's capture and appends it to
/// `target/fault-summary.txt` (next to the `debug` directory the binary is in).
fn summary(line: &str) {
    eprintln!("{line}");
    let target: PathBuf = PathBuf::from(env!("CARGO_BIN_EXE_kvalitet"))
        .parent()
        .and_then(|p| p.parent())
        .map_or_else(|| PathBuf::from("target"), PathBuf::from);
    let at = jiff::Timestamp::now().round(jiff::Unit::Second).unwrap_or_else(|_| jiff::Timestamp::now());
    if let Ok(mut f) = std::fs::OpenOptions::new().create(true).append(true).open(target.join("fault-summary.txt")) {
        let _ = writeln!(f, "{at} {line}");
    }
}
