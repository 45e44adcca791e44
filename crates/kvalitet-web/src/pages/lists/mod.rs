//! Lists across plans: every action, risk, self-inspection and indicator of the plans a
//! person may read, at `/atgarder`, `/risker`, `/egenkontroller` and `/indikatorer`.
//!
//! One mechanism for all four: a kind's module reads its items and declares its filters
//! (through [`Params`], which validates each value of the query string and keeps it for
//! the form) and its columns, and gives a [`Table`]: rows of typed [`Cell`]s. This module
//! sorts the table by the column asked for, pages it, and renders it as the page; the same
//! table, whole, is the XLSX and CSV download (`export.rs`), so a download holds exactly
//! the rows of the page's filters. Every filter is in the URL.

mod actions;
pub mod export;
mod indicators;
mod risks;
mod self_inspections;

use std::cmp::Ordering;
use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};

use kvalitet_domain::access::Tree as _;
use kvalitet_domain::org::{OrgUnit, OrgUnitId};
use kvalitet_domain::plan::{PlanId, QualityPlan};
use kvalitet_domain::{Date, Versioned, swedish_key};
use kvalitet_store::{Column as _, Where, org, plans};

use crate::auth::{Nav, User};
use crate::error::WebResult;
use crate::router::AppState;

/// Rows on one page of a list.
pub const PAGE_SIZE: usize = 50;

/// The four lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListKind {
    Actions,
    Risks,
    SelfInspections,
    Indicators,
}

impl ListKind {
    pub const ALL: [ListKind; 4] =
        [ListKind::Actions, ListKind::Risks, ListKind::SelfInspections, ListKind::Indicators];

    /// The list's path segment (also the items' own pages' first segment).
    pub fn path(self) -> &'static str {
        match self {
            ListKind::Actions => "atgarder",
            ListKind::Risks => "risker",
            ListKind::SelfInspections => "egenkontroller",
            ListKind::Indicators => "indikatorer",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            ListKind::Actions => "Åtgärder",
            ListKind::Risks => "Risker",
            ListKind::SelfInspections => "Egenkontroller",
            ListKind::Indicators => "Kvalitetsindikatorer",
        }
    }

    /// One item and several, for counts ("1 åtgärd", "12 åtgärder").
    fn nouns(self) -> (&'static str, &'static str) {
        match self {
            ListKind::Actions => ("åtgärd", "åtgärder"),
            ListKind::Risks => ("risk", "risker"),
            ListKind::SelfInspections => ("egenkontroll", "egenkontroller"),
            ListKind::Indicators => ("indikator", "indikatorer"),
        }
    }

    pub fn count(self, n: usize) -> String {
        let (one, many) = self.nouns();
        crate::format::plural(n, one, many)
    }

    fn columns(self) -> &'static [Column] {
        match self {
            ListKind::Actions => &actions::COLUMNS,
            ListKind::Risks => &risks::COLUMNS,
            ListKind::SelfInspections => &self_inspections::COLUMNS,
            ListKind::Indicators => &indicators::COLUMNS,
        }
    }

    /// The kind's table: the action list is filtered, sorted and paged by the database
    /// (it grows with every plan: tens of thousands of rows); the others are filtered
    /// here, and make only the page's rows in their default order ([`in_plan_order`]) or
    /// every row, sorted and paged here, in another.
    async fn table(self, state: &AppState, user: &User, params: &mut Params, want: &Want) -> WebResult<Table> {
        let visible = Visible::load(state, user).await?;
        match self {
            ListKind::Actions => actions::table(state, user, &visible, params, want).await,
            ListKind::Risks => risks::table(state, user, &visible, params, want).await,
            ListKind::SelfInspections => self_inspections::table(state, user, &visible, params, want).await,
            ListKind::Indicators => indicators::table(state, user, &visible, params, want).await,
        }
    }
}

