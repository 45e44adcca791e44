//! Sign-in, sessions, CSRF, lockout and the audit of reads, through HTTP.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};

use kvalitet_store::audit::{self, Search};
use kvalitet_store::testing::on_each_backend;
use kvalitet_store::{Store, accounts};

use crate::{ADMIN, MANAGER, STAFF, TestApp};

#[tokio::test]
async fn pages_need_a_signed_in_user() {
    on_each_backend(|store, _| async move {
        let app = TestApp::with_demo(store).await;
        let res = app.get("/planer/1").await;
        assert_eq!(res.status, StatusCode::SEE_OTHER);
        assert_eq!(res.location(), "/logga-in?nasta=/planer/1");
        let res = app.get("/logga-in").await;
        assert_eq!(res.status, StatusCode::OK);
        assert!(res.body.contains("Logga in"));
        let res = app.post("/avvikelser/ny", &[("title", "x")]).await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    })
    .await;
}

#[tokio::test]
async fn a_wrong_password_is_refused_without_telling_which_part_was_wrong() {
    on_each_backend(|store, _| async move {
        let app = TestApp::with_demo(store).await;
        let wrong = app.post("/logga-in", &[("email", STAFF.0), ("password", "fel-lösenord-123")]).await;
        let unknown = app.post("/logga-in", &[("email", "ingen@exempel.se"), ("password", "fel-lösenord-123")]).await;
        assert_eq!(wrong.status, StatusCode::OK);
        assert!(wrong.body.contains("E-postadressen eller lösenordet stämmer inte"));
        assert_eq!(unknown.body.replace("ingen@exempel.se", STAFF.0), wrong.body);
        assert!(wrong.headers.get(header::SET_COOKIE).is_none());
    })
    .await;
}

#[tokio::test]
async fn a_throttled_account_waits_gets_the_same_answer_as_anyone_and_an_administrator_can_unlock_it() {
    on_each_backend(|store, _| async move {
        let mut app = TestApp::with_demo(store.clone()).await;
        for _ in 0..accounts::throttle::PER_ACCOUNT.free {
            app.post("/logga-in", &[("email", MANAGER.0), ("password", "gissning-nummer-x")]).await;
        }
        // Now even the right password must wait, and the answer is the one every
        // refusal gets: it does not say that the address exists or is throttled.
        let throttled = app.post("/logga-in", &[("email", MANAGER.0), ("password", MANAGER.1)]).await;
        assert_eq!(throttled.status, StatusCode::OK);
        assert!(throttled.headers.get(header::SET_COOKIE).is_none());
        let unknown =
            app.post("/logga-in", &[("email", "finns-inte@exempel.se"), ("password", "vad-som-helst-1")]).await;
        assert_eq!(throttled.body.replace(MANAGER.0, "X"), unknown.body.replace("finns-inte@exempel.se", "X"));
        // Other accounts are not affected.
        app.login(STAFF).await;
        // Every failed and throttled attempt is in the audit log.
        let free = accounts::throttle::PER_ACCOUNT.free as usize;
        assert_eq!(audited(&store, "login_failed").await, free + 1, "five guesses and one unknown address");
        assert_eq!(audited(&store, "login_throttled").await, 1);
        // The manager's administrator lifts the throttle; the right password works at once.
        let mut admin = TestApp::on(store.clone());
        admin.login(ADMIN).await;
        let id = account_id(&store, MANAGER.0).await;
        let page = admin.get(&format!("/admin/konton/{id}")).await;
        assert!(page.body.contains("Spärrat"), "{}", page.body);
        let csrf = admin.csrf().await;
        let res = admin.post(&format!("/admin/konton/{id}/las-upp"), &[("csrf", &csrf)]).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let mut manager = TestApp::on(store);
        manager.login(MANAGER).await;
    })
    .await;
}

