//! The audit log as administrators see it: only their municipality and their part of
//! the org tree; the loggkontroll of accounts within it, never of their own; reads of
//! sensitive records logged once per record, person and day.

use axum::http::StatusCode;

use kvalitet_domain::access::{AccessLogReview, Account, Role};
use kvalitet_domain::deviation::{Deviation, DeviationKind};
use kvalitet_domain::org::{OrgUnit, OrgUnitKind, Tenant};
use kvalitet_domain::risk::RiskMatrix;
use kvalitet_domain::self_inspection::SelfInspectionRun;
use kvalitet_domain::{Date, Versioned};
use kvalitet_store::testing::on_each_backend;
use kvalitet_store::{Actor, Store, Where, accounts, org, plans, repo};

use crate::{ADMIN, TestApp};

const PASSWORD: &str = "ett-långt-lösenord-för-test";
const OTHER_ADMIN: (&str, &str) = ("admin@annan.se", PASSWORD);
const SECTION_ADMIN: (&str, &str) = ("sektion@exempel.se", PASSWORD);

async fn account(store: &Store, tenant: i64, email: &str, role: Role, scope: i64) {
    let mut tx = store.write(&Actor::system("test")).await.unwrap();
    let account = Account::new(kvalitet_domain::Id::new(tenant), email, "Testkonto");
    let hash = accounts::hash_password(PASSWORD);
    accounts::create_account(&mut tx, &account, hash, &[(role, kvalitet_domain::Id::new(scope))]).await.unwrap();
    tx.commit().await.unwrap();
}

