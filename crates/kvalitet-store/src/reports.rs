//! Reports: listing them and loading one with what it draws on from its scope.

use sqlx::AnyConnection;

use kvalitet_domain::bundle::ReportBundle;
use kvalitet_domain::deviation::{Deviation, DeviationTally};
use kvalitet_domain::org::{OrgUnitId, TenantId};
use kvalitet_domain::plan::Section;
use kvalitet_domain::report::{
    Finding, ImprovementArea, KeyStatistic, QualityAssessment, QualityReport, ReportId, Review, SystematicFollowUp,
    UserSurvey,
};
use kvalitet_domain::{Code, Versioned};

use crate::Tx;
use crate::error::Result;
use crate::org;
use crate::record::{Column, Record, Value};
use crate::repo::{self, Where};

/// Every report of a tenant, newest year first.
pub async fn list_reports(conn: &mut AnyConnection, tenant: TenantId) -> Result<Vec<Versioned<QualityReport>>> {
    let mut v: Vec<Versioned<QualityReport>> =
        repo::list(conn, Where::sql("tenant_id = $1", vec![tenant.to_value()])).await?;
    v.sort_by(|a, b| b.year.cmp(&a.year).then(a.id.cmp(&b.id)));
    Ok(v)
}

/// One page of the reports a reader may read (submitted ones within `submitted_in`,
/// drafts within `drafts_in`; `None` for every unit), newest year first, with how many
/// there are in all.
pub async fn page(
    conn: &mut AnyConnection,
    tenant: TenantId,
    submitted_in: &Option<Vec<OrgUnitId>>,
    drafts_in: &Option<Vec<OrgUnitId>>,
    limit: i64,
    offset: i64,
) -> Result<(i64, Vec<Versioned<QualityReport>>)> {
    let sql = format!(
        "tenant_id = $1 AND {}",
        crate::plans::readable(kvalitet_domain::report::ReportState::Draft.code(), submitted_in, drafts_in)
    );
    repo::page(conn, Where::built(sql, vec![tenant.to_value()]), "year DESC, id", limit, offset).await
}

/// Records of the given units and years (the unit list is filtered in Rust: scopes are
/// small, and this avoids long `IN` lists SQLite refuses).
async fn of_units<T: Record>(
    conn: &mut AnyConnection,
    tenant: TenantId,
    years: (i64, i64),
    units: &[OrgUnitId],
    unit_of: impl Fn(&T) -> OrgUnitId,
) -> Result<Vec<Versioned<T>>> {
    let all: Vec<Versioned<T>> = repo::list(
        conn,
        Where::sql(
            "tenant_id = $1 AND year BETWEEN $2 AND $3",
            vec![tenant.to_value(), Value::Int(years.0), Value::Int(years.1)],
        ),
    )
    .await?;
    Ok(all.into_iter().filter(|r| units.contains(&unit_of(&r.item))).collect())
}

/// The deviations of the given units reported in the given years.
pub async fn deviations_of(
    conn: &mut AnyConnection,
    tenant: TenantId,
    years: (i64, i64),
    units: &[OrgUnitId],
) -> Result<Vec<Versioned<Deviation>>> {
    Ok(repo::list::<Deviation>(
        conn,
        Where::sql(
            "tenant_id = $1 AND reported_on >= $2 AND reported_on <= $3",
            vec![
                tenant.to_value(),
                Value::Text(format!("{}-01-01", years.0)),
                Value::Text(format!("{}-12-31", years.1)),
            ],
        ),
    )
    .await?
    .into_iter()
    .filter(|d| units.contains(&d.unit_id))
    .collect())
}

/// A report with everything it draws on.
pub async fn load_report(conn: &mut AnyConnection, id: ReportId) -> Result<ReportBundle> {
    let report = repo::get::<QualityReport>(conn, id).await?;
    let tenant = report.tenant_id;
    let all_units = org::units(conn, tenant).await?;
    let scope_ids = org::subtree(&all_units, report.scope_id);
    let units: Vec<_> = scope_ids.iter().filter_map(|id| all_units.iter().find(|u| u.id == *id).cloned()).collect();
    let scope =
        units.first().cloned().ok_or(crate::StoreError::NotFound { table: "org_unit", id: report.scope_id.get() })?;
    let year = report.year;
    let r = id.to_value();
    let surveys = of_units::<UserSurvey>(conn, tenant, (year, year), &scope_ids, |s| s.unit_id).await?;
    let follow_ups = of_units::<SystematicFollowUp>(conn, tenant, (year, year), &scope_ids, |s| s.unit_id).await?;
    let mut findings: Vec<Versioned<Finding>> = Vec::new();
    for s in &surveys {
        findings.extend(repo::list(conn, Where::sql("survey_id = $1", vec![s.id.to_value()])).await?);
    }
    for f in &follow_ups {
        findings.extend(repo::list(conn, Where::sql("follow_up_id = $1", vec![f.id.to_value()])).await?);
    }
    let deviations = deviations_of(conn, tenant, (year - 1, year), &scope_ids).await?;
    Ok(ReportBundle {
        sections: repo::list::<Section>(conn, Where::sql("report_id = $1", vec![r.clone()])).await?,
        statistics: of_units::<KeyStatistic>(conn, tenant, (year - 1, year), &scope_ids, |s| s.unit_id).await?,
        reviews: of_units::<Review>(conn, tenant, (year, year), &scope_ids, |s| s.unit_id).await?,
        tallies: of_units::<DeviationTally>(conn, tenant, (year - 1, year), &scope_ids, |s| s.unit_id).await?,
        assessments: repo::list::<QualityAssessment>(conn, Where::sql("report_id = $1", vec![r.clone()])).await?,
        improvement_areas: repo::list::<ImprovementArea>(conn, Where::sql("report_id = $1", vec![r])).await?,
        deviations,
        surveys,
        follow_ups,
        findings,
        report,
        scope,
        units,
    })
}

/// Creates a draft report with its first sections, in the caller's transaction. A second
/// report for the same scope and year is refused by the database (unique).
pub async fn create_report(conn: &mut Tx, report: &QualityReport, sections: &[Section]) -> Result<ReportId> {
    let id = crate::plans::create(conn, report).await?;
    for (i, s) in sections.iter().enumerate() {
        crate::plans::create(
            conn,
            &Section { report_id: Some(id), plan_id: None, sort_order: i as i64 + 1, ..s.clone() },
        )
        .await?;
    }
    Ok(id)
}
