//! The files a real installation is set up from, read and validated without a database:
//! the org tree (`kvalitet setup`, `kvalitet tenant add`) and the accounts with their
//! roles (`kvalitet user import`). CSV in UTF-8 or Windows-1252 with `;` or `,` (found as
//! the case-data import finds them), or the first sheet of a workbook; headers in English
//! or Swedish. A file with any problem is refused whole, every problem named as
//! `file:row:column` in Swedish.

pub mod accounts;
pub mod org;
pub mod plan_workbook;
pub mod table;

pub use table::{Problem, Problems};

/// A text cell as a spreadsheet will not run it (OWASP's advice against formula
/// injection): text that starts like a formula gets a leading `'`.
pub fn neutralise(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{text}") } else { text.to_owned() }
}

/// A text cell as it was before `neutralise`: the leading `'` taken off text that starts
/// like a formula.
pub fn restore(text: &str) -> &str {
    match text.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => text,
    }
}
