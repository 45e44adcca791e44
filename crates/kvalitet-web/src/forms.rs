//! Form input: the submitted values, the Swedish error beside each field, and parsing
//! of the values people type (dates `ÅÅÅÅ-MM-DD`, numbers with decimal comma).

use std::collections::HashMap;

use kvalitet_domain::{Date, ValidationErrors};

/// The years a date typed in a form may have; dates are stored as `YYYY-MM-DD`.
pub const DATE_YEARS: std::ops::RangeInclusive<i16> = 1900..=2200;

/// A date written exactly `ÅÅÅÅ-MM-DD` that exists in the calendar (not `2023-02-30`).
/// Stricter than `jiff`'s parser, which also takes times, signs and six-digit years.
pub fn parse_date(raw: &str) -> Option<Date> {
    let b = raw.as_bytes();
    let shaped = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shaped {
        return None;
    }
    let num = |s: &str| s.parse::<i16>().ok();
    let (y, m, d) = (num(&raw[..4])?, num(&raw[5..7])?, num(&raw[8..])?);
    Date::new(y, i8::try_from(m).ok()?, i8::try_from(d).ok()?).ok()
}

/// A form as submitted: its values (shown again after an error) and its errors.
#[derive(Debug, Clone, Default)]
pub struct FormState {
    pub values: HashMap<String, String>,
    pub errors: Vec<(String, String)>,
}

impl FormState {
    pub fn new(values: HashMap<String, String>) -> FormState {
        FormState { values, errors: vec![] }
    }

    pub fn value(&self, field: &str) -> &str {
        self.values.get(field).map_or("", |v| v.as_str())
    }

    pub fn error(&self, field: &str) -> &str {
        self.errors.iter().find(|(f, _)| f == field).map_or("", |(_, m)| m.as_str())
    }

    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    pub fn push(&mut self, field: &str, message: impl Into<String>) {
        if self.error(field).is_empty() {
            self.errors.push((field.to_owned(), message.into()));
        }
    }

    fn text(&self, field: &str) -> &str {
        self.value(field).trim()
    }

    /// A required date.
    pub fn date(&mut self, field: &str, label: &str) -> Option<Date> {
        let raw = self.text(field).to_owned();
        if raw.is_empty() {
            self.push(field, format!("Ange {label}."));
            return None;
        }
        match parse_date(&raw) {
            Some(d) if DATE_YEARS.contains(&d.year()) => Some(d),
            Some(_) => {
                self.push(field, "Ange ett datum mellan år 1900 och 2200.");
                None
            }
            None => {
                self.push(field, "Ange datum som ÅÅÅÅ-MM-DD, till exempel 2024-03-31.");
                None
            }
        }
    }

    /// An optional decimal number; `78,5` and `78.5` both work.
    pub fn number(&mut self, field: &str) -> Option<f64> {
        let raw: String = self.text(field).chars().filter(|c| !c.is_whitespace()).collect::<String>().replace(',', ".");
        if raw.is_empty() {
            return None;
        }
        match raw.parse::<f64>() {
            Ok(v) if v.is_finite() => Some(v),
            _ => {
                self.push(field, "Ange ett tal, till exempel 78,5.");
                None
            }
        }
    }

    /// An optional whole number, at least zero.
    pub fn count(&mut self, field: &str) -> Option<i64> {
        let raw: String = self.text(field).chars().filter(|c| !c.is_whitespace()).collect();
        if raw.is_empty() {
            return None;
        }
        match raw.parse::<i64>() {
            Ok(v) if v >= 0 => Some(v),
            _ => {
                self.push(field, "Ange ett heltal, till exempel 26.");
                None
            }
        }
    }

    /// The domain's validation errors, each beside its field.
    pub fn add_validation(&mut self, errors: &ValidationErrors, label: impl Fn(&str) -> &'static str) {
        for e in &errors.errors {
            self.push(e.field, format!("{} {}.", label(e.field), e.problem));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swedish_input_is_understood() {
        let mut f = FormState::new(HashMap::from([
            ("a".into(), " 78,5 ".into()),
            ("b".into(), "1 234".into()),
            ("c".into(), "2024-02-30".into()),
            ("d".into(), "-3".into()),
        ]));
        assert_eq!(f.number("a"), Some(78.5));
        assert_eq!(f.count("b"), Some(1234));
        assert_eq!(f.date("c", "datum"), None);
        assert_eq!(f.count("d"), None);
        assert_eq!(f.number("saknas"), None);
        assert!(f.error("c").contains("ÅÅÅÅ-MM-DD"));
        assert!(f.error("d").contains("heltal"));
        assert_eq!(f.errors.len(), 2);
    }

    #[test]
    fn dates_are_written_one_way_and_within_the_years_stored() {
        assert_eq!(parse_date("2024-02-29"), Some(Date::constant(2024, 2, 29)));
        for bad in ["2023-02-30", "abc", "20240229", "2024-2-29", "+002024-02-29", "2024-02-29T10:00", "-0001-01-01"] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
        let mut f =
            FormState::new(HashMap::from([("a".into(), "0001-01-01".into()), ("b".into(), "9999-12-31".into())]));
        assert_eq!(f.date("a", "datum"), None);
        assert_eq!(f.date("b", "datum"), None);
        assert!(f.error("a").contains("mellan år 1900 och 2200"), "{:?}", f.errors);
    }
}
