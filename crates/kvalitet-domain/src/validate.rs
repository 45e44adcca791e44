//! Validation: field-level problems, reported in Swedish, collected rather than
//! stopping at the first one so a form can show every problem at once.

use std::fmt;

use unicode_segmentation::UnicodeSegmentation;

/// What is wrong with one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    Empty,
    TooLong {
        max: usize,
    },
    /// Control characters (NUL, escape codes) other than line breaks and tabs.
    ControlCharacters,
    /// Characters that hide or reorder text: bidirectional overrides and isolates,
    /// zero-width characters, and Unicode noncharacters.
    HiddenCharacters,
    OutOfRange {
        min: i64,
        max: i64,
    },
    LevelMismatch {
        likelihood: u8,
        consequence: u8,
        level: u8,
    },
    Required,
    NotAllowed(&'static str),
    Invalid(String),
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Empty => f.write_str("får inte vara tomt"),
            Problem::TooLong { max } => write!(f, "får vara högst {max} tecken"),
            Problem::ControlCharacters => f.write_str("innehåller otillåtna tecken (styrtecken)"),
            Problem::HiddenCharacters => f.write_str(
                "innehåller osynliga tecken eller tecken som vänder textens riktning; skriv in texten på nytt",
            ),
            Problem::OutOfRange { min, max } => write!(f, "ska vara mellan {min} och {max}"),
            Problem::LevelMismatch { likelihood, consequence, level } => write!(
                f,
                "risknivån {level} stämmer inte med sannolikhet {likelihood} × konsekvens {consequence} = {}",
                u16::from(*likelihood) * u16::from(*consequence)
            ),
            Problem::Required => f.write_str("måste fyllas i"),
            Problem::NotAllowed(why) => f.write_str(why),
            Problem::Invalid(why) => f.write_str(why),
        }
    }
}

/// A problem with a named field (the field's code name, e.g. `title`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub problem: Problem,
}

/// Every problem found in one record.
#[derive(Debug, Clone, Default, PartialEq, Eq, thiserror::Error)]
pub struct ValidationErrors {
    pub errors: Vec<FieldError>,
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.errors.iter().map(|e| format!("{}: {}", e.field, e.problem)).collect();
        f.write_str(&parts.join("; "))
    }
}

impl ValidationErrors {
    pub fn push(&mut self, field: &'static str, problem: Problem) {
        self.errors.push(FieldError { field, problem });
    }

    pub fn into_result(self) -> Result<(), ValidationErrors> {
        if self.errors.is_empty() { Ok(()) } else { Err(self) }
    }

    pub fn for_field(&self, field: &str) -> Option<&Problem> {
        self.errors.iter().find(|e| e.field == field).map(|e| &e.problem)
    }

    /// A required, non-blank text of at most `max` characters (graphemes: å is one).
    pub fn text(&mut self, field: &'static str, value: &str, max: usize) {
        if value.trim().is_empty() {
            self.push(field, Problem::Empty);
        } else {
            self.optional_text(field, value, max);
        }
    }

    /// An optional text of at most `max` characters, without control characters other
    /// than line breaks and tabs (a NUL byte cannot even be stored in PostgreSQL).
    pub fn optional_text(&mut self, field: &'static str, value: &str, max: usize) {
        // A character is at least one byte: count graphemes only when it could matter.
        if value.len() > max && value.graphemes(true).count() > max {
            self.push(field, Problem::TooLong { max });
        } else if value.chars().any(is_forbidden_control) {
            self.push(field, Problem::ControlCharacters);
        } else if value.chars().any(is_hidden) {
            self.push(field, Problem::HiddenCharacters);
        }
    }

    pub fn range(&mut self, field: &'static str, value: i64, min: i64, max: i64) {
        if value < min || value > max {
            self.push(field, Problem::OutOfRange { min, max });
        }
    }
}

/// A control character that text may not hold: any but tab, line feed and carriage return.
pub fn is_forbidden_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// A character that hides or reorders text, which no field may hold: the bidirectional
/// embeddings, overrides and isolates (a title could read differently from what it
/// holds), the zero-width space, joiners and word joiner, the byte-order mark, and the
/// noncharacters (U+FDD0..U+FDEF and the last two code points of every plane).
pub fn is_hidden(c: char) -> bool {
    let n = c as u32;
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}')
        || (0xFDD0..=0xFDEF).contains(&n)
        || n & 0xFFFE == 0xFFFE
}

/// A record that can check itself.
pub trait Validate {
    fn validate(&self) -> Result<(), ValidationErrors>;
}

/// Limits for free text, in characters (graphemes): every text field of every record is
/// held to one of these.
pub mod limits {
    /// Titles, names and labels.
    pub const TITLE: usize = 300;
    /// Prose: descriptions, summaries, comments.
    pub const TEXT: usize = 20_000;
    /// Short values: a person's name, a responsible role, a board reference.
    pub const SHORT: usize = 120;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_held_to_their_limit_and_refuse_control_characters() {
        let mut e = ValidationErrors::default();
        e.text("a", &"å".repeat(limits::TITLE), limits::TITLE);
        e.optional_text("b", "rad ett\r\nrad två\tmed tabb", limits::TEXT);
        assert!(e.errors.is_empty(), "{e}");
        e.text("c", &"x".repeat(100_000), limits::TITLE);
        e.optional_text("d", "a\u{0}b", limits::TEXT);
        e.optional_text("f", "färg \u{1b}[31m", limits::TEXT);
        e.optional_text("g", "\u{85}", limits::TEXT);
        let problems: Vec<_> = e.errors.iter().map(|f| (f.field, f.problem.clone())).collect();
        assert_eq!(
            problems,
            [
                ("c", Problem::TooLong { max: limits::TITLE }),
                ("d", Problem::ControlCharacters),
                ("f", Problem::ControlCharacters),
                ("g", Problem::ControlCharacters),
            ]
        );
        assert_eq!(Problem::ControlCharacters.to_string(), "innehåller otillåtna tecken (styrtecken)");
    }

    #[test]
    fn texts_refuse_characters_that_hide_or_reorder_them() {
        for bad in [
            "Avvikelse \u{202E}txet",
            "a\u{2066}b\u{2069}",
            "dold\u{200B}text",
            "\u{FEFF}titel",
            "x\u{FDD0}",
            "y\u{10FFFF}",
            "z\u{FFFE}",
        ] {
            let mut e = ValidationErrors::default();
            e.text("title", bad, limits::TITLE);
            assert_eq!(e.for_field("title"), Some(&Problem::HiddenCharacters), "{bad:?}");
        }
        // Swedish, other scripts and emoji pass.
        for good in ["Åtgärd för äldre på Öland", "مرکز خدمات", "Bra jobbat 👍", "Plan – 2024 “ny”"]
        {
            let mut e = ValidationErrors::default();
            e.text("title", good, limits::TITLE);
            assert!(e.errors.is_empty(), "{good:?}: {e}");
        }
    }
}
