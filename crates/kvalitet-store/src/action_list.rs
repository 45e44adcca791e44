//! The list of actions across plans (`/atgarder`), filtered, ordered and paged by the
//! database, so that a page of 50 costs the same whether the tenant has a hundred actions
//! or twenty thousand (reading every action to sort it in the application cost about
//! 360 ms a page on the benchmark data, nearly all of it in moving rows out of the driver).
//!
//! The caller decides which plans are listed and their order (the plans a person may
//! read are few, and their order is Swedish alphabetical order, which the backends do not
//! share): it passes each plan's ranks, and the query joins them as a table of values.
//! Text is ordered by a key built in SQL the way the application builds it (case folded,
//! å, ä and ö after z in that order), compared byte by byte on both backends.

use std::collections::HashMap;

use sqlx::{AnyConnection, AssertSqlSafe, Row as _};

use kvalitet_domain::action::ActionStatus;
use kvalitet_domain::plan::PlanId;
use kvalitet_domain::{Code, Date};

use crate::{Backend, Result, StoreError};

/// A listed plan and its places in the orders the list can be sorted in (equal keys,
/// equal ranks).
#[derive(Debug, Clone, Copy)]
pub struct PlanRanks {
    pub id: PlanId,
    pub year: i64,
    /// Newest year first, then title: the list's default order of plans.
    pub plan: i64,
    /// By title alone (the "Plan" column).
    pub title: i64,
    /// By the name of the plan's unit (the "Enhet" column); -1 for an unnamed one.
    pub unit: i64,
}

/// What the list is sorted by: a column, or the default order (newest year first, plan
/// by title, the actions' order in their plan).
#[derive(Debug, Clone)]
pub enum Order {
    Default,
    Title,
    /// By the statuses' labels: the codes in their labels' order.
    Status(Vec<ActionStatus>),
    Due,
    Responsible,
    /// By the first linked risk's title (the lowest risk id's).
    Risk,
    Plan,
    Unit,
    Year,
}

/// The status filter.
#[derive(Debug, Clone, Copy)]
pub enum Status {
    Any,
    /// Not done or withdrawn.
    Open,
    Is(ActionStatus),
}

/// The list asked for: the plans, the filters, the order, and the rows wanted.
#[derive(Debug, Clone)]
pub struct Query {
    pub backend: Backend,
    pub plans: Vec<PlanRanks>,
    pub status: Status,
    /// Only actions due before this day and not closed.
    pub past_due_before: Option<Date>,
    /// Only actions whose responsible person, as shown, contains this text (any case).
    pub responsible: String,
    /// Only actions linked to this risk.
    pub risk: Option<i64>,
    pub order: Order,
    pub descending: bool,
}

/// One listed action, with what its row shows.
#[derive(Debug, Clone)]
pub struct Listed {
    pub id: i64,
    pub plan_id: PlanId,
    pub title: String,
    /// The responsible account's name where one is chosen, else the text.
    pub responsible: String,
    pub due_on: Option<Date>,
    pub status: ActionStatus,
}

/// The responsible person as the pages show it (`responsible::Names::responsible`).
const RESPONSIBLE: &str = "CASE WHEN acc.id IS NULL THEN TRIM(a.responsible) \
     WHEN TRIM(COALESCE(acc.display_name, '')) = '' THEN acc.email ELSE acc.display_name END";

/// The first linked risk's title (links are ordered by risk id, as the cell lists them).
const FIRST_RISK: &str = "COALESCE((SELECT r.title FROM action_risk ar JOIN risk r ON r.id = ar.risk_id \
     WHERE ar.action_id = a.id ORDER BY ar.risk_id LIMIT 1), '')";

/// `expr` as a Swedish sort key in SQL, the same as [`kvalitet_domain::swedish_key`]:
/// lower case, å ä ö (and æ ø) after z, compared by code point on both backends.
fn swedish(backend: Backend, expr: &str) -> String {
    let mut key = format!("LOWER({expr})");
    for (from, to) in [
        ("å", "{"),
        ("Å", "{"),
        ("ä", "|"),
        ("Ä", "|"),
        ("æ", "|"),
        ("Æ", "|"),
        ("ö", "}"),
        ("Ö", "}"),
        ("ø", "}"),
        ("Ø", "}"),
    ] {
        key = format!("REPLACE({key}, '{from}', '{to}')");
    }
    match backend {
        Backend::Sqlite => key,
        Backend::Postgres => format!("({key}) COLLATE \"C\""),
    }
}

/// The text of a filter as its key (the same folding as [`swedish`]), for `LIKE`.
fn needle(text: &str) -> String {
    let escaped = kvalitet_domain::swedish_key(text).replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{escaped}%")
}

