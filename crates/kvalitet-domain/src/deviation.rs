//! Deviations, lex Sarah reports, complaints and HSL deviations: registration,
//! investigation, assessment, report to IVO, closing; and the year-against-year tables.

use serde::{Deserialize, Serialize};

use crate::Date;
use crate::action::ActionId;
use crate::coded_enum;
use crate::id::Id;
use crate::org::{OrgUnitId, TenantId};
use crate::risk::RiskId;
use crate::validate::{Problem, Validate, ValidationErrors, limits};

coded_enum! {
    /// The kind of a registered event.
    pub enum DeviationKind {
        LexSarah = "lex_sarah",
        Internal = "internal",
        Complaint = "complaint",
        Hsl = "hsl",
    }
}

coded_enum! {
    /// Where an event is in its handling.
    pub enum DeviationStatus {
        Registered = "registered",
        Investigating = "investigating",
        Assessed = "assessed",
        Closed = "closed",
    }
}

coded_enum! {
    /// The lex Sarah assessment categories (seed 002's table).
    pub enum LexSarahCategory {
        Serious = "serious",
        RiskOfSerious = "risk_of_serious",
        Impropriety = "impropriety",
        RiskOfImpropriety = "risk_of_impropriety",
        NoImpropriety = "no_impropriety",
    }
}

impl LexSarahCategory {
    /// Serious impropriety or a risk of it must be reported to IVO.
    pub fn must_report_to_ivo(self) -> bool {
        matches!(self, LexSarahCategory::Serious | LexSarahCategory::RiskOfSerious)
    }
}

/// A deviation, lex Sarah report, complaint or HSL deviation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Deviation {
    pub tenant_id: TenantId,
    pub unit_id: OrgUnitId,
    pub kind: DeviationKind,
    pub status: DeviationStatus,
    pub occurred_on: Date,
    pub reported_on: Date,
    pub title: String,
    /// What happened.
    pub description: String,
    pub investigation: String,
    pub lex_sarah_category: Option<LexSarahCategory>,
    pub reported_to_ivo_on: Option<Date>,
    /// What was done so it does not happen again.
    pub measures_taken: String,
    pub closed_on: Option<Date>,
    pub risk_id: Option<RiskId>,
    pub action_id: Option<ActionId>,
    pub reported_by: String,
}
pub type DeviationId = Id<Deviation>;

impl Validate for Deviation {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        e.text("title", &self.title, limits::TITLE);
        e.optional_text("description", &self.description, limits::TEXT);
        e.optional_text("investigation", &self.investigation, limits::TEXT);
        e.optional_text("measures_taken", &self.measures_taken, limits::TEXT);
        if self.reported_on < self.occurred_on {
            e.push("reported_on", Problem::NotAllowed("kan inte vara före händelsedatum"));
        }
        if self.lex_sarah_category.is_some() && self.kind != DeviationKind::LexSarah {
            e.push("lex_sarah_category", Problem::NotAllowed("bara lex Sarah-rapporter bedöms i lex Sarah-kategorier"));
        }
        let assessed = matches!(self.status, DeviationStatus::Assessed | DeviationStatus::Closed);
        if assessed && self.kind == DeviationKind::LexSarah && self.lex_sarah_category.is_none() {
            e.push("lex_sarah_category", Problem::Required);
        }
        if self.status == DeviationStatus::Closed {
            match self.closed_on {
                None => e.push("closed_on", Problem::Required),
                Some(c) if c < self.reported_on => {
                    e.push("closed_on", Problem::NotAllowed("kan inte vara före rapportdatum"))
                }
                Some(_) => {}
            }
            if self.lex_sarah_category.is_some_and(LexSarahCategory::must_report_to_ivo)
                && self.reported_to_ivo_on.is_none()
            {
                e.push(
                    "reported_to_ivo_on",
                    Problem::NotAllowed("ett allvarligt missförhållande ska anmälas till IVO innan ärendet avslutas"),
                );
            }
        }
        e.into_result()
    }
}

/// Counts registered outside Kvalitet (before it was taken into use, or in another
/// system), so year-against-year tables cover years without individual records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeviationTally {
    pub tenant_id: TenantId,
    pub unit_id: OrgUnitId,
    pub year: i64,
    pub kind: DeviationKind,
    /// For lex Sarah: the assessment category these counts had, if assessed.
    pub lex_sarah_category: Option<LexSarahCategory>,
    pub count: i64,
    pub note: String,
}
pub type DeviationTallyId = Id<DeviationTally>;

impl Validate for DeviationTally {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        e.range("year", self.year, 2000, 2100);
        e.range("count", self.count, 0, 1_000_000);
        e.optional_text("note", &self.note, limits::TEXT);
        if self.lex_sarah_category.is_some() && self.kind != DeviationKind::LexSarah {
            e.push("lex_sarah_category", Problem::NotAllowed("bara lex Sarah-rapporter bedöms i lex Sarah-kategorier"));
        }
        e.into_result()
    }
}

/// Counts per kind and year (seed 002: "Lex Sarah / Intern avvikelse / Synpunkter och
/// klagomål, 2022 vs 2021"), from individual records and tallies together.
pub fn count_by_kind_and_year<'a>(
    records: impl IntoIterator<Item = &'a Deviation>,
    tallies: impl IntoIterator<Item = &'a DeviationTally>,
    kind: DeviationKind,
    year: i64,
) -> i64 {
    let from_records =
        records.into_iter().filter(|d| d.kind == kind && i64::from(d.reported_on.year()) == year).count() as i64;
    let from_tallies: i64 = tallies.into_iter().filter(|t| t.kind == kind && t.year == year).map(|t| t.count).sum();
    from_records + from_tallies
}

/// Lex Sarah assessments in one category and year.
pub fn count_lex_sarah<'a>(
    records: impl IntoIterator<Item = &'a Deviation>,
    tallies: impl IntoIterator<Item = &'a DeviationTally>,
    category: LexSarahCategory,
    year: i64,
) -> i64 {
    let from_records = records
        .into_iter()
        .filter(|d| d.lex_sarah_category == Some(category) && i64::from(d.reported_on.year()) == year)
        .count() as i64;
    let from_tallies: i64 =
        tallies.into_iter().filter(|t| t.lex_sarah_category == Some(category) && t.year == year).map(|t| t.count).sum();
    from_records + from_tallies
}
