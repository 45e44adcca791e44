//! Paging and the query's filters: `?sida=` (from 1) and `?per_sida=` (1-200, 50 if not
//! given) on every list, each value checked and a wrong one named in Swedish.

use std::collections::HashMap;

use serde::Serialize;
use utoipa::{IntoParams, ToSchema};

use super::problem::{ApiError, FieldProblem};

/// The most rows a page holds.
pub const MAX_PER_PAGE: i64 = 200;
const DEFAULT_PER_PAGE: i64 = 50;

/// Which page of a list.
#[derive(Debug, Clone, Copy, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Sidan, från 1.
    #[param(minimum = 1, maximum = 1000000)]
    pub sida: Option<i64>,
    /// Rader per sida, 1–200 (50 om det inte anges).
    #[param(minimum = 1, maximum = 200)]
    pub per_sida: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(description = "En sida av en lista.")]
pub struct Page<T> {
    pub data: Vec<T>,
    /// Den här sidan, från 1.
    pub sida: i64,
    pub per_sida: i64,
    /// Hur många rader hela listan har.
    pub totalt: i64,
}

impl PageParams {
    /// The page's rows: how many, and how many come before it (`LIMIT`, `OFFSET`).
    pub fn window(self) -> (i64, i64) {
        let per = self.per_sida.unwrap_or(DEFAULT_PER_PAGE);
        (per, (self.sida.unwrap_or(1) - 1).saturating_mul(per))
    }
}

impl<T> Page<T> {
    /// Page `p`, already read by the database (`data`), of a list of `total` rows.
    pub fn read(data: Vec<T>, total: i64, p: PageParams) -> Page<T> {
        Page { data, sida: p.sida.unwrap_or(1), per_sida: p.window().0, totalt: total }
    }
}

/// A query's values, read and checked one by one; unknown parameters are refused.
#[derive(Debug)]
pub struct Query {
    values: HashMap<String, String>,
    known: Vec<&'static str>,
    problems: Vec<FieldProblem>,
}

impl Query {
    pub fn new(values: HashMap<String, String>) -> Query {
        Query { values, known: vec![], problems: vec![] }
    }

    /// A whole number within `min..=max`, if given.
    pub fn int(&mut self, name: &'static str, min: i64, max: i64) -> Option<i64> {
        self.known.push(name);
        let raw = self.values.get(name)?;
        match raw.trim().parse::<i64>() {
            Ok(n) if (min..=max).contains(&n) => Some(n),
            _ => {
                self.problems.push(FieldProblem {
                    field: name.to_owned(),
                    message: format!("ska vara ett heltal från {min} till {max}"),
                });
                None
            }
        }
    }

    /// One of `allowed`, if given.
    pub fn choice(&mut self, name: &'static str, allowed: &[&'static str]) -> Option<&'static str> {
        self.known.push(name);
        let raw = self.values.get(name)?;
        match allowed.iter().find(|a| **a == raw.as_str()) {
            Some(a) => Some(*a),
            None => {
                self.problems.push(FieldProblem {
                    field: name.to_owned(),
                    message: format!("okänt värde; välj ett av {}", allowed.join(", ")),
                });
                None
            }
        }
    }

    /// The page asked for.
    pub fn page(&mut self) -> PageParams {
        PageParams { sida: self.int("sida", 1, 1_000_000), per_sida: self.int("per_sida", 1, MAX_PER_PAGE) }
    }

    /// The problems found, with any parameter not asked for.
    pub fn finish(mut self) -> Result<(), ApiError> {
        let mut unknown: Vec<&String> = self.values.keys().filter(|k| !self.known.contains(&k.as_str())).collect();
        unknown.sort();
        for k in unknown {
            self.problems.push(FieldProblem { field: k.clone(), message: "okänd parameter".into() });
        }
        if self.problems.is_empty() { Ok(()) } else { Err(ApiError::Invalid(self.problems)) }
    }
}
