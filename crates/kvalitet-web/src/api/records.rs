//! Risks, self-inspections and indicators: each with what was recorded about it (its
//! assessments, runs or yearly results), and the recording of a run and of a result
//! through the pages' own parse functions and the store's validated writes. Creating and
//! changing them is `writes.rs`'s.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use kvalitet_domain::Versioned;
use kvalitet_domain::access::Permission;
use kvalitet_domain::indicator::{Indicator, IndicatorResult};
use kvalitet_domain::plan::QualityPlan;
use kvalitet_domain::risk::{Risk, RiskAssessment};
use kvalitet_domain::self_inspection::{SelfInspection, SelfInspectionRun};
use kvalitet_store::links::LinkKind;
use kvalitet_store::{Where, plans, repo};

use super::body::{self, Kind};
use super::model::{AssessmentOut, IndicatorOut, ResultOut, RiskOut, RunOut, SelfInspectionOut};
use super::principal::Caller;
use super::problem::{ApiResult, ReadRefusals, WriteRefusals};
use super::writes::Writable;
use crate::pages::follow_up;
use crate::router::AppState;

/// The rows of `T` that `filter` (`column = $1`) selects for `id`, oldest first by id.
async fn children<T: kvalitet_store::Record>(
    state: &AppState,
    filter: &'static str,
    id: i64,
) -> ApiResult<Vec<Versioned<T>>> {
    let mut conn = state.store.read().await?;
    let mut rows: Vec<Versioned<T>> =
        repo::list(&mut conn, Where::sql(filter, vec![kvalitet_store::Value::Int(id)])).await?;
    rows.sort_by_key(|r| r.id);
    Ok(rows)
}

/// The risks an item of `kind` with `id` is linked to, by number.
async fn linked_risks(state: &AppState, kind: LinkKind, id: i64) -> ApiResult<Vec<i64>> {
    let mut conn = state.store.read().await?;
    let mut risks = kvalitet_store::links::linked_from(&mut conn, kind, id).await?;
    risks.sort_unstable();
    Ok(risks)
}

impl Writable for Risk {
    const API: &'static str = "risker";
    const TAG: &'static str = "Risker";
    const ONE: &'static str = "en risk (nivån anges bara för en ny risk, som dess första bedömning)";
    const DETAIL: &'static str = "RiskDetail";
    const BODY: &'static str = "Risk";
    type Detail = RiskDetail;
    async fn detail(state: &AppState, item: &Versioned<Self>) -> ApiResult<RiskDetail> {
        risk_detail(state, item).await
    }
}

impl Writable for SelfInspection {
    const API: &'static str = "egenkontroller";
    const TAG: &'static str = "Egenkontroller";
    const ONE: &'static str = "en egenkontroll";
    const DETAIL: &'static str = "SelfInspectionDetail";
    const BODY: &'static str = "SelfInspection";
    type Detail = SelfInspectionDetail;
    async fn detail(state: &AppState, item: &Versioned<Self>) -> ApiResult<SelfInspectionDetail> {
        si_detail(state, item).await
    }
}

