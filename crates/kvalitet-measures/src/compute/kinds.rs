//! How each kind of measure is computed, row by row: a state per measure that every row
//! of its table is fed to, that states of other threads are merged into, and that gives
//! the results at the end.

use crate::data::{NameId, Names, TargetGroup};
use crate::day::Day;
use crate::definition::{DateField, Kind, Limit, MeasureDef};
use crate::format::Table;
use crate::fxhash::FastMap;
use crate::period::{By, Period};
use crate::result::{MeasureResult, ValueType};

use super::grid::{Acc, DayRange, Grid, Slots};
use super::join::{Investigation, Population, Starts, started_during};
use super::rows::Row;

/// One measure being computed.
pub(super) struct State {
    pub(super) def: MeasureDef,
    kind: KindState,
}

enum KindState {
    Within {
        from: DateField,
        to: DateField,
        limit: Limit,
        group: Option<TargetGroup>,
        accs: Slots<Acc>,
    },
    Days {
        from: DateField,
        to: DateField,
        group: Option<TargetGroup>,
        accs: Slots<Acc>,
    },
    Pending {
        from: DateField,
        to: DateField,
        checks: Vec<StateCheck>,
        accs: Slots<Acc>,
    },
    Plans {
        checks: Vec<StateCheck>,
        accs: Slots<Acc>,
    },
    During {
        group: Option<TargetGroup>,
        population: Population,
        starts: Starts,
    },
    Count {
        date: DateField,
        totals: Slots<u64>,
        groups: FastMap<(usize, NameId), u64>,
    },
    /// Occupied place-days per period (the whole period, then each month) and
    /// intervention name; which names are residential units is known only at the end.
    Occupancy {
        occupied: Vec<Vec<u64>>,
    },
}

/// A state-at-period-end evaluated at one day: the slot for all units, whether per-unit
/// slots apply, the end day, and the kind's threshold (`None`: no row can qualify).
#[derive(Clone, Copy)]
struct StateCheck {
    end: Day,
    threshold: Option<Day>,
    all: usize,
    per_unit: bool,
}

impl State {
    /// A fresh state for a validated definition.
    pub(super) fn new(def: &MeasureDef, grid: &Grid<'_>) -> anyhow::Result<State> {
        let limit = def.limit()?;
        let checks = |threshold: &dyn Fn(Period) -> Option<Day>| {
            grid.state_periods()
                .into_iter()
                .map(|(p, all, per_unit)| StateCheck { end: Day::from(p.to), threshold: threshold(p), all, per_unit })
                .collect::<Vec<_>>()
        };
        let kind = match def.kind.clone() {
            Kind::WithinLimit { from, to, target_group, .. } => KindState::Within {
                from,
                to,
                limit: limit.expect("validated"),
                group: target_group,
                accs: Slots::default(),
            },
            Kind::MeanDays { from, to, target_group } => {
                KindState::Days { from, to, group: target_group, accs: Slots::default() }
            }
            Kind::PendingOverLimit { from, to, .. } => {
                let limit = limit.expect("validated");
                // A threshold before 1900 (a period early in 1900): no row can be that old.
                let checks = checks(&|p| Day::new(limit.before(p.to)));
                KindState::Pending { from, to, checks, accs: Slots::default() }
            }
            Kind::PlanFollowedUp { .. } => {
                let limit = limit.expect("validated");
                // Before 1900 is the same as the first day a row can have.
                let checks = checks(&|p| Some(Day::new(limit.before(p.to)).unwrap_or(Day::from_ymd(1900, 1, 1))));
                KindState::Plans { checks, accs: Slots::default() }
            }
            Kind::InterventionDuringInvestigation { target_group } => {
                KindState::During { group: target_group, population: Population::default(), starts: Starts::default() }
            }
            Kind::CountByGroup { date } => {
                KindState::Count { date, totals: Slots::default(), groups: FastMap::default() }
            }
            Kind::Occupancy => KindState::Occupancy { occupied: vec![Vec::new(); 1 + grid.months.len()] },
        };
        Ok(State { def: def.clone(), kind })
    }

