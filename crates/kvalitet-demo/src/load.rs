//! Loading the demo files into a store, in one transaction: a file with a problem is
//! reported with its name and the item, and nothing is stored.

use std::collections::HashMap;

use anyhow::{Context, anyhow, bail};

use kvalitet_domain::access::Account;
use kvalitet_domain::action::{Action, ActionFollowUp};
use kvalitet_domain::deviation::{Deviation, DeviationTally};
use kvalitet_domain::indicator::{Indicator, IndicatorResult};
use kvalitet_domain::kolada::{Gender, KoladaSettings, KoladaSource, KoladaValue};
use kvalitet_domain::org::{
    OrgUnit, OrgUnitId, ProcessArea, ProcessAreaId, QualityFactor, QualityFactorId, TargetGroup, TargetGroupId, Tenant,
    TenantId, may_nest,
};
use kvalitet_domain::plan::{FocusArea, PlanId, QualityPlan, Section};
use kvalitet_domain::report::{
    Finding, ImprovementArea, KeyStatistic, QualityAssessment, QualityReport, ReportId, Review, SystematicFollowUp,
    UserSurvey,
};
use kvalitet_domain::risk::{Risk, RiskId, RiskMatrix};
use kvalitet_domain::self_inspection::{SelfInspection, SelfInspectionId, SelfInspectionRun};
use kvalitet_domain::{Date, Id, Validate};
use kvalitet_store::links::{self, LinkKind};
use kvalitet_store::{Actor, Store, Tx, accounts, plans, repo};

use crate::schema::{FindingData, KoladaData, Organisation, PlanData, ReportData, SeedFile};
use crate::{DemoFile, ORGANISATION, SEEDS};

/// What a load stored.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct LoadSummary {
    pub units: usize,
    pub plans: usize,
    pub reports: usize,
    pub risks: usize,
    pub self_inspections: usize,
    pub actions: usize,
    pub indicators: usize,
}

/// Loads the embedded demo data into an empty store.
pub async fn load(store: &Store) -> anyhow::Result<LoadSummary> {
    load_files(store, &ORGANISATION, SEEDS).await
}

/// Loads an organisation file and seed files into an empty store, all or nothing.
pub async fn load_files(store: &Store, organisation: &DemoFile, seeds: &[DemoFile]) -> anyhow::Result<LoadSummary> {
    let org: Organisation =
        toml::from_str(organisation.text).with_context(|| format!("{}: kunde inte läsas", organisation.name))?;
    let mut parsed = Vec::new();
    for file in seeds {
        let seed: SeedFile = toml::from_str(file.text).with_context(|| format!("{}: kunde inte läsas", file.name))?;
        parsed.push((file.name, seed));
    }
    if !store.is_empty().await? {
        bail!("databasen innehåller redan data; demodata läses bara in i en tom databas");
    }
    let mut tx = store.write(&Actor::system("demo")).await?;
    let mut summary = LoadSummary::default();
    let names = load_organisation(&mut tx, &org, &mut summary).await.with_context(|| organisation.name)?;
    if let Some(k) = &org.kolada {
        load_kolada(&mut tx, names.tenant, k).await.with_context(|| format!("{}: kolada", organisation.name))?;
    }
    for (file, seed) in &parsed {
        if let Some(plan) = &seed.plan {
            load_plan(&mut tx, &names, plan, &mut summary).await.with_context(|| *file)?;
        }
        if let Some(report) = &seed.report {
            load_report(&mut tx, &names, report, &mut summary).await.with_context(|| *file)?;
        }
    }
    tx.commit().await?;
    Ok(summary)
}

/// The municipality's Kolada settings and the example values, stored as example data.
async fn load_kolada(tx: &mut Tx, tenant: TenantId, data: &KoladaData) -> anyhow::Result<()> {
    let settings = KoladaSettings {
        tenant_id: tenant,
        municipality: data.municipality.clone(),
        group_id: data.group_id.clone(),
        group_name: data.group_name.clone(),
    };
    kvalitet_store::kolada::save_settings(tx, &settings, 0).await?;
    let today = jiff::Zoned::now().date();
    let values: Vec<KoladaValue> = data
        .example_values
        .iter()
        .map(|v| KoladaValue {
            tenant_id: tenant,
            kpi: v.kpi.clone(),
            area: v.area.clone(),
            year: v.year,
            gender: Gender::Total,
            value: v.value,
            status: String::new(),
            source: KoladaSource::Example,
            origin: String::new(),
            fetched_on: today,
        })
        .collect();
    kvalitet_store::kolada::replace(tx, tenant, &values).await?;
    Ok(())
}

