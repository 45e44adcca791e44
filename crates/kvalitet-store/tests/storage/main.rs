//! The storage suite: every test runs on a fresh SQLite database and on a fresh
//! PostgreSQL database.

use kvalitet_domain::action::{Action, ActionFollowUp, ActionStatus};
use kvalitet_domain::indicator::{Direction, Indicator, IndicatorResult, IndicatorSource, MeasureUnit};
use kvalitet_domain::org::{OrgUnit, OrgUnitKind, ProcessArea, Tenant, TenantId};
use kvalitet_domain::plan::{PlanId, PlanState, QualityPlan, Section, SectionKind};
use kvalitet_domain::risk::{Risk, RiskAssessment, RiskMatrix, RiskOrigin};
use kvalitet_domain::self_inspection::{Frequency, Method, SelfInspection, SelfInspectionRun, TrafficLight, Verdict};
use kvalitet_domain::{Date, Id, Versioned};
use kvalitet_store::links::{self, LinkKind};
use kvalitet_store::testing::on_each_backend;
use kvalitet_store::{Actor, Store, StoreError, Where, plans, repo};

mod api_tokens;
mod audit;
mod corrections;
mod document_settings;
mod kolada;
mod search;

struct Fixture {
    tenant: TenantId,
    area: Id<ProcessArea>,
    plan: PlanId,
}

fn day(y: i16, m: i8, d: i8) -> Date {
    Date::new(y, m, d).unwrap()
}

