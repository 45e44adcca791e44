//! Reading one file: CSV (encoding, delimiter, header) or a sheet, row by row, and the
//! checks that need the whole file (duplicate case ids).

use std::collections::HashSet;
use std::fs::File;
use std::hash::{BuildHasherDefault, Hasher};
use std::io::{self, BufReader, Cursor, Read};

use csv::ByteRecord;

use crate::compute::Measures;
use crate::data::{Case, Dataset};
use crate::error::{ImportError, Problem, ProblemKind};
use crate::format::{Col, Table, TextEncoding, column_for, decode, detect_delimiter};
use crate::fxhash::{FastMap, FxHasher};
use crate::xlsx::{is_spreadsheet, read_sheet};

use super::row::Row;
use super::split::{Rec, Records};
use super::{COLS, CaseIds, Collector, FileCtx, Parser, Rows, SeenNames, Source};

/// The file as a reader from its first header byte, with its delimiter; `None` as the
/// delimiter when the file is not text in an 8-bit encoding (a UTF-16 byte order mark, or
/// NUL bytes in the header line: UTF-16 or binary data).
pub(super) fn open(source: &Source) -> io::Result<(Box<dyn Read + Send + '_>, Option<u8>)> {
    let mut reader: Box<dyn Read + Send> = match source {
        Source::Path(path) => Box::new(BufReader::with_capacity(1 << 16, File::open(path)?)),
        Source::Bytes { data, .. } => Box::new(&data[..]),
        Source::Sheet { .. } => unreachable!("sheets are read by crate::xlsx"),
    };
    // Read the head (up to the first line end) to strip a BOM and find the delimiter.
    let mut head = Vec::with_capacity(4096);
    let mut chunk = [0u8; 4096];
    while !head.contains(&b'\n') && head.len() < (1 << 20) {
        let n = reader.read(&mut chunk)?;
        if n == 0 {
            break;
        }
        head.extend_from_slice(&chunk[..n]);
    }
    if head.starts_with(b"\xEF\xBB\xBF") {
        head.drain(..3);
    }
    let utf16 = head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF");
    let first_line = head.split(|b| *b == b'\n').next().unwrap_or(&[]);
    let delimiter = (!utf16 && !first_line.contains(&0)).then(|| detect_delimiter(&head));
    Ok((Box::new(Cursor::new(head).chain(reader)), delimiter))
}

/// Whether every field of a record is valid UTF-8. Since delimiters, quotes and line ends
/// are ASCII, a file is valid UTF-8 exactly when all its fields are.
pub(super) fn is_utf8(record: &ByteRecord) -> bool {
    record.as_slice().is_ascii() || record.iter().all(|f| std::str::from_utf8(f).is_ok())
}

/// How reading a CSV file under an assumed encoding ended.
pub(super) enum Read1 {
    Done(Rows),
    /// Read as UTF-8, but the file is not: read it again as Windows-1252.
    NotUtf8,
}