/// The organisation's names, for resolving references in the seed files.
struct Names {
    tenant: TenantId,
    units: HashMap<String, OrgUnitId>,
    target_groups: HashMap<String, TargetGroupId>,
    areas: HashMap<String, ProcessAreaId>,
    factors: Vec<(Id<QualityFactor>, QualityFactor)>,
}

impl Names {
    fn unit(&self, name: &str) -> anyhow::Result<OrgUnitId> {
        self.units.get(name).copied().ok_or_else(|| anyhow!("okänd enhet \"{name}\""))
    }
    fn area(&self, name: &str) -> anyhow::Result<ProcessAreaId> {
        self.areas.get(name).copied().ok_or_else(|| anyhow!("okänt område \"{name}\""))
    }
    fn factor(&self, name: Option<&str>) -> anyhow::Result<Option<QualityFactorId>> {
        let Some(name) = name else { return Ok(None) };
        self.factors
            .iter()
            .find(|(_, f)| f.is_named(name))
            .map(|(id, _)| Some(*id))
            .ok_or_else(|| anyhow!("okänd kvalitetsfaktor \"{name}\""))
    }
    fn target_group(&self, name: &str) -> anyhow::Result<TargetGroupId> {
        self.target_groups.get(name).copied().ok_or_else(|| anyhow!("okänd målgrupp \"{name}\""))
    }
}

async fn load_organisation(conn: &mut Tx, org: &Organisation, summary: &mut LoadSummary) -> anyhow::Result<Names> {
    let tenant = repo::insert(
        conn,
        &Tenant {
            name: org.tenant.name.clone(),
            slug: org.tenant.slug.clone(),
            brand_colour: org.tenant.brand_colour.clone(),
            risk_matrix: RiskMatrix::default(),
            demo: true,
        },
    )
    .await?;
    let mut units: HashMap<String, (OrgUnitId, OrgUnit)> = HashMap::new();
    for u in &org.units {
        let parent = match &u.parent {
            Some(p) => {
                let (id, parent) =
                    units.get(p).ok_or_else(|| anyhow!("enhet \"{}\": okänd överordnad \"{p}\"", u.name))?;
                if !may_nest(parent.kind, u.kind) {
                    bail!("enhet \"{}\" kan inte ligga under \"{p}\"", u.name);
                }
                Some(*id)
            }
            None => None,
        };
        let unit =
            OrgUnit { tenant_id: tenant, parent_id: parent, kind: u.kind, name: u.name.clone(), capacity: u.capacity };
        let id = plans::create(conn, &unit).await.with_context(|| format!("enhet \"{}\"", u.name))?;
        if units.insert(u.name.clone(), (id, unit)).is_some() {
            bail!("enheten \"{}\" finns två gånger", u.name);
        }
        summary.units += 1;
    }
    let mut target_groups = HashMap::new();
    for g in &org.target_groups {
        let id = plans::create(conn, &TargetGroup { tenant_id: tenant, name: g.name.clone() }).await?;
        target_groups.insert(g.name.clone(), id);
    }
    let mut areas = HashMap::new();
    for (i, name) in org.process_areas.iter().enumerate() {
        let id = plans::create(conn, &ProcessArea { tenant_id: tenant, name: name.clone(), sort_order: i as i64 + 1 })
            .await?;
        areas.insert(name.clone(), id);
    }
    let mut factors = Vec::new();
    for f in &org.quality_factors {
        let factor = QualityFactor {
            tenant_id: tenant,
            number: f.number,
            name: f.name.clone(),
            alias: f.alias.clone(),
            description: f.description.trim().to_owned(),
        };
        let id = plans::create(conn, &factor).await.with_context(|| format!("kvalitetsfaktor \"{}\"", f.name))?;
        factors.push((id, factor));
    }
    for a in &org.accounts {
        // The demo's passwords are public (README), so the policy for real ones is not
        // asked of them.
        let password = a.password.clone();
        let hash = tokio::task::spawn_blocking(move || accounts::hash_password(&password)).await?;
        let scope = units
            .get(&a.scope)
            .map(|(id, _)| *id)
            .ok_or_else(|| anyhow!("konto \"{}\": okänd enhet \"{}\"", a.email, a.scope))?;
        let account = Account::new(tenant, &a.email, &a.name);
        accounts::create_account(conn, &account, hash, &[(a.role, scope)])
            .await
            .with_context(|| format!("konto \"{}\"", a.email))?;
    }
    Ok(Names { tenant, units: units.into_iter().map(|(k, (id, _))| (k, id)).collect(), target_groups, areas, factors })
}