/// One cell: what it shows, and what it is for sorting and the spreadsheet.
#[derive(Debug, Clone)]
pub enum Cell {
    Text(String),
    /// Text linking to a page.
    Link(String, String),
    /// A date; `shown` is what the page prints ("2022 (dag okänd)" for an undated one).
    Date(Option<Date>, String),
    /// A number; `shown` is it formatted with its unit.
    Number(Option<f64>, String),
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }

    pub fn date(d: Option<Date>) -> Cell {
        Cell::Date(d, d.map(|d| d.to_string()).unwrap_or_default())
    }

    pub fn shown(&self) -> &str {
        match self {
            Cell::Text(s) | Cell::Link(s, _) | Cell::Date(_, s) | Cell::Number(_, s) => s,
        }
    }

    pub fn href(&self) -> &str {
        match self {
            Cell::Link(_, href) => href,
            _ => "",
        }
    }

    /// What the cell is sorted by: computed once per row, not per comparison.
    fn sort_key(&self) -> SortKey {
        match self {
            Cell::Date(d, _) => SortKey::Date(*d),
            Cell::Number(n, _) => SortKey::Number(*n),
            c => SortKey::Text((!c.shown().is_empty()).then(|| swedish_key(c.shown()))),
        }
    }

    #[cfg(test)]
    fn order(&self, other: &Cell, descending: bool) -> Ordering {
        self.sort_key().order(&other.sort_key(), descending)
    }
}

/// A cell's value for sorting.
enum SortKey {
    Date(Option<Date>),
    Number(Option<f64>),
    Text(Option<String>),
}

impl SortKey {
    /// Compares two cells' keys of one column, either way; empty cells last both ways.
    fn order(&self, other: &SortKey, descending: bool) -> Ordering {
        let way = |o: Ordering| if descending { o.reverse() } else { o };
        match (self, other) {
            (SortKey::Date(a), SortKey::Date(b)) => missing_last(a.as_ref(), b.as_ref(), |a, b| way(a.cmp(b))),
            (SortKey::Number(a), SortKey::Number(b)) => {
                missing_last(a.as_ref(), b.as_ref(), |a, b| way(a.total_cmp(b)))
            }
            (SortKey::Text(a), SortKey::Text(b)) => missing_last(a.as_ref(), b.as_ref(), |a, b| way(a.cmp(b))),
            _ => Ordering::Equal,
        }
    }
}

