//! Where an audit entry belongs: the municipality (tenant) and the part of the org tree
//! (unit) of the record it concerns, found from the record's own fields or by following
//! its parents (a risk's plan, an action's plan, a finding's survey) up to a unit.

use std::collections::HashMap;

use sqlx::{AnyConnection, AssertSqlSafe, Column, Row};

use crate::error::Result;

/// A record's tenant and unit, as far as they are known.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Place {
    pub tenant: Option<i64>,
    pub unit: Option<i64>,
}

/// Link tables, and the table of the item each link belongs to (its first column).
const LINK_OWNERS: &[(&str, &str)] = &[
    ("action_risk", "action"),
    ("action_self_inspection", "action"),
    ("self_inspection_risk", "self_inspection"),
    ("indicator_risk", "indicator"),
    ("risk_unit", "risk"),
    ("risk_target_group", "risk"),
    ("deviation_self_inspection", "deviation"),
    ("deviation_action", "deviation"),
];

/// Columns that name a parent record, and the parent's table, in the order tried.
const PARENTS: &[(&str, &str)] = &[
    ("plan_id", "quality_plan"),
    ("report_id", "quality_report"),
    ("risk_id", "risk"),
    ("action_id", "action"),
    ("self_inspection_id", "self_inspection"),
    ("indicator_id", "indicator"),
    ("survey_id", "user_survey"),
    ("follow_up_id", "systematic_follow_up"),
    ("result_id", "measure_result"),
    ("import_id", "case_import"),
    ("deviation_id", "deviation"),
];

/// The integer fields of a record.
type Fields = HashMap<String, i64>;

fn json_fields(data: &str) -> Fields {
    match serde_json::from_str::<serde_json::Value>(data) {
        Ok(serde_json::Value::Object(map)) => map.into_iter().filter_map(|(k, v)| Some((k, v.as_i64()?))).collect(),
        _ => Fields::new(),
    }
}

async fn row_fields(conn: &mut AnyConnection, table: &str, id: i64) -> Result<Option<Fields>> {
    // `table` comes from code (a record's or a link's table), never from input.
    let sql = format!("SELECT * FROM {table} WHERE id = $1");
    let Some(row) = sqlx::query(AssertSqlSafe(sql)).bind(id).fetch_optional(&mut *conn).await? else {
        return Ok(None);
    };
    Ok(Some(
        row.columns()
            .iter()
            .filter_map(|c| Some((c.name().to_owned(), row.try_get::<i64, _>(c.ordinal()).ok()?)))
            .collect(),
    ))
}

/// Where the record `id` of `table` (with `data`, its fields as audit JSON, if known)
/// belongs. `cache` keeps the places of parents already looked up in this transaction.
pub(crate) async fn locate(
    conn: &mut AnyConnection,
    cache: &mut HashMap<(String, i64), Place>,
    table: &str,
    id: Option<i64>,
    data: Option<&str>,
) -> Result<Place> {
    if let (Some((_, owner)), Some(id)) = (LINK_OWNERS.iter().find(|(t, _)| *t == table), id) {
        return locate_row(conn, cache, owner, id).await;
    }
    let fields = data.map(json_fields).unwrap_or_default();
    let place = from_fields(conn, cache, table, id, &fields).await?;
    match id {
        Some(id) if place.unit.is_none() && place.tenant.is_none() => locate_row(conn, cache, table, id).await,
        _ => Ok(place),
    }
}

async fn locate_row(
    conn: &mut AnyConnection,
    cache: &mut HashMap<(String, i64), Place>,
    table: &str,
    id: i64,
) -> Result<Place> {
    if let Some(p) = cache.get(&(table.to_owned(), id)) {
        return Ok(*p);
    }
    let place = match row_fields(conn, table, id).await? {
        Some(fields) => from_fields(conn, cache, table, Some(id), &fields).await?,
        None => Place::default(),
    };
    cache.insert((table.to_owned(), id), place);
    Ok(place)
}

async fn from_fields(
    conn: &mut AnyConnection,
    cache: &mut HashMap<(String, i64), Place>,
    table: &str,
    id: Option<i64>,
    fields: &Fields,
) -> Result<Place> {
    let tenant = if table == "tenant" { id } else { fields.get("tenant_id").copied() };
    let mut place = Place { tenant, unit: None };
    place.unit = match table {
        "org_unit" => id,
        _ => fields.get("unit_id").or(fields.get("scope_id")).copied(),
    };
    if place.unit.is_none()
        && let Some((col, parent)) = PARENTS.iter().find(|(col, _)| fields.contains_key(*col))
    {
        // Parents form a short chain (a finding's survey, a run's self-inspection's
        // plan); each step is one query, cached for the transaction.
        let up = Box::pin(locate_row(conn, cache, parent, fields[*col])).await?;
        place.unit = up.unit;
        place.tenant = place.tenant.or(up.tenant);
    }
    if place.unit.is_none()
        && let ("account", Some(id)) = (table, id)
    {
        // An account belongs where its roles are (the first, should there be several).
        let row = sqlx::query("SELECT MIN(scope_id) AS u FROM role_assignment WHERE account_id = $1")
            .bind(id)
            .fetch_one(&mut *conn)
            .await?;
        place.unit = row.try_get::<i64, _>("u").ok();
    }
    if let (None, Some(unit)) = (place.tenant, place.unit) {
        let row =
            sqlx::query("SELECT tenant_id FROM org_unit WHERE id = $1").bind(unit).fetch_optional(&mut *conn).await?;
        place.tenant = row.and_then(|r| r.try_get::<i64, _>("tenant_id").ok());
    }
    Ok(place)
}
