//! The `measures compute` command: arguments (clap) and the function the binary calls.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use anyhow::{Context, bail};
use jiff::civil::Date;

use crate::compute::{Capacity, ComputeOptions};
use crate::definition::{default_definitions, merge_definitions, parse_definitions};
use crate::format::parse_date;
use crate::output::{Format, write_results};
use crate::parse::{ImportOptions, Source, Sources, import_and_compute};
use crate::period::{By, Period};
use crate::xlsx::workbook_sources;

/// The long help of `measures compute`: the file format in brief. Clap applies it when the
/// subcommand variant has no doc comment of its own (a doc comment there replaces it).
pub const LONG_ABOUT: &str = "\
Beräknar mått för handläggningstider och processer ur en export från verksamhetssystemet.
Computes statutory-time and process measures from a case-management export.

FILES (CSV, UTF-8 with or without BOM or Windows-1252, delimiter ; or , from the header line,
dates YYYY-MM-DD or YYYYMMDD, empty cell = has not happened, headers in Swedish or English,
case-insensitive):

  arenden (cases), one row per case:
    case_id (ärende), person_id (person, personnummer), unit (enhet),
    target_group (målgrupp: barn | vuxen), aktualisering, forhandsbedomning,
    forhandsbedomning_beslut (inled | ej_inled, optional column), utredning_start,
    utredning_slut, forlangning (extension decision date, optional column)
  insatser (interventions), one row per decision:
    case_id, person_id, unit, insats (name, e.g. FBI, or a residential unit), beslut,
    verkstallighet, start, slut, planerad_slut, genomforandeplan, plan_uppfoljning
    (the last three optional columns)
  kontakter (walk-in contacts): unit, forsta_kontakt, forsta_besok

Spreadsheets (XLSX, XLSM, XLS, ODS): --xlsx BOOK reads the sheets named arenden, insatser
and kontakter (Ärenden etc. also match); a spreadsheet given as --arenden FILE etc. is read
from its sheet named after the table, else its first sheet. Date cells and text dates both
work; messages name the sheet as BOOK[sheet]:row:column.

person_id is replaced by HMAC-SHA256 under a random key while reading; it is never stored
or shown. A file with any problem is rejected with every problem as file:row:column.
Shares are fractions 0..1 in JSON/CSV (full precision) and per cent in the table.
See crates/kvalitet-measures/README.md for the measures and their rules.";

/// Arguments of `measures compute`.
#[derive(Debug, Clone, clap::Args)]
#[command(about = "Beräkna mått ur en export (ärenden, insatser, kontakter)", long_about = LONG_ABOUT)]
#[command(group(clap::ArgGroup::new("tables").required(true).multiple(true).args(["arenden", "insatser", "kontakter", "xlsx"])))]
pub struct ComputeArgs {
    /// The cases file (arenden).
    #[arg(long, value_name = "FILE")]
    pub arenden: Option<PathBuf>,
    /// The interventions file (insatser).
    #[arg(long, value_name = "FILE")]
    pub insatser: Option<PathBuf>,
    /// The walk-in contacts file (kontakter).
    #[arg(long, value_name = "FILE")]
    pub kontakter: Option<PathBuf>,
    /// A workbook (XLSX, XLSM, XLS, ODS) with sheets named arenden, insatser and/or
    /// kontakter; a file given with --arenden etc. replaces that sheet.
    #[arg(long, value_name = "FILE")]
    pub xlsx: Option<PathBuf>,
    /// First day of the period (YYYY-MM-DD or YYYYMMDD), included.
    #[arg(long, value_name = "DATE", value_parser = date_arg)]
    pub from: Date,
    /// Last day of the period (YYYY-MM-DD or YYYYMMDD), included.
    #[arg(long, value_name = "DATE", value_parser = date_arg)]
    pub to: Date,
    /// Breakdown besides the whole period for all units: `unit` adds each unit over the
    /// period, `month` adds each calendar month for all units.
    #[arg(long, value_enum, default_value_t = By::None)]
    pub by: By,
    /// A residential unit's places, as named in insatser.insats (repeatable).
    #[arg(long, value_name = "UNIT=PLACES", value_parser = capacity_arg)]
    pub capacity: Vec<Capacity>,
    /// A known unit; when given (repeatable), any other unit in the files is an error.
    #[arg(long = "unit", value_name = "UNIT")]
    pub known_units: Vec<String>,
    /// A TOML file of measures that override or add to the defaults.
    #[arg(long, value_name = "FILE")]
    pub measures: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write to FILE instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

fn date_arg(s: &str) -> Result<Date, String> {
    parse_date(s.as_bytes()).ok_or_else(|| format!("ogiltigt datum \"{s}\", skriv ÅÅÅÅ-MM-DD"))
}

fn capacity_arg(s: &str) -> Result<Capacity, String> {
    let (unit, places) = s.rsplit_once('=').ok_or_else(|| format!("skriv ENHET=PLATSER, inte \"{s}\""))?;
    let places = places.trim().parse().map_err(|_| format!("antalet platser ska vara ett heltal: \"{places}\""))?;
    if unit.trim().is_empty() {
        return Err("enhetens namn saknas".into());
    }
    Ok(Capacity { unit: unit.trim().to_owned(), places })
}

/// Runs `measures compute`: reads the files, computes, writes to `out` (or to `-o FILE`).
/// Skipped measures (a table not given) are noted on standard error.
pub fn run_compute(args: &ComputeArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    if args.arenden.is_none() && args.insatser.is_none() && args.kontakter.is_none() && args.xlsx.is_none() {
        bail!("ange minst en av --arenden, --insatser, --kontakter och --xlsx");
    }
    let period = Period::new(args.from, args.to)?;
    let mut defs = default_definitions();
    if let Some(path) = &args.measures {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("kunde inte läsa måttfilen {}", path.display()))?;
        let overrides = parse_definitions(&text).with_context(|| format!("fel i måttfilen {}", path.display()))?;
        defs = merge_definitions(defs, overrides);
    }
    let book = match &args.xlsx {
        Some(path) => workbook_sources(path)?,
        None => Sources::default(),
    };
    if args.xlsx.is_some() && book.arenden.is_none() && book.insatser.is_none() && book.kontakter.is_none() {
        bail!("arbetsboken har inget blad som heter arenden, insatser eller kontakter");
    }
    let sources = Sources {
        arenden: args.arenden.clone().map(Source::Path).or(book.arenden),
        insatser: args.insatser.clone().map(Source::Path).or(book.insatser),
        kontakter: args.kontakter.clone().map(Source::Path).or(book.kontakter),
    };
    let options = ImportOptions {
        known_units: (!args.known_units.is_empty()).then(|| args.known_units.iter().cloned().collect()),
    };
    // Nothing is kept: the measures are computed while the files are read.
    let compute = ComputeOptions { period, by: args.by, capacities: args.capacity.clone() };
    let report = import_and_compute(&sources, &options, &defs, &compute)?;
    for id in &report.skipped {
        eprintln!("Måttet {id} beräknades inte: en fil det behöver saknas.");
    }
    match &args.output {
        Some(path) => {
            let file = File::create(path).with_context(|| format!("kunde inte skapa {}", path.display()))?;
            let mut w = BufWriter::new(file);
            write_results(&report.results, args.format, &mut w)?;
            w.flush()?;
        }
        None => write_results(&report.results, args.format, out)?,
    }
    Ok(())
}
