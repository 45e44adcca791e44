//! What people type into the web forms: the form parsing of `kvalitet-web` (dates,
//! decimal numbers, counts; compiled in by path so that the target does not build the
//! web server) and the domain validation every form ends in. Invariants: an accepted
//! date is `ÅÅÅÅ-MM-DD` in 1900-2200 and prints back as typed; an accepted number is
//! finite and an accepted count not negative; a record that validates has every text
//! within its limit and free of control characters; every error is a Swedish sentence
//! beside a field of the record.

#![no_main]

#[allow(dead_code)]
#[path = "../../crates/kvalitet-web/src/forms.rs"]
mod forms;

use std::collections::HashMap;

use kvalitet_domain::action::{Action, ActionStatus};
use kvalitet_domain::deviation::{Deviation, DeviationKind, DeviationStatus};
use kvalitet_domain::report::UserSurvey;
use kvalitet_domain::validate::{is_forbidden_control, limits};
use kvalitet_domain::{Id, Validate, ValidationErrors};
use libfuzzer_sys::fuzz_target;
use unicode_segmentation::UnicodeSegmentation;

fn within(name: &str, value: &str, max: usize) {
    assert!(value.graphemes(true).count() <= max, "{name}: {} graphemes accepted", value.graphemes(true).count());
    assert!(!value.chars().any(is_forbidden_control), "{name}: control character accepted: {value:?}");
}

fn check_errors(errors: &ValidationErrors, fields: &[&str]) {
    let mut form = forms::FormState::default();
    form.add_validation(errors, |_| "Fältet");
    for (field, message) in &form.errors {
        assert!(fields.contains(&field.as_str()), "error on unknown field {field}");
        assert!(message.starts_with("Fältet ") && message.ends_with('.'), "{message}");
    }
}

fuzz_target!(|input: (String, String, String, String, bool)| {
    let (a, b, c, d, flag) = input;
    let mut form = forms::FormState::new(HashMap::from([
        ("date".to_owned(), a.clone()),
        ("number".to_owned(), b.clone()),
        ("count".to_owned(), c.clone()),
    ]));
    if let Some(date) = form.date("date", "datum") {
        assert!(forms::DATE_YEARS.contains(&date.year()), "{date}");
        assert_eq!(date.to_string(), a.trim());
    } else {
        assert!(!form.error("date").is_empty(), "a refused date has a message");
    }
    if let Some(n) = form.number("number") {
        assert!(n.is_finite());
    }
    if let Some(n) = form.count("count") {
        assert!(n >= 0);
    }

    let action = Action {
        plan_id: Id::new(1),
        title: a.clone(),
        description: b.clone(),
        responsible: c.clone(),
        responsible_account_id: None,
        due_on: None,
        status: if flag { ActionStatus::Withdrawn } else { ActionStatus::Planned },
        withdrawn_reason: flag.then(|| d.clone()),
        previous_action_id: None,
        sort_order: 1,
    };
    match action.validate() {
        Ok(()) => {
            assert!(!a.trim().is_empty());
            within("title", &a, limits::TITLE);
            within("description", &b, limits::TEXT);
            within("responsible", &c, limits::SHORT);
            if flag {
                within("withdrawn_reason", &d, limits::TEXT);
            }
        }
        Err(e) => check_errors(&e, &["title", "description", "responsible", "withdrawn_reason"]),
    }

    let day = jiff::civil::date(2024, 3, 1);
    let deviation = Deviation {
        tenant_id: Id::new(1),
        unit_id: Id::new(1),
        kind: DeviationKind::Internal,
        status: DeviationStatus::Registered,
        occurred_on: day,
        reported_on: day,
        title: d.clone(),
        description: a.clone(),
        investigation: b.clone(),
        lex_sarah_category: None,
        reported_to_ivo_on: None,
        measures_taken: c.clone(),
        closed_on: None,
        risk_id: None,
        action_id: None,
        reported_by: "Fuzz".into(),
    };
    match deviation.validate() {
        Ok(()) => {
            within("title", &d, limits::TITLE);
            for (name, v) in [("description", &a), ("investigation", &b), ("measures_taken", &c)] {
                within(name, v, limits::TEXT);
            }
        }
        Err(e) => check_errors(&e, &["title", "description", "investigation", "measures_taken"]),
    }

    let survey = UserSurvey {
        tenant_id: Id::new(1),
        unit_id: Id::new(1),
        year: 2024,
        name: a.clone(),
        instrument: b.clone(),
        sample_size: None,
        answers: None,
        response_rate: None,
        summary: c.clone(),
        sort_order: 1,
    };
    match survey.validate() {
        Ok(()) => {
            within("name", &a, limits::TITLE);
            within("instrument", &b, limits::TITLE);
            within("summary", &c, limits::TEXT);
        }
        Err(e) => check_errors(&e, &["name", "instrument", "summary"]),
    }
});