async fn fixture(store: &Store) -> Fixture {
    let mut tx = store.write(&Actor::system("test")).await.unwrap();
    let tenant = repo::insert(
        &mut tx,
        &Tenant {
            name: "Testkommun".into(),
            slug: "test".into(),
            brand_colour: "#005a8c".into(),
            risk_matrix: RiskMatrix::default(),
            demo: false,
        },
    )
    .await
    .unwrap();
    let root = repo::insert(
        &mut tx,
        &OrgUnit {
            tenant_id: tenant,
            parent_id: None,
            kind: OrgUnitKind::Administration,
            name: "IFO".into(),
            capacity: None,
        },
    )
    .await
    .unwrap();
    let area =
        repo::insert(&mut tx, &ProcessArea { tenant_id: tenant, name: "Myndighetsutövning".into(), sort_order: 1 })
            .await
            .unwrap();
    let plan = plans::create(
        &mut tx,
        &QualityPlan {
            tenant_id: tenant,
            scope_id: root,
            year: 2024,
            title: "Kvalitetsplan 2024".into(),
            state: PlanState::Draft,
            adopted_on: None,
            board_reference: None,
            followed_up_on: None,
            follow_up_reference: None,
            previous_plan_id: None,
            table_layout: kvalitet_domain::plan::TableLayout::Separate,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    Fixture { tenant, area, plan }
}

fn risk(f: &Fixture, title: &str, level: i64) -> Risk {
    Risk {
        plan_id: f.plan,
        process_area_id: f.area,
        title: title.into(),
        consequence_text: "Barn får inte stöd i tid.".into(),
        likelihood: None,
        consequence: None,
        level,
        origin: RiskOrigin::RiskAnalysis,
        previous_risk_id: None,
        needs_reassessment: false,
        sort_order: 1,
    }
}

fn action(f: &Fixture, title: &str, status: ActionStatus) -> Action {
    Action {
        plan_id: f.plan,
        title: title.into(),
        description: "Vad ska göras: åäö".into(),
        responsible: "Enhetschef".into(),
        responsible_account_id: None,
        due_on: Some(day(2024, 6, 30)),
        status,
        withdrawn_reason: None,
        previous_action_id: None,
        sort_order: 1,
    }
}

#[tokio::test]
async fn records_round_trip_with_every_column_type() {
    on_each_backend(|store, _| async move {
        let f = fixture(&store).await;
        let mut tx = store.write(&Actor::system("test")).await.unwrap();
        let si = SelfInspection {
            plan_id: f.plan,
            process_area_id: f.area,
            title: "Andel aktualiseringar avslutade inom 14 dagar".into(),
            purpose: "Kontroll av att lagstadgad tid efterlevs.".into(),
            method: Method::Statistics,
            frequency: Frequency::Monthly,
            target: "14 dagar".into(),
            is_new: false,
            previous_status: Some(TrafficLight::Unknown),
            action_note: String::new(),
            unit_id: None,
            keep_next_year: true,
            responsible: String::new(),
            responsible_account_id: None,
            previous_self_inspection_id: None,
            sort_order: 3,
        };
        let si_id = plans::create(&mut tx, &si).await.unwrap();
        let run = SelfInspectionRun {
            self_inspection_id: si_id,
            run_on: day(2024, 2, 29),
            undated: false,
            result_value: Some(80.5),
            sample_size: Some(40),
            verdict: Verdict::PartlyApproved,
            verdict_reason: String::new(),
            comment: "80 procent, delvis godkänt".into(),
            recorded_by: "test".into(),
        };
        let run_id = plans::create(&mut tx, &run).await.unwrap();
        // A null float followed by a value through the same statement (PostgreSQL caches
        // the statement with the first call's parameter types).
        let empty = SelfInspectionRun { result_value: None, sample_size: None, ..run.clone() };
        let empty_id = plans::create(&mut tx, &empty).await.unwrap();
        let again = SelfInspectionRun { result_value: Some(12.0), ..run.clone() };
        let again_id = plans::create(&mut tx, &again).await.unwrap();
        tx.commit().await.unwrap();
        let mut conn = store.read().await.unwrap();
        assert_eq!(repo::get::<SelfInspectionRun>(&mut conn, empty_id).await.unwrap().result_value, None);
        assert_eq!(repo::get::<SelfInspectionRun>(&mut conn, again_id).await.unwrap().result_value, Some(12.0));
        drop(conn);

        let mut conn = store.read().await.unwrap();
        let back = repo::get::<SelfInspection>(&mut conn, si_id).await.unwrap();
        assert_eq!(back.item, si);
        assert_eq!(back.version, 1);
        let back_run = repo::get::<SelfInspectionRun>(&mut conn, run_id).await.unwrap();
        assert_eq!(back_run.item, run);
        let whole = repo::get::<SelfInspectionRun>(&mut conn, run_id).await.unwrap();
        assert_eq!(whole.run_on.to_string(), "2024-02-29");
        let missing = repo::get::<SelfInspection>(&mut conn, Id::new(999_999)).await;
        assert!(matches!(missing, Err(StoreError::NotFound { table: "self_inspection", .. })));
    })
    .await;
}

#[tokio::test]
async fn the_second_of_two_writers_gets_a_conflict_not_an_overwrite() {
    on_each_backend(|store, _| async move {
        let f = fixture(&store).await;
        let mut tx = store.write(&Actor::system("test")).await.unwrap();
        let id = plans::add_risk(&mut tx, &risk(&f, "Förlängningsbeslut utan giltiga skäl", 9), day(2024, 1, 10))
            .await
            .unwrap();
        tx.commit().await.unwrap();

        // Two people open the same risk at version 1.
        let mut conn = store.read().await.unwrap();
        let alice_copy = repo::get::<Risk>(&mut conn, id).await.unwrap();
        let bob_copy = repo::get::<Risk>(&mut conn, id).await.unwrap();
        drop(conn);

        let mut tx = store.write(&Actor::system("test")).await.unwrap();
        let alice = Risk { title: "Alices rubrik".into(), ..alice_copy.item.clone() };
        assert_eq!(repo::update(&mut tx, id, alice_copy.version, &alice).await.unwrap(), 2);
        tx.commit().await.unwrap();

        let mut tx = store.write(&Actor::system("test")).await.unwrap();
        let bob = Risk { title: "Bobs rubrik".into(), ..bob_copy.item.clone() };
        let err = repo::update(&mut tx, id, bob_copy.version, &bob).await.unwrap_err();
        assert!(
            matches!(err, StoreError::Conflict { expected: 1, current: 2, .. }),
            "expected a conflict, got {err:?}"
        );
        drop(tx);

        let mut conn = store.read().await.unwrap();
        let now = repo::get::<Risk>(&mut conn, id).await.unwrap();
        assert_eq!(now.title, "Alices rubrik");
        assert_eq!(now.version, 2);

        // Deleting from a stale version is refused too.
        let mut tx = store.write(&Actor::system("test")).await.unwrap();
        assert!(matches!(repo::delete::<Risk>(&mut tx, id, 1).await, Err(StoreError::Conflict { .. })));
        repo::delete::<Risk>(&mut tx, id, 2).await.unwrap();
        tx.commit().await.unwrap();
        let mut conn = store.read().await.unwrap();
        assert!(repo::find::<Risk>(&mut conn, id).await.unwrap().is_none());
    })
    .await;
}

#[tokio::test]
async fn concurrent_writers_never_lose_an_update() {
    on_each_backend(|store, _| async move {
        let f = fixture(&store).await;
        let mut tx = store.write(&Actor::system("test")).await.unwrap();
        let id = plans::create(&mut tx, &action(&f, "Räknare", ActionStatus::Ongoing)).await.unwrap();
        tx.commit().await.unwrap();

        // Sixteen writers each read the action and try to append their mark to it.
        let mut tasks = Vec::new();
        for i in 0..16 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                let mut conn = store.read().await.unwrap();
                let current: Versioned<Action> = repo::get(&mut conn, id).await.unwrap();
                drop(conn);
                tokio::task::yield_now().await;
                let mut tx = store.write(&Actor::system("test")).await.unwrap();
                let next = Action { description: format!("{}|{i}", current.description), ..current.item.clone() };
                match repo::update(&mut tx, id, current.version, &next).await {
                    Ok(_) => {
                        tx.commit().await.unwrap();
                        true
                    }
                    Err(StoreError::Conflict { .. }) => false,
                    Err(e) => panic!("unexpected error: {e}"),
                }
            }));
        }
        let mut won = 0;
        for t in tasks {
            if t.await.unwrap() {
                won += 1;
            }
        }
        let mut conn = store.read().await.unwrap();
        let end = repo::get::<Action>(&mut conn, id).await.unwrap();
        assert!(won >= 1);
        // Every acknowledged write is in the record: one mark per winner, none lost.
        assert_eq!(end.version, 1 + won);
        assert_eq!(end.description.matches('|').count() as i64, won);
    })
    .await;
}

