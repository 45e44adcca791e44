//! A deviation's page: what was reported, its handling so far, its history, and for
//! those who handle the unit's deviations the handling form (`handle`) and the change
//! of kind (`reclassify`).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};

use kvalitet_domain::access::{Permission, Tree};
use kvalitet_domain::action::Action;
use kvalitet_domain::deviation::{
    CategoryDimension, Complainant, ComplaintChannel, ComplaintOutcome, Deviation, DeviationCategory, DeviationKind,
    DeviationStatus, EventAnalysis, LexSarahCategory,
};
use kvalitet_domain::plan::QualityPlan;
use kvalitet_domain::risk::Risk;
use kvalitet_domain::{Code, Id, Versioned};
use kvalitet_store::{Column, Where, audit, deviations, org, repo};

use crate::auth::{Nav, User};
use crate::error::{WebError, WebResult};
use crate::forms::FormState;
use crate::router::AppState;
use crate::text::{Block, blocks};

use super::{today, unit_name};

/// One of the four ways of sorting deviations, as a select: its field, and the
/// municipality's active categories in it plus the one already chosen.
pub struct CategorySelect {
    pub dimension: &'static str,
    pub field: &'static str,
    pub options: Vec<(i64, String)>,
}

/// One entry of the case's history.
pub struct HistoryRow {
    pub date: String,
    pub actor: String,
    pub kind: &'static str,
    pub from: String,
    pub to: String,
    pub text: Vec<Block>,
}

/// What changing the kind to another would do: the Swedish note, or why it cannot.
pub struct KindChoice {
    pub kind: &'static str,
    pub note: String,
    pub refused: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "deviation.html")]
