//! The board documents through the web: the plan's "Dokument" page and the API endpoint,
//! with only what the user may read in the file.

use axum::http::{StatusCode, header};

use kvalitet_store::audit::{self, Search};
use kvalitet_store::testing::on_each_backend;

use crate::{MANAGER, READER, TestApp};

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
