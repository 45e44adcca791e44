//! "Mina uppgifter": what the signed-in person is named responsible for, across the
//! plans they may read: their actions not yet done or withdrawn (past due first, marked
//! "försenad") and their self-inspections in the adopted plans with runs due (the
//! domain's `missing_runs`, the rule the start page's agenda uses).

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;

use kvalitet_domain::self_inspection::missing_runs;
use kvalitet_domain::{Code, Date};
use kvalitet_store::{org, responsible};

use crate::auth::{Nav, User};
use crate::error::WebResult;
use crate::pages::deviations::today;
use crate::router::AppState;

/// One of the person's actions.
pub struct ActionRow {
    pub href: String,
    pub title: String,
    pub status: &'static str,
    pub due_on: String,
    /// Past its "klar senast" date.
    pub overdue: bool,
    pub plan: String,
    pub plan_href: String,
    pub unit: String,
}

/// One of the person's self-inspections with runs due.
pub struct InspectionRow {
    pub href: String,
    pub title: String,
    /// How many runs are due and not recorded, and the first of their dates.
    pub missing: usize,
    pub since: String,
    pub plan: String,
    pub plan_href: String,
    pub unit: String,
}

/// The person's tasks, as the page and the start page's link count them.
#[derive(Default)]
pub struct Tasks {
    pub actions: Vec<ActionRow>,
    pub self_inspections: Vec<InspectionRow>,
}

impl Tasks {
    pub fn overdue(&self) -> usize {
        self.actions.iter().filter(|a| a.overdue).count()
    }

    pub fn is_empty(&self) -> bool {
        self.actions.is_empty() && self.self_inspections.is_empty()
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "my_tasks.html")]
pub struct MyTasksPage {
    pub nav: Nav,
    pub today: String,
    pub tasks: Tasks,
}

pub async fn show(State(state): State<AppState>, user: User) -> WebResult<MyTasksPage> {
    let today = today();
    Ok(MyTasksPage { nav: user.nav(), today: today.to_string(), tasks: tasks(&state, &user, today).await? })
}

/// What `user` is named responsible for on `today`, in the plans they may read.
pub async fn tasks(state: &AppState, user: &User, today: Date) -> WebResult<Tasks> {
    let tenant = user.session.account.tenant_id;
    let mut conn = state.store.read().await?;
    let mine = responsible::tasks_of(&mut conn, tenant, user.session.account.id).await?;
    // The names of the units the rows name only (most people have no rows).
    let units = mine.plans.iter().map(|p| p.scope_id).chain(mine.self_inspections.iter().filter_map(|s| s.unit_id));
    let unit_names = org::names(&mut conn, tenant, units).await?;
    drop(conn);
    let unit_name = |id| unit_names.get(&id).cloned().unwrap_or_default();
    let plans: HashMap<_, _> =
        mine.plans.iter().filter(|p| user.may(p.read_permission(), p.scope_id)).map(|p| (p.id, p)).collect();
    let mut actions: Vec<(bool, Option<Date>, ActionRow)> = mine
        .actions
        .iter()
        .filter_map(|a| {
            let p = plans.get(&a.plan_id)?;
            let overdue = a.due_on.is_some_and(|d| d < today);
            let row = ActionRow {
                href: format!("/atgarder/{}", a.id),
                title: a.title.clone(),
                status: a.status.code(),
                due_on: a.due_on.map(|d| d.to_string()).unwrap_or_default(),
                overdue,
                plan: p.title.clone(),
                plan_href: format!("/planer/{}", p.id),
                unit: unit_name(p.scope_id),
            };
            Some((overdue, a.due_on, row))
        })
        .collect();
    // Past due first, then by date (those without one last), then by title.
    actions.sort_by(|(ao, ad, a), (bo, bd, b)| {
        bo.cmp(ao).then(ad.is_none().cmp(&bd.is_none())).then(ad.cmp(bd)).then(a.title.cmp(&b.title))
    });
    let mut runs: HashMap<_, Vec<Date>> = HashMap::new();
    for r in &mine.runs {
        runs.entry(r.self_inspection_id).or_default().push(r.run_on);
    }
    let mut self_inspections: Vec<(Date, InspectionRow)> = mine
        .self_inspections
        .iter()
        .filter_map(|si| {
            let p = plans.get(&si.plan_id)?;
            let done = runs.get(&si.id).map_or(&[][..], Vec::as_slice);
            let missing = missing_runs(si.frequency, p.year as i16, done, today);
            let first = *missing.first()?;
            let row = InspectionRow {
                href: format!("/egenkontroller/{}", si.id),
                title: si.title.clone(),
                missing: missing.len(),
                since: first.to_string(),
                plan: p.title.clone(),
                plan_href: format!("/planer/{}", p.id),
                unit: unit_name(si.unit_id.unwrap_or(p.scope_id)),
            };
            Some((first, row))
        })
        .collect();
    self_inspections.sort_by(|(a, x), (b, y)| a.cmp(b).then(x.title.cmp(&y.title)));
    Ok(Tasks {
        actions: actions.into_iter().map(|(_, _, r)| r).collect(),
        self_inspections: self_inspections.into_iter().map(|(_, r)| r).collect(),
    })
}
