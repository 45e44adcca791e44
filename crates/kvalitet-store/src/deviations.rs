//! What a municipality keeps about its deviations besides the reports themselves: its
//! rules (the IVO deadline), its categories, and each case's history; and a page of the
//! reports a reader may list (`page`, `listed`) and of what the year's counts read of
//! them (`counted`).

use sqlx::{AnyConnection, Row as _};

use kvalitet_domain::deviation::{
    DEFAULT_IVO_DEADLINE_DAYS, Deviation, DeviationCategory, DeviationEvent, DeviationId, DeviationKind,
    DeviationSettings, DeviationStatus,
};
use kvalitet_domain::deviation_stats::{Counted, days_between};
use kvalitet_domain::org::{OrgUnitId, TenantId};
use kvalitet_domain::{Code, Date, Id, Versioned};

use crate::error::{Result, StoreError};
use crate::record::{Column, Value};
use crate::{Tx, Where, plans, repo};

/// The municipality's rules, or the defaults when it has set none (`id` 0, version 0).
pub async fn settings(conn: &mut AnyConnection, tenant: TenantId) -> Result<Versioned<DeviationSettings>> {
    let found: Vec<Versioned<DeviationSettings>> =
        repo::list(conn, Where::sql("tenant_id = $1", vec![tenant.to_value()])).await?;
    Ok(found.into_iter().next().unwrap_or(Versioned {
        id: Id::new(0),
        version: 0,
        item: DeviationSettings { tenant_id: tenant, ivo_deadline_days: DEFAULT_IVO_DEADLINE_DAYS },
    }))
}

/// Stores the municipality's rules; `version` is the one read (0 for the defaults).
pub async fn save_settings(tx: &mut Tx, settings: &DeviationSettings, version: i64) -> Result<i64> {
    let current = self::settings(tx, settings.tenant_id).await?;
    if current.version == 0 {
        if version != 0 {
            return Err(crate::StoreError::Conflict {
                table: "deviation_settings",
                id: 0,
                expected: version,
                current: 1,
            });
        }
        plans::create(tx, settings).await?;
        Ok(1)
    } else {
        plans::save(tx, current.id, version, settings).await
    }
}

/// The municipality's categories, in every dimension, in their order.
pub async fn categories(conn: &mut AnyConnection, tenant: TenantId) -> Result<Vec<Versioned<DeviationCategory>>> {
    let mut all: Vec<Versioned<DeviationCategory>> =
        repo::list(conn, Where::sql("tenant_id = $1", vec![tenant.to_value()])).await?;
    all.sort_by(|a, b| {
        (a.dimension, a.sort_order, a.name.to_lowercase()).cmp(&(b.dimension, b.sort_order, b.name.to_lowercase()))
    });
    Ok(all)
}

/// The years in which the tenant's units have reports, with each unit: `(year, unit)`,
/// for the list's choice of year (the caller keeps the units its reader may view).
pub async fn report_years(conn: &mut AnyConnection, tenant: TenantId) -> Result<Vec<(i64, OrgUnitId)>> {
    let rows =
        sqlx::query("SELECT DISTINCT SUBSTR(reported_on, 1, 4) AS year, unit_id FROM deviation WHERE tenant_id = $1")
            .bind(tenant.get())
            .fetch_all(&mut *conn)
            .await?;
    rows.iter()
        .map(|r| {
            let year: String = r.try_get("year")?;
            let year = year.parse::<i64>().map_err(|e| StoreError::Corrupt {
                table: "deviation",
                column: "reported_on".into(),
                detail: e.to_string(),
            })?;
            Ok((year, OrgUnitId::new(r.try_get("unit_id")?)))
        })
        .collect()
}

/// A case's history, oldest first.
pub async fn events(conn: &mut AnyConnection, deviation: DeviationId) -> Result<Vec<Versioned<DeviationEvent>>> {
    let mut all: Vec<Versioned<DeviationEvent>> =
        repo::list(conn, Where::sql("deviation_id = $1", vec![deviation.to_value()])).await?;
    all.sort_by_key(|e| (e.happened_on, e.id));
    Ok(all)
}

/// Adds an entry to a case's history.
pub async fn record_event(tx: &mut Tx, event: &DeviationEvent) -> Result<Id<DeviationEvent>> {
    plans::create(tx, event).await
}

