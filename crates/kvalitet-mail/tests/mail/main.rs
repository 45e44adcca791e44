//! Notifications by e-mail end to end, on both backends: reports registered and handled
//! through the real router queue mails in the outbox, the jobs deliver them over SMTP to
//! an in-process server (`sink.rs`), and the tests read what it received.

mod sink;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use tower::ServiceExt;

use kvalitet_domain::Versioned;
use kvalitet_domain::deviation::{Deviation, DeviationKind};
use kvalitet_domain::org::OrgUnit;
use kvalitet_mail::{Mailer, Schedule, SmtpUrl};
use kvalitet_store::testing::{on_each_backend, test_audit_key};
use kvalitet_store::{Actor, Store, Where, plans, repo};
use kvalitet_web::{AppState, router};

use sink::Sink;

const PUBLIC: &str = "https://kvalitet.exempel.se";
const STAFF: (&str, &str) = ("medarbetare@exempel.se", "demo-medarbetare");
const MANAGER: (&str, &str) = ("chef@exempel.se", "demo-enhetschef");

/// A browser-like client of the app with mail turned on.
struct App {
    router: Router,
    cookie: Option<String>,
}

struct Res {
    status: StatusCode,
    location: String,
    body: String,
}

impl App {
    fn on(store: &Store, mail: bool) -> App {
        let state = AppState::new(store.clone());
        App { router: router(if mail { state.with_mail() } else { state }), cookie: None }
    }

    async fn send(&self, req: Request<Body>) -> (Res, Option<String>) {
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let location = res.headers().get(header::LOCATION).map_or("", |v| v.to_str().unwrap()).to_owned();
        let cookie = res.headers().get(header::SET_COOKIE).map(|v| v.to_str().unwrap().to_owned());
        let bytes = axum::body::to_bytes(res.into_body(), 10 << 20).await.unwrap();
        (Res { status, location, body: String::from_utf8_lossy(&bytes).into_owned() }, cookie)
    }

    async fn get(&self, path: &str) -> Res {
        let mut req = Request::get(path);
        if let Some(c) = &self.cookie {
            req = req.header(header::COOKIE, c);
        }
        self.send(req.body(Body::empty()).unwrap()).await.0
    }