impl Parser<'_> {
    pub(super) fn read_table(&mut self, source: &Source, table: Table) -> Result<Rows, ImportError> {
        let rows = self.read_table_once(source, table)?;
        if !self.recheck {
            return Ok(rows);
        }
        // Case ids may repeat, and only their hashes were kept: read the file again keeping
        // the rows, for the exact problems. The measures gathered the first time stand
        // when there are none (the hashes were equal by chance).
        let stream = self.stream.take();
        self.restart();
        self.read_table_once(source, table)?;
        self.recheck = false;
        self.stream = stream;
        Ok(Rows::default())
    }

    /// Forgets what was read, to read the file again from the start.
    fn restart(&mut self) {
        self.progress.restart();
        self.problems.clear();
        self.data = Dataset::default();
        self.seen = SeenNames::default();
        self.stream = self.stream.as_ref().map(Measures::fresh);
    }

    fn read_table_once(&mut self, source: &Source, table: Table) -> Result<Rows, ImportError> {
        let sheet = match source {
            Source::Sheet { path, sheet } => Some((path, Some(sheet.as_str()))),
            Source::Path(path) if is_spreadsheet(path) => Some((path, None)),
            _ => None,
        };
        if let Some((path, sheet)) = sheet {
            let (file, records) = read_sheet(path, sheet, table)?;
            let mut records = records.into_iter();
            let header = records.next().map(|(_, rec)| rec);
            let Some(mut c) = self.start(&file, TextEncoding::Utf8, table, header.as_ref().map(Rec::Record)) else {
                return Ok(Rows::default());
            };
            for (line, rec) in records {
                self.add(&mut c, &Rec::Record(&rec), line);
            }
            return Ok(self.finish(c));
        }
        // Read as UTF-8 in one pass; at the first field that is not UTF-8, start over as
        // Windows-1252 (each parser reads one file, so its state can be reset).
        match self.read_csv(source, table, TextEncoding::Utf8)? {
            Read1::Done(rows) => Ok(rows),
            Read1::NotUtf8 => {
                self.restart();
                match self.read_csv(source, table, TextEncoding::Windows1252)? {
                    Read1::Done(rows) => Ok(rows),
                    Read1::NotUtf8 => unreachable!("only UTF-8 reading gives up"),
                }
            }
        }
    }

    pub(super) fn read_csv(
        &mut self,
        source: &Source,
        table: Table,
        encoding: TextEncoding,
    ) -> Result<Read1, ImportError> {
        let file = source.name();
        let io_err = |source| ImportError::Io { file: file.clone(), source };
        let (reader, delimiter) = open(source).map_err(io_err)?;
        let Some(delimiter) = delimiter else {
            self.problems.push(Problem { file, row: 1, column: String::new(), kind: ProblemKind::NotText });
            return Ok(Read1::Done(Rows::default()));
        };
        let size = match source {
            Source::Path(path) => std::fs::metadata(path).ok().map(|m| m.len()),
            Source::Bytes { data, .. } => Some(data.len() as u64),
            Source::Sheet { .. } => None,
        };
        // The file is read and split on a thread of its own while this one checks rows.
        std::thread::scope(|s| {
            let mut records = Records::new(s, reader, delimiter, size);
            self.read_records(&mut records, &file, encoding, table)
        })
    }

    /// Reads the header and the rows from `records`.
    fn read_records(
        &mut self,
        records: &mut Records<'_>,
        file: &str,
        encoding: TextEncoding,
        table: Table,
    ) -> Result<Read1, ImportError> {
        let utf8 = encoding == TextEncoding::Utf8;
        let header = match records.next() {
            Ok(Some((rec, _, block_utf8))) => {
                if utf8 && !block_utf8 && !rec.is_utf8() {
                    return Ok(Read1::NotUtf8);
                }
                Some(rec)
            }
            Ok(None) => None,
            Err((e, _)) => return Err(csv_io(e, file)),
        };
        let Some(mut c) = self.start(file, encoding, table, header) else {
            return Ok(Read1::Done(Rows::default()));
        };
        let estimate = records.estimated_records();
        match (&mut self.stream, c.table) {
            (Some(m), Table::Arenden) => {
                m.reserve(c.table, estimate);
                let _ = c.ids.hashes.try_reserve(estimate);
            }
            (Some(m), table) => m.reserve(table, estimate),
            (None, table) => c.rows.reserve(table, estimate),
        }
        loop {
            let (rec, line) = match records.next() {
                Ok(None) => break,
                Ok(Some((rec, line, block_utf8))) => {
                    if utf8 && !block_utf8 && !rec.is_utf8() {
                        return Ok(Read1::NotUtf8);
                    }
                    (rec, line)
                }
                Err((e, line)) => {
                    if let csv::ErrorKind::Io(_) = e.kind() {
                        return Err(csv_io(e, file));
                    }
                    self.problems.push(Problem {
                        file: file.to_owned(),
                        row: line,
                        column: String::new(),
                        kind: ProblemKind::Malformed { detail: "ogiltig rad".into() },
                    });
                    break;
                }
            };
            self.add(&mut c, &rec, line);
        }
        Ok(Read1::Done(self.finish(c)))
    }

    /// Checks the header row and prepares to collect rows; `None` when the file is empty
    /// or its header has problems (they are recorded).
    pub(super) fn start(
        &mut self,
        file: &str,
        encoding: TextEncoding,
        table: Table,
        header: Option<Rec<'_>>,
    ) -> Option<Collector> {
        let Some(header) = header else {
            self.problems.push(Problem {
                file: file.to_owned(),
                row: 1,
                column: String::new(),
                kind: ProblemKind::EmptyFile,
            });
            return None;
        };
        let ctx = self.header(file, encoding, table, &header)?;
        Some(Collector { ctx, table, rows: Rows::default(), ids: CaseIds::default() })
    }

    /// Validates one data row and keeps it when it is valid.
    pub(super) fn add(&mut self, c: &mut Collector, record: &Rec<'_>, line: u64) {
        self.progress.row();
        if record.iter().all(|f| f.trim_ascii().is_empty()) {
            return; // blank line
        }
        if !self.well_formed(&c.ctx, record, line) {
            return;
        }
        let row = Row { ctx: &c.ctx, rec: *record, line };
        match c.table {
            Table::Arenden => {
                let line = u32::try_from(line).unwrap_or(u32::MAX);
                let (case, rejected) = self.case(&row);
                match (case, rejected, &mut self.stream) {
                    (Some(case), _, Some(m)) => {
                        m.case(&case);
                        c.ids.hashes.push(id_hash(case.case_id.as_bytes()));
                    }
                    (None, Some(id), Some(_)) => c.ids.hashes.push(id_hash(id.as_bytes())),
                    (Some(case), _, None) => {
                        c.rows.cases.push(case);
                        c.ids.lines.push(line);
                    }
                    (None, Some(id), None) => c.ids.rejected.push((id, line)),
                    (None, None, _) => {}
                }
            }
            Table::Insatser => {
                if let Some(i) = self.intervention(&row) {
                    match &mut self.stream {
                        Some(m) => m.intervention(&i),
                        None => c.rows.interventions.push(i),
                    }
                }
            }
            Table::Kontakter => {
                if let Some(k) = self.contact(&row) {
                    match &mut self.stream {
                        Some(m) => m.contact(&k),
                        None => c.rows.contacts.push(k),
                    }
                }
            }
        }
    }

    /// Whether a row has no more cells than the header (empty cells beyond it are allowed;
    /// missing trailing cells count as empty) and no cell with a line break; otherwise the
    /// problem is recorded and the row is not read further, since its cells cannot be
    /// trusted to be in their columns.
    fn well_formed(&mut self, ctx: &FileCtx, record: &Rec<'_>, line: u64) -> bool {
        let expected = ctx.headers.len();
        let used = record.iter().rposition(|f| !f.trim_ascii().is_empty()).map_or(0, |i| i + 1);
        if record.has_line_break() {
            let i = record.iter().position(|f| f.contains(&b'\n') || f.contains(&b'\r')).unwrap_or(0);
            // The header only when it names a known column: other header cells are
            // anything the file holds, and are never echoed.
            let column = match ctx.index.contains(&Some(i)) {
                true => ctx.headers[i].clone(),
                false => format!("kolumn {}", i + 1),
            };
            self.problems.push(Problem { file: ctx.file.clone(), row: line, column, kind: ProblemKind::LineBreak });
            return false;
        }
        if used > expected {
            self.problems.push(Problem {
                file: ctx.file.clone(),
                row: line,
                column: String::new(),
                kind: ProblemKind::FieldCount { found: used, expected },
            });
            return false;
        }
        true
    }

    /// The rows of a file once read: checked for duplicate case ids, and dropped when the
    /// import has any problem.
    pub(super) fn finish(&mut self, mut c: Collector) -> Rows {
        if c.table == Table::Arenden {
            match self.stream {
                Some(_) => self.recheck = may_repeat(std::mem::take(&mut c.ids.hashes)),
                None => self.duplicates(&c.ctx, &c.rows.cases, &c.ids),
            }
        }
        if self.problems.is_empty() { c.rows } else { Rows::default() }
    }

    /// Reports every case id used on an earlier line, then puts the file's problems back
    /// in line order. Sorts 64-bit hashes of the ids (cheap, no indirection), then looks
    /// at the actual ids only for hashes that occur more than once.
    pub(super) fn duplicates(&mut self, ctx: &FileCtx, cases: &[Case], ids: &CaseIds) {
        let hash = id_hash;
        let all = || {
            let kept = cases.iter().zip(&ids.lines).map(|(c, l)| (c.case_id.as_bytes(), *l));
            kept.chain(ids.rejected.iter().map(|(c, l)| (c.as_bytes(), *l)))
        };
        let mut hashes: Vec<u64> = all().map(|(id, _)| hash(id)).collect();
        hashes.sort_unstable();
        let repeated: HashSet<u64, BuildHasherDefault<FxHasher>> =
            hashes.chunk_by(|a, b| a == b).filter(|g| g.len() > 1).map(|g| g[0]).collect();
        drop(hashes);
        if repeated.is_empty() {
            return;
        }
        let mut candidates: Vec<(u32, &[u8])> =
            all().filter(|(id, _)| repeated.contains(&hash(id))).map(|(id, line)| (line, id)).collect();
        candidates.sort_unstable();
        let mut first_rows: FastMap<&[u8], u32> = FastMap::default();
        let mut dups = Vec::new();
        for (line, id) in candidates {
            match first_rows.get(id) {
                Some(first) => dups.push((line, *first)),
                None => {
                    first_rows.insert(id, line);
                }
            }
        }
        let before = self.problems.len();
        let column = ctx.index[Col::CaseId as usize]
            .map_or_else(|| Col::CaseId.canonical().to_owned(), |i| ctx.headers[i].clone());
        for (line, first_row) in dups {
            self.problems.push(Problem {
                file: ctx.file.clone(),
                row: u64::from(line),
                column: column.clone(),
                kind: ProblemKind::DuplicateCaseId { first_row: u64::from(first_row) },
            });
        }
        if self.problems.len() > before {
            // Stable: problems of one line keep their column order, duplicates last.
            self.problems.sort_by_key(|p| p.row);
        }
    }

    pub(super) fn header(
        &mut self,
        file: &str,
        encoding: TextEncoding,
        table: Table,
        record: &Rec<'_>,
    ) -> Option<FileCtx> {
        let headers: Vec<String> = record.iter().map(|h| decode(encoding, h).trim().to_owned()).collect();
        let mut index = [None; COLS];
        let before = self.problems.len();
        for (i, h) in headers.iter().enumerate() {
            if let Some(col) = column_for(table, h)
                && index[col as usize].replace(i).is_some()
            {
                self.problems.push(Problem {
                    file: file.to_owned(),
                    row: 1,
                    column: h.clone(),
                    kind: ProblemKind::DuplicateColumn,
                });
            }
        }
        for (col, required) in table.columns() {
            if *required && index[*col as usize].is_none() {
                self.problems.push(Problem {
                    file: file.to_owned(),
                    row: 1,
                    column: col.canonical().to_owned(),
                    kind: ProblemKind::MissingColumn,
                });
            }
        }
        (self.problems.len() == before).then(|| FileCtx { file: file.to_owned(), encoding, headers, index })
    }
}

/// Whether two case ids of a file may be equal, when only their hashes were kept (then
/// the file is read again keeping the ids, to name the rows exactly).
fn may_repeat(mut hashes: Vec<u64>) -> bool {
    hashes.sort_unstable();
    hashes.windows(2).any(|w| w[0] == w[1])
}

/// The 64-bit hash of a case id used to look for repeated ids.
fn id_hash(id: &[u8]) -> u64 {
    let mut h = FxHasher::default();
    h.write(id);
    h.finish()
}

pub(super) fn csv_io(e: csv::Error, file: &str) -> ImportError {
    let source = match e.into_kind() {
        csv::ErrorKind::Io(io) => io,
        other => io::Error::other(format!("{other:?}")),
    };
    ImportError::Io { file: file.to_owned(), source }
}
