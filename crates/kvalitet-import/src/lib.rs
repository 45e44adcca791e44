//! The files a real installation is set up from, read and validated without a database:
//! the org tree (`kvalitet setup`, `kvalitet tenant add`) and the accounts with their
//! roles (`kvalitet user import`). CSV in UTF-8 or Windows-1252 with `;` or `,` (found as
//! the case-data import finds them), or the first sheet of a workbook; headers in English
//! or Swedish. A file with any problem is refused whole, every problem named as
//! `file:row:column` in Swedish.

pub mod accounts;
pub mod org;
pub mod table;

pub use table::{Problem, Problems};
