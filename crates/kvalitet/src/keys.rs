//! The installation's key files, kept outside the database and readable by the owner
//! only: the pseudonymisation secret and the audit key. Each is created on first use;
//! both must be backed up apart from the database.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, anyhow};

use kvalitet_store::audit::AuditKey;

pub use kvalitet_store::files::{append_private, create_private};

/// The text of key file `path`, or `None` if there is none.
pub fn read(path: &Path) -> anyhow::Result<Option<String>> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("kan inte läsa nyckelfilen {}", path.display())),
    }
}

/// Saves a new key's text in `path` (0600), and says so on standard error.
pub fn save_new(path: &Path, hex: &str, what: &str) -> anyhow::Result<()> {
    create_private(path)
        .and_then(|mut f| f.write_all(hex.as_bytes()))
        .with_context(|| format!("kunde inte spara nyckeln i {}", path.display()))?;
    eprintln!("En ny nyckel {what} är sparad i {}. Säkerhetskopiera den, skild från databasen.", path.display());
    Ok(())
}

/// The audit key in `path`, created there on first use.
pub fn audit_key(path: &Path) -> anyhow::Result<AuditKey> {
    match existing_audit_key(path)? {
        Some(key) => Ok(key),
        None => {
            let key = AuditKey::generate().ok_or_else(|| anyhow!("kunde inte hämta slumptal till en nyckel"))?;
            save_new(path, &key.to_hex(), "för granskningsloggen")?;
            Ok(key)
        }
    }
}

/// The audit key in `path`, if the file exists (never created: a new key could not
/// check entries made with the old one).
pub fn existing_audit_key(path: &Path) -> anyhow::Result<Option<AuditKey>> {
    read(path)?
        .map(|text| {
            AuditKey::from_hex(&text)
                .ok_or_else(|| anyhow!("nyckelfilen {} är ogiltig: den ska ha 64 hexadecimala tecken", path.display()))
        })
        .transpose()
}
