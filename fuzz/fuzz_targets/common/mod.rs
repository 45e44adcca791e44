//! Shared by the CSV and spreadsheet targets: the import's invariants.

#![allow(dead_code)]

use kvalitet_measures::format::{Col, Table, column_for, detect_delimiter};
use kvalitet_measures::{
    By, ComputeOptions, Dataset, Format, ImportError, ImportOptions, Period, Secret, Source, Sources, compute,
    default_definitions, import, write_results,
};

/// Values of the person id column that look like a personal identity number (ten or
/// more digits), read independently of the product's parser, in both encodings.
pub fn person_ids(table: Table, data: &[u8]) -> Vec<String> {
    let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    let head = data.split(|b| *b == b'\n').next().unwrap_or(&[]);
    let mut reader =
        csv::ReaderBuilder::new().delimiter(detect_delimiter(head)).has_headers(false).flexible(true).from_reader(data);
    let mut records = reader.byte_records().map_while(Result::ok);
    let Some(header) = records.next() else { return Vec::new() };
    let Some(col) = header.iter().position(|h| {
        column_for(table, &String::from_utf8_lossy(h)) == Some(Col::PersonId)
            || column_for(table, &encoding_rs_free_1252(h)) == Some(Col::PersonId)
    }) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for rec in records {
        let Some(cell) = rec.get(col) else { continue };
        let cell = cell.trim_ascii();
        if cell.iter().filter(|b| b.is_ascii_digit()).count() >= 10 {
            out.push(String::from_utf8_lossy(cell).into_owned());
            out.push(encoding_rs_free_1252(cell));
        }
    }
    out
}

/// Latin-1 decoding (Windows-1252 agrees on every letter a header or an id uses).
fn encoding_rs_free_1252(bytes: &[u8]) -> String {
    bytes.iter().map(|b| char::from(*b)).collect()
}

/// A text kept from a file is fit to store and show: not blank, trimmed, at most 200
/// characters, no control characters but tabs.
pub fn check_kept_text(what: &str, s: &str) {
    assert!(!s.trim().is_empty(), "{what}: blank value kept");
    assert_eq!(s, s.trim(), "{what}: untrimmed value kept");
    assert!(s.chars().count() <= kvalitet_measures::error::MAX_CELL_CHARS, "{what}: overlong value kept");
    assert!(!s.chars().any(|c| c.is_control() && c != '\t'), "{what}: control character kept: {s:?}");
}

/// No message or debug output shows a person id.
pub fn check_no_person_id(text: &str, ids: &[String]) {
    for id in ids {
        assert!(!text.contains(id.as_str()), "person id {id:?} shown in: {text}");
    }
}

/// The invariants of an accepted dataset, and computing over it never panics; the CSV
/// written from it has no cell a spreadsheet would run as a formula.
pub fn check_dataset(data: &Dataset, ids: &[String]) {
    for i in 0..data.units.len() {
        check_kept_text("unit", data.units.name(i as u16));
    }
    for i in 0..data.insatser_names.len() {
        check_kept_text("insats", data.insatser_names.name(i as u16));
    }
    let case_ids = data.arenden.iter().flatten().map(|c| &c.case_id);
    for id in case_ids.chain(data.insatser.iter().flatten().map(|i| &i.case_id)) {
        check_kept_text("case_id", id);
    }
    check_no_person_id(&format!("{data:?}"), ids);
    let day = |y, m, d| jiff::civil::Date::new(y, m, d).unwrap();
    let periods = [(day(2024, 1, 1), day(2024, 3, 31), By::Unit), (day(1900, 1, 1), day(1900, 2, 10), By::Month)];
    for (from, to, by) in periods {
        let options = ComputeOptions { period: Period::new(from, to).unwrap(), by, capacities: Vec::new() };
        let Ok(report) = compute(data, &default_definitions(), &options) else { continue };
        let mut out = Vec::new();
        write_results(&report.results, Format::Csv, &mut out).unwrap();
        let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(&out[..]);
        for rec in reader.records() {
            let rec = rec.expect("the product's CSV reads back");
            for i in [0, 1, 3, 4, 5] {
                let cell = &rec[i];
                assert!(!cell.starts_with(['=', '+', '-', '@', '\t', '\r']), "formula cell written: {cell:?}");
            }
        }
    }
}

/// Imports one CSV table from bytes and checks every invariant.
pub fn fuzz_csv(table: Table, data: &[u8]) {
    let ids = person_ids(table, data);
    let source = Some(Source::Bytes { name: format!("{}.csv", table.name()), data: data.to_vec() });
    let sources = match table {
        Table::Arenden => Sources { arenden: source, ..Sources::default() },
        Table::Insatser => Sources { insatser: source, ..Sources::default() },
        Table::Kontakter => Sources { kontakter: source, ..Sources::default() },
    };
    // Every other input with known units, so unknown units are reported too.
    let options = match data.len() % 2 {
        0 => ImportOptions { known_units: Some(["E".to_owned(), "Enhet A".to_owned()].into()) },
        _ => ImportOptions::default(),
    };
    let secret = Secret::from_bytes([7; 32]);
    match import(&sources, &secret, &options) {
        Ok(dataset) => check_dataset(&dataset, &ids),
        Err(ImportError::Invalid(errors)) => {
            assert!(!errors.problems.is_empty());
            for p in &errors.problems {
                assert!(p.row >= 1, "{p}");
            }
            let text = format!("{errors}\n{errors:?}");
            assert!(text.starts_with("Importen avbröts"), "{text}");
            check_no_person_id(&text, &ids);
        }
        Err(e) => panic!("bytes in memory cannot fail to be read: {e:?}"),
    }
}
