//! Every self-inspection of the plans a person may read, with its latest run and the next
//! run due (in plans being carried out): filtered by year, plan, unit (the unit it is tied
//! to, else its plan's), method, latest verdict, and whether a run is past due.

use std::collections::HashMap;

use kvalitet_domain::Code;
use kvalitet_domain::labels::Label;
use kvalitet_domain::plan::PlanState;
use kvalitet_domain::self_inspection::{Method, SelfInspection, SelfInspectionRun, Verdict, missing_runs};
use kvalitet_domain::{Date, Versioned, shown_date};
use kvalitet_store::{Column as _, Where, repo};

use super::{Cell, Column, Listed, Params, Row, Table, Visible, Want, in_plan_order};
use crate::auth::User;
use crate::error::WebResult;
use crate::router::AppState;

/// The verdict filter's choice of self-inspections without a run.
const NO_RUN: &str = "ingen";

pub async fn table(
    state: &AppState,
    user: &User,
    visible: &Visible,
    params: &mut Params,
    want: &Want,
) -> WebResult<Table> {
    let mut conn = state.store.read().await?;
    let items: Vec<Versioned<SelfInspection>> = repo::list(&mut conn, visible.of_tenant()).await?;
    let runs: Vec<Versioned<SelfInspectionRun>> = repo::list(
        &mut conn,
        Where::sql(
            "self_inspection_id IN (SELECT s.id FROM self_inspection s JOIN quality_plan p ON p.id = s.plan_id WHERE p.tenant_id = $1)",
            vec![visible.tenant.to_value()],
        ),
    )
    .await?;
    drop(conn);

    let scope = visible.plan_filter(user, params);
    let methods = Method::ALL.iter().map(|m| (m.code().to_owned(), m.label().to_owned())).collect();
    let method = params.choice("metod", "Metod", "Alla metoder", methods);
    let mut verdicts = vec![(NO_RUN.to_owned(), "Inte genomförd".to_owned())];
    verdicts.extend(Verdict::ALL.iter().map(|v| (v.code().to_owned(), v.label().to_owned())));
    let verdict = params.choice("bedomning", "Senaste bedömning", "Alla", verdicts);
    let due_only = params.check("forsenade", "Endast de med genomförande som är försenat");

    let mut runs_of: HashMap<_, Vec<&SelfInspectionRun>> = HashMap::new();
    for r in &runs {
        runs_of.entry(r.self_inspection_id).or_default().push(&r.item);
    }
    let today = visible.today;
    let items = items
        .iter()
        .filter_map(|s| {
            let (plan, unit) = scope.keeps(user, visible, s.plan_id, |p| s.unit_id.unwrap_or(p.scope_id))?;
            let runs = runs_of.get(&s.id).map(Vec::as_slice).unwrap_or_default();
            let latest = runs.iter().max_by_key(|r| r.run_on);
            let dates: Vec<Date> = runs.iter().map(|r| r.run_on).collect();
            // The next run due: the first period of the plan's year without one, in a plan
            // being carried out.
            let year_end = Date::new(plan.year as i16, 12, 31).ok();
            let next = (plan.state == PlanState::Adopted)
                .then(|| {
                    year_end.and_then(|end| missing_runs(s.frequency, plan.year as i16, &dates, end).first().copied())
                })
                .flatten();
            let overdue = next.is_some_and(|d| d < today);
            let keep = method.as_deref().is_none_or(|m| s.method.code() == m)
                && verdict.as_deref().is_none_or(|v| match latest {
                    None => v == NO_RUN,
                    Some(r) => r.verdict.code() == v,
                })
                && (!due_only || overdue);
            keep.then(|| Listed {
                plan,
                order: s.sort_order,
                id: s.id.get(),
                row: Box::new(move || {
                    let mut cells = vec![
                        Cell::Link(s.title.clone(), format!("/egenkontroller/{}", s.id)),
                        Cell::text(s.method.label()),
                        Cell::text(s.frequency.label()),
                        latest
                            .map_or(Cell::date(None), |r| Cell::Date(Some(r.run_on), shown_date(r.run_on, r.undated))),
                        Cell::text(latest.map_or("", |r| r.verdict.label())),
                        Cell::date(next),
                    ];
                    cells.extend(visible.plan_cells(plan, unit));
                    Row { cells, flag: overdue.then_some("Försenad") }
                }),
            })
        })
        .collect();
    Ok(in_plan_order(&COLUMNS, items, want, params))
}

pub const COLUMNS: [Column; 9] = [
    Column { key: "egenkontroll", heading: "Egenkontroll" },
    Column { key: "metod", heading: "Metod" },
    Column { key: "frekvens", heading: "Frekvens" },
    Column { key: "senast", heading: "Senast genomförd" },
    Column { key: "bedomning", heading: "Senaste bedömning" },
    Column { key: "nasta", heading: "Nästa genomförande senast" },
    Column { key: "plan", heading: "Plan" },
    Column { key: "enhet", heading: "Enhet" },
    Column { key: "ar", heading: "År" },
];
