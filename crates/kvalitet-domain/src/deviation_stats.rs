//! Counting deviations for the year-against-year tables: per kind, per quarter, per
//! category, lex Sarah assessments and the year's complaints. Unknown is told apart from
//! none: a year without records and without tallies has `None`, not 0. Voided reports are
//! never counted.

use crate::Date;
use crate::deviation::{
    CategoryDimension, Complainant, ComplaintChannel, ComplaintOutcome, Deviation, DeviationCategoryId, DeviationKind,
    DeviationTally, LexSarahCategory,
};
use crate::org::OrgUnitId;

/// Reports alike in everything the counts tell apart, and how many they are: all the
/// counts read of a report. A year's thousands of reports are read as a few of these
/// (grouped by the database) instead of whole. Voided reports are never counted, so
/// there is no voided group.
#[derive(Debug, Clone, PartialEq)]
pub struct Counted {
    pub unit_id: OrgUnitId,
    pub kind: DeviationKind,
    /// The year and month reported.
    pub year: i64,
    pub month: i8,
    pub type_category_id: Option<DeviationCategoryId>,
    pub cause_category_id: Option<DeviationCategoryId>,
    pub place_category_id: Option<DeviationCategoryId>,
    pub severity_category_id: Option<DeviationCategoryId>,
    pub lex_sarah_category: Option<LexSarahCategory>,
    pub complainant: Option<Complainant>,
    pub channel: Option<ComplaintChannel>,
    pub complaint_outcome: Option<ComplaintOutcome>,
    /// Whether the complaint was answered, and the days from reported to answered.
    pub answered: bool,
    pub days_to_answer: Option<i64>,
    /// How many reports.
    pub count: i64,
}

impl Counted {
    /// One report as counted; `None` for a voided one.
    pub fn of(d: &Deviation) -> Option<Counted> {
        (!d.is_voided()).then(|| Counted {
            unit_id: d.unit_id,
            kind: d.kind,
            year: i64::from(d.reported_on.year()),
            month: d.reported_on.month(),
            type_category_id: d.type_category_id,
            cause_category_id: d.cause_category_id,
            place_category_id: d.place_category_id,
            severity_category_id: d.severity_category_id,
            lex_sarah_category: d.lex_sarah_category,
            complainant: d.complainant,
            channel: d.channel,
            complaint_outcome: d.complaint_outcome,
            answered: d.answered_on.is_some(),
            days_to_answer: d.answered_on.map(|a| days_between(d.reported_on, a)),
            count: 1,
        })
    }

    /// The category chosen in one dimension.
    pub fn category(&self, dimension: CategoryDimension) -> Option<DeviationCategoryId> {
        match dimension {
            CategoryDimension::Type => self.type_category_id,
            CategoryDimension::Cause => self.cause_category_id,
            CategoryDimension::Place => self.place_category_id,
            CategoryDimension::Severity => self.severity_category_id,
        }
    }
}

/// The days from `from` to `to`, none when `to` lies before.
pub fn days_between(from: Date, to: Date) -> i64 {
    from.until(to).map(|s| i64::from(s.get_days()).max(0)).unwrap_or(0)
}

/// The groups counted for `year`.
fn of_year<'a>(records: &'a [&'a Counted], year: i64) -> impl Iterator<Item = &'a Counted> + 'a {
    records.iter().copied().filter(move |d| d.year == year)
}

/// How many reports the groups hold.
fn sum<'a>(groups: impl Iterator<Item = &'a Counted>) -> i64 {
    groups.map(|g| g.count).sum()
}

/// Whether anything is known of `year`: a report (not voided) or a tally.
pub fn is_known(records: &[&Counted], tallies: &[&DeviationTally], year: i64) -> bool {
    of_year(records, year).next().is_some() || tallies.iter().any(|t| t.year == year)
}

fn known(records: &[&Counted], tallies: &[&DeviationTally], year: i64, n: impl FnOnce() -> i64) -> Option<i64> {
    is_known(records, tallies, year).then(n)
}

/// Reports and tallies of one kind in `year`; `None` when nothing is known of the year.
pub fn kind_count(records: &[&Counted], tallies: &[&DeviationTally], kind: DeviationKind, year: i64) -> Option<i64> {
    known(records, tallies, year, || {
        sum(of_year(records, year).filter(|d| d.kind == kind))
            + tallies.iter().filter(|t| t.kind == kind && t.year == year).map(|t| t.count).sum::<i64>()
    })
}

