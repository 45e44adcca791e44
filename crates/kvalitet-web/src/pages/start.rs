//! The start page: the municipality's plans and reports.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;

use kvalitet_domain::Code;
use kvalitet_store::{org, plans};

use kvalitet_domain::access::Permission;
use kvalitet_domain::report::ReportState;

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
    /// Items of each kind beyond the first [`SHOWN_PER_KIND`]: (kind, how many more).
    pub more: Vec<(&'static str, usize)>,
    pub tenant: String,
    pub plans: Vec<Row>,
    pub reports: Vec<Row>,
    /// Whether the user may start a new plan somewhere.
    pub may_create_plan: bool,
    /// "Mina uppgifter": how many actions and self-inspections the user is named
    /// responsible for (those the page lists).
    pub my_actions: usize,
    pub my_self_inspections: usize,
}

pub async fn show(State(state): State<AppState>, user: User) -> WebResult<StartPage> {
    let mut conn = state.store.read().await?;
    let tenant =
        kvalitet_store::repo::get::<kvalitet_domain::org::Tenant>(&mut conn, user.session.account.tenant_id).await?;
    let units = org::units(&mut conn, tenant.id).await?;
    let names: HashMap<_, _> = units.iter().map(|u| (u.id, u.name.as_str())).collect();
    let scope_name = |id| names.get(&id).map(|n| (*n).to_owned()).unwrap_or_default();
    let plans = plans::list_plans(&mut conn, tenant.id)
        .await?
        .into_iter()
        .filter(|p| user.may(p.read_permission(), p.scope_id))
        .map(|p| Row {
            href: format!("/planer/{}", p.id),
            title: p.title.clone(),
            year: p.year,
            scope: scope_name(p.scope_id),
            state: p.state.code(),
            date: p.adopted_on.map(|d| d.to_string()).unwrap_or_default(),
        })
        .collect();
    let reports = kvalitet_store::reports::list_reports(&mut conn, tenant.id).await?;
    let reports = reports
        .into_iter()
        .filter(|r| {
            let permission = if r.state == ReportState::Draft { Permission::ViewDraft } else { Permission::ViewPlan };
            user.may(permission, r.scope_id)
        })
        .map(|r| Row {
            href: format!("/berattelser/{}", r.id),
            title: r.title.clone(),
            year: r.year,
            scope: scope_name(r.scope_id),
            state: r.state.code(),
            date: r.submitted_on.map(|d| d.to_string()).unwrap_or_default(),
        })
        .collect();
    drop(conn);
    let (todo, more) = cap(agenda(&state, &user).await?);
    // A deviation's title (a lex Sarah report's, say) is itself sensitive.
    let shown: Vec<i64> = todo.iter().filter_map(|t| t.sensitive).collect();
    if !shown.is_empty() {
        let mut tx = state.store.write(&user.actor()).await?;
        for id in shown {
            kvalitet_store::audit::record_read(&mut tx, "deviation", id).await?;
        }
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
        reports,
        may_create_plan,
        my_actions: mine.actions.len(),
        my_self_inspections: mine.self_inspections.len(),
    })
}

/// At most this many items of one kind are listed; the rest are counted.
const SHOWN_PER_KIND: usize = 15;

/// Keeps the first items of each kind and counts the rest.
fn cap(todo: Vec<Todo>) -> (Vec<Todo>, Vec<(&'static str, usize)>) {
    let mut shown: Vec<Todo> = Vec::new();
    let mut more: Vec<(&'static str, usize)> = Vec::new();
    for t in todo {
        if shown.iter().filter(|s| s.kind == t.kind).count() < SHOWN_PER_KIND {
            shown.push(t);
        } else if let Some(m) = more.iter_mut().find(|(k, _)| *k == t.kind) {
            m.1 += 1;
        } else {
            more.push((t.kind, 1));
        }
    }
    (shown, more)
}

/// What is due for the user: what their roles are responsible for (the same rule as the
/// daily digest's, `agenda::due_for`), most urgent kind first.
async fn agenda(state: &AppState, user: &User) -> WebResult<Vec<Todo>> {
    let today = today();
    let mut conn = state.store.read().await?;
    let a = kvalitet_store::agenda::load(&mut conn, user.session.account.tenant_id, today).await?;
    drop(conn);
    Ok(kvalitet_store::agenda::due_for(&a, user.session.account.id, user.assignments(), &user.tree, today)
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
        .collect())
}
