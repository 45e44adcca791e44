//! The API's JSON shapes of the plans' records: each record's fields with its id and its
//! version (sent back on a change, so nobody's edit silently overwrites another's),
//! codes as the domain's codes, dates `YYYY-MM-DD`.

use serde::Serialize;
use utoipa::ToSchema;

use kvalitet_domain::action::{Action, ActionFollowUp};
use kvalitet_domain::indicator::{Indicator, IndicatorResult};
use kvalitet_domain::plan::{FocusArea, QualityPlan, Section};
use kvalitet_domain::risk::{Risk, RiskAssessment};
use kvalitet_domain::self_inspection::{SelfInspection, SelfInspectionRun};
use kvalitet_domain::{Code, Date, Versioned};

fn date(d: Option<Date>) -> Option<String> {
    d.map(|d| d.to_string())
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(description = "En kvalitetsplan.")]
pub struct PlanOut {
    pub id: i64,
    pub version: i64,
    pub year: i64,
    pub title: String,
    #[schema(schema_with = super::schema::plan_state)]
    pub state: String,
    /// Enheten som planen gäller (med allt under den).
    pub scope_id: i64,
    #[schema(format = Date)]
    pub adopted_on: Option<String>,
    pub board_reference: Option<String>,
    #[schema(format = Date)]
    pub followed_up_on: Option<String>,
    /// Planens sida.
    pub href: String,
}

