//! Every action of the plans a person may read: filtered by year, plan, unit, status,
//! past due, responsible person and linked risk. The only list filtered, sorted and paged
//! by the database (`kvalitet_store::action_list`): a tenant's actions run to tens of
//! thousands, and reading them all for a page of 50 cost about 360 ms.

use kvalitet_domain::Code;
use kvalitet_domain::Versioned;
use kvalitet_domain::action::ActionStatus;
use kvalitet_domain::labels::Label;
use kvalitet_domain::risk::Risk;
use kvalitet_store::action_list::{self, Order, PlanRanks, Query, Status};
use kvalitet_store::{Column as _, Where, repo};

use super::{Cell, Column, PAGE_SIZE, Params, Row, Table, Visible, Want, dense, page_number, swedish_key};
use crate::auth::User;
use crate::error::WebResult;
use crate::router::AppState;

/// The status filter's extra choice: every action not done or withdrawn.
const OPEN: &str = "ej_avslutade";

pub async fn table(
    state: &AppState,
    user: &User,
    visible: &Visible,
    params: &mut Params,
    want: &Want,
) -> WebResult<Table> {
    let scope = visible.plan_filter(user, params);
    let mut statuses = vec![(OPEN.to_owned(), "Ej avslutade".to_owned())];
    statuses.extend(ActionStatus::ALL.iter().map(|s| (s.code().to_owned(), s.label().to_owned())));
    let status = match params.choice("status", "Status", "Alla", statuses).as_deref() {
        None => Status::Any,
        Some(OPEN) => Status::Open,
        Some(code) => ActionStatus::from_code(code).map_or(Status::Any, Status::Is),
    };
    let past_due = params.check("forsenade", "Endast försenade");
    let responsible = params.text("ansvarig", "Ansvarig");
    let mut conn = state.store.read().await?;
    // A linked risk is chosen among the chosen plan's risks.
    let risk = match scope.plan {
        Some(plan) => {
            let risks: Vec<Versioned<Risk>> =
                repo::list(&mut conn, Where::sql("plan_id = $1", vec![plan.to_value()])).await?;
            let choices = risks.iter().map(|r| (r.id.to_string(), r.title.clone())).collect();
            params.choice("risk", "Kopplad risk", "Alla risker", choices).and_then(|r| r.parse::<i64>().ok())
        }
        None => {
            if !params.raw("risk").is_empty() {
                params.errors.push("Kopplad risk: välj först en plan.".into());
            }
            None
        }
    };

    let columns = COLUMNS.map(|c| c.key);
    let order = match want.sorted.column.map(|i| columns[i]) {
        None => Order::Default,
        Some("atgard") => Order::Title,
        Some("status") => {
            let mut labelled = ActionStatus::ALL.to_vec();
            labelled.sort_by_key(|s| swedish_key(s.label()));
            Order::Status(labelled)
        }
        Some("klar") => Order::Due,
        Some("ansvarig") => Order::Responsible,
        Some("risk") => Order::Risk,
        Some("plan") => Order::Plan,
        Some("enhet") => Order::Unit,
        _ => Order::Year,
    };
    let query = Query {
        backend: state.store.backend(),
        plans: ranks(user, visible, &scope),
        status,
        past_due_before: past_due.then_some(visible.today),
        responsible,
        risk,
        order,
        descending: want.sorted.descending,
    };
    let (listed, paged) = if want.paged {
        let mut page = 1;
        let (total, listed) = query
            .page(&mut conn, |total| {
                page = page_number(params, total.div_ceil(PAGE_SIZE));
                ((page - 1) * PAGE_SIZE, PAGE_SIZE)
            })
            .await?;
        (listed, Some((total, page)))
    } else {
        (query.rows(&mut conn).await?, None)
    };
    let ids: Vec<i64> = listed.iter().map(|a| a.id).collect();
    let risks = action_list::risk_titles(&mut conn, &ids).await?;
    drop(conn);

    let today = visible.today;
    let rows = listed
        .into_iter()
        .filter_map(|a| {
            let plan = visible.plans.get(&a.plan_id)?;
            let overdue = a.due_on.is_some_and(|d| d < today) && !a.status.is_closed();
            let linked = risks.get(&a.id).map(|t| t.join("; ")).unwrap_or_default();
            let mut cells = vec![
                Cell::Link(a.title, format!("/atgarder/{}", a.id)),
                Cell::text(a.status.label()),
                Cell::date(a.due_on),
                Cell::text(a.responsible),
                Cell::text(linked),
            ];
            cells.extend(visible.plan_cells(plan, plan.scope_id));
            Some(Row { cells, flag: overdue.then_some("Försenad") })
        })
        .collect();
    Ok(Table { columns: COLUMNS.to_vec(), rows, paged })
}

/// The listed plans (visible, and within the year, plan and unit chosen) with their
/// places in each order a column sorts them by: the same keys the other lists sort by.
fn ranks(user: &User, visible: &Visible, scope: &super::PlanFilter) -> Vec<PlanRanks> {
    let plans: Vec<_> =
        visible.plans.keys().filter_map(|&id| scope.keeps(user, visible, id, |p| p.scope_id)).map(|(p, _)| p).collect();
    let plan_keys: Vec<_> = plans.iter().map(|p| (-p.year, swedish_key(&p.title))).collect();
    let title_keys: Vec<_> = plans.iter().map(|p| swedish_key(&p.title)).collect();
    let unit_keys: Vec<_> = plans.iter().map(|p| swedish_key(&visible.unit_name(p.scope_id))).collect();
    let (plan_rank, title_rank, unit_rank) = (dense(&plan_keys), dense(&title_keys), dense(&unit_keys));
    plans
        .iter()
        .enumerate()
        .map(|(i, p)| PlanRanks {
            id: p.id,
            year: p.year,
            plan: plan_rank[&plan_keys[i]],
            title: title_rank[&title_keys[i]],
            unit: if unit_keys[i].is_empty() { -1 } else { unit_rank[&unit_keys[i]] },
        })
        .collect()
}

pub const COLUMNS: [Column; 8] = [
    Column { key: "atgard", heading: "Åtgärd" },
    Column { key: "status", heading: "Status" },
    Column { key: "klar", heading: "Klar senast" },
    Column { key: "ansvarig", heading: "Ansvarig" },
    Column { key: "risk", heading: "Kopplad risk" },
    Column { key: "plan", heading: "Plan" },
    Column { key: "enhet", heading: "Enhet" },
    Column { key: "ar", heading: "År" },
];
