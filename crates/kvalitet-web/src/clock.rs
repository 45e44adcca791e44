//! Today's date as the web sees it: the Swedish calendar date, moved by a whole number of
//! days when the server was started with `--today` (for tests and demonstrations of
//! deadlines: `kvalitet serve --today 2027-01-20` behaves as on that day and the days after).

use std::sync::atomic::{AtomicI64, Ordering};

use kvalitet_domain::Date;

/// Days added to the real date (0 unless `--today` was given).
static OFFSET_DAYS: AtomicI64 = AtomicI64::new(0);

/// The real date in Sweden.
pub fn real_today() -> Date {
    jiff::Zoned::now()
        .with_time_zone(jiff::tz::TimeZone::get("Europe/Stockholm").unwrap_or(jiff::tz::TimeZone::UTC))
        .date()
}

/// Makes `today` return `date` now, and the following dates as real days pass. Returns
/// the offset in days.
pub fn pretend_today(date: Date) -> i64 {
    let days = (date - real_today()).get_days();
    OFFSET_DAYS.store(i64::from(days), Ordering::Relaxed);
    i64::from(days)
}

/// Today in Sweden, as the server is to see it.
pub fn today() -> Date {
    let offset = OFFSET_DAYS.load(Ordering::Relaxed);
    let real = real_today();
    if offset == 0 { real } else { real.checked_add(jiff::Span::new().days(offset)).unwrap_or(real) }
}
