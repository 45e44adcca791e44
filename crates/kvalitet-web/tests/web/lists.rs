//! The lists across plans (`/atgarder`, `/risker`, `/egenkontroller`, `/indikatorer`):
//! filters in the URL, sorting, paging, what each person may see, and the same rows as
//! XLSX and CSV, on both backends with the demo data.

use std::collections::BTreeSet;

use axum::http::{StatusCode, header};
use calamine::{Data, Reader, Xlsx};

use kvalitet_domain::action::{Action, ActionStatus};
use kvalitet_domain::indicator::Indicator;
use kvalitet_domain::plan::{PlanState, QualityPlan};
use kvalitet_domain::risk::Risk;
use kvalitet_domain::self_inspection::{SelfInspection, SelfInspectionRun};
use kvalitet_domain::{Code, Date, Versioned};
use kvalitet_store::testing::on_each_backend;
use kvalitet_store::{Actor, Store, Where, repo};

use crate::{ADMIN, READER, TestApp};

/// The title of each row of a list page, in order.
fn titles(body: &str) -> Vec<String> {
    body.split("<th scope=\"row\"")
        .skip(1)
        .map(|row| {
            let link = row.split("\">").nth(2).unwrap_or_default();
            unescape(link.split("</a>").next().unwrap())
        })
        .collect()
}

fn unescape(s: &str) -> String {
    s.replace("&#60;", "<").replace("&#62;", ">").replace("&#38;", "&").replace("&#34;", "\"").replace("&#39;", "'")
}

async fn all<T: kvalitet_store::Record>(store: &Store) -> Vec<Versioned<T>> {
    let mut conn = store.read().await.unwrap();
    repo::list(&mut conn, Where::all()).await.unwrap()
}

async fn signed_in(store: &Store, who: (&str, &str)) -> TestApp {
    let mut app = TestApp::on(store.clone());
    app.login(who).await;
    app
}

/// Every page of a list, followed by its "Nästa sida" links: all titles in order.
async fn every_page(app: &TestApp, first: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut next = Some(first.to_owned());
    while let Some(path) = next {
        let page = app.get(&path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.body);
        out.extend(titles(&page.body));
        next = page
            .body
            .split("\" rel=\"next\"")
            .next()
            .filter(|_| page.body.contains("rel=\"next\""))
            .map(|s| unescape(s.rsplit("href=\"").next().unwrap()));
    }
    out
}