    async fn post(&self, path: &str, form: &[(&str, &str)]) -> Res {
        let body: String =
            form.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect::<Vec<_>>().join("&");
        let mut req = Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "same-origin");
        if let Some(c) = &self.cookie {
            req = req.header(header::COOKIE, c);
        }
        self.send(req.body(Body::from(body)).unwrap()).await.0
    }

    async fn login(&mut self, (email, password): (&str, &str)) {
        let req = Request::post("/logga-in")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "same-origin")
            .body(Body::from(format!("email={}&password={}&nasta=%2F", encode(email), encode(password))))
            .unwrap();
        let (res, cookie) = self.send(req).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "login of {email}: {}", res.body);
        self.cookie = Some(cookie.unwrap().split(';').next().unwrap().to_owned());
    }

    async fn csrf(&self) -> String {
        let page = self.get("/konto/losenord").await;
        let at = page.body.find("name=\"csrf\" value=\"").expect("csrf field") + 19;
        page.body[at..].split('"').next().unwrap().to_owned()
    }

    /// Registers a report for the user's first unit; returns the deviation's id.
    async fn report(&self, store: &Store, kind: &str, title: &str, description: &str) -> i64 {
        let form = self.get("/avvikelser/ny").await.body;
        let unit = form.split("<option value=\"").nth(2).unwrap().split('"').next().unwrap().to_owned();
        let csrf = self.csrf().await;
        let today = kvalitet_mail::jobs::swedish(jiff::Timestamp::now()).date().to_string();
        let fields = [
            ("csrf", csrf.as_str()),
            ("kind", kind),
            ("unit", &unit),
            ("occurred_on", &today),
            ("title", title),
            ("description", description),
        ];
        let res = self.post("/avvikelser/ny", &fields).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let mut conn = store.read().await.unwrap();
        let all: Vec<Versioned<Deviation>> = repo::list(&mut conn, Where::all()).await.unwrap();
        all.iter().filter(|d| d.title == title).map(|d| d.id.get()).max().expect("registered")
    }
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            b' ' => "+".into(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn mailer(sink: &Sink) -> Mailer {
    Mailer::new(&SmtpUrl::parse(&sink.url()).unwrap(), None, "Kvalitet <kvalitet@exempel.se>", PUBLIC).unwrap()
}

fn schedule() -> Schedule {
    Schedule { digest_at: jiff::civil::time(6, 0, 0, 0), every: std::time::Duration::from_secs(10) }
}

/// Today in Sweden at `hour`.
fn today_at(hour: i8) -> jiff::Timestamp {
    let tz = jiff::tz::TimeZone::get("Europe/Stockholm").unwrap();
    let day = kvalitet_mail::jobs::swedish(jiff::Timestamp::now()).date();
    day.at(hour, 0, 0, 0).to_zoned(tz).unwrap().timestamp()
}

async fn demo(store: &Store) {
    kvalitet_demo::load(store).await.expect("demo data");
}

async fn unsent(store: &Store) -> i64 {
    kvalitet_store::mail::unsent(&mut store.read().await.unwrap()).await.unwrap()
}

/// What the people served are called in the tests' reports: it must never be mailed.
const PRIVATE: [&str; 4] = ["Anna Andersson", "föll i trappan", "19500101", "Sarah-händelse"];

fn assert_private(m: &sink::Received) {
    let text = format!("{}\n{}", m.subject(), m.body());
    for p in PRIVATE {
        assert!(!text.contains(p), "a mail holds \"{p}\": {text}");
    }
}

#[tokio::test]
async fn a_staff_report_reaches_the_units_manager_and_no_one_else() {
    on_each_backend(|store, _| async move {
        demo(&store).await;
        let sink = Sink::start().await;
        let mut staff = App::on(&store, true);
        staff.login(STAFF).await;
        let id = staff.report(&store, "internal", "Anna Andersson föll i trappan", "personnummer 19500101-1234").await;
        assert_eq!(unsent(&store).await, 1, "one mail queued with the report, to the one manager");
        let done = kvalitet_mail::deliver(&store, &mailer(&sink), jiff::Timestamp::now()).await.unwrap();
        assert_eq!(done, kvalitet_mail::Delivered { sent: 1, failed: 0 });
        let mails = sink.mails();
        assert_eq!(mails.len(), 1, "{mails:?}");
        let m = &mails[0];
        assert_eq!(m.to, vec![MANAGER.0.to_owned()]);
        assert_eq!(m.from, "kvalitet@exempel.se");
        assert_eq!(m.subject(), "Ny avvikelse för Beroendeenheten");
        let body = m.body();
        assert!(body.contains("En ny avvikelse har registrerats för Beroendeenheten."), "{body}");
        assert!(body.contains(&format!("{PUBLIC}/avvikelser/{id}")), "{body}");
        assert_private(m);
        // Sent once: the next round finds nothing.
        let again = kvalitet_mail::deliver(&store, &mailer(&sink), jiff::Timestamp::now()).await.unwrap();
        assert_eq!(again.sent, 0);
        assert_eq!(unsent(&store).await, 0);
    })
    .await;
}

#[tokio::test]
async fn without_a_mail_server_nothing_is_queued() {
    on_each_backend(|store, _| async move {
        demo(&store).await;
        let mut staff = App::on(&store, false);
        staff.login(STAFF).await;
        staff.report(&store, "lex_sarah", "Sarah-händelse", "").await;
        assert_eq!(unsent(&store).await, 0);
    })
    .await;
}

#[tokio::test]
async fn a_lex_sarah_report_reaches_the_manager_at_once_before_the_digest_hour() {
    on_each_backend(|store, _| async move {
        demo(&store).await;
        let sink = Sink::start().await;
        let mut staff = App::on(&store, true);
        staff.login(STAFF).await;
        let id = staff.report(&store, "lex_sarah", "Sarah-händelse", "Anna Andersson föll i trappan").await;
        // Long before the day's digest (at the last second of the day): the next round
        // sends it.
        let late = Schedule { digest_at: jiff::civil::time(23, 59, 59, 999_999_999), ..schedule() };
        let done = kvalitet_mail::round(&store, &mailer(&sink), &late, jiff::Timestamp::now()).await.unwrap();
        assert_eq!(done.sent, 1);
        let mails = sink.to(MANAGER.0);
        assert_eq!(mails.len(), 1, "no digest yet, only the report");
        assert_eq!(mails[0].subject(), "Lex Sarah-rapport för Beroendeenheten");
        assert!(mails[0].body().contains(&format!("{PUBLIC}/avvikelser/{id}")));
        assert!(mails[0].body().contains("skyndsamt"));
        assert_private(&mails[0]);
    })
    .await;
}

#[tokio::test]
async fn the_reporter_is_told_when_the_status_of_their_report_changes() {
    on_each_backend(|store, _| async move {
        demo(&store).await;
        let sink = Sink::start().await;
        let mut staff = App::on(&store, true);
        staff.login(STAFF).await;
        let id = staff.report(&store, "complaint", "Anna Andersson föll i trappan", "").await;
        let mut manager = App::on(&store, true);
        manager.login(MANAGER).await;
        let page = manager.get(&format!("/avvikelser/{id}")).await.body;
        let version = page.split("name=\"version\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
        let csrf = manager.csrf().await;
        let form = [("csrf", csrf.as_str()), ("version", &version), ("status", "investigating")];
        let res = manager.post(&format!("/avvikelser/{id}/handlaggning"), &form).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        kvalitet_mail::deliver(&store, &mailer(&sink), jiff::Timestamp::now()).await.unwrap();
        let to_reporter = sink.to(STAFF.0);
        assert_eq!(to_reporter.len(), 1, "{:?}", sink.mails());
        assert_eq!(to_reporter[0].subject(), "Ny status för din rapport: Utreds");
        let body = to_reporter[0].body();
        assert!(body.contains("för Beroendeenheten har fått en ny status: Utreds."), "{body}");
        assert!(body.contains(&format!("{PUBLIC}/mina-rapporter/{id}")), "{body}");
        assert_private(&to_reporter[0]);
        assert_eq!(sink.to(MANAGER.0).len(), 1, "the manager had the report, not the change they made");
        // Saving again without a change of status tells no one.
        let page = manager.get(&format!("/avvikelser/{id}")).await.body;
        let version = page.split("name=\"version\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
        let form =
            [("csrf", csrf.as_str()), ("version", &version), ("status", "investigating"), ("investigation", "x")];
        manager.post(&format!("/avvikelser/{id}/handlaggning"), &form).await;
        assert_eq!(unsent(&store).await, 0);
    })
    .await;
}

/// The self-inspections that the manager of Beroendeenheten is responsible for, counted
/// straight from the database: those of the adopted plans tied to the unit or a part of
/// the tree above it, or not tied and in a plan whose scope is above it. None of the
/// demo's has a run, and every plan's year is over, so all are due.
async fn beroende_self_inspections(store: &Store) -> usize {
    let mut conn = store.read().await.unwrap();
    let units: Vec<Versioned<OrgUnit>> = repo::list(&mut conn, Where::all()).await.unwrap();
    let beroende = units.iter().find(|u| u.name == "Beroendeenheten").unwrap();
    let mut above = vec![beroende.id];
    while let Some(p) = units.iter().find(|u| u.id == *above.last().unwrap()).and_then(|u| u.parent_id) {
        above.push(p);
    }
    let plans: Vec<Versioned<kvalitet_domain::plan::QualityPlan>> =
        repo::list(&mut conn, Where::sql("state = 'adopted'", vec![])).await.unwrap();
    let sis: Vec<Versioned<kvalitet_domain::self_inspection::SelfInspection>> =
        repo::list(&mut conn, Where::all()).await.unwrap();
    sis.iter()
        .filter(|s| {
            let Some(p) = plans.iter().find(|p| p.id == s.plan_id) else { return false };
            above.contains(&s.unit_id.unwrap_or(p.scope_id))
        })
        .count()
}

/// A deviation registered straight in the store (no event mail), at the unit named.
async fn deviation_at(store: &Store, unit: &str, title: &str) {
    let mut conn = store.read().await.unwrap();
    let units: Vec<Versioned<OrgUnit>> = repo::list(&mut conn, Where::all()).await.unwrap();
    let u = units.iter().find(|u| u.name == unit).unwrap();
    drop(conn);
    let today = kvalitet_mail::jobs::swedish(jiff::Timestamp::now()).date();
    let d = Deviation::registered(
        u.tenant_id,
        u.id,
        DeviationKind::Internal,
        today,
        today,
        title.into(),
        String::new(),
        "Test".into(),
    );
    let mut tx = store.write(&Actor::system("test")).await.unwrap();
    plans::create(&mut tx, &d).await.unwrap();
    tx.commit().await.unwrap();
}

/// The numbered lines of a digest: ("3", "egenkontroller att genomföra").
fn digest_lines(body: &str) -> Vec<(usize, String)> {
    body.lines()
        .filter_map(|l| l.strip_prefix("- "))
        .filter_map(|l| l.split_once(' ').and_then(|(n, what)| Some((n.parse().ok()?, what.to_owned()))))
        .collect()
}

#[tokio::test]
async fn the_digest_lists_what_is_due_for_the_person_and_nothing_of_other_units() {
    on_each_backend(|store, _| async move {
        demo(&store).await;
        deviation_at(&store, "Barnenheten", "Händelse på Barnenheten").await;
        deviation_at(&store, "Beroendeenheten", "Anna Andersson föll i trappan").await;
        let sink = Sink::start().await;
        let done = kvalitet_mail::round(&store, &mailer(&sink), &schedule(), today_at(7)).await.unwrap();
        assert!(done.sent >= 2, "{done:?}");
        let day = kvalitet_mail::jobs::swedish(today_at(7)).date();
        let mine = sink.to(MANAGER.0);
        assert_eq!(mine.len(), 1, "one digest per person per day");
        assert_eq!(mine[0].subject(), format!("Det här väntar på dig i Kvalitet {day}"));
        let body = mine[0].body();
        let expected = beroende_self_inspections(&store).await;
        assert!(expected > 0);
        assert_eq!(
            digest_lines(&body),
            vec![(1, "ny avvikelse att utreda".to_owned()), (expected, "egenkontroller att genomföra".to_owned())],
            "{body}"
        );
        assert!(body.contains(&format!("{PUBLIC}/konto/aviseringar")) && body.contains(&format!("{PUBLIC}/")));
        assert!(!body.contains("Loggkontroll") && !body.contains("Barnenheten"), "counts and links only: {body}");
        assert_private(&mine[0]);
        // The start page holds the same items: the one rule for both.
        let mut manager = App::on(&store, true);
        manager.login(MANAGER).await;
        let page = manager.get("/").await.body;
        assert_eq!(page.matches("Egenkontroll att genomföra</span>").count(), expected, "{page}");
        assert!(page.contains("Loggkontroll"));
        assert!(!page.contains("Andel utredningar inom barn och unga"), "the children's section's, not theirs");
        assert!(!page.contains("Händelse på Barnenheten"));
        // The administrator of the whole IFO has both units' reports.
        let admin = sink.to("admin@exempel.se");
        assert_eq!(admin.len(), 1);
        assert!(digest_lines(&admin[0].body()).contains(&(2, "nya avvikelser att utreda".to_owned())));
        // One round a day: later rounds that day make no more.
        assert_eq!(kvalitet_mail::make_digests(&store, day, today_at(9)).await.unwrap(), None);
        kvalitet_mail::round(&store, &mailer(&sink), &schedule(), today_at(12)).await.unwrap();
        assert_eq!(sink.to(MANAGER.0).len(), 1);
        assert_eq!(unsent(&store).await, 0);
    })
    .await;
}

#[tokio::test]
async fn no_digest_for_whoever_turned_it_off() {
    on_each_backend(|store, _| async move {
        demo(&store).await;
        let mut manager = App::on(&store, true);
        manager.login(MANAGER).await;
        let page = manager.get("/konto/aviseringar").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("id=\"digest-on\" name=\"digest\" value=\"on\" checked"), "on by default");
        let csrf = manager.csrf().await;
        let bad = manager.post("/konto/aviseringar", &[("csrf", &csrf), ("digest", "kanske")]).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.body.contains("Välj om du vill få sammanfattningen."));
        let res = manager.post("/konto/aviseringar", &[("csrf", &csrf), ("digest", "off")]).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER);
        assert_eq!(res.location, "/konto/aviseringar?sparat=1");
        let page = manager.get("/konto/aviseringar?sparat=1").await.body;
        assert!(page.contains("value=\"off\" checked") && page.contains("Ditt val är sparat."));
        let sink = Sink::start().await;
        kvalitet_mail::round(&store, &mailer(&sink), &schedule(), today_at(7)).await.unwrap();
        assert!(sink.to(MANAGER.0).is_empty(), "turned off");
        assert_eq!(sink.to("kvalitet@exempel.se").len(), 1, "the others still get theirs");
        let log = kvalitet_store::testing::audit_entries(&store).await;
        assert!(log.iter().any(|e| e.action == "set_digest" && e.after_data.as_deref() == Some("{\"digest\":false}")));
    })
    .await;
}