    /// The tables whose rows this measure reads.
    pub(super) fn reads(&self, table: Table) -> bool {
        match &self.kind {
            KindState::Within { to, .. } | KindState::Days { to, .. } | KindState::Pending { to, .. } => {
                to.table() == table
            }
            KindState::Count { date, .. } => date.table() == table,
            KindState::Plans { .. } | KindState::Occupancy { .. } => table == Table::Insatser,
            KindState::During { .. } => matches!(table, Table::Arenden | Table::Insatser),
        }
    }

    /// Takes one row of a table the measure reads.
    pub(super) fn row<R: Row>(&mut self, grid: &Grid<'_>, period: DayRange, r: &R) {
        match &mut self.kind {
            KindState::Within { from, to, limit, group, accs } => {
                // The cheapest test first: most rows end outside the period.
                let Some(t) = r.date(*to).filter(|t| period.contains(*t)) else { return };
                let Some(f) = r.date(*from) else { return };
                if group.is_some_and(|g| r.target_group() != Some(g)) {
                    return;
                }
                let within = t <= limit.deadline_day(f);
                let wait = i64::from(f.days_until(t));
                for slot in grid.event_slots(r.unit(), t).into_iter().flatten() {
                    let acc = accs.at(slot);
                    if acc.count(within, r.case_id(), grid.keep_case_ids) && r.date(DateField::Forlangning).is_some() {
                        acc.extension += 1;
                    }
                    acc.sum += wait;
                    acc.max = acc.max.max(Some(wait));
                }
            }
            KindState::Days { from, to, group, accs } => {
                let Some(t) = r.date(*to).filter(|t| period.contains(*t)) else { return };
                let Some(f) = r.date(*from) else { return };
                if group.is_some_and(|g| r.target_group() != Some(g)) {
                    return;
                }
                let d = f.days_until(t);
                for slot in grid.event_slots(r.unit(), t).into_iter().flatten() {
                    let acc = accs.at(slot);
                    acc.days.push(d);
                    acc.sum += i64::from(d);
                }
            }
            KindState::Pending { from, to, checks, accs } => {
                let Some(f) = r.date(*from) else { return };
                let t = r.date(*to);
                for c in checks.iter() {
                    let Some(threshold) = c.threshold else { continue };
                    if f > threshold || t.is_some_and(|t| t <= c.end) {
                        continue;
                    }
                    for slot in [Some(c.all), c.per_unit.then(|| 1 + r.unit() as usize)].into_iter().flatten() {
                        let acc = accs.at(slot);
                        acc.num += 1;
                        acc.note_outside(r.case_id(), grid.keep_case_ids);
                    }
                }
            }
            KindState::Plans { checks, accs } => {
                let (start, slut) = (r.date(DateField::Start), r.date(DateField::Slut));
                let (plan, followed_up) = (r.date(DateField::Genomforandeplan), r.date(DateField::PlanUppfoljning));
                for c in checks.iter() {
                    let active = start.is_some_and(|s| s <= c.end) && slut.is_none_or(|e| e > c.end);
                    if !active {
                        continue;
                    }
                    let earliest = c.threshold.expect("always set for plans");
                    let within =
                        plan.is_some_and(|g| g <= c.end) && followed_up.is_some_and(|u| earliest <= u && u <= c.end);
                    for slot in [Some(c.all), c.per_unit.then(|| 1 + r.unit() as usize)].into_iter().flatten() {
                        accs.at(slot).count(within, r.case_id(), grid.keep_case_ids);
                    }
                }
            }
            KindState::During { population, starts, .. } => match r.insats() {
                // An intervention: its start, when it can fall in an investigation that
                // ended in the period.
                Some(_) => {
                    if let (Some(s), Some(id)) = (r.date(DateField::Start), r.case_id())
                        && s <= period.to
                    {
                        starts.push(id.clone(), s);
                    }
                }
                // A case: in the population when its investigation ended in the period.
                None => {
                    if let (Some(start), Some(end), Some(id)) =
                        (r.date(DateField::UtredningStart), r.date(DateField::UtredningSlut), r.case_id())
                        && period.contains(end)
                    {
                        let group = r.target_group();
                        population.push(id.clone(), Investigation { start, end, unit: r.unit(), group });
                    }
                }
            },
            KindState::Count { date, totals, groups } => {
                let Some(d) = r.date(*date).filter(|d| period.contains(*d)) else { return };
                for slot in grid.event_slots(r.unit(), d).into_iter().flatten() {
                    *totals.at(slot) += 1;
                    if let Some(g) = r.insats() {
                        *groups.entry((slot, g)).or_default() += 1;
                    }
                }
            }
            KindState::Occupancy { occupied } => {
                let (Some(insats), Some(start)) = (r.insats(), r.date(DateField::Start)) else { return };
                let slut = r.date(DateField::Slut);
                for (p, per_name) in grid.all_periods().zip(occupied.iter_mut()) {
                    let first = start.max(p.from);
                    let last = match slut {
                        Some(e) => e.plus_days(-1).min(p.to),
                        None => p.to,
                    };
                    if last >= first {
                        let i = usize::from(insats);
                        if per_name.len() <= i {
                            per_name.resize(i + 1, 0);
                        }
                        per_name[i] += (first.days_until(last) + 1) as u64;
                    }
                }
            }
        }
    }

