//! Imported case data: the pseudonymised rows of the case-management system's export,
//! the measure results computed from them with the case ids outside each limit, and the
//! runs and indicator results the results feed through measure links. One import is one
//! audited change; the rows themselves are bulk-inserted.

use std::collections::HashMap;
use std::sync::atomic::AtomicU64;

use sqlx::{AnyConnection, AssertSqlSafe, Row};

use kvalitet_domain::indicator::{Indicator, IndicatorResult};
use kvalitet_domain::measure::MeasureLink;
use kvalitet_domain::org::{OrgUnit, OrgUnitId, TenantId};
use kvalitet_domain::self_inspection::{SelfInspection, SelfInspectionRun};
use kvalitet_domain::{Date, Id, Validate, Versioned};
use kvalitet_measures::{Dataset, Day, MeasureResult, TargetGroup};

use crate::error::Result;
use crate::record::{Column, Value};
use crate::repo::{self, Where, bind_values};
use crate::{Tx, audit, plans};

/// Where an import came from.
#[derive(Debug, Clone)]
pub struct ImportMeta {
    /// The files' names, comma-separated.
    pub files: String,
    /// SHA-256 of the files' bytes, hex.
    pub checksum: String,
    pub period_from: Date,
    pub period_to: Date,
}

/// What an import stored.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ImportSummary {
    pub import_id: i64,
    pub cases: usize,
    pub interventions: usize,
    pub contacts: usize,
    pub results: usize,
    pub runs: usize,
    pub indicator_results: usize,
}

fn day(d: Option<Day>) -> Value {
    d.map_or(Value::NullText, |d| Value::Text(d.date().to_string()))
}

/// Inserts rows of `width` values in statements of up to 200 rows (SQLite limits the
/// number of variables of one statement).
async fn insert_rows(tx: &mut Tx, table: &str, columns: &[&str], rows: Vec<Vec<Value>>) -> Result<()> {
    for chunk in rows.chunks(200) {
        let mut n = 0;
        let groups: Vec<String> = chunk
            .iter()
            .map(|row| {
                let ph: Vec<String> = row
                    .iter()
                    .map(|_| {
                        n += 1;
                        format!("${n}")
                    })
                    .collect();
                format!("({})", ph.join(", "))
            })
            .collect();
        let sql = format!("INSERT INTO {table} ({}) VALUES {}", columns.join(", "), groups.join(", "));
        bind_values(sqlx::query(AssertSqlSafe(sql)), chunk.iter().flatten().cloned()).execute(&mut **tx).await?;
    }
    Ok(())
}

