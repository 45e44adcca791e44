//! The annual quality report (kvalitetsberättelse) and what it draws on: user surveys,
//! systematic follow-up, reviews, key statistics, quality assessments and improvement
//! areas. Surveys, follow-ups, reviews and statistics belong to a unit and a year, so a
//! report for a scope gathers them from the units below it.

use serde::{Deserialize, Serialize};

use crate::Date;
use crate::coded_enum;
use crate::id::Id;
use crate::org::{OrgUnitId, QualityFactorId, TenantId};
use crate::stats::{Share, wilson};
use crate::validate::{Problem, Validate, ValidationErrors, limits};

coded_enum! {
    pub enum ReportState {
        Draft = "draft",
        /// Presented to the board.
        Submitted = "submitted",
    }
}

/// A quality report for one year and one scope.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QualityReport {
    pub tenant_id: TenantId,
    pub scope_id: OrgUnitId,
    pub year: i64,
    pub title: String,
    pub state: ReportState,
    pub submitted_on: Option<Date>,
    pub board_reference: Option<String>,
}
pub type ReportId = Id<QualityReport>;

impl Validate for QualityReport {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        e.range("year", self.year, 2000, 2100);
        e.text("title", &self.title, limits::TITLE);
        // A report taken over from a document that does not give the day it reached the
        // board keeps it unknown; submitting one in Kvalitet requires the date.
        if let Some(r) = &self.board_reference {
            e.optional_text("board_reference", r, limits::SHORT);
        }
        e.into_result()
    }
}

/// A user survey (brukarundersökning) of one unit in one year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserSurvey {
    pub tenant_id: TenantId,
    pub unit_id: OrgUnitId,
    pub year: i64,
    /// What the survey or the surveyed service is called ("Boendestöd", "IPS").
    pub name: String,
    /// The instrument ("SKR:s brukarundersökning").
    pub instrument: String,
    /// People asked (urval).
    pub sample_size: Option<i64>,
    pub answers: Option<i64>,
    /// Response rate in per cent, when only the rate is known.
    pub response_rate: Option<f64>,
    pub summary: String,
    pub sort_order: i64,
}
pub type UserSurveyId = Id<UserSurvey>;

impl UserSurvey {
    /// The response rate in per cent: computed from answers and sample where both are
    /// known, otherwise as recorded.
    pub fn response_rate(&self) -> Option<f64> {
        match (self.answers, self.sample_size) {
            (Some(a), Some(s)) if s > 0 => Some(a as f64 * 100.0 / s as f64),
            _ => self.response_rate,
        }
    }
}

impl Validate for UserSurvey {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        e.range("year", self.year, 2000, 2100);
        e.text("name", &self.name, limits::TITLE);
        e.optional_text("instrument", &self.instrument, limits::TITLE);
        e.optional_text("summary", &self.summary, limits::TEXT);
        if let (Some(a), Some(s)) = (self.answers, self.sample_size)
            && a > s
        {
            e.push("answers", Problem::NotAllowed("kan inte vara fler än antalet tillfrågade"));
        }
        if let Some(r) = self.response_rate {
            e.range("response_rate", r.round() as i64, 0, 100);
        }
        e.into_result()
    }
}

/// Systematic follow-up (systematisk uppföljning): individual measurements with an
/// instrument (UBÅT, ASI, SU Kvinnofrid) aggregated to group level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SystematicFollowUp {
    pub tenant_id: TenantId,
    pub unit_id: OrgUnitId,
    pub year: i64,
    pub instrument: String,
    /// Measurements made (e.g. 90 self-ratings).
    pub measurements: Option<i64>,
    pub summary: String,
    pub sort_order: i64,
}
pub type FollowUpId = Id<SystematicFollowUp>;

impl Validate for SystematicFollowUp {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        e.range("year", self.year, 2000, 2100);
        e.text("instrument", &self.instrument, limits::TITLE);
        e.optional_text("summary", &self.summary, limits::TEXT);
        e.into_result()
    }
}

/// One result line of a survey or a systematic follow-up: a share answering
/// positively ("78 procent anser att deras situation har förbättrats").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub survey_id: Option<UserSurveyId>,
    pub follow_up_id: Option<FollowUpId>,
    pub label: String,
    /// Per cent.
    pub value: f64,
    /// The number the share is of, when known.
    pub basis: Option<i64>,
    pub national_value: Option<f64>,
    pub sort_order: i64,
}
pub type FindingId = Id<Finding>;

impl Finding {
    /// The share with its interval, when the basis is known.
    pub fn share(&self) -> Option<Share> {
        let n = self.basis.filter(|&b| b > 0)? as u64;
        let k = ((self.value / 100.0) * n as f64).round() as u64;
        wilson(k.min(n), n)
    }
}

impl Validate for Finding {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        e.text("label", &self.label, limits::TITLE);
        if !(0.0..=100.0).contains(&self.value) {
            e.push("value", Problem::OutOfRange { min: 0, max: 100 });
        }
        if self.survey_id.is_some() == self.follow_up_id.is_some() {
            e.push("survey_id", Problem::Invalid("ett resultat hör till en undersökning eller en uppföljning".into()));
        }
        e.into_result()
    }
}

coded_enum! {
    pub enum ReviewKind {
        Internal = "internal",
        External = "external",
    }
}

/// A review or audit (revision, granskning).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Review {
    pub tenant_id: TenantId,
    pub unit_id: OrgUnitId,
    pub year: i64,
    pub kind: ReviewKind,
    pub title: String,
    pub body: String,
    pub sort_order: i64,
}
pub type ReviewId = Id<Review>;

impl Validate for Review {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        e.range("year", self.year, 2000, 2100);
        e.text("title", &self.title, limits::TITLE);
        e.optional_text("body", &self.body, limits::TEXT);
        e.into_result()
    }
}

/// A key figure of a unit and year ("115 unika individer", "428 samtal").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeyStatistic {
    pub tenant_id: TenantId,
    pub unit_id: OrgUnitId,
    pub year: i64,
    pub label: String,
    pub value: f64,
    /// What is counted ("individer", "samtal", "dagar", "%").
    pub unit: String,
    pub comment: String,
    pub sort_order: i64,
}
pub type KeyStatisticId = Id<KeyStatistic>;

impl Validate for KeyStatistic {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        e.range("year", self.year, 2000, 2100);
        e.text("label", &self.label, limits::TITLE);
        e.optional_text("unit", &self.unit, limits::SHORT);
        e.optional_text("comment", &self.comment, limits::TEXT);
        if !self.value.is_finite() {
            e.push("value", Problem::Invalid("måste vara ett tal".into()));
        }
        e.into_result()
    }
}

/// The assessment of quality for one area in a report ("Bedömning av kvalitet").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QualityAssessment {
    pub report_id: ReportId,
    /// The area assessed; empty for the overall assessment.
    pub area: String,
    pub body: String,
    pub sort_order: i64,
}
pub type QualityAssessmentId = Id<QualityAssessment>;

impl Validate for QualityAssessment {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        e.optional_text("area", &self.area, limits::TITLE);
        e.text("body", &self.body, limits::TEXT);
        e.into_result()
    }
}

/// An improvement area for next year (förbättrings-/utvecklingsområde).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImprovementArea {
    pub report_id: ReportId,
    pub text: String,
    pub quality_factor_id: Option<QualityFactorId>,
    pub sort_order: i64,
}
pub type ImprovementAreaId = Id<ImprovementArea>;

impl Validate for ImprovementArea {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        e.text("text", &self.text, limits::TEXT);
        e.into_result()
    }
}
