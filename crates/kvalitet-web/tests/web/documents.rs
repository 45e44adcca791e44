//! The board documents through the web: the plan's "Dokument" page and the API endpoint,
//! with only what the user may read in the file; the version stored when the board
//! adopted a plan, served byte for byte whatever changes afterwards.

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use sha2::{Digest, Sha256};
use tower::ServiceExt;

use kvalitet_domain::plan::QualityPlan;
use kvalitet_domain::risk::{Risk, RiskAssessment};
use kvalitet_domain::{Date, Id};
use kvalitet_store::audit::{self, Search};
use kvalitet_store::testing::on_each_backend;
use kvalitet_store::{Actor, Store, plans, repo};

use crate::{MANAGER, QUALITY, READER, TestApp};

fn scope_link(body: &str) -> String {
    let at = body.find("/api/v1/dokument?typ=report").expect("a report link");
    body[at..].split('"').next().unwrap().replace("&amp;", "&").replace("&#38;", "&")
}

#[tokio::test]
async fn documents_hold_only_what_the_user_may_read() {
    on_each_backend(|store, _| async move {
        let mut reader = TestApp::with_demo(store.clone()).await;
        reader.login(READER).await;
        let plan = reader.plan_id("Kvalitetsplan 2022 för vuxna").await;
        let page = reader.get(&format!("/planer/{plan}/dokument")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Ladda ner PDF"));
        let link = scope_link(&page.body);

        // The board member's report: the tables count every case, no case is described.
        let html = reader.get(&link.replace("format=pdf", "format=html").replace("format=docx", "format=html")).await;
        assert_eq!(html.status, StatusCode::OK);
        assert!(
            html.headers
                .get(header::CONTENT_DISPOSITION)
                .unwrap()
                .to_str()
                .unwrap()
                .contains("kvalitetsberattelse-2022.html")
        );
        assert!(html.body.contains("Synpunkter och klagomål"));
        assert!(!html.body.contains("LVM-anmälan"), "no case description for a reader");

        // The manager of Beroendeenheten sees that unit's lex Sarah case, not Socialpsykiatri's complaint.
        let mut manager = TestApp::on(store.clone());
        manager.login(MANAGER).await;
        let html =
            manager.get(&link.replace("format=pdf", "format=html").replace("format=docx", "format=html")).await.body;
        assert!(html.contains("LVM-anmälan"));
        assert!(!html.contains("svårighet att få kontakt med handläggaren"));
        let mut conn = store.read().await.unwrap();
        let reads = audit::search(
            &mut conn,
            &Search {
                actor_id: None,
                table_name: Some("deviation".into()),
                action: Some("read".into()),
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert!(reads.iter().any(|r| r.actor == MANAGER.0), "the described case was logged as read");
        drop(conn);

        // A PDF of the plan.
        let pdf = manager
            .get(&format!(
                "/api/v1/dokument?typ=plan&ar=2022&format=pdf&omfattning={}",
                link.split("omfattning=").nth(1).unwrap()
            ))
            .await;
        assert_eq!(pdf.headers.get(header::CONTENT_TYPE).unwrap(), "application/pdf");
        assert!(pdf.body.starts_with("%PDF"));
        // Bad parameters get a JSON problem in Swedish.
        let bad = manager.get("/api/v1/dokument?typ=plan&ar=tjugo&format=pdf&omfattning=1").await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        assert_eq!(bad.headers.get(header::CONTENT_TYPE).unwrap(), "application/problem+json");
        assert!(bad.body.contains("ar ska vara ett år"));
    })
    .await;
}

/// A GET whose body is kept as bytes (a PDF is not text).
async fn raw(app: &TestApp, path: &str) -> (StatusCode, HeaderMap, Vec<u8>) {
    let mut req = Request::get(path);
    if let Some(c) = &app.cookie {
        req = req.header(header::COOKIE, c);
    }
    let res = app.router.clone().oneshot(req.body(Body::empty()).unwrap()).await.unwrap();
    let (status, headers) = (res.status(), res.headers().clone());
    let bytes = axum::body::to_bytes(res.into_body(), 20 << 20).await.unwrap();
    (status, headers, bytes.to_vec())
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Rolls a demo plan into a draft for the next year, through the store.
async fn draft_from(store: &Store, plan: i64) -> Id<QualityPlan> {
    let mut tx = store.write(&Actor::system("test")).await.unwrap();
    let draft = plans::roll_over_plan(&mut tx, Id::new(plan), Date::constant(2022, 12, 1)).await.unwrap();
    tx.commit().await.unwrap();
    draft
}

/// Re-assesses a risk through the store.
async fn reassess(store: &Store, risk: Id<Risk>, on: Date, likelihood: i64, consequence: i64) {
    let mut tx = store.write(&Actor::system("test")).await.unwrap();
    let version = repo::get::<Risk>(&mut tx, risk).await.unwrap().version;
    let assessment = RiskAssessment {
        risk_id: risk,
        assessed_on: on,
        likelihood: Some(likelihood),
        consequence: Some(consequence),
        level: likelihood * consequence,
        comment: String::new(),
    };
    plans::reassess_risk(&mut tx, risk, version, &assessment).await.unwrap();
    tx.commit().await.unwrap();
}

fn form_version(body: &str) -> String {
    body.split("name=\"version\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned()
}

#[tokio::test]
async fn the_adopted_plan_stays_what_the_board_adopted() {
    on_each_backend(|store, _| async move {
        let mut quality = TestApp::with_demo(store.clone()).await;
        quality.login(QUALITY).await;
        let mut reader = TestApp::on(store.clone());
        reader.login(READER).await;
        let mut manager = TestApp::on(store.clone());
        manager.login(MANAGER).await;
        let draft = draft_from(&store, quality.plan_id("Kvalitetsplan 2022 för vuxna").await).await;
        let mut conn = store.read().await.unwrap();
        let scope = repo::get::<QualityPlan>(&mut conn, draft).await.unwrap().scope_id;
        let risk = plans::load_bundle(&mut conn, draft).await.unwrap().risks[0].id;
        drop(conn);
        reassess(&store, risk, Date::constant(2022, 12, 2), 4, 4).await;
        let api = |format: &str, version: &str| {
            format!("/api/v1/dokument?typ=plan&ar=2023&format={format}&omfattning={scope}{version}")
        };

        // A draft's document says so; who may not read drafts does not get it.
        let html = quality.get(&api("html", "")).await;
        assert_eq!(html.status, StatusCode::OK, "{}", html.body);
        assert!(html.body.contains("<h1>Kvalitetsplan 2023<br><span class=\"marking\">UTKAST</span></h1>"));
        let refused = reader.get(&api("html", "")).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        assert!(refused.body.contains("utkast"), "{}", refused.body);
        let page = quality.get(&format!("/planer/{draft}/dokument")).await.body;
        assert!(page.contains("Utkast – planen är inte antagen"));
        assert!(!page.contains("Antagen version"));

        // Adopting stores the documents of that moment.
        let v = form_version(&quality.get(&format!("/planer/{draft}")).await.body);
        let csrf = quality.csrf().await;
        let form = [
            ("csrf", csrf.as_str()),
            ("version", &v),
            ("adopted_on", "2022-12-14"),
            ("board_reference", "SN-2022/140"),
        ];
        let started = std::time::Instant::now();
        let ok = quality.post(&format!("/planer/{draft}/anta"), &form).await;
        eprintln!("adopting a plan with its documents took {:?}", started.elapsed());
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
        let mut adopted = Vec::new();
        for format in ["docx", "html", "pdf"] {
            let (status, headers, bytes) = raw(&quality, &api(format, "")).await;
            assert_eq!(status, StatusCode::OK);
            let etag = headers.get(header::ETAG).expect("the checksum").to_str().unwrap().to_owned();
            assert_eq!(etag, format!("\"sha256-{}\"", sha256(&bytes)), "{format}");
            adopted.push((format, bytes));
        }
        let adopted_html = String::from_utf8(adopted[1].1.clone()).unwrap();
        assert!(
            !adopted_html.contains("UTKAST") && adopted_html.contains("Antagen av nämnden 2022-12-14, SN-2022/140")
        );
        assert!(adopted[2].1.starts_with(b"%PDF"));

        // The risk's level changes after the adoption.
        reassess(&store, risk, Date::constant(2023, 3, 1), 1, 1).await;

        // The adopted version is what it was, byte for byte, for readers of different scopes.
        for app in [&quality, &reader, &manager] {
            for (format, bytes) in &adopted {
                let (status, _, again) = raw(app, &api(format, "&version=antagen")).await;
                assert_eq!(status, StatusCode::OK);
                assert!(again == *bytes, "{format}: the stored bytes");
            }
        }
        let at_adoption = "sannolikhet 4 × konsekvens 4";
        let after = "sannolikhet 1 × konsekvens 1";
        // Today's version shows the new level and says what it is.
        let current = quality.get(&api("html", "&version=aktuell")).await;
        assert_eq!(current.status, StatusCode::OK);
        assert!(current.body.contains("Aktuell version – ändrad efter antagandet"));
        assert!(
            current
                .headers
                .get(header::CONTENT_DISPOSITION)
                .unwrap()
                .to_str()
                .unwrap()
                .contains("kvalitetsplan-2023-aktuell.html")
        );
        assert_eq!(current.body.matches(after).count(), adopted_html.matches(after).count() + 1);
        assert_eq!(current.body.matches(at_adoption).count() + 1, adopted_html.matches(at_adoption).count());
        let (_, _, current_pdf) = raw(&reader, &api("pdf", "&version=aktuell")).await;
        assert!(current_pdf.starts_with(b"%PDF") && current_pdf != adopted[2].1);

        // The page offers both, the adopted version first with its checksums.
        let page = reader.get(&format!("/planer/{draft}/dokument")).await;
        assert_eq!(page.status, StatusCode::OK);
        let stored_at =
            page.body.find("Antagen version (2022-12-14, av Kim Kvalitetsutvecklare)").expect("the adopted version");
        let current_at = page.body.find("Aktuell version – ändrad efter antagandet").expect("today's version");
        assert!(stored_at < current_at);
        for (_, bytes) in &adopted {
            assert!(page.body.contains(&sha256(bytes)), "the checksum of each file");
        }
        assert!(page.body.contains("&amp;version=aktuell") || page.body.contains("&#38;version=aktuell"));
        let bad = reader.get(&api("html", "&version=gammal")).await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        assert!(bad.body.contains("version ska vara antagen eller aktuell"));
    })
    .await;
}

#[tokio::test]
async fn drafts_below_a_scope_are_left_out_and_counted_for_every_reader() {
    on_each_backend(|store, _| async move {
        let mut quality = TestApp::with_demo(store.clone()).await;
        quality.login(QUALITY).await;
        let mut reader = TestApp::on(store.clone());
        reader.login(READER).await;
        let mut manager = TestApp::on(store.clone());
        manager.login(MANAGER).await;
        let vuxna = draft_from(&store, quality.plan_id("Kvalitetsplan 2022 för vuxna").await).await;
        draft_from(&store, quality.plan_id("Kvalitetsplan 2022 Barn och unga 0-20 år").await).await;
        let mut tx = store.write(&Actor::system("test")).await.unwrap();
        let version = repo::get::<QualityPlan>(&mut tx, vuxna).await.unwrap().version;
        plans::adopt(&mut tx, vuxna, version, Date::constant(2022, 12, 14), "SN-1").await.unwrap();
        tx.commit().await.unwrap();
        let mut conn = store.read().await.unwrap();
        let top = kvalitet_store::org::first_tenant(&mut conn).await.unwrap().unwrap().id;
        let units = kvalitet_store::org::units(&mut conn, top).await.unwrap();
        let ifo = units.iter().find(|u| u.name == "Individ- och familjeomsorg").unwrap().id;
        drop(conn);
        let path = format!("/api/v1/dokument?typ=plan&ar=2023&format=html&omfattning={ifo}");
        let (status, _, for_quality) = raw(&quality, &path).await;
        assert_eq!(status, StatusCode::OK);
        let (status, _, for_reader) = raw(&reader, &path).await;
        assert_eq!(status, StatusCode::OK);
        assert!(for_quality == for_reader, "the same document for whoever may read drafts and who may not");
        let html = String::from_utf8(for_reader).unwrap();
        assert!(html.contains(
            "Ett utkast till kvalitetsplaner för enheter inom Individ- och familjeomsorg är inte beslutat och ingår inte i dokumentet."
        ));
        assert!(html.contains("Antagen av nämnden 2022-12-14, SN-1") && !html.contains("Barn och unga 0-20 år"));
        assert!(!html.contains("UTKAST"));
        // A document that holds another section's plan is refused whole, not thinned out.
        let refused = manager.get(&path.replace("ar=2023", "ar=2022")).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        assert!(refused.body.contains("omfattar delar av organisationen"), "{}", refused.body);
    })
    .await;
}
