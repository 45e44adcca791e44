//! The join of `intervention_during_investigation`: the investigations ended in the
//! period and the starts of interventions, both split by a hash of the case id into 256
//! parts while the rows are read (on each file's thread), so that the join at the end
//! takes one part of each at a time: a hash map small enough for the cache instead of
//! one over all cases.

use std::hash::Hasher;

use crate::data::{CaseId, NameId, TargetGroup};
use crate::day::Day;
use crate::fxhash::{FastMap, FxHasher};

const PARTS: usize = 256;

/// The part of a case id.
fn part(id: &CaseId) -> usize {
    let mut h = FxHasher::default();
    h.write(id.as_bytes());
    (h.finish() >> 56) as usize
}

/// The cases whose investigation ended in the period, in row order (the ids apart, so
/// that the rest packs into 12 bytes), with their indices by part.
#[derive(Default)]
pub(super) struct Population {
    pub(super) ids: Vec<CaseId>,
    pub(super) rest: Vec<Investigation>,
    /// Indices into `ids` by part, rising; empty until a case is added.
    parts: Vec<Vec<u32>>,
}

/// A case of the population besides its id.
pub(super) struct Investigation {
    pub(super) start: Day,
    pub(super) end: Day,
    pub(super) unit: NameId,
    pub(super) group: Option<TargetGroup>,
}

impl Population {
    pub(super) fn push(&mut self, id: CaseId, case: Investigation) {
        if self.parts.is_empty() {
            self.parts = vec![Vec::new(); PARTS];
        }
        let i = u32::try_from(self.ids.len()).expect("fewer than 2^32 investigations");
        self.parts[part(&id)].push(i);
        self.ids.push(id);
        self.rest.push(case);
    }

    /// Makes room for up to `rows` cases (capacity never written costs no memory).
    pub(super) fn reserve(&mut self, rows: usize) {
        if self.parts.is_empty() {
            self.parts = vec![Vec::new(); PARTS];
        }
        // Capacity is only asked for: an estimate too high must not fail.
        let _ = (self.ids.try_reserve(rows), self.rest.try_reserve(rows));
        self.parts.iter_mut().for_each(|p| drop(p.try_reserve(rows / PARTS + rows / PARTS / 8)));
    }

    /// Adds `other`'s cases after these.
    pub(super) fn append(&mut self, other: Population) {
        if self.ids.is_empty() {
            *self = other;
            return;
        }
        if self.parts.is_empty() {
            self.parts = vec![Vec::new(); PARTS];
        }
        let offset = u32::try_from(self.ids.len()).expect("fewer than 2^32 investigations");
        for (mine, theirs) in self.parts.iter_mut().zip(other.parts) {
            mine.extend(theirs.into_iter().map(|i| i + offset));
        }
        self.ids.extend(other.ids);
        self.rest.extend(other.rest);
    }
}

/// The interventions' starts that can fall in an investigation ended in the period, with
/// their case ids, by part (ids and days apart: 20 bytes a start).
#[derive(Default)]
pub(super) struct Starts {
    parts: Vec<(Vec<CaseId>, Vec<Day>)>,
}

impl Starts {
    pub(super) fn push(&mut self, id: CaseId, day: Day) {
        if self.parts.is_empty() {
            self.parts = (0..PARTS).map(|_| (Vec::new(), Vec::new())).collect();
        }
        let (ids, days) = &mut self.parts[part(&id)];
        ids.push(id);
        days.push(day);
    }

    /// Makes room for up to `rows` starts, a part's share and an eighth more each.
    pub(super) fn reserve(&mut self, rows: usize) {
        if self.parts.is_empty() {
            self.parts = (0..PARTS).map(|_| (Vec::new(), Vec::new())).collect();
        }
        let n = rows / PARTS + rows / PARTS / 8;
        self.parts.iter_mut().for_each(|(ids, days)| {
            let _ = (ids.try_reserve(n), days.try_reserve(n));
        });
    }

    pub(super) fn append(&mut self, other: Starts) {
        if self.parts.iter().all(|(ids, _)| ids.is_empty()) {
            self.parts = other.parts;
            return;
        }
        for ((ids, days), (i, d)) in self.parts.iter_mut().zip(other.parts) {
            ids.extend(i);
            days.extend(d);
        }
    }
}

/// Which investigations of `population` (by index) an intervention of `starts` started
/// during, part by part, the parts shared out among the cores.
pub(super) fn started_during(population: &Population, starts: &Starts) -> Vec<bool> {
    let mut started = vec![false; population.ids.len()];
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 8);
    let pairs: Vec<_> = population.parts.iter().zip(&starts.parts).collect();
    let found: Vec<Vec<u32>> = std::thread::scope(|s| {
        let handles: Vec<_> = pairs
            .chunks(pairs.len().div_ceil(threads).max(1))
            .map(|chunk| {
                s.spawn(move || chunk.iter().flat_map(|(cases, starts)| join_part(population, cases, starts)).collect())
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("a join thread panicked")).collect()
    });
    for i in found.into_iter().flatten() {
        started[i as usize] = true;
    }
    started
}

/// The investigations among `cases` (indices of one part) during which a start of the
/// same part fell.
fn join_part(population: &Population, cases: &[u32], (ids, days): &(Vec<CaseId>, Vec<Day>)) -> Vec<u32> {
    // Case ids are unique in a valid export; were one repeated, its last case is found.
    let index: FastMap<&CaseId, u32> = cases.iter().map(|i| (&population.ids[*i as usize], *i)).collect();
    let mut found = Vec::new();
    for (id, s) in ids.iter().zip(days) {
        if let Some(&ci) = index.get(id) {
            let c = &population.rest[ci as usize];
            if c.start <= *s && *s <= c.end {
                found.push(ci);
            }
        }
    }
    found
}
