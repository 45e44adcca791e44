//! A large plan's page reads one part of the plan: the parts together must be the whole
//! plan, each part exactly its area's items with what they show, and the outline's
//! counts those of the whole plan. Checked on every demo plan, with a self-inspection
//! that names a risk of another area.

use std::collections::{BTreeMap, BTreeSet};

use kvalitet_domain::Code;
use kvalitet_domain::action::ActionStatus;
use kvalitet_domain::bundle::PlanBundle;
use kvalitet_domain::plan::QualityPlan;
use kvalitet_domain::{Id, Versioned};
use kvalitet_store::links::{self, LinkKind};
use kvalitet_store::plan_part::{self, AreaFilter, PlanItem, PlanPart};
use kvalitet_store::testing::on_each_backend;
use kvalitet_store::{Actor, Where, plans, repo};

fn ids<T>(v: &[Versioned<T>]) -> BTreeSet<i64> {
    v.iter().map(|x| x.id.get()).collect()
}

/// The part of the whole plan `b` that shows `action` first: the first area in display
/// order among its risks' and self-inspections' areas.
fn expected_part(b: &PlanBundle, action: i64) -> PlanPart {
    let mut areas: Vec<_> = b
        .links
        .action_risk
        .iter()
        .filter(|(a, _)| a.get() == action)
        .filter_map(|(_, r)| b.risks.iter().find(|x| x.id == *r).map(|x| x.process_area_id))
        .chain(
            b.links
                .action_self_inspection
                .iter()
                .filter(|(a, _)| a.get() == action)
                .filter_map(|(_, s)| b.self_inspections.iter().find(|x| x.id == *s).map(|x| x.process_area_id)),
        )
        .filter_map(|a| b.area(a))
        .collect();
    areas.sort_by_key(|a| (a.sort_order, a.id));
    areas.first().map_or(PlanPart::LooseActions, |a| PlanPart::Area(a.id))
}

/// The risks of the whole plan `b` that any of the self-inspections `sis` names.
fn named_risks(b: &PlanBundle, sis: &BTreeSet<i64>) -> BTreeSet<i64> {
    b.links.self_inspection_risk.iter().filter(|(s, _)| sis.contains(&s.get())).map(|(_, r)| r.get()).collect()
}

/// The actions of the whole plan `b` tied to any of `risks` or `sis`.
fn actions_of(b: &PlanBundle, risks: &BTreeSet<i64>, sis: &BTreeSet<i64>) -> BTreeSet<i64> {
    let by_risk = b.links.action_risk.iter().filter(|(_, r)| risks.contains(&r.get()));
    let by_si = b.links.action_self_inspection.iter().filter(|(_, s)| sis.contains(&s.get()));
    by_risk.map(|(a, _)| a.get()).chain(by_si.map(|(a, _)| a.get())).collect()
}