#[tokio::test]
async fn two_instances_on_one_database_send_each_mail_and_digest_once() {
    on_each_backend(|store, _| async move {
        demo(&store).await;
        let other = Store::connect(store.url()).await.unwrap().with_audit_key(test_audit_key());
        let sink = Sink::start().await;
        let mut staff = App::on(&store, true);
        staff.login(STAFF).await;
        for i in 0..3 {
            staff.report(&store, "internal", &format!("Anna Andersson föll i trappan {i}"), "").await;
        }
        staff.report(&store, "lex_sarah", "Sarah-händelse", "").await;
        let (a, b) = (mailer(&sink), mailer(&sink));
        let start = today_at(7);
        let plan = schedule();
        for day in 0..3_i64 {
            let now = start + jiff::SignedDuration::from_hours(24 * day);
            let (x, y) = tokio::join!(
                kvalitet_mail::round(&store, &a, &plan, now),
                kvalitet_mail::round(&other, &b, &plan, now)
            );
            let (x, y) = (x.unwrap(), y.unwrap());
            assert_eq!(x.failed + y.failed, 0);
        }
        let mails = sink.mails();
        let digests =
            |to: &str| mails.iter().filter(|m| m.to == [to] && m.subject().starts_with("Det här väntar")).count();
        assert_eq!(digests(MANAGER.0), 3, "one digest a day, three days");
        assert_eq!(digests("kvalitet@exempel.se"), 3);
        assert_eq!(digests(STAFF.0), 0, "staff have nothing due");
        let reports: Vec<_> = mails.iter().filter(|m| !m.subject().starts_with("Det här väntar")).collect();
        assert_eq!(reports.len(), 4, "each report's mail once: {reports:?}");
        let mut conn = store.read().await.unwrap();
        let queued: i64 = sqlx::Row::try_get(
            &sqlx::query("SELECT COUNT(*) AS n FROM mail_outbox").fetch_one(&mut *conn).await.unwrap(),
            "n",
        )
        .unwrap();
        assert_eq!(queued as usize, mails.len(), "every queued mail sent exactly once");
        let runs: i64 = sqlx::Row::try_get(
            &sqlx::query("SELECT COUNT(*) AS n FROM job_run").fetch_one(&mut *conn).await.unwrap(),
            "n",
        )
        .unwrap();
        assert_eq!(runs, 3);
        drop(conn);
        assert_eq!(unsent(&store).await, 0);
        other.close().await;
    })
    .await;
}

