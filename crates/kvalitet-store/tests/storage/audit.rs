//! The audit log: every change recorded with its tenant, unit and client; reads counted
//! once per record, person and day; the keyed chain, anchors, and the database's refusal
//! to change entries, against an administrator who holds the database.

use kvalitet_domain::risk::Risk;
use kvalitet_store::audit::{self, Anchor, AuditEntry, AuditKey};
use kvalitet_store::testing::{on_each_backend, rewrite_audit_without_key, test_audit_key};
use kvalitet_store::{Actor, Store, plans, repo};

use crate::{day, fixture, risk};

/// Every entry, oldest first.
async fn entries(store: &Store) -> Vec<AuditEntry> {
    kvalitet_store::testing::audit_entries(store).await
}

async fn anchor(store: &Store) -> Anchor {
    Anchor::head(&mut store.read().await.unwrap()).await.unwrap()
}

async fn verify(store: &Store, key: Option<&AuditKey>, anchors: &[Anchor]) -> audit::Verification {
    audit::verify(store, key, anchors).await.unwrap()
}

/// Some work by Anna: a risk added and renamed, `n` more risks.
async fn work(store: &Store, f: &crate::Fixture, n: usize) {
    let anna = Actor::account(42, "anna@kommun.se").in_tenant(f.tenant.get()).from_client(Some("192.0.2.7".into()));
    let mut tx = store.write(&anna).await.unwrap();
    let id = plans::add_risk(&mut tx, &risk(f, "Före", 4), day(2024, 1, 1)).await.unwrap();
    let current = repo::get::<Risk>(&mut tx, id).await.unwrap();
    let changed = Risk { title: "Efter".into(), ..current.item.clone() };
    repo::update(&mut tx, id, current.version, &changed).await.unwrap();
    for i in 0..n {
        plans::add_risk(&mut tx, &risk(f, &format!("Risk {i}"), 2), day(2024, 1, 1)).await.unwrap();
    }
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn every_change_is_audited_with_its_tenant_unit_and_client_and_chained_with_the_key() {
    on_each_backend(|store, _| async move {
        let f = fixture(&store).await;
        work(&store, &f, 0).await;
        let all = entries(&store).await;
        let mine: Vec<&AuditEntry> = all.iter().filter(|e| e.actor_id == Some(42)).collect();
        let actions: Vec<&str> = mine.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(actions, vec!["create", "create", "update"]);
        let update = mine.iter().find(|e| e.action == "update").unwrap();
        assert_eq!(update.table_name, "risk");
        assert!(update.before_data.as_deref().unwrap().contains("\"title\":\"Före\""));
        assert!(update.after_data.as_deref().unwrap().contains("\"title\":\"Efter\""));
        // The risk's plan covers the top unit: the entry is about it, in the tenant.
        let plan = repo::get(&mut store.read().await.unwrap(), f.plan).await.unwrap();
        assert!(mine.iter().all(|e| e.unit_id == Some(plan.scope_id.get())), "{mine:?}");
        assert!(mine.iter().all(|e| e.tenant_id == Some(f.tenant.get())));
        assert!(mine.iter().all(|e| e.client.as_deref() == Some("192.0.2.7")));
        assert!(all.iter().all(|e| e.scheme == audit::scheme::KEYED));

        let ok = verify(&store, Some(&test_audit_key()), &[]).await;
        assert!(ok.problems.is_empty() && ok.unchecked == 0, "{ok:?}");
        assert_eq!(ok.entries as usize, all.len());
        // Without the key the links are checked but keyed hashes cannot be; with another
        // key every entry is wrong.
        let keyless = verify(&store, None, &[]).await;
        assert!(keyless.problems.is_empty());
        assert_eq!(keyless.unchecked as usize, all.len());
        let wrong = verify(&store, Some(&AuditKey::from_bytes([1; 32])), &[]).await;
        assert_eq!(wrong.problems.len(), all.len(), "{:?}", wrong.problems);
    })
    .await;
}

#[tokio::test]
async fn the_database_refuses_to_change_or_remove_audit_entries() {
    on_each_backend(|store, _| async move {
        let f = fixture(&store).await;
        work(&store, &f, 0).await;
        let mut conn = store.read().await.unwrap();
        let update =
            sqlx::query("UPDATE audit_entry SET actor = 'någon annan' WHERE seq = 2").execute(&mut *conn).await;
        assert!(update.unwrap_err().to_string().contains("append-only"));
        let delete = sqlx::query("DELETE FROM audit_entry WHERE seq = 2").execute(&mut *conn).await;
        assert!(delete.unwrap_err().to_string().contains("append-only"));
        drop(conn);
        assert!(entries(&store).await.iter().all(|e| e.actor != "någon annan"));
        assert!(verify(&store, Some(&test_audit_key()), &[]).await.problems.is_empty());
    })
    .await;
}

#[tokio::test]
async fn a_rewrite_with_recomputed_hashes_is_found_by_the_key_and_by_an_anchor() {
    on_each_backend(|store, _| async move {
        let f = fixture(&store).await;
        work(&store, &f, 3).await;
        let anchored = anchor(&store).await;
        work(&store, &f, 2).await;
        assert!(verify(&store, Some(&test_audit_key()), std::slice::from_ref(&anchored)).await.problems.is_empty());
        // Who created the first risk is changed, and the whole chain recomputed.
        let mut rewritten = entries(&store).await;
        let target = rewritten.iter().position(|e| e.actor_id == Some(42)).unwrap();
        rewritten[target].actor = "någon annan".into();
        rewritten[target].actor_id = None;
        rewrite_audit_without_key(&store, rewritten, 0).await;

        // Without the key and without anchors, the recomputed chain holds together.
        assert!(verify(&store, None, &[]).await.problems.is_empty());
        // The key finds every entry that was rehashed without it.
        let keyed = verify(&store, Some(&test_audit_key()), &[]).await;
        let unkeyed = keyed.problems.iter().filter(|p| p.contains("utan nyckeln")).count();
        assert_eq!(unkeyed, keyed.entries as usize, "{:?}", keyed.problems);
        // The anchor taken before the rewrite no longer matches, key or not.
        let anchors = verify(&store, None, std::slice::from_ref(&anchored)).await;
        let expected = format!("post {}: stämmer inte med förankringen", anchored.seq);
        assert!(anchors.problems.iter().any(|p| p.starts_with(&expected)), "{:?}", anchors.problems);
    })
    .await;
}

#[tokio::test]
async fn removed_and_renumbered_entries_are_found_by_the_key_and_by_an_anchor() {
    on_each_backend(|store, _| async move {
        let f = fixture(&store).await;
        work(&store, &f, 30).await;
        let anchored = anchor(&store).await;
        work(&store, &f, 30).await;
        let all = entries(&store).await;
        let total = all.len();

        // Twenty entries after the anchor removed, the rest renumbered and rehashed.
        let mut after: Vec<AuditEntry> = all.clone();
        after.drain(anchored.seq as usize + 5..anchored.seq as usize + 25);
        let keep = anchored.seq as usize + 5;
        rewrite_audit_without_key(&store, after, keep).await;
        let v = verify(&store, Some(&test_audit_key()), std::slice::from_ref(&anchored)).await;
        assert_eq!(v.entries as usize, total - 20);
        let first = format!("post {}: kontrollsumman är gjord utan nyckeln", keep + 1);
        assert!(v.problems.iter().any(|p| p.starts_with(&first)), "{:?}", v.problems);
        assert!(!v.problems.iter().any(|p| p.contains("förankringen")), "the anchored part is intact");

        // Twenty entries before the anchor removed: the anchor itself no longer matches.
        let mut before = all.clone();
        before.drain(3..23);
        rewrite_audit_without_key(&store, before, 3).await;
        let v = verify(&store, None, std::slice::from_ref(&anchored)).await;
        let expected = format!("post {}: stämmer inte med förankringen", anchored.seq);
        assert!(v.problems.iter().any(|p| p.starts_with(&expected)), "{:?}", v.problems);

        // The log cut short before the anchor: the anchor names entries that are gone.
        let cut: Vec<AuditEntry> = all[..anchored.seq as usize - 10].to_vec();
        let keep = cut.len();
        rewrite_audit_without_key(&store, cut, keep).await;
        let v = verify(&store, None, std::slice::from_ref(&anchored)).await;
        assert!(v.problems.iter().any(|p| p.contains("poster har tagits bort")), "{:?}", v.problems);
    })
    .await;
}

#[tokio::test]
async fn an_anchor_file_is_read_back_and_bad_lines_are_named() {
    let a = Anchor { at: "2026-11-30T01:00:00Z".into(), seq: 12, hash: "ab".repeat(32) };
    let text = format!("# förankringar\n{}\n\n{}\n", a.line(), a.line());
    assert_eq!(audit::parse_anchors(&text).unwrap(), vec![a.clone(), a]);
    let err = audit::parse_anchors("2026-11-30T01:00:00Z seq=x hash=00\n").unwrap_err();
    assert!(err.starts_with("rad 1 är ingen förankring"), "{err}");
}

/// `kvalitet audit verify` beside a running server: the head and the entries it reads
/// must be of one moment, or an entry committed between the two reads looks like a log
/// that ends after its head (as a server killed mid-commit on PostgreSQL showed).
#[tokio::test]
async fn a_snapshot_sees_the_log_of_one_moment_while_entries_are_appended() {
    on_each_backend(|store, _| async move {
        let f = fixture(&store).await;
        work(&store, &f, 2).await;
        let mut snapshot = store.snapshot().await.unwrap();
        let head = Anchor::head(&mut snapshot).await.unwrap();
        work(&store, &f, 3).await;
        let count = |sql| sqlx::query_scalar::<_, i64>(sql);
        let seen = count("SELECT COUNT(*) FROM audit_entry").fetch_one(&mut *snapshot).await.unwrap();
        let last = count("SELECT MAX(seq) FROM audit_entry").fetch_one(&mut *snapshot).await.unwrap();
        assert_eq!((seen, last), (head.seq, head.seq), "the snapshot holds the entries up to its head and no more");
        let again = Anchor::head(&mut snapshot).await.unwrap();
        assert_eq!((again.seq, &again.hash), (head.seq, &head.hash), "the head read again in the snapshot");
        drop(snapshot);
        let now = anchor(&store).await;
        assert!(now.seq > head.seq + 4, "the work done meanwhile was appended: {} after {}", now.seq, head.seq);
        let v = verify(&store, Some(&test_audit_key()), &[head]).await;
        assert!(v.problems.is_empty(), "{:?}", v.problems);
        assert_eq!(v.entries, now.seq);
    })
    .await;
}

#[tokio::test]
async fn reads_of_a_record_are_one_entry_per_person_and_day_with_a_count() {
    on_each_backend(|store, _| async move {
        let f = fixture(&store).await;
        let before = entries(&store).await.len();
        let anna = Actor::account(42, "anna@kommun.se").in_tenant(f.tenant.get());
        let bo = Actor::account(43, "bo@kommun.se").in_tenant(f.tenant.get());
        for _ in 0..5 {
            let mut tx = store.write(&anna).await.unwrap();
            audit::record_read(&mut tx, "quality_plan", f.plan.get()).await.unwrap();
            tx.commit().await.unwrap();
        }
        let mut tx = store.write(&bo).await.unwrap();
        audit::record_read(&mut tx, "quality_plan", f.plan.get()).await.unwrap();
        tx.commit().await.unwrap();
        // A read rolled back is not counted.
        let mut tx = store.write(&bo).await.unwrap();
        audit::record_read(&mut tx, "quality_plan", f.plan.get()).await.unwrap();
        drop(tx);

        let all = entries(&store).await;
        assert_eq!(all.len(), before + 2, "one entry per person");
        let reads: Vec<(String, Option<i64>)> =
            all.iter().filter(|e| e.action == "read").map(|e| (e.actor.clone(), e.reads)).collect();
        assert_eq!(reads, vec![("anna@kommun.se".into(), Some(5)), ("bo@kommun.se".into(), Some(1))]);
        assert!(verify(&store, Some(&test_audit_key()), &[]).await.problems.is_empty());
    })
    .await;
}

#[tokio::test]
async fn reads_of_many_records_at_once_count_as_reads_one_by_one() {
    on_each_backend(|store, _| async move {
        let f = fixture(&store).await;
        let before = entries(&store).await.len();
        let anna = Actor::account(42, "anna@kommun.se").in_tenant(f.tenant.get());
        // A list of records, one named twice; then the list again with one more record.
        let mut tx = store.write(&anna).await.unwrap();
        audit::record_reads(&mut tx, "deviation", &[7, 3, 9, 3]).await.unwrap();
        tx.commit().await.unwrap();
        let mut tx = store.write(&anna).await.unwrap();
        audit::record_reads(&mut tx, "deviation", &[3, 9, 7, 11]).await.unwrap();
        audit::record_reads(&mut tx, "deviation", &[]).await.unwrap();
        tx.commit().await.unwrap();
        // 600 records: more than one statement's worth.
        let many: Vec<i64> = (1000..1600).collect();
        let mut tx = store.write(&anna).await.unwrap();
        audit::record_reads(&mut tx, "deviation", &many).await.unwrap();
        tx.commit().await.unwrap();

        let all = entries(&store).await;
        let reads: Vec<(Option<i64>, Option<i64>)> =
            all[before..].iter().filter(|e| e.action == "read").map(|e| (e.record_id, e.reads)).collect();
        // One entry per record, in the order first read, with the times read that day.
        let mut want = vec![(Some(7), Some(2)), (Some(3), Some(2)), (Some(9), Some(2)), (Some(11), Some(1))];
        want.extend(many.iter().map(|id| (Some(*id), Some(1))));
        assert_eq!(reads, want);
        assert!(verify(&store, Some(&test_audit_key()), &[]).await.problems.is_empty());
    })
    .await;
}

#[tokio::test]
async fn entries_of_the_earlier_unkeyed_chain_still_verify_and_keyed_ones_follow_them() {
    use kvalitet_store::testing::rewrite_audit;
    on_each_backend(|store, _| async move {
        let f = fixture(&store).await;
        work(&store, &f, 2).await;
        // The log as the plain SHA-256 chain wrote it, before this scheme.
        let old = entries(&store).await;
        let n = old.len();
        rewrite_audit(&store, old, 0, audit::scheme::LEGACY).await;
        let v = verify(&store, Some(&test_audit_key()), &[]).await;
        assert!(v.problems.is_empty(), "{:?}", v.problems);
        // New entries are keyed, chained on to the old ones.
        work(&store, &f, 1).await;
        let all = entries(&store).await;
        assert!(all[..n].iter().all(|e| e.scheme == audit::scheme::LEGACY));
        assert!(all[n..].iter().all(|e| e.scheme == audit::scheme::KEYED));
        assert_eq!(all[n].prev_hash, all[n - 1].hash);
        assert!(verify(&store, Some(&test_audit_key()), &[]).await.problems.is_empty());
        // An entry passed off as old after keyed ones is found.
        let mut forged = all.clone();
        forged.last_mut().unwrap().actor = "någon annan".into();
        let keep = forged.len() - 1;
        rewrite_audit(&store, forged, keep, audit::scheme::LEGACY).await;
        let v = verify(&store, Some(&test_audit_key()), &[]).await;
        assert!(v.problems.iter().any(|p| p.contains("utan nyckel efter poster med nyckel")), "{:?}", v.problems);
    })
    .await;
}
