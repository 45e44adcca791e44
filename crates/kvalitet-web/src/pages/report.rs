//! The report page: the quality report's narrative, statistics, surveys with response
//! rates and the small-sample caveat, systematic follow-up, deviations year against
//! year, reviews, the assessment of quality and improvement areas; and recording that the
//! report was submitted to the board, which stores its documents as they were then.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use kvalitet_domain::Code;
use kvalitet_domain::access::Permission;
use kvalitet_domain::bundle::ReportBundle;
use kvalitet_domain::deviation::{DeviationKind, LexSarahCategory};
use kvalitet_domain::org::OrgUnitId;
use kvalitet_domain::report::Finding;
use kvalitet_domain::report::{QualityReport, ReportId, ReportState};
use kvalitet_domain::stats::Basis;
use kvalitet_store::reports;
use kvalitet_store::{StoreError, audit, repo};

use crate::auth::{Nav, User};
use crate::error::{WebError, WebResult};
use crate::format::{number, percent, share_percent};
use crate::forms::FormState;
use crate::pages::deviations::today;
use crate::router::AppState;
use crate::text::{Block, blocks};

use super::plan::SectionV;

pub struct StatV {
    pub edit: String,
    pub unit: String,
    pub year: i64,
    pub label: String,
    pub value: String,
    pub comment: String,
}

pub struct FindingV {
    pub edit: String,
    pub label: String,
    pub value: String,
    pub basis: String,
    pub interval: String,
    pub national: String,
}

pub struct SurveyV {
    pub edit: String,
    pub unit: String,
    pub name: String,
    pub instrument: String,
    pub sample: String,
    pub answers: String,
    pub rate: String,
    pub thin: bool,
    pub blocks: Vec<Block>,
    pub findings: Vec<FindingV>,
    /// Where a new result line is added.
    pub add_finding: String,
}

pub struct CountV {
    pub code: &'static str,
    pub this_year: i64,
    pub last_year: i64,
}

pub struct TitledV {
    pub edit: String,
    pub title: String,
    pub subtitle: String,
    pub blocks: Vec<Block>,
}

#[derive(Template, WebTemplate)]
#[template(path = "report.html")]
pub struct ReportPage {
    pub nav: Nav,
    pub id: i64,
    pub may_edit: bool,
    pub may_see_deviations: bool,
    pub title: String,
    pub scope: String,
    pub year: i64,
    pub last_year: i64,
    pub state: &'static str,
    pub submitted_on: String,
    pub board_reference: String,
    /// The report's version, for the form that records its submission to the board.
    pub version: i64,
    /// That form as sent, with its errors.
    pub form: FormState,
    pub sections: Vec<SectionV>,
    pub statistics: Vec<StatV>,
    pub surveys: Vec<SurveyV>,
    pub follow_ups: Vec<SurveyV>,
    pub deviation_counts: Vec<CountV>,
    pub lex_sarah_counts: Vec<CountV>,
    pub deviations: Vec<TitledV>,
    pub reviews: Vec<TitledV>,
    pub assessments: Vec<TitledV>,
    pub improvement_areas: Vec<(String, String)>,
}

/// At most this many answers is too few to conclude from (see `stats::MIN_BASIS`).
fn thin(answers: Option<i64>) -> bool {
    answers.is_some_and(|a| (a as u64) < kvalitet_domain::stats::MIN_BASIS)
}

fn finding_v(id: kvalitet_domain::report::FindingId, f: &Finding) -> FindingV {
    let share = f.share();
    FindingV {
        edit: format!("/resultat/{id}/andra"),
        label: f.label.clone(),
        value: percent(f.value),
        basis: f.basis.map(|b| number(b as f64)).unwrap_or_default(),
        interval: share
            .map(|s| {
                let warn = if s.basis() == Basis::TooThin { " *" } else { "" };
                format!("{}–{}{warn}", share_percent(s.ci_low), share_percent(s.ci_high))
            })
            .unwrap_or_default(),
        national: f.national_value.map(percent).unwrap_or_default(),
    }
}

