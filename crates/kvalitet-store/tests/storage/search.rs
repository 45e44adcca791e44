//! Search through the full-text indexes of migration 0015, on both backends: the index
//! follows every insert, update and delete in the writing transaction; å, ä and ö are
//! letters of their own; PostgreSQL stems Swedish, SQLite matches the beginnings of
//! words; nothing a person types is query syntax.

use kvalitet_domain::Versioned;
use kvalitet_domain::action::ActionStatus;
use kvalitet_domain::deviation::{Deviation, DeviationKind};
use kvalitet_domain::org::TenantId;
use kvalitet_domain::plan::{PlanState, QualityPlan, Section, SectionKind};
use kvalitet_domain::risk::Risk;
use kvalitet_store::search::{Group, GroupHits, Owner, SearchQuery, search};
use kvalitet_store::testing::on_each_backend;
use kvalitet_store::{Actor, Backend, Store, plans, repo};

use crate::{Fixture, action, day, fixture, risk};

/// The (group, table, id) of every hit for `text`, everything readable.
async fn found(store: &Store, tenant: TenantId, text: &str) -> Vec<(Group, &'static str, i64)> {
    let groups = search_all(store, tenant, text, 50).await;
    groups.iter().flat_map(|g| g.hits.iter().map(|h| (h.group, h.table, h.id))).collect()
}

async fn search_all(store: &Store, tenant: TenantId, text: &str, per_group: usize) -> Vec<GroupHits> {
    let query = SearchQuery::parse(text).unwrap();
    let mut conn = store.read().await.unwrap();
    search(&mut conn, tenant, &query, per_group, |_| true).await.unwrap()
}

async fn add_risk(store: &Store, f: &Fixture, title: &str, consequence: &str) -> i64 {
    let mut tx = store.write(&Actor::system("test")).await.unwrap();
    let r = Risk { consequence_text: consequence.into(), ..risk(f, title, 4) };
    let id = plans::add_risk(&mut tx, &r, day(2024, 1, 5)).await.unwrap();
    tx.commit().await.unwrap();
    id.get()
}

