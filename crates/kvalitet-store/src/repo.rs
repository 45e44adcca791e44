//! The generic repository: insert, read, update with optimistic concurrency, delete and
//! list, for every `Record` type, on either backend. Callers pass a connection, usually
//! the one of an open transaction, so several writes commit together.

use sqlx::AnyConnection;
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::Query;
use sqlx::{Any, AssertSqlSafe, Row};

use kvalitet_domain::plan::QualityPlan;
use kvalitet_domain::{Id, Versioned};

use crate::Tx;
use crate::audit;
use crate::error::{Result, StoreError};
use crate::record::{Record, Value};

/// A `WHERE` clause written in code (never from input), with its bound values; `$1..$n`
/// placeholders number the values.
#[derive(Debug, Clone)]
pub struct Where {
    sql: std::borrow::Cow<'static, str>,
    binds: Vec<Value>,
}

impl Where {
    /// Every row.
    pub fn all() -> Where {
        Where { sql: "1 = 1".into(), binds: vec![] }
    }

    /// A clause with its values, e.g. `Where::sql("plan_id = $1", vec![id.to_value()])`.
    pub fn sql(sql: &'static str, binds: Vec<Value>) -> Where {
        Where { sql: sql.into(), binds }
    }

    /// A clause put together in code from conditions written in code (never from input;
    /// every value bound), for a list whose filters vary.
    pub fn built(sql: String, binds: Vec<Value>) -> Where {
        Where { sql: sql.into(), binds }
    }
}

/// `column IN (…)` over record numbers, written into the statement (numbers from the
/// database, never text from input); `1 = 0` when there are none.
pub fn in_ids<T>(column: &str, ids: impl IntoIterator<Item = Id<T>>) -> String {
    let list: Vec<String> = ids.into_iter().map(|id| id.get().to_string()).collect();
    if list.is_empty() { "1 = 0".to_owned() } else { format!("{column} IN ({})", list.join(", ")) }
}

pub fn bind_values<'q>(
    mut q: Query<'q, Any, AnyArguments>,
    values: impl IntoIterator<Item = Value>,
) -> Query<'q, Any, AnyArguments> {
    for v in values {
        q = match v {
            Value::Int(i) => q.bind(i),
            Value::Real(f) => q.bind(f),
            Value::Text(s) => q.bind(s),
            Value::NullInt => q.bind(None::<i64>),
            // sqlx 0.9's Any driver swaps the float nulls when it hands arguments to
            // PostgreSQL (a null f64 becomes a FLOAT4 null, and the cached statement then
            // refuses FLOAT8 values): a null f32 is what arrives as a FLOAT8 null.
            Value::NullReal => q.bind(None::<f32>),
            Value::NullText => q.bind(None::<String>),
        };
    }
    q
}

fn select_list<T: Record>() -> String {
    format!("id, version, {}", T::COLUMNS.join(", "))
}

fn order_by<T: Record>() -> &'static str {
    if T::COLUMNS.contains(&"sort_order") { "sort_order, id" } else { "id" }
}

pub(crate) fn versioned<T: Record>(row: &AnyRow) -> Result<Versioned<T>> {
    Ok(Versioned {
        id: Id::new(row.try_get::<i64, _>("id")?),
        version: row.try_get::<i64, _>("version")?,
        item: T::from_row(row)?,
    })
}

/// The record as audit data.
fn json<T: Record>(item: &T) -> Option<String> {
    Some(serde_json::to_string(item).expect("records serialise"))
}

/// Inserts a record; it starts at version 1.
pub async fn insert<T: Record>(tx: &mut Tx, item: &T) -> Result<Id<T>> {
    let placeholders: Vec<String> = (1..=T::COLUMNS.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "INSERT INTO {} ({}) VALUES ({}) RETURNING id",
        T::TABLE,
        T::COLUMNS.join(", "),
        placeholders.join(", ")
    );
    let row = bind_values(sqlx::query(AssertSqlSafe(sql)), item.values()).fetch_one(&mut **tx).await?;
    let id = Id::new(row.try_get::<i64, _>("id")?);
    audit::append(tx, "create", T::TABLE, Some(id.get()), None, json(item)).await?;
    Ok(id)
}

