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
                    ("investigation_started_on", today),
                    ("investigator", "Utredare"),
                    ("investigation", "Rutinen följdes inte."),
                    ("lex_sarah_category", "serious"),
                    ("decided_on", today),
                    ("decided_by", "Enhetschef"),
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

async fn send(app: &TestApp, fields: &[(String, String)]) -> crate::Response {
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    app.post("/avvikelser/ny", &pairs).await
}

/// The number of deviations stored with `title`.
async fn stored_with_title(store: &kvalitet_store::Store, title: &str) -> usize {
    let mut conn = store.read().await.unwrap();
    let all: Vec<kvalitet_domain::Versioned<kvalitet_domain::deviation::Deviation>> =
        kvalitet_store::repo::list(&mut conn, kvalitet_store::Where::all()).await.unwrap();
    all.iter().filter(|d| d.title == title).count()
}

#[tokio::test]
async fn a_report_sent_again_with_back_or_twice_at_once_is_stored_once() {
    on_each_backend(|store, _| async move {
        let mut staff = TestApp::with_demo(store.clone()).await;
        staff.login(STAFF).await;
        let form = staff.get("/avvikelser/ny").await.body;
        let token = |body: &str| {
            body.split("name=\"form_token\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned()
        };
        let first_token = token(&form);
        assert_eq!(first_token.len(), 64);
        assert_ne!(token(&staff.get("/avvikelser/ny").await.body), first_token, "a new token for each form");
        let unit = form.split("<option value=\"").nth(2).unwrap().split('"').next().unwrap().to_owned();
        let csrf = staff.csrf().await;
        let today =
            jiff::Zoned::now().with_time_zone(jiff::tz::TimeZone::get("Europe/Stockholm").unwrap()).date().to_string();
        let fields = |t: &str, title: &str| {
            vec![
                ("csrf".to_owned(), csrf.clone()),
                ("form_token".to_owned(), t.to_owned()),
                ("kind".to_owned(), "internal".to_owned()),
                ("unit".to_owned(), unit.clone()),
                ("occurred_on".to_owned(), today.clone()),
                ("title".to_owned(), title.to_owned()),
            ]
        };
        // Sent, then sent again (Back and submit): one report, the same receipt.
        let one = send(&staff, &fields(&first_token, "Larmet gick inte")).await;
        assert_eq!(one.status, StatusCode::SEE_OTHER, "{}", one.body);
        let again = send(&staff, &fields(&first_token, "Larmet gick inte")).await;
        assert_eq!(again.status, StatusCode::SEE_OTHER);
        assert_eq!(again.location(), one.location());
        assert_eq!(stored_with_title(&store, "Larmet gick inte").await, 1);

        // A form with an error keeps its token; corrected and sent, it is stored once.
        let form = staff.get("/avvikelser/ny").await.body;
        let t = token(&form);
        let bad = send(&staff, &fields(&t, "")).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(token(&bad.body), t);
        assert_eq!(send(&staff, &fields(&t, "Dörren var olåst")).await.status, StatusCode::SEE_OTHER);
        assert_eq!(stored_with_title(&store, "Dörren var olåst").await, 1);

        // A double click: the same form twice at once.
        let t = token(&staff.get("/avvikelser/ny").await.body);
        let twice = fields(&t, "Dubbelklick");
        let (a, b) = tokio::join!(send(&staff, &twice), send(&staff, &twice));
        assert_eq!((a.status, b.status), (StatusCode::SEE_OTHER, StatusCode::SEE_OTHER), "{} {}", a.body, b.body);
        assert_eq!(a.location(), b.location());
        assert_eq!(stored_with_title(&store, "Dubbelklick").await, 1);

        // Back fetches the form anew with another token; the same report sent with it is
        // still the first one. Another report from a new form is a new report.
        let t2 = token(&staff.get("/avvikelser/ny").await.body);
        let resent = send(&staff, &fields(&t2, "Dubbelklick")).await;
        assert_eq!(resent.location(), a.location());
        assert_eq!(stored_with_title(&store, "Dubbelklick").await, 1);
        let t3 = token(&staff.get("/avvikelser/ny").await.body);
        assert_eq!(send(&staff, &fields(&t3, "Dubbelklick igen")).await.status, StatusCode::SEE_OTHER);
        assert_eq!(stored_with_title(&store, "Dubbelklick igen").await, 1);
    })
    .await;
}
