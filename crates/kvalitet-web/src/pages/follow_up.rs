//! Following up through the year: recording a self-inspection run, an action's
//! follow-up (with its new status) and an indicator's result, each on the item's own page
//! with its history. Whoever may follow up the plan's items records; others read.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};

use kvalitet_domain::access::Permission;
use kvalitet_domain::action::{Action, ActionFollowUp, ActionStatus};
use kvalitet_domain::indicator::{Indicator, IndicatorResult, MeasureUnit};
use kvalitet_domain::org::OrgUnitId;
use kvalitet_domain::plan::QualityPlan;
use kvalitet_domain::self_inspection::{SelfInspection, SelfInspectionRun, Verdict};
use kvalitet_domain::stats::Basis;
use kvalitet_domain::{Code, Id, Validate, Versioned};
use kvalitet_store::{Column, StoreError, Where, corrections, plans, repo};

use crate::auth::{Nav, User};
use crate::chart;
use crate::error::WebResult;
use crate::format::{number, percent, share_percent};
use crate::forms::FormState;
use crate::pages::corrections::{CorrectionRow, history};
use crate::pages::deviations::today;
use crate::router::AppState;
use crate::text::{Block, blocks};

/// The plan an item belongs to, checked for reading by the user.
pub(super) async fn readable_plan(
    state: &AppState,
    user: &User,
    plan: Id<QualityPlan>,
) -> WebResult<Versioned<QualityPlan>> {
    let mut conn = state.store.read().await?;
    let plan = repo::get::<QualityPlan>(&mut conn, plan).await?;
    user.require_read_plan(&plan)?;
    Ok(plan)
}

/// The breadcrumb back to the plan.
pub struct PlanLink {
    pub href: String,
    pub title: String,
}

fn plan_link(plan: &Versioned<QualityPlan>) -> PlanLink {
    PlanLink { href: format!("/planer/{}", plan.id), title: plan.title.clone() }
}

// ---- Self-inspections -------------------------------------------------------------

pub struct RunRow {
    pub id: i64,
    pub date: String,
    pub verdict: &'static str,
    pub result: String,
    pub sample: String,
    pub reason: String,
    pub comment: Vec<Block>,
    pub by: String,
    /// For a run that was not approved: the forms that take it further, pre-linked to
    /// the self-inspection (empty for those who may not use them).
    pub new_action: String,
    pub new_deviation: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "self_inspection.html")]
pub struct SelfInspectionPage {
    pub nav: Nav,
    pub plan: PlanLink,
    pub href: String,
    pub title: String,
    pub purpose: Vec<Block>,
    pub method: &'static str,
    pub frequency: &'static str,
    pub target: String,
    /// Who carries it out: the account's name, else the text.
    pub responsible: String,
    pub due: Vec<String>,
    pub runs: Vec<RunRow>,
    /// Runs corrected or removed, newest first.
    pub corrections: Vec<CorrectionRow>,
    pub may_record: bool,
    pub verdicts: Vec<&'static str>,
    pub form: FormState,
    /// What the self-inspection is linked to, and its edit form (for those who may edit).
    pub links: Vec<super::risk_links::LinkGroup>,
    pub edit_href: String,
}

/// The unit a self-inspection belongs to: its own, or the plan's scope.
pub(crate) fn si_unit(si: &SelfInspection, plan: &QualityPlan) -> OrgUnitId {
    si.unit_id.unwrap_or(plan.scope_id)
}