/// How many audit entries have `action`.
pub async fn audited(store: &Store, action: &str) -> usize {
    let mut conn = store.read().await.unwrap();
    audit::search(&mut conn, &Search { action: Some(action.into()), limit: 1000, ..Default::default() })
        .await
        .unwrap()
        .len()
}

/// The id of an account.
pub async fn account_id(store: &Store, email: &str) -> i64 {
    let mut conn = store.read().await.unwrap();
    accounts::find_by_email(&mut conn, email).await.unwrap().unwrap().id.get()
}

#[tokio::test]
async fn thirty_parallel_wrong_sign_ins_check_at_most_the_free_number_of_passwords() {
    on_each_backend(|store, _| async move {
        kvalitet_demo::load(&store).await.unwrap();
        let attempts: Vec<_> = (0..30)
            .map(|i| {
                let store = store.clone();
                tokio::spawn(async move {
                    accounts::login(&store, MANAGER.0, &format!("gissning-{i}-abcdef"), Some("198.51.100.7"))
                        .await
                        .unwrap()
                })
            })
            .collect();
        for a in attempts {
            assert!(a.await.unwrap().is_err(), "a wrong password never signs in");
        }
        let mut conn = store.read().await.unwrap();
        let count = |action: &'static str| Search { action: Some(action.into()), limit: 100, ..Default::default() };
        let checked = audit::search(&mut conn, &count("login_failed")).await.unwrap().len() as i64;
        let throttled = audit::search(&mut conn, &count("login_throttled")).await.unwrap().len() as i64;
        assert_eq!(checked, accounts::throttle::PER_ACCOUNT.free, "passwords checked");
        assert_eq!(checked + throttled, 30);
        let entry = &audit::search(&mut conn, &count("login_throttled")).await.unwrap()[0];
        assert!(entry.after_data.as_deref().unwrap_or("").contains("198.51.100.7"), "the client address is audited");
    })
    .await;
}

#[tokio::test]
async fn a_post_without_the_csrf_token_or_from_another_site_is_refused() {
    on_each_backend(|store, _| async move {
        let mut app = TestApp::with_demo(store).await;
        app.login(STAFF).await;
        let form = [("kind", "internal"), ("unit", "0"), ("title", "Test"), ("occurred_on", "2024-01-01")];
        let res = app.post("/avvikelser/ny", &form).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "no token");
        assert!(res.body.contains("kontrollkod"));
        let res = app.post("/avvikelser/ny", &[("csrf", "fel"), ("title", "Test")]).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "wrong token");
        // A cross-site form post is refused before any handler runs, token or not.
        let csrf = app.csrf().await;
        let req = Request::post("/logga-ut")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, app.cookie.clone().unwrap())
            .header("sec-fetch-site", "cross-site")
            .header(header::ORIGIN, "https://evil.example")
            .body(Body::from(format!("csrf={csrf}")))
            .unwrap();
        assert_eq!(app.send(req).await.status, StatusCode::FORBIDDEN);
        // The session is still alive: nothing above logged the user out.
        assert_eq!(app.get("/").await.status, StatusCode::OK);
        let res = app.post("/logga-ut", &[("csrf", &csrf)]).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER);
        assert_eq!(app.get("/").await.status, StatusCode::SEE_OTHER, "logged out");
    })
    .await;
}

#[tokio::test]
async fn a_session_from_another_instance_works() {
    on_each_backend(|store, backend| async move {
        let mut first = TestApp::with_demo(store.clone()).await;
        first.login(ADMIN).await;
        // A second instance with its own pool on the same database.
        let url = match backend {
            kvalitet_store::Backend::Sqlite | kvalitet_store::Backend::Postgres => store_url(&store).await,
        };
        let other_store = Store::connect(&url).await.unwrap();
        let mut second = TestApp::on(other_store);
        second.cookie = first.cookie.clone();
        let res = second.get("/").await;
        assert_eq!(res.status, StatusCode::OK);
        assert!(res.body.contains("Alva Administratör"));
    })
    .await;
}