fn text(s: &str) -> String {
    s.trim().to_owned()
}

async fn load_plan(conn: &mut Tx, names: &Names, data: &PlanData, summary: &mut LoadSummary) -> anyhow::Result<PlanId> {
    let plan = QualityPlan {
        tenant_id: names.tenant,
        scope_id: names.unit(&data.scope)?,
        year: data.year,
        title: data.title.clone(),
        state: data.state,
        adopted_on: data.adopted_on,
        board_reference: data.board_reference.clone(),
        followed_up_on: data.followed_up_on,
        follow_up_reference: None,
        previous_plan_id: None,
        table_layout: data.table_layout,
    };
    let plan_id = plans::create(conn, &plan).await.context("planen")?;
    summary.plans += 1;
    for (i, s) in data.sections.iter().enumerate() {
        let section = Section {
            plan_id: Some(plan_id),
            report_id: None,
            kind: s.kind,
            heading: text(&s.heading),
            body: text(&s.body),
            sort_order: i as i64 + 1,
        };
        plans::create(conn, &section).await.with_context(|| format!("avsnitt \"{}\"", s.heading))?;
    }
    for (i, f) in data.focus_areas.iter().enumerate() {
        let focus = FocusArea {
            plan_id,
            kind: f.kind,
            title: text(&f.title),
            body: text(&f.body),
            quality_factor_id: names.factor(f.quality_factor.as_deref())?,
            sort_order: i as i64 + 1,
        };
        plans::create(conn, &focus).await.with_context(|| format!("fokusområde \"{}\"", f.title))?;
    }
    let assessed_on = data.adopted_on.unwrap_or_else(|| Date::new(data.year as i16, 1, 1).expect("valid year"));
    let mut risks: HashMap<&str, RiskId> = HashMap::new();
    for (i, r) in data.risks.iter().enumerate() {
        let ctx = || format!("risk \"{}\"", r.key);
        let risk = Risk {
            plan_id,
            process_area_id: names.area(&r.area).with_context(ctx)?,
            title: text(&r.title),
            consequence_text: text(&r.consequence_text),
            likelihood: r.likelihood,
            consequence: r.consequence,
            level: r.level,
            origin: r.origin,
            previous_risk_id: None,
            needs_reassessment: false,
            sort_order: i as i64 + 1,
        };
        let id = plans::add_risk(conn, &risk, assessed_on).await.with_context(ctx)?;
        for u in &r.units {
            links::link(conn, LinkKind::RiskUnit, id.get(), names.unit(u).with_context(ctx)?.get()).await?;
        }
        for g in &r.target_groups {
            links::link(conn, LinkKind::RiskTargetGroup, id.get(), names.target_group(g).with_context(ctx)?.get())
                .await?;
        }
        if risks.insert(r.key.as_str(), id).is_some() {
            bail!("risknyckeln \"{}\" finns två gånger", r.key);
        }
        summary.risks += 1;
    }
    let risk = |key: &str| risks.get(key).copied().ok_or_else(|| anyhow!("okänd risknyckel \"{key}\""));
    let mut sis: HashMap<&str, SelfInspectionId> = HashMap::new();
    for (i, s) in data.self_inspections.iter().enumerate() {
        let ctx = || format!("egenkontroll \"{}\"", s.key);
        let si = SelfInspection {
            plan_id,
            process_area_id: names.area(&s.area).with_context(ctx)?,
            title: text(&s.title),
            purpose: text(&s.purpose),
            method: s.method,
            frequency: s.frequency,
            target: text(&s.target),
            is_new: s.is_new,
            previous_status: s.previous_status,
            action_note: text(&s.action_note),
            unit_id: s.unit.as_deref().map(|u| names.unit(u)).transpose().with_context(ctx)?,
            keep_next_year: s.keep_next_year,
            responsible: String::new(),
            responsible_account_id: None,
            previous_self_inspection_id: None,
            sort_order: i as i64 + 1,
        };
        let id = plans::create(conn, &si).await.with_context(ctx)?;
        for key in &s.risks {
            links::link(conn, LinkKind::SelfInspectionRisk, id.get(), risk(key).with_context(ctx)?.get()).await?;
        }
        for run in &s.runs {
            let run = SelfInspectionRun {
                self_inspection_id: id,
                run_on: run.on.date().with_context(ctx)?,
                undated: run.on.undated(),
                result_value: run.result_value,
                sample_size: run.sample_size,
                verdict: run.verdict,
                verdict_reason: text(&run.verdict_reason),
                comment: text(&run.comment),
                recorded_by: "Demodata".into(),
            };
            plans::create(conn, &run).await.with_context(ctx)?;
        }
        if sis.insert(s.key.as_str(), id).is_some() {
            bail!("egenkontrollnyckeln \"{}\" finns två gånger", s.key);
        }
        summary.self_inspections += 1;
    }
    for (i, a) in data.actions.iter().enumerate() {
        let ctx = || format!("åtgärd \"{}\"", a.title);
        let action = Action {
            plan_id,
            title: text(&a.title),
            description: text(&a.description),
            responsible: text(&a.responsible),
            responsible_account_id: None,
            due_on: a.due_on,
            status: a.status,
            withdrawn_reason: a.withdrawn_reason.as_deref().map(text),
            previous_action_id: None,
            sort_order: i as i64 + 1,
        };
        let id = plans::create(conn, &action).await.with_context(ctx)?;
        for key in &a.risks {
            links::link(conn, LinkKind::ActionRisk, id.get(), risk(key).with_context(ctx)?.get()).await?;
        }
        for key in &a.self_inspections {
            let si =
                sis.get(key.as_str()).ok_or_else(|| anyhow!("okänd egenkontrollnyckel \"{key}\"")).with_context(ctx)?;
            links::link(conn, LinkKind::ActionSelfInspection, id.get(), si.get()).await?;
        }
        for f in &a.follow_ups {
            let follow_up = ActionFollowUp {
                action_id: id,
                entry_on: f.on.date().with_context(ctx)?,
                undated: f.on.undated(),
                text: text(&f.text),
                new_status: f.status,
                recorded_by: "Demodata".into(),
            };
            plans::create(conn, &follow_up).await.with_context(ctx)?;
        }
        if let Some(last) = a.follow_ups.last()
            && last.status != a.status
        {
            bail!("åtgärd \"{}\": status {} skiljer sig från sista uppföljningens {}", a.title, a.status, last.status);
        }
        summary.actions += 1;
    }
    for (i, d) in data.indicators.iter().enumerate() {
        let ctx = || format!("indikator \"{}\"", d.name);
        let indicator = Indicator {
            plan_id,
            area_id: names.area(&d.area).with_context(ctx)?,
            name: text(&d.name),
            quality_factor_id: names.factor(d.quality_factor.as_deref()).with_context(ctx)?,
            unit: d.unit,
            source: d.source,
            target_value: d.target_value,
            direction: d.direction,
            no_data: d.no_data,
            note: text(&d.note),
            previous_indicator_id: None,
            sort_order: i as i64 + 1,
            kolada_kpi: d.kolada_kpi.clone(),
        };
        let id = plans::create(conn, &indicator).await.with_context(ctx)?;
        for r in &d.results {
            let result = IndicatorResult {
                indicator_id: id,
                year: r.year,
                value: r.value,
                numerator: r.numerator,
                denominator: r.denominator,
                answers: r.answers,
                response_rate: r.response_rate,
                national_value: r.national_value,
                comment: text(&r.comment),
                no_data: r.no_data,
            };
            plans::add_indicator_result(conn, &result).await.with_context(ctx)?;
        }
        summary.indicators += 1;
    }
    Ok(plan_id)
}