impl Writable for Indicator {
    const API: &'static str = "indikatorer";
    const TAG: &'static str = "Indikatorer";
    const ONE: &'static str = "en indikator";
    const DETAIL: &'static str = "IndicatorDetail";
    const BODY: &'static str = "Indicator";
    type Detail = IndicatorDetail;
    async fn detail(state: &AppState, item: &Versioned<Self>) -> ApiResult<IndicatorDetail> {
        indicator_detail(state, item).await
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(description = "En risk med dess bedömningar.")]
pub struct RiskDetail {
    pub risk: RiskOut,
    pub assessments: Vec<AssessmentOut>,
}

// One risk with its assessments, oldest first.
#[utoipa::path(
    get,
    path = "/api/v1/risker/{id}",
    summary = "En risk med dess bedömningar, äldst först.",
    tag = "Risker",
    params(("id" = i64, Path, description = "Riskens nummer")),
    responses(
        (status = 200, description = "Risken", body = RiskDetail),
        ReadRefusals,
    ),
    security(("nyckel" = []), ("inloggning" = []))
)]
pub async fn risk(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<RiskDetail>> {
    let risk = super::record::<Risk>(&state, &id).await?;
    super::readable_plan(&state, &caller, risk.plan_id).await?;
    Ok(Json(risk_detail(&state, &risk).await?))
}

async fn risk_detail(state: &AppState, risk: &Versioned<Risk>) -> ApiResult<RiskDetail> {
    let mut assessments = children::<RiskAssessment>(state, "risk_id = $1", risk.id.get()).await?;
    assessments.sort_by_key(|a| (a.assessed_on, a.id));
    Ok(RiskDetail { risk: RiskOut::from(risk), assessments: assessments.iter().map(AssessmentOut::from).collect() })
}

/// A new assessment of a risk.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(description = "En ny bedömning av en risk.")]
#[allow(dead_code, reason = "the OpenAPI description of the body, which is read by `ASSESSMENT_FIELDS`")]
pub struct AssessmentIn {
    /// Riskens version som lästes; 409 om den inte längre är aktuell.
    version: i64,
    /// Dagen för bedömningen: inte i framtiden, tidigast året före planens.
    #[schema(format = Date)]
    assessed_on: String,
    /// Sannolikheten, 1 till riskmatrisens antal steg.
    #[schema(minimum = 1)]
    likelihood: i64,
    /// Konsekvensen, 1 till riskmatrisens antal steg.
    #[schema(minimum = 1)]
    consequence: i64,
    #[schema(max_length = 20000)]
    comment: Option<String>,
}

const ASSESSMENT_FIELDS: &[(&str, Kind)] = &[
    ("version", Kind::Integer),
    ("assessed_on", Kind::Filled),
    ("likelihood", Kind::Integer),
    ("consequence", Kind::Integer),
    ("comment", Kind::Text),
];

// Re-assesses a risk (for those who may edit its plan).
#[utoipa::path(
    post,
    path = "/api/v1/risker/{id}/bedomningar",
    summary = "Bedömer en risk på nytt (för den som får ändra planen): risken får bedömningens sannolikhet, konsekvens och nivå. 409 om risken har ändrats sedan versionen som lästes.",
    tag = "Risker",
    params(("id" = i64, Path, description = "Riskens nummer")),
    request_body = AssessmentIn,
    responses(
        (status = 201, description = "Bedömningen är sparad", body = RiskDetail),
        WriteRefusals,
    ),
    security(("nyckel" = []), ("inloggning" = []))
)]
pub async fn reassess(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> ApiResult<Response> {
    let risk = super::record::<Risk>(&state, &id).await?;
    let plan: Versioned<QualityPlan> = super::readable_plan(&state, &caller, risk.plan_id).await?;
    caller.user.require(Permission::EditPlan, plan.scope_id)?;
    let mut form = body::form(&headers, &bytes, ASSESSMENT_FIELDS)?;
    let version = body::version(&mut form);
    let matrix = plans::matrix(&mut *state.store.read().await?, caller.tenant()).await?;
    let assessment = crate::pages::risks::parse_assessment(&mut form, risk.id, &matrix, &plan);
    let (Some(version), Some(assessment), false) = (version, assessment, form.has_errors()) else {
        return Err(body::refused(form));
    };
    let mut tx = state.store.write(&caller.actor).await?;
    plans::reassess_risk(&mut tx, risk.id, version, &assessment).await?;
    tx.commit().await?;
    let saved = super::record::<Risk>(&state, &id).await?;
    let detail = risk_detail(&state, &saved).await?;
    Ok((StatusCode::CREATED, [(header::LOCATION, format!("/api/v1/risker/{}", risk.id))], Json(detail)).into_response())
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(description = "En egenkontroll med dess genomföranden.")]
pub struct SelfInspectionDetail {
    pub self_inspection: SelfInspectionOut,
    /// De risker i planen som egenkontrollen följer upp.
    pub risks: Vec<i64>,
    pub runs: Vec<RunOut>,
}

async fn si_detail(state: &AppState, si: &Versioned<SelfInspection>) -> ApiResult<SelfInspectionDetail> {
    let mut runs = children::<SelfInspectionRun>(state, "self_inspection_id = $1", si.id.get()).await?;
    runs.sort_by_key(|r| (r.run_on, r.id));
    Ok(SelfInspectionDetail {
        self_inspection: SelfInspectionOut::from(si),
        risks: linked_risks(state, LinkKind::SelfInspectionRisk, si.id.get()).await?,
        runs: runs.iter().map(RunOut::from).collect(),
    })
}

// One self-inspection with its runs, oldest first.
#[utoipa::path(
    get,
    path = "/api/v1/egenkontroller/{id}",
    summary = "En egenkontroll med dess genomföranden, äldst först.",
    tag = "Egenkontroller",
    params(("id" = i64, Path, description = "Egenkontrollens nummer")),
    responses(
        (status = 200, description = "Egenkontrollen", body = SelfInspectionDetail),
        ReadRefusals,
    ),
    security(("nyckel" = []), ("inloggning" = []))
)]
pub async fn self_inspection(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<SelfInspectionDetail>> {
    let si = super::record::<SelfInspection>(&state, &id).await?;
    super::readable_plan(&state, &caller, si.plan_id).await?;
    Ok(Json(si_detail(&state, &si).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(description = "Ett genomförande av en egenkontroll.")]
#[serde(deny_unknown_fields)]
#[allow(dead_code, reason = "the OpenAPI description of the body, which is read by `RUN_FIELDS`")]
pub struct RunIn {
    /// Dagen kontrollen gjordes: i planens år, inte i framtiden.
    #[schema(format = Date)]
    run_on: String,
    #[schema(schema_with = super::schema::verdict)]
    verdict: String,
    /// Krävs när resultatet är `not_measurable`.
    #[schema(max_length = 20000)]
    verdict_reason: Option<String>,
    result_value: Option<f64>,
    #[schema(minimum = 0)]
    sample_size: Option<i64>,
    #[schema(max_length = 20000)]
    comment: Option<String>,
}

const RUN_FIELDS: &[(&str, Kind)] = &[
    ("run_on", Kind::Filled),
    ("verdict", Kind::Filled),
    ("verdict_reason", Kind::Text),
    ("result_value", Kind::Number),
    ("sample_size", Kind::Integer),
    ("comment", Kind::Text),
];

// Records a run (for those who may record follow-ups where the self-inspection belongs).
#[utoipa::path(
    post,
    path = "/api/v1/egenkontroller/{id}/genomforanden",
    summary = "Registrerar ett genomförande (för den som får registrera uppföljning där egenkontrollen hör hemma).",
    tag = "Egenkontroller",
    params(("id" = i64, Path, description = "Egenkontrollens nummer")),
    request_body = RunIn,
    responses(
        (status = 201, description = "Genomförandet är sparat", body = SelfInspectionDetail),
        WriteRefusals,
    ),
    security(("nyckel" = []), ("inloggning" = []))
)]
pub async fn record_run(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> ApiResult<Response> {
    let si = super::record::<SelfInspection>(&state, &id).await?;
    let plan = super::readable_plan(&state, &caller, si.plan_id).await?;
    caller.user.require(Permission::RecordFollowUp, follow_up::si_unit(&si, &plan))?;
    let mut form = body::form(&headers, &bytes, RUN_FIELDS)?;
    let run = follow_up::parse_run(&mut form, &si, &plan, caller.name());
    if form.has_errors() {
        return Err(body::refused(form));
    }
    let mut tx = state.store.write(&caller.actor).await?;
    plans::create(&mut tx, &run).await?;
    tx.commit().await?;
    let detail = si_detail(&state, &si).await?;
    Ok((StatusCode::CREATED, [(header::LOCATION, format!("/api/v1/egenkontroller/{}", si.id))], Json(detail))
        .into_response())
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(description = "En indikator med dess resultat år för år.")]
pub struct IndicatorDetail {
    pub indicator: IndicatorOut,
    /// De risker i planen som indikatorn följer upp.
    pub risks: Vec<i64>,
    pub results: Vec<ResultOut>,
}

async fn indicator_detail(state: &AppState, ind: &Versioned<Indicator>) -> ApiResult<IndicatorDetail> {
    let mut results = children::<IndicatorResult>(state, "indicator_id = $1", ind.id.get()).await?;
    results.sort_by_key(|r| (r.year, r.id));
    Ok(IndicatorDetail {
        indicator: IndicatorOut::from(ind),
        risks: linked_risks(state, LinkKind::IndicatorRisk, ind.id.get()).await?,
        results: results.iter().map(ResultOut::from).collect(),
    })
}

// One indicator with its results, by year.
#[utoipa::path(
    get,
    path = "/api/v1/indikatorer/{id}",
    summary = "En indikator med dess resultat, år för år.",
    tag = "Indikatorer",
    params(("id" = i64, Path, description = "Indikatorns nummer")),
    responses(
        (status = 200, description = "Indikatorn", body = IndicatorDetail),
        ReadRefusals,
    ),
    security(("nyckel" = []), ("inloggning" = []))
)]
pub async fn indicator(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<IndicatorDetail>> {
    let ind = super::record::<Indicator>(&state, &id).await?;
    super::readable_plan(&state, &caller, ind.plan_id).await?;
    Ok(Json(indicator_detail(&state, &ind).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(description = "Ett års resultat för en indikator.")]
#[serde(deny_unknown_fields)]
#[allow(dead_code, reason = "the OpenAPI description of the body, which is read by `RESULT_FIELDS`")]
pub struct ResultIn {
    /// Planens år om det inte anges; ett resultat per år.
    #[schema(minimum = 1900, maximum = 2200)]
    year: Option<i64>,
    value: Option<f64>,
    #[schema(minimum = 0)]
    numerator: Option<i64>,
    #[schema(minimum = 0)]
    denominator: Option<i64>,
    #[schema(minimum = 0)]
    answers: Option<i64>,
    response_rate: Option<f64>,
    national_value: Option<f64>,
    #[schema(max_length = 20000)]
    comment: Option<String>,
    no_data: Option<bool>,
}

const RESULT_FIELDS: &[(&str, Kind)] = &[
    ("year", Kind::Integer),
    ("value", Kind::Number),
    ("numerator", Kind::Integer),
    ("denominator", Kind::Integer),
    ("answers", Kind::Integer),
    ("response_rate", Kind::Number),
    ("national_value", Kind::Number),
    ("comment", Kind::Text),
    ("no_data", Kind::Boolean),
];

// Records a year's result (for those who may record follow-ups in the plan).
#[utoipa::path(
    post,
    path = "/api/v1/indikatorer/{id}/resultat",
    summary = "Registrerar ett års resultat (för den som får registrera uppföljning i planen).",
    tag = "Indikatorer",
    params(("id" = i64, Path, description = "Indikatorns nummer")),
    request_body = ResultIn,
    responses(
        (status = 201, description = "Resultatet är sparat", body = IndicatorDetail),
        WriteRefusals,
    ),
    security(("nyckel" = []), ("inloggning" = []))
)]
pub async fn record_result(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> ApiResult<Response> {
    let ind = super::record::<Indicator>(&state, &id).await?;
    let plan = super::readable_plan(&state, &caller, ind.plan_id).await?;
    caller.user.require(Permission::RecordFollowUp, plan.scope_id)?;
    let mut form = body::form(&headers, &bytes, RESULT_FIELDS)?;
    let existing = children::<IndicatorResult>(&state, "indicator_id = $1", ind.id.get()).await?;
    let (result, _) = follow_up::parse_result(&mut form, &ind, &plan, &existing);
    if form.has_errors() {
        return Err(body::refused(form));
    }
    let mut tx = state.store.write(&caller.actor).await?;
    plans::add_indicator_result(&mut tx, &result).await?;
    tx.commit().await?;
    let detail = indicator_detail(&state, &ind).await?;
    Ok((StatusCode::CREATED, [(header::LOCATION, format!("/api/v1/indikatorer/{}", ind.id))], Json(detail))
        .into_response())
}
