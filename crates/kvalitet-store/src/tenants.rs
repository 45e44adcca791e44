//! Municipalities (tenants) as a whole: creating one with its org tree and the six
//! quality factors (a real installation's first step), and removing one with everything
//! it holds (the demo municipality, which must hold nothing but the demo files' data).

use std::collections::HashMap;

use sqlx::{AnyConnection, AssertSqlSafe, Row};

use kvalitet_domain::org::{OrgUnit, OrgUnitId, OrgUnitKind, QualityFactor, Tenant, TenantId};
use kvalitet_domain::risk::RiskMatrix;
use kvalitet_domain::{Problem, ValidationErrors, Versioned};

use crate::error::{Result, StoreError};
use crate::record::Value;
use crate::repo::{self, Where};
use crate::{Tx, plans};

/// The six quality factors every municipality works with (Socialstyrelsen's); each
/// municipality writes its own descriptions in the organisation pages.
pub const QUALITY_FACTORS: [(&str, Option<&str>); 6] = [
    ("Kunskapsbaserad verksamhet", None),
    ("Hög delaktighet", None),
    ("Hög säkerhet, trygghet och gott bemötande", None),
    ("God tillgänglighet och insatser inom rimlig tid", None),
    ("Helhetssyn och samordning", None),
    ("Resurser används där de kommer målgruppen till störst nytta", Some("Effektivt resursutnyttjande")),
];

/// One unit of a new organisation, parents listed before their children.
#[derive(Debug, Clone, PartialEq)]
pub struct NewUnit {
    /// The unit's key in the file it came from.
    pub key: String,
    pub parent_key: Option<String>,
    pub kind: OrgUnitKind,
    pub name: String,
    pub capacity: Option<i64>,
}

/// A URL-safe short name from a municipality's name: `Huddinge kommun` → `huddinge-kommun`.
pub fn slug_of(name: &str) -> String {
    let mut slug = String::new();
    for c in name.trim().to_lowercase().chars() {
        let c = match c {
            'å' | 'ä' | 'à' | 'á' => 'a',
            'ö' | 'ø' | 'ó' => 'o',
            'é' | 'è' | 'ë' => 'e',
            'ü' => 'u',
            c if c.is_ascii_alphanumeric() => c,
            _ => '-',
        };
        if c != '-' || !slug.ends_with('-') {
            slug.push(c);
        }
    }
    slug.trim_matches('-').to_owned()
}

/// Every tenant, by name.
pub async fn all(conn: &mut AnyConnection) -> Result<Vec<Versioned<Tenant>>> {
    let mut v: Vec<Versioned<Tenant>> = repo::list(conn, Where::all()).await?;
    v.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(v)
}

/// The tenant with a slug or a name (case-insensitive).
pub async fn find(conn: &mut AnyConnection, slug_or_name: &str) -> Result<Option<Versioned<Tenant>>> {
    let wanted = slug_or_name.trim().to_lowercase();
    Ok(all(conn).await?.into_iter().find(|t| t.slug == wanted || t.name.to_lowercase() == wanted))
}

