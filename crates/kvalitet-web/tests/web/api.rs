//! The JSON API through the router: tokens at their scope and nothing beyond it,
//! revoked and expired tokens refused, the version guarding changes, Swedish problems
//! naming the field, the session with its CSRF token, and every token use audited.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::Value;

use kvalitet_domain::access::Role;
use kvalitet_domain::action::Action;
use kvalitet_domain::deviation::Deviation;
use kvalitet_domain::org::OrgUnit;
use kvalitet_domain::{Code, Versioned};
use kvalitet_store::api_tokens::{self, NewToken};
use kvalitet_store::testing::{audit_entries, on_each_backend};
use kvalitet_store::{Actor, Where, repo};

use crate::{QUALITY, Response, TestApp};

pub(crate) const ADULTS: &str = "Kvalitetsplan 2022 för vuxna";
pub(crate) const CHILDREN: &str = "Kvalitetsplan 2022 Barn och unga 0-20 år";

pub(crate) async fn unit(app: &TestApp, name: &str) -> Versioned<OrgUnit> {
    let mut conn = app.store.read().await.unwrap();
    let units: Vec<Versioned<OrgUnit>> = repo::list(&mut conn, Where::all()).await.unwrap();
    units.into_iter().find(|u| u.name == name).expect(name)
}

/// A token with `role` over the unit `scope`, expiring after `expires_on` if given.
pub(crate) async fn token(
    app: &TestApp,
    role: Role,
    scope: &str,
    expires_on: Option<kvalitet_domain::Date>,
) -> (i64, String) {
    let unit = unit(app, scope).await;
    let mut tx = app.store.write(&Actor::system("cli")).await.unwrap();
    let new = NewToken { name: format!("{} {scope}", role.code()), role, scope_id: unit.id, expires_on };
    let (t, secret) =
        api_tokens::create(&mut tx, unit.tenant_id, &new, kvalitet_domain::Date::constant(2020, 1, 1)).await.unwrap();
    tx.commit().await.unwrap();
    (t.id, secret)
}

pub(crate) async fn call(app: &TestApp, method: &str, path: &str, token: &str, json: Option<&str>) -> Response {
    let mut req = Request::builder().method(method).uri(path).header(header::AUTHORIZATION, format!("Bearer {token}"));
    if json.is_some() {
        req = req.header(header::CONTENT_TYPE, "application/json");
    }
    app.send(req.body(Body::from(json.unwrap_or_default().to_owned())).unwrap()).await
}

