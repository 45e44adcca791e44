//! Measures as data: definitions loadable from TOML, with the defaults embedded.

use anyhow::{Context, bail};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::data::TargetGroup;
use crate::day::Day;
use crate::format::Table;

/// The default measures, as shipped.
pub const DEFAULT_MEASURES_TOML: &str = include_str!("../measures.toml");

/// A date column that a definition may refer to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateField {
    Aktualisering,
    Forhandsbedomning,
    UtredningStart,
    UtredningSlut,
    Forlangning,
    Beslut,
    Verkstallighet,
    Start,
    Slut,
    PlaneradSlut,
    Genomforandeplan,
    PlanUppfoljning,
    ForstaKontakt,
    ForstaBesok,
}

impl DateField {
    /// The table the column belongs to.
    pub fn table(self) -> Table {
        use DateField::*;
        match self {
            Aktualisering | Forhandsbedomning | UtredningStart | UtredningSlut | Forlangning => Table::Arenden,
            Beslut | Verkstallighet | Start | Slut | PlaneradSlut | Genomforandeplan | PlanUppfoljning => {
                Table::Insatser
            }
            ForstaKontakt | ForstaBesok => Table::Kontakter,
        }
    }
}

/// The longest limits a definition may set (ten years): date arithmetic stays within the
/// years the import accepts.
pub const MAX_LIMIT_DAYS: i32 = 3650;
pub const MAX_LIMIT_MONTHS: i32 = 120;

/// A time limit in calendar days or calendar months.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    Days(i32),
    /// Months are added as calendar months, the day clamped to the month's last day
    /// (2023-10-31 + 4 months = 2024-02-29).
    Months(i32),
}

impl Limit {
    fn from_fields(id: &str, days: Option<i32>, months: Option<i32>) -> anyhow::Result<Limit> {
        match (days, months) {
            (Some(d), None) if (0..=MAX_LIMIT_DAYS).contains(&d) => Ok(Limit::Days(d)),
            (None, Some(m)) if (0..=MAX_LIMIT_MONTHS).contains(&m) => Ok(Limit::Months(m)),
            (Some(_), None) => bail!("måttet {id}: limit_days ska vara mellan 0 och {MAX_LIMIT_DAYS}"),
            (None, Some(_)) => bail!("måttet {id}: limit_months ska vara mellan 0 och {MAX_LIMIT_MONTHS}"),
            _ => bail!("måttet {id}: ange exakt en av limit_days och limit_months"),
        }
    }

    /// The last date within the limit counted from `from`.
    pub fn deadline(self, from: Date) -> Date {
        match self {
            Limit::Days(d) => from.saturating_add(jiff::Span::new().days(d)),
            Limit::Months(m) => from.saturating_add(jiff::Span::new().months(m)),
        }
    }

    /// [`Limit::deadline`] for a [`Day`]; days without going through `jiff`.
    pub fn deadline_day(self, from: Day) -> Day {
        match self {
            Limit::Days(d) => from.plus_days(d),
            Limit::Months(_) => Day::from(self.deadline(from.date())),
        }
    }

    /// The date `self` before `date` (the earliest date still within the limit).
    pub fn before(self, date: Date) -> Date {
        match self {
            Limit::Days(d) => date.saturating_sub(jiff::Span::new().days(d)),
            Limit::Months(m) => date.saturating_sub(jiff::Span::new().months(m)),
        }
    }
}

/// What a measure computes. Every kind is documented in `README.md`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Kind {
    /// Share of rows with `to` in the period where `to` is within the limit from `from`.
    WithinLimit {
        from: DateField,
        to: DateField,
        limit_days: Option<i32>,
        limit_months: Option<i32>,
        target_group: Option<TargetGroup>,
        /// Count rows over the limit that have `forlangning` set (arenden only).
        #[serde(default)]
        report_extension: bool,
        /// Report the mean and maximum of `to - from` in days.
        #[serde(default)]
        report_wait: bool,
    },
    /// Mean days `to - from` over rows with `to` in the period, with the median.
    MeanDays { from: DateField, to: DateField, target_group: Option<TargetGroup> },
    /// Count of rows with `from` at least the limit before the period's end and no `to`
    /// on or before the period's end.
    PendingOverLimit { from: DateField, to: DateField, limit_days: Option<i32>, limit_months: Option<i32> },
    /// Count of rows with `date` in the period, per intervention name (insatser) or in all.
    CountByGroup { date: DateField },
    /// Occupancy of residential units (capacity given at compute time).
    Occupancy,
    /// Share of interventions active at the period's end whose implementation plan exists
    /// and was followed up within the limit before the period's end.
    PlanFollowedUp { limit_days: Option<i32>, limit_months: Option<i32> },
    /// Share of investigations ended in the period during which an intervention started.
    InterventionDuringInvestigation { target_group: Option<TargetGroup> },
}

/// One measure: an id, a Swedish name and what to compute.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeasureDef {
    pub id: String,
    pub name: String,
    /// `false` removes a default measure when given in an override file.
    #[serde(default = "yes")]
    pub enabled: bool,
    #[serde(flatten)]
    pub kind: Kind,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    measure: Vec<MeasureDef>,
}

impl MeasureDef {
    /// The tables the measure reads; it is skipped when one of them was not given.
    pub fn tables(&self) -> Vec<Table> {
        match &self.kind {
            Kind::WithinLimit { to, .. } | Kind::MeanDays { to, .. } | Kind::PendingOverLimit { to, .. } => {
                vec![to.table()]
            }
            Kind::CountByGroup { date } => vec![date.table()],
            Kind::Occupancy | Kind::PlanFollowedUp { .. } => vec![Table::Insatser],
            Kind::InterventionDuringInvestigation { .. } => vec![Table::Arenden, Table::Insatser],
        }
    }

