//! Reading one of Kolada's data answers. The documented object is
//! `{"kpi": "N00945", "municipality": "1860", "period": 2009, "values": [{"count": 1,
//! "gender": "T", "status": "", "value": 63.2}]}` (the period is a number in the live
//! API and a string in the documentation: both are read); `value` may be null.

use serde::Deserialize;

use kvalitet_domain::Code;
use kvalitet_domain::Date;
use kvalitet_domain::kolada::{self, Gender, KoladaSource, KoladaValue};
use kvalitet_domain::org::TenantId;

use crate::KoladaError;

/// One value of a key figure for an area, year and gender.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    pub kpi: String,
    pub area: String,
    pub year: i64,
    pub gender: Gender,
    pub value: Option<f64>,
    pub status: String,
}

/// One answer: its observations and the next page's URL, if any.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub observations: Vec<Observation>,
    pub next_page: Option<String>,
}

#[derive(Deserialize)]
struct RawPage {
    values: Vec<RawEntry>,
    count: Option<u64>,
    next_page: Option<String>,
}

#[derive(Deserialize)]
struct RawEntry {
    kpi: String,
    municipality: String,
    period: Period,
    values: Vec<RawCell>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Period {
    Number(i64),
    Text(String),
}

#[derive(Deserialize)]
struct RawCell {
    gender: String,
    #[serde(default)]
    status: Option<String>,
    value: Option<f64>,
}

/// One of Kolada's answers (`{"values": [...], "count": N, ...}`) read as `T`, its
/// `count` (given by `counted`, with the number of values) checked.
pub(crate) fn read_answer<T: serde::de::DeserializeOwned>(
    text: &str,
    counted: impl Fn(&T) -> (Option<u64>, usize),
) -> Result<T, KoladaError> {
    let raw: T = serde_json::from_str(text).map_err(|e| KoladaError::Format(format!("{e}")))?;
    if let (Some(count), n) = counted(&raw)
        && count != n as u64
    {
        return Err(KoladaError::Format(format!("\"count\" är {count} men \"values\" har {n} poster")));
    }
    Ok(raw)
}

/// Reads one answer. Anything that is not the documented format, or holds a key figure,
/// area, year or gender Kvalitet cannot place, refuses the whole answer.
pub fn parse(text: &str) -> Result<Page, KoladaError> {
    let raw: RawPage = read_answer(text, |r: &RawPage| (r.count, r.values.len()))?;
    let mut observations = Vec::new();
    for (i, entry) in raw.values.into_iter().enumerate() {
        let index = i + 1;
        let what = format!("{} för {}", entry.kpi, entry.municipality);
        let fail = |why: String| KoladaError::Value { index, what: what.clone(), why };
        if !kolada::is_kpi(&entry.kpi) {
            return Err(fail(format!("nyckeltalet {}", kolada::KPI_PROBLEM)));
        }
        if !kolada::is_area(&entry.municipality) {
            return Err(fail("\"municipality\" ska vara en kommun, riket (0000) eller en kommungrupp".into()));
        }
        let year = match &entry.period {
            Period::Number(n) => Some(*n),
            Period::Text(t) => t.trim().parse().ok(),
        }
        .filter(|y| (1900..=2200).contains(y))
        .ok_or_else(|| fail("\"period\" ska vara ett år mellan 1900 och 2200".into()))?;
        for cell in entry.values {
            let gender = Gender::from_code(&cell.gender)
                .ok_or_else(|| fail(format!("okänt kön \"{}\" (T, K eller M)", cell.gender)))?;
            if cell.value.is_some_and(|v| !v.is_finite()) {
                return Err(fail("\"value\" ska vara ett tal eller null".into()));
            }
            let o = Observation {
                kpi: entry.kpi.clone(),
                area: entry.municipality.clone(),
                year,
                gender,
                value: cell.value,
                status: cell.status.unwrap_or_default(),
            };
            if observations
                .iter()
                .any(|p: &Observation| (&p.kpi, &p.area, p.year, p.gender) == (&o.kpi, &o.area, o.year, o.gender))
            {
                return Err(fail(format!("{year} kön {} finns två gånger", o.gender.code())));
            }
            observations.push(o);
        }
    }
    Ok(Page { observations, next_page: raw.next_page.filter(|u| !u.trim().is_empty()) })
}

/// The observations as values to store for `tenant`, with where they came from.
pub fn to_values(
    observations: &[Observation],
    tenant: TenantId,
    source: KoladaSource,
    origin: &str,
    fetched_on: Date,
) -> Vec<KoladaValue> {
    observations
        .iter()
        .map(|o| KoladaValue {
            tenant_id: tenant,
            kpi: o.kpi.clone(),
            area: o.area.clone(),
            year: o.year,
            gender: o.gender,
            value: o.value,
            status: o.status.clone(),
            source,
            origin: origin.to_owned(),
            fetched_on,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOCUMENTED: &str = r#"{
        "values": [
            {"kpi": "N00945", "municipality": "1860", "period": "2009",
             "values": [{"count": 1, "gender": "T", "status": "", "value": 63.2},
                        {"count": 1, "gender": "K", "status": "", "value": null}]},
            {"kpi": "N00945", "municipality": "G124025", "period": 2009,
             "values": [{"count": 12, "gender": "T", "status": "", "value": 60}]}
        ],
        "count": 2,
        "next_page": "http://api.kolada.se/v2/data/kpi/N00945/municipality/1860/year/2009?page=2&per_page=2"
    }"#;

    #[test]
    fn the_documented_answer_is_read_with_nulls_kept_unknown() {
        let page = parse(DOCUMENTED).unwrap();
        assert_eq!(page.observations.len(), 3);
        assert_eq!(
            page.observations[0],
            Observation {
                kpi: "N00945".into(),
                area: "1860".into(),
                year: 2009,
                gender: Gender::Total,
                value: Some(63.2),
                status: String::new()
            }
        );
        assert_eq!(page.observations[1].value, None);
        assert_eq!(page.observations[2].area, "G124025");
        assert!(page.next_page.unwrap().contains("page=2"));
    }

    #[test]
    fn malformed_answers_are_refused_with_a_swedish_reason() {
        let cases = [
            ("<html>Fel</html>", "följer inte Koladas format"),
            (r#"{"values": 3}"#, "följer inte Koladas format"),
            (r#"{"values": [], "count": 2}"#, "\"count\" är 2"),
            (
                r#"{"values": [{"kpi": "N00945", "municipality": "1860", "period": "år", "values": []}]}"#,
                "\"period\" ska vara ett år",
            ),
            (
                r#"{"values": [{"kpi": "N00945", "municipality": "1860", "period": 2009, "values": [{"gender": "X", "value": 1}]}]}"#,
                "okänt kön \"X\"",
            ),
            (
                r#"{"values": [{"kpi": "kpi", "municipality": "1860", "period": 2009, "values": []}]}"#,
                "nyckeltalet ska vara en stor bokstav",
            ),
        ];
        for (text, expected) in cases {
            let e = parse(text).unwrap_err().to_string();
            assert!(e.contains(expected), "{text}: {e}");
        }
    }
}