async fn si_page(
    state: &AppState,
    user: &User,
    id: Id<SelfInspection>,
    form: FormState,
) -> WebResult<SelfInspectionPage> {
    let mut conn = state.store.read().await?;
    let si = repo::get::<SelfInspection>(&mut conn, id).await?;
    let runs: Vec<Versioned<SelfInspectionRun>> =
        repo::list(&mut conn, Where::sql("self_inspection_id = $1", vec![si.id.to_value()])).await?;
    let corrections = corrections::history(&mut conn, "self_inspection", si.id.get()).await?;
    let links = super::risk_links::groups_of_self_inspection(&mut conn, user, si.id.get()).await?;
    let names = kvalitet_store::responsible::names(&mut conn, user.session.account.tenant_id).await?;
    drop(conn);
    let plan = readable_plan(state, user, si.plan_id).await?;
    let may_edit = user.may(Permission::EditPlan, plan.scope_id);
    let may_report = user.may(Permission::RegisterDeviation, si_unit(&si, &plan));
    let mut runs = runs;
    runs.sort_by_key(|r| (r.run_on, r.id));
    Ok(SelfInspectionPage {
        nav: user.nav(),
        plan: plan_link(&plan),
        href: format!("/egenkontroller/{}", si.id),
        title: si.title.clone(),
        purpose: blocks(&si.purpose),
        method: si.method.code(),
        frequency: si.frequency.code(),
        target: si.target.clone(),
        responsible: names.responsible(si.responsible_account_id, &si.responsible),
        due: si
            .frequency
            .due_dates(plan.year as i16)
            .iter()
            .filter(|d| !runs.iter().any(|r| r.run_on <= **d && r.run_on > d.first_of_month()))
            .map(|d| d.to_string())
            .collect(),
        runs: runs
            .iter()
            .map(|r| RunRow {
                id: r.id.get(),
                date: kvalitet_domain::shown_date(r.run_on, r.undated),
                verdict: r.verdict.code(),
                result: r.result_value.map(number).unwrap_or_default(),
                sample: r.sample_size.map(|n| number(n as f64)).unwrap_or_default(),
                reason: r.verdict_reason.clone(),
                comment: blocks(&r.comment),
                by: r.recorded_by.clone(),
                new_action: if may_edit && not_approved(r.verdict) {
                    format!(
                        "/atgarder/ny?plan={}&egenkontroll={}&description={}",
                        plan.id,
                        si.id,
                        after_run(&si.title, r)
                    )
                } else {
                    String::new()
                },
                new_deviation: if may_report && not_approved(r.verdict) {
                    format!("/avvikelser/ny?egenkontroll={}&genomforande={}", si.id, r.id)
                } else {
                    String::new()
                },
            })
            .collect(),
        corrections: history(&corrections, None),
        may_record: user.may(Permission::RecordFollowUp, si_unit(&si, &plan)),
        verdicts: Verdict::CHOSEN.iter().map(|v| v.code()).collect(),
        form,
        links,
        edit_href: if may_edit { format!("/egenkontroller/{}/andra", si.id) } else { String::new() },
    })
}

/// A run that calls for more than its record: not approved, or only partly.
fn not_approved(v: Verdict) -> bool {
    matches!(v, Verdict::NotApproved | Verdict::PartlyApproved)
}

/// The start of an action's description taken after a run, for the form's link.
fn after_run(title: &str, run: &SelfInspectionRun) -> String {
    let verdict = match run.verdict {
        Verdict::PartlyApproved => "delvis godkänd",
        _ => "inte godkänd",
    };
    let text = format!("Efter egenkontrollen {title} {} ({verdict}).", run.run_on);
    percent_encoding::utf8_percent_encode(&text, percent_encoding::NON_ALPHANUMERIC).to_string()
}

pub async fn self_inspection(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
) -> WebResult<SelfInspectionPage> {
    let mut form = FormState::default();
    form.values.insert("run_on".into(), today().to_string());
    si_page(&state, &user, super::parse_id(&id)?, form).await
}