/// The URL the test store was opened with.
async fn store_url(store: &Store) -> String {
    store.url().to_owned()
}

#[tokio::test]
async fn staff_register_a_deviation_and_every_read_of_it_is_logged() {
    on_each_backend(|store, _| async move {
        let mut staff = TestApp::with_demo(store.clone()).await;
        staff.login(STAFF).await;
        let form_page = staff.get("/avvikelser/ny").await;
        assert_eq!(form_page.status, StatusCode::OK);
        let unit = form_page.body.split("<option value=\"").nth(2).unwrap().split('"').next().unwrap().to_owned();
        let csrf = staff.csrf().await;
        // Errors are shown beside the fields, nothing is stored.
        let bad = staff
            .post("/avvikelser/ny", &[("csrf", &csrf), ("unit", &unit), ("occurred_on", "2024-13-40"), ("title", "")])
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.body.contains("Välj vad du vill rapportera"));
        assert!(bad.body.contains("Ange datum som ÅÅÅÅ-MM-DD"));
        assert!(bad.body.contains("Rubriken får inte vara tomt"));
        let ok = staff
            .post(
                "/avvikelser/ny",
                &[
                    ("csrf", &csrf),
                    ("kind", "internal"),
                    ("unit", &unit),
                    ("occurred_on", "2024-02-29"),
                    ("title", "Fel dos <b>medicin</b>"),
                    ("description", "Upptäcktes vid kvällsgenomgång."),
                ],
            )
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
        assert!(ok.location().starts_with("/mina-rapporter/"), "the reporter's receipt: {}", ok.location());

        let mut manager = TestApp::on(store.clone());
        manager.login(MANAGER).await;
        let list = manager.get("/avvikelser").await;
        assert!(list.body.contains("Fel dos &#60;b&#62;medicin&#60;/b&#62;"), "escaped title in list");
        let href = list.body.split("href=\"/avvikelser/").find(|s| s.starts_with(char::is_numeric)).unwrap();
        let id = href.split('"').next().unwrap().to_owned();
        let page = manager.get(&format!("/avvikelser/{id}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Upptäcktes vid kvällsgenomgång."));
        let mut conn = store.read().await.unwrap();
        let reads = audit::search(
            &mut conn,
            &Search {
                action: Some("read".into()),
                table_name: Some("deviation".into()),
                record_id: id.parse().ok(),
                limit: 50,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(reads.len(), 1, "listed and opened the same day: one entry");
        assert_eq!(reads[0].reads, Some(2), "read twice");
        assert!(reads.iter().all(|r| r.actor == MANAGER.0));
        assert!(audit::verify(&store, store.audit_key(), &[]).await.unwrap().problems.is_empty());
    })
    .await;
}

/// `/healthz` says the process answers; `/readyz` says a write can commit, and an
/// instance whose database takes no writes is not ready while still alive.
#[tokio::test]
async fn readiness_proves_a_write_can_commit() {
    on_each_backend(|store, backend| async move {
        let app = TestApp::on(store.clone());
        assert_eq!(app.get("/readyz").await.status, StatusCode::OK);
        let read_only = match backend {
            kvalitet_store::Backend::Sqlite => store.url().replace("mode=rwc", "mode=ro"),
            kvalitet_store::Backend::Postgres => {
                let mut conn = store.read().await.unwrap();
                let name: String = sqlx::Row::try_get(
                    &sqlx::query("SELECT current_database()::text AS d").fetch_one(&mut *conn).await.unwrap(),
                    "d",
                )
                .unwrap();
                let sql = format!("ALTER DATABASE {name} SET default_transaction_read_only = on");
                sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut *conn).await.unwrap();
                store.url().to_owned()
            }
        };
        assert_ne!(read_only, "");
        let other = TestApp::on(Store::connect(&read_only).await.unwrap());
        let res = other.get("/readyz").await;
        assert_eq!(res.status, StatusCode::SERVICE_UNAVAILABLE, "{}", res.body);
        assert_eq!(other.get("/healthz").await.status, StatusCode::OK);
    })
    .await;
}

