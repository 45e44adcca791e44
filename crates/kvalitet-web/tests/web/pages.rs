//! The pages' content for a signed-in user.

use axum::http::StatusCode;

use kvalitet_domain::plan::QualityPlan;
use kvalitet_store::testing::on_each_backend;
use kvalitet_store::{Actor, repo};

use crate::{ADMIN, QUALITY, TestApp};

#[tokio::test]
async fn the_start_page_lists_the_plans_and_reports() {
    on_each_backend(|store, _| async move {
        let mut app = TestApp::with_demo(store).await;
        app.login(ADMIN).await;
        let r = app.get("/").await;
        let (status, headers, body) = (r.status, r.headers, r.body);
        assert_eq!(status, StatusCode::OK);
        assert!(body.starts_with("<!doctype html>\n<html lang=\"sv\">"));
        for title in [
            "Kvalitetsplan 2024 Individ- och familjeomsorg",
            "Kvalitetsplan 2022 Barn och unga 0-20 år",
            "Kvalitetsplan 2022 för vuxna",
            "Kvalitetsberättelse 2022 Vuxensektionen",
        ] {
            assert!(body.contains(title), "start page lacks {title}");
        }
        // Newest year first.
        assert!(body.find("Kvalitetsplan 2024").unwrap() < body.find("Kvalitetsplan 2022").unwrap());
        let csp = headers.get("content-security-policy").unwrap().to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'"));
        assert_eq!(headers.get("x-content-type-options").unwrap(), "nosniff");
    })
    .await;
}

#[tokio::test]
async fn the_plan_page_groups_risks_and_self_inspections_by_area() {
    on_each_backend(|store, _| async move {
        let mut app = TestApp::with_demo(store).await;
        app.login(ADMIN).await;
        let id = app.plan_id("Kvalitetsplan 2024 Individ- och familjeomsorg").await;
        let r = app.get(&format!("/planer/{id}")).await;
        let (status, body) = (r.status, r.body);
        assert_eq!(status, StatusCode::OK);
        let at = |needle: &str| body.find(needle).unwrap_or_else(|| panic!("plan page lacks {needle}"));
        // Areas in display order, each item after its own heading.
        let common = at("<h3 id=\"area-1\">Gemensamt inom individ- och familjeomsorg</h3>");
        let authority = at(">Myndighetsutövning</h3>");
        let delivery = at(">Utförande av stöd och insatser</h3>");
        let housing = at(">Boende socialpsykiatri</h3>");
        assert!(common < authority && authority < delivery && delivery < housing);
        let risk =
            at("Barn och unga får inte sitt behov av stöd och skydd tillgodosett på ett rättssäkert sätt</a></h4>");
        assert!(common < risk && risk < authority);
        assert!(body[risk..].contains("Risknivå 9"));
        let si = at("Andel aktualiseringar avslutade inom 14 dagar</a></h4>");
        assert!(authority < si && si < delivery);
        let hygiene = at("Självskattning av basala hygienrutiner");
        assert!(housing < hygiene);
        // Indicators by area, with the quality factor.
        let ind = at("Andelen vuxenutredningar avslutade inom 60 dagar.");
        assert!(at("<caption>Stöd till vuxna</caption>") < ind);
        assert!(body.contains("Inga tillgängliga data"));
        assert!(body.contains("risk zone-high") && body.contains("zone-low"));
    })
    .await;
}

#[tokio::test]
async fn the_followed_up_plan_shows_runs_and_follow_ups() {
    on_each_backend(|store, _| async move {
        let mut app = TestApp::with_demo(store).await;
        app.login(ADMIN).await;
        let id = app.plan_id("Kvalitetsplan 2022 för vuxna").await;
        let r = app.get(&format!("/planer/{id}")).await;
        let (status, body) = (r.status, r.body);
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("Uppföljd"));
        // Seed 004 gives its follow-up texts without verdicts or days: shown as such.
        assert!(body.contains("Ingen bedömning angiven"));
        assert!(body.contains("2022 (dag okänd)"));
        assert!(!body.contains("2022-12-31"), "no day made up");
        assert!(body.contains("Pågår, fortsätter nästa år"));
        assert!(body.contains("Loggkontroller genomförs månadsvis"));
        // An indicator result with its basis and interval: 94 % of 103 answers.
        assert!(body.contains("n = 103"), "interval shown with n");
    })
    .await;
}

