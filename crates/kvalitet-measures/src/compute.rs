//! Computing the measures over a dataset for a period, for all units and per unit or month.
//!
//! Results are "slots": slot 0 is the whole period across all units; with `By::Unit`
//! slot `1 + unit` is one unit over the whole period; with `By::Month` slot `1 + i` is
//! month `i` across all units.

use std::sync::atomic::{AtomicUsize, Ordering};

use crate::data::{Case, CaseId, Contact, Dataset, Intervention, NameId, Names, TargetGroup};
use crate::day::Day;
use crate::definition::{DateField, Kind, Limit, MeasureDef};
use crate::format::Table;
use crate::fxhash::FastMap;
use crate::period::{By, Period};
use crate::result::{MeasureResult, ValueType};

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
pub fn compute(
    data: &Dataset,
    defs: &[MeasureDef],
    options: &ComputeOptions,
) -> anyhow::Result<Report> {
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
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(todo.len())
        .max(1);
    let next = AtomicUsize::new(0);
    let work = || -> anyhow::Result<Vec<(usize, Vec<MeasureResult>)>> {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(def) = todo.get(i) else {
                return Ok(done);
            };
            let mut results = Vec::new();
            Out {
                def,
                grid: &grid,
                data,
                results: &mut results,
            }
            .measure()?;
            done.push((i, results));
        }
    };
    let mut per_def: Vec<(usize, Vec<MeasureResult>)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads).map(|_| s.spawn(work)).collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a measure thread panicked"))
            .collect::<anyhow::Result<Vec<_>>>()
    })?
    .into_iter()
    .flatten()
    .collect();
    per_def.sort_by_key(|(i, _)| *i);
    report.results = per_def.into_iter().flat_map(|(_, r)| r).collect();
    Ok(report)
}

/// Uniform access to the rows of the three tables.
trait Row {
    fn date(&self, field: DateField) -> Option<Day>;
    fn unit(&self) -> NameId;
    fn case_id(&self) -> Option<&CaseId>;
    fn target_group(&self) -> Option<TargetGroup>;
    fn insats(&self) -> Option<NameId>;
}

impl Row for Case {
    fn date(&self, field: DateField) -> Option<Day> {
        match field {
            DateField::Aktualisering => self.aktualisering,
            DateField::Forhandsbedomning => self.forhandsbedomning,
            DateField::UtredningStart => self.utredning_start,
            DateField::UtredningSlut => self.utredning_slut,
            DateField::Forlangning => self.forlangning,
            _ => None,
        }
    }
    fn unit(&self) -> NameId {
        self.unit
    }
    fn case_id(&self) -> Option<&CaseId> {
        Some(&self.case_id)
    }
    fn target_group(&self) -> Option<TargetGroup> {
        Some(self.target_group)
    }
    fn insats(&self) -> Option<NameId> {
        None
    }
}

impl Row for Intervention {
    fn date(&self, field: DateField) -> Option<Day> {
        match field {
            DateField::Beslut => self.beslut,
            DateField::Verkstallighet => self.verkstallighet,
            DateField::Start => self.start,
            DateField::Slut => self.slut,
            DateField::PlaneradSlut => self.planerad_slut,
            DateField::Genomforandeplan => self.genomforandeplan,
            DateField::PlanUppfoljning => self.plan_uppfoljning,
            _ => None,
        }
    }
    fn unit(&self) -> NameId {
        self.unit
    }
    fn case_id(&self) -> Option<&CaseId> {
        Some(&self.case_id)
    }
    fn target_group(&self) -> Option<TargetGroup> {
        None
    }
    fn insats(&self) -> Option<NameId> {
        Some(self.insats)
    }
}

impl Row for Contact {
    fn date(&self, field: DateField) -> Option<Day> {
        match field {
            DateField::ForstaKontakt => self.forsta_kontakt,
            DateField::ForstaBesok => self.forsta_besok,
            _ => None,
        }
    }
    fn unit(&self) -> NameId {
        self.unit
    }
    fn case_id(&self) -> Option<&CaseId> {
        None
    }
    fn target_group(&self) -> Option<TargetGroup> {
        None
    }
    fn insats(&self) -> Option<NameId> {
        None
    }
}

