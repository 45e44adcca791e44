//! Corrections through the store: one function for every recorded kind, refusing what
//! recording refuses and what would leave an item without what derives from its records
//! (a risk's level), writing nothing when it refuses.

use kvalitet_domain::action::{Action, ActionFollowUp, ActionStatus};
use kvalitet_domain::correction::{Correction, CorrectionKind};
use kvalitet_domain::indicator::{Direction, Indicator, IndicatorResult, IndicatorSource, MeasureUnit};
use kvalitet_domain::risk::{Risk, RiskAssessment};
use kvalitet_domain::{Id, Versioned};
use kvalitet_store::corrections::correct;
use kvalitet_store::testing::on_each_backend;
use kvalitet_store::{Actor, StoreError, Where, plans, repo};

use crate::{action, day, fixture, risk};

fn field_of(e: StoreError) -> Vec<&'static str> {
    match e {
        StoreError::Invalid(v) => v.errors.iter().map(|e| e.field).collect(),
        other => panic!("expected invalid, got {other:?}"),
    }
}

#[tokio::test]
async fn a_risks_level_follows_its_corrected_assessments_and_its_only_one_stays() {
    on_each_backend(|store, _| async move {
        let f = fixture(&store).await;
        let mut tx = store.write(&Actor::system("test")).await.unwrap();
        let r = plans::add_risk(&mut tx, &risk(&f, "Barn får inte stöd i tid", 9), day(2024, 1, 5)).await.unwrap();
        tx.commit().await.unwrap();
        let mut conn = store.read().await.unwrap();
        let first = kvalitet_store::corrections::assessments(&mut conn, r).await.unwrap()[0].clone();
        drop(conn);

        let mut tx = store.write(&Actor::system("test")).await.unwrap();
        let err = correct::<RiskAssessment>(&mut tx, first.id, 1, None, "Fel.", "Kim", day(2024, 2, 1)).await;
        assert_eq!(field_of(err.unwrap_err()), vec!["assessment"], "the only assessment stays");
        let later = RiskAssessment {
            risk_id: r,
            assessed_on: day(2024, 6, 1),
            likelihood: Some(2),
            consequence: Some(3),
            level: 6,
            comment: String::new(),
        };
        plans::reassess_risk(&mut tx, r, 1, &later).await.unwrap();
        tx.commit().await.unwrap();
        let mut conn = store.read().await.unwrap();
        let latest = kvalitet_store::corrections::assessments(&mut conn, r).await.unwrap()[1].clone();
        drop(conn);

        let mut tx = store.write(&Actor::system("test")).await.unwrap();
        let wrong = RiskAssessment { level: 7, ..later.clone() };
        let err = correct(&mut tx, latest.id, 1, Some(&wrong), "Fel nivå.", "Kim", day(2024, 7, 1)).await;
        assert_eq!(field_of(err.unwrap_err()), vec!["level"], "checked against the matrix");
        let err = correct::<RiskAssessment>(&mut tx, latest.id, 1, None, "  ", "Kim", day(2024, 7, 1)).await;
        assert_eq!(field_of(err.unwrap_err()), vec!["reason"]);
        let err = correct::<RiskAssessment>(&mut tx, latest.id, 5, None, "Fel.", "Kim", day(2024, 7, 1)).await;
        assert!(matches!(err, Err(StoreError::Conflict { .. })), "a stale version");
        let higher = RiskAssessment { consequence: Some(4), level: 8, ..later.clone() };
        correct(&mut tx, latest.id, 1, Some(&higher), "Större konsekvens.", "Kim", day(2024, 7, 1)).await.unwrap();
        let now = repo::get::<Risk>(&mut tx, r).await.unwrap();
        assert_eq!((now.likelihood, now.consequence, now.level), (Some(2), Some(4), 8));
        correct::<RiskAssessment>(&mut tx, latest.id, 2, None, "Fel risk.", "Kim", day(2024, 7, 2)).await.unwrap();
        let now = repo::get::<Risk>(&mut tx, r).await.unwrap();
        assert_eq!((now.likelihood, now.consequence, now.level), (None, None, 9), "back to the first");
        tx.commit().await.unwrap();

        let mut conn = store.read().await.unwrap();
        let history = kvalitet_store::corrections::history(&mut conn, "risk", r.get()).await.unwrap();
        assert_eq!(history.len(), 2, "only what was written");
        assert_eq!(history[0].kind, CorrectionKind::Removed, "newest first");
        assert_eq!((history[1].reason.as_str(), history[1].corrected_by.as_str()), ("Större konsekvens.", "Kim"));
        let before: RiskAssessment = serde_json::from_str(&history[1].before_text).unwrap();
        assert_eq!(before, later, "what it said before");
    })
    .await;
}

