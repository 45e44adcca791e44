//! Every quality indicator of the plans a person may read, with its latest result, whether
//! that result reaches the target, and the trend from the result before it: filtered by
//! year, plan, unit, target met, and trend.

use std::collections::HashMap;

use kvalitet_domain::Versioned;
use kvalitet_domain::indicator::{Indicator, IndicatorResult, Trend};
use kvalitet_store::{Column as _, Where, repo};

use super::{Cell, Column, Listed, Params, Row, Table, Visible, Want, in_plan_order};
use crate::auth::User;
use crate::error::WebResult;
use crate::pages::follow_up::value_in;
use crate::router::AppState;

fn choices(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect()
}

pub async fn table(
    state: &AppState,
    user: &User,
    visible: &Visible,
    params: &mut Params,
    want: &Want,
) -> WebResult<Table> {
    let mut conn = state.store.read().await?;
    let items: Vec<Versioned<Indicator>> = repo::list(&mut conn, visible.of_tenant()).await?;
    let results: Vec<Versioned<IndicatorResult>> = repo::list(
        &mut conn,
        Where::sql(
            "indicator_id IN (SELECT i.id FROM indicator i JOIN quality_plan p ON p.id = i.plan_id WHERE p.tenant_id = $1)",
            vec![visible.tenant.to_value()],
        ),
    )
    .await?;
    drop(conn);

    let scope = visible.plan_filter(user, params);
    let target = params.choice(
        "mal",
        "Målvärde",
        "Alla",
        choices(&[("uppnatt", "Uppnått"), ("ej_uppnatt", "Inte uppnått"), ("okant", "Okänt eller inget mål")]),
    );
    let trend = params.choice(
        "trend",
        "Trend",
        "Alla",
        choices(&[("battre", "Bättre"), ("samre", "Sämre"), ("oforandrad", "Oförändrad"), ("okand", "Okänd")]),
    );

    let mut results_of: HashMap<_, Vec<&IndicatorResult>> = HashMap::new();
    for r in &results {
        results_of.entry(r.indicator_id).or_default().push(&r.item);
    }
    let items = items
        .iter()
        .filter_map(|ind| {
            let (plan, unit) = scope.keeps(user, visible, ind.plan_id, |p| p.scope_id)?;
            // Results with a value, oldest first.
            let mut values: Vec<(i64, f64)> = results_of
                .get(&ind.id)
                .map(Vec::as_slice)
                .unwrap_or_default()
                .iter()
                .filter(|r| !r.no_data)
                .filter_map(|r| (*r).clone().with_computed_value(ind.unit).value.map(|v| (r.year, v)))
                .collect();
            values.sort_by_key(|(year, _)| *year);
            let latest = values.last().copied();
            let met = latest.and_then(|(_, v)| ind.meets_target(v));
            let moved = match values.as_slice() {
                [.., (_, a), (_, b)] => Some(ind.trend(*a, *b)),
                _ => None,
            };
            let keep = target.as_deref().is_none_or(|t| match met {
                Some(true) => t == "uppnatt",
                Some(false) => t == "ej_uppnatt",
                None => t == "okant",
            }) && trend.as_deref().is_none_or(|t| match moved {
                Some(Trend::Better) => t == "battre",
                Some(Trend::Worse) => t == "samre",
                Some(Trend::Unchanged) => t == "oforandrad",
                None => t == "okand",
            });
            keep.then(|| Listed {
                plan,
                order: ind.sort_order,
                id: ind.id.get(),
                row: Box::new(move || {
                    let mut cells = vec![
                        Cell::Link(ind.name.clone(), format!("/indikatorer/{}", ind.id)),
                        Cell::Number(
                            latest.map(|(_, v)| v),
                            latest.map(|(_, v)| value_in(ind.unit, v)).unwrap_or_default(),
                        ),
                        Cell::Number(
                            latest.map(|(y, _)| y as f64),
                            latest.map(|(y, _)| y.to_string()).unwrap_or_default(),
                        ),
                        Cell::Number(
                            ind.target_value,
                            ind.target_value.map(|t| value_in(ind.unit, t)).unwrap_or_default(),
                        ),
                        Cell::text(match met {
                            Some(true) => "Ja",
                            Some(false) => "Nej",
                            None => "",
                        }),
                        Cell::text(match moved {
                            Some(Trend::Better) => "Bättre",
                            Some(Trend::Worse) => "Sämre",
                            Some(Trend::Unchanged) => "Oförändrad",
                            None => "",
                        }),
                    ];
                    cells.extend(visible.plan_cells(plan, unit));
                    Row { cells, flag: None }
                }),
            })
        })
        .collect();
    Ok(in_plan_order(&COLUMNS, items, want, params))
}

pub const COLUMNS: [Column; 9] = [
    Column { key: "indikator", heading: "Kvalitetsindikator" },
    Column { key: "resultat", heading: "Senaste resultat" },
    Column { key: "resultatar", heading: "Resultatår" },
    Column { key: "mal", heading: "Målvärde" },
    Column { key: "uppnatt", heading: "Målet nått" },
    Column { key: "trend", heading: "Trend mot föregående resultat" },
    Column { key: "plan", heading: "Plan" },
    Column { key: "enhet", heading: "Enhet" },
    Column { key: "ar", heading: "År" },
];
