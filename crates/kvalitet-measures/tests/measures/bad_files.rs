//! The bad-input corpus of the import: broken CSV, broken spreadsheets, wrong encodings,
//! huge and overlong cells, invalid dates, formula-looking cells. Each is refused whole
//! with a Swedish message at `file:row:column` (or, for formula-looking text, accepted
//! as plain text and written back neutralised), and never shows a person id.

use jiff::civil::date;
use kvalitet_measures::*;

use super::*;

const ARENDEN_HEAD: &str =
    "case_id;person_id;unit;target_group;aktualisering;forhandsbedomning;utredning_start;utredning_slut\n";

fn arenden(data: impl Into<Vec<u8>>) -> Sources {
    Sources { arenden: Some(Source::Bytes { name: "arenden.csv".into(), data: data.into() }), ..Sources::default() }
}

fn kontakter(data: impl Into<Vec<u8>>) -> Sources {
    Sources { kontakter: Some(Source::Bytes { name: "kontakter.csv".into(), data: data.into() }), ..Sources::default() }
}

/// The problems as `(row, column, kind)`, and the message without any person id.
fn refused(sources: &Sources) -> (Vec<(u64, String, ProblemKind)>, String) {
    let errors = import_err(sources, &ImportOptions::default());
    let text = errors.to_string();
    assert!(text.starts_with("Importen avbröts") && text.contains("Inga uppgifter har lästs in"), "{text}");
    for form in PERSON_FORMS {
        assert!(!text.contains(form), "{form} in: {text}");
    }
    (errors.problems.into_iter().map(|p| (p.row, p.column, p.kind)).collect(), text)
}

#[test]
fn an_unbalanced_quote_is_named_at_its_row_and_column() {
    // The quote opened in row 3's unit is never closed: the csv reader takes the rest of
    // the file into that cell.
    let csv = format!(
        "{ARENDEN_HEAD}A1;19121212-1212;E;barn;;;;\nA2;19121212-1212;\"E;barn;;;;\nA3;19121212-1212;E;barn;;;;\n"
    );
    let (problems, text) = refused(&arenden(csv));
    assert_eq!(problems, [(3, "unit".to_owned(), ProblemKind::LineBreak)], "{text}");
    assert!(text.contains("arenden.csv:3:unit: cellen innehåller en radbrytning"), "{text}");
    assert!(text.contains("citattecken"), "{text}");
}

#[test]
fn rows_with_more_cells_than_the_header_are_refused() {
    // Row 3 lacks its trailing (optional) cells: they count as empty. Row 4 has an empty
    // cell after the last column, as some exports write: allowed.
    let csv = format!(
        "{ARENDEN_HEAD}A1;19121212-1212;E;barn;;;;;extra\nA2;19121212-1212;E;barn\nA3;19121212-1212;E;barn;;;;;\n"
    );
    let (problems, text) = refused(&arenden(csv));
    assert_eq!(problems, [(2, String::new(), ProblemKind::FieldCount { found: 9, expected: 8 })], "{text}");
    assert!(text.contains("arenden.csv:2:: raden har 9 fält men rubrikraden har 8"), "{text}");
}

#[test]
fn an_empty_file_is_refused_and_a_header_alone_is_an_empty_table() {
    let (problems, _) = refused(&arenden(Vec::new()));
    assert_eq!(problems, [(1, String::new(), ProblemKind::EmptyFile)]);
    let d = import(&arenden(ARENDEN_HEAD), &secret(), &ImportOptions::default()).unwrap();
    assert_eq!(d.arenden.map(|a| a.len()), Some(0));
}

#[test]
fn binary_garbage_and_utf16_are_not_read_as_text() {
    let utf8 = "enhet;forsta_kontakt;forsta_besok\nÖstra;2024-01-02;\n";
    let utf16le: Vec<u8> = [0xff, 0xfe].into_iter().chain(utf8.encode_utf16().flat_map(|u| u.to_le_bytes())).collect();
    let utf16be_no_bom: Vec<u8> = utf8.encode_utf16().flat_map(|u| u.to_be_bytes()).collect();
    let binary: Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    for data in [utf16le, utf16be_no_bom, [b"PK\x03\x04\x00\x00".as_slice(), &binary].concat()] {
        let (problems, text) = refused(&kontakter(data));
        assert_eq!(problems, [(1, String::new(), ProblemKind::NotText)], "{text}");
        assert!(text.contains("kontakter.csv:1:: filen är inte text i UTF-8 eller Windows-1252"), "{text}");
    }
    // Garbage without NUL bytes is read as Windows-1252: its header names no column.
    let garbage: Vec<u8> = binary.iter().map(|b| b | 0x80).collect();
    let (problems, _) = refused(&kontakter(garbage));
    assert!(problems.iter().all(|p| p.2 == ProblemKind::MissingColumn) && problems.len() == 3, "{problems:?}");
}

