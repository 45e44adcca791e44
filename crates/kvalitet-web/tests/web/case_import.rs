//! Case data in the browser: the export uploaded as multipart, read and stored by a job
//! whose state lives in the database, refused whole with every problem as
//! file:row:column; measures tied to self-inspections and indicators; the /matt page's
//! explanations, extension decisions, days over the limit and own units first.

use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};

use kvalitet_measures::Secret;
use kvalitet_store::testing::on_each_backend;
use kvalitet_store::{Store, Where, repo};
use kvalitet_web::{AppState, CaseDataConfig, router};

use crate::{ADMIN, MANAGER, QUALITY, Response, TestApp};

const BOUNDARY: &str = "----kvalitet-test-boundary";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../kvalitet/tests/fixtures").join(name)
}

/// The secret the CLI's test import uses too (`TestApp::import_case_data`).
fn secret() -> Secret {
    Secret::from_bytes([7; 32])
}

/// The demo app reading case data in with the test key, uploads waiting in `dir`.
async fn app(store: Store, dir: &Path, max_upload_bytes: u64) -> TestApp {
    kvalitet_demo::load(&store).await.expect("demo data");
    let config =
        CaseDataConfig { secret: Some(std::sync::Arc::new(secret())), max_upload_bytes, upload_dir: dir.to_owned() };
    TestApp { router: router(AppState::new(store.clone()).with_case_data(config)), store, cookie: None }
}

/// A part of a multipart body: a text field, or a file with its name and bytes.
enum Part<'a> {
    Text(&'a str, &'a str),
    File(&'a str, &'a str, Vec<u8>),
}

