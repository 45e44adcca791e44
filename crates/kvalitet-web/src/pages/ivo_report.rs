//! A lex Sarah case's prefilled report to IVO as a download (DOCX or PDF), for whoever
//! handles the case's deviations: the documents crate's `ivo_report` answers IVO's
//! questions from the case and marks the rest for the manager to fill in. A case of
//! another kind, or a voided one, has no report to IVO: a page says so (409). The read is
//! logged, and the file is never cached.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use kvalitet_documents::Format;
use kvalitet_documents::ivo_report::{IvoReport, load};
use kvalitet_domain::Code;
use kvalitet_domain::access::Permission;
use kvalitet_domain::deviation::{Deviation, DeviationKind};
use kvalitet_store::{audit, repo};

use crate::auth::{Nav, User};
use crate::error::{WebError, WebResult};
use crate::router::AppState;

/// Why a case has no report to IVO.
#[derive(Template, WebTemplate)]
#[template(path = "ivo_report.html")]
pub struct NoReportPage {
    pub nav: Nav,
    pub href: String,
    pub title: String,
    pub kind: &'static str,
    pub voided: bool,
}

/// `GET /avvikelser/{id}/ivo-anmalan.docx`
pub async fn docx(State(state): State<AppState>, user: User, Path(id): Path<String>) -> WebResult<Response> {
    download(&state, &user, &id, Format::Docx).await
}

/// `GET /avvikelser/{id}/ivo-anmalan.pdf`
pub async fn pdf(State(state): State<AppState>, user: User, Path(id): Path<String>) -> WebResult<Response> {
    download(&state, &user, &id, Format::Pdf).await
}

async fn download(state: &AppState, user: &User, segment: &str, format: Format) -> WebResult<Response> {
    let id = crate::pages::parse_id::<Deviation>(segment)?;
    let mut conn = state.store.read().await?;
    let d = repo::get::<Deviation>(&mut conn, id).await?;
    if d.tenant_id != user.session.account.tenant_id {
        return Err(WebError::NotFound);
    }
    user.require(Permission::HandleDeviation, d.unit_id)?;
    if d.kind != DeviationKind::LexSarah || d.is_voided() {
        let page = NoReportPage {
            nav: user.nav(),
            href: format!("/avvikelser/{}", d.id),
            title: d.title.clone(),
            kind: d.kind.code(),
            voided: d.is_voided(),
        };
        return Ok((StatusCode::CONFLICT, page).into_response());
    }
    let facts = load::facts(&mut conn, d).await.map_err(|e| WebError::Internal(e.into()))?;
    drop(conn);
    let report = IvoReport::new(&facts, crate::pages::deviations::today());
    let file = report.file_name(format);
    // Typesetting a PDF takes a CPU for a while: off the runtime.
    let bytes = tokio::task::spawn_blocking(move || report.render(format))
        .await
        .map_err(|e| WebError::Internal(anyhow::anyhow!("rendering panicked: {e}")))?
        .map_err(|e| WebError::Internal(e.into()))?;
    let mut tx = state.store.write(&user.actor()).await?;
    let detail = format!("{{\"document\":\"ivo_report\",\"format\":\"{}\"}}", format.extension());
    audit::record_read_with(&mut tx, "deviation", id.get(), Some(detail)).await?;
    tx.commit().await?;
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