async fn insert_findings(
    conn: &mut Tx,
    findings: &[FindingData],
    owner: impl Fn(&FindingData) -> (Option<Id<UserSurvey>>, Option<Id<SystematicFollowUp>>),
) -> anyhow::Result<()> {
    for (i, f) in findings.iter().enumerate() {
        let (survey_id, follow_up_id) = owner(f);
        let finding = Finding {
            survey_id,
            follow_up_id,
            label: text(&f.label),
            value: f.value,
            basis: f.basis,
            national_value: f.national_value,
            sort_order: i as i64 + 1,
        };
        plans::create(conn, &finding).await.with_context(|| format!("resultat \"{}\"", f.label))?;
    }
    Ok(())
}

async fn load_report(
    conn: &mut Tx,
    names: &Names,
    data: &ReportData,
    summary: &mut LoadSummary,
) -> anyhow::Result<ReportId> {
    let tenant_id = names.tenant;
    let year = data.year;
    let report = QualityReport {
        tenant_id,
        scope_id: names.unit(&data.scope)?,
        year,
        title: data.title.clone(),
        state: data.state,
        submitted_on: data.submitted_on,
        board_reference: data.board_reference.clone(),
    };
    let report_id = plans::create(conn, &report).await.context("berättelsen")?;
    summary.reports += 1;
    for (i, s) in data.sections.iter().enumerate() {
        let section = Section {
            plan_id: None,
            report_id: Some(report_id),
            kind: s.kind,
            heading: text(&s.heading),
            body: text(&s.body),
            sort_order: i as i64 + 1,
        };
        plans::create(conn, &section).await.with_context(|| format!("avsnitt \"{}\"", s.heading))?;
    }
    for (i, s) in data.statistics.iter().enumerate() {
        let stat = KeyStatistic {
            tenant_id,
            unit_id: names.unit(&s.unit)?,
            year: s.year,
            label: text(&s.label),
            value: s.value,
            unit: text(&s.measure),
            comment: text(&s.comment),
            sort_order: i as i64 + 1,
        };
        plans::create(conn, &stat).await.with_context(|| format!("nyckeltal \"{}\"", s.label))?;
    }
    for (i, s) in data.surveys.iter().enumerate() {
        let survey = UserSurvey {
            tenant_id,
            unit_id: names.unit(&s.unit)?,
            year,
            name: text(&s.name),
            instrument: text(&s.instrument),
            sample_size: s.sample_size,
            answers: s.answers,
            response_rate: s.response_rate,
            summary: text(&s.summary),
            sort_order: i as i64 + 1,
        };
        let id = plans::create(conn, &survey).await.with_context(|| format!("brukarundersökning \"{}\"", s.name))?;
        insert_findings(conn, &s.findings, |_| (Some(id), None)).await?;
    }
    for (i, f) in data.follow_ups.iter().enumerate() {
        let follow_up = SystematicFollowUp {
            tenant_id,
            unit_id: names.unit(&f.unit)?,
            year,
            instrument: text(&f.instrument),
            measurements: f.measurements,
            summary: text(&f.summary),
            sort_order: i as i64 + 1,
        };
        let id = plans::create(conn, &follow_up)
            .await
            .with_context(|| format!("systematisk uppföljning \"{}\"", f.instrument))?;
        insert_findings(conn, &f.findings, |_| (None, Some(id))).await?;
    }
    for (i, r) in data.reviews.iter().enumerate() {
        let review = Review {
            tenant_id,
            unit_id: names.unit(&r.unit)?,
            year,
            kind: r.kind,
            title: text(&r.title),
            body: text(&r.body),
            sort_order: i as i64 + 1,
        };
        plans::create(conn, &review).await.with_context(|| format!("granskning \"{}\"", r.title))?;
    }
    for d in &data.deviations {
        let ctx = || format!("avvikelse \"{}\"", d.title);
        let deviation = Deviation {
            undated: d.occurred_on.undated() || d.reported_on.undated() || d.closed_on.is_some_and(|c| c.undated()),
            status: d.status,
            investigation: text(&d.investigation),
            lex_sarah_category: d.lex_sarah_category,
            reported_to_ivo_on: d.reported_to_ivo_on,
            measures_taken: text(&d.measures_taken),
            closed_on: d.closed_on.map(|c| c.date()).transpose().with_context(ctx)?,
            ..Deviation::registered(
                tenant_id,
                names.unit(&d.unit)?,
                d.kind,
                d.occurred_on.date().with_context(ctx)?,
                d.reported_on.date().with_context(ctx)?,
                text(&d.title),
                text(&d.description),
                "Demodata".into(),
            )
        };
        plans::create(conn, &deviation).await.with_context(ctx)?;
    }
    for t in &data.deviation_tallies {
        let tally = DeviationTally {
            tenant_id,
            unit_id: names.unit(&t.unit)?,
            year: t.year,
            kind: t.kind,
            lex_sarah_category: t.lex_sarah_category,
            count: t.count,
            note: text(&t.note),
        };
        tally.validate().with_context(|| format!("antal {} {}", t.kind, t.year))?;
        repo::insert(conn, &tally).await?;
    }
    for (i, a) in data.assessments.iter().enumerate() {
        let assessment =
            QualityAssessment { report_id, area: text(&a.area), body: text(&a.body), sort_order: i as i64 + 1 };
        plans::create(conn, &assessment).await.with_context(|| format!("bedömning \"{}\"", a.area))?;
    }
    for (i, a) in data.improvement_areas.iter().enumerate() {
        let area = ImprovementArea {
            report_id,
            text: text(&a.text),
            quality_factor_id: names.factor(a.quality_factor.as_deref())?,
            sort_order: i as i64 + 1,
        };
        plans::create(conn, &area).await.context("förbättringsområde")?;
    }
    Ok(report_id)
}
