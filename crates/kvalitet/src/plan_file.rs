//! `kvalitet plan export` and `import`: a quality plan as a workbook and back (see
//! `kvalitet_import::plan_workbook`).

use std::path::Path;

use anyhow::{Context, bail};

use kvalitet_domain::Versioned;
use kvalitet_domain::org::{OrgUnitId, TenantId};
use kvalitet_domain::plan::{QualityPlan, TableLayout};
use kvalitet_domain::plan_changes::{Change, ChangeKind, PlanChanges};
use kvalitet_import::plan_workbook::{self, Directory, Person};
use kvalitet_store::{Actor, Store, org, plan_import, plans, responsible};

use crate::users;

/// The municipality's org units and people, for the workbook's names.
async fn directory(store: &Store, tenant: TenantId) -> anyhow::Result<Directory> {
    let mut conn = store.read().await?;
    let units = org::units(&mut conn, tenant).await?.into_iter().map(|u| (u.id, u.item.name)).collect();
    let people = responsible::people(&mut conn, tenant)
        .await?
        .into_iter()
        .map(|p| Person { id: p.id, name: p.shown().to_owned(), active: p.active })
        .collect();
    Ok(Directory { units, people })
}

/// Where a plan of a year and scope was looked for, and what was found.
struct Lookup {
    tenant: TenantId,
    unit: OrgUnitId,
    unit_name: String,
    plan: Option<Versioned<QualityPlan>>,
    /// Why there is none: the year's plans of other scopes named.
    missing: String,
}

/// The plan of `year` for `scope` (a unit's name or number; the top of the tree when none).
async fn lookup(store: &Store, named: Option<&str>, year: i64, scope: Option<&str>) -> anyhow::Result<Lookup> {
    let tenant = users::tenant(store, named).await?;
    let unit = users::resolve_unit(store, named, scope).await?;
    let mut conn = store.read().await?;
    let all = plans::list_plans(&mut conn, tenant.id).await?;
    let units = org::units(&mut conn, tenant.id).await?;
    let name = |id| units.iter().find(|u| u.id == id).map(|u| u.name.clone()).unwrap_or_default();
    let of_year: Vec<String> =
        all.iter().filter(|p| p.year == year).map(|p| format!("{} ({})", p.title, name(p.scope_id))).collect();
    let missing = match of_year.is_empty() {
        true => format!("Det finns ingen kvalitetsplan för {year}."),
        false => format!(
            "{} har ingen kvalitetsplan för {year}. Välj enhet med --scope; planer {year}: {}.",
            name(unit),
            of_year.join(", ")
        ),
    };
    let plan = all.into_iter().find(|p| p.year == year && p.scope_id == unit);
    Ok(Lookup { tenant: tenant.id, unit, unit_name: name(unit), plan, missing })
}

/// Writes the plan of `year` for `scope` to `output`.
pub async fn export(
    store: &Store,
    named: Option<&str>,
    year: i64,
    scope: Option<&str>,
    output: &Path,
) -> anyhow::Result<()> {
    let found = lookup(store, named, year, scope).await?;
    let Some(plan) = found.plan else { bail!("{}", found.missing) };
    let mut conn = store.read().await?;
    let bundle = plans::load_bundle(&mut conn, plan.id).await?;
    drop(conn);
    let directory = directory(store, plan.tenant_id).await?;
    let bytes = plan_workbook::write(&bundle, &directory).context("arbetsboken kunde inte skrivas")?;
    std::fs::write(output, bytes).with_context(|| format!("kan inte skriva {}", output.display()))?;
    println!("{} är skriven: {}.", output.display(), plan.title);
    Ok(())
}

/// What one kind's rows do, as lines: "R3 Ny: Risk" or "R4 Ändras: Status Planerad → Pågår".
fn lines<T>(heading: &str, changes: &[Change<T>], title: impl Fn(&T) -> &str, out: &mut Vec<String>) {
    for ch in changes {
        match &ch.kind {
            ChangeKind::Create => out.push(format!("  {heading} {} ny: {}", ch.label, title(&ch.item))),
            ChangeKind::Update { fields, .. } => {
                let what: Vec<String> =
                    fields.iter().map(|f| format!("{}: ”{}” → ”{}”", f.field, f.before, f.after)).collect();
                out.push(format!("  {heading} {} ändras: {}", ch.label, what.join("; ")));
            }
            ChangeKind::Unchanged { .. } => {}
        }
    }
}

fn describe(changes: &PlanChanges) -> Vec<String> {
    let mut out = Vec::new();
    lines("risk", &changes.risks, |r| &r.title, &mut out);
    lines("egenkontroll", &changes.self_inspections, |s| &s.title, &mut out);
    lines("åtgärd", &changes.actions, |a| &a.title, &mut out);
    lines("indikator", &changes.indicators, |i| &i.name, &mut out);
    if !changes.links.is_empty() {
        out.push(format!("  {} poster får ändrade kopplingar", changes.links.len()));
    }
    if changes.untouched > 0 {
        out.push(format!("  {} poster i planen finns inte i arbetsboken och lämnas som de är", changes.untouched));
    }
    out
}

/// Reads `file` into the draft plan of `year` for `scope` (a new, empty draft when the
/// scope has no plan that year): every problem listed and nothing stored, or what changes
/// listed and (unless `dry_run`) stored in one transaction.
pub async fn import(
    store: &Store,
    named: Option<&str>,
    year: i64,
    scope: Option<&str>,
    file: &Path,
    dry_run: bool,
) -> anyhow::Result<()> {
    let found = lookup(store, named, year, scope).await?;
    if let Some(plan) = found.plan.as_ref().filter(|p| p.is_adopted()) {
        bail!("{} är antagen; en arbetsbok kan bara läsas in i ett utkast.", plan.title);
    }
    let bytes = std::fs::read(file).with_context(|| format!("kan inte läsa {}", file.display()))?;
    let workbook = plan_workbook::read(&file.display().to_string(), &bytes).map_err(|p| anyhow::anyhow!("{p}"))?;
    let directory = directory(store, found.tenant).await?;
    let actor = Actor::system("plan-import").in_tenant(found.tenant.get());
    // One transaction: the new draft (if any), what the workbook changes, or nothing.
    let mut tx = store.write(&actor).await?;
    let plan_id = match &found.plan {
        Some(plan) => plan.id,
        None => {
            let title = format!("Kvalitetsplan {year} {}", found.unit_name);
            let plan = QualityPlan::draft(found.tenant, found.unit, year, title, TableLayout::Separate);
            println!("{}: en ny plan (utkast).", plan.title);
            plans::create(&mut tx, &plan).await?
        }
    };
    let bundle = plans::load_bundle(&mut tx, plan_id).await?;
    let changes = plan_workbook::changes(&workbook, &bundle, &directory).map_err(|p| anyhow::anyhow!("{p}"))?;
    let title = &bundle.plan.title;
    if changes.is_empty() {
        println!("Arbetsboken säger samma sak som {title}; inget ändras.");
        return Ok(());
    }
    let [r, s, a, i] = changes.counts();
    let (created, changed) =
        (r.created + s.created + a.created + i.created, r.changed + s.changed + a.changed + i.changed);
    println!("{title}: {created} nya poster, {changed} ändrade.");
    for line in describe(&changes) {
        println!("{line}");
    }
    if dry_run {
        println!("Inget är sparat (--dry-run).");
        return Ok(());
    }
    plan_import::apply(&mut tx, &changes, kvalitet_web::clock::today()).await?;
    tx.commit().await?;
    println!("Sparat.");
    Ok(())
}
