//! Kolada's comparison (F13) in the documents of the demo: in the Uppföljning beside the
//! indicator's results, in the Kvalitetsberättelse as a chapter, in every format, with
//! the demo's made-up values marked "Exempeldata"; nothing in the Kvalitetsplan, and
//! nothing anywhere once no value is stored.

use kvalitet_documents::{DocumentKind, load_input};

use super::{demo, generate, norm, pos, unit};

#[tokio::test]
async fn the_follow_up_and_the_report_show_the_comparison_with_its_source() {
    let db = demo().await;
    let vuxna = unit(&db.store, "Vuxensektionen").await;
    let input = load_input(&db.store, DocumentKind::FollowUp, 2022, Some(vuxna.id)).await.unwrap();
    for g in generate(DocumentKind::FollowUp, &input) {
        let at = pos(&g, "Brukarbedömning våld i nära relationer – förbättrad situation", 0);
        let at = pos(&g, "Jämförelse med Kolada – Brukarbedömning våld i nära relationer", at);
        let at = pos(&g, "Liknande kommuner IFO (exempel)", at);
        // 2022: own 77 %, the municipality 77 %, the nation 63 %, the group 68 %.
        let at = pos(&g, "2022 77 % 77 % 63 % 68 %", at);
        pos(&g, "Exempeldata: påhittade värden för demonstrationen, inte hämtade från Kolada (nyckeltal U41461).", at);
        assert!(g.text.contains(&norm("Jämförelse med Kolada – Brukarbedömning missbruksvård")), "{:?}", g.format);
        assert!(!g.text.contains(&norm("Jämförelse med Kolada – Avhoppare")), "only indicators with a key figure");
    }
    let input = load_input(&db.store, DocumentKind::Report, 2022, Some(vuxna.id)).await.unwrap();
    for g in generate(DocumentKind::Report, &input) {
        let at = pos(&g, "Jämförelser med andra kommuner", 0);
        let at = pos(&g, "Jämförelse med Kolada – Brukarbedömning våld i nära relationer", at);
        pos(&g, "Exempeldata", at);
    }
    let input = load_input(&db.store, DocumentKind::Plan, 2022, Some(vuxna.id)).await.unwrap();
    for g in generate(DocumentKind::Plan, &input) {
        assert!(!g.text.contains("Jämförelse med Kolada"), "{:?}", g.format);
    }

    // Without stored values, no comparison and no figure.
    let mut conn = db.store.read().await.unwrap();
    sqlx::query("DELETE FROM kolada_value").execute(&mut *conn).await.unwrap();
    drop(conn);
    for kind in [DocumentKind::FollowUp, DocumentKind::Report] {
        let input = load_input(&db.store, kind, 2022, Some(vuxna.id)).await.unwrap();
        assert!(input.kolada.is_empty());
        for g in generate(kind, &input) {
            assert!(!g.text.contains("Jämförelse med Kolada") && !g.text.contains("Exempeldata"), "{:?}", g.format);
        }
    }
}
