//! Search (`/sok`) on both backends with the demo data: results grouped by kind and
//! linked, exactly what each person may read (no drafts for the reader, no deviations
//! outside one's units, none for staff), every deviation shown logged as read, and a
//! message for a search without words.

use axum::http::StatusCode;

use kvalitet_domain::Versioned;
use kvalitet_domain::deviation::Deviation;
use kvalitet_domain::org::OrgUnit;
use kvalitet_domain::plan::{PlanState, QualityPlan};
use kvalitet_domain::risk::Risk;
use kvalitet_store::testing::on_each_backend;
use kvalitet_store::{Actor, Store, Where, plans, repo};

use crate::{ADMIN, MANAGER, QUALITY, READER, STAFF, TestApp};

/// What the test adds to the demo, all with the word "läkemedelsöverlämning".
struct Added {
    draft_risk: i64,
    deviation_in: i64,
    deviation_out: i64,
}

/// A draft plan for Beroendeenheten with a risk, and a deviation at Beroendeenheten and
/// one at Barnenheten.
async fn add(store: &Store) -> Added {
    let mut conn = store.read().await.unwrap();
    let units: Vec<Versioned<OrgUnit>> = repo::list(&mut conn, Where::all()).await.unwrap();
    let unit = |name: &str| units.iter().find(|u| u.name == name).unwrap().id;
    let plan: Versioned<QualityPlan> = repo::list(&mut conn, Where::all()).await.unwrap().remove(0);
    let risk: Versioned<Risk> = repo::list(&mut conn, Where::all()).await.unwrap().remove(0);
    let deviation: Versioned<Deviation> = repo::list(&mut conn, Where::all()).await.unwrap().remove(0);
    drop(conn);
    let mut tx = store.write(&Actor::system("test")).await.unwrap();
    let draft = plans::create(
        &mut tx,
        &QualityPlan {
            scope_id: unit("Beroendeenheten"),
            year: 2031,
            title: "Kvalitetsplan 2031 Beroendeenheten".into(),
            state: PlanState::Draft,
            adopted_on: None,
            board_reference: None,
            followed_up_on: None,
            follow_up_reference: None,
            previous_plan_id: None,
            ..plan.item.clone()
        },
    )
    .await
    .unwrap();
    let draft_risk = plans::create(
        &mut tx,
        &Risk {
            plan_id: draft,
            title: "Läkemedelsöverlämning brister vid helger".into(),
            previous_risk_id: None,
            ..risk.item.clone()
        },
    )
    .await
    .unwrap()
    .get();
    let at = |name: &str, title: &str| Deviation {
        unit_id: unit(name),
        title: title.into(),
        description: format!("{title}: beskrivning."),
        voided_on: None,
        risk_id: None,
        action_id: None,
        ..deviation.item.clone()
    };
    let deviation_in =
        plans::create(&mut tx, &at("Beroendeenheten", "Läkemedelsöverlämning missades")).await.unwrap().get();
    let deviation_out =
        plans::create(&mut tx, &at("Barnenheten", "Läkemedelsöverlämning glömdes XQ-BARN")).await.unwrap().get();
    tx.commit().await.unwrap();
    Added { draft_risk, deviation_in, deviation_out }
}

async fn reads_of(store: &Store, id: i64) -> i64 {
    let mut conn = store.read().await.unwrap();
    let row = sqlx::query("SELECT COUNT(*) AS n FROM audit_read WHERE table_name = 'deviation' AND record_id = $1")
        .bind(id)
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    sqlx::Row::try_get::<i64, _>(&row, "n").unwrap()
}

const WORD: &str = "/sok?q=l%C3%A4kemedels%C3%B6verl%C3%A4mning";

