//! Every default measure against hand-computed figures, the breakdowns and TOML overrides.

use kvalitet_measures::*;

use super::*;

#[test]
fn preassessment_within_14_days() {
    let all = results(By::None);
    // A1: 2023-12-20 -> 2024-01-03 = 14 days (within, spans the period start);
    // A2: 15 days (over); A8: 2024-02-20 -> 2024-03-05 = 14 days over Feb 29 (within).
    // A3, A7 pre-assessed before the period; vuxen cases are not counted.
    let r = find(&all, "forhandsbedomning_14d", None, None);
    share(r, 2, 3);
    assert_eq!(ids(r), ["A2"]);
    // Wilson 95 % for 2 of 3: 0.2077..0.9385.
    assert!((r.ci_low.unwrap() - 0.2077).abs() < 5e-4, "{r:?}");
    assert!((r.ci_high.unwrap() - 0.9385).abs() < 5e-4, "{r:?}");
}

#[test]
fn child_investigations_4_months_and_90_days() {
    let all = results(By::None);
    // A1: 2023-10-31 + 4 months = 2024-02-29 (clamped), ended 2024-02-29: within.
    // A3: 2023-11-01 + 4 months = 2024-03-01, ended 2024-03-02: over, has an extension.
    // A7 ended 2023-12-31, before the period. A2 is open.
    let r = find(&all, "barnutredning_4man", None, None);
    share(r, 1, 2);
    assert_eq!(r.over_limit_with_extension, Some(1));
    assert_eq!(ids(r), ["A3"]);
    // A1 took 121 days, A3 122 days: both over 90.
    let r = find(&all, "barnutredning_90d", None, None);
    share(r, 0, 2);
    assert_eq!(r.over_limit_with_extension, None);
    assert_eq!(ids(r), ["A1", "A3"]);
}

#[test]
fn adult_investigations_60_90_days_and_mean() {
    let all = results(By::None);
    // A4: 2024-01-05 -> 2024-03-05 = 60 days; A5: 2023-12-01 -> 2024-03-31 = 121 days
    // (ends on the period's last day); A9: 36 days. A6 ends 2024-04-01, after the period.
    share(find(&all, "vuxenutredning_60d", None, None), 2, 3);
    let r = find(&all, "vuxenutredning_90d", None, None);
    share(r, 2, 3);
    assert_eq!(ids(r), ["A5"]);
    let r = find(&all, "vuxenutredning_dagar", None, None);
    assert_eq!(r.value_type, ValueType::Days);
    assert!(close(r.value.unwrap(), (60.0 + 121.0 + 36.0) / 3.0), "{r:?}");
    assert_eq!(r.median, Some(60.0));
    assert_eq!(r.denominator, Some(3));
    assert_eq!(r.numerator, None);
}

#[test]
fn implementation_within_14_days_and_pending_decisions() {
    let all = results(By::None);
    // Implemented in the period: A1 14 days (within), A3 18, A9 28, A4 (second) 14
    // (within), X98 2023-10-15 -> 2024-02-10 = 118.
    let r = find(&all, "verkstallighet_14d", None, None);
    share(r, 2, 5);
    assert_eq!(ids(r), ["A3", "A9", "X98"]);
    // Pending at 2024-03-31 with a decision on or before 2023-12-31: only A4's decision
    // of 2023-12-20 (X98 was implemented 2024-02-10, on or before the period's end).
    let r = find(&all, "ej_verkstallda_3man", None, None);
    assert_eq!(r.value_type, ValueType::Count);
    assert_eq!(r.value, Some(1.0));
    assert_eq!((r.numerator, r.denominator), (None, None));
    assert_eq!(ids(r), ["A4"]);
}

#[test]
fn pending_decisions_per_month_use_each_month_end() {
    let m = results(By::Month);
    let count = |month| find(&m, "ej_verkstallda_3man", None, Some(month)).value;
    // January (end 01-31, decisions on or before 2023-10-31): X98 (2023-10-15, implemented
    // only 2024-02-10). February (end 02-29, on or before 2023-11-29): none. March: A4.
    assert_eq!(count("2024-01"), Some(1.0));
    assert_eq!(count("2024-02"), Some(0.0));
    assert_eq!(count("2024-03"), Some(1.0));
    assert_eq!(find(&m, "ej_verkstallda_3man", None, None).value, Some(1.0));
}

