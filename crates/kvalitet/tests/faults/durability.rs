//! SIGKILL at random moments while staff register deviations through HTTP: every
//! registration the server acknowledged (a redirect after the form was posted) must be
//! in the database after the last crash, the database must be whole (SQLite's
//! integrity check, the audit chain) and the server must start and serve again.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use sqlx::Row;

use crate::support::{self, Server, kvalitet};
use crate::{Backend, Lcg, summary};

/// How many times the server is killed: `FAULTS_KILLS`, or 25.
fn kills() -> usize {
    std::env::var("FAULTS_KILLS").ok().and_then(|s| s.parse().ok()).filter(|n| *n > 0).unwrap_or(25)
}
const WRITERS: usize = 4;
const STAFF: (&str, &str) = ("medarbetare@exempel.se", "demo-medarbetare");
/// Every title written here starts with this, so the checks find them all.
const PREFIX: &str = "Feltest";

#[test]
fn acknowledged_writes_survive_sigkill_on_sqlite() {
    durability(Backend::Sqlite);
}

#[test]
fn acknowledged_writes_survive_sigkill_on_postgresql() {
    durability(Backend::Postgres);
}

/// A staff member's browser: a session, its CSRF token and the unit they report for.
#[derive(Clone)]
struct Writer {
    n: usize,
    cookie: String,
    csrf: String,
    unit: String,
    /// How many registrations this writer has tried to post.
    attempted: usize,
}

impl Writer {
    /// Signs in and reads the registration form. `None` if the server went away.
    fn sign_in(addr: &str, n: usize, attempted: usize) -> Option<Writer> {
        let cookie = support::login(addr, STAFF.0, STAFF.1).ok()?;
        let form = support::request(addr, "GET", "/avvikelser/ny", &cookie, None).ok()?;
        assert_eq!(form.status, 200, "the registration form: {form:?}");
        let csrf = support::field_value(&form.body, "csrf").expect("a CSRF token in the form");
        // The staff member's one unit is preselected.
        let unit = form.body.split("<option value=\"").nth(2)?.split('"').next()?.to_owned();
        Some(Writer { n, cookie, csrf, unit, attempted })
    }

    /// Registers deviations one after another until `stop`; returns the titles the server
    /// acknowledged.
    fn write_until(mut self, addr: &str, backend: Backend, round: usize, stop: &AtomicBool) -> (Writer, Vec<String>) {
        let mut acknowledged = Vec::new();
        while !stop.load(Ordering::SeqCst) {
            let title = format!("{PREFIX} {} r{round} w{} n{}", backend.name(), self.n, self.attempted);
            self.attempted += 1;
            let res = support::post(
                addr,
                "/avvikelser/ny",
                &self.cookie,
                &[
                    ("csrf", &self.csrf),
                    ("kind", "internal"),
                    ("unit", &self.unit),
                    ("occurred_on", "2024-03-01"),
                    ("title", &title),
                    ("description", "Registrerad under feltest: servern dödas mitt i skrivningar."),
                ],
            );
            match res {
                Ok(r) if r.status == 303 && r.location().starts_with("/mina-rapporter/") => acknowledged.push(title),
                // The session is gone (it should not be: sessions are in the database).
                Ok(r) if r.status == 303 && r.location().starts_with("/logga-in") => {
                    match Writer::sign_in(addr, self.n, self.attempted) {
                        Some(w) => self = w,
                        None => thread::sleep(Duration::from_millis(5)),
                    }
                }
                Ok(r) => panic!("a registration got neither an acknowledgment nor nothing: {r:?}"),
                // No answer: the server was killed (this write may or may not be stored).
                Err(_) => thread::sleep(Duration::from_millis(5)),
            }
        }
        (self, acknowledged)
    }
}