pub struct ShowPage {
    pub nav: Nav,
    pub href: String,
    pub reference: String,
    pub version: i64,
    pub is_lex_sarah: bool,
    pub is_complaint: bool,
    pub may_handle: bool,
    /// (date, reason) of a voided report.
    pub voided: Option<(String, String)>,
    pub statuses: Vec<&'static str>,
    pub lex_sarah_categories: Vec<&'static str>,
    pub complainants: Vec<&'static str>,
    pub channels: Vec<&'static str>,
    pub outcomes: Vec<&'static str>,
    pub category_selects: Vec<CategorySelect>,
    /// The categories chosen: (dimension, name).
    pub chosen_categories: Vec<(&'static str, String)>,
    pub risks: Vec<(i64, String)>,
    /// Actions of the same plans, to tie it to.
    pub actions: Vec<(i64, String)>,
    /// The risk and action it is tied to, as links.
    pub links: Vec<crate::pages::risk_links::LinkGroup>,
    pub conflict: bool,
    pub form: FormState,
    /// For a closed case: per earlier status, what reopening to it does to the dates.
    pub reopen_notes: Vec<(&'static str, String)>,
    pub kind_form: FormState,
    pub kind_conflict: bool,
    pub kind_choices: Vec<KindChoice>,
    pub history: Vec<HistoryRow>,
    pub has_analysis: bool,
    pub title: String,
    pub unit: String,
    pub kind: &'static str,
    pub status: &'static str,
    pub occurred_on: String,
    pub reported_on: String,
    pub reported_by: String,
    pub investigation_started_on: String,
    pub investigator: String,
    /// "yes", "no" or "" (not recorded).
    pub person_informed: &'static str,
    pub person_informed_on: String,
    pub category: &'static str,
    pub decided_on: String,
    pub decided_by: String,
    pub ivo: String,
    pub ivo_reference: String,
    /// When the report to IVO is due, if it is and is not made.
    pub ivo_due: String,
    pub ivo_overdue: bool,
    pub must_report_to_ivo: bool,
    pub complainant: &'static str,
    pub channel: &'static str,
    pub answered_on: String,
    pub answered_by: String,
    pub outcome: &'static str,
    pub closed_on: String,
    pub description: Vec<Block>,
    pub investigation: Vec<Block>,
    pub causes: Vec<Block>,
    pub measures: Vec<Block>,
    pub feedback: Vec<Block>,
}

/// Risks and actions of the plans of the deviation's year that cover its unit, to tie it
/// to, and those it is tied to already (which stay choosable).
pub(super) async fn risks_for(
    state: &AppState,
    user: &User,
    d: &Deviation,
) -> WebResult<(Vec<(i64, String)>, Vec<(i64, String)>)> {
    let mut conn = state.store.read().await?;
    let plans: Vec<Versioned<QualityPlan>> =
        repo::list(&mut conn, Where::sql("tenant_id = $1", vec![user.session.account.tenant_id.to_value()])).await?;
    let mut out = Vec::new();
    let mut actions_out = Vec::new();
    let year = i64::from(d.occurred_on.year());
    for p in plans.iter().filter(|p| p.year == year && user.tree.is_within(d.unit_id, p.scope_id)) {
        let risks: Vec<Versioned<Risk>> =
            repo::list(&mut conn, Where::sql("plan_id = $1", vec![p.id.to_value()])).await?;
        out.extend(risks.iter().map(|r| (r.id.get(), format!("{} ({})", r.title, p.year))));
        let actions: Vec<Versioned<Action>> =
            repo::list(&mut conn, Where::sql("plan_id = $1", vec![p.id.to_value()])).await?;
        actions_out.extend(actions.iter().map(|a| (a.id.get(), format!("{} ({})", a.title, p.year))));
    }
    let year_of = |plan| plans.iter().find(|p| p.id == plan).map_or(0, |p| p.year);
    if let Some(r) = d.risk_id.filter(|r| !out.iter().any(|(id, _)| *id == r.get()))
        && let Some(r) = repo::find::<Risk>(&mut conn, r).await?
    {
        out.push((r.id.get(), format!("{} ({})", r.title, year_of(r.plan_id))));
    }
    if let Some(a) = d.action_id.filter(|a| !actions_out.iter().any(|(id, _)| *id == a.get()))
        && let Some(a) = repo::find::<Action>(&mut conn, a).await?
    {
        actions_out.push((a.id.get(), format!("{} ({})", a.title, year_of(a.plan_id))));
    }
    Ok((out, actions_out))
}

/// The form field of a category dimension.
pub(super) fn category_field(dimension: CategoryDimension) -> &'static str {
    match dimension {
        CategoryDimension::Type => "type_category_id",
        CategoryDimension::Cause => "cause_category_id",
        CategoryDimension::Place => "place_category_id",
        CategoryDimension::Severity => "severity_category_id",
    }
}

/// Per dimension with categories: the active ones and the one `d` has (which stays
/// choosable when deactivated). No select for a dimension without categories.
pub(super) fn category_selects(all: &[Versioned<DeviationCategory>], d: &Deviation) -> Vec<CategorySelect> {
    CategoryDimension::ALL
        .iter()
        .map(|dim| CategorySelect {
            dimension: dim.code(),
            field: category_field(*dim),
            options: all
                .iter()
                .filter(|c| c.dimension == *dim && (c.active || d.category(*dim) == Some(c.id)))
                .map(|c| (c.id.get(), c.name.clone()))
                .collect(),
        })
        .filter(|s| !s.options.is_empty())
        .collect()
}

/// The form as the case is stored.
fn stored_form(d: &Deviation) -> FormState {
    let date = |x: Option<kvalitet_domain::Date>| x.map(|x| x.to_string()).unwrap_or_default();
    let mut f = FormState::default();
    let v = &mut f.values;
    v.insert("status".into(), d.status.code().into());
    v.insert("investigation_started_on".into(), date(d.investigation_started_on));
    v.insert("investigator".into(), d.investigator.clone());
    v.insert("person_informed".into(), informed_code(d.person_informed).into());
    v.insert("person_informed_on".into(), date(d.person_informed_on));
    v.insert("investigation".into(), d.investigation.clone());
    v.insert("causes".into(), d.causes.clone());
    v.insert("measures_taken".into(), d.measures_taken.clone());
    v.insert("lex_sarah_category".into(), d.lex_sarah_category.map_or("", |c| c.code()).into());
    v.insert("decided_on".into(), date(d.decided_on));
    v.insert("decided_by".into(), d.decided_by.clone());
    v.insert("reported_to_ivo_on".into(), date(d.reported_to_ivo_on));
    v.insert("ivo_reference".into(), d.ivo_reference.clone());
    v.insert("complainant".into(), d.complainant.map_or("", |c| c.code()).into());
    v.insert("channel".into(), d.channel.map_or("", |c| c.code()).into());
    v.insert("answered_on".into(), date(d.answered_on));
    v.insert("answered_by".into(), d.answered_by.clone());
    v.insert("complaint_outcome".into(), d.complaint_outcome.map_or("", |c| c.code()).into());
    v.insert("feedback".into(), d.feedback.clone());
    v.insert("closed_on".into(), date(d.closed_on));
    v.insert("risk_id".into(), d.risk_id.map(|r| r.get().to_string()).unwrap_or_default());
    v.insert("action_id".into(), d.action_id.map(|a| a.get().to_string()).unwrap_or_default());
    for &dim in CategoryDimension::ALL.iter() {
        v.insert(category_field(dim).into(), d.category(dim).map(|c| c.get().to_string()).unwrap_or_default());
    }
    f
}

pub(super) fn informed_code(informed: Option<bool>) -> &'static str {
    match informed {
        Some(true) => "yes",
        Some(false) => "no",
        None => "",
    }
}

