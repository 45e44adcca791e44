//! Correcting what was recorded: a self-inspection run (`/genomforanden/{id}/rattelse`),
//! an indicator's result (`/indikatorresultat/{id}/rattelse`), an action's follow-up
//! (`/atgardsuppfoljningar/{id}/rattelse`) or a risk's assessment
//! (`/riskbedomningar/{id}/rattelse`), changed or removed with a reason by whoever may
//! record it. One pair of handlers and one template serve every kind: each kind says in
//! its `Corrects` how it is loaded and checked, and reads its form with the same function
//! its recording uses. The store's `corrections::correct` writes it, audited, and keeps
//! the correction in the item's history, which every item page shows with
//! `corrections.html`'s macro from the rows `history` makes.

use std::collections::HashMap;
use std::future::Future;

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};

use kvalitet_domain::access::Permission;
use kvalitet_domain::action::{Action, ActionFollowUp, ActionStatus};
use kvalitet_domain::correction::{Correction, CorrectionKind};
use kvalitet_domain::indicator::{Indicator, IndicatorResult, MeasureUnit};
use kvalitet_domain::plan::QualityPlan;
use kvalitet_domain::risk::{Risk, RiskAssessment, RiskMatrix};
use kvalitet_domain::self_inspection::{SelfInspection, SelfInspectionRun, Verdict};
use kvalitet_domain::{Code, Versioned};
use kvalitet_store::corrections::{self, Correctable};
use kvalitet_store::{Column, StoreError, Where, plans, repo};

use crate::auth::{Nav, User};
use crate::error::WebResult;
use crate::format::number;
use crate::forms::FormState;
use crate::pages::deviations::today;
use crate::pages::follow_up::{parse_follow_up, parse_result, parse_run, readable_plan, si_unit, value_in};
use crate::pages::risks::parse_assessment;
use crate::router::AppState;
use crate::text::{Block, blocks};

