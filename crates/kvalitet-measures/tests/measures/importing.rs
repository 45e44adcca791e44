//! The import: formats, encodings, validation messages, pseudonymisation, spreadsheets.

use jiff::civil::date;
use kvalitet_measures::*;

use super::*;

#[test]
fn formats_are_detected_per_file() {
    let data = dataset();
    // Windows-1252 unit names, Swedish headers with spaces, YYYYMMDD dates.
    let kontakter = data.kontakter.as_ref().unwrap();
    assert_eq!(kontakter.len(), 6);
    assert_eq!(data.units.name(kontakter[0].unit), "Mottagningen Västerås");
    assert_eq!(data.units.name(kontakter[2].unit), "Öppenvård Åby");
    assert_eq!(kontakter[2].forsta_besok.map(Day::date), Some(date(2024, 3, 1)));
    // BOM, commas, English headers and mixed date forms.
    let insatser = data.insatser.as_ref().unwrap();
    assert_eq!(insatser.len(), 9);
    assert_eq!(&*insatser[0].case_id, "A1");
    assert_eq!(insatser[1].planerad_slut.map(Day::date), Some(date(2024, 2, 29)));
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
        let sources =
            Sources { kontakter: Some(Source::Bytes { name: "kontakter.csv".into(), data }), ..Sources::default() };
        let d = import(&sources, &secret(), &ImportOptions::default()).unwrap();
        let k = &d.kontakter.unwrap()[0];
        assert_eq!(d.units.name(k.unit), "Öppenvård Åby");
        assert_eq!(k.forsta_kontakt.map(Day::date), Some(date(2024, 2, 20)));
        assert_eq!(k.forsta_besok.map(Day::date), Some(date(2024, 3, 1)));
    }
}

#[test]
fn bad_files_are_rejected_with_every_problem_located() {
    let sources = Sources {
        arenden: Some(Source::Path(fixture("arenden_bad.csv"))),
        insatser: Some(Source::Path(fixture("insatser_missing_column.csv"))),
        kontakter: None,
    };
    let options = ImportOptions { known_units: Some(["enhet a".to_owned()].into()) };
    let errors = import_err(&sources, &options);
    let bad = fixture("arenden_bad.csv").display().to_string();
    let missing = fixture("insatser_missing_column.csv").display().to_string();
    let located: Vec<(String, u64, &str)> =
        errors.problems.iter().map(|p| (p.file.clone(), p.row, p.column.as_str())).collect();
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
    assert!(matches!(kinds[0], ProblemKind::EndBeforeStart { start_column } if start_column == "aktualisering"));
    assert!(matches!(kinds[1], ProblemKind::UnknownValue { shown: Some(shown), .. } if shown == "tonåring"));
    assert!(matches!(kinds[2], ProblemKind::InvalidDate { shown: Some(s) } if s == "2024-13-01"));
    assert_eq!(kinds[4], &ProblemKind::DuplicateCaseId { first_row: 2 });
    assert!(matches!(kinds[5], ProblemKind::UnknownUnit { shown: Some(shown) } if shown == "Okänd enhet"));
    assert_eq!(kinds[6], &ProblemKind::InvalidDate { shown: None });
    assert_eq!(kinds[7], &ProblemKind::MissingColumn);
    let text = errors.to_string();
    assert!(text.contains(&format!("{bad}:4:Ärende: ärende-id:t finns redan på rad 2")), "{text}");
    assert!(text.contains(&format!("{missing}:1:verkstallighet: kolumnen verkstallighet saknas")), "{text}");
    // Without the known units, the unit is fine.
    let errors = import_err(&sources, &ImportOptions::default());
    assert!(!errors.problems.iter().any(|p| matches!(p.kind, ProblemKind::UnknownUnit { .. })));
}

#[test]
fn an_empty_file_and_an_unreadable_file() {
    let sources =
        Sources { kontakter: Some(Source::Bytes { name: "tom.csv".into(), data: Vec::new() }), ..Sources::default() };
    let e = import_err(&sources, &ImportOptions::default());
    assert_eq!(e.problems[0].kind, ProblemKind::EmptyFile);
    let sources = Sources { kontakter: Some(Source::Path(fixture("finns-inte.csv"))), ..Sources::default() };
    assert!(matches!(import(&sources, &secret(), &ImportOptions::default()), Err(ImportError::Io { .. })));
}

