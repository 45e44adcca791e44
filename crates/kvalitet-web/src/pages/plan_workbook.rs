//! A plan's workbook (see `kvalitet_import::plan_workbook`): `GET /planer/{id}/arbetsbok.xlsx`
//! downloads it for whoever may read the plan; `/planer/{id}/arbetsbok` explains it and,
//! for those who may edit a draft plan, reads a workbook back: the file is checked whole
//! (every problem shown as sheet, row and column), then a preview shows what will be
//! created and changed, and only "Spara ändringarna" stores it, in one transaction. The
//! preview's form carries the file itself, so nothing is kept on the server between the two.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use kvalitet_domain::Versioned;
use kvalitet_domain::access::Permission;
use kvalitet_domain::plan::QualityPlan;
use kvalitet_domain::plan_changes::{Change, ChangeKind, FieldChange, PlanChanges, PlanLink};
use kvalitet_import::plan_workbook::{self, Directory, Person};
use kvalitet_import::{Problem, Problems};
use kvalitet_store::{StoreError, org, plan_import, plans, repo, responsible};
use sqlx::AnyConnection;

use crate::auth::{Nav, User};
use crate::error::{WebError, WebResult};
use crate::router::AppState;
use crate::spreadsheet::{XLSX_MEDIA_TYPE, attachment};

/// The largest workbook read; a plan of a thousand items is far below it.
pub const MAX_WORKBOOK_BYTES: usize = 5 << 20;

/// The problems listed on the page; the rest are counted.
const LISTED: usize = 100;

/// The municipality's org units and people, for the workbook's names.
async fn directory(conn: &mut AnyConnection, tenant: kvalitet_domain::org::TenantId) -> WebResult<Directory> {
    let units = org::units(conn, tenant).await?.into_iter().map(|u| (u.id, u.item.name)).collect();
    let people = responsible::people(conn, tenant)
        .await?
        .into_iter()
        .map(|p| Person { id: p.id, name: p.shown().to_owned(), active: p.active })
        .collect();
    Ok(Directory { units, people })
}

pub async fn download(State(state): State<AppState>, user: User, Path(id): Path<String>) -> WebResult<Response> {
    let mut conn = state.store.read().await?;
    let plan = repo::get::<QualityPlan>(&mut conn, super::parse_id(&id)?).await?;
    user.require_read_plan(&plan)?;
    let bundle = plans::load_bundle(&mut conn, plan.id).await?;
    let directory = directory(&mut conn, plan.tenant_id).await?;
    drop(conn);
    let bytes = plan_workbook::write(&bundle, &directory)
        .map_err(|e| WebError::Internal(anyhow::anyhow!("plan workbook: {e}")))?;
    Ok(attachment(XLSX_MEDIA_TYPE, &format!("kvalitetsplan-{}-{}.xlsx", plan.year, plan.id), bytes))
}

/// One row of the preview.
struct Row {
    label: String,
    title: String,
    new: bool,
    fields: Vec<FieldChange>,
}

/// One sheet's part of the preview.
struct Section {
    heading: &'static str,
    counts: String,
    rows: Vec<Row>,
}

struct Preview {
    sections: Vec<Section>,
    links: Vec<String>,
    untouched: usize,
    empty: bool,
    /// The workbook, for the form that stores it.
    content: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "plan_workbook.html")]
struct Page {
    nav: Nav,
    title: String,
    href: String,
    may_import: bool,
    is_draft: bool,
    file_name: String,
    problems: Vec<String>,
    more_problems: usize,
    preview: Option<Preview>,
}

/// A problem as the page says it: the sheet, the row and the column in words.
fn say(p: &Problem) -> String {
    let sheet = p.file.rsplit_once('[').map(|(_, s)| s.trim_end_matches(']')).unwrap_or("");
    if sheet.is_empty() && p.column.is_empty() {
        // The file as a whole: no row to name.
        return capitalised(&p.message);
    }
    let mut at = Vec::new();
    if !sheet.is_empty() {
        at.push(format!("bladet {sheet}"));
    }
    at.push(format!("rad {}", p.row));
    if !p.column.is_empty() {
        at.push(format!("kolumnen {}", p.column));
    }
    format!("{}: {}", capitalised(&at.join(", ")), p.message)
}

