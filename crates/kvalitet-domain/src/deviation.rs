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
    /// Only the year of the case's dates is known (see [`crate::shown_date`]).
    #[serde(default)]
    pub undated: bool,
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
            undated: false,
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
            e.push("reported_on", Problem::NotAllowed("kan inte vara före händelsedatumet"));
        }
        self.check_kind_fields(&mut e);
        if self.voided_on.is_some() && self.void_reason.trim().is_empty() {
            e.push("void_reason", Problem::Required);
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
                    Problem::NotAllowed(
                        "måste fyllas i: ett allvarligt missförhållande eller en påtaglig risk för det ska anmälas till IVO innan ärendet avslutas",
                    ),
                );
            }
        }
        e.into_result()
    }
}

/// Why a field of one kind is refused on another.
const LEX_SARAH_ONLY: &str = "bara lex Sarah-rapporter har den uppgiften";
const COMPLAINT_ONLY: &str = "bara synpunkter och klagomål har den uppgiften";

/// A reopened case: the case with the later steps' dates removed, and a Swedish
/// sentence saying what was removed and what stays.
#[derive(Debug, Clone, PartialEq)]
pub struct Reopening {
    pub deviation: Deviation,
    pub note: String,
}

/// A reclassified case: the case of its new kind, and a Swedish sentence saying what
/// of the old kind's data was dropped and what happened to its status (empty when
/// nothing was).
#[derive(Debug, Clone, PartialEq)]
pub struct Reclassification {
    pub deviation: Deviation,
    pub note: String,
}

/// "a, b och c".
fn and_list(parts: &[&str]) -> String {
    match parts {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} och {last}", init.join(", ")),
    }
}

/// Capitalises the first letter of a sentence.
fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or(String::new(), |c| c.to_uppercase().chain(chars).collect())
}

