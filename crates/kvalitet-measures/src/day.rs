//! `Day`: a calendar date stored in 4 bytes as a day number, for compact rows and fast
//! day arithmetic; converts to and from `jiff::civil::Date` exactly.

use std::fmt;
use std::num::NonZeroU32;

use jiff::civil::Date;

/// A calendar date from 1900-01-01 on, as a day number (1900-01-01 is day 1), so that
/// `Option<Day>` is 4 bytes and `b - a` in days is a subtraction.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(NonZeroU32);

/// Days from 1900-01-01 to 1970-01-01, plus one (so 1900-01-01 is day 1).
const OFFSET: i64 = 25_567 + 1;

impl Day {
    /// The day of `date`; `None` before 1900-01-01.
    pub fn new(date: Date) -> Option<Day> {
        let n = days_from_civil(i64::from(date.year()), i64::from(date.month()), i64::from(date.day())) + OFFSET;
        u32::try_from(n).ok().and_then(NonZeroU32::new).map(Day)
    }

    /// The day of a valid date from 1900 on (the caller has checked month and day).
    /// From tables (the days before each year and month): the import's hot path, for
    /// years 1900 to 2200 (others through [`Day::new`]).
    pub(crate) fn from_ymd(y: i32, m: i32, d: i32) -> Day {
        /// Days of a common year before each month (index 1 = January).
        const BEFORE: [u32; 13] = [0, 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
        match YEARS.get((y - 1900) as usize) {
            Some(&(before, leap)) => {
                let n = before + BEFORE[m as usize] + u32::from(m > 2 && leap) + d as u32;
                Day(NonZeroU32::new(n).expect("at least day 1"))
            }
            None => {
                let n = days_from_civil(i64::from(y), i64::from(m), i64::from(d)) + OFFSET;
                Day(NonZeroU32::new(n as u32).expect("a date from 1900 on"))
            }
        }
    }

    /// The calendar date.
    pub fn date(self) -> Date {
        let (y, m, d) = civil_from_days(i64::from(self.0.get()) - OFFSET);
        Date::new(y as i16, m as i8, d as i8).expect("a day number is a valid date")
    }

    /// Calendar days from `self` to `later` (`later - self`).
    pub fn days_until(self, later: Day) -> i32 {
        (i64::from(later.0.get()) - i64::from(self.0.get())) as i32
    }

    /// The day `n` days later (earlier when negative); saturates at 1900-01-01.
    pub fn plus_days(self, n: i32) -> Day {
        let v = (i64::from(self.0.get()) + i64::from(n)).clamp(1, i64::from(u32::MAX));
        Day(NonZeroU32::new(v as u32).expect("clamped to at least 1"))
    }

    /// Year and month, for grouping by calendar month.
    pub fn year_month(self) -> (i32, i32) {
        let (y, m, _) = civil_from_days(i64::from(self.0.get()) - OFFSET);
        (y as i32, m as i32)
    }
}

impl From<Date> for Day {
    /// Panics for dates before 1900, which the parser never produces.
    fn from(date: Date) -> Day {
        Day::new(date).expect("dates from 1900 on")
    }
}

impl fmt::Debug for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.date())
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.date())
    }
}

/// Per year from 1900 to 2200: the days before its January 1st (from 1900-01-01) and
/// whether it is a leap year.
const YEARS: [(u32, bool); 301] = {
    let mut out = [(0, false); 301];
    let mut i = 0;
    let mut before = 0;
    while i < 301 {
        let y = 1900 + i as i32;
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        out[i] = (before, leap);
        before += if leap { 366 } else { 365 };
        i += 1;
    }
    out
};

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a number of days since 1970-01-01 (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { yoe + era * 400 + 1 } else { yoe + era * 400 }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn round_trips_every_day_and_agrees_with_jiff() {
        let first = date(1900, 1, 1);
        assert_eq!(Day::from(first).0.get(), 1);
        let mut d = first;
        let mut n = 1u32;
        while d <= date(2200, 12, 31) {
            let day = Day::from(d);
            assert_eq!(day.0.get(), n, "{d}");
            let (y, m, dd) = (i32::from(d.year()), i32::from(d.month()), i32::from(d.day()));
            assert_eq!(Day::from_ymd(y, m, dd), day, "{d}");
            assert_eq!(day.date(), d);
            assert_eq!(day.year_month(), (i32::from(d.year()), i32::from(d.month())));
            d = d.tomorrow().unwrap();
            n += 1;
        }
        assert_eq!(Day::new(date(1899, 12, 31)), None);
        let a = Day::from(date(2024, 2, 28));
        assert_eq!(a.days_until(Day::from(date(2024, 3, 1))), 2);
        assert_eq!(a.plus_days(2).date(), date(2024, 3, 1));
        assert_eq!(format!("{a:?}"), "2024-02-28");
        assert_eq!(size_of::<Option<Day>>(), 4);
    }
}
