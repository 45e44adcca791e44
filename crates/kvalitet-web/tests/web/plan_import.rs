//! Reading a plan's workbook back (`/planer/{id}/arbetsbok`): every demo plan exported,
//! read into an empty draft and exported again gives the same workbook; an edited
//! workbook shows its changes before anything is stored and then stores exactly them;
//! a broken workbook, a stale row and an adopted plan are refused with every problem
//! named and nothing stored; on both backends.

use axum::http::StatusCode;
use calamine::{Data, Reader};

use kvalitet_domain::Versioned;
use kvalitet_domain::action::{Action, ActionStatus};
use kvalitet_domain::plan::QualityPlan;
use kvalitet_domain::risk::{Risk, RiskAssessment};
use kvalitet_store::testing::on_each_backend;
use kvalitet_store::{Actor, Store, Where, plans, repo};

use crate::{ADMIN, MANAGER, TestApp};

/// A workbook's sheets as text, without the hidden id column (ids differ between plans).
type Grid = Vec<(String, Vec<Vec<String>>)>;

fn grid(bytes: &[u8]) -> Grid {
    let mut wb = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    wb.sheet_names()
        .into_iter()
        .map(|name| {
            let range = wb.worksheet_range(&name).unwrap();
            let rows: Vec<Vec<String>> = range.rows().map(|r| r.iter().map(text).collect()).collect();
            let id = rows.first().and_then(|h| h.iter().position(|c| c == "Kvalitet-id"));
            let rows = rows
                .into_iter()
                .map(|mut r| {
                    if let Some(i) = id {
                        r.remove(i);
                    }
                    r
                })
                .collect();
            (name, rows)
        })
        .collect()
}

fn text(c: &Data) -> String {
    match c {
        Data::DateTime(d) => {
            let (y, m, day, ..) = d.to_ymd_hms_milli();
            format!("{y:04}-{m:02}-{day:02}")
        }
        other => other.to_string(),
    }
}

/// The workbook with `edit` applied to its cells, written again (every cell as text).
fn edited(bytes: &[u8], edit: impl Fn(&str, &mut Vec<Vec<String>>)) -> Vec<u8> {
    let mut wb = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut out = rust_xlsxwriter::Workbook::new();
    for name in wb.sheet_names() {
        let range = wb.worksheet_range(&name).unwrap();
        let mut rows: Vec<Vec<String>> = range.rows().map(|r| r.iter().map(text).collect()).collect();
        edit(&name, &mut rows);
        let ws = out.add_worksheet();
        ws.set_name(&name).unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                ws.write_string(r as u32, c as u16, cell).unwrap();
            }
        }
    }
    out.save_to_buffer().unwrap()
}

fn set(rows: &mut [Vec<String>], row: usize, heading: &str, value: &str) {
    let c = col(rows, heading);
    rows[row][c] = value.into();
}

fn col(rows: &[Vec<String>], heading: &str) -> usize {
    rows[0].iter().position(|c| c == heading).unwrap_or_else(|| panic!("no column {heading}"))
}

/// An empty draft plan beside `of`, for the year `year`.
async fn empty_draft(store: &Store, of: &Versioned<QualityPlan>, year: i64) -> Versioned<QualityPlan> {
    let plan = QualityPlan::draft(of.tenant_id, of.scope_id, year, format!("Kvalitetsplan {year}"), of.table_layout);
    let mut tx = store.write(&Actor::system("test")).await.unwrap();
    let id = repo::insert(&mut tx, &plan).await.unwrap();
    tx.commit().await.unwrap();
    let mut conn = store.read().await.unwrap();
    repo::get(&mut conn, id).await.unwrap()
}

/// The value of the hidden field `name` on a page.
fn hidden(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let at = page.find(&marker).unwrap_or_else(|| panic!("no field {name}")) + marker.len();
    page[at..].split('"').next().unwrap().to_owned()
}

/// Uploads a workbook; the preview page.
async fn preview(app: &TestApp, plan: i64, bytes: &[u8]) -> crate::Response {
    let csrf = app.csrf().await;
    app.post_file(&format!("/planer/{plan}/arbetsbok"), &[("csrf", &csrf)], ("fil", "plan.xlsx", bytes)).await
}

/// Stores what a preview showed, with the preview's own form.
async fn store_preview(app: &TestApp, plan: i64, page: &str) -> crate::Response {
    let csrf = app.csrf().await;
    let fields =
        [("csrf", csrf.as_str()), ("filnamn", "plan.xlsx"), ("innehall", &hidden(page, "innehall")), ("spara", "1")];
    app.post_file(&format!("/planer/{plan}/arbetsbok"), &fields, ("fil", "", b"")).await
}

