//! Import errors: every problem found in the files, as `file:row:column` with a Swedish text.

use std::collections::BTreeMap;
use std::fmt;

/// How many problems [`ImportErrors`]'s `Display` lists one by one before it summarises.
pub const DEFAULT_LISTED: usize = 50;

/// What is wrong in one cell, row or header. Never carries a person id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProblemKind {
    /// The file has no header row at all.
    EmptyFile,
    /// A required column is missing from the header row.
    MissingColumn,
    /// Two header cells name the same column.
    DuplicateColumn,
    /// A cell that must have a value is empty.
    MissingValue,
    /// A cell is not a date in `YYYY-MM-DD` or `YYYYMMDD`. `shown` is the cell when it is
    /// short enough to be a date (never a personnummer).
    InvalidDate { shown: Option<String> },
    /// An end date lies before its start date; `start_column` is the start's header.
    EndBeforeStart { start_column: String },
    /// A value outside the allowed set; `shown` unless it could be a person id.
    UnknownValue { shown: Option<String>, allowed: &'static str },
    /// A `case_id` already used on an earlier row.
    DuplicateCaseId { first_row: u64 },
    /// A unit that is not among the known units; `shown` unless it could be a person id.
    UnknownUnit { shown: Option<String> },
    /// More distinct values in the column than can be told apart (65 536).
    TooManyNames,
    /// The CSV itself could not be read (broken quoting, unreadable bytes).
    Malformed { detail: String },
    /// The file is not text in UTF-8 or Windows-1252 (UTF-16, or binary data).
    NotText,
    /// A row has more (non-empty) cells than the header row.
    FieldCount { found: usize, expected: usize },
    /// A cell holds a line break: in a CSV file almost always a quote that is never closed.
    LineBreak,
    /// A cell holds control characters (binary data, NUL bytes).
    ControlCharacters,
    /// A text cell is longer than [`MAX_CELL_CHARS`].
    TooLong { max: usize },
}

/// The longest text a kept cell (case id, unit, intervention name) may have, in characters.
pub const MAX_CELL_CHARS: usize = 200;

impl ProblemKind {
    /// The kind in words, without the cell's value: used to count problems of one kind.
    fn label(&self) -> &'static str {
        match self {
            ProblemKind::EmptyFile => "tom fil",
            ProblemKind::MissingColumn => "kolumn saknas",
            ProblemKind::DuplicateColumn => "kolumnen finns två gånger",
            ProblemKind::MissingValue => "värde saknas",
            ProblemKind::InvalidDate { .. } => "ogiltigt datum",
            ProblemKind::EndBeforeStart { .. } => "slutdatum före startdatum",
            ProblemKind::UnknownValue { .. } => "okänt värde",
            ProblemKind::DuplicateCaseId { .. } => "ärende-id finns redan",
            ProblemKind::UnknownUnit { .. } => "okänd enhet",
            ProblemKind::Malformed { .. } => "trasig CSV-rad",
            ProblemKind::TooManyNames => "för många olika värden",
            ProblemKind::NotText => "inte en textfil",
            ProblemKind::FieldCount { .. } => "fel antal fält",
            ProblemKind::LineBreak => "radbrytning i cell",
            ProblemKind::ControlCharacters => "otillåtna tecken",
            ProblemKind::TooLong { .. } => "för långt värde",
        }
    }
}

