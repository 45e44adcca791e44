//! The domain of systematic quality work in Swedish social services: the things a
//! municipality plans, runs and follows up, their validation and their rules.
//!
//! Architecture invariant: this crate does no I/O. No database, no HTTP, no files, no
//! clock: callers pass "today" in. Everything here is plain data and pure functions, so
//! the web server, the CLI, the document generators and the tests share one set of rules.

pub mod access;
pub mod action;
pub mod bundle;
pub mod code;
pub mod correction;
pub mod cycle;
pub mod deviation;
pub mod deviation_stats;
pub mod id;
pub mod indicator;
pub mod kolada;
pub mod labels;
pub mod measure;
pub mod org;
pub mod plan;
pub mod plan_changes;
pub mod report;
pub mod risk;
pub mod self_inspection;
pub mod stats;
pub mod validate;

pub use code::Code;
pub use id::{Id, Versioned};
pub use validate::{FieldError, Problem, Validate, ValidationErrors};

/// A calendar date (Swedish calendar, `YYYY-MM-DD`).
pub type Date = jiff::civil::Date;

/// A date of which only the year may be known. Records taken over from documents that
/// state no day (a follow-up text "Uppföljning: …" of the year, a deviation the annual
/// report mentions) are *undated*: the stored date is then the last day of that year,
/// used only to order and to place the record in its year, and it is never shown as a
/// day: `2022 (dag okänd)`.
pub fn shown_date(on: Date, undated: bool) -> String {
    if undated { format!("{} (dag okänd)", on.year()) } else { on.to_string() }
}

/// Text as a key that sorts in Swedish alphabetical order whatever the backend's
/// collation: case folded, and å, ä, ö (æ with ä, ø with ö) after z in that order, as the
/// three characters that follow z (`{`, `|`, `}`); keys compare by code point, as
/// `String`s do. The store's SQL sort key of the action list folds the same way.
pub fn swedish_key(s: &str) -> String {
    s.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'å' => '{',
            'ä' | 'æ' => '|',
            'ö' | 'ø' => '}',
            c => c,
        })
        .collect()
}

/// The stored date of a record undated within `year`: its last day.
pub fn undated_in(year: i16) -> Option<Date> {
    Date::new(year, 12, 31).ok()
}

#[cfg(test)]
mod tests {
    use super::swedish_key;

    #[test]
    fn swedish_names_sort_with_a_ring_a_umlaut_o_umlaut_last() {
        let mut names = vec!["Östen", "Åsa", "anna", "Ärla", "Zorro", "Bo", "øre", "æble", "ÅSA"];
        names.sort_by_key(|n| swedish_key(n));
        assert_eq!(names, ["anna", "Bo", "Zorro", "Åsa", "ÅSA", "æble", "Ärla", "øre", "Östen"], "æ with ä, ø with ö");
    }
}