/// Lex Sarah assessments decided in one category in `year` (reports and tallies); `None`
/// when nothing is known of the year.
pub fn lex_sarah_count(
    records: &[&Counted],
    tallies: &[&DeviationTally],
    category: LexSarahCategory,
    year: i64,
) -> Option<i64> {
    known(records, tallies, year, || {
        sum(of_year(records, year).filter(|d| d.lex_sarah_category == Some(category)))
            + tallies
                .iter()
                .filter(|t| t.lex_sarah_category == Some(category) && t.year == year)
                .map(|t| t.count)
                .sum::<i64>()
    })
}

/// The quarter (1–4) a date lies in.
pub fn quarter(date: Date) -> usize {
    quarter_of_month(date.month())
}

fn quarter_of_month(month: i8) -> usize {
    (month as usize - 1) / 3 + 1
}

/// Reports per quarter of `year`. Tallies have no dates, so a year with tallies has
/// unknown quarters, as has a year with nothing at all.
pub fn quarter_counts(records: &[&Counted], tallies: &[&DeviationTally], year: i64) -> [Option<i64>; 4] {
    if tallies.iter().any(|t| t.year == year) || !is_known(records, tallies, year) {
        return [None; 4];
    }
    let mut out = [Some(0); 4];
    for d in of_year(records, year) {
        let q = &mut out[quarter_of_month(d.month) - 1];
        *q = q.map(|n| n + d.count);
    }
    out
}

/// Reports of `year` in one category of a dimension; `category` `None` counts those
/// without a category there, and the tallies too (counted outside Kvalitet, they have
/// none), so each dimension adds up to the year's total. `None` when nothing is known.
pub fn category_count(
    records: &[&Counted],
    tallies: &[&DeviationTally],
    dimension: CategoryDimension,
    category: Option<DeviationCategoryId>,
    year: i64,
) -> Option<i64> {
    known(records, tallies, year, || {
        let from_records = sum(of_year(records, year).filter(|d| d.category(dimension) == category));
        let from_tallies: i64 =
            if category.is_none() { tallies.iter().filter(|t| t.year == year).map(|t| t.count).sum() } else { 0 };
        from_records + from_tallies
    })
}

/// The sum of the known counts; `None` when none is known.
pub fn total(counts: impl IntoIterator<Item = Option<i64>>) -> Option<i64> {
    counts.into_iter().flatten().fold(None, |acc, n| Some(acc.unwrap_or(0) + n))
}

/// The year's complaints (synpunkter och klagomål) as the quality report sums them up.
#[derive(Debug, Clone, PartialEq)]
pub struct ComplaintSummary {
    /// Complaints registered in Kvalitet that year.
    pub registered: i64,
    /// Complaints counted outside Kvalitet (tallies): nothing more is known of them.
    pub tallied: i64,
    /// Per complainant; `None` where it was not recorded.
    pub by_complainant: Vec<(Option<Complainant>, i64)>,
    pub by_channel: Vec<(Option<ComplaintChannel>, i64)>,
    pub by_outcome: Vec<(Option<ComplaintOutcome>, i64)>,
    /// How many have been answered.
    pub answered: i64,
    /// The median of the days from received to answered, of those answered.
    pub median_days_to_answer: Option<f64>,
}

/// Counts per value of a field, every value in its order and then the unrecorded.
fn tally_by<T: crate::Code + PartialEq>(
    items: &[&Counted],
    field: impl Fn(&Counted) -> Option<T>,
) -> Vec<(Option<T>, i64)> {
    T::ALL
        .iter()
        .map(|v| Some(*v))
        .chain(std::iter::once(None))
        .map(|v| (v, sum(items.iter().copied().filter(|d| field(d) == v))))
        .collect()
}

/// The median of some numbers (the mean of the middle two of an even count).
pub fn median(mut values: Vec<i64>) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let mid = values.len() / 2;
    Some(if values.len() % 2 == 1 { values[mid] as f64 } else { (values[mid - 1] + values[mid]) as f64 / 2.0 })
}