fn multipart(parts: &[Part<'_>]) -> Vec<u8> {
    let mut body = Vec::new();
    for part in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        match part {
            Part::Text(name, value) => {
                body.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
                );
            }
            Part::File(name, file, bytes) => {
                body.extend_from_slice(
                    format!(
                        "Content-Disposition: form-data; name=\"{name}\"; filename=\"{file}\"\r\nContent-Type: text/csv\r\n\r\n"
                    )
                    .as_bytes(),
                );
                body.extend_from_slice(bytes);
                body.extend_from_slice(b"\r\n");
            }
        }
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// The form for the first quarter of 2024 with the session's token and these files
/// (field, file name, the fixture's name or `None` for a file input left empty).
fn q1(csrf: &str, files: &[(&str, &str, Option<&str>)]) -> Body {
    let mut parts = vec![Part::Text("csrf", csrf), Part::Text("from", "2024-01-01"), Part::Text("to", "2024-03-31")];
    for (field, name, fixture_name) in files {
        parts.push(Part::File(
            field,
            name,
            fixture_name.map(|f| std::fs::read(fixture(f)).unwrap()).unwrap_or_default(),
        ));
    }
    Body::from(multipart(&parts))
}

const ARENDEN: (&str, &str, Option<&str>) = ("arenden", "arenden.csv", Some("arenden.csv"));
const INSATSER: (&str, &str, Option<&str>) = ("insatser", "insatser.csv", Some("insatser.csv"));

async fn upload(app: &TestApp, body: Body) -> Response {
    let mut req = Request::post("/matt/inlasning")
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={BOUNDARY}"))
        .header("sec-fetch-site", "same-origin");
    if let Some(c) = &app.cookie {
        req = req.header(header::COOKIE, c);
    }
    app.send(req.body(body).unwrap()).await
}

/// Waits for the job the upload redirected to, and returns its finished page.
async fn finished(app: &TestApp, res: &Response) -> String {
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let path = res.location().to_owned();
    assert!(path.starts_with("/matt/inlasning/"), "{path}");
    for _ in 0..600 {
        let page = app.get(&path).await;
        assert_eq!(page.status, StatusCode::OK);
        if !page.body.contains("hx-trigger=\"every 1s\"") {
            return page.body;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the import did not finish");
}

async fn count(store: &Store, table: &str) -> i64 {
    let mut conn = store.read().await.unwrap();
    let sql = format!("SELECT COUNT(*) AS n FROM {table}");
    sqlx::Row::get(&sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_one(&mut *conn).await.unwrap(), "n")
}

fn files_left(dir: &Path) -> usize {
    walk(dir)
}

fn walk(dir: &Path) -> usize {
    std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).map(|p| if p.is_dir() { walk(&p) } else { 1 }).sum()
}

#[tokio::test]
async fn only_those_who_may_import_for_the_whole_tree_upload() {
    on_each_backend(|store, _| async move {
        let dir = tempfile::tempdir().unwrap();
        let mut app = app(store.clone(), dir.path(), 1 << 20).await;
        // The manager sees case data but does not import it; the quality developer of
        // one section does not import the whole municipality's export.
        for who in [MANAGER, QUALITY] {
            app.login(who).await;
            assert_eq!(app.get("/matt/inlasning").await.status, StatusCode::FORBIDDEN);
            assert_eq!(app.get("/matt/kopplingar").await.status, StatusCode::FORBIDDEN);
            let csrf = app.csrf().await;
            assert_eq!(upload(&app, q1(&csrf, &[ARENDEN])).await.status, StatusCode::FORBIDDEN);
            assert!(!app.get("/matt").await.body.contains("/matt/inlasning"), "no link for {}", who.0);
        }
        assert_eq!(count(&store, "case_import").await, 0);
        assert_eq!(count(&store, "case_import_job").await, 0);
        // A post without the session's token is refused before any file is kept.
        app.login(ADMIN).await;
        let body = multipart(&[
            Part::Text("from", "2024-01-01"),
            Part::Text("to", "2024-03-31"),
            Part::File("arenden", "arenden.csv", std::fs::read(fixture("arenden.csv")).unwrap()),
        ]);
        assert_eq!(upload(&app, Body::from(body)).await.status, StatusCode::FORBIDDEN);
        assert_eq!(files_left(dir.path()), 0);
        assert!(app.get("/matt").await.body.contains("href=\"/matt/inlasning\""));
    })
    .await;
}

#[tokio::test]
async fn a_bad_file_is_refused_whole_with_its_problems_named() {
    on_each_backend(|store, _| async move {
        let dir = tempfile::tempdir().unwrap();
        let mut app = app(store.clone(), dir.path(), 1 << 20).await;
        app.login(ADMIN).await;
        let csrf = app.csrf().await;

        // The form itself: dates and files, each problem named beside its field.
        let body = multipart(&[Part::Text("csrf", &csrf), Part::Text("from", "2024-13-01"), Part::Text("to", "")]);
        let res = upload(&app, Body::from(body)).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.body.contains("Ange datum som ÅÅÅÅ-MM-DD"), "{}", res.body);
        assert!(res.body.contains("Ange periodens sista dag."));
        assert!(res.body.contains("Ärenden: välj minst en fil"));
        let body = multipart(&[
            Part::Text("csrf", &csrf),
            Part::Text("from", "2024-03-31"),
            Part::Text("to", "2024-01-01"),
            Part::File("arenden", "arenden.csv", std::fs::read(fixture("arenden.csv")).unwrap()),
        ]);
        let res = upload(&app, Body::from(body)).await;
        assert!(res.body.contains("Periodens sista dag: ange en dag som inte ligger före periodens första dag."));

        // A file with an unknown unit and a broken date: nothing stored, every problem
        // as file:row:column under the file's own name, never the server's path.
        let mut bad = std::fs::read(fixture("arenden_okand_enhet.csv")).unwrap();
        bad.extend_from_slice(b"X-3,19121212-1212,Barnenheten,barn,2024-02-30,2024-03-01,,\n");
        let body = multipart(&[
            Part::Text("csrf", &csrf),
            Part::Text("from", "2024-01-01"),
            Part::Text("to", "2024-03-31"),
            Part::File("arenden", "export ärenden.csv", bad),
        ]);
        let page = finished(&app, &upload(&app, Body::from(body)).await).await;
        assert!(page.contains("Filerna lästes inte in: 2 fel"), "{page}");
        assert!(page.contains("export ärenden.csv:3:unit: okänd enhet &#34;Påhittade enheten&#34;"), "{page}");
        assert!(page.contains("export ärenden.csv:4:aktualisering: ogiltigt datum"), "{page}");
        assert!(page.contains("Ingenting har sparats"));
        assert!(!page.contains(&dir.path().display().to_string()), "no server path shown");
        assert!(!page.contains("19121212"), "no personal identity number shown");
        assert_eq!(count(&store, "case_import").await, 0);
        assert_eq!(count(&store, "case_record").await, 0);
        assert_eq!(files_left(dir.path()), 0, "the uploaded file is removed");
        // The list of imports says so.
        let list = app.get("/matt/inlasning").await.body;
        assert!(list.contains("export ärenden.csv") && list.contains("avvisad"), "{list}");

        // Over the limit: refused, naming the limit.
        let small = app_with_limit(&store, dir.path(), 200);
        let mut small = small;
        small.cookie = app.cookie.clone();
        let res = upload(&small, q1(&csrf, &[ARENDEN])).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.body.contains("Ärenden: filerna är tillsammans större än"), "{}", res.body);
        assert_eq!(files_left(dir.path()), 0);
    })
    .await;
}

