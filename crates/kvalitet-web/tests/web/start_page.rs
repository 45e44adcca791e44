//! The start page's plans, a page at a time: over every page, exactly the plans the
//! person may read (drafts only where they may see drafts), newest year first, each once;
//! the same for the reports.

use std::collections::HashMap;

use axum::http::StatusCode;

use kvalitet_domain::Versioned;
use kvalitet_domain::access::{Tree, allows};
use kvalitet_domain::org::{OrgUnit, OrgUnitId};
use kvalitet_domain::plan::{PlanState, QualityPlan};
use kvalitet_store::testing::on_each_backend;
use kvalitet_store::{Actor, Where, accounts, agenda, repo};

use crate::{ADMIN, MANAGER, QUALITY, READER, TestApp};

struct Units(HashMap<OrgUnitId, OrgUnitId>);

impl Tree for Units {
    fn parent(&self, unit: OrgUnitId) -> Option<OrgUnitId> {
        self.0.get(&unit).copied()
    }
}

/// The plan links of every page of the start page's plan list, followed by "Nästa sida".
async fn listed(app: &TestApp) -> Vec<String> {
    let mut out = Vec::new();
    let mut next = Some("/".to_owned());
    while let Some(path) = next {
        let page = app.get(&path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        let plans = page.body.split("id=\"planer\"").nth(1).unwrap().split("id=\"berattelser\"").next().unwrap();
        out.extend(plans.split("<a href=\"/planer/").skip(1).filter_map(|s| {
            let id = s.split('"').next().unwrap();
            id.chars().all(|c| c.is_ascii_digit()).then(|| id.to_owned())
        }));
        next = plans
            .split("\" rel=\"next\"")
            .next()
            .filter(|_| plans.contains("rel=\"next\""))
            .map(|s| s.rsplit("href=\"").next().unwrap().replace("&amp;", "&"));
    }
    out
}

#[tokio::test]
async fn the_plan_list_pages_through_exactly_the_readable_plans() {
    on_each_backend(|store, _| async move {
        let _demo = TestApp::with_demo(store.clone()).await;
        let mut conn = store.read().await.unwrap();
        let units: Vec<Versioned<OrgUnit>> = repo::list(&mut conn, Where::all()).await.unwrap();
        let demo_plans: Vec<Versioned<QualityPlan>> = repo::list(&mut conn, Where::all()).await.unwrap();
        drop(conn);
        let named = |n: &str| units.iter().find(|u| u.name == n).unwrap().id;
        // Fifty more plans, in both sections, every third a draft.
        let mut tx = store.write(&Actor::system("test")).await.unwrap();
        for i in 0..50 {
            let scope = if i % 2 == 0 { named("Beroendeenheten") } else { named("Barnenheten") };
            let state = if i % 3 == 0 { PlanState::Draft } else { PlanState::Adopted };
            repo::insert(
                &mut tx,
                &QualityPlan {
                    scope_id: scope,
                    year: 2030 + i,
                    title: format!("Plan XP {i:02}"),
                    state,
                    adopted_on: None,
                    board_reference: None,
                    previous_plan_id: None,
                    ..demo_plans[0].item.clone()
                },
            )
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
        let mut conn = store.read().await.unwrap();
        let plans: Vec<Versioned<QualityPlan>> = repo::list(&mut conn, Where::all()).await.unwrap();
        drop(conn);
        let tree = Units(units.iter().filter_map(|u| u.parent_id.map(|p| (u.id, p))).collect());
        for who in [ADMIN, QUALITY, MANAGER, READER] {
            let mut conn = store.read().await.unwrap();
            let account = accounts::find_by_email(&mut conn, who.0).await.unwrap().unwrap();
            let assignments = accounts::assignments(&mut conn, account.id).await.unwrap();
            drop(conn);
            let mut readable: Vec<&Versioned<QualityPlan>> =
                plans.iter().filter(|p| allows(&assignments, &tree, p.read_permission(), p.scope_id)).collect();
            readable.sort_by_key(|p| (std::cmp::Reverse(p.year), p.id));
            let want: Vec<String> = readable.iter().map(|p| p.id.to_string()).collect();
            let mut app = TestApp::on(store.clone());
            app.login(who).await;
            let got = listed(&app).await;
            assert_eq!(got, want, "{}: every readable plan once, newest year first", who.0);
            let first = app.get("/").await.body;
            if want.len() > 20 {
                assert!(
                    first.contains(&format!("Du kan läsa {} kvalitetsplaner. Här visas 1–20.", want.len())),
                    "{}",
                    who.0
                );
            }
        }
        // A page beyond the last says so and links back.
        let mut admin = TestApp::on(store.clone());
        admin.login(ADMIN).await;
        let far = admin.get("/?sida=99").await;
        assert!(far.body.contains("Det finns ingen sida 99.") && far.body.contains("rel=\"prev\""), "{}", far.body);
    })
    .await;
}

#[tokio::test]
async fn more_past_due_actions_than_are_read_are_counted_as_at_least() {
    on_each_backend(|store, _| async move {
        let _demo = TestApp::with_demo(store.clone()).await;
        kvalitet_store::testing::add_past_due_actions(&store, 520).await;
        let mut admin = TestApp::on(store.clone());
        admin.login(ADMIN).await;
        let page = admin.get("/").await.body;
        assert!(page.contains("… och ytterligare minst 85 åtgärder efter sista datum."), "a lower bound: {page}");
        assert!(page.contains("<a href=\"/atgarder?forsenade=1\">Alla försenade åtgärder</a>"));
        assert_eq!(page.matches("class=\"todo-action\"").count(), 15, "the first fifteen shown");
    })
    .await;
}

#[tokio::test]
async fn what_is_read_within_a_persons_reach_leaves_their_agenda_unchanged() {
    on_each_backend(|store, _| async move {
        let app = TestApp::with_demo(store.clone()).await;
        let mut conn = store.read().await.unwrap();
        let units: Vec<Versioned<OrgUnit>> = repo::list(&mut conn, Where::all()).await.unwrap();
        let people: Vec<Versioned<kvalitet_domain::access::Account>> =
            repo::list(&mut conn, Where::all()).await.unwrap();
        drop(conn);
        // New deviations in units of both sections, besides the demo's.
        let mut conn = store.read().await.unwrap();
        let reports: Vec<Versioned<kvalitet_domain::deviation::Deviation>> =
            repo::list(&mut conn, Where::all()).await.unwrap();
        drop(conn);
        let mut tx = store.write(&Actor::system("test")).await.unwrap();
        for unit in ["Beroendeenheten", "Barnenheten"] {
            let mut new = reports[0].item.clone();
            new.unit_id = units.iter().find(|u| u.name == unit).unwrap().id;
            new.status = kvalitet_domain::deviation::DeviationStatus::Registered;
            new.voided_on = None;
            repo::insert(&mut tx, &new).await.unwrap();
        }
        // A past-due action of the IFO-wide plan tied to a self-inspection of Beroendeenheten:
        // it is that unit's, though the plan is wider than the unit's manager reaches.
        let mut conn = store.read().await.unwrap();
        let plans: Vec<Versioned<QualityPlan>> = repo::list(&mut conn, Where::all()).await.unwrap();
        let wide = plans.iter().find(|p| p.state == PlanState::Adopted && p.year == 2024).unwrap();
        let inspections: Vec<Versioned<kvalitet_domain::self_inspection::SelfInspection>> =
            repo::list(&mut conn, Where::all()).await.unwrap();
        let actions: Vec<Versioned<kvalitet_domain::action::Action>> =
            repo::list(&mut conn, Where::all()).await.unwrap();
        drop(conn);
        let si = inspections.iter().find(|s| s.plan_id == wide.id).unwrap();
        let beroende = units.iter().find(|u| u.name == "Beroendeenheten").unwrap().id;
        let moved = kvalitet_domain::self_inspection::SelfInspection { unit_id: Some(beroende), ..si.item.clone() };
        repo::update(&mut tx, si.id, si.version, &moved).await.unwrap();
        let tied = repo::insert(
            &mut tx,
            &kvalitet_domain::action::Action {
                plan_id: wide.id,
                title: "Bunden åtgärd XT".into(),
                due_on: Some(kvalitet_domain::Date::constant(2024, 2, 1)),
                status: kvalitet_domain::action::ActionStatus::Planned,
                responsible_account_id: None,
                previous_action_id: None,
                withdrawn_reason: None,
                ..actions[0].item.clone()
            },
        )
        .await
        .unwrap();
        kvalitet_store::links::link(&mut tx, kvalitet_store::LinkKind::ActionSelfInspection, tied.get(), si.id.get())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        drop(app);
        let tree = Units(units.iter().filter_map(|u| u.parent_id.map(|p| (u.id, p))).collect());
        let ids: Vec<OrgUnitId> = units.iter().map(|u| u.id).collect();
        let tenant = units[0].tenant_id;
        for day in [(2022, 6, 1), (2024, 3, 1), (2026, 12, 1)] {
            let day = kvalitet_domain::Date::constant(day.0, day.1, day.2);
            let mut conn = store.read().await.unwrap();
            let everything = agenda::load(&mut conn, tenant, day, None, None).await.unwrap();
            let mut checked = 0;
            for person in &people {
                let assignments = accounts::assignments(&mut conn, person.id).await.unwrap();
                let reach = agenda::Reach::of(person.id, &assignments, &tree, &ids);
                let within = agenda::load(&mut conn, tenant, day, None, Some(&reach)).await.unwrap();
                let want = agenda::due_for(&everything, person.id, &assignments, &tree, day);
                let got = agenda::due_for(&within, person.id, &assignments, &tree, day);
                assert_eq!(got, want, "{} on {day}", person.email);
                if person.email == crate::MANAGER.0 && day.year() == 2026 {
                    assert!(got.iter().any(|i| i.title == "Bunden åtgärd XT"), "the tied action is the manager's");
                }
                checked += usize::from(!want.is_empty());
            }
            assert!(checked > 0, "someone has something due on {day}");
        }
    })
    .await;
}