/// Signed-in pages and downloads are never kept by a browser's or a proxy's cache; the
/// static assets are.
#[tokio::test]
async fn signed_in_pages_are_not_stored_by_caches() {
    on_each_backend(|store, _| async move {
        let mut app = TestApp::with_demo(store).await;
        app.login(ADMIN).await;
        let report = app.first_report_id().await;
        for path in ["/", "/avvikelser", "/admin/logg", "/admin/loggkontroll", &format!("/berattelser/{report}")] {
            let res = app.get(path).await;
            assert_eq!(res.status, StatusCode::OK, "{path}");
            assert_eq!(res.headers.get(header::CACHE_CONTROL).unwrap(), "no-store", "{path}");
        }
        let css = app.get("/static/style.css").await;
        assert_eq!(css.headers.get(header::CACHE_CONTROL).unwrap(), "public, max-age=3600");
    })
    .await;
}

#[tokio::test]
async fn an_empty_installation_says_how_to_set_up_and_plain_http_says_sign_in_needs_https() {
    on_each_backend(|store, _| async move {
        // No municipality yet: the sign-in page says how to set one up.
        let app = TestApp::on(store.clone());
        let page = app.get("/logga-in").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.body.contains("Kvalitet är inte upplagt än") && page.body.contains("kvalitet setup"),
            "{}",
            page.body
        );
        let app = TestApp::with_demo(store.clone()).await;
        assert!(!app.get("/logga-in").await.body.contains("inte upplagt"));

        // Reached over plain HTTP on a real name, a Secure cookie would never come back:
        // the page says so, and a sign-in is not attempted.
        let over_http = |method: &str, body: &str| {
            Request::builder()
                .method(method)
                .uri("/logga-in")
                .header(header::HOST, "kvalitet.kommun.se")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header("sec-fetch-site", "same-origin")
                .body(Body::from(body.to_owned()))
                .unwrap()
        };
        let page = app.send(over_http("GET", "")).await;
        assert!(page.body.contains("Inloggning kräver HTTPS"), "{}", page.body);
        let res = app.send(over_http("POST", "email=admin%40exempel.se&password=demo-administrator")).await;
        assert_eq!(res.status, StatusCode::OK);
        assert!(res.headers.get(header::SET_COOKIE).is_none());
        assert!(res.body.contains("Inloggning kräver HTTPS"));
        let local = Request::get("/logga-in").header(header::HOST, "localhost:8080").body(Body::empty()).unwrap();
        assert!(!app.send(local).await.body.contains("kräver HTTPS"), "browsers send Secure cookies to localhost");

        // With an https public URL, pages carry HSTS; with an http one, cookies drop Secure.
        let network = kvalitet_web::Network::parse(Some("https://kvalitet.kommun.se"), &[]).unwrap();
        let https = TestApp {
            router: kvalitet_web::router(kvalitet_web::AppState::with_network(store.clone(), network)),
            store: store.clone(),
            cookie: None,
        };
        let res = https.get("/logga-in").await;
        assert_eq!(res.headers.get(header::STRICT_TRANSPORT_SECURITY).unwrap(), "max-age=31536000");
        let network = kvalitet_web::Network::parse(Some("http://kvalitet.intra"), &[]).unwrap();
        let http = TestApp {
            router: kvalitet_web::router(kvalitet_web::AppState::with_network(store.clone(), network)),
            store,
            cookie: None,
        };
        assert!(http.get("/logga-in").await.headers.get(header::STRICT_TRANSPORT_SECURITY).is_none());
        let res = http.post("/logga-in", &[("email", STAFF.0), ("password", STAFF.1)]).await;
        let cookie = res.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap();
        assert!(!cookie.contains("Secure"), "{cookie}");
    })
    .await;
}
