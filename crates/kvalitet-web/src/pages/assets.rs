//! Static assets: the stylesheet, the tenant's theme (brand colour and risk-zone
//! colours, generated so no inline style is needed), the vendored htmx script, and the
//! liveness and readiness checks.

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;

use kvalitet_domain::org::Tenant;
use kvalitet_domain::risk::RiskMatrix;

use crate::auth::User;
use crate::error::WebResult;
use crate::router::AppState;

pub async fn style() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")],
        include_str!("../../static/style.css"),
    )
}

/// htmx (vendored, version in the file name, licence beside it): the pages work without
/// it; with it, filters apply as they change and edit forms open in place.
pub async fn htmx() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=86400")],
        include_str!("../../static/vendor/htmx-2.0.11.min.js"),
    )
}

/// `#rrggbb`, or the default brand colour if the stored value is anything else.
fn colour(s: &str) -> &str {
    let ok = s.len() == 7 && s.starts_with('#') && s[1..].chars().all(|c| c.is_ascii_hexdigit());
    if ok { s } else { "#005a8c" }
}

/// The signed-in user's municipality's colours (before sign-in, the first
/// municipality's; in an installation without one, the defaults).
pub async fn theme(State(state): State<AppState>, user: Option<User>) -> WebResult<impl IntoResponse> {
    let mut conn = state.store.read().await?;
    let tenant = match user {
        Some(u) => kvalitet_store::repo::find::<Tenant>(&mut conn, u.session.account.tenant_id).await?,
        None => kvalitet_store::org::first_tenant(&mut conn).await?,
    };
    let (brand, matrix) = match tenant {
        Some(t) => (t.item.brand_colour, t.item.risk_matrix),
        None => (String::new(), RiskMatrix::default()),
    };
    let mut css = format!(":root {{ --brand: {}; }}\n", colour(&brand));
    for zone in &matrix.zones {
        let code: String = zone.code.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
        css.push_str(&format!(".zone-{code} {{ --zone: {}; }}\n", colour(&zone.colour)));
    }
    Ok(([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "no-cache")], css))
}

/// Liveness: the process answers and the database can be reached.
pub async fn health(State(state): State<AppState>) -> WebResult<&'static str> {
    let _conn = state.store.read().await?;
    Ok("ok")
}

/// Readiness: a write can commit now (not so on a full disk, say), so a load balancer
/// sends requests elsewhere until it can.
pub async fn ready(State(state): State<AppState>) -> axum::response::Response {
    match state.store.check_write().await {
        Ok(()) => (axum::http::StatusCode::OK, "ok").into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "not ready: a write could not commit");
            (axum::http::StatusCode::SERVICE_UNAVAILABLE, "inte redo: databasen tar inte emot skrivningar")
                .into_response()
        }
    }
}
