//! The list of one year's deviations (`?ar=`, narrowed by kind, unit and status; voided
//! reports apart with `?makulerade=1`) and the year's counts against last year: per unit
//! and kind with a total row, per quarter, per category, lex Sarah's decided assessments
//! and the complaints. Counts are aggregates and not logged; every report listed is.

use std::collections::HashMap;
use std::fmt;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};

use kvalitet_domain::access::{self, Permission, Tree};
use kvalitet_domain::deviation::{
    CategoryDimension, Deviation, DeviationCategory, DeviationKind, DeviationStatus, DeviationTally, LexSarahCategory,
};
use kvalitet_domain::deviation_stats::{self as stats, Counted};
use kvalitet_domain::org::{OrgUnit, OrgUnitId};
use kvalitet_domain::{Code, Versioned};
use kvalitet_store::{Column, Where, audit, deviations, org, repo};
use sqlx::AnyConnection;

use super::super::PageNav;
use super::{kinds, today, unit_name};
use crate::auth::{Nav, User};
use crate::error::{WebError, WebResult};
use crate::router::AppState;

/// A count, or "–" where nothing is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Count(pub Option<i64>);

impl fmt::Display for Count {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(n) => write!(f, "{n}"),
            None => f.write_str("–"),
        }
    }
}

/// What the list shows: the year, and optionally one kind, one part of the tree, one
/// status; voided reports only when asked for.
#[derive(Debug, Clone)]
pub struct Filters {
    pub year: i64,
    pub kind: Option<DeviationKind>,
    pub unit: Option<OrgUnitId>,
    pub status: Option<DeviationStatus>,
    pub voided: bool,
    /// The page of the list asked for (`sida`), from 1.
    pub page: usize,
    /// What was wrong with the query, in Swedish (the year then is this year).
    pub errors: Vec<String>,
}

impl Filters {
    pub fn parse(q: &HashMap<String, String>) -> Filters {
        let mut errors = Vec::new();
        let this_year = i64::from(today().year());
        let year = match q.get("ar").map(|y| y.trim()).filter(|y| !y.is_empty()) {
            None => this_year,
            Some(y) => match y.parse::<i64>() {
                Ok(y) if (2000..=2100).contains(&y) => y,
                _ => {
                    errors.push(format!("År: ange ett årtal mellan 2000 och 2100. Visar {this_year}."));
                    this_year
                }
            },
        };
        let kind = match q.get("slag").map(String::as_str).unwrap_or("") {
            "" => None,
            code => DeviationKind::from_code(code).or_else(|| {
                errors.push("Slag: välj ett slag i listan.".into());
                None
            }),
        };
        let status = match q.get("status").map(String::as_str).unwrap_or("") {
            "" => None,
            code => DeviationStatus::from_code(code).or_else(|| {
                errors.push("Status: välj en status i listan.".into());
                None
            }),
        };
        let unit = match q.get("enhet").map(String::as_str).unwrap_or("") {
            "" => None,
            id => id.parse::<i64>().ok().map(OrgUnitId::new).or_else(|| {
                errors.push("Enhet: välj en enhet i listan.".into());
                None
            }),
        };
        let voided = q.get("makulerade").is_some_and(|v| v == "1");
        let page = match q.get("sida").map(|p| p.trim()).unwrap_or("") {
            "" => 1,
            n => n.parse::<usize>().ok().filter(|n| *n >= 1).unwrap_or_else(|| {
                errors.push("Sida: ange ett sidnummer.".into());
                1
            }),
        };
        Filters { year, kind, unit, status, voided, page, errors }
    }

    /// The reports the filters list that `user` may view (the voided ones, or the others).
    pub fn list_query(&self, user: &User, voided: bool) -> deviations::ListQuery {
        let units = match self.unit {
            None => user.units_where(Permission::ViewDeviations),
            Some(top) => Some(
                user.tree
                    .units()
                    .iter()
                    .copied()
                    .filter(|u| user.tree.is_within(*u, top) && user.may(Permission::ViewDeviations, *u))
                    .collect(),
            ),
        };
        deviations::ListQuery {
            tenant: user.session.account.tenant_id,
            units,
            year: self.year,
            unit: None,
            kind: self.kind,
            status: self.status,
            voided,
        }
    }

    /// The filters as a query string, for links (without `makulerade` and the page).
    pub fn query(&self) -> String {
        let mut q = format!("ar={}", self.year);
        if let Some(k) = self.kind {
            q.push_str(&format!("&slag={}", k.code()));
        }
        if let Some(u) = self.unit {
            q.push_str(&format!("&enhet={u}"));
        }
        if let Some(s) = self.status {
            q.push_str(&format!("&status={}", s.code()));
        }
        q
    }
}

