//! Creating, editing and removing a plan's items through HTTP: errors beside the fields,
//! a lost race shown with both versions, links from an action to its risk, removal only
//! from a draft.

use axum::http::StatusCode;

use kvalitet_store::testing::on_each_backend;

use crate::{QUALITY, TestApp};

pub(crate) fn version(body: &str) -> String {
    body.split("name=\"version\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned()
}

pub(crate) fn option_value(body: &str, label: &str) -> String {
    let at = body.find(&format!(">{label}</option>")).unwrap_or_else(|| panic!("no option {label}"));
    let start = body[..at].rfind("value=\"").unwrap() + 7;
    body[start..].split('"').next().unwrap().to_owned()
}

#[tokio::test]
async fn a_quality_developer_edits_next_years_draft() {
    on_each_backend(|store, _| async move {
        let mut qd = TestApp::with_demo(store.clone()).await;
        qd.login(QUALITY).await;
        let csrf = qd.csrf().await;
        let plan2022 = qd.plan_id("Kvalitetsplan 2022 för vuxna").await;
        let next = qd.post(&format!("/planer/{plan2022}/nasta-ar"), &[("csrf", &csrf)]).await.location().to_owned();
        let draft: i64 = next.rsplit('/').next().unwrap().parse().unwrap();

        // A new risk: errors beside the fields first.
        let form = qd.get(&format!("/risker/ny?plan={draft}")).await;
        assert_eq!(form.status, StatusCode::OK);
        let area = option_value(&form.body, "Myndighetsutövning för personer med beroendeproblematik");
        let bad = qd
            .post(
                &format!("/risker/ny?plan={draft}"),
                &[("csrf", &csrf), ("title", ""), ("area", &area), ("level", "17"), ("origin", "deviation")],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.body.contains("får inte vara tomt"));
        assert!(bad.body.contains("ska vara mellan 1 och 16"));
        let ok = qd
            .post(
                &format!("/risker/ny?plan={draft}"),
                &[
                    ("csrf", &csrf),
                    ("title", "Klienter väntar länge på första besök"),
                    ("area", &area),
                    ("level", "6"),
                    ("origin", "deviation"),
                    ("consequence_text", "Motivationen hinner sjunka."),
                ],
            )
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
        let page = qd.get(&next).await.body;
        assert!(page.contains("Klienter väntar länge på första besök"));
        assert!(page.contains("14 risker"));
        let risk = page
            .split("href=\"/risker/")
            .filter_map(|s| s.split('"').next())
            .filter(|s| s.chars().all(|c| c.is_ascii_digit()))
            .map(|s| s.parse::<i64>().unwrap())
            .max()
            .unwrap();

        // An action added from the risk is tied to it.
        let res = qd
            .post(
                &format!("/atgarder/ny?plan={draft}&risk={risk}"),
                &[("csrf", &csrf), ("title", "Fasta tider för nybesök"), ("status", "planned")],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let risk_page = qd.get(&format!("/risker/{risk}")).await.body;
        let plan_page = qd.get(&next).await.body;
        let card = plan_page
            .split("Klienter väntar länge på första besök")
            .nth(1)
            .unwrap()
            .split("</article>")
            .next()
            .unwrap()
            .to_owned();
        assert!(card.contains("Fasta tider för nybesök"), "the action is under its risk");
        assert!(risk_page.contains("Risknivå 6"));
        assert!(risk_page.contains("Första bedömningen, när risken lades in."), "the first level is an assessment");
        // Afterwards the level changes only through an assessment: the edit form has no
        // level, and a level sent to it anyway is ignored.
        let edit = qd.get(&format!("/risker/{risk}/andra")).await.body;
        assert!(!edit.contains("name=\"level\""), "no level in the edit form");
        let res = qd
            .post(
                &format!("/risker/{risk}/andra"),
                &[
                    ("csrf", &csrf),
                    ("version", &version(&edit)),
                    ("title", "Klienter väntar länge på första besök"),
                    ("area", &area),
                    ("level", "12"),
                    ("origin", "deviation"),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        assert!(qd.get(&format!("/risker/{risk}")).await.body.contains("Risknivå 6"), "level unchanged");

        // Two edits from the same version: the second is a conflict showing what is saved.
        let edit = qd.get(&format!("/risker/{risk}/andra")).await;
        assert_eq!(edit.status, StatusCode::OK, "risk {risk}: {}", edit.body.chars().take(300).collect::<String>());
        let v = version(&edit.body);
        let first = qd
            .post(
                &format!("/risker/{risk}/andra"),
                &[
                    ("csrf", &csrf),
                    ("version", &v),
                    ("title", "Lång väntan på första besök"),
                    ("area", &area),
                    ("level", "6"),
                    ("origin", "deviation"),
                ],
            )
            .await;
        assert_eq!(first.status, StatusCode::SEE_OTHER);
        let second = qd
            .post(
                &format!("/risker/{risk}/andra"),
                &[
                    ("csrf", &csrf),
                    ("version", &v),
                    ("title", "Väntan på nybesök"),
                    ("area", &area),
                    ("level", "9"),
                    ("origin", "deviation"),
                ],
            )
            .await;
        assert_eq!(second.status, StatusCode::CONFLICT);
        assert!(second.body.contains("Någon annan har ändrat detta medan du skrev"));
        assert!(second.body.contains("Sparat nu: Lång väntan på första besök"), "theirs beside the field");
        assert!(second.body.contains("value=\"Väntan på nybesök\""), "mine kept in the form");

        // Removing from the draft works; from the adopted 2022 plan it is refused.
        let edit = qd.get(&format!("/risker/{risk}/andra")).await.body;
        let res = qd.post(&format!("/risker/{risk}/ta-bort"), &[("csrf", &csrf), ("version", &version(&edit))]).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER);
        assert_eq!(qd.get(&format!("/risker/{risk}")).await.status, StatusCode::NOT_FOUND);
        let adopted_risk = qd
            .get(&format!("/planer/{plan2022}"))
            .await
            .body
            .split("href=\"/risker/")
            .skip(1)
            .map(|s| s.split('"').next().unwrap().to_owned())
            .find(|s| s.chars().all(|c| c.is_ascii_digit()))
            .unwrap();
        let edit = qd.get(&format!("/risker/{adopted_risk}/andra")).await.body;
        assert!(!edit.contains("Ta bort"), "no removal offered on an adopted plan");
        let res =
            qd.post(&format!("/risker/{adopted_risk}/ta-bort"), &[("csrf", &csrf), ("version", &version(&edit))]).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN);

        // A section's text: the 2022 plan's prose was the follow-up's, not carried, so the
        // draft gets its own first.
        let next_id = next.trim_start_matches("/planer/");
        let added = qd
            .post(
                &format!("/avsnitt/ny?plan={next_id}"),
                &[("csrf", &csrf), ("heading", "Inledning"), ("body", ""), ("kind", "introduction")],
            )
            .await;
        assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
        let section = qd
            .get(&next)
            .await
            .body
            .split("href=\"/avsnitt/")
            .skip(1)
            .map(|s| s.split('/').next().unwrap().to_owned())
            .find(|s| s.chars().all(|c| c.is_ascii_digit()))
            .unwrap();
        let edit = qd.get(&format!("/avsnitt/{section}/andra")).await.body;
        let res = qd
            .post(
                &format!("/avsnitt/{section}/andra"),
                &[
                    ("csrf", &csrf),
                    ("version", &version(&edit)),
                    ("heading", "Inledning 2023"),
                    ("body", "Första stycket.\n\n- en punkt"),
                    ("kind", "introduction"),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER);
        let page = qd.get(&next).await.body;
        assert!(page.contains("<h3>Inledning 2023</h3>"));
        assert!(page.contains("<li>en punkt</li>"));
    })
    .await;
}

#[tokio::test]
async fn the_quality_report_is_kept_up_to_date_in_the_same_forms() {
    on_each_backend(|store, _| async move {
        let mut qd = TestApp::with_demo(store.clone()).await;
        qd.login(QUALITY).await;
        let csrf = qd.csrf().await;
        let report = qd.first_report_id().await;
        let page = qd.get(&format!("/berattelser/{report}")).await.body;
        assert!(page.contains("Lägg till ett förbättringsområde"));

        let res = qd
            .post(
                &format!("/forbattringsomraden/ny?berattelse={report}"),
                &[("csrf", &csrf), ("text", "Fler brukare ska svara på enkäterna."), ("quality_factor", "")],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        // A key figure for a unit outside the report's scope is refused beside the field.
        let form = qd.get(&format!("/nyckeltal/ny?berattelse={report}")).await.body;
        let barn = option_value(&form, "Barnenheten");
        let beroende = option_value(&form, "Beroendeenheten");
        let bad = qd
            .post(
                &format!("/nyckeltal/ny?berattelse={report}"),
                &[("csrf", &csrf), ("label", "Besök"), ("unit", &barn), ("year", "2022"), ("value", "12")],
            )
            .await;
        assert_eq!(bad.status, StatusCode::FORBIDDEN, "a unit outside the quality developer's scope");
        let ok = qd
            .post(
                &format!("/nyckeltal/ny?berattelse={report}"),
                &[
                    ("csrf", &csrf),
                    ("label", "Nybesök inom 14 dagar"),
                    ("unit", &beroende),
                    ("year", "2022"),
                    ("value", "97,5"),
                    ("measure", "%"),
                ],
            )
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
        let page = qd.get(&format!("/berattelser/{report}")).await.body;
        assert!(page.contains("Fler brukare ska svara på enkäterna."));
        assert!(page.contains("Nybesök inom 14 dagar"));
        assert!(page.contains("97,5\u{a0}%"));

        // The submitted report keeps its content: nothing can be removed from it.
        let survey = page
            .split("href=\"/brukarundersokningar/")
            .skip(1)
            .map(|s| s.split('/').next().unwrap().to_owned())
            .find(|s| s.chars().all(|c| c.is_ascii_digit()))
            .unwrap();
        let edit = qd.get(&format!("/brukarundersokningar/{survey}/andra")).await.body;
        assert!(!edit.contains("Ta bort"));
        let res = qd
            .post(&format!("/brukarundersokningar/{survey}/ta-bort"), &[("csrf", &csrf), ("version", &version(&edit))])
            .await;
        assert_eq!(res.status, StatusCode::FORBIDDEN);
    })
    .await;
}

#[tokio::test]
async fn a_surveys_result_lines_are_added_and_edited_with_their_interval() {
    on_each_backend(|store, _| async move {
        let mut qd = TestApp::with_demo(store.clone()).await;
        qd.login(QUALITY).await;
        let csrf = qd.csrf().await;
        let report = qd.first_report_id().await;
        let page = qd.get(&format!("/berattelser/{report}")).await.body;
        let add = page.split("href=\"/resultat/ny?undersokning=").nth(1).unwrap().split('"').next().unwrap();
        let new = format!("/resultat/ny?undersokning={add}");
        let form = qd.get(&new).await.body;
        assert!(form.contains("Nytt resultat"), "{form}");

        // A share that is not a number, and none at all: errors beside the fields, nothing stored.
        let bad = qd.post(&new, &[("csrf", &csrf), ("label", "Känner sig trygg"), ("value", "många")]).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.body.contains("Ange ett tal, till exempel 78,5."));
        let empty = qd.post(&new, &[("csrf", &csrf), ("label", "Känner sig trygg"), ("value", "")]).await;
        assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(empty.body.contains("Ange andelen i procent"));
        let over = qd.post(&new, &[("csrf", &csrf), ("label", "Känner sig trygg"), ("value", "140")]).await;
        assert_eq!(over.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(!qd.get(&format!("/berattelser/{report}")).await.body.contains("Känner sig trygg"));

        let ok =
            qd.post(&new, &[("csrf", &csrf), ("label", "Känner sig trygg"), ("value", "85,5"), ("basis", "40")]).await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
        let page = qd.get(&format!("/berattelser/{report}")).await.body;
        let row = page.split("<tr>").find(|r| r.contains("Känner sig trygg")).unwrap().to_owned();
        assert!(row.contains("85,5"), "{row}");
        assert!(row.contains(">40<"), "the basis n: {row}");
        assert!(row.contains("71") && row.contains("93"), "the Wilson interval of 34 of 40 (71–93 %): {row}");

        // Two people edit the line: the second gets a conflict with what is saved now.
        let edit = row.split("href=\"/resultat/").nth(1).unwrap().split('"').next().unwrap().to_owned();
        let edit = format!("/resultat/{edit}");
        let form = qd.get(&edit).await.body;
        let v = version(&form);
        let first = qd
            .post(
                &edit,
                &[("csrf", &csrf), ("version", &v), ("label", "Känner sig trygg"), ("value", "86"), ("basis", "40")],
            )
            .await;
        assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
        let second = qd
            .post(&edit, &[("csrf", &csrf), ("version", &v), ("label", "Trygg"), ("value", "50"), ("basis", "40")])
            .await;
        assert_eq!(second.status, StatusCode::CONFLICT);
        assert!(second.body.contains("Sparat nu: 86"), "{}", second.body);
        let page = qd.get(&format!("/berattelser/{report}")).await.body;
        assert!(page.contains("Känner sig trygg") && !page.contains(">Trygg"));
    })
    .await;
}

/// A self-inspection may name a unit, which must lie within its plan's scope.
#[tokio::test]
async fn a_self_inspections_unit_lies_within_its_plans_scope() {
    on_each_backend(|store, _| async move {
        let mut admin = TestApp::with_demo(store).await;
        admin.login(crate::ADMIN).await;
        let csrf = admin.csrf().await;
        let plan = admin.plan_id("Kvalitetsplan 2022 Barn och unga 0-20 år").await;
        let new = format!("/egenkontroller/ny?plan={plan}");
        let form = admin.get(&new).await.body;
        let area = form
            .split("name=\"area\"")
            .nth(1)
            .unwrap()
            .split("value=\"")
            .nth(2)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_owned();
        let post = |unit: String| {
            let (csrf, area) = (csrf.clone(), area.clone());
            let admin = &admin;
            let new = new.clone();
            async move {
                let fields = [
                    ("csrf", csrf.as_str()),
                    ("title", "Uppföljning av placeringar"),
                    ("area", &area),
                    ("purpose", "Se att placeringar följs upp."),
                    ("method", "sample_check"),
                    ("frequency", "yearly"),
                    ("target", "Alla"),
                    ("unit", &unit),
                ];
                admin.post(&new, &fields).await
            }
        };
        let outside = post(option_value(&form, "Beroendeenheten")).await;
        assert_eq!(outside.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", outside.body);
        assert!(outside.body.contains("Välj en enhet inom den del av organisationen"));
        let inside = post(option_value(&form, "Barnenheten")).await;
        assert_eq!(inside.status, StatusCode::SEE_OTHER, "{}", inside.body);
    })
    .await;
}

/// A risk's page links and unlinks its self-inspections and indicators, and one added
/// from it is linked to it ("Kopplad till risk").
#[tokio::test]
async fn self_inspections_and_indicators_are_linked_to_a_risk_from_its_page() {
    on_each_backend(|store, _| async move {
        let mut admin = TestApp::with_demo(store.clone()).await;
        admin.login(crate::ADMIN).await;
        let csrf = admin.csrf().await;
        let plan = admin.plan_id("Kvalitetsplan 2022 Barn och unga 0-20 år").await;
        let other_plan = admin.plan_id("Kvalitetsplan 2024 Individ- och familjeomsorg").await;
        let mut conn = store.read().await.unwrap();
        let first = |sql: &'static str, plan: i64| {
            let q = sqlx::query(sql).bind(plan);
            async move { q }
        };
        let id_of = |row: sqlx::any::AnyRow| sqlx::Row::try_get::<i64, _>(&row, "id").unwrap();
        let risk = id_of(
            first("SELECT MIN(id) AS id FROM risk WHERE plan_id = $1", plan).await.fetch_one(&mut *conn).await.unwrap(),
        );
        let indicator = id_of(
            first("SELECT MIN(id) AS id FROM indicator WHERE plan_id = $1", plan)
                .await
                .fetch_one(&mut *conn)
                .await
                .unwrap(),
        );
        let foreign = id_of(
            first("SELECT MIN(id) AS id FROM indicator WHERE plan_id = $1", other_plan)
                .await
                .fetch_one(&mut *conn)
                .await
                .unwrap(),
        );
        drop(conn);
        let page = format!("/risker/{risk}");
        let links = format!("{page}/kopplingar");
        let shown = admin.get(&page).await.body;
        assert!(shown.contains("Kopplade egenkontroller och indikatorer"));
        assert!(shown.contains(&format!("value=\"indikator:{indicator}\"")), "offered for linking");
        // Linked, then shown both ways; an indicator of another plan is not linked.
        let res = admin.post(&links, &[("csrf", &csrf), ("item", &format!("indikator:{indicator}"))]).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER);
        admin.post(&links, &[("csrf", &csrf), ("item", &format!("indikator:{foreign}"))]).await;
        let shown = admin.get(&page).await.body;
        assert!(shown.contains(&format!("href=\"/indikatorer/{indicator}\"")), "linked");
        assert!(!shown.contains(&format!("href=\"/indikatorer/{foreign}\"")), "another plan's is not");
        // Unlinked again.
        let res =
            admin.post(&links, &[("csrf", &csrf), ("item", &format!("indikator:{indicator}")), ("ta_bort", "1")]).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER);
        assert!(!admin.get(&page).await.body.contains(&format!("href=\"/indikatorer/{indicator}\"")));

        // A self-inspection added from the risk's page is linked to it.
        let new = format!("/egenkontroller/ny?plan={plan}&risk={risk}");
        let form = admin.get(&new).await.body;
        assert!(form.contains(&format!("risk={risk}")), "the form keeps the risk");
        let area = form
            .split("name=\"area\"")
            .nth(1)
            .unwrap()
            .split("value=\"")
            .nth(2)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_owned();
        // The risk is chosen in the form's "Risker", as the page opened it.
        let chosen = format!("risks_{risk}");
        assert!(form.contains(&format!("name=\"{chosen}\" value=\"1\" checked")));
        let fields = [
            ("csrf", csrf.as_str()),
            ("title", "Genomgång av skyddsbedömningar"),
            ("area", &area),
            ("purpose", "Se att varje skyddsbedömning är gjord i tid."),
            ("method", "sample_check"),
            ("frequency", "quarterly"),
            (&chosen, "1"),
        ];
        let res = admin.post(&new, &fields).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let shown = admin.get(&page).await.body;
        let linked = shown
            .split("<ul class=\"plain linked\">")
            .nth(1)
            .expect("a linked item")
            .split("</ul>")
            .next()
            .unwrap()
            .to_owned();
        assert!(linked.contains("Genomgång av skyddsbedömningar"), "{linked}");
    })
    .await;
}
