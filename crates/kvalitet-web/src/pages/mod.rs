//! The pages, one module per resource; each holds its handler and its template struct.

pub mod accounts;
pub mod assets;
pub mod audit;
pub mod case_import;
pub mod corrections;
pub mod cycle;
pub mod deviation_settings;
pub mod deviations;
pub mod document_details;
pub mod document_settings;
pub mod documents;
pub mod edit;
pub mod edit_org;
pub mod edit_report;
pub mod event_analysis;
pub mod follow_up;
pub mod ivo_report;
pub mod kolada;
pub mod kolada_settings;
pub mod lists;
pub mod log_review;
pub mod measure_links;
pub mod measure_text;
pub mod measures;
pub mod my_reports;
pub mod my_tasks;
pub mod new_plan;
pub mod new_report;
pub mod notifications;
pub mod oidc;
pub mod organisation;
pub mod plan;
pub mod plan_workbook;
pub mod report;
pub mod risk_links;
pub mod risks;
pub mod search;
pub mod session;
pub mod start;
pub mod void;

use crate::error::{WebError, WebResult};

/// A form posted on the record a path segment names: the CSRF token checked, then the
/// record read (a segment that is not an id, or no such record, is not found). Whether
/// the user may act on it is the handler's question.
pub async fn posted_on<T: kvalitet_store::Record>(
    state: &crate::router::AppState,
    user: &crate::auth::User,
    segment: &str,
    values: &std::collections::HashMap<String, String>,
) -> WebResult<kvalitet_domain::Versioned<T>> {
    user.check_csrf(values.get("csrf").map_or("", String::as_str))?;
    let id = parse_id::<T>(segment)?;
    let mut conn = state.store.read().await?;
    Ok(kvalitet_store::repo::get::<T>(&mut conn, id).await?)
}

/// A record id from a path segment; anything that is not an id is a page that does not
/// exist (never axum's English rejection text).
pub fn parse_id<T>(segment: &str) -> WebResult<kvalitet_domain::Id<T>> {
    segment.parse::<i64>().map(kvalitet_domain::Id::new).map_err(|_| WebError::NotFound)
}

/// Where a page of a paged list is: which of its rows it shows ("Visar 21–40 av 88 …"),
/// "Sida 2 av 5", and the addresses of the pages before and after (empty at the ends).
pub struct PageNav {
    pub shown: String,
    pub page_of: String,
    pub previous: String,
    pub next: String,
}