/// The record with `id`, if any.
pub async fn find<T: Record>(conn: &mut AnyConnection, id: Id<T>) -> Result<Option<Versioned<T>>> {
    let sql = format!("SELECT {} FROM {} WHERE id = $1", select_list::<T>(), T::TABLE);
    let row = sqlx::query(AssertSqlSafe(sql)).bind(id.get()).fetch_optional(&mut *conn).await?;
    row.as_ref().map(versioned).transpose()
}

/// The record with `id`, or `NotFound`.
pub async fn get<T: Record>(conn: &mut AnyConnection, id: Id<T>) -> Result<Versioned<T>> {
    find(conn, id).await?.ok_or(StoreError::NotFound { table: T::TABLE, id: id.get() })
}

/// The records matching `filter`, in their display order (`sort_order`, then id).
pub async fn list<T: Record>(conn: &mut AnyConnection, filter: Where) -> Result<Vec<Versioned<T>>> {
    list_limited(conn, filter, i64::MAX).await
}

/// At most `limit` records matching `filter`, in their display order.
pub async fn list_limited<T: Record>(conn: &mut AnyConnection, filter: Where, limit: i64) -> Result<Vec<Versioned<T>>> {
    list_in_order(conn, filter, order_by::<T>(), limit).await
}

/// At most `limit` records matching `filter`, in `order` (columns written in code).
pub async fn list_in_order<T: Record>(
    conn: &mut AnyConnection,
    filter: Where,
    order: &str,
    limit: i64,
) -> Result<Vec<Versioned<T>>> {
    let limit = if limit == i64::MAX { String::new() } else { format!(" LIMIT {}", limit.max(0)) };
    let sql = format!("SELECT {} FROM {} WHERE {} ORDER BY {order}{limit}", select_list::<T>(), T::TABLE, filter.sql);
    let rows = bind_values(sqlx::query(AssertSqlSafe(sql)), filter.binds).fetch_all(&mut *conn).await?;
    rows.iter().map(versioned).collect()
}

/// One page of the records matching `filter`, in `order` (columns written in code), with
/// how many match in all: the database counts and pages, so a page costs the same however
/// many there are.
pub async fn page<T: Record>(
    conn: &mut AnyConnection,
    filter: Where,
    order: &'static str,
    limit: i64,
    offset: i64,
) -> Result<(i64, Vec<Versioned<T>>)> {
    counted_page(conn, "", T::TABLE, filter, order, limit, offset).await
}

/// A page of the records of `plans` matching `filter` (its columns unqualified), in the
/// lists' default order: the plans by the rank each is given (plans of equal rank
/// interleave), then the records' `sort_order`, then their ids; with how many match in
/// all. The ranks are the caller's (Swedish alphabetical order, which the backends do not
/// share), joined as a table of values.
pub async fn page_in_plan_order<T: Record>(
    conn: &mut AnyConnection,
    plans: &[(Id<QualityPlan>, i64)],
    filter: Where,
    limit: i64,
    offset: i64,
) -> Result<(i64, Vec<Versioned<T>>)> {
    if plans.is_empty() {
        return Ok((0, vec![]));
    }
    // Record and rank numbers, written as numbers.
    let values: Vec<String> = plans.iter().map(|(id, rank)| format!("({}, {rank})", id.get())).collect();
    let with = format!("WITH listed_plan (listed_plan_id, plan_rank) AS (VALUES {}) ", values.join(", "));
    let from = format!("{} JOIN listed_plan ON listed_plan_id = plan_id", T::TABLE);
    counted_page(conn, &with, &from, filter, "plan_rank, sort_order, id", limit, offset).await
}