/// One problem at `file:row:column`. `row` counts the header as row 1; `column` is the
/// header as written in the file (or the expected name when the column is missing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: String,
    pub row: u64,
    pub column: String,
    pub kind: ProblemKind,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: ", self.file, self.row, self.column)?;
        match &self.kind {
            ProblemKind::EmptyFile => write!(f, "filen är tom, rubrikraden saknas"),
            ProblemKind::MissingColumn => {
                write!(f, "kolumnen {} saknas i rubrikraden", self.column)
            }
            ProblemKind::DuplicateColumn => {
                write!(f, "kolumnen {} finns mer än en gång", self.column)
            }
            ProblemKind::MissingValue => write!(f, "värde saknas, cellen får inte vara tom"),
            ProblemKind::InvalidDate { shown: Some(v) } => {
                write!(f, "ogiltigt datum \"{v}\", skriv ÅÅÅÅ-MM-DD eller ÅÅÅÅMMDD")
            }
            ProblemKind::InvalidDate { shown: None } => {
                write!(f, "ogiltigt datum, skriv ÅÅÅÅ-MM-DD eller ÅÅÅÅMMDD")
            }
            ProblemKind::EndBeforeStart { start_column } => {
                write!(f, "datumet ligger före {start_column} på samma rad")
            }
            ProblemKind::UnknownValue { shown: Some(shown), allowed } => {
                write!(f, "okänt värde \"{shown}\", tillåtna värden: {allowed}")
            }
            ProblemKind::UnknownValue { shown: None, allowed } => write!(f, "okänt värde, tillåtna värden: {allowed}"),
            ProblemKind::DuplicateCaseId { first_row } => {
                write!(f, "ärende-id:t finns redan på rad {first_row}")
            }
            ProblemKind::UnknownUnit { shown: Some(shown) } => {
                write!(f, "okänd enhet \"{shown}\"")
            }
            ProblemKind::UnknownUnit { shown: None } => write!(f, "okänd enhet"),
            ProblemKind::TooManyNames => {
                write!(f, "kolumnen har fler än 65 536 olika värden")
            }
            ProblemKind::Malformed { detail } => {
                write!(f, "raden kan inte läsas som CSV ({detail})")
            }
            ProblemKind::NotText => write!(
                f,
                "filen är inte text i UTF-8 eller Windows-1252 (den ser ut att vara UTF-16 eller binär); \
                 spara den som CSV (UTF-8)"
            ),
            ProblemKind::FieldCount { found, expected } => {
                write!(f, "raden har {found} fält men rubrikraden har {expected}")
            }
            ProblemKind::LineBreak => {
                write!(f, "cellen innehåller en radbrytning; oftast saknas ett avslutande citattecken (\") i raden")
            }
            ProblemKind::ControlCharacters => {
                write!(f, "cellen innehåller otillåtna tecken (styrtecken eller binära data)")
            }
            ProblemKind::TooLong { max } => write!(f, "värdet är för långt, högst {max} tecken"),
        }
    }
}

/// All problems found in an import; the import returns no data when there is one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ImportErrors {
    /// Every problem, in file order.
    pub problems: Vec<Problem>,
    /// How many problems `Display` lists before summarising the rest by kind.
    pub listed: usize,
}

impl ImportErrors {
    pub fn new(problems: Vec<Problem>) -> Self {
        ImportErrors { problems, listed: DEFAULT_LISTED }
    }

    /// The problems after the first `listed`, counted by file, kind and column, most
    /// frequent first: "12 × ogiltigt datum i kolumn utredning_slut (arenden.csv)".
    pub fn rest(&self) -> Vec<String> {
        let mut counts: BTreeMap<(&str, &str, &str), u64> = BTreeMap::new();
        for p in self.problems.iter().skip(self.listed) {
            *counts.entry((p.file.as_str(), p.kind.label(), p.column.as_str())).or_default() += 1;
        }
        let mut counts: Vec<_> = counts.into_iter().collect();
        counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        counts
            .into_iter()
            .map(|((file, label, column), n)| format!("{} × {label} i kolumn {column} ({file})", thousands(n)))
            .collect()
    }
}

impl fmt::Display for ImportErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let total = self.problems.len();
        writeln!(f, "Importen avbröts: {} fel hittades. Inga uppgifter har lästs in.", thousands(total as u64))?;
        for p in self.problems.iter().take(self.listed) {
            writeln!(f, "{p}")?;
        }
        if total > self.listed {
            writeln!(f, "… och {} fel till:", thousands((total - self.listed) as u64))?;
            for line in self.rest() {
                writeln!(f, "  {line}")?;
            }
        }
        Ok(())
    }
}

/// Why an import failed: a file could not be read, or its contents are invalid.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("kunde inte läsa filen {file}")]
    Io {
        file: String,
        #[source]
        source: std::io::Error,
    },
    /// A spreadsheet that cannot be read, or lacks the sheet asked for; `reason` in Swedish.
    #[error("kunde inte läsa arbetsboken {file}: {reason}")]
    Workbook { file: String, reason: String },
    #[error(transparent)]
    Invalid(#[from] ImportErrors),
}

/// `1234567` as `1 234 567` (space as thousands separator, as Swedish text writes it).
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_groups_by_three() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(4950), "4 950");
        assert_eq!(thousands(1234567), "1 234 567");
    }
}
