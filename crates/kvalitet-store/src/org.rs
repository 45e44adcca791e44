//! Reading the organisation: tenants, the org tree and its subtrees, areas, factors.

use sqlx::AnyConnection;

use kvalitet_domain::Versioned;
use kvalitet_domain::org::{OrgUnit, OrgUnitId, ProcessArea, QualityFactor, Tenant, TenantId};

use crate::error::Result;
use crate::record::Column;
use crate::repo::{self, Where};

/// The first tenant (installations with one municipality have only this one).
pub async fn first_tenant(conn: &mut AnyConnection) -> Result<Option<Versioned<Tenant>>> {
    Ok(repo::list::<Tenant>(conn, Where::all()).await?.into_iter().next())
}

/// Every org unit of a tenant.
pub async fn units(conn: &mut AnyConnection, tenant: TenantId) -> Result<Vec<Versioned<OrgUnit>>> {
    repo::list(conn, Where::sql("tenant_id = $1", vec![tenant.to_value()])).await
}

/// `root` and every unit below it, in tree order (parents before children).
pub fn subtree(units: &[Versioned<OrgUnit>], root: OrgUnitId) -> Vec<OrgUnitId> {
    let mut out = vec![root];
    let mut i = 0;
    while i < out.len() {
        let parent = out[i];
        out.extend(units.iter().filter(|u| u.parent_id == Some(parent)).map(|u| u.id));
        i += 1;
    }
    out
}

/// The path from the top of the tree down to `unit`.
pub fn path(units: &[Versioned<OrgUnit>], unit: OrgUnitId) -> Vec<&Versioned<OrgUnit>> {
    let mut out = Vec::new();
    let mut next = Some(unit);
    while let Some(id) = next {
        match units.iter().find(|u| u.id == id) {
            Some(u) if !out.iter().any(|o: &&Versioned<OrgUnit>| o.id == u.id) => {
                out.push(u);
                next = u.parent_id;
            }
            _ => break,
        }
    }
    out.reverse();
    out
}

pub async fn process_areas(conn: &mut AnyConnection, tenant: TenantId) -> Result<Vec<Versioned<ProcessArea>>> {
    repo::list(conn, Where::sql("tenant_id = $1", vec![tenant.to_value()])).await
}

pub async fn quality_factors(conn: &mut AnyConnection, tenant: TenantId) -> Result<Vec<Versioned<QualityFactor>>> {
    let mut v: Vec<Versioned<QualityFactor>> =
        repo::list(conn, Where::sql("tenant_id = $1", vec![tenant.to_value()])).await?;
    v.sort_by_key(|q| q.number);
    Ok(v)
}