#[tokio::test]
async fn the_report_page_prints_the_year_against_year_tables() {
    on_each_backend(|store, _| async move {
        let mut app = TestApp::with_demo(store).await;
        app.login(ADMIN).await;
        assert_eq!(app.get("/").await.status, StatusCode::OK);
        let href = app.first_report_id().await;
        let r = app.get(&format!("/berattelser/{href}")).await;
        let (status, body) = (r.status, r.body);
        assert_eq!(status, StatusCode::OK);
        let row = |label: &str| {
            let i = body.find(&format!("<th scope=\"row\">{label}</th>")).unwrap_or_else(|| panic!("no row {label}"));
            body[i..].split("</tr>").next().unwrap().to_owned()
        };
        assert!(row("Lex Sarah").contains("<td class=\"num\">1</td><td class=\"num\">1</td>"));
        assert!(row("Intern avvikelse").contains("<td class=\"num\">4</td><td class=\"num\">1</td>"));
        assert!(row("Synpunkter och klagomål").contains("<td class=\"num\">5</td><td class=\"num\">3</td>"));
        assert!(row("Missförhållande").contains("<td class=\"num\">1</td><td class=\"num\">–</td>"));
        assert!(body.contains("36\u{a0}%"), "response rate 26 of 73");
        assert!(body.contains("Få har svarat"), "small-sample caveat");
    })
    .await;
}

#[tokio::test]
async fn unknown_pages_get_a_swedish_404_and_text_is_escaped() {
    on_each_backend(|store, _| async move {
        let mut app = TestApp::with_demo(store.clone()).await;
        app.login(QUALITY).await;
        let r = app.get("/planer/999999").await;
        let (status, body) = (r.status, r.body);
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(body.contains("Sidan finns inte"));
        let status = app.get("/planer/inte-ett-tal").await.status;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let r = app.get("/finns/inte").await;
        let (status, body) = (r.status, r.body);
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(body.contains("lang=\"sv\""));

        // A title with markup is shown as text, never as markup.
        let id = app.plan_id("Kvalitetsplan 2024 Individ- och familjeomsorg").await;
        let mut tx = store.write(&Actor::system("test")).await.unwrap();
        let plan = repo::get::<QualityPlan>(&mut tx, kvalitet_domain::Id::new(id)).await.unwrap();
        let evil = QualityPlan { title: "<script>alert(1)</script> & co".into(), ..plan.item.clone() };
        repo::update(&mut tx, plan.id, plan.version, &evil).await.unwrap();
        tx.commit().await.unwrap();
        let body = app.get(&format!("/planer/{id}")).await.body;
        assert!(!body.contains("<script>alert(1)"));
        assert!(body.contains("&#60;script&#62;alert(1)&#60;/script&#62; &#38; co") || body.contains("&lt;script&gt;"));
    })
    .await;
}

#[tokio::test]
async fn the_theme_carries_the_tenant_colours() {
    on_each_backend(|store, _| async move {
        let mut app = TestApp::with_demo(store).await;
        app.login(ADMIN).await;
        let r = app.get("/static/theme.css").await;
        let (status, headers, css) = (r.status, r.headers, r.body);
        assert_eq!(status, StatusCode::OK);
        assert!(headers.get("content-type").unwrap().to_str().unwrap().starts_with("text/css"));
        assert!(css.contains("--brand: #005a8c"));
        assert!(css.contains(".zone-very_high { --zone: #f0a3a3; }"));
        let status = app.get("/static/style.css").await.status;
        assert_eq!(status, StatusCode::OK);

        // A second municipality in the installation: its people get its own colour.
        let mut tx = app.store.write(&Actor::system("test")).await.unwrap();
        let (tenant, ids) = crate::another_tenant(&mut tx, "Älvby kommun").await;
        let t = repo::get::<kvalitet_domain::org::Tenant>(&mut tx, tenant).await.unwrap();
        let recoloured = kvalitet_domain::org::Tenant { brand_colour: "#6a1b9a".into(), ..t.item.clone() };
        repo::update(&mut tx, tenant, t.version, &recoloured).await.unwrap();
        let account = kvalitet_domain::access::Account::new(tenant, "it@alvby.se", "IT");
        let hash = kvalitet_store::accounts::hash_password("Älvbys-eget-långa-lösenord");
        let role = (kvalitet_domain::access::Role::Administrator, ids["1"]);
        kvalitet_store::accounts::create_account(&mut tx, &account, hash, &[role]).await.unwrap();
        tx.commit().await.unwrap();
        let mut alvby = TestApp::on(app.store.clone());
        alvby.login(("it@alvby.se", "Älvbys-eget-långa-lösenord")).await;
        assert!(alvby.get("/static/theme.css").await.body.contains("--brand: #6a1b9a"));
        assert!(app.get("/static/theme.css").await.body.contains("--brand: #005a8c"), "the demo keeps its own");
        let home = alvby.get("/").await.body;
        assert!(home.contains("Älvby kommun") && !home.contains("Huddinge") && !home.contains("Demodata"), "{home}");
    })
    .await;
}