#[test]
fn first_visit_within_10_days_with_mean_and_max() {
    let all = results(By::None);
    // Windows-1252 file: waits 10 (in), 12, 10 over Feb 29 (in), 13; one visit after
    // the period and one not yet made.
    let r = find(&all, "forsta_besok_10d", None, None);
    share(r, 2, 4);
    assert!(close(r.mean.unwrap(), 11.25), "{r:?}");
    assert_eq!(r.max, Some(13));
    // Contacts have no case ids.
    assert!(r.outside.is_empty());
}

#[test]
fn occupancy_per_residential_unit_and_month() {
    let all = results(By::None);
    // Stödboendet (2 places): A5's stay 2023-09-10..2024-01-16 occupies Jan 1-15 (15
    // days); A9's open stay from 2024-02-29 occupies Feb 29 + March (32); A4's stay that
    // ends the day it starts occupies none. 47 of 2 x 91 place-days.
    let r = find(&all, "belaggning", Some("stödboendet"), None);
    assert_eq!(r.value_type, ValueType::Occupancy);
    assert_eq!((r.numerator, r.denominator), (Some(47), Some(182)));
    assert!(close(r.value.unwrap(), 47.0 / 182.0));
    assert_eq!(r.ci_low, None);
    let r = find(&all, "belaggning", Some("Jourhemmet"), None);
    assert_eq!((r.numerator, r.denominator), (Some(0), Some(91)));
    let r = find(&all, "belaggning", None, None);
    assert_eq!((r.numerator, r.denominator), (Some(47), Some(273)));

    let m = results(By::Month);
    let month = |mm| {
        let r = find(&m, "belaggning", Some("stödboendet"), Some(mm));
        (r.numerator.unwrap(), r.denominator.unwrap())
    };
    assert_eq!(month("2024-01"), (15, 62));
    assert_eq!(month("2024-02"), (1, 58));
    assert_eq!(month("2024-03"), (31, 62));
}

#[test]
fn started_interventions_per_name() {
    let all = results(By::None);
    let count = |group: Option<&str>, month: Option<&str>, rs: &[MeasureResult]| {
        rs.iter()
            .find(|r| {
                r.measure == "paborjade_insatser"
                    && r.group.as_deref() == group
                    && r.month.as_deref() == month
                    && r.unit.is_none()
            })
            .map(|r| r.value.unwrap())
    };
    // Started in the period: FBI (A1, X98), Balder (A3), Stödboendet (A9, A4).
    assert_eq!(count(None, None, &all), Some(5.0));
    assert_eq!(count(Some("FBI"), None, &all), Some(2.0));
    assert_eq!(count(Some("Balder"), None, &all), Some(1.0));
    assert_eq!(count(Some("Stödboendet"), None, &all), Some(2.0));
    let m = results(By::Month);
    assert_eq!(count(None, Some("2024-01"), &m), Some(2.0));
    assert_eq!(count(None, Some("2024-02"), &m), Some(3.0));
    assert_eq!(count(None, Some("2024-03"), &m), Some(0.0));
    assert_eq!(count(Some("Stödboendet"), Some("2024-02"), &m), Some(2.0));
    assert_eq!(count(Some("Balder"), Some("2024-02"), &m), None);
}

#[test]
fn interventions_ended_on_plan_and_plans_followed_up() {
    let all = results(By::None);
    // Ended in the period with a planned end: A3 ended 03-01 after 02-29 (over), A5 ended
    // 01-16 before 01-31 (within). A4's second has no planned end.
    let r = find(&all, "insatstid_halls", None, None);
    share(r, 1, 2);
    assert_eq!(ids(r), ["A3"]);
    // Active at 2024-03-31: A1 (followed up 03-15: within), A9 (no plan), X99 (followed
    // up 2023-12-30, one day before 2023-12-31).
    let r = find(&all, "genomforandeplan_uppfoljd_3man", None, None);
    share(r, 1, 3);
    assert_eq!(ids(r), ["A9", "X99"]);
    let m = results(By::Month);
    // January (end 01-31): A1 (plan dated 02-01, not yet), A3 (no plan), X99 (in) -> 1/3.
    // February (end 02-29): A1 (follow-up 03-15 not yet), A3, A9 (starts 02-29), X99 -> 1/4.
    share(find(&m, "genomforandeplan_uppfoljd_3man", None, Some("2024-01")), 1, 3);
    share(find(&m, "genomforandeplan_uppfoljd_3man", None, Some("2024-02")), 1, 4);
    share(find(&m, "genomforandeplan_uppfoljd_3man", None, Some("2024-03")), 1, 3);
}

