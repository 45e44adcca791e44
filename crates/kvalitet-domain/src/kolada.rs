//! Comparison data from Kolada (F13), the open database of municipal key figures kept by
//! RKA: the municipality's own Kolada code and comparison group, the values stored per
//! key figure, area (municipality, the nation or a group), year and gender, and the
//! comparison an indicator shows beside its own results.

use serde::{Deserialize, Serialize};

use crate::Date;
use crate::coded_enum;
use crate::id::Id;
use crate::indicator::IndicatorResult;
use crate::org::TenantId;
use crate::validate::{Problem, Validate, ValidationErrors, limits};

/// Kolada's code for the whole country ("Riket").
pub const NATION: &str = "0000";

/// The licence and publisher every shown value is credited with.
pub const CREDIT: &str = "Kolada (RKA), CC BY 4.0";

/// Whether `id` has the form of a Kolada key figure (KPI): one capital letter and five
/// digits, e.g. `U21468` or `N00945`.
pub fn is_kpi(id: &str) -> bool {
    let b = id.as_bytes();
    b.len() == 6 && b[0].is_ascii_uppercase() && b[1..].iter().all(u8::is_ascii_digit)
}

/// Whether `code` is a municipality's code in Kolada (four digits, the SCB code; `0000`
/// is the nation).
pub fn is_municipality(code: &str) -> bool {
    code.len() == 4 && code.bytes().all(|b| b.is_ascii_digit())
}

/// Whether `id` is a Kolada municipality group (`G` and digits, e.g. `G124025`).
pub fn is_group(id: &str) -> bool {
    id.len() >= 2 && id.len() <= 12 && id.starts_with('G') && id[1..].bytes().all(|b| b.is_ascii_digit())
}

/// Whether `area` is something Kolada gives values for: a municipality, the nation or a
/// group.
pub fn is_area(area: &str) -> bool {
    is_municipality(area) || is_group(area)
}

pub const KPI_PROBLEM: &str = "ska vara en stor bokstav och fem siffror, till exempel U21468";
pub const MUNICIPALITY_PROBLEM: &str = "ska vara kommunkoden, fyra siffror, till exempel 0126";
pub const GROUP_PROBLEM: &str = "ska vara G följt av siffror, till exempel G124025";

/// Checks an optional key figure in field `field`.
pub fn check_kpi(e: &mut ValidationErrors, field: &'static str, kpi: Option<&str>) {
    if let Some(k) = kpi
        && !is_kpi(k)
    {
        e.push(field, Problem::NotAllowed(KPI_PROBLEM));
    }
}

/// What a municipality set for its comparisons: its own code in Kolada and the group of
/// similar municipalities it compares itself with ('' when not set).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KoladaSettings {
    pub tenant_id: TenantId,
    pub municipality: String,
    pub group_id: String,
    pub group_name: String,
}
pub type KoladaSettingsId = Id<KoladaSettings>;

impl KoladaSettings {
    /// Nothing set.
    pub fn empty(tenant_id: TenantId) -> Self {
        KoladaSettings { tenant_id, municipality: String::new(), group_id: String::new(), group_name: String::new() }
    }

    /// The heading of the group's column: its name, or "Liknande kommuner".
    pub fn group_label(&self) -> &str {
        if self.group_name.trim().is_empty() { "Liknande kommuner" } else { self.group_name.trim() }
    }
}

impl Validate for KoladaSettings {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        if !self.municipality.is_empty() && (!is_municipality(&self.municipality) || self.municipality == NATION) {
            e.push("municipality", Problem::NotAllowed(MUNICIPALITY_PROBLEM));
        }
        if !self.group_id.is_empty() && !is_group(&self.group_id) {
            e.push("group_id", Problem::NotAllowed(GROUP_PROBLEM));
        }
        e.optional_text("group_name", &self.group_name, limits::SHORT);
        if self.group_id.is_empty() && !self.group_name.trim().is_empty() {
            e.push("group_id", Problem::NotAllowed("måste anges när gruppens namn är angivet"));
        }
        e.into_result()
    }
}

coded_enum! {
    /// Which part of the population a value is for (Kolada's `gender`).
    pub enum Gender {
        /// "T": everyone.
        Total = "T",
        /// "K": women.
        Women = "K",
        /// "M": men.
        Men = "M",
    }
}