fn missing_last<T: ?Sized>(a: Option<&T>, b: Option<&T>, cmp: impl Fn(&T, &T) -> Ordering) -> Ordering {
    match (a, b) {
        (Some(a), Some(b)) => cmp(a, b),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

/// A column: its key in the URL (`?sortera=`) and its heading.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub key: &'static str,
    pub heading: &'static str,
}

/// A row; `flag` is a word the row is marked with ("Försenad").
#[derive(Debug, Clone)]
pub struct Row {
    pub cells: Vec<Cell>,
    pub flag: Option<&'static str>,
}

/// A kind's list: every row in its default order (`paged` none: sorted and paged here),
/// or the rows of the page asked for, already sorted (`paged`: the number of rows in the
/// whole list and the page shown).
pub struct Table {
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
    pub paged: Option<(usize, usize)>,
}

impl Table {
    /// Every row, in the default order.
    pub fn all(columns: &[Column], rows: Vec<Row>) -> Table {
        Table { columns: columns.to_vec(), rows, paged: None }
    }
}

/// What the page or download asks of a kind's table: its order, and one page or all rows.
pub struct Want {
    pub sorted: Sorted,
    pub paged: bool,
}

/// A filter as the form shows it.
pub struct Filter {
    pub name: &'static str,
    pub label: &'static str,
    pub input: Input,
    pub value: String,
}

pub enum Input {
    /// A select: the "all" option's text, then (value, text) options.
    Choice(&'static str, Vec<(String, String)>),
    /// A checkbox with its text (value "1").
    Check,
    /// Free text.
    Text,
}

/// The query string, read filter by filter: each declared filter is validated (a value
/// that is not one of its options is an error in Swedish, and the filter is then not
/// applied) and kept for the form and the links.
pub struct Params {
    query: HashMap<String, String>,
    pub filters: Vec<Filter>,
    pub errors: Vec<String>,
}

impl Params {
    pub fn new(query: HashMap<String, String>) -> Params {
        Params { query, filters: Vec::new(), errors: Vec::new() }
    }

    fn raw(&self, name: &str) -> &str {
        self.query.get(name).map_or("", |v| v.trim())
    }

    /// A select among `options`; the chosen value, if any and valid.
    pub fn choice(
        &mut self,
        name: &'static str,
        label: &'static str,
        all: &'static str,
        options: Vec<(String, String)>,
    ) -> Option<String> {
        let value = self.raw(name).to_owned();
        let valid = value.is_empty() || options.iter().any(|(v, _)| *v == value);
        if !valid {
            self.errors.push(format!("{label}: välj ett värde i listan."));
        }
        let chosen = (valid && !value.is_empty()).then(|| value.clone());
        self.filters.push(Filter {
            name,
            label,
            input: Input::Choice(all, options),
            value: chosen.clone().unwrap_or_default(),
        });
        chosen
    }

    /// A checkbox: whether it is ticked.
    pub fn check(&mut self, name: &'static str, label: &'static str) -> bool {
        let on = self.raw(name) == "1";
        self.filters.push(Filter {
            name,
            label,
            input: Input::Check,
            value: if on { "1".into() } else { String::new() },
        });
        on
    }

    /// Free text (at most 200 characters), lower-cased for matching; empty when not given.
    pub fn text(&mut self, name: &'static str, label: &'static str) -> String {
        let mut value = self.raw(name).to_owned();
        if value.chars().count() > 200 {
            self.errors.push(format!("{label}: högst 200 tecken."));
            value = String::new();
        }
        self.filters.push(Filter { name, label, input: Input::Text, value: value.clone() });
        value.to_lowercase()
    }

    /// The filters' values as a query string (for sorting, paging and download links).
    fn filter_query(&self) -> Vec<(&'static str, String)> {
        self.filters.iter().filter(|f| !f.value.is_empty()).map(|f| (f.name, f.value.clone())).collect()
    }
}

/// Pairs as a query string.
pub(crate) fn query_string(pairs: &[(&str, String)]) -> String {
    use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
    /// What a query value keeps as it is (RFC 3986's unreserved characters).
    const VALUE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');
    pairs.iter().map(|(k, v)| format!("{k}={}", utf8_percent_encode(v, VALUE))).collect::<Vec<_>>().join("&")
}

/// The plans a person may read, the tenant's units, and today: what every list starts from.
pub struct Visible {
    pub plans: HashMap<PlanId, Versioned<QualityPlan>>,
    pub units: Vec<Versioned<OrgUnit>>,
    pub today: Date,
    pub tenant: kvalitet_domain::org::TenantId,
}

impl Visible {
    async fn load(state: &AppState, user: &User) -> WebResult<Visible> {
        let tenant = user.session.account.tenant_id;
        let mut conn = state.store.read().await?;
        let plans = plans::list_plans(&mut conn, tenant)
            .await?
            .into_iter()
            .filter(|p| user.may(p.read_permission(), p.scope_id))
            .map(|p| (p.id, p))
            .collect();
        let units = org::units(&mut conn, tenant).await?;
        Ok(Visible { plans, units, today: crate::clock::today(), tenant })
    }

    /// Every item of the tenant's plans, for the kind's query.
    pub fn of_tenant(&self) -> Where {
        Where::sql("plan_id IN (SELECT id FROM quality_plan WHERE tenant_id = $1)", vec![self.tenant.to_value()])
    }

    pub fn unit_name(&self, id: OrgUnitId) -> String {
        self.units.iter().find(|u| u.id == id).map(|u| u.name.clone()).unwrap_or_default()
    }

    /// The cells every list ends with: plan (linked), unit, year.
    pub fn plan_cells(&self, plan: &Versioned<QualityPlan>, unit: OrgUnitId) -> [Cell; 3] {
        [
            Cell::Link(plan.title.clone(), format!("/planer/{}", plan.id)),
            Cell::Text(self.unit_name(unit)),
            Cell::Number(Some(plan.year as f64), plan.year.to_string()),
        ]
    }

    /// The year, plan and unit filters every list has.
    pub fn plan_filter(&self, user: &User, params: &mut Params) -> PlanFilter {
        let mut years: Vec<i64> = self.plans.values().map(|p| p.year).collect();
        years.sort_unstable_by(|a, b| b.cmp(a));
        years.dedup();
        let year = params
            .choice("ar", "År", "Alla år", years.iter().map(|y| (y.to_string(), y.to_string())).collect())
            .and_then(|y| y.parse().ok());
        let mut plans: Vec<&Versioned<QualityPlan>> = self.plans.values().collect();
        plans.sort_by_cached_key(|p| (-p.year, swedish_key(&p.title)));
        let plan = params
            .choice("plan", "Plan", "Alla planer", plans.iter().map(|p| (p.id.to_string(), p.title.clone())).collect())
            .and_then(|p| p.parse().ok())
            .map(PlanId::new);
        // The units that hold a plan's scope (within them lies a plan's scope).
        let holding = user.tree.with_ancestors(self.plans.values().map(|p| p.scope_id));
        let units =
            self.units.iter().filter(|u| holding.contains(&u.id)).map(|u| (u.id.to_string(), u.name.clone())).collect();
        let unit =
            params.choice("enhet", "Enhet", "Alla enheter", units).and_then(|u| u.parse().ok()).map(OrgUnitId::new);
        PlanFilter { year, plan, unit }
    }
}

/// The year, plan and part of the org tree a list is narrowed to.
pub struct PlanFilter {
    pub year: Option<i64>,
    pub plan: Option<PlanId>,
    pub unit: Option<OrgUnitId>,
}

impl PlanFilter {
    /// The plan of an item, if the item is listed: its plan is visible and matches, and
    /// the item's unit lies within the chosen unit.
    pub fn keeps<'a>(
        &self,
        user: &User,
        visible: &'a Visible,
        plan: PlanId,
        unit: impl FnOnce(&QualityPlan) -> OrgUnitId,
    ) -> Option<(&'a Versioned<QualityPlan>, OrgUnitId)> {
        let p = visible.plans.get(&plan)?;
        let unit = unit(&p.item);
        let keep = self.year.is_none_or(|y| p.year == y)
            && self.plan.is_none_or(|id| p.id == id)
            && self.unit.is_none_or(|u| user.tree.is_within(unit, u));
        keep.then_some((p, unit))
    }
}

/// Ranks of keys: equal keys share a rank, as equal keys in a stable sort keep their order.
pub fn dense<K: Ord + Clone + std::hash::Hash>(keys: &[K]) -> HashMap<K, i64> {
    let mut sorted = keys.to_vec();
    sorted.sort();
    sorted.dedup();
    sorted.into_iter().zip(0..).collect()
}

/// The listed plans (visible, and within the year, plan and unit chosen) with their
/// places in the lists' default order: newest year first, then title (equal places,
/// equal ranks).
pub fn plan_ranks(user: &User, visible: &Visible, scope: &PlanFilter) -> Vec<(PlanId, i64)> {
    let plans: Vec<_> =
        visible.plans.keys().filter_map(|&id| scope.keeps(user, visible, id, |p| p.scope_id)).map(|(p, _)| p).collect();
    let keys: Vec<_> = plans.iter().map(|p| (-p.year, swedish_key(&p.title))).collect();
    let ranks = dense(&keys);
    plans.iter().zip(&keys).map(|(p, k)| (p.id, ranks[k])).collect()
}

/// A listed item before its row is made: its plan, its place in the plan, and how its
/// row is made.
pub struct Listed<'a> {
    pub plan: &'a Versioned<QualityPlan>,
    pub order: i64,
    pub id: i64,
    pub row: Box<dyn FnOnce() -> Row + 'a>,
}