pub fn view(b: &ReportBundle, nav: Nav, may_see: &dyn Fn(OrgUnitId) -> bool) -> ReportPage {
    let year = b.report.year;
    let findings_of = |pred: &dyn Fn(&Finding) -> bool| -> Vec<FindingV> {
        b.findings.iter().filter(|f| pred(&f.item)).map(|f| finding_v(f.id, &f.item)).collect()
    };
    ReportPage {
        nav,
        id: b.report.id.get(),
        may_edit: false,
        may_see_deviations: may_see(b.scope.id),
        title: b.report.title.clone(),
        scope: b.scope.name.clone(),
        year,
        last_year: year - 1,
        state: b.report.state.code(),
        submitted_on: b.report.submitted_on.map(|d| d.to_string()).unwrap_or_default(),
        board_reference: b.report.board_reference.clone().unwrap_or_default(),
        version: b.report.version,
        form: FormState::default(),
        sections: b
            .sections
            .iter()
            .map(|s| SectionV {
                anchor: format!("avsnitt-{}", s.id),
                edit: format!("/avsnitt/{}/andra", s.id),
                heading: s.heading.clone(),
                blocks: blocks(&s.body),
            })
            .collect(),
        statistics: b
            .statistics
            .iter()
            .map(|s| StatV {
                edit: format!("/nyckeltal/{}/andra", s.id),
                unit: b.unit_name(s.unit_id).to_owned(),
                year: s.year,
                label: s.label.clone(),
                value: if s.unit == "%" { percent(s.value) } else { format!("{} {}", number(s.value), s.unit) },
                comment: s.comment.clone(),
            })
            .collect(),
        surveys: b
            .surveys
            .iter()
            .map(|s| SurveyV {
                edit: format!("/brukarundersokningar/{}/andra", s.id),
                unit: b.unit_name(s.unit_id).to_owned(),
                name: s.name.clone(),
                instrument: s.instrument.clone(),
                sample: s.sample_size.map(|v| number(v as f64)).unwrap_or_default(),
                answers: s.answers.map(|v| number(v as f64)).unwrap_or_default(),
                rate: s.response_rate().map(|r| percent(r.round())).unwrap_or_default(),
                thin: thin(s.answers),
                blocks: blocks(&s.summary),
                findings: findings_of(&|f| f.survey_id == Some(s.id)),
                add_finding: format!("/resultat/ny?undersokning={}", s.id),
            })
            .collect(),
        follow_ups: b
            .follow_ups
            .iter()
            .map(|s| SurveyV {
                edit: format!("/systematiska-uppfoljningar/{}/andra", s.id),
                unit: b.unit_name(s.unit_id).to_owned(),
                name: s.instrument.clone(),
                instrument: String::new(),
                sample: String::new(),
                answers: s.measurements.map(|v| number(v as f64)).unwrap_or_default(),
                rate: String::new(),
                thin: thin(s.measurements),
                blocks: blocks(&s.summary),
                findings: findings_of(&|f| f.follow_up_id == Some(s.id)),
                add_finding: format!("/resultat/ny?uppfoljning={}", s.id),
            })
            .collect(),
        deviation_counts: [
            DeviationKind::LexSarah,
            DeviationKind::Internal,
            DeviationKind::Complaint,
            DeviationKind::Hsl,
        ]
        .into_iter()
        .map(|k| {
            let (this_year, last_year) = b.deviation_counts(k);
            CountV { code: k.code(), this_year, last_year }
        })
        .collect(),
        lex_sarah_counts: LexSarahCategory::ALL
            .iter()
            .map(|c| {
                let (this_year, last_year) = b.lex_sarah_counts(*c);
                CountV { code: c.code(), this_year, last_year }
            })
            .collect(),
        deviations: b
            .deviations
            .iter()
            .filter(|d| i64::from(d.reported_on.year()) == year && may_see(d.unit_id))
            .map(|d| TitledV {
                edit: String::new(),
                title: d.title.clone(),
                subtitle: b.unit_name(d.unit_id).to_owned(),
                blocks: blocks(&[d.description.as_str(), &d.investigation, &d.measures_taken].join("\n\n")),
            })
            .collect(),
        reviews: b
            .reviews
            .iter()
            .map(|r| TitledV {
                edit: format!("/granskningar/{}/andra", r.id),
                title: r.title.clone(),
                subtitle: b.unit_name(r.unit_id).to_owned(),
                blocks: blocks(&r.body),
            })
            .collect(),
        assessments: b
            .assessments
            .iter()
            .map(|a| TitledV {
                edit: format!("/bedomningar/{}/andra", a.id),
                title: a.area.clone(),
                subtitle: String::new(),
                blocks: blocks(&a.body),
            })
            .collect(),
        improvement_areas: b
            .improvement_areas
            .iter()
            .map(|i| (i.text.clone(), format!("/forbattringsomraden/{}/andra", i.id)))
            .collect(),
    }
}

