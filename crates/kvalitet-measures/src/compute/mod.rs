//! Computing the measures over a dataset for a period, for all units and per unit or month.
//!
//! Results are "slots": slot 0 is the whole period across all units; with `By::Unit`
//! slot `1 + unit` is one unit over the whole period; with `By::Month` slot `1 + i` is
//! month `i` across all units.

use std::sync::atomic::{AtomicUsize, Ordering};

mod grid;
mod kinds;
mod rows;

use grid::Grid;
use kinds::Out;

use crate::data::Dataset;
use crate::definition::MeasureDef;
use crate::format::Table;
use crate::period::{By, Period};
use crate::result::MeasureResult;

/// A residential unit's number of places.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capacity {
    /// The residential unit, as named in `insatser.insats` (compared case-insensitively).
    pub unit: String,
    pub places: u32,
}

/// What to compute over.
#[derive(Debug, Clone)]
pub struct ComputeOptions {
    pub period: Period,
    pub by: By,
    pub capacities: Vec<Capacity>,
}

/// The results, and the ids of measures skipped because a table they read was not given.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub results: Vec<MeasureResult>,
    pub skipped: Vec<String>,
}

/// Computes every definition over `data`, the measures spread over the available cores;
/// results come in definition order.
pub fn compute(data: &Dataset, defs: &[MeasureDef], options: &ComputeOptions) -> anyhow::Result<Report> {
    let grid = Grid::new(options, data.units.len());
    let mut report = Report::default();
    let mut todo = Vec::new();
    for def in defs {
        def.validate()?;
        let present = def.tables().iter().all(|t| match t {
            Table::Arenden => data.arenden.is_some(),
            Table::Insatser => data.insatser.is_some(),
            Table::Kontakter => data.kontakter.is_some(),
        });
        if present {
            todo.push(def);
        } else {
            report.skipped.push(def.id.clone());
        }
    }
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(todo.len()).max(1);
    let next = AtomicUsize::new(0);
    let work = || -> anyhow::Result<Vec<(usize, Vec<MeasureResult>)>> {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(def) = todo.get(i) else {
                return Ok(done);
            };
            let mut results = Vec::new();
            Out { def, grid: &grid, data, results: &mut results }.measure()?;
            done.push((i, results));
        }
    };
    let mut per_def: Vec<(usize, Vec<MeasureResult>)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads).map(|_| s.spawn(work)).collect();
        handles.into_iter().map(|h| h.join().expect("a measure thread panicked")).collect::<anyhow::Result<Vec<_>>>()
    })?
    .into_iter()
    .flatten()
    .collect();
    per_def.sort_by_key(|(i, _)| *i);
    report.results = per_def.into_iter().flat_map(|(_, r)| r).collect();
    Ok(report)
}