    /// Makes room for what about `rows` rows of `table` add (see [`super::Measures::reserve`]).
    pub(super) fn reserve(&mut self, table: Table, rows: usize) {
        if let KindState::During { population, starts, .. } = &mut self.kind {
            match table {
                Table::Arenden => population.reserve(rows),
                Table::Insatser => starts.reserve(rows),
                Table::Kontakter => {}
            }
        }
    }

    /// Renumbers unit slots and units from one file's unit ids to the merged ones.
    pub(super) fn remap_units(&mut self, by_unit: bool, remap: &[NameId]) {
        if let KindState::During { population, .. } = &mut self.kind {
            population.rest.iter_mut().for_each(|c| c.unit = remap[usize::from(c.unit)]);
        }
        if !by_unit {
            return;
        }
        let slot = |s: usize| if s == 0 { 0 } else { 1 + usize::from(remap[s - 1]) };
        match &mut self.kind {
            KindState::Within { accs, .. }
            | KindState::Days { accs, .. }
            | KindState::Pending { accs, .. }
            | KindState::Plans { accs, .. } => accs.renumber(slot),
            KindState::Count { totals, groups, .. } => {
                totals.renumber(slot);
                *groups = std::mem::take(groups).into_iter().map(|((s, g), n)| ((slot(s), g), n)).collect();
            }
            KindState::During { .. } | KindState::Occupancy { .. } => {}
        }
    }

    /// Adds what `other` (the same measure, fed other rows, later ones) has gathered.
    pub(super) fn merge(&mut self, other: State) {
        match (&mut self.kind, other.kind) {
            (KindState::Within { accs, .. }, KindState::Within { accs: o, .. })
            | (KindState::Days { accs, .. }, KindState::Days { accs: o, .. })
            | (KindState::Pending { accs, .. }, KindState::Pending { accs: o, .. })
            | (KindState::Plans { accs, .. }, KindState::Plans { accs: o, .. }) => accs.merge(o, Acc::merge),
            (KindState::During { population, starts, .. }, KindState::During { population: p, starts: s, .. }) => {
                population.append(p);
                starts.append(s);
            }
            (KindState::Count { totals, groups, .. }, KindState::Count { totals: t, groups: g, .. }) => {
                totals.merge(t, |a, b| *a += b);
                for (k, n) in g {
                    *groups.entry(k).or_default() += n;
                }
            }
            (KindState::Occupancy { occupied }, KindState::Occupancy { occupied: o }) => {
                for (mine, theirs) in occupied.iter_mut().zip(o) {
                    if mine.len() < theirs.len() {
                        mine.resize(theirs.len(), 0);
                    }
                    mine.iter_mut().zip(theirs).for_each(|(a, b)| *a += b);
                }
            }
            _ => unreachable!("states of one definition have one kind"),
        }
    }
}