#[tokio::test]
async fn the_parts_of_a_plan_together_are_the_whole_plan() {
    on_each_backend(|store, _| async move {
        kvalitet_demo::load(&store).await.unwrap();
        let mut conn = store.read().await.unwrap();
        let all: Vec<Versioned<QualityPlan>> = repo::list(&mut conn, Where::all()).await.unwrap();
        drop(conn);
        // A self-inspection naming a risk of another area of its plan.
        let mut crossed = None;
        for p in &all {
            let mut conn = store.read().await.unwrap();
            let b = plans::load_bundle(&mut conn, p.id).await.unwrap();
            drop(conn);
            let pair = b.self_inspections.iter().find_map(|s| {
                b.risks.iter().find(|r| r.process_area_id != s.process_area_id).map(|r| (s.id.get(), r.id.get()))
            });
            if let Some((s, r)) = pair {
                let mut tx = store.write(&Actor::system("test")).await.unwrap();
                links::link(&mut tx, LinkKind::SelfInspectionRisk, s, r).await.unwrap();
                tx.commit().await.unwrap();
                crossed = Some((p.id, s, r));
                break;
            }
        }
        let crossed = crossed.expect("a plan with self-inspections and risks in two areas");

        for p in &all {
            let mut conn = store.read().await.unwrap();
            let whole = plans::load_bundle(&mut conn, p.id).await.unwrap();
            let o = plan_part::outline(&mut conn, p.id).await.unwrap();
            let linked: BTreeSet<i64> = whole
                .links
                .action_risk
                .iter()
                .map(|(a, _)| a.get())
                .chain(whole.links.action_self_inspection.iter().map(|(a, _)| a.get()))
                .collect();
            assert_eq!(o.risks as usize, whole.risks.len(), "plan {}", p.id);
            assert_eq!(o.self_inspections as usize, whole.self_inspections.len());
            assert_eq!(o.actions as usize, whole.actions.len());
            assert_eq!(o.indicators as usize, whole.indicators.len());
            assert_eq!(o.to_reassess as usize, whole.risks.iter().filter(|r| r.needs_reassessment).count());
            let no_owner = whole
                .actions
                .iter()
                .filter(|a| a.responsible_account_id.is_none() && a.responsible.trim().is_empty())
                .count();
            assert_eq!(o.without_owner as usize, no_owner);
            assert_eq!(
                o.loose_actions as usize,
                whole.actions.iter().filter(|a| !linked.contains(&a.id.get())).count()
            );
            let mut counted: BTreeMap<i64, (i64, i64)> = BTreeMap::new();
            for r in &whole.risks {
                counted.entry(r.process_area_id.get()).or_default().0 += 1;
            }
            for s in &whole.self_inspections {
                counted.entry(s.process_area_id.get()).or_default().0 += 1;
            }
            for i in &whole.indicators {
                counted.entry(i.area_id.get()).or_default().1 += 1;
            }
            let outlined: BTreeMap<i64, (i64, i64)> =
                o.areas.iter().map(|a| (a.area.get(), (a.items, a.indicators))).collect();
            assert_eq!(outlined, counted, "plan {}", p.id);

            // Each part, and the union of the parts.
            let mut actions = BTreeSet::new();
            let mut follow_ups = BTreeSet::new();
            let parts = o.areas.iter().map(|a| PlanPart::Area(a.area)).chain([PlanPart::LooseActions]);
            for part in parts {
                let mut b = plans::load_head(&mut conn, p.id).await.unwrap();
                plan_part::fill_part(&mut conn, &mut b, part).await.unwrap();
                let in_area = |area: Id<kvalitet_domain::org::ProcessArea>| PlanPart::Area(area) == part;
                let own_risks: BTreeSet<i64> =
                    b.risks.iter().filter(|r| in_area(r.process_area_id)).map(|r| r.id.get()).collect();
                let want_risks: BTreeSet<i64> =
                    whole.risks.iter().filter(|r| in_area(r.process_area_id)).map(|r| r.id.get()).collect();
                assert_eq!(own_risks, want_risks, "{part:?}");
                let sis: BTreeSet<i64> =
                    whole.self_inspections.iter().filter(|s| in_area(s.process_area_id)).map(|s| s.id.get()).collect();
                assert_eq!(ids(&b.self_inspections), sis);
                let inds: BTreeSet<i64> =
                    whole.indicators.iter().filter(|i| in_area(i.area_id)).map(|i| i.id.get()).collect();
                assert_eq!(ids(&b.indicators), inds);
                // The other areas' risks read are exactly those its self-inspections name.
                let named = &named_risks(&whole, &sis) - &want_risks;
                assert_eq!(ids(&b.risks), &want_risks | &named);
                let want_actions: BTreeSet<i64> = match part {
                    PlanPart::LooseActions => &ids(&whole.actions) - &linked,
                    PlanPart::Area(_) => actions_of(&whole, &want_risks, &sis),
                };
                assert_eq!(ids(&b.actions), want_actions, "{part:?}");
                let want_follow_ups: BTreeSet<i64> = whole
                    .action_follow_ups
                    .iter()
                    .filter(|f| want_actions.contains(&f.action_id.get()))
                    .map(|f| f.id.get())
                    .collect();
                assert_eq!(ids(&b.action_follow_ups), want_follow_ups);
                let runs: BTreeSet<i64> = whole
                    .runs
                    .iter()
                    .filter(|r| sis.contains(&r.self_inspection_id.get()))
                    .map(|r| r.id.get())
                    .collect();
                assert_eq!(ids(&b.runs), runs);
                let results: BTreeSet<i64> = whole
                    .indicator_results
                    .iter()
                    .filter(|r| inds.contains(&r.indicator_id.get()))
                    .map(|r| r.id.get())
                    .collect();
                assert_eq!(ids(&b.indicator_results), results);
                // Every record read is the whole plan's, as it stands.
                for r in &b.risks {
                    assert_eq!(Some(r), whole.risks.iter().find(|x| x.id == r.id));
                }
                for a in &b.actions {
                    assert_eq!(Some(a), whole.actions.iter().find(|x| x.id == a.id));
                }
                if p.id == crossed.0 && sis.contains(&crossed.1) {
                    assert!(b.risks.iter().any(|r| r.id.get() == crossed.2), "the named risk of another area");
                }
                actions.extend(want_actions);
                follow_ups.extend(ids(&b.action_follow_ups));
            }
            assert_eq!(actions, ids(&whole.actions), "every action is in a part");
            assert_eq!(follow_ups, ids(&whole.action_follow_ups));

            // The part that shows an item first.
            for r in &whole.risks {
                let part = plan_part::part_of(&mut conn, p.id, PlanItem::Risk(r.id)).await.unwrap();
                assert_eq!(part, Some(PlanPart::Area(r.process_area_id)));
            }
            for i in &whole.indicators {
                let part = plan_part::part_of(&mut conn, p.id, PlanItem::Indicator(i.id)).await.unwrap();
                assert_eq!(part, Some(PlanPart::Area(i.area_id)));
            }
            for a in &whole.actions {
                let part = plan_part::part_of(&mut conn, p.id, PlanItem::Action(a.id)).await.unwrap();
                assert_eq!(part, Some(expected_part(&whole, a.id.get())), "action {}", a.id);
            }
            // Another plan's item is in no part of this one.
            if let Some(other) = all.iter().find(|x| x.id != p.id) {
                let b = plans::load_bundle(&mut conn, other.id).await.unwrap();
                if let Some(r) = b.risks.first() {
                    assert_eq!(plan_part::part_of(&mut conn, p.id, PlanItem::Risk(r.id)).await.unwrap(), None);
                }
            }
        }
    })
    .await;
}