#[tokio::test]
async fn results_are_grouped_by_kind_counted_and_linked() {
    on_each_backend(|store, _| async move {
        let mut app = TestApp::with_demo(store.clone()).await;
        app.login(ADMIN).await;
        let home = app.get("/").await.body;
        assert!(home.contains("role=\"search\"") && home.contains("action=\"/sok\""), "the header's search form");
        assert!(home.contains("<label for=\"sok-topp\">Sök</label>"));

        let page = app.get("/sok?q=v%C3%A5ld").await;
        assert_eq!(page.status, StatusCode::OK);
        let body = page.body;
        let at = |anchor: &str| body.find(&format!("<h2 id=\"{anchor}\">")).unwrap_or_else(|| panic!("{anchor}"));
        assert!(at("planer") < at("risker") && at("risker") < at("atgarder"), "groups in order");
        assert!(body.contains("href=\"/risker/") && body.contains("href=\"/atgarder/"), "each hit linked");
        assert!(body.contains("#fokus\">Våld i nära relation</a>"), "a focus area links to its plan");
        assert!(body.contains("<mark>"), "the matched words are marked");
        assert!(body.contains("träffar</span>"), "counts per group");

        let added = add(&store).await;
        let body = app.get(WORD).await.body;
        assert!(body.contains("<h2 id=\"risker\">Risker <span class=\"muted\">– 1 träff</span></h2>"), "{body}");
        assert!(body.contains("<h2 id=\"avvikelser\">Avvikelser <span class=\"muted\">– 2 träffar</span></h2>"));
        assert!(body.contains("3 träffar på ”läkemedelsöverlämning”"), "the total");
        assert!(body.contains(&format!("href=\"/risker/{}\"", added.draft_risk)));
        assert!(body.contains("<span class=\"badge\">Utkast</span>"), "a draft says so");
        assert!(body.contains(&format!("href=\"/avvikelser/{}\"", added.deviation_out)));
    })
    .await;
}

#[tokio::test]
async fn each_person_finds_only_what_they_may_read_and_deviations_shown_are_logged() {
    on_each_backend(|store, _| async move {
        let mut app = TestApp::with_demo(store.clone()).await;
        let added = add(&store).await;
        let risk_link = format!("href=\"/risker/{}\"", added.draft_risk);
        let dev_in = format!("href=\"/avvikelser/{}\"", added.deviation_in);
        let dev_out = format!("href=\"/avvikelser/{}\"", added.deviation_out);

        // The reader: no drafts, no deviations.
        app.login(READER).await;
        let body = app.get(WORD).await.body;
        assert!(body.contains("Inga träffar på"), "{body}");
        assert!(!body.contains(&risk_link) && !body.contains("Läkemedelsöverlämning"));

        // Staff: the draft of their unit's plan, no deviations at all.
        app.login(STAFF).await;
        let body = app.get(WORD).await.body;
        assert!(body.contains(&risk_link) && body.contains("1 träff på"), "{body}");
        assert!(!body.contains("id=\"avvikelser\"") && !body.contains("missades") && !body.contains("XQ-BARN"));

        // The unit's manager: their unit's deviation, not another unit's.
        assert_eq!((reads_of(&store, added.deviation_in).await, reads_of(&store, added.deviation_out).await), (0, 0));
        app.login(MANAGER).await;
        let body = app.get(WORD).await.body;
        assert!(body.contains(&risk_link) && body.contains(&dev_in), "{body}");
        assert!(!body.contains(&dev_out) && !body.contains("XQ-BARN") && !body.contains("glömdes"), "nothing leaks");
        assert!(body.contains("– 1 träff</span></h2>") && body.contains("2 träffar på"));
        assert_eq!(reads_of(&store, added.deviation_in).await, 1, "the deviation shown is logged as read");
        assert_eq!(reads_of(&store, added.deviation_out).await, 0, "the one not shown is not");

        // The quality developer of Vuxensektionen: the same deviation, not Barnenheten's.
        app.login(QUALITY).await;
        let body = app.get(WORD).await.body;
        assert!(body.contains(&dev_in) && !body.contains(&dev_out));
        // The administrator of the whole IFO: both.
        app.login(ADMIN).await;
        let body = app.get(WORD).await.body;
        assert!(body.contains(&dev_in) && body.contains(&dev_out));
        assert_eq!(reads_of(&store, added.deviation_out).await, 1);
    })
    .await;
}

#[tokio::test]
async fn a_search_without_words_gets_a_message_and_no_hits() {
    on_each_backend(|store, _| async move {
        let mut app = TestApp::with_demo(store.clone()).await;
        app.login(QUALITY).await;
        let page = app.get("/sok").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("<label for=\"sokord\">Sökord</label>") && !page.body.contains("error-summary"));
        for q in ["", "+++", "%22*()%3A-", "%26%7C!"] {
            let page = app.get(&format!("/sok?q={q}")).await;
            assert_eq!(page.status, StatusCode::OK, "{q}");
            assert!(page.body.contains("error-summary"), "{q}");
            assert!(page.body.contains("Sökord: Skriv minst ett ord att söka efter"), "{q}: {}", page.body);
            assert!(!page.body.contains("träff"), "{q}");
        }
        let long = "a".repeat(201);
        let body = app.get(&format!("/sok?q={long}")).await.body;
        assert!(body.contains("Sökfrågan får vara högst 200 tecken."));
        // Query syntax typed in is searched as words.
        let page = app.get("/sok?q=%22v%C3%A5ld%22+OR+NEAR(").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Inga träffar på"), "every word must be there");
    })
    .await;
}
