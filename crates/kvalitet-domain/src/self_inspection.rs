//! Self-inspections (egenkontroller): recurring checks that the service meets its
//! requirements, their runs and verdicts.

use serde::{Deserialize, Serialize};

use crate::Date;
use crate::access::AccountId;
use crate::coded_enum;
use crate::id::Id;
use crate::org::{OrgUnitId, ProcessAreaId};
use crate::plan::PlanId;
use crate::validate::{Problem, Validate, ValidationErrors, limits};

coded_enum! {
    /// How a self-inspection is carried out.
    pub enum Method {
        SampleCheck = "sample_check",
        AccessLogReview = "access_log_review",
        Statistics = "statistics",
        SelfAssessment = "self_assessment",
        PeerReview = "peer_review",
        WalkThrough = "walk_through",
        Other = "other",
        /// The plan does not say how (taken over from a document that does not).
        NotStated = "not_stated",
    }
}

coded_enum! {
    /// How often a self-inspection runs.
    pub enum Frequency {
        Monthly = "monthly",
        Quarterly = "quarterly",
        HalfYearly = "half_yearly",
        Yearly = "yearly",
        Once = "once",
        /// The plan does not say how often: one run falls due by the year's end (the
        /// plan says it is carried out during the year), printed as not stated.
        NotStated = "not_stated",
    }
}

impl Frequency {
    /// Runs expected in a year.
    pub fn runs_per_year(self) -> u32 {
        match self {
            Frequency::Monthly => 12,
            Frequency::Quarterly => 4,
            Frequency::HalfYearly => 2,
            Frequency::Yearly | Frequency::Once | Frequency::NotStated => 1,
        }
    }

    /// The dates runs fall due in `year`: the last day of each period.
    pub fn due_dates(self, year: i16) -> Vec<Date> {
        let months_per_run = 12 / self.runs_per_year() as i8;
        (1..=self.runs_per_year() as i8)
            .map(|i| Date::new(year, i * months_per_run, 1).expect("valid month").last_of_month())
            .collect()
    }
}

coded_enum! {
    /// A self-inspection run's verdict.
    pub enum Verdict {
        Approved = "approved",
        PartlyApproved = "partly_approved",
        NotApproved = "not_approved",
        /// Could not be measured: needs a reason ("verksamhetssystemet ej stödjer …").
        NotMeasurable = "not_measurable",
        /// The follow-up gives no verdict, only its text (taken over from a document
        /// that states none). Never chosen when a run is recorded in Kvalitet.
        NotStated = "not_stated",
    }
}

impl Verdict {
    /// The status a verdict gives the self-inspection in next year's plan ("Status
    /// 2023"): approved green, partly approved yellow, not approved red. A run that could
    /// not be measured gives no colour.
    pub fn status(self) -> Option<TrafficLight> {
        match self {
            Verdict::Approved => Some(TrafficLight::Green),
            Verdict::PartlyApproved => Some(TrafficLight::Yellow),
            Verdict::NotApproved => Some(TrafficLight::Red),
            Verdict::NotMeasurable | Verdict::NotStated => None,
        }
    }

    /// The verdicts a person chooses from when recording a run.
    pub const CHOSEN: [Verdict; 4] =
        [Verdict::Approved, Verdict::PartlyApproved, Verdict::NotApproved, Verdict::NotMeasurable];
}

coded_enum! {
    /// Last year's status as the plan shows it (a traffic light in the seeds).
    pub enum TrafficLight {
        Green = "green",
        Yellow = "yellow",
        Red = "red",
        /// The plan shows a status but its colour is not known (lost in a conversion).
        Unknown = "unknown",
    }
}

/// A self-inspection in a plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SelfInspection {
    pub plan_id: PlanId,
    pub process_area_id: ProcessAreaId,
    pub title: String,
    /// "Syfte med egenkontrollen".
    pub purpose: String,
    pub method: Method,
    pub frequency: Frequency,
    /// The target in words, where one exists ("första samtal inom 10 dagar").
    pub target: String,
    /// New this year ("(NY)", "Ny kontroll").
    pub is_new: bool,
    /// Last year's status ("Status 2023"); none for a new self-inspection.
    pub previous_status: Option<TrafficLight>,
    /// What the plan says about actions when none are needed ("Inget behov av åtgärd …").
    pub action_note: String,
    /// A unit the self-inspection is tied to ("Kopplad till: Stödboende för unga").
    pub unit_id: Option<OrgUnitId>,
    /// Kept for next year's plan on rollover ("Egenkontrollen kommer ligga kvar").
    pub keep_next_year: bool,
    /// Who carries it out, in words: a role, or a person without an account.
    #[serde(default)]
    pub responsible: String,
    /// The person who carries it out, when they have an account: its runs due are among
    /// their tasks. Must be an active account of the plan's tenant when set.
    #[serde(default)]
    pub responsible_account_id: Option<AccountId>,
    pub previous_self_inspection_id: Option<SelfInspectionId>,
    pub sort_order: i64,
}
pub type SelfInspectionId = Id<SelfInspection>;