#[test]
fn control_characters_in_kept_cells_are_refused() {
    // A NUL byte (PostgreSQL cannot store it), an escape, and 0x81: neither UTF-8 nor a
    // Windows-1252 letter (it decodes to a control character).
    let data = b"enhet;forsta_kontakt;forsta_besok\nA\x00B;2024-01-02;\nA\x1b[31m;2024-01-02;\n\x81stra;2024-01-02;\nTab\tbort;2024-01-02;\n";
    let (problems, text) = refused(&kontakter(data.to_vec()));
    let rows: Vec<(u64, &str, &ProblemKind)> = problems.iter().map(|p| (p.0, p.1.as_str(), &p.2)).collect();
    let bad = &ProblemKind::ControlCharacters;
    assert_eq!(rows, [(2, "enhet", bad), (3, "enhet", bad), (4, "enhet", bad)], "a tab is allowed: {text}");
    assert!(text.contains("kontakter.csv:2:enhet: cellen innehåller otillåtna tecken"), "{text}");
}

#[test]
fn huge_and_overlong_cells_are_refused_without_being_echoed() {
    let huge = "x".repeat(10 << 20);
    let csv = format!("{ARENDEN_HEAD}A1;19121212-1212;{huge};barn;;;;\nA2;19121212-1212;E;barn;{huge};;;\n");
    let (problems, text) = refused(&arenden(csv));
    assert_eq!(
        problems,
        [
            (2, "unit".to_owned(), ProblemKind::TooLong { max: 200 }),
            (3, "aktualisering".to_owned(), ProblemKind::InvalidDate { shown: None }),
        ]
    );
    assert!(text.len() < 2000, "the cell is not echoed: {} bytes", text.len());
    assert!(text.contains("arenden.csv:2:unit: värdet är för långt, högst 200 tecken"), "{text}");
    // 200 characters (å counts as one) are fine, 201 are not.
    let ok = "å".repeat(200);
    let csv = format!("{ARENDEN_HEAD}{ok};19121212-1212;{ok};barn;;;;\n");
    let d = import(&arenden(csv), &secret(), &ImportOptions::default()).unwrap();
    assert_eq!(d.units.name(0), ok);
    let long = "å".repeat(201);
    let (problems, _) = refused(&arenden(format!("{ARENDEN_HEAD}{long};19121212-1212;E;barn;;;;\n")));
    assert_eq!(problems, [(2, "case_id".to_owned(), ProblemKind::TooLong { max: 200 })]);
}

#[test]
fn invalid_dates_and_empty_required_cells_are_located() {
    let csv = format!(
        "{ARENDEN_HEAD}A1;19121212-1212;E;barn;2023-02-30;;;\nA2;19121212-1212;E;barn;;20231301;;\n\
         ;19121212-1212;;;;;2024-01-01;abc\n"
    );
    let (problems, text) = refused(&arenden(csv));
    let shown = |s: &str| ProblemKind::InvalidDate { shown: Some(s.to_owned()) };
    assert_eq!(
        problems,
        [
            (2, "aktualisering".to_owned(), shown("2023-02-30")),
            (3, "forhandsbedomning".to_owned(), shown("20231301")),
            (4, "case_id".to_owned(), ProblemKind::MissingValue),
            (4, "unit".to_owned(), ProblemKind::MissingValue),
            (4, "target_group".to_owned(), ProblemKind::MissingValue),
            (4, "utredning_slut".to_owned(), ProblemKind::InvalidDate { shown: None }),
        ],
        "{text}"
    );
    assert!(text.contains("arenden.csv:2:aktualisering: ogiltigt datum \"2023-02-30\""), "{text}");
    assert!(text.contains("arenden.csv:4:case_id: värde saknas"), "{text}");
}

