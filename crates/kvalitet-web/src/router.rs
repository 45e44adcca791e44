//! Every route of the application, in one place, and the layers around them.

use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use axum::routing::get;
use tower_http::set_header::SetResponseHeaderLayer;

use kvalitet_store::Store;

use crate::error::WebError;
use crate::pages;

/// What every handler may use. The store is the only state: app instances are
/// stateless, so several can serve one PostgreSQL.
#[derive(Clone, Debug)]
pub struct AppState {
    pub store: Store,
}

/// The application's router.
pub fn router(state: AppState) -> Router {
    let headers = [
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
        ),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (
            HeaderName::from_static("permissions-policy"),
            "camera=(), microphone=(), geolocation=()",
        ),
    ];
    let mut router = Router::new()
        .route("/", get(pages::start::show))
        .route("/planer/{id}", get(pages::plan::show))
        .route("/berattelser/{id}", get(pages::report::show))
        .route("/static/style.css", get(pages::assets::style))
        .route("/static/theme.css", get(pages::assets::theme))
        .route("/healthz", get(pages::assets::health))
        .fallback(|| async { WebError::NotFound })
        .with_state(state);
    for (name, value) in headers {
        router = router.layer(SetResponseHeaderLayer::if_not_present(
            name,
            HeaderValue::from_static(value),
        ));
    }
    router
}
