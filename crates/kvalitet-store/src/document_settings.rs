//! The board documents' page furniture as the settings hold it: per org unit the board's
//! name and the logo (the top unit's are the municipality's; a unit below overrides them
//! for the documents of its part of the tree), and per document (kind, year, scope) the
//! diarienummer, the meeting date and the status. Writes are versioned and audited; the
//! audit log gets a logo's format, size and SHA-256, not its bytes.

use sqlx::{AnyConnection, Row};

use kvalitet_domain::org::{OrgUnit, OrgUnitId, TenantId};
use kvalitet_domain::validate::limits;
use kvalitet_domain::{Date, Id, Problem, ValidationErrors, Versioned};

use crate::document_versions::sha256_hex;
use crate::error::{Result, StoreError};
use crate::{Tx, audit, org, repo};

/// The largest logo stored: 1 MB.
pub const MAX_LOGO_BYTES: usize = 1 << 20;

/// The document kinds details are kept for, by their codes (as in `document_version`).
pub const KINDS: [&str; 3] = ["plan", "follow-up", "report"];

/// A logo's file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogoFormat {
    Svg,
    Png,
}

impl LogoFormat {
    pub fn code(self) -> &'static str {
        match self {
            LogoFormat::Svg => "svg",
            LogoFormat::Png => "png",
        }
    }

    pub fn from_code(code: &str) -> Option<LogoFormat> {
        [LogoFormat::Svg, LogoFormat::Png].into_iter().find(|f| f.code() == code)
    }

    pub fn media_type(self) -> &'static str {
        match self {
            LogoFormat::Svg => "image/svg+xml",
            LogoFormat::Png => "image/png",
        }
    }
}

/// A logo as uploaded (already checked by whoever took it in), with its text alternative.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logo {
    pub format: LogoFormat,
    pub bytes: Vec<u8>,
    /// "Älvby kommuns logotyp".
    pub alt: String,
}

/// What one unit sets: the board's name (empty: not set here) and the logo (none: not
/// set here).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitSettings {
    pub tenant_id: TenantId,
    pub unit_id: OrgUnitId,
    pub board: String,
    pub logo: Option<Logo>,
}

/// What one document sets: its kind's code (`plan`, `follow-up`, `report`), year and
/// scope, and the board's reference, the meeting date and the status (empty texts: not
/// set).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentDetails {
    pub tenant_id: TenantId,
    pub kind: String,
    pub year: i64,
    pub scope_id: OrgUnitId,
    pub reference: String,
    pub meeting_on: Option<Date>,
    pub status: String,
}

/// The furniture that applies to a document: the nearest unit's board name and logo at
/// or above its scope (with the unit that set each), and the document's own details.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Effective {
    pub board: Option<(String, OrgUnitId)>,
    pub logo: Option<(Logo, OrgUnitId)>,
    pub details: Option<DocumentDetails>,
}

impl UnitSettings {
    /// Nothing set: what a unit without a row has.
    pub fn empty(tenant_id: TenantId, unit_id: OrgUnitId) -> UnitSettings {
        UnitSettings { tenant_id, unit_id, board: String::new(), logo: None }
    }

    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        e.optional_text("board", &self.board, limits::SHORT);
        if let Some(logo) = &self.logo {
            if logo.bytes.is_empty() {
                e.push("logo", Problem::Invalid("filen är tom".into()));
            } else if logo.bytes.len() > MAX_LOGO_BYTES {
                e.push("logo", Problem::Invalid("får vara högst 1 MB".into()));
            }
            e.text("logo_alt", &logo.alt, limits::SHORT);
        }
        e.into_result()
    }

    /// The settings as audit data: the logo by its format, size and checksum.
    fn audit_json(&self) -> String {
        serde_json::json!({
            "tenant_id": self.tenant_id.get(),
            "unit_id": self.unit_id.get(),
            "board": self.board,
            "logo_format": self.logo.as_ref().map(|l| l.format.code()),
            "logo_size": self.logo.as_ref().map(|l| l.bytes.len()),
            "logo_sha256": self.logo.as_ref().map(|l| sha256_hex(&l.bytes)),
            "logo_alt": self.logo.as_ref().map(|l| l.alt.clone()),
        })
        .to_string()
    }
}

