//! Every risk of the plans a person may read: filtered by year, plan, unit, risk level,
//! zone of the municipality's risk matrix, process area, and whether it is to be
//! re-assessed.

use std::collections::HashMap;

use kvalitet_domain::Versioned;
use kvalitet_domain::risk::{Risk, RiskLevel};
use kvalitet_store::{org, plans, repo};

use super::{Cell, Column, Listed, Params, Row, Table, Visible, Want, in_plan_order};
use crate::auth::User;
use crate::error::WebResult;
use crate::router::AppState;

pub async fn table(
    state: &AppState,
    user: &User,
    visible: &Visible,
    params: &mut Params,
    want: &Want,
) -> WebResult<Table> {
    let mut conn = state.store.read().await?;
    let risks: Vec<Versioned<Risk>> = repo::list(&mut conn, visible.of_tenant()).await?;
    let matrix = plans::matrix(&mut conn, visible.tenant).await?;
    let areas = org::process_areas(&mut conn, visible.tenant).await?;
    drop(conn);

    let scope = visible.plan_filter(user, params);
    let levels = matrix.possible_levels().iter().map(|l| (l.to_string(), l.to_string())).collect();
    let level = params.choice("niva", "Risknivå", "Alla nivåer", levels).and_then(|l| l.parse::<i64>().ok());
    let zones = matrix.zones.iter().map(|z| (z.code.clone(), z.label.clone())).collect();
    let zone = params.choice("zon", "Zon", "Alla zoner", zones);
    let area_names: HashMap<_, _> = areas.iter().map(|a| (a.id, a.name.as_str())).collect();
    let area = params
        .choice(
            "omrade",
            "Processområde",
            "Alla områden",
            areas.iter().map(|a| (a.id.to_string(), a.name.clone())).collect(),
        )
        .and_then(|a| a.parse::<i64>().ok());
    let reassess = params.check("omprovas", "Endast risker att ompröva");

    let (matrix, area_names) = (&matrix, &area_names);
    let items = risks
        .iter()
        .filter_map(|r| {
            let (plan, unit) = scope.keeps(user, visible, r.plan_id, |p| p.scope_id)?;
            let z = matrix.zone(RiskLevel::from_stored(r.level));
            let keep = level.is_none_or(|l| r.level == l)
                && zone.as_deref().is_none_or(|c| z.code == c)
                && area.is_none_or(|a| r.process_area_id.get() == a)
                && (!reassess || r.needs_reassessment);
            keep.then(|| Listed {
                plan,
                order: r.sort_order,
                id: r.id.get(),
                row: Box::new(move || {
                    let mut cells = vec![
                        Cell::Link(r.title.clone(), format!("/risker/{}", r.id)),
                        Cell::Number(Some(r.level as f64), r.level.to_string()),
                        Cell::text(z.label.clone()),
                        Cell::text(area_names.get(&r.process_area_id).copied().unwrap_or_default()),
                        Cell::text(if r.needs_reassessment { "Ja" } else { "" }),
                    ];
                    cells.extend(visible.plan_cells(plan, unit));
                    Row { cells, flag: r.needs_reassessment.then_some("Ska omprövas") }
                }),
            })
        })
        .collect();
    Ok(in_plan_order(&COLUMNS, items, want, params))
}

pub const COLUMNS: [Column; 8] = [
    Column { key: "risk", heading: "Risk" },
    Column { key: "niva", heading: "Risknivå" },
    Column { key: "zon", heading: "Zon" },
    Column { key: "omrade", heading: "Processområde" },
    Column { key: "omprovas", heading: "Ska omprövas" },
    Column { key: "plan", heading: "Plan" },
    Column { key: "enhet", heading: "Enhet" },
    Column { key: "ar", heading: "År" },
];
