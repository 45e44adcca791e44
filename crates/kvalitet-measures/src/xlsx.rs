//! Reading tables from spreadsheets (XLSX, XLSM, XLS, ODS) with calamine: one sheet per
//! table, cells turned into the same text rows the CSV path validates.

use std::path::Path;

use calamine::{Data, Reader, open_workbook_auto};
use csv::ByteRecord;

use crate::error::ImportError;
use crate::format::{Table, normalise_header};
use crate::parse::{Source, Sources};

/// Whether `path` names a spreadsheet (by its extension).
pub fn is_spreadsheet(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| ["xlsx", "xlsm", "xls", "ods"].contains(&e.to_ascii_lowercase().as_str()))
}

/// The tables of one workbook: sheets named `arenden`, `insatser` and `kontakter`
/// (matched like headers, so `Ärenden` counts). Sheets with other names are ignored.
pub fn workbook_sources(path: &Path) -> Result<Sources, ImportError> {
    let names = open(path)?.sheet_names();
    let mut sources = Sources::default();
    for name in names {
        let norm = normalise_header(&name);
        let slot = match norm.as_str() {
            "arenden" => &mut sources.arenden,
            "insatser" => &mut sources.insatser,
            "kontakter" => &mut sources.kontakter,
            _ => continue,
        };
        *slot = Some(Source::Sheet { path: path.to_owned(), sheet: name });
    }
    Ok(sources)
}

fn open(path: &Path) -> Result<calamine::Sheets<std::io::BufReader<std::fs::File>>, ImportError> {
    let file = path.display().to_string();
    // A file that cannot be opened at all is an I/O error; one that opens but is no
    // workbook (not a zip, truncated, broken XML) is named as such, in Swedish.
    std::fs::File::open(path).map_err(|source| ImportError::Io { file: file.clone(), source })?;
    let broken = || ImportError::Workbook {
        file: file.clone(),
        reason: "filen är trasig eller inte en arbetsbok (XLSX, XLSM, XLS eller ODS)".into(),
    };
    // calamine may panic on malformed files (see `read_sheet`): refused like any broken file.
    std::panic::catch_unwind(|| open_workbook_auto(path)).map_err(|_| broken())?.map_err(|_| broken())
}

/// The rows of a table's sheet as `(row number, cells)`, the header first, and the name
/// to use in messages (`book.xlsx[arenden]`). `sheet` `None` takes the sheet named after
/// the table, else the first sheet.
pub(crate) fn read_sheet(
    path: &Path,
    sheet: Option<&str>,
    table: Table,
) -> Result<(String, Vec<(u64, ByteRecord)>), ImportError> {
    read_rows(path, sheet, table.name())
}

/// The rows of a sheet as `(row number, cells)`, the header first, and the name to use in
/// messages (`book.xlsx[sheet]`): the sheet named `sheet`, or else the one whose name
/// matches `wanted` like a header does, or else the first. For any table of rows.
pub fn read_rows(
    path: &Path,
    sheet: Option<&str>,
    wanted: &str,
) -> Result<(String, Vec<(u64, ByteRecord)>), ImportError> {
    let mut book = open(path)?;
    let names = book.sheet_names();
    let name = match sheet {
        Some(s) => s.to_owned(),
        None => names.iter().find(|n| normalise_header(n) == wanted).or(names.first()).cloned().unwrap_or_default(),
    };
    let file = format!("{}[{name}]", path.display());
    if !names.contains(&name) {
        let reason = match names.is_empty() {
            true => "arbetsboken har inga blad".to_owned(),
            false => format!("bladet {name} finns inte (bladen heter {})", names.join(", ")),
        };
        return Err(ImportError::Workbook { file: path.display().to_string(), reason });
    }
    let broken =
        || ImportError::Workbook { file: file.clone(), reason: "bladet är trasigt och kan inte läsas".into() };
    // calamine panics on some malformed sheets (an overlong cell reference overflows its
    // column arithmetic; found by fuzzing): a broken file, not a broken program.
    let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| book.worksheet_range(&name)));
    let range = read.map_err(|_| broken())?.map_err(|_| broken())?;
    let first_row = u64::from(range.start().map_or(0, |(r, _)| r));
    let rows = range
        .rows()
        .enumerate()
        .map(|(i, cells)| {
            let mut rec = ByteRecord::new();
            for cell in cells {
                rec.push_field(cell_text(cell).as_bytes());
            }
            (first_row + i as u64 + 1, rec)
        })
        .collect();
    Ok((file, rows))
}

/// A cell as the text the CSV path would have seen: dates as `YYYY-MM-DD`, whole numbers
/// without decimals.
pub fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) | Data::DurationIso(s) => s.clone(),
        Data::DateTimeIso(s) => s.get(..10).unwrap_or(s).to_owned(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) if dt.is_datetime() => {
            let (y, m, d, ..) = dt.to_ymd_hms_milli();
            format!("{y:04}-{m:02}-{d:02}")
        }
        Data::DateTime(dt) => dt.as_f64().to_string(),
        Data::Error(e) => format!("#{e}"),
    }
}