coded_enum! {
    /// How a value came into Kvalitet.
    pub enum KoladaSource {
        /// Fetched from Kolada's API (`origin` the URL).
        Fetched = "fetched",
        /// Read from a saved API response (`origin` the file's name).
        Imported = "imported",
        /// Example data of the demo, not Kolada's.
        Example = "example",
    }
}

/// One value of a key figure for an area, year and gender. `value` is `None` where
/// Kolada has none (never 0).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KoladaValue {
    pub tenant_id: TenantId,
    pub kpi: String,
    /// A municipality's code, `0000` for the nation, or a group's id.
    pub area: String,
    pub year: i64,
    pub gender: Gender,
    pub value: Option<f64>,
    /// Kolada's status of the value ('' normally).
    pub status: String,
    pub source: KoladaSource,
    /// The URL fetched or the file read ('' for example data).
    pub origin: String,
    pub fetched_on: Date,
}
pub type KoladaValueId = Id<KoladaValue>;

impl Validate for KoladaValue {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        check_kpi(&mut e, "kpi", Some(&self.kpi));
        if !is_area(&self.area) {
            e.push("area", Problem::NotAllowed("ska vara en kommun (fyra siffror), riket (0000) eller en kommungrupp"));
        }
        e.range("year", self.year, 1900, 2200);
        if self.value.is_some_and(|v| !v.is_finite()) {
            e.push("value", Problem::NotAllowed("ska vara ett tal"));
        }
        e.optional_text("status", &self.status, limits::SHORT);
        e.optional_text("origin", &self.origin, limits::TEXT);
        e.into_result()
    }
}

/// One year of an indicator's comparison: its own result and Kolada's values (gender
/// total) for the municipality, the nation and the group.
#[derive(Debug, Clone, PartialEq)]
pub struct ComparisonRow {
    pub year: i64,
    pub own: Option<f64>,
    pub municipality: Option<f64>,
    pub nation: Option<f64>,
    pub group: Option<f64>,
}

/// Where the shown values came from: Kolada on some days, or example data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Provenance {
    Kolada { fetched_on: Vec<Date> },
    Example,
}

/// An indicator's comparison with Kolada, years in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub kpi: String,
    pub group_label: String,
    pub has_group: bool,
    pub rows: Vec<ComparisonRow>,
    pub provenance: Vec<Provenance>,
}

impl Comparison {
    /// The comparison of key figure `kpi` from the stored `values` (any tenant filter is
    /// the caller's), beside the indicator's own `results`; `None` when no year has a
    /// Kolada value for the municipality, the nation or the group (nothing is invented).
    pub fn new<'v, 'r>(
        kpi: &str,
        settings: &KoladaSettings,
        values: impl IntoIterator<Item = &'v KoladaValue>,
        results: impl IntoIterator<Item = &'r IndicatorResult>,
    ) -> Option<Comparison> {
        let results: Vec<&IndicatorResult> = results.into_iter().collect();
        let mut rows: Vec<ComparisonRow> = Vec::new();
        let mut fetched: Vec<Date> = Vec::new();
        let mut example = false;
        for v in values {
            if v.kpi != kpi || v.gender != Gender::Total || v.value.is_none() {
                continue;
            }
            let slot = if v.area == NATION {
                1
            } else if !settings.municipality.is_empty() && v.area == settings.municipality {
                0
            } else if !settings.group_id.is_empty() && v.area == settings.group_id {
                2
            } else {
                continue;
            };
            let row = match rows.iter_mut().position(|r| r.year == v.year) {
                Some(i) => &mut rows[i],
                None => {
                    let own = results.iter().find(|r| r.year == v.year && !r.no_data).and_then(|r| r.value);
                    rows.push(ComparisonRow { year: v.year, own, municipality: None, nation: None, group: None });
                    rows.last_mut().expect("just pushed")
                }
            };
            match slot {
                0 => row.municipality = v.value,
                1 => row.nation = v.value,
                _ => row.group = v.value,
            }
            match v.source {
                KoladaSource::Example => example = true,
                _ => {
                    if !fetched.contains(&v.fetched_on) {
                        fetched.push(v.fetched_on);
                    }
                }
            }
        }
        if rows.is_empty() {
            return None;
        }
        rows.sort_by_key(|r| r.year);
        fetched.sort();
        let mut provenance = Vec::new();
        if !fetched.is_empty() {
            provenance.push(Provenance::Kolada { fetched_on: fetched });
        }
        if example {
            provenance.push(Provenance::Example);
        }
        Some(Comparison {
            kpi: kpi.to_owned(),
            group_label: settings.group_label().to_owned(),
            has_group: rows.iter().any(|r| r.group.is_some()),
            rows,
            provenance,
        })
    }