/// What the results need besides the states: names, and which units occur.
pub(super) struct Finish<'a> {
    pub(super) grid: &'a Grid<'a>,
    pub(super) units: &'a Names,
    pub(super) insatser_names: &'a Names,
    pub(super) present: &'a super::Present,
}

impl State {
    /// The results of this measure, in output order.
    pub(super) fn results(self, f: &Finish<'_>) -> Vec<MeasureResult> {
        let mut out = Out { def: &self.def, f, results: Vec::new() };
        let def = &self.def;
        match self.kind {
            KindState::Within { to, accs, .. } => {
                let Kind::WithinLimit { report_extension, report_wait, .. } = def.kind else { unreachable!() };
                out.emit_accs(to.table(), accs, |r, acc| {
                    r.set_share(acc.num, acc.den);
                    if report_extension {
                        r.over_limit_with_extension = Some(acc.extension);
                    }
                    if report_wait && acc.den > 0 {
                        r.mean = Some(acc.sum as f64 / acc.den as f64);
                        r.max = acc.max;
                    }
                });
            }
            KindState::Days { to, accs, .. } => out.emit_accs(to.table(), accs, |r, acc| {
                r.value_type = ValueType::Days;
                r.denominator = Some(acc.days.len() as u64);
                if !acc.days.is_empty() {
                    r.value = Some(acc.sum as f64 / acc.days.len() as f64);
                    r.median = Some(median(&mut acc.days.clone()));
                }
            }),
            KindState::Pending { to, accs, .. } => out.emit_accs(to.table(), accs, |r, acc| {
                r.value_type = ValueType::Count;
                r.value = Some(acc.num as f64);
            }),
            KindState::Plans { accs, .. } => {
                out.emit_accs(Table::Insatser, accs, |r, acc| r.set_share(acc.num, acc.den))
            }
            KindState::During { group, population, starts } => {
                let accs = during_investigation(f.grid, group, population, starts);
                out.emit_accs(Table::Arenden, accs, |r, acc| r.set_share(acc.num, acc.den));
            }
            KindState::Count { date, totals, groups } => out.count(date.table(), totals, groups),
            KindState::Occupancy { occupied } => out.occupancy(occupied),
        }
        out.results
    }
}

/// Marks the investigations during which an intervention of the same case started and
/// counts them per slot.
fn during_investigation(
    grid: &Grid<'_>,
    group: Option<TargetGroup>,
    population: Population,
    starts: Starts,
) -> Slots<Acc> {
    let started = started_during(&population, &starts);
    drop(starts);
    let mut accs = Slots::default();
    for ((id, c), started) in population.ids.iter().zip(population.rest).zip(started) {
        if group.is_some_and(|g| c.group != Some(g)) {
            continue;
        }
        for slot in grid.event_slots(c.unit, c.end).into_iter().flatten() {
            let acc: &mut Acc = accs.at(slot);
            acc.count(started, Some(id), grid.keep_case_ids);
        }
    }
    accs
}

struct Out<'a> {
    def: &'a MeasureDef,
    f: &'a Finish<'a>,
    results: Vec<MeasureResult>,
}