/// What the year's counts read: the tenant's units, what the user may see of the
/// reports of the year and the one before (as counted, not whole), and their tallies.
pub struct Loaded {
    pub units: Vec<Versioned<OrgUnit>>,
    /// The reports of the units the user may view reported in the year or the one before
    /// (the counts compare the two), grouped as the counts read them.
    pub counted: Vec<Counted>,
    /// The years that have reports of the units the user may view.
    pub years: Vec<i64>,
    pub tallies: Vec<Versioned<DeviationTally>>,
    pub categories: Vec<Versioned<DeviationCategory>>,
}

/// What the counts of `year` against the year before read.
pub async fn load(conn: &mut AnyConnection, user: &User, year: i64) -> WebResult<Loaded> {
    let tenant = user.session.account.tenant_id;
    let units = org::units(&mut *conn, tenant).await?;
    let reach = user.units_where(Permission::ViewDeviations);
    let counted = deviations::counted(&mut *conn, tenant, reach.as_deref(), year - 1, year).await?;
    let mut years: Vec<i64> = deviations::report_years(&mut *conn, tenant)
        .await?
        .into_iter()
        .filter(|(_, unit)| user.may(Permission::ViewDeviations, *unit))
        .map(|(year, _)| year)
        .collect();
    years.sort_unstable();
    years.dedup();
    let mut tallies: Vec<Versioned<DeviationTally>> =
        repo::list(&mut *conn, Where::sql("tenant_id = $1", vec![tenant.to_value()])).await?;
    let categories = deviations::categories(&mut *conn, tenant).await?;
    tallies.retain(|t| user.may(Permission::ViewDeviations, t.unit_id));
    Ok(Loaded { units, counted, years, tallies, categories })
}

impl Loaded {
    fn category_name(&self, id: Option<kvalitet_domain::deviation::DeviationCategoryId>) -> String {
        id.and_then(|id| self.categories.iter().find(|c| c.id == id)).map(|c| c.name.clone()).unwrap_or_default()
    }