#[tokio::test]
async fn an_uncommitted_transaction_stores_nothing_and_invalid_data_is_refused() {
    on_each_backend(|store, _| async move {
        let f = fixture(&store).await;
        {
            let mut tx = store.write(&Actor::system("test")).await.unwrap();
            plans::add_risk(&mut tx, &risk(&f, "Halvfärdig", 4), day(2024, 1, 1)).await.unwrap();
            // Dropped without commit.
        }
        let mut tx = store.write(&Actor::system("test")).await.unwrap();
        let mut bad = risk(&f, "Fel nivå", 8);
        bad.likelihood = Some(3);
        bad.consequence = Some(3);
        let err = plans::add_risk(&mut tx, &bad, day(2024, 1, 1)).await.unwrap_err();
        match err {
            StoreError::Invalid(v) => assert!(v.to_string().contains("stämmer inte"), "{v}"),
            other => panic!("expected invalid, got {other:?}"),
        }
        let empty_title = risk(&f, "   ", 4);
        assert!(matches!(plans::add_risk(&mut tx, &empty_title, day(2024, 1, 1)).await, Err(StoreError::Invalid(_))));
        let too_high = risk(&f, "För hög", 17);
        assert!(matches!(plans::add_risk(&mut tx, &too_high, day(2024, 1, 1)).await, Err(StoreError::Invalid(_))));
        tx.commit().await.unwrap();
        let mut conn = store.read().await.unwrap();
        assert_eq!(repo::count::<Risk>(&mut conn).await.unwrap(), 0);
        assert_eq!(repo::count::<RiskAssessment>(&mut conn).await.unwrap(), 0);
    })
    .await;
}

