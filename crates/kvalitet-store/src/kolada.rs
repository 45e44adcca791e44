//! Comparison data from Kolada (F13): the municipality's Kolada settings and the stored
//! values. A fetch or an import replaces the values of the same keys (key figure, area,
//! year, gender) in the caller's transaction, each change audited through the `Tx`.

use sqlx::AnyConnection;

use kvalitet_domain::kolada::{KoladaSettings, KoladaValue};
use kvalitet_domain::org::TenantId;
use kvalitet_domain::{Id, Problem, ValidationErrors, Versioned};

use crate::error::{Result, StoreError};
use crate::record::Column;
use crate::{Tx, Where, plans, repo};

/// The municipality's settings, or nothing set (`id` 0, version 0).
pub async fn settings(conn: &mut AnyConnection, tenant: TenantId) -> Result<Versioned<KoladaSettings>> {
    let found: Vec<Versioned<KoladaSettings>> =
        repo::list(conn, Where::sql("tenant_id = $1", vec![tenant.to_value()])).await?;
    Ok(found.into_iter().next().unwrap_or(Versioned {
        id: Id::new(0),
        version: 0,
        item: KoladaSettings::empty(tenant),
    }))
}

/// Stores the municipality's settings; `version` is the one read (0 when none was set).
pub async fn save_settings(tx: &mut Tx, settings: &KoladaSettings, version: i64) -> Result<i64> {
    let current = self::settings(tx, settings.tenant_id).await?;
    if current.version == 0 {
        if version != 0 {
            return Err(StoreError::Conflict { table: "kolada_settings", id: 0, expected: version, current: 1 });
        }
        plans::create(tx, settings).await?;
        Ok(1)
    } else {
        plans::save(tx, current.id, version, settings).await
    }
}

/// Every stored value of the tenant, by key figure, area, year and gender.
pub async fn values(conn: &mut AnyConnection, tenant: TenantId) -> Result<Vec<KoladaValue>> {
    let mut all: Vec<Versioned<KoladaValue>> =
        repo::list(conn, Where::sql("tenant_id = $1", vec![tenant.to_value()])).await?;
    all.sort_by(|a, b| (&a.kpi, &a.area, a.year, a.gender).cmp(&(&b.kpi, &b.area, b.year, b.gender)));
    Ok(all.into_iter().map(|v| v.item).collect())
}

/// What a replacement did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Replaced {
    pub added: usize,
    pub replaced: usize,
}

/// Stores `new` values of `tenant`, each validated, replacing a stored value of the same
/// key. Any invalid value refuses the whole call (the caller's transaction is then
/// dropped, so nothing is stored).
pub async fn replace(tx: &mut Tx, tenant: TenantId, new: &[KoladaValue]) -> Result<Replaced> {
    let stored: Vec<Versioned<KoladaValue>> =
        repo::list(tx, Where::sql("tenant_id = $1", vec![tenant.to_value()])).await?;
    let mut done = Replaced::default();
    for v in new {
        if v.tenant_id != tenant {
            let mut e = ValidationErrors::default();
            e.push("tenant_id", Problem::NotAllowed("värdet hör till en annan kommun"));
            return Err(e.into());
        }
        let same =
            stored.iter().find(|s| s.kpi == v.kpi && s.area == v.area && s.year == v.year && s.gender == v.gender);
        match same {
            Some(s) => {
                plans::save(tx, s.id, s.version, v).await?;
                done.replaced += 1;
            }
            None => {
                plans::create(tx, v).await?;
                done.added += 1;
            }
        }
    }
    Ok(done)
}