/// Added to the demo: a second municipality with its administrator, an administrator of the
/// Vuxensektionen, and a deviation in the Barnenheten (the demo's are in Vuxensektionen).
/// Returns (a deviation in Vuxensektionen, the one in the Barnenheten).
async fn setup(store: &Store) -> (i64, i64) {
    let mut conn = store.read().await.unwrap();
    let tenant = org::first_tenant(&mut conn).await.unwrap().unwrap().id;
    let units = org::units(&mut conn, tenant).await.unwrap();
    let unit = |name: &str| units.iter().find(|u| u.name == name).unwrap().id;
    let demo: Vec<Versioned<Deviation>> = repo::list(&mut conn, Where::all()).await.unwrap();
    drop(conn);
    let mut tx = store.write(&Actor::system("test")).await.unwrap();
    let other = repo::insert(
        &mut tx,
        &Tenant {
            name: "Annan kommun".into(),
            slug: "annan".into(),
            brand_colour: "#333333".into(),
            risk_matrix: RiskMatrix::default(),
            demo: false,
        },
    )
    .await
    .unwrap();
    let top = OrgUnit {
        tenant_id: other,
        parent_id: None,
        kind: OrgUnitKind::Administration,
        name: "Socialtjänsten".into(),
        capacity: None,
    };
    let other_top = repo::insert(&mut tx, &top).await.unwrap();
    let day = Date::constant(2024, 5, 2);
    let barn = plans::create(
        &mut tx,
        &Deviation::registered(
            tenant,
            unit("Barnenheten"),
            DeviationKind::LexSarah,
            day,
            day,
            "Missförhållande på Barnenheten".into(),
            "Vad som hände.".into(),
            "Någon".into(),
        ),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    account(store, other.get(), OTHER_ADMIN.0, Role::Administrator, other_top.get()).await;
    account(store, tenant.get(), SECTION_ADMIN.0, Role::Administrator, unit("Vuxensektionen").get()).await;
    let vuxen = demo.iter().find(|d| d.unit_id == unit("Beroendeenheten")).unwrap().id.get();
    (vuxen, barn.get())
}

#[tokio::test]
async fn another_municipalitys_and_a_sections_administrator_see_only_their_own_entries() {
    on_each_backend(|store, _| async move {
        let mut top = TestApp::with_demo(store.clone()).await;
        let (vuxen, barn) = setup(&store).await;
        top.login(ADMIN).await;
        for id in [vuxen, barn] {
            assert_eq!(top.get(&format!("/avvikelser/{id}")).await.status, StatusCode::OK);
        }
        let read = |id: i64| format!("<td data-label=\"Post\">deviation {id}</td>");
        let log = top.get("/admin/logg?handling=read").await.body;
        assert!(log.contains(&read(vuxen)) && log.contains(&read(barn)), "the whole organisation's");

        let mut section = TestApp::on(store.clone());
        section.login(SECTION_ADMIN).await;
        let log = section.get("/admin/logg?handling=read").await.body;
        assert!(log.contains(&read(vuxen)), "their section's deviation");
        assert!(!log.contains(&read(barn)), "not the other section's");
        let all = section.get("/admin/logg").await.body;
        assert!(!all.contains("Missförhållande på Barnenheten"), "nor its data");
        assert!(!all.contains("annan.se"));

        let mut other = TestApp::on(store.clone());
        other.login(OTHER_ADMIN).await;
        let log = other.get("/admin/logg").await.body;
        assert!(log.contains("admin@annan.se"), "their own sign-in");
        assert!(
            !log.contains("exempel.se") && !log.contains("data-label=\"Post\">deviation"),
            "nothing of the other municipality"
        );
    })
    .await;
}

#[tokio::test]
async fn a_section_administrator_reviews_only_accounts_of_their_section_and_never_their_own() {
    on_each_backend(|store, _| async move {
        let mut section = TestApp::with_demo(store.clone()).await;
        setup(&store).await;
        section.login(SECTION_ADMIN).await;
        let csrf = section.csrf().await;
        for month in 1..=12 {
            let page = section.get(&format!("/admin/loggkontroll?ar=2024&manad={month}")).await;
            assert_eq!(page.status, StatusCode::OK);
            assert!(!page.body.contains("sektion@exempel.se") && !page.body.contains("admin@exempel.se"));
            if page.body.contains("visa loggen för månaden") {
                let form =
                    [("csrf", csrf.as_str()), ("ar", "2024"), ("manad", &month.to_string()), ("outcome", "no_remarks")];
                assert_eq!(section.post("/admin/loggkontroll", &form).await.status, StatusCode::SEE_OTHER);
            }
        }
        let mut conn = store.read().await.unwrap();
        let reviews: Vec<Versioned<AccessLogReview>> = repo::list(&mut conn, Where::all()).await.unwrap();
        let mut reviewed = Vec::new();
        for r in &reviews {
            reviewed.push(repo::get::<Account>(&mut conn, r.account_id).await.unwrap().item.email);
        }
        reviewed.sort();
        assert_eq!(reviewed, ["chef@exempel.se", "kvalitet@exempel.se", "medarbetare@exempel.se"]);
        // The year's plan is the whole organisation's: its self-inspection is not theirs.
        let runs: Vec<Versioned<SelfInspectionRun>> = repo::list(&mut conn, Where::all()).await.unwrap();
        assert!(!runs.iter().any(|r| r.comment.starts_with("Loggkontroll av Kvalitet 2024-")));
    })
    .await;
}

#[tokio::test]
async fn repeated_views_of_the_deviation_list_add_no_entries_after_the_first() {
    on_each_backend(|store, _| async move {
        let mut app = TestApp::with_demo(store.clone()).await;
        app.login(ADMIN).await;
        let count = || async {
            let mut conn = store.read().await.unwrap();
            let row = sqlx::query("SELECT COUNT(*) AS n FROM audit_entry").fetch_one(&mut *conn).await.unwrap();
            sqlx::Row::try_get::<i64, _>(&row, "n").unwrap()
        };
        // The demo's reports are of 2022; the list shows one year.
        assert_eq!(app.get("/avvikelser?ar=2022").await.status, StatusCode::OK);
        let first = count().await;
        for _ in 0..20 {
            app.get("/avvikelser?ar=2022").await;
        }
        assert_eq!(count().await, first, "twenty more views, no more entries");
        let log = app.get("/admin/logg?handling=read").await.body;
        assert!(log.contains("(läst 21 gånger den dagen)"), "{log}");
    })
    .await;
}

#[tokio::test]
async fn a_deviations_title_on_the_start_page_and_its_data_in_the_audit_log_are_logged_reads() {
    on_each_backend(|store, _| async move {
        let mut app = TestApp::with_demo(store.clone()).await;
        let (_, barn) = setup(&store).await;
        app.login(ADMIN).await;
        let reads = || async {
            let mut conn = store.read().await.unwrap();
            let search = kvalitet_store::audit::Search {
                action: Some("read".into()),
                table_name: Some("deviation".into()),
                record_id: Some(barn),
                limit: 10,
                ..Default::default()
            };
            kvalitet_store::audit::search(&mut conn, &search).await.unwrap()
        };
        assert!(reads().await.is_empty());
        let home = app.get("/").await.body;
        assert!(home.contains("Missförhållande på Barnenheten"), "the new lex Sarah report is on the to-do list");
        let after_home = reads().await;
        assert_eq!(after_home.len(), 1);
        assert_eq!(after_home[0].reads, Some(1));
        // The audit log shows the deviation's data as it was created: another read.
        let log = app.get("/admin/logg?tabell=deviation").await.body;
        assert!(
            log.contains(&format!("<td data-label=\"Post\">deviation {barn}</td>")),
            "its creation is listed with its data"
        );
        assert_eq!(reads().await[0].reads, Some(2));
    })
    .await;
}