pub(crate) fn json(res: &Response) -> Value {
    serde_json::from_str(&res.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", res.body))
}

/// The status, and that an error is a Swedish problem document.
pub(crate) fn problem(res: &Response, status: StatusCode) -> Value {
    assert_eq!(res.status, status, "{}", res.body);
    assert_eq!(res.headers[header::CONTENT_TYPE], "application/problem+json");
    let p = json(res);
    assert_eq!(p["status"], status.as_u16());
    assert!(p["title"].as_str().is_some_and(|t| !t.is_empty()) && p["detail"].is_string(), "{p}");
    p
}

pub(crate) fn fields(p: &Value) -> Vec<String> {
    p["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap().to_owned()).collect()
}

async fn first_action(app: &TestApp, plan: i64) -> Versioned<Action> {
    let mut conn = app.store.read().await.unwrap();
    let all: Vec<Versioned<Action>> =
        repo::list(&mut conn, Where::sql("plan_id = $1", vec![kvalitet_store::Value::Int(plan)])).await.unwrap();
    all.into_iter().min_by_key(|a| a.id).unwrap()
}

#[tokio::test]
async fn a_token_outside_its_scope_gets_nothing() {
    on_each_backend(|store, _| async move {
        let app = TestApp::with_demo(store.clone()).await;
        let (adults, children) = (app.plan_id(ADULTS).await, app.plan_id(CHILDREN).await);
        let (_, reader) = token(&app, Role::Reader, "Barn- och ungdomssektionen", None).await;

        let listed = call(&app, "GET", "/api/v1/planer?ar=2022", &reader, None).await;
        assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
        let ids: Vec<i64> =
            json(&listed)["data"].as_array().unwrap().iter().map(|p| p["id"].as_i64().unwrap()).collect();
        assert!(ids.contains(&children) && !ids.contains(&adults), "{ids:?}");
        let plan = json(&call(&app, "GET", &format!("/api/v1/planer/{children}"), &reader, None).await);
        let html = plan["documents"].as_array().unwrap().iter().find(|d| d["typ"] == "plan" && d["format"] == "html");
        let href = html.expect("the plan's document")["href"].as_str().unwrap().to_owned();
        let doc = call(&app, "GET", &href, &reader, None).await;
        assert_eq!(doc.status, StatusCode::OK, "a token takes the board document too");
        assert!(doc.headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/html"));
        assert!(doc.body.contains("Kvalitetsplan"), "{}", &doc.body[..doc.body.len().min(300)]);
        let scope = unit(&app, "Vuxensektionen").await.id;
        let theirs = format!("/api/v1/dokument?typ=plan&ar=2022&format=html&omfattning={scope}");
        assert_eq!(call(&app, "GET", &theirs, &reader, None).await.status, StatusCode::FORBIDDEN);

        // The adults' plan and everything in it: not found, nothing said about it.
        let p = problem(
            &call(&app, "GET", &format!("/api/v1/planer/{adults}"), &reader, None).await,
            StatusCode::NOT_FOUND,
        );
        assert!(!p.to_string().contains("vuxna"), "{p}");
        let action = first_action(&app, adults).await;
        problem(
            &call(&app, "GET", &format!("/api/v1/atgarder/{}", action.id), &reader, None).await,
            StatusCode::NOT_FOUND,
        );
        let put = format!(r#"{{"version": {}, "title": "Ändrad"}}"#, action.version);
        let res = call(&app, "PUT", &format!("/api/v1/atgarder/{}", action.id), &reader, Some(&put)).await;
        problem(&res, StatusCode::NOT_FOUND);
        let mut conn = app.store.read().await.unwrap();
        assert_eq!(repo::get::<Action>(&mut conn, action.id).await.unwrap().title, action.title, "nothing changed");
        drop(conn);

        // Readable but not editable with the role: refused.
        let res =
            call(&app, "POST", &format!("/api/v1/planer/{children}/atgarder"), &reader, Some(r#"{"title": "Ny"}"#))
                .await;
        problem(&res, StatusCode::FORBIDDEN);

        // Deviations: a manager of Barnenheten sees none of Beroendeenheten's.
        let mut conn = app.store.read().await.unwrap();
        let deviations: Vec<Versioned<Deviation>> = repo::list(&mut conn, Where::all()).await.unwrap();
        drop(conn);
        let beroende = unit(&app, "Beroendeenheten").await.id;
        let theirs = deviations.iter().find(|d| d.unit_id == beroende).expect("a deviation of Beroendeenheten");
        let (_, manager) = token(&app, Role::Manager, "Barnenheten", None).await;
        let (_, beroende_manager) = token(&app, Role::Manager, "Beroendeenheten", None).await;
        let year = theirs.reported_on.year();
        let path = format!("/api/v1/avvikelser?ar={year}&per_sida=200");
        let outside = json(&call(&app, "GET", &path, &manager, None).await);
        assert!(outside["data"].as_array().unwrap().iter().all(|d| d["unit_id"] != beroende.get()), "{outside}");
        let inside = json(&call(&app, "GET", &path, &beroende_manager, None).await);
        assert!(inside["data"].as_array().unwrap().iter().any(|d| d["id"] == theirs.id.get()), "{inside}");
        let one = format!("/api/v1/avvikelser/{}", theirs.id);
        problem(&call(&app, "GET", &one, &manager, None).await, StatusCode::NOT_FOUND);
        assert_eq!(call(&app, "GET", &one, &beroende_manager, None).await.status, StatusCode::OK);
        let listed = json(&call(&app, "GET", &path, &reader, None).await);
        assert_eq!(listed["totalt"], 0, "a reader reads no deviations: {listed}");
    })
    .await;
}

#[tokio::test]
async fn revoked_expired_and_unknown_tokens_are_refused() {
    on_each_backend(|store, _| async move {
        let app = TestApp::with_demo(store.clone()).await;
        let (id, secret) = token(&app, Role::Reader, "Individ- och familjeomsorg", None).await;
        assert_eq!(call(&app, "GET", "/api/v1/planer", &secret, None).await.status, StatusCode::OK);
        let mut tx = app.store.write(&Actor::system("cli")).await.unwrap();
        let tenant = unit(&app, "Beroendeenheten").await.tenant_id;
        api_tokens::revoke(&mut tx, tenant, id).await.unwrap();
        tx.commit().await.unwrap();
        let res = call(&app, "GET", "/api/v1/planer", &secret, None).await;
        let p = problem(&res, StatusCode::UNAUTHORIZED);
        assert_eq!(res.headers[header::WWW_AUTHENTICATE], "Bearer");
        assert!(p["detail"].as_str().unwrap().contains("API-nyckel"), "{p}");

        let yesterday = kvalitet_web::clock::today().yesterday().unwrap();
        let (_, expired) = token(&app, Role::Reader, "Individ- och familjeomsorg", Some(yesterday)).await;
        problem(&call(&app, "GET", "/api/v1/planer", &expired, None).await, StatusCode::UNAUTHORIZED);
        let (_, today) =
            token(&app, Role::Reader, "Individ- och familjeomsorg", Some(kvalitet_web::clock::today())).await;
        assert_eq!(
            call(&app, "GET", "/api/v1/planer", &today, None).await.status,
            StatusCode::OK,
            "the last day works"
        );
        problem(&call(&app, "GET", "/api/v1/planer", "kvt_0000", None).await, StatusCode::UNAUTHORIZED);
        problem(&app.get("/api/v1/planer").await, StatusCode::UNAUTHORIZED);
    })
    .await;
}

#[tokio::test]
async fn a_change_on_a_stale_version_is_a_conflict_and_bad_input_names_the_field() {
    on_each_backend(|store, _| async move {
        let app = TestApp::with_demo(store.clone()).await;
        let adults = app.plan_id(ADULTS).await;
        let (_, quality) = token(&app, Role::QualityDeveloper, "Vuxensektionen", None).await;
        let action = first_action(&app, adults).await;
        let path = format!("/api/v1/atgarder/{}", action.id);

        let body =
            |version: i64, title: &str| format!(r#"{{"version": {version}, "title": "{title}", "status": "ongoing"}}"#);
        let res = call(&app, "PUT", &path, &quality, Some(&body(action.version, "Ny rubrik"))).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
        let saved = json(&res);
        assert_eq!(saved["action"]["title"], "Ny rubrik");
        assert_eq!(saved["action"]["version"], action.version + 1);

        // Someone else's change came first: 409, the current version named, nothing saved.
        let res = call(&app, "PUT", &path, &quality, Some(&body(action.version, "Gammal"))).await;
        let p = problem(&res, StatusCode::CONFLICT);
        assert_eq!(p["current_version"], action.version + 1);
        let now = json(&call(&app, "GET", &path, &quality, None).await);
        assert_eq!(now["action"]["title"], "Ny rubrik");

        // A follow-up on a stale version as well.
        let follow = format!(
            r#"{{"version": {}, "entry_on": "2022-06-01", "text": "Klar", "new_status": "done"}}"#,
            action.version
        );
        problem(
            &call(&app, "POST", &format!("{path}/uppfoljningar"), &quality, Some(&follow)).await,
            StatusCode::CONFLICT,
        );
        let follow = follow
            .replace(&format!("\"version\": {}", action.version), &format!("\"version\": {}", action.version + 1));
        let res = call(&app, "POST", &format!("{path}/uppfoljningar"), &quality, Some(&follow)).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
        assert_eq!(json(&res)["action"]["status"], "done");

        // A risk re-assessed: on its version, likelihood and consequence on the matrix.
        let mut conn = app.store.read().await.unwrap();
        let risks: Vec<Versioned<kvalitet_domain::risk::Risk>> =
            repo::list(&mut conn, Where::sql("plan_id = $1", vec![kvalitet_store::Value::Int(adults)])).await.unwrap();
        drop(conn);
        let risk = risks.iter().min_by_key(|r| r.id).unwrap();
        let assess = |version: i64, l: i64| {
            format!(r#"{{"version": {version}, "assessed_on": "2022-05-02", "likelihood": {l}, "consequence": 2}}"#)
        };
        let at = format!("/api/v1/risker/{}/bedomningar", risk.id);
        let res = call(&app, "POST", &at, &quality, Some(&assess(risk.version, 3))).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
        assert_eq!(json(&res)["risk"]["level"], 6);
        problem(&call(&app, "POST", &at, &quality, Some(&assess(risk.version, 2))).await, StatusCode::CONFLICT);
        let res = call(&app, "POST", &at, &quality, Some(&assess(risk.version + 1, 9))).await;
        assert_eq!(fields(&problem(&res, StatusCode::UNPROCESSABLE_ENTITY)), ["likelihood"]);

        // Each field's problem by its name, in Swedish; nothing stored.
        let bad = r#"{"title": "", "due_on": "2024-13-01", "status": "klar", "farg": "blå"}"#;
        let res = call(&app, "POST", &format!("/api/v1/planer/{adults}/atgarder"), &quality, Some(bad)).await;
        let p = problem(&res, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(fields(&p), ["farg"], "unknown fields first: {p}");
        let bad = r#"{"title": "", "due_on": "2024-13-01", "status": "klar"}"#;
        let res = call(&app, "POST", &format!("/api/v1/planer/{adults}/atgarder"), &quality, Some(bad)).await;
        let p = problem(&res, StatusCode::UNPROCESSABLE_ENTITY);
        let named = fields(&p);
        assert!(named.contains(&"due_on".to_owned()) && named.contains(&"status".to_owned()), "{p}");
        assert!(p.to_string().contains("ÅÅÅÅ-MM-DD"), "{p}");
        let res =
            call(&app, "POST", &format!("/api/v1/planer/{adults}/atgarder"), &quality, Some(r#"{"title": ""}"#)).await;
        assert_eq!(fields(&problem(&res, StatusCode::UNPROCESSABLE_ENTITY)), ["title"]);
        let res =
            call(&app, "POST", &format!("/api/v1/planer/{adults}/atgarder"), &quality, Some(r#"{"title": 5}"#)).await;
        assert_eq!(fields(&problem(&res, StatusCode::UNPROCESSABLE_ENTITY)), ["title"]);
        let res = call(&app, "POST", &format!("/api/v1/planer/{adults}/atgarder"), &quality, Some("inte json")).await;
        problem(&res, StatusCode::BAD_REQUEST);
        let res = call(&app, "GET", "/api/v1/planer?sida=0&farg=1", &quality, None).await;
        assert_eq!(fields(&problem(&res, StatusCode::UNPROCESSABLE_ENTITY)), ["sida", "farg"]);

        // A good one is stored, and found where the Location says.
        let good = r#"{"title": "Ny åtgärd från API:t", "due_on": "2022-12-31", "responsible": "Enhetschef"}"#;
        let res = call(&app, "POST", &format!("/api/v1/planer/{adults}/atgarder"), &quality, Some(good)).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
        let location = res.location().to_owned();
        let got = json(&call(&app, "GET", &location, &quality, None).await);
        assert_eq!(got["action"]["title"], "Ny åtgärd från API:t");
        assert_eq!(got["action"]["status"], "planned");
    })
    .await;
}

#[tokio::test]
async fn a_session_writes_only_with_its_csrf_token() {
    on_each_backend(|store, _| async move {
        let mut app = TestApp::with_demo(store.clone()).await;
        app.login(QUALITY).await;
        let csrf = app.csrf().await;
        let action = first_action(&app, app.plan_id(ADULTS).await).await;
        let path = format!("/api/v1/atgarder/{}", action.id);
        assert_eq!(app.get(&path).await.status, StatusCode::OK);
        let body = format!(r#"{{"version": {}, "title": "Via sessionen"}}"#, action.version);
        problem(&app.send_json("PUT", &path, "", &body).await, StatusCode::FORBIDDEN);
        problem(&app.send_json("PUT", &path, "fel", &body).await, StatusCode::FORBIDDEN);
        let res = app.send_json("PUT", &path, &csrf, &body).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
        let who = audit_entries(&app.store).await.into_iter().rev().find(|e| e.action == "update").unwrap();
        assert_eq!(who.actor, QUALITY.0, "the session's account is the actor");
    })
    .await;
}

#[tokio::test]
async fn every_use_of_a_token_is_audited() {
    on_each_backend(|store, _| async move {
        let app = TestApp::with_demo(store.clone()).await;
        let (id, secret) = token(&app, Role::Manager, "Beroendeenheten", None).await;
        let before = audit_entries(&app.store).await.len();
        let mut conn = app.store.read().await.unwrap();
        let deviations: Vec<Versioned<Deviation>> = repo::list(&mut conn, Where::all()).await.unwrap();
        drop(conn);
        let beroende = unit(&app, "Beroendeenheten").await.id;
        let d = deviations.iter().find(|d| d.unit_id == beroende).unwrap();
        for path in
            ["/api/v1/planer".to_owned(), format!("/api/v1/avvikelser/{}", d.id), "/api/v1/planer/999999".into()]
        {
            call(&app, "GET", &path, &secret, None).await;
        }
        let after: Vec<_> = audit_entries(&app.store).await.into_iter().skip(before).collect();
        let uses: Vec<_> = after.iter().filter(|e| e.action == "api_use").collect();
        assert_eq!(uses.len(), 3, "one entry a request, found or not");
        assert!(uses.iter().all(|e| e.record_id == Some(id) && e.table_name == "api_token"));
        assert!(uses[1].after_data.as_deref().unwrap().contains(&format!("GET /api/v1/avvikelser/{}", d.id)));
        let read = after.iter().find(|e| e.action == "read" && e.table_name == "deviation").expect("the read logged");
        assert_eq!(read.record_id, Some(d.id.get()));
        assert!(read.actor.starts_with(&format!("api-token:{id}:")), "{}", read.actor);
        for e in &after {
            assert!(!e.after_data.as_deref().unwrap_or_default().contains(&secret), "the token is never logged");
        }
    })
    .await;
}

#[tokio::test]
async fn the_description_is_openapi_3_1_and_has_a_readable_reference() {
    on_each_backend(|store, _| async move {
        let app = TestApp::with_demo(store.clone()).await;
        let res = app.get("/api/v1/openapi.json").await;
        assert_eq!(res.status, StatusCode::OK);
        let doc = json(&res);
        assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"), "{}", doc["openapi"]);
        let paths = doc["paths"].as_object().unwrap();
        for route in kvalitet_web::route_table() {
            if route.1.starts_with("/api/v1/")
                && !["/api/v1/openapi.json", "/api/v1/dokumentation", "/api/v1/dokument"].contains(&route.1.as_str())
            {
                let op = &paths[&route.1][route.0.to_lowercase()];
                assert!(op.is_object(), "{} {} is described", route.0, route.1);
            }
        }
        assert!(doc["components"]["securitySchemes"]["nyckel"].is_object());
        let page = app.get("/api/v1/dokumentation").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("<code>PUT /api/v1/atgarder/{id}</code>"), "{}", page.body);
        assert!(page.body.contains("Ogiltiga uppgifter") && !page.body.contains("<script src=\"http"));
    })
    .await;
}

#[tokio::test]
async fn a_deviation_is_registered_only_where_the_role_may_report() {
    on_each_backend(|store, _| async move {
        let mut app = TestApp::with_demo(store.clone()).await;
        let (_, manager) = token(&app, Role::Manager, "Beroendeenheten", None).await;
        let (beroende, barn) = (unit(&app, "Beroendeenheten").await.id, unit(&app, "Barnenheten").await.id);
        let report = |unit: i64, extra: &str| {
            format!(r#"{{"kind": "internal", "unit_id": {unit}, "occurred_on": "2024-01-15", "title": "Dörren var olåst"{extra}}}"#)
        };
        let res = call(&app, "POST", "/api/v1/avvikelser", &manager, Some(&report(beroende.get(), ""))).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
        let made = json(&res);
        assert_eq!((made["status"].as_str(), made["unit_id"].as_i64()), (Some("registered"), Some(beroende.get())));
        assert_eq!(call(&app, "GET", res.location(), &manager, None).await.status, StatusCode::OK);

        problem(&call(&app, "POST", "/api/v1/avvikelser", &manager, Some(&report(barn.get(), ""))).await, StatusCode::FORBIDDEN);
        let complaint_only = report(beroende.get(), r#", "complainant": "relative""#);
        let p = problem(
            &call(&app, "POST", "/api/v1/avvikelser", &manager, Some(&complaint_only)).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
        assert_eq!(fields(&p), ["complainant"]);
        let future = report(beroende.get(), "").replace("2024-01-15", "2999-01-01");
        let p = problem(&call(&app, "POST", "/api/v1/avvikelser", &manager, Some(&future)).await, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(fields(&p), ["occurred_on"]);
        let (_, reader) = token(&app, Role::Reader, "Beroendeenheten", None).await;
        problem(&call(&app, "POST", "/api/v1/avvikelser", &reader, Some(&report(beroende.get(), ""))).await, StatusCode::FORBIDDEN);

        // A person's report is theirs in "Mina rapporter".
        app.login(crate::STAFF).await;
        let csrf = app.csrf().await;
        let res = app.send_json("POST", "/api/v1/avvikelser", &csrf, &report(beroende.get(), "")).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
        let id = json(&res)["id"].as_i64().unwrap();
        assert_eq!(app.get(&format!("/mina-rapporter/{id}")).await.status, StatusCode::OK);
    })
    .await;
}

#[tokio::test]
async fn the_deviation_list_is_the_readers_reports_of_the_year_page_by_page() {
    on_each_backend(|store, _| async move {
        let app = TestApp::with_demo(store.clone()).await;
        let mut conn = app.store.read().await.unwrap();
        let all: Vec<Versioned<Deviation>> = repo::list(&mut conn, Where::all()).await.unwrap();
        drop(conn);
        let year = all.iter().map(|d| d.reported_on.year()).max().unwrap();
        let beroende = unit(&app, "Beroendeenheten").await.id;
        // What each reader should get, newest first, from every report read in Rust.
        let expected = |unit_only: Option<kvalitet_domain::org::OrgUnitId>, kind: Option<&str>| -> Vec<i64> {
            let mut chosen: Vec<&Versioned<Deviation>> = all
                .iter()
                .filter(|d| {
                    d.reported_on.year() == year
                        && !d.is_voided()
                        && unit_only.is_none_or(|u| d.unit_id == u)
                        && kind.is_none_or(|k| d.kind.code() == k)
                })
                .collect();
            chosen.sort_by_key(|d| (std::cmp::Reverse(d.reported_on), std::cmp::Reverse(d.id)));
            chosen.iter().map(|d| d.id.get()).collect()
        };
        let (_, quality) = token(&app, Role::QualityDeveloper, "Individ- och familjeomsorg", None).await;
        let (_, manager) = token(&app, Role::Manager, "Beroendeenheten", None).await;
        for (token, reach, kind) in
            [(&quality, None, None), (&quality, None, Some("complaint")), (&manager, Some(beroende), None)]
        {
            let want = expected(reach, kind);
            assert!(!want.is_empty(), "the demo has reports for {reach:?} {kind:?}");
            let mut got = Vec::new();
            for page in 1..=want.len().div_ceil(2) + 1 {
                let filter = kind.map(|k| format!("&slag={k}")).unwrap_or_default();
                let path = format!("/api/v1/avvikelser?ar={year}&per_sida=2&sida={page}{filter}");
                let listed = json(&call(&app, "GET", &path, token, None).await);
                assert_eq!(listed["totalt"], want.len() as i64, "{listed}");
                got.extend(listed["data"].as_array().unwrap().iter().map(|d| d["id"].as_i64().unwrap()));
            }
            assert_eq!(got, want, "every page in order, nothing twice, nothing beyond the last");
        }

        // Plans likewise: the quality developer at the top reads every plan of a year.
        let mut conn = app.store.read().await.unwrap();
        let plans: Vec<Versioned<kvalitet_domain::plan::QualityPlan>> =
            repo::list(&mut conn, Where::all()).await.unwrap();
        drop(conn);
        for year in [2022, 2024] {
            let mut want: Vec<i64> = plans.iter().filter(|p| p.year == year).map(|p| p.id.get()).collect();
            want.sort_unstable();
            let mut got = Vec::new();
            for page in 1..=want.len() + 1 {
                let path = format!("/api/v1/planer?ar={year}&per_sida=1&sida={page}");
                let listed = json(&call(&app, "GET", &path, &quality, None).await);
                assert_eq!(listed["totalt"], want.len() as i64, "{listed}");
                got.extend(listed["data"].as_array().unwrap().iter().map(|d| d["id"].as_i64().unwrap()));
            }
            assert_eq!(got, want, "{year}");
        }
    })
    .await;
}