/// Stores an import: its rows, its results (units mapped to org units by name), and the
/// runs and results of linked self-inspections and indicators.
pub async fn store_import(
    tx: &mut Tx,
    tenant: TenantId,
    data: &Dataset,
    results: &[MeasureResult],
    meta: &ImportMeta,
    units: &HashMap<String, OrgUnitId>,
) -> Result<ImportSummary> {
    let imported_by = tx.actor().name.clone();
    let row = sqlx::query(
        "INSERT INTO case_import (tenant_id, imported_at, imported_by, files, checksum, period_from, period_to) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(tenant.get())
    .bind(audit::now_utc())
    .bind(imported_by.clone())
    .bind(meta.files.clone())
    .bind(meta.checksum.clone())
    .bind(meta.period_from.to_string())
    .bind(meta.period_to.to_string())
    .fetch_one(&mut **tx)
    .await?;
    let import_id: i64 = row.try_get("id")?;
    let unit = |name: &str| units.get(name).map_or(Value::NullInt, |u| Value::Int(u.get()));
    let mut summary = ImportSummary { import_id, ..Default::default() };

    if let Some(cases) = &data.arenden {
        let rows = cases
            .iter()
            .map(|c| {
                vec![
                    Value::Int(import_id),
                    Value::Text(c.case_id.as_str().to_owned()),
                    Value::Text(c.person.to_hex()),
                    unit(data.units.name(c.unit)),
                    Value::Text(match c.target_group {
                        TargetGroup::Barn => "barn".into(),
                        TargetGroup::Vuxen => "vuxen".into(),
                    }),
                    day(c.aktualisering),
                    day(c.forhandsbedomning),
                    c.forhandsbedomning_beslut.map_or(Value::NullText, |b| {
                        Value::Text(
                            match b {
                                kvalitet_measures::data::PreAssessmentDecision::Inled => "inled",
                                kvalitet_measures::data::PreAssessmentDecision::EjInled => "ej_inled",
                            }
                            .into(),
                        )
                    }),
                    day(c.utredning_start),
                    day(c.utredning_slut),
                    day(c.forlangning),
                ]
            })
            .collect();
        let cols = [
            "import_id",
            "case_id",
            "person_key",
            "unit_id",
            "target_group",
            "aktualisering",
            "forhandsbedomning",
            "forhandsbedomning_beslut",
            "utredning_start",
            "utredning_slut",
            "forlangning",
        ];
        insert_rows(tx, "case_record", &cols, rows).await?;
        summary.cases = cases.len();
    }
    if let Some(interventions) = &data.insatser {
        let rows = interventions
            .iter()
            .map(|i| {
                vec![
                    Value::Int(import_id),
                    Value::Text(i.case_id.as_str().to_owned()),
                    Value::Text(i.person.to_hex()),
                    unit(data.units.name(i.unit)),
                    Value::Text(data.insatser_names.name(i.insats).to_owned()),
                    day(i.beslut),
                    day(i.verkstallighet),
                    day(i.start),
                    day(i.slut),
                    day(i.planerad_slut),
                    day(i.genomforandeplan),
                    day(i.plan_uppfoljning),
                ]
            })
            .collect();
        let cols = [
            "import_id",
            "case_id",
            "person_key",
            "unit_id",
            "insats",
            "beslut",
            "verkstallighet",
            "start_on",
            "end_on",
            "planned_end",
            "plan_on",
            "plan_followed_up",
        ];
        insert_rows(tx, "intervention_record", &cols, rows).await?;
        summary.interventions = interventions.len();
    }
    if let Some(contacts) = &data.kontakter {
        let rows = contacts
            .iter()
            .map(|c| {
                vec![Value::Int(import_id), unit(data.units.name(c.unit)), day(c.forsta_kontakt), day(c.forsta_besok)]
            })
            .collect();
        insert_rows(tx, "contact_record", &["import_id", "unit_id", "first_contact", "first_visit"], rows).await?;
        summary.contacts = contacts.len();
    }

    let float = |v: Option<f64>| v.map_or(Value::NullReal, Value::Real);
    let int = |v: Option<u64>| v.map_or(Value::NullInt, |n| Value::Int(n as i64));
    for r in results {
        let extra = serde_json::json!({
            "value_type": r.value_type,
            "over_limit_with_extension": r.over_limit_with_extension,
            "mean": r.mean,
            "median": r.median,
            "max": r.max,
        })
        .to_string();
        let values = vec![
            Value::Int(import_id),
            Value::Text(r.measure.clone()),
            Value::Text(r.name.clone()),
            r.unit.as_deref().map_or(Value::NullInt, unit),
            r.month.clone().map_or(Value::NullText, Value::Text),
            r.group.clone().map_or(Value::NullText, Value::Text),
            int(r.numerator),
            int(r.denominator),
            float(r.value),
            float(r.ci_low),
            float(r.ci_high),
            Value::Text(extra),
        ];
        let row = bind_values(
            sqlx::query(
                "INSERT INTO measure_result (import_id, measure, name, unit_id, month, grp, numerator, denominator, value, ci_low, ci_high, extra) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
            ),
            values,
        )
        .fetch_one(&mut **tx)
        .await?;
        let result_id: i64 = row.try_get("id")?;
        let outside: Vec<Vec<Value>> =
            r.outside.iter().map(|c| vec![Value::Int(result_id), Value::Text(c.as_str().to_owned())]).collect();
        insert_rows(tx, "measure_outside", &["result_id", "case_id"], outside).await?;
        summary.results += 1;
    }
    let after = serde_json::json!({
        "files": meta.files, "checksum": meta.checksum,
        "period": [meta.period_from.to_string(), meta.period_to.to_string()],
        "cases": summary.cases, "interventions": summary.interventions, "contacts": summary.contacts,
        "results": summary.results,
    })
    .to_string();
    audit::append(tx, "import", "case_import", Some(import_id), None, Some(after)).await?;
    feed_links(tx, tenant, results, meta, units, &imported_by, &mut summary).await?;
    Ok(summary)
}

/// Records a run or a result for every link whose measure has a whole-period result
/// (for the self-inspection's unit when it has one, else for all units).
async fn feed_links(
    tx: &mut Tx,
    tenant: TenantId,
    results: &[MeasureResult],
    meta: &ImportMeta,
    units: &HashMap<String, OrgUnitId>,
    who: &str,
    summary: &mut ImportSummary,
) -> Result<()> {
    let links: Vec<Versioned<MeasureLink>> =
        repo::list(tx, Where::sql("tenant_id = $1", vec![tenant.to_value()])).await?;
    let source = format!(
        "Beräknat ur verksamhetssystemets export {} – {} (kontrollsumma {}), inläst av {who}.",
        meta.period_from,
        meta.period_to,
        &meta.checksum[..12.min(meta.checksum.len())]
    );
    let tree = crate::org::units(tx, tenant).await?;
    for link in links {
        let unit = match link.self_inspection_id {
            Some(si) => repo::get::<SelfInspection>(tx, si).await?.unit_id,
            None => None,
        };
        let whole = |r: &&MeasureResult| r.measure == link.measure && r.month.is_none() && r.group.is_none();
        let found = match unit {
            // Not tied to a unit: the result for all units.
            None => results.iter().filter(whole).find(|r| r.unit.is_none()).cloned(),
            // Tied to a unit: its own result, or its units' results added up (a section).
            Some(u) => {
                let below = crate::org::subtree(&tree, u);
                let within: Vec<&MeasureResult> = results
                    .iter()
                    .filter(whole)
                    .filter(|r| r.unit.as_ref().and_then(|n| units.get(n)).is_some_and(|id| below.contains(id)))
                    .collect();
                added_up(&within)
            }
        };
        let Some(r) = found else {
            continue;
        };
        let r = &r;
        let Some(value) = r.value else { continue };
        let percent = value * 100.0;
        if let Some(si) = link.self_inspection_id {
            let run = SelfInspectionRun {
                self_inspection_id: si,
                run_on: meta.period_to,
                undated: false,
                result_value: Some((percent * 10.0).round() / 10.0),
                sample_size: r.denominator.map(|d| d as i64),
                verdict: link.verdict(percent),
                verdict_reason: String::new(),
                comment: format!("{}: {}/{}. {source}", r.name, r.numerator.unwrap_or(0), r.denominator.unwrap_or(0)),
                recorded_by: who.to_owned(),
            };
            plans::create(tx, &run).await?;
            summary.runs += 1;
        }
        if let Some(ind) = link.indicator_id {
            let year = i64::from(meta.period_to.year());
            let existing: Vec<Versioned<IndicatorResult>> =
                repo::list(tx, Where::sql("indicator_id = $1 AND year = $2", vec![ind.to_value(), Value::Int(year)]))
                    .await?;
            let result = IndicatorResult {
                indicator_id: ind,
                year,
                value: Some((percent * 10.0).round() / 10.0),
                numerator: r.numerator.map(|n| n as i64),
                denominator: r.denominator.map(|d| d as i64),
                answers: None,
                response_rate: None,
                national_value: existing.first().and_then(|e| e.national_value),
                comment: source.clone(),
                no_data: false,
            };
            let unit = repo::get::<Indicator>(tx, ind).await?.unit;
            result.validate_for(unit)?;
            match existing.first() {
                Some(e) => {
                    repo::update(tx, e.id, e.version, &result).await?;
                }
                None => {
                    repo::insert(tx, &result).await?;
                }
            }
            summary.indicator_results += 1;
        }
    }
    Ok(())
}

/// One unit's result as it stands, or several units' shares added up (numerators and
/// denominators summed); `None` when there is none, or when the results are not shares.
fn added_up(results: &[&MeasureResult]) -> Option<MeasureResult> {
    match results {
        [] => None,
        [one] => Some((*one).clone()),
        [first, ..] => {
            let mut numerator = 0;
            let mut denominator = 0;
            for r in results {
                numerator += r.numerator?;
                denominator += r.denominator?;
            }
            let value = (denominator > 0).then(|| numerator as f64 / denominator as f64);
            Some(MeasureResult {
                unit: None,
                numerator: Some(numerator),
                denominator: Some(denominator),
                value,
                ci_low: None,
                ci_high: None,
                over_limit_with_extension: None,
                mean: None,
                median: None,
                max: None,
                outside: results.iter().flat_map(|r| r.outside.iter().cloned()).collect(),
                outside_count: results.iter().map(|r| r.outside_count).sum(),
                ..(*first).clone()
            })
        }
    }
}

/// Creates a link, validated.
pub async fn link(tx: &mut Tx, link: &MeasureLink) -> Result<Id<MeasureLink>> {
    link.validate()?;
    repo::insert(tx, link).await
}

/// The tenant's measure links, in the order made.
pub async fn links(conn: &mut AnyConnection, tenant: TenantId) -> Result<Vec<Versioned<MeasureLink>>> {
    repo::list(conn, Where::sql("tenant_id = $1", vec![tenant.to_value()])).await
}

/// Removes a link, if `version` is still current.
pub async fn unlink(tx: &mut Tx, id: Id<MeasureLink>, version: i64) -> Result<()> {
    repo::delete::<MeasureLink>(tx, id, version).await
}

/// A stored import.
#[derive(Debug, Clone)]
pub struct StoredImport {
    pub id: i64,
    pub imported_at: String,
    pub imported_by: String,
    pub files: String,
    pub checksum: String,
    pub period_from: String,
    pub period_to: String,
}

/// A stored result.
#[derive(Debug, Clone)]
pub struct StoredResult {
    pub id: i64,
    pub import_id: i64,
    pub measure: String,
    pub name: String,
    pub unit_id: Option<OrgUnitId>,
    pub month: Option<String>,
    pub group: Option<String>,
    pub numerator: Option<i64>,
    pub denominator: Option<i64>,
    pub value: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    pub extra: String,
    pub outside: i64,
}

fn stored_import(r: &sqlx::any::AnyRow) -> Result<StoredImport> {
    Ok(StoredImport {
        id: r.try_get("id")?,
        imported_at: r.try_get("imported_at")?,
        imported_by: r.try_get("imported_by")?,
        files: r.try_get("files")?,
        checksum: r.try_get("checksum")?,
        period_from: r.try_get("period_from")?,
        period_to: r.try_get("period_to")?,
    })
}

/// The tenant's latest import.
pub async fn latest_import(conn: &mut AnyConnection, tenant: TenantId) -> Result<Option<StoredImport>> {
    let row = sqlx::query(
        "SELECT id, imported_at, imported_by, files, checksum, period_from, period_to FROM case_import \
         WHERE tenant_id = $1 ORDER BY id DESC LIMIT 1",
    )
    .bind(tenant.get())
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(stored_import).transpose()
}

fn stored_result(r: &sqlx::any::AnyRow) -> Result<StoredResult> {
    let opt_i = |c: &str| -> Result<Option<i64>> { Option::<i64>::read(r, "measure_result", c) };
    let opt_f = |c: &str| -> Result<Option<f64>> { Option::<f64>::read(r, "measure_result", c) };
    let opt_t = |c: &str| -> Result<Option<String>> { Option::<String>::read(r, "measure_result", c) };
    Ok(StoredResult {
        id: r.try_get("id")?,
        import_id: r.try_get("import_id")?,
        measure: r.try_get("measure")?,
        name: r.try_get("name")?,
        unit_id: opt_i("unit_id")?.map(Id::new),
        month: opt_t("month")?,
        group: opt_t("grp")?,
        numerator: opt_i("numerator")?,
        denominator: opt_i("denominator")?,
        value: opt_f("value")?,
        ci_low: opt_f("ci_low")?,
        ci_high: opt_f("ci_high")?,
        extra: r.try_get("extra")?,
        outside: r.try_get("outside")?,
    })
}

const RESULT_COLUMNS: &str = "r.id, r.import_id, r.measure, r.name, r.unit_id, r.month, r.grp, r.numerator, \
     r.denominator, r.value, r.ci_low, r.ci_high, r.extra, \
     (SELECT COUNT(*) FROM measure_outside o WHERE o.result_id = r.id) AS outside";

/// The results of an import, in the order computed.
pub async fn results(conn: &mut AnyConnection, import_id: i64) -> Result<Vec<StoredResult>> {
    let sql = format!("SELECT {RESULT_COLUMNS} FROM measure_result r WHERE r.import_id = $1 ORDER BY r.id");
    let rows = sqlx::query(AssertSqlSafe(sql)).bind(import_id).fetch_all(&mut *conn).await?;
    rows.iter().map(stored_result).collect()
}

/// One result and the case ids outside its limit.
pub async fn result_with_cases(conn: &mut AnyConnection, result_id: i64) -> Result<(StoredResult, Vec<String>)> {
    let sql = format!("SELECT {RESULT_COLUMNS} FROM measure_result r WHERE r.id = $1");
    let row = sqlx::query(AssertSqlSafe(sql))
        .bind(result_id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(crate::StoreError::NotFound { table: "measure_result", id: result_id })?;
    let result = stored_result(&row)?;
    let cases = sqlx::query("SELECT case_id FROM measure_outside WHERE result_id = $1 ORDER BY case_id")
        .bind(result_id)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| r.try_get::<String, _>("case_id"))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    Ok((result, cases))
}

/// The tenant of an import.
pub async fn import_tenant(conn: &mut AnyConnection, import_id: i64) -> Result<TenantId> {
    let row =
        sqlx::query("SELECT tenant_id FROM case_import WHERE id = $1").bind(import_id).fetch_one(&mut *conn).await?;
    Ok(Id::new(row.try_get("tenant_id")?))
}

/// Why an import stored nothing.
#[derive(Debug, thiserror::Error)]
pub enum ImportFailure {
    /// The files were refused: every problem, named by file, row and column.
    #[error("{0}")]
    Files(#[from] kvalitet_measures::ImportError),
    #[error("{0}")]
    Compute(#[from] anyhow::Error),
    #[error("{0}")]
    Store(#[from] crate::StoreError),
}

/// What to import.
#[derive(Debug)]
pub struct ImportRequest<'a> {
    pub tenant: TenantId,
    pub sources: &'a kvalitet_measures::Sources,
    /// The files read, for the checksum.
    pub paths: &'a [std::path::PathBuf],
    pub period: kvalitet_measures::Period,
    pub secret: &'a kvalitet_measures::Secret,
    pub definitions: &'a [kvalitet_measures::MeasureDef],
    /// The files' names as the import records them; by default the paths' file names.
    pub names: Option<&'a str>,
}

/// An import read and computed, ready to store.
#[derive(Debug)]
pub struct Prepared {
    pub data: Dataset,
    pub results: Vec<MeasureResult>,
    pub meta: ImportMeta,
}

/// The tenant's org units, which an import's unit names are checked against and whose
/// places (`capacity`, set on residential units in the organisation pages) occupancy is
/// computed against.
pub async fn import_units(store: &crate::Store, tenant: TenantId) -> Result<Vec<Versioned<OrgUnit>>> {
    let mut conn = store.read().await?;
    crate::org::units(&mut conn, tenant).await
}

/// The units by name, as the files name them.
fn unit_names(units: &[Versioned<OrgUnit>]) -> HashMap<String, OrgUnitId> {
    units.iter().map(|u| (u.name.clone(), u.id)).collect()
}

/// Reads and validates the export, checking its units against `units`, and computes the
/// measures per unit and per month over the period; counts the rows read in `rows_read`.
/// No database: CPU-bound, so callers on an async runtime run it on a blocking thread.
pub fn prepare(
    units: &[Versioned<OrgUnit>],
    req: &ImportRequest<'_>,
    rows_read: &AtomicU64,
) -> std::result::Result<Prepared, ImportFailure> {
    let ImportRequest { sources, paths, period, secret, definitions, .. } = *req;
    use sha2::Digest;
    let names = unit_names(units);
    let options = kvalitet_measures::ImportOptions { known_units: Some(names.keys().cloned().collect()) };
    let data = kvalitet_measures::import_counting(sources, secret, &options, rows_read)?;
    let capacities: Vec<kvalitet_measures::Capacity> = units
        .iter()
        .filter_map(|u| u.capacity.map(|c| kvalitet_measures::Capacity { unit: u.name.clone(), places: c as u32 }))
        .collect();
    let mut results = Vec::new();
    for by in [kvalitet_measures::By::Unit, kvalitet_measures::By::Month] {
        let options = kvalitet_measures::ComputeOptions { period, by, capacities: capacities.clone() };
        let report = kvalitet_measures::compute(&data, definitions, &options)?;
        // The whole-period rows for all units come in both runs; keep them once.
        results.extend(report.results.into_iter().filter(|r| by == kvalitet_measures::By::Unit || r.month.is_some()));
    }
    // The checksum is read from the files again, a block at a time.
    let mut hasher = sha2::Sha256::new();
    for p in paths {
        let unreadable = |e: std::io::Error| anyhow::anyhow!("kan inte läsa {}: {e}", p.display());
        let mut file = std::fs::File::open(p).map_err(unreadable)?;
        let mut block = vec![0u8; 1 << 16];
        loop {
            let n = std::io::Read::read(&mut file, &mut block).map_err(unreadable)?;
            if n == 0 {
                break;
            }
            hasher.update(&block[..n]);
        }
    }
    let meta = ImportMeta {
        files: req.names.map(str::to_owned).unwrap_or_else(|| {
            paths
                .iter()
                .filter_map(|p| p.file_name())
                .map(|n| n.to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join(", ")
        }),
        checksum: hex::encode(hasher.finalize()),
        period_from: period.from,
        period_to: period.to,
    };
    Ok(Prepared { data, results, meta })
}

/// Stores a prepared import in `tx` (see [`store_import`]).
pub async fn store_prepared(
    tx: &mut Tx,
    tenant: TenantId,
    prepared: &Prepared,
    units: &[Versioned<OrgUnit>],
) -> Result<ImportSummary> {
    store_import(tx, tenant, &prepared.data, &prepared.results, &prepared.meta, &unit_names(units)).await
}

/// Reads an export, checks its units against the org tree, computes the measures per
/// unit and per month over the period, and stores it all in one transaction.
pub async fn run_import(
    store: &crate::Store,
    actor: &crate::Actor,
    req: &ImportRequest<'_>,
) -> std::result::Result<ImportSummary, ImportFailure> {
    let units = import_units(store, req.tenant).await?;
    let prepared = prepare(&units, req, &AtomicU64::new(0))?;
    let mut tx = store.write(actor).await?;
    let summary = store_prepared(&mut tx, req.tenant, &prepared, &units).await?;
    tx.commit().await?;
    Ok(summary)
}

/// The case ids outside a result's limit with the unit each case belongs to in the same
/// import (from its case or intervention rows), so a manager sees only their own units'.
pub async fn outside_cases_by_unit(conn: &mut AnyConnection, result_id: i64) -> Result<Vec<(String, OrgUnitId)>> {
    let rows = sqlx::query(
        "SELECT DISTINCT o.case_id AS case_id, c.unit_id AS unit_id FROM measure_outside o \
         JOIN measure_result r ON r.id = o.result_id \
         JOIN (SELECT import_id, case_id, unit_id FROM case_record \
               UNION SELECT import_id, case_id, unit_id FROM intervention_record) c \
           ON c.import_id = r.import_id AND c.case_id = o.case_id \
         WHERE o.result_id = $1 ORDER BY o.case_id",
    )
    .bind(result_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(|r| Ok((r.try_get::<String, _>("case_id")?, Id::new(r.try_get::<i64, _>("unit_id")?)))).collect()
}

/// A case outside a result's limit with its unit and the dates its rows hold in the
/// same import (a case with several intervention rows comes once per row).
#[derive(Debug, Clone)]
pub struct OutsideCase {
    pub case_id: String,
    pub unit_id: OrgUnitId,
    pub dates: Vec<(kvalitet_measures::definition::DateField, Date)>,
}

/// The cases outside a result's limit with their dates, from the case and intervention
/// rows of the result's import, in case order.
pub async fn outside_cases_with_dates(conn: &mut AnyConnection, result_id: i64) -> Result<Vec<OutsideCase>> {
    use kvalitet_measures::definition::DateField as F;
    let tables: [(&str, &[(&str, F)]); 2] = [
        (
            "case_record",
            &[
                ("aktualisering", F::Aktualisering),
                ("forhandsbedomning", F::Forhandsbedomning),
                ("utredning_start", F::UtredningStart),
                ("utredning_slut", F::UtredningSlut),
                ("forlangning", F::Forlangning),
            ],
        ),
        (
            "intervention_record",
            &[
                ("beslut", F::Beslut),
                ("verkstallighet", F::Verkstallighet),
                ("start_on", F::Start),
                ("end_on", F::Slut),
                ("planned_end", F::PlaneradSlut),
                ("plan_on", F::Genomforandeplan),
                ("plan_followed_up", F::PlanUppfoljning),
            ],
        ),
    ];
    let mut out = Vec::new();
    for (table, columns) in tables {
        let cols: Vec<String> = columns.iter().map(|(c, _)| format!("c.{c} AS {c}")).collect();
        let sql = format!(
            "SELECT o.case_id AS case_id, c.unit_id AS unit_id, {} FROM measure_outside o \
             JOIN measure_result r ON r.id = o.result_id \
             JOIN {table} c ON c.import_id = r.import_id AND c.case_id = o.case_id \
             WHERE o.result_id = $1",
            cols.join(", ")
        );
        for row in sqlx::query(AssertSqlSafe(sql)).bind(result_id).fetch_all(&mut *conn).await? {
            let mut dates = Vec::new();
            for (column, field) in columns {
                if let Some(d) = Option::<String>::read(&row, table, column)?.and_then(|t| t.parse::<Date>().ok()) {
                    dates.push((*field, d));
                }
            }
            out.push(OutsideCase {
                case_id: row.try_get("case_id")?,
                unit_id: Id::new(row.try_get::<i64, _>("unit_id")?),
                dates,
            });
        }
    }
    out.sort_by(|a, b| a.case_id.cmp(&b.case_id));
    Ok(out)
}

/// One import of the tenant's, by id.
pub async fn import_of(conn: &mut AnyConnection, tenant: TenantId, import_id: i64) -> Result<Option<StoredImport>> {
    let row = sqlx::query(
        "SELECT id, imported_at, imported_by, files, checksum, period_from, period_to FROM case_import \
         WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant.get())
    .bind(import_id)
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(stored_import).transpose()
}
