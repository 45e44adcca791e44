//! Integration tests of kvalitet-measures: fixtures with hand-computed expectations.
//!
//! The fixtures cover the period 2024-01-01..=2024-03-31 (Q1 of a leap year). The
//! expected figures are worked out by hand in the comments next to each assertion.

use std::path::PathBuf;

use clap::Parser;
use jiff::civil::date;
use kvalitet_measures::*;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn secret() -> Secret {
    Secret::from_bytes([42; 32])
}

fn sources() -> Sources {
    Sources {
        arenden: Some(Source::Path(fixture("arenden.csv"))),
        insatser: Some(Source::Path(fixture("insatser.csv"))),
        kontakter: Some(Source::Path(fixture("kontakter.csv"))),
    }
}

fn dataset() -> Dataset {
    import(&sources(), &secret(), &ImportOptions::default()).expect("fixtures are valid")
}

fn results(by: By) -> Vec<MeasureResult> {
    let options = ComputeOptions {
        period: Period::new(date(2024, 1, 1), date(2024, 3, 31)).unwrap(),
        by,
        capacities: vec![
            Capacity {
                unit: "stödboendet".into(),
                places: 2,
            },
            Capacity {
                unit: "Jourhemmet".into(),
                places: 1,
            },
        ],
    };
    let report = compute(&dataset(), &default_definitions(), &options).unwrap();
    assert!(report.skipped.is_empty(), "{:?}", report.skipped);
    report.results
}

fn find<'r>(
    results: &'r [MeasureResult],
    measure: &str,
    unit: Option<&str>,
    month: Option<&str>,
) -> &'r MeasureResult {
    let hits: Vec<_> = results
        .iter()
        .filter(|r| {
            r.measure == measure
                && r.unit.as_deref() == unit
                && r.month.as_deref() == month
                && r.group.is_none()
        })
        .collect();
    assert_eq!(hits.len(), 1, "{measure} {unit:?} {month:?}: {hits:?}");
    hits[0]
}

