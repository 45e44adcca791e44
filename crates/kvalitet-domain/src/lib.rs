//! The domain of systematic quality work in Swedish social services: the things a
//! municipality plans, runs and follows up, their validation and their rules.
//!
//! Architecture invariant: this crate does no I/O. No database, no HTTP, no files, no
//! clock: callers pass "today" in. Everything here is plain data and pure functions, so
//! the web server, the CLI, the document generators and the tests share one set of rules.

pub mod access;
pub mod action;
pub mod bundle;
pub mod code;
pub mod correction;
pub mod cycle;
pub mod deviation;
pub mod deviation_stats;
pub mod id;
pub mod indicator;
pub mod measure;
pub mod org;
pub mod plan;
pub mod report;
pub mod risk;
pub mod self_inspection;
pub mod stats;
pub mod validate;

pub use code::Code;
pub use id::{Id, Versioned};
pub use validate::{FieldError, Problem, Validate, ValidationErrors};

/// A calendar date (Swedish calendar, `YYYY-MM-DD`).
pub type Date = jiff::civil::Date;