#[tokio::test]
async fn the_start_page_shows_what_is_due_for_me_and_my_units() {
    use crate::{MANAGER, STAFF};
    on_each_backend(|store, _| async move {
        let mut manager = TestApp::with_demo(store.clone()).await;
        manager.login(MANAGER).await;
        let page = manager.get("/").await.body;
        // The adopted 2024 plan covers the manager's unit: its self-inspections are due.
        assert!(page.contains("Egenkontroll att genomföra"));
        assert!(page.contains("Loggkontroll</a> <span class=\"muted\">Kvalitetsplan 2024 Individ- och familjeomsorg · 12 kontroller saknas</span> <span class=\"muted\">sedan 2024-01-31</span>"));
        assert!(!page.contains("Ny avvikelse att utreda"));

        let mut staff = TestApp::on(store.clone());
        staff.login(STAFF).await;
        assert!(staff.get("/").await.body.contains("Inget väntar på dig just nu"), "staff record nothing");
        let form = staff.get("/avvikelser/ny").await.body;
        let unit = form.split("<option value=\"").nth(2).unwrap().split('"').next().unwrap().to_owned();
        let csrf = staff.csrf().await;
        let today = jiff::Zoned::now().with_time_zone(jiff::tz::TimeZone::get("Europe/Stockholm").unwrap()).date().to_string();
        staff
            .post("/avvikelser/ny", &[("csrf", &csrf), ("kind", "complaint"), ("unit", &unit), ("occurred_on", &today), ("title", "Svårt att nå handläggaren")])
            .await;
        let page = manager.get("/").await.body;
        assert!(page.contains("Ny avvikelse att utreda"));
        assert!(page.contains("Svårt att nå handläggaren"));
    })
    .await;
}

#[tokio::test]
async fn the_plan_page_filters_by_area_factor_status_and_unit() {
    on_each_backend(|store, _| async move {
        let mut app = TestApp::with_demo(store).await;
        app.login(ADMIN).await;
        let id = app.plan_id("Kvalitetsplan 2022 för vuxna").await;
        let all = app.get(&format!("/planer/{id}")).await.body;
        assert!(
            all.contains(">Kompetensförsörjning</h3>")
                && all.contains(">Boendestöd för personer med psykisk funktionsnedsättning</h3>")
        );
        let area = app.get(&format!("/planer/{id}?omrade=Kompetensf%C3%B6rs%C3%B6rjning")).await.body;
        assert!(area.contains(">Kompetensförsörjning</h3>"));
        assert!(!area.contains(">Boendestöd för personer med psykisk funktionsnedsättning</h3>"));
        // Area names run long; the filter takes them whole.
        let long = app
            .get(&format!(
                "/planer/{id}?omrade=Boendest%C3%B6d+f%C3%B6r+personer+med+psykisk+funktionsneds%C3%A4ttning"
            ))
            .await
            .body;
        assert!(long.contains(">Boendestöd för personer med psykisk funktionsnedsättning</h3>"));
        assert!(!long.contains(">Kompetensförsörjning</h3>"));
        // Only the risks and self-inspections with a withdrawn action remain.
        let withdrawn = app.get(&format!("/planer/{id}?status=withdrawn")).await.body;
        assert!(withdrawn.contains("Revidering av Min kompetensplan"));
        assert!(!withdrawn.contains("Nybesökstid på"), "a done action is filtered out");
        assert!(!withdrawn.contains("Risknivå 8"), "risks without withdrawn actions are hidden");
        // Indicators by quality factor: the 2024 plan's "Hög delaktighet" ones only.
        let plan2024 = app.plan_id("Kvalitetsplan 2024 Individ- och familjeomsorg").await;
        let factor = app.get(&format!("/planer/{plan2024}?faktor=H%C3%B6g+delaktighet")).await.body;
        assert!(factor.contains("Brukarbedömning boendestöd SoL"));
        assert!(!factor.contains("Andelen vuxenutredningar avslutade inom 60 dagar."));
        let nothing = app.get(&format!("/planer/{plan2024}?status=withdrawn")).await.body;
        assert!(nothing.contains("Inga risker eller egenkontroller matchar filtret."));
    })
    .await;
}
