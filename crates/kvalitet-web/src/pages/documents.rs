//! The board documents: a plan's "Dokument" page with download links, and the API
//! endpoint that makes a document for a scope and year in DOCX, PDF or HTML. A document
//! holds only what the user may read: draft plans only for those who may see drafts, and
//! in the quality report the individual deviations only of units the user may see (the
//! others count in the tables but are not described); every deviation described is
//! logged as read.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use kvalitet_documents::{Content, DocumentKind, Format};
use kvalitet_domain::access::Permission;
use kvalitet_domain::deviation::DeviationTally;
use kvalitet_domain::plan::QualityPlan;
use kvalitet_domain::report::ReportState;
use kvalitet_domain::{Id, Versioned};
use kvalitet_store::{audit, repo};

use crate::auth::{Nav, User};
use crate::error::{WebError, WebResult};
use crate::router::AppState;

pub struct Download {
    pub title: &'static str,
    pub links: Vec<(&'static str, String)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "documents.html")]
pub struct DocumentsPage {
    pub nav: Nav,
    pub plan_href: String,
    pub plan_title: String,
    pub scope: String,
    pub year: i64,
    pub downloads: Vec<Download>,
}

fn href(kind: DocumentKind, year: i64, format: Format, scope: i64) -> String {
    format!("/api/v1/dokument?typ={}&ar={year}&format={}&omfattning={scope}", kind.code(), format.extension())
}

pub async fn page(State(state): State<AppState>, user: User, Path(id): Path<String>) -> WebResult<DocumentsPage> {
    let mut conn = state.store.read().await?;
    let plan = repo::get::<QualityPlan>(&mut conn, super::parse_id(&id)?).await?;
    user.require_read_plan(&plan)?;
    let scope = repo::get::<kvalitet_domain::org::OrgUnit>(&mut conn, plan.scope_id).await?;
    let reports = kvalitet_store::reports::list_reports(&mut conn, plan.tenant_id).await?;
    drop(conn);
    let s = plan.scope_id.get();
    let links = |kind| Format::ALL.iter().map(|f| (f.extension(), href(kind, plan.year, *f, s))).collect();
    let mut downloads = vec![
        Download { title: "Kvalitetsplan", links: links(DocumentKind::Plan) },
        Download { title: "Uppföljning av kvalitetsplan", links: links(DocumentKind::FollowUp) },
    ];
    if reports.iter().any(|r| r.year == plan.year && r.scope_id == plan.scope_id) {
        downloads.push(Download { title: "Kvalitetsberättelse", links: links(DocumentKind::Report) });
    }
    Ok(DocumentsPage {
        nav: user.nav(),
        plan_href: format!("/planer/{}", plan.id),
        plan_title: plan.title.clone(),
        scope: scope.name.clone(),
        year: plan.year,
        downloads,
    })
}

/// A JSON problem response (RFC 9457 shape) in Swedish.
fn problem(status: StatusCode, detail: &str) -> Response {
    let body = format!(
        "{{\"status\":{},\"title\":\"{}\",\"detail\":\"{}\"}}",
        status.as_u16(),
        status.canonical_reason().unwrap_or(""),
        detail.replace('\\', "\\\\").replace('"', "\\\"")
    );
    (status, [(header::CONTENT_TYPE, "application/problem+json")], body).into_response()
}

/// `GET /api/v1/dokument?typ=plan|follow-up|report&ar=ÅÅÅÅ&format=docx|pdf|html&omfattning=ENHET`
pub async fn download(State(state): State<AppState>, user: User, Query(q): Query<HashMap<String, String>>) -> Response {
    match make(&state, &user, &q).await {
        Ok(r) => r,
        Err(Made::Problem(status, detail)) => problem(status, &detail),
        Err(Made::Web(e)) => match e {
            WebError::Forbidden => {
                problem(StatusCode::FORBIDDEN, "Din roll ger inte tillgång till den delen av organisationen.")
            }
            WebError::NotFound => problem(StatusCode::NOT_FOUND, "Det finns inget sådant dokument."),
            other => other.into_response(),
        },
    }
}

enum Made {
    Problem(StatusCode, String),
    Web(WebError),
}

impl From<WebError> for Made {
    fn from(e: WebError) -> Made {
        Made::Web(e)
    }
}

impl From<kvalitet_store::StoreError> for Made {
    fn from(e: kvalitet_store::StoreError) -> Made {
        Made::Web(e.into())
    }
}

async fn make(state: &AppState, user: &User, q: &HashMap<String, String>) -> Result<Response, Made> {
    let bad = |m: &str| Made::Problem(StatusCode::BAD_REQUEST, m.to_owned());
    let kind = q
        .get("typ")
        .and_then(|t| DocumentKind::from_code(t))
        .ok_or_else(|| bad("typ ska vara plan, follow-up eller report"))?;
    let format = q
        .get("format")
        .and_then(|f| Format::from_extension(f))
        .ok_or_else(|| bad("format ska vara docx, pdf eller html"))?;
    let year = q
        .get("ar")
        .and_then(|y| y.parse::<i64>().ok())
        .filter(|y| (2000..=2100).contains(y))
        .ok_or_else(|| bad("ar ska vara ett år, till exempel 2024"))?;
    let scope = q
        .get("omfattning")
        .and_then(|s| s.parse::<i64>().ok())
        .map(Id::new)
        .ok_or_else(|| bad("omfattning ska vara en enhets nummer"))?;
    user.require(Permission::ViewPlan, scope)?;
    let mut conn = state.store.read().await?;
    let mut input =
        kvalitet_documents::load_input_for_tenant(&mut conn, user.session.account.tenant_id, kind, year, Some(scope))
            .await
            .map_err(|e| match e {
                kvalitet_documents::DocumentError::NothingFound { .. }
                | kvalitet_documents::DocumentError::NoSuchScope => Made::Problem(StatusCode::NOT_FOUND, e.to_string()),
                other => Made::Web(WebError::Internal(other.into())),
            })?;
    drop(conn);
    // Only what the user may read.
    let mut described = Vec::new();
    match &mut input.content {
        Content::Plans(bundles) => {
            bundles.retain(|b| user.may(b.plan.read_permission(), b.plan.scope_id));
            if bundles.is_empty() {
                return Err(Made::Problem(
                    StatusCode::NOT_FOUND,
                    "Det finns ingen plan som du får läsa för det året.".into(),
                ));
            }
        }
        Content::Reports(bundles) => {
            bundles.retain(|b| {
                user.may(
                    if b.report.state == ReportState::Draft { Permission::ViewDraft } else { Permission::ViewPlan },
                    b.report.scope_id,
                )
            });
            for b in bundles.iter_mut() {
                let (visible, hidden): (Vec<_>, Vec<_>) =
                    b.deviations.drain(..).partition(|d| user.may(Permission::ViewDeviations, d.unit_id));
                for d in hidden {
                    // Counted in the tables, not described.
                    b.tallies.push(Versioned {
                        id: Id::new(0),
                        version: 0,
                        item: DeviationTally {
                            tenant_id: d.tenant_id,
                            unit_id: d.unit_id,
                            year: i64::from(d.reported_on.year()),
                            kind: d.kind,
                            lex_sarah_category: d.lex_sarah_category,
                            count: 1,
                            note: String::new(),
                        },
                    });
                }
                described.extend(
                    visible.iter().filter(|d| i64::from(d.reported_on.year()) == b.report.year).map(|d| d.id.get()),
                );
                b.deviations = visible;
            }
            if bundles.is_empty() {
                return Err(Made::Problem(
                    StatusCode::NOT_FOUND,
                    "Det finns ingen kvalitetsberättelse som du får läsa för det året.".into(),
                ));
            }
        }
    }
    if !described.is_empty() {
        let mut tx = state.store.write(&user.actor()).await?;
        for d in &described {
            audit::record_read(&mut tx, "deviation", *d).await?;
        }
        tx.commit().await?;
    }
    // Typesetting a PDF takes tens to hundreds of milliseconds of CPU: off the runtime.
    let bytes = tokio::task::spawn_blocking(move || kvalitet_documents::render(kind, format, &input))
        .await
        .map_err(|e| Made::Web(WebError::Internal(anyhow::anyhow!("rendering panicked: {e}"))))?
        .map_err(|e| Made::Web(WebError::Internal(e.into())))?;
    let file = format!("{}.{}", kind.file_stem(year), format.extension());
    Ok((
        [
            (header::CONTENT_TYPE, format.media_type().to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{file}\"")),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        bytes,
    )
        .into_response())
}
