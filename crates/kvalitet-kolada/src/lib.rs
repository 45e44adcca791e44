//! Kolada's open API (F13), as documented in the public repository Hypergene/kolada:
//! `parse` reads one answer (`{"values": [...], "count": N, "next_page": URL}`) into
//! checked observations without any network, and `fetch` asks
//! `/v2/data/kpi/{kpis}/municipality/{areas}/year/{years}` and follows `next_page`;
//! `groups` looks up the municipality groups (a comparison group's name).
//! It knows no database; the caller stores what it returns.

mod client;
mod groups;
mod parse;

pub use client::{DEFAULT_BASE_URL, Fetched, data_url, fetch};
pub use groups::{Group, groups, groups_url, parse_groups};
pub use parse::{Observation, Page, parse, to_values};

/// Why Kolada's data could not be read. Messages are Swedish; nothing is stored.
#[derive(Debug, thiserror::Error)]
pub enum KoladaError {
    /// Not the documented JSON format.
    #[error("svaret följer inte Koladas format: {0}")]
    Format(String),
    /// A value in the answer that Kvalitet cannot use.
    #[error("svaret följer inte Koladas format: värde {index} ({what}): {why}")]
    Value { index: usize, what: String, why: String },
    /// Kolada answered with an error.
    #[error("Kolada svarade {status} på {url}")]
    Status { status: u16, url: String },
    /// Kolada could not be reached.
    #[error("kunde inte nå Kolada på {url}: {why}")]
    Network { url: String, why: String },
    /// A `next_page` that leaves the server asked, or too many pages.
    #[error("{0}")]
    Paging(String),
}