#[tokio::test]
async fn a_failed_delivery_is_retried_later_and_the_error_names_no_address() {
    on_each_backend(|store, _| async move {
        demo(&store).await;
        let mut staff = App::on(&store, true);
        staff.login(STAFF).await;
        staff.report(&store, "internal", "Anna Andersson föll i trappan", "").await;
        // Nothing listens on this port.
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = closed.local_addr().unwrap().port();
        drop(closed);
        let url = SmtpUrl::parse(&format!("smtp://127.0.0.1:{port}?tls=none")).unwrap();
        let down = Mailer::new(&url, None, "kvalitet@exempel.se", PUBLIC).unwrap();
        let now = jiff::Timestamp::now();
        let done = kvalitet_mail::deliver(&store, &down, now).await.unwrap();
        assert_eq!(done, kvalitet_mail::Delivered { sent: 0, failed: 1 });
        let mut conn = store.read().await.unwrap();
        let row = sqlx::query("SELECT attempts, last_error, next_attempt_at FROM mail_outbox")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        let (attempts, error, next): (i64, String, i64) = (
            sqlx::Row::try_get(&row, "attempts").unwrap(),
            sqlx::Row::try_get(&row, "last_error").unwrap(),
            sqlx::Row::try_get(&row, "next_attempt_at").unwrap(),
        );
        drop(conn);
        assert_eq!(attempts, 1);
        assert!(!error.is_empty() && !error.contains('@'), "{error}");
        assert_eq!(next, now.as_second() + 60, "tried again in a minute");
        // Not before then; then it goes.
        let sink = Sink::start().await;
        assert_eq!(kvalitet_mail::deliver(&store, &mailer(&sink), now).await.unwrap().sent, 0);
        let later = now + jiff::SignedDuration::from_secs(61);
        assert_eq!(kvalitet_mail::deliver(&store, &mailer(&sink), later).await.unwrap().sent, 1);
        assert_eq!(sink.to(MANAGER.0).len(), 1);
    })
    .await;
}

