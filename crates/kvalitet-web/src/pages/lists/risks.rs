//! Every risk of the plans a person may read: filtered by year, plan, unit, risk level,
//! zone of the municipality's risk matrix, process area, and whether it is to be
//! re-assessed. A page in the default order is filtered, ordered and paged by the
//! database (`repo::page_in_plan_order`): a tenant's risks run to ten thousand, and
//! reading them all for a page of 50 cost about 45 ms.

use std::collections::HashMap;

use kvalitet_domain::Versioned;
use kvalitet_domain::risk::{Risk, RiskLevel, RiskMatrix};
use kvalitet_store::{Where, org, plans, repo};

use super::{
    Cell, Column, Listed, PAGE_SIZE, Params, Row, Table, Visible, Want, in_plan_order, page_number, plan_ranks,
};
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
    let row = move |r: &Versioned<Risk>, plan, unit| {
        let mut cells = vec![
            Cell::Link(r.title.clone(), format!("/risker/{}", r.id)),
            Cell::Number(Some(r.level as f64), r.level.to_string()),
            Cell::text(matrix.zone(RiskLevel::from_stored(r.level)).label.clone()),
            Cell::text(area_names.get(&r.process_area_id).copied().unwrap_or_default()),
            Cell::text(if r.needs_reassessment { "Ja" } else { "" }),
        ];
        cells.extend(visible.plan_cells(plan, unit));
        Row { cells, flag: r.needs_reassessment.then_some("Ska omprövas") }
    };
    if want.paged && want.sorted.column.is_none() {
        // A page in the default order: filtered, ordered and paged by the database.
        let mut filter = vec!["1 = 1".to_owned()];
        filter.extend(level_condition(matrix, level, zone.as_deref()));
        filter.extend(area.map(|a| format!("process_area_id = {a}")));
        if reassess {
            filter.push("needs_reassessment = 1".into());
        }
        let ranks = plan_ranks(user, visible, &scope);
        let filter = || Where::built(filter.join(" AND "), vec![]);
        let offset = |page: usize| ((page - 1) * PAGE_SIZE) as i64;
        // The page asked for; past the end (or not a number), the one `page_number` gives.
        let asked = params.raw("sida").parse::<usize>().ok().filter(|n| *n >= 1).unwrap_or(1);
        let mut conn = state.store.read().await?;
        let (mut total, mut risks) =
            repo::page_in_plan_order::<Risk>(&mut conn, &ranks, filter(), PAGE_SIZE as i64, offset(asked)).await?;
        let page = page_number(params, (total as usize).div_ceil(PAGE_SIZE));
        if page != asked {
            (total, risks) =
                repo::page_in_plan_order::<Risk>(&mut conn, &ranks, filter(), PAGE_SIZE as i64, offset(page)).await?;
        }
        drop(conn);
        let rows = risks
            .iter()
            .filter_map(|r| visible.plans.get(&r.plan_id).map(|plan| row(r, plan, plan.scope_id)))
            .collect();
        return Ok(Table { columns: COLUMNS.to_vec(), rows, paged: Some((total as usize, page)) });
    }
    let mut conn = state.store.read().await?;
    let risks: Vec<Versioned<Risk>> = repo::list(&mut conn, visible.of_tenant()).await?;
    drop(conn);
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
                row: Box::new(move || row(r, plan, unit)),
            })
        })
        .collect();
    Ok(in_plan_order(&COLUMNS, items, want, params))
}

/// The level filter and the zone filter as one condition on the stored level, the same
/// as the page's test of each risk (a level outside 1–255 counts as its nearest end);
/// none when neither is chosen.
fn level_condition(matrix: &RiskMatrix, level: Option<i64>, zone: Option<&str>) -> Option<String> {
    let in_zone = |l: i64| zone.is_none_or(|c| matrix.zone(RiskLevel::from_stored(l)).code == c);
    match (level, zone) {
        (None, None) => None,
        (Some(l), _) => Some(if in_zone(l) { format!("level = {l}") } else { "1 = 0".into() }),
        (None, Some(_)) => {
            let levels: Vec<String> = (1..=255).filter(|l| in_zone(*l)).map(|l: i64| l.to_string()).collect();
            let mut any =
                vec![if levels.is_empty() { "1 = 0".into() } else { format!("level IN ({})", levels.join(", ")) }];
            if in_zone(1) {
                any.push("level < 1".into());
            }
            if in_zone(255) {
                any.push("level > 255".into());
            }
            Some(format!("({})", any.join(" OR ")))
        }
    }
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
