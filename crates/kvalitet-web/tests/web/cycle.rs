//! Risks and the annual cycle through HTTP: re-assessing a risk (with its history and a
//! conflict on a lost race), the heat map, rolling a plan into next year and adopting it.

use axum::http::StatusCode;

use kvalitet_store::testing::on_each_backend;

use crate::{ADMIN, QUALITY, TestApp};

fn link_after(body: &str, prefix: &str) -> String {
    // The first link to an item (not to "ny", the form for a new one).
    body.split(&format!("href=\"{prefix}"))
        .skip(1)
        .map(|s| s.split('"').next().unwrap())
        .find(|s| s.starts_with(|c: char| c.is_ascii_digit()))
        .map(|s| format!("{prefix}{s}"))
        .unwrap_or_else(|| panic!("no link to {prefix}"))
}

fn version(body: &str) -> String {
    body.split("name=\"version\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned()
}

#[tokio::test]
async fn a_risk_is_reassessed_on_the_matrix_and_a_stale_edit_is_a_conflict() {
    on_each_backend(|store, _| async move {
        let mut quality = TestApp::with_demo(store.clone()).await;
        quality.login(QUALITY).await;
        let mut admin = TestApp::on(store.clone());
        admin.login(ADMIN).await;
        let plan = quality.plan_id("Kvalitetsplan 2022 för vuxna").await;
        let risk = link_after(&quality.get(&format!("/planer/{plan}")).await.body, "/risker/");
        let page = quality.get(&risk).await.body;
        assert!(page.contains("Bedömd till risknivå 9"), "the first assessment is in the history");
        let stale = version(&page);
        let (cq, ca) = (quality.csrf().await, admin.csrf().await);

        let bad = quality
            .post(
                &format!("{risk}/bedomning"),
                &[("csrf", &cq), ("version", &stale), ("assessed_on", "2023-02-01"), ("likelihood", "7")],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.body.contains("Välj hur allvarlig konsekvensen blir"));
        assert!(bad.body.contains("Sannolikheten ska vara mellan 1 och 4."), "out of the matrix");

        let ok = admin
            .post(
                &format!("{risk}/bedomning"),
                &[
                    ("csrf", &ca),
                    ("version", &stale),
                    ("assessed_on", "2023-02-01"),
                    ("likelihood", "2"),
                    ("consequence", "3"),
                    ("comment", "Åtgärderna har minskat risknivån."),
                ],
            )
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
        let lost = quality
            .post(
                &format!("{risk}/bedomning"),
                &[
                    ("csrf", &cq),
                    ("version", &stale),
                    ("assessed_on", "2023-02-02"),
                    ("likelihood", "4"),
                    ("consequence", "4"),
                ],
            )
            .await;
        assert_eq!(lost.status, StatusCode::CONFLICT);
        assert!(lost.body.contains("risknivå 6 (sannolikhet 2 × konsekvens 3)"), "theirs shown");
        assert!(lost.body.contains("Din bedömning (sannolikhet 4 × konsekvens 4 = 16) är inte sparad"), "mine shown");

        let page = quality.get(&risk).await.body;
        assert!(page.contains("Risknivå 6"));
        assert!(page.contains("Bedömd till risknivå 6"));
        assert!(page.contains("Åtgärderna har minskat risknivån."));
        let history_9 = page.find("Bedömd till risknivå 9").unwrap();
        let history_6 = page.find("Bedömd till risknivå 6").unwrap();
        assert!(history_9 < history_6, "history oldest first");
        assert!(page.contains("Åtgärd: "), "the actions' follow-ups between the assessments");

        // The heat map counts the one risk with both factors, and lists all by level.
        let map = quality.get(&format!("/planer/{plan}/riskkarta")).await;
        assert_eq!(map.status, StatusCode::OK);
        assert!(map.body.contains("1 risk med bedömd sannolikhet och konsekvens"));
        assert!(map.body.contains("sannolikhet 2 och konsekvens 3: 1 risk"));
        assert!(map.body.contains("role=\"img\""));
    })
    .await;
}

#[tokio::test]
async fn a_plan_is_rolled_into_next_year_and_the_draft_adopted() {
    on_each_backend(|store, _| async move {
        let mut quality = TestApp::with_demo(store.clone()).await;
        quality.login(QUALITY).await;
        let plan = quality.plan_id("Kvalitetsplan 2022 för vuxna").await;
        // Seed 004 gives no verdicts; one recorded for a self-inspection of 2022 becomes
        // its status from last year.
        {
            use kvalitet_domain::self_inspection::{SelfInspection, SelfInspectionRun, Verdict};
            let mut tx = store.write(&kvalitet_store::Actor::system("test")).await.unwrap();
            let sis: Vec<kvalitet_domain::Versioned<SelfInspection>> =
                kvalitet_store::repo::list(&mut tx, kvalitet_store::Where::all()).await.unwrap();
            let loggkontroll = sis.iter().find(|s| s.title == "Loggkontroll" && s.plan_id.get() == plan).unwrap();
            let run = SelfInspectionRun {
                self_inspection_id: loggkontroll.id,
                run_on: kvalitet_domain::Date::new(2022, 11, 30).unwrap(),
                undated: false,
                result_value: None,
                sample_size: Some(12),
                verdict: Verdict::Approved,
                verdict_reason: String::new(),
                comment: String::new(),
                recorded_by: "Test".into(),
            };
            kvalitet_store::repo::insert(&mut tx, &run).await.unwrap();
            tx.commit().await.unwrap();
        }
        let before = quality.get(&format!("/planer/{plan}")).await.body;
        let csrf = quality.csrf().await;
        let res = quality.post(&format!("/planer/{plan}/nasta-ar"), &[("csrf", &csrf)]).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let next = res.location().to_owned();
        let draft = quality.get(&next).await.body;
        assert!(draft.contains("Kvalitetsplan 2023 för vuxna"));
        assert!(draft.contains("Utkast"));
        assert!(draft.contains("13 risker"), "every risk carried");
        assert!(draft.contains("ska bedömas på nytt"));
        // The plan's prose is carried, the follow-up's text of 2022 is not.
        assert!(before.contains("Uppföljning av kvalitetsplan 2022 för vuxna"));
        assert!(!draft.contains("Uppföljning av kvalitetsplan 2022 för vuxna"), "follow-up text carried");
        assert!(draft.contains("Innan planen antas") && draft.contains("13 risker ska bedömas på nytt."), "warned");
        // Each carried self-inspection's last verdict of 2022 is its status from last year.
        assert!(draft.contains("Status förra året</dt><dd>Grön"), "last year's status carried");
        assert!(!draft.contains("Status förra året</dt><dd>Gul"), "no status made up for the others");
        // Only the actions still going on are carried: 4 were carried over in 2022.
        assert!(
            draft.contains("4 åtgärder"),
            "{}",
            draft.split("Innehåll").nth(1).unwrap_or("").chars().take(200).collect::<String>()
        );
        // Plan 2022 is unchanged, and knows its successor.
        let after = quality.get(&format!("/planer/{plan}")).await.body;
        assert!(after.contains("13 risker, 19 egenkontroller, 22 åtgärder, 6 indikatorer"));
        assert!(after.contains(&format!("href=\"{next}\"")));
        assert!(before.contains("Skapa utkast för 2023"));
        // A second rollover is refused.
        let again = quality.post(&format!("/planer/{plan}/nasta-ar"), &[("csrf", &csrf)]).await;
        assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(again.body.contains("Det finns redan en plan för nästa år"));

        // Adoption needs the board's reference.
        let v = version(&draft);
        let bad = quality
            .post(&format!("{next}/anta"), &[("csrf", &csrf), ("version", &v), ("adopted_on", "2022-12-14")])
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.body.contains("Ange nämndens diarienummer"));
        let ok = quality
            .post(
                &format!("{next}/anta"),
                &[
                    ("csrf", &csrf),
                    ("version", &v),
                    ("adopted_on", "2022-12-14"),
                    ("board_reference", "SN-2022/140 § 12"),
                ],
            )
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
        let adopted = quality.get(&next).await.body;
        assert!(adopted.contains("Antagen"));
        assert!(adopted.contains("2022-12-14, SN-2022/140 § 12"));
    })
    .await;
}

