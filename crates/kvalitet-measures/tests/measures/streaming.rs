//! Reading large files: lines split directly while a file has no quotes, the csv crate
//! from the first quoted line on, several 512 KiB blocks; and `import_and_compute`, which
//! computes while reading and keeps no rows. Each must give what the csv crate and
//! `compute` over the imported dataset give, errors at the same rows.

use jiff::civil::date;
use kvalitet_measures::*;

use super::*;

const HEAD: &str = "case_id,person_id,unit,target_group,aktualisering,forhandsbedomning,utredning_start,utredning_slut";

/// A cases file of `n` rows (about 80 bytes each, so 30 000 rows are five blocks), with
/// blank and space-only lines, a row with missing trailing cells, a unit with å and an
/// investigation now and then; `bad` rows (data row numbers) get an impossible date.
fn cases_csv(n: usize, bad: &[usize]) -> String {
    let mut s = format!("{HEAD}\n");
    for i in 1..=n {
        let unit = ["Enhet A", "Västerås", "Enhet C"][i % 3];
        let group = if i % 4 == 0 { "vuxen" } else { "barn" };
        let start = if bad.contains(&i) { "2024-02-30".to_owned() } else { format!("2024-01-{:02}", 1 + i % 28) };
        match i % 97 {
            5 => s.push_str(&format!("C{i},19121212-{:04},{unit},{group},2023-12-01\n", i % 10_000)),
            _ => s.push_str(&format!(
                "C{i},19121212-{:04},{unit},{group},2023-12-01,2023-12-05,{start},2024-03-{:02}\n",
                i % 10_000,
                1 + i % 28
            )),
        }
        if i % 1000 == 0 {
            s.push_str(if i % 2000 == 0 { "\n" } else { "   \n" });
        }
    }
    s
}

fn bytes(name: &str, data: impl Into<Vec<u8>>) -> Source {
    Source::Bytes { name: name.into(), data: data.into() }
}

fn import_cases(data: &str) -> Result<Dataset, ImportError> {
    let sources = Sources { arenden: Some(bytes("arenden.csv", data)), ..Sources::default() };
    import(&sources, &secret(), &ImportOptions::default())
}

/// The dataset as text: every field of every row (persons by their full key).
fn shown(d: &Dataset) -> String {
    let cases = d.arenden.as_deref().unwrap_or(&[]);
    let persons: Vec<String> = cases.iter().map(|c| c.person.to_hex()).collect();
    format!("{:?}\n{persons:?}", d.arenden)
}

/// The same file with its first header cell quoted: the csv crate reads all of it.
fn all_by_csv_crate(data: &str) -> String {
    data.replacen("case_id", "\"case_id\"", 1)
}

#[test]
fn a_file_of_many_blocks_reads_as_the_csv_crate_reads_it() {
    let plain = cases_csv(30_000, &[]);
    assert!(plain.len() > 4 * (1 << 19), "{}", plain.len());
    let expected = shown(&import_cases(&all_by_csv_crate(&plain)).unwrap());
    assert_eq!(shown(&import_cases(&plain).unwrap()), expected);
    // Windows line ends, no line end at the end, a quoted cell late in the file (the csv
    // crate reads from that line on).
    assert_eq!(shown(&import_cases(&plain.replace('\n', "\r\n")).unwrap()), expected);
    assert_eq!(shown(&import_cases(plain.trim_end()).unwrap()), expected);
    let quoted = plain.replacen("C29000,", "\"C29000\",", 1);
    assert_eq!(shown(&import_cases(&quoted).unwrap()), expected);
    assert_eq!(import_cases(&plain).unwrap().arenden.unwrap().len(), 30_000);
}

#[test]
fn errors_late_in_a_file_name_the_rows_the_csv_crate_names() {
    // Data row i is on line 1 + i + (blank lines before it: one per 1 000 rows).
    let plain = cases_csv(30_000, &[3, 17_500, 29_999]);
    let rows = |data: &str| -> Vec<(u64, String)> {
        match import_cases(data) {
            Err(ImportError::Invalid(e)) => e.problems.into_iter().map(|p| (p.row, p.column)).collect(),
            other => panic!("expected problems, got {:?}", other.map(|d| d.arenden.map(|a| a.len()))),
        }
    };
    let expected = rows(&all_by_csv_crate(&plain));
    let start = "utredning_start".to_owned();
    assert_eq!(expected, [(4, start.clone()), (17_518, start.clone()), (30_029, start)]);
    assert_eq!(rows(&plain), expected);
    assert_eq!(rows(&plain.replace('\n', "\r\n")), expected);
    // After a quoted line (read by the csv crate) and before it.
    assert_eq!(rows(&plain.replacen("C17000,", "\"C17000\",", 1)), expected);
    assert_eq!(rows(&plain.replacen("C29998,", "\"C29998\",", 1)), expected);
    // A lone carriage return ends a record for the csv crate, here as well.
    let lone_cr = plain.replacen("C20000,", "C20000\r,", 1);
    assert_eq!(rows(&lone_cr), rows(&all_by_csv_crate(&lone_cr)));
}

