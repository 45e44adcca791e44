//! Deviations from registration to closing, and the year-against-year table, through HTTP.

use axum::http::StatusCode;

use kvalitet_store::testing::on_each_backend;

use crate::{MANAGER, READER, STAFF, TestApp};

#[tokio::test]
async fn a_lex_sarah_report_is_investigated_assessed_reported_to_ivo_and_closed() {
    on_each_backend(|store, _| async move {
        let mut staff = TestApp::with_demo(store.clone()).await;
        staff.login(STAFF).await;
        let form = staff.get("/avvikelser/ny").await.body;
        let unit = form.split("<option value=\"").nth(2).unwrap().split('"').next().unwrap().to_owned();
        let csrf = staff.csrf().await;
        // The report is dated today; everything after happens today too.
        let today =
            jiff::Zoned::now().with_time_zone(jiff::tz::TimeZone::get("Europe/Stockholm").unwrap()).date().to_string();
        let today = today.as_str();
        let res = staff
            .post(
                "/avvikelser/ny",
                &[
                    ("csrf", &csrf),
                    ("kind", "lex_sarah"),
                    ("unit", &unit),
                    ("occurred_on", today),
                    ("title", "Anmälan hanterades inte i tid"),
                    ("description", "En anmälan låg obehandlad i tre veckor."),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER);

        let mut manager = TestApp::on(store.clone());
        manager.login(MANAGER).await;
        let list = manager.get("/avvikelser").await.body;
        let id = list
            .split("href=\"/avvikelser/")
            .filter(|s| s.starts_with(char::is_numeric))
            .map(|s| s.split('"').next().unwrap().to_owned())
            .max_by_key(|s| s.parse::<i64>().unwrap())
            .unwrap();
        let href = format!("/avvikelser/{id}");
        let page = manager.get(&href).await.body;
        assert!(page.contains("Bedömning enligt lex Sarah"));
        let version =
            |body: &str| body.split("name=\"version\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
        let mcsrf = manager.csrf().await;
        let v = version(&page);
        // Closing a serious impropriety without reporting it to IVO is refused.
        let res = manager
            .post(
                &format!("{href}/handlaggning"),
                &[
                    ("csrf", &mcsrf),
                    ("version", &v),
                    ("status", "closed"),
                    ("investigation", "Rutinen följdes inte."),
                    ("lex_sarah_category", "serious"),
                    ("closed_on", today),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            res.body.contains("ska anmälas till IVO innan ärendet avslutas"),
            "{}",
            res.body.contains("error-summary")
        );
        let res = manager
            .post(
                &format!("{href}/handlaggning"),
                &[
                    ("csrf", &mcsrf),
                    ("version", &v),
                    ("status", "closed"),
                    ("investigation", "Rutinen följdes inte."),
                    ("lex_sarah_category", "serious"),
                    ("reported_to_ivo_on", today),
                    ("measures_taken", "Rutinen för inkommande anmälningar är genomgången."),
                    ("closed_on", today),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let page = manager.get(&href).await.body;
        assert!(page.contains("Allvarligt missförhållande"));
        assert!(page.contains(&format!("Anmäld till IVO</dt><dd>{today}")));
        assert!(page.contains(&format!("Avslutad</dt><dd>{today}")));
        // A stale save is a conflict.
        let res = manager
            .post(&format!("{href}/handlaggning"), &[("csrf", &mcsrf), ("version", &v), ("status", "investigating")])
            .await;
        assert_eq!(res.status, StatusCode::CONFLICT);

        // The year-against-year table counts it for the unit.
        let table = manager.get("/avvikelser?ar=2022").await.body;
        assert!(table.contains("Antal per enhet och slag, 2022 jämfört med 2021"));
        assert!(table.contains("<th scope=\"row\">Beroendeenheten</th>"));
        let reader = {
            let mut r = TestApp::on(store.clone());
            r.login(READER).await;
            r
        };
        assert_eq!(reader.get(&href).await.status, StatusCode::FORBIDDEN);
    })
    .await;
}
