//! The web interface through its public surface: the real router on fresh databases
//! with the demo data, on both backends, signed in as the demo accounts.

mod access;
mod accounts;
mod api;
mod api_writes;
mod audit_log;
mod bad_input;
mod case_import;
mod corrections;
mod creating;
mod cycle;
mod deviation_analysis;
mod deviations;
mod document_settings;
mod documents;
mod editing;
mod follow_up;
mod ivo_report;
mod kolada;
mod lex_sarah;
mod links;
mod lists;
mod log_review;
mod measures;
mod my_reports;
mod my_tasks;
mod oidc;
mod org_tree;
mod organisation;
mod pages;
mod phones;
mod plan_import;
mod plan_parts;
mod plan_workbook;
mod search;
mod security;
mod start_page;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use tower::ServiceExt;

use kvalitet_domain::Versioned;
use kvalitet_domain::plan::QualityPlan;
use kvalitet_store::{Store, Where, repo};
use kvalitet_web::{AppState, router};

/// The demo accounts (demo/organisation.toml).
pub const ADMIN: (&str, &str) = ("admin@exempel.se", "demo-administrator");
pub const QUALITY: (&str, &str) = ("kvalitet@exempel.se", "demo-kvalitetsutvecklare");
pub const MANAGER: (&str, &str) = ("chef@exempel.se", "demo-enhetschef");
pub const STAFF: (&str, &str) = ("medarbetare@exempel.se", "demo-medarbetare");
pub const READER: (&str, &str) = ("namnd@exempel.se", "demo-namndledamot");

pub struct Response {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Response {
    pub fn location(&self) -> &str {
        self.headers.get(header::LOCATION).map_or("", |v| v.to_str().unwrap())
    }
}

/// The app, and a browser-like client with at most one session cookie.
pub struct TestApp {
    pub router: Router,
    pub store: Store,
    pub cookie: Option<String>,
}

impl TestApp {
    pub async fn with_demo(store: Store) -> TestApp {
        kvalitet_demo::load(&store).await.expect("demo data");
        TestApp::on(store)
    }

    /// Another app instance over the same database.
    pub fn on(store: Store) -> TestApp {
        TestApp { router: router(AppState::new(store.clone())), store, cookie: None }
    }

    pub async fn send(&self, req: Request<Body>) -> Response {
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = axum::body::to_bytes(res.into_body(), 10 << 20).await.unwrap();
        Response { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
    }

    pub async fn get(&self, path: &str) -> Response {
        let mut req = Request::get(path);
        if let Some(c) = &self.cookie {
            req = req.header(header::COOKIE, c);
        }
        self.send(req.body(Body::empty()).unwrap()).await
    }

    /// A download: status, headers and the body's bytes.
    pub async fn download(&self, path: &str) -> (StatusCode, HeaderMap, Vec<u8>) {
        let mut req = Request::get(path);
        if let Some(c) = &self.cookie {
            req = req.header(header::COOKIE, c);
        }
        let res = self.router.clone().oneshot(req.body(Body::empty()).unwrap()).await.unwrap();
        let (status, headers) = (res.status(), res.headers().clone());
        let bytes = axum::body::to_bytes(res.into_body(), 10 << 20).await.unwrap().to_vec();
        (status, headers, bytes)
    }

    /// A form post, as a same-origin browser sends it.
    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> Response {
        let body: String =
            form.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect::<Vec<_>>().join("&");
        let mut req = Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "same-origin");
        if let Some(c) = &self.cookie {
            req = req.header(header::COOKIE, c);
        }
        self.send(req.body(Body::from(body)).unwrap()).await
    }

    /// A multipart form post with one file (field, file name, bytes), as a same-origin
    /// browser sends it.
    pub async fn post_file(&self, path: &str, fields: &[(&str, &str)], file: (&str, &str, &[u8])) -> Response {
        const BOUNDARY: &str = "----kvalitet-test-boundary";
        let mut body = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(
                format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                    .as_bytes(),
            );
        }
        let (field, file_name, bytes) = file;
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{file_name}\"\r\n\
                 Content-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
        let mut req = Request::post(path)
            .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={BOUNDARY}"))
            .header("sec-fetch-site", "same-origin");
        if let Some(c) = &self.cookie {
            req = req.header(header::COOKIE, c);
        }
        self.send(req.body(Body::from(body)).unwrap()).await
    }

