//! How each kind of measure is computed: one method per kind, filling the slots.

use crate::data::{Dataset, Intervention, NameId, TargetGroup};
use crate::day::Day;
use crate::definition::{DateField, Kind, Limit, MeasureDef};
use crate::format::Table;
use crate::fxhash::FastMap;
use crate::period::By;
use crate::result::{MeasureResult, ValueType};

use super::grid::{Acc, DayRange, Grid};
use super::rows::{Row, cases, contacts, interventions};

pub(super) struct Out<'a> {
    pub(super) def: &'a MeasureDef,
    pub(super) grid: &'a Grid<'a>,
    pub(super) data: &'a Dataset,
    pub(super) results: &'a mut Vec<MeasureResult>,
}

impl Out<'_> {
    pub(super) fn measure(&mut self) -> anyhow::Result<()> {
        let limit = self.def.limit()?;
        let data = self.data;
        match self.def.kind.clone() {
            Kind::WithinLimit { from, to, target_group, report_extension, report_wait, .. } => {
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
            Kind::MeanDays { from, to, target_group } => {
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
                self.emit_accs(Table::Insatser, accs, |r, acc| r.set_share(acc.num, acc.den));
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

    pub(super) fn within<R: Row>(
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
            // The cheapest test first: most rows end outside the period.
            let Some(t) = r.date(to).filter(|t| period.contains(*t)) else {
                continue;
            };
            let Some(f) = r.date(from) else { continue };
            if group.is_some_and(|g| r.target_group() != Some(g)) {
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

    pub(super) fn days<R: Row>(
        &self,
        rows: &[R],
        from: DateField,
        to: DateField,
        group: Option<TargetGroup>,
    ) -> Vec<Acc> {
        let period = DayRange::new(self.grid.options.period);
        let mut accs = vec![Acc::default(); self.grid.slots];
        for r in rows {
            // The cheapest test first: most rows end outside the period.
            let Some(t) = r.date(to).filter(|t| period.contains(*t)) else {
                continue;
            };
            let Some(f) = r.date(from) else { continue };
            if group.is_some_and(|g| r.target_group() != Some(g)) {
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

    pub(super) fn pending<R: Row>(&self, rows: &[R], from: DateField, to: DateField, limit: Limit) -> Vec<Acc> {
        let mut accs = vec![Acc::default(); self.grid.slots];
        for (p, all, per_unit) in self.grid.state_periods() {
            // A threshold before 1900 (a period early in 1900): no row can be that old.
            let Some(threshold) = Day::new(limit.before(p.to)) else { continue };
            let end = Day::from(p.to);
            for r in rows {
                let Some(f) = r.date(from) else { continue };
                if f > threshold || r.date(to).is_some_and(|t| t <= end) {
                    continue;
                }
                for slot in [Some(all), per_unit.then(|| 1 + r.unit() as usize)].into_iter().flatten() {
                    accs[slot].num += 1;
                    accs[slot].outside.extend(r.case_id().cloned());
                }
            }
        }
        accs
    }

    pub(super) fn plans(&self, rows: &[Intervention], limit: Limit) -> Vec<Acc> {
        let mut accs = vec![Acc::default(); self.grid.slots];
        for (p, all, per_unit) in self.grid.state_periods() {
            // Before 1900 is the same as the first day a row can have.
            let earliest = Day::new(limit.before(p.to)).unwrap_or(Day::from_ymd(1900, 1, 1));
            let end = Day::from(p.to);
            for r in rows {
                let active = r.start.is_some_and(|s| s <= end) && r.slut.is_none_or(|e| e > end);
                if !active {
                    continue;
                }
                let within = r.genomforandeplan.is_some_and(|g| g <= end)
                    && r.plan_uppfoljning.is_some_and(|u| earliest <= u && u <= end);
                for slot in [Some(all), per_unit.then(|| 1 + r.unit as usize)].into_iter().flatten() {
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

    pub(super) fn during_investigation(&self, group: Option<TargetGroup>) -> Vec<Acc> {
        let cases = cases(self.data);
        let period = DayRange::new(self.grid.options.period);
        // Only the population's cases: investigations ended in the period.
        let index: FastMap<&str, usize> = cases
            .iter()
            .enumerate()
            .filter(|(_, c)| c.utredning_start.is_some() && c.utredning_slut.is_some_and(|t| period.contains(t)))
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

    pub(super) fn count<R: Row>(&mut self, rows: &[R], date: DateField, table: Table) {
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

    pub(super) fn occupancy(&mut self) {
        let capacities = &self.grid.options.capacities;
        let names = &self.data.insatser_names;
        // insats name id -> index of its residential unit in `capacities`.
        let residential: FastMap<NameId, usize> = (0..names.len())
            .map(|id| id as NameId)
            .filter_map(|id| {
                let name = names.name(id).to_lowercase();
                capacities.iter().position(|c| c.unit.trim().to_lowercase() == name).map(|ci| (id, ci))
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

    pub(super) fn result(&self, unit: Option<String>, month: Option<String>) -> MeasureResult {
        let mut r = MeasureResult::new(&self.def.id, &self.def.name, ValueType::Share);
        r.unit = unit;
        r.month = month;
        r
    }

    /// Which units occur in `table` (for per-unit rows); for cases, only units with cases
    /// of the measure's target group.
    pub(super) fn present(&self, table: Table) -> Vec<bool> {
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
            Table::Arenden => {
                cases(self.data).iter().filter(|c| group.is_none_or(|g| c.target_group == g)).for_each(|c| mark(c.unit))
            }
            Table::Insatser => interventions(self.data).iter().for_each(|c| mark(c.unit)),
            Table::Kontakter => contacts(self.data).iter().for_each(|c| mark(c.unit)),
        }
        present
    }

    pub(super) fn emit_accs(&mut self, table: Table, mut accs: Vec<Acc>, fill: impl Fn(&mut MeasureResult, &Acc)) {
        let present = self.present(table);
        for (slot, unit, month) in self.grid.report_slots(&self.data.units, &present) {
            let mut r = self.result(unit, month);
            fill(&mut r, &accs[slot]);
            r.outside = std::mem::take(&mut accs[slot].outside);
            self.results.push(r);
        }
    }
}

/// The median of `days` (sorted in place); the mean of the two middle values when even.
fn median(days: &mut [i32]) -> f64 {
    days.sort_unstable();
    let n = days.len();
    if n % 2 == 1 { f64::from(days[n / 2]) } else { (f64::from(days[n / 2 - 1]) + f64::from(days[n / 2])) / 2.0 }
}