impl From<&Versioned<QualityPlan>> for PlanOut {
    fn from(p: &Versioned<QualityPlan>) -> Self {
        PlanOut {
            id: p.id.get(),
            version: p.version,
            year: p.year,
            title: p.title.clone(),
            state: p.state.code().into(),
            scope_id: p.scope_id.get(),
            adopted_on: date(p.adopted_on),
            board_reference: p.board_reference.clone(),
            followed_up_on: date(p.followed_up_on),
            href: format!("/planer/{}", p.id),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(description = "En risk, med sannolikhet, konsekvens och nivå från den senaste bedömningen.")]
pub struct RiskOut {
    pub id: i64,
    pub version: i64,
    pub plan_id: i64,
    pub process_area_id: i64,
    pub title: String,
    pub consequence_text: String,
    pub likelihood: Option<i64>,
    pub consequence: Option<i64>,
    pub level: i64,
    #[schema(schema_with = super::schema::risk_origin)]
    pub origin: String,
    pub needs_reassessment: bool,
}

impl From<&Versioned<Risk>> for RiskOut {
    fn from(r: &Versioned<Risk>) -> Self {
        RiskOut {
            id: r.id.get(),
            version: r.version,
            plan_id: r.plan_id.get(),
            process_area_id: r.process_area_id.get(),
            title: r.title.clone(),
            consequence_text: r.consequence_text.clone(),
            likelihood: r.likelihood,
            consequence: r.consequence,
            level: r.level,
            origin: r.origin.code().into(),
            needs_reassessment: r.needs_reassessment,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(description = "En bedömning av en risk.")]
pub struct AssessmentOut {
    pub id: i64,
    #[schema(format = Date)]
    pub assessed_on: String,
    pub likelihood: Option<i64>,
    pub consequence: Option<i64>,
    pub level: i64,
    pub comment: String,
}

impl From<&Versioned<RiskAssessment>> for AssessmentOut {
    fn from(a: &Versioned<RiskAssessment>) -> Self {
        AssessmentOut {
            id: a.id.get(),
            assessed_on: a.assessed_on.to_string(),
            likelihood: a.likelihood,
            consequence: a.consequence,
            level: a.level,
            comment: a.comment.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(description = "En åtgärd.")]
pub struct ActionOut {
    pub id: i64,
    pub version: i64,
    pub plan_id: i64,
    pub title: String,
    pub description: String,
    /// Ansvarig som text (för den som saknar konto).
    pub responsible: String,
    /// Den ansvariges konto, om ett är angivet.
    pub responsible_account_id: Option<i64>,
    #[schema(format = Date)]
    pub due_on: Option<String>,
    #[schema(schema_with = super::schema::action_status)]
    pub status: String,
    pub withdrawn_reason: Option<String>,
}

impl From<&Versioned<Action>> for ActionOut {
    fn from(a: &Versioned<Action>) -> Self {
        ActionOut {
            id: a.id.get(),
            version: a.version,
            plan_id: a.plan_id.get(),
            title: a.title.clone(),
            description: a.description.clone(),
            responsible: a.responsible.clone(),
            responsible_account_id: a.responsible_account_id.map(|i| i.get()),
            due_on: date(a.due_on),
            status: a.status.code().into(),
            withdrawn_reason: a.withdrawn_reason.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(description = "En daterad uppföljning av en åtgärd.")]
pub struct FollowUpOut {
    pub id: i64,
    /// Dagen, eller årets sista dag när bara året är känt (`undated`).
    #[schema(format = Date)]
    pub entry_on: String,
    pub undated: bool,
    pub text: String,
    #[schema(schema_with = super::schema::action_status)]
    pub new_status: String,
    pub recorded_by: String,
}

impl From<&Versioned<ActionFollowUp>> for FollowUpOut {
    fn from(f: &Versioned<ActionFollowUp>) -> Self {
        FollowUpOut {
            id: f.id.get(),
            entry_on: f.entry_on.to_string(),
            undated: f.undated,
            text: f.text.clone(),
            new_status: f.new_status.code().into(),
            recorded_by: f.recorded_by.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(description = "En egenkontroll.")]
pub struct SelfInspectionOut {
    pub id: i64,
    pub version: i64,
    pub plan_id: i64,
    pub process_area_id: i64,
    pub title: String,
    pub purpose: String,
    #[schema(schema_with = super::schema::method)]
    pub method: String,
    #[schema(schema_with = super::schema::frequency)]
    pub frequency: String,
    pub target: String,
    /// Enheten den är knuten till, om någon (annars planens).
    pub unit_id: Option<i64>,
    pub responsible: String,
    pub responsible_account_id: Option<i64>,
    /// Ny kontroll i år.
    pub is_new: bool,
    /// Ligger kvar nästa år.
    pub keep_next_year: bool,
}

impl From<&Versioned<SelfInspection>> for SelfInspectionOut {
    fn from(s: &Versioned<SelfInspection>) -> Self {
        SelfInspectionOut {
            id: s.id.get(),
            version: s.version,
            plan_id: s.plan_id.get(),
            process_area_id: s.process_area_id.get(),
            title: s.title.clone(),
            purpose: s.purpose.clone(),
            method: s.method.code().into(),
            frequency: s.frequency.code().into(),
            target: s.target.clone(),
            unit_id: s.unit_id.map(|u| u.get()),
            responsible: s.responsible.clone(),
            responsible_account_id: s.responsible_account_id.map(|i| i.get()),
            is_new: s.is_new,
            keep_next_year: s.keep_next_year,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(description = "Ett genomförande av en egenkontroll.")]
pub struct RunOut {
    pub id: i64,
    #[schema(format = Date)]
    pub run_on: String,
    pub undated: bool,
    pub result_value: Option<f64>,
    pub sample_size: Option<i64>,
    #[schema(schema_with = super::schema::verdict)]
    pub verdict: String,
    pub verdict_reason: String,
    pub comment: String,
    pub recorded_by: String,
}

impl From<&Versioned<SelfInspectionRun>> for RunOut {
    fn from(r: &Versioned<SelfInspectionRun>) -> Self {
        RunOut {
            id: r.id.get(),
            run_on: r.run_on.to_string(),
            undated: r.undated,
            result_value: r.result_value,
            sample_size: r.sample_size,
            verdict: r.verdict.code().into(),
            verdict_reason: r.verdict_reason.clone(),
            comment: r.comment.clone(),
            recorded_by: r.recorded_by.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(description = "En indikator.")]
pub struct IndicatorOut {
    pub id: i64,
    pub version: i64,
    pub plan_id: i64,
    pub area_id: i64,
    pub name: String,
    pub quality_factor_id: Option<i64>,
    #[schema(schema_with = super::schema::measure_unit)]
    pub unit: String,
    #[schema(schema_with = super::schema::indicator_source)]
    pub source: String,
    pub target_value: Option<f64>,
    #[schema(schema_with = super::schema::direction)]
    pub direction: String,
    pub no_data: bool,
    pub note: String,
}

impl From<&Versioned<Indicator>> for IndicatorOut {
    fn from(i: &Versioned<Indicator>) -> Self {
        IndicatorOut {
            id: i.id.get(),
            version: i.version,
            plan_id: i.plan_id.get(),
            area_id: i.area_id.get(),
            name: i.name.clone(),
            quality_factor_id: i.quality_factor_id.map(|q| q.get()),
            unit: i.unit.code().into(),
            source: i.source.code().into(),
            target_value: i.target_value,
            direction: i.direction.code().into(),
            no_data: i.no_data,
            note: i.note.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(description = "Ett års resultat för en indikator.")]
pub struct ResultOut {
    pub id: i64,
    pub year: i64,
    pub value: Option<f64>,
    pub numerator: Option<i64>,
    pub denominator: Option<i64>,
    pub answers: Option<i64>,
    pub response_rate: Option<f64>,
    pub national_value: Option<f64>,
    pub comment: String,
    pub no_data: bool,
}

impl From<&Versioned<IndicatorResult>> for ResultOut {
    fn from(r: &Versioned<IndicatorResult>) -> Self {
        ResultOut {
            id: r.id.get(),
            year: r.year,
            value: r.value,
            numerator: r.numerator,
            denominator: r.denominator,
            answers: r.answers,
            response_rate: r.response_rate,
            national_value: r.national_value,
            comment: r.comment.clone(),
            no_data: r.no_data,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(description = "Ett avsnitt av planens text.")]
pub struct SectionOut {
    pub id: i64,
    pub version: i64,
    pub plan_id: Option<i64>,
    #[schema(schema_with = super::schema::section_kind)]
    pub kind: String,
    pub heading: String,
    /// Stycken skiljs med en tom rad; en rad som börjar med "- " är en punkt i en lista.
    pub body: String,
}

impl From<&Versioned<Section>> for SectionOut {
    fn from(s: &Versioned<Section>) -> Self {
        SectionOut {
            id: s.id.get(),
            version: s.version,
            plan_id: s.plan_id.map(|p| p.get()),
            kind: s.kind.code().into(),
            heading: s.heading.clone(),
            body: s.body.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(description = "Ett fokusområde eller ett särskilt uppdrag i planen.")]
pub struct FocusAreaOut {
    pub id: i64,
    pub version: i64,
    pub plan_id: i64,
    #[schema(schema_with = super::schema::focus_area_kind)]
    pub kind: String,
    pub title: String,
    pub body: String,
    pub quality_factor_id: Option<i64>,
}

impl From<&Versioned<FocusArea>> for FocusAreaOut {
    fn from(f: &Versioned<FocusArea>) -> Self {
        FocusAreaOut {
            id: f.id.get(),
            version: f.version,
            plan_id: f.plan_id.get(),
            kind: f.kind.code().into(),
            title: f.title.clone(),
            body: f.body.clone(),
            quality_factor_id: f.quality_factor_id.map(|q| q.get()),
        }
    }
}
