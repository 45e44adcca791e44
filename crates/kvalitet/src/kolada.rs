//! `kvalitet kolada fetch` and `kvalitet kolada import`: Kolada's values for the
//! municipality, the nation and the comparison group, fetched from the API or read from a
//! saved answer, stored in one audited transaction (see `kvalitet_kolada` and the
//! store's `kolada`).

use std::path::Path;

use anyhow::{Context, bail};

use kvalitet_domain::kolada::{self, KoladaSource, NATION};
use kvalitet_kolada::Observation;
use kvalitet_store::{Actor, Store};

use crate::users;

/// Reads `--kpi U21468,N00945` into checked key figures.
pub fn kpis(list: &str) -> anyhow::Result<Vec<String>> {
    let kpis: Vec<String> = list.split(',').map(|k| k.trim().to_uppercase()).filter(|k| !k.is_empty()).collect();
    if kpis.is_empty() {
        bail!("--kpi: ange minst ett nyckeltal, till exempel --kpi U21468");
    }
    for k in &kpis {
        if !kolada::is_kpi(k) {
            bail!("--kpi: \"{k}\" {}", kolada::KPI_PROBLEM);
        }
    }
    Ok(kpis)
}

/// Reads `--years 2022,2023` into checked years.
pub fn years(list: &str) -> anyhow::Result<Vec<i64>> {
    let mut years = Vec::new();
    for y in list.split(',').map(str::trim).filter(|y| !y.is_empty()) {
        match y.parse::<i64>() {
            Ok(n) if (1900..=2200).contains(&n) => years.push(n),
            _ => bail!("--years: \"{y}\" ska vara ett år mellan 1900 och 2200"),
        }
    }
    if years.is_empty() {
        bail!("--years: ange minst ett år, till exempel --years 2022,2023");
    }
    Ok(years)
}

/// Fetches `kpis` for `years` from `base` for the municipality, the nation and the group
/// (`group`, or the settings' group) and stores them.
pub async fn fetch(
    store: &Store,
    named: Option<&str>,
    kpis: &[String],
    years: &[i64],
    base: &str,
    group: Option<&str>,
) -> anyhow::Result<()> {
    let tenant = users::tenant(store, named).await?;
    let mut conn = store.read().await?;
    let settings = kvalitet_store::kolada::settings(&mut conn, tenant.id).await?.item;
    drop(conn);
    if settings.municipality.is_empty() {
        bail!(
            "{} har ingen kod i Kolada angiven: ange den under Administration > Kolada (fyra siffror, till exempel 0126)",
            tenant.name
        );
    }
    let group = group.map(str::trim).unwrap_or(settings.group_id.as_str()).to_owned();
    if !group.is_empty() && !kolada::is_group(&group) {
        bail!("--group: \"{group}\" {}", kolada::GROUP_PROBLEM);
    }
    let mut areas = vec![settings.municipality.clone(), NATION.to_owned()];
    if !group.is_empty() {
        areas.push(group.clone());
    }
    let fetched = kvalitet_kolada::fetch(base, kpis, &areas, years).await?;
    // The group's name as Kolada gives it, for the settings' group: the comparison is
    // shown under that name. Values are worth storing even when the name is not found.
    let mut renamed = None;
    if !group.is_empty() {
        match kvalitet_kolada::groups(base, Some(&group), None).await {
            Ok(found) => match found.into_iter().find(|g| g.id == group) {
                Some(g) => {
                    println!("Jämförelsegrupp {}: {} ({} kommuner).", g.id, g.title, g.members);
                    if group == settings.group_id && g.title != settings.group_name && !g.title.is_empty() {
                        renamed = Some(g.title);
                    }
                }
                None => eprintln!("Obs! Kolada känner inte gruppen {group}; kontrollera gruppens id."),
            },
            Err(e) => eprintln!("Obs! Gruppens namn kunde inte hämtas från Kolada: {e}"),
        }
    }
    let today = kvalitet_web::clock::real_today();
    let values =
        kvalitet_kolada::to_values(&fetched.observations, tenant.id, KoladaSource::Fetched, &fetched.url, today);
    let mut tx = store.write(&Actor::system("kolada")).await?;
    kvalitet_store::kolada::replace(&mut tx, tenant.id, &values).await?;
    if let Some(name) = &renamed {
        let current = kvalitet_store::kolada::settings(&mut tx, tenant.id).await?;
        let named = kvalitet_domain::kolada::KoladaSettings { group_name: name.clone(), ..current.item.clone() };
        kvalitet_store::kolada::save_settings(&mut tx, &named, current.version).await?;
    }
    tx.commit().await?;
    if let Some(name) = renamed {
        println!("Gruppens namn i inställningarna är nu \"{name}\", som i Kolada.");
    }
    let n = values.len();
    println!(
        "Hämtat från Kolada: {n} värden ({} sidor) för {} och {} år {}. Källa: {}.",
        fetched.pages,
        areas.join(", "),
        kpis.join(", "),
        years.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "),
        kolada::CREDIT
    );
    Ok(())
}

/// Reads a saved answer of Kolada's API and stores its values.
pub async fn import(store: &Store, named: Option<&str>, file: &Path) -> anyhow::Result<()> {
    let tenant = users::tenant(store, named).await?;
    let text = std::fs::read_to_string(file).with_context(|| format!("kan inte läsa {}", file.display()))?;
    let page = kvalitet_kolada::parse(&text).with_context(|| file.display().to_string())?;
    let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let n = store_all(store, tenant.id, &page.observations, KoladaSource::Imported, &name).await?;
    println!("Inläst från {}: {n} värden. Källa: {}.", file.display(), kolada::CREDIT);
    if page.next_page.is_some() {
        println!("Obs! Svaret har fler sidor (next_page); spara och läs in dem också.");
    }
    Ok(())
}

/// Lists Kolada's municipality groups whose title holds `title` (all without), to find
/// the comparison group's id for the settings.
pub async fn groups(title: Option<&str>, base: &str) -> anyhow::Result<()> {
    let title = title.map(str::trim).filter(|t| !t.is_empty());
    let found = kvalitet_kolada::groups(base, None, title).await?;
    if found.is_empty() {
        println!("Ingen kommungrupp i Kolada matchar \"{}\".", title.unwrap_or_default());
    }
    for g in &found {
        println!("{}\t{}\t{} kommuner", g.id, g.title, g.members);
    }
    Ok(())
}

async fn store_all(
    store: &Store,
    tenant: kvalitet_domain::org::TenantId,
    observations: &[Observation],
    source: KoladaSource,
    origin: &str,
) -> anyhow::Result<usize> {
    let today = kvalitet_web::clock::real_today();
    let values = kvalitet_kolada::to_values(observations, tenant, source, origin, today);
    let mut tx = store.write(&Actor::system("kolada")).await?;
    kvalitet_store::kolada::replace(&mut tx, tenant, &values).await?;
    tx.commit().await?;
    Ok(values.len())
}