/// The area's items `area_items` should list: its risks, then its self-inspections, each
/// in display order, those with an action of `status` when given, only the
/// self-inspections of `unit` when given.
fn expected_items(whole: &PlanBundle, area: i64, status: Option<&str>, unit: Option<i64>) -> Vec<PlanItem> {
    let has_status = |actions: Vec<i64>| match status {
        None => true,
        Some(s) => whole.actions.iter().any(|a| actions.contains(&a.id.get()) && a.status.code() == s),
    };
    let mut risks: Vec<_> = whole.risks.iter().filter(|r| r.process_area_id.get() == area && unit.is_none()).collect();
    risks.sort_by_key(|r| (r.sort_order, r.id));
    let mut sis: Vec<_> = whole
        .self_inspections
        .iter()
        .filter(|s| s.process_area_id.get() == area && unit.is_none_or(|u| s.unit_id.map(|x| x.get()) == Some(u)))
        .collect();
    sis.sort_by_key(|s| (s.sort_order, s.id));
    risks
        .into_iter()
        .filter(|r| {
            has_status(whole.links.action_risk.iter().filter(|(_, x)| *x == r.id).map(|(a, _)| a.get()).collect())
        })
        .map(|r| PlanItem::Risk(r.id))
        .chain(
            sis.into_iter()
                .filter(|s| {
                    has_status(
                        whole
                            .links
                            .action_self_inspection
                            .iter()
                            .filter(|(_, x)| *x == s.id)
                            .map(|(a, _)| a.get())
                            .collect(),
                    )
                })
                .map(|s| PlanItem::SelfInspection(s.id)),
        )
        .collect()
}

