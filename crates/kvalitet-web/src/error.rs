//! The one web error type, mapped to Swedish error pages in one place. Internal error
//! text is logged, never shown.

use askama::Template;
use askama_web::WebTemplate;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use kvalitet_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("hittades inte")]
    NotFound,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<StoreError> for WebError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { .. } => WebError::NotFound,
            other => WebError::Internal(other.into()),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
struct ErrorPage {
    status: u16,
    not_found: bool,
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let status = match &self {
            WebError::NotFound => StatusCode::NOT_FOUND,
            WebError::Internal(e) => {
                tracing::error!(error = %e, "request failed");
                StatusCode::INTERNAL_SERVER_ERROR
            }
        };
        let page = ErrorPage {
            status: status.as_u16(),
            not_found: status == StatusCode::NOT_FOUND,
        };
        (status, page).into_response()
    }
}

pub type WebResult<T> = Result<T, WebError>;
