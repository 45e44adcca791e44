//! Storage errors: the cases callers must tell apart (not found, a lost edit race,
//! invalid data) and everything else.

use kvalitet_domain::ValidationErrors;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("posten finns inte: {table} {id}")]
    NotFound { table: &'static str, id: i64 },
    /// The record was changed by someone else since the version the edit was based on.
    #[error("posten har ändrats av någon annan (din version {expected}, aktuell version {current})")]
    Conflict { table: &'static str, id: i64, expected: i64, current: i64 },
    #[error("ogiltiga uppgifter: {0}")]
    Invalid(#[from] ValidationErrors),
    #[error("{0}")]
    BadUrl(String),
    #[error("felaktigt lagrat värde i {table}.{column}: {detail}")]
    Corrupt { table: &'static str, column: String, detail: String },
    #[error("databasfel: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migreringsfel: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl StoreError {
    /// Whether the database refused a change because other rows still refer to the record
    /// (a foreign key), as when something was added between a check and a removal.
    pub fn is_still_referred_to(&self) -> bool {
        matches!(self, StoreError::Database(e) if e.as_database_error().is_some_and(|d| d.is_foreign_key_violation()))
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