#[tokio::test]
async fn results_stay_one_a_year_and_an_actions_status_follows_its_latest_follow_up() {
    on_each_backend(|store, _| async move {
        let f = fixture(&store).await;
        let mut tx = store.write(&Actor::system("test")).await.unwrap();
        let ind = plans::create(
            &mut tx,
            &Indicator {
                plan_id: f.plan,
                area_id: f.area,
                name: "Andel i tid".into(),
                quality_factor_id: None,
                unit: MeasureUnit::Percent,
                source: IndicatorSource::CaseSystem,
                target_value: None,
                direction: Direction::HigherIsBetter,
                no_data: false,
                note: String::new(),
                previous_indicator_id: None,
                sort_order: 1,
                kolada_kpi: None,
            },
        )
        .await
        .unwrap();
        let result = |year: i64| IndicatorResult {
            indicator_id: ind,
            year,
            value: Some(75.0),
            numerator: Some(45),
            denominator: Some(60),
            answers: None,
            response_rate: None,
            national_value: None,
            comment: String::new(),
            no_data: false,
        };
        plans::add_indicator_result(&mut tx, &result(2023)).await.unwrap();
        let r2024 = plans::add_indicator_result(&mut tx, &result(2024)).await.unwrap();
        let a = plans::create(&mut tx, &action(&f, "Ny rutin", ActionStatus::Planned)).await.unwrap();
        let done = ActionFollowUp {
            action_id: a,
            entry_on: day(2024, 6, 30),
            undated: false,
            text: "Införd.".into(),
            new_status: ActionStatus::Done,
            recorded_by: "Maja".into(),
        };
        plans::follow_up_action(&mut tx, 1, &done).await.unwrap();
        tx.commit().await.unwrap();

        let mut tx = store.write(&Actor::system("test")).await.unwrap();
        let err = correct(&mut tx, r2024, 1, Some(&result(2023)), "Fel år.", "Maja", day(2024, 7, 1)).await;
        assert_eq!(field_of(err.unwrap_err()), vec!["year"], "one result a year");
        let against = IndicatorResult { value: Some(95.0), ..result(2024) };
        let err = correct(&mut tx, r2024, 1, Some(&against), "Fel.", "Maja", day(2024, 7, 1)).await;
        assert_eq!(field_of(err.unwrap_err()), vec!["value"], "the value agrees with its fraction");
        let other = Id::<Indicator>::new(ind.get() + 1000);
        let err = correct(
            &mut tx,
            r2024,
            1,
            Some(&IndicatorResult { indicator_id: other, ..result(2024) }),
            "x",
            "M",
            day(2024, 7, 1),
        )
        .await;
        assert!(err.is_err(), "a correction does not move a result to another indicator");
        let fixed = IndicatorResult { value: Some(80.0), numerator: Some(48), ..result(2024) };
        correct(&mut tx, r2024, 1, Some(&fixed), "48 av 60.", "Maja", day(2024, 7, 1)).await.unwrap();

        let list: Vec<Versioned<ActionFollowUp>> = repo::list(&mut tx, Where::all()).await.unwrap();
        let fu = list.iter().find(|x| x.action_id == a).unwrap().id;
        let ongoing = ActionFollowUp { new_status: ActionStatus::Ongoing, ..done.clone() };
        correct(&mut tx, fu, 1, Some(&ongoing), "Inte klar än.", "Maja", day(2024, 7, 1)).await.unwrap();
        assert_eq!(repo::get::<Action>(&mut tx, a).await.unwrap().status, ActionStatus::Ongoing);
        let planned = ActionFollowUp { entry_on: day(2024, 8, 1), new_status: ActionStatus::Planned, ..done.clone() };
        plans::follow_up_action(&mut tx, 3, &ActionFollowUp { entry_on: day(2024, 8, 1), ..done.clone() })
            .await
            .unwrap();
        let second =
            repo::list::<ActionFollowUp>(&mut tx, Where::all()).await.unwrap().iter().map(|x| x.id).max().unwrap();
        let err = correct(&mut tx, second, 1, Some(&planned), "Fel.", "Maja", day(2024, 8, 2)).await;
        assert_eq!(field_of(err.unwrap_err()), vec!["new_status"], "not planned again after ongoing");
        correct::<ActionFollowUp>(&mut tx, second, 1, None, "Dubbel.", "Maja", day(2024, 8, 2)).await.unwrap();
        assert_eq!(repo::get::<Action>(&mut tx, a).await.unwrap().status, ActionStatus::Ongoing, "the latest left");
        tx.commit().await.unwrap();

        let mut conn = store.read().await.unwrap();
        let all: Vec<Versioned<Correction>> = repo::list(&mut conn, Where::all()).await.unwrap();
        assert_eq!(all.len(), 3, "nothing written by the refusals");
        let got = repo::get::<IndicatorResult>(&mut conn, r2024).await.unwrap();
        assert_eq!((got.value, got.numerator), (Some(80.0), Some(48)));
    })
    .await;
}