impl Out<'_> {
    fn result(&self, unit: Option<String>, month: Option<String>) -> MeasureResult {
        let mut r = MeasureResult::new(&self.def.id, &self.def.name, ValueType::Share);
        r.unit = unit;
        r.month = month;
        r
    }

    /// Which units occur in `table` (for per-unit rows); for cases, only units with cases
    /// of the measure's target group.
    fn present(&self, table: Table) -> Vec<bool> {
        if self.f.grid.options.by != By::Unit {
            return Vec::new(); // only unit rows need it
        }
        let group = match &self.def.kind {
            Kind::WithinLimit { target_group, .. }
            | Kind::MeanDays { target_group, .. }
            | Kind::InterventionDuringInvestigation { target_group } => *target_group,
            _ => None,
        };
        let mut present = self.f.present.units(table, group);
        present.resize(self.f.units.len(), false);
        present
    }

    fn emit_accs(&mut self, table: Table, mut accs: Slots<Acc>, fill: impl Fn(&mut MeasureResult, &Acc)) {
        let present = self.present(table);
        for (slot, unit, month) in self.f.grid.report_slots(self.f.units, &present) {
            let mut r = self.result(unit, month);
            let acc = accs.at(slot);
            fill(&mut r, acc);
            r.outside = std::mem::take(&mut acc.outside);
            r.outside_count = acc.outside_count;
            self.results.push(r);
        }
    }

    fn count(&mut self, table: Table, mut totals: Slots<u64>, groups: FastMap<(usize, NameId), u64>) {
        let names = self.f.insatser_names;
        let present = self.present(table);
        for (slot, unit, month) in self.f.grid.report_slots(self.f.units, &present) {
            let mut r = self.result(unit.clone(), month.clone());
            r.value_type = ValueType::Count;
            r.value = Some(*totals.at(slot) as f64);
            self.results.push(r);
            let mut in_slot: Vec<(&str, u64)> =
                groups.iter().filter(|((s, _), _)| *s == slot).map(|((_, g), n)| (names.name(*g), *n)).collect();
            in_slot.sort();
            for (name, n) in in_slot {
                let mut r = self.result(unit.clone(), month.clone());
                r.value_type = ValueType::Count;
                r.group = Some(name.to_owned());
                r.value = Some(n as f64);
                self.results.push(r);
            }
        }
    }

    fn occupancy(&mut self, occupied: Vec<Vec<u64>>) {
        let grid = self.f.grid;
        let capacities = &grid.options.capacities;
        let names = self.f.insatser_names;
        // insats name id -> index of its residential unit in `capacities`.
        let residential: Vec<Option<usize>> = (0..names.len())
            .map(|id| {
                let name = names.name(id as NameId).to_lowercase();
                capacities.iter().position(|c| c.unit.trim().to_lowercase() == name)
            })
            .collect();
        let mut periods = vec![(None, grid.options.period)];
        periods.extend(grid.months.iter().map(|(l, p)| (Some(l.clone()), *p)));
        for ((month, p), per_name) in periods.into_iter().zip(occupied) {
            let mut occupied = vec![0u64; capacities.len()];
            for (id, n) in per_name.into_iter().enumerate() {
                if let Some(ci) = residential.get(id).copied().flatten() {
                    occupied[ci] += n;
                }
            }
            let days = p.days() as u64;
            let total_places: u64 = capacities.iter().map(|c| u64::from(c.places)).sum();
            let mut rows_out = vec![(None, occupied.iter().sum::<u64>(), total_places)];
            rows_out
                .extend(capacities.iter().zip(&occupied).map(|(c, o)| (Some(c.unit.clone()), *o, u64::from(c.places))));
            for (unit, occ, places) in rows_out {
                let mut r = self.result(unit, month.clone());
                r.value_type = ValueType::Occupancy;
                r.numerator = Some(occ);
                r.denominator = Some(places * days);
                r.value = (places > 0).then(|| occ as f64 / (places * days) as f64);
                self.results.push(r);
            }
        }
    }
}

/// The median of `days` (sorted in place); the mean of the two middle values when even.
fn median(days: &mut [i32]) -> f64 {
    days.sort_unstable();
    let n = days.len();
    if n % 2 == 1 { f64::from(days[n / 2]) } else { (f64::from(days[n / 2 - 1]) + f64::from(days[n / 2])) / 2.0 }
}