    /// The limit of kinds that have one.
    pub fn limit(&self) -> anyhow::Result<Option<Limit>> {
        Ok(match &self.kind {
            Kind::WithinLimit { limit_days, limit_months, .. }
            | Kind::PendingOverLimit { limit_days, limit_months, .. }
            | Kind::PlanFollowedUp { limit_days, limit_months } => {
                Some(Limit::from_fields(&self.id, *limit_days, *limit_months)?)
            }
            _ => None,
        })
    }

    /// Checks that the fields fit together (same table, one limit, extension on arenden).
    pub fn validate(&self) -> anyhow::Result<()> {
        let id = &self.id;
        if id.trim().is_empty() {
            bail!("ett mått saknar id");
        }
        self.limit()?;
        match &self.kind {
            Kind::WithinLimit { from, to, report_extension, target_group, .. } => {
                same_table(id, *from, *to)?;
                if *report_extension && to.table() != Table::Arenden {
                    bail!("måttet {id}: report_extension gäller bara tabellen arenden");
                }
                group_needs_cases(id, *target_group, *to)?;
            }
            Kind::MeanDays { from, to, target_group } => {
                same_table(id, *from, *to)?;
                group_needs_cases(id, *target_group, *to)?;
            }
            Kind::PendingOverLimit { from, to, .. } => same_table(id, *from, *to)?,
            _ => {}
        }
        Ok(())
    }
}

fn same_table(id: &str, from: DateField, to: DateField) -> anyhow::Result<()> {
    if from.table() != to.table() {
        bail!("måttet {id}: from och to måste vara kolumner i samma tabell");
    }
    Ok(())
}

fn group_needs_cases(id: &str, group: Option<TargetGroup>, to: DateField) -> anyhow::Result<()> {
    if group.is_some() && to.table() != Table::Arenden {
        bail!("måttet {id}: target_group gäller bara tabellen arenden");
    }
    Ok(())
}

/// Parses a TOML file of `[[measure]]` tables and validates every definition.
pub fn parse_definitions(toml_text: &str) -> anyhow::Result<Vec<MeasureDef>> {
    let file: File = toml::from_str(toml_text).context("måttfilen är inte giltig TOML")?;
    for def in &file.measure {
        def.validate()?;
    }
    Ok(file.measure)
}

/// The embedded default measures.
pub fn default_definitions() -> Vec<MeasureDef> {
    parse_definitions(DEFAULT_MEASURES_TOML).expect("the embedded measures.toml is valid")
}

/// The defaults with `overrides` applied: a definition with a default's id replaces it,
/// a new id is added at the end, and `enabled = false` removes the measure.
pub fn merge_definitions(defaults: Vec<MeasureDef>, overrides: Vec<MeasureDef>) -> Vec<MeasureDef> {
    let mut out = defaults;
    for def in overrides {
        match out.iter_mut().find(|d| d.id == def.id) {
            Some(slot) => *slot = def,
            None => out.push(def),
        }
    }
    out.retain(|d| d.enabled);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn defaults_parse_and_months_clamp_to_month_end() {
        let defs = default_definitions();
        assert!(defs.len() >= 14, "{}", defs.len());
        assert_eq!(Limit::Months(4).deadline(date(2023, 10, 31)), date(2024, 2, 29));
        assert_eq!(Limit::Months(3).before(date(2024, 5, 31)), date(2024, 2, 29));
        assert_eq!(Limit::Days(14).deadline(date(2024, 2, 20)), date(2024, 3, 5));
    }

    #[test]
    fn overrides_replace_add_and_remove() {
        let over = parse_definitions(
            r#"
            [[measure]]
            id = "forhandsbedomning_14d"
            name = "Förhandsbedömning inom 10 dagar"
            kind = "within_limit"
            from = "aktualisering"
            to = "forhandsbedomning"
            limit_days = 10
            target_group = "barn"

            [[measure]]
            id = "belaggning"
            name = "x"
            kind = "occupancy"
            enabled = false
            "#,
        )
        .unwrap();
        let merged = merge_definitions(default_definitions(), over);
        let f = merged.iter().find(|d| d.id == "forhandsbedomning_14d").unwrap();
        assert_eq!(f.limit().unwrap(), Some(Limit::Days(10)));
        assert!(merged.iter().all(|d| d.id != "belaggning"));
    }

    #[test]
    fn inconsistent_definitions_are_refused() {
        let mixed = r#"
            [[measure]]
            id = "x"
            name = "x"
            kind = "within_limit"
            from = "beslut"
            to = "forhandsbedomning"
            limit_days = 1
        "#;
        assert!(parse_definitions(mixed).is_err());
        let two_limits =
            mixed.replace("beslut", "aktualisering").replace("limit_days = 1", "limit_days = 1\nlimit_months = 1");
        assert!(parse_definitions(&two_limits).is_err());
        assert!(parse_definitions("[[measure]]\nid = \"y\"\nname = \"y\"\nkind = \"nope\"").is_err());
        // Limits that would overflow date arithmetic (found by fuzzing) or run backwards.
        let base = mixed.replace("beslut", "aktualisering");
        for bad in ["limit_days = -1", "limit_days = 2147483647", "limit_days = 3651"] {
            let e = parse_definitions(&base.replace("limit_days = 1", bad)).unwrap_err().to_string();
            assert!(e.contains("limit_days ska vara mellan 0 och 3650"), "{bad}: {e}");
        }
        let months = base.replace("limit_days = 1", "limit_months = 2147483647");
        assert!(parse_definitions(&months).unwrap_err().to_string().contains("limit_months ska vara mellan 0 och 120"));
    }
}