#[test]
fn person_ids_never_show_in_debug_or_errors() {
    let data = dataset();
    let debug = format!("{data:?}");
    assert!(debug.contains("PersonKey("), "the debug output shows pseudonyms");
    for form in PERSON_FORMS {
        assert!(!debug.contains(form), "{form} in Debug output");
    }
    // A file with the person id in every kind of bad place.
    let bad = "case_id;person_id;unit;target_group;aktualisering;forhandsbedomning;utredning_start;utredning_slut\n\
               P1;19121212-1212;19121212-1212;19121212-1212;19121212-1212;191212121212;121212-1212;1212121212\n\
               P1;19121212-1212;E;barn;;;;\n";
    let sources = Sources {
        arenden: Some(Source::Bytes { name: "arenden.csv".into(), data: bad.as_bytes().to_vec() }),
        ..Sources::default()
    };
    let known = ImportOptions { known_units: Some(["E".to_owned()].into()) };
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
        insatser: Some(Source::Bytes { name: "insatser.csv".into(), data: csv.into_bytes() }),
        ..Sources::default()
    };
    let errors = import_err(&sources, &ImportOptions::default());
    assert_eq!(errors.problems.len(), 5000);
    assert_eq!(errors.problems[4999].row, 5001);
    let text = errors.to_string();
    assert!(text.lines().count() < 100, "{text}");
    assert!(text.contains("5 000 fel"), "{text}");
    assert!(text.contains("… och 4 950 fel till:\n  4 950 × ogiltigt datum i kolumn beslut"), "{text}");
}

#[test]
fn a_workbook_gives_the_same_results_as_the_csv_files() {
    // export.xlsx holds the CSV fixtures as sheets "Ärenden" (real date cells),
    // "Insatser" and "Kontakter" (text), plus an "Info" sheet that is ignored.
    let book = fixture("export.xlsx").display().to_string();
    let arenden = fixture("arenden.csv").display().to_string();
    let insatser = fixture("insatser.csv").display().to_string();
    let kontakter = fixture("kontakter.csv").display().to_string();
    let common = ["--capacity", "Stödboendet=2", "--by", "month", "--format", "json"];
    let run = |files: &[&str]| {
        let mut extra = files.to_vec();
        extra.extend(common);
        let mut out = Vec::new();
        run_compute(&cli(&extra), &mut out).unwrap();
        String::from_utf8(out).unwrap()
    };
    let from_csv = run(&["--arenden", &arenden, "--insatser", &insatser, "--kontakter", &kontakter]);
    let from_book = run(&["--xlsx", &book]);
    assert!(from_csv.contains("forsta_besok_10d"));
    assert_eq!(from_book, from_csv);
    // A spreadsheet given as one table's file is read from the sheet named after it.
    let sources = Sources { kontakter: Some(Source::Path(fixture("export.xlsx"))), ..Sources::default() };
    let d = import(&sources, &secret(), &ImportOptions::default()).unwrap();
    assert_eq!(d.kontakter.unwrap().len(), 6);
}

#[test]
fn a_bad_sheet_is_located_by_sheet_row_and_column() {
    let sources = workbook_sources(&fixture("bad.xlsx")).unwrap();
    assert!(sources.arenden.is_some() && sources.insatser.is_none());
    let errors = import_err(&sources, &ImportOptions::default());
    let file = format!("{}[arenden]", fixture("bad.xlsx").display());
    let located: Vec<(&str, u64, &str)> =
        errors.problems.iter().map(|p| (p.file.as_str(), p.row, p.column.as_str())).collect();
    assert_eq!(located, [(file.as_str(), 3, "aktualisering"), (file.as_str(), 3, "utredning_slut")], "{errors}");
    assert!(matches!(
        &errors.problems[1].kind,
        ProblemKind::EndBeforeStart { start_column } if start_column == "Utredning start"
    ));
}

#[test]
fn one_byte_that_is_not_utf8_makes_the_whole_file_windows_1252() {
    // Line 2 is valid UTF-8 ("Gränsen"), line 3 is Windows-1252 ("Östra"): the file is
    // not valid UTF-8, so all of it is read as Windows-1252, line 2 included.
    let data = b"enhet;forsta_kontakt;forsta_besok\nGr\xc3\xa4nsen;2024-01-01;\n\xd6stra;2024-01-02;\n".to_vec();
    let sources = Sources { kontakter: Some(Source::Bytes { name: "k.csv".into(), data }), ..Sources::default() };
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
    let sources =
        Sources { arenden: Some(Source::Bytes { name: "a.csv".into(), data: csv.into_bytes() }), ..Sources::default() };
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
        kontakter: Some(Source::Bytes { name: "k.csv".into(), data: csv.into_bytes() }),
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
