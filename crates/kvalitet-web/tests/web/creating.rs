//! Starting the year's documents in the web: a unit's plan from a copy of another's, and
//! a Kvalitetsberättelse pre-filled from what the year recorded.

use axum::http::StatusCode;

use kvalitet_domain::Versioned;
use kvalitet_domain::org::OrgUnit;
use kvalitet_store::testing::on_each_backend;
use kvalitet_store::{Store, Where, repo};

use crate::{MANAGER, QUALITY, STAFF, TestApp};

async fn unit_id(store: &Store, name: &str) -> String {
    let mut conn = store.read().await.unwrap();
    let units: Vec<Versioned<OrgUnit>> = repo::list(&mut conn, Where::all()).await.unwrap();
    units.iter().find(|u| u.name == name).unwrap().id.get().to_string()
}

#[tokio::test]
async fn a_units_plan_starts_from_a_copy_of_another_plan_the_user_may_read() {
    on_each_backend(|store, _| async move {
        let mut quality = TestApp::with_demo(store.clone()).await;
        quality.login(QUALITY).await;
        let source = quality.plan_id("Kvalitetsplan 2022 för vuxna").await;
        let children = quality.plan_id("Kvalitetsplan 2022 Barn och unga 0-20 år").await;
        let form = quality.get("/planer/ny").await.body;
        assert!(form.contains("Kopia av Kvalitetsplan 2022 för vuxna"), "offered");
        assert!(
            !form.contains("Kopia av Kvalitetsplan 2022 Barn och unga 0-20 år"),
            "not a plan the user may not read"
        );
        let csrf = quality.csrf().await;
        let unit = unit_id(&store, "Beroendeenheten").await;

        // Another section's plan cannot be copied by naming it.
        let foreign = quality
            .post("/planer/ny", &[("csrf", &csrf), ("scope", &unit), ("year", "2025"), ("from", &children.to_string())])
            .await;
        assert_eq!(foreign.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(foreign.body.contains("Välj en plan i listan"), "{}", foreign.body);

        let res = quality
            .post("/planer/ny", &[("csrf", &csrf), ("scope", &unit), ("year", "2025"), ("from", &source.to_string())])
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let copy = quality.get(res.location()).await.body;
        assert!(copy.contains("Kvalitetsplan 2025 Beroendeenheten") && copy.contains("Utkast"));
        // Risks, self-inspections and indicators copied, the other unit's actions not.
        assert!(copy.contains("13 risker, 19 egenkontroller, 0 åtgärder, 6 indikatorer"), "{copy}");
        assert!(copy.contains("Innan planen antas") && copy.contains("13 risker ska bedömas på nytt."));
        // No history of another unit: no last year's status, no follow-up text.
        assert!(!copy.contains("Status förra året</dt><dd>Grön") && !copy.contains("Status förra året</dt><dd>Röd"));
        assert!(!copy.contains("Uppföljning av kvalitetsplan 2022 för vuxna"));
        // The source is unchanged.
        let after = quality.get(&format!("/planer/{source}")).await.body;
        assert!(after.contains("13 risker, 19 egenkontroller, 22 åtgärder, 6 indikatorer"));
    })
    .await;
}

#[tokio::test]
async fn a_quality_report_is_created_pre_filled_from_the_year() {
    on_each_backend(|store, _| async move {
        let mut quality = TestApp::with_demo(store.clone()).await;
        quality.login(QUALITY).await;
        assert!(quality.get("/").await.body.contains("href=\"/berattelser/ny\""));
        let form = quality.get("/berattelser/ny").await.body;
        assert!(form.contains("Vuxensektionen") && !form.contains("Barnenheten"));
        let csrf = quality.csrf().await;
        let vuxen = unit_id(&store, "Vuxensektionen").await;

        // 2022 has its report already (seed 002).
        let twice = quality.post("/berattelser/ny", &[("csrf", &csrf), ("scope", &vuxen), ("year", "2022")]).await;
        assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            twice.body.contains("Det finns redan en kvalitetsberättelse för Vuxensektionen 2022"),
            "{}",
            twice.body
        );
        let no_year = quality.post("/berattelser/ny", &[("csrf", &csrf), ("scope", &vuxen), ("year", "")]).await;
        assert_eq!(no_year.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(no_year.body.contains("Ange vilket år som berättelsen gäller"));

        // Roll the 2022 plan into 2023, so that the year has a plan to tell of.
        let plan = quality.plan_id("Kvalitetsplan 2022 för vuxna").await;
        let rolled = quality.post(&format!("/planer/{plan}/nasta-ar"), &[("csrf", &csrf)]).await;
        assert_eq!(rolled.status, StatusCode::SEE_OTHER);

        let res = quality.post("/berattelser/ny", &[("csrf", &csrf), ("scope", &vuxen), ("year", "2023")]).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let report = quality.get(res.location()).await.body;
        assert!(report.contains("Kvalitetsberättelse 2023 Vuxensektionen"), "{report}");
        for heading in [
            "Inledning",
            "Fokusområden för kvalitetsarbetet under året",
            "Uppföljning av kvalitetsplanerna",
            "Kvalitetsindikatorer",
            "Avvikelser, synpunkter och klagomål",
            "Förbättringsområden",
        ] {
            assert!(report.contains(heading), "{heading}");
        }
        // What was computed says so, and counts what the year holds.
        assert!(report.contains("Beräknat av Kvalitet"));
        assert!(report.contains("Kvalitetsplan 2023 för vuxna: 18 egenkontroller"), "{report}");
        assert!(report.contains("18 utan genomförande registrerat under året; 4 åtgärder (4 pågår)"));
        assert!(report.contains("Ännu inte markerad som uppföljd"));
        assert!(report.contains("inget resultat registrerat för 2023, målvärde 85"));
        assert!(
            report.contains("Inga avvikelser, lex Sarah-rapporter eller klagomål är registrerade i Kvalitet för 2023")
        );

        // Submitted to the board: the date and reference are required, and the documents
        // are stored as they were then.
        let href = res.location().to_owned();
        let version = report.split("name=\"version\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
        let missing = quality
            .post(
                &format!("{href}/overlamnad"),
                &[("csrf", &csrf), ("version", &version), ("submitted_on", "2024-02-20")],
            )
            .await;
        assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(missing.body.contains("Ange nämndens diarienummer eller paragraf"));
        let submitted = quality
            .post(
                &format!("{href}/overlamnad"),
                &[
                    ("csrf", &csrf),
                    ("version", &version),
                    ("submitted_on", "2024-02-20"),
                    ("board_reference", "SN 2024/9"),
                ],
            )
            .await;
        assert_eq!(submitted.status, StatusCode::SEE_OTHER, "{}", submitted.body);
        let after = quality.get(&href).await.body;
        assert!(after.contains("2024-02-20") && after.contains("SN 2024/9") && !after.contains("/overlamnad\""));
        let doc = quality.get(&format!("/api/v1/dokument?typ=report&ar=2023&format=html&omfattning={vuxen}")).await;
        assert_eq!(doc.status, StatusCode::OK);
        let etag = doc.headers.get("etag").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
        assert!(etag.starts_with("\"sha256-"), "the stored version is served: {etag:?}");
        assert!(doc.body.contains("Uppföljning av kvalitetsplanerna"));
        let again = quality
            .post(
                &format!("{href}/overlamnad"),
                &[
                    ("csrf", &csrf),
                    ("version", &version),
                    ("submitted_on", "2024-02-21"),
                    ("board_reference", "SN 2024/10"),
                ],
            )
            .await;
        assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);

        // This year, a staff member of Beroendeenheten registers a deviation: this year's
        // report of the unit counts it, and says there is no plan to follow up.
        let year = jiff::Zoned::now().year();
        let mut staff = TestApp::on(store.clone());
        staff.login(STAFF).await;
        let staff_csrf = staff.csrf().await;
        let unit = unit_id(&store, "Beroendeenheten").await;
        let occurred = format!("{year}-01-01");
        let reg = staff
            .post(
                "/avvikelser/ny",
                &[
                    ("csrf", &staff_csrf),
                    ("kind", "internal"),
                    ("unit", &unit),
                    ("occurred_on", &occurred),
                    ("title", "Journalanteckning saknas"),
                ],
            )
            .await;
        assert_eq!(reg.status, StatusCode::SEE_OTHER, "{}", reg.body);
        let res =
            quality.post("/berattelser/ny", &[("csrf", &csrf), ("scope", &unit), ("year", &year.to_string())]).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let report = quality.get(res.location()).await.body;
        assert!(report.contains("<li>Intern avvikelse: 1</li>"), "{report}");
        assert!(report.contains(&format!("Det finns ingen kvalitetsplan för {year} i Kvalitet att följa upp.")));

        // A manager may not create reports.
        let mut manager = TestApp::on(store.clone());
        manager.login(MANAGER).await;
        assert_eq!(manager.get("/berattelser/ny").await.status, StatusCode::FORBIDDEN);
    })
    .await;
}