/// An overdue action whose responsible person is an account is that person's in the
/// digest too, whatever their roles: the staff member, whose role records nothing (so
/// nothing else is due for them), gets a digest with that one action.
#[tokio::test]
async fn the_digest_includes_an_overdue_action_of_its_responsible_account() {
    use kvalitet_domain::access::Account;
    use kvalitet_domain::action::{Action, ActionStatus};
    use kvalitet_domain::plan::QualityPlan;
    use kvalitet_store::Column;
    on_each_backend(|store, _| async move {
        demo(&store).await;
        let mut conn = store.read().await.unwrap();
        let people: Vec<Versioned<Account>> = repo::list(&mut conn, Where::all()).await.unwrap();
        let staff = people.iter().find(|a| a.email == STAFF.0).unwrap().id;
        let plans: Vec<Versioned<QualityPlan>> = repo::list(&mut conn, Where::all()).await.unwrap();
        let plan = plans.iter().find(|p| p.title == "Kvalitetsplan 2024 Individ- och familjeomsorg").unwrap();
        let actions: Vec<Versioned<Action>> =
            repo::list(&mut conn, Where::sql("plan_id = $1", vec![plan.id.to_value()])).await.unwrap();
        drop(conn);
        let action = actions.first().expect("the plan has actions");
        let overdue = Action {
            due_on: Some(kvalitet_domain::Date::constant(2024, 6, 30)),
            status: ActionStatus::Ongoing,
            responsible_account_id: Some(staff),
            ..action.item.clone()
        };
        let mut tx = store.write(&Actor::system("test")).await.unwrap();
        repo::update(&mut tx, action.id, action.version, &overdue).await.unwrap();
        tx.commit().await.unwrap();
        let sink = Sink::start().await;
        kvalitet_mail::round(&store, &mailer(&sink), &schedule(), today_at(7)).await.unwrap();
        let mine = sink.to(STAFF.0);
        assert_eq!(mine.len(), 1, "the responsible person's digest");
        assert_eq!(digest_lines(&mine[0].body()), vec![(1, "åtgärd efter sista datum".to_owned())]);
        assert!(!mine[0].body().contains(&action.title), "counts and links only");
    })
    .await;
}

