//! A JSON request body read as the pages read a form: each field of the declared kind
//! becomes the text a form would have sent, so the same parse and validation functions
//! the pages call (with their Swedish messages, each naming its field) judge it. A field
//! of the wrong JSON type, or one not declared, is refused by name.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::http::{HeaderMap, header};
use serde_json::Value;

use super::problem::{ApiError, FieldProblem};
use crate::forms::FormState;

/// A field's JSON type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A string.
    Text,
    /// A string that is not empty: a date `YYYY-MM-DD` or a code (null when there is none).
    Filled,
    /// A number.
    Number,
    /// A whole number.
    Integer,
    /// true or false (a checkbox: sent as "1" when true).
    Boolean,
    /// One of a list: a code (a string) or a record's number (a whole number); null for
    /// none where none is allowed.
    Choice,
    /// Any number of a list's values, as an array (checkboxes: each value `v` is sent as
    /// `{name}_{v}=1`, and the field itself as empty, to say the whole set was sent).
    List,
}

/// The body as the form values of `fields`; `application/json` required.
pub fn form<N: AsRef<str>>(headers: &HeaderMap, bytes: &Bytes, fields: &[(N, Kind)]) -> Result<FormState, ApiError> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"));
    if !json {
        return Err(ApiError::BadRequest("Skicka uppgifterna som JSON (Content-Type: application/json).".into()));
    }
    let object = match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(o)) => o,
        Ok(_) => return Err(ApiError::field("", "Skicka ett JSON-objekt med fälten.")),
        Err(_) => return Err(ApiError::BadRequest("Innehållet är inte giltig JSON.".into())),
    };
    let mut values = HashMap::new();
    let mut problems = Vec::new();
    let mut problem = |field: &str, message: &str| {
        problems.push(FieldProblem { field: field.to_owned(), message: message.to_owned() });
    };
    for (name, value) in &object {
        let Some((_, kind)) = fields.iter().find(|(f, _)| f.as_ref() == name) else {
            problem(name, "Fältet finns inte.");
            continue;
        };
        let text = match (kind, value) {
            (_, Value::Null) => Some(String::new()),
            (Kind::Text, Value::String(s)) => Some(s.clone()),
            (Kind::Filled, Value::String(s)) if !s.trim().is_empty() => Some(s.clone()),
            (Kind::Number, Value::Number(n)) if n.as_f64().is_some() => Some(n.to_string()),
            (Kind::Integer, Value::Number(n)) if n.is_i64() => Some(n.to_string()),
            (Kind::Boolean, Value::Bool(b)) => Some(if *b { "1" } else { "" }.to_owned()),
            (Kind::Choice, Value::String(s)) => Some(s.clone()),
            (Kind::Choice, Value::Number(n)) if n.is_i64() => Some(n.to_string()),
            (Kind::List, Value::Array(items)) => {
                let chosen: Option<Vec<String>> = items
                    .iter()
                    .map(|v| match v {
                        Value::String(s) => Some(s.clone()),
                        Value::Number(n) if n.is_i64() => Some(n.to_string()),
                        _ => None,
                    })
                    .collect();
                chosen.map(|chosen| {
                    for c in chosen {
                        values.insert(format!("{name}_{c}"), "1".to_owned());
                    }
                    String::new()
                })
            }
            _ => None,
        };
        match text {
            Some(t) => {
                values.insert(name.clone(), t);
            }
            None => problem(
                name,
                match kind {
                    Kind::Text => "Ska vara en text.",
                    Kind::Filled => "Ska vara ett värde (ett datum ÅÅÅÅ-MM-DD eller en kod), eller null.",
                    Kind::Number => "Ska vara ett tal.",
                    Kind::Integer => "Ska vara ett heltal.",
                    Kind::Boolean => "Ska vara true eller false.",
                    Kind::Choice => "Ska vara en kod (text) eller ett nummer (heltal), eller null.",
                    Kind::List => "Ska vara en lista av koder eller nummer.",
                },
            ),
        }
    }
    if problems.is_empty() { Ok(FormState::new(values)) } else { Err(ApiError::Invalid(problems)) }
}

/// The form's errors as the API's, each naming its field.
pub fn refused(form: FormState) -> ApiError {
    ApiError::Invalid(form.errors.into_iter().map(|(field, message)| FieldProblem { field, message }).collect())
}

/// The version the body names (required for a change).
pub fn version(form: &mut FormState) -> Option<i64> {
    let raw = form.value("version").trim().to_owned();
    match raw.parse::<i64>() {
        Ok(v) => Some(v),
        Err(_) => {
            form.push("version", "Ange versionen du läste (version).");
            None
        }
    }
}