async fn bundle(store: &Store, plan: kvalitet_domain::plan::PlanId) -> kvalitet_domain::bundle::PlanBundle {
    let mut conn = store.read().await.unwrap();
    plans::load_bundle(&mut conn, plan).await.unwrap()
}

#[tokio::test]
async fn every_demo_plan_comes_back_the_same_through_its_workbook() {
    on_each_backend(|store, _| async move {
        let mut admin = TestApp::with_demo(store.clone()).await;
        admin.login(ADMIN).await;
        let mut conn = store.read().await.unwrap();
        let all: Vec<Versioned<QualityPlan>> = repo::list(&mut conn, Where::all()).await.unwrap();
        drop(conn);
        assert!(all.len() >= 3);
        for (i, plan) in all.iter().enumerate() {
            let (status, _, original) = admin.download(&format!("/planer/{}/arbetsbok.xlsx", plan.id)).await;
            assert_eq!(status, StatusCode::OK);
            let copy = empty_draft(&store, plan, 2060 + i as i64).await;

            let page = preview(&admin, copy.id.get(), &original).await;
            assert_eq!(page.status, StatusCode::OK, "{}", plan.title);
            assert!(page.body.contains("Det här händer om du sparar"), "{}: {}", plan.title, page.body);
            let b = bundle(&store, plan.id).await;
            let risks_new = format!("{} nya, 0 ändras, 0 oförändrade", b.risks.len());
            assert!(page.body.contains(&risks_new), "{}: {risks_new}", plan.title);
            assert!(bundle(&store, copy.id).await.risks.is_empty(), "nothing stored by the preview");

            let done = store_preview(&admin, copy.id.get(), &page.body).await;
            assert_eq!(done.status, StatusCode::SEE_OTHER, "{}: {}", plan.title, done.body);
            assert!(done.location().contains("sparat=arbetsbok"));

            let (_, _, again) = admin.download(&format!("/planer/{}/arbetsbok.xlsx", copy.id)).await;
            let (before, after) = (grid(&original), grid(&again));
            assert_eq!(before.len(), after.len());
            for ((name, a), (_, b)) in before.iter().zip(&after) {
                assert_eq!(a.len(), b.len(), "{}: rows of {name}", plan.title);
                for (ra, rb) in a.iter().zip(b) {
                    assert_eq!(ra, rb, "{}: sheet {name}", plan.title);
                }
            }
            let c = bundle(&store, copy.id).await;
            assert_eq!(
                (c.risks.len(), c.self_inspections.len(), c.actions.len(), c.indicators.len()),
                (b.risks.len(), b.self_inspections.len(), b.actions.len(), b.indicators.len())
            );
            assert_eq!(c.links.action_risk.len(), b.links.action_risk.len());
            assert_eq!(c.links.self_inspection_risk.len(), b.links.self_inspection_risk.len());
            assert_eq!(c.links.action_self_inspection.len(), b.links.action_self_inspection.len());
            assert_eq!(c.links.indicator_risk.len(), b.links.indicator_risk.len());

            // Read back into the plan it came from, it changes nothing.
            let (_, _, own) = admin.download(&format!("/planer/{}/arbetsbok.xlsx", copy.id)).await;
            let page = preview(&admin, copy.id.get(), &own).await;
            assert!(page.body.contains("Inget skulle ändras"), "{}", plan.title);
        }
    })
    .await;
}

/// A draft with the first demo plan's items, and its workbook.
async fn draft_with_items(store: &Store, admin: &TestApp) -> (Versioned<QualityPlan>, Vec<u8>) {
    let mut conn = store.read().await.unwrap();
    let all: Vec<Versioned<QualityPlan>> = repo::list(&mut conn, Where::all()).await.unwrap();
    drop(conn);
    let source = all.iter().find(|p| p.title.contains("2024")).unwrap_or(&all[0]);
    let (_, _, original) = admin.download(&format!("/planer/{}/arbetsbok.xlsx", source.id)).await;
    let draft = empty_draft(store, source, 2070).await;
    let page = preview(admin, draft.id.get(), &original).await;
    assert_eq!(store_preview(admin, draft.id.get(), &page.body).await.status, StatusCode::SEE_OTHER);
    let (_, _, bytes) = admin.download(&format!("/planer/{}/arbetsbok.xlsx", draft.id)).await;
    (draft, bytes)
}