#[tokio::test]
async fn the_digest_counts_every_past_due_action_however_many() {
    on_each_backend(|store, _| async move {
        demo(&store).await;
        let mut conn = store.read().await.unwrap();
        let plans: Vec<Versioned<kvalitet_domain::plan::QualityPlan>> =
            repo::list(&mut conn, Where::all()).await.unwrap();
        let actions: Vec<Versioned<kvalitet_domain::action::Action>> =
            repo::list(&mut conn, Where::all()).await.unwrap();
        drop(conn);
        let day = kvalitet_mail::jobs::swedish(today_at(7)).date();
        let today: kvalitet_domain::Date = day.to_string().parse().unwrap();
        let adopted: Vec<_> =
            plans.iter().filter(|p| p.state == kvalitet_domain::plan::PlanState::Adopted).map(|p| p.id).collect();
        // What the agenda counts: actions of the plans being carried out, past their date, open.
        let past_due = |a: &kvalitet_domain::action::Action| {
            adopted.contains(&a.plan_id)
                && a.due_on.is_some_and(|d| d < today)
                && !matches!(
                    a.status,
                    kvalitet_domain::action::ActionStatus::Done | kvalitet_domain::action::ActionStatus::Withdrawn
                )
        };
        let before = actions.iter().filter(|a| past_due(a)).count();
        // More than the start page reads of a kind (100).
        kvalitet_store::testing::add_past_due_actions(&store, 520).await;
        let sink = Sink::start().await;
        kvalitet_mail::round(&store, &mailer(&sink), &schedule(), today_at(7)).await.unwrap();
        let admin = sink.to("admin@exempel.se");
        assert_eq!(admin.len(), 1);
        let lines = digest_lines(&admin[0].body());
        assert!(lines.contains(&(before + 520, "åtgärder efter sista datum".to_owned())), "exact: {lines:?}");
    })
    .await;
}
