//! The board documents: a plan's "Dokument" page with download links (and, for those
//! who edit the plan, each document's diarienummer, meeting date and status:
//! `document_details.rs`), and the API endpoint that serves a document for a scope and
//! year in DOCX, PDF or HTML.
//!
//! What the board decided on stays what it decided on: when a plan is adopted, when its
//! follow-up is recorded and when a report is submitted, [`freeze`] stores that moment's
//! documents in every format (`kvalitet_store::document_versions`), in the decision's
//! transaction. The page and the API serve that stored version by default, byte for byte;
//! today's data is the "current version" (`&version=aktuell`), marked as such in the
//! document itself ("Aktuell version – ändrad efter antagandet").
//!
//! Every reader allowed to read a document gets the same content: the rule on drafts is
//! the documents crate's (the scope's own plan in any state, marked "UTKAST" when a draft;
//! drafts below left out and counted), and a draft of the scope itself is refused to
//! those who may not read drafts rather than silently left out. The one thing that
//! differs by reader is the individual deviations in today's version of a quality
//! report: only those of units the reader may see are described, the others counted in
//! the tables; every deviation described is logged as read. The stored version, which
//! many readers get, describes no deviation individually: all are counted.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use sqlx::AnyConnection;

use kvalitet_documents::{DocumentError, DocumentInput, DocumentKind, Format};
use kvalitet_domain::access::Permission;
use kvalitet_domain::org::{OrgUnitId, TenantId};
use kvalitet_domain::plan::QualityPlan;
use kvalitet_domain::report::ReportState;
use kvalitet_domain::{Date, Id};
use kvalitet_store::document_versions::{self, Decision, NewVersion, Subject, VersionInfo};
use kvalitet_store::{Tx, audit, repo};

use crate::auth::{Nav, User};
use crate::error::{WebError, WebResult};
use crate::forms::FormState;
use crate::router::AppState;

/// One file of a stored version on the page.
pub struct StoredFile {
    pub ext: &'static str,
    pub href: String,
    pub sha256: String,
    pub size: String,
}

/// The stored version of a document: "Antagen version (2024-01-10, av Anna Berg)".
pub struct Stored {
    pub label: String,
    pub reference: String,
    pub files: Vec<StoredFile>,
}