/// Asserts numerator/denominator of a share and that value is their quotient.
fn share(r: &MeasureResult, num: u64, den: u64) {
    assert_eq!(
        (r.numerator, r.denominator),
        (Some(num), Some(den)),
        "{}",
        r.measure
    );
    assert_eq!(r.value_type, ValueType::Share);
    if den == 0 {
        assert_eq!(r.value, None, "{}", r.measure);
    } else {
        assert!(close(r.value.unwrap(), num as f64 / den as f64), "{r:?}");
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

fn ids(r: &MeasureResult) -> Vec<&str> {
    let mut v: Vec<&str> = r.outside.iter().map(|c| &**c).collect();
    v.sort();
    v
}

#[test]
fn preassessment_within_14_days() {
    let all = results(By::None);
    // A1: 2023-12-20 -> 2024-01-03 = 14 days (within, spans the period start);
    // A2: 15 days (over); A8: 2024-02-20 -> 2024-03-05 = 14 days over Feb 29 (within).
    // A3, A7 pre-assessed before the period; vuxen cases are not counted.
    let r = find(&all, "forhandsbedomning_14d", None, None);
    share(r, 2, 3);
    assert_eq!(ids(r), ["A2"]);
    // Wilson 95 % for 2 of 3: 0.2077..0.9385.
    assert!((r.ci_low.unwrap() - 0.2077).abs() < 5e-4, "{r:?}");
    assert!((r.ci_high.unwrap() - 0.9385).abs() < 5e-4, "{r:?}");
}

#[test]
fn child_investigations_4_months_and_90_days() {
    let all = results(By::None);
    // A1: 2023-10-31 + 4 months = 2024-02-29 (clamped), ended 2024-02-29: within.
    // A3: 2023-11-01 + 4 months = 2024-03-01, ended 2024-03-02: over, has an extension.
    // A7 ended 2023-12-31, before the period. A2 is open.
    let r = find(&all, "barnutredning_4man", None, None);
    share(r, 1, 2);
    assert_eq!(r.over_limit_with_extension, Some(1));
    assert_eq!(ids(r), ["A3"]);
    // A1 took 121 days, A3 122 days: both over 90.
    let r = find(&all, "barnutredning_90d", None, None);
    share(r, 0, 2);
    assert_eq!(r.over_limit_with_extension, None);
    assert_eq!(ids(r), ["A1", "A3"]);
}

#[test]
fn adult_investigations_60_90_days_and_mean() {
    let all = results(By::None);
    // A4: 2024-01-05 -> 2024-03-05 = 60 days; A5: 2023-12-01 -> 2024-03-31 = 121 days
    // (ends on the period's last day); A9: 36 days. A6 ends 2024-04-01, after the period.
    share(find(&all, "vuxenutredning_60d", None, None), 2, 3);
    let r = find(&all, "vuxenutredning_90d", None, None);
    share(r, 2, 3);
    assert_eq!(ids(r), ["A5"]);
    let r = find(&all, "vuxenutredning_dagar", None, None);
    assert_eq!(r.value_type, ValueType::Days);
    assert!(
        close(r.value.unwrap(), (60.0 + 121.0 + 36.0) / 3.0),
        "{r:?}"
    );
    assert_eq!(r.median, Some(60.0));
    assert_eq!(r.denominator, Some(3));
    assert_eq!(r.numerator, None);
}

#[test]
fn implementation_within_14_days_and_pending_decisions() {
    let all = results(By::None);
    // Implemented in the period: A1 14 days (within), A3 18, A9 28, A4 (second) 14
    // (within), X98 2023-10-15 -> 2024-02-10 = 118.
    let r = find(&all, "verkstallighet_14d", None, None);
    share(r, 2, 5);
    assert_eq!(ids(r), ["A3", "A9", "X98"]);
    // Pending at 2024-03-31 with a decision on or before 2023-12-31: only A4's decision
    // of 2023-12-20 (X98 was implemented 2024-02-10, on or before the period's end).
    let r = find(&all, "ej_verkstallda_3man", None, None);
    assert_eq!(r.value_type, ValueType::Count);
    assert_eq!(r.value, Some(1.0));
    assert_eq!((r.numerator, r.denominator), (None, None));
    assert_eq!(ids(r), ["A4"]);
}

#[test]
fn pending_decisions_per_month_use_each_month_end() {
    let m = results(By::Month);
    let count = |month| find(&m, "ej_verkstallda_3man", None, Some(month)).value;
    // January (end 01-31, decisions on or before 2023-10-31): X98 (2023-10-15, implemented
    // only 2024-02-10). February (end 02-29, on or before 2023-11-29): none. March: A4.
    assert_eq!(count("2024-01"), Some(1.0));
    assert_eq!(count("2024-02"), Some(0.0));
    assert_eq!(count("2024-03"), Some(1.0));
    assert_eq!(find(&m, "ej_verkstallda_3man", None, None).value, Some(1.0));
}

#[test]
fn first_visit_within_10_days_with_mean_and_max() {
    let all = results(By::None);
    // Windows-1252 file: waits 10 (in), 12, 10 over Feb 29 (in), 13; one visit after
    // the period and one not yet made.
    let r = find(&all, "forsta_besok_10d", None, None);
    share(r, 2, 4);
    assert!(close(r.mean.unwrap(), 11.25), "{r:?}");
    assert_eq!(r.max, Some(13));
    // Contacts have no case ids.
    assert!(r.outside.is_empty());
}

#[test]
fn occupancy_per_residential_unit_and_month() {
    let all = results(By::None);
    // Stödboendet (2 places): A5's stay 2023-09-10..2024-01-16 occupies Jan 1-15 (15
    // days); A9's open stay from 2024-02-29 occupies Feb 29 + March (32); A4's stay that
    // ends the day it starts occupies none. 47 of 2 x 91 place-days.
    let r = find(&all, "belaggning", Some("stödboendet"), None);
    assert_eq!(r.value_type, ValueType::Occupancy);
    assert_eq!((r.numerator, r.denominator), (Some(47), Some(182)));
    assert!(close(r.value.unwrap(), 47.0 / 182.0));
    assert_eq!(r.ci_low, None);
    let r = find(&all, "belaggning", Some("Jourhemmet"), None);
    assert_eq!((r.numerator, r.denominator), (Some(0), Some(91)));
    let r = find(&all, "belaggning", None, None);
    assert_eq!((r.numerator, r.denominator), (Some(47), Some(273)));

    let m = results(By::Month);
    let month = |mm| {
        let r = find(&m, "belaggning", Some("stödboendet"), Some(mm));
        (r.numerator.unwrap(), r.denominator.unwrap())
    };
    assert_eq!(month("2024-01"), (15, 62));
    assert_eq!(month("2024-02"), (1, 58));
    assert_eq!(month("2024-03"), (31, 62));
}

#[test]
fn started_interventions_per_name() {
    let all = results(By::None);
    let count = |group: Option<&str>, month: Option<&str>, rs: &[MeasureResult]| {
        rs.iter()
            .find(|r| {
                r.measure == "paborjade_insatser"
                    && r.group.as_deref() == group
                    && r.month.as_deref() == month
                    && r.unit.is_none()
            })
            .map(|r| r.value.unwrap())
    };
    // Started in the period: FBI (A1, X98), Balder (A3), Stödboendet (A9, A4).
    assert_eq!(count(None, None, &all), Some(5.0));
    assert_eq!(count(Some("FBI"), None, &all), Some(2.0));
    assert_eq!(count(Some("Balder"), None, &all), Some(1.0));
    assert_eq!(count(Some("Stödboendet"), None, &all), Some(2.0));
    let m = results(By::Month);
    assert_eq!(count(None, Some("2024-01"), &m), Some(2.0));
    assert_eq!(count(None, Some("2024-02"), &m), Some(3.0));
    assert_eq!(count(None, Some("2024-03"), &m), Some(0.0));
    assert_eq!(count(Some("Stödboendet"), Some("2024-02"), &m), Some(2.0));
    assert_eq!(count(Some("Balder"), Some("2024-02"), &m), None);
}

#[test]
fn interventions_ended_on_plan_and_plans_followed_up() {
    let all = results(By::None);
    // Ended in the period with a planned end: A3 ended 03-01 after 02-29 (over), A5 ended
    // 01-16 before 01-31 (within). A4's second has no planned end.
    let r = find(&all, "insatstid_halls", None, None);
    share(r, 1, 2);
    assert_eq!(ids(r), ["A3"]);
    // Active at 2024-03-31: A1 (followed up 03-15: within), A9 (no plan), X99 (followed
    // up 2023-12-30, one day before 2023-12-31).
    let r = find(&all, "genomforandeplan_uppfoljd_3man", None, None);
    share(r, 1, 3);
    assert_eq!(ids(r), ["A9", "X99"]);
    let m = results(By::Month);
    // January (end 01-31): A1 (plan dated 02-01, not yet), A3 (no plan), X99 (in) -> 1/3.
    // February (end 02-29): A1 (follow-up 03-15 not yet), A3, A9 (starts 02-29), X99 -> 1/4.
    share(
        find(&m, "genomforandeplan_uppfoljd_3man", None, Some("2024-01")),
        1,
        3,
    );
    share(
        find(&m, "genomforandeplan_uppfoljd_3man", None, Some("2024-02")),
        1,
        4,
    );
    share(
        find(&m, "genomforandeplan_uppfoljd_3man", None, Some("2024-03")),
        1,
        3,
    );
}

#[test]
fn intervention_started_during_investigation() {
    let all = results(By::None);
    // Investigations ended in the period: A1 (FBI started 01-24, inside), A3 (Balder
    // 01-02, inside), A4 (Stödboendet 02-03, inside), A5 (its stay started 2023-09-10,
    // before the investigation), A9 (stay started 02-29, after it ended 02-15).
    let r = find(&all, "insats_under_utredning", None, None);
    share(r, 3, 5);
    assert_eq!(ids(r), ["A5", "A9"]);
}

#[test]
fn breakdown_by_unit_and_by_month() {
    let u = results(By::Unit);
    share(
        find(&u, "forhandsbedomning_14d", Some("Barn och familj"), None),
        1,
        2,
    );
    share(
        find(&u, "forhandsbedomning_14d", Some("Familjeenheten"), None),
        1,
        1,
    );
    // A unit with cases of the target group but none in the population gets a row with
    // no value; a unit without cases of the target group gets none.
    share(
        find(&u, "barnutredning_4man", Some("Familjeenheten"), None),
        0,
        0,
    );
    assert!(
        !u.iter()
            .any(|r| r.measure == "forhandsbedomning_14d"
                && r.unit.as_deref() == Some("Vuxenenheten"))
    );
    share(find(&u, "forhandsbedomning_14d", None, None), 2, 3);
    share(
        find(&u, "verkstallighet_14d", Some("Vuxenenheten"), None),
        1,
        2,
    );
    share(
        find(&u, "verkstallighet_14d", Some("Familjeenheten"), None),
        0,
        1,
    );
    let r = find(&u, "forsta_besok_10d", Some("Öppenvård Åby"), None);
    share(r, 1, 2);
    assert!(close(r.mean.unwrap(), 11.5));
    assert_eq!(r.max, Some(13));
    assert!(!u.iter().any(|r| r.month.is_some()));

    let m = results(By::Month);
    share(
        find(&m, "forhandsbedomning_14d", None, Some("2024-01")),
        1,
        2,
    );
    share(
        find(&m, "forhandsbedomning_14d", None, Some("2024-02")),
        0,
        0,
    );
    share(
        find(&m, "forhandsbedomning_14d", None, Some("2024-03")),
        1,
        1,
    );
    share(find(&m, "verkstallighet_14d", None, Some("2024-02")), 1, 3);
    share(find(&m, "verkstallighet_14d", None, None), 2, 5);
    assert!(
        !m.iter()
            .any(|r| r.unit.is_some() && r.measure != "belaggning")
    );
}

#[test]
fn formats_are_detected_per_file() {
    let data = dataset();
    // Windows-1252 unit names, Swedish headers with spaces, YYYYMMDD dates.
    let kontakter = data.kontakter.as_ref().unwrap();
    assert_eq!(kontakter.len(), 6);
    assert_eq!(data.units.name(kontakter[0].unit), "Mottagningen Västerås");
    assert_eq!(data.units.name(kontakter[2].unit), "Öppenvård Åby");
    assert_eq!(
        kontakter[2].forsta_besok.map(Day::date),
        Some(date(2024, 3, 1))
    );
    // BOM, commas, English headers and mixed date forms.
    let insatser = data.insatser.as_ref().unwrap();
    assert_eq!(insatser.len(), 9);
    assert_eq!(&*insatser[0].case_id, "A1");
    assert_eq!(
        insatser[1].planerad_slut.map(Day::date),
        Some(date(2024, 2, 29))
    );
    assert_eq!(data.insatser_names.name(insatser[2].insats), "Stödboendet");
    // Semicolons; the blank line is skipped.
    let arenden = data.arenden.as_ref().unwrap();
    assert_eq!(arenden.len(), 9);
    assert_eq!(arenden[1].target_group, TargetGroup::Barn);
    assert_eq!(arenden[1].utredning_slut, None);
    // The same person gets the same key, another person another.
    assert_eq!(arenden[0].person, arenden[1].person);
    assert_ne!(arenden[0].person, arenden[2].person);
    assert_eq!(arenden[0].person, insatser[0].person);
}

#[test]
fn the_same_content_parses_alike_in_any_encoding_and_delimiter() {
    let utf8 = "enhet,forsta_kontakt,forsta_besok\nÖppenvård Åby,2024-02-20,2024-03-01\n";
    let variants: Vec<Vec<u8>> = vec![
        utf8.as_bytes().to_vec(),
        [b"\xef\xbb\xbf".as_slice(), utf8.as_bytes()].concat(),
        utf8.replace(',', ";").into_bytes(),
        b"Unit;First visit;FIRST_CONTACT\r\n\xd6ppenv\xe5rd \xc5by;20240301;20240220\r\n".to_vec(),
    ];
    for data in variants {
        let sources = Sources {
            kontakter: Some(Source::Bytes {
                name: "kontakter.csv".into(),
                data,
            }),
            ..Sources::default()
        };
        let d = import(&sources, &secret(), &ImportOptions::default()).unwrap();
        let k = &d.kontakter.unwrap()[0];
        assert_eq!(d.units.name(k.unit), "Öppenvård Åby");
        assert_eq!(k.forsta_kontakt.map(Day::date), Some(date(2024, 2, 20)));
        assert_eq!(k.forsta_besok.map(Day::date), Some(date(2024, 3, 1)));
    }
}

fn import_err(sources: &Sources, options: &ImportOptions) -> ImportErrors {
    match import(sources, &secret(), options) {
        Err(ImportError::Invalid(e)) => e,
        other => panic!("expected invalid import, got {other:?}"),
    }
}

#[test]
fn bad_files_are_rejected_with_every_problem_located() {
    let sources = Sources {
        arenden: Some(Source::Path(fixture("arenden_bad.csv"))),
        insatser: Some(Source::Path(fixture("insatser_missing_column.csv"))),
        kontakter: None,
    };
    let options = ImportOptions {
        known_units: Some(["enhet a".to_owned()].into()),
    };
    let errors = import_err(&sources, &options);
    let bad = fixture("arenden_bad.csv").display().to_string();
    let missing = fixture("insatser_missing_column.csv").display().to_string();
    let located: Vec<(String, u64, &str)> = errors
        .problems
        .iter()
        .map(|p| (p.file.clone(), p.row, p.column.as_str()))
        .collect();
    let expected = vec![
        (bad.clone(), 2, "forhandsbedomning"),
        (bad.clone(), 3, "target_group"),
        (bad.clone(), 3, "aktualisering"),
        (bad.clone(), 4, "utredning_slut"),
        (bad.clone(), 4, "Ärende"),
        (bad.clone(), 5, "unit"),
        (bad.clone(), 5, "utredning_start"),
        (missing.clone(), 1, "verkstallighet"),
    ];
    assert_eq!(located, expected, "{errors}");
    let kinds: Vec<&ProblemKind> = errors.problems.iter().map(|p| &p.kind).collect();
    assert!(
        matches!(kinds[0], ProblemKind::EndBeforeStart { start_column } if start_column == "aktualisering")
    );
    assert!(
        matches!(kinds[1], ProblemKind::UnknownValue { shown: Some(shown), .. } if shown == "tonåring")
    );
    assert!(matches!(kinds[2], ProblemKind::InvalidDate { shown: Some(s) } if s == "2024-13-01"));
    assert_eq!(kinds[4], &ProblemKind::DuplicateCaseId { first_row: 2 });
    assert!(
        matches!(kinds[5], ProblemKind::UnknownUnit { shown: Some(shown) } if shown == "Okänd enhet")
    );
    assert_eq!(kinds[6], &ProblemKind::InvalidDate { shown: None });
    assert_eq!(kinds[7], &ProblemKind::MissingColumn);
    let text = errors.to_string();
    assert!(
        text.contains(&format!("{bad}:4:Ärende: ärende-id:t finns redan på rad 2")),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "{missing}:1:verkstallighet: kolumnen verkstallighet saknas"
        )),
        "{text}"
    );
    // Without the known units, the unit is fine.
    let errors = import_err(&sources, &ImportOptions::default());
    assert!(
        !errors
            .problems
            .iter()
            .any(|p| matches!(p.kind, ProblemKind::UnknownUnit { .. }))
    );
}