/// The fields of the record's form, with their choices.
pub enum Fields {
    Run { verdicts: Vec<&'static str> },
    Result,
    FollowUp { statuses: Vec<&'static str> },
    Assessment { likelihoods: Vec<u8>, consequences: Vec<u8> },
}

#[derive(Template, WebTemplate)]
#[template(path = "correction.html")]
pub struct CorrectionPage {
    pub nav: Nav,
    /// The kind, which chooses the page's words: `run`, `result`, `follow_up`, `assessment`.
    pub kind: &'static str,
    pub item_href: String,
    pub item_title: String,
    pub href: String,
    pub version: i64,
    pub fields: Fields,
    /// Whether the record must stay (a risk's only assessment): then it is only changed.
    pub keep: bool,
    pub form: FormState,
}

/// The item a record belongs to, as its correction needs it: the item's page and title,
/// its plan, and what reading the form needs.
pub struct Context<P> {
    pub href: String,
    pub title: String,
    pub plan: Versioned<QualityPlan>,
    pub parent: Versioned<P>,
    pub extra: Extra,
}

/// What a kind's form needs besides its item and plan.
#[derive(Default)]
pub struct Extra {
    pub matrix: Option<RiskMatrix>,
    pub others: Vec<Versioned<IndicatorResult>>,
    pub only_one: bool,
}

/// A recorded kind the web corrects.
pub trait Corrects: Correctable {
    const KIND: &'static str;
    /// The first segment of its correction page's path.
    const PATH: &'static str;
    /// The record in Swedish, definite ("genomförandet"), for messages.
    const THE: &'static str;
    type Parent: Send + Sync + 'static;

    /// The record's item and plan, if the user may record this kind there.
    fn context(
        state: &AppState,
        user: &User,
        record: &Versioned<Self>,
    ) -> impl Future<Output = WebResult<Context<Self::Parent>>> + Send;
    fn fields(ctx: &Context<Self::Parent>) -> Fields;
    /// The record as its form's values.
    fn form_values(record: &Self) -> Vec<(&'static str, String)>;
    /// The replacement from the form, read as recording reads it; the record keeps who
    /// recorded it.
    fn parse(form: &mut FormState, ctx: &Context<Self::Parent>, current: &Versioned<Self>) -> Self;
    /// The Swedish name of a field in the store's validation errors.
    fn label(field: &str) -> &'static str;
}

async fn load<T: Corrects>(state: &AppState, user: &User, id: &str) -> WebResult<(Versioned<T>, Context<T::Parent>)> {
    let id = super::parse_id::<T>(id)?;
    let mut conn = state.store.read().await?;
    let record = repo::get::<T>(&mut conn, id).await?;
    drop(conn);
    let ctx = T::context(state, user, &record).await?;
    Ok((record, ctx))
}

fn page<T: Corrects>(user: &User, record: &Versioned<T>, ctx: &Context<T::Parent>, form: FormState) -> CorrectionPage {
    CorrectionPage {
        nav: user.nav(),
        kind: T::KIND,
        item_href: ctx.href.clone(),
        item_title: ctx.title.clone(),
        href: format!("/{}/{}/rattelse", T::PATH, record.id),
        version: record.version,
        fields: T::fields(ctx),
        keep: ctx.extra.only_one,
        form,
    }
}

pub async fn form<T: Corrects>(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
) -> WebResult<CorrectionPage> {
    let (record, ctx) = load::<T>(&state, &user, &id).await?;
    let values: HashMap<String, String> = T::form_values(&record).into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
    Ok(page(&user, &record, &ctx, FormState::new(values)))
}

/// The first letter in upper case.
fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

pub async fn submit<T: Corrects>(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    Form(values): Form<HashMap<String, String>>,
) -> WebResult<Response> {
    user.check_csrf(values.get("csrf").map_or("", String::as_str))?;
    let (record, ctx) = load::<T>(&state, &user, &id).await?;
    let mut form = FormState::new(values);
    let remove = form.value("remove") == "1";
    let version = form.value("version").parse::<i64>().unwrap_or(0);
    let reason = form.value("reason").trim().to_owned();
    if reason.is_empty() {
        form.push("reason", format!("Skriv varför {} rättas eller tas bort.", T::THE));
    }
    let next = if remove { None } else { Some(T::parse(&mut form, &ctx, &record)) };
    let mut conflict = false;
    if !form.has_errors() {
        let mut tx = state.store.write(&user.actor()).await?;
        let by = user.session.account.display_name.clone();
        match corrections::correct(&mut tx, record.id, version, next.as_ref(), &reason, &by, today()).await {
            Ok(()) => {
                tx.commit().await?;
                return Ok(Redirect::to(&format!("{}#rattelser", ctx.href)).into_response());
            }
            Err(StoreError::Conflict { .. }) => {
                conflict = true;
                form.push(
                    "reason",
                    format!(
                        "{} har ändrats av någon annan under tiden. Läs in sidan och försök igen.",
                        capitalised(T::THE)
                    ),
                );
            }
            Err(StoreError::Invalid(v)) => {
                for e in &v.errors {
                    // What concerns the record as a whole is shown at the reason.
                    let at = if e.field == "record" || e.field == "assessment" { "reason" } else { e.field };
                    form.push(at, format!("{} {}.", T::label(e.field), e.problem));
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
    let status = if conflict { axum::http::StatusCode::CONFLICT } else { axum::http::StatusCode::UNPROCESSABLE_ENTITY };
    Ok((status, page(&user, &record, &ctx, form)).into_response())
}

// ---- The kinds -------------------------------------------------------------------------

impl Corrects for SelfInspectionRun {
    const KIND: &'static str = "run";
    const PATH: &'static str = "genomforanden";
    const THE: &'static str = "genomförandet";
    type Parent = SelfInspection;

    async fn context(state: &AppState, user: &User, run: &Versioned<Self>) -> WebResult<Context<SelfInspection>> {
        let mut conn = state.store.read().await?;
        let si = repo::get::<SelfInspection>(&mut conn, run.self_inspection_id).await?;
        drop(conn);
        let plan = readable_plan(state, user, si.plan_id).await?;
        user.require(Permission::RecordFollowUp, si_unit(&si, &plan))?;
        Ok(Context {
            href: format!("/egenkontroller/{}", si.id),
            title: si.title.clone(),
            plan,
            parent: si,
            extra: Extra::default(),
        })
    }

    fn fields(_: &Context<SelfInspection>) -> Fields {
        Fields::Run { verdicts: Verdict::ALL.iter().map(|v| v.code()).collect() }
    }

    fn form_values(run: &Self) -> Vec<(&'static str, String)> {
        vec![
            ("run_on", run.run_on.to_string()),
            ("verdict", run.verdict.code().to_owned()),
            ("verdict_reason", run.verdict_reason.clone()),
            ("result_value", run.result_value.map(number).unwrap_or_default()),
            ("sample_size", run.sample_size.map(|n| n.to_string()).unwrap_or_default()),
            ("comment", run.comment.clone()),
        ]
    }

    fn parse(form: &mut FormState, ctx: &Context<SelfInspection>, current: &Versioned<Self>) -> Self {
        parse_run(form, &ctx.parent, &ctx.plan, &current.recorded_by)
    }

    fn label(field: &str) -> &'static str {
        match field {
            "reason" => "Skälet",
            "comment" => "Kommentaren",
            _ => "Värdet",
        }
    }
}

impl Corrects for IndicatorResult {
    const KIND: &'static str = "result";
    const PATH: &'static str = "indikatorresultat";
    const THE: &'static str = "resultatet";
    type Parent = Indicator;

    async fn context(state: &AppState, user: &User, result: &Versioned<Self>) -> WebResult<Context<Indicator>> {
        let mut conn = state.store.read().await?;
        let ind = repo::get::<Indicator>(&mut conn, result.indicator_id).await?;
        let others: Vec<Versioned<IndicatorResult>> =
            repo::list(&mut conn, Where::sql("indicator_id = $1", vec![ind.id.to_value()])).await?;
        drop(conn);
        let plan = readable_plan(state, user, ind.plan_id).await?;
        user.require(Permission::RecordFollowUp, plan.scope_id)?;
        Ok(Context {
            href: format!("/indikatorer/{}", ind.id),
            title: ind.name.clone(),
            plan,
            extra: Extra { others: others.into_iter().filter(|r| r.id != result.id).collect(), ..Extra::default() },
            parent: ind,
        })
    }

    fn fields(_: &Context<Indicator>) -> Fields {
        Fields::Result
    }

    fn form_values(r: &Self) -> Vec<(&'static str, String)> {
        vec![
            ("year", r.year.to_string()),
            ("value", r.value.map(number).unwrap_or_default()),
            ("numerator", r.numerator.map(|n| n.to_string()).unwrap_or_default()),
            ("denominator", r.denominator.map(|n| n.to_string()).unwrap_or_default()),
            ("answers", r.answers.map(|n| n.to_string()).unwrap_or_default()),
            ("response_rate", r.response_rate.map(number).unwrap_or_default()),
            ("national_value", r.national_value.map(number).unwrap_or_default()),
            ("comment", r.comment.clone()),
            ("no_data", if r.no_data { "1".into() } else { String::new() }),
        ]
    }

    fn parse(form: &mut FormState, ctx: &Context<Indicator>, _: &Versioned<Self>) -> Self {
        parse_result(form, &ctx.parent, &ctx.plan, &ctx.extra.others).0
    }

    fn label(field: &str) -> &'static str {
        match field {
            "reason" => "Skälet",
            "year" => "Året",
            "response_rate" => "Svarsfrekvensen",
            "numerator" => "Täljaren",
            "denominator" => "Nämnaren",
            "comment" => "Kommentaren",
            _ => "Värdet",
        }
    }
}

impl Corrects for ActionFollowUp {
    const KIND: &'static str = "follow_up";
    const PATH: &'static str = "atgardsuppfoljningar";
    const THE: &'static str = "uppföljningen";
    type Parent = Action;

    async fn context(state: &AppState, user: &User, follow_up: &Versioned<Self>) -> WebResult<Context<Action>> {
        let mut conn = state.store.read().await?;
        let action = repo::get::<Action>(&mut conn, follow_up.action_id).await?;
        drop(conn);
        let plan = readable_plan(state, user, action.plan_id).await?;
        user.require(Permission::RecordFollowUp, plan.scope_id)?;
        Ok(Context {
            href: format!("/atgarder/{}", action.id),
            title: action.title.clone(),
            plan,
            parent: action,
            extra: Extra::default(),
        })
    }

    /// Every status: whether it may follow the follow-up before is the store's check.
    fn fields(_: &Context<Action>) -> Fields {
        Fields::FollowUp { statuses: ActionStatus::ALL.iter().map(|s| s.code()).collect() }
    }

    fn form_values(f: &Self) -> Vec<(&'static str, String)> {
        vec![
            ("entry_on", f.entry_on.to_string()),
            ("text", f.text.clone()),
            ("new_status", f.new_status.code().to_owned()),
        ]
    }

    fn parse(form: &mut FormState, ctx: &Context<Action>, current: &Versioned<Self>) -> Self {
        parse_follow_up(form, &ctx.parent, &ctx.plan, &current.recorded_by)
    }

    fn label(field: &str) -> &'static str {
        match field {
            "reason" => "Skälet",
            "new_status" => "Statusen",
            _ => "Uppföljningen",
        }
    }
}

impl Corrects for RiskAssessment {
    const KIND: &'static str = "assessment";
    const PATH: &'static str = "riskbedomningar";
    const THE: &'static str = "bedömningen";
    type Parent = Risk;

    async fn context(state: &AppState, user: &User, assessment: &Versioned<Self>) -> WebResult<Context<Risk>> {
        let mut conn = state.store.read().await?;
        let risk = repo::get::<Risk>(&mut conn, assessment.risk_id).await?;
        let count = corrections::assessments(&mut conn, risk.id).await?.len();
        drop(conn);
        let plan = readable_plan(state, user, risk.plan_id).await?;
        user.require(Permission::EditPlan, plan.scope_id)?;
        let mut conn = state.store.read().await?;
        let matrix = plans::matrix(&mut conn, plan.tenant_id).await?;
        drop(conn);
        Ok(Context {
            href: format!("/risker/{}", risk.id),
            title: risk.title.clone(),
            plan,
            parent: risk,
            extra: Extra { matrix: Some(matrix), only_one: count <= 1, ..Extra::default() },
        })
    }

    fn fields(ctx: &Context<Risk>) -> Fields {
        let m = ctx.extra.matrix.clone().unwrap_or_default();
        Fields::Assessment {
            likelihoods: (1..=m.likelihood_steps).collect(),
            consequences: (1..=m.consequence_steps).collect(),
        }
    }

    fn form_values(a: &Self) -> Vec<(&'static str, String)> {
        vec![
            ("assessed_on", a.assessed_on.to_string()),
            ("likelihood", a.likelihood.map(|n| n.to_string()).unwrap_or_default()),
            ("consequence", a.consequence.map(|n| n.to_string()).unwrap_or_default()),
            ("comment", a.comment.clone()),
        ]
    }

    fn parse(form: &mut FormState, ctx: &Context<Risk>, current: &Versioned<Self>) -> Self {
        let matrix = ctx.extra.matrix.clone().unwrap_or_default();
        parse_assessment(form, ctx.parent.id, &matrix, &ctx.plan).unwrap_or_else(|| current.item.clone())
    }

    fn label(field: &str) -> &'static str {
        match field {
            "reason" => "Skälet",
            "likelihood" => "Sannolikheten",
            "consequence" => "Konsekvensen",
            "comment" => "Motiveringen",
            _ => "Bedömningen",
        }
    }
}

// ---- The history an item page shows ------------------------------------------------------

/// One correction in an item's history, with what the record said before.
pub struct CorrectionRow {
    pub date: String,
    pub by: String,
    pub removed: bool,
    pub reason: Vec<Block>,
    /// The record's kind (`run`, `result`, `follow_up`, `assessment`), or empty when
    /// what it said can no longer be read.
    pub kind: &'static str,
    /// Its date, or its year for a result.
    pub when: String,
    /// Its verdict (a run) or status (a follow-up).
    pub code: &'static str,
    /// Its value (a run, a result) or level (an assessment).
    pub value: String,
    pub no_data: bool,
    pub factors: String,
}

/// "sannolikhet 2 × konsekvens 3", where both are known.
pub fn factors(likelihood: Option<i64>, consequence: Option<i64>) -> String {
    match (likelihood, consequence) {
        (Some(l), Some(c)) => format!("sannolikhet {l} × konsekvens {c}"),
        _ => String::new(),
    }
}

/// The corrections of an item's records, newest first, as its history shows them;
/// `unit` is the indicator's, for its results' values.
pub fn history(list: &[Versioned<Correction>], unit: Option<MeasureUnit>) -> Vec<CorrectionRow> {
    list.iter()
        .map(|c| {
            let mut row = CorrectionRow {
                date: c.corrected_on.to_string(),
                by: c.corrected_by.clone(),
                removed: c.kind == CorrectionKind::Removed,
                reason: blocks(&c.reason),
                kind: "",
                when: String::new(),
                code: "",
                value: String::new(),
                no_data: false,
                factors: String::new(),
            };
            let text = c.before_text.as_str();
            match c.record_table.as_str() {
                "self_inspection_run" => {
                    if let Ok(b) = serde_json::from_str::<SelfInspectionRun>(text) {
                        row.kind = "run";
                        row.when = kvalitet_domain::shown_date(b.run_on, b.undated);
                        row.code = b.verdict.code();
                        row.value = b.result_value.map(number).unwrap_or_default();
                    }
                }
                "indicator_result" => {
                    if let Ok(b) = serde_json::from_str::<IndicatorResult>(text) {
                        row.kind = "result";
                        row.when = b.year.to_string();
                        row.value =
                            b.value.map(|v| unit.map_or_else(|| number(v), |u| value_in(u, v))).unwrap_or_default();
                        row.no_data = b.no_data;
                    }
                }
                "action_follow_up" => {
                    if let Ok(b) = serde_json::from_str::<ActionFollowUp>(text) {
                        row.kind = "follow_up";
                        row.when = kvalitet_domain::shown_date(b.entry_on, b.undated);
                        row.code = b.new_status.code();
                    }
                }
                "risk_assessment" => {
                    if let Ok(b) = serde_json::from_str::<RiskAssessment>(text) {
                        row.kind = "assessment";
                        row.when = b.assessed_on.to_string();
                        row.value = b.level.to_string();
                        row.factors = factors(b.likelihood, b.consequence);
                    }
                }
                _ => {}
            }
            row
        })
        .collect()
}