#[tokio::test]
async fn marking_a_plan_followed_up_closes_its_to_dos() {
    on_each_backend(|store, _| async move {
        let mut qd = TestApp::with_demo(store.clone()).await;
        qd.login(ADMIN).await;
        let mut manager = TestApp::on(store.clone());
        manager.login(crate::MANAGER).await;
        let plan = qd.plan_id("Kvalitetsplan 2024 Individ- och familjeomsorg").await;
        let due = "Kvalitetsplan 2024 Individ- och familjeomsorg · ";
        assert!(manager.get("/").await.body.contains(due), "the plan's self-inspections are due");
        let page = qd.get(&format!("/planer/{plan}")).await.body;
        assert!(page.contains("Markera som uppföljd"));
        let version = page.split("name=\"version\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
        let csrf = qd.csrf().await;
        let path = format!("/planer/{plan}/uppfoljd");
        let res = qd.post(&path, &[("csrf", &csrf), ("version", &version), ("followed_up_on", "2025-02-12")]).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.body.contains("Ange nämndens diarienummer"), "{}", res.body);
        // (A date before the adoption is refused: the domain's test; seed 000 gives no
        // adoption date for this plan.)
        let ok = [
            ("csrf", csrf.as_str()),
            ("version", &version),
            ("followed_up_on", "2025-02-12"),
            ("follow_up_reference", "SN-2025/14 § 7"),
        ];
        let res = qd.post(&path, &ok).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let page = qd.get(&format!("/planer/{plan}")).await.body;
        assert!(page.contains("2025-02-12, SN-2025/14 § 7") && page.contains("Uppföljd"), "{page}");
        assert!(!page.contains("Markera som uppföljd"), "once only");
        assert!(!manager.get("/").await.body.contains(due), "the to-dos of a followed-up plan are closed");
    })
    .await;
}

