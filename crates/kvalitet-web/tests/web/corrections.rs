//! Correcting what was recorded, through HTTP: an indicator's result, an action's
//! follow-up and a risk's assessment are changed or removed with a reason by whoever may
//! record them; the item's history shows what it said before, who and why; the audit log
//! has the change; without a reason, on a stale version or without the right nothing is
//! stored. A risk's level follows its latest assessment, and its only one stays.

use axum::http::StatusCode;

use kvalitet_store::Store;
use kvalitet_store::testing::on_each_backend;

use crate::{MANAGER, QUALITY, STAFF, TestApp};

/// The first link of `prefix` followed by an id on a page.
fn first_link(body: &str, prefix: &str) -> String {
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

async fn scalar(store: &Store, sql: &'static str) -> i64 {
    let mut conn = store.read().await.unwrap();
    let row = sqlx::query(sql).fetch_one(&mut *conn).await.unwrap();
    sqlx::Row::try_get::<i64, _>(&row, "n").unwrap()
}

/// Audited changes (updates and removals) of a table's rows.
async fn audited(store: &Store, table: &'static str) -> i64 {
    let mut conn = store.read().await.unwrap();
    let row =
        sqlx::query("SELECT COUNT(*) AS n FROM audit_entry WHERE table_name = $1 AND action IN ('update', 'delete')")
            .bind(table)
            .fetch_one(&mut *conn)
            .await
            .unwrap();
    sqlx::Row::try_get::<i64, _>(&row, "n").unwrap()
}

/// The form's pairs with the csrf token and version in front.
fn with<'a>(csrf: &'a str, version: &'a str, rest: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut form = vec![("csrf", csrf), ("version", version)];
    form.extend_from_slice(rest);
    form
}

#[tokio::test]
async fn an_indicators_result_is_corrected_instead_of_recorded_twice() {
    on_each_backend(|store, _| async move {
        let mut manager = TestApp::with_demo(store.clone()).await;
        manager.login(MANAGER).await;
        let plan = manager.plan_id("Kvalitetsplan 2024 Individ- och familjeomsorg").await;
        let mut conn = store.read().await.unwrap();
        let row = sqlx::query("SELECT MIN(id) AS id FROM indicator WHERE plan_id = $1 AND unit = 'percent'")
            .bind(plan)
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        let indicator = format!("/indikatorer/{}", sqlx::Row::try_get::<i64, _>(&row, "id").unwrap());
        drop(conn);
        let csrf = manager.csrf().await;
        let res = manager
            .post(
                &format!("{indicator}/resultat"),
                &[("csrf", &csrf), ("year", "2024"), ("numerator", "45"), ("denominator", "60")],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        // A second result for the year is refused and points to correcting the first.
        let dup =
            manager.post(&format!("{indicator}/resultat"), &[("csrf", &csrf), ("year", "2024"), ("value", "70")]).await;
        assert_eq!(dup.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(dup.body.contains("Det finns redan ett resultat för 2024"), "{}", dup.body);
        let correct = first_link(&dup.body, "/indikatorresultat/");
        assert!(correct.ends_with("/rattelse") && dup.body.contains("Rätta resultatet som redan finns för 2024"));
        let page = manager.get(&indicator).await.body;
        assert!(page.contains(&format!("href=\"{correct}\"")), "each result has its correction link");

        let shown = manager.get(&correct).await;
        assert_eq!(shown.status, StatusCode::OK);
        assert!(shown.body.contains("Rätta ett resultat") && shown.body.contains("value=\"45\""));
        let v = version(&shown.body);
        // Without a reason: refused, the field named, nothing stored.
        let res = manager
            .post(&correct, &with(&csrf, &v, &[("year", "2024"), ("numerator", "48"), ("denominator", "60")]))
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.body.contains("Skriv varför resultatet rättas eller tas bort."), "{}", res.body);
        // A value against its fraction is refused as recording refuses it.
        let res = manager
            .post(
                &correct,
                &with(
                    &csrf,
                    &v,
                    &[
                        ("reason", "Fel underlag."),
                        ("year", "2024"),
                        ("value", "95"),
                        ("numerator", "48"),
                        ("denominator", "60"),
                    ],
                ),
            )
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.body.contains("stämmer inte med täljaren och nämnaren: 48 av 60 är 80,0 %"), "{}", res.body);
        assert_eq!(audited(&store, "indicator_result").await, 0, "nothing stored");
        // Staff read the indicator but do not correct its results.
        let mut staff = TestApp::on(store.clone());
        staff.login(STAFF).await;
        assert_eq!(staff.get(&correct).await.status, StatusCode::FORBIDDEN);
        let sc = staff.csrf().await;
        let res = staff.post(&correct, &with(&sc, &v, &[("reason", "Obehörig."), ("remove", "1")])).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN);

        let good =
            [("reason", "Fel underlag: 48 av 60."), ("year", "2024"), ("numerator", "48"), ("denominator", "60")];
        let res = manager.post(&correct, &with(&csrf, &v, &good)).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let page = manager.get(&indicator).await.body;
        assert!(page.contains("80\u{a0}%"), "the corrected value, computed from the fraction");
        assert!(
            page.contains("Rättelser") && page.contains("Rättade resultatet för 2024 (innan: 75\u{a0}%)."),
            "{page}"
        );
        assert!(page.contains("Fel underlag: 48 av 60.") && page.contains("Maja Enhetschef"), "reason and who");
        assert_eq!(audited(&store, "indicator_result").await, 1, "the change is audited");
        // The same version again is stale.
        let res = manager.post(&correct, &with(&csrf, &v, &good)).await;
        assert_eq!(res.status, StatusCode::CONFLICT);
        assert!(res.body.contains("Resultatet har ändrats av någon annan under tiden."));
        // Removed with a reason: the year is free for a new result.
        let v = version(&manager.get(&correct).await.body);
        let res = manager
            .post(&correct, &with(&csrf, &v, &[("reason", "Hör till en annan indikator."), ("remove", "1")]))
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let page = manager.get(&indicator).await.body;
        assert!(
            page.contains("Tog bort resultatet för 2024 (innan: 80\u{a0}%).")
                && page.contains("Hör till en annan indikator.")
        );
        assert_eq!(manager.get(&correct).await.status, StatusCode::NOT_FOUND);
        assert_eq!(audited(&store, "indicator_result").await, 2);
        assert_eq!(
            scalar(&store, "SELECT COUNT(*) AS n FROM correction WHERE record_table = 'indicator_result'").await,
            2
        );
    })
    .await;
}

