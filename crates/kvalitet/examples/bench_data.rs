//! Generates the web benchmark's data set into a database: one administration, 10
//! sections, 300 units; a plan per section and per unit with 10,000 risks in all, each
//! with two actions, 50,000 action follow-ups; 6,000 deviations and complaints reported in
//! 2024 and 2025 across the units (the last 100 still open); and an administrator account
//! `bench@exempel.se` / `bench-losenord-123`.
//!
//! `cargo run --release -p kvalitet --example bench_data -- DATABASE_URL`

use kvalitet_domain::Date;
use kvalitet_domain::access::{Account, Role};
use kvalitet_domain::action::{Action, ActionFollowUp, ActionStatus};
use kvalitet_domain::deviation::{Deviation, DeviationKind, DeviationStatus};
use kvalitet_domain::org::{OrgUnit, OrgUnitKind, ProcessArea, Tenant};
use kvalitet_domain::plan::{PlanState, QualityPlan};
use kvalitet_domain::risk::{Risk, RiskMatrix, RiskOrigin};
use kvalitet_store::links::{self, LinkKind};
use kvalitet_store::{Actor, Store, accounts, repo};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let url = std::env::args().nth(1).expect("usage: bench_data DATABASE_URL");
    let store = Store::connect(&url).await?;
    store.migrate().await?;
    let mut tx = store.write(&Actor::system("bench")).await?;
    let tenant = repo::insert(
        &mut tx,
        &Tenant {
            name: "Benchkommun".into(),
            slug: "bench".into(),
            brand_colour: "#005a8c".into(),
            risk_matrix: RiskMatrix::default(),
            demo: false,
        },
    )
    .await?;
    let unit =
        |parent, kind, name: String| OrgUnit { tenant_id: tenant, parent_id: parent, kind, name, capacity: None };
    let root = repo::insert(&mut tx, &unit(None, OrgUnitKind::Administration, "Förvaltningen".into())).await?;
    let mut areas = Vec::new();
    for i in 0..8 {
        areas.push(
            repo::insert(&mut tx, &ProcessArea { tenant_id: tenant, name: format!("Område {i}"), sort_order: i })
                .await?,
        );
    }
    let mut scopes = vec![root];
    let mut units = Vec::new();
    for s in 0..10 {
        let section = repo::insert(&mut tx, &unit(Some(root), OrgUnitKind::Section, format!("Sektion {s}"))).await?;
        scopes.push(section);
        for u in 0..30 {
            let id = repo::insert(&mut tx, &unit(Some(section), OrgUnitKind::Unit, format!("Enhet {s}-{u}"))).await?;
            scopes.push(id);
            units.push(id);
        }
    }
    let hash = accounts::hash_password("bench-losenord-123");
    let admin = Account::new(tenant, "bench@exempel.se", "Bench");
    accounts::create_account(&mut tx, &admin, hash, &[(Role::Administrator, root)]).await?;
    // 10,000 risks over 311 plans (the administration's plan has the most), two actions
    // each, 50,000 follow-ups.
    let mut risks = 0;
    let mut follow_ups = 0;
    for (p, scope) in scopes.iter().enumerate() {
        let plan = repo::insert(
            &mut tx,
            &QualityPlan {
                tenant_id: tenant,
                scope_id: *scope,
                year: 2025,
                title: format!("Kvalitetsplan 2025 nr {p}"),
                state: PlanState::Adopted,
                adopted_on: Some(Date::constant(2024, 12, 15)),
                board_reference: Some("SN 2024/1".into()),
                followed_up_on: None,
                follow_up_reference: None,
                previous_plan_id: None,
                table_layout: kvalitet_domain::plan::TableLayout::Separate,
            },
        )
        .await?;
        let n = if p == 0 { 700 } else { 30 };
        for r in 0..n {
            if risks == 10_000 {
                break;
            }
            let (l, c) = ((r % 4 + 1) as i64, ((r / 4) % 4 + 1) as i64);
            let risk = repo::insert(
                &mut tx,
                &Risk {
                    plan_id: plan,
                    process_area_id: areas[r % areas.len()],
                    title: format!("Risk {p}-{r}: brukare får inte stöd i tid"),
                    consequence_text: "Konsekvensen beskrivs här i några meningar om vad som kan hända.".into(),
                    likelihood: Some(l),
                    consequence: Some(c),
                    level: l * c,
                    origin: RiskOrigin::RiskAnalysis,
                    previous_risk_id: None,
                    needs_reassessment: false,
                    sort_order: r as i64,
                },
            )
            .await?;
            risks += 1;
            for a in 0..2 {
                let action = repo::insert(
                    &mut tx,
                    &Action {
                        plan_id: plan,
                        title: format!("Åtgärd {a} för risk {r}"),
                        description: "Vad ska göras, beskrivet.".into(),
                        responsible: "Enhetschef".into(),
                        responsible_account_id: None,
                        due_on: Some(Date::constant(2025, 6, 30)),
                        status: ActionStatus::Ongoing,
                        withdrawn_reason: None,
                        previous_action_id: None,
                        sort_order: a,
                    },
                )
                .await?;
                links::link(&mut tx, LinkKind::ActionRisk, action.get(), risk.get()).await?;
                let k = (if a == 0 { 3 } else { 2 }).min(50_000 - follow_ups);
                for f in 0..k {
                    repo::insert(
                        &mut tx,
                        &ActionFollowUp {
                            action_id: action,
                            entry_on: Date::constant(2025, (f + 3) as i8, 28),
                            undated: false,
                            text: "Uppföljning: arbetet pågår enligt plan.".into(),
                            new_status: ActionStatus::Ongoing,
                            recorded_by: "Bench".into(),
                        },
                    )
                    .await?;
                    follow_ups += 1;
                }
            }
        }
    }
    // 3,000 reports a year in 2024 and 2025, one a unit in turn, seven in ten deviations
    // and three complaints; all closed ten days after the report but the last 100.
    let deviations = 6_000;
    for i in 0..deviations {
        let year = if i < deviations / 2 { 2024 } else { 2025 };
        let (month, day) = ((i / 10 % 12 + 1) as i8, (i % 27 + 1) as i8);
        let occurred = Date::constant(year, month, day);
        let reported = Date::constant(year, month, day + 1);
        let kind = if i % 10 < 7 { DeviationKind::Internal } else { DeviationKind::Complaint };
        let mut d = Deviation::registered(
            tenant,
            units[i % units.len()],
            kind,
            occurred,
            reported,
            format!("Avvikelse {i}: läkemedel gavs inte i tid"),
            "Vad som hände, beskrivet i några meningar.".into(),
            "Personal på enheten".into(),
        );
        if i < deviations - 100 {
            d.status = DeviationStatus::Closed;
            d.closed_on = Some(Date::constant(year, month, day + 1).saturating_add(jiff::Span::new().days(10)));
            d.measures_taken = "Rutinen gicks igenom på arbetsplatsträffen.".into();
        }
        repo::insert(&mut tx, &d).await?;
    }
    tx.commit().await?;
    println!("{} units, {risks} risks, {follow_ups} follow-ups, {deviations} deviations", scopes.len());
    Ok(())
}