#[tokio::test]
async fn a_new_empty_plan_is_created_for_a_part_of_the_tree_the_user_may_edit() {
    on_each_backend(|store, _| async move {
        let mut quality = TestApp::with_demo(store.clone()).await;
        quality.login(QUALITY).await;
        assert!(quality.get("/").await.body.contains("href=\"/planer/ny\""));
        let form = quality.get("/planer/ny").await.body;
        assert!(form.contains("Vuxensektionen") && !form.contains("Barnenheten"), "only where the user edits plans");
        let mut conn = store.read().await.unwrap();
        let units: Vec<kvalitet_domain::Versioned<kvalitet_domain::org::OrgUnit>> =
            kvalitet_store::repo::list(&mut conn, kvalitet_store::Where::all()).await.unwrap();
        drop(conn);
        let id = |name: &str| units.iter().find(|u| u.name == name).unwrap().id.get().to_string();
        let csrf = quality.csrf().await;
        let outside =
            quality.post("/planer/ny", &[("csrf", &csrf), ("scope", &id("Barnenheten")), ("year", "2027")]).await;
        assert_eq!(outside.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(outside.body.contains("Välj den del av organisationen"));
        let vuxen = id("Vuxensektionen");
        let res = quality.post("/planer/ny", &[("csrf", &csrf), ("scope", &vuxen), ("year", "2027")]).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let plan = quality.get(res.location()).await.body;
        assert!(plan.contains("Kvalitetsplan 2027 Vuxensektionen") && plan.contains("Utkast"), "{plan}");
        assert!(plan.contains("0 risker, 0 egenkontroller, 0 åtgärder, 0 indikatorer"));
        let again = quality.post("/planer/ny", &[("csrf", &csrf), ("scope", &vuxen), ("year", "2027")]).await;
        assert!(again.body.contains("Det finns redan en plan för Vuxensektionen 2027"), "{}", again.body);
    })
    .await;
}

#[tokio::test]
async fn the_heat_map_lists_every_risk_once_by_level_and_counts_the_assessed() {
    on_each_backend(|store, _| async move {
        let mut app = TestApp::with_demo(store.clone()).await;
        app.login(QUALITY).await;
        let plan = app.plan_id("Kvalitetsplan 2024 Individ- och familjeomsorg").await;
        let mut conn = store.read().await.unwrap();
        let risks: Vec<kvalitet_domain::Versioned<kvalitet_domain::risk::Risk>> = kvalitet_store::repo::list(
            &mut conn,
            kvalitet_store::Where::sql("plan_id = $1", vec![kvalitet_store::Value::Int(plan)]),
        )
        .await
        .unwrap();
        drop(conn);
        assert!(risks.len() > 3, "the seed plan has its risks: {}", risks.len());
        let map = app.get(&format!("/planer/{plan}/riskkarta")).await;
        assert_eq!(map.status, StatusCode::OK);
        // Each risk's link once, the levels never rising down the page.
        let mut at: Vec<(usize, i64)> = risks
            .iter()
            .map(|r| {
                let link = format!("href=\"/risker/{}\"", r.id);
                assert_eq!(map.body.matches(&link).count(), 1, "{} listed once", r.title);
                (map.body.find(&link).unwrap(), r.level)
            })
            .collect();
        at.sort_unstable();
        assert!(at.windows(2).all(|w| w[0].1 >= w[1].1), "highest level first: {at:?}");
        let assessed = risks.iter().filter(|r| r.likelihood.is_some() && r.consequence.is_some()).count();
        let noun = if assessed == 1 { "risk" } else { "risker" };
        assert!(
            map.body.contains(&format!("{assessed} {noun} med bedömd sannolikhet och konsekvens")),
            "{assessed} counted"
        );
    })
    .await;
}