impl DocumentDetails {
    /// Nothing set for the document.
    pub fn empty(tenant_id: TenantId, kind: &str, year: i64, scope_id: OrgUnitId) -> DocumentDetails {
        DocumentDetails {
            tenant_id,
            kind: kind.to_owned(),
            year,
            scope_id,
            reference: String::new(),
            meeting_on: None,
            status: String::new(),
        }
    }

    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        if !KINDS.contains(&self.kind.as_str()) {
            e.push("kind", Problem::Invalid("ska vara plan, follow-up eller report".into()));
        }
        e.range("year", self.year, 2000, 2100);
        e.optional_text("reference", &self.reference, limits::SHORT);
        e.optional_text("status", &self.status, limits::SHORT);
        e.into_result()
    }

    fn audit_json(&self) -> String {
        serde_json::json!({
            "tenant_id": self.tenant_id.get(),
            "kind": self.kind,
            "year": self.year,
            "scope_id": self.scope_id.get(),
            "reference": self.reference,
            "meeting_on": self.meeting_on.map(|d| d.to_string()),
            "status": self.status,
        })
        .to_string()
    }
}

fn corrupt(table: &'static str, column: &str, detail: impl ToString) -> StoreError {
    StoreError::Corrupt { table, column: column.to_owned(), detail: detail.to_string() }
}

/// A unit of the tenant, or `NotFound` (a unit of another tenant is not found).
async fn unit_of(conn: &mut AnyConnection, tenant: TenantId, unit: OrgUnitId) -> Result<()> {
    match repo::find::<OrgUnit>(conn, unit).await? {
        Some(u) if u.tenant_id == tenant => Ok(()),
        _ => Err(StoreError::NotFound { table: "org_unit", id: unit.get() }),
    }
}

fn unit_row(row: &sqlx::any::AnyRow) -> Result<Versioned<UnitSettings>> {
    let t = "document_unit_settings";
    let format: Option<String> = row.try_get("logo_format")?;
    let logo = match format {
        Some(code) => Some(Logo {
            format: LogoFormat::from_code(&code)
                .ok_or_else(|| corrupt(t, "logo_format", format!("okänd kod {code}")))?,
            bytes: row.try_get::<Vec<u8>, _>("logo")?,
            alt: row.try_get("logo_alt")?,
        }),
        None => None,
    };
    Ok(Versioned {
        id: Id::new(row.try_get("id")?),
        version: row.try_get("version")?,
        item: UnitSettings {
            tenant_id: Id::new(row.try_get("tenant_id")?),
            unit_id: Id::new(row.try_get("unit_id")?),
            board: row.try_get("board")?,
            logo,
        },
    })
}

const UNIT_COLUMNS: &str = "id, version, tenant_id, unit_id, board, logo_format, logo, logo_alt";

/// What `unit` itself sets (nothing set: id 0, version 0).
pub async fn unit_settings(
    conn: &mut AnyConnection,
    tenant: TenantId,
    unit: OrgUnitId,
) -> Result<Versioned<UnitSettings>> {
    let sql = format!("SELECT {UNIT_COLUMNS} FROM document_unit_settings WHERE tenant_id = $1 AND unit_id = $2");
    let row =
        sqlx::query(sqlx::AssertSqlSafe(sql)).bind(tenant.get()).bind(unit.get()).fetch_optional(&mut *conn).await?;
    match row {
        Some(row) => unit_row(&row),
        None => Ok(Versioned { id: Id::new(0), version: 0, item: UnitSettings::empty(tenant, unit) }),
    }
}

