//! Gathering the Kolada comparisons of a document's indicators (F13) through the store:
//! every indicator of the given plans that names a key figure and has stored values.

use sqlx::AnyConnection;

use kvalitet_domain::Versioned;
use kvalitet_domain::indicator::{Indicator, IndicatorResult};
use kvalitet_domain::kolada::Comparison;
use kvalitet_domain::org::TenantId;
use kvalitet_domain::plan::PlanId;
use kvalitet_store::Column;
use kvalitet_store::{Where, kolada, repo};

use crate::{DocumentError, IndicatorComparison};

/// The comparisons of the indicators of `plans` (in that order, each plan's in its own
/// order); none where nothing is stored: no figure is invented.
pub async fn comparisons(
    conn: &mut AnyConnection,
    tenant: TenantId,
    plans: &[PlanId],
) -> Result<Vec<IndicatorComparison>, DocumentError> {
    let values = kolada::values(conn, tenant).await?;
    if values.is_empty() {
        return Ok(Vec::new());
    }
    let settings = kolada::settings(conn, tenant).await?.item;
    let mut out = Vec::new();
    for plan in plans {
        let mut indicators: Vec<Versioned<Indicator>> =
            repo::list(conn, Where::sql("plan_id = $1 AND kolada_kpi IS NOT NULL", vec![plan.to_value()])).await?;
        indicators.sort_by_key(|i| (i.sort_order, i.id));
        for ind in indicators {
            let Some(kpi) = ind.kolada_kpi.as_deref() else { continue };
            let results: Vec<Versioned<IndicatorResult>> =
                repo::list(conn, Where::sql("indicator_id = $1", vec![ind.id.to_value()])).await?;
            if let Some(comparison) = Comparison::new(kpi, &settings, &values, results.iter().map(|r| &r.item)) {
                out.push(IndicatorComparison {
                    indicator_id: ind.id,
                    name: ind.name.clone(),
                    unit: ind.unit,
                    comparison,
                });
            }
        }
    }
    Ok(out)
}