/// The listed items in the lists' default order (newest year first, then plan by title,
/// then the items' order in their plan) made into rows: for a page in that order only the
/// page's rows are made (a list of 10 000 risks makes 50 rows, not 10 000); for another
/// order or a download, every row.
pub fn in_plan_order(columns: &[Column], mut items: Vec<Listed>, want: &Want, params: &mut Params) -> Table {
    let mut titles: HashMap<PlanId, String> = HashMap::new();
    for item in &items {
        titles.entry(item.plan.id).or_insert_with(|| swedish_key(&item.plan.title));
    }
    items.sort_by(|a, b| {
        (-a.plan.year, &titles[&a.plan.id], a.order, a.id).cmp(&(-b.plan.year, &titles[&b.plan.id], b.order, b.id))
    });
    if want.paged && want.sorted.column.is_none() {
        let total = items.len();
        let page = page_number(params, total.div_ceil(PAGE_SIZE));
        let rows = items.into_iter().skip((page - 1) * PAGE_SIZE).take(PAGE_SIZE).map(|i| (i.row)()).collect();
        Table { columns: columns.to_vec(), rows, paged: Some((total, page)) }
    } else {
        Table::all(columns, items.into_iter().map(|i| (i.row)()).collect())
    }
}

/// The order asked for (`?sortera=&ordning=fallande`): a column of the kind's, or none
/// (the default order).
pub struct Sorted {
    pub column: Option<usize>,
    pub descending: bool,
}