impl Validate for SelfInspection {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        e.text("title", &self.title, limits::TITLE);
        e.optional_text("purpose", &self.purpose, limits::TEXT);
        e.optional_text("target", &self.target, limits::TITLE);
        e.optional_text("action_note", &self.action_note, limits::TEXT);
        e.optional_text("responsible", &self.responsible, limits::SHORT);
        if self.is_new && self.previous_status.is_some() {
            e.push("previous_status", Problem::NotAllowed("en ny egenkontroll har ingen status från förra året"));
        }
        e.into_result()
    }
}

/// One run of a self-inspection: when, the result, the sample, the verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SelfInspectionRun {
    pub self_inspection_id: SelfInspectionId,
    pub run_on: Date,
    /// Only the year of `run_on` is known (see [`crate::shown_date`]).
    #[serde(default)]
    pub undated: bool,
    /// The measured value, e.g. 80 (per cent) or 12 (days).
    pub result_value: Option<f64>,
    pub sample_size: Option<i64>,
    pub verdict: Verdict,
    /// Why it could not be measured (required for `not_measurable`).
    pub verdict_reason: String,
    /// The follow-up text ("Uppföljning: …").
    pub comment: String,
    pub recorded_by: String,
}
pub type SelfInspectionRunId = Id<SelfInspectionRun>;

impl Validate for SelfInspectionRun {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        e.optional_text("comment", &self.comment, limits::TEXT);
        e.optional_text("verdict_reason", &self.verdict_reason, limits::TEXT);
        if let Some(n) = self.sample_size {
            e.range("sample_size", n, 0, 100_000_000);
        }
        if let Some(v) = self.result_value
            && !v.is_finite()
        {
            e.push("result_value", Problem::Invalid("måste vara ett tal".into()));
        }
        if self.verdict == Verdict::NotMeasurable && self.verdict_reason.trim().is_empty() {
            e.push("verdict_reason", Problem::Required);
        }
        e.into_result()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn due_dates_are_period_ends() {
        let q = Frequency::Quarterly.due_dates(2024);
        assert_eq!(
            q,
            vec![
                Date::constant(2024, 3, 31),
                Date::constant(2024, 6, 30),
                Date::constant(2024, 9, 30),
                Date::constant(2024, 12, 31)
            ]
        );
        let m = Frequency::Monthly.due_dates(2024);
        assert_eq!(m.len(), 12);
        assert_eq!(m[1], Date::constant(2024, 2, 29));
        assert_eq!(Frequency::Yearly.due_dates(2023), vec![Date::constant(2023, 12, 31)]);
    }
}

/// The due dates of `year` that have passed by `today` without a run in their period
/// (the time since the previous due date, or since the start of the year).
pub fn missing_runs(frequency: Frequency, year: i16, runs: &[Date], today: Date) -> Vec<Date> {
    let mut previous = Date::new(year, 1, 1).expect("valid year").yesterday().expect("not the first day");
    let mut missing = Vec::new();
    for due in frequency.due_dates(year) {
        if due <= today && !runs.iter().any(|r| *r > previous && *r <= due) {
            missing.push(due);
        }
        previous = due;
    }
    missing
}

#[cfg(test)]
mod due_tests {
    use super::*;

    #[test]
    fn a_run_covers_its_own_period_only() {
        let d = |m, day| Date::constant(2024, m, day);
        let runs = [d(2, 10), d(5, 31)];
        let today = d(8, 15);
        assert_eq!(missing_runs(Frequency::Quarterly, 2024, &runs, today), vec![]);
        assert_eq!(missing_runs(Frequency::Quarterly, 2024, &[d(2, 10)], today), vec![d(6, 30)]);
        let monthly = missing_runs(Frequency::Monthly, 2024, &runs, today);
        assert_eq!(monthly, vec![d(1, 31), d(3, 31), d(4, 30), d(6, 30), d(7, 31)]);
        assert_eq!(missing_runs(Frequency::Yearly, 2024, &[], today), vec![], "not due until December");
    }
}
