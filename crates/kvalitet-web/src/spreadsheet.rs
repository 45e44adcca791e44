//! What every spreadsheet download shares: the XLSX media type, the neutralising of text
//! a spreadsheet could run as a formula, and the download's headers.

use axum::http::header;
use axum::response::{IntoResponse, Response};

pub const XLSX_MEDIA_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
pub const CSV_MEDIA_TYPE: &str = "text/csv; charset=utf-8";

pub use kvalitet_import::neutralise;

/// A file download that no cache keeps.
pub fn attachment(media_type: &str, filename: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, media_type.to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{filename}\"")),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        bytes,
    )
        .into_response()
}