/// Creates a municipality with its org tree (parents before children) and the six
/// quality factors; returns the tenant and the ids of the units by their keys.
pub async fn create(tx: &mut Tx, name: &str, units: &[NewUnit]) -> Result<(TenantId, HashMap<String, OrgUnitId>)> {
    let name = name.trim();
    let slug = slug_of(name);
    let mut e = ValidationErrors::default();
    e.text("name", name, kvalitet_domain::validate::limits::SHORT);
    if slug.is_empty() {
        e.push("name", Problem::Invalid("ange kommunens namn med bokstäver".into()));
    }
    if find(tx, &slug).await?.is_some() || find(tx, name).await?.is_some() {
        e.push("name", Problem::Invalid(format!("det finns redan en kommun med namnet {name}")));
    }
    e.into_result()?;
    let tenant = repo::insert(
        tx,
        &Tenant {
            name: name.to_owned(),
            slug,
            brand_colour: "#005a8c".into(),
            risk_matrix: RiskMatrix::default(),
            demo: false,
        },
    )
    .await?;
    let mut ids: HashMap<String, OrgUnitId> = HashMap::new();
    let mut stored: Vec<Versioned<OrgUnit>> = Vec::new();
    for u in units {
        let parent_id = match &u.parent_key {
            Some(p) => Some(*ids.get(p).ok_or_else(|| {
                let mut e = ValidationErrors::default();
                e.push("parent_id", Problem::Invalid(format!("enheten {p} finns inte före {}", u.key)));
                StoreError::Invalid(e)
            })?),
            None => None,
        };
        let unit = OrgUnit { tenant_id: tenant, parent_id, kind: u.kind, name: u.name.clone(), capacity: u.capacity };
        kvalitet_domain::org::check_placement(&unit, None, &stored)?;
        let id = plans::create(tx, &unit).await?;
        stored.push(Versioned { id, version: 1, item: unit });
        ids.insert(u.key.clone(), id);
    }
    for (i, (name, alias)) in QUALITY_FACTORS.iter().enumerate() {
        let factor = QualityFactor {
            tenant_id: tenant,
            number: i as i64 + 1,
            name: (*name).to_owned(),
            alias: alias.map(str::to_owned),
            description: String::new(),
        };
        plans::create(tx, &factor).await?;
    }
    Ok((tenant, ids))
}

/// Every table that holds a tenant's data, children before parents, with the condition
/// that selects the tenant's rows (`$1` is the tenant's id). One list serves counting
/// and removing, so the two cannot disagree; a test checks that a removal leaves no row.
fn tenant_tables() -> Vec<(&'static str, String)> {
    let plans = "(SELECT id FROM quality_plan WHERE tenant_id = $1)";
    let reports = "(SELECT id FROM quality_report WHERE tenant_id = $1)";
    let of_plans = |t: &str| format!("(SELECT id FROM {t} WHERE plan_id IN {plans})");
    let (risks, actions, sis, inds) =
        (of_plans("risk"), of_plans("action"), of_plans("self_inspection"), of_plans("indicator"));
    let imports = "(SELECT id FROM case_import WHERE tenant_id = $1)";
    let accounts = "(SELECT id FROM account WHERE tenant_id = $1)";
    let tenant = "tenant_id = $1".to_owned();
    vec![
        ("session", format!("account_id IN {accounts}")),
        ("api_token", tenant.clone()),
        ("mail_outbox", tenant.clone()),
        ("mail_setting", format!("account_id IN {accounts}")),
        ("deviation_reporter", format!("account_id IN {accounts}")),
        ("access_log_review", tenant.clone()),
        ("correction", tenant.clone()),
        ("document_version", tenant.clone()),
        ("document_details", tenant.clone()),
        ("document_unit_settings", tenant.clone()),
        ("form_submission", tenant.clone()),
        ("role_assignment", format!("account_id IN {accounts}")),
        ("case_import_job", tenant.clone()),
        ("measure_outside", format!("result_id IN (SELECT id FROM measure_result WHERE import_id IN {imports})")),
        ("measure_result", format!("import_id IN {imports}")),
        ("case_record", format!("import_id IN {imports}")),
        ("intervention_record", format!("import_id IN {imports}")),
        ("contact_record", format!("import_id IN {imports}")),
        ("case_import", tenant.clone()),
        ("measure_link", tenant.clone()),
        ("deviation_self_inspection", "deviation_id IN (SELECT id FROM deviation WHERE tenant_id = $1)".to_owned()),
        ("deviation_event", "deviation_id IN (SELECT id FROM deviation WHERE tenant_id = $1)".to_owned()),
        ("event_analysis", "deviation_id IN (SELECT id FROM deviation WHERE tenant_id = $1)".to_owned()),
        ("deviation_action", "deviation_id IN (SELECT id FROM deviation WHERE tenant_id = $1)".to_owned()),
        ("deviation", tenant.clone()),
        ("deviation_category", tenant.clone()),
        ("deviation_settings", tenant.clone()),
        ("deviation_tally", tenant.clone()),
        ("kolada_value", tenant.clone()),
        ("kolada_settings", tenant.clone()),
        (
            "finding",
            "survey_id IN (SELECT id FROM user_survey WHERE tenant_id = $1) \
             OR follow_up_id IN (SELECT id FROM systematic_follow_up WHERE tenant_id = $1)"
                .to_owned(),
        ),
        ("user_survey", tenant.clone()),
        ("systematic_follow_up", tenant.clone()),
        ("review", tenant.clone()),
        ("key_statistic", tenant.clone()),
        ("quality_assessment", format!("report_id IN {reports}")),
        ("improvement_area", format!("report_id IN {reports}")),
        ("section", format!("plan_id IN {plans} OR report_id IN {reports}")),
        ("focus_area", format!("plan_id IN {plans}")),
        ("action_follow_up", format!("action_id IN {actions}")),
        ("action_risk", format!("action_id IN {actions}")),
        ("action_self_inspection", format!("action_id IN {actions}")),
        ("self_inspection_risk", format!("self_inspection_id IN {sis}")),
        ("indicator_risk", format!("indicator_id IN {inds}")),
        ("self_inspection_run", format!("self_inspection_id IN {sis}")),
        ("indicator_result", format!("indicator_id IN {inds}")),
        ("risk_unit", format!("risk_id IN {risks}")),
        ("risk_target_group", format!("risk_id IN {risks}")),
        ("risk_assessment", format!("risk_id IN {risks}")),
        ("action", format!("plan_id IN {plans}")),
        ("self_inspection", format!("plan_id IN {plans}")),
        ("indicator", format!("plan_id IN {plans}")),
        ("risk", format!("plan_id IN {plans}")),
        ("quality_plan", tenant.clone()),
        ("quality_report", tenant.clone()),
        ("quality_factor", tenant.clone()),
        ("process_area", tenant.clone()),
        ("target_group", tenant.clone()),
        ("account", tenant.clone()),
        ("org_unit", tenant),
        ("tenant", "id = $1".to_owned()),
    ]
}