/// A self-inspection run from its form (recording one, or correcting one): the date
/// within the plan's year and not in the future, the verdict, and the values.
pub(crate) fn parse_run(
    form: &mut FormState,
    si: &Versioned<SelfInspection>,
    plan: &QualityPlan,
    by: &str,
) -> SelfInspectionRun {
    let run_on = form.date("run_on", "när kontrollen gjordes");
    if run_on.is_some_and(|d| d > today()) {
        form.push("run_on", "Datumet kan inte vara i framtiden.");
    } else if let Some(d) = run_on.filter(|d| i64::from(d.year()) != plan.year) {
        form.push(
            "run_on",
            format!("Planen gäller {}; ett genomförande {} hör till en annan års plan.", plan.year, d.year()),
        );
    }
    let result_value = form.number("result_value");
    let sample_size = form.count("sample_size");
    let verdict = Verdict::from_code(form.value("verdict"));
    if verdict.is_none() {
        form.push("verdict", "Välj resultatet av kontrollen.");
    }
    let run = SelfInspectionRun {
        self_inspection_id: si.id,
        run_on: run_on.unwrap_or_else(today),
        undated: false,
        result_value,
        sample_size,
        verdict: verdict.unwrap_or(Verdict::Approved),
        verdict_reason: form.value("verdict_reason").trim().to_owned(),
        comment: form.value("comment").trim().to_owned(),
        recorded_by: by.to_owned(),
    };
    if let Err(v) = run.validate() {
        form.add_validation(&v, |f| match f {
            "verdict_reason" => "Skälet till att kontrollen inte kunde mätas",
            "comment" => "Kommentaren",
            "sample_size" => "Antalet granskade",
            _ => "Värdet",
        });
    }
    run
}

