//! Dates as the import reads them (`YYYY-MM-DD` or `YYYYMMDD`, 1900-2200) and as the web
//! forms read them (`ÅÅÅÅ-MM-DD`, 1900-2200): the import's two parsers agree, and any
//! accepted date is a real calendar date that prints back as what was typed.

#![no_main]

#[allow(dead_code)]
#[path = "../../crates/kvalitet-web/src/forms.rs"]
mod forms;

use kvalitet_measures::Day;
use kvalitet_measures::format::{parse_date, parse_day};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let date = parse_date(data);
    let day = parse_day(data);
    assert_eq!(date.and_then(Day::new), day, "parse_date and parse_day disagree on {data:?}");
    if let Some(d) = date {
        assert!((1900..=2200).contains(&d.year()), "{d}");
        let trimmed = data.trim_ascii();
        let printed = d.to_string();
        let compact = printed.replace('-', "");
        assert!(trimmed == printed.as_bytes() || trimmed == compact.as_bytes(), "{data:?} read as {d}");
        assert_eq!(day.unwrap().date(), d);
    }
    if let Ok(text) = std::str::from_utf8(data) {
        if let Some(d) = forms::parse_date(text) {
            assert_eq!(d.to_string(), text, "the form read {text:?} as {d}");
            // What a form accepts within the stored years, the import accepts too.
            if forms::DATE_YEARS.contains(&d.year()) {
                assert_eq!(parse_date(text.as_bytes()), Some(d));
            }
        }
    }
});
