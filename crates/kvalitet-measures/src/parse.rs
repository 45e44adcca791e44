//! Reading the export files into a [`Dataset`], streaming, validating every row and
//! pseudonymising person ids on the way.

use std::collections::HashSet;
use std::fs::File;
use std::hash::{BuildHasherDefault, Hasher};
use std::io::{self, BufReader, Cursor, Read};
use std::path::PathBuf;

use csv::ByteRecord;

use crate::data::{
    Case, CaseId, Contact, Dataset, Intervention, NameId, PreAssessmentDecision, TargetGroup,
};
use crate::day::Day;
use crate::error::{ImportError, ImportErrors, Problem, ProblemKind};
use crate::format::{Col, Table, TextEncoding, column_for, decode, detect_delimiter, parse_date};
use crate::fxhash::{FastMap, FxHasher};
use crate::pseudo::{PersonKey, Pseudonymiser, Secret};
use crate::xlsx::{is_spreadsheet, read_sheet};

/// Where one table comes from.
#[derive(Debug, Clone)]
pub enum Source {
    /// A file on disk, named in messages as given.
    Path(PathBuf),
    /// Bytes in memory (tests, uploads), named `name` in messages.
    Bytes { name: String, data: Vec<u8> },
    /// One sheet of a spreadsheet (see [`crate::xlsx::workbook_sources`]). A `Path` with
    /// a spreadsheet extension is read too: its sheet named after the table, else its
    /// first sheet.
    Sheet { path: PathBuf, sheet: String },
}

impl Source {
    fn name(&self) -> String {
        match self {
            Source::Path(p) => p.display().to_string(),
            Source::Bytes { name, .. } => name.clone(),
            Source::Sheet { path, sheet } => format!("{}[{sheet}]", path.display()),
        }
    }
}

/// The files of one export; at least one should be given.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    pub arenden: Option<Source>,
    pub insatser: Option<Source>,
    pub kontakter: Option<Source>,
}

/// Choices for an import.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// When given, every unit must be one of these (compared trimmed, case-insensitively).
    pub known_units: Option<HashSet<String>>,
}

/// Reads and validates every given table. Returns the data only when no file has a problem;
/// otherwise every problem in every file.
pub fn import(
    sources: &Sources,
    secret: &Secret,
    options: &ImportOptions,
) -> Result<Dataset, ImportError> {
    let known = options
        .known_units
        .as_ref()
        .map(|set| set.iter().map(|u| u.trim().to_lowercase()).collect());
    let jobs = [
        (Table::Arenden, sources.arenden.as_ref()),
        (Table::Insatser, sources.insatser.as_ref()),
        (Table::Kontakter, sources.kontakter.as_ref()),
    ];
    // One thread per file; each has its own names, merged afterwards in table order.
    let parsed: Vec<(Table, Parser, Result<Rows, ImportError>)> = std::thread::scope(|s| {
        let handles: Vec<_> = jobs
            .iter()
            .filter_map(|(table, src)| src.map(|src| (*table, src)))
            .map(|(table, src)| {
                let known = known.clone();
                let handle = s.spawn(move || {
                    let mut p = Parser {
                        pseudo: secret.pseudonymiser(),
                        known,
                        data: Dataset::default(),
                        problems: Vec::new(),
                    };
                    let rows = p.read_table(src, table);
                    (p, rows)
                });
                (table, handle)
            })
            .collect();
        handles
            .into_iter()
            .map(|(table, h)| {
                let (p, rows) = h.join().expect("a parser thread panicked");
                (table, p, rows)
            })
            .collect()
    });
    let mut data = Dataset::default();
    let mut problems = Vec::new();
    for (table, p, rows) in parsed {
        let rows = rows?;
        problems.extend(p.problems);
        if !problems.is_empty() {
            continue;
        }
        // Unit ids of this file -> ids in the merged names.
        let remap: Option<Vec<NameId>> = (0..p.data.units.len())
            .map(|id| data.units.intern(p.data.units.name(id as NameId)))
            .collect();
        let Some(remap) = remap else {
            problems.push(Problem {
                file: table.name().to_owned(),
                row: 1,
                column: Col::Unit.canonical().to_owned(),
                kind: ProblemKind::TooManyNames,
            });
            continue;
        };
        match table {
            Table::Arenden => {
                let mut cases = rows.cases;
                cases
                    .iter_mut()
                    .for_each(|c| c.unit = remap[c.unit as usize]);
                data.arenden = Some(cases);
            }
            Table::Insatser => {
                let mut rows = rows.interventions;
                rows.iter_mut()
                    .for_each(|i| i.unit = remap[i.unit as usize]);
                data.insatser = Some(rows);
                data.insatser_names = p.data.insatser_names;
            }
            Table::Kontakter => {
                let mut rows = rows.contacts;
                rows.iter_mut()
                    .for_each(|c| c.unit = remap[c.unit as usize]);
                data.kontakter = Some(rows);
            }
        }
    }
    if problems.is_empty() {
        Ok(data)
    } else {
        Err(ImportErrors::new(problems).into())
    }
}