#[test]
fn formula_looking_cells_are_plain_text_in_and_neutralised_out() {
    let dir = tempfile_dir();
    let units = ["=HYPERLINK(\"http://x\";\"klicka\")", "+41", "-2+3", "@SUM(A1:A9)"];
    let mut csv = String::from("enhet;forsta_kontakt;forsta_besok\n");
    for u in units {
        csv.push_str(&format!("\"{}\";2024-01-02;2024-01-05\n", u.replace('"', "\"\"")));
    }
    let path = dir.join("kontakter.csv");
    std::fs::write(&path, &csv).unwrap();
    let d = import(&kontakter(csv.clone()), &secret(), &ImportOptions::default()).unwrap();
    let names: Vec<&str> = (0..d.units.len()).map(|i| d.units.name(i as u16)).collect();
    assert_eq!(names, units, "kept as written");
    let mut out = Vec::new();
    run_compute(&cli(&["--kontakter", path.to_str().unwrap(), "--by", "unit", "--format", "csv"]), &mut out).unwrap();
    let out = String::from_utf8(out).unwrap();
    let mut reader = csv::ReaderBuilder::new().from_reader(out.as_bytes());
    let written: Vec<String> = reader.records().map(|r| r.unwrap()[3].to_owned()).filter(|u| !u.is_empty()).collect();
    assert!(!written.is_empty(), "{out}");
    for unit in &written {
        assert!(unit.starts_with('\''), "not neutralised: {unit}");
        assert!(units.contains(&&unit[1..]), "{unit}");
    }
    std::fs::remove_dir_all(dir).unwrap();
}

fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "kvalitet-bad-files-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn broken_workbooks_are_refused_in_swedish() {
    let dir = tempfile_dir();
    let book = std::fs::read(fixture("export.xlsx")).unwrap();
    let truncated = dir.join("avklippt.xlsx");
    std::fs::write(&truncated, &book[..book.len() / 2]).unwrap();
    let not_zip = dir.join("text.xlsx");
    std::fs::write(&not_zip, "enhet;forsta_kontakt;forsta_besok\n").unwrap();
    for path in [&truncated, &not_zip] {
        let e = workbook_sources(path).unwrap_err();
        assert!(matches!(e, ImportError::Workbook { .. }), "{e:?}");
        assert_eq!(
            e.to_string(),
            format!(
                "kunde inte läsa arbetsboken {}: filen är trasig eller inte en arbetsbok (XLSX, XLSM, XLS eller ODS)",
                path.display()
            )
        );
        let sources = Sources { arenden: Some(Source::Path(path.clone())), ..Sources::default() };
        assert!(matches!(import(&sources, &secret(), &ImportOptions::default()), Err(ImportError::Workbook { .. })));
    }
    // A sheet that is not in the workbook.
    let sources = Sources {
        arenden: Some(Source::Sheet { path: fixture("export.xlsx"), sheet: "Saknas".into() }),
        ..Sources::default()
    };
    let e = import(&sources, &secret(), &ImportOptions::default()).unwrap_err().to_string();
    assert!(e.contains("bladet Saknas finns inte (bladen heter Info, Ärenden, Insatser, Kontakter)"), "{e}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_period_at_the_start_of_1900_computes_without_panicking() {
    // Limits reach back before 1900, the first day a date can have (found while writing
    // the measures_toml fuzz target: it panicked converting the threshold to a day).
    let options = ComputeOptions {
        period: Period::new(date(1900, 1, 1), date(1900, 1, 5)).unwrap(),
        by: By::Month,
        capacities: Vec::new(),
    };
    let report = compute(&dataset(), &default_definitions(), &options).unwrap();
    let whole = |id: &str| report.results.iter().find(|r| r.measure == id && r.unit.is_none() && r.month.is_none());
    assert!(whole("ej_verkstallda_3man").is_some() && whole("genomforandeplan_uppfoljd_3man").is_some());
}

#[test]
fn a_cell_of_only_no_break_spaces_is_empty() {
    // Found by the csv_kontakter fuzz target: a unit of no-break spaces (Windows-1252
    // 0xA0, as spreadsheets write them) was kept as a unit with an empty name.
    let cp1252 = b"enhet;forsta_kontakt;forsta_besok\n\xa0\xa0\xa0;2024-01-02;\n".to_vec();
    let utf8 = "enhet;forsta_kontakt;forsta_besok\n\u{a0}\u{2003};2024-01-02;\n".as_bytes().to_vec();
    for data in [cp1252, utf8] {
        let (problems, text) = refused(&kontakter(data));
        assert_eq!(problems, [(2, "enhet".to_owned(), ProblemKind::MissingValue)], "{text}");
    }
}

#[test]
fn a_sheet_that_makes_calamine_panic_is_a_broken_workbook() {
    // Found by the xlsx fuzz target: a cell reference with an overlong column (export.xlsx
    // with one byte changed) overflows calamine's column arithmetic, which panics in
    // builds with overflow checks and took the import thread down with it.
    let sources = workbook_sources(&fixture("overflow.xlsx")).unwrap();
    match import(&sources, &secret(), &ImportOptions::default()) {
        Err(ImportError::Workbook { reason, .. }) => assert!(reason.contains("trasig"), "{reason}"),
        Err(ImportError::Invalid(e)) => assert!(e.to_string().starts_with("Importen avbröts"), "{e}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
}
