//! Form bodies must be UTF-8: axum's `Form` decodes percent-escapes lossily, so `%FF`
//! would be stored as `�`. This middleware refuses such a body before any handler sees
//! it, with the Swedish error page.

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::WebError;

/// The largest form body read here (larger ones are refused by the body limit anyway).
const MAX_FORM_BYTES: usize = 2 << 20;

/// Whether every name and value of an `application/x-www-form-urlencoded` body is UTF-8
/// once its percent-escapes are decoded.
pub fn is_utf8_form(body: &[u8]) -> bool {
    body.split(|b| matches!(b, b'&' | b'=')).all(|part| percent_encoding::percent_decode(part).decode_utf8().is_ok())
}

pub async fn middleware(req: Request, next: Next) -> Response {
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_FORM_BYTES).await else {
        return axum::http::StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    if !is_utf8_form(&bytes) {
        return WebError::BadForm.into_response();
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

#[cfg(test)]
mod tests {
    use super::is_utf8_form;

    #[test]
    fn percent_escapes_must_decode_to_utf8() {
        assert!(is_utf8_form(b"title=%C3%85tg%C3%A4rd&csrf=abc"));
        assert!(is_utf8_form("title=Åtgärd+ny".as_bytes()));
        assert!(!is_utf8_form(b"title=%FF%FE"));
        assert!(!is_utf8_form(b"title=%C3"), "a cut-off sequence");
        assert!(!is_utf8_form(b"ok=1&t%E5=x"), "in a name too");
    }
}