/// The deviations `account` reported in its tenant (`deviation_reporter`), voided ones
/// included, newest first.
pub async fn reported_by(
    conn: &mut AnyConnection,
    tenant: TenantId,
    account: kvalitet_domain::access::AccountId,
) -> Result<Vec<Versioned<kvalitet_domain::deviation::Deviation>>> {
    let mut all: Vec<Versioned<kvalitet_domain::deviation::Deviation>> = repo::list(
        conn,
        Where::sql(
            "tenant_id = $1 AND id IN (SELECT deviation_id FROM deviation_reporter WHERE account_id = $2)",
            vec![tenant.to_value(), account.to_value()],
        ),
    )
    .await?;
    all.sort_by(|a, b| b.reported_on.cmp(&a.reported_on).then(b.id.cmp(&a.id)));
    Ok(all)
}

/// Who reported a deviation, if it was reported in Kvalitet by a signed-in person.
pub async fn reporter(
    conn: &mut AnyConnection,
    deviation: DeviationId,
) -> Result<Option<kvalitet_domain::access::AccountId>> {
    let row = sqlx::query("SELECT account_id FROM deviation_reporter WHERE deviation_id = $1")
        .bind(deviation.get())
        .fetch_optional(&mut *conn)
        .await?;
    Ok(row.map(|r| Id::new(sqlx::Row::get::<i64, _>(&r, 0))))
}

/// A report `reporter` already made today with the same unit, kind, title, description
/// and date of the event (not voided): the same report sent again. A form fetched anew
/// (going Back to a page that is never cached) carries a fresh one-time token, so the
/// token alone does not find it.
pub async fn same_report(
    conn: &mut AnyConnection,
    reporter: kvalitet_domain::access::AccountId,
    d: &kvalitet_domain::deviation::Deviation,
) -> Result<Option<DeviationId>> {
    use sqlx::Row;
    let row = sqlx::query(
        "SELECT d.id FROM deviation d JOIN deviation_reporter r ON r.deviation_id = d.id \
         WHERE r.account_id = $1 AND d.tenant_id = $2 AND d.unit_id = $3 AND d.kind = $4 AND d.title = $5 \
         AND d.description = $6 AND d.occurred_on = $7 AND d.reported_on = $8 AND d.voided_on IS NULL \
         ORDER BY d.id LIMIT 1",
    )
    .bind(reporter.get())
    .bind(d.tenant_id.get())
    .bind(d.unit_id.get())
    .bind(d.kind.code().to_owned())
    .bind(d.title.clone())
    .bind(d.description.clone())
    .bind(d.occurred_on.to_string())
    .bind(d.reported_on.to_string())
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| Ok(Id::new(r.try_get::<i64, _>("id")?))).transpose()
}

/// Which reports a list asks for.
#[derive(Debug, Clone)]
pub struct ListQuery {
    pub tenant: TenantId,
    /// The units whose reports may be listed (the reader's reach); `None` for all.
    pub units: Option<Vec<OrgUnitId>>,
    /// Reported in this year.
    pub year: i64,
    pub unit: Option<OrgUnitId>,
    pub kind: Option<DeviationKind>,
    pub status: Option<DeviationStatus>,
    /// The voided reports instead of the others.
    pub voided: bool,
}

/// The condition of the reports `q` asks for; `None` when it can hold none.
fn condition(q: &ListQuery) -> Option<Where> {
    if q.units.as_ref().is_some_and(Vec::is_empty) {
        return None;
    }
    let mut binds = vec![
        q.tenant.to_value(),
        Value::Text(format!("{:04}-01-01", q.year)),
        Value::Text(format!("{:04}-01-01", q.year + 1)),
    ];
    let mut sql = String::from("tenant_id = $1 AND reported_on >= $2 AND reported_on < $3");
    if let Some(units) = &q.units {
        sql.push_str(&unit_list(units));
    }
    let mut condition = |column: &str, value: Value| {
        binds.push(value);
        sql.push_str(&format!(" AND {column} = ${}", binds.len()));
    };
    if let Some(unit) = q.unit {
        condition("unit_id", unit.to_value());
    }
    if let Some(kind) = q.kind {
        condition("kind", Value::Text(kind.code().to_owned()));
    }
    if let Some(status) = q.status {
        condition("status", Value::Text(status.code().to_owned()));
    }
    sql.push_str(if q.voided { " AND voided_on IS NOT NULL" } else { " AND voided_on IS NULL" });
    Some(Where::built(sql, binds))
}