/// The slots of a computation (see the module docs).
struct Grid<'o> {
    options: &'o ComputeOptions,
    months: Vec<(String, Period)>,
    slots: usize,
}

impl<'o> Grid<'o> {
    fn new(options: &'o ComputeOptions, units: usize) -> Self {
        let months = match options.by {
            By::Month => options.period.months(),
            _ => Vec::new(),
        };
        let slots = 1 + match options.by {
            By::None => 0,
            By::Unit => units,
            By::Month => months.len(),
        };
        Grid {
            options,
            months,
            slots,
        }
    }

    /// The slots an event dated `d` (inside the period) in `unit` counts in.
    fn event_slots(&self, unit: NameId, d: Day) -> [Option<usize>; 2] {
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
    fn state_periods(&self) -> Vec<(Period, usize, bool)> {
        let mut out = vec![(self.options.period, 0, self.options.by == By::Unit)];
        out.extend(
            self.months
                .iter()
                .enumerate()
                .map(|(i, (_, p))| (*p, 1 + i, false)),
        );
        out
    }

    /// The slots to report, in order, with their unit and month labels. Unit slots are
    /// given for the units in `present`, sorted by name.
    fn report_slots(
        &self,
        units: &Names,
        present: &[bool],
    ) -> Vec<(usize, Option<String>, Option<String>)> {
        let mut out = vec![(0, None, None)];
        match self.options.by {
            By::None => {}
            By::Unit => {
                let mut ids: Vec<usize> = (0..present.len()).filter(|u| present[*u]).collect();
                ids.sort_by(|a, b| units.name(*a as NameId).cmp(units.name(*b as NameId)));
                out.extend(
                    ids.into_iter()
                        .map(|u| (1 + u, Some(units.name(u as NameId).to_owned()), None)),
                );
            }
            By::Month => out.extend(
                self.months
                    .iter()
                    .enumerate()
                    .map(|(i, (label, _))| (1 + i, None, Some(label.clone()))),
            ),
        }
        out
    }
}

/// A period as day numbers, for fast comparisons in row loops.
#[derive(Clone, Copy)]
struct DayRange {
    from: Day,
    to: Day,
}

impl DayRange {
    fn new(p: Period) -> Self {
        DayRange {
            from: Day::from(p.from),
            to: Day::from(p.to),
        }
    }

    fn contains(&self, d: Day) -> bool {
        self.from <= d && d <= self.to
    }
}

/// What one slot has gathered.
#[derive(Debug, Clone, Default)]
struct Acc {
    num: u64,
    den: u64,
    extension: u64,
    sum: i64,
    max: Option<i64>,
    days: Vec<i32>,
    outside: Vec<CaseId>,
}

struct Out<'a> {
    def: &'a MeasureDef,
    grid: &'a Grid<'a>,
    data: &'a Dataset,
    results: &'a mut Vec<MeasureResult>,
}

