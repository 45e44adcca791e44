//! Links between a plan's items, through HTTP: a self-inspection's or indicator's risks
//! chosen in its form (only the plan's), every item page showing its links both ways
//! with "Ändra", a deviation tied to a risk and an action, and a run that was not
//! approved taken further as an action or a deviation linked to its self-inspection.

use axum::http::StatusCode;

use kvalitet_store::Store;
use kvalitet_store::testing::on_each_backend;

use crate::{ADMIN, MANAGER, READER, STAFF, TestApp};

async fn scalar(store: &Store, sql: String) -> i64 {
    let mut conn = store.read().await.unwrap();
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_one(&mut *conn).await.unwrap();
    sqlx::Row::try_get::<i64, _>(&row, "n").unwrap()
}

/// The two first risks of a plan.
async fn two_risks(store: &Store, plan: i64) -> (i64, i64) {
    let first = scalar(store, format!("SELECT MIN(id) AS n FROM risk WHERE plan_id = {plan}")).await;
    let second = scalar(store, format!("SELECT MIN(id) AS n FROM risk WHERE plan_id = {plan} AND id > {first}")).await;
    (first, second)
}

fn first_value_after(body: &str, marker: &str) -> String {
    body.split(marker).nth(1).unwrap().split("value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned()
}

fn version(body: &str) -> String {
    body.split("name=\"version\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned()
}

/// The part of an item page that shows its links.
fn links_section(body: &str) -> String {
    body.split("<h2 id=\"kopplingar\">").nth(1).expect("a links section").split("<h2").next().unwrap().to_owned()
}

#[tokio::test]
async fn a_self_inspections_risks_are_chosen_in_its_form_and_shown_both_ways() {
    on_each_backend(|store, _| async move {
        let mut admin = TestApp::with_demo(store.clone()).await;
        admin.login(ADMIN).await;
        let csrf = admin.csrf().await;
        let plan = admin.plan_id("Kvalitetsplan 2022 Barn och unga 0-20 år").await;
        let other_plan = admin.plan_id("Kvalitetsplan 2024 Individ- och familjeomsorg").await;
        let (r1, r2) = two_risks(&store, plan).await;
        let (foreign, _) = two_risks(&store, other_plan).await;

        // Opened from the first risk's page, the form offers the plan's risks as a group of
        // checkboxes with the first already chosen, and none of another plan's.
        let new = format!("/egenkontroller/ny?plan={plan}&risk={r1}");
        let form = admin.get(&new).await.body;
        assert!(form.contains("<fieldset id=\"risks\""), "{form}");
        assert!(form.contains("<legend>Risker</legend>"));
        assert!(form.contains(&format!("name=\"risks_{r1}\" value=\"1\" checked")), "pre-checked");
        assert!(form.contains(&format!("name=\"risks_{r2}\" value=\"1\">")), "offered, not checked");
        assert!(!form.contains(&format!("name=\"risks_{foreign}\"")), "another plan's risk is not offered");
        let area = first_value_after(&form, "name=\"area\"");
        let (k1, k2, kf) = (format!("risks_{r1}"), format!("risks_{r2}"), format!("risks_{foreign}"));
        let fields = |extra: &[(&str, &str)]| {
            let mut v: Vec<(String, String)> = [
                ("csrf", csrf.as_str()),
                ("title", "Genomgång av skyddsbedömningar"),
                ("area", &area),
                ("purpose", "Se att varje skyddsbedömning är gjord i tid."),
                ("method", "sample_check"),
                ("frequency", "quarterly"),
            ]
            .iter()
            .chain(extra)
            .map(|(k, x)| (k.to_string(), x.to_string()))
            .collect();
            v.sort();
            v
        };
        let post = |path: String, v: Vec<(String, String)>| {
            let admin = &admin;
            async move {
                let refs: Vec<(&str, &str)> = v.iter().map(|(k, x)| (k.as_str(), x.as_str())).collect();
                admin.post(&path, &refs).await
            }
        };
        let count = "SELECT COUNT(*) AS n FROM self_inspection WHERE title = 'Genomgång av skyddsbedömningar'";

        // A risk of another plan is refused beside the field, and nothing is stored.
        let res = post(new.clone(), fields(&[(&k1, "1"), (&kf, "1")])).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.body.contains("Välj bland planens risker."), "{}", res.body);
        assert_eq!(scalar(&store, count.into()).await, 0);

        // Two risks chosen: linked to both, shown both ways.
        let res = post(new.clone(), fields(&[(&k1, "1"), (&k2, "1")])).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let si = scalar(
            &store,
            "SELECT MAX(id) AS n FROM self_inspection WHERE title = 'Genomgång av skyddsbedömningar'".into(),
        )
        .await;
        let page = admin.get(&format!("/egenkontroller/{si}")).await.body;
        let links = links_section(&page);
        assert!(links.contains("Kopplad till risk"), "{links}");
        assert!(links.contains(&format!("href=\"/risker/{r1}\"")) && links.contains(&format!("href=\"/risker/{r2}\"")));
        assert!(page.contains(&format!("href=\"/egenkontroller/{si}/andra\"")), "Ändra");
        for r in [r1, r2] {
            let risk = admin.get(&format!("/risker/{r}")).await.body;
            assert!(risk.contains(&format!("href=\"/egenkontroller/{si}\"")), "the risk shows it");
            assert!(risk.contains(&format!("href=\"/risker/{r}/andra\"")), "Ändra");
        }

        // The edit form shows both chosen; saving with one removes the other link, audited.
        let edit = format!("/egenkontroller/{si}/andra");
        let form = admin.get(&edit).await.body;
        assert!(form.contains(&format!("name=\"{k1}\" value=\"1\" checked")));
        assert!(form.contains(&format!("name=\"{k2}\" value=\"1\" checked")));
        let res = post(edit.clone(), fields(&[("version", &version(&form)), (&k1, "1")])).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let links = links_section(&admin.get(&format!("/egenkontroller/{si}")).await.body);
        assert!(links.contains(&format!("href=\"/risker/{r1}\"")));
        assert!(!links.contains(&format!("href=\"/risker/{r2}\"")), "{links}");
        assert!(!admin.get(&format!("/risker/{r2}")).await.body.contains(&format!("href=\"/egenkontroller/{si}\"")));
        let unlinked = scalar(
            &store,
            format!(
                "SELECT COUNT(*) AS n FROM audit_entry WHERE action = 'unlink' AND table_name = 'self_inspection_risk' \
                 AND record_id = {si}"
            ),
        )
        .await;
        assert_eq!(unlinked, 1);

        // Editing with a risk of another plan is refused and changes nothing.
        let form = admin.get(&edit).await.body;
        let res = post(edit.clone(), fields(&[("version", &version(&form)), (&kf, "1")])).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        let links =
            scalar(&store, format!("SELECT COUNT(*) AS n FROM self_inspection_risk WHERE self_inspection_id = {si}"))
                .await;
        assert_eq!(links, 1);

        // An indicator likewise; its page shows the risk and the risk's page shows it.
        let new = format!("/indikatorer/ny?plan={plan}&risk={r2}");
        let form = admin.get(&new).await.body;
        assert!(form.contains(&format!("name=\"{k2}\" value=\"1\" checked")));
        let area = first_value_after(&form, "name=\"area\"");
        let v: Vec<(String, String)> = [
            ("csrf", csrf.as_str()),
            ("name", "Andel skyddsbedömningar i tid"),
            ("area", &area),
            ("unit", "percent"),
            ("source", "own_study"),
            ("direction", "higher_is_better"),
            (&k2, "1"),
        ]
        .iter()
        .map(|(k, x)| (k.to_string(), x.to_string()))
        .collect();
        let res = post(new, v).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let ind =
            scalar(&store, "SELECT MAX(id) AS n FROM indicator WHERE name = 'Andel skyddsbedömningar i tid'".into())
                .await;
        let page = admin.get(&format!("/indikatorer/{ind}")).await.body;
        assert!(links_section(&page).contains(&format!("href=\"/risker/{r2}\"")));
        assert!(page.contains(&format!("href=\"/indikatorer/{ind}/andra\"")));
        assert!(admin.get(&format!("/risker/{r2}")).await.body.contains(&format!("href=\"/indikatorer/{ind}\"")));

        // A reader sees the links but no "Ändra".
        let mut reader = TestApp::on(store.clone());
        reader.login(READER).await;
        let page = reader.get(&format!("/egenkontroller/{si}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(links_section(&page.body).contains(&format!("href=\"/risker/{r1}\"")));
        assert!(!page.body.contains(&format!("/egenkontroller/{si}/andra")));
    })
    .await;
}

