//! Following up the year through HTTP: a manager records a self-inspection run, an
//! action's follow-up and an indicator's result, sees them in the plan's follow-up, and
//! a lost race is shown as a conflict with both versions.

use axum::http::StatusCode;

use kvalitet_store::testing::on_each_backend;

use crate::{MANAGER, QUALITY, STAFF, TestApp};

/// The first link of `prefix` on a page.
fn first_link(body: &str, prefix: &str) -> String {
    // The first link to an item (not to "ny", the form for a new one).
    body.split(&format!("href=\"{prefix}"))
        .skip(1)
        .map(|s| s.split('"').next().unwrap())
        .find(|s| s.starts_with(|c: char| c.is_ascii_digit()))
        .map(|s| format!("{prefix}{s}"))
        .unwrap_or_else(|| panic!("no link to {prefix}"))
}

#[tokio::test]
async fn a_manager_records_the_years_follow_up_and_the_plan_shows_it() {
    on_each_backend(|store, _| async move {
        let mut manager = TestApp::with_demo(store.clone()).await;
        manager.login(MANAGER).await;
        let plan = manager.plan_id("Kvalitetsplan 2024 Individ- och familjeomsorg").await;
        let plan_page = manager.get(&format!("/planer/{plan}")).await.body;
        let si = first_link(&plan_page, "/egenkontroller/");
        let action = first_link(&plan_page, "/atgarder/");
        let indicator = first_link(&plan_page, "/indikatorer/");
        let csrf = manager.csrf().await;

        // A self-inspection run: errors beside the fields first, then stored.
        let bad = manager
            .post(
                &format!("{si}/genomforanden"),
                &[("csrf", &csrf), ("run_on", "2024-31-01"), ("verdict", "not_measurable"), ("sample_size", "tolv")],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.body.contains("Ange datum som ÅÅÅÅ-MM-DD"));
        assert!(bad.body.contains("Ange ett heltal"));
        assert!(bad.body.contains("value=\"tolv\""), "what was typed is kept");
        let ok = manager
            .post(
                &format!("{si}/genomforanden"),
                &[
                    ("csrf", &csrf),
                    ("run_on", "2024-03-31"),
                    ("verdict", "partly_approved"),
                    ("result_value", "80,5"),
                    ("sample_size", "40"),
                    ("comment", "Åtta av tio kontrollerade ärenden godkända."),
                ],
            )
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
        let si_page = manager.get(&si).await.body;
        assert!(si_page.contains("Åtta av tio kontrollerade ärenden godkända."));
        assert!(si_page.contains("80,5"));
        assert!(si_page.contains("Delvis godkänt"));

        // An action's follow-up moves its status.
        let action_page = manager.get(&action).await.body;
        let version =
            action_page.split("name=\"version\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
        let res = manager
            .post(
                &format!("{action}/uppfoljning"),
                &[
                    ("csrf", &csrf),
                    ("version", &version),
                    ("entry_on", "2024-06-30"),
                    ("text", "Arbetssättet är infört på alla enheter."),
                    ("new_status", "done"),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let after = manager.get(&action).await.body;
        assert!(after.contains("Arbetssättet är infört på alla enheter."));
        assert!(!after.contains("value=\"planned\""), "a done action cannot go back to planned");

        // An indicator result with its basis: 45 of 60 is 75 % with an interval.
        let res = manager
            .post(
                &format!("{indicator}/resultat"),
                &[
                    ("csrf", &csrf),
                    ("year", "2024"),
                    ("value", "75"),
                    ("numerator", "45"),
                    ("denominator", "60"),
                    ("comment", "Första mätningen."),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let dup =
            manager.post(&format!("{indicator}/resultat"), &[("csrf", &csrf), ("year", "2024"), ("value", "70")]).await;
        assert_eq!(dup.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(dup.body.contains("Det finns redan ett resultat för 2024"));
        let ind_page = manager.get(&indicator).await.body;
        assert!(ind_page.contains("<td data-label=\"n\" class=\"num\">60</td>"), "n shown");
        // 45 of 60: Wilson 95 % interval 0.628–0.842, computed by hand.
        assert!(ind_page.contains("63\u{a0}%–84\u{a0}%"), "Wilson interval of 45/60 shown");

        // The plan's follow-up shows what was recorded.
        let plan_page = manager.get(&format!("/planer/{plan}")).await.body;
        assert!(plan_page.contains("Åtta av tio kontrollerade ärenden godkända."));
        assert!(plan_page.contains("Arbetssättet är infört på alla enheter."));
        assert!(plan_page.contains("Första mätningen."));

        // Staff read but do not record.
        let mut staff = TestApp::on(store.clone());
        staff.login(STAFF).await;
        let page = staff.get(&si).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(!page.body.contains("Registrera en genomförd kontroll"));
    })
    .await;
}

#[tokio::test]
async fn two_people_following_up_the_same_action_get_a_conflict_not_an_overwrite() {
    on_each_backend(|store, _| async move {
        let mut manager = TestApp::with_demo(store.clone()).await;
        manager.login(MANAGER).await;
        let mut quality = TestApp::on(store.clone());
        quality.login(QUALITY).await;
        let plan = manager.plan_id("Kvalitetsplan 2022 för vuxna").await;
        let action = first_link(&manager.get(&format!("/planer/{plan}")).await.body, "/atgarder/");
        // Both open the action at the same version.
        let version =
            |body: &str| body.split("name=\"version\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
        let v_manager = version(&manager.get(&action).await.body);
        let v_quality = version(&quality.get(&action).await.body);
        assert_eq!(v_manager, v_quality);
        let (c1, c2) = (manager.csrf().await, quality.csrf().await);
        let first = manager
            .post(
                &format!("{action}/uppfoljning"),
                &[
                    ("csrf", &c1),
                    ("version", &v_manager),
                    ("entry_on", "2023-01-15"),
                    ("text", "Chefens uppföljning."),
                    ("new_status", "done"),
                ],
            )
            .await;
        assert_eq!(first.status, StatusCode::SEE_OTHER);
        let second = quality
            .post(
                &format!("{action}/uppfoljning"),
                &[
                    ("csrf", &c2),
                    ("version", &v_quality),
                    ("entry_on", "2023-01-16"),
                    ("text", "Kvalitetsutvecklarens text."),
                    ("new_status", "ongoing"),
                ],
            )
            .await;
        assert_eq!(second.status, StatusCode::CONFLICT);
        assert!(second.body.contains("Någon annan har följt upp åtgärden medan du skrev"));
        assert!(second.body.contains("Chefens uppföljning."), "their version is shown");
        assert!(second.body.contains("Kvalitetsutvecklarens text."), "mine is kept");
        let page = quality.get(&action).await.body;
        assert!(page.contains("Chefens uppföljning."));
        assert!(!page.contains("<p>Kvalitetsutvecklarens text.</p>"), "the losing edit was not stored");
    })
    .await;
}

#[tokio::test]
async fn a_run_outside_the_plan_year_and_a_value_contradicting_its_fraction_are_refused() {
    on_each_backend(|store, _| async move {
        let mut manager = TestApp::with_demo(store.clone()).await;
        manager.login(MANAGER).await;
        let plan = manager.plan_id("Kvalitetsplan 2024 Individ- och familjeomsorg").await;
        let plan_page = manager.get(&format!("/planer/{plan}")).await.body;
        let si = first_link(&plan_page, "/egenkontroller/");
        let csrf = manager.csrf().await;
        let run = |date: &'static str| {
            vec![
                ("csrf", csrf.clone()),
                ("run_on", date.into()),
                ("verdict", "approved".into()),
                ("sample_size", "10".into()),
            ]
        };
        let post = |form: Vec<(&'static str, String)>| {
            let (m, path) = (&manager, format!("{si}/genomforanden"));
            async move {
                let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
                m.post(&path, &form).await
            }
        };
        let res = post(run("2019-05-02")).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            res.body.contains("Planen gäller 2024; ett genomförande 2019 hör till en annan års plan."),
            "{}",
            res.body
        );
        assert_eq!(post(run("2024-05-02")).await.status, StatusCode::SEE_OTHER);

        // A share given as a fraction gets its value; a value against its fraction is refused.
        let mut conn = store.read().await.unwrap();
        let row = sqlx::query("SELECT MIN(id) AS id FROM indicator WHERE plan_id = $1 AND unit = 'percent'")
            .bind(plan)
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        let indicator = format!("/indikatorer/{}", sqlx::Row::try_get::<i64, _>(&row, "id").unwrap());
        drop(conn);
        let res = manager
            .post(
                &format!("{indicator}/resultat"),
                &[("csrf", &csrf), ("value", "95"), ("numerator", "14"), ("denominator", "18")],
            )
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.body.contains("stämmer inte med täljaren och nämnaren: 14 av 18 är 77,8 %"), "{}", res.body);
        let res = manager
            .post(&format!("{indicator}/resultat"), &[("csrf", &csrf), ("numerator", "14"), ("denominator", "18")])
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let mut conn = store.read().await.unwrap();
        let row = sqlx::query("SELECT year, value FROM indicator_result WHERE numerator = 14 AND denominator = 18")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        assert_eq!(sqlx::Row::try_get::<i64, _>(&row, "year").unwrap(), 2024, "the plan's year");
        assert_eq!(sqlx::Row::try_get::<f64, _>(&row, "value").unwrap(), 77.8, "computed from the fraction");
    })
    .await;
}

#[tokio::test]
async fn a_run_is_corrected_or_removed_with_a_reason_kept_in_the_history() {
    on_each_backend(|store, _| async move {
        let mut manager = TestApp::with_demo(store.clone()).await;
        manager.login(MANAGER).await;
        let plan = manager.plan_id("Kvalitetsplan 2024 Individ- och familjeomsorg").await;
        let plan_page = manager.get(&format!("/planer/{plan}")).await.body;
        let si = first_link(&plan_page, "/egenkontroller/");
        let csrf = manager.csrf().await;
        let form = [("csrf", csrf.as_str()), ("run_on", "2024-05-02"), ("verdict", "approved"), ("sample_size", "10")];
        assert_eq!(manager.post(&format!("{si}/genomforanden"), &form).await.status, StatusCode::SEE_OTHER);
        let page = manager.get(&si).await.body;
        let correct = first_link(&page, "/genomforanden/");
        let correct = format!("{}/rattelse", correct.trim_end_matches("/rattelse"));
        let shown = manager.get(&correct).await.body;
        assert!(shown.contains("value=\"2024-05-02\""), "the run's values to correct");
        let version = shown.split("name=\"version\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
        let changed = [
            ("csrf", csrf.as_str()),
            ("version", &version),
            ("run_on", "2024-06-03"),
            ("verdict", "partly_approved"),
            ("sample_size", "10"),
        ];
        let res = manager.post(&correct, &changed).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "a correction needs a reason");
        assert!(res.body.contains("Skriv varför genomförandet rättas"));
        let mut with_reason = changed.to_vec();
        with_reason.push(("reason", "Registrerades på fel datum."));
        let res = manager.post(&correct, &with_reason).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let page = manager.get(&si).await.body;
        assert!(page.contains("2024-06-03") && page.contains("Delvis godkänt"), "corrected");
        assert!(page.contains("Rättelser") && page.contains("Registrerades på fel datum."), "the reason in the history");
        assert!(page.contains("Rättade genomförandet 2024-05-02 (innan: Godkänt)"), "what it said before");
        // Removed, with a reason; the removal is in the history and the audit log.
        let shown = manager.get(&correct).await.body;
        let version = shown.split("name=\"version\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
        let remove = [("csrf", csrf.as_str()), ("version", &version), ("remove", "1"), ("reason", "Dubbelregistrering.")];
        assert_eq!(manager.post(&correct, &remove).await.status, StatusCode::SEE_OTHER);
        let page = manager.get(&si).await.body;
        assert!(page.contains("Tog bort genomförandet 2024-06-03") && page.contains("Dubbelregistrering."));
        assert_eq!(manager.get(&correct).await.status, StatusCode::NOT_FOUND);
        let mut conn = store.read().await.unwrap();
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM audit_entry WHERE table_name = 'self_inspection_run' AND action IN ('update', 'delete')",
        )
        .fetch_one(&mut *conn)
        .await
        .unwrap();
        assert_eq!(sqlx::Row::try_get::<i64, _>(&row, "n").unwrap(), 2, "the change and the removal are audited");
    })
    .await;
}