#[tokio::test]
async fn an_actions_follow_up_is_corrected_and_the_status_follows_the_latest() {
    on_each_backend(|store, _| async move {
        let mut manager = TestApp::with_demo(store.clone()).await;
        manager.login(MANAGER).await;
        let plan = manager.plan_id("Kvalitetsplan 2024 Individ- och familjeomsorg").await;
        let action = first_link(&manager.get(&format!("/planer/{plan}")).await.body, "/atgarder/");
        let csrf = manager.csrf().await;
        let v = version(&manager.get(&action).await.body);
        let form = [("entry_on", "2024-06-30"), ("text", "Rutinen är införd."), ("new_status", "done")];
        let res = manager.post(&format!("{action}/uppfoljning"), &with(&csrf, &v, &form)).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let page = manager.get(&action).await.body;
        let correct = first_link(&page, "/atgardsuppfoljningar/");
        let correct = format!("{}/rattelse", correct.trim_end_matches("/rattelse"));
        let shown = manager.get(&correct).await.body;
        assert!(shown.contains("Rätta en uppföljning") && shown.contains("value=\"2024-06-30\""));
        let v = version(&shown);

        let changed = [("entry_on", "2024-07-01"), ("text", "Rutinen är delvis införd."), ("new_status", "ongoing")];
        let res = manager.post(&correct, &with(&csrf, &v, &changed)).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.body.contains("Skriv varför uppföljningen rättas eller tas bort."));
        // A date before the plan's year is refused.
        let mut early = changed.to_vec();
        early[0] = ("entry_on", "2019-05-02");
        early.push(("reason", "Fel datum."));
        let res = manager.post(&correct, &with(&csrf, &v, &early)).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            res.body.contains("Planen gäller 2024; en uppföljning 2019 hör till en tidigare års plan."),
            "{}",
            res.body
        );
        assert_eq!(audited(&store, "action_follow_up").await, 0, "nothing stored");
        let mut staff = TestApp::on(store.clone());
        staff.login(STAFF).await;
        assert_eq!(staff.get(&correct).await.status, StatusCode::FORBIDDEN);

        let mut good = changed.to_vec();
        good.push(("reason", "Rutinen är inte införd överallt än."));
        let res = manager.post(&correct, &with(&csrf, &v, &good)).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let page = manager.get(&action).await.body;
        assert!(page.contains("Rutinen är delvis införd."));
        assert!(page.contains("<dd><span class=\"badge status-ongoing\">"), "the action's status follows: {page}");
        assert!(page.contains("Rättade uppföljningen 2024-06-30 (innan: Klar)."), "{page}");
        assert!(page.contains("Rutinen är inte införd överallt än.") && page.contains("Maja Enhetschef"));
        assert_eq!(audited(&store, "action_follow_up").await, 1);
        let res = manager.post(&correct, &with(&csrf, &v, &good)).await;
        assert_eq!(res.status, StatusCode::CONFLICT, "stale");
        assert!(res.body.contains("Uppföljningen har ändrats av någon annan under tiden."));

        let v = version(&manager.get(&correct).await.body);
        let res = manager.post(&correct, &with(&csrf, &v, &[("reason", "Dubbelregistrering."), ("remove", "1")])).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER);
        let page = manager.get(&action).await.body;
        assert!(
            page.contains("Tog bort uppföljningen 2024-07-01 (innan: Pågår).") && page.contains("Dubbelregistrering.")
        );
        assert_eq!(audited(&store, "action_follow_up").await, 2);
    })
    .await;
}

