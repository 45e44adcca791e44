//! How domain records map to table rows: one declarative line per record type (the
//! `record!` macro), and the `Column` conversions of field types to portable column
//! values (text dates, 0/1 booleans, text codes for enums, JSON text).

use sqlx::Row;
use sqlx::any::AnyRow;

use kvalitet_domain::access::{AccessLogReview, Account, ReviewOutcome, Role, RoleAssignment};
use kvalitet_domain::action::{Action, ActionFollowUp, ActionStatus};
use kvalitet_domain::correction::{Correction, CorrectionKind};
use kvalitet_domain::deviation::{
    CategoryDimension, Complainant, ComplaintChannel, ComplaintOutcome, Deviation, DeviationCategory, DeviationEvent,
    DeviationEventKind, DeviationKind, DeviationSettings, DeviationStatus, DeviationTally, EventAnalysis,
    LexSarahCategory,
};
use kvalitet_domain::indicator::{Direction, Indicator, IndicatorResult, IndicatorSource, MeasureUnit};
use kvalitet_domain::kolada::{Gender, KoladaSettings, KoladaSource, KoladaValue};
use kvalitet_domain::measure::MeasureLink;
use kvalitet_domain::org::{OrgUnit, OrgUnitKind, ProcessArea, QualityFactor, TargetGroup, Tenant};
use kvalitet_domain::plan::{FocusArea, FocusAreaKind, PlanState, QualityPlan, Section, SectionKind, TableLayout};
use kvalitet_domain::report::{
    Finding, ImprovementArea, KeyStatistic, QualityAssessment, QualityReport, ReportState, Review, ReviewKind,
    SystematicFollowUp, UserSurvey,
};
use kvalitet_domain::risk::{Risk, RiskAssessment, RiskMatrix, RiskOrigin};
use kvalitet_domain::self_inspection::{Frequency, Method, SelfInspection, SelfInspectionRun, TrafficLight, Verdict};
use kvalitet_domain::{Code, Date, Id};

use crate::error::{Result, StoreError};

/// A portable column value. Nulls carry their type, since PostgreSQL checks the type of
/// every parameter.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Int(i64),
    Real(f64),
    Text(String),
    NullInt,
    NullReal,
    NullText,
}

