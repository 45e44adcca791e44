//! Statutory-time and process measures computed from a case-management export (feature F9).
//!
//! The pure computing core: read the export ([`import`]), compute the measures
//! ([`compute()`]) and write them ([`write_results`]); [`run_compute`] does all three for
//! the `measures compute` command. No database. See `README.md` for the import format.

pub mod cli;
pub mod compute;
pub mod data;
pub mod day;
pub mod definition;
pub mod error;
pub mod format;
pub mod fxhash;
pub mod output;
pub mod parse;
pub mod period;
pub mod pseudo;
pub mod result;
pub mod xlsx;

pub use cli::{ComputeArgs, run_compute};
pub use compute::{Capacity, ComputeOptions, Report, compute};
pub use data::{Case, CaseId, Contact, Dataset, Intervention, TargetGroup};
pub use day::Day;
pub use definition::{DEFAULT_MEASURES_TOML, MeasureDef, default_definitions, merge_definitions, parse_definitions};
pub use error::{ImportError, ImportErrors, Problem, ProblemKind};
pub use output::{Format, write_results};
pub use parse::{ImportOptions, Source, Sources, import, import_and_compute, import_counting};
pub use period::{By, Period};
pub use pseudo::{PersonKey, Secret, SecretError};
pub use result::{MeasureResult, ValueType};
pub use xlsx::workbook_sources;
