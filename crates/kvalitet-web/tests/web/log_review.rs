//! The access-log review of this system, month by month, through HTTP.

use axum::http::StatusCode;

use kvalitet_domain::Versioned;
use kvalitet_domain::access::AccessLogReview;
use kvalitet_domain::self_inspection::{SelfInspectionRun, Verdict};
use kvalitet_store::testing::on_each_backend;
use kvalitet_store::{Where, repo};

use crate::{ADMIN, TestApp};

#[tokio::test]
async fn every_account_is_reviewed_within_the_year_and_each_month_is_a_self_inspection_run() {
    on_each_backend(|store, _| async move {
        let mut app = TestApp::with_demo(store.clone()).await;
        app.login(ADMIN).await;
        let csrf = app.csrf().await;
        for month in 1..=12 {
            let page = app.get(&format!("/admin/loggkontroll?ar=2024&manad={month}")).await;
            assert_eq!(page.status, StatusCode::OK);
            if page.body.contains("Ingen behöver granskas") {
                continue;
            }
            assert!(page.body.contains("visa loggen för månaden"));
            let res = app
                .post(
                    "/admin/loggkontroll",
                    &[("csrf", &csrf), ("ar", "2024"), ("manad", &month.to_string()), ("outcome", "no_remarks")],
                )
                .await;
            assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        }
        // A review with remarks needs a comment.
        let res = app
            .post("/admin/loggkontroll", &[("csrf", &csrf), ("ar", "2025"), ("manad", "1"), ("outcome", "remarks")])
            .await;
        assert_eq!(res.status, StatusCode::OK);
        assert!(res.body.contains("Beskriv vad som behöver utredas"));

        let mut conn = store.read().await.unwrap();
        let reviews: Vec<Versioned<AccessLogReview>> =
            repo::list(&mut conn, Where::sql("year = 2024", vec![])).await.unwrap();
        let mut reviewed: Vec<i64> = reviews.iter().map(|r| r.account_id.get()).collect();
        reviewed.sort_unstable();
        reviewed.dedup();
        // Every demo account but the reviewer's own, which is left to another reviewer.
        assert_eq!(reviewed.len(), 4, "the four other demo accounts reviewed in 2024, each once");
        assert_eq!(reviews.len(), 4);
        // The 2024 plan's "Loggkontroll" self-inspection got one run per reviewed month.
        let runs: Vec<Versioned<SelfInspectionRun>> = repo::list(
            &mut conn,
            Where::sql(
                "self_inspection_id IN (SELECT id FROM self_inspection WHERE method = 'access_log_review')",
                vec![],
            ),
        )
        .await
        .unwrap();
        let new_runs: Vec<_> =
            runs.iter().filter(|r| r.comment.starts_with("Loggkontroll av Kvalitet 2024-")).collect();
        let months: std::collections::BTreeSet<i64> = reviews.iter().map(|r| r.month).collect();
        assert_eq!(new_runs.len(), months.len());
        assert!(new_runs.iter().all(|r| r.verdict == Verdict::Approved && r.sample_size.is_some()));
        assert_eq!(new_runs.iter().map(|r| r.sample_size.unwrap()).sum::<i64>(), 4);
    })
    .await;
}