#[test]
fn an_empty_file_and_an_unreadable_file() {
    let sources = Sources {
        kontakter: Some(Source::Bytes {
            name: "tom.csv".into(),
            data: Vec::new(),
        }),
        ..Sources::default()
    };
    let e = import_err(&sources, &ImportOptions::default());
    assert_eq!(e.problems[0].kind, ProblemKind::EmptyFile);
    let sources = Sources {
        kontakter: Some(Source::Path(fixture("finns-inte.csv"))),
        ..Sources::default()
    };
    assert!(matches!(
        import(&sources, &secret(), &ImportOptions::default()),
        Err(ImportError::Io { .. })
    ));
}

const PERSON_FORMS: [&str; 4] = ["19121212-1212", "191212121212", "121212-1212", "1212121212"];

#[test]
fn person_ids_never_show_in_debug_or_errors() {
    let data = dataset();
    let debug = format!("{data:?}");
    assert!(
        debug.contains("PersonKey("),
        "the debug output shows pseudonyms"
    );
    for form in PERSON_FORMS {
        assert!(!debug.contains(form), "{form} in Debug output");
    }
    // A file with the person id in every kind of bad place.
    let bad = "case_id;person_id;unit;target_group;aktualisering;forhandsbedomning;utredning_start;utredning_slut\n\
               P1;19121212-1212;19121212-1212;19121212-1212;19121212-1212;191212121212;121212-1212;1212121212\n\
               P1;19121212-1212;E;barn;;;;\n";
    let sources = Sources {
        arenden: Some(Source::Bytes {
            name: "arenden.csv".into(),
            data: bad.as_bytes().to_vec(),
        }),
        ..Sources::default()
    };
    let known = ImportOptions {
        known_units: Some(["E".to_owned()].into()),
    };
    let errors = import_err(&sources, &known);
    assert_eq!(errors.problems.len(), 7, "{errors}");
    let text = format!("{errors}\n{errors:?}");
    for form in PERSON_FORMS {
        assert!(!text.contains(form), "{form} in: {text}");
    }
}

