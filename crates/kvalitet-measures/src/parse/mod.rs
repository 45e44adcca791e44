//! Reading the export files into a [`Dataset`], streaming, validating every row and
//! pseudonymising person ids on the way.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

mod file;
mod row;
mod split;

use crate::compute::{ComputeOptions, Measures, Report};
use crate::data::{Case, CaseId, Contact, Dataset, Intervention, NameId};
use crate::definition::MeasureDef;
use crate::error::{ImportError, ImportErrors, Problem, ProblemKind};
use crate::format::{Col, Table, TextEncoding};
use crate::fxhash::FastMap;
use crate::pseudo::{Pseudonymiser, Secret};

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
pub fn import(sources: &Sources, secret: &Secret, options: &ImportOptions) -> Result<Dataset, ImportError> {
    import_counting(sources, secret, options, &AtomicU64::new(0))
}

/// [`import`], adding to `rows_read` as data rows are read (of all files together), so
/// another thread can show how far the reading has come.
pub fn import_counting(
    sources: &Sources,
    secret: &Secret,
    options: &ImportOptions,
    rows_read: &AtomicU64,
) -> Result<Dataset, ImportError> {
    read_all(sources, Some(secret), options, rows_read, None).map(|(data, _)| data)
}

/// Reads and validates every given table as [`import`] does, computing the measures of
/// `defs` while reading instead of keeping the rows: memory stays far below the files'
/// size. Person ids are checked (never empty) but, since nothing is kept, not
/// pseudonymised, and the case ids outside a limit are only counted
/// ([`MeasureResult::outside_count`](crate::MeasureResult::outside_count); `outside`
/// stays empty). Otherwise the results are those of [`compute()`](crate::compute()) over
/// the imported [`Dataset`]. An import problem is an [`ImportError`] inside the error.
pub fn import_and_compute(
    sources: &Sources,
    options: &ImportOptions,
    defs: &[MeasureDef],
    compute: &ComputeOptions,
) -> anyhow::Result<Report> {
    let given = |t: Table| match t {
        Table::Arenden => sources.arenden.is_some(),
        Table::Insatser => sources.insatser.is_some(),
        Table::Kontakter => sources.kontakter.is_some(),
    };
    let (measures, skipped) = Measures::new(defs, compute, false, given)?;
    let (data, measures) = read_all(sources, None, options, &AtomicU64::new(0), Some(measures))?;
    let results = measures.expect("given").finish(&data.units, &data.insatser_names);
    Ok(Report { results, skipped })
}

