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

/// How many days after a lex Sarah report the report to IVO is due when no municipality
/// has said otherwise (`DeviationSettings`).
pub const DEFAULT_IVO_DEADLINE_DAYS: i64 = 14;

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

coded_enum! {
    /// Who made a complaint (synpunkter och klagomål).
    pub enum Complainant {
        PersonServed = "person_served",
        Relative = "relative",
        Anonymous = "anonymous",
        Other = "other",
    }
}

coded_enum! {
    /// How a complaint came in.
    pub enum ComplaintChannel {
        Form = "form",
        Email = "email",
        Letter = "letter",
        Phone = "phone",
        InPerson = "in_person",
        Other = "other",
    }
}

coded_enum! {
    /// What a complaint led to (seed 002: "kunde ej hänvisas till brister i
    /// organisationen" or a shortcoming put right).
    pub enum ComplaintOutcome {
        Shortcoming = "shortcoming",
        NoShortcoming = "no_shortcoming",
        Referred = "referred",
        Other = "other",
    }
}

coded_enum! {
    /// The four ways a municipality sorts its deviations, each with its own list of
    /// categories (`DeviationCategory`).
    pub enum CategoryDimension {
        Type = "type",
        Cause = "cause",
        Place = "place",
        Severity = "severity",
    }
}

/// A deviation, lex Sarah report, complaint or HSL deviation.
///
/// A lex Sarah report follows SoL 14 kap. and SOSFS 2011:5: reported (`reported_on`,
/// the received date) → investigated (`investigation_started_on`, `investigator`,
/// whether and when the person concerned was informed, what happened, causes, actions)
/// → assessed in one of five categories and decided (`decided_on`, `decided_by`) →
/// reported to IVO when the assessment is serious (`reported_to_ivo_on`, IVO's
/// reference) → closed. A voided report (`voided_on`, with a reason) stays stored but
/// leaves every list and count.
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
    /// What the investigation found happened.
    pub investigation: String,
    pub lex_sarah_category: Option<LexSarahCategory>,
    pub reported_to_ivo_on: Option<Date>,
    /// What was done so it does not happen again.
    pub measures_taken: String,
    pub closed_on: Option<Date>,
    pub risk_id: Option<RiskId>,
    pub action_id: Option<ActionId>,
    pub reported_by: String,
    pub investigation_started_on: Option<Date>,
    pub investigator: String,
    /// Whether the person concerned (or their representative) was informed of the
    /// investigation; `None`: not recorded.
    pub person_informed: Option<bool>,
    pub person_informed_on: Option<Date>,
    /// The investigation's causes.
    pub causes: String,
    pub decided_on: Option<Date>,
    pub decided_by: String,
    pub ivo_reference: String,
    /// The handler's feedback to the reporter, shown in "Mina rapporter".
    pub feedback: String,
    pub complainant: Option<Complainant>,
    pub channel: Option<ComplaintChannel>,
    pub answered_on: Option<Date>,
    pub answered_by: String,
    pub complaint_outcome: Option<ComplaintOutcome>,
    pub voided_on: Option<Date>,
    pub void_reason: String,
    pub type_category_id: Option<DeviationCategoryId>,
    pub cause_category_id: Option<DeviationCategoryId>,
    pub place_category_id: Option<DeviationCategoryId>,
    pub severity_category_id: Option<DeviationCategoryId>,
}
pub type DeviationId = Id<Deviation>;

impl Deviation {
    /// A report as registered: nothing of its handling yet.
    #[allow(clippy::too_many_arguments)]
    pub fn registered(
        tenant_id: TenantId,
        unit_id: OrgUnitId,
        kind: DeviationKind,
        occurred_on: Date,
        reported_on: Date,
        title: String,
        description: String,
        reported_by: String,
    ) -> Deviation {
        Deviation {
            tenant_id,
            unit_id,
            kind,
            status: DeviationStatus::Registered,
            occurred_on,
            reported_on,
            title,
            description,
            investigation: String::new(),
            lex_sarah_category: None,
            reported_to_ivo_on: None,
            measures_taken: String::new(),
            closed_on: None,
            risk_id: None,
            action_id: None,
            reported_by,
            investigation_started_on: None,
            investigator: String::new(),
            person_informed: None,
            person_informed_on: None,
            causes: String::new(),
            decided_on: None,
            decided_by: String::new(),
            ivo_reference: String::new(),
            feedback: String::new(),
            complainant: None,
            channel: None,
            answered_on: None,
            answered_by: String::new(),
            complaint_outcome: None,
            voided_on: None,
            void_reason: String::new(),
            type_category_id: None,
            cause_category_id: None,
            place_category_id: None,
            severity_category_id: None,
        }
    }

    /// The reference number the reporter gets as a receipt: the year it was reported
    /// and the record's number, e.g. `2026-00042`.
    pub fn reference(&self, id: DeviationId) -> String {
        format!("{}-{:05}", self.reported_on.year(), id.get())
    }

    /// Voided (makulerad): kept, but out of every list and count.
    pub fn is_voided(&self) -> bool {
        self.voided_on.is_some()
    }