/// ` AND unit_id IN (…)`: the numbers of the tenant's own units, written as numbers
/// (never text from input).
fn unit_list(units: &[OrgUnitId]) -> String {
    let list: Vec<String> = units.iter().map(|u| u.get().to_string()).collect();
    format!(" AND unit_id IN ({})", list.join(", "))
}

/// The order of every list of reports: newest first.
const NEWEST_FIRST: &str = "reported_on DESC, id DESC";

/// One page of the reports `q` asks for, newest first, with how many there are in all;
/// filtered, counted and paged by the database.
pub async fn page(
    conn: &mut AnyConnection,
    q: &ListQuery,
    limit: i64,
    offset: i64,
) -> Result<(i64, Vec<Versioned<Deviation>>)> {
    match condition(q) {
        Some(filter) => repo::page(conn, filter, NEWEST_FIRST, limit, offset).await,
        None => Ok((0, vec![])),
    }
}

/// Every report `q` asks for, newest first (a download of the list).
pub async fn listed(conn: &mut AnyConnection, q: &ListQuery) -> Result<Vec<Versioned<Deviation>>> {
    match condition(q) {
        Some(filter) => repo::list_in_order(conn, filter, NEWEST_FIRST, i64::MAX).await,
        None => Ok(vec![]),
    }
}

/// The tenant's reports of the years `from..=to` as the year's counts read them, grouped
/// by the database into reports alike in all that is counted (a year of thousands of
/// reports is a few hundred narrow rows, not thousands of whole reports); voided
/// reports left out; only `units`' reports where given.
pub async fn counted(
    conn: &mut AnyConnection,
    tenant: TenantId,
    units: Option<&[OrgUnitId]>,
    from: i64,
    to: i64,
) -> Result<Vec<Counted>> {
    if units.is_some_and(<[OrgUnitId]>::is_empty) {
        return Ok(vec![]);
    }
    // The day reported matters only to the days until an answer; otherwise the month.
    let sql = format!(
        "SELECT unit_id, kind, SUBSTR(reported_on, 1, 7) AS month, type_category_id, cause_category_id, \
         place_category_id, severity_category_id, lex_sarah_category, complainant, channel, complaint_outcome, \
         CASE WHEN answered_on IS NULL THEN NULL ELSE reported_on END AS answer_from, answered_on, COUNT(*) AS n \
         FROM deviation WHERE tenant_id = $1 AND reported_on >= $2 AND reported_on < $3 AND voided_on IS NULL{} \
         GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13",
        units.map(unit_list).unwrap_or_default()
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(tenant.get())
        .bind(format!("{from:04}-01-01"))
        .bind(format!("{:04}-01-01", to + 1))
        .fetch_all(&mut *conn)
        .await?;
    let table = "deviation";
    rows.iter()
        .map(|r| {
            let month: String = r.try_get("month")?;
            let corrupt = || StoreError::Corrupt { table, column: "reported_on".into(), detail: month.clone() };
            let (year, month_no) = month.split_once('-').ok_or_else(corrupt)?;
            let answer_from = Option::<Date>::read(r, table, "answer_from")?;
            let answered_on = Option::<Date>::read(r, table, "answered_on")?;
            Ok(Counted {
                unit_id: OrgUnitId::read(r, table, "unit_id")?,
                kind: DeviationKind::read(r, table, "kind")?,
                year: year.parse().map_err(|_| corrupt())?,
                month: month_no.parse().ok().filter(|m| (1..=12).contains(m)).ok_or_else(corrupt)?,
                type_category_id: Column::read(r, table, "type_category_id")?,
                cause_category_id: Column::read(r, table, "cause_category_id")?,
                place_category_id: Column::read(r, table, "place_category_id")?,
                severity_category_id: Column::read(r, table, "severity_category_id")?,
                lex_sarah_category: Column::read(r, table, "lex_sarah_category")?,
                complainant: Column::read(r, table, "complainant")?,
                channel: Column::read(r, table, "channel")?,
                complaint_outcome: Column::read(r, table, "complaint_outcome")?,
                answered: answered_on.is_some(),
                days_to_answer: answer_from.zip(answered_on).map(|(f, a)| days_between(f, a)),
                count: r.try_get("n")?,
            })
        })
        .collect()
}
