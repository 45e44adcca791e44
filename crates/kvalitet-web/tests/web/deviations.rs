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

/// The numbers of the reports a deviation list page links to, in order.
fn listed_reports(body: &str) -> Vec<i64> {
    let rows = body.split("<h2>Ärenden").nth(1).unwrap().split("</table>").next().unwrap();
    rows.split("<td data-label=\"Rubrik\"><a href=\"/avvikelser/")
        .skip(1)
        .map(|s| s.split('"').next().unwrap().parse().unwrap())
        .collect()
}

#[tokio::test]
async fn a_year_of_many_reports_is_listed_a_page_at_a_time_and_only_the_shown_are_logged_as_read() {
    use kvalitet_domain::deviation::{Deviation, DeviationKind};
    use kvalitet_domain::{Date, Versioned};
    use kvalitet_store::{Actor, Where, repo};
    use sqlx::Row as _;

    on_each_backend(|store, _| async move {
        let _demo = TestApp::with_demo(store.clone()).await;
        let mut conn = store.read().await.unwrap();
        let any: Versioned<Deviation> = repo::list(&mut conn, Where::all()).await.unwrap().remove(0);
        drop(conn);
        // 120 reports in 2019, a year the demo has none, over its days.
        let mut tx = store.write(&Actor::system("test")).await.unwrap();
        let mut ids = Vec::new();
        for i in 0..120i16 {
            let day = Date::constant(2019, 1, 1).saturating_add(jiff::Span::new().days(i64::from(i) * 3));
            let d = Deviation::registered(
                any.tenant_id,
                any.unit_id,
                DeviationKind::Internal,
                day,
                day,
                format!("Sidavvikelse {i}"),
                "Beskrivning.".into(),
                "Test".into(),
            );
            ids.push(repo::insert(&mut tx, &d).await.unwrap().get());
        }
        tx.commit().await.unwrap();
        let mut admin = TestApp::on(store.clone());
        admin.login(crate::ADMIN).await;

        let first = admin.get("/avvikelser?ar=2019").await;
        assert_eq!(first.status, StatusCode::OK);
        assert!(first.body.contains("Visar 1–50 av 120 ärenden."), "{}", first.body);
        assert!(first.body.contains("Sida 1 av 3"));
        assert!(first.body.contains("<option value=\"2019\" selected>"), "the year is offered");
        // Only the page's reports are logged as read.
        let shown = listed_reports(&first.body);
        assert_eq!(shown.len(), 50);
        let mut conn = store.read().await.unwrap();
        let logged: Vec<i64> = sqlx::query("SELECT record_id FROM audit_read WHERE table_name = 'deviation'")
            .fetch_all(&mut *conn)
            .await
            .unwrap()
            .iter()
            .map(|r| r.get::<i64, _>("record_id"))
            .filter(|id| ids.contains(id))
            .collect();
        drop(conn);
        let mut want = shown.clone();
        want.sort();
        let mut got = logged;
        got.sort();
        assert_eq!(got, want);

        // Following "Nästa sida": every report once, newest first.
        let (mut all, mut body) = (shown, first.body);
        while let Some(next) = body.split("\" rel=\"next\"").next().filter(|_| body.contains("rel=\"next\"")) {
            let next = next.rsplit("href=\"").next().unwrap().replace("&#38;", "&").replace("&amp;", "&");
            assert!(next.contains("ar=2019") && next.contains("sida="), "{next}");
            body = admin.get(&next).await.body;
            assert!(body.contains("rel=\"prev\""));
            all.extend(listed_reports(&body));
        }
        let mut newest_first = ids.clone();
        newest_first.reverse();
        assert_eq!(all, newest_first);
        // A page beyond the last is the last; a page that is not a number is refused.
        assert!(admin.get("/avvikelser?ar=2019&sida=9").await.body.contains("Sida 3 av 3"));
        assert!(admin.get("/avvikelser?ar=2019&sida=x").await.body.contains("Sida: ange ett sidnummer."));
        // The download holds the whole year.
        let (status, _, bytes) = admin.download("/avvikelser.csv?ar=2019").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(String::from_utf8_lossy(&bytes).matches("Sidavvikelse").count(), 120);
    })
    .await;
}