struct Parser {
    pseudo: Pseudonymiser,
    known: Option<HashSet<String>>,
    data: Dataset,
    problems: Vec<Problem>,
}

#[derive(Default)]
struct Rows {
    cases: Vec<Case>,
    interventions: Vec<Intervention>,
    contacts: Vec<Contact>,
}

/// The case ids of a file with their lines, to find duplicates after reading: the ids of
/// kept rows are in `Rows::cases` (lines in `lines`), those of rejected rows in `rejected`.
/// Sorting indices once needs far less memory than a hash map of every id.
#[derive(Default)]
struct CaseIds {
    lines: Vec<u32>,
    rejected: Vec<(CaseId, u32)>,
}

/// The rows of one file being collected.
struct Collector {
    ctx: FileCtx,
    table: Table,
    rows: Rows,
    ids: CaseIds,
}

/// One file being read: where each column is and how to report a cell.
struct FileCtx {
    file: String,
    encoding: TextEncoding,
    headers: Vec<String>,
    /// Position of each column (by `Col as usize`) in the file.
    index: [Option<usize>; COLS],
}

const COLS: usize = Col::ForstaBesok as usize + 1;

/// The file as a reader from its first header byte, with its encoding and delimiter.
fn open(source: &Source) -> io::Result<(Box<dyn Read + '_>, u8)> {
    let mut reader: Box<dyn Read> = match source {
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
    let delimiter = detect_delimiter(&head);
    Ok((Box::new(Cursor::new(head).chain(reader)), delimiter))
}

/// Whether every field of a record is valid UTF-8. Since delimiters, quotes and line ends
/// are ASCII, a file is valid UTF-8 exactly when all its fields are.
fn is_utf8(record: &ByteRecord) -> bool {
    record.as_slice().is_ascii() || record.iter().all(|f| std::str::from_utf8(f).is_ok())
}

/// How reading a CSV file under an assumed encoding ended.
enum Read1 {
    Done(Rows),
    /// Read as UTF-8, but the file is not: read it again as Windows-1252.
    NotUtf8,
}

impl Parser {
    fn read_table(&mut self, source: &Source, table: Table) -> Result<Rows, ImportError> {
        let sheet = match source {
            Source::Sheet { path, sheet } => Some((path, Some(sheet.as_str()))),
            Source::Path(path) if is_spreadsheet(path) => Some((path, None)),
            _ => None,
        };
        if let Some((path, sheet)) = sheet {
            let (file, records) = read_sheet(path, sheet, table)?;
            let mut records = records.into_iter();
            let header = records.next().map(|(_, rec)| rec);
            let Some(mut c) = self.start(&file, TextEncoding::Utf8, table, header.as_ref()) else {
                return Ok(Rows::default());
            };
            for (line, rec) in records {
                self.add(&mut c, &rec, line);
            }
            return Ok(self.finish(c));
        }
        // Read as UTF-8 in one pass; at the first field that is not UTF-8, start over as
        // Windows-1252 (each parser reads one file, so its state can be reset).
        match self.read_csv(source, table, TextEncoding::Utf8)? {
            Read1::Done(rows) => Ok(rows),
            Read1::NotUtf8 => {
                self.problems.clear();
                self.data = Dataset::default();
                match self.read_csv(source, table, TextEncoding::Windows1252)? {
                    Read1::Done(rows) => Ok(rows),
                    Read1::NotUtf8 => unreachable!("only UTF-8 reading gives up"),
                }
            }
        }
    }

    fn read_csv(
        &mut self,
        source: &Source,
        table: Table,
        encoding: TextEncoding,
    ) -> Result<Read1, ImportError> {
        let file = source.name();
        let io_err = |source| ImportError::Io {
            file: file.clone(),
            source,
        };
        let (reader, delimiter) = open(source).map_err(io_err)?;
        let mut csv = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(reader);
        let utf8 = encoding == TextEncoding::Utf8;
        let mut record = ByteRecord::new();
        let has_header = csv
            .read_byte_record(&mut record)
            .map_err(|e| csv_io(e, &file))?;
        if has_header && utf8 && !is_utf8(&record) {
            return Ok(Read1::NotUtf8);
        }
        let header = has_header.then_some(&record);
        let Some(mut c) = self.start(&file, encoding, table, header) else {
            return Ok(Read1::Done(Rows::default()));
        };
        loop {
            match csv.read_byte_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {}
                Err(e) => {
                    let line = e.position().map(|p| p.line()).unwrap_or(0);
                    if let csv::ErrorKind::Io(_) = e.kind() {
                        return Err(csv_io(e, &file));
                    }
                    self.problems.push(Problem {
                        file: file.clone(),
                        row: line,
                        column: String::new(),
                        kind: ProblemKind::Malformed {
                            detail: "ogiltig rad".into(),
                        },
                    });
                    break;
                }
            }
            if utf8 && !is_utf8(&record) {
                return Ok(Read1::NotUtf8);
            }
            let line = record.position().map(|p| p.line()).unwrap_or(0);
            self.add(&mut c, &record, line);
        }
        Ok(Read1::Done(self.finish(c)))
    }

    /// Checks the header row and prepares to collect rows; `None` when the file is empty
    /// or its header has problems (they are recorded).
    fn start(
        &mut self,
        file: &str,
        encoding: TextEncoding,
        table: Table,
        header: Option<&ByteRecord>,
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
        let ctx = self.header(file, encoding, table, header)?;
        Some(Collector {
            ctx,
            table,
            rows: Rows::default(),
            ids: CaseIds::default(),
        })
    }

    /// Validates one data row and keeps it when it is valid.
    fn add(&mut self, c: &mut Collector, record: &ByteRecord, line: u64) {
        if record.iter().all(|f| f.trim_ascii().is_empty()) {
            return; // blank line
        }
        let row = Row {
            ctx: &c.ctx,
            rec: record,
            line,
        };
        match c.table {
            Table::Arenden => {
                let line = u32::try_from(line).unwrap_or(u32::MAX);
                match self.case(&row) {
                    (Some(case), _) => {
                        c.rows.cases.push(case);
                        c.ids.lines.push(line);
                    }
                    (None, Some(id)) => c.ids.rejected.push((id, line)),
                    (None, None) => {}
                }
            }
            Table::Insatser => {
                if let Some(i) = self.intervention(&row) {
                    c.rows.interventions.push(i);
                }
            }
            Table::Kontakter => {
                if let Some(k) = self.contact(&row) {
                    c.rows.contacts.push(k);
                }
            }
        }
    }

    /// The rows of a file once read: checked for duplicate case ids, and dropped when the
    /// import has any problem.
    fn finish(&mut self, c: Collector) -> Rows {
        if c.table == Table::Arenden {
            self.duplicates(&c.ctx, &c.rows.cases, &c.ids);
        }
        if self.problems.is_empty() {
            c.rows
        } else {
            Rows::default()
        }
    }

    /// Reports every case id used on an earlier line, then puts the file's problems back
    /// in line order. Sorts 64-bit hashes of the ids (cheap, no indirection), then looks
    /// at the actual ids only for hashes that occur more than once.
    fn duplicates(&mut self, ctx: &FileCtx, cases: &[Case], ids: &CaseIds) {
        let hash = |id: &[u8]| {
            let mut h = FxHasher::default();
            h.write(id);
            h.finish()
        };
        let all = || {
            let kept = cases
                .iter()
                .zip(&ids.lines)
                .map(|(c, l)| (c.case_id.as_bytes(), *l));
            kept.chain(ids.rejected.iter().map(|(c, l)| (c.as_bytes(), *l)))
        };
        let mut hashes: Vec<u64> = all().map(|(id, _)| hash(id)).collect();
        hashes.sort_unstable();
        let repeated: HashSet<u64, BuildHasherDefault<FxHasher>> = hashes
            .chunk_by(|a, b| a == b)
            .filter(|g| g.len() > 1)
            .map(|g| g[0])
            .collect();
        drop(hashes);
        if repeated.is_empty() {
            return;
        }
        let mut candidates: Vec<(u32, &[u8])> = all()
            .filter(|(id, _)| repeated.contains(&hash(id)))
            .map(|(id, line)| (line, id))
            .collect();
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
        let column = ctx.index[Col::CaseId as usize].map_or_else(
            || Col::CaseId.canonical().to_owned(),
            |i| ctx.headers[i].clone(),
        );
        for (line, first_row) in dups {
            self.problems.push(Problem {
                file: ctx.file.clone(),
                row: u64::from(line),
                column: column.clone(),
                kind: ProblemKind::DuplicateCaseId {
                    first_row: u64::from(first_row),
                },
            });
        }
        if self.problems.len() > before {
            // Stable: problems of one line keep their column order, duplicates last.
            self.problems.sort_by_key(|p| p.row);
        }
    }

    fn header(
        &mut self,
        file: &str,
        encoding: TextEncoding,
        table: Table,
        record: &ByteRecord,
    ) -> Option<FileCtx> {
        let headers: Vec<String> = record
            .iter()
            .map(|h| decode(encoding, h).trim().to_owned())
            .collect();
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
        (self.problems.len() == before).then(|| FileCtx {
            file: file.to_owned(),
            encoding,
            headers,
            index,
        })
    }

    fn problem(&mut self, row: &Row<'_>, col: Col, kind: ProblemKind) {
        let column = row.header(col);
        self.problems.push(Problem {
            file: row.ctx.file.clone(),
            row: row.line,
            column,
            kind,
        });
    }

    /// The trimmed text of a required cell; a problem when it is empty.
    fn required_text<'r>(&mut self, row: &Row<'r>, col: Col) -> Option<std::borrow::Cow<'r, str>> {
        let raw = row.raw(col);
        if raw.is_empty() {
            self.problem(row, col, ProblemKind::MissingValue);
            return None;
        }
        Some(decode(row.ctx.encoding, raw))
    }

    fn date(&mut self, row: &Row<'_>, col: Col) -> Option<Day> {
        let raw = row.raw(col);
        if raw.is_empty() {
            return None;
        }
        let parsed = parse_date(raw).and_then(Day::new);
        if parsed.is_none() {
            // Show the cell only when it has the shape of a date, never a personnummer.
            let shown = date_shaped(raw).then(|| decode(row.ctx.encoding, raw).into_owned());
            self.problem(row, col, ProblemKind::InvalidDate { shown });
        }
        parsed
    }

    fn ordered(&mut self, row: &Row<'_>, start: (Col, Option<Day>), end: (Col, Option<Day>)) {
        if let (Some(s), Some(e)) = (start.1, end.1)
            && e < s
        {
            let start_column = row.header(start.0);
            self.problem(row, end.0, ProblemKind::EndBeforeStart { start_column });
        }
    }

    fn person(&mut self, row: &Row<'_>) -> Option<PersonKey> {
        let raw = row.raw(Col::PersonId);
        if raw.is_empty() {
            self.problem(row, Col::PersonId, ProblemKind::MissingValue);
            return None;
        }
        Some(self.pseudo.key(raw))
    }

    fn unit(&mut self, row: &Row<'_>) -> Option<NameId> {
        let name = self.required_text(row, Col::Unit)?;
        let name = name.trim();
        if let Some(known) = &self.known
            && !known.contains(&name.to_lowercase())
        {
            let shown = shown_text(name);
            self.problem(row, Col::Unit, ProblemKind::UnknownUnit { shown });
            return None;
        }
        let id = self.data.units.intern(name);
        if id.is_none() {
            self.problem(row, Col::Unit, ProblemKind::TooManyNames);
        }
        id
    }

    /// The case of a row, or `None` with the row's case id when it has one.
    fn case(&mut self, row: &Row<'_>) -> (Option<Case>, Option<CaseId>) {
        let case_id = self.required_text(row, Col::CaseId);
        let person = self.person(row);
        let unit = self.unit(row);
        let tg = row.raw(Col::TargetGroup);
        let is = |words: &[&[u8]]| words.iter().any(|w| tg.eq_ignore_ascii_case(w));
        let target_group = match tg {
            _ if is(&[b"barn", b"child"]) => Some(TargetGroup::Barn),
            _ if is(&[b"vuxen", b"adult"]) => Some(TargetGroup::Vuxen),
            b"" => {
                self.problem(row, Col::TargetGroup, ProblemKind::MissingValue);
                None
            }
            other => {
                let shown = shown_value(row.ctx.encoding, other);
                let kind = ProblemKind::UnknownValue {
                    shown,
                    allowed: "barn, vuxen",
                };
                self.problem(row, Col::TargetGroup, kind);
                None
            }
        };
        let dec = row.raw(Col::ForhandsbedomningBeslut);
        let is = |words: &[&[u8]]| words.iter().any(|w| dec.eq_ignore_ascii_case(w));
        let decision = match dec {
            b"" => None,
            _ if is(&[b"inled"]) => Some(PreAssessmentDecision::Inled),
            _ if is(&[b"ej_inled", b"ej inled"]) => Some(PreAssessmentDecision::EjInled),
            other => {
                let shown = shown_value(row.ctx.encoding, other);
                let kind = ProblemKind::UnknownValue {
                    shown,
                    allowed: "inled, ej_inled",
                };
                self.problem(row, Col::ForhandsbedomningBeslut, kind);
                None
            }
        };
        let aktualisering = self.date(row, Col::Aktualisering);
        let forhandsbedomning = self.date(row, Col::Forhandsbedomning);
        let utredning_start = self.date(row, Col::UtredningStart);
        let utredning_slut = self.date(row, Col::UtredningSlut);
        let forlangning = self.date(row, Col::Forlangning);
        self.ordered(
            row,
            (Col::Aktualisering, aktualisering),
            (Col::Forhandsbedomning, forhandsbedomning),
        );
        self.ordered(
            row,
            (Col::UtredningStart, utredning_start),
            (Col::UtredningSlut, utredning_slut),
        );
        let Some(case_id) = case_id.map(|c| CaseId::new(c.trim())) else {
            return (None, None);
        };
        let (Some(person), Some(unit), Some(target_group)) = (person, unit, target_group) else {
            return (None, Some(case_id));
        };
        let case = Case {
            case_id,
            person,
            unit,
            target_group,
            aktualisering,
            forhandsbedomning,
            forhandsbedomning_beslut: decision,
            utredning_start,
            utredning_slut,
            forlangning,
        };
        (Some(case), None)
    }

    fn intervention(&mut self, row: &Row<'_>) -> Option<Intervention> {
        let case_id = self
            .required_text(row, Col::CaseId)
            .map(|c| c.trim().into());
        let person = self.person(row);
        let unit = self.unit(row);
        let insats = match self.required_text(row, Col::Insats) {
            Some(n) => {
                let id = self.data.insatser_names.intern(n.trim());
                if id.is_none() {
                    self.problem(row, Col::Insats, ProblemKind::TooManyNames);
                }
                id
            }
            None => None,
        };
        let beslut = self.date(row, Col::Beslut);
        let verkstallighet = self.date(row, Col::Verkstallighet);
        let start = self.date(row, Col::Start);
        let slut = self.date(row, Col::Slut);
        let planerad_slut = self.date(row, Col::PlaneradSlut);
        let genomforandeplan = self.date(row, Col::Genomforandeplan);
        let plan_uppfoljning = self.date(row, Col::PlanUppfoljning);
        self.ordered(
            row,
            (Col::Beslut, beslut),
            (Col::Verkstallighet, verkstallighet),
        );
        self.ordered(row, (Col::Start, start), (Col::Slut, slut));
        Some(Intervention {
            case_id: case_id?,
            person: person?,
            unit: unit?,
            insats: insats?,
            beslut,
            verkstallighet,
            start,
            slut,
            planerad_slut,
            genomforandeplan,
            plan_uppfoljning,
        })
    }

    fn contact(&mut self, row: &Row<'_>) -> Option<Contact> {
        let unit = self.unit(row);
        let forsta_kontakt = self.date(row, Col::ForstaKontakt);
        let forsta_besok = self.date(row, Col::ForstaBesok);
        self.ordered(
            row,
            (Col::ForstaKontakt, forsta_kontakt),
            (Col::ForstaBesok, forsta_besok),
        );
        Some(Contact {
            unit: unit?,
            forsta_kontakt,
            forsta_besok,
        })
    }
}

