//! The demo data files' format: human-readable TOML, one file per seed document plus the
//! organisation. Items refer to units, process areas and quality factors by name, and
//! to each other by a local `key`.

use serde::Deserialize;

use kvalitet_domain::Date;
use kvalitet_domain::access::Role;
use kvalitet_domain::action::ActionStatus;
use kvalitet_domain::deviation::{DeviationKind, DeviationStatus, LexSarahCategory};
use kvalitet_domain::indicator::{Direction, IndicatorSource, MeasureUnit};
use kvalitet_domain::org::OrgUnitKind;
use kvalitet_domain::plan::{FocusAreaKind, PlanState, SectionKind, TableLayout};
use kvalitet_domain::report::{ReportState, ReviewKind};
use kvalitet_domain::risk::RiskOrigin;
use kvalitet_domain::self_inspection::{Frequency, Method, TrafficLight, Verdict};

/// `organisation.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Organisation {
    pub process_areas: Vec<String>,
    pub tenant: TenantData,
    pub units: Vec<UnitData>,
    pub target_groups: Vec<NamedData>,
    pub quality_factors: Vec<FactorData>,
    #[serde(default)]
    pub accounts: Vec<AccountData>,
    /// The municipality's Kolada settings and the demo's example values (F13).
    pub kolada: Option<KoladaData>,
}

/// The demo's Kolada settings and example values (stored as example data, shown as
/// "Exempeldata", never as Kolada's).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KoladaData {
    pub municipality: String,
    #[serde(default)]
    pub group_id: String,
    #[serde(default)]
    pub group_name: String,
    #[serde(default)]
    pub example_values: Vec<KoladaValueData>,
}

/// One example value: key figure, area (municipality, `0000` or the group), year, value
/// (total).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KoladaValueData {
    pub kpi: String,
    pub area: String,
    pub year: i64,
    pub value: Option<f64>,
}