impl Query {
    /// `WITH p(...) AS (VALUES ...) {select} FROM action a JOIN p ... WHERE ...`, and its
    /// binds; for a count (`ranked` false), the plans as an `IN` list, which SQLite looks
    /// up in an index of its own where it would scan the joined values for every action.
    fn query(&self, select: &str, ranked: bool) -> (String, Vec<String>) {
        let mut sql = if ranked {
            let values: Vec<String> = self
                .plans
                .iter()
                .map(|p| format!("({}, {}, {}, {}, {})", p.id.get(), p.year, p.plan, p.title, p.unit))
                .collect();
            format!(
                "WITH p (id, year, plan_rank, title_rank, unit_rank) AS (VALUES {}) {select} \
                 FROM action a JOIN p ON p.id = a.plan_id LEFT JOIN account acc ON acc.id = a.responsible_account_id \
                 WHERE 1 = 1",
                values.join(", ")
            )
        } else {
            let account = if self.responsible.is_empty() {
                ""
            } else {
                " LEFT JOIN account acc ON acc.id = a.responsible_account_id"
            };
            format!(
                "{select} FROM action a{account} WHERE {}",
                crate::repo::in_ids("a.plan_id", self.plans.iter().map(|p| p.id))
            )
        };
        let mut binds = Vec::new();
        let mut bind = |v: String| {
            binds.push(v);
            format!("${}", binds.len())
        };
        match self.status {
            Status::Any => {}
            Status::Open => sql.push_str(" AND a.status NOT IN ('done', 'withdrawn')"),
            Status::Is(s) => sql.push_str(&format!(" AND a.status = {}", bind(s.code().to_owned()))),
        }
        if let Some(day) = self.past_due_before {
            sql.push_str(&format!(
                " AND a.due_on IS NOT NULL AND a.due_on < {} AND a.status NOT IN ('done', 'withdrawn')",
                bind(day.to_string())
            ));
        }
        if !self.responsible.is_empty() {
            sql.push_str(&format!(
                " AND {} LIKE {} ESCAPE '\\'",
                swedish(self.backend, RESPONSIBLE),
                bind(needle(&self.responsible))
            ));
        }
        if let Some(risk) = self.risk {
            sql.push_str(&format!(
                " AND EXISTS (SELECT 1 FROM action_risk ar WHERE ar.action_id = a.id AND ar.risk_id = {risk})"
            ));
        }
        (sql, binds)
    }

    /// The `ORDER BY` clause: the column asked for, empty values last both ways, then the
    /// default order (so rows equal in the column keep their places, as a stable sort
    /// would keep them).
    fn order_by(&self) -> String {
        let way = if self.descending { "DESC" } else { "ASC" };
        let text = |expr: &str| {
            let key = swedish(self.backend, expr);
            format!("CASE WHEN {expr} = '' THEN 1 ELSE 0 END, {key} {way}, ")
        };
        let column = match &self.order {
            Order::Default => String::new(),
            Order::Title => text("a.title"),
            Order::Responsible => text(RESPONSIBLE),
            Order::Risk => text(FIRST_RISK),
            Order::Status(labelled) => {
                let ranks: Vec<String> =
                    labelled.iter().enumerate().map(|(i, s)| format!("WHEN '{}' THEN {i}", s.code())).collect();
                format!("CASE a.status {} ELSE {} END {way}, ", ranks.join(" "), labelled.len())
            }
            Order::Due => format!("CASE WHEN a.due_on IS NULL THEN 1 ELSE 0 END, a.due_on {way}, "),
            Order::Plan => format!("p.title_rank {way}, "),
            // An unnamed unit has rank -1 and comes last both ways.
            Order::Unit => format!("CASE WHEN p.unit_rank < 0 THEN 1 ELSE 0 END, p.unit_rank {way}, "),
            Order::Year => format!("p.year {way}, "),
        };
        format!(" ORDER BY {column}p.plan_rank, a.sort_order, a.id")
    }

