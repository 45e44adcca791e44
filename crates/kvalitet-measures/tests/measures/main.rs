//! Integration tests of kvalitet-measures (one test binary): fixtures with hand-computed
//! expectations. Shared helpers live here; the tests are in the modules.
//!
//! The fixtures cover the period 2024-01-01..=2024-03-31 (Q1 of a leap year). The
//! expected figures are worked out by hand in the comments next to each assertion.

use std::path::PathBuf;

use clap::Parser;
use jiff::civil::date;
use kvalitet_measures::*;

mod bad_files;
mod cli;
mod computing;
mod importing;
mod streaming;

pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

pub fn secret() -> Secret {
    Secret::from_bytes([42; 32])
}

pub fn sources() -> Sources {
    Sources {
        arenden: Some(Source::Path(fixture("arenden.csv"))),
        insatser: Some(Source::Path(fixture("insatser.csv"))),
        kontakter: Some(Source::Path(fixture("kontakter.csv"))),
    }
}

pub fn dataset() -> Dataset {
    import(&sources(), &secret(), &ImportOptions::default()).expect("fixtures are valid")
}

pub fn results(by: By) -> Vec<MeasureResult> {
    let options = ComputeOptions {
        period: Period::new(date(2024, 1, 1), date(2024, 3, 31)).unwrap(),
        by,
        capacities: vec![
            Capacity { unit: "stödboendet".into(), places: 2 },
            Capacity { unit: "Jourhemmet".into(), places: 1 },
        ],
    };
    let report = compute(&dataset(), &default_definitions(), &options).unwrap();
    assert!(report.skipped.is_empty(), "{:?}", report.skipped);
    report.results
}

pub fn find<'r>(
    results: &'r [MeasureResult],
    measure: &str,
    unit: Option<&str>,
    month: Option<&str>,
) -> &'r MeasureResult {
    let hits: Vec<_> = results
        .iter()
        .filter(|r| {
            r.measure == measure && r.unit.as_deref() == unit && r.month.as_deref() == month && r.group.is_none()
        })
        .collect();
    assert_eq!(hits.len(), 1, "{measure} {unit:?} {month:?}: {hits:?}");
    hits[0]
}

/// Asserts numerator/denominator of a share and that value is their quotient.
pub fn share(r: &MeasureResult, num: u64, den: u64) {
    assert_eq!((r.numerator, r.denominator), (Some(num), Some(den)), "{}", r.measure);
    assert_eq!(r.value_type, ValueType::Share);
    if den == 0 {
        assert_eq!(r.value, None, "{}", r.measure);
    } else {
        assert!(close(r.value.unwrap(), num as f64 / den as f64), "{r:?}");
    }
}

pub fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

pub fn ids(r: &MeasureResult) -> Vec<&str> {
    let mut v: Vec<&str> = r.outside.iter().map(|c| &**c).collect();
    v.sort();
    v
}

pub fn import_err(sources: &Sources, options: &ImportOptions) -> ImportErrors {
    match import(sources, &secret(), options) {
        Err(ImportError::Invalid(e)) => e,
        other => panic!("expected invalid import, got {other:?}"),
    }
}

pub const PERSON_FORMS: [&str; 4] = ["19121212-1212", "191212121212", "121212-1212", "1212121212"];

#[derive(Debug, Parser)]
pub struct Cli {
    #[command(flatten)]
    pub args: ComputeArgs,
}

pub fn cli(extra: &[&str]) -> ComputeArgs {
    let mut argv = vec!["measures".to_owned(), "--from".into(), "2024-01-01".into(), "--to".into(), "20240331".into()];
    argv.extend(extra.iter().map(|s| s.to_string()));
    Cli::try_parse_from(argv).unwrap().args
}
