//! Reading a workbook's bytes (XLSX, or ODS and XLS as LibreOffice and old Excel save
//! it) into its sheets' rows of text, dates as `YYYY-MM-DD`.

use std::io::Cursor;

use calamine::Reader;

use crate::{Problem, Problems};

/// The most rows a sheet may have; a plan with more is not a plan.
const MAX_ROWS: usize = 20_000;

/// A workbook's sheets as text rows.
#[derive(Debug, Clone)]
pub struct Workbook {
    /// The file's name as messages give it.
    pub file: String,
    /// Per sheet, its name and its rows as `(row number, cells)`, the heading row first.
    pub sheets: Vec<(String, Vec<(u64, Vec<String>)>)>,
}

impl Workbook {
    /// The sheet called `name` (case and spaces aside).
    pub(crate) fn sheet(&self, name: &str) -> Option<&(String, Vec<(u64, Vec<String>)>)> {
        self.sheets.iter().find(|(n, _)| n.trim().to_lowercase() == name.to_lowercase())
    }
}

/// Reads a workbook from its bytes; `file` names it in messages.
pub fn read(file: &str, bytes: &[u8]) -> Result<Workbook, Problems> {
    let whole = |message: &str| {
        Problems(vec![Problem { file: file.into(), row: 1, column: String::new(), message: message.into() }])
    };
    // calamine may panic on malformed files (found by fuzzing the case-data import): a
    // broken file, not a broken program.
    let opened = std::panic::catch_unwind(|| calamine::open_workbook_auto_from_rs(Cursor::new(bytes.to_vec())));
    let mut book = match opened {
        Ok(Ok(book)) => book,
        _ => return Err(whole("filen är trasig eller ingen arbetsbok (spara den som Excel-arbetsbok, .xlsx)")),
    };
    let mut sheets = Vec::new();
    for name in book.sheet_names() {
        let range = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| book.worksheet_range(&name)));
        let Ok(Ok(range)) = range else {
            return Err(Problems(vec![Problem {
                file: format!("{file}[{name}]"),
                row: 1,
                column: String::new(),
                message: "bladet är trasigt och kan inte läsas".into(),
            }]));
        };
        if range.height() > MAX_ROWS {
            return Err(Problems(vec![Problem {
                file: format!("{file}[{name}]"),
                row: 1,
                column: String::new(),
                message: format!("bladet har {} rader; högst {MAX_ROWS} går", range.height()),
            }]));
        }
        let first_row = u64::from(range.start().map_or(0, |(r, _)| r));
        let first_col = range.start().map_or(0, |(_, c)| c) as usize;
        let rows = range
            .rows()
            .enumerate()
            .map(|(i, cells)| {
                // Columns left of the range's first are empty: keep positions as written.
                let mut row = vec![String::new(); first_col];
                row.extend(cells.iter().map(|c| crate::restore(&kvalitet_measures::xlsx::cell_text(c)).to_owned()));
                (first_row + i as u64 + 1, row)
            })
            .collect();
        sheets.push((name, rows));
    }
    Ok(Workbook { file: file.into(), sheets })
}