    /// The source note in Swedish: "Källa: Kolada (RKA), CC BY 4.0, hämtat 2024-03-01",
    /// and "Exempeldata" for the demo's made-up values.
    pub fn source_notes(&self) -> Vec<String> {
        self.provenance
            .iter()
            .map(|p| match p {
                Provenance::Kolada { fetched_on } => {
                    let days: Vec<String> = fetched_on.iter().map(ToString::to_string).collect();
                    format!("Källa: {CREDIT}, nyckeltal {}, hämtat {}", self.kpi, days.join(", "))
                }
                Provenance::Example => format!(
                    "Exempeldata: påhittade värden för demonstrationen, inte hämtade från Kolada (nyckeltal {}).",
                    self.kpi
                ),
            })
            .collect()
    }

    /// Whether any shown value is example data.
    pub fn is_example(&self) -> bool {
        self.provenance.contains(&Provenance::Example)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(area: &str, year: i64, v: Option<f64>, source: KoladaSource) -> KoladaValue {
        KoladaValue {
            tenant_id: Id::new(1),
            kpi: "U21468".into(),
            area: area.into(),
            year,
            gender: Gender::Total,
            value: v,
            status: String::new(),
            source,
            origin: String::new(),
            fetched_on: Date::constant(2024, 3, 1),
        }
    }

    #[test]
    fn formats_are_checked() {
        assert!(is_kpi("U21468") && is_kpi("N00945"));
        assert!(!is_kpi("u21468") && !is_kpi("U2146") && !is_kpi("U214680") && !is_kpi("UU1468"));
        assert!(is_municipality("0126") && !is_municipality("126") && !is_municipality("01a6"));
        assert!(is_group("G124025") && !is_group("G") && !is_group("124025") && !is_group("G12x"));
    }

    #[test]
    fn settings_name_the_wrong_field() {
        let mut s = KoladaSettings::empty(Id::new(1));
        assert!(s.validate().is_ok());
        s.municipality = "0000".into();
        s.group_id = "X1".into();
        let e = s.validate().unwrap_err();
        let fields: Vec<&str> = e.errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["municipality", "group_id"]);
        s.municipality = "0126".into();
        s.group_id = String::new();
        s.group_name = "Liknande kommuner IFO".into();
        assert_eq!(s.validate().unwrap_err().errors[0].field, "group_id");
    }

    #[test]
    fn the_comparison_takes_totals_of_the_three_areas_and_invents_nothing() {
        let settings = KoladaSettings {
            tenant_id: Id::new(1),
            municipality: "0126".into(),
            group_id: "G124025".into(),
            group_name: String::new(),
        };
        let mut women = value("0000", 2022, Some(70.0), KoladaSource::Fetched);
        women.gender = Gender::Women;
        let values = [
            value("0126", 2022, Some(77.0), KoladaSource::Fetched),
            value("0000", 2022, Some(63.2), KoladaSource::Fetched),
            women,
            value("G124025", 2021, Some(60.0), KoladaSource::Example),
            value("0000", 2021, None, KoladaSource::Fetched),
            value("1860", 2022, Some(1.0), KoladaSource::Fetched),
        ];
        let own = IndicatorResult {
            indicator_id: Id::new(1),
            year: 2022,
            value: Some(77.0),
            numerator: None,
            denominator: None,
            answers: None,
            response_rate: None,
            national_value: None,
            comment: String::new(),
            no_data: false,
        };
        let c = Comparison::new("U21468", &settings, &values, [&own]).unwrap();
        assert_eq!(c.group_label, "Liknande kommuner");
        assert_eq!(
            c.rows,
            [
                ComparisonRow { year: 2021, own: None, municipality: None, nation: None, group: Some(60.0) },
                ComparisonRow {
                    year: 2022,
                    own: Some(77.0),
                    municipality: Some(77.0),
                    nation: Some(63.2),
                    group: None
                },
            ]
        );
        assert!(c.is_example());
        let notes = c.source_notes();
        assert_eq!(notes[0], "Källa: Kolada (RKA), CC BY 4.0, nyckeltal U21468, hämtat 2024-03-01");
        assert!(notes[1].starts_with("Exempeldata"));
        assert!(Comparison::new("N00945", &settings, &values, [&own]).is_none());
    }
}
