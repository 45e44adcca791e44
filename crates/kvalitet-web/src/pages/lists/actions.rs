//! Every action of the plans a person may read: filtered by year, plan, unit, status,
//! past due, responsible person and linked risk.

use std::collections::HashMap;

use kvalitet_domain::Code;
use kvalitet_domain::Versioned;
use kvalitet_domain::action::{Action, ActionStatus};
use kvalitet_domain::labels::Label;
use kvalitet_domain::risk::Risk;
use kvalitet_store::links::{self, LinkKind};
use kvalitet_store::{repo, responsible};

use super::{Cell, Column, Params, Row, Table, Visible, in_plan_order};
use crate::auth::User;
use crate::error::WebResult;
use crate::router::AppState;

/// The status filter's extra choice: every action not done or withdrawn.
const OPEN: &str = "ej_avslutade";

pub async fn table(state: &AppState, user: &User, visible: &Visible, params: &mut Params) -> WebResult<Table> {
    let mut conn = state.store.read().await?;
    let actions: Vec<Versioned<Action>> = repo::list(&mut conn, visible.of_tenant()).await?;
    let risks: Vec<Versioned<Risk>> = repo::list(&mut conn, visible.of_tenant()).await?;
    let action_risk = links::tenant_links(&mut conn, LinkKind::ActionRisk, visible.tenant).await?;
    let names = responsible::names(&mut conn, visible.tenant).await?;
    drop(conn);

    let scope = visible.plan_filter(user, params);
    let mut statuses = vec![(OPEN.to_owned(), "Ej avslutade".to_owned())];
    statuses.extend(ActionStatus::ALL.iter().map(|s| (s.code().to_owned(), s.label().to_owned())));
    let status = params.choice("status", "Status", "Alla", statuses);
    let past_due = params.check("forsenade", "Endast försenade");
    let responsible = params.text("ansvarig", "Ansvarig");
    // A linked risk is chosen among the chosen plan's risks.
    let plan_risks = risks
        .iter()
        .filter(|r| scope.plan == Some(r.plan_id))
        .map(|r| (r.id.to_string(), r.title.clone()))
        .collect::<Vec<_>>();
    let risk = if scope.plan.is_some() {
        params.choice("risk", "Kopplad risk", "Alla risker", plan_risks).and_then(|r| r.parse::<i64>().ok())
    } else {
        if !params.raw("risk").is_empty() {
            params.errors.push("Kopplad risk: välj först en plan.".into());
        }
        None
    };

    let titles: HashMap<i64, &str> = risks.iter().map(|r| (r.id.get(), r.title.as_str())).collect();
    let mut risks_of: HashMap<i64, Vec<i64>> = HashMap::new();
    for (a, r) in action_risk {
        risks_of.entry(a).or_default().push(r);
    }
    let today = visible.today;
    let rows = actions
        .iter()
        .filter_map(|a| {
            let (plan, unit) = scope.keeps(user, visible, a.plan_id, |p| p.scope_id)?;
            let overdue = a.due_on.is_some_and(|d| d < today) && !a.status.is_closed();
            let who = names.responsible(a.responsible_account_id, &a.responsible);
            let linked = risks_of.get(&a.id.get()).map(Vec::as_slice).unwrap_or_default();
            let keep = match status.as_deref() {
                None => true,
                Some(OPEN) => !a.status.is_closed(),
                Some(code) => a.status.code() == code,
            } && (!past_due || overdue)
                && (responsible.is_empty() || who.to_lowercase().contains(&responsible))
                && risk.is_none_or(|r| linked.contains(&r));
            keep.then(|| {
                let linked = linked.iter().filter_map(|r| titles.get(r).copied()).collect::<Vec<_>>().join("; ");
                let mut cells = vec![
                    Cell::Link(a.title.clone(), format!("/atgarder/{}", a.id)),
                    Cell::text(a.status.label()),
                    Cell::date(a.due_on),
                    Cell::text(who),
                    Cell::text(linked),
                ];
                cells.extend(visible.plan_cells(plan, unit));
                (plan.year, plan.title.clone(), a.sort_order, a.id, Row { cells, flag: overdue.then_some("Försenad") })
            })
        })
        .collect::<Vec<_>>();
    Ok(Table { columns: COLUMNS.to_vec(), rows: in_plan_order(rows) })
}

const COLUMNS: [Column; 8] = [
    Column { key: "atgard", heading: "Åtgärd" },
    Column { key: "status", heading: "Status" },
    Column { key: "klar", heading: "Klar senast" },
    Column { key: "ansvarig", heading: "Ansvarig" },
    Column { key: "risk", heading: "Kopplad risk" },
    Column { key: "plan", heading: "Plan" },
    Column { key: "enhet", heading: "Enhet" },
    Column { key: "ar", heading: "År" },
];