    /// A report's categories, "Typ: …; Plats: …" (the dimension names in `names`).
    pub fn categories_of(&self, d: &Deviation, names: impl Fn(CategoryDimension) -> &'static str) -> String {
        CategoryDimension::ALL
            .iter()
            .filter_map(|dim| {
                let name = self.category_name(d.category(*dim));
                (!name.is_empty()).then(|| format!("{}: {name}", names(*dim)))
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// One row of a table of this year against last year.
pub struct YearRow {
    pub label: String,
    /// A code the template names (a kind, a category's dimension, …), or empty.
    pub code: &'static str,
    pub inactive: bool,
    pub this: Count,
    pub last: Count,
}

pub struct UnitCounts {
    pub unit: String,
    /// Per kind: (this year, last year).
    pub counts: Vec<(Count, Count)>,
}

pub struct QuarterRow {
    pub unit: String,
    pub quarters: [Count; 4],
    pub year: Count,
}

pub struct DimensionTable {
    pub dimension: &'static str,
    pub rows: Vec<YearRow>,
}

/// The year's complaints; the value codes are named by the template ("" = not recorded).
pub struct ComplaintsView {
    pub registered: i64,
    pub tallied: i64,
    pub by_complainant: Vec<(&'static str, i64)>,
    pub by_channel: Vec<(&'static str, i64)>,
    pub by_outcome: Vec<(&'static str, i64)>,
    pub answered: i64,
    pub median_days: String,
}

/// The year's counts, for the page and the workbook.
pub struct Summary {
    pub year: i64,
    pub kinds: Vec<&'static str>,
    pub by_unit: Vec<UnitCounts>,
    pub total: Vec<(Count, Count)>,
    pub quarters: Vec<QuarterRow>,
    pub quarter_total: [Count; 4],
    pub quarter_year_total: Count,
    pub categories: Vec<DimensionTable>,
    pub lex_sarah: Vec<YearRow>,
    pub complaints: Option<ComplaintsView>,
}

fn codes<T: Code>(v: &[(Option<T>, i64)]) -> Vec<(&'static str, i64)> {
    v.iter().map(|(c, n)| (c.map_or("", |c| c.code()), *n)).collect()
}

pub fn summary(loaded: &Loaded, user: &User, year: i64) -> Summary {
    let last = year - 1;
    let all: Vec<&Counted> = loaded.counted.iter().collect();
    let all_tallies: Vec<&DeviationTally> = loaded.tallies.iter().map(|t| &t.item).collect();
    let mut by_unit = Vec::new();
    let mut quarters = Vec::new();
    let mut records_of: HashMap<OrgUnitId, Vec<&Counted>> = HashMap::new();
    for d in &all {
        records_of.entry(d.unit_id).or_default().push(d);
    }
    let mut tallies_of: HashMap<OrgUnitId, Vec<&DeviationTally>> = HashMap::new();
    for t in &all_tallies {
        tallies_of.entry(t.unit_id).or_default().push(t);
    }
    for u in loaded.units.iter().filter(|u| user.may(Permission::ViewDeviations, u.id)) {
        let recs = records_of.remove(&u.id).unwrap_or_default();
        let tals = tallies_of.remove(&u.id).unwrap_or_default();
        if !stats::is_known(&recs, &tals, year) && !stats::is_known(&recs, &tals, last) {
            continue;
        }
        let counts = DeviationKind::ALL
            .iter()
            .map(|k| {
                (Count(stats::kind_count(&recs, &tals, *k, year)), Count(stats::kind_count(&recs, &tals, *k, last)))
            })
            .collect();
        by_unit.push(UnitCounts { unit: u.name.clone(), counts });
        if stats::is_known(&recs, &tals, year) {
            let q = stats::quarter_counts(&recs, &tals, year);
            quarters.push(QuarterRow { unit: u.name.clone(), quarters: q.map(Count), year: Count(stats::total(q)) });
        }
    }
    let total = (0..DeviationKind::ALL.len())
        .map(|i| {
            (
                Count(stats::total(by_unit.iter().map(|u| u.counts[i].0.0))),
                Count(stats::total(by_unit.iter().map(|u| u.counts[i].1.0))),
            )
        })
        .collect();
    let quarter_total = [0, 1, 2, 3].map(|i| Count(stats::total(quarters.iter().map(|q| q.quarters[i].0))));
    let quarter_year_total = Count(stats::total(quarters.iter().map(|q| q.year.0)));
    let categories = CategoryDimension::ALL
        .iter()
        .filter_map(|dim| {
            let of_dim: Vec<&Versioned<DeviationCategory>> =
                loaded.categories.iter().filter(|c| c.dimension == *dim).collect();
            if of_dim.is_empty() {
                return None;
            }
            let count = |c, y| Count(stats::category_count(&all, &all_tallies, *dim, c, y));
            let mut rows: Vec<YearRow> = of_dim
                .iter()
                .map(|c| YearRow {
                    label: c.name.clone(),
                    code: "",
                    inactive: !c.active,
                    this: count(Some(c.id), year),
                    last: count(Some(c.id), last),
                })
                .filter(|r| !r.inactive || r.this.0.unwrap_or(0) + r.last.0.unwrap_or(0) > 0)
                .collect();
            rows.push(YearRow {
                label: String::new(),
                code: "none",
                inactive: false,
                this: count(None, year),
                last: count(None, last),
            });
            Some(DimensionTable { dimension: dim.code(), rows })
        })
        .collect();
    let lex_sarah = LexSarahCategory::ALL
        .iter()
        .map(|c| YearRow {
            label: String::new(),
            code: c.code(),
            inactive: false,
            this: Count(stats::lex_sarah_count(&all, &all_tallies, *c, year)),
            last: Count(stats::lex_sarah_count(&all, &all_tallies, *c, last)),
        })
        .collect();
    let complaints = stats::complaints(&all, &all_tallies, year).map(|s| ComplaintsView {
        registered: s.registered,
        tallied: s.tallied,
        by_complainant: codes(&s.by_complainant),
        by_channel: codes(&s.by_channel),
        by_outcome: codes(&s.by_outcome),
        answered: s.answered,
        median_days: s.median_days_to_answer.map(crate::format::number).unwrap_or_else(|| "–".into()),
    });
    Summary {
        year,
        kinds: kinds(),
        by_unit,
        total,
        quarters,
        quarter_total,
        quarter_year_total,
        categories,
        lex_sarah,
        complaints,
    }
}

pub struct Row {
    pub href: String,
    pub reference: String,
    pub title: String,
    pub unit: String,
    pub kind: &'static str,
    pub status: &'static str,
    pub reported_on: String,
    pub voided_on: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "deviations.html")]
pub struct ListPage {
    pub nav: Nav,
    pub year: i64,
    pub years: Vec<i64>,
    pub kinds: Vec<&'static str>,
    pub statuses: Vec<&'static str>,
    /// The parts of the tree the user may view, for the unit filter.
    pub units: Vec<(i64, String)>,
    pub kind: &'static str,
    pub status: &'static str,
    pub unit: i64,
    pub voided: bool,
    pub query: String,
    pub errors: Vec<String>,
    pub summary: Summary,
    /// The year's reports, a page of `PER_PAGE` at a time.
    pub rows: Vec<Row>,
    pub voided_rows: Vec<Row>,
    /// Where the page is, when the year's reports fill more than one.
    pub pager: Option<PageNav>,
    pub may_view: bool,
    pub may_register: bool,
    pub may_settle: bool,
}

fn row(units: &[Versioned<OrgUnit>], d: &Versioned<Deviation>) -> Row {
    Row {
        href: format!("/avvikelser/{}", d.id),
        reference: d.reference(d.id),
        title: d.title.clone(),
        unit: unit_name(units, d.unit_id),
        kind: d.kind.code(),
        status: d.status.code(),
        reported_on: kvalitet_domain::shown_date(d.reported_on, d.undated),
        voided_on: d.voided_on.map(|v| v.to_string()).unwrap_or_default(),
    }
}

/// The reports a page of the list shows.
pub const PER_PAGE: usize = 50;

/// Records that `ids` were read (`audit::record_reads`), in one transaction.
pub async fn log_reads(state: &AppState, user: &User, ids: impl IntoIterator<Item = i64>) -> WebResult<()> {
    let ids: Vec<i64> = ids.into_iter().collect();
    if !ids.is_empty() {
        let mut tx = state.store.write(&user.actor()).await?;
        audit::record_reads(&mut tx, "deviation", &ids).await?;
        tx.commit().await?;
    }
    Ok(())
}

pub async fn list(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<HashMap<String, String>>,
) -> WebResult<ListPage> {
    let may_view = access::allows_somewhere(user.assignments(), Permission::ViewDeviations);
    let may_register = access::allows_somewhere(user.assignments(), Permission::RegisterDeviation);
    if !may_view && !may_register {
        return Err(WebError::Forbidden);
    }
    let mut filters = Filters::parse(&q);
    let (loaded, total, kept, voided) = if may_view {
        let mut conn = state.store.read().await?;
        let loaded = load(&mut conn, &user, filters.year).await?;
        // A page of the year's reports; only what is shown is logged as read.
        let query = filters.list_query(&user, false);
        let window = |page: usize| (PER_PAGE as i64, ((page - 1) * PER_PAGE) as i64);
        let (mut total, mut kept) = {
            let (limit, offset) = window(filters.page);
            deviations::page(&mut conn, &query, limit, offset).await?
        };
        let last = (total as usize).div_ceil(PER_PAGE).max(1);
        if filters.page > last {
            // Past the end: the last page.
            filters.page = last;
            let (limit, offset) = window(last);
            (total, kept) = deviations::page(&mut conn, &query, limit, offset).await?;
        }
        let voided = if filters.voided {
            deviations::listed(&mut conn, &filters.list_query(&user, true)).await?
        } else {
            vec![]
        };
        (loaded, total as usize, kept, voided)
    } else {
        let none = Loaded { units: vec![], counted: vec![], years: vec![], tallies: vec![], categories: vec![] };
        (none, 0, vec![], vec![])
    };
    log_reads(&state, &user, kept.iter().chain(voided.iter()).map(|d| d.id.get())).await?;
    let (page, pages) = (filters.page, total.div_ceil(PER_PAGE).max(1));
    let start = (page - 1) * PER_PAGE;
    let link = |n: usize| {
        format!("/avvikelser?{}&sida={n}{}", filters.query(), if filters.voided { "&makulerade=1" } else { "" })
    };
    let pager = (pages > 1).then(|| PageNav {
        shown: format!(
            "Visar {}–{} av {} ärenden.",
            start + 1,
            start + kept.len(),
            crate::format::number(total as f64)
        ),
        page_of: format!("Sida {page} av {pages}"),
        previous: if page > 1 { link(page - 1) } else { String::new() },
        next: if page < pages { link(page + 1) } else { String::new() },
    });
    let this_year = i64::from(today().year());
    let mut years: Vec<i64> = loaded
        .years
        .iter()
        .copied()
        .chain(loaded.tallies.iter().map(|t| t.year))
        .chain([this_year, filters.year])
        .collect();
    years.sort_unstable_by(|a, b| b.cmp(a));
    years.dedup();
    let units = loaded
        .units
        .iter()
        .filter(|u| user.may(Permission::ViewDeviations, u.id))
        .map(|u| (u.id.get(), u.name.clone()))
        .collect();
    Ok(ListPage {
        nav: user.nav(),
        year: filters.year,
        years,
        kinds: kinds(),
        statuses: DeviationStatus::ALL.iter().map(|s| s.code()).collect(),
        units,
        kind: filters.kind.map_or("", |k| k.code()),
        status: filters.status.map_or("", |s| s.code()),
        unit: filters.unit.map_or(0, |u| u.get()),
        voided: filters.voided,
        query: filters.query(),
        errors: filters.errors.clone(),
        summary: summary(&loaded, &user, filters.year),
        rows: kept.iter().map(|d| row(&loaded.units, d)).collect(),
        voided_rows: voided.iter().map(|d| row(&loaded.units, d)).collect(),
        pager,
        may_view,
        may_register,
        may_settle: user.tree.top().is_some_and(|top| user.may(Permission::ManageOrganisation, top)),
    })
}