#[tokio::test]
async fn an_areas_items_are_listed_filtered_and_a_page_of_them_is_read_alone() {
    on_each_backend(|store, _| async move {
        kvalitet_demo::load(&store).await.unwrap();
        let mut conn = store.read().await.unwrap();
        let all: Vec<Versioned<QualityPlan>> = repo::list(&mut conn, Where::all()).await.unwrap();
        let mut filtered_some = false;
        for p in &all {
            let whole = plans::load_bundle(&mut conn, p.id).await.unwrap();
            let o = plan_part::outline(&mut conn, p.id).await.unwrap();
            let mut units: Vec<i64> =
                whole.self_inspections.iter().filter_map(|s| s.unit_id.map(|u| u.get())).collect();
            units.sort();
            units.dedup();
            let statuses = ActionStatus::ALL.iter().map(|s| Some(s.code()));
            for a in &o.areas {
                let area = a.area.get();
                for status in [None].into_iter().chain(statuses.clone()) {
                    for unit in [None, Some(-1)].into_iter().chain(units.iter().map(|u| Some(*u))) {
                        let filter = AreaFilter { status: status.map(str::to_owned), unit };
                        let listed = plan_part::area_items(&mut conn, p.id, a.area, &filter).await.unwrap();
                        let want = expected_items(&whole, area, status, unit);
                        assert_eq!(listed, want, "plan {} area {area} {filter:?}", p.id);
                        let none = expected_items(&whole, area, None, None);
                        filtered_some |= !want.is_empty() && want.len() < none.len();
                    }
                }
                // Every other item of the area, read alone: exactly those, the risks their
                // self-inspections name, and their actions.
                let items: Vec<PlanItem> = expected_items(&whole, area, None, None).into_iter().step_by(2).collect();
                let mut b = plans::load_head(&mut conn, p.id).await.unwrap();
                plan_part::fill_area_items(&mut conn, &mut b, a.area, &items).await.unwrap();
                let risks: BTreeSet<i64> =
                    items.iter().filter_map(|i| if let PlanItem::Risk(r) = i { Some(r.get()) } else { None }).collect();
                let sis: BTreeSet<i64> = items
                    .iter()
                    .filter_map(|i| if let PlanItem::SelfInspection(s) = i { Some(s.get()) } else { None })
                    .collect();
                assert_eq!(ids(&b.self_inspections), sis);
                let named = named_risks(&whole, &sis);
                assert_eq!(ids(&b.risks), &risks | &named, "plan {} area {area}", p.id);
                assert_eq!(ids(&b.actions), actions_of(&whole, &risks, &sis));
                let inds: BTreeSet<i64> =
                    whole.indicators.iter().filter(|i| i.area_id.get() == area).map(|i| i.id.get()).collect();
                assert_eq!(ids(&b.indicators), inds, "the area's indicators all");
            }
            // The items an action is tied to.
            for a in &whole.actions {
                let mut tied = plan_part::items_of_action(&mut conn, a.id).await.unwrap();
                tied.sort_by_key(|i| format!("{i:?}"));
                let mut want: Vec<PlanItem> = whole
                    .links
                    .action_risk
                    .iter()
                    .filter(|(x, _)| *x == a.id)
                    .map(|(_, r)| PlanItem::Risk(*r))
                    .chain(
                        whole
                            .links
                            .action_self_inspection
                            .iter()
                            .filter(|(x, _)| *x == a.id)
                            .map(|(_, s)| PlanItem::SelfInspection(*s)),
                    )
                    .collect();
                want.sort_by_key(|i| format!("{i:?}"));
                assert_eq!(tied, want, "action {}", a.id);
            }
        }
        assert!(filtered_some, "some filter keeps some of an area's items but not all");
    })
    .await;
}