/// How many rows of each table belong to a tenant (tables with none left out).
pub async fn row_counts(conn: &mut AnyConnection, tenant: TenantId) -> Result<Vec<(&'static str, i64)>> {
    let mut out = Vec::new();
    for (table, cond) in tenant_tables() {
        if table == "session" {
            continue;
        }
        let sql = format!("SELECT COUNT(*) AS n FROM {table} WHERE {cond}");
        let n: i64 = sqlx::query(AssertSqlSafe(sql)).bind(tenant.get()).fetch_one(&mut *conn).await?.try_get("n")?;
        if n > 0 {
            out.push((table, n));
        }
    }
    Ok(out)
}

/// The changes (not sign-ins) people of the tenant have made, as counted in the audit log.
pub async fn changes_by_its_people(conn: &mut AnyConnection, tenant: TenantId) -> Result<i64> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM audit_entry WHERE actor_id IN (SELECT id FROM account WHERE tenant_id = $1)
         AND action IN ('create', 'update', 'delete', 'link', 'unlink') AND table_name NOT IN ('account', 'session')",
    )
    .bind(tenant.get())
    .fetch_one(&mut *conn)
    .await?;
    Ok(row.try_get("n")?)
}

/// Removes a tenant and everything it holds, in the caller's transaction (audited as one
/// entry per table with the number of rows).
pub async fn remove(tx: &mut Tx, tenant: TenantId) -> Result<()> {
    for (table, cond) in tenant_tables() {
        let sql = format!("DELETE FROM {table} WHERE {cond}");
        let done = sqlx::query(AssertSqlSafe(sql)).bind(tenant.get()).execute(&mut **tx).await?;
        if done.rows_affected() > 0 {
            let after = serde_json::json!({ "tenant_id": tenant.get(), "rows": done.rows_affected() }).to_string();
            crate::audit::append(tx, "remove_tenant", table, None, None, Some(after)).await?;
        }
    }
    Ok(())
}

/// Whether any tenant is the demo's.
pub async fn has_demo(conn: &mut AnyConnection) -> Result<bool> {
    Ok(!repo::list::<Tenant>(conn, Where::sql("demo = $1", vec![Value::Int(1)])).await?.is_empty())
}
