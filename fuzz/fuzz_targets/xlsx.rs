//! Spreadsheets: the whole file as fuzzed bytes (not a zip, truncated, broken), or the
//! fixture workbook with one of its parts (a sheet's XML, the shared strings, the
//! workbook's sheet list) replaced by fuzzed bytes, so that calamine's XML reading and
//! the cell-to-text conversion are reached. Read as a workbook (`--xlsx`) and as one
//! table's file (`--arenden book.xlsx`). Must never panic; whatever is accepted keeps
//! the import's invariants (`common::check_dataset`).

#![no_main]

mod common;

use std::io::{Cursor, Read, Write};
use std::path::PathBuf;
use std::sync::OnceLock;

use kvalitet_measures::{ImportError, ImportOptions, Secret, Source, Sources, import, workbook_sources};
use libfuzzer_sys::fuzz_target;

static BOOK: &[u8] = include_bytes!("../../crates/kvalitet-measures/tests/fixtures/export.xlsx");

/// The fixture's parts, read once.
fn parts() -> &'static Vec<(String, Vec<u8>)> {
    static PARTS: OnceLock<Vec<(String, Vec<u8>)>> = OnceLock::new();
    PARTS.get_or_init(|| {
        let mut zip = zip::ZipArchive::new(Cursor::new(BOOK)).unwrap();
        (0..zip.len())
            .map(|i| {
                let mut f = zip.by_index(i).unwrap();
                let mut bytes = Vec::new();
                f.read_to_end(&mut bytes).unwrap();
                (f.name().unwrap().into_owned(), bytes)
            })
            .collect()
    })
}

fn with_part(index: usize, data: &[u8]) -> Vec<u8> {
    let parts = parts();
    let replaced = index % parts.len();
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (i, (name, bytes)) in parts.iter().enumerate() {
        w.start_file(name.as_str(), options).unwrap();
        w.write_all(if i == replaced { data } else { bytes }).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn path() -> &'static PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| std::env::temp_dir().join(format!("kvalitet-fuzz-{}.xlsx", std::process::id())))
}

/// libFuzzer's panic hook aborts on every panic, even one the product catches. The
/// product catches calamine's panics on malformed sheets (an upstream bug, see
/// README.md) and refuses the file; let those unwind, and keep every other panic fatal.
fn let_calamine_panics_unwind() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let fatal = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !info.location().is_some_and(|l| l.file().contains("/calamine-")) {
                fatal(info);
            }
        }));
    });
}

fuzz_target!(|data: &[u8]| {
    let_calamine_panics_unwind();
    let Some((&mode, rest)) = data.split_first() else { return };
    let file = match mode % 2 {
        0 => rest.to_vec(),
        _ => {
            let Some((&part, xml)) = rest.split_first() else { return };
            with_part(usize::from(part), xml)
        }
    };
    std::fs::write(path(), &file).unwrap();
    let secret = Secret::from_bytes([7; 32]);
    let check = |result: Result<kvalitet_measures::Dataset, ImportError>| match result {
        Ok(d) => common::check_dataset(&d, &[]),
        Err(ImportError::Invalid(e)) => assert!(e.to_string().starts_with("Importen avbröts")),
        Err(ImportError::Workbook { reason, .. }) => assert!(!reason.is_empty()),
        Err(e @ ImportError::Io { .. }) => panic!("the file exists: {e:?}"),
    };
    match workbook_sources(path()) {
        Ok(sources) => check(import(&sources, &secret, &ImportOptions::default())),
        Err(ImportError::Workbook { .. }) => {}
        Err(e) => panic!("{e:?}"),
    }
    let one = Sources { arenden: Some(Source::Path(path().clone())), ..Sources::default() };
    check(import(&one, &secret, &ImportOptions::default()));
});