    /// How many actions the list holds of each plan that holds any.
    pub async fn count_by_plan(&self, conn: &mut AnyConnection) -> Result<HashMap<PlanId, usize>> {
        if self.plans.is_empty() {
            return Ok(HashMap::new());
        }
        let (mut sql, binds) = self.query("SELECT a.plan_id, COUNT(*) AS n", false);
        sql.push_str(" GROUP BY a.plan_id");
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for b in binds {
            q = q.bind(b);
        }
        q.fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| Ok((PlanId::new(r.try_get("plan_id")?), usize::try_from(r.try_get::<i64, _>("n")?).unwrap_or(0))))
            .collect()
    }

    /// Every action of the list, in order.
    pub async fn rows(&self, conn: &mut AnyConnection) -> Result<Vec<Listed>> {
        self.rows_within(conn, None).await
    }

    /// How many actions the list holds, and the rows of the window `(offset, limit)` that
    /// `choose` picks given that number.
    ///
    /// Where the order begins with the plan's place (the default order, by plan, unit or
    /// year) the list is its plans' actions one plan after another: the counts per plan
    /// tell which plans the window falls in, and only their actions are read and sorted
    /// (on the benchmark's 20 000 past-due actions, 2 ms of SQL instead of 18).
    pub async fn page(
        &self,
        conn: &mut AnyConnection,
        choose: impl FnOnce(usize) -> (usize, usize),
    ) -> Result<(usize, Vec<Listed>)> {
        let counts = self.count_by_plan(conn).await?;
        let total = counts.values().sum();
        let (offset, limit) = choose(total);
        let Some(groups) = self.plan_groups() else {
            return Ok((total, self.rows_within(conn, Some((offset, limit))).await?));
        };
        // Plans wholly before the window are skipped; then plans are taken until the
        // window is filled.
        let (mut skipped, mut taken, mut plans) = (0, 0, Vec::new());
        for group in groups {
            let n: usize = group.iter().map(|p| counts.get(&p.id).copied().unwrap_or(0)).sum();
            if n == 0 {
                continue;
            }
            if plans.is_empty() && skipped + n <= offset {
                skipped += n;
                continue;
            }
            plans.extend(group.into_iter().filter(|p| counts.contains_key(&p.id)));
            taken += n;
            if skipped + taken >= offset + limit {
                break;
            }
        }
        let within = Query { plans, ..self.clone() };
        Ok((total, within.rows_within(conn, Some((offset - skipped, limit))).await?))
    }

    /// The actions of the window `(offset, limit)`, or all, in order.
    async fn rows_within(&self, conn: &mut AnyConnection, window: Option<(usize, usize)>) -> Result<Vec<Listed>> {
        if self.plans.is_empty() {
            return Ok(Vec::new());
        }
        let select = format!("SELECT a.id, a.plan_id, a.title, {RESPONSIBLE} AS shown_responsible, a.due_on, a.status");
        let (mut sql, binds) = self.query(&select, true);
        sql.push_str(&self.order_by());
        if let Some((offset, limit)) = window {
            sql.push_str(&format!(" LIMIT {limit} OFFSET {offset}"));
        }
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for b in binds {
            q = q.bind(b);
        }
        let rows = q.fetch_all(&mut *conn).await?;
        rows.iter()
            .map(|r| {
                let status: String = r.try_get("status")?;
                let due: Option<String> = r.try_get("due_on")?;
                Ok(Listed {
                    id: r.try_get("id")?,
                    plan_id: PlanId::new(r.try_get("plan_id")?),
                    title: r.try_get("title")?,
                    responsible: r.try_get("shown_responsible")?,
                    due_on: due.map(|d| d.parse::<Date>().map_err(|e| corrupt("due_on", e.to_string()))).transpose()?,
                    status: ActionStatus::from_code(&status).ok_or_else(|| corrupt("status", status.clone()))?,
                })
            })
            .collect()
    }

    /// The listed plans in the order's sequence, plans of equal places together (their
    /// actions interleave by their order in the plan), when the order begins with the
    /// plan's place; `None` for an order by the action's own columns.
    fn plan_groups(&self) -> Option<Vec<Vec<PlanRanks>>> {
        let way = |rank: i64| if self.descending { -rank } else { rank };
        // The keys of `order_by`'s columns before `p.plan_rank`.
        let key = |p: &PlanRanks| -> Option<(i64, i64)> {
            match self.order {
                Order::Default => Some((0, 0)),
                Order::Plan => Some((0, way(p.title))),
                Order::Unit => Some((i64::from(p.unit < 0), way(p.unit))),
                Order::Year => Some((0, way(p.year))),
                _ => None,
            }
        };
        let mut keyed = self.plans.iter().map(|p| Some((key(p)?, p.plan, *p))).collect::<Option<Vec<_>>>()?;
        keyed.sort_by_key(|(k, rank, _)| (*k, *rank));
        let mut groups: Vec<Vec<PlanRanks>> = Vec::new();
        let mut last = None;
        for (k, rank, p) in keyed {
            match groups.last_mut() {
                Some(group) if last == Some((k, rank)) => group.push(p),
                _ => groups.push(vec![p]),
            }
            last = Some((k, rank));
        }
        Some(groups)
    }
}

fn corrupt(column: &str, detail: String) -> StoreError {
    StoreError::Corrupt { table: "action", column: column.to_owned(), detail }
}

/// The titles of the risks each action is linked to, by risk id, for the listed actions.
pub async fn risk_titles(conn: &mut AnyConnection, actions: &[i64]) -> Result<HashMap<i64, Vec<String>>> {
    let mut out: HashMap<i64, Vec<String>> = HashMap::new();
    for chunk in actions.chunks(500) {
        let ids: Vec<String> = chunk.iter().map(i64::to_string).collect();
        let sql = format!(
            "SELECT ar.action_id, r.title FROM action_risk ar JOIN risk r ON r.id = ar.risk_id \
             WHERE ar.action_id IN ({}) ORDER BY ar.action_id, ar.risk_id",
            ids.join(", ")
        );
        for r in sqlx::query(AssertSqlSafe(sql)).fetch_all(&mut *conn).await? {
            out.entry(r.try_get("action_id")?).or_default().push(r.try_get("title")?);
        }
    }
    Ok(out)
}
