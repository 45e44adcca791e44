//! Case-data measures in the interface: the latest import's results for the whole period,
//! per unit and per month, and for a result the case ids outside the limit, shown only
//! for the user's own units (every such list shown is logged as a read).

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};

use kvalitet_domain::access::{self, Permission, Tree};
use kvalitet_domain::org::OrgUnitId;
use kvalitet_store::audit;
use kvalitet_store::case_data::{self, StoredResult};

use crate::auth::{Nav, User};
use crate::error::{WebError, WebResult};
use crate::format::{number, share_percent};
use crate::router::AppState;

pub struct ResultRow {
    pub label: String,
    pub value: String,
    pub basis: String,
    pub interval: String,
    /// Too few cases, or too wide an interval, to conclude from (the indicators' rule).
    pub thin: bool,
    pub outside: i64,
    /// "2 över gränsen med förlängningsbeslut", for the children's investigations.
    pub extension: String,
    pub href: String,
}

pub struct MeasureV {
    pub id: String,
    pub name: String,
    pub selected: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "measures.html")]
pub struct MeasuresPage {
    pub nav: Nav,
    pub import: Option<(String, String, String, String)>,
    pub measures: Vec<MeasureV>,
    pub name: String,
    /// The measure's definition in plain Swedish.
    pub explanation: String,
    /// Whether the measure has a limit (else no "outside the limit" column).
    pub has_limit: bool,
    /// Whether the results are shares (with n and an interval).
    pub shares: bool,
    pub may_import: bool,
    /// Whole period, per unit, per month: a caption and its rows.
    pub tables: Vec<(&'static str, Vec<ResultRow>)>,
}

fn value_type(r: &StoredResult) -> Option<String> {
    serde_json::from_str::<serde_json::Value>(&r.extra).ok().and_then(|v| v["value_type"].as_str().map(str::to_owned))
}

fn value(r: &StoredResult) -> String {
    match (value_type(r).as_deref(), r.value) {
        (Some("days"), Some(v)) => crate::format::days(v),
        (Some("count"), Some(v)) => number(v),
        (_, Some(v)) => share_percent(v),
        (_, None) => "–".into(),
    }
}

fn row(r: &StoredResult, label: String, user: &User) -> ResultRow {
    // A result for one unit opens for those who may see that unit's case data; a result
    // for all units (whole period or month) opens to show the user's own units' cases.
    let may_open = match r.unit_id {
        Some(u) => user.may(Permission::ViewCaseData, u),
        None => true,
    };
    let share = match (value_type(r).as_deref(), r.numerator, r.denominator) {
        (Some("share"), Some(n), Some(d)) => kvalitet_domain::stats::wilson(n as u64, d as u64),
        _ => None,
    };
    let extension = serde_json::from_str::<serde_json::Value>(&r.extra)
        .ok()
        .and_then(|v| v["over_limit_with_extension"].as_u64())
        .map(|n| format!("{} över gränsen med förlängningsbeslut", number(n as f64)))
        .unwrap_or_default();
    ResultRow {
        label,
        value: value(r),
        basis: r.denominator.map(|d| number(d as f64)).unwrap_or_default(),
        interval: match (r.ci_low, r.ci_high) {
            (Some(lo), Some(hi)) => format!("{}–{}", share_percent(lo), share_percent(hi)),
            _ => String::new(),
        },
        thin: share.is_some_and(|s| s.basis() == kvalitet_domain::stats::Basis::TooThin),
        outside: r.outside,
        extension,
        href: if may_open && r.outside > 0 { format!("/matt/resultat/{}", r.id) } else { String::new() },
    }
}

pub async fn show(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<HashMap<String, String>>,
) -> WebResult<MeasuresPage> {
    if !access::allows_somewhere(user.assignments(), Permission::ViewCaseData) {
        return Err(WebError::Forbidden);
    }
    let tenant = user.session.account.tenant_id;
    let mut conn = state.store.read().await?;
    let Some(import) = case_data::latest_import(&mut conn, tenant).await? else {
        return Ok(MeasuresPage {
            nav: user.nav(),
            import: None,
            measures: vec![],
            name: String::new(),
            explanation: String::new(),
            has_limit: false,
            shares: false,
            may_import: super::case_import::require(&user).is_ok(),
            tables: vec![],
        });
    };
    let results = case_data::results(&mut conn, import.id).await?;
    let units = kvalitet_store::org::units(&mut conn, tenant).await?;
    drop(conn);
    let mut ids: Vec<(String, String)> = Vec::new();
    for r in &results {
        if !ids.iter().any(|(id, _)| *id == r.measure) {
            ids.push((r.measure.clone(), r.name.clone()));
        }
    }
    let selected = q
        .get("matt")
        .filter(|m| ids.iter().any(|(id, _)| id == *m))
        .cloned()
        .or_else(|| ids.first().map(|(id, _)| id.clone()))
        .unwrap_or_default();
    let of = |r: &&StoredResult| r.measure == selected;
    let unit_name = |id| units.iter().find(|u| u.id == id).map(|u| u.name.clone()).unwrap_or_default();
    let def = kvalitet_measures::default_definitions().into_iter().find(|d| d.id == selected);
    // The user's own units (within their roles' scopes) first, the others after.
    let own = |u: OrgUnitId| user.assignments().iter().any(|a| user.tree.is_within(u, a.scope_id));
    let mut per_unit: Vec<&StoredResult> = results.iter().filter(of).filter(|r| r.unit_id.is_some()).collect();
    per_unit.sort_by_key(|r| !r.unit_id.is_some_and(&own));
    let label = |r: &StoredResult| r.group.clone().map(|g| format!(" ({g})")).unwrap_or_default();
    Ok(MeasuresPage {
        nav: user.nav(),
        import: Some((
            import.period_from,
            import.period_to,
            import.imported_at.replace('T', " ").replace('Z', " UTC"),
            import.imported_by,
        )),
        name: ids.iter().find(|(id, _)| *id == selected).map(|(_, n)| n.clone()).unwrap_or_default(),
        explanation: def.as_ref().map(super::measure_text::explain).unwrap_or_default(),
        has_limit: def.as_ref().is_none_or(super::measure_text::has_limit),
        shares: results.iter().filter(of).any(|r| value_type(r).as_deref() == Some("share")),
        may_import: super::case_import::require(&user).is_ok(),
        measures: ids
            .iter()
            .map(|(id, name)| MeasureV { id: id.clone(), name: name.clone(), selected: *id == selected })
            .collect(),
        tables: vec![
            (
                "Hela perioden",
                results
                    .iter()
                    .filter(of)
                    .filter(|r| r.unit_id.is_none() && r.month.is_none())
                    .map(|r| row(r, format!("Alla enheter{}", label(r)), &user))
                    .collect(),
            ),
            (
                "Per enhet",
                per_unit
                    .iter()
                    .filter_map(|r| r.unit_id.map(|u| row(r, format!("{}{}", unit_name(u), label(r)), &user)))
                    .collect(),
            ),
            (
                "Per månad",
                results
                    .iter()
                    .filter(of)
                    .filter_map(|r| r.month.clone().map(|m| row(r, format!("{m}{}", label(r)), &user)))
                    .collect(),
            ),
        ],
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "measure_cases.html")]
pub struct CasesPage {
    pub nav: Nav,
    pub name: String,
    pub scope: String,
    /// Case id, unit, days over the limit ("" where the measure counts none).
    pub cases: Vec<(String, String, String)>,
    pub with_days: bool,
    pub hidden: usize,
}

pub async fn cases(State(state): State<AppState>, user: User, Path(id): Path<String>) -> WebResult<CasesPage> {
    let id: i64 = id.parse().map_err(|_| WebError::NotFound)?;
    let mut conn = state.store.read().await?;
    let (result, _) = case_data::result_with_cases(&mut conn, id).await?;
    if case_data::import_tenant(&mut conn, result.import_id).await? != user.session.account.tenant_id {
        return Err(WebError::NotFound);
    }
    if let Some(u) = result.unit_id {
        user.require(Permission::ViewCaseData, u)?;
    } else if !access::allows_somewhere(user.assignments(), Permission::ViewCaseData) {
        return Err(WebError::Forbidden);
    }
    let rows = case_data::outside_cases_with_dates(&mut conn, id).await?;
    let import = case_data::import_of(&mut conn, user.session.account.tenant_id, result.import_id).await?;
    let units = kvalitet_store::org::units(&mut conn, user.session.account.tenant_id).await?;
    drop(conn);
    let unit_name = |id| units.iter().find(|u| u.id == id).map(|u| u.name.clone()).unwrap_or_default();
    let def = kvalitet_measures::default_definitions().into_iter().find(|d| d.id == result.measure);
    let period_to = import.and_then(|i| i.period_to.parse::<kvalitet_domain::Date>().ok());
    // One line a case: its unit and the most days over the limit among its rows.
    let mut all: Vec<(String, OrgUnitId, Option<i64>)> = Vec::new();
    for r in &rows {
        let over = match (&def, period_to) {
            (Some(def), Some(to)) => {
                super::measure_text::days_over(def, |f| r.dates.iter().find(|(d, _)| *d == f).map(|(_, v)| *v), to)
                    .filter(|d| *d > 0)
            }
            _ => None,
        };
        match all.iter_mut().find(|(c, ..)| *c == r.case_id) {
            Some(seen) => seen.2 = seen.2.max(over),
            None => all.push((r.case_id.clone(), r.unit_id, over)),
        }
    }
    let with_days = all.iter().any(|(.., d)| d.is_some());
    let visible: Vec<(String, String, String)> = all
        .iter()
        .filter(|(_, u, _)| user.may(Permission::ViewCaseData, *u))
        .map(|(c, u, d)| {
            (c.clone(), unit_name(*u), d.map(|d| crate::format::plural(d, "dag", "dagar")).unwrap_or_default())
        })
        .collect();
    let mut tx = state.store.write(&user.actor()).await?;
    audit::record_read_with(&mut tx, "measure_result", id, Some(format!("{{\"cases\":{}}}", visible.len()))).await?;
    tx.commit().await?;
    let scope = match (&result.month, result.unit_id) {
        (Some(m), _) => format!("månaden {m}"),
        (None, Some(u)) => unit_name(u),
        (None, None) => "hela perioden".into(),
    };
    Ok(CasesPage {
        nav: user.nav(),
        name: result.name.clone(),
        scope,
        hidden: all.len() - visible.len(),
        with_days,
        cases: visible,
    })
}