#[test]
fn thousands_of_bad_rows_give_a_short_summary() {
    let mut csv = String::from("case_id;person_id;unit;insats;beslut;verkstallighet;start;slut\n");
    for i in 0..5000 {
        csv.push_str(&format!("C{i};19121212-1212;E;FBI;2024-02-30;;;\n"));
    }
    let sources = Sources {
        insatser: Some(Source::Bytes {
            name: "insatser.csv".into(),
            data: csv.into_bytes(),
        }),
        ..Sources::default()
    };
    let errors = import_err(&sources, &ImportOptions::default());
    assert_eq!(errors.problems.len(), 5000);
    assert_eq!(errors.problems[4999].row, 5001);
    let text = errors.to_string();
    assert!(text.lines().count() < 100, "{text}");
    assert!(text.contains("5 000 fel"), "{text}");
    assert!(
        text.contains("… och 4 950 fel till:\n  4 950 × ogiltigt datum i kolumn beslut"),
        "{text}"
    );
}

#[derive(Debug, Parser)]
struct Cli {
    #[command(flatten)]
    args: ComputeArgs,
}

fn cli(extra: &[&str]) -> ComputeArgs {
    let mut argv = vec![
        "measures".to_owned(),
        "--from".into(),
        "2024-01-01".into(),
        "--to".into(),
        "20240331".into(),
    ];
    argv.extend(extra.iter().map(|s| s.to_string()));
    Cli::try_parse_from(argv).unwrap().args
}