#[test]
fn intervention_started_during_investigation() {
    let all = results(By::None);
    // Investigations ended in the period: A1 (FBI started 01-24, inside), A3 (Balder
    // 01-02, inside), A4 (Stödboendet 02-03, inside), A5 (its stay started 2023-09-10,
    // before the investigation), A9 (stay started 02-29, after it ended 02-15).
    let r = find(&all, "insats_under_utredning", None, None);
    share(r, 3, 5);
    assert_eq!(ids(r), ["A5", "A9"]);
}

#[test]
fn breakdown_by_unit_and_by_month() {
    let u = results(By::Unit);
    share(find(&u, "forhandsbedomning_14d", Some("Barn och familj"), None), 1, 2);
    share(find(&u, "forhandsbedomning_14d", Some("Familjeenheten"), None), 1, 1);
    // A unit with cases of the target group but none in the population gets a row with
    // no value; a unit without cases of the target group gets none.
    share(find(&u, "barnutredning_4man", Some("Familjeenheten"), None), 0, 0);
    assert!(!u.iter().any(|r| r.measure == "forhandsbedomning_14d" && r.unit.as_deref() == Some("Vuxenenheten")));
    share(find(&u, "forhandsbedomning_14d", None, None), 2, 3);
    share(find(&u, "verkstallighet_14d", Some("Vuxenenheten"), None), 1, 2);
    share(find(&u, "verkstallighet_14d", Some("Familjeenheten"), None), 0, 1);
    let r = find(&u, "forsta_besok_10d", Some("Öppenvård Åby"), None);
    share(r, 1, 2);
    assert!(close(r.mean.unwrap(), 11.5));
    assert_eq!(r.max, Some(13));
    assert!(!u.iter().any(|r| r.month.is_some()));

    let m = results(By::Month);
    share(find(&m, "forhandsbedomning_14d", None, Some("2024-01")), 1, 2);
    share(find(&m, "forhandsbedomning_14d", None, Some("2024-02")), 0, 0);
    share(find(&m, "forhandsbedomning_14d", None, Some("2024-03")), 1, 1);
    share(find(&m, "verkstallighet_14d", None, Some("2024-02")), 1, 3);
    share(find(&m, "verkstallighet_14d", None, None), 2, 5);
    assert!(!m.iter().any(|r| r.unit.is_some() && r.measure != "belaggning"));
}

#[test]
fn a_municipality_can_change_a_limit_in_toml() {
    let dir = std::env::temp_dir().join(format!("kvalitet-measures-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let toml = dir.join("measures.toml");
    std::fs::write(
        &toml,
        r#"
        [[measure]]
        id = "forhandsbedomning_14d"
        name = "Förhandsbedömning inom 15 dagar"
        kind = "within_limit"
        from = "aktualisering"
        to = "forhandsbedomning"
        limit_days = 15
        target_group = "barn"

        [[measure]]
        id = "vuxen_forhandsbedomning_3d"
        name = "Förhandsbedömning vuxna inom 3 dagar"
        kind = "within_limit"
        from = "aktualisering"
        to = "forhandsbedomning"
        limit_days = 3
        target_group = "vuxen"
        "#,
    )
    .unwrap();
    let arenden = fixture("arenden.csv").display().to_string();
    let args = cli(&["--arenden", &arenden, "--format", "json", "--measures", toml.to_str().unwrap()]);
    let mut out = Vec::new();
    run_compute(&args, &mut out).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let get = |id: &str| json.as_array().unwrap().iter().find(|r| r["measure"] == id).cloned().unwrap();
    // A2's 15 days is now within.
    assert_eq!(get("forhandsbedomning_14d")["numerator"], 3);
    // Vuxen pre-assessed in the period: A4 (3 days, in), A6 (10 days), A9 (3 days, in).
    assert_eq!(get("vuxen_forhandsbedomning_3d")["numerator"], 2);
    assert_eq!(get("vuxen_forhandsbedomning_3d")["denominator"], 3);
}
