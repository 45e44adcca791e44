//! The API's errors as `application/problem+json` (RFC 9457) in Swedish: what went wrong,
//! and for invalid input each field with its problem. Internal error text is logged,
//! never sent.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::{IntoResponses, ToSchema};

use kvalitet_domain::ValidationErrors;
use kvalitet_store::StoreError;

use crate::error::WebError;

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(description = "Ett fälts fel.")]
pub struct FieldProblem {
    /// Fältet, som det heter i innehållet eller frågan ("" för innehållet som helhet).
    pub field: String,
    /// Vad som är fel.
    pub message: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(description = "Ett felsvar (RFC 9457).")]
pub struct Problem {
    /// Vilket slags fel: ett `urn:kvalitet:problem:`-namn.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Vid ogiltiga uppgifter: varje fälts fel.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldProblem>,
    /// Vid 409: postens aktuella version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_version: Option<i64>,
}

/// The refusals of a read of one record, as the OpenAPI description lists them.
#[derive(IntoResponses)]
#[allow(dead_code, reason = "describes the answers `ApiError` gives; never built")]
pub enum ReadRefusals {
    #[response(
        status = 401,
        description = "Ingen giltig nyckel eller inloggning",
        content_type = "application/problem+json"
    )]
    Unauthenticated(Problem),
    #[response(
        status = 404,
        description = "Ingen sådan post som du kan läsa",
        content_type = "application/problem+json"
    )]
    NotFound(Problem),
}

/// The refusals of a list.
#[derive(IntoResponses)]
#[allow(dead_code, reason = "describes the answers `ApiError` gives; never built")]
pub enum ListRefusals {
    #[response(
        status = 401,
        description = "Ingen giltig nyckel eller inloggning",
        content_type = "application/problem+json"
    )]
    Unauthenticated(Problem),
    #[response(
        status = 422,
        description = "Ogiltig parameter, var och en med sitt fel",
        content_type = "application/problem+json"
    )]
    Invalid(Problem),
}

/// The refusals of a write.
#[derive(IntoResponses)]
#[allow(dead_code, reason = "describes the answers `ApiError` gives; never built")]
pub enum WriteRefusals {
    #[response(status = 400, description = "Innehållet är inte JSON", content_type = "application/problem+json")]
    NotJson(Problem),
    #[response(
        status = 401,
        description = "Ingen giltig nyckel eller inloggning",
        content_type = "application/problem+json"
    )]
    Unauthenticated(Problem),
    #[response(status = 403, description = "Rollen får inte göra det här", content_type = "application/problem+json")]
    Forbidden(Problem),
    #[response(
        status = 404,
        description = "Ingen sådan post som du kan läsa",
        content_type = "application/problem+json"
    )]
    NotFound(Problem),
    #[response(
        status = 409,
        description = "Någon annan har ändrat posten; current_version är den aktuella",
        content_type = "application/problem+json"
    )]
    Conflict(Problem),
    #[response(
        status = 422,
        description = "Ogiltiga uppgifter, fält för fält; inget har sparats",
        content_type = "application/problem+json"
    )]
    Invalid(Problem),
}

/// Everything the API answers with other than success.
#[derive(Debug)]
pub enum ApiError {
    /// No token, an unknown, revoked or expired one, or no session.
    Unauthenticated,
    /// Known, but the role does not allow it (or a session's write without its CSRF token).
    Forbidden(&'static str),
    /// No such record, or one outside what the caller may read.
    NotFound,
    /// The version sent is not the current one.
    Conflict {
        current: Option<i64>,
    },
    /// The body or the query is invalid: each field named.
    Invalid(Vec<FieldProblem>),
    /// The body is not JSON (or not JSON at all).
    BadRequest(String),
    Internal(anyhow::Error),
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    /// Ett fälts fel.
    pub fn field(field: &str, message: impl Into<String>) -> ApiError {
        ApiError::Invalid(vec![FieldProblem { field: field.to_owned(), message: message.into() }])
    }
}

impl From<WebError> for ApiError {
    fn from(e: WebError) -> Self {
        match e {
            WebError::NotFound => ApiError::NotFound,
            WebError::Forbidden => ApiError::Forbidden("Din roll ger inte behörighet till det här."),
            WebError::Csrf => {
                ApiError::Forbidden("Skrivningar med inloggningens kaka kräver kontrollkoden i huvudet X-CSRF-Token.")
            }
            WebError::ChangePassword => ApiError::Forbidden("Välj ett eget lösenord innan du använder API:t."),
            WebError::BadForm => ApiError::BadRequest("Begäran är inte i UTF-8.".into()),
            WebError::SignIn { .. } | WebError::Unauthenticated => ApiError::Unauthenticated,
            WebError::Internal(e) => ApiError::Internal(e),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { .. } => ApiError::NotFound,
            StoreError::Conflict { current, .. } => ApiError::Conflict { current: Some(current) },
            StoreError::Invalid(v) => ApiError::from(v),
            other => ApiError::Internal(other.into()),
        }
    }
}

impl From<ValidationErrors> for ApiError {
    fn from(v: ValidationErrors) -> Self {
        ApiError::Invalid(
            v.errors
                .iter()
                .map(|e| FieldProblem { field: e.field.to_owned(), message: e.problem.to_string() })
                .collect(),
        )
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(e: anyhow::Error) -> Self {
        ApiError::Internal(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, kind, title, detail, errors, current_version) = match self {
            ApiError::Unauthenticated => (
                StatusCode::UNAUTHORIZED,
                "urn:kvalitet:problem:unauthenticated",
                "Inte inloggad",
                "Skicka en giltig API-nyckel som Authorization: Bearer NYCKEL, eller logga in.".to_owned(),
                vec![],
                None,
            ),
            ApiError::Forbidden(why) => {
                (StatusCode::FORBIDDEN, "urn:kvalitet:problem:forbidden", "Saknar behörighet", why.to_owned(), vec![], None)
            }
            ApiError::NotFound => (
                StatusCode::NOT_FOUND,
                "urn:kvalitet:problem:not-found",
                "Hittades inte",
                "Det finns ingen sådan post som du kan läsa.".to_owned(),
                vec![],
                None,
            ),
            ApiError::Conflict { current } => (
                StatusCode::CONFLICT,
                "urn:kvalitet:problem:conflict",
                "Posten har ändrats",
                "Någon annan har ändrat posten sedan du läste den. Läs den igen och skicka ändringen med den aktuella versionen."
                    .to_owned(),
                vec![],
                current,
            ),
            ApiError::Invalid(errors) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "urn:kvalitet:problem:invalid",
                "Ogiltiga uppgifter",
                "Rätta uppgifterna i errors och skicka igen. Inget har sparats.".to_owned(),
                errors,
                None,
            ),
            ApiError::BadRequest(detail) => {
                (StatusCode::BAD_REQUEST, "urn:kvalitet:problem:bad-request", "Felaktig begäran", detail, vec![], None)
            }
            ApiError::Internal(e) => {
                tracing::error!(error = %format!("{e:#}"), "API request failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "urn:kvalitet:problem:internal",
                    "Internt fel",
                    "Något gick fel i Kvalitet. Försök igen om en stund.".to_owned(),
                    vec![],
                    None,
                )
            }
        };
        let body = Problem {
            kind: kind.to_owned(),
            title: title.to_owned(),
            status: status.as_u16(),
            detail,
            errors,
            current_version,
        };
        let mut res = (status, Json(body)).into_response();
        res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        if status == StatusCode::UNAUTHORIZED {
            res.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        res
    }
}