#[tokio::test]
async fn reassessment_keeps_history_and_follow_up_moves_status() {
    on_each_backend(|store, _| async move {
        let f = fixture(&store).await;
        let mut tx = store.write(&Actor::system("test")).await.unwrap();
        let r =
            plans::add_risk(&mut tx, &risk(&f, "Barn riskerar att inte få stöd inom rimlig tid", 9), day(2024, 1, 5))
                .await
                .unwrap();
        let a = plans::create(&mut tx, &action(&f, "Förändrad arbetsprocess", ActionStatus::Planned)).await.unwrap();
        tx.commit().await.unwrap();

        let mut tx = store.write(&Actor::system("test")).await.unwrap();
        let assessment = RiskAssessment {
            risk_id: r,
            assessed_on: day(2024, 6, 1),
            likelihood: Some(2),
            consequence: Some(3),
            level: 6,
            comment: "Åtgärderna har minskat risknivån".into(),
        };
        assert_eq!(plans::reassess_risk(&mut tx, r, 1, &assessment).await.unwrap(), 2);
        let follow_up = ActionFollowUp {
            action_id: a,
            entry_on: day(2024, 12, 31),
            undated: false,
            text: "Arbetssättet har införts.".into(),
            new_status: ActionStatus::Done,
            recorded_by: "test".into(),
        };
        plans::follow_up_action(&mut tx, 1, &follow_up).await.unwrap();
        // A done action cannot go back to planned.
        let back = ActionFollowUp { new_status: ActionStatus::Planned, ..follow_up.clone() };
        assert!(matches!(plans::follow_up_action(&mut tx, 2, &back).await, Err(StoreError::Invalid(_))));
        tx.commit().await.unwrap();

        let mut conn = store.read().await.unwrap();
        let now = repo::get::<Risk>(&mut conn, r).await.unwrap();
        assert_eq!((now.likelihood, now.consequence, now.level), (Some(2), Some(3), 6));
        let history: Vec<Versioned<RiskAssessment>> =
            repo::list(&mut conn, Where::sql("risk_id = $1", vec![kvalitet_store::Value::Int(r.get())])).await.unwrap();
        assert_eq!(history.iter().map(|h| h.level).collect::<Vec<_>>(), vec![9, 6]);
        assert_eq!(repo::get::<Action>(&mut conn, a).await.unwrap().status, ActionStatus::Done);
    })
    .await;
}