#[tokio::test]
async fn an_edited_workbook_shows_its_changes_and_then_stores_exactly_them() {
    on_each_backend(|store, _| async move {
        let mut admin = TestApp::with_demo(store.clone()).await;
        admin.login(ADMIN).await;
        let (draft, bytes) = draft_with_items(&store, &admin).await;
        let before = bundle(&store, draft.id).await;
        let first_action = before.actions[0].clone();
        let first_risk = before.risks[0].clone();
        let level = if first_risk.level == 4 { 6 } else { 4 };

        let changed = edited(&bytes, |sheet, rows| match sheet {
            "Åtgärder" => {
                let status = col(rows, "Status");
                rows[1][status] = "Pågår".into();
                let risks = col(rows, "Kopplade risker");
                rows[1][risks] = "R2".into();
            }
            "Risker" => {
                let (l, c, n) = (col(rows, "Sannolikhet"), col(rows, "Konsekvensgrad"), col(rows, "Risknivå"));
                rows[1][l] = String::new();
                rows[1][c] = String::new();
                rows[1][n] = level.to_string();
                // A new risk, written as a user adds a row in Excel.
                let mut new = vec![String::new(); rows[0].len()];
                new[col(rows, "Nr")] = "R99".into();
                new[col(rows, "Processområde")] = rows[1][col(rows, "Processområde")].clone();
                new[col(rows, "Risk")] = "Ny risk från Excel".into();
                new[n] = "2".into();
                new[col(rows, "Upptäckt genom")] = "Avvikelse".into();
                rows.push(new);
            }
            _ => {}
        });
        let page = preview(&admin, draft.id.get(), &changed).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Ny risk från Excel"), "{}", page.body);
        assert!(
            page.body.contains("Status:</strong> Planerad → Pågår") || page.body.contains("→ Pågår"),
            "{}",
            page.body
        );
        assert!(page.body.contains(&format!("→ {level}")), "the level's change is shown");
        assert!(page.body.contains("kopplade risker R2"), "{}", page.body);
        // Nothing is stored by the preview.
        let mut conn = store.read().await.unwrap();
        assert_eq!(repo::get::<Action>(&mut conn, first_action.id).await.unwrap().version, first_action.version);
        drop(conn);

        let done = store_preview(&admin, draft.id.get(), &page.body).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        let after = bundle(&store, draft.id).await;
        let action = after.actions.iter().find(|a| a.id == first_action.id).unwrap();
        assert_eq!(action.status, ActionStatus::Ongoing);
        assert_eq!(
            after.links.action_risk.iter().filter(|(a, _)| *a == action.id).map(|(_, r)| *r).collect::<Vec<_>>(),
            vec![after.risks[1].id],
            "the action is linked to R2 only"
        );
        let risk = after.risks.iter().find(|r| r.id == first_risk.id).unwrap();
        assert_eq!((risk.level, risk.likelihood, risk.consequence), (level, None, None));
        let mut conn = store.read().await.unwrap();
        let assessments: Vec<Versioned<RiskAssessment>> =
            repo::list(&mut conn, Where::sql("risk_id = $1", vec![kvalitet_store::Value::Int(risk.id.get())]))
                .await
                .unwrap();
        assert_eq!(assessments.last().unwrap().level, level, "the new level is an assessment, with its history");
        assert!(assessments.len() >= 2);
        let new: Vec<&Versioned<Risk>> = after.risks.iter().filter(|r| r.title == "Ny risk från Excel").collect();
        assert_eq!(new.len(), 1);
        assert_eq!(new[0].origin, kvalitet_domain::risk::RiskOrigin::Deviation);
        assert_eq!(after.risks.len(), before.risks.len() + 1);
        assert_eq!(after.actions.len(), before.actions.len(), "no action made or lost");
    })
    .await;
}

