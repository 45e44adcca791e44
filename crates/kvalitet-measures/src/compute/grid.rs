//! The slots results are gathered in, the period as day numbers, and what a slot holds.

use crate::data::{CaseId, NameId, Names};
use crate::day::Day;
use crate::period::{By, Period};

use super::ComputeOptions;

/// The slots of a computation (see the module docs).
pub(super) struct Grid<'o> {
    pub(super) options: &'o ComputeOptions,
    pub(super) months: Vec<(String, Period)>,
    /// Year and month of the period's first day.
    first_month: (i32, i32),
    /// Whether the case ids outside a limit are kept, or only counted.
    pub(super) keep_case_ids: bool,
}

impl<'o> Grid<'o> {
    pub(super) fn new(options: &'o ComputeOptions, keep_case_ids: bool) -> Self {
        let months = match options.by {
            By::Month => options.period.months(),
            _ => Vec::new(),
        };
        Grid { options, months, first_month: Day::from(options.period.from).year_month(), keep_case_ids }
    }

    /// The slots an event dated `d` (inside the period) in `unit` counts in.
    pub(super) fn event_slots(&self, unit: NameId, d: Day) -> [Option<usize>; 2] {
        let extra = match self.options.by {
            By::None => None,
            By::Unit => Some(1 + unit as usize),
            By::Month => {
                let (y, m) = d.year_month();
                let (fy, fm) = self.first_month;
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

    /// The whole period, then each month (with `By::Month`), as day ranges.
    pub(super) fn all_periods(&self) -> impl Iterator<Item = DayRange> + '_ {
        std::iter::once(self.options.period).chain(self.months.iter().map(|(_, p)| *p)).map(DayRange::new)
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
    /// The case ids outside, kept in `outside` or not.
    pub(super) outside_count: u64,
}

impl Acc {
    /// Adds what `other` gathered (from later rows).
    pub(super) fn merge(&mut self, other: Acc) {
        self.num += other.num;
        self.den += other.den;
        self.extension += other.extension;
        self.sum += other.sum;
        self.max = self.max.max(other.max);
        self.days.extend(other.days);
        self.outside.extend(other.outside);
        self.outside_count += other.outside_count;
    }

    /// Counts a row: in the denominator, and in the numerator when `within` the limit,
    /// else as outside it. Returns whether it was outside.
    pub(super) fn count(&mut self, within: bool, id: Option<&CaseId>, keep: bool) -> bool {
        self.den += 1;
        if within {
            self.num += 1;
        } else {
            self.note_outside(id, keep);
        }
        !within
    }

    /// Notes a row outside the limit (or counted), by its case id if it has one.
    pub(super) fn note_outside(&mut self, id: Option<&CaseId>, keep: bool) {
        if let Some(id) = id {
            self.outside_count += 1;
            if keep {
                self.outside.push(id.clone());
            }
        }
    }
}

/// One value per slot, grown as unit slots turn up (the number of units is known only
/// when every file has been read).
#[derive(Debug, Clone)]
pub(super) struct Slots<T>(Vec<T>);

impl<T> Default for Slots<T> {
    fn default() -> Self {
        Slots(Vec::new())
    }
}

impl<T: Default> Slots<T> {
    pub(super) fn at(&mut self, slot: usize) -> &mut T {
        if slot >= self.0.len() {
            self.0.resize_with(slot + 1, T::default);
        }
        &mut self.0[slot]
    }

    /// Moves each value to slot `to(slot)` (distinct slots stay distinct).
    pub(super) fn renumber(&mut self, to: impl Fn(usize) -> usize) {
        let mut out = Slots::default();
        for (slot, v) in std::mem::take(&mut self.0).into_iter().enumerate() {
            *out.at(to(slot)) = v;
        }
        *self = out;
    }

    /// Adds `other`'s values slot by slot with `add`.
    pub(super) fn merge(&mut self, other: Slots<T>, add: impl Fn(&mut T, T)) {
        for (slot, v) in other.0.into_iter().enumerate() {
            add(self.at(slot), v);
        }
    }
}
