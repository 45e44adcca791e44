//! Deviations, lex Sarah reports and complaints, for those who may read them at their
//! unit (`ViewDeviations`, as on the pages): a year's list, filtered and paged, and one
//! report. Every report returned is logged as read, as the pages log them.

use std::collections::HashMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use kvalitet_domain::access::Permission;
use kvalitet_domain::deviation::{Complainant, ComplaintChannel, Deviation, DeviationKind, DeviationStatus};
use kvalitet_domain::{Code, Validate, Versioned};
use kvalitet_store::{audit, mail, plans};

use super::body::{self, Kind};

use super::paging::{Page, PageParams};
use super::principal::Caller;
use super::problem::{ApiError, ApiResult, FieldProblem, ListRefusals, ReadRefusals, WriteRefusals};
use crate::router::AppState;

#[derive(Debug, Serialize, ToSchema)]
#[schema(description = "En rapport om avvikelse, lex Sarah eller klagomål.")]
pub struct DeviationOut {
    pub id: i64,
    pub version: i64,
    /// Referensnumret som visas (år och nummer).
    pub reference: String,
    pub unit_id: i64,
    #[schema(schema_with = super::schema::deviation_kind)]
    pub kind: String,
    #[schema(schema_with = super::schema::deviation_status)]
    pub status: String,
    #[schema(format = Date)]
    pub occurred_on: String,
    #[schema(format = Date)]
    pub reported_on: String,
    /// Bara året är känt (hämtat ur ett dokument).
    pub undated: bool,
    pub title: String,
    pub description: String,
    pub investigation: String,
    #[schema(schema_with = super::schema::optional_lex_sarah_category)]
    pub lex_sarah_category: Option<String>,
    #[schema(format = Date)]
    pub reported_to_ivo_on: Option<String>,
    pub measures_taken: String,
    #[schema(format = Date)]
    pub closed_on: Option<String>,
    /// Makulerad: finns kvar men räknas inte.
    #[schema(format = Date)]
    pub voided_on: Option<String>,
    pub risk_id: Option<i64>,
    pub action_id: Option<i64>,
}

impl From<&Versioned<Deviation>> for DeviationOut {
    fn from(d: &Versioned<Deviation>) -> Self {
        let date = |x: Option<kvalitet_domain::Date>| x.map(|x| x.to_string());
        DeviationOut {
            id: d.id.get(),
            version: d.version,
            reference: d.reference(d.id),
            unit_id: d.unit_id.get(),
            kind: d.kind.code().into(),
            status: d.status.code().into(),
            occurred_on: d.occurred_on.to_string(),
            reported_on: d.reported_on.to_string(),
            undated: d.undated,
            title: d.title.clone(),
            description: d.description.clone(),
            investigation: d.investigation.clone(),
            lex_sarah_category: d.lex_sarah_category.map(|c| c.code().to_owned()),
            reported_to_ivo_on: date(d.reported_to_ivo_on),
            measures_taken: d.measures_taken.clone(),
            closed_on: date(d.closed_on),
            voided_on: date(d.voided_on),
            risk_id: d.risk_id.map(|r| r.get()),
            action_id: d.action_id.map(|a| a.get()),
        }
    }
}

/// The filters of the deviation list.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code, reason = "the OpenAPI description of the query, which `paging::Query` reads")]
pub struct DeviationFilters {
    /// Året rapporten kom in (i år om det inte anges).
    #[param(minimum = 1900, maximum = 2200)]
    pub ar: Option<i64>,
    /// Enheten (dess nummer) som rapporten gäller.
    pub enhet: Option<i64>,
    #[param(schema_with = super::schema::deviation_kind)]
    pub slag: Option<String>,
    #[param(schema_with = super::schema::deviation_status)]
    pub status: Option<String>,
    /// 1 för att i stället lista de makulerade rapporterna.
    #[param(minimum = 0, maximum = 1)]
    pub makulerade: Option<i64>,
}

/// Logs that the caller read the reports `ids`.
async fn log_reads(state: &AppState, caller: &Caller, ids: &[i64]) -> ApiResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let mut tx = state.store.write(&caller.actor).await?;
    audit::record_reads(&mut tx, "deviation", ids).await?;
    tx.commit().await?;
    Ok(())
}