/// A field type stored in one column.
pub trait Column: Sized {
    /// The null of this column's type.
    const NULL: Value;
    fn to_value(&self) -> Value;
    fn read(row: &AnyRow, table: &'static str, column: &str) -> Result<Self>;
}

fn corrupt(table: &'static str, column: &str, detail: impl ToString) -> StoreError {
    StoreError::Corrupt { table, column: column.to_owned(), detail: detail.to_string() }
}

impl Column for i64 {
    const NULL: Value = Value::NullInt;
    fn to_value(&self) -> Value {
        Value::Int(*self)
    }
    fn read(row: &AnyRow, _: &'static str, column: &str) -> Result<Self> {
        Ok(row.try_get::<i64, _>(column)?)
    }
}

impl Column for f64 {
    const NULL: Value = Value::NullReal;
    fn to_value(&self) -> Value {
        Value::Real(*self)
    }
    fn read(row: &AnyRow, _: &'static str, column: &str) -> Result<Self> {
        // SQLite hands back integral REAL values as integers through the Any driver.
        match row.try_get::<f64, _>(column) {
            Ok(v) => Ok(v),
            Err(_) => Ok(row.try_get::<i64, _>(column)? as f64),
        }
    }
}

impl Column for bool {
    const NULL: Value = Value::NullInt;
    fn to_value(&self) -> Value {
        Value::Int(i64::from(*self))
    }
    fn read(row: &AnyRow, _: &'static str, column: &str) -> Result<Self> {
        Ok(row.try_get::<i64, _>(column)? != 0)
    }
}

impl Column for String {
    const NULL: Value = Value::NullText;
    fn to_value(&self) -> Value {
        Value::Text(self.clone())
    }
    fn read(row: &AnyRow, _: &'static str, column: &str) -> Result<Self> {
        Ok(row.try_get::<String, _>(column)?)
    }
}

impl Column for Date {
    const NULL: Value = Value::NullText;
    fn to_value(&self) -> Value {
        Value::Text(self.to_string())
    }
    fn read(row: &AnyRow, table: &'static str, column: &str) -> Result<Self> {
        let s = row.try_get::<String, _>(column)?;
        s.parse().map_err(|e| corrupt(table, column, e))
    }
}

impl<T> Column for Id<T> {
    const NULL: Value = Value::NullInt;
    fn to_value(&self) -> Value {
        Value::Int(self.get())
    }
    fn read(row: &AnyRow, _: &'static str, column: &str) -> Result<Self> {
        Ok(Id::new(row.try_get::<i64, _>(column)?))
    }
}

impl Column for RiskMatrix {
    const NULL: Value = Value::NullText;
    fn to_value(&self) -> Value {
        Value::Text(serde_json::to_string(self).expect("a risk matrix serialises"))
    }
    fn read(row: &AnyRow, table: &'static str, column: &str) -> Result<Self> {
        let s = row.try_get::<String, _>(column)?;
        serde_json::from_str(&s).map_err(|e| corrupt(table, column, e))
    }
}

impl<T: Column> Column for Option<T> {
    const NULL: Value = T::NULL;
    fn to_value(&self) -> Value {
        match self {
            Some(v) => v.to_value(),
            None => T::NULL,
        }
    }
    fn read(row: &AnyRow, table: &'static str, column: &str) -> Result<Self> {
        use sqlx::ValueRef;
        let value = row.try_get_raw(column)?;
        if value.is_null() { Ok(None) } else { T::read(row, table, column).map(Some) }
    }
}

/// Enums are stored as their stable codes.
macro_rules! coded_columns {
    ($($t:ty),+ $(,)?) => {$(
        impl Column for $t {
            const NULL: Value = Value::NullText;
            fn to_value(&self) -> Value {
                Value::Text(self.code().to_owned())
            }
            fn read(row: &AnyRow, table: &'static str, column: &str) -> Result<Self> {
                let s = row.try_get::<String, _>(column)?;
                <$t>::from_code(&s).ok_or_else(|| corrupt(table, column, format!("okänd kod {s}")))
            }
        }
    )+};
}

coded_columns!(
    Role,
    ReviewOutcome,
    OrgUnitKind,
    PlanState,
    SectionKind,
    FocusAreaKind,
    RiskOrigin,
    ActionStatus,
    Method,
    Frequency,
    TrafficLight,
    Verdict,
    MeasureUnit,
    IndicatorSource,
    Direction,
    DeviationKind,
    DeviationStatus,
    LexSarahCategory,
    Complainant,
    ComplaintChannel,
    ComplaintOutcome,
    CategoryDimension,
    DeviationEventKind,
    ReportState,
    ReviewKind,
    CorrectionKind,
    TableLayout,
    Gender,
    KoladaSource,
);

/// A domain record stored as a row of one table, with `id` and `version` besides its
/// fields.
pub trait Record: Sized + Send + Sync + serde::Serialize + 'static {
    const TABLE: &'static str;
    /// The columns of the fields, in field order (without `id` and `version`).
    const COLUMNS: &'static [&'static str];
    fn values(&self) -> Vec<Value>;
    fn from_row(row: &AnyRow) -> Result<Self>;
}

/// Declares how a record type is stored: its table and its fields, each in a column of
/// the same name. Every field must be listed (the struct literal checks it).
macro_rules! record {
    ($($t:ident => $table:literal { $($field:ident),+ $(,)? })+) => {$(
        impl Record for $t {
            const TABLE: &'static str = $table;
            const COLUMNS: &'static [&'static str] = &[$(stringify!($field)),+];
            fn values(&self) -> Vec<Value> {
                vec![$(Column::to_value(&self.$field)),+]
            }
            fn from_row(row: &AnyRow) -> Result<Self> {
                Ok($t { $($field: Column::read(row, $table, stringify!($field))?),+ })
            }
        }
    )+};
}