/// A demo account, one per role.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountData {
    pub email: String,
    pub name: String,
    pub role: Role,
    pub scope: String,
    pub password: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenantData {
    pub name: String,
    pub slug: String,
    pub brand_colour: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnitData {
    pub name: String,
    pub kind: OrgUnitKind,
    pub parent: Option<String>,
    pub capacity: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NamedData {
    pub name: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FactorData {
    pub number: i64,
    pub name: String,
    pub alias: Option<String>,
    pub description: String,
}

/// A seed file: a plan (with its follow-up, when the seed is one) or a report.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedFile {
    /// Which seed document this file holds, e.g. `000_a1321f673db82280.txt`.
    pub seed: String,
    pub plan: Option<PlanData>,
    pub report: Option<ReportData>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanData {
    pub scope: String,
    pub year: i64,
    pub title: String,
    pub state: PlanState,
    pub adopted_on: Option<Date>,
    pub board_reference: Option<String>,
    pub followed_up_on: Option<Date>,
    /// How the documents set out the risk tables (the seed's own layout).
    #[serde(default = "separate")]
    pub table_layout: TableLayout,
    #[serde(default)]
    pub sections: Vec<SectionData>,
    #[serde(default)]
    pub focus_areas: Vec<FocusAreaData>,
    #[serde(default)]
    pub risks: Vec<RiskData>,
    #[serde(default)]
    pub self_inspections: Vec<SelfInspectionData>,
    #[serde(default)]
    pub actions: Vec<ActionData>,
    #[serde(default)]
    pub indicators: Vec<IndicatorData>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SectionData {
    pub kind: SectionKind,
    pub heading: String,
    #[serde(default)]
    pub body: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FocusAreaData {
    pub kind: FocusAreaKind,
    pub title: String,
    #[serde(default)]
    pub body: String,
    pub quality_factor: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiskData {
    pub key: String,
    pub area: String,
    pub title: String,
    pub level: i64,
    pub likelihood: Option<i64>,
    pub consequence: Option<i64>,
    #[serde(default)]
    pub consequence_text: String,
    #[serde(default = "default_origin")]
    pub origin: RiskOrigin,
    #[serde(default)]
    pub units: Vec<String>,
    #[serde(default)]
    pub target_groups: Vec<String>,
}

fn default_origin() -> RiskOrigin {
    RiskOrigin::RiskAnalysis
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SelfInspectionData {
    pub key: String,
    pub area: String,
    pub title: String,
    #[serde(default)]
    pub purpose: String,
    /// How and how often, where the source document says; else "not stated".
    #[serde(default = "method_not_stated")]
    pub method: Method,
    #[serde(default = "frequency_not_stated")]
    pub frequency: Frequency,
    #[serde(default)]
    pub target: String,
    #[serde(default)]
    pub is_new: bool,
    /// Last year's status; `unknown` where the plan shows a status whose traffic light
    /// was lost when the seed was extracted from PDF.
    pub previous_status: Option<TrafficLight>,
    #[serde(default)]
    pub action_note: String,
    pub unit: Option<String>,
    #[serde(default = "yes")]
    pub keep_next_year: bool,
    /// Keys of the risks it is tied to ("Kopplad till risk").
    #[serde(default)]
    pub risks: Vec<String>,
    #[serde(default)]
    pub runs: Vec<RunData>,
}

fn separate() -> TableLayout {
    TableLayout::Separate
}

fn yes() -> bool {
    true
}

fn method_not_stated() -> Method {
    Method::NotStated
}

fn frequency_not_stated() -> Frequency {
    Frequency::NotStated
}

fn verdict_not_stated() -> Verdict {
    Verdict::NotStated
}

/// A date, or only a year where the source document gives no day (`on = 2022`): the
/// record is then stored undated (see `kvalitet_domain::shown_date`).
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(untagged)]
pub enum DayOrYear {
    Day(Date),
    Year(i16),
}

impl DayOrYear {
    /// The stored date: the day, or the last day of the year.
    pub fn date(self) -> anyhow::Result<Date> {
        match self {
            DayOrYear::Day(d) => Ok(d),
            DayOrYear::Year(y) => {
                kvalitet_domain::undated_in(y).ok_or_else(|| anyhow::anyhow!("året {y} är inte ett giltigt år"))
            }
        }
    }

    pub fn undated(self) -> bool {
        matches!(self, DayOrYear::Year(_))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunData {
    pub on: DayOrYear,
    /// The verdict, where the source gives one.
    #[serde(default = "verdict_not_stated")]
    pub verdict: Verdict,
    pub result_value: Option<f64>,
    pub sample_size: Option<i64>,
    #[serde(default)]
    pub verdict_reason: String,
    #[serde(default)]
    pub comment: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionData {
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub responsible: String,
    pub due_on: Option<Date>,
    pub status: ActionStatus,
    pub withdrawn_reason: Option<String>,
    /// Keys of the risks this action lowers.
    #[serde(default)]
    pub risks: Vec<String>,
    /// Keys of the self-inspections whose findings it addresses.
    #[serde(default)]
    pub self_inspections: Vec<String>,
    #[serde(default)]
    pub follow_ups: Vec<FollowUpData>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FollowUpData {
    pub on: DayOrYear,
    pub text: String,
    pub status: ActionStatus,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorData {
    pub area: String,
    pub name: String,
    pub quality_factor: Option<String>,
    pub unit: MeasureUnit,
    pub source: IndicatorSource,
    pub target_value: Option<f64>,
    #[serde(default = "higher")]
    pub direction: Direction,
    #[serde(default)]
    pub no_data: bool,
    #[serde(default)]
    pub note: String,
    /// The Kolada key figure it is compared with (F13).
    pub kolada_kpi: Option<String>,
    #[serde(default)]
    pub results: Vec<ResultData>,
}

fn higher() -> Direction {
    Direction::HigherIsBetter
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResultData {
    pub year: i64,
    pub value: Option<f64>,
    pub numerator: Option<i64>,
    pub denominator: Option<i64>,
    pub answers: Option<i64>,
    pub response_rate: Option<f64>,
    pub national_value: Option<f64>,
    #[serde(default)]
    pub comment: String,
    #[serde(default)]
    pub no_data: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportData {
    pub scope: String,
    pub year: i64,
    pub title: String,
    pub state: ReportState,
    pub submitted_on: Option<Date>,
    pub board_reference: Option<String>,
    #[serde(default)]
    pub sections: Vec<SectionData>,
    #[serde(default)]
    pub statistics: Vec<StatisticData>,
    #[serde(default)]
    pub surveys: Vec<SurveyData>,
    #[serde(default)]
    pub follow_ups: Vec<SystematicFollowUpData>,
    #[serde(default)]
    pub reviews: Vec<ReviewData>,
    #[serde(default)]
    pub deviations: Vec<DeviationData>,
    #[serde(default)]
    pub deviation_tallies: Vec<TallyData>,
    #[serde(default)]
    pub assessments: Vec<AssessmentData>,
    #[serde(default)]
    pub improvement_areas: Vec<ImprovementData>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatisticData {
    pub unit: String,
    pub year: i64,
    pub label: String,
    pub value: f64,
    #[serde(default)]
    pub measure: String,
    #[serde(default)]
    pub comment: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SurveyData {
    pub unit: String,
    pub name: String,
    #[serde(default)]
    pub instrument: String,
    pub sample_size: Option<i64>,
    pub answers: Option<i64>,
    pub response_rate: Option<f64>,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub findings: Vec<FindingData>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FindingData {
    pub label: String,
    pub value: f64,
    pub basis: Option<i64>,
    pub national_value: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SystematicFollowUpData {
    pub unit: String,
    pub instrument: String,
    pub measurements: Option<i64>,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub findings: Vec<FindingData>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewData {
    pub unit: String,
    pub kind: ReviewKind,
    pub title: String,
    pub body: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviationData {
    pub unit: String,
    pub kind: DeviationKind,
    pub status: DeviationStatus,
    pub occurred_on: DayOrYear,
    pub reported_on: DayOrYear,
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub investigation: String,
    pub lex_sarah_category: Option<LexSarahCategory>,
    pub reported_to_ivo_on: Option<Date>,
    #[serde(default)]
    pub measures_taken: String,
    pub closed_on: Option<DayOrYear>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TallyData {
    pub unit: String,
    pub year: i64,
    pub kind: DeviationKind,
    pub lex_sarah_category: Option<LexSarahCategory>,
    pub count: i64,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssessmentData {
    #[serde(default)]
    pub area: String,
    pub body: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImprovementData {
    pub text: String,
    pub quality_factor: Option<String>,
}