fn capitalised(s: &str) -> String {
    kvalitet_domain::labels::capitalised(s)
}

fn rows<T>(changes: &[Change<T>], title: impl Fn(&T) -> &str) -> Vec<Row> {
    changes
        .iter()
        .filter_map(|ch| match &ch.kind {
            ChangeKind::Create => {
                Some(Row { label: ch.label.clone(), title: title(&ch.item).into(), new: true, fields: vec![] })
            }
            ChangeKind::Update { fields, .. } => {
                Some(Row { label: ch.label.clone(), title: title(&ch.item).into(), new: false, fields: fields.clone() })
            }
            ChangeKind::Unchanged { .. } => None,
        })
        .collect()
}

fn preview(changes: &PlanChanges, content: String) -> Preview {
    let [r, s, a, i] = changes.counts();
    let counts = |c: kvalitet_domain::plan_changes::Counts| {
        format!("{} nya, {} ändras, {} oförändrade", c.created, c.changed, c.unchanged)
    };
    let sections = vec![
        Section { heading: "Risker", counts: counts(r), rows: rows(&changes.risks, |x| &x.title) },
        Section { heading: "Egenkontroller", counts: counts(s), rows: rows(&changes.self_inspections, |x| &x.title) },
        Section { heading: "Åtgärder", counts: counts(a), rows: rows(&changes.actions, |x| &x.title) },
        Section { heading: "Indikatorer", counts: counts(i), rows: rows(&changes.indicators, |x| &x.name) },
    ];
    let links = changes
        .links
        .iter()
        .map(|l| {
            let (from, what) = match l.link {
                PlanLink::SelfInspectionRisk => (&changes.self_inspections[l.from].label, "risker"),
                PlanLink::ActionRisk => (&changes.actions[l.from].label, "risker"),
                PlanLink::ActionSelfInspection => (&changes.actions[l.from].label, "egenkontroller"),
                PlanLink::IndicatorRisk => (&changes.indicators[l.from].label, "risker"),
            };
            let list = |v: &[String]| if v.is_empty() { "inga".to_owned() } else { v.join(", ") };
            format!("{from}: kopplade {what} {} (förut {})", list(&l.after), list(&l.before))
        })
        .collect();
    Preview { sections, links, untouched: changes.untouched, empty: changes.is_empty(), content }
}

async fn plan_of(state: &AppState, user: &User, id: &str) -> WebResult<Versioned<QualityPlan>> {
    let mut conn = state.store.read().await?;
    let plan = repo::get::<QualityPlan>(&mut conn, super::parse_id(id)?).await?;
    user.require_read_plan(&plan)?;
    Ok(plan)
}

fn page(user: &User, plan: &Versioned<QualityPlan>) -> Page {
    Page {
        nav: user.nav(),
        title: plan.title.clone(),
        href: format!("/planer/{}", plan.id),
        may_import: user.may(Permission::EditPlan, plan.scope_id) && !plan.is_adopted(),
        is_draft: !plan.is_adopted(),
        file_name: String::new(),
        problems: Vec::new(),
        more_problems: 0,
        preview: None,
    }
}

pub async fn show(State(state): State<AppState>, user: User, Path(id): Path<String>) -> WebResult<Response> {
    let plan = plan_of(&state, &user, &id).await?;
    Ok(page(&user, &plan).into_response())
}

/// The posted form: the chosen file, or the preview's copy of it and whether to store it.
#[derive(Default)]
struct Posted {
    csrf: String,
    file_name: String,
    file: Option<Vec<u8>>,
    content: String,
    store: bool,
    too_big: bool,
}