#[test]
fn a_file_not_utf8_late_in_the_file_is_read_as_windows_1252() {
    let plain = cases_csv(30_000, &[]);
    let latin1: Vec<u8> =
        plain.replacen("C25000,19121212-5000,Västerås", "C25000,19121212-5000,V\u{0}", 1).into_bytes();
    // "V\0" stands for the one byte 0xe4 (ä in Windows-1252), not valid UTF-8.
    let pos = latin1.windows(2).position(|w| w == b"V\0").unwrap();
    let mut latin1 = latin1;
    latin1[pos + 1] = 0xe4;
    let sources = Sources { arenden: Some(bytes("arenden.csv", latin1)), ..Sources::default() };
    let d = import(&sources, &secret(), &ImportOptions::default()).unwrap();
    let names: Vec<&str> = (0..d.units.len()).map(|u| d.units.name(u as u16)).collect();
    assert!(names.contains(&"Vä") && names.contains(&"VÃ¤sterÃ¥s"), "{names:?}");
}

fn options(by: By) -> ComputeOptions {
    ComputeOptions {
        period: Period::new(date(2024, 1, 1), date(2024, 3, 31)).unwrap(),
        by,
        capacities: vec![Capacity { unit: "stödboendet".into(), places: 2 }],
    }
}

#[test]
fn computing_while_reading_gives_the_results_of_compute_without_the_case_ids() {
    for by in [By::None, By::Unit, By::Month] {
        let report = compute(&dataset(), &default_definitions(), &options(by)).unwrap();
        let streamed =
            import_and_compute(&sources(), &ImportOptions::default(), &default_definitions(), &options(by)).unwrap();
        assert_eq!(streamed.skipped, report.skipped);
        let expected: Vec<MeasureResult> = report
            .results
            .into_iter()
            .map(|mut r| {
                assert_eq!(r.outside_count, r.outside.len() as u64);
                r.outside.clear();
                r
            })
            .collect();
        assert_eq!(streamed.results, expected, "{by:?}");
    }
    assert!(
        compute(&dataset(), &default_definitions(), &options(By::None))
            .unwrap()
            .results
            .iter()
            .any(|r| r.outside_count > 0)
    );
}

#[test]
fn computing_while_reading_a_large_file_gives_the_results_of_compute() {
    let data = cases_csv(30_000, &[]);
    let sources = Sources { arenden: Some(bytes("arenden.csv", data.clone())), ..Sources::default() };
    let expected = compute(&import_cases(&data).unwrap(), &default_definitions(), &options(By::Unit)).unwrap();
    let streamed =
        import_and_compute(&sources, &ImportOptions::default(), &default_definitions(), &options(By::Unit)).unwrap();
    let counts = |r: &[MeasureResult]| -> Vec<String> {
        r.iter()
            .map(|r| format!("{} {:?} {:?}/{:?} {}", r.measure, r.unit, r.numerator, r.denominator, r.outside_count))
            .collect()
    };
    assert_eq!(counts(&streamed.results), counts(&expected.results));
    assert!(streamed.results.iter().any(|r| r.denominator.is_some_and(|d| d > 10_000)));
}

#[test]
fn computing_while_reading_refuses_a_file_as_import_does() {
    // Repeated case ids (only their hashes are kept while reading: the file is read again
    // to name the rows), and other problems.
    let mut data = cases_csv(3_000, &[2_500]);
    data.push_str("C7,19121212-0007,Enhet A,barn,2023-12-01\nC2999,19121212-0007,Enhet A,vuxen,,,,\n");
    let sources = Sources { arenden: Some(bytes("arenden.csv", data)), ..Sources::default() };
    let expected = import(&sources, &secret(), &ImportOptions::default()).unwrap_err().to_string();
    assert!(expected.contains("arenden.csv:3005:case_id") && expected.contains("arenden.csv:2503:utredning_start"));
    let e = import_and_compute(&sources, &ImportOptions::default(), &default_definitions(), &options(By::None))
        .unwrap_err();
    assert_eq!(e.downcast_ref::<ImportError>().map(ToString::to_string), Some(expected));
}

#[test]
fn a_line_longer_than_a_block_reads_as_the_csv_crate_reads_it() {
    // An ignored column holds 700 KiB in one row; the block grows to hold the line.
    let mut data = format!("{HEAD},kommentar\n");
    for i in 1..=3_000 {
        let note = if i == 1_500 { "x".repeat(700 << 10) } else { "ok".to_owned() };
        data.push_str(&format!("C{i},19121212-1212,Enhet A,barn,2023-12-01,2023-12-05,,,{note}\n"));
    }
    let expected = shown(&import_cases(&all_by_csv_crate(&data)).unwrap());
    assert_eq!(shown(&import_cases(&data).unwrap()), expected);
    assert_eq!(import_cases(&data).unwrap().arenden.unwrap().len(), 3_000);
}