#[tokio::test]
async fn a_broken_workbook_is_refused_with_every_problem_named_and_nothing_stored() {
    on_each_backend(|store, _| async move {
        let mut admin = TestApp::with_demo(store.clone()).await;
        admin.login(ADMIN).await;
        let (draft, bytes) = draft_with_items(&store, &admin).await;
        let before = bundle(&store, draft.id).await;

        // Not a workbook at all.
        let page = preview(&admin, draft.id.get(), "det här är ingen arbetsbok".as_bytes()).await;
        assert!(page.body.contains("Arbetsboken lästes inte in"), "{}", page.body);
        assert!(page.body.contains("trasig eller ingen arbetsbok"));

        let broken = edited(&bytes, |sheet, rows| match sheet {
            "Risker" => {
                set(rows, 1, "Processområde", "Rymdfärder");
                set(rows, 2, "Risknivå", "99");
                let nr = col(rows, "Nr");
                rows[3][nr] = rows[2][nr].clone();
            }
            "Åtgärder" => {
                set(rows, 1, "Klar senast", "snart");
                set(rows, 2, "Kopplade risker", "R1; R404");
                set(rows, 3, "Status", "Kanske");
            }
            _ => {}
        });
        let page = preview(&admin, draft.id.get(), &broken).await;
        assert_eq!(page.status, StatusCode::OK);
        let body = &page.body;
        assert!(body.contains("Arbetsboken lästes inte in"), "{body}");
        for expected in [
            "Bladet Risker, rad 2, kolumnen Processområde: välj ett av kommunens processområden",
            "Bladet Risker, rad 3, kolumnen Risknivå:",
            "Bladet Risker, rad 4, kolumnen Nr: numret",
            "Bladet Åtgärder, rad 2, kolumnen Klar senast: ”snart” är inget datum",
            "Bladet Åtgärder, rad 3, kolumnen Kopplade risker: R404 finns inte på bladet Risker",
            "Bladet Åtgärder, rad 4, kolumnen Status: värdet finns inte i listan",
        ] {
            assert!(body.contains(expected), "missing «{expected}» in {body}");
        }
        assert!(!body.contains("Spara ändringarna"), "no way to store a refused workbook");
        assert_eq!(bundle(&store, draft.id).await.risks, before.risks, "nothing stored");
    })
    .await;
}

#[tokio::test]
async fn a_row_changed_in_kvalitet_since_the_download_is_refused() {
    on_each_backend(|store, _| async move {
        let mut admin = TestApp::with_demo(store.clone()).await;
        admin.login(ADMIN).await;
        let (draft, bytes) = draft_with_items(&store, &admin).await;
        // Someone changes the first action in Kvalitet after the download.
        let b = bundle(&store, draft.id).await;
        let action = b.actions[0].clone();
        let mut tx = store.write(&Actor::system("test")).await.unwrap();
        let changed = Action { title: "Ändrad i Kvalitet".into(), ..action.item.clone() };
        repo::update(&mut tx, action.id, action.version, &changed).await.unwrap();
        tx.commit().await.unwrap();

        let stale = edited(&bytes, |sheet, rows| {
            if sheet == "Åtgärder" {
                let d = col(rows, "Vad ska göras");
                rows[1][d] = "Ändrad i Excel".into();
            }
        });
        let page = preview(&admin, draft.id.get(), &stale).await;
        assert!(page.body.contains("har ändrats i Kvalitet sedan arbetsboken hämtades"), "{}", page.body);
        let mut conn = store.read().await.unwrap();
        let now = repo::get::<Action>(&mut conn, action.id).await.unwrap();
        assert_eq!(now.title, "Ändrad i Kvalitet");
        assert_ne!(now.description, "Ändrad i Excel");

        // The old workbook, even untouched, would undo the change: refused too.
        let untouched = preview(&admin, draft.id.get(), &bytes).await;
        assert!(untouched.body.contains("har ändrats i Kvalitet sedan arbetsboken hämtades"));
        // A workbook downloaded now reads back as no change at all.
        let (_, _, fresh) = admin.download(&format!("/planer/{}/arbetsbok.xlsx", draft.id)).await;
        let page = preview(&admin, draft.id.get(), &fresh).await;
        assert!(page.body.contains("Inget skulle ändras"), "{}", page.body);
    })
    .await;
}

#[tokio::test]
async fn only_editors_read_a_workbook_into_a_draft() {
    on_each_backend(|store, _| async move {
        let mut admin = TestApp::with_demo(store.clone()).await;
        admin.login(ADMIN).await;
        let (draft, bytes) = draft_with_items(&store, &admin).await;
        let mut conn = store.read().await.unwrap();
        let adopted: Vec<Versioned<QualityPlan>> =
            repo::list(&mut conn, Where::sql("state = 'adopted'", vec![])).await.unwrap();
        drop(conn);
        let page = preview(&admin, adopted[0].id.get(), &bytes).await;
        assert!(page.body.contains("kan bara läsas in i ett utkast"), "{}", page.body);

        let mut manager = TestApp::on(store.clone());
        manager.login(MANAGER).await;
        let refused = preview(&manager, draft.id.get(), &bytes).await;
        assert!(matches!(refused.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND), "{}", refused.status);

        // Without the session's token, nothing is read.
        let res = admin
            .post_file(&format!("/planer/{}/arbetsbok", draft.id), &[("csrf", "fel")], ("fil", "plan.xlsx", &bytes))
            .await;
        assert_eq!(res.status, StatusCode::FORBIDDEN);
    })
    .await;
}