/// Another instance over the same database, with another upload limit.
fn app_with_limit(store: &Store, dir: &Path, max_upload_bytes: u64) -> TestApp {
    let config =
        CaseDataConfig { secret: Some(std::sync::Arc::new(secret())), max_upload_bytes, upload_dir: dir.to_owned() };
    TestApp { router: router(AppState::new(store.clone()).with_case_data(config)), store: store.clone(), cookie: None }
}

#[tokio::test]
async fn a_good_export_is_stored_pseudonymised_as_the_cli_does_and_shown() {
    on_each_backend(|store, _| async move {
        let dir = tempfile::tempdir().unwrap();
        let mut app = app(store.clone(), dir.path(), 1 << 20).await;
        app.login(ADMIN).await;
        let csrf = app.csrf().await;
        let body = q1(&csrf, &[ARENDEN, INSATSER, ("kontakter", "", None)]);
        let page = finished(&app, &upload(&app, body).await).await;
        assert!(page.contains("Exporten är inläst: 7 rader"), "{page}");
        assert!(page.contains("5 ärenden, 2 insatser och 0 kontakter"), "{page}");
        assert_eq!(files_left(dir.path()), 0, "the uploaded files are removed");
        assert_eq!(count(&store, "case_record").await, 5);

        // The same pseudonym as the CLI gives with the installation's key; no raw id.
        let mut conn = store.read().await.unwrap();
        let row = sqlx::query("SELECT person_key, files FROM case_record r JOIN case_import i ON i.id = r.import_id WHERE case_id = 'B-1'")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        drop(conn);
        let key: String = sqlx::Row::get(&row, "person_key");
        assert_eq!(key, secret().pseudonymiser().key(b"19121212-1212").to_hex());
        assert_eq!(sqlx::Row::get::<String, _>(&row, "files"), "arenden.csv, insatser.csv");

        // /matt: the definition in words, n explained, the thin basis, extension
        // decisions, and no "outside" column for a measure without a limit.
        let matt = app.get("/matt?matt=barnutredning_4man").await.body;
        assert!(matt.contains("Andelen där utredningens slut kom inom 4 månader från utredningens start"), "{matt}");
        assert!(matt.contains("Underlag är antalet ärenden"));
        assert!(matt.contains("Underlaget är för litet för att dra säkra slutsatser."));
        assert!(matt.contains("Utanför gränsen"));
        let mean = app.get("/matt?matt=vuxenutredning_dagar").await.body;
        assert!(mean.contains("Medeltiden i dagar från utredningens start till utredningens slut"));
        assert!(!mean.contains("Utanför gränsen"), "a mean has no limit");
        // Days over the limit per case: V-2 took 71 days of 60.
        let adults = app.get("/matt?matt=vuxenutredning_60d").await.body;
        let href = adults
            .split("<th scope=\"row\" data-label=\"Del\">Beroendeenheten</th>")
            .nth(1)
            .unwrap()
            .split("href=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_owned();
        let cases = app.get(&href).await.body;
        assert!(cases.contains("<td data-label=\"Ärende\">V-2</td><td data-label=\"Enhet\">Beroendeenheten</td><td data-label=\"Dagar över gränsen\" class=\"num\">11 dagar</td>"), "{cases}");

        // The manager's own unit comes first among the units.
        let mut manager = TestApp::on(store.clone());
        manager.login(MANAGER).await;
        let page = manager.get("/matt?matt=verkstallighet_14d").await.body;
        let per_unit = page.split("<caption>Per enhet</caption>").nth(1).unwrap();
        let (own, other) = (per_unit.find(">Beroendeenheten<").unwrap(), per_unit.find(">Barnenheten<").unwrap());
        assert!(own < other, "own unit first");
        let admin_page = app.get("/matt?matt=verkstallighet_14d").await.body;
        let per_unit = admin_page.split("<caption>Per enhet</caption>").nth(1).unwrap();
        assert!(per_unit.find(">Barnenheten<").unwrap() < per_unit.find(">Beroendeenheten<").unwrap());
    })
    .await;
}

#[tokio::test]
async fn occupancy_counts_the_places_set_in_the_organisation() {
    on_each_backend(|store, _| async move {
        let dir = tempfile::tempdir().unwrap();
        let mut app = app(store.clone(), dir.path(), 1 << 20).await;
        app.login(ADMIN).await;
        let csrf = app.csrf().await;
        let import = || q1(&csrf, &[INSATSER]);
        // Without places, occupancy is not known.
        finished(&app, &upload(&app, import()).await).await;
        let page = app.get("/matt?matt=belaggning").await.body;
        assert!(page.contains("<th scope=\"row\" data-label=\"Del\">Alla enheter</th><td data-label=\"Resultat\" class=\"num\">–</td>"), "{page}");
        // The residential unit the export names gets 2 places in the organisation pages.
        let mut conn = store.read().await.unwrap();
        let units: Vec<kvalitet_domain::Versioned<kvalitet_domain::org::OrgUnit>> =
            repo::list(&mut conn, Where::all()).await.unwrap();
        drop(conn);
        let balder = units.iter().find(|u| u.name == "Stödboendet Balder").unwrap();
        let res = app
            .post(
                &format!("/organisation/enheter/{}/andra", balder.id),
                &[
                    ("csrf", &csrf),
                    ("version", &balder.version.to_string()),
                    ("name", "Stödboendet Balder"),
                    ("kind", "unit"),
                    ("parent_id", &balder.parent_id.unwrap().to_string()),
                    ("capacity", "2"),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        finished(&app, &upload(&app, import()).await).await;
        let page = app.get("/matt?matt=belaggning").await.body;
        // One place taken from 2024-02-25 to the period's end: 36 days of 2 × 91.
        assert!(page.contains("<th scope=\"row\" data-label=\"Del\">Stödboendet Balder</th><td data-label=\"Resultat\" class=\"num\">20\u{a0}%</td>"), "{page}");
        assert!(page.contains("Platserna är de som står på boendet under Organisation"));
    })
    .await;
}

#[tokio::test]
async fn a_measure_is_tied_and_untied_with_its_problems_named() {
    on_each_backend(|store, _| async move {
        let dir = tempfile::tempdir().unwrap();
        let mut app = app(store.clone(), dir.path(), 1 << 20).await;
        app.login(ADMIN).await;
        let page = app.get("/matt/kopplingar").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Inga mått är kopplade ännu."));
        let si = page.body.split("value=\"egenkontroll-").nth(1).unwrap().split('"').next().unwrap().to_owned();
        let ind = page.body.split("value=\"indikator-").nth(1).unwrap().split('"').next().unwrap().to_owned();
        let csrf = app.csrf().await;
        let item = format!("egenkontroll-{si}");
        let indicator = format!("indikator-{ind}");

        for (form, message) in [
            (
                vec![("measure", "finns_inte"), ("item", item.as_str()), ("approve_at", "90")],
                "Mått: välj ett mått i listan.",
            ),
            (
                vec![("measure", "forhandsbedomning_14d"), ("item", ""), ("approve_at", "")],
                "Egenkontroll eller indikator: välj",
            ),
            (
                vec![("measure", "forhandsbedomning_14d"), ("item", "egenkontroll-999999"), ("approve_at", "90")],
                "Egenkontroll eller indikator: välj",
            ),
            (
                vec![("measure", "forhandsbedomning_14d"), ("item", item.as_str()), ("approve_at", "")],
                "Gräns för godkänt: ange hur stor andel",
            ),
            (
                vec![("measure", "forhandsbedomning_14d"), ("item", item.as_str()), ("approve_at", "150")],
                "Gräns för godkänt: ange en andel mellan 0 och 100 procent.",
            ),
            (
                vec![("measure", "forhandsbedomning_14d"), ("item", item.as_str()), ("approve_at", "mycket")],
                "Ange ett tal",
            ),
            (
                vec![("measure", "forhandsbedomning_14d"), ("item", indicator.as_str()), ("approve_at", "90")],
                "Gräns för godkänt: anges bara för en egenkontroll",
            ),
        ] {
            let mut form = form;
            form.push(("csrf", csrf.as_str()));
            let res = app.post("/matt/kopplingar", &form).await;
            assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{message}");
            assert!(res.body.contains(message), "{message}: {}", res.body);
        }
        assert_eq!(count(&store, "measure_link").await, 0);

        let res = app
            .post(
                "/matt/kopplingar",
                &[("csrf", &csrf), ("measure", "forhandsbedomning_14d"), ("item", &item), ("approve_at", "90,5")],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let res = app
            .post(
                "/matt/kopplingar",
                &[("csrf", &csrf), ("measure", "vuxenutredning_60d"), ("item", &indicator), ("approve_at", "")],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let again = app
            .post("/matt/kopplingar", &[("csrf", &csrf), ("measure", "vuxenutredning_60d"), ("item", &indicator)])
            .await;
        assert!(again.body.contains("måttet är redan kopplat hit"));
        let page = app.get("/matt/kopplingar?klart=kopplad").await.body;
        assert!(page.contains("Kopplingen är sparad."));
        assert!(page.contains("Förhandsbedömning inom 14 dagar (barn)") && page.contains("90,5 %"), "{page}");
        let mut conn = store.read().await.unwrap();
        let tenant = kvalitet_store::org::first_tenant(&mut conn).await.unwrap().unwrap().id;
        let links = kvalitet_store::case_data::links(&mut conn, tenant).await.unwrap();
        drop(conn);
        assert_eq!(links.len(), 2);
        assert_eq!(links[0].approve_at, Some(90.5));
        assert_eq!(links[1].approve_at, None);

        // The manager may neither tie nor untie.
        let mut manager = TestApp::on(store.clone());
        manager.login(MANAGER).await;
        let m_csrf = manager.csrf().await;
        let path = format!("/matt/kopplingar/{}/ta-bort", links[0].id);
        let version = links[0].version.to_string();
        assert_eq!(
            manager.post(&path, &[("csrf", &m_csrf), ("version", &version)]).await.status,
            StatusCode::FORBIDDEN
        );

        let res = app.post(&path, &[("csrf", &csrf), ("version", &version)]).await;
        assert_eq!(res.location(), "/matt/kopplingar?klart=borttagen");
        assert_eq!(count(&store, "measure_link").await, 1);
    })
    .await;
}

/// A large export: a few hundred thousand rows, far beyond the ordinary body limit, is
/// streamed to disk and read in (no timing asserted). The request body is itself a
/// stream of the file's blocks, so neither side holds the whole file.
#[tokio::test]
async fn a_large_export_is_streamed_to_disk_and_read() {
    let dir = tempfile::tempdir().unwrap();
    let uploads = tempfile::tempdir().unwrap();
    let file = dir.path().join("arenden.csv");
    let rows = 300_000;
    {
        use std::io::Write;
        let mut w = std::io::BufWriter::new(std::fs::File::create(&file).unwrap());
        writeln!(
            w,
            "case_id;person_id;unit;target_group;aktualisering;forhandsbedomning;utredning_start;utredning_slut"
        )
        .unwrap();
        for i in 0..rows {
            let unit = if i % 2 == 0 { "Barnenheten" } else { "Beroendeenheten" };
            let group = if i % 2 == 0 { "barn" } else { "vuxen" };
            writeln!(
                w,
                "A-{i};19{:02}0101-{:04};{unit};{group};2024-01-{:02};2024-01-{:02};;",
                i % 100,
                i % 10_000,
                1 + i % 10,
                10 + i % 15
            )
            .unwrap();
        }
    }
    let size = std::fs::metadata(&file).unwrap().len();
    assert!(size > 10 << 20, "a file well over the 2 MB body limit: {size}");
    let db = kvalitet_store::testing::TestDb::sqlite().await;
    let mut app = app(db.store.clone(), uploads.path(), 1 << 30).await;
    app.login(ADMIN).await;
    let csrf = app.csrf().await;
    let head = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
         --{BOUNDARY}\r\nContent-Disposition: form-data; name=\"from\"\r\n\r\n2024-01-01\r\n\
         --{BOUNDARY}\r\nContent-Disposition: form-data; name=\"to\"\r\n\r\n2024-01-31\r\n\
         --{BOUNDARY}\r\nContent-Disposition: form-data; name=\"arenden\"; filename=\"arenden.csv\"\r\nContent-Type: text/csv\r\n\r\n"
    );
    let tail = format!("\r\n--{BOUNDARY}--\r\n");
    // The file in blocks of 64 KiB, between the form's head and tail.
    let reader = std::fs::File::open(&file).unwrap();
    let blocks = futures_util::stream::unfold(reader, |mut r| async move {
        use std::io::Read;
        let mut block = vec![0u8; 64 << 10];
        let n = r.read(&mut block).unwrap();
        (n > 0).then(|| {
            block.truncate(n);
            (Ok::<_, std::io::Error>(axum::body::Bytes::from(block)), r)
        })
    });
    use futures_util::StreamExt;
    let stream = futures_util::stream::once(async move { Ok::<_, std::io::Error>(axum::body::Bytes::from(head)) })
        .chain(blocks)
        .chain(futures_util::stream::once(async move { Ok(axum::body::Bytes::from(tail)) }));
    let res = upload(&app, Body::from_stream(stream)).await;
    let page = finished(&app, &res).await;
    assert!(page.contains("Exporten är inläst: 300\u{a0}000 rader"), "{page}");
    assert_eq!(count(&db.store, "case_record").await, rows as i64);
    assert_eq!(files_left(uploads.path()), 0, "the uploaded file is removed");
    db.drop_db().await;
}