pub async fn show(State(state): State<AppState>, user: User, Path(id): Path<String>) -> WebResult<ReportPage> {
    page(&state, &user, super::parse_id(&id)?, FormState::default()).await
}

/// The report's page, with the submission form as sent (`form`).
async fn page(state: &AppState, user: &User, id: ReportId, form: FormState) -> WebResult<ReportPage> {
    let mut conn = state.store.read().await?;
    let bundle = reports::load_report(&mut conn, id).await?;
    drop(conn);
    if bundle.report.tenant_id != user.session.account.tenant_id {
        return Err(WebError::NotFound);
    }
    let permission =
        if bundle.report.state == ReportState::Draft { Permission::ViewDraft } else { Permission::ViewPlan };
    user.require(permission, bundle.report.scope_id)?;
    // Deviations are sensitive: only those the user may see are shown, and each read
    // is logged. The year-against-year counts are aggregates and shown to every reader.
    let may_see = |unit| user.may(Permission::ViewDeviations, unit);
    let shown: Vec<_> = bundle
        .deviations
        .iter()
        .filter(|d| i64::from(d.reported_on.year()) == bundle.report.year && may_see(d.unit_id))
        .collect();
    if !shown.is_empty() {
        let mut tx = state.store.write(&user.actor()).await?;
        let ids: Vec<i64> = shown.iter().map(|d| d.id.get()).collect();
        audit::record_reads(&mut tx, "deviation", &ids).await?;
        tx.commit().await?;
    }
    let mut page = view(&bundle, user.nav(), &may_see);
    page.may_edit = user.may(Permission::EditPlan, bundle.report.scope_id);
    page.form = form;
    Ok(page)
}

/// Records that the report was submitted to the board (the date and the board's
/// reference) and stores its documents as they are at that moment, in one transaction.
pub async fn submit(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    Form(values): Form<HashMap<String, String>>,
) -> WebResult<Response> {
    let report = super::posted_on::<QualityReport>(&state, &user, &id, &values).await?;
    let id = report.id;
    if report.tenant_id != user.session.account.tenant_id {
        return Err(WebError::NotFound);
    }
    user.require(Permission::EditPlan, report.scope_id)?;
    let mut form = FormState::new(values);
    let on = form.date("submitted_on", "datum då berättelsen lämnades till nämnden");
    if on.is_some_and(|d| d > today()) {
        form.push("submitted_on", "Datumet kan inte vara i framtiden.");
    }
    let reference = form.value("board_reference").trim().to_owned();
    if reference.is_empty() {
        form.push("board_reference", "Ange nämndens diarienummer eller paragraf.");
    }
    if report.state == ReportState::Submitted {
        form.push("submitted_on", "Berättelsen är redan överlämnad till nämnden.");
    }
    let version = form.value("version").parse::<i64>().unwrap_or(0);
    if let (Some(on), false) = (on, form.has_errors()) {
        let next = QualityReport {
            state: ReportState::Submitted,
            submitted_on: Some(on),
            board_reference: Some(reference.clone()),
            ..report.item.clone()
        };
        let mut tx = state.store.write(&user.actor()).await?;
        match repo::update(&mut tx, id, version, &next).await {
            Ok(_) => {
                let subject = kvalitet_store::document_versions::Subject::Report(id.get());
                let kind = kvalitet_documents::DocumentKind::Report;
                super::documents::freeze(&mut tx, &user, kind, subject, report.scope_id, report.year, on, &reference)
                    .await?;
                tx.commit().await?;
                return Ok(Redirect::to(&format!("/berattelser/{id}")).into_response());
            }
            Err(StoreError::Conflict { .. }) => form.push(
                "submitted_on",
                "Berättelsen har ändrats av någon annan medan du skrev. Ladda om sidan och försök igen.",
            ),
            Err(e) => return Err(e.into()),
        }
    }
    let page = page(&state, &user, id, form).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}