/// Stores what a unit sets, if `version` is the one read (0 when nothing was set);
/// returns the new version. Validated as a whole: nothing partial is stored.
pub async fn save_unit_settings(tx: &mut Tx, settings: &UnitSettings, version: i64) -> Result<i64> {
    settings.validate()?;
    unit_of(tx, settings.tenant_id, settings.unit_id).await?;
    let current = unit_settings(tx, settings.tenant_id, settings.unit_id).await?;
    let conflict =
        |current: i64| StoreError::Conflict { table: "document_unit_settings", id: 0, expected: version, current };
    if version != current.version {
        return Err(conflict(current.version));
    }
    let logo = settings.logo.as_ref();
    let binds = (
        settings.board.clone(),
        logo.map(|l| l.format.code().to_owned()),
        logo.map(|l| l.bytes.clone()),
        logo.map(|l| sha256_hex(&l.bytes)),
        logo.map_or(String::new(), |l| l.alt.clone()),
    );
    let (id, new_version, before) = if current.version == 0 {
        let row = sqlx::query(
            "INSERT INTO document_unit_settings (tenant_id, unit_id, board, logo_format, logo, logo_sha256, logo_alt) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (unit_id) DO NOTHING RETURNING id",
        )
        .bind(settings.tenant_id.get())
        .bind(settings.unit_id.get())
        .bind(binds.0)
        .bind(binds.1)
        .bind(binds.2)
        .bind(binds.3)
        .bind(binds.4)
        .fetch_optional(&mut **tx)
        .await?;
        // Someone else stored the unit's first settings meanwhile.
        let row = row.ok_or_else(|| conflict(1))?;
        (row.try_get::<i64, _>("id")?, 1, None)
    } else {
        let row = sqlx::query(
            "UPDATE document_unit_settings SET board = $1, logo_format = $2, logo = $3, logo_sha256 = $4, \
             logo_alt = $5, version = version + 1 WHERE id = $6 AND version = $7 RETURNING version",
        )
        .bind(binds.0)
        .bind(binds.1)
        .bind(binds.2)
        .bind(binds.3)
        .bind(binds.4)
        .bind(current.id.get())
        .bind(version)
        .fetch_optional(&mut **tx)
        .await?;
        let row = row.ok_or_else(|| conflict(version + 1))?;
        (current.id.get(), row.try_get::<i64, _>("version")?, Some(current.item.audit_json()))
    };
    let action = if before.is_some() { "update" } else { "create" };
    audit::append(tx, action, "document_unit_settings", Some(id), before, Some(settings.audit_json())).await?;
    Ok(new_version)
}

/// The board's name and the logo that apply to documents of `scope`: for each, the one
/// set on the nearest unit at or above it.
pub async fn effective_for_unit(conn: &mut AnyConnection, tenant: TenantId, scope: OrgUnitId) -> Result<Effective> {
    let units = org::units(conn, tenant).await?;
    // From the scope up to the top.
    let mut chain: Vec<OrgUnitId> = org::path(&units, scope).into_iter().map(|u| u.id).collect();
    chain.reverse();
    let rows = sqlx::query(
        "SELECT unit_id, board, logo_format FROM document_unit_settings WHERE tenant_id = $1 \
         AND (board <> '' OR logo_format IS NOT NULL)",
    )
    .bind(tenant.get())
    .fetch_all(&mut *conn)
    .await?;
    let mut set: Vec<(OrgUnitId, String, bool)> = Vec::with_capacity(rows.len());
    for r in &rows {
        set.push((
            Id::new(r.try_get("unit_id")?),
            r.try_get("board")?,
            r.try_get::<Option<String>, _>("logo_format")?.is_some(),
        ));
    }
    let mut out = Effective::default();
    // The nearest unit, from the scope upward, that sets each.
    let board = chain.iter().find_map(|u| set.iter().find(|s| s.0 == *u && !s.1.is_empty()));
    out.board = board.map(|(unit, board, _)| (board.clone(), *unit));
    let logo_unit = chain.iter().find_map(|u| set.iter().find(|s| s.0 == *u && s.2)).map(|s| s.0);
    if let Some(unit) = logo_unit {
        out.logo = unit_settings(conn, tenant, unit).await?.item.logo.map(|l| (l, unit));
    }
    Ok(out)
}