#[tokio::test]
async fn a_deviation_tied_to_a_risk_and_an_action_is_shown_both_ways() {
    on_each_backend(|store, _| async move {
        let mut staff = TestApp::with_demo(store.clone()).await;
        staff.login(STAFF).await;
        let form = staff.get("/avvikelser/ny").await.body;
        let unit = form.split("<option value=\"").nth(2).unwrap().split('"').next().unwrap().to_owned();
        let csrf = staff.csrf().await;
        let res = staff
            .post(
                "/avvikelser/ny",
                &[
                    ("csrf", &csrf),
                    ("kind", "internal"),
                    ("unit", &unit),
                    ("occurred_on", "2024-03-01"),
                    ("title", "Uppföljningssamtal uteblev"),
                    ("description", "Ingen kallade till samtalet."),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let id = scalar(&store, "SELECT MAX(id) AS n FROM deviation WHERE title = 'Uppföljningssamtal uteblev'".into())
            .await;

        let mut manager = TestApp::on(store.clone());
        manager.login(MANAGER).await;
        let href = format!("/avvikelser/{id}");
        let page = manager.get(&href).await.body;
        let risk =
            first_value_after(&page, "<select id=\"risk_id\" name=\"risk_id\"><option value=\"\">Ingen</option>");
        let action =
            first_value_after(&page, "<select id=\"action_id\" name=\"action_id\"><option value=\"\">Ingen</option>");
        let mcsrf = manager.csrf().await;
        let v = version(&page);
        // An action that is not of the unit's plans is refused.
        let res = manager
            .post(
                &format!("{href}/handlaggning"),
                &[
                    ("csrf", &mcsrf),
                    ("version", &v),
                    ("status", "investigating"),
                    ("risk_id", &risk),
                    ("action_id", "999999"),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
        assert!(res.body.contains("Välj en åtgärd i listan."));
        let res = manager
            .post(
                &format!("{href}/handlaggning"),
                &[
                    ("csrf", &mcsrf),
                    ("version", &v),
                    ("status", "investigating"),
                    ("risk_id", &risk),
                    ("action_id", &action),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let page = manager.get(&href).await.body;
        assert!(page.contains("Kopplad till risk") && page.contains(&format!("href=\"/risker/{risk}\"")), "{page}");
        assert!(page.contains("Kopplad till åtgärd") && page.contains(&format!("href=\"/atgarder/{action}\"")));
        // Both ways: the risk's and the action's pages name the deviation to whoever may see it.
        assert!(manager.get(&format!("/risker/{risk}")).await.body.contains(&format!("href=\"{href}\"")));
        let action_page = manager.get(&format!("/atgarder/{action}")).await.body;
        assert!(links_section(&action_page).contains(&format!("href=\"{href}\"")), "{action_page}");
        // A reader, who may not see deviations, is not shown it.
        let mut reader = TestApp::on(store.clone());
        reader.login(READER).await;
        let shown = reader.get(&format!("/atgarder/{action}")).await;
        assert_eq!(shown.status, StatusCode::OK);
        assert!(!shown.body.contains(&format!("href=\"{href}\"")));
    })
    .await;
}

#[tokio::test]
async fn a_run_that_was_not_approved_is_taken_further_as_a_linked_action_or_deviation() {
    on_each_backend(|store, _| async move {
        let mut quality = TestApp::with_demo(store.clone()).await;
        quality.login(crate::QUALITY).await;
        let csrf = quality.csrf().await;
        let plan = quality.plan_id("Kvalitetsplan 2022 för vuxna").await;
        let si = scalar(&store, format!("SELECT MIN(id) AS n FROM self_inspection WHERE plan_id = {plan}")).await;
        let page_href = format!("/egenkontroller/{si}");
        let res = quality
            .post(
                &format!("{page_href}/genomforanden"),
                &[
                    ("csrf", &csrf),
                    ("run_on", "2022-06-30"),
                    ("verdict", "not_approved"),
                    ("result_value", "40"),
                    ("comment", "Hälften saknade plan."),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let run =
            scalar(&store, format!("SELECT MAX(id) AS n FROM self_inspection_run WHERE self_inspection_id = {si}"))
                .await;
        let page = quality.get(&page_href).await.body;
        assert!(page.contains(">Skapa åtgärd<"), "{page}");
        let new_action = page
            .split("<a href=\"/atgarder/ny?")
            .nth(1)
            .expect("a link to a new action")
            .split('"')
            .next()
            .unwrap()
            .replace("&#38;", "&")
            .replace("&amp;", "&");
        assert!(new_action.contains(&format!("egenkontroll={si}")));
        let form = quality.get(&format!("/atgarder/ny?{new_action}")).await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(form.body.contains("Efter egenkontrollen"), "the run is named in the description");
        let res = quality
            .post(
                &format!("/atgarder/ny?plan={plan}&egenkontroll={si}"),
                &[
                    ("csrf", &csrf),
                    ("title", "Plan i varje ärende"),
                    ("description", "Efter egenkontrollen 2022-06-30."),
                    ("responsible", "Enhetschef"),
                    ("status", "planned"),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let action = scalar(&store, "SELECT MAX(id) AS n FROM action WHERE title = 'Plan i varje ärende'".into()).await;
        assert!(links_section(&quality.get(&page_href).await.body).contains(&format!("href=\"/atgarder/{action}\"")));
        let action_page = quality.get(&format!("/atgarder/{action}")).await.body;
        let links = links_section(&action_page);
        assert!(links.contains("Kopplad till egenkontroll") && links.contains(&format!("href=\"{page_href}\"")));

        // The deviation: the staff member of the unit registers it from the same run.
        let mut staff = TestApp::on(store.clone());
        staff.login(STAFF).await;
        let scsrf = staff.csrf().await;
        let form = staff.get(&format!("/avvikelser/ny?egenkontroll={si}&genomforande={run}")).await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(form.body.contains("Avvikelsen kopplas till egenkontrollen"), "{}", form.body);
        assert!(form.body.contains(&format!("name=\"egenkontroll\" value=\"{si}\"")));
        let unit = form.body.split("<option value=\"").nth(2).unwrap().split('"').next().unwrap().to_owned();
        let res = staff
            .post(
                "/avvikelser/ny",
                &[
                    ("csrf", &scsrf),
                    ("kind", "internal"),
                    ("unit", &unit),
                    ("occurred_on", "2022-06-30"),
                    ("title", "Egenkontroll inte godkänd"),
                    ("description", "Hälften saknade plan."),
                    ("egenkontroll", &si.to_string()),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let deviation =
            scalar(&store, "SELECT MAX(id) AS n FROM deviation WHERE title = 'Egenkontroll inte godkänd'".into()).await;
        let linked = scalar(
            &store,
            format!(
                "SELECT COUNT(*) AS n FROM deviation_self_inspection WHERE deviation_id = {deviation} \
                 AND self_inspection_id = {si}"
            ),
        )
        .await;
        assert_eq!(linked, 1);
        let mut manager = TestApp::on(store.clone());
        manager.login(MANAGER).await;
        let shown = manager.get(&format!("/avvikelser/{deviation}")).await.body;
        assert!(shown.contains("Kopplad till egenkontroll") && shown.contains(&format!("href=\"{page_href}\"")));

        // Someone who may not create actions is not offered the step.
        let mut reader = TestApp::on(store.clone());
        reader.login(READER).await;
        let page = reader.get(&page_href).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(!page.body.contains(">Skapa åtgärd<") && !page.body.contains(">Registrera avvikelse<"));
    })
    .await;
}