/// One data row of a file.
struct Row<'r> {
    ctx: &'r FileCtx,
    rec: &'r ByteRecord,
    line: u64,
}

impl<'r> Row<'r> {
    /// The trimmed bytes of a cell; empty when the column or the cell is absent.
    fn raw(&self, col: Col) -> &'r [u8] {
        self.ctx.index[col as usize]
            .and_then(|i| self.rec.get(i))
            .unwrap_or(b"")
            .trim_ascii()
    }

    fn header(&self, col: Col) -> String {
        self.ctx.index[col as usize].map_or_else(
            || col.canonical().to_owned(),
            |i| self.ctx.headers[i].clone(),
        )
    }
}

fn shown_value(encoding: TextEncoding, raw: &[u8]) -> Option<String> {
    shown_text(&decode(encoding, raw))
}

/// A cell value fit to show in a message: cut to 60 characters, and `None` when it has
/// six or more digits (it could be a personnummer in the wrong column).
fn shown_text(value: &str) -> Option<String> {
    let digits = value.chars().filter(char::is_ascii_digit).count();
    (digits < 6).then(|| value.chars().take(60).collect())
}

/// `dddd-dd-dd` or `dddddddd`: a malformed date worth echoing. A personnummer
/// (10 or 12 digits, with or without a hyphen) never has this shape.
fn date_shaped(raw: &[u8]) -> bool {
    let digit_at = |i: usize| raw[i].is_ascii_digit();
    match raw.len() {
        8 => (0..8).all(digit_at),
        10 => {
            raw[4] == b'-' && raw[7] == b'-' && [0, 1, 2, 3, 5, 6, 8, 9].into_iter().all(digit_at)
        }
        _ => false,
    }
}

fn csv_io(e: csv::Error, file: &str) -> ImportError {
    let source = match e.into_kind() {
        csv::ErrorKind::Io(io) => io,
        other => io::Error::other(format!("{other:?}")),
    };
    ImportError::Io {
        file: file.to_owned(),
        source,
    }
}
