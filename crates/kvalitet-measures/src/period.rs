//! The period a computation covers, its calendar months, and how results are broken down.

use anyhow::bail;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// How results are broken down besides the whole period across all units (always given).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum By {
    /// Only the whole period across all units.
    #[default]
    None,
    /// Also each unit over the whole period.
    Unit,
    /// Also each calendar month (clipped to the period) across all units.
    Month,
}

/// An inclusive date range `[from, to]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: Date,
    pub to: Date,
}

impl Period {
    /// A period; refused when `to` is before `from` or a date is outside the years
    /// 1900-2200 that the import accepts.
    pub fn new(from: Date, to: Date) -> anyhow::Result<Period> {
        if to < from {
            bail!("perioden slutar ({to}) före den börjar ({from})");
        }
        for d in [from, to] {
            if !(1900..=2200).contains(&d.year()) {
                bail!("perioden måste ligga mellan åren 1900 och 2200, inte {d}");
            }
        }
        Ok(Period { from, to })
    }

    pub fn contains(&self, d: Date) -> bool {
        self.from <= d && d <= self.to
    }

    /// Number of days in the period, both ends included.
    pub fn days(&self) -> i64 {
        i64::from(days_between(self.from, self.to)) + 1
    }

    /// The calendar months the period touches, each clipped to the period, labelled
    /// `YYYY-MM`.
    pub fn months(&self) -> Vec<(String, Period)> {
        let mut out = Vec::new();
        let mut first = self.from.first_of_month();
        while first <= self.to {
            let last = first.last_of_month();
            out.push((
                format!("{:04}-{:02}", first.year(), first.month()),
                Period { from: first.max(self.from), to: last.min(self.to) },
            ));
            first = last.tomorrow().expect("dates before year 9999");
        }
        out
    }

    /// The index in [`Period::months`] of the month holding `d` (which must be in the period).
    pub fn month_index(&self, d: Date) -> usize {
        let months = (i32::from(d.year()) - i32::from(self.from.year())) * 12 + i32::from(d.month())
            - i32::from(self.from.month());
        months as usize
    }
}

/// Calendar days `b - a`.
pub fn days_between(a: Date, b: Date) -> i32 {
    (b - a).get_days()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn months_are_clipped_and_indexed() {
        let p = Period::new(date(2023, 12, 15), date(2024, 3, 1)).unwrap();
        let m = p.months();
        let labels: Vec<_> = m.iter().map(|(l, _)| l.as_str()).collect();
        assert_eq!(labels, ["2023-12", "2024-01", "2024-02", "2024-03"]);
        assert_eq!(m[0].1.from, date(2023, 12, 15));
        assert_eq!(m[2].1.to, date(2024, 2, 29));
        assert_eq!(m[3].1.to, date(2024, 3, 1));
        assert_eq!(p.month_index(date(2024, 2, 29)), 2);
        assert_eq!(p.days(), 17 + 31 + 29 + 1);
        assert_eq!(days_between(date(2024, 2, 28), date(2024, 3, 1)), 2);
        assert!(Period::new(date(2024, 1, 2), date(2024, 1, 1)).is_err());
        assert!(Period::new(date(1899, 12, 31), date(2024, 1, 1)).is_err());
    }
}
