//! `kvalitet plan export`: a quality plan as a workbook (see
//! `kvalitet_import::plan_workbook`).

use std::path::Path;

use anyhow::{Context, bail};

use kvalitet_store::{Store, org, plans};

use crate::users;

/// Writes the plan of `year` for `scope` (a unit's name or number; the top of the tree
/// when none) to `output`.
pub async fn export(
    store: &Store,
    named: Option<&str>,
    year: i64,
    scope: Option<&str>,
    output: &Path,
) -> anyhow::Result<()> {
    let tenant = users::tenant(store, named).await?;
    let unit = users::resolve_unit(store, named, scope).await?;
    let mut conn = store.read().await?;
    let all = plans::list_plans(&mut conn, tenant.id).await?;
    let units = org::units(&mut conn, tenant.id).await?;
    let name = |id| units.iter().find(|u| u.id == id).map(|u| u.name.clone()).unwrap_or_default();
    let Some(plan) = all.iter().find(|p| p.year == year && p.scope_id == unit) else {
        let of_year: Vec<String> =
            all.iter().filter(|p| p.year == year).map(|p| format!("{} ({})", p.title, name(p.scope_id))).collect();
        if of_year.is_empty() {
            bail!("Det finns ingen kvalitetsplan för {year}.");
        }
        bail!(
            "{} har ingen kvalitetsplan för {year}. Välj enhet med --scope; planer {year}: {}.",
            name(unit),
            of_year.join(", ")
        );
    };
    let bundle = plans::load_bundle(&mut conn, plan.id).await?;
    let names = kvalitet_store::responsible::names(&mut conn, tenant.id).await?;
    drop(conn);
    let bytes = kvalitet_import::plan_workbook::write(&bundle, name, |a, t| names.responsible(a, t))
        .context("arbetsboken kunde inte skrivas")?;
    std::fs::write(output, bytes).with_context(|| format!("kan inte skriva {}", output.display()))?;
    println!("{} är skriven: {}.", output.display(), plan.title);
    Ok(())
}