/// The complaints of `year`; `None` when nothing is known of the year.
pub fn complaints(records: &[&Counted], tallies: &[&DeviationTally], year: i64) -> Option<ComplaintSummary> {
    if !is_known(records, tallies, year) {
        return None;
    }
    let these: Vec<&Counted> = of_year(records, year).filter(|d| d.kind == DeviationKind::Complaint).collect();
    let days: Vec<i64> = these
        .iter()
        .filter_map(|d| d.days_to_answer.map(|n| std::iter::repeat_n(n, d.count as usize)))
        .flatten()
        .collect();
    Some(ComplaintSummary {
        registered: sum(these.iter().copied()),
        tallied: tallies.iter().filter(|t| t.year == year && t.kind == DeviationKind::Complaint).map(|t| t.count).sum(),
        by_complainant: tally_by(&these, |d| d.complainant),
        by_channel: tally_by(&these, |d| d.channel),
        by_outcome: tally_by(&these, |d| d.complaint_outcome),
        answered: sum(these.iter().copied().filter(|d| d.answered)),
        median_days_to_answer: median(days),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Id;
    use crate::org::{OrgUnitId, TenantId};

    fn report(kind: DeviationKind, on: Date) -> Deviation {
        Deviation::registered(
            TenantId::new(1),
            OrgUnitId::new(1),
            kind,
            on,
            on,
            "Händelse".into(),
            String::new(),
            "Någon".into(),
        )
    }

    /// The reports as counted, one group each (voided ones left out).
    fn counted(reports: &[&Deviation]) -> Vec<Counted> {
        reports.iter().filter_map(|d| Counted::of(d)).collect()
    }

    fn tally(kind: DeviationKind, year: i64, count: i64) -> DeviationTally {
        DeviationTally {
            tenant_id: TenantId::new(1),
            unit_id: OrgUnitId::new(1),
            year,
            kind,
            lex_sarah_category: None,
            count,
            note: String::new(),
        }
    }

    #[test]
    fn unknown_years_are_not_zero_and_voided_reports_are_not_counted() {
        let a = report(DeviationKind::Internal, Date::constant(2025, 2, 3));
        let mut voided = report(DeviationKind::Internal, Date::constant(2025, 11, 3));
        voided.voided_on = Some(Date::constant(2025, 11, 4));
        voided.void_reason = "Fel enhet".into();
        let only_voided = {
            let mut v = voided.clone();
            v.reported_on = Date::constant(2023, 5, 5);
            v.occurred_on = v.reported_on;
            v
        };
        let groups = counted(&[&a, &voided, &only_voided]);
        let records: Vec<&Counted> = groups.iter().collect();
        let t = tally(DeviationKind::Complaint, 2024, 3);
        let tallies = [&t];
        assert_eq!(kind_count(&records, &tallies, DeviationKind::Internal, 2025), Some(1));
        assert_eq!(kind_count(&records, &tallies, DeviationKind::Complaint, 2025), Some(0));
        assert_eq!(kind_count(&records, &tallies, DeviationKind::Complaint, 2024), Some(3));
        assert_eq!(kind_count(&records, &tallies, DeviationKind::Internal, 2024), Some(0));
        assert_eq!(kind_count(&records, &tallies, DeviationKind::Internal, 2023), None, "only a voided report");
        assert_eq!(kind_count(&records, &tallies, DeviationKind::Internal, 2022), None);
        assert_eq!(quarter_counts(&records, &tallies, 2025), [Some(1), Some(0), Some(0), Some(0)]);
        assert_eq!(quarter_counts(&records, &tallies, 2024), [None; 4], "tallies have no dates");
        assert_eq!(total([Some(1), None, Some(2)]), Some(3));
        assert_eq!(total([None, None]), None);
        assert_eq!(total([Some(0)]), Some(0));
    }

    #[test]
    fn categories_add_up_to_the_year_with_tallies_uncategorised() {
        let mut a = report(DeviationKind::Internal, Date::constant(2025, 4, 1));
        a.type_category_id = Some(Id::new(7));
        let b = report(DeviationKind::Hsl, Date::constant(2025, 7, 1));
        let t = tally(DeviationKind::Internal, 2025, 2);
        let groups = counted(&[&a, &b]);
        let (records, tallies): (Vec<&Counted>, _) = (groups.iter().collect(), [&t]);
        let dim = CategoryDimension::Type;
        assert_eq!(category_count(&records, &tallies, dim, Some(Id::new(7)), 2025), Some(1));
        assert_eq!(category_count(&records, &tallies, dim, None, 2025), Some(3));
        assert_eq!(category_count(&records, &tallies, CategoryDimension::Place, None, 2025), Some(4));
        assert_eq!(category_count(&records, &tallies, dim, None, 2024), None);
    }

    #[test]
    fn complaints_are_summed_up_with_the_median_time_to_answer() {
        let mut c = Vec::new();
        for (reported, answered, who) in [
            ((3, 1), Some((3, 11)), Some(Complainant::Relative)),
            ((3, 1), Some((3, 3)), Some(Complainant::Relative)),
            ((5, 1), Some((5, 8)), None),
            ((6, 1), None, Some(Complainant::PersonServed)),
        ] {
            let mut d = report(DeviationKind::Complaint, Date::constant(2025, reported.0, reported.1));
            d.answered_on = answered.map(|(m, day)| Date::constant(2025, m, day));
            d.complainant = who;
            d.channel = Some(ComplaintChannel::Phone);
            c.push(d);
        }
        let groups = counted(&c.iter().collect::<Vec<_>>());
        let refs: Vec<&Counted> = groups.iter().collect();
        let t = tally(DeviationKind::Complaint, 2025, 4);
        let s = complaints(&refs, &[&t], 2025).unwrap();
        assert_eq!((s.registered, s.tallied, s.answered), (4, 4, 3));
        assert_eq!(s.median_days_to_answer, Some(7.0));
        assert!(s.by_complainant.contains(&(Some(Complainant::Relative), 2)));
        assert!(s.by_complainant.contains(&(None, 1)));
        assert!(s.by_channel.contains(&(Some(ComplaintChannel::Phone), 4)));
        assert!(s.by_outcome.contains(&(None, 4)));
        assert_eq!(complaints(&refs, &[], 2020), None);
        assert_eq!(median(vec![4, 1, 10, 2]), Some(3.0));
        assert_eq!(median(vec![]), None);
    }

    /// Reports grouped by the database count as many as they are: every count of a group
    /// of n equals the count of its n reports one by one.
    #[test]
    fn a_group_of_reports_counts_as_its_reports_one_by_one() {
        use crate::Code;
        let mut c = report(DeviationKind::Complaint, Date::constant(2025, 8, 1));
        c.answered_on = Some(Date::constant(2025, 8, 21));
        c.complainant = Some(Complainant::Relative);
        c.lex_sarah_category = Some(LexSarahCategory::ALL[0]);
        c.type_category_id = Some(Id::new(3));
        let other = report(DeviationKind::Complaint, Date::constant(2025, 2, 1));
        let one_by_one = counted(&[&c, &c, &c, &other]);
        let mut grouped = counted(&[&c, &other]);
        grouped[0].count = 3;
        let (a, b): (Vec<&Counted>, Vec<&Counted>) = (one_by_one.iter().collect(), grouped.iter().collect());
        let y = 2025;
        assert_eq!(kind_count(&b, &[], DeviationKind::Complaint, y), Some(4));
        assert_eq!(quarter_counts(&b, &[], y), [Some(1), Some(0), Some(3), Some(0)]);
        assert_eq!(quarter_counts(&a, &[], y), quarter_counts(&b, &[], y));
        let lex = LexSarahCategory::ALL[0];
        assert_eq!(lex_sarah_count(&b, &[], lex, y), Some(3));
        let dim = CategoryDimension::Type;
        assert_eq!(category_count(&b, &[], dim, Some(Id::new(3)), y), Some(3));
        assert_eq!(category_count(&b, &[], dim, None, y), Some(1));
        let (sa, sb) = (complaints(&a, &[], y).unwrap(), complaints(&b, &[], y).unwrap());
        assert_eq!(sa, sb);
        assert_eq!((sb.registered, sb.answered, sb.median_days_to_answer), (4, 3, Some(20.0)));
        assert!(sb.by_complainant.contains(&(Some(Complainant::Relative), 3)));
    }
}