    /// The category chosen in one dimension.
    pub fn category(&self, dimension: CategoryDimension) -> Option<DeviationCategoryId> {
        match dimension {
            CategoryDimension::Type => self.type_category_id,
            CategoryDimension::Cause => self.cause_category_id,
            CategoryDimension::Place => self.place_category_id,
            CategoryDimension::Severity => self.severity_category_id,
        }
    }
}

impl Validate for Deviation {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        e.text("title", &self.title, limits::TITLE);
        e.optional_text("description", &self.description, limits::TEXT);
        e.optional_text("investigation", &self.investigation, limits::TEXT);
        e.optional_text("measures_taken", &self.measures_taken, limits::TEXT);
        e.optional_text("investigator", &self.investigator, limits::SHORT);
        e.optional_text("causes", &self.causes, limits::TEXT);
        e.optional_text("decided_by", &self.decided_by, limits::SHORT);
        e.optional_text("ivo_reference", &self.ivo_reference, limits::SHORT);
        e.optional_text("feedback", &self.feedback, limits::TEXT);
        e.optional_text("answered_by", &self.answered_by, limits::SHORT);
        e.optional_text("void_reason", &self.void_reason, limits::TEXT);
        if self.reported_on < self.occurred_on {
            e.push("reported_on", Problem::NotAllowed("kan inte vara före händelsedatum"));
        }
        if self.voided_on.is_some() && self.void_reason.trim().is_empty() {
            e.push("void_reason", Problem::Required);
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
    let from_records = records
        .into_iter()
        .filter(|d| !d.is_voided() && d.kind == kind && i64::from(d.reported_on.year()) == year)
        .count() as i64;
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
        .filter(|d| !d.is_voided() && d.lex_sarah_category == Some(category) && i64::from(d.reported_on.year()) == year)
        .count() as i64;
    let from_tallies: i64 =
        tallies.into_iter().filter(|t| t.lex_sarah_category == Some(category) && t.year == year).map(|t| t.count).sum();
    from_records + from_tallies
}

/// One of a municipality's categories of deviations in one dimension (a type such as
/// "Läkemedel", a cause, a place, a severity). Categories in use are deactivated, never
/// removed, so old reports keep theirs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeviationCategory {
    pub tenant_id: TenantId,
    pub dimension: CategoryDimension,
    pub name: String,
    pub active: bool,
    pub sort_order: i64,
}
pub type DeviationCategoryId = Id<DeviationCategory>;

impl Validate for DeviationCategory {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        e.text("name", &self.name, limits::TITLE);
        e.into_result()
    }
}

/// A municipality's rules for deviations: how many days after a lex Sarah report its
/// report to IVO is due.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeviationSettings {
    pub tenant_id: TenantId,
    pub ivo_deadline_days: i64,
}
pub type DeviationSettingsId = Id<DeviationSettings>;

impl Validate for DeviationSettings {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        e.range("ivo_deadline_days", self.ivo_deadline_days, 1, 365);
        e.into_result()
    }
}

coded_enum! {
    /// What happened to a case, in its history.
    pub enum DeviationEventKind {
        /// The kind was changed (`from_value` → `to_value`, kind codes).
        Reclassified = "reclassified",
        /// A closed case was opened again (`from_value` → `to_value`, status codes;
        /// `text` the reason and what happened to the dates).
        Reopened = "reopened",
        /// Voided, with the reason.
        Voided = "voided",
        /// The reporter added information afterwards.
        InformationAdded = "information_added",
        /// The status changed (`from_value` → `to_value`).
        StatusChanged = "status_changed",
    }
}

/// One entry in a case's history. `for_reporter`: the reporter sees it in "Mina
/// rapporter" (what they added, status changes), not the handling's sensitive parts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeviationEvent {
    pub deviation_id: DeviationId,
    pub happened_on: Date,
    pub actor: String,
    pub kind: DeviationEventKind,
    pub from_value: String,
    pub to_value: String,
    pub text: String,
    pub for_reporter: bool,
}
pub type DeviationEventId = Id<DeviationEvent>;

impl Validate for DeviationEvent {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        e.optional_text("text", &self.text, limits::TEXT);
        if matches!(
            self.kind,
            DeviationEventKind::Reopened | DeviationEventKind::Voided | DeviationEventKind::InformationAdded
        ) && self.text.trim().is_empty()
        {
            e.push("text", Problem::Required);
        }
        e.into_result()
    }
}

/// The structured event analysis (händelseanalys) of a serious case: the course of
/// events, the causes and what was learnt; its actions are real actions of a plan,
/// linked to the deviation (`deviation_action`) and, where chosen, to a risk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventAnalysis {
    pub deviation_id: DeviationId,
    pub course_of_events: String,
    pub causes: String,
    pub conclusions: String,
    pub analysed_by: String,
    pub analysed_on: Option<Date>,
}
pub type EventAnalysisId = Id<EventAnalysis>;

impl Validate for EventAnalysis {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        e.optional_text("course_of_events", &self.course_of_events, limits::TEXT);
        e.optional_text("causes", &self.causes, limits::TEXT);
        e.optional_text("conclusions", &self.conclusions, limits::TEXT);
        e.optional_text("analysed_by", &self.analysed_by, limits::SHORT);
        e.into_result()
    }
}
