//! `kvalitet measures import` and `link`: the case-management system's export into the
//! database, pseudonymised with the installation's secret, and measures tied to the plan.

use std::path::Path;

use anyhow::{Context, anyhow, bail};

use crate::keys;
use kvalitet_domain::measure::MeasureLink;
use kvalitet_domain::org::Tenant;
use kvalitet_domain::{Id, Versioned};
use kvalitet_measures::{Secret, Source, Sources};
use kvalitet_store::case_data::{self, ImportFailure};
use kvalitet_store::{Actor, Store};

use crate::cli::ImportArgs;

/// The installation's pseudonymisation key: read from `path`, or created there (readable
/// by the owner only) on first use. Kept outside the database, so a copy of the database
/// alone cannot be used to test guesses of personal identity numbers.
pub fn secret(path: &Path) -> anyhow::Result<Secret> {
    match keys::read(path)? {
        Some(hex) => {
            Secret::from_hex(hex.trim()).map_err(|e| anyhow!("nyckelfilen {} är ogiltig: {e}", path.display()))
        }
        None => {
            let secret = Secret::generate().map_err(|e| anyhow!("kunde inte skapa en nyckel: {e}"))?;
            keys::save_new(path, &secret.to_hex(), "för pseudonymisering")?;
            Ok(secret)
        }
    }
}

/// What `serve` needs to read case data in from the browser: the same key as the CLI
/// (created on first use), the upload limit and directory.
pub fn web_config(args: &crate::cli::CaseDataArgs) -> anyhow::Result<kvalitet_web::CaseDataConfig> {
    Ok(kvalitet_web::CaseDataConfig {
        secret: Some(std::sync::Arc::new(secret(&args.secret_file)?)),
        max_upload_bytes: args.max_upload_bytes,
        upload_dir: args.upload_dir.clone().unwrap_or_else(std::env::temp_dir),
    })
}

pub async fn import(store: &Store, tenant: &Versioned<Tenant>, args: &ImportArgs) -> anyhow::Result<()> {
    let (sources, paths) = match &args.xlsx {
        Some(book) => (kvalitet_measures::workbook_sources(book)?, vec![book.clone()]),
        None => {
            let src = |p: &Option<std::path::PathBuf>| p.clone().map(Source::Path);
            let paths: Vec<_> =
                [&args.arenden, &args.insatser, &args.kontakter].into_iter().flatten().cloned().collect();
            if paths.is_empty() {
                bail!("ange minst en fil: --arenden, --insatser, --kontakter eller --xlsx");
            }
            (
                Sources { arenden: src(&args.arenden), insatser: src(&args.insatser), kontakter: src(&args.kontakter) },
                paths,
            )
        }
    };
    let period = kvalitet_measures::Period::new(args.from, args.to)?;
    let mut definitions = kvalitet_measures::default_definitions();
    if let Some(path) = &args.measures {
        let text = std::fs::read_to_string(path).with_context(|| format!("kan inte läsa {}", path.display()))?;
        definitions = kvalitet_measures::merge_definitions(definitions, kvalitet_measures::parse_definitions(&text)?);
    }
    let secret = secret(&args.secret_file)?;
    let actor = Actor::system("measures-import").in_tenant(tenant.id.get());
    let req = case_data::ImportRequest {
        tenant: tenant.id,
        sources: &sources,
        paths: &paths,
        period,
        secret: &secret,
        definitions: &definitions,
        names: None,
    };
    match case_data::run_import(store, &actor, &req).await {
        Ok(s) => {
            println!(
                "Inläst: {} ärenden, {} insatser, {} kontakter; {} resultat; {} egenkontroller och {} indikatorer uppdaterade.",
                s.cases, s.interventions, s.contacts, s.results, s.runs, s.indicator_results
            );
            Ok(())
        }
        Err(ImportFailure::Files(e)) => bail!("filerna lästes inte in, inget har sparats:\n{e}"),
        Err(e) => Err(e.into()),
    }
}

pub async fn link(
    store: &Store,
    tenant: &Versioned<Tenant>,
    measure: &str,
    self_inspection: Option<i64>,
    indicator: Option<i64>,
    approve_at: Option<f64>,
) -> anyhow::Result<()> {
    if !kvalitet_measures::default_definitions().iter().any(|d| d.id == measure) {
        let all: Vec<String> = kvalitet_measures::default_definitions().into_iter().map(|d| d.id).collect();
        bail!("okänt mått \"{measure}\"; välj ett av {}", all.join(", "));
    }
    let link = MeasureLink {
        tenant_id: tenant.id,
        measure: measure.to_owned(),
        self_inspection_id: self_inspection.map(Id::new),
        indicator_id: indicator.map(Id::new),
        approve_at,
    };
    let mut tx = store.write(&Actor::system("cli").in_tenant(tenant.id.get())).await?;
    case_data::link(&mut tx, &link).await.map_err(|e| match e {
        kvalitet_store::StoreError::Invalid(v) => {
            anyhow!("{}", v.errors.iter().map(|e| format!("{}: {}", e.field, e.problem)).collect::<Vec<_>>().join("; "))
        }
        kvalitet_store::StoreError::Database(_) => anyhow!("det finns ingen sådan egenkontroll eller indikator"),
        other => other.into(),
    })?;
    tx.commit().await?;
    println!("Måttet {measure} är kopplat.");
    Ok(())
}