/// How many records `from` (a table, or a table joined in code) holds that match
/// `filter`, and the page of them in `order`; `with` is the statements' `WITH` clause, or
/// empty.
async fn counted_page<T: Record>(
    conn: &mut AnyConnection,
    with: &str,
    from: &str,
    filter: Where,
    order: &str,
    limit: i64,
    offset: i64,
) -> Result<(i64, Vec<Versioned<T>>)> {
    let count = format!("{with}SELECT COUNT(*) AS n FROM {from} WHERE {}", filter.sql);
    let row = bind_values(sqlx::query(AssertSqlSafe(count)), filter.binds.clone()).fetch_one(&mut *conn).await?;
    let total: i64 = row.try_get("n")?;
    let sql = format!(
        "{with}SELECT {} FROM {from} WHERE {} ORDER BY {order} LIMIT {} OFFSET {}",
        select_list::<T>(),
        filter.sql,
        limit.max(0),
        offset.max(0)
    );
    let rows = bind_values(sqlx::query(AssertSqlSafe(sql)), filter.binds).fetch_all(&mut *conn).await?;
    Ok((total, rows.iter().map(versioned).collect::<Result<_>>()?))
}

/// Why a versioned write touched no row: the record is gone, or it has a newer version.
async fn explain_miss<T: Record>(conn: &mut AnyConnection, id: Id<T>, expected: i64) -> StoreError {
    let sql = format!("SELECT version FROM {} WHERE id = $1", T::TABLE);
    match sqlx::query(AssertSqlSafe(sql)).bind(id.get()).fetch_optional(&mut *conn).await {
        Ok(Some(row)) => match row.try_get::<i64, _>("version") {
            Ok(current) => StoreError::Conflict { table: T::TABLE, id: id.get(), expected, current },
            Err(e) => e.into(),
        },
        Ok(None) => StoreError::NotFound { table: T::TABLE, id: id.get() },
        Err(e) => e.into(),
    }
}

/// Replaces the record's fields if it is still at `expected_version`; returns the new
/// version. An edit based on an older version is refused with `Conflict`, so nobody's
/// change is silently overwritten.
pub async fn update<T: Record>(tx: &mut Tx, id: Id<T>, expected_version: i64, item: &T) -> Result<i64> {
    let before = find(tx, id).await?;
    let n = T::COLUMNS.len();
    let sets: Vec<String> = T::COLUMNS.iter().enumerate().map(|(i, c)| format!("{c} = ${}", i + 1)).collect();
    let sql = format!(
        "UPDATE {} SET {}, version = version + 1 WHERE id = ${} AND version = ${} RETURNING version",
        T::TABLE,
        sets.join(", "),
        n + 1,
        n + 2
    );
    let q = bind_values(sqlx::query(AssertSqlSafe(sql)), item.values()).bind(id.get()).bind(expected_version);
    match q.fetch_optional(&mut **tx).await? {
        Some(row) => {
            let version = row.try_get::<i64, _>("version")?;
            audit::append(tx, "update", T::TABLE, Some(id.get()), before.and_then(|b| json(&b.item)), json(item))
                .await?;
            Ok(version)
        }
        None => Err(explain_miss(tx, id, expected_version).await),
    }
}

/// Deletes the record if it is still at `expected_version`.
pub async fn delete<T: Record>(tx: &mut Tx, id: Id<T>, expected_version: i64) -> Result<()> {
    let before = find(tx, id).await?;
    let sql = format!("DELETE FROM {} WHERE id = $1 AND version = $2", T::TABLE);
    let done = sqlx::query(AssertSqlSafe(sql)).bind(id.get()).bind(expected_version).execute(&mut **tx).await?;
    if done.rows_affected() == 1 {
        let before = before.and_then(|b| json(&b.item));
        audit::append(tx, "delete", T::TABLE, Some(id.get()), before, None).await
    } else {
        Err(explain_miss(tx, id, expected_version).await)
    }
}

/// How many rows a table has.
pub async fn count<T: Record>(conn: &mut AnyConnection) -> Result<i64> {
    let sql = format!("SELECT COUNT(*) AS n FROM {}", T::TABLE);
    let row = sqlx::query(AssertSqlSafe(sql)).fetch_one(&mut *conn).await?;
    Ok(row.try_get::<i64, _>("n")?)
}