/// Twelve more actions in the 2024 plan, so that the demo's actions fill more than a page:
/// due dates spread over three years (every third without), every fourth done.
async fn add_actions(store: &Store) {
    let plans: Vec<Versioned<QualityPlan>> = all(store).await;
    let plan = plans.iter().find(|p| p.year == 2024).unwrap();
    let action = all::<Action>(store).await.remove(0).item;
    let mut tx = store.write(&Actor::system("test")).await.unwrap();
    for i in 0..12i8 {
        repo::insert(
            &mut tx,
            &Action {
                plan_id: plan.id,
                title: format!("XQ-åtgärd {i:02}"),
                due_on: (i % 3 != 0).then(|| Date::constant(2024 + i16::from(i % 3), i % 12 + 1, 15)),
                status: if i % 4 == 0 { ActionStatus::Done } else { ActionStatus::Ongoing },
                previous_action_id: None,
                ..action.clone()
            },
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
}

fn today() -> Date {
    jiff::Zoned::now().with_time_zone(jiff::tz::TimeZone::get("Europe/Stockholm").unwrap()).date()
}

#[tokio::test]
async fn the_action_list_holds_every_action_and_its_filters_narrow_it() {
    on_each_backend(|store, _| async move {
        let _demo = TestApp::with_demo(store.clone()).await;
        add_actions(&store).await;
        let admin = signed_in(&store, ADMIN).await;
        let actions: Vec<Versioned<Action>> = all(&store).await;
        assert!(actions.len() > 50, "the demo has more than a page of actions: {}", actions.len());

        // Every action, over the pages, each once.
        let first = admin.get("/atgarder").await;
        assert!(first.body.contains(&format!("Visar 1–50 av {} åtgärder.", actions.len())), "{}", first.body);
        assert!(first.body.contains("Sida 1 av "), "paged");
        let listed = every_page(&admin, "/atgarder").await;
        assert_eq!(listed.len(), actions.len());
        let expected: BTreeSet<&str> = actions.iter().map(|a| a.title.as_str()).collect();
        assert_eq!(listed.iter().map(String::as_str).collect::<BTreeSet<_>>(), expected);

        // One plan's actions.
        let plans: Vec<Versioned<QualityPlan>> = all(&store).await;
        let plan = plans.iter().find(|p| p.year == 2024).unwrap();
        let of_plan: Vec<&Versioned<Action>> = actions.iter().filter(|a| a.plan_id == plan.id).collect();
        let page = admin.get(&format!("/atgarder?plan={}", plan.id)).await;
        assert_eq!(titles(&page.body).len(), of_plan.len().min(50));

        // Past due: the same set as the data says (some, not all).
        let overdue: BTreeSet<&str> = actions
            .iter()
            .filter(|a| a.due_on.is_some_and(|d| d < today()) && !a.status.is_closed())
            .map(|a| a.title.as_str())
            .collect();
        assert!(!overdue.is_empty() && overdue.len() < actions.len());
        let listed = every_page(&admin, "/atgarder?forsenade=1").await;
        assert_eq!(listed.iter().map(String::as_str).collect::<BTreeSet<_>>(), overdue);
        assert!(admin.get("/atgarder?forsenade=1").await.body.contains("badge overdue\">Försenad"));

        // A status, and the open ones.
        let done = actions.iter().filter(|a| a.status == ActionStatus::Done).count();
        let listed = every_page(&admin, "/atgarder?status=done").await;
        assert_eq!(listed.len(), done);
        let open = actions.iter().filter(|a| !a.status.is_closed()).count();
        assert_eq!(every_page(&admin, "/atgarder?status=ej_avslutade").await.len(), open);

        // A value not in the list is refused in words, and the list is then unfiltered.
        let bad = admin.get("/atgarder?status=nonsense&sida=x").await;
        assert_eq!(bad.status, StatusCode::OK);
        assert!(bad.body.contains("Status: välj ett värde i listan."), "{}", bad.body);
        assert!(bad.body.contains("Sida: ange ett sidnummer."), "{}", bad.body);
        assert!(bad.body.contains(&format!("av {} åtgärder", actions.len())));
        let no_plan = admin.get("/atgarder?risk=1").await;
        assert!(no_plan.body.contains("Kopplad risk: välj först en plan."));
    })
    .await;
}

#[tokio::test]
async fn sorting_by_a_column_orders_the_rows_and_keeps_the_filters() {
    on_each_backend(|store, _| async move {
        let _demo = TestApp::with_demo(store.clone()).await;
        add_actions(&store).await;
        let admin = signed_in(&store, ADMIN).await;
        let actions: Vec<Versioned<Action>> = all(&store).await;
        let with_due: Vec<&Versioned<Action>> = actions.iter().filter(|a| a.due_on.is_some()).collect();
        let earliest = with_due.iter().map(|a| a.due_on.unwrap()).min().unwrap();
        let latest = with_due.iter().map(|a| a.due_on.unwrap()).max().unwrap();

        let up = admin.get("/atgarder?sortera=klar").await.body;
        assert!(up.contains("aria-sort=\"ascending\""), "the column says how it is sorted");
        let first = titles(&up)[0].clone();
        assert!(with_due.iter().any(|a| a.title == first && a.due_on == Some(earliest)), "{first}");
        let down = every_page(&admin, "/atgarder?sortera=klar&ordning=fallande").await;
        assert!(with_due.iter().any(|a| a.title == down[0] && a.due_on == Some(latest)), "{}", down[0]);
        // Actions without a date come last both ways (titles repeat across plans: count rows).
        let undated: Vec<&Versioned<Action>> = actions.iter().filter(|a| a.due_on.is_none()).collect();
        assert!(!undated.is_empty());
        let tail: BTreeSet<&str> = down[down.len() - undated.len()..].iter().map(String::as_str).collect();
        assert_eq!(tail, undated.iter().map(|a| a.title.as_str()).collect::<BTreeSet<_>>());
        // The heading links keep the filters; the sorted one turns the order around.
        let filtered = admin.get("/atgarder?status=ej_avslutade&sortera=atgard").await.body;
        assert!(filtered.contains("href=\"/atgarder?status=ej_avslutade&#38;sortera=atgard&#38;ordning=fallande\""));
        assert!(filtered.contains("href=\"/atgarder?status=ej_avslutade&#38;sortera=klar\""));
        let sorted = titles(&filtered);
        let mut expected = sorted.clone();
        expected.sort_by_key(|t| t.to_lowercase().replace('å', "{").replace('ä', "|").replace('ö', "}"));
        assert_eq!(sorted, expected, "alphabetical, Swedish");
        assert!(admin.get("/atgarder?sortera=x").await.body.contains("Sortering: välj en kolumn i listan."));
    })
    .await;
}

#[tokio::test]
async fn a_reader_sees_no_draft_and_the_lists_show_only_readable_plans() {
    on_each_backend(|store, _| async move {
        let _demo = TestApp::with_demo(store.clone()).await;
        // A draft plan with one item of each kind.
        let plans: Vec<Versioned<QualityPlan>> = all(&store).await;
        let source = plans.iter().find(|p| p.year == 2024).unwrap();
        let risks: Vec<Versioned<Risk>> = all(&store).await;
        let risk = risks.iter().find(|r| r.plan_id == source.id).unwrap();
        let mut tx = store.write(&Actor::system("test")).await.unwrap();
        let draft = repo::insert(
            &mut tx,
            &QualityPlan {
                year: 2027,
                title: "Utkast XQ".into(),
                state: PlanState::Draft,
                adopted_on: None,
                board_reference: None,
                ..source.item.clone()
            },
        )
        .await
        .unwrap();
        let action = all::<Action>(&store).await.remove(0).item;
        repo::insert(
            &mut tx,
            &Action { plan_id: draft, title: "XQ-UTKASTÅTGÄRD".into(), previous_action_id: None, ..action },
        )
        .await
        .unwrap();
        repo::insert(
            &mut tx,
            &Risk { plan_id: draft, title: "XQ-UTKASTRISK".into(), previous_risk_id: None, ..risk.item.clone() },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();

        let admin = signed_in(&store, ADMIN).await;
        let reader = signed_in(&store, READER).await;
        assert!(every_page(&admin, "/atgarder?ar=2027").await.contains(&"XQ-UTKASTÅTGÄRD".to_owned()));
        assert!(every_page(&admin, "/risker?ar=2027").await.contains(&"XQ-UTKASTRISK".to_owned()));
        for path in ["/atgarder", "/risker", "/egenkontroller", "/indikatorer"] {
            let page = reader.get(path).await;
            assert_eq!(page.status, StatusCode::OK, "{path}");
            assert!(!page.body.contains("XQ-UTKAST"), "{path} shows a draft to a reader");
            assert!(!page.body.contains("Utkast XQ"), "{path} offers the draft plan as a filter");
        }
        // Asking for the draft plan by id is a refused filter, not its items.
        let asked = reader.get(&format!("/atgarder?plan={draft}")).await.body;
        assert!(asked.contains("Plan: välj ett värde i listan.") && !asked.contains("XQ-UTKAST"));
        assert_eq!(TestApp::on(store.clone()).get("/atgarder").await.status, StatusCode::SEE_OTHER, "signed out");
    })
    .await;
}

#[tokio::test]
async fn the_risk_self_inspection_and_indicator_lists_filter_by_their_own_fields() {
    on_each_backend(|store, _| async move {
        let _demo = TestApp::with_demo(store.clone()).await;
        let admin = signed_in(&store, ADMIN).await;

        let risks: Vec<Versioned<Risk>> = all(&store).await;
        let zone_page = admin.get("/risker").await.body;
        assert!(zone_page.contains("name=\"zon\""), "zones offered");
        let level = risks.iter().map(|r| r.level).max().unwrap();
        let listed = every_page(&admin, &format!("/risker?niva={level}")).await;
        assert_eq!(listed.len(), risks.iter().filter(|r| r.level == level).count());
        let first = every_page(&admin, "/risker?sortera=niva&ordning=fallande").await.remove(0);
        assert!(risks.iter().any(|r| r.title == first && r.level == level), "highest level first: {first}");

        let inspections: Vec<Versioned<SelfInspection>> = all(&store).await;
        assert_eq!(every_page(&admin, "/egenkontroller").await.len(), inspections.len());
        let by_method = inspections.iter().filter(|s| s.method.code() == "access_log_review").count();
        assert_eq!(every_page(&admin, "/egenkontroller?metod=access_log_review").await.len(), by_method);

        // Past due: every self-inspection of a plan being carried out (adopted, its year
        // over) without any run, and only those of such plans.
        let plans: Vec<Versioned<QualityPlan>> = all(&store).await;
        let runs: Vec<Versioned<SelfInspectionRun>> = all(&store).await;
        let adopted = |s: &SelfInspection| plans.iter().any(|p| p.id == s.plan_id && p.state == PlanState::Adopted);
        let never_run: BTreeSet<&str> = inspections
            .iter()
            .filter(|s| adopted(s) && !runs.iter().any(|r| r.self_inspection_id == s.id))
            .map(|s| s.title.as_str())
            .collect();
        assert!(!never_run.is_empty());
        let late = every_page(&admin, "/egenkontroller?forsenade=1").await;
        assert!(never_run.iter().all(|t| late.iter().any(|l| l == t)), "{never_run:?} in {late:?}");
        assert!(late.iter().all(|t| inspections.iter().any(|s| s.title == *t && adopted(s))));

        let indicators: Vec<Versioned<Indicator>> = all(&store).await;
        let listed = every_page(&admin, "/indikatorer").await;
        assert_eq!(listed.len(), indicators.len());
        let met = every_page(&admin, "/indikatorer?mal=uppnatt").await.len();
        let not_met = every_page(&admin, "/indikatorer?mal=ej_uppnatt").await.len();
        let unknown = every_page(&admin, "/indikatorer?mal=okant").await.len();
        assert_eq!(met + not_met + unknown, indicators.len(), "every indicator in exactly one");
        let no_target = indicators.iter().filter(|i| i.target_value.is_none()).count();
        assert!(unknown >= no_target);
    })
    .await;
}

#[tokio::test]
async fn the_downloads_hold_the_pages_rows_with_dates_as_dates_and_formulas_neutralised() {
    on_each_backend(|store, _| async move {
        let _demo = TestApp::with_demo(store.clone()).await;
        let plans: Vec<Versioned<QualityPlan>> = all(&store).await;
        let plan = plans.iter().find(|p| p.year == 2024).unwrap();
        let action = all::<Action>(&store).await.remove(0).item;
        let mut tx = store.write(&Actor::system("test")).await.unwrap();
        repo::insert(
            &mut tx,
            &Action {
                plan_id: plan.id,
                title: "=HYPERLINK(\"http://x\")".into(),
                due_on: Some(Date::constant(2024, 3, 31)),
                responsible: "Enhetschef XQ".into(),
                status: ActionStatus::Planned,
                previous_action_id: None,
                ..action
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let admin = signed_in(&store, ADMIN).await;
        let query = format!("plan={}&sortera=atgard", plan.id);
        let page_titles = every_page(&admin, &format!("/atgarder?{query}")).await;

        let (status, headers, bytes) = admin.download(&format!("/atgarder.xlsx?{query}")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers[header::CONTENT_DISPOSITION], "attachment; filename=\"atgarder.xlsx\"");
        let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        assert_eq!(wb.sheet_names(), ["Åtgärder"]);
        let sheet = wb.worksheet_range("Åtgärder").unwrap();
        let rows: Vec<&[Data]> = sheet.rows().collect();
        let head: Vec<String> = rows[0].iter().map(|c| c.to_string()).collect();
        assert_eq!(head, ["Åtgärd", "Status", "Klar senast", "Ansvarig", "Kopplad risk", "Plan", "Enhet", "År"]);
        let xlsx_titles: Vec<String> =
            rows[1..].iter().map(|r| r[0].to_string().replace("'=HYPERLINK", "=HYPERLINK")).collect();
        assert_eq!(xlsx_titles, page_titles, "the same rows in the same order as the page");
        let formula = rows[1..].iter().find(|r| r[3] == "Enhetschef XQ").unwrap();
        assert_eq!(formula[0].to_string(), "'=HYPERLINK(\"http://x\")", "neutralised");
        match &formula[2] {
            // Excel's day number of 2024-03-31 (2024-01-01 is 45292).
            Data::DateTime(d) => assert!(d.is_datetime() && d.as_f64() == 45382.0, "{d:?}"),
            other => panic!("the date is a date: {other:?}"),
        }
        assert!(matches!(formula[7], Data::Float(y) if y == 2024.0), "the year is a number");

        let (status, headers, bytes) = admin.download(&format!("/atgarder.csv?{query}")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers[header::CONTENT_TYPE], "text/csv; charset=utf-8");
        let text = String::from_utf8(bytes).unwrap();
        let text = text.strip_prefix('\u{feff}').expect("a byte order mark for Excel");
        let mut lines = text.lines();
        assert_eq!(lines.next().unwrap(), "Åtgärd;Status;Klar senast;Ansvarig;Kopplad risk;Plan;Enhet;År");
        assert_eq!(text.lines().count() - 1, page_titles.len());
        assert!(text.contains("\"'=HYPERLINK(\"\"http://x\"\")\";Planerad;2024-03-31;Enhetschef XQ;"), "{text}");
        assert_eq!(admin.download("/atgarder.xlsx?status=nonsense").await.0, StatusCode::OK, "a bad filter is ignored");
    })
    .await;
}

/// The titles of a list's XLSX download: every row of the list, in its order.
async fn downloaded_titles(app: &TestApp, path: &str) -> Vec<String> {
    let (status, _, bytes) = app.download(path).await;
    assert_eq!(status, StatusCode::OK, "{path}");
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let name = wb.sheet_names()[0].clone();
    let sheet = wb.worksheet_range(&name).unwrap();
    sheet.rows().skip(1).map(|r| r[0].to_string()).collect()
}

#[tokio::test]
async fn the_action_lists_pages_in_an_order_by_plan_are_the_whole_list_in_that_order() {
    on_each_backend(|store, _| async move {
        let _demo = TestApp::with_demo(store.clone()).await;
        add_actions(&store).await;
        // A plan with the 2024 plan's year and title for another unit: the two share their
        // places in the order by plan, and their actions interleave by their order in the
        // plan.
        let plans: Vec<Versioned<QualityPlan>> = all(&store).await;
        let plan = plans.iter().find(|p| p.year == 2024).unwrap();
        let units: Vec<Versioned<kvalitet_domain::org::OrgUnit>> = all(&store).await;
        let unit = units.iter().find(|u| u.id != plan.scope_id).unwrap();
        let action = all::<Action>(&store).await.remove(0).item;
        let mut tx = store.write(&Actor::system("test")).await.unwrap();
        let twin = repo::insert(&mut tx, &QualityPlan { scope_id: unit.id, ..plan.item.clone() }).await.unwrap();
        for i in 0..60i8 {
            repo::insert(
                &mut tx,
                &Action {
                    plan_id: twin,
                    title: format!("YQ-åtgärd {i:02}"),
                    due_on: Some(Date::constant(2024, i % 12 + 1, 1)),
                    status: ActionStatus::Ongoing,
                    sort_order: i64::from(i) - 20,
                    previous_action_id: None,
                    ..action.clone()
                },
            )
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
        let admin = signed_in(&store, ADMIN).await;
        let mut crossed = false;
        for filter in ["", "forsenade=1&", "status=ongoing&"] {
            for sort in ["", "sortera=plan&", "sortera=enhet&", "sortera=ar&"] {
                for way in if sort.is_empty() { &[""][..] } else { &["", "ordning=fallande&"][..] } {
                    let q = format!("{filter}{sort}{way}");
                    let paged = every_page(&admin, &format!("/atgarder?{q}")).await;
                    let whole = downloaded_titles(&admin, &format!("/atgarder.xlsx?{q}")).await;
                    assert_eq!(paged, whole, "{q}");
                    crossed |= whole.len() > 100;
                }
            }
        }
        assert!(crossed, "lists of more than two pages");
    })
    .await;
}

/// The risks, self-inspections and indicators lists make only a page's rows in their
/// default order: every page in turn is the whole list (the download) in that order, also
/// where two plans share their place (the same year and title) and their items interleave
/// by their order in the plan; a column's order, sorted over every row, pages the same; a
/// page past the end shows the last.
#[tokio::test]
async fn the_other_lists_pages_in_the_default_order_are_the_whole_list_in_that_order() {
    on_each_backend(|store, _| async move {
        let _demo = TestApp::with_demo(store.clone()).await;
        let plans: Vec<Versioned<QualityPlan>> = all(&store).await;
        let plan = plans.iter().find(|p| p.year == 2024).unwrap();
        let units: Vec<Versioned<kvalitet_domain::org::OrgUnit>> = all(&store).await;
        let unit = units.iter().find(|u| u.id != plan.scope_id).unwrap();
        let risk = all::<Risk>(&store).await.remove(0).item;
        let si = all::<SelfInspection>(&store).await.remove(0).item;
        let ind = all::<Indicator>(&store).await.remove(0).item;
        let mut tx = store.write(&Actor::system("test")).await.unwrap();
        let twin = repo::insert(&mut tx, &QualityPlan { scope_id: unit.id, ..plan.item.clone() }).await.unwrap();
        for i in 0..60i64 {
            let (title, sort_order) = (format!("YQ-punkt {i:02}"), i - 20);
            repo::insert(
                &mut tx,
                &Risk {
                    plan_id: twin,
                    title: title.clone(),
                    sort_order,
                    previous_risk_id: None,
                    needs_reassessment: i % 2 == 0,
                    ..risk.clone()
                },
            )
            .await
            .unwrap();
            repo::insert(
                &mut tx,
                &SelfInspection {
                    plan_id: twin,
                    title: title.clone(),
                    sort_order,
                    previous_self_inspection_id: None,
                    ..si.clone()
                },
            )
            .await
            .unwrap();
            repo::insert(
                &mut tx,
                &Indicator { plan_id: twin, name: title, sort_order, previous_indicator_id: None, ..ind.clone() },
            )
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
        let admin = signed_in(&store, ADMIN).await;
        // The risk list's own filters, paged by the database in the default order.
        let mut conn = store.read().await.unwrap();
        let matrix = kvalitet_store::plans::matrix(&mut conn, plan.tenant_id).await.unwrap();
        drop(conn);
        let zone = matrix.zone(kvalitet_domain::risk::RiskLevel::from_stored(risk.level)).code.clone();
        for q in [
            format!("niva={}&", risk.level),
            format!("zon={zone}&"),
            format!("omrade={}&", risk.process_area_id),
            "omprovas=1&".to_owned(),
            format!("niva={}&zon={zone}&ar=2024&omprovas=1&", risk.level),
        ] {
            let paged = every_page(&admin, &format!("/risker?{q}")).await;
            let whole = downloaded_titles(&admin, &format!("/risker.xlsx?{q}")).await;
            assert!(whole.len() >= 30, "risker?{q}: the twin's risks ({})", whole.len());
            assert_eq!(paged, whole, "risker?{q}");
        }
        for list in ["risker", "egenkontroller", "indikatorer"] {
            let mut whole_default = Vec::new();
            for q in ["", "ar=2024&", "sortera=plan&", "sortera=ar&ordning=fallande&"] {
                let paged = every_page(&admin, &format!("/{list}?{q}")).await;
                let whole = downloaded_titles(&admin, &format!("/{list}.xlsx?{q}")).await;
                assert!(whole.len() > 60, "{list}?{q}: more than a page ({})", whole.len());
                assert_eq!(paged, whole, "{list}?{q}");
                if q.is_empty() {
                    whole_default = whole;
                }
            }
            // The twin's items stand among the 2024 plan's by their order in the plan.
            let first_twin = whole_default.iter().position(|t| t.starts_with("YQ-punkt")).unwrap();
            assert_eq!(whole_default[first_twin], "YQ-punkt 00", "{list}: order -20 first");
            let past = admin.get(&format!("/{list}?sida=999")).await;
            assert_eq!(past.status, StatusCode::OK);
            let last_page = (whole_default.len() - 1) / 50 * 50;
            assert_eq!(titles(&past.body), whole_default[last_page..].to_vec(), "{list}: past the end, the last page");
        }
    })
    .await;
}