impl Sorted {
    fn key(&self, kind: ListKind) -> Option<&'static str> {
        self.column.map(|i| kind.columns()[i].key)
    }
}

fn sorting(kind: ListKind, params: &mut Params) -> Sorted {
    let asked = params.raw("sortera").to_owned();
    let descending = params.raw("ordning") == "fallande";
    let column = kind.columns().iter().position(|c| c.key == asked);
    if !asked.is_empty() && column.is_none() {
        params.errors.push("Sortering: välj en kolumn i listan.".into());
    }
    Sorted { column, descending }
}

/// Sorts a table given whole by the column asked for (a stable sort: equal rows keep the
/// default order).
fn sort(table: &mut Table, sorted: &Sorted) {
    if let (Some(i), None) = (sorted.column, table.paged) {
        let mut keyed: Vec<(SortKey, Row)> =
            std::mem::take(&mut table.rows).into_iter().map(|r| (r.cells[i].sort_key(), r)).collect();
        keyed.sort_by(|a, b| a.0.order(&b.0, sorted.descending));
        table.rows = keyed.into_iter().map(|(_, r)| r).collect();
    }
}

/// A column heading on the page: its link sorts by it (the other way if it is sorted).
pub struct Heading {
    pub text: &'static str,
    pub href: String,
    /// `ascending`, `descending` or empty, for `aria-sort`.
    pub sorted: &'static str,
}

pub struct ShownRow {
    pub cells: Vec<Cell>,
    pub flag: Option<&'static str>,
}

#[derive(Template, WebTemplate)]
#[template(path = "list.html")]
pub struct ListPage {
    pub nav: Nav,
    pub title: &'static str,
    pub path: &'static str,
    /// The other lists: (path, title, whether this one).
    pub tabs: Vec<(&'static str, &'static str, bool)>,
    pub filters: Vec<Filter>,
    pub errors: Vec<String>,
    pub headings: Vec<Heading>,
    pub rows: Vec<ShownRow>,
    /// "Visar 1–50 av 1 234 åtgärder".
    pub count: String,
    pub previous: String,
    pub next: String,
    pub page_of: String,
    /// The filters and sorting as a query string, for the downloads.
    pub query: String,
}

/// The page number asked for (1-based), within the pages there are.
pub fn page_number(params: &mut Params, pages: usize) -> usize {
    match params.raw("sida") {
        "" => 1,
        s => match s.parse::<usize>() {
            Ok(n) if n >= 1 => n.min(pages.max(1)),
            _ => {
                params.errors.push("Sida: ange ett sidnummer.".into());
                1
            }
        },
    }
}

