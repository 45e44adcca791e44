//! Many clients editing the same action at once through the generic edit form: each
//! reads the form (and its `version`), then posts its own title. Every post either lands
//! (a redirect) or is shown as a conflict; the first round, where all read the same
//! version, lands exactly one; clients that lost re-read and retry until each has landed
//! one edit. The record's version, its audited updates and its title must then account
//! for every landed edit, in order: no update is lost.

use std::sync::{Arc, Barrier, Mutex};
use std::thread;
use std::time::Instant;

use kvalitet_domain::action::Action;
use kvalitet_domain::{Code, Id};
use sqlx::Row;

use crate::support::{self, Server, kvalitet};
use crate::{Backend, summary};

const CLIENTS: usize = 16;
const ADMIN: (&str, &str) = ("admin@exempel.se", "demo-administrator");
const CONFLICT: &str = "Någon annan har ändrat detta medan du skrev";

#[test]
fn concurrent_edits_of_one_record_land_or_conflict_on_sqlite() {
    concurrency(Backend::Sqlite);
}

#[test]
fn concurrent_edits_of_one_record_land_or_conflict_on_postgresql() {
    concurrency(Backend::Postgres);
}

/// One post of the edit form: whose, from which version, and whether it landed.
#[derive(Debug, Clone)]
struct Attempt {
    client: usize,
    round: usize,
    version: i64,
    title: String,
    landed: bool,
}

/// The action as stored: its version, title, and the titles its audited updates wrote,
/// in the order of the log.
struct Stored {
    version: i64,
    title: String,
    updates: Vec<String>,
}

