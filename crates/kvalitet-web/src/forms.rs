//! Form input: the submitted values, the Swedish error beside each field, and parsing
//! of the values people type (dates `ÅÅÅÅ-MM-DD`, numbers with decimal comma).

use std::collections::HashMap;

use kvalitet_domain::{Date, ValidationErrors};

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
        match raw.parse::<Date>() {
            Ok(d) => Some(d),
            Err(_) => {
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
}
