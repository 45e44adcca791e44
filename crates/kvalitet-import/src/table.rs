//! Reading a file as a table of text cells with named columns, and the problems found in
//! it, each at `file:row:column`.

use std::fmt;
use std::path::Path;

use kvalitet_measures::format::{TextEncoding, decode, detect_delimiter, normalise_header};
use kvalitet_measures::xlsx::{is_spreadsheet, read_rows};

/// The longest cell accepted, in characters.
pub const MAX_CELL_CHARS: usize = 500;

/// One problem in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: String,
    /// 1-based; the header is row 1.
    pub row: u64,
    /// The column's header as the file writes it (empty for the row or file as a whole).
    pub column: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.column.is_empty() {
            true => write!(f, "{}:{}: {}", self.file, self.row, self.message),
            false => write!(f, "{}:{}:{}: {}", self.file, self.row, self.column, self.message),
        }
    }
}

/// Every problem of a file; the file is refused whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problems(pub Vec<Problem>);

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const LISTED: usize = 50;
        writeln!(f, "filen innehåller {} fel och har inte lästs in; inget har sparats:", self.0.len())?;
        for p in self.0.iter().take(LISTED) {
            writeln!(f, "  {p}")?;
        }
        if self.0.len() > LISTED {
            writeln!(f, "  … och {} fel till", self.0.len() - LISTED)?;
        }
        Ok(())
    }
}

impl std::error::Error for Problems {}

/// A column a table must or may have: its canonical name and the header spellings
/// accepted for it (normalised: lower case, å/ä → a, ö → o, spaces → `_`).
#[derive(Debug, Clone, Copy)]
pub struct ColumnSpec {
    pub name: &'static str,
    pub aliases: &'static [&'static str],
    pub required: bool,
}

/// A file read as text rows with the columns of a spec found in its header.
#[derive(Debug, Clone)]
pub struct Table {
    pub file: String,
    /// The header as written, per spec column (`None`: the column is absent).
    headers: Vec<Option<(usize, String)>>,
    /// `(row number, cells)`, without the header and without blank rows.
    pub rows: Vec<(u64, Vec<String>)>,
}

impl Table {
    /// The cell of spec column `col` on a row (trimmed; empty when absent).
    pub fn cell<'a>(&self, cells: &'a [String], col: usize) -> &'a str {
        self.headers[col].as_ref().and_then(|(i, _)| cells.get(*i)).map_or("", |c| c.trim())
    }

    /// The header of spec column `col` as the file writes it (its name when absent).
    pub fn header(&self, col: usize, spec: &[ColumnSpec]) -> String {
        self.headers[col].as_ref().map_or_else(|| spec[col].name.to_owned(), |(_, h)| h.clone())
    }

    /// A problem at a row and spec column.
    pub fn problem(&self, row: u64, col: usize, spec: &[ColumnSpec], message: impl Into<String>) -> Problem {
        Problem { file: self.file.clone(), row, column: self.header(col, spec), message: message.into() }
    }
}

fn whole(file: &str, row: u64, message: impl Into<String>) -> Problem {
    Problem { file: file.to_owned(), row, column: String::new(), message: message.into() }
}

/// Reads `path` (CSV, or the first sheet of a workbook or the one named like `wanted`)
/// and finds the spec's columns in its header.
pub fn read(path: &Path, wanted: &str, spec: &[ColumnSpec]) -> Result<Table, Problems> {
    let file = path.display().to_string();
    let (file, raw) = if is_spreadsheet(path) {
        let (name, rows) = read_rows(path, None, wanted).map_err(|e| Problems(vec![whole(&file, 1, e.to_string())]))?;
        let rows = rows
            .into_iter()
            .map(|(n, rec)| (n, rec.iter().map(|c| String::from_utf8_lossy(c).into_owned()).collect()))
            .collect();
        (name, rows)
    } else {
        let bytes = std::fs::read(path).map_err(|e| Problems(vec![whole(&file, 1, format!("kan inte läsas: {e}"))]))?;
        (file.clone(), read_csv(&file, &bytes)?)
    };
    table(file, raw, spec)
}

/// The rows of a CSV file's bytes.
fn read_csv(file: &str, bytes: &[u8]) -> Result<Vec<(u64, Vec<String>)>, Problems> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") || bytes.contains(&0) {
        return Err(Problems(vec![whole(
            file,
            1,
            "filen är inte text i UTF-8 eller Windows-1252 (spara den som CSV UTF-8 eller som arbetsbok)",
        )]));
    }
    let encoding = if std::str::from_utf8(bytes).is_ok() { TextEncoding::Utf8 } else { TextEncoding::Windows1252 };
    let text = decode(encoding, bytes);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(detect_delimiter(text.as_bytes()))
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for (i, rec) in reader.records().enumerate() {
        let rec = rec.map_err(|e| Problems(vec![whole(file, i as u64 + 1, format!("raden kan inte läsas: {e}"))]))?;
        rows.push((rec.position().map_or(i as u64 + 1, |p| p.line()), rec.iter().map(str::to_owned).collect()));
    }
    Ok(rows)
}

fn table(file: String, raw: Vec<(u64, Vec<String>)>, spec: &[ColumnSpec]) -> Result<Table, Problems> {
    let mut raw = raw.into_iter();
    let Some((header_row, header)) = raw.next() else {
        return Err(Problems(vec![whole(&file, 1, "filen är tom; den ska börja med en rubrikrad")]));
    };
    let mut problems = Vec::new();
    let mut headers: Vec<Option<(usize, String)>> = vec![None; spec.len()];
    for (i, h) in header.iter().enumerate() {
        let norm = normalise_header(h);
        if norm.is_empty() {
            continue;
        }
        match spec.iter().position(|c| c.aliases.contains(&norm.as_str())) {
            Some(c) if headers[c].is_some() => problems.push(Problem {
                file: file.clone(),
                row: header_row,
                column: h.clone(),
                message: "kolumnen finns två gånger".into(),
            }),
            Some(c) => headers[c] = Some((i, h.trim().to_owned())),
            None => problems.push(Problem {
                file: file.clone(),
                row: header_row,
                column: h.clone(),
                message: format!(
                    "okänd kolumn; kolumnerna heter {}",
                    spec.iter().map(|c| c.name).collect::<Vec<_>>().join(", ")
                ),
            }),
        }
    }
    for (c, col) in spec.iter().enumerate() {
        if col.required && headers[c].is_none() {
            problems.push(whole(
                &file,
                header_row,
                format!("kolumnen {} saknas (även {} går bra)", col.name, col.aliases.join(", ")),
            ));
        }
    }
    let width = header.len();
    let mut rows = Vec::new();
    for (n, cells) in raw {
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if cells.iter().skip(width).any(|c| !c.trim().is_empty()) {
            problems.push(whole(&file, n, format!("raden har fler celler än rubrikraden ({width})")));
        }
        for (i, c) in cells.iter().enumerate() {
            let column = header.get(i).cloned().unwrap_or_default();
            if c.chars().any(|ch| ch.is_control() && ch != '\t') {
                problems.push(Problem {
                    file: file.clone(),
                    row: n,
                    column,
                    message: "cellen innehåller radbrytningar eller styrtecken".into(),
                });
            } else if c.chars().count() > MAX_CELL_CHARS {
                problems.push(Problem {
                    file: file.clone(),
                    row: n,
                    column,
                    message: format!("cellen är längre än {MAX_CELL_CHARS} tecken"),
                });
            }
        }
        rows.push((n, cells));
    }
    if problems.is_empty() { Ok(Table { file, headers, rows }) } else { Err(Problems(problems)) }
}
