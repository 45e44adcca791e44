//! Computing the measures over a dataset for a period, for all units and per unit or month.
//!
//! Results are "slots": slot 0 is the whole period across all units; with `By::Unit`
//! slot `1 + unit` is one unit over the whole period; with `By::Month` slot `1 + i` is
//! month `i` across all units.

mod grid;
mod join;
mod kinds;
mod rows;

use grid::{DayRange, Grid};
use kinds::{Finish, State};
use rows::Row;

use crate::data::{Case, Contact, Dataset, Intervention, NameId, Names, TargetGroup};
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

/// Computes every definition over `data`; results come in definition order. The tables
/// are read on two threads (cases; interventions and contacts), each row once for all
/// measures, as the importer does while it reads (see [`crate::import_and_compute`]).
pub fn compute(data: &Dataset, defs: &[MeasureDef], options: &ComputeOptions) -> anyhow::Result<Report> {
    let present = |t: Table| match t {
        Table::Arenden => data.arenden.is_some(),
        Table::Insatser => data.insatser.is_some(),
        Table::Kontakter => data.kontakter.is_some(),
    };
    let (mut cases, skipped) = Measures::new(defs, options, true, present)?;
    let mut others = cases.fresh();
    std::thread::scope(|s| {
        s.spawn(|| data.arenden.iter().flatten().for_each(|c| cases.case(c)));
        data.insatser.iter().flatten().for_each(|i| others.intervention(i));
        data.kontakter.iter().flatten().for_each(|k| others.contact(k));
    });
    cases.merge(others);
    Ok(Report { results: cases.finish(&data.units, &data.insatser_names), skipped })
}

/// The measures of one computation, fed row by row: by [`compute`] from a [`Dataset`],
/// or by the importer while it reads, one `Measures` per file, merged at the end.
pub(crate) struct Measures<'o> {
    grid: Grid<'o>,
    period: DayRange,
    states: Vec<State>,
    /// Indices into `states` of the measures reading each table (by `Table as usize`).
    by_table: [Vec<usize>; 3],
    present: Present,
}

impl<'o> Measures<'o> {
    /// The measures of `defs` (validated) whose tables are all given (`given`), and the
    /// ids of the others. Without `keep_case_ids` the case ids outside a limit are only
    /// counted (`MeasureResult::outside` stays empty).
    pub(crate) fn new(
        defs: &[MeasureDef],
        options: &'o ComputeOptions,
        keep_case_ids: bool,
        given: impl Fn(Table) -> bool,
    ) -> anyhow::Result<(Measures<'o>, Vec<String>)> {
        let grid = Grid::new(options, keep_case_ids);
        let mut states = Vec::new();
        let mut skipped = Vec::new();
        for def in defs {
            def.validate()?;
            if def.tables().iter().all(|t| given(*t)) {
                states.push(State::new(def, &grid)?);
            } else {
                skipped.push(def.id.clone());
            }
        }
        let by_table = [Table::Arenden, Table::Insatser, Table::Kontakter]
            .map(|t| (0..states.len()).filter(|i| states[*i].reads(t)).collect());
        let period = DayRange::new(options.period);
        Ok((Measures { grid, period, states, by_table, present: Present::default() }, skipped))
    }

    /// The same measures with nothing gathered, for another thread.
    pub(crate) fn fresh(&self) -> Measures<'o> {
        let states = self.states.iter().map(|s| State::new(&s.def, &self.grid).expect("valid before")).collect();
        let grid = Grid::new(self.grid.options, self.grid.keep_case_ids);
        Measures { grid, period: self.period, states, by_table: self.by_table.clone(), present: Present::default() }
    }

    pub(crate) fn case(&mut self, c: &Case) {
        self.row(Table::Arenden, c);
    }

    pub(crate) fn intervention(&mut self, i: &Intervention) {
        self.row(Table::Insatser, i);
    }

    pub(crate) fn contact(&mut self, k: &Contact) {
        self.row(Table::Kontakter, k);
    }

    fn row<R: Row>(&mut self, table: Table, r: &R) {
        if self.grid.options.by == By::Unit {
            self.present.mark(table, r.unit(), r.target_group());
        }
        for i in &self.by_table[table as usize] {
            self.states[*i].row(&self.grid, self.period, r);
        }
    }

    /// Makes room for what about `rows` rows of `table` add, instead of growing step by
    /// step (each step copies and touches fresh memory).
    pub(crate) fn reserve(&mut self, table: Table, rows: usize) {
        for i in &self.by_table[table as usize] {
            self.states[*i].reserve(table, rows);
        }
    }

    /// Renumbers units from one file's unit ids to the merged ones (`remap[local]`).
    pub(crate) fn remap_units(&mut self, remap: &[NameId]) {
        let by_unit = self.grid.options.by == By::Unit;
        self.states.iter_mut().for_each(|s| s.remap_units(by_unit, remap));
        self.present.remap(remap);
    }

    /// Adds what `other` (fed other rows, later ones) has gathered.
    pub(crate) fn merge(&mut self, other: Measures<'_>) {
        for (mine, theirs) in self.states.iter_mut().zip(other.states) {
            mine.merge(theirs);
        }
        self.present.merge(other.present);
    }

    /// The results, in definition order.
    pub(crate) fn finish(self, units: &Names, insatser_names: &Names) -> Vec<MeasureResult> {
        let finish = Finish { grid: &self.grid, units, insatser_names, present: &self.present };
        self.states.into_iter().flat_map(|s| s.results(&finish)).collect()
    }
}

/// Which units occur in each table, and for cases in each target group (for per-unit
/// rows, which are given only for units that occur).
#[derive(Debug, Default)]
pub(super) struct Present {
    tables: [Vec<bool>; 3],
    barn: Vec<bool>,
    vuxen: Vec<bool>,
}

impl Present {
    fn mark(&mut self, table: Table, unit: NameId, group: Option<TargetGroup>) {
        let set = |v: &mut Vec<bool>| {
            let u = usize::from(unit);
            if v.len() <= u {
                v.resize(u + 1, false);
            }
            v[u] = true;
        };
        set(&mut self.tables[table as usize]);
        match group {
            Some(TargetGroup::Barn) => set(&mut self.barn),
            Some(TargetGroup::Vuxen) => set(&mut self.vuxen),
            None => {}
        }
    }

    /// The units of `table` (of cases of `group` when given), indexed by unit id.
    pub(super) fn units(&self, table: Table, group: Option<TargetGroup>) -> Vec<bool> {
        match (table, group) {
            (Table::Arenden, Some(TargetGroup::Barn)) => self.barn.clone(),
            (Table::Arenden, Some(TargetGroup::Vuxen)) => self.vuxen.clone(),
            _ => self.tables[table as usize].clone(),
        }
    }

    fn remap(&mut self, remap: &[NameId]) {
        for v in self.tables.iter_mut().chain([&mut self.barn, &mut self.vuxen]) {
            let mut out = Vec::new();
            for (u, _) in v.iter().enumerate().filter(|(_, p)| **p) {
                let to = usize::from(remap[u]);
                if out.len() <= to {
                    out.resize(to + 1, false);
                }
                out[to] = true;
            }
            *v = out;
        }
    }

    fn merge(&mut self, other: Present) {
        let [a, b, c] = other.tables;
        for (mine, theirs) in
            self.tables.iter_mut().chain([&mut self.barn, &mut self.vuxen]).zip([a, b, c, other.barn, other.vuxen])
        {
            if mine.len() < theirs.len() {
                mine.resize(theirs.len(), false);
            }
            mine.iter_mut().zip(theirs).for_each(|(m, t)| *m |= t);
        }
    }
}