pub struct Download {
    /// The kind's code: `plan`, `follow-up`, `report`.
    pub kind: &'static str,
    pub title: &'static str,
    pub stored: Option<Stored>,
    /// How today's version is labelled: beside a stored version "Aktuell version –
    /// ändrad efter antagandet" (or "oförändrad sedan …"); a draft's "Utkast".
    pub current_label: Option<String>,
    pub links: Vec<(&'static str, String)>,
    /// The document's own diarienummer, meeting date and status (`document_details.rs`).
    pub details: super::document_details::DetailsV,
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
    pub plan_id: i64,
    /// Whether the user may set the documents' details (edit the plan).
    pub may_edit: bool,
    /// The details' forms; field ids carry the document's kind (`reference-plan`).
    pub form: FormState,
    pub conflict: bool,
    /// The kind whose details were just saved.
    pub saved: Option<String>,
}

impl DocumentsPage {
    /// Whether the details of the document of `kind` were just saved.
    pub fn saved_here(&self, kind: &str) -> bool {
        self.saved.as_deref() == Some(kind)
    }
}

pub(crate) fn href(kind: DocumentKind, year: i64, format: Format, scope: i64) -> String {
    format!("/api/v1/dokument?typ={}&ar={year}&format={}&omfattning={scope}", kind.code(), format.extension())
}

/// The decision at which a kind of document is stored.
fn decision_of(kind: DocumentKind) -> Decision {
    match kind {
        DocumentKind::Plan => Decision::Adopted,
        DocumentKind::FollowUp => Decision::FollowedUp,
        DocumentKind::Report => Decision::Submitted,
    }
}

/// The label of today's version beside the stored one.
fn current_label(decision: Decision, changed: bool) -> String {
    let after = match decision {
        Decision::Adopted => "antagandet",
        Decision::FollowedUp => "uppföljningen",
        Decision::Submitted => "överlämnandet",
    };
    if changed {
        format!("Aktuell version – ändrad efter {after}")
    } else {
        format!("Aktuell version – oförändrad sedan {after}")
    }
}

fn size_text(bytes: i64) -> String {
    if bytes < 1024 { format!("{bytes} byte") } else { format!("{} kB", (bytes + 512) / 1024) }
}

/// The document's data as stored at a decision: the same for every reader, so no
/// deviation is described individually (all are counted).
async fn reader_independent(
    conn: &mut AnyConnection,
    tenant: TenantId,
    kind: DocumentKind,
    year: i64,
    scope: OrgUnitId,
) -> Result<DocumentInput, DocumentError> {
    let mut input = kvalitet_documents::load_input_for_tenant(conn, tenant, kind, year, Some(scope)).await?;
    input.withhold_deviations(|_| false);
    Ok(input)
}

/// Whether today's data makes a different document than the stored HTML (compared
/// without the current version's marking, as the stored one was made).
fn differs(kind: DocumentKind, input: &DocumentInput, stored_html: &[u8]) -> Result<bool, DocumentError> {
    Ok(kvalitet_documents::render(kind, Format::Html, input)? != stored_html)
}

/// Stores the documents of a decision in every format, in the decision's transaction
/// (called after the plan or report has taken its new state in `tx`). The documents are
/// made as every reader would get them (see the module's comment).
#[allow(clippy::too_many_arguments)]
pub async fn freeze(
    tx: &mut Tx,
    user: &User,
    kind: DocumentKind,
    subject: Subject,
    scope: OrgUnitId,
    year: i64,
    decided_on: Date,
    reference: &str,
) -> WebResult<()> {
    let tenant = user.session.account.tenant_id;
    let input = reader_independent(tx, tenant, kind, year, scope).await.map_err(|e| WebError::Internal(e.into()))?;
    // Typesetting the PDF takes a CPU for a while: off the runtime.
    let files = tokio::task::spawn_blocking(move || kvalitet_documents::render_all(kind, &input))
        .await
        .map_err(|e| WebError::Internal(anyhow::anyhow!("rendering panicked: {e}")))?
        .map_err(|e| WebError::Internal(e.into()))?;
    for (format, content) in files {
        let version = NewVersion {
            tenant_id: tenant,
            scope_id: scope,
            year,
            subject,
            kind: kind.code(),
            format: format.extension(),
            decision: decision_of(kind),
            decided_on,
            board_reference: reference.to_owned(),
            stored_by_name: user.session.account.display_name.clone(),
            content,
        };
        document_versions::store(tx, &version).await?;
    }
    Ok(())
}

/// The newest decision's version in each format, newest first as `list` gives them.
fn newest_decision(versions: &[VersionInfo]) -> Vec<&VersionInfo> {
    let Some(first) = versions.first() else { return Vec::new() };
    let mut out: Vec<&VersionInfo> = Vec::new();
    for v in versions
        .iter()
        .filter(|v| v.subject == first.subject && v.decision == first.decision && v.decided_on == first.decided_on)
    {
        if !out.iter().any(|o| o.format == v.format) {
            out.push(v);
        }
    }
    out.sort_by_key(|v| Format::from_extension(&v.format).and_then(|f| Format::ALL.iter().position(|a| *a == f)));
    out
}

pub async fn page(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> WebResult<DocumentsPage> {
    let saved = q.get("sparat").filter(|k| DocumentKind::from_code(k).is_some()).cloned();
    render(&state, &user, &id, None, false, saved).await
}

/// The page, with a details form as posted (its values and errors) if one came back.
pub async fn render(
    state: &AppState,
    user: &User,
    id: &str,
    posted: Option<FormState>,
    conflict: bool,
    saved: Option<String>,
) -> WebResult<DocumentsPage> {
    let mut conn = state.store.read().await?;
    let plan = repo::get::<QualityPlan>(&mut conn, super::parse_id(id)?).await?;
    user.require_read_plan(&plan)?;
    let scope = repo::get::<kvalitet_domain::org::OrgUnit>(&mut conn, plan.scope_id).await?;
    let reports = kvalitet_store::reports::list_reports(&mut conn, plan.tenant_id).await?;
    let s = plan.scope_id.get();
    let links = |kind, version: &str| -> Vec<(&'static str, String)> {
        Format::ALL.iter().map(|f| (f.extension(), format!("{}{version}", href(kind, plan.year, *f, s)))).collect()
    };
    let mut kinds =
        vec![(DocumentKind::Plan, "Kvalitetsplan"), (DocumentKind::FollowUp, "Uppföljning av kvalitetsplan")];
    if reports.iter().any(|r| r.year == plan.year && r.scope_id == plan.scope_id) {
        kinds.push((DocumentKind::Report, "Kvalitetsberättelse"));
    }
    let mut downloads = Vec::new();
    let mut values = HashMap::new();
    for (kind, title) in kinds {
        let details = super::document_details::details_of(&mut conn, &plan, kind, &mut values).await?;
        let versions =
            document_versions::list(&mut conn, plan.tenant_id, plan.scope_id, plan.year, kind.code()).await?;
        let newest = newest_decision(&versions);
        let Some(first) = newest.first() else {
            let current_label = (kind == DocumentKind::Plan && !plan.is_adopted())
                .then(|| "Utkast – planen är inte antagen, dokumenten är märkta UTKAST".to_owned());
            downloads.push(Download {
                kind: kind.code(),
                title,
                stored: None,
                current_label,
                links: links(kind, ""),
                details,
            });
            continue;
        };
        let stored_html =
            document_versions::latest(&mut conn, plan.tenant_id, plan.scope_id, plan.year, kind.code(), "html").await?;
        let changed =
            match (stored_html, reader_independent(&mut conn, plan.tenant_id, kind, plan.year, plan.scope_id).await) {
                (Some((_, html)), Ok(input)) => {
                    differs(kind, &input, &html).map_err(|e| WebError::Internal(e.into()))?
                }
                // Nothing of the kind any longer, or no stored HTML: not the same.
                _ => true,
            };
        let stored = Stored {
            label: format!("{} ({}, av {})", first.decision.label(), first.decided_on, first.stored_by_name),
            reference: first.board_reference.clone(),
            files: newest
                .iter()
                .filter_map(|v| {
                    let format = Format::from_extension(&v.format)?;
                    Some(StoredFile {
                        ext: format.extension(),
                        href: href(kind, plan.year, format, s),
                        sha256: v.sha256.clone(),
                        size: size_text(v.size),
                    })
                })
                .collect(),
        };
        downloads.push(Download {
            kind: kind.code(),
            title,
            stored: Some(stored),
            current_label: Some(current_label(first.decision, changed)),
            links: links(kind, "&version=aktuell"),
            details,
        });
    }
    drop(conn);
    // The form as posted, over what is stored.
    let form = match posted {
        Some(mut p) => {
            for (k, v) in values {
                p.values.entry(k).or_insert(v);
            }
            p
        }
        None => FormState::new(values),
    };
    Ok(DocumentsPage {
        nav: user.nav(),
        plan_href: format!("/planer/{}", plan.id),
        plan_title: plan.title.clone(),
        scope: scope.name.clone(),
        year: plan.year,
        downloads,
        plan_id: plan.id.get(),
        may_edit: user.may(Permission::EditPlan, plan.scope_id),
        form,
        conflict,
        saved,
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

/// `GET /api/v1/dokument?typ=plan|follow-up|report&ar=ÅÅÅÅ&format=docx|pdf|html&omfattning=ENHET[&version=antagen|aktuell]`
///
/// Without `version` (or with `antagen`), the version stored at the board's decision if
/// there is one, byte for byte (its SHA-256 in the `ETag`); otherwise, or with
/// `aktuell`, the document made from today's data.
///
/// Taken with the session or with an API token, as the JSON API is.
pub async fn download(
    State(state): State<AppState>,
    caller: crate::api::principal::Caller,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    match make(&state, &caller.user, &caller.actor, &q).await {
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

/// Why `user` may not have the document of `kind` for `scope` and `year`, if they may
/// not. A document is the same for every reader, so whoever gets it must be allowed to
/// read every plan (or report) it may hold: those of the scope and of the units below
/// that are not drafts (the scope's own in its state: a draft needs the right to read
/// drafts). Checked against today's plans, for the stored version too: a plan adopted
/// since can only make the check stricter.
async fn refusal(
    conn: &mut AnyConnection,
    user: &User,
    tenant: TenantId,
    kind: DocumentKind,
    year: i64,
    scope: OrgUnitId,
) -> Result<Option<&'static str>, Made> {
    let units = kvalitet_store::org::units(conn, tenant).await?;
    let tree = kvalitet_store::org::subtree(&units, scope);
    // (scope, is a draft) of each plan or report of the year in the subtree.
    let held: Vec<(OrgUnitId, bool)> = match kind {
        DocumentKind::Plan | DocumentKind::FollowUp => kvalitet_store::plans::list_plans(conn, tenant)
            .await?
            .into_iter()
            .filter(|p| p.year == year && tree.contains(&p.scope_id))
            .map(|p| (p.scope_id, !p.is_adopted()))
            .collect(),
        DocumentKind::Report => kvalitet_store::reports::list_reports(conn, tenant)
            .await?
            .into_iter()
            .filter(|r| r.year == year && tree.contains(&r.scope_id))
            .map(|r| (r.scope_id, r.state == ReportState::Draft))
            .collect(),
    };
    for (unit, draft) in held {
        if unit == scope && draft && !user.may(Permission::ViewDraft, unit) {
            return Ok(Some("Dokumentet är ett utkast, och din roll ger inte tillgång till utkast."));
        }
        if !draft && !user.may(Permission::ViewPlan, unit) {
            return Ok(Some(
                "Dokumentet omfattar delar av organisationen som din roll inte ger tillgång till. \
                 Hämta dokumentet för din egen del av organisationen.",
            ));
        }
    }
    Ok(None)
}

fn file_response(format: Format, file: &str, etag: Option<String>, bytes: Vec<u8>) -> Response {
    let mut response = (
        [
            (header::CONTENT_TYPE, format.media_type().to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{file}\"")),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        bytes,
    )
        .into_response();
    if let Some(tag) = etag.and_then(|t| header::HeaderValue::from_str(&format!("\"sha256-{t}\"")).ok()) {
        response.headers_mut().insert(header::ETAG, tag);
    }
    response
}

async fn make(
    state: &AppState,
    user: &User,
    actor: &kvalitet_store::Actor,
    q: &HashMap<String, String>,
) -> Result<Response, Made> {
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
    let current = match q.get("version").map(String::as_str) {
        None | Some("antagen") => false,
        Some("aktuell") => true,
        Some(_) => return Err(bad("version ska vara antagen eller aktuell")),
    };
    user.require(Permission::ViewPlan, scope)?;
    let tenant = user.session.account.tenant_id;
    let mut conn = state.store.read().await?;
    if let Some(refusal) = refusal(&mut conn, user, tenant, kind, year, scope).await? {
        return Err(Made::Problem(StatusCode::FORBIDDEN, refusal.to_owned()));
    }
    let stored = document_versions::latest(&mut conn, tenant, scope, year, kind.code(), format.extension()).await?;
    if let (false, Some((info, bytes))) = (current, stored) {
        let file = format!("{}.{}", kind.file_stem(year), format.extension());
        return Ok(file_response(format, &file, Some(info.sha256), bytes));
    }
    let not_found = |e: DocumentError| match e {
        DocumentError::NothingFound { .. } | DocumentError::NoSuchScope => {
            Made::Problem(StatusCode::NOT_FOUND, e.to_string())
        }
        other => Made::Web(WebError::Internal(other.into())),
    };
    let mut input = kvalitet_documents::load_input_for_tenant(&mut conn, tenant, kind, year, Some(scope))
        .await
        .map_err(not_found)?;
    // Beside a stored version, today's is labelled as such.
    let stored_html = document_versions::latest(&mut conn, tenant, scope, year, kind.code(), "html").await?;
    let label = match stored_html {
        Some((info, html)) => {
            let mut same_for_all = input.clone();
            same_for_all.withhold_deviations(|_| false);
            let changed = differs(kind, &same_for_all, &html).map_err(|e| Made::Web(WebError::Internal(e.into())))?;
            Some(current_label(info.decision, changed))
        }
        None => None,
    };
    drop(conn);
    let described = input.withhold_deviations(|unit| user.may(Permission::ViewDeviations, unit));
    if !described.is_empty() {
        let mut tx = state.store.write(actor).await?;
        audit::record_reads(&mut tx, "deviation", &described).await?;
        tx.commit().await?;
    }
    let labelled = label.is_some();
    // Typesetting a PDF takes tens to hundreds of milliseconds of CPU: off the runtime.
    let bytes = tokio::task::spawn_blocking(move || {
        let mut doc = kvalitet_documents::document(kind, &input)?;
        if label.is_some() {
            doc.marking = label;
        }
        kvalitet_documents::render_model(&doc, format)
    })
    .await
    .map_err(|e| Made::Web(WebError::Internal(anyhow::anyhow!("rendering panicked: {e}"))))?
    .map_err(|e| Made::Web(WebError::Internal(e.into())))?;
    let stem = kind.file_stem(year);
    let file = if labelled {
        format!("{stem}-aktuell.{}", format.extension())
    } else {
        format!("{stem}.{}", format.extension())
    };
    Ok(file_response(format, &file, None, bytes))
}