// A year's reports of the units where the caller may read deviations, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/avvikelser",
    summary = "Ett års rapporter från de enheter där du får läsa avvikelser, nyaste först. Varje rapport i svaret loggas som läst.",
    tag = "Avvikelser",
    params(DeviationFilters, PageParams),
    responses(
        (status = 200, description = "En sida av rapporterna", body = Page<DeviationOut>),
        ListRefusals,
    ),
    security(("nyckel" = []), ("inloggning" = []))
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<HashMap<String, String>>,
) -> ApiResult<Json<Page<DeviationOut>>> {
    let mut q = super::paging::Query::new(q);
    let year = q.int("ar", 1900, 2200).unwrap_or_else(|| i64::from(crate::pages::deviations::today().year()));
    let unit = q.int("enhet", i64::MIN, i64::MAX);
    let kinds: Vec<&'static str> = DeviationKind::ALL.iter().map(|k| k.code()).collect();
    let kind = q.choice("slag", &kinds);
    let statuses: Vec<&'static str> = DeviationStatus::ALL.iter().map(|s| s.code()).collect();
    let status = q.choice("status", &statuses);
    let voided = q.int("makulerade", 0, 1) == Some(1);
    let page = q.page();
    q.finish()?;
    let query = kvalitet_store::deviations::ListQuery {
        tenant: caller.tenant(),
        units: caller.user.units_where(Permission::ViewDeviations),
        year,
        unit: unit.map(kvalitet_domain::Id::new),
        kind: kind.and_then(DeviationKind::from_code),
        status: status.and_then(DeviationStatus::from_code),
        voided,
    };
    let (limit, offset) = page.window();
    let mut conn = state.store.read().await?;
    let (total, rows) = kvalitet_store::deviations::page(&mut conn, &query, limit, offset).await?;
    drop(conn);
    let page = Page::read(rows.iter().map(DeviationOut::from).collect(), total, page);
    log_reads(&state, &caller, &page.data.iter().map(|d| d.id).collect::<Vec<_>>()).await?;
    Ok(Json(page))
}