/// Reads every given table, one thread per file. With `measures`, the rows are fed to
/// them and not kept (then there is no `secret`: nothing is pseudonymised); the measures
/// come back with the (row-less) dataset.
fn read_all<'o>(
    sources: &Sources,
    secret: Option<&Secret>,
    options: &ImportOptions,
    rows_read: &AtomicU64,
    measures: Option<Measures<'o>>,
) -> Result<(Dataset, Option<Measures<'o>>), ImportError> {
    let known = options.known_units.as_ref().map(|set| set.iter().map(|u| u.trim().to_lowercase()).collect());
    let jobs = [
        (Table::Arenden, sources.arenden.as_ref()),
        (Table::Insatser, sources.insatser.as_ref()),
        (Table::Kontakter, sources.kontakter.as_ref()),
    ];
    // One thread per file; each has its own names, merged afterwards in table order.
    let parsed: Vec<(Table, Parser<'_>, Result<Rows, ImportError>)> = std::thread::scope(|s| {
        let handles: Vec<_> = jobs
            .iter()
            .filter_map(|(table, src)| src.map(|src| (*table, src)))
            .map(|(table, src)| {
                let known = known.clone();
                let stream = measures.as_ref().map(Measures::fresh);
                let handle = s.spawn(move || {
                    let mut p = Parser {
                        pseudo: secret.map(Secret::pseudonymiser),
                        known,
                        data: Dataset::default(),
                        seen: SeenNames::default(),
                        stream,
                        recheck: false,
                        problems: Vec::new(),
                        progress: Progress { shared: rows_read, counted: 0, added: 0 },
                    };
                    let rows = p.read_table(src, table);
                    p.progress.flush();
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
    let mut measures = measures;
    let mut problems = Vec::new();
    for (table, p, rows) in parsed {
        let rows = rows?;
        problems.extend(p.problems);
        if !problems.is_empty() {
            continue;
        }
        // Unit ids of this file -> ids in the merged names.
        let remap: Option<Vec<NameId>> =
            (0..p.data.units.len()).map(|id| data.units.intern(p.data.units.name(id as NameId))).collect();
        let Some(remap) = remap else {
            problems.push(Problem {
                file: table.name().to_owned(),
                row: 1,
                column: Col::Unit.canonical().to_owned(),
                kind: ProblemKind::TooManyNames,
            });
            continue;
        };
        if let (Some(all), Some(mut mine)) = (measures.as_mut(), p.stream) {
            mine.remap_units(&remap);
            all.merge(mine);
        }
        match table {
            Table::Arenden => {
                let mut cases = rows.cases;
                cases.iter_mut().for_each(|c| c.unit = remap[c.unit as usize]);
                data.arenden = Some(cases);
            }
            Table::Insatser => {
                let mut rows = rows.interventions;
                rows.iter_mut().for_each(|i| i.unit = remap[i.unit as usize]);
                data.insatser = Some(rows);
                data.insatser_names = p.data.insatser_names;
            }
            Table::Kontakter => {
                let mut rows = rows.contacts;
                rows.iter_mut().for_each(|c| c.unit = remap[c.unit as usize]);
                data.kontakter = Some(rows);
            }
        }
    }
    if problems.is_empty() { Ok((data, measures)) } else { Err(ImportErrors::new(problems).into()) }
}

struct Parser<'a> {
    /// `None` when reading for [`import_and_compute`]: person ids are only checked.
    pseudo: Option<Pseudonymiser>,
    known: Option<HashSet<String>>,
    data: Dataset,
    seen: SeenNames,
    /// The measures fed each valid row instead of keeping it ([`import_and_compute`]).
    stream: Option<Measures<'a>>,
    /// Set when the file must be read again keeping the case ids (see [`CaseIds`]).
    recheck: bool,
    problems: Vec<Problem>,
    progress: Progress<'a>,
}

/// The names (as the cells' bytes) already checked and interned in the parser's
/// `data`, so that a repeated name costs one lookup.
#[derive(Default)]
struct SeenNames {
    units: FastMap<Vec<u8>, NameId>,
    insatser: FastMap<Vec<u8>, NameId>,
}

/// The rows one parser has read, added to the count shared by all files.
struct Progress<'a> {
    shared: &'a AtomicU64,
    counted: u64,
    /// How many of `counted` have been added to `shared` (in batches: one shared counter
    /// written for every row by two threads costs more than reading the row).
    added: u64,
}

impl Progress<'_> {
    fn row(&mut self) {
        self.counted += 1;
        if self.counted - self.added >= 4096 {
            self.flush();
        }
    }

    /// Adds the rows not yet added to the shared count.
    fn flush(&mut self) {
        self.shared.fetch_add(self.counted - self.added, Ordering::Relaxed);
        self.added = self.counted;
    }

    /// The file is read again from the start (in another encoding): its rows count anew.
    fn restart(&mut self) {
        self.shared.fetch_sub(self.added, Ordering::Relaxed);
        self.counted = 0;
        self.added = 0;
    }
}

#[derive(Default)]
struct Rows {
    cases: Vec<Case>,
    interventions: Vec<Intervention>,
    contacts: Vec<Contact>,
}

impl Rows {
    /// Makes room for about `n` rows of `table` at once, instead of growing step by step
    /// (each step touches fresh memory and copies the rows); not when that much memory
    /// cannot be had (the estimate is only an estimate).
    fn reserve(&mut self, table: Table, n: usize) {
        let _ = match table {
            Table::Arenden => self.cases.try_reserve(n).is_ok(),
            Table::Insatser => self.interventions.try_reserve(n).is_ok(),
            Table::Kontakter => self.contacts.try_reserve(n).is_ok(),
        };
    }
}

/// The case ids of a file with their lines, to find duplicates after reading: the ids of
/// kept rows are in `Rows::cases` (lines in `lines`), those of rejected rows in `rejected`.
/// Sorting indices once needs far less memory than a hash map of every id.
///
/// When the rows are not kept ([`import_and_compute`]), only 64-bit hashes of all the ids
/// are (`hashes`); when two are equal, the file is read again keeping the ids.
#[derive(Default)]
struct CaseIds {
    lines: Vec<u32>,
    rejected: Vec<(CaseId, u32)>,
    hashes: Vec<u64>,
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
