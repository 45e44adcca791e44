//! The start page: what waits for the user, and the plans and reports they may read, a
//! page at a time.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};

use kvalitet_domain::Code;
use kvalitet_store::{org, plans};

use kvalitet_domain::access::Permission;

use std::collections::HashMap;

use crate::auth::{Nav, User};
use crate::error::WebResult;
use crate::pages::deviations::today;
use crate::router::AppState;

/// Something waiting for the user: what, where, since when.
pub struct Todo {
    pub kind: &'static str,
    pub href: String,
    pub title: String,
    pub context: String,
    pub since: String,
    /// A sensitive record shown by its title (a deviation), whose read is logged.
    pub sensitive: Option<i64>,
    /// Past its due date (an IVO report not made in time).
    pub overdue: bool,
}

pub struct Row {
    pub href: String,
    pub title: String,
    pub year: i64,
    pub scope: String,
    pub state: &'static str,
    pub date: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "start.html")]
pub struct StartPage {
    pub nav: Nav,
    pub today: String,
    pub todo: Vec<Todo>,
    /// Items of each kind beyond the first [`SHOWN_PER_KIND`]: (kind, how many more, and
    /// whether that is a lower bound because only the first of the kind were read).
    pub more: Vec<(&'static str, usize, bool)>,
    pub tenant: String,
    /// The page of the plans the user may read, newest year first.
    pub plans: Vec<Row>,
    pub plan_pager: Pager,
    pub reports: Vec<Row>,
    pub report_pager: Pager,
    /// Whether the user may start a new plan somewhere.
    pub may_create_plan: bool,
    /// "Mina uppgifter": how many actions and self-inspections the user is named
    /// responsible for (those the page lists).
    pub my_actions: usize,
    pub my_self_inspections: usize,
}

/// Plans and reports listed a page at a time.
const PER_PAGE: i64 = 20;

/// Where a paged list on the start page stands, and its links to the pages around.
pub struct Pager {
    /// "Du kan läsa 311 kvalitetsplaner. Här visas 21–40." (empty when one page holds all).
    pub shown: String,
    pub previous: String,
    pub next: String,
}

/// The pager of a list of `total` at `page`; `link` makes the address of another page.
fn pager(total: i64, page: i64, noun: (&str, &str), link: impl Fn(i64) -> String) -> Pager {
    if total <= PER_PAGE {
        return Pager { shown: String::new(), previous: String::new(), next: String::new() };
    }
    let first = (page - 1) * PER_PAGE + 1;
    let last = (page * PER_PAGE).min(total);
    let shown = if first > total {
        format!("Du kan läsa {}. Det finns ingen sida {page}.", crate::format::plural(total as usize, noun.0, noun.1))
    } else {
        format!("Du kan läsa {}. Här visas {first}–{last}.", crate::format::plural(total as usize, noun.0, noun.1))
    };
    Pager {
        shown,
        previous: if page > 1 { link((page - 1).min((total + PER_PAGE - 1) / PER_PAGE)) } else { String::new() },
        next: if last < total && first <= total { link(page + 1) } else { String::new() },
    }
}

/// A page number from the query (`sida`, `berattelsesida`): 1 unless a whole number from 1.
fn page_param(q: &HashMap<String, String>, name: &str) -> i64 {
    q.get(name).and_then(|v| v.trim().parse::<i64>().ok()).filter(|p| (1..=100_000).contains(p)).unwrap_or(1)
}

pub async fn show(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<HashMap<String, String>>,
) -> WebResult<StartPage> {
    let (plan_page, report_page) = (page_param(&q, "sida"), page_param(&q, "berattelsesida"));
    let mut conn = state.store.read().await?;
    let tenant =
        kvalitet_store::repo::get::<kvalitet_domain::org::Tenant>(&mut conn, user.session.account.tenant_id).await?;
    // Only the page shown of what the user may read, counted and paged by the database.
    let (adopted_in, drafts_in) = (user.units_where(Permission::ViewPlan), user.units_where(Permission::ViewDraft));
    let query = plans::PlanQuery {
        tenant: tenant.id,
        adopted_in: adopted_in.clone(),
        drafts_in: drafts_in.clone(),
        year: None,
        unit: None,
        state: None,
    };
    let (plan_total, plan_rows) = plans::page(&mut conn, &query, PER_PAGE, (plan_page - 1) * PER_PAGE).await?;
    let (report_total, report_rows) = kvalitet_store::reports::page(
        &mut conn,
        tenant.id,
        &adopted_in,
        &drafts_in,
        PER_PAGE,
        (report_page - 1) * PER_PAGE,
    )
    .await?;
    // The names of the shown plans' and reports' units only.
    let scopes = plan_rows.iter().map(|p| p.scope_id).chain(report_rows.iter().map(|r| r.scope_id));
    let names = org::names(&mut conn, tenant.id, scopes).await?;
    let scope_name = |id| names.get(&id).cloned().unwrap_or_default();
    let plans = plan_rows
        .into_iter()
        .map(|p| Row {
            href: format!("/planer/{}", p.id),
            title: p.title.clone(),
            year: p.year,
            scope: scope_name(p.scope_id),
            state: p.state.code(),
            date: p.adopted_on.map(|d| d.to_string()).unwrap_or_default(),
        })
        .collect();
    let reports = report_rows
        .into_iter()
        .map(|r| Row {
            href: format!("/berattelser/{}", r.id),
            title: r.title.clone(),
            year: r.year,
            scope: scope_name(r.scope_id),
            state: r.state.code(),
            date: r.submitted_on.map(|d| d.to_string()).unwrap_or_default(),
        })
        .collect();
    let plan_pager = pager(plan_total, plan_page, ("kvalitetsplan", "kvalitetsplaner"), |p| {
        format!("/?sida={p}&berattelsesida={report_page}#planer")
    });
    let report_pager = pager(report_total, report_page, ("kvalitetsberättelse", "kvalitetsberättelser"), |p| {
        format!("/?sida={plan_page}&berattelsesida={p}#berattelser")
    });
    drop(conn);
    let (todo, truncated) = agenda(&state, &user).await?;
    let (todo, more) = cap(todo, &truncated);
    // A deviation's title (a lex Sarah report's, say) is itself sensitive.
    let shown: Vec<i64> = todo.iter().filter_map(|t| t.sensitive).collect();
    if !shown.is_empty() {
        let mut tx = state.store.write(&user.actor()).await?;
        kvalitet_store::audit::record_reads(&mut tx, "deviation", &shown).await?;
        tx.commit().await?;
    }
    let may_create_plan = kvalitet_domain::access::allows_somewhere(user.assignments(), Permission::EditPlan);
    let mine = super::my_tasks::tasks(&state, &user, today()).await?;
    Ok(StartPage {
        nav: user.nav(),
        today: today().to_string(),
        todo,
        more,
        tenant: tenant.item.name,
        plans,
        plan_pager,
        reports,
        report_pager,
        may_create_plan,
        my_actions: mine.actions.len(),
        my_self_inspections: mine.self_inspections.len(),
    })
}

/// At most this many items of one kind are listed; the rest are counted.
const SHOWN_PER_KIND: usize = 15;

/// Keeps the first items of each kind and counts the rest; of a kind only partly read
/// (`truncated`), the count is a lower bound, said even when nothing is beyond the shown.
fn cap(todo: Vec<Todo>, truncated: &[&'static str]) -> (Vec<Todo>, Vec<(&'static str, usize, bool)>) {
    let mut shown: Vec<Todo> = Vec::new();
    let mut more: Vec<(&'static str, usize, bool)> = Vec::new();
    for t in todo {
        if shown.iter().filter(|s| s.kind == t.kind).count() < SHOWN_PER_KIND {
            shown.push(t);
        } else if let Some(m) = more.iter_mut().find(|(k, ..)| *k == t.kind) {
            m.1 += 1;
        } else {
            more.push((t.kind, 1, truncated.contains(&t.kind)));
        }
    }
    for kind in truncated {
        if !more.iter().any(|(k, ..)| k == kind) && shown.iter().any(|s| s.kind == *kind) {
            more.push((kind, 0, true));
        }
    }
    (shown, more)
}

/// What is due for the user: what their roles are responsible for (the same rule as the
/// daily digest's, `agenda::due_for`), most urgent kind first; and the kinds of which
/// only the first [`READ_PER_KIND`] were read.
async fn agenda(state: &AppState, user: &User) -> WebResult<(Vec<Todo>, Vec<&'static str>)> {
    let today = today();
    let mut conn = state.store.read().await?;
    // Only what lies within the user's reach is read; `due_for` then decides exactly.
    let reach =
        kvalitet_store::agenda::Reach::of(user.session.account.id, user.assignments(), &user.tree, user.tree.units());
    let a = kvalitet_store::agenda::load(
        &mut conn,
        user.session.account.tenant_id,
        today,
        Some(READ_PER_KIND),
        Some(&reach),
    )
    .await?;
    drop(conn);
    let items = kvalitet_store::agenda::due_for(&a, user.session.account.id, user.assignments(), &user.tree, today)
        .into_iter()
        .map(|i| Todo {
            kind: i.kind,
            href: i.href,
            title: i.title,
            context: i.context,
            since: i.since.map(|d| d.to_string()).unwrap_or_default(),
            sensitive: i.sensitive,
            overdue: i.overdue,
        })
        .collect();
    Ok((items, a.truncated))
}

/// At most this many of a kind are read for the start page (it shows the first few).
const READ_PER_KIND: i64 = 100;