#[tokio::test]
async fn rollover_carries_the_plan_into_a_draft_and_leaves_it_unchanged() {
    on_each_backend(|store, _| async move {
        let f = fixture(&store).await;
        let mut tx = store.write(&Actor::system("test")).await.unwrap();
        plans::create(
            &mut tx,
            &Section {
                plan_id: Some(f.plan),
                report_id: None,
                kind: SectionKind::Purpose,
                heading: "Syfte".into(),
                body: "Text".into(),
                sort_order: 1,
            },
        )
        .await
        .unwrap();
        let r = plans::add_risk(&mut tx, &risk(&f, "Risk A", 9), day(2024, 1, 1)).await.unwrap();
        let done = plans::create(&mut tx, &action(&f, "Klar åtgärd", ActionStatus::Done)).await.unwrap();
        let going = plans::create(&mut tx, &action(&f, "Pågående åtgärd", ActionStatus::Ongoing)).await.unwrap();
        links::link(&mut tx, LinkKind::ActionRisk, done.get(), r.get()).await.unwrap();
        links::link(&mut tx, LinkKind::ActionRisk, going.get(), r.get()).await.unwrap();
        let ind = plans::create(
            &mut tx,
            &Indicator {
                plan_id: f.plan,
                area_id: f.area,
                name: "Andelen barnavårdsutredningar avslutade inom 90 dagar".into(),
                quality_factor_id: None,
                unit: MeasureUnit::Percent,
                source: IndicatorSource::CaseSystem,
                target_value: Some(85.0),
                direction: Direction::HigherIsBetter,
                no_data: false,
                note: String::new(),
                previous_indicator_id: None,
                sort_order: 1,
                kolada_kpi: None,
            },
        )
        .await
        .unwrap();
        plans::add_indicator_result(
            &mut tx,
            &IndicatorResult {
                indicator_id: ind,
                year: 2024,
                value: Some(77.0),
                numerator: Some(77),
                denominator: Some(100),
                answers: None,
                response_rate: None,
                national_value: Some(63.0),
                comment: String::new(),
                no_data: false,
            },
        )
        .await
        .unwrap();
        // A draft cannot be rolled over.
        assert!(matches!(plans::roll_over_plan(&mut tx, f.plan, day(2024, 12, 1)).await, Err(StoreError::Invalid(_))));
        plans::adopt(&mut tx, f.plan, 1, day(2023, 12, 13), "SN-2023/1").await.unwrap();
        let next = plans::roll_over_plan(&mut tx, f.plan, day(2024, 12, 1)).await.unwrap();
        tx.commit().await.unwrap();

        let mut conn = store.read().await.unwrap();
        let old = plans::load_bundle(&mut conn, f.plan).await.unwrap();
        let new = plans::load_bundle(&mut conn, next).await.unwrap();
        assert_eq!(old.plan.state, PlanState::Adopted);
        assert_eq!(old.actions.len(), 2);
        assert_eq!(old.indicator_results.len(), 1);
        assert_eq!(new.plan.year, 2025);
        assert_eq!(new.plan.title, "Kvalitetsplan 2025");
        assert_eq!(new.plan.state, PlanState::Draft);
        assert_eq!(new.plan.previous_plan_id, Some(f.plan));
        assert_eq!(new.sections.len(), 1);
        assert_eq!(new.risks.len(), 1);
        assert!(new.risks[0].needs_reassessment);
        assert_eq!(new.risks[0].previous_risk_id, Some(r));
        assert_eq!(new.actions.iter().map(|a| a.title.as_str()).collect::<Vec<_>>(), vec!["Pågående åtgärd"]);
        assert_eq!(new.links.action_risk, vec![(new.actions[0].id, new.risks[0].id)]);
        assert_eq!(new.indicators.len(), 1);
        assert!(new.indicator_results.is_empty());
        let ix = new.index();
        let groups = new.risk_groups(&ix);
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0].risks[0].actions.len(), 1);
        // The same scope cannot have two plans for one year.
        let mut tx = store.write(&Actor::system("test")).await.unwrap();
        assert!(plans::roll_over_plan(&mut tx, f.plan, day(2024, 12, 2)).await.is_err());
        let _ = f.tenant;
    })
    .await;
}

#[tokio::test]
async fn migrating_twice_is_harmless() {
    on_each_backend(|store, _| async move {
        store.migrate().await.unwrap();
        store.migrate().await.unwrap();
        assert!(store.is_empty().await.unwrap());
    })
    .await;
}

/// The list a removal consults (`org::REFERENCES`) names every foreign key to the
/// organisation's tables that the schema declares, and nothing else.
#[tokio::test]
async fn the_organisations_references_match_the_schema() {
    on_each_backend(|store, backend| async move {
        if backend != kvalitet_store::Backend::Sqlite {
            return;
        }
        let mut conn = store.read().await.unwrap();
        let sql = "SELECT m.name AS from_table, p.\"from\" AS from_column, p.\"table\" AS to_table \
                   FROM sqlite_master m, pragma_foreign_key_list(m.name) p WHERE m.type = 'table'";
        let rows = sqlx::query(sql).fetch_all(&mut *conn).await.unwrap();
        let organisation = ["org_unit", "target_group", "process_area", "quality_factor"];
        let mut declared: Vec<(String, String, String)> = rows
            .iter()
            .map(|r| {
                use sqlx::Row;
                (r.get::<String, _>("to_table"), r.get::<String, _>("from_table"), r.get::<String, _>("from_column"))
            })
            .filter(|(to, _, _)| organisation.contains(&to.as_str()))
            .collect();
        let mut listed: Vec<(String, String, String)> = kvalitet_store::org::REFERENCES
            .iter()
            .map(|(a, b, c)| ((*a).to_owned(), (*b).to_owned(), (*c).to_owned()))
            .collect();
        declared.sort();
        listed.sort();
        assert_eq!(listed, declared);
    })
    .await;
}