impl Out<'_> {
    fn measure(&mut self) -> anyhow::Result<()> {
        let limit = self.def.limit()?;
        let data = self.data;
        match self.def.kind.clone() {
            Kind::WithinLimit {
                from,
                to,
                target_group,
                report_extension,
                report_wait,
                ..
            } => {
                let limit = limit.expect("validated");
                let accs = match to.table() {
                    Table::Arenden => self.within(cases(data), from, to, limit, target_group),
                    Table::Insatser => self.within(interventions(data), from, to, limit, None),
                    Table::Kontakter => self.within(contacts(data), from, to, limit, None),
                };
                self.emit_accs(to.table(), accs, |r, acc| {
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
            Kind::MeanDays {
                from,
                to,
                target_group,
            } => {
                let accs = match to.table() {
                    Table::Arenden => self.days(cases(data), from, to, target_group),
                    Table::Insatser => self.days(interventions(data), from, to, None),
                    Table::Kontakter => self.days(contacts(data), from, to, None),
                };
                self.emit_accs(to.table(), accs, |r, acc| {
                    r.value_type = ValueType::Days;
                    r.denominator = Some(acc.days.len() as u64);
                    if !acc.days.is_empty() {
                        r.value = Some(acc.sum as f64 / acc.days.len() as f64);
                        r.median = Some(median(&mut acc.days.clone()));
                    }
                });
            }
            Kind::PendingOverLimit { from, to, .. } => {
                let limit = limit.expect("validated");
                let accs = match to.table() {
                    Table::Arenden => self.pending(cases(data), from, to, limit),
                    Table::Insatser => self.pending(interventions(data), from, to, limit),
                    Table::Kontakter => self.pending(contacts(data), from, to, limit),
                };
                self.emit_accs(to.table(), accs, |r, acc| {
                    r.value_type = ValueType::Count;
                    r.value = Some(acc.num as f64);
                });
            }
            Kind::PlanFollowedUp { .. } => {
                let accs = self.plans(interventions(data), limit.expect("validated"));
                self.emit_accs(Table::Insatser, accs, |r, acc| {
                    r.set_share(acc.num, acc.den)
                });
            }
            Kind::InterventionDuringInvestigation { target_group } => {
                let accs = self.during_investigation(target_group);
                self.emit_accs(Table::Arenden, accs, |r, acc| r.set_share(acc.num, acc.den));
            }
            Kind::CountByGroup { date } => match date.table() {
                Table::Arenden => self.count(cases(data), date, Table::Arenden),
                Table::Insatser => self.count(interventions(data), date, Table::Insatser),
                Table::Kontakter => self.count(contacts(data), date, Table::Kontakter),
            },
            Kind::Occupancy => self.occupancy(),
        }
        Ok(())
    }

    fn within<R: Row>(
        &self,
        rows: &[R],
        from: DateField,
        to: DateField,
        limit: Limit,
        group: Option<TargetGroup>,
    ) -> Vec<Acc> {
        let period = DayRange::new(self.grid.options.period);
        let mut accs = vec![Acc::default(); self.grid.slots];
        for r in rows {
            let (Some(t), Some(f)) = (r.date(to), r.date(from)) else {
                continue;
            };
            if !period.contains(t) || group.is_some_and(|g| r.target_group() != Some(g)) {
                continue;
            }
            let within = t <= limit.deadline_day(f);
            let wait = i64::from(f.days_until(t));
            for slot in self.grid.event_slots(r.unit(), t).into_iter().flatten() {
                let acc = &mut accs[slot];
                acc.den += 1;
                if within {
                    acc.num += 1;
                } else {
                    acc.outside.extend(r.case_id().cloned());
                    if r.date(DateField::Forlangning).is_some() {
                        acc.extension += 1;
                    }
                }
                acc.sum += wait;
                acc.max = acc.max.max(Some(wait));
            }
        }
        accs
    }

    fn days<R: Row>(
        &self,
        rows: &[R],
        from: DateField,
        to: DateField,
        group: Option<TargetGroup>,
    ) -> Vec<Acc> {
        let period = DayRange::new(self.grid.options.period);
        let mut accs = vec![Acc::default(); self.grid.slots];
        for r in rows {
            let (Some(t), Some(f)) = (r.date(to), r.date(from)) else {
                continue;
            };
            if !period.contains(t) || group.is_some_and(|g| r.target_group() != Some(g)) {
                continue;
            }
            let d = f.days_until(t);
            for slot in self.grid.event_slots(r.unit(), t).into_iter().flatten() {
                accs[slot].days.push(d);
                accs[slot].sum += i64::from(d);
            }
        }
        accs
    }

    fn pending<R: Row>(
        &self,
        rows: &[R],
        from: DateField,
        to: DateField,
        limit: Limit,
    ) -> Vec<Acc> {
        let mut accs = vec![Acc::default(); self.grid.slots];
        for (p, all, per_unit) in self.grid.state_periods() {
            let threshold = Day::from(limit.before(p.to));
            let end = Day::from(p.to);
            for r in rows {
                let Some(f) = r.date(from) else { continue };
                if f > threshold || r.date(to).is_some_and(|t| t <= end) {
                    continue;
                }
                for slot in [Some(all), per_unit.then(|| 1 + r.unit() as usize)]
                    .into_iter()
                    .flatten()
                {
                    accs[slot].num += 1;
                    accs[slot].outside.extend(r.case_id().cloned());
                }
            }
        }
        accs
    }

    fn plans(&self, rows: &[Intervention], limit: Limit) -> Vec<Acc> {
        let mut accs = vec![Acc::default(); self.grid.slots];
        for (p, all, per_unit) in self.grid.state_periods() {
            let earliest = Day::from(limit.before(p.to));
            let end = Day::from(p.to);
            for r in rows {
                let active = r.start.is_some_and(|s| s <= end) && r.slut.is_none_or(|e| e > end);
                if !active {
                    continue;
                }
                let within = r.genomforandeplan.is_some_and(|g| g <= end)
                    && r.plan_uppfoljning
                        .is_some_and(|u| earliest <= u && u <= end);
                for slot in [Some(all), per_unit.then(|| 1 + r.unit as usize)]
                    .into_iter()
                    .flatten()
                {
                    accs[slot].den += 1;
                    if within {
                        accs[slot].num += 1;
                    } else {
                        accs[slot].outside.push(r.case_id.clone());
                    }
                }
            }
        }
        accs
    }

    fn during_investigation(&self, group: Option<TargetGroup>) -> Vec<Acc> {
        let cases = cases(self.data);
        let period = DayRange::new(self.grid.options.period);
        // Only the population's cases: investigations ended in the period.
        let index: FastMap<&str, usize> = cases
            .iter()
            .enumerate()
            .filter(|(_, c)| {
                c.utredning_start.is_some() && c.utredning_slut.is_some_and(|t| period.contains(t))
            })
            .map(|(i, c)| (&*c.case_id, i))
            .collect();
        let mut started = vec![false; cases.len()];
        for i in interventions(self.data) {
            let (Some(s), Some(&ci)) = (i.start, index.get(&*i.case_id)) else {
                continue;
            };
            let c = &cases[ci];
            if let (Some(a), Some(b)) = (c.utredning_start, c.utredning_slut)
                && a <= s
                && s <= b
            {
                started[ci] = true;
            }
        }
        let mut accs = vec![Acc::default(); self.grid.slots];
        for (ci, c) in cases.iter().enumerate() {
            let (Some(_), Some(t)) = (c.utredning_start, c.utredning_slut) else {
                continue;
            };
            if !period.contains(t) || group.is_some_and(|g| c.target_group != g) {
                continue;
            }
            for slot in self.grid.event_slots(c.unit, t).into_iter().flatten() {
                accs[slot].den += 1;
                if started[ci] {
                    accs[slot].num += 1;
                } else {
                    accs[slot].outside.push(c.case_id.clone());
                }
            }
        }
        accs
    }

    fn count<R: Row>(&mut self, rows: &[R], date: DateField, table: Table) {
        let period = DayRange::new(self.grid.options.period);
        let mut totals = vec![0u64; self.grid.slots];
        let mut groups: FastMap<(usize, NameId), u64> = FastMap::default();
        for r in rows {
            let Some(d) = r.date(date).filter(|d| period.contains(*d)) else {
                continue;
            };
            for slot in self.grid.event_slots(r.unit(), d).into_iter().flatten() {
                totals[slot] += 1;
                if let Some(g) = r.insats() {
                    *groups.entry((slot, g)).or_default() += 1;
                }
            }
        }
        let names = &self.data.insatser_names;
        let present = self.present(table);
        for (slot, unit, month) in self.grid.report_slots(&self.data.units, &present) {
            let mut r = self.result(unit.clone(), month.clone());
            r.value_type = ValueType::Count;
            r.value = Some(totals[slot] as f64);
            self.results.push(r);
            let mut in_slot: Vec<(&str, u64)> = groups
                .iter()
                .filter(|((s, _), _)| *s == slot)
                .map(|((_, g), n)| (names.name(*g), *n))
                .collect();
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

    fn occupancy(&mut self) {
        let capacities = &self.grid.options.capacities;
        let names = &self.data.insatser_names;
        // insats name id -> index of its residential unit in `capacities`.
        let residential: FastMap<NameId, usize> = (0..names.len())
            .map(|id| id as NameId)
            .filter_map(|id| {
                let name = names.name(id).to_lowercase();
                capacities
                    .iter()
                    .position(|c| c.unit.trim().to_lowercase() == name)
                    .map(|ci| (id, ci))
            })
            .collect();
        let mut periods = vec![(None, self.grid.options.period)];
        periods.extend(self.grid.months.iter().map(|(l, p)| (Some(l.clone()), *p)));
        let rows = interventions(self.data);
        for (month, p) in periods {
            let mut occupied = vec![0u64; capacities.len()];
            for r in rows {
                let (Some(ci), Some(start)) = (residential.get(&r.insats), r.start) else {
                    continue;
                };
                let first = start.max(Day::from(p.from));
                let last = match r.slut {
                    Some(e) => e.plus_days(-1).min(Day::from(p.to)),
                    None => Day::from(p.to),
                };
                if last >= first {
                    occupied[*ci] += (first.days_until(last) + 1) as u64;
                }
            }
            let days = p.days() as u64;
            let total_places: u64 = capacities.iter().map(|c| u64::from(c.places)).sum();
            let mut rows_out = vec![(None, occupied.iter().sum::<u64>(), total_places)];
            rows_out.extend(
                capacities
                    .iter()
                    .zip(&occupied)
                    .map(|(c, o)| (Some(c.unit.clone()), *o, u64::from(c.places))),
            );
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

    fn result(&self, unit: Option<String>, month: Option<String>) -> MeasureResult {
        let mut r = MeasureResult::new(&self.def.id, &self.def.name, ValueType::Share);
        r.unit = unit;
        r.month = month;
        r
    }

    /// Which units occur in `table` (for per-unit rows); for cases, only units with cases
    /// of the measure's target group.
    fn present(&self, table: Table) -> Vec<bool> {
        if self.grid.options.by != By::Unit {
            return Vec::new(); // only unit rows need it
        }
        let group = match &self.def.kind {
            Kind::WithinLimit { target_group, .. }
            | Kind::MeanDays { target_group, .. }
            | Kind::InterventionDuringInvestigation { target_group } => *target_group,
            _ => None,
        };
        let mut present = vec![false; self.data.units.len()];
        let mut mark = |u: NameId| present[u as usize] = true;
        match table {
            Table::Arenden => cases(self.data)
                .iter()
                .filter(|c| group.is_none_or(|g| c.target_group == g))
                .for_each(|c| mark(c.unit)),
            Table::Insatser => interventions(self.data).iter().for_each(|c| mark(c.unit)),
            Table::Kontakter => contacts(self.data).iter().for_each(|c| mark(c.unit)),
        }
        present
    }

    fn emit_accs(
        &mut self,
        table: Table,
        mut accs: Vec<Acc>,
        fill: impl Fn(&mut MeasureResult, &Acc),
    ) {
        let present = self.present(table);
        for (slot, unit, month) in self.grid.report_slots(&self.data.units, &present) {
            let mut r = self.result(unit, month);
            fill(&mut r, &accs[slot]);
            r.outside = std::mem::take(&mut accs[slot].outside);
            self.results.push(r);
        }
    }
}

fn cases(data: &Dataset) -> &[Case] {
    data.arenden.as_deref().unwrap_or(&[])
}

fn interventions(data: &Dataset) -> &[Intervention] {
    data.insatser.as_deref().unwrap_or(&[])
}

fn contacts(data: &Dataset) -> &[Contact] {
    data.kontakter.as_deref().unwrap_or(&[])
}

/// The median of `days` (sorted in place); the mean of the two middle values when even.
fn median(days: &mut [i32]) -> f64 {
    days.sort_unstable();
    let n = days.len();
    if n % 2 == 1 {
        f64::from(days[n / 2])
    } else {
        (f64::from(days[n / 2 - 1]) + f64::from(days[n / 2])) / 2.0
    }
}