async fn read_multipart(mut multipart: Multipart) -> Option<Posted> {
    let mut posted = Posted::default();
    while let Some(mut field) = multipart.next_field().await.ok()? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "fil" {
            posted.file_name = field.file_name().unwrap_or_default().to_owned();
            let mut bytes = Vec::new();
            while let Some(chunk) = field.chunk().await.ok()? {
                if bytes.len() + chunk.len() > MAX_WORKBOOK_BYTES {
                    posted.too_big = true;
                    break;
                }
                bytes.extend_from_slice(&chunk);
            }
            posted.file = (!bytes.is_empty()).then_some(bytes);
        } else {
            let text = String::from_utf8(field.bytes().await.ok()?.to_vec()).ok()?;
            match name.as_str() {
                "csrf" => posted.csrf = text,
                "filnamn" => posted.file_name = text,
                "innehall" => posted.content = text,
                "spara" => posted.store = true,
                _ => {}
            }
        }
    }
    Some(posted)
}

fn with_problems(mut page: Page, problems: Problems) -> Response {
    page.more_problems = problems.0.len().saturating_sub(LISTED);
    page.problems = problems.0.iter().take(LISTED).map(say).collect();
    page.into_response()
}

fn one_problem(page: Page, message: &str) -> Response {
    let file = page.file_name.clone();
    with_problems(page, Problems(vec![Problem { file, row: 1, column: String::new(), message: message.into() }]))
}

pub async fn submit(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> WebResult<Response> {
    let plan = plan_of(&state, &user, &id).await?;
    user.require(Permission::EditPlan, plan.scope_id)?;
    let mut page = page(&user, &plan);
    let posted = match multipart {
        Ok(m) => read_multipart(m).await,
        Err(_) => None,
    };
    let Some(posted) = posted else {
        return Ok(one_problem(page, "Formuläret kunde inte tas emot. Välj filen och försök igen."));
    };
    user.check_csrf(&posted.csrf)?;
    if plan.is_adopted() {
        return Ok(one_problem(page, "Planen är antagen. En arbetsbok kan bara läsas in i ett utkast."));
    }
    page.file_name = if posted.file_name.trim().is_empty() { "arbetsboken".into() } else { posted.file_name.clone() };
    if posted.too_big {
        return Ok(one_problem(page, &format!("filen är större än {} MB", MAX_WORKBOOK_BYTES >> 20)));
    }
    let bytes = match (posted.file, posted.content.is_empty()) {
        (Some(bytes), _) => bytes,
        (None, false) => match STANDARD.decode(posted.content.trim()) {
            Ok(bytes) if bytes.len() <= MAX_WORKBOOK_BYTES => bytes,
            _ => return Ok(one_problem(page, "Formuläret kunde inte tas emot. Välj filen och försök igen.")),
        },
        (None, true) => return Ok(one_problem(page, "Välj arbetsboken att läsa in.")),
    };
    let workbook = match plan_workbook::read(&page.file_name, &bytes) {
        Ok(wb) => wb,
        Err(problems) => return Ok(with_problems(page, problems)),
    };
    let mut conn = state.store.read().await?;
    let bundle = plans::load_bundle(&mut conn, plan.id).await?;
    let directory = directory(&mut conn, plan.tenant_id).await?;
    drop(conn);
    let changes = match plan_workbook::changes(&workbook, &bundle, &directory) {
        Ok(c) => c,
        Err(problems) => return Ok(with_problems(page, problems)),
    };
    if !posted.store {
        page.preview = Some(preview(&changes, STANDARD.encode(&bytes)));
        return Ok(page.into_response());
    }
    let mut tx = state.store.write(&user.actor()).await?;
    match plan_import::apply(&mut tx, &changes, super::deviations::today()).await {
        Ok(_) => {
            tx.commit().await?;
            Ok(Redirect::to(&format!("/planer/{}?sparat=arbetsbok#risker", plan.id)).into_response())
        }
        Err(StoreError::Conflict { .. }) => Ok(one_problem(
            page,
            "Planen ändrades i Kvalitet medan du läste in arbetsboken. Läs in den igen, så visas vad som nu ändras.",
        )),
        Err(StoreError::Invalid(e)) => Ok(one_problem(page, &e.to_string())),
        Err(e) => Err(e.into()),
    }
}