#[test]
fn run_compute_writes_json_csv_and_a_swedish_table() {
    let arenden = fixture("arenden.csv").display().to_string();
    let insatser = fixture("insatser.csv").display().to_string();
    let args = cli(&["--arenden", &arenden, "--format", "json", "--by", "month"]);
    let mut out = Vec::new();
    run_compute(&args, &mut out).unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let rows = json.as_array().unwrap();
    // Measures on insatser and kontakter are skipped without those files.
    assert!(rows.iter().all(|r| r["measure"] != "verkstallighet_14d"));
    let r = rows
        .iter()
        .find(|r| r["measure"] == "forhandsbedomning_14d" && r["month"].is_null())
        .unwrap();
    assert!(r["unit"].is_null());
    assert_eq!(r["numerator"], 2);
    assert_eq!(r["denominator"], 3);
    assert!((r["value"].as_f64().unwrap() - 2.0 / 3.0).abs() < 1e-12);
    assert!(r["ci_low"].is_f64() && r["ci_high"].is_f64());
    assert!(r.get("outside").is_none());
    assert!(rows.iter().any(|r| r["month"] == "2024-02"));

    let args = cli(&[
        "--arenden",
        &arenden,
        "--insatser",
        &insatser,
        "--capacity",
        "Stödboendet=2",
    ]);
    let mut out = Vec::new();
    run_compute(&args, &mut out).unwrap();
    let table = String::from_utf8(out).unwrap();
    let line = table
        .lines()
        .find(|l| l.starts_with("Förhandsbedömning inom 14 dagar"))
        .unwrap();
    assert!(line.contains("66,7 %"), "{table}");
    assert!(line.contains("20,8 %–93,9 %"), "{table}");
    assert!(table.starts_with("Mått "), "{table}");
    assert!(table.contains("25,8 %"), "occupancy 47/182: {table}");

    let args = cli(&["--arenden", &arenden, "--format", "csv"]);
    let mut out = Vec::new();
    run_compute(&args, &mut out).unwrap();
    let csv = String::from_utf8(out).unwrap();
    assert!(
        csv.starts_with("measure,name,value_type,unit,month,group,numerator,denominator,value")
    );
    assert!(
        csv.contains("barnutredning_4man,Barnutredning klar inom 4 månader,share,,,,1,2,0.5,"),
        "{csv}"
    );
}