#[tokio::test]
async fn the_index_follows_inserts_updates_and_deletes() {
    on_each_backend(|store, _| async move {
        let f = fixture(&store).await;
        let id = add_risk(&store, &f, "Dokumentationen brister", "Beslut fattas på ofullständigt underlag.").await;
        assert_eq!(found(&store, f.tenant, "underlag").await, vec![(Group::Risk, "risk", id)], "by its text");
        assert_eq!(found(&store, f.tenant, "DOKUMENTATIONEN").await, vec![(Group::Risk, "risk", id)], "by its title");
        assert!(found(&store, TenantId::new(f.tenant.get() + 1000), "underlag").await.is_empty(), "other tenants'");

        // Updated: found by what it says now, not by what it said.
        let mut tx = store.write(&Actor::system("test")).await.unwrap();
        let current: Versioned<Risk> = repo::get(&mut tx, kvalitet_domain::Id::new(id)).await.unwrap();
        let changed = Risk { title: "Journalföring dröjer".into(), ..current.item.clone() };
        repo::update(&mut tx, current.id, current.version, &changed).await.unwrap();
        // Inside the writing transaction the index already says so.
        let query = SearchQuery::parse("journalföring").unwrap();
        let inside = search(&mut tx, f.tenant, &query, 50, |_| true).await.unwrap();
        assert_eq!(inside.iter().map(|g| g.hits.len()).sum::<usize>(), 1);
        tx.commit().await.unwrap();
        assert!(found(&store, f.tenant, "dokumentationen").await.is_empty(), "the old title is gone");
        assert_eq!(found(&store, f.tenant, "journalföring").await, vec![(Group::Risk, "risk", id)]);

        // An update that is rolled back leaves the index as it was.
        let mut tx = store.write(&Actor::system("test")).await.unwrap();
        let current: Versioned<Risk> = repo::get(&mut tx, kvalitet_domain::Id::new(id)).await.unwrap();
        let other = Risk { title: "Annat".into(), ..current.item.clone() };
        repo::update(&mut tx, current.id, current.version, &other).await.unwrap();
        drop(tx);
        assert_eq!(found(&store, f.tenant, "journalföring").await, vec![(Group::Risk, "risk", id)]);

        // Other kinds: an action, a section of the plan, a deviation.
        let mut tx = store.write(&Actor::system("test")).await.unwrap();
        let a = plans::create(
            &mut tx,
            &kvalitet_domain::action::Action {
                description: "Införa checklista för journalföring".into(),
                ..action(&f, "Checklista", ActionStatus::Planned)
            },
        )
        .await
        .unwrap();
        let s = plans::create(
            &mut tx,
            &Section {
                plan_id: Some(f.plan),
                report_id: None,
                kind: SectionKind::Introduction,
                heading: "Inledning".into(),
                body: "Planen beskriver journalföringen.".into(),
                sort_order: 1,
            },
        )
        .await
        .unwrap();
        let plan: Versioned<QualityPlan> = repo::get(&mut tx, f.plan).await.unwrap();
        let d = plans::create(
            &mut tx,
            &Deviation::registered(
                f.tenant,
                plan.scope_id,
                DeviationKind::Internal,
                day(2024, 3, 1),
                day(2024, 3, 2),
                "Journalföring saknades".into(),
                "Anteckningen fördes inte in.".into(),
                "Kim".into(),
            ),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let mut all = found(&store, f.tenant, "journalföring").await;
        all.sort();
        let mut expected = vec![
            (Group::PlanText, "section", s.get()),
            (Group::Risk, "risk", id),
            (Group::Action, "action", a.get()),
            (Group::Deviation, "deviation", d.get()),
        ];
        expected.sort();
        // SQLite matches the word's beginning ("journalföringen" too); PostgreSQL stems it.
        assert_eq!(all, expected);
        let groups = search_all(&store, f.tenant, "anteckningen", 50).await;
        let deviation = groups.iter().find(|g| g.group == Group::Deviation).unwrap();
        assert_eq!(deviation.hits[0].owner, Owner::Deviation { unit: plan.scope_id, voided: false });
        assert_eq!(deviation.hits[0].title, "Journalföring saknades");
        assert!(deviation.hits[0].snippet.iter().any(|s| s.matched && s.text.eq_ignore_ascii_case("anteckningen")));

        // Deleted: gone from the index, also what goes with its plan.
        let mut tx = store.write(&Actor::system("test")).await.unwrap();
        repo::delete::<Deviation>(&mut tx, d, 1).await.unwrap();
        let current: Versioned<Risk> = repo::get(&mut tx, kvalitet_domain::Id::new(id)).await.unwrap();
        repo::delete::<Risk>(&mut tx, current.id, current.version).await.unwrap();
        tx.commit().await.unwrap();
        let mut left = found(&store, f.tenant, "journalföring").await;
        left.sort();
        let mut expected = vec![(Group::PlanText, "section", s.get()), (Group::Action, "action", a.get())];
        expected.sort();
        assert_eq!(left, expected);
        let mut tx = store.write(&Actor::system("test")).await.unwrap();
        sqlx::query("DELETE FROM quality_plan WHERE id = $1").bind(f.plan.get()).execute(&mut *tx).await.unwrap();
        tx.commit().await.unwrap();
        assert!(found(&store, f.tenant, "journalföring").await.is_empty(), "the plan's items went with it");
    })
    .await;
}

#[tokio::test]
async fn swedish_letters_stay_letters_and_inflections_are_found_where_the_backend_stems() {
    on_each_backend(|store, backend| async move {
        let f = fixture(&store).await;
        let ratt = add_risk(&store, &f, "Rätt insats i tid", "Bedömningen görs för sent.").await;
        let ratta = add_risk(&store, &f, "Ratt", "Fordonet.").await;
        let brist = add_risk(&store, &f, "Brist på personal", "Handläggningen stannar.").await;
        let bristerna = add_risk(&store, &f, "Bristerna i dokumentationen", "Underlaget saknas.").await;
        let ids = |hits: Vec<(Group, &'static str, i64)>| {
            let mut v: Vec<i64> = hits.into_iter().map(|h| h.2).collect();
            v.sort();
            v
        };
        assert_eq!(ids(found(&store, f.tenant, "rätt").await), vec![ratt], "ä is not a");
        assert_eq!(ids(found(&store, f.tenant, "RATT").await), vec![ratta], "a is not ä");
        assert_eq!(ids(found(&store, f.tenant, "RÄTT").await), vec![ratt], "upper case Ä is ä");
        assert_eq!(ids(found(&store, f.tenant, "bedömningen").await), vec![ratt]);
        // Both: a word finds the words it begins.
        assert_eq!(ids(found(&store, f.tenant, "brist").await), vec![brist, bristerna]);
        match backend {
            // Swedish stemming: an inflected form finds the others.
            Backend::Postgres => {
                assert_eq!(ids(found(&store, f.tenant, "brister").await), vec![brist, bristerna]);
                assert_eq!(ids(found(&store, f.tenant, "personalen").await), vec![brist]);
            }
            // No stemmer: the beginning of the word only.
            Backend::Sqlite => {
                assert_eq!(ids(found(&store, f.tenant, "brister").await), vec![bristerna]);
                assert!(found(&store, f.tenant, "personalen").await.is_empty());
            }
        }
        // Every word must be there.
        assert_eq!(ids(found(&store, f.tenant, "brist personal").await), vec![brist]);
        assert!(found(&store, f.tenant, "brist fordonet").await.is_empty());
    })
    .await;
}

#[tokio::test]
async fn query_syntax_typed_in_is_searched_as_words_and_never_fails() {
    on_each_backend(|store, _| async move {
        let f = fixture(&store).await;
        let id = add_risk(&store, &f, "Brist på personal", "Handläggningen stannar.").await;
        let typed = [
            "\"brist",
            "brist\"",
            "brist*",
            "(brist)",
            "brist OR nothing",
            "brist AND",
            "NOT brist",
            "NEAR(brist personal)",
            "title:brist",
            "brist & | ! <-> :* personal",
            "'brist'",
            "brist'); DROP TABLE risk; --",
            "-brist +personal ^",
            "brist\\",
            "{brist}",
        ];
        for text in typed {
            let query = SearchQuery::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            let mut conn = store.read().await.unwrap();
            let result = search(&mut conn, f.tenant, &query, 50, |_| true).await;
            let groups = result.unwrap_or_else(|e| panic!("{text} failed: {e}"));
            let n: usize = groups.iter().map(|g| g.hits.len()).sum();
            let words_all_there = !["nothing", "and", "not", "near", "title", "drop", "table"]
                .iter()
                .any(|w| query.terms().iter().any(|t| t == w));
            if words_all_there {
                assert_eq!(n, 1, "{text} finds the risk");
                assert_eq!(groups.iter().find(|g| g.group == Group::Risk).unwrap().hits[0].id, id);
            }
        }
        // Only stop words (PostgreSQL leaves them out): no hits, no error.
        let mut conn = store.read().await.unwrap();
        let query = SearchQuery::parse("och i på").unwrap();
        search(&mut conn, f.tenant, &query, 50, |_| true).await.unwrap();
        // Nothing to search for: a message, not a query.
        for text in ["", "   ", "\"*()-:'", "&|!<->"] {
            assert!(SearchQuery::parse(text).unwrap_err().contains("minst ett ord"), "{text}");
        }
    })
    .await;
}

#[tokio::test]
async fn hits_are_cut_per_kind_and_only_what_may_be_read_is_returned() {
    on_each_backend(|store, _| async move {
        let f = fixture(&store).await;
        for i in 0..5 {
            add_risk(&store, &f, &format!("Kompetens saknas {i}"), "Rutiner saknas.").await;
        }
        let groups = search_all(&store, f.tenant, "kompetens", 3).await;
        let risks = groups.iter().find(|g| g.group == Group::Risk).unwrap();
        assert_eq!((risks.hits.len(), risks.more), (3, true));
        let groups = search_all(&store, f.tenant, "kompetens", 5).await;
        let risks = groups.iter().find(|g| g.group == Group::Risk).unwrap();
        assert_eq!((risks.hits.len(), risks.more), (5, false));
        assert_eq!(groups.iter().map(|g| g.group).collect::<Vec<_>>(), Group::ALL, "every group, in order");

        // The caller's access rule sees each owner: the fixture's plan is a draft.
        let query = SearchQuery::parse("kompetens").unwrap();
        let mut conn = store.read().await.unwrap();
        let mut owners = Vec::new();
        let none = search(&mut conn, f.tenant, &query, 3, |o| {
            owners.push(*o);
            false
        })
        .await
        .unwrap();
        assert!(none.iter().all(|g| g.hits.is_empty() && !g.more), "nothing readable, nothing cut");
        assert_eq!(owners.len(), 5);
        assert!(owners.iter().all(|o| matches!(o, Owner::Plan { id, state: PlanState::Draft, .. } if *id == f.plan)));
    })
    .await;
}