// One report; a report the caller may not read is not found.
#[utoipa::path(
    get,
    path = "/api/v1/avvikelser/{id}",
    summary = "En rapport; en rapport du inte får läsa finns inte för dig. Läsningen loggas.",
    tag = "Avvikelser",
    params(("id" = i64, Path, description = "Rapportens nummer")),
    responses(
        (status = 200, description = "Rapporten", body = DeviationOut),
        ReadRefusals,
    ),
    security(("nyckel" = []), ("inloggning" = []))
)]
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<DeviationOut>> {
    let d = super::record::<Deviation>(&state, &id).await?;
    if d.tenant_id != caller.tenant() || !caller.user.may(Permission::ViewDeviations, d.unit_id) {
        return Err(ApiError::NotFound);
    }
    log_reads(&state, &caller, &[d.id.get()]).await?;
    Ok(Json(DeviationOut::from(&d)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(description = "En ny rapport: en avvikelse, en lex Sarah-rapport eller ett klagomål.")]
#[serde(deny_unknown_fields)]
#[allow(dead_code, reason = "the OpenAPI description of the body, which is read by `NEW_FIELDS`")]
pub struct DeviationIn {
    #[schema(schema_with = super::schema::deviation_kind)]
    kind: String,
    /// Enheten det gäller (dess nummer); en där du får rapportera.
    unit_id: i64,
    /// När det hände: inte i framtiden.
    #[schema(format = Date)]
    occurred_on: String,
    #[schema(min_length = 1, max_length = 300)]
    title: String,
    #[schema(max_length = 20000)]
    description: Option<String>,
    /// Bara för klagomål: vem som lämnade det.
    #[schema(schema_with = super::schema::optional_complainant)]
    complainant: Option<String>,
    /// Bara för klagomål: hur det kom in.
    #[schema(schema_with = super::schema::optional_channel)]
    channel: Option<String>,
}

const NEW_FIELDS: &[(&str, Kind)] = &[
    ("kind", Kind::Filled),
    ("unit_id", Kind::Integer),
    ("occurred_on", Kind::Filled),
    ("title", Kind::Text),
    ("description", Kind::Text),
    ("complainant", Kind::Filled),
    ("channel", Kind::Filled),
];

// Registers a report at a unit where the caller may register reports, with the checks
// of the page's form; the unit's managers are told by e-mail where mail is on.
#[utoipa::path(
    post,
    path = "/api/v1/avvikelser",
    summary = "Registrerar en rapport för en enhet där du får rapportera, med samma kontroller som formuläret; enhetens chefer får e-post när e-post är påslaget.",
    tag = "Avvikelser",
    request_body = DeviationIn,
    responses(
        (status = 201, description = "Rapporten är registrerad", body = DeviationOut),
        WriteRefusals,
    ),
    security(("nyckel" = []), ("inloggning" = []))
)]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    bytes: Bytes,
) -> ApiResult<Response> {
    caller.user.require_somewhere(Permission::RegisterDeviation)?;
    let form = body::form(&headers, &bytes, NEW_FIELDS)?;
    let get = |k: &str| form.value(k).trim().to_owned();
    let units = crate::pages::deviations::registrable_units(&state, &caller.user).await?;
    let mut errors: Vec<(String, String)> = Vec::new();
    let unit = get("unit_id").parse::<i64>().ok();
    match unit {
        None => errors.push(("unit_id".into(), "Ange enhetens nummer.".into())),
        Some(u) if !units.iter().any(|(id, _)| *id == u) => {
            return Err(ApiError::Forbidden("Din roll ger inte rätt att rapportera för den enheten."));
        }
        Some(_) => {}
    }
    let kind = DeviationKind::from_code(&get("kind"));
    if kind.is_none() {
        let all: Vec<&str> = DeviationKind::ALL.iter().map(|k| k.code()).collect();
        errors.push(("kind".into(), format!("Välj vad som rapporteras: {}.", all.join(", "))));
    }
    let complainant: Option<Complainant> = crate::pages::deviations::complaint_choice(
        &get("complainant"),
        kind,
        "complainant",
        "Vem som lämnade synpunkten",
        &mut errors,
    );
    let channel: Option<ComplaintChannel> = crate::pages::deviations::complaint_choice(
        &get("channel"),
        kind,
        "channel",
        "Hur synpunkten kom in",
        &mut errors,
    );
    let today = crate::pages::deviations::today();
    let occurred = crate::pages::deviations::occurred_on(&get("occurred_on"), today, &mut errors);
    let deviation = Deviation {
        complainant,
        channel,
        ..Deviation::registered(
            caller.tenant(),
            kvalitet_domain::Id::new(unit.unwrap_or(0)),
            kind.unwrap_or(DeviationKind::Internal),
            occurred.unwrap_or(today),
            today,
            get("title"),
            get("description"),
            caller.name().to_owned(),
        )
    };
    if let Err(v) = deviation.validate() {
        errors.extend(v.errors.iter().map(|e| (e.field.to_owned(), e.problem.to_string())));
    }
    if !errors.is_empty() {
        return Err(ApiError::Invalid(
            errors.into_iter().map(|(field, message)| FieldProblem { field, message }).collect(),
        ));
    }
    let mut tx = state.store.write(&caller.actor).await?;
    let id = plans::create(&mut tx, &deviation).await?;
    // A person's report is theirs in "Mina rapporter"; a token's belongs to no one.
    let reporter = caller.account();
    let unit_name = units.iter().find(|(u, _)| Some(*u) == unit).map_or("", |(_, n)| n.as_str());
    match (state.mail, reporter) {
        (true, Some(a)) => {
            mail::deviation_registered(&mut tx, id, &deviation, a, unit_name).await?;
        }
        (true, None) => {
            mail::notify_registered(&mut tx, id, &deviation, unit_name).await?;
        }
        (false, Some(a)) => mail::remember_reporter(&mut tx, id, a).await?,
        (false, None) => {}
    }
    tx.commit().await?;
    let saved = super::record::<Deviation>(&state, &id.to_string()).await?;
    let out = DeviationOut::from(&saved);
    Ok((StatusCode::CREATED, [(header::LOCATION, format!("/api/v1/avvikelser/{id}"))], Json(out)).into_response())
}