impl Deviation {
    /// The fields of one kind refused on the others: lex Sarah's investigation,
    /// decision and report to IVO; a complaint's who, channel, answer and outcome.
    fn check_kind_fields(&self, e: &mut ValidationErrors) {
        if self.kind != DeviationKind::LexSarah {
            let set: [(&'static str, bool); 9] = [
                ("investigation_started_on", self.investigation_started_on.is_some()),
                ("investigator", !self.investigator.trim().is_empty()),
                ("person_informed", self.person_informed.is_some()),
                ("person_informed_on", self.person_informed_on.is_some()),
                ("lex_sarah_category", self.lex_sarah_category.is_some()),
                ("decided_on", self.decided_on.is_some()),
                ("decided_by", !self.decided_by.trim().is_empty()),
                ("reported_to_ivo_on", self.reported_to_ivo_on.is_some()),
                ("ivo_reference", !self.ivo_reference.trim().is_empty()),
            ];
            for (field, _) in set.iter().filter(|(_, is_set)| *is_set) {
                e.push(field, Problem::NotAllowed(LEX_SARAH_ONLY));
            }
        }
        if self.kind != DeviationKind::Complaint {
            let set: [(&'static str, bool); 5] = [
                ("complainant", self.complainant.is_some()),
                ("channel", self.channel.is_some()),
                ("answered_on", self.answered_on.is_some()),
                ("answered_by", !self.answered_by.trim().is_empty()),
                ("complaint_outcome", self.complaint_outcome.is_some()),
            ];
            for (field, _) in set.iter().filter(|(_, is_set)| *is_set) {
                e.push(field, Problem::NotAllowed(COMPLAINT_ONLY));
            }
        }
    }

    /// The dates of the case against today and against each other: none in the future,
    /// none before the event, each step not before the one it follows (reported →
    /// investigation started → person informed, decision → report to IVO; a complaint's
    /// answer after the report; closing after every other step; voiding after the report).
    pub fn check_dates(&self, today: Date) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        let dates: [(&'static str, Option<Date>); 9] = [
            ("occurred_on", Some(self.occurred_on)),
            ("reported_on", Some(self.reported_on)),
            ("investigation_started_on", self.investigation_started_on),
            ("person_informed_on", self.person_informed_on),
            ("decided_on", self.decided_on),
            ("reported_to_ivo_on", self.reported_to_ivo_on),
            ("answered_on", self.answered_on),
            ("closed_on", self.closed_on),
            ("voided_on", self.voided_on),
        ];
        for (field, date) in dates {
            match date {
                Some(d) if d > today => e.push(field, Problem::NotAllowed("kan inte vara ett datum i framtiden")),
                Some(d) if d < self.occurred_on => {
                    e.push(field, Problem::NotAllowed("kan inte vara före händelsedatumet"))
                }
                _ => {}
            }
        }
        let before =
            |later: Option<Date>, earlier: Option<Date>| matches!((later, earlier), (Some(l), Some(x)) if l < x);
        let reported = Some(self.reported_on);
        let started = self.investigation_started_on;
        if before(started, reported) {
            e.push("investigation_started_on", Problem::NotAllowed("kan inte vara före rapportdatumet"));
        }
        if started.is_some() && before(self.person_informed_on, started) {
            e.push("person_informed_on", Problem::NotAllowed("kan inte vara före utredningens startdatum"));
        } else if before(self.person_informed_on, reported) {
            e.push("person_informed_on", Problem::NotAllowed("kan inte vara före rapportdatumet"));
        }
        if before(self.decided_on, started) {
            e.push("decided_on", Problem::NotAllowed("kan inte vara före utredningens startdatum"));
        } else if before(self.decided_on, reported) {
            e.push("decided_on", Problem::NotAllowed("kan inte vara före rapportdatumet"));
        }
        if before(self.reported_to_ivo_on, self.decided_on) {
            e.push("reported_to_ivo_on", Problem::NotAllowed("kan inte vara före beslutsdatumet"));
        } else if before(self.reported_to_ivo_on, reported) {
            e.push("reported_to_ivo_on", Problem::NotAllowed("kan inte vara före rapportdatumet"));
        }
        if before(self.answered_on, reported) {
            e.push("answered_on", Problem::NotAllowed("kan inte vara före rapportdatumet"));
        }
        let steps: [(Option<Date>, &'static str); 6] = [
            (reported, "kan inte vara före rapportdatumet"),
            (started, "kan inte vara före utredningens startdatum"),
            (self.person_informed_on, "kan inte vara före datumet då den enskilde informerades"),
            (self.decided_on, "kan inte vara före beslutsdatumet"),
            (self.reported_to_ivo_on, "kan inte vara före anmälan till IVO"),
            (self.answered_on, "kan inte vara före datumet då klagomålet besvarades"),
        ];
        if let Some((_, why)) = steps.iter().find(|(step, _)| before(self.closed_on, *step)) {
            e.push("closed_on", Problem::NotAllowed(why));
        }
        if before(self.voided_on, reported) {
            e.push("voided_on", Problem::NotAllowed("kan inte vara före rapportdatumet"));
        }
        e.into_result()
    }

    /// What a lex Sarah report's status requires, step by step (a later status
    /// requires what the earlier ones do): under investigation, its start date and
    /// investigator; assessed, its category, decision date and decision maker; closed,
    /// its closing date and, when the category must be reported, the report to IVO.
    /// IVO's reference only with the report's date; the date the person concerned was
    /// informed only if they were.
    pub fn check_steps(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        if self.kind == DeviationKind::LexSarah {
            if self.status >= DeviationStatus::Investigating {
                if self.investigation_started_on.is_none() {
                    e.push("investigation_started_on", Problem::Required);
                }
                if self.investigator.trim().is_empty() {
                    e.push("investigator", Problem::Required);
                }
            }
            if self.status >= DeviationStatus::Assessed {
                if self.lex_sarah_category.is_none() {
                    e.push("lex_sarah_category", Problem::Required);
                }
                if self.decided_on.is_none() {
                    e.push("decided_on", Problem::Required);
                }
                if self.decided_by.trim().is_empty() {
                    e.push("decided_by", Problem::Required);
                }
            }
            if !self.ivo_reference.trim().is_empty() && self.reported_to_ivo_on.is_none() {
                e.push(
                    "ivo_reference",
                    Problem::NotAllowed("kan anges först när datumet för anmälan till IVO är ifyllt"),
                );
            }
            if self.person_informed_on.is_some() && self.person_informed != Some(true) {
                e.push("person_informed_on", Problem::NotAllowed("kan anges bara när den enskilde har informerats"));
            }
        }
        e.into_result()
    }

    /// Every rule of a case being handled on `today`: the record's own rules, the
    /// dates and the steps. Each field's first problem comes first.
    pub fn validate_on(&self, today: Date) -> Result<(), ValidationErrors> {
        let mut all = ValidationErrors::default();
        for result in [self.validate(), self.check_dates(today), self.check_steps()] {
            if let Err(e) = result {
                all.errors.extend(e.errors);
            }
        }
        all.into_result()
    }

    /// When the report to IVO is due: `deadline_days` after the report, for a lex
    /// Sarah report assessed as serious (or a risk of it) that is not yet reported.
    pub fn ivo_due_on(&self, deadline_days: i64) -> Option<Date> {
        let must = self.kind == DeviationKind::LexSarah
            && self.lex_sarah_category.is_some_and(LexSarahCategory::must_report_to_ivo)
            && self.reported_to_ivo_on.is_none();
        must.then(|| self.reported_on.checked_add(jiff::Span::new().days(deadline_days)).ok()).flatten()
    }

    /// Whether the report to IVO is past its due date on `today`.
    pub fn ivo_overdue(&self, deadline_days: i64, today: Date) -> bool {
        self.ivo_due_on(deadline_days).is_some_and(|due| today > due)
    }

    /// A closed case opened again at the earlier status `to`: the dates of the steps
    /// after `to` are removed (the closing date; going back to the investigation also
    /// the decision; back to registered also the investigation's start and the date
    /// the person concerned was informed). A report made to IVO is not unmade: its date
    /// and reference stay, as does a complaint's answer. `None` when this is no
    /// reopening (the case is not closed, or `to` is not earlier).
    pub fn reopen(&self, to: DeviationStatus) -> Option<Reopening> {
        if self.status != DeviationStatus::Closed || to >= DeviationStatus::Closed {
            return None;
        }
        let mut d = self.clone();
        d.status = to;
        let mut removed: Vec<&str> = Vec::new();
        if d.closed_on.take().is_some() {
            removed.push("avslutsdatumet");
        }
        if to < DeviationStatus::Assessed && (d.decided_on.take().is_some() | !d.decided_by.is_empty()) {
            d.decided_by.clear();
            removed.push("beslutsdatumet och beslutsfattaren");
        }
        if to < DeviationStatus::Investigating {
            if d.investigation_started_on.take().is_some() {
                removed.push("utredningens startdatum");
            }
            if d.person_informed_on.take().is_some() {
                removed.push("datumet då den enskilde informerades");
            }
        }
        let mut note = if removed.is_empty() {
            "Inga datum tas bort.".to_owned()
        } else {
            format!("{} tas bort.", sentence(&and_list(&removed)))
        };
        if d.reported_to_ivo_on.is_some() {
            note.push_str(
                " Anmälan till IVO står kvar med datum och diarienummer: en gjord anmälan tas inte tillbaka.",
            );
        }
        if d.answered_on.is_some() {
            note.push_str(" Svaret på klagomålet står kvar.");
        }
        Some(Reopening { deviation: d, note })
    }

    /// The case as another kind. What only the old kind has is dropped and named in
    /// the note. Becoming a lex Sarah report starts the law's process from the report:
    /// the case is registered again, without a closing date. A lex Sarah report that
    /// has been decided on or reported to IVO keeps its kind: the decision and the
    /// report are the law's record of it (open it again and remove the decision first;
    /// one reported to IVO stays lex Sarah).
    pub fn reclassify(&self, to: DeviationKind) -> Result<Reclassification, ValidationErrors> {
        let mut e = ValidationErrors::default();
        if to == self.kind {
            e.push("kind", Problem::NotAllowed("är redan rapportens slag"));
            return Err(e);
        }
        if self.kind == DeviationKind::LexSarah && (self.decided_on.is_some() || self.reported_to_ivo_on.is_some()) {
            e.push(
                "kind",
                Problem::NotAllowed(
                    "kan inte ändras för en lex Sarah-rapport som har beslutats eller anmälts till IVO",
                ),
            );
            return Err(e);
        }
        let mut d = self.clone();
        d.kind = to;
        let mut dropped: Vec<&str> = Vec::new();
        if to != DeviationKind::LexSarah {
            let mut drop = |was_set: bool, name: &'static str| {
                if was_set {
                    dropped.push(name);
                }
            };
            drop(d.investigation_started_on.take().is_some(), "utredningens startdatum");
            drop(!std::mem::take(&mut d.investigator).trim().is_empty(), "utredaren");
            drop(
                d.person_informed.take().is_some() | d.person_informed_on.take().is_some(),
                "uppgiften om den enskilde informerades",
            );
            drop(d.lex_sarah_category.take().is_some(), "bedömningen enligt lex Sarah");
            drop(d.decided_on.take().is_some() | !std::mem::take(&mut d.decided_by).trim().is_empty(), "beslutet");
        }
        if to != DeviationKind::Complaint {
            let mut drop = |was_set: bool, name: &'static str| {
                if was_set {
                    dropped.push(name);
                }
            };
            drop(d.complainant.take().is_some(), "vem som lämnade klagomålet");
            drop(d.channel.take().is_some(), "kanalen");
            drop(d.answered_on.take().is_some() | !std::mem::take(&mut d.answered_by).trim().is_empty(), "svaret");
            drop(d.complaint_outcome.take().is_some(), "utfallet");
        }
        let mut note = if dropped.is_empty() {
            String::new()
        } else {
            format!(
                "{} tas bort, eftersom bara {} har det.",
                sentence(&and_list(&dropped)),
                match self.kind {
                    DeviationKind::LexSarah => "lex Sarah-rapporter",
                    _ => "synpunkter och klagomål",
                }
            )
        };
        if to == DeviationKind::LexSarah && d.status != DeviationStatus::Registered {
            d.status = DeviationStatus::Registered;
            let closed = d.closed_on.take().is_some();
            if !note.is_empty() {
                note.push(' ');
            }
            note.push_str(if closed {
                "Lex Sarah-processen börjar om från rapporten: ärendet får status registrerad och avslutsdatumet tas bort."
            } else {
                "Lex Sarah-processen börjar om från rapporten: ärendet får status registrerad."
            });
        }
        d.validate()?;
        Ok(Reclassification { deviation: d, note })
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
        /// A voiding undone (the report was voided by mistake), with the reason.
        Restored = "restored",
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
            DeviationEventKind::Reopened
                | DeviationEventKind::Voided
                | DeviationEventKind::Restored
                | DeviationEventKind::InformationAdded
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

#[cfg(test)]
mod tests {
    use super::*;

    fn day(m: i8, d: i8) -> Date {
        Date::constant(2026, m, d)
    }

    const TODAY: (i8, i8) = (11, 30);

    fn today() -> Date {
        day(TODAY.0, TODAY.1)
    }

    fn lex_sarah() -> Deviation {
        Deviation::registered(
            Id::new(1),
            Id::new(2),
            DeviationKind::LexSarah,
            day(11, 1),
            day(11, 2),
            "Anmälan hanterades inte i tid".into(),
            String::new(),
            "Medarbetare".into(),
        )
    }

    /// A lex Sarah case walked to closing, reported to IVO.
    fn closed_case() -> Deviation {
        Deviation {
            status: DeviationStatus::Closed,
            investigation_started_on: Some(day(11, 3)),
            investigator: "Utredare".into(),
            person_informed: Some(true),
            person_informed_on: Some(day(11, 4)),
            lex_sarah_category: Some(LexSarahCategory::Serious),
            decided_on: Some(day(11, 10)),
            decided_by: "Chef".into(),
            reported_to_ivo_on: Some(day(11, 12)),
            ivo_reference: "IVO 3.5.1-123/2026".into(),
            closed_on: Some(day(11, 20)),
            ..lex_sarah()
        }
    }

    fn problem_of(r: Result<(), ValidationErrors>, field: &str) -> String {
        let e = r.expect_err("refused");
        e.for_field(field).unwrap_or_else(|| panic!("no problem with {field}: {e}")).to_string()
    }

    #[test]
    fn a_case_walked_through_every_step_passes() {
        assert_eq!(closed_case().validate_on(today()), Ok(()));
        assert_eq!(lex_sarah().validate_on(today()), Ok(()));
    }

    #[test]
    fn no_date_is_in_the_future() {
        let tomorrow = day(12, 1);
        let cases: Vec<(&str, Deviation)> = vec![
            ("occurred_on", Deviation { occurred_on: tomorrow, reported_on: tomorrow, ..lex_sarah() }),
            ("reported_on", Deviation { reported_on: tomorrow, ..lex_sarah() }),
            ("investigation_started_on", Deviation { investigation_started_on: Some(tomorrow), ..lex_sarah() }),
            ("closed_on", Deviation { closed_on: Some(tomorrow), ..closed_case() }),
            ("reported_to_ivo_on", Deviation { reported_to_ivo_on: Some(tomorrow), ..closed_case() }),
            ("voided_on", Deviation { voided_on: Some(tomorrow), void_reason: "Fel".into(), ..lex_sarah() }),
        ];
        for (field, d) in cases {
            assert_eq!(problem_of(d.check_dates(today()), field), "kan inte vara ett datum i framtiden", "{field}");
        }
        assert_eq!(closed_case().check_dates(day(11, 20)), Ok(()), "today itself is allowed");
    }

    #[test]
    fn no_date_is_before_the_event() {
        let d = Deviation { decided_on: Some(day(10, 1)), ..closed_case() };
        assert_eq!(problem_of(d.check_dates(today()), "decided_on"), "kan inte vara före händelsedatumet");
        let d = Deviation { reported_on: day(10, 31), ..lex_sarah() };
        assert_eq!(problem_of(d.validate_on(today()), "reported_on"), "kan inte vara före händelsedatumet");
    }

    #[test]
    fn each_step_is_not_before_the_one_it_follows() {
        let c = closed_case;
        let cases: Vec<(&str, Deviation, &str)> = vec![
            (
                "investigation_started_on",
                Deviation {
                    investigation_started_on: Some(day(11, 1)),
                    person_informed_on: None,
                    person_informed: None,
                    ..c()
                },
                "kan inte vara före rapportdatumet",
            ),
            (
                "person_informed_on",
                Deviation { person_informed_on: Some(day(11, 2)), ..c() },
                "kan inte vara före utredningens startdatum",
            ),
            (
                "person_informed_on",
                Deviation {
                    status: DeviationStatus::Registered,
                    investigation_started_on: None,
                    person_informed_on: Some(day(11, 1)),
                    ..lex_sarah()
                },
                "kan inte vara före rapportdatumet",
            ),
            (
                "decided_on",
                Deviation { decided_on: Some(day(11, 2)), ..c() },
                "kan inte vara före utredningens startdatum",
            ),
            (
                "reported_to_ivo_on",
                Deviation { reported_to_ivo_on: Some(day(11, 9)), ..c() },
                "kan inte vara före beslutsdatumet",
            ),
            ("closed_on", Deviation { closed_on: Some(day(11, 11)), ..c() }, "kan inte vara före anmälan till IVO"),
            ("closed_on", Deviation { closed_on: Some(day(11, 1)), ..c() }, "kan inte vara före rapportdatumet"),
            (
                "voided_on",
                Deviation { voided_on: Some(day(11, 1)), void_reason: "Dubblett".into(), ..lex_sarah() },
                "kan inte vara före rapportdatumet",
            ),
        ];
        for (field, d, why) in cases {
            assert_eq!(problem_of(d.check_dates(today()), field), why, "{field}");
        }
        let complaint = Deviation { kind: DeviationKind::Complaint, answered_on: Some(day(11, 1)), ..lex_sarah() };
        assert_eq!(problem_of(complaint.check_dates(today()), "answered_on"), "kan inte vara före rapportdatumet");
        let complaint = Deviation {
            status: DeviationStatus::Closed,
            answered_on: Some(day(11, 10)),
            closed_on: Some(day(11, 5)),
            ..complaint
        };
        assert_eq!(
            problem_of(complaint.check_dates(today()), "closed_on"),
            "kan inte vara före datumet då klagomålet besvarades"
        );
    }

    #[test]
    fn each_status_requires_its_steps() {
        let investigating = Deviation { status: DeviationStatus::Investigating, ..lex_sarah() };
        let r = investigating.check_steps();
        assert_eq!(problem_of(r.clone(), "investigation_started_on"), "måste fyllas i");
        assert_eq!(problem_of(r, "investigator"), "måste fyllas i");
        for field in ["lex_sarah_category", "decided_on", "decided_by"] {
            let mut d = Deviation { status: DeviationStatus::Assessed, closed_on: None, ..closed_case() };
            match field {
                "lex_sarah_category" => d.lex_sarah_category = None,
                "decided_on" => {
                    d.decided_on = None;
                    d.reported_to_ivo_on = None;
                    d.ivo_reference.clear();
                }
                _ => d.decided_by.clear(),
            }
            assert_eq!(problem_of(d.check_steps(), field), "måste fyllas i", "{field}");
        }
        // A later status requires what the earlier ones do.
        let closed = Deviation { investigator: String::new(), ..closed_case() };
        assert_eq!(problem_of(closed.check_steps(), "investigator"), "måste fyllas i");
        let d = Deviation { closed_on: None, ..closed_case() };
        assert_eq!(problem_of(d.validate_on(today()), "closed_on"), "måste fyllas i");
        let d = Deviation { reported_to_ivo_on: None, ivo_reference: String::new(), ..closed_case() };
        assert!(problem_of(d.validate_on(today()), "reported_to_ivo_on").contains("ska anmälas till IVO"));
        let d = Deviation {
            reported_to_ivo_on: None,
            ivo_reference: String::new(),
            lex_sarah_category: Some(LexSarahCategory::Impropriety),
            ..closed_case()
        };
        assert_eq!(d.validate_on(today()), Ok(()), "an impropriety is not reported to IVO");
        // Other kinds have no such steps.
        let internal = Deviation { kind: DeviationKind::Internal, status: DeviationStatus::Assessed, ..lex_sarah() };
        assert_eq!(internal.validate_on(today()), Ok(()));
    }

    #[test]
    fn ivo_reference_and_informed_date_need_what_they_belong_to() {
        let d =
            Deviation { reported_to_ivo_on: None, status: DeviationStatus::Assessed, closed_on: None, ..closed_case() };
        assert_eq!(
            problem_of(d.check_steps(), "ivo_reference"),
            "kan anges först när datumet för anmälan till IVO är ifyllt"
        );
        for informed in [None, Some(false)] {
            let d = Deviation { person_informed: informed, ..closed_case() };
            assert_eq!(
                problem_of(d.check_steps(), "person_informed_on"),
                "kan anges bara när den enskilde har informerats"
            );
        }
        // A case reopened to its investigation keeps its report to IVO without a decision.
        let d =
            Deviation { decided_on: None, status: DeviationStatus::Investigating, closed_on: None, ..closed_case() };
        assert_eq!(d.validate_on(today()), Ok(()));
    }

    #[test]
    fn fields_of_one_kind_are_refused_on_the_others() {
        let base = Deviation { kind: DeviationKind::Internal, ..lex_sarah() };
        let lex: Vec<(&str, Deviation)> = vec![
            ("investigation_started_on", Deviation { investigation_started_on: Some(day(11, 3)), ..base.clone() }),
            ("investigator", Deviation { investigator: "X".into(), ..base.clone() }),
            ("person_informed", Deviation { person_informed: Some(false), ..base.clone() }),
            ("person_informed_on", Deviation { person_informed_on: Some(day(11, 3)), ..base.clone() }),
            ("lex_sarah_category", Deviation { lex_sarah_category: Some(LexSarahCategory::Serious), ..base.clone() }),
            ("decided_on", Deviation { decided_on: Some(day(11, 3)), ..base.clone() }),
            ("decided_by", Deviation { decided_by: "X".into(), ..base.clone() }),
            ("reported_to_ivo_on", Deviation { reported_to_ivo_on: Some(day(11, 3)), ..base.clone() }),
            ("ivo_reference", Deviation { ivo_reference: "X".into(), ..base.clone() }),
        ];
        for (field, d) in lex {
            assert_eq!(problem_of(d.validate(), field), LEX_SARAH_ONLY, "{field}");
        }
        let complaint: Vec<(&str, Deviation)> = vec![
            ("complainant", Deviation { complainant: Some(Complainant::Relative), ..base.clone() }),
            ("channel", Deviation { channel: Some(ComplaintChannel::Phone), ..base.clone() }),
            ("answered_on", Deviation { answered_on: Some(day(11, 3)), ..base.clone() }),
            ("answered_by", Deviation { answered_by: "X".into(), ..base.clone() }),
            ("complaint_outcome", Deviation { complaint_outcome: Some(ComplaintOutcome::Other), ..base.clone() }),
        ];
        for (field, d) in complaint {
            assert_eq!(problem_of(d.validate(), field), COMPLAINT_ONLY, "{field}");
            let as_complaint = Deviation { kind: DeviationKind::Complaint, ..d };
            assert_eq!(as_complaint.validate(), Ok(()), "{field} on a complaint");
        }
    }

    #[test]
    fn the_ivo_report_is_due_a_deadline_after_the_report() {
        let assessed = Deviation {
            status: DeviationStatus::Assessed,
            reported_to_ivo_on: None,
            ivo_reference: String::new(),
            closed_on: None,
            ..closed_case()
        };
        assert_eq!(assessed.ivo_due_on(14), Some(day(11, 16)));
        assert_eq!(assessed.ivo_due_on(30), Some(day(12, 2)));
        assert!(!assessed.ivo_overdue(14, day(11, 16)));
        assert!(assessed.ivo_overdue(14, day(11, 17)));
        assert_eq!(closed_case().ivo_due_on(14), None, "reported already");
        let minor = Deviation { lex_sarah_category: Some(LexSarahCategory::RiskOfImpropriety), ..assessed.clone() };
        assert_eq!(minor.ivo_due_on(14), None);
        let risk = Deviation { lex_sarah_category: Some(LexSarahCategory::RiskOfSerious), ..assessed };
        assert_eq!(risk.ivo_due_on(14), Some(day(11, 16)));
    }

    #[test]
    fn reopening_removes_the_later_steps_dates_but_not_the_ivo_report() {
        let c = closed_case();
        assert_eq!(lex_sarah().reopen(DeviationStatus::Registered), None, "not closed");
        assert_eq!(c.reopen(DeviationStatus::Closed), None);
        let r = c.reopen(DeviationStatus::Assessed).unwrap();
        assert_eq!(r.deviation.status, DeviationStatus::Assessed);
        assert_eq!(r.deviation.closed_on, None);
        assert_eq!(r.deviation.decided_on, c.decided_on);
        assert_eq!(r.deviation.reported_to_ivo_on, c.reported_to_ivo_on);
        assert_eq!(r.deviation.ivo_reference, c.ivo_reference);
        assert!(r.note.starts_with("Avslutsdatumet tas bort."), "{}", r.note);
        assert!(r.note.contains("Anmälan till IVO står kvar"), "{}", r.note);
        assert_eq!(r.deviation.validate_on(today()), Ok(()));
        let r = c.reopen(DeviationStatus::Investigating).unwrap();
        assert_eq!((r.deviation.decided_on, r.deviation.decided_by.as_str()), (None, ""));
        assert_eq!(r.deviation.investigation_started_on, c.investigation_started_on);
        assert!(r.note.starts_with("Avslutsdatumet och beslutsdatumet och beslutsfattaren tas bort."), "{}", r.note);
        let r = c.reopen(DeviationStatus::Registered).unwrap();
        assert_eq!((r.deviation.investigation_started_on, r.deviation.person_informed_on), (None, None));
        assert!(
            r.note.starts_with(
                "Avslutsdatumet, beslutsdatumet och beslutsfattaren, utredningens startdatum och datumet då den \
                 enskilde informerades tas bort."
            ),
            "{}",
            r.note
        );
        let internal = Deviation {
            kind: DeviationKind::Internal,
            status: DeviationStatus::Closed,
            closed_on: Some(day(11, 5)),
            ..lex_sarah()
        };
        assert_eq!(internal.reopen(DeviationStatus::Investigating).unwrap().note, "Avslutsdatumet tas bort.");
    }

    #[test]
    fn reclassifying_drops_the_old_kinds_data_and_keeps_a_decided_lex_sarah() {
        assert_eq!(
            problem_of(closed_case().reclassify(DeviationKind::Internal).map(|_| ()), "kind"),
            "kan inte ändras för en lex Sarah-rapport som har beslutats eller anmälts till IVO"
        );
        assert_eq!(
            problem_of(lex_sarah().reclassify(DeviationKind::LexSarah).map(|_| ()), "kind"),
            "är redan rapportens slag"
        );
        let investigating = Deviation {
            status: DeviationStatus::Investigating,
            investigation_started_on: Some(day(11, 3)),
            investigator: "Utredare".into(),
            causes: "Rutinen var okänd.".into(),
            ..lex_sarah()
        };
        let r = investigating.reclassify(DeviationKind::Internal).unwrap();
        assert_eq!(r.deviation.kind, DeviationKind::Internal);
        assert_eq!(r.deviation.status, DeviationStatus::Investigating);
        assert_eq!((r.deviation.investigation_started_on, r.deviation.investigator.as_str()), (None, ""));
        assert_eq!(r.deviation.causes, "Rutinen var okänd.", "causes belong to every kind");
        assert_eq!(
            r.note,
            "Utredningens startdatum och utredaren tas bort, eftersom bara lex Sarah-rapporter har det."
        );
        assert_eq!(r.deviation.validate_on(today()), Ok(()));

        let complaint = Deviation {
            kind: DeviationKind::Complaint,
            status: DeviationStatus::Closed,
            complainant: Some(Complainant::Relative),
            answered_on: Some(day(11, 5)),
            answered_by: "Chef".into(),
            closed_on: Some(day(11, 6)),
            ..lex_sarah()
        };
        let r = complaint.reclassify(DeviationKind::LexSarah).unwrap();
        assert_eq!(r.deviation.status, DeviationStatus::Registered);
        assert_eq!((r.deviation.closed_on, r.deviation.complainant, r.deviation.answered_on), (None, None, None));
        assert_eq!(
            r.note,
            "Vem som lämnade klagomålet och svaret tas bort, eftersom bara synpunkter och klagomål har det. Lex \
             Sarah-processen börjar om från rapporten: ärendet får status registrerad och avslutsdatumet tas bort."
        );
        assert_eq!(r.deviation.validate_on(today()), Ok(()));
        let r = Deviation { kind: DeviationKind::Internal, ..lex_sarah() }.reclassify(DeviationKind::Hsl).unwrap();
        assert_eq!(r.note, "");
    }
}
