//! The one web error type, mapped to Swedish error pages in one place. Internal error
//! text is logged, never shown.

use askama::Template;
use askama_web::WebTemplate;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

use kvalitet_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("hittades inte")]
    NotFound,
    /// Signed in, but the role does not allow it.
    #[error("saknar behörighet")]
    Forbidden,
    /// A form without the session's CSRF token.
    #[error("formuläret saknar giltig kontrollkod")]
    Csrf,
    /// A form whose text is not UTF-8 (refused rather than stored with `�` in it).
    #[error("formuläret är inte i UTF-8")]
    BadForm,
    /// Not signed in, on a page a browser should be sent to sign in from.
    #[error("inte inloggad")]
    SignIn { next: String },
    /// Signed in with a one-time password that must be changed first.
    #[error("byt lösenord")]
    ChangePassword,
    /// Not signed in, on a request that cannot be redirected.
    #[error("inte inloggad")]
    Unauthenticated,
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
    kind: &'static str,
    nav: crate::auth::Nav,
}

/// Percent-encodes a path for a query parameter (only what a path can hold).
fn encode(path: &str) -> String {
    path.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let (status, kind) = match &self {
            WebError::SignIn { next } => {
                return Redirect::to(&format!("/logga-in?nasta={}", encode(next))).into_response();
            }
            WebError::ChangePassword => return Redirect::to("/konto/losenord").into_response(),
            WebError::NotFound => (StatusCode::NOT_FOUND, "not_found"),
            WebError::Forbidden => (StatusCode::FORBIDDEN, "forbidden"),
            WebError::Csrf => (StatusCode::FORBIDDEN, "csrf"),
            WebError::BadForm => (StatusCode::BAD_REQUEST, "bad_form"),
            WebError::Unauthenticated => (StatusCode::UNAUTHORIZED, "unauthenticated"),
            WebError::Internal(e) => {
                tracing::error!(error = %format!("{e:#}"), "request failed");
                (StatusCode::INTERNAL_SERVER_ERROR, "internal")
            }
        };
        let page = ErrorPage { status: status.as_u16(), kind, nav: crate::auth::Nav::default() };
        let mut res = (status, page).into_response();
        res.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
        res
    }
}

pub type WebResult<T> = Result<T, WebError>;
