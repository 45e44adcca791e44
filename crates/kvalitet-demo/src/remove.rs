//! Removing the demo municipality: only when it holds nothing but what the demo files
//! brought (the same number of rows of every kind as a fresh load, and no change made by
//! its people), so real information put into the demo by mistake is never thrown away.

use anyhow::{Context, bail};

use kvalitet_store::{Actor, Store, tenants};

/// What a removal took away.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removed {
    pub tenant: String,
    pub rows: i64,
}

/// Removes the demo municipality and its accounts from `store`.
pub async fn remove(store: &Store) -> anyhow::Result<Removed> {
    let mut conn = store.read().await?;
    let Some(demo) = tenants::all(&mut conn).await?.into_iter().find(|t| t.demo) else {
        bail!("databasen innehåller ingen demokommun");
    };
    let held = tenants::row_counts(&mut conn, demo.id).await?;
    let changes = tenants::changes_by_its_people(&mut conn, demo.id).await?;
    drop(conn);

    // What a fresh load of the demo files holds, in a database of its own.
    let fresh = Store::connect("sqlite::memory:").await.context("kunde inte jämföra med demofilerna")?;
    fresh.migrate().await?;
    crate::load(&fresh).await?;
    let mut conn = fresh.read().await?;
    let fresh_tenant = tenants::all(&mut conn).await?.remove(0).id;
    let expected = tenants::row_counts(&mut conn, fresh_tenant).await?;
    drop(conn);
    fresh.close().await;

    let mut differs: Vec<String> = Vec::new();
    for (table, n) in &held {
        let e = expected.iter().find(|(t, _)| t == table).map_or(0, |(_, n)| *n);
        if *n > e {
            differs.push(format!("{table}: {n} rader, demofilerna har {e}"));
        }
    }
    if changes > 0 {
        differs.push(format!("{changes} ändringar gjorda av demokommunens konton"));
    }
    if !differs.is_empty() {
        bail!(
            "demokommunen {} innehåller uppgifter som inte kommer från demofilerna och tas inte bort ({}). Flytta eller ta bort dem först.",
            demo.name,
            differs.join("; ")
        );
    }
    let mut tx = store.write(&Actor::system("demo-remove")).await?;
    tenants::remove(&mut tx, demo.id).await?;
    tx.commit().await?;
    Ok(Removed { tenant: demo.name.clone(), rows: held.iter().map(|(_, n)| n).sum() })
}
