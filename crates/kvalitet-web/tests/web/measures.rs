//! Case-data measures in the interface: results per unit and month, and the case ids
//! outside a limit shown only for the user's own units, every list logged as read.

use axum::http::StatusCode;

use kvalitet_store::audit::{self, Search};
use kvalitet_store::testing::on_each_backend;

use crate::{MANAGER, STAFF, TestApp};

#[tokio::test]
async fn a_manager_sees_the_cases_outside_a_limit_only_for_their_own_units() {
    on_each_backend(|store, _| async move {
        let mut manager = TestApp::with_demo(store.clone()).await;
        manager.import_case_data().await;
        manager.login(MANAGER).await;
        let page = manager.get("/matt?matt=forhandsbedomning_14d").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Perioden 2024-01-01 – 2024-03-31"));
        assert!(page.body.contains("Personnummer lagras inte"));
        // Children's pre-assessments: 2 of 3 within 14 days.
        assert!(
            page.body.contains(
                "<th scope=\"row\" data-label=\"Del\">Alla enheter</th><td data-label=\"Resultat\" class=\"num\">67\u{a0}%</td><td data-label=\"Underlag\" class=\"num\">3</td>"
            )
        );
        assert!(page.body.contains("2024-01"), "per month");
        // The manager of Beroendeenheten may not open Barnenheten's list…
        let barn = page
            .body
            .split("<th scope=\"row\" data-label=\"Del\">Barnenheten</th>")
            .nth(1)
            .unwrap()
            .split("</tr>")
            .next()
            .unwrap()
            .to_owned();
        assert!(!barn.contains("href"), "no link to another unit's cases: {barn}");
        // …and the all-units list shows none of Barnenheten's cases.
        let all = page
            .body
            .split("<th scope=\"row\" data-label=\"Del\">Alla enheter</th>")
            .nth(1)
            .unwrap()
            .split("</tr>")
            .next()
            .unwrap()
            .to_owned();
        let href = all.split("href=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
        let cases = manager.get(&href).await;
        assert_eq!(cases.status, StatusCode::OK);
        assert!(!cases.body.contains("<td data-label=\"Ärende\">B-2</td>"));
        assert!(cases.body.contains("1 ärende i andra enheter visas inte"));

        // Adults' investigations within 60 days at Beroendeenheten: V-2 took 71 days.
        let page = manager.get("/matt?matt=vuxenutredning_60d").await.body;
        let own = page
            .split("<th scope=\"row\" data-label=\"Del\">Beroendeenheten</th>")
            .nth(1)
            .unwrap()
            .split("</tr>")
            .next()
            .unwrap()
            .to_owned();
        let href = own.split("href=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
        let cases = manager.get(&href).await.body;
        assert!(cases.contains("<td data-label=\"Ärende\">V-2</td><td data-label=\"Enhet\">Beroendeenheten</td>"));
        assert!(!cases.contains("V-1"));
        let mut conn = store.read().await.unwrap();
        let reads = audit::search(
            &mut conn,
            &Search {
                table_name: Some("measure_result".into()),
                action: Some("read".into()),
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(reads.len(), 2);
        assert!(reads.iter().all(|r| r.actor == MANAGER.0));

        let mut staff = TestApp::on(store.clone());
        staff.login(STAFF).await;
        assert_eq!(staff.get("/matt").await.status, StatusCode::FORBIDDEN);
    })
    .await;
}
