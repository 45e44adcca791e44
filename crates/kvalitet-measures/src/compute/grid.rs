//! The slots results are gathered in, the period as day numbers, and what a slot holds.

use crate::data::{CaseId, NameId, Names};
use crate::day::Day;
use crate::period::{By, Period};

use super::ComputeOptions;

/// The slots of a computation (see the module docs).
pub(super) struct Grid<'o> {
    pub(super) options: &'o ComputeOptions,
    pub(super) months: Vec<(String, Period)>,
    pub(super) slots: usize,
}

impl<'o> Grid<'o> {
    pub(super) fn new(options: &'o ComputeOptions, units: usize) -> Self {
        let months = match options.by {
            By::Month => options.period.months(),
            _ => Vec::new(),
        };
        let slots = 1 + match options.by {
            By::None => 0,
            By::Unit => units,
            By::Month => months.len(),
        };
        Grid { options, months, slots }
    }

    /// The slots an event dated `d` (inside the period) in `unit` counts in.
    pub(super) fn event_slots(&self, unit: NameId, d: Day) -> [Option<usize>; 2] {
        let extra = match self.options.by {
            By::None => None,
            By::Unit => Some(1 + unit as usize),
            By::Month => {
                let (y, m) = d.year_month();
                let (fy, fm) = Day::from(self.options.period.from).year_month();
                Some(1 + ((y - fy) * 12 + m - fm) as usize)
            }
        };
        [Some(0), extra]
    }

    /// The periods a state-at-period-end measure is evaluated at: (period, slot for all
    /// units, whether per-unit slots apply).
    pub(super) fn state_periods(&self) -> Vec<(Period, usize, bool)> {
        let mut out = vec![(self.options.period, 0, self.options.by == By::Unit)];
        out.extend(self.months.iter().enumerate().map(|(i, (_, p))| (*p, 1 + i, false)));
        out
    }

    /// The slots to report, in order, with their unit and month labels. Unit slots are
    /// given for the units in `present`, sorted by name.
    pub(super) fn report_slots(&self, units: &Names, present: &[bool]) -> Vec<(usize, Option<String>, Option<String>)> {
        let mut out = vec![(0, None, None)];
        match self.options.by {
            By::None => {}
            By::Unit => {
                let mut ids: Vec<usize> = (0..present.len()).filter(|u| present[*u]).collect();
                ids.sort_by(|a, b| units.name(*a as NameId).cmp(units.name(*b as NameId)));
                out.extend(ids.into_iter().map(|u| (1 + u, Some(units.name(u as NameId).to_owned()), None)));
            }
            By::Month => {
                out.extend(self.months.iter().enumerate().map(|(i, (label, _))| (1 + i, None, Some(label.clone()))))
            }
        }
        out
    }
}

/// A period as day numbers, for fast comparisons in row loops.
#[derive(Clone, Copy)]
pub(super) struct DayRange {
    pub(super) from: Day,
    pub(super) to: Day,
}

impl DayRange {
    pub(super) fn new(p: Period) -> Self {
        DayRange { from: Day::from(p.from), to: Day::from(p.to) }
    }

    pub(super) fn contains(&self, d: Day) -> bool {
        self.from <= d && d <= self.to
    }
}

/// What one slot has gathered.
#[derive(Debug, Clone, Default)]
pub(super) struct Acc {
    pub(super) num: u64,
    pub(super) den: u64,
    pub(super) extension: u64,
    pub(super) sum: i64,
    pub(super) max: Option<i64>,
    pub(super) days: Vec<i32>,
    pub(super) outside: Vec<CaseId>,
}