/// The furniture of one document: the board's name and the logo that apply to `scope`,
/// and the details set for exactly this document (`kind`, `year`, `scope`).
pub async fn effective(
    conn: &mut AnyConnection,
    tenant: TenantId,
    scope: OrgUnitId,
    kind: &str,
    year: i64,
) -> Result<Effective> {
    let mut out = effective_for_unit(conn, tenant, scope).await?;
    let details = details(conn, tenant, kind, year, scope).await?;
    out.details = (details.version > 0).then_some(details.item);
    Ok(out)
}

/// The details set for one document (nothing set: id 0, version 0).
pub async fn details(
    conn: &mut AnyConnection,
    tenant: TenantId,
    kind: &str,
    year: i64,
    scope: OrgUnitId,
) -> Result<Versioned<DocumentDetails>> {
    let row = sqlx::query(
        "SELECT id, version, reference, meeting_on, status FROM document_details \
         WHERE tenant_id = $1 AND kind = $2 AND year = $3 AND scope_id = $4",
    )
    .bind(tenant.get())
    .bind(kind.to_owned())
    .bind(year)
    .bind(scope.get())
    .fetch_optional(&mut *conn)
    .await?;
    let mut item = DocumentDetails::empty(tenant, kind, year, scope);
    let Some(row) = row else { return Ok(Versioned { id: Id::new(0), version: 0, item }) };
    item.reference = row.try_get("reference")?;
    item.status = row.try_get("status")?;
    item.meeting_on = match row.try_get::<Option<String>, _>("meeting_on")? {
        Some(s) => Some(s.parse().map_err(|e| corrupt("document_details", "meeting_on", e))?),
        None => None,
    };
    Ok(Versioned { id: Id::new(row.try_get("id")?), version: row.try_get("version")?, item })
}

/// Stores one document's details, if `version` is the one read (0 when nothing was
/// set); returns the new version.
pub async fn save_details(tx: &mut Tx, d: &DocumentDetails, version: i64) -> Result<i64> {
    d.validate()?;
    unit_of(tx, d.tenant_id, d.scope_id).await?;
    let current = details(tx, d.tenant_id, &d.kind, d.year, d.scope_id).await?;
    let conflict = |current: i64| StoreError::Conflict { table: "document_details", id: 0, expected: version, current };
    if version != current.version {
        return Err(conflict(current.version));
    }
    let meeting_on = d.meeting_on.map(|m| m.to_string());
    let (id, new_version, before) = if current.version == 0 {
        let row = sqlx::query(
            "INSERT INTO document_details (tenant_id, kind, year, scope_id, reference, meeting_on, status) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (tenant_id, kind, year, scope_id) DO NOTHING RETURNING id",
        )
        .bind(d.tenant_id.get())
        .bind(d.kind.clone())
        .bind(d.year)
        .bind(d.scope_id.get())
        .bind(d.reference.clone())
        .bind(meeting_on)
        .bind(d.status.clone())
        .fetch_optional(&mut **tx)
        .await?;
        let row = row.ok_or_else(|| conflict(1))?;
        (row.try_get::<i64, _>("id")?, 1, None)
    } else {
        let row = sqlx::query(
            "UPDATE document_details SET reference = $1, meeting_on = $2, status = $3, version = version + 1 \
             WHERE id = $4 AND version = $5 RETURNING version",
        )
        .bind(d.reference.clone())
        .bind(meeting_on)
        .bind(d.status.clone())
        .bind(current.id.get())
        .bind(version)
        .fetch_optional(&mut **tx)
        .await?;
        let row = row.ok_or_else(|| conflict(version + 1))?;
        (current.id.get(), row.try_get::<i64, _>("version")?, Some(current.item.audit_json()))
    };
    let action = if before.is_some() { "update" } else { "create" };
    audit::append(tx, action, "document_details", Some(id), before, Some(d.audit_json())).await?;
    Ok(new_version)
}