    /// A JSON request to the API with the session's cookie and `csrf` in `X-CSRF-Token`.
    pub async fn send_json(&self, method: &str, path: &str, csrf: &str, json: &str) -> Response {
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::CONTENT_TYPE, "application/json")
            .header("x-csrf-token", csrf)
            .header("sec-fetch-site", "same-origin");
        if let Some(c) = &self.cookie {
            req = req.header(header::COOKIE, c);
        }
        self.send(req.body(Body::from(json.to_owned())).unwrap()).await
    }

    /// Signs in; panics if refused.
    pub async fn login(&mut self, (email, password): (&str, &str)) {
        let res = self.post("/logga-in", &[("email", email), ("password", password), ("nasta", "/")]).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "login of {email} refused: {}", res.body);
        let set = res.headers.get(header::SET_COOKIE).expect("session cookie").to_str().unwrap();
        assert!(set.contains("HttpOnly") && set.contains("SameSite=Lax") && set.contains("Secure"), "{set}");
        self.cookie = Some(set.split(';').next().unwrap().to_owned());
    }

    /// The session's CSRF token, as the pages carry it.
    pub async fn csrf(&self) -> String {
        let page = self.get("/konto/losenord").await;
        let at = page.body.find("name=\"csrf\" value=\"").expect("csrf field") + 19;
        page.body[at..].split('"').next().unwrap().to_owned()
    }

    /// Imports the case-data fixture (crates/kvalitet/tests/fixtures) for Q1 2024.
    pub async fn import_case_data(&self) {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../kvalitet/tests/fixtures");
        let (a, i) = (dir.join("arenden.csv"), dir.join("insatser.csv"));
        let sources = kvalitet_measures::Sources {
            arenden: Some(kvalitet_measures::Source::Path(a.clone())),
            insatser: Some(kvalitet_measures::Source::Path(i.clone())),
            kontakter: None,
        };
        let mut conn = self.store.read().await.unwrap();
        let tenant = kvalitet_store::org::first_tenant(&mut conn).await.unwrap().unwrap().id;
        drop(conn);
        let period = kvalitet_measures::Period::new(
            kvalitet_domain::Date::constant(2024, 1, 1),
            kvalitet_domain::Date::constant(2024, 3, 31),
        )
        .unwrap();
        let (paths, secret, defs) =
            ([a, i], kvalitet_measures::Secret::from_bytes([7; 32]), kvalitet_measures::default_definitions());
        let req = kvalitet_store::case_data::ImportRequest {
            tenant,
            sources: &sources,
            paths: &paths,
            period,
            secret: &secret,
            definitions: &defs,
            names: None,
        };
        kvalitet_store::case_data::run_import(&self.store, &kvalitet_store::Actor::system("test"), &req).await.unwrap();
    }

    pub async fn plan_id(&self, title: &str) -> i64 {
        let mut conn = self.store.read().await.unwrap();
        let plans: Vec<Versioned<QualityPlan>> = repo::list(&mut conn, Where::all()).await.unwrap();
        plans.iter().find(|p| p.title == title).expect(title).id.get()
    }

    /// The id of the first quality report the start page lists (the demo has one).
    pub async fn first_report_id(&self) -> String {
        let home = self.get("/").await.body;
        home.split("href=\"/berattelser/")
            .skip(1)
            .map(|s| s.split('"').next().unwrap())
            .find(|s| s.starts_with(|c: char| c.is_ascii_digit()))
            .expect("a report on the start page")
            .to_owned()
    }
}

/// Another municipality in the installation, its tree one administration
/// ("Socialförvaltningen", key "1").
pub async fn another_tenant(
    tx: &mut kvalitet_store::Tx,
    name: &str,
) -> (kvalitet_domain::org::TenantId, std::collections::HashMap<String, kvalitet_domain::org::OrgUnitId>) {
    let unit = kvalitet_store::tenants::NewUnit {
        key: "1".into(),
        parent_key: None,
        kind: kvalitet_domain::org::OrgUnitKind::Administration,
        name: "Socialförvaltningen".into(),
        capacity: None,
    };
    kvalitet_store::tenants::create(tx, name, &[unit]).await.unwrap()
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