#[test]
fn cli_requires_a_table_and_sane_arguments() {
    let parse = |extra: &[&str]| {
        let mut argv = vec!["measures", "--from", "2024-01-01", "--to", "2024-03-31"];
        argv.extend(extra);
        Cli::try_parse_from(argv).map(|c| c.args)
    };
    assert!(parse(&[]).is_err(), "no table given");
    assert!(parse(&["--kontakter", "k.csv", "--capacity", "Boendet"]).is_err());
    let a = parse(&[
        "--kontakter",
        "k.csv",
        "--capacity",
        "Hus = 3=4",
        "--by",
        "unit",
    ])
    .unwrap();
    assert_eq!(a.capacity[0].unit, "Hus = 3");
    assert_eq!(a.capacity[0].places, 4);
    let mut reversed = parse(&["--kontakter", "k.csv"]).unwrap();
    reversed.from = date(2024, 4, 1);
    assert!(run_compute(&reversed, &mut Vec::new()).is_err());
}

#[test]
fn a_municipality_can_change_a_limit_in_toml() {
    let dir = std::env::temp_dir().join(format!("kvalitet-measures-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let toml = dir.join("measures.toml");
    std::fs::write(
        &toml,
        r#"
        [[measure]]
        id = "forhandsbedomning_14d"
        name = "Förhandsbedömning inom 15 dagar"
        kind = "within_limit"
        from = "aktualisering"
        to = "forhandsbedomning"
        limit_days = 15
        target_group = "barn"

        [[measure]]
        id = "vuxen_forhandsbedomning_3d"
        name = "Förhandsbedömning vuxna inom 3 dagar"
        kind = "within_limit"
        from = "aktualisering"
        to = "forhandsbedomning"
        limit_days = 3
        target_group = "vuxen"
        "#,
    )
    .unwrap();
    let arenden = fixture("arenden.csv").display().to_string();
    let args = cli(&[
        "--arenden",
        &arenden,
        "--format",
        "json",
        "--measures",
        toml.to_str().unwrap(),
    ]);
    let mut out = Vec::new();
    run_compute(&args, &mut out).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let get = |id: &str| {
        json.as_array()
            .unwrap()
            .iter()
            .find(|r| r["measure"] == id)
            .cloned()
            .unwrap()
    };
    // A2's 15 days is now within.
    assert_eq!(get("forhandsbedomning_14d")["numerator"], 3);
    // Vuxen pre-assessed in the period: A4 (3 days, in), A6 (10 days), A9 (3 days, in).
    assert_eq!(get("vuxen_forhandsbedomning_3d")["numerator"], 2);
    assert_eq!(get("vuxen_forhandsbedomning_3d")["denominator"], 3);
}

#[test]
fn a_workbook_gives_the_same_results_as_the_csv_files() {
    // export.xlsx holds the CSV fixtures as sheets "Ärenden" (real date cells),
    // "Insatser" and "Kontakter" (text), plus an "Info" sheet that is ignored.
    let book = fixture("export.xlsx").display().to_string();
    let arenden = fixture("arenden.csv").display().to_string();
    let insatser = fixture("insatser.csv").display().to_string();
    let kontakter = fixture("kontakter.csv").display().to_string();
    let common = [
        "--capacity",
        "Stödboendet=2",
        "--by",
        "month",
        "--format",
        "json",
    ];
    let run = |files: &[&str]| {
        let mut extra = files.to_vec();
        extra.extend(common);
        let mut out = Vec::new();
        run_compute(&cli(&extra), &mut out).unwrap();
        String::from_utf8(out).unwrap()
    };
    let from_csv = run(&[
        "--arenden",
        &arenden,
        "--insatser",
        &insatser,
        "--kontakter",
        &kontakter,
    ]);
    let from_book = run(&["--xlsx", &book]);
    assert!(from_csv.contains("forsta_besok_10d"));
    assert_eq!(from_book, from_csv);
    // A spreadsheet given as one table's file is read from the sheet named after it.
    let sources = Sources {
        kontakter: Some(Source::Path(fixture("export.xlsx"))),
        ..Sources::default()
    };
    let d = import(&sources, &secret(), &ImportOptions::default()).unwrap();
    assert_eq!(d.kontakter.unwrap().len(), 6);
}

#[test]
fn a_bad_sheet_is_located_by_sheet_row_and_column() {
    let sources = workbook_sources(&fixture("bad.xlsx")).unwrap();
    assert!(sources.arenden.is_some() && sources.insatser.is_none());
    let errors = import_err(&sources, &ImportOptions::default());
    let file = format!("{}[arenden]", fixture("bad.xlsx").display());
    let located: Vec<(&str, u64, &str)> = errors
        .problems
        .iter()
        .map(|p| (p.file.as_str(), p.row, p.column.as_str()))
        .collect();
    assert_eq!(
        located,
        [
            (file.as_str(), 3, "aktualisering"),
            (file.as_str(), 3, "utredning_slut")
        ],
        "{errors}"
    );
    assert!(matches!(
        &errors.problems[1].kind,
        ProblemKind::EndBeforeStart { start_column } if start_column == "Utredning start"
    ));
}

#[test]
fn one_byte_that_is_not_utf8_makes_the_whole_file_windows_1252() {
    // Line 2 is valid UTF-8 ("Gränsen"), line 3 is Windows-1252 ("Östra"): the file is
    // not valid UTF-8, so all of it is read as Windows-1252, line 2 included.
    let data =
        b"enhet;forsta_kontakt;forsta_besok\nGr\xc3\xa4nsen;2024-01-01;\n\xd6stra;2024-01-02;\n"
            .to_vec();
    let sources = Sources {
        kontakter: Some(Source::Bytes {
            name: "k.csv".into(),
            data,
        }),
        ..Sources::default()
    };
    let d = import(&sources, &secret(), &ImportOptions::default()).unwrap();
    let k = d.kontakter.unwrap();
    assert_eq!(d.units.name(k[0].unit), "GrÃ¤nsen");
    assert_eq!(d.units.name(k[1].unit), "Östra");
    assert_eq!(d.units.len(), 2, "nothing left from the UTF-8 attempt");
}

#[test]
fn every_repeat_of_a_case_id_points_at_its_first_row() {
    let mut csv = String::from(
        "case_id;person_id;unit;target_group;aktualisering;forhandsbedomning;utredning_start;utredning_slut\n",
    );
    for id in ["X", "Y", "X", "Z", "X", "Y"] {
        csv.push_str(&format!("{id};19121212-1212;E;barn;;;;\n"));
    }
    let sources = Sources {
        arenden: Some(Source::Bytes {
            name: "a.csv".into(),
            data: csv.into_bytes(),
        }),
        ..Sources::default()
    };
    let errors = import_err(&sources, &ImportOptions::default());
    let dups: Vec<(u64, &ProblemKind)> = errors.problems.iter().map(|p| (p.row, &p.kind)).collect();
    assert_eq!(
        dups,
        [
            (4, &ProblemKind::DuplicateCaseId { first_row: 2 }),
            (6, &ProblemKind::DuplicateCaseId { first_row: 2 }),
            (7, &ProblemKind::DuplicateCaseId { first_row: 3 }),
        ]
    );
}

#[test]
fn more_distinct_units_than_fit_are_refused_not_wrapped() {
    let mut csv = String::from("unit,forsta_kontakt,forsta_besok\n");
    for i in 0..65_537 {
        csv.push_str(&format!("Enhet {i},,\n"));
    }
    let sources = Sources {
        kontakter: Some(Source::Bytes {
            name: "k.csv".into(),
            data: csv.into_bytes(),
        }),
        ..Sources::default()
    };
    let errors = import_err(&sources, &ImportOptions::default());
    assert_eq!(errors.problems.len(), 1, "{errors}");
    assert_eq!(errors.problems[0].row, 65_538);
    assert_eq!(errors.problems[0].kind, ProblemKind::TooManyNames);
}

#[test]
fn parsed_rows_stay_small() {
    // The memory budget of the benchmark depends on these.
    assert_eq!(size_of::<Case>(), 56);
    assert_eq!(size_of::<Intervention>(), 64);
}