/// The list's counts read reports grouped by the database (`deviations::counted`): every
/// count over the groups equals the count over the reports one by one, whole units and
/// parts of the tree, with reports that differ only in their texts (one group), voided
/// ones (never counted), complaints answered after some days and categories in each
/// dimension.
#[tokio::test]
async fn the_years_counts_over_grouped_reports_equal_the_counts_of_the_reports_one_by_one() {
    use kvalitet_domain::deviation::{
        CategoryDimension, Complainant, ComplaintChannel, Deviation, DeviationCategory, DeviationKind, LexSarahCategory,
    };
    use kvalitet_domain::deviation_stats::{self as stats, Counted};
    use kvalitet_domain::org::OrgUnitId;
    use kvalitet_domain::{Code, Date, Versioned};
    use kvalitet_store::{Actor, Where, deviations, repo};

    on_each_backend(|store, _| async move {
        let _demo = TestApp::with_demo(store.clone()).await;
        let mut conn = store.read().await.unwrap();
        let any: Versioned<Deviation> = repo::list(&mut conn, Where::all()).await.unwrap().remove(0);
        let tenant = any.tenant_id;
        let units: Vec<OrgUnitId> =
            kvalitet_store::org::units(&mut conn, tenant).await.unwrap().iter().map(|u| u.id).collect();
        drop(conn);
        // Two categories in each dimension.
        let mut tx = store.write(&Actor::system("test")).await.unwrap();
        for (n, dimension) in CategoryDimension::ALL.iter().enumerate() {
            for i in 0..2 {
                let name = format!("{} {i}", dimension.code());
                let c = DeviationCategory {
                    tenant_id: tenant,
                    dimension: *dimension,
                    name,
                    active: true,
                    sort_order: n as i64,
                };
                repo::insert(&mut tx, &c).await.unwrap();
            }
        }
        tx.commit().await.unwrap();
        let mut conn = store.read().await.unwrap();
        let categories = deviations::categories(&mut conn, tenant).await.unwrap();
        drop(conn);
        assert_eq!(categories.len(), 8);
        let mut tx = store.write(&Actor::system("test")).await.unwrap();
        for i in 0..90i64 {
            let day = Date::constant(2018, 1, 1).saturating_add(jiff::Span::new().days(i * 8 % 700));
            let kind = DeviationKind::ALL[(i % DeviationKind::ALL.len() as i64) as usize];
            let mut d = Deviation::registered(
                tenant,
                units[(i % 4) as usize],
                kind,
                day,
                day,
                format!("Räknad {i}"),
                "Olika texter, samma räkning.".into(),
                "Test".into(),
            );
            let c = &categories[(i % categories.len() as i64) as usize];
            match c.dimension {
                CategoryDimension::Type => d.type_category_id = Some(c.id),
                CategoryDimension::Cause => d.cause_category_id = Some(c.id),
                CategoryDimension::Place => d.place_category_id = Some(c.id),
                CategoryDimension::Severity => d.severity_category_id = Some(c.id),
            }
            if i % 5 == 0 {
                d.lex_sarah_category = Some(LexSarahCategory::ALL[(i % 3) as usize % LexSarahCategory::ALL.len()]);
            }
            if kind == DeviationKind::Complaint {
                d.complainant = (i % 3 != 0).then_some(Complainant::Relative);
                d.channel = Some(ComplaintChannel::Phone);
                d.answered_on = (i % 4 != 0).then(|| day.saturating_add(jiff::Span::new().days(i % 17)));
            }
            if i % 11 == 0 {
                d.voided_on = Some(day);
                d.void_reason = "Fel".into();
            }
            // Every fifth report twice over, alike in all that is counted.
            for _ in 0..if i % 5 == 1 { 2 } else { 1 } {
                repo::insert(&mut tx, &d).await.unwrap();
            }
        }
        tx.commit().await.unwrap();

        let mut conn = store.read().await.unwrap();
        let all: Vec<Versioned<Deviation>> = repo::list(&mut conn, Where::all()).await.unwrap();
        for reach in [None, Some(units[..2].to_vec()), Some(vec![units[3]]), Some(vec![])] {
            let grouped = deviations::counted(&mut conn, tenant, reach.as_deref(), 2018, 2019).await.unwrap();
            let one_by_one: Vec<Counted> = all
                .iter()
                .filter(|d| {
                    let year = d.reported_on.year();
                    (2018..=2019).contains(&year) && reach.as_ref().is_none_or(|r| r.contains(&d.unit_id))
                })
                .filter_map(|d| Counted::of(d))
                .collect();
            let (g, o): (Vec<&Counted>, Vec<&Counted>) = (grouped.iter().collect(), one_by_one.iter().collect());
            assert!(reach.as_ref().is_some_and(Vec::is_empty) || g.len() < o.len(), "alike reports are one group");
            assert_eq!(g.iter().map(|c| c.count).sum::<i64>(), o.len() as i64, "{reach:?}");
            for year in [2018, 2019] {
                for k in DeviationKind::ALL {
                    assert_eq!(stats::kind_count(&g, &[], *k, year), stats::kind_count(&o, &[], *k, year));
                }
                assert_eq!(stats::quarter_counts(&g, &[], year), stats::quarter_counts(&o, &[], year));
                for c in LexSarahCategory::ALL {
                    assert_eq!(stats::lex_sarah_count(&g, &[], *c, year), stats::lex_sarah_count(&o, &[], *c, year));
                }
                for c in &categories {
                    for id in [Some(c.id), None] {
                        let (a, b) = (
                            stats::category_count(&g, &[], c.dimension, id, year),
                            stats::category_count(&o, &[], c.dimension, id, year),
                        );
                        assert_eq!(a, b, "{} {id:?} {year}", c.dimension.code());
                    }
                }
                assert_eq!(stats::complaints(&g, &[], year), stats::complaints(&o, &[], year), "{year}");
            }
        }
        let complaints = stats::complaints(
            &deviations::counted(&mut conn, tenant, None, 2018, 2019).await.unwrap().iter().collect::<Vec<_>>(),
            &[],
            2018,
        )
        .unwrap();
        assert!(complaints.registered > 5 && complaints.answered > 0, "{complaints:?}");
        assert!(complaints.median_days_to_answer.is_some_and(|d| d > 0.0), "{complaints:?}");
    })
    .await;
}