fn durability(backend: Backend) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let Some(db) = rt.block_on(backend.fresh()) else { return };
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let serve = || {
        let mut cmd = kvalitet(dir.path());
        cmd.env("KVALITET_DATABASE_URL", &db.url);
        Server::start(cmd, &[])
    };
    let kills = kills();
    let mut rng = Lcg::from_env_or_clock();
    let seed = rng.seed();

    // The first start loads the demo.
    let mut server = serve();
    let mut writers: Vec<Writer> =
        (0..WRITERS).map(|n| Writer::sign_in(&server.addr, n, 0).expect("sign in before any fault")).collect();
    let mut acknowledged: Vec<String> = Vec::new();
    for round in 0..kills {
        let stop = Arc::new(AtomicBool::new(false));
        let acks = Arc::new(Mutex::new(Vec::new()));
        let handles: Vec<_> = writers
            .drain(..)
            .map(|w| {
                let (addr, stop, acks) = (server.addr.clone(), Arc::clone(&stop), Arc::clone(&acks));
                thread::spawn(move || {
                    let (w, mine) = w.write_until(&addr, backend, round, &stop);
                    acks.lock().unwrap().extend(mine);
                    w
                })
            })
            .collect();
        thread::sleep(Duration::from_millis(rng.between(50, 400)));
        server.kill();
        stop.store(true, Ordering::SeqCst);
        writers = handles.into_iter().map(|h| h.join().expect("a writer failed")).collect();
        acknowledged.extend(acks.lock().unwrap().drain(..));
        if round + 1 < kills {
            server = serve();
        }
    }
    let attempted: usize = writers.iter().map(|w| w.attempted).sum();

    // After the last kill, before anything opens it again: what is stored, and is it whole.
    let (stored, integrity) = rt.block_on(inspect(&db.url, backend));
    let stored_set: HashSet<&String> = stored.iter().collect();
    assert_eq!(stored_set.len(), stored.len(), "no registration is stored twice");
    let lost: Vec<&String> = acknowledged.iter().filter(|t| !stored_set.contains(t)).collect();
    let found = acknowledged.len() - lost.len();
    let unacknowledged = stored.len() - found;
    if backend == Backend::Sqlite {
        assert_eq!(integrity, "ok", "PRAGMA integrity_check after {kills} kills");
    }
    let out = kvalitet(dir.path()).env("KVALITET_DATABASE_URL", &db.url).args(["audit", "verify"]).output().unwrap();
    let verify = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && verify.contains("Granskningsloggen är hel"), "audit verify: {verify}");

    // The server starts on the crashed database, serves, and takes a write.
    let mut server = serve();
    let last = Writer::sign_in(&server.addr, WRITERS, 0).expect("sign in after the last restart");
    let home = support::get(&server.addr, "/", &last.cookie);
    assert_eq!(home.status, 200, "the start page after the last restart");
    let title = format!("{PREFIX} {} efter sista omstarten", backend.name());
    let res = support::post(
        &server.addr,
        "/avvikelser/ny",
        &last.cookie,
        &[
            ("csrf", &last.csrf),
            ("kind", "internal"),
            ("unit", &last.unit),
            ("occurred_on", "2024-03-01"),
            ("title", &title),
        ],
    )
    .expect("a write after the last restart");
    assert_eq!(res.status, 303, "a write after the last restart: {res:?}");
    let exit = server.stop();
    assert!(exit.success(), "graceful shutdown after the faults: {exit:?}; {}", server.stderr());
    let (after, _) = rt.block_on(inspect(&db.url, backend));
    assert!(after.contains(&title), "the write after the last restart is stored");

    let line = format!(
        "durability {}: {kills} kills, {} writes attempted, {} acknowledged, {found} found, {} lost, \
         {unacknowledged} unacknowledged also stored; integrity {}, audit chain whole, restart ok; {:.1} s (FAULTS_SEED={seed})",
        backend.name(),
        attempted,
        acknowledged.len(),
        lost.len(),
        if backend == Backend::Sqlite { integrity.as_str() } else { "n/a" },
        started.elapsed().as_secs_f64(),
    );
    summary(&line);
    assert!(lost.is_empty(), "acknowledged writes lost: {lost:?}");
    assert!(!acknowledged.is_empty(), "no write was acknowledged at all");
    rt.block_on(db.drop_db());
}

/// The test's registrations in the database, and (SQLite) its integrity check, read
/// through a connection of its own.
async fn inspect(url: &str, backend: Backend) -> (Vec<String>, String) {
    let store = kvalitet_store::Store::connect(url).await.unwrap();
    let mut conn = store.read().await.unwrap();
    let rows = sqlx::query("SELECT title FROM deviation WHERE title LIKE $1")
        .bind(format!("{PREFIX} %"))
        .fetch_all(&mut *conn)
        .await
        .unwrap();
    let titles = rows.iter().map(|r| r.try_get::<String, _>("title").unwrap()).collect();
    let mut integrity = String::new();
    if backend == Backend::Sqlite {
        let rows = sqlx::query("PRAGMA integrity_check").fetch_all(&mut *conn).await.unwrap();
        integrity = rows.iter().map(|r| r.try_get::<String, _>(0).unwrap()).collect::<Vec<_>>().join("; ");
        let broken = sqlx::query("PRAGMA foreign_key_check").fetch_all(&mut *conn).await.unwrap();
        assert!(broken.is_empty(), "{} rows break a foreign key", broken.len());
    }
    drop(conn);
    store.close().await;
    (titles, integrity)
}