#[tokio::test]
async fn a_risks_assessment_is_corrected_and_its_level_follows_the_latest() {
    on_each_backend(|store, _| async move {
        let mut quality = TestApp::with_demo(store.clone()).await;
        quality.login(QUALITY).await;
        let plan = quality.plan_id("Kvalitetsplan 2022 för vuxna").await;
        let risk = first_link(&quality.get(&format!("/planer/{plan}")).await.body, "/risker/");
        let csrf = quality.csrf().await;
        let page = quality.get(&risk).await.body;
        assert!(page.contains("Risknivå 9"));
        let first = first_link(&page, "/riskbedomningar/");
        let first = format!("{}/rattelse", first.trim_end_matches("/rattelse"));
        // The only assessment is not removed: a risk always has a level.
        let shown = quality.get(&first).await.body;
        assert!(shown.contains("riskens enda bedömning") && !shown.contains("name=\"remove\""));
        let v_first = version(&shown);
        let res = quality.post(&first, &with(&csrf, &v_first, &[("reason", "Fel."), ("remove", "1")])).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.body.contains("är riskens enda bedömning och kan inte tas bort"), "{}", res.body);

        // A second assessment makes the level 6.
        let v = version(&page);
        let form = [("assessed_on", "2023-02-01"), ("likelihood", "2"), ("consequence", "3")];
        let res = quality.post(&format!("{risk}/bedomning"), &with(&csrf, &v, &form)).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let page = quality.get(&risk).await.body;
        assert!(page.contains("Risknivå 6"));
        let latest = page
            .split("href=\"/riskbedomningar/")
            .skip(1)
            .map(|s| s.split('"').next().unwrap())
            .last()
            .map(|s| format!("/riskbedomningar/{s}"))
            .unwrap();
        assert_ne!(latest, first);

        let shown = quality.get(&latest).await.body;
        let v = version(&shown);
        let res = quality.post(&latest, &with(&csrf, &v, &[("remove", "1")])).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.body.contains("Skriv varför bedömningen rättas eller tas bort."));
        // A manager may record follow-ups but not assess risks.
        let mut manager = TestApp::on(store.clone());
        manager.login(MANAGER).await;
        assert_eq!(manager.get(&latest).await.status, StatusCode::FORBIDDEN);
        let mc = manager.csrf().await;
        let res = manager.post(&latest, &with(&mc, &v, &[("reason", "Obehörig."), ("remove", "1")])).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN);
        assert_eq!(audited(&store, "risk_assessment").await, 0, "nothing stored");

        // Correcting the latest moves the level with it.
        let risk_changes = audited(&store, "risk").await;
        let changed = [
            ("reason", "Konsekvensen är större."),
            ("assessed_on", "2023-02-01"),
            ("likelihood", "2"),
            ("consequence", "4"),
        ];
        let res = quality.post(&latest, &with(&csrf, &v, &changed)).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let page = quality.get(&risk).await.body;
        assert!(page.contains("Risknivå 8"), "the level follows the corrected assessment");
        assert!(
            page.contains("Rättade bedömningen 2023-02-01 (innan: risknivå 6, sannolikhet 2 × konsekvens 3)."),
            "{page}"
        );
        assert!(page.contains("Konsekvensen är större.") && page.contains("Kim Kvalitetsutvecklare"));
        let res = quality.post(&latest, &with(&csrf, &v, &changed)).await;
        assert_eq!(res.status, StatusCode::CONFLICT, "stale");
        assert!(res.body.contains("Bedömningen har ändrats av någon annan under tiden."));

        // Removing the latest moves the level back to the previous assessment's.
        let v = version(&quality.get(&latest).await.body);
        let res =
            quality.post(&latest, &with(&csrf, &v, &[("reason", "Bedömdes på fel risk."), ("remove", "1")])).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let page = quality.get(&risk).await.body;
        assert!(page.contains("Risknivå 9"), "back to the first assessment's level");
        assert!(page.contains("Tog bort bedömningen 2023-02-01 (innan: risknivå 8, sannolikhet 2 × konsekvens 4)."));
        assert_eq!(audited(&store, "risk_assessment").await, 2, "the change and the removal are audited");
        assert_eq!(audited(&store, "risk").await, risk_changes + 2, "the risk's level changed with them");
    })
    .await;
}