record! {
    Account => "account" {
        tenant_id, email, display_name, password_hash, active, must_change_password, password_expires_at
    }
    RoleAssignment => "role_assignment" { account_id, role, scope_id }
    MeasureLink => "measure_link" { tenant_id, measure, self_inspection_id, indicator_id, approve_at }
    AccessLogReview => "access_log_review" {
        tenant_id, account_id, year, month, reviewed_on, reviewer, outcome, comment
    }
    Tenant => "tenant" { name, slug, brand_colour, risk_matrix, demo }
    Correction => "correction" {
        tenant_id, subject_table, subject_id, record_table, record_id, corrected_on, corrected_by, kind, reason,
        before_text
    }
    OrgUnit => "org_unit" { tenant_id, parent_id, kind, name, capacity }
    TargetGroup => "target_group" { tenant_id, name }
    ProcessArea => "process_area" { tenant_id, name, sort_order }
    QualityFactor => "quality_factor" { tenant_id, number, name, alias, description }
    QualityPlan => "quality_plan" {
        tenant_id, scope_id, year, title, state, adopted_on, board_reference, followed_up_on, follow_up_reference,
        previous_plan_id, table_layout
    }
    QualityReport => "quality_report" { tenant_id, scope_id, year, title, state, submitted_on, board_reference }
    Section => "section" { plan_id, report_id, kind, heading, body, sort_order }
    FocusArea => "focus_area" { plan_id, kind, title, body, quality_factor_id, sort_order }
    Risk => "risk" {
        plan_id, process_area_id, title, consequence_text, likelihood, consequence, level, origin,
        previous_risk_id, needs_reassessment, sort_order
    }
    RiskAssessment => "risk_assessment" { risk_id, assessed_on, likelihood, consequence, level, comment }
    Action => "action" {
        plan_id, title, description, responsible, responsible_account_id, due_on, status, withdrawn_reason,
        previous_action_id, sort_order
    }
    ActionFollowUp => "action_follow_up" { action_id, entry_on, undated, text, new_status, recorded_by }
    SelfInspection => "self_inspection" {
        plan_id, process_area_id, title, purpose, method, frequency, target, is_new, previous_status,
        action_note, unit_id, keep_next_year, responsible, responsible_account_id, previous_self_inspection_id,
        sort_order
    }
    SelfInspectionRun => "self_inspection_run" {
        self_inspection_id, run_on, undated, result_value, sample_size, verdict, verdict_reason, comment, recorded_by
    }
    Indicator => "indicator" {
        plan_id, area_id, name, quality_factor_id, unit, source, target_value, direction, no_data, note,
        previous_indicator_id, sort_order, kolada_kpi
    }
    IndicatorResult => "indicator_result" {
        indicator_id, year, value, numerator, denominator, answers, response_rate, national_value, comment, no_data
    }
    Deviation => "deviation" {
        tenant_id, unit_id, kind, status, occurred_on, reported_on, undated, title, description, investigation,
        lex_sarah_category, reported_to_ivo_on, measures_taken, closed_on, risk_id, action_id, reported_by,
        investigation_started_on, investigator, person_informed, person_informed_on, causes, decided_on, decided_by,
        ivo_reference, feedback, complainant, channel, answered_on, answered_by, complaint_outcome, voided_on,
        void_reason, type_category_id, cause_category_id, place_category_id, severity_category_id
    }
    DeviationCategory => "deviation_category" { tenant_id, dimension, name, active, sort_order }
    DeviationSettings => "deviation_settings" { tenant_id, ivo_deadline_days }
    DeviationEvent => "deviation_event" {
        deviation_id, happened_on, actor, kind, from_value, to_value, text, for_reporter
    }
    EventAnalysis => "event_analysis" {
        deviation_id, course_of_events, causes, conclusions, analysed_by, analysed_on
    }
    DeviationTally => "deviation_tally" { tenant_id, unit_id, year, kind, lex_sarah_category, count, note }
    UserSurvey => "user_survey" {
        tenant_id, unit_id, year, name, instrument, sample_size, answers, response_rate, summary, sort_order
    }
    SystematicFollowUp => "systematic_follow_up" {
        tenant_id, unit_id, year, instrument, measurements, summary, sort_order
    }
    Finding => "finding" { survey_id, follow_up_id, label, value, basis, national_value, sort_order }
    Review => "review" { tenant_id, unit_id, year, kind, title, body, sort_order }
    KeyStatistic => "key_statistic" { tenant_id, unit_id, year, label, value, unit, comment, sort_order }
    QualityAssessment => "quality_assessment" { report_id, area, body, sort_order }
    ImprovementArea => "improvement_area" { report_id, text, quality_factor_id, sort_order }
    KoladaSettings => "kolada_settings" { tenant_id, municipality, group_id, group_name }
    KoladaValue => "kolada_value" {
        tenant_id, kpi, area, year, gender, value, status, source, origin, fetched_on
    }
}