/// `GET /{list}`: the list's page.
pub async fn page(kind: ListKind, state: AppState, user: User, q: HashMap<String, String>) -> WebResult<ListPage> {
    let mut params = Params::new(q);
    let want = Want { sorted: sorting(kind, &mut params), paged: true };
    let mut table = kind.table(&state, &user, &mut params, &want).await?;
    sort(&mut table, &want.sorted);
    let (total, page, rows) = match table.paged {
        Some((total, page)) => (total, page, table.rows),
        None => {
            let total = table.rows.len();
            let page = page_number(&mut params, total.div_ceil(PAGE_SIZE));
            (total, page, table.rows.into_iter().skip((page - 1) * PAGE_SIZE).take(PAGE_SIZE).collect())
        }
    };
    let pages = total.div_ceil(PAGE_SIZE);
    let sorted = &want.sorted;
    let filters = params.filter_query();
    let mut sorting = filters.clone();
    if let Some(key) = sorted.key(kind) {
        sorting.push(("sortera", key.to_owned()));
        if sorted.descending {
            sorting.push(("ordning", "fallande".to_owned()));
        }
    }
    let link = |pairs: &[(&str, String)]| {
        let q = query_string(pairs);
        if q.is_empty() { format!("/{}", kind.path()) } else { format!("/{}?{q}", kind.path()) }
    };
    let headings = table
        .columns
        .iter()
        .map(|c| {
            let this = sorted.key(kind) == Some(c.key);
            let mut pairs = filters.clone();
            pairs.push(("sortera", c.key.to_owned()));
            if this && !sorted.descending {
                pairs.push(("ordning", "fallande".to_owned()));
            }
            Heading {
                text: c.heading,
                href: link(&pairs),
                sorted: match (this, sorted.descending) {
                    (false, _) => "",
                    (true, false) => "ascending",
                    (true, true) => "descending",
                },
            }
        })
        .collect();
    let at = |n: usize| {
        let mut pairs = sorting.clone();
        if n > 1 {
            pairs.push(("sida", n.to_string()));
        }
        link(&pairs)
    };
    let first = (page - 1) * PAGE_SIZE;
    let rows: Vec<ShownRow> = rows.into_iter().map(|r: Row| ShownRow { cells: r.cells, flag: r.flag }).collect();
    let count = match total {
        0 => format!("Inga {} i urvalet.", kind.nouns().1),
        n if n <= PAGE_SIZE => format!("{} i urvalet.", capitalised(&kind.count(n))),
        n => format!("Visar {}–{} av {}.", first + 1, first + rows.len(), kind.count(n)),
    };
    Ok(ListPage {
        nav: user.nav(),
        title: kind.title(),
        path: kind.path(),
        tabs: ListKind::ALL.iter().map(|k| (k.path(), k.title(), *k == kind)).collect(),
        filters: params.filters,
        errors: params.errors,
        headings,
        rows,
        count,
        previous: if page > 1 { at(page - 1) } else { String::new() },
        next: if page < pages { at(page + 1) } else { String::new() },
        page_of: if pages > 1 { format!("Sida {page} av {pages}") } else { String::new() },
        query: query_string(&sorting),
    })
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

/// `GET /{list}.xlsx` and `.csv`: the whole list with the page's filters and sorting.
pub async fn download(
    kind: ListKind,
    format: export::Format,
    state: AppState,
    user: User,
    q: HashMap<String, String>,
) -> WebResult<Response> {
    let mut params = Params::new(q);
    let want = Want { sorted: sorting(kind, &mut params), paged: false };
    let mut table = kind.table(&state, &user, &mut params, &want).await?;
    sort(&mut table, &want.sorted);
    Ok(export::response(kind, format, &table)?.into_response())
}

/// The routes of the lists: the page and its downloads, per kind.
pub fn routes() -> Vec<(&'static str, String, axum::routing::MethodRouter<AppState>)> {
    use axum::routing::get;
    ListKind::ALL
        .iter()
        .flat_map(|&kind| {
            let p = kind.path();
            [
                (
                    "GET",
                    format!("/{p}"),
                    get(move |State(s): State<AppState>, u: User, Query(q): Query<HashMap<String, String>>| {
                        page(kind, s, u, q)
                    }),
                ),
                (
                    "GET",
                    format!("/{p}.xlsx"),
                    get(move |State(s): State<AppState>, u: User, Query(q): Query<HashMap<String, String>>| {
                        download(kind, export::Format::Xlsx, s, u, q)
                    }),
                ),
                (
                    "GET",
                    format!("/{p}.csv"),
                    get(move |State(s): State<AppState>, u: User, Query(q): Query<HashMap<String, String>>| {
                        download(kind, export::Format::Csv, s, u, q)
                    }),
                ),
            ]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swedish_order_puts_a_ring_before_a_umlaut_before_o_umlaut() {
        let mut v = vec!["Örebro", "Ängelholm", "Åre", "Zinkgruvan", "arvika"];
        v.sort_by_key(|s| swedish_key(s));
        assert_eq!(v, ["arvika", "Zinkgruvan", "Åre", "Ängelholm", "Örebro"]);
    }

    #[test]
    fn empty_cells_sort_last_both_ways() {
        let d = |s: Option<&str>| Cell::date(s.map(|s| s.parse().unwrap()));
        let (a, none) = (d(Some("2024-01-01")), d(None));
        for descending in [false, true] {
            assert_eq!(a.order(&none, descending), Ordering::Less);
            assert_eq!(none.order(&a, descending), Ordering::Greater);
        }
    }
}
