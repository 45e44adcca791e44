//! Reading the organisation: tenants, the org tree and its subtrees, areas, factors, and
//! what still refers to a part of it before it is removed.

use sqlx::{AnyConnection, AssertSqlSafe, Row};

use kvalitet_domain::org::{OrgUnit, OrgUnitId, ProcessArea, QualityFactor, TargetGroup, Tenant, TenantId};
use kvalitet_domain::{Id, Versioned};

use crate::error::Result;
use crate::record::{Column, Record};
use crate::repo::{self, Where};

/// The first tenant (installations with one municipality have only this one).
pub async fn first_tenant(conn: &mut AnyConnection) -> Result<Option<Versioned<Tenant>>> {
    Ok(repo::list::<Tenant>(conn, Where::all()).await?.into_iter().next())
}

/// Every org unit of a tenant.
pub async fn units(conn: &mut AnyConnection, tenant: TenantId) -> Result<Vec<Versioned<OrgUnit>>> {
    repo::list(conn, Where::sql("tenant_id = $1", vec![tenant.to_value()])).await
}

/// The names of the tenant's units among `ids` (a page's few), read by id.
pub async fn names(
    conn: &mut AnyConnection,
    tenant: TenantId,
    ids: impl IntoIterator<Item = OrgUnitId>,
) -> Result<std::collections::HashMap<OrgUnitId, String>> {
    let ids: std::collections::BTreeSet<i64> = ids.into_iter().map(|id| id.get()).collect();
    if ids.is_empty() {
        return Ok(Default::default());
    }
    let sql = format!(
        "SELECT id, name FROM org_unit WHERE tenant_id = $1 AND {}",
        repo::in_ids("id", ids.into_iter().map(OrgUnitId::new))
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(tenant.get()).fetch_all(&mut *conn).await?;
    rows.iter().map(|r| Ok((OrgUnitId::new(r.try_get("id")?), r.try_get("name")?))).collect()
}

/// Each of a tenant's units with its parent: the tree's shape, for the access rule.
pub async fn parents(conn: &mut AnyConnection, tenant: TenantId) -> Result<Vec<(OrgUnitId, Option<OrgUnitId>)>> {
    let rows = sqlx::query("SELECT id, parent_id FROM org_unit WHERE tenant_id = $1")
        .bind(tenant.get())
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| {
            let parent: Option<i64> = r.try_get("parent_id")?;
            Ok((Id::new(r.try_get("id")?), parent.map(Id::new)))
        })
        .collect()
}

/// `root` and every unit below it, in tree order (parents before children).
pub fn subtree(units: &[Versioned<OrgUnit>], root: OrgUnitId) -> Vec<OrgUnitId> {
    subtree_of(units.iter().map(|u| (u.id, u.parent_id)), root)
}

/// [`subtree`] of a tree given as (unit, parent) pairs; siblings in the order given.
pub fn subtree_of(units: impl IntoIterator<Item = (OrgUnitId, Option<OrgUnitId>)>, root: OrgUnitId) -> Vec<OrgUnitId> {
    let mut children: std::collections::HashMap<OrgUnitId, Vec<OrgUnitId>> = Default::default();
    for (unit, parent) in units {
        if let Some(p) = parent {
            children.entry(p).or_default().push(unit);
        }
    }
    let mut out = vec![root];
    let mut i = 0;
    while i < out.len() {
        if let Some(c) = children.get(&out[i]) {
            out.extend(c);
        }
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

pub async fn target_groups(conn: &mut AnyConnection, tenant: TenantId) -> Result<Vec<Versioned<TargetGroup>>> {
    repo::list(conn, Where::sql("tenant_id = $1", vec![tenant.to_value()])).await
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

/// Every column that refers to a record of the organisation: (table referred to, table
/// referring, column). The schema's foreign keys, listed once here so that a removal can
/// say what is in the way; a test checks the list against the schema.
pub const REFERENCES: &[(&str, &str, &str)] = &[
    ("org_unit", "org_unit", "parent_id"),
    ("org_unit", "quality_plan", "scope_id"),
    ("org_unit", "quality_report", "scope_id"),
    ("org_unit", "risk_unit", "unit_id"),
    ("org_unit", "self_inspection", "unit_id"),
    ("org_unit", "deviation", "unit_id"),
    ("org_unit", "deviation_tally", "unit_id"),
    ("org_unit", "user_survey", "unit_id"),
    ("org_unit", "systematic_follow_up", "unit_id"),
    ("org_unit", "review", "unit_id"),
    ("org_unit", "key_statistic", "unit_id"),
    ("org_unit", "role_assignment", "scope_id"),
    ("org_unit", "case_record", "unit_id"),
    ("org_unit", "intervention_record", "unit_id"),
    ("org_unit", "contact_record", "unit_id"),
    ("org_unit", "measure_result", "unit_id"),
    ("org_unit", "document_version", "scope_id"),
    ("org_unit", "document_unit_settings", "unit_id"),
    ("org_unit", "document_details", "scope_id"),
    ("org_unit", "api_token", "scope_id"),
    ("target_group", "risk_target_group", "target_group_id"),
    ("process_area", "risk", "process_area_id"),
    ("process_area", "self_inspection", "process_area_id"),
    ("process_area", "indicator", "area_id"),
    ("quality_factor", "focus_area", "quality_factor_id"),
    ("quality_factor", "indicator", "quality_factor_id"),
    ("quality_factor", "improvement_area", "quality_factor_id"),
];

/// What still refers to record `id` of `T`: per referring table, how many rows, for the
/// tables that have any. Empty when nothing does (or `T` is not of the organisation).
pub async fn references<T: Record>(conn: &mut AnyConnection, id: Id<T>) -> Result<Vec<(&'static str, i64)>> {
    let mut out = Vec::new();
    for (_, table, column) in REFERENCES.iter().filter(|(to, _, _)| *to == T::TABLE) {
        let sql = format!("SELECT COUNT(*) AS n FROM {table} WHERE {column} = $1");
        let n: i64 = sqlx::query(AssertSqlSafe(sql)).bind(id.get()).fetch_one(&mut *conn).await?.try_get("n")?;
        if n > 0 {
            out.push((*table, n));
        }
    }
    Ok(out)
}
