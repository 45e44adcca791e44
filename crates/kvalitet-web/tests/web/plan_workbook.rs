//! A plan as a workbook (`/planer/{id}/arbetsbok.xlsx`): every item of every demo plan on
//! its sheet in the plan's order, the links written as the items' numbers, dates as dates;
//! only for those who may read the plan; on both backends.

use axum::http::StatusCode;
use calamine::{Data, Reader, Xlsx};

use kvalitet_domain::Versioned;
use kvalitet_domain::plan::QualityPlan;
use kvalitet_store::testing::on_each_backend;
use kvalitet_store::{Where, plans, repo};

use crate::{ADMIN, TestApp};

fn column(rows: &[&[Data]], heading: &str) -> usize {
    rows[0].iter().position(|c| *c == heading).unwrap_or_else(|| panic!("no column {heading}"))
}

#[tokio::test]
async fn every_demo_plan_downloads_as_a_workbook_with_its_items_and_links() {
    on_each_backend(|store, _| async move {
        let mut admin = TestApp::with_demo(store.clone()).await;
        admin.login(ADMIN).await;
        let mut conn = store.read().await.unwrap();
        let all: Vec<Versioned<QualityPlan>> = repo::list(&mut conn, Where::all()).await.unwrap();
        drop(conn);
        assert!(all.len() >= 3);
        for plan in &all {
            let mut conn = store.read().await.unwrap();
            let b = plans::load_bundle(&mut conn, plan.id).await.unwrap();
            drop(conn);
            let (status, _, bytes) = admin.download(&format!("/planer/{}/arbetsbok.xlsx", plan.id)).await;
            assert_eq!(status, StatusCode::OK, "{}", plan.title);
            let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
            assert_eq!(wb.sheet_names(), ["Risker", "Egenkontroller", "Åtgärder", "Indikatorer", "Värden"]);

            let risks = wb.worksheet_range("Risker").unwrap();
            let risks: Vec<&[Data]> = risks.rows().collect();
            let title = column(&risks, "Risk");
            let listed: Vec<String> = risks[1..].iter().map(|r| r[title].to_string()).collect();
            assert_eq!(listed, b.risks.iter().map(|r| r.title.clone()).collect::<Vec<_>>(), "{}", plan.title);
            let level = column(&risks, "Risknivå");
            for (row, r) in risks[1..].iter().zip(&b.risks) {
                assert_eq!(row[level], Data::Float(r.level as f64));
            }
            let risk_no = |id| {
                let i = b.risks.iter().position(|r| r.id == id).unwrap();
                format!("R{}", i + 1)
            };

            let sis = wb.worksheet_range("Egenkontroller").unwrap();
            let sis: Vec<&[Data]> = sis.rows().collect();
            assert_eq!(sis.len() - 1, b.self_inspections.len());
            let linked = column(&sis, "Kopplade risker");
            for (row, s) in sis[1..].iter().zip(&b.self_inspections) {
                assert_eq!(row[column(&sis, "Egenkontroll")].to_string(), s.title);
                for (_, r) in b.links.self_inspection_risk.iter().filter(|(x, _)| *x == s.id) {
                    assert!(row[linked].to_string().split("; ").any(|n| n == risk_no(*r)), "{}", s.title);
                }
            }

            let actions = wb.worksheet_range("Åtgärder").unwrap();
            let actions: Vec<&[Data]> = actions.rows().collect();
            assert_eq!(actions.len() - 1, b.actions.len());
            let (linked, due) = (column(&actions, "Kopplade risker"), column(&actions, "Klar senast"));
            for (row, a) in actions[1..].iter().zip(&b.actions) {
                assert_eq!(row[column(&actions, "Åtgärd")].to_string(), a.title);
                let expected: Vec<String> =
                    b.links.action_risk.iter().filter(|(x, _)| *x == a.id).map(|(_, r)| risk_no(*r)).collect();
                let written = row[linked].to_string();
                let written: Vec<&str> = written.split("; ").filter(|s| !s.is_empty()).collect();
                assert_eq!(written, expected, "{}", a.title);
                assert_eq!(a.due_on.is_some(), matches!(row[due], Data::DateTime(_)), "a date is a date");
            }

            let indicators = wb.worksheet_range("Indikatorer").unwrap();
            let names: Vec<String> = indicators
                .rows()
                .skip(1)
                .map(|r| r[column(&indicators.rows().collect::<Vec<_>>(), "Kvalitetsindikator")].to_string())
                .collect();
            assert_eq!(names, b.indicators.iter().map(|i| i.name.clone()).collect::<Vec<_>>());
        }
    })
    .await;
}