/// Reads the edit form and posts the client's own title with the version it read; with
/// `together`, waits there between reading and posting.
fn attempt(
    addr: &str,
    path: &str,
    cookie: &str,
    others: &[(&'static str, String)],
    (client, round): (usize, usize),
    together: Option<&Barrier>,
) -> Result<Attempt, String> {
    let form = support::request(addr, "GET", path, cookie, None).map_err(|e| format!("GET {path}: {e}"));
    let read = form.and_then(|form| match form.status {
        200 => Ok((
            support::field_value(&form.body, "csrf").ok_or("no csrf in the form")?,
            support::field_value(&form.body, "version").ok_or("no version in the form")?,
        )),
        other => Err(format!("the edit form: {other} {form:?}")),
    });
    if let Some(b) = together {
        b.wait();
    }
    let (csrf, version) = read?;
    let title = format!("Samtidig ändring från klient {client}, försök {round}");
    let mut fields: Vec<(&str, &str)> = vec![("csrf", &csrf), ("version", &version), ("title", &title)];
    fields.extend(others.iter().map(|(k, v)| (*k, v.as_str())));
    let res = support::post(addr, path, cookie, &fields).map_err(|e| format!("POST {path}: {e}"))?;
    let landed = match res.status {
        303 => true,
        409 if res.body.contains(CONFLICT) => false,
        other => return Err(format!("an edit neither landed nor conflicted: {other} {res:?}")),
    };
    let version = version.parse().map_err(|_| format!("version {version}"))?;
    Ok(Attempt { client, round, version, title, landed })
}

/// The attempts, failing the test on any that neither landed nor conflicted.
fn successful(attempts: &[Result<Attempt, String>]) -> Vec<Attempt> {
    let failures: Vec<&String> = attempts.iter().filter_map(|a| a.as_ref().err()).collect();
    assert!(failures.is_empty(), "{failures:#?}");
    attempts.iter().filter_map(|a| a.as_ref().ok().cloned()).collect()
}

async fn stored(url: &str, id: i64) -> Stored {
    let store = kvalitet_store::Store::connect(url).await.unwrap();
    let mut conn = store.read().await.unwrap();
    let action = kvalitet_store::repo::get::<Action>(&mut conn, Id::new(id)).await.unwrap();
    let rows = sqlx::query(
        "SELECT after_data FROM audit_entry WHERE action = 'update' AND table_name = 'action' AND record_id = $1 \
         ORDER BY seq",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    let updates = rows
        .iter()
        .map(|r| {
            let after: String = r.try_get("after_data").unwrap();
            let v: serde_json::Value = serde_json::from_str(&after).unwrap();
            v["title"].as_str().unwrap_or_default().to_owned()
        })
        .collect();
    drop(conn);
    store.close().await;
    Stored { version: action.version, title: action.item.title.clone(), updates }
}

fn concurrency(backend: Backend) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let Some(db) = rt.block_on(backend.fresh()) else { return };
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = kvalitet(dir.path());
    cmd.env("KVALITET_DATABASE_URL", &db.url);
    let mut server = Server::start(cmd, &[]);

    // The first action of the demo, as stored before anyone edits it.
    let action = rt.block_on(async {
        let mut conn = db.store.read().await.unwrap();
        let row = sqlx::query("SELECT MIN(id) AS id FROM action").fetch_one(&mut *conn).await.unwrap();
        let id: i64 = row.try_get("id").unwrap();
        kvalitet_store::repo::get::<Action>(&mut conn, Id::new(id)).await.unwrap()
    });
    let id = action.id.get();
    let initial = rt.block_on(stored(&db.url, id));
    assert!(initial.updates.is_empty(), "the demo's action has not been edited yet");
    let path = format!("/atgarder/{id}/andra");
    // What every client sends besides its own title: the record's other fields as they are.
    let others: Vec<(&'static str, String)> = vec![
        ("description", action.item.description.clone()),
        ("responsible", action.item.responsible.clone()),
        ("due_on", action.item.due_on.map(|d| d.to_string()).unwrap_or_default()),
        ("status", action.item.status.code().to_owned()),
        ("withdrawn_reason", action.item.withdrawn_reason.clone().unwrap_or_default()),
    ];

    // Every client signs in first, so the first round starts together.
    let cookies: Vec<String> =
        (0..CLIENTS).map(|_| support::login(&server.addr, ADMIN.0, ADMIN.1).expect("sign in")).collect();
    let attempts = Arc::new(Mutex::new(Vec::<Result<Attempt, String>>::new()));
    // All read, then all post; the test checks the first round, then lets them retry.
    let (read, post, checked) =
        (Arc::new(Barrier::new(CLIENTS)), Arc::new(Barrier::new(CLIENTS)), Arc::new(Barrier::new(CLIENTS + 1)));
    let handles: Vec<_> = cookies
        .into_iter()
        .enumerate()
        .map(|(client, cookie)| {
            let (addr, path, others) = (server.addr.clone(), path.clone(), others.clone());
            let (read, post, checked, attempts) =
                (Arc::clone(&read), Arc::clone(&post), Arc::clone(&checked), Arc::clone(&attempts));
            thread::spawn(move || {
                for round in 1.. {
                    if round == 1 {
                        read.wait();
                    }
                    let together = (round == 1).then_some(&*post);
                    let outcome = attempt(&addr, &path, &cookie, &others, (client, round), together);
                    // A failure is recorded, not panicked on, so no other client waits
                    // forever at a barrier.
                    let landed = outcome.as_ref().map_or(true, |a| a.landed);
                    attempts.lock().unwrap().push(outcome);
                    if round == 1 {
                        checked.wait();
                        checked.wait();
                    }
                    if landed {
                        break;
                    }
                }
            })
        })
        .collect();

    // The first round: everyone read the same version, so exactly one edit landed.
    checked.wait();
    let first: Vec<Attempt> = successful(&attempts.lock().unwrap());
    let first_landed: Vec<&Attempt> = first.iter().filter(|a| a.landed).collect();
    assert_eq!(first.len(), CLIENTS);
    assert!(first.iter().all(|a| a.version == initial.version), "all read the same version");
    assert_eq!(first_landed.len(), 1, "exactly one of {CLIENTS} edits from one version lands");
    let now = rt.block_on(stored(&db.url, id));
    assert_eq!(now.version, initial.version + 1);
    assert_eq!(now.updates, vec![first_landed[0].title.clone()], "one audited update, the one that landed");
    assert_eq!(now.title, first_landed[0].title);
    checked.wait();

    for h in handles {
        h.join().expect("a client failed");
    }
    let all: Vec<Attempt> = successful(&attempts.lock().unwrap());
    let mut landed: Vec<&Attempt> = all.iter().filter(|a| a.landed).collect();
    let conflicts = all.len() - landed.len();
    let rounds = all.iter().map(|a| a.round).max().unwrap_or(0);
    // Each landed edit was based on the version before it: one each, none skipped.
    landed.sort_by_key(|a| a.version);
    let bases: Vec<i64> = landed.iter().map(|a| a.version).collect();
    let expected: Vec<i64> = (initial.version..initial.version + CLIENTS as i64).collect();
    let end = rt.block_on(stored(&db.url, id));
    let landed_titles: Vec<String> = landed.iter().map(|a| a.title.clone()).collect();
    let lost = landed_titles.iter().filter(|t| !end.updates.contains(t)).count();

    let line = format!(
        "concurrency {}: {CLIENTS} clients on action {id}, {rounds} rounds (first: 1 of {CLIENTS} landed), \
         {} successes, {conflicts} conflicts, version {} -> {}, {} audited updates, {lost} lost; {:.1} s",
        backend.name(),
        landed.len(),
        initial.version,
        end.version,
        end.updates.len(),
        started.elapsed().as_secs_f64(),
    );
    summary(&line);
    assert_eq!(landed.len(), CLIENTS, "every client landed one edit");
    assert!(landed.iter().map(|a| a.client).collect::<std::collections::HashSet<_>>().len() == CLIENTS);
    assert_eq!(bases, expected, "each landed edit was based on the version before it");
    assert_eq!(end.version, initial.version + landed.len() as i64);
    assert_eq!(end.updates, landed_titles, "the audit log has every landed edit, in order");
    assert_eq!(end.title, landed.last().unwrap().title, "the last edit to land is what is stored");
    let log = server.stderr();
    assert!(!log.contains("ERROR"), "the server logged an error: {log}");
    assert!(server.stop().success());
    rt.block_on(db.drop_db());
}