#[tokio::test]
async fn flow_starts_from_one_address_are_throttled_until_a_sign_in_finishes_from_it() {
    use kvalitet_store::accounts::throttle;
    use kvalitet_store::oidc::{self, FLOW_STARTS, Flow};
    on_each_backend(|store, _| async move {
        let flow = Flow { nonce: "n".into(), pkce_verifier: "v".into(), return_to: "/".into() };
        for i in 0..FLOW_STARTS.free {
            assert!(oidc::begin(&store, &format!("s{i}"), "b", &flow, Some("10.0.0.1")).await.unwrap(), "start {i}");
        }
        assert!(!oidc::begin(&store, "one-more", "b", &flow, Some("10.0.0.1")).await.unwrap(), "throttled");
        let mut conn = store.read().await.unwrap();
        let kept: i64 = sqlx::Row::get(
            &sqlx::query("SELECT COUNT(*) AS n FROM oidc_flow").fetch_one(&mut *conn).await.unwrap(),
            "n",
        );
        drop(conn);
        assert_eq!(kept, FLOW_STARTS.free, "a refused start keeps nothing");
        // Another address is not held back; a sign-in finished from the first clears it.
        assert!(oidc::begin(&store, "other", "b", &flow, Some("10.0.0.2")).await.unwrap());
        let mut tx = store.write(&kvalitet_store::Actor::system("test")).await.unwrap();
        throttle::clear(&mut tx, &[oidc::starts_key("10.0.0.1")]).await.unwrap();
        tx.commit().await.unwrap();
        assert!(oidc::begin(&store, "again", "b", &flow, Some("10.0.0.1")).await.unwrap());
    })
    .await;
}

#[tokio::test]
async fn an_oidc_flow_is_taken_once_in_its_browser_before_it_expires() {
    use kvalitet_store::oidc::{self, Flow, Lost};
    on_each_backend(|store, _| async move {
        let flow = Flow { nonce: "n".into(), pkce_verifier: "v".into(), return_to: "/avvikelser".into() };
        assert!(oidc::begin(&store, "s1", "b1", &flow, None).await.unwrap());
        // Another instance over the same database finishes it; a second time is refused.
        let other = Store::connect(store.url()).await.unwrap();
        assert_eq!(oidc::take(&other, "s1", "b1").await.unwrap(), Ok(flow.clone()));
        other.close().await;
        assert_eq!(oidc::take(&store, "s1", "b1").await.unwrap(), Err(Lost::Unknown));
        // Begun in another browser: refused, and gone for the first browser too.
        assert!(oidc::begin(&store, "s2", "b1", &flow, None).await.unwrap());
        assert_eq!(oidc::take(&store, "s2", "b2").await.unwrap(), Err(Lost::OtherBrowser));
        assert_eq!(oidc::take(&store, "s2", "b1").await.unwrap(), Err(Lost::Unknown));
        // Older than ten minutes.
        assert!(oidc::begin(&store, "s3", "b1", &flow, None).await.unwrap());
        let mut conn = store.read().await.unwrap();
        sqlx::query("UPDATE oidc_flow SET expires_at = expires_at - $1")
            .bind(oidc::FLOW_SECONDS + 1)
            .execute(&mut *conn)
            .await
            .unwrap();
        drop(conn);
        assert_eq!(oidc::take(&store, "s3", "b1").await.unwrap(), Err(Lost::Expired));
        // The state itself is not stored, only its hash.
        assert!(oidc::begin(&store, "hemligt-state", "b1", &flow, None).await.unwrap());
        let mut conn = store.read().await.unwrap();
        let n: i64 = sqlx::Row::get(
            &sqlx::query(
                "SELECT COUNT(*) AS n FROM oidc_flow WHERE state_hash = 'hemligt-state' OR browser_hash = 'b1'",
            )
            .fetch_one(&mut *conn)
            .await
            .unwrap(),
            "n",
        );
        assert_eq!(n, 0);
    })
    .await;
}