pub async fn record_run(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    Form(values): Form<HashMap<String, String>>,
) -> WebResult<Response> {
    let si = super::posted_on::<SelfInspection>(&state, &user, &id, &values).await?;
    let plan = readable_plan(&state, &user, si.plan_id).await?;
    user.require(Permission::RecordFollowUp, si_unit(&si, &plan))?;
    let mut form = FormState::new(values);
    let run = parse_run(&mut form, &si, &plan, &user.session.account.display_name);
    if form.has_errors() {
        let page = si_page(&state, &user, si.id, form).await?;
        return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let mut tx = state.store.write(&user.actor()).await?;
    plans::create(&mut tx, &run).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/egenkontroller/{}?sparat=genomforande#genomforda", si.id)).into_response())
}

// ---- Actions -------------------------------------------------------------------------

pub struct FollowUpRow {
    pub id: i64,
    pub date: String,
    pub status: &'static str,
    pub text: Vec<Block>,
    pub by: String,
}

/// What someone else saved while the user was writing.
pub struct Conflict {
    pub their_status: &'static str,
    pub their_text: Vec<Block>,
}

#[derive(Template, WebTemplate)]
#[template(path = "action_page.html")]
pub struct ActionPage {
    pub nav: Nav,
    pub plan: PlanLink,
    pub href: String,
    pub title: String,
    pub description: Vec<Block>,
    pub status: &'static str,
    pub responsible: String,
    pub due_on: String,
    pub version: i64,
    pub follow_ups: Vec<FollowUpRow>,
    /// Follow-ups corrected or removed, newest first.
    pub corrections: Vec<CorrectionRow>,
    pub may_record: bool,
    pub statuses: Vec<&'static str>,
    pub conflict: Option<Conflict>,
    pub form: FormState,
    pub links: Vec<super::risk_links::LinkGroup>,
    pub edit_href: String,
}

async fn action_page(
    state: &AppState,
    user: &User,
    id: Id<Action>,
    form: FormState,
    conflict: Option<Conflict>,
) -> WebResult<ActionPage> {
    let mut conn = state.store.read().await?;
    let action = repo::get::<Action>(&mut conn, id).await?;
    let mut follow_ups: Vec<Versioned<ActionFollowUp>> =
        repo::list(&mut conn, Where::sql("action_id = $1", vec![action.id.to_value()])).await?;
    let corrections = corrections::history(&mut conn, "action", action.id.get()).await?;
    let links = super::risk_links::groups_of_action(&mut conn, user, action.id.get()).await?;
    let names = kvalitet_store::responsible::names(&mut conn, user.session.account.tenant_id).await?;
    drop(conn);
    follow_ups.sort_by_key(|f| (f.entry_on, f.id));
    let plan = readable_plan(state, user, action.plan_id).await?;
    Ok(ActionPage {
        nav: user.nav(),
        plan: plan_link(&plan),
        href: format!("/atgarder/{}", action.id),
        title: action.title.clone(),
        description: blocks(&action.description),
        status: action.status.code(),
        responsible: names.responsible(action.responsible_account_id, &action.responsible),
        due_on: action.due_on.map(|d| d.to_string()).unwrap_or_default(),
        version: action.version,
        follow_ups: follow_ups
            .iter()
            .map(|f| FollowUpRow {
                id: f.id.get(),
                date: kvalitet_domain::shown_date(f.entry_on, f.undated),
                status: f.new_status.code(),
                text: blocks(&f.text),
                by: f.recorded_by.clone(),
            })
            .collect(),
        corrections: history(&corrections, None),
        may_record: user.may(Permission::RecordFollowUp, plan.scope_id),
        statuses: ActionStatus::ALL.iter().filter(|s| action.status.may_become(**s)).map(|s| s.code()).collect(),
        conflict,
        form,
        links,
        edit_href: if user.may(Permission::EditPlan, plan.scope_id) {
            format!("/atgarder/{}/andra", action.id)
        } else {
            String::new()
        },
    })
}

pub async fn action(State(state): State<AppState>, user: User, Path(id): Path<String>) -> WebResult<ActionPage> {
    let mut form = FormState::default();
    form.values.insert("entry_on".into(), today().to_string());
    action_page(&state, &user, super::parse_id(&id)?, form, None).await
}

/// An action's follow-up from its form (recording one, or correcting one): the date
/// within the plan's year or later and not in the future, the text and the new status.
pub(crate) fn parse_follow_up(
    form: &mut FormState,
    action: &Versioned<Action>,
    plan: &QualityPlan,
    by: &str,
) -> ActionFollowUp {
    let entry_on = form.date("entry_on", "datum för uppföljningen");
    if entry_on.is_some_and(|d| d > today()) {
        form.push("entry_on", "Datumet kan inte vara i framtiden.");
    } else if let Some(d) = entry_on.filter(|d| i64::from(d.year()) < plan.year) {
        form.push(
            "entry_on",
            format!("Planen gäller {}; en uppföljning {} hör till en tidigare års plan.", plan.year, d.year()),
        );
    }
    let status = ActionStatus::from_code(form.value("new_status"));
    if status.is_none() {
        form.push("new_status", "Välj åtgärdens status efter uppföljningen.");
    }
    let follow_up = ActionFollowUp {
        action_id: action.id,
        entry_on: entry_on.unwrap_or_else(today),
        undated: false,
        text: form.value("text").trim().to_owned(),
        new_status: status.unwrap_or(action.status),
        recorded_by: by.to_owned(),
    };
    if let Err(v) = follow_up.validate() {
        form.add_validation(&v, |_| "Uppföljningen");
    }
    follow_up
}

pub async fn follow_up_action(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    Form(values): Form<HashMap<String, String>>,
) -> WebResult<Response> {
    let action = super::posted_on::<Action>(&state, &user, &id, &values).await?;
    let plan = readable_plan(&state, &user, action.plan_id).await?;
    user.require(Permission::RecordFollowUp, plan.scope_id)?;
    let mut form = FormState::new(values);
    let version = form.value("version").parse::<i64>().unwrap_or(0);
    let follow_up = parse_follow_up(&mut form, &action, &plan, &user.session.account.display_name);
    if form.has_errors() {
        let page = action_page(&state, &user, action.id, form, None).await?;
        return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let mut tx = state.store.write(&user.actor()).await?;
    match plans::follow_up_action(&mut tx, version, &follow_up).await {
        Ok(_) => {
            tx.commit().await?;
            Ok(Redirect::to(&format!("/atgarder/{}?sparat=uppfoljning#uppfoljningar", action.id)).into_response())
        }
        Err(StoreError::Conflict { .. }) => {
            drop(tx);
            // Someone followed the action up while this was being written: show both,
            // keep what the user wrote, and let them send it again on the new version.
            let mut conn = state.store.read().await?;
            let latest: Vec<Versioned<ActionFollowUp>> =
                repo::list(&mut conn, Where::sql("action_id = $1", vec![action.id.to_value()])).await?;
            drop(conn);
            let theirs = latest.iter().max_by_key(|f| (f.entry_on, f.id));
            let conflict = Conflict {
                their_status: theirs.map_or(action.status.code(), |f| f.new_status.code()),
                their_text: theirs.map(|f| blocks(&f.text)).unwrap_or_default(),
            };
            let page = action_page(&state, &user, action.id, form, Some(conflict)).await?;
            Ok((axum::http::StatusCode::CONFLICT, page).into_response())
        }
        Err(StoreError::Invalid(v)) => {
            drop(tx);
            form.add_validation(&v, |_| "Statusen");
            let page = action_page(&state, &user, action.id, form, None).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

// ---- Indicators ----------------------------------------------------------------------

/// An indicator's result of a year as the plan page and the indicator's page show it.
pub struct ResultRow {
    pub id: i64,
    pub year: i64,
    pub value: String,
    /// For a share: its denominator and 95 % confidence interval, and whether the basis is
    /// too thin to conclude from.
    pub basis: String,
    pub interval: String,
    pub thin: bool,
    pub national: String,
    pub no_data: bool,
    pub comment: Vec<Block>,
}

impl ResultRow {
    /// `r`, a result of an indicator measured in `unit`.
    pub fn of(unit: MeasureUnit, r: &Versioned<IndicatorResult>) -> ResultRow {
        let share = r.share();
        ResultRow {
            id: r.id.get(),
            year: r.year,
            value: r.value.map(|v| value_in(unit, v)).unwrap_or_default(),
            basis: share.map(|s| number(s.denominator as f64)).unwrap_or_default(),
            interval: share
                .map(|s| format!("{}–{}", share_percent(s.ci_low), share_percent(s.ci_high)))
                .unwrap_or_default(),
            thin: share.is_some_and(|s| s.basis() == Basis::TooThin),
            national: r.national_value.map(|v| value_in(unit, v)).unwrap_or_default(),
            no_data: r.no_data,
            comment: blocks(&r.comment),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "indicator.html")]
pub struct IndicatorPage {
    pub nav: Nav,
    pub plan: PlanLink,
    pub href: String,
    pub name: String,
    pub unit: &'static str,
    pub target: String,
    pub results: Vec<ResultRow>,
    /// Results corrected or removed, newest first.
    pub corrections: Vec<CorrectionRow>,
    /// Where the result already recorded for the year the form names is corrected, and
    /// that year.
    pub correct_existing: Option<(String, i64)>,
    pub chart: String,
    pub may_record: bool,
    pub form: FormState,
    pub links: Vec<super::risk_links::LinkGroup>,
    pub edit_href: String,
    /// The Kolada key figure, and the comparison where values are stored (F13).
    pub kolada_kpi: String,
    pub comparison: Option<super::kolada::ComparisonV>,
}

pub(super) fn value_in(unit: MeasureUnit, v: f64) -> String {
    match unit {
        MeasureUnit::Percent => percent(v),
        MeasureUnit::Days => crate::format::days(v),
        MeasureUnit::Count | MeasureUnit::MeanScale => number(v),
    }
}

async fn indicator_page(
    state: &AppState,
    user: &User,
    id: Id<Indicator>,
    form: FormState,
    correct_existing: Option<(String, i64)>,
) -> WebResult<IndicatorPage> {
    let mut conn = state.store.read().await?;
    let ind = repo::get::<Indicator>(&mut conn, id).await?;
    let mut results: Vec<Versioned<IndicatorResult>> =
        repo::list(&mut conn, Where::sql("indicator_id = $1", vec![ind.id.to_value()])).await?;
    let corrections = corrections::history(&mut conn, "indicator", ind.id.get()).await?;
    let links = super::risk_links::groups_of_indicator(&mut conn, ind.id.get()).await?;
    let comparison =
        super::kolada::comparison(&mut conn, &ind, results.iter().map(|r| &r.item), user.session.account.tenant_id)
            .await?;
    drop(conn);
    results.sort_by_key(|r| r.year);
    let plan = readable_plan(state, user, ind.plan_id).await?;
    let points: Vec<(i64, f64)> = results.iter().filter_map(|r| r.value.map(|v| (r.year, v))).collect();
    let suffix = if ind.unit == MeasureUnit::Percent { " %" } else { "" };
    Ok(IndicatorPage {
        nav: user.nav(),
        plan: plan_link(&plan),
        href: format!("/indikatorer/{}", ind.id),
        name: ind.name.clone(),
        unit: ind.unit.code(),
        target: ind.target_value.map(|t| value_in(ind.unit, t)).unwrap_or_default(),
        chart: chart::trend(&ind.name, &points, ind.target_value, suffix).unwrap_or_default(),
        results: results.iter().map(|r| ResultRow::of(ind.unit, r)).collect(),
        corrections: history(&corrections, Some(ind.unit)),
        correct_existing,
        may_record: user.may(Permission::RecordFollowUp, plan.scope_id),
        form,
        links,
        edit_href: if user.may(Permission::EditPlan, plan.scope_id) {
            format!("/indikatorer/{}/andra", ind.id)
        } else {
            String::new()
        },
        kolada_kpi: ind.kolada_kpi.clone().unwrap_or_default(),
        comparison,
    })
}

pub async fn indicator(State(state): State<AppState>, user: User, Path(id): Path<String>) -> WebResult<IndicatorPage> {
    let mut form = FormState::default();
    form.values.insert("year".into(), today().year().to_string());
    indicator_page(&state, &user, super::parse_id(&id)?, form, None).await
}

pub async fn record_result(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    Form(values): Form<HashMap<String, String>>,
) -> WebResult<Response> {
    user.check_csrf(values.get("csrf").map_or("", String::as_str))?;
    let id = super::parse_id::<Indicator>(&id)?;
    let mut conn = state.store.read().await?;
    let ind = repo::get::<Indicator>(&mut conn, id).await?;
    let existing: Vec<Versioned<IndicatorResult>> =
        repo::list(&mut conn, Where::sql("indicator_id = $1", vec![ind.id.to_value()])).await?;
    drop(conn);
    let plan = readable_plan(&state, &user, ind.plan_id).await?;
    user.require(Permission::RecordFollowUp, plan.scope_id)?;
    let mut form = FormState::new(values);
    let (result, duplicate) = parse_result(&mut form, &ind, &plan, &existing);
    if form.has_errors() {
        let correct = duplicate.map(|(id, year)| (format!("/indikatorresultat/{id}/rattelse"), year));
        let page = indicator_page(&state, &user, ind.id, form, correct).await?;
        return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let mut tx = state.store.write(&user.actor()).await?;
    plans::add_indicator_result(&mut tx, &result).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/indikatorer/{}?sparat=indikatorresultat#resultat", ind.id)).into_response())
}

/// An indicator's result from its form (recording one, or correcting one): the year (the
/// plan's when left empty), one result a year (`others` are the indicator's other
/// results; the one already recorded for the year is returned, to be corrected instead),
/// and the value computed from the fraction or checked against it.
pub(crate) fn parse_result(
    form: &mut FormState,
    ind: &Versioned<Indicator>,
    plan: &QualityPlan,
    others: &[Versioned<IndicatorResult>],
) -> (IndicatorResult, Option<(i64, i64)>) {
    let year = if form.value("year").trim().is_empty() { Some(plan.year) } else { form.count("year") };
    let duplicate = year.and_then(|y| others.iter().find(|r| r.year == y));
    if let Some(d) = duplicate {
        form.push(
            "year",
            format!(
                "Det finns redan ett resultat för {}. Ett år har ett resultat: rätta det som finns om det är fel.",
                d.year
            ),
        );
    }
    let result = IndicatorResult {
        indicator_id: ind.id,
        year: year.unwrap_or(0),
        value: form.number("value"),
        numerator: form.count("numerator"),
        denominator: form.count("denominator"),
        answers: form.count("answers"),
        response_rate: form.number("response_rate"),
        national_value: form.number("national_value"),
        comment: form.value("comment").trim().to_owned(),
        no_data: form.value("no_data") == "1",
    }
    .with_computed_value(ind.unit);
    if let Err(v) = result.validate_for(ind.unit) {
        form.add_validation(&v, |f| match f {
            "year" => "Året",
            "value" => "Värdet",
            "response_rate" => "Svarsfrekvensen",
            "numerator" => "Täljaren",
            "denominator" => "Nämnaren",
            _ => "Kommentaren",
        });
    }
    (result, duplicate.map(|d| (d.id.get(), d.year)))
}
