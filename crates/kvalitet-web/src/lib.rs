//! The web interface: server-rendered Swedish HTML over axum. It reads and writes only
//! through the store; handlers are thin (extract, call the store, render a template).

pub mod access_log;
mod api;
mod auth;
mod chart;
mod client;
pub mod clock;
mod error;
mod format;
mod forms;
mod logo;
mod pages;
mod router;
mod saved;
mod spreadsheet;
mod sso;
mod text;
mod utf8_forms;

pub use client::{Client, Network};
pub use pages::case_import::{CaseDataConfig, DEFAULT_MAX_UPLOAD_BYTES, LONG_UPLOADS};
pub use router::{AppState, route_table, router};
pub use sso::{Sso, SsoProvider};