/// The page, with the handling form as stored or as posted (`form`), and the change of
/// kind's form as posted (`kind_form`).
pub(super) async fn show_page(
    state: &AppState,
    user: &User,
    id: Id<Deviation>,
    form: Option<FormState>,
    conflict: bool,
    kind_form: Option<FormState>,
    kind_conflict: bool,
) -> WebResult<ShowPage> {
    let mut conn = state.store.read().await?;
    let d = repo::get::<Deviation>(&mut conn, id).await?;
    if d.tenant_id != user.session.account.tenant_id {
        return Err(WebError::NotFound);
    }
    user.require(Permission::ViewDeviations, d.unit_id)?;
    let units = org::units(&mut conn, d.tenant_id).await?;
    let links = crate::pages::risk_links::groups_of_deviation(&mut conn, &d).await?;
    let categories = deviations::categories(&mut conn, d.tenant_id).await?;
    let settings = deviations::settings(&mut conn, d.tenant_id).await?;
    let events = deviations::events(&mut conn, d.id).await?;
    let analyses: Vec<Versioned<EventAnalysis>> =
        repo::list(&mut conn, Where::sql("deviation_id = $1", vec![d.id.to_value()])).await?;
    drop(conn);
    let mut tx = state.store.write(&user.actor()).await?;
    audit::record_read(&mut tx, "deviation", d.id.get()).await?;
    tx.commit().await?;
    let (risks, actions) = risks_for(state, user, &d).await?;
    let may_handle = user.may(Permission::HandleDeviation, d.unit_id);
    let date = |x: Option<kvalitet_domain::Date>| x.map(|x| x.to_string()).unwrap_or_default();
    let category_name = |c: Option<kvalitet_domain::deviation::DeviationCategoryId>| {
        c.and_then(|c| categories.iter().find(|x| x.id == c)).map(|c| c.name.clone())
    };
    let chosen_categories = CategoryDimension::ALL
        .iter()
        .filter_map(|dim| category_name(d.category(*dim)).map(|n| (dim.code(), n)))
        .collect();
    let reopen_notes = [DeviationStatus::Registered, DeviationStatus::Investigating, DeviationStatus::Assessed]
        .iter()
        .filter_map(|s| d.reopen(*s).map(|r| (s.code(), r.note)))
        .collect();
    let kind_choices = DeviationKind::ALL
        .iter()
        .filter(|k| **k != d.kind)
        .map(|k| match d.reclassify(*k) {
            Ok(r) => KindChoice { kind: k.code(), note: r.note, refused: false },
            Err(e) => KindChoice {
                kind: k.code(),
                note: e.for_field("kind").map(|p| p.to_string()).unwrap_or_default(),
                refused: true,
            },
        })
        .collect();
    let history = events
        .iter()
        .map(|e| HistoryRow {
            date: e.happened_on.to_string(),
            actor: e.actor.clone(),
            kind: e.kind.code(),
            from: e.from_value.clone(),
            to: e.to_value.clone(),
            text: blocks(&e.text),
        })
        .collect();
    let ivo_due = d.ivo_due_on(settings.ivo_deadline_days);
    Ok(ShowPage {
        nav: user.nav(),
        href: format!("/avvikelser/{}", d.id),
        reference: d.reference(d.id),
        version: d.version,
        is_lex_sarah: d.kind == DeviationKind::LexSarah,
        is_complaint: d.kind == DeviationKind::Complaint,
        may_handle,
        voided: d.voided_on.map(|v| (v.to_string(), d.void_reason.clone())),
        statuses: DeviationStatus::ALL.iter().map(|s| s.code()).collect(),
        lex_sarah_categories: LexSarahCategory::ALL.iter().map(|c| c.code()).collect(),
        complainants: Complainant::ALL.iter().map(|c| c.code()).collect(),
        channels: ComplaintChannel::ALL.iter().map(|c| c.code()).collect(),
        outcomes: ComplaintOutcome::ALL.iter().map(|c| c.code()).collect(),
        category_selects: category_selects(&categories, &d),
        chosen_categories,
        risks,
        actions,
        links,
        conflict,
        form: form.unwrap_or_else(|| stored_form(&d)),
        reopen_notes,
        kind_form: kind_form.unwrap_or_default(),
        kind_conflict,
        kind_choices,
        history,
        has_analysis: !analyses.is_empty(),
        title: d.title.clone(),
        unit: unit_name(&units, d.unit_id),
        kind: d.kind.code(),
        status: d.status.code(),
        occurred_on: kvalitet_domain::shown_date(d.occurred_on, d.undated),
        reported_on: kvalitet_domain::shown_date(d.reported_on, d.undated),
        reported_by: d.reported_by.clone(),
        investigation_started_on: date(d.investigation_started_on),
        investigator: d.investigator.clone(),
        person_informed: informed_code(d.person_informed),
        person_informed_on: date(d.person_informed_on),
        category: d.lex_sarah_category.map_or("", |c| c.code()),
        decided_on: date(d.decided_on),
        decided_by: d.decided_by.clone(),
        ivo: date(d.reported_to_ivo_on),
        ivo_reference: d.ivo_reference.clone(),
        ivo_due: date(ivo_due),
        ivo_overdue: d.ivo_overdue(settings.ivo_deadline_days, today()),
        must_report_to_ivo: d.lex_sarah_category.is_some_and(LexSarahCategory::must_report_to_ivo),
        complainant: d.complainant.map_or("", |c| c.code()),
        channel: d.channel.map_or("", |c| c.code()),
        answered_on: date(d.answered_on),
        answered_by: d.answered_by.clone(),
        outcome: d.complaint_outcome.map_or("", |c| c.code()),
        closed_on: date(d.closed_on),
        description: blocks(&d.description),
        investigation: blocks(&d.investigation),
        causes: blocks(&d.causes),
        measures: blocks(&d.measures_taken),
        feedback: blocks(&d.feedback),
    })
}

pub async fn show(State(state): State<AppState>, user: User, Path(id): Path<String>) -> WebResult<ShowPage> {
    show_page(&state, &user, crate::pages::parse_id(&id)?, None, false, None, false).await
}
