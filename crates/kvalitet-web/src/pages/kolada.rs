//! An indicator's comparison with Kolada (F13) as the pages show it: the year, the own
//! result, the municipality's, the nation's and the comparison group's values, and the
//! source note; built by the domain's `kolada::Comparison`, formatted here.

use sqlx::AnyConnection;

use kvalitet_domain::indicator::{Indicator, IndicatorResult};
use kvalitet_domain::kolada::Comparison;
use kvalitet_store::kolada;

use crate::error::WebResult;
use crate::pages::follow_up::value_in;

/// One year's row, formatted ("–" where a value is unknown).
pub struct ComparisonRowV {
    pub year: i64,
    pub own: String,
    pub municipality: String,
    pub nation: String,
    pub group: String,
}

pub struct ComparisonV {
    pub kpi: String,
    pub group_label: String,
    pub has_group: bool,
    pub rows: Vec<ComparisonRowV>,
    pub notes: Vec<String>,
    pub example: bool,
}

/// The comparison of `ind` (with its `results`), or `None` without a key figure or without
/// stored values for it.
pub async fn comparison<'a>(
    conn: &mut AnyConnection,
    ind: &Indicator,
    results: impl IntoIterator<Item = &'a IndicatorResult>,
    tenant: kvalitet_domain::org::TenantId,
) -> WebResult<Option<ComparisonV>> {
    let Some(kpi) = ind.kolada_kpi.as_deref() else { return Ok(None) };
    let settings = kolada::settings(conn, tenant).await?.item;
    let values = kolada::values(conn, tenant).await?;
    let Some(c) = Comparison::new(kpi, &settings, &values, results) else { return Ok(None) };
    let shown = |v: Option<f64>| v.map(|v| value_in(ind.unit, v)).unwrap_or_else(|| "–".into());
    Ok(Some(ComparisonV {
        kpi: c.kpi.clone(),
        group_label: c.group_label.clone(),
        has_group: c.has_group,
        rows: c
            .rows
            .iter()
            .map(|r| ComparisonRowV {
                year: r.year,
                own: shown(r.own),
                municipality: shown(r.municipality),
                nation: shown(r.nation),
                group: shown(r.group),
            })
            .collect(),
        notes: c.source_notes(),
        example: c.is_example(),
    }))
}
