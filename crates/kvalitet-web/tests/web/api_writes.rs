//! The API's writes of a plan's items, which go through the pages' forms: each item type
//! created and changed (a change keeps what it does not send), links to the plan's risks
//! set and replaced, the form's refusals under the API's field names with nothing stored,
//! a stale version a conflict, a token outside its scope refused, and the description
//! giving each write the form's fields.

use axum::http::StatusCode;
use serde_json::Value;

use kvalitet_domain::access::Role;
use kvalitet_domain::org::{ProcessArea, QualityFactor};
use kvalitet_domain::risk::Risk;
use kvalitet_domain::self_inspection::{Frequency, Method};
use kvalitet_domain::{Code, Versioned};
use kvalitet_store::testing::on_each_backend;
use kvalitet_store::{Where, repo};

use crate::TestApp;
use crate::api::{ADULTS, CHILDREN, call, fields, json, problem, token};

async fn first<T: kvalitet_store::Record>(app: &TestApp) -> Versioned<T> {
    let mut conn = app.store.read().await.unwrap();
    let all: Vec<Versioned<T>> = repo::list(&mut conn, Where::all()).await.unwrap();
    all.into_iter().min_by_key(|r| r.id).unwrap()
}

async fn risks_of(app: &TestApp, plan: i64) -> Vec<Versioned<Risk>> {
    let mut conn = app.store.read().await.unwrap();
    let mut all: Vec<Versioned<Risk>> =
        repo::list(&mut conn, Where::sql("plan_id = $1", vec![kvalitet_store::Value::Int(plan)])).await.unwrap();
    all.sort_by_key(|r| r.id);
    all
}

/// The ids in `value`, an array of numbers.
fn ids(value: &Value) -> Vec<i64> {
    value.as_array().unwrap_or_else(|| panic!("an array: {value}")).iter().map(|v| v.as_i64().unwrap()).collect()
}

#[tokio::test]
async fn each_item_type_is_created_and_changed_through_its_form() {
    on_each_backend(|store, _| async move {
        let app = TestApp::with_demo(store.clone()).await;
        let adults = app.plan_id(ADULTS).await;
        let (_, quality) = token(&app, Role::QualityDeveloper, "Vuxensektionen", None).await;
        let area = first::<ProcessArea>(&app).await.id;
        let factor = first::<QualityFactor>(&app).await.id;
        let plan_risks = risks_of(&app, adults).await;
        let (r1, r2) = (plan_risks[0].id.get(), plan_risks[1].id.get());

        // A risk: its level given is its first assessment.
        let body = format!(
            r#"{{"title": "Risk från API:t", "area": {area}, "consequence_text": "Den enskilde far illa",
                "level": 6, "origin": "deviation"}}"#
        );
        let res = call(&app, "POST", &format!("/api/v1/planer/{adults}/risker"), &quality, Some(&body)).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
        let risk = json(&call(&app, "GET", res.location(), &quality, None).await);
        assert_eq!(risk["risk"]["title"], "Risk från API:t");
        assert_eq!(risk["risk"]["level"], 6);
        assert_eq!(risk["risk"]["origin"], "deviation");
        assert_eq!(risk["risk"]["process_area_id"], area.get());
        assert_eq!(risk["assessments"].as_array().unwrap().len(), 1, "{risk}");

        // A self-inspection linked to two of the plan's risks; a change keeps what it does
        // not send, and a list sent replaces the links.
        let body = format!(
            r#"{{"title": "Journalgranskning via API", "area": {area}, "method": "{}", "frequency": "{}",
                "is_new": true, "risks": [{r1}, {r2}]}}"#,
            Method::ALL[0].code(),
            Frequency::ALL[0].code()
        );
        let res = call(&app, "POST", &format!("/api/v1/planer/{adults}/egenkontroller"), &quality, Some(&body)).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
        let si = json(&res);
        assert_eq!(ids(&si["risks"]), [r1, r2]);
        assert_eq!(si["self_inspection"]["is_new"], true);
        let path = res.location().to_owned();
        let version = si["self_inspection"]["version"].as_i64().unwrap();
        let change = format!(r#"{{"version": {version}, "target": "Alla journaler granskade"}}"#);
        let res = call(&app, "PUT", &path, &quality, Some(&change)).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
        let changed = json(&res);
        assert_eq!(changed["self_inspection"]["target"], "Alla journaler granskade");
        assert_eq!(changed["self_inspection"]["title"], "Journalgranskning via API", "kept");
        assert_eq!(changed["self_inspection"]["method"], Method::ALL[0].code(), "kept");
        assert_eq!(ids(&changed["risks"]), [r1, r2], "the links kept");
        let change = format!(r#"{{"version": {}, "risks": [{r2}], "is_new": false}}"#, version + 1);
        let changed = json(&call(&app, "PUT", &path, &quality, Some(&change)).await);
        assert_eq!(ids(&changed["risks"]), [r2]);
        assert_eq!(changed["self_inspection"]["is_new"], false);

        // An indicator with its quality factor and target.
        let body = format!(
            r#"{{"name": "Andel nöjda (%)", "area": {area}, "quality_factor": {factor}, "unit": "percent",
                "target_value": 85.5, "direction": "higher_is_better", "risks": [{r1}]}}"#
        );
        let res = call(&app, "POST", &format!("/api/v1/planer/{adults}/indikatorer"), &quality, Some(&body)).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
        let indicator = json(&res);
        assert_eq!(indicator["indicator"]["quality_factor_id"], factor.get());
        assert_eq!(indicator["indicator"]["target_value"], 85.5);
        assert_eq!(ids(&indicator["risks"]), [r1]);

        // An action, a section and a focus area; all in the plan's read.
        let res = call(
            &app,
            "POST",
            &format!("/api/v1/planer/{adults}/atgarder"),
            &quality,
            Some(r#"{"title": "Åtgärd via API", "due_on": "2022-11-30"}"#),
        )
        .await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
        assert_eq!(json(&res)["action"]["status"], "planned", "the form's default");
        let res = call(
            &app,
            "POST",
            &format!("/api/v1/planer/{adults}/avsnitt"),
            &quality,
            Some(r#"{"heading": "Arbetssätt", "body": "Första stycket.\n\nAndra stycket.", "kind": "narrative"}"#),
        )
        .await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
        let section = json(&call(&app, "GET", res.location(), &quality, None).await);
        assert_eq!(section["heading"], "Arbetssätt");
        let body = format!(r#"{{"kind": "{}", "title": "Hela barn", "quality_factor": null}}"#, {
            kvalitet_domain::plan::FocusAreaKind::ALL[0].code()
        });
        let res = call(&app, "POST", &format!("/api/v1/planer/{adults}/fokusomraden"), &quality, Some(&body)).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
        let plan = json(&call(&app, "GET", &format!("/api/v1/planer/{adults}"), &quality, None).await);
        let titles = |key: &str, field: &str| -> Vec<String> {
            plan[key].as_array().unwrap().iter().map(|v| v[field].as_str().unwrap().to_owned()).collect()
        };
        assert!(titles("risks", "title").contains(&"Risk från API:t".to_owned()));
        assert!(titles("actions", "title").contains(&"Åtgärd via API".to_owned()));
        assert!(titles("indicators", "name").contains(&"Andel nöjda (%)".to_owned()));
        assert!(titles("sections", "heading").contains(&"Arbetssätt".to_owned()));
        assert!(titles("focus_areas", "title").contains(&"Hela barn".to_owned()));
    })
    .await;
}

#[tokio::test]
async fn a_write_the_form_would_refuse_is_refused_field_by_field_and_nothing_is_stored() {
    on_each_backend(|store, _| async move {
        let app = TestApp::with_demo(store.clone()).await;
        let (adults, children) = (app.plan_id(ADULTS).await, app.plan_id(CHILDREN).await);
        let (_, quality) = token(&app, Role::QualityDeveloper, "Vuxensektionen", None).await;
        let foreign = risks_of(&app, children).await[0].id.get();
        let before = risks_of(&app, adults).await.len();
        let at = format!("/api/v1/planer/{adults}/risker");

        // Each problem under its field: an area that is not the tenant's, an unknown
        // origin, a level the matrix does not have, a wrong JSON type.
        let bad = r#"{"title": "", "area": 999999, "origin": "okänd", "level": 99}"#;
        let p = problem(&call(&app, "POST", &at, &quality, Some(bad)).await, StatusCode::UNPROCESSABLE_ENTITY);
        let named = fields(&p);
        for field in ["title", "area", "origin", "level"] {
            assert!(named.contains(&field.to_owned()), "{field} named: {p}");
        }
        assert!(p.to_string().contains("Välj ett område i listan"), "the form's Swedish message: {p}");
        let res = call(&app, "POST", &at, &quality, Some(r#"{"title": "X", "level": "hög"}"#)).await;
        assert_eq!(fields(&problem(&res, StatusCode::UNPROCESSABLE_ENTITY)), ["level"]);
        let res = call(&app, "POST", &at, &quality, Some(r#"{"title": "X", "needs_reassessment": true}"#)).await;
        assert_eq!(fields(&problem(&res, StatusCode::UNPROCESSABLE_ENTITY)), ["needs_reassessment"], "not a field");
        assert_eq!(risks_of(&app, adults).await.len(), before, "nothing stored");

        // A link to another plan's risk.
        let body = format!(r#"{{"name": "Indikator", "risks": [{foreign}]}}"#);
        let res = call(&app, "POST", &format!("/api/v1/planer/{adults}/indikatorer"), &quality, Some(&body)).await;
        assert_eq!(fields(&problem(&res, StatusCode::UNPROCESSABLE_ENTITY)), ["risks"]);

        // A change on a stale version: 409 with the current one; without a version: 422.
        let risk = &risks_of(&app, adults).await[0];
        let path = format!("/api/v1/risker/{}", risk.id);
        let body = |v: i64, title: &str| format!(r#"{{"version": {v}, "title": "{title}"}}"#);
        let res = call(&app, "PUT", &path, &quality, Some(&body(risk.version, "Ny lydelse"))).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
        assert_eq!(json(&res)["risk"]["level"], risk.level, "the level is not the change's");
        let p = problem(
            &call(&app, "PUT", &path, &quality, Some(&body(risk.version, "Gammal"))).await,
            StatusCode::CONFLICT,
        );
        assert_eq!(p["current_version"], risk.version + 1);
        let res = call(&app, "PUT", &path, &quality, Some(r#"{"title": "Utan version"}"#)).await;
        assert_eq!(fields(&problem(&res, StatusCode::UNPROCESSABLE_ENTITY)), ["version"]);
        let res =
            call(&app, "PUT", &path, &quality, Some(&format!(r#"{{"version": {}, "level": 3}}"#, risk.version + 1)))
                .await;
        assert_eq!(fields(&problem(&res, StatusCode::UNPROCESSABLE_ENTITY)), ["level"], "a change has no level");
        let now = json(&call(&app, "GET", &path, &quality, None).await);
        assert_eq!(now["risk"]["title"], "Ny lydelse");

        // Outside the token's scope: not found; readable but not the role's: forbidden.
        let (_, children_quality) = token(&app, Role::QualityDeveloper, "Barn- och ungdomssektionen", None).await;
        let res = call(&app, "PUT", &path, &children_quality, Some(&body(risk.version + 1, "Inte min"))).await;
        problem(&res, StatusCode::NOT_FOUND);
        let res = call(&app, "POST", &at, &children_quality, Some(r#"{"title": "Inte min"}"#)).await;
        problem(&res, StatusCode::NOT_FOUND);
        let (_, reader) = token(&app, Role::Reader, "Vuxensektionen", None).await;
        let res = call(&app, "PUT", &path, &reader, Some(&body(risk.version + 1, "Läsare"))).await;
        problem(&res, StatusCode::FORBIDDEN);
        let res =
            call(&app, "POST", &format!("/api/v1/planer/{adults}/avsnitt"), &reader, Some(r#"{"heading": "L"}"#)).await;
        problem(&res, StatusCode::FORBIDDEN);
        let now = json(&call(&app, "GET", &path, &quality, None).await);
        assert_eq!(now["risk"]["title"], "Ny lydelse", "nothing changed");
    })
    .await;
}

#[tokio::test]
async fn the_description_gives_each_write_its_forms_fields() {
    on_each_backend(|store, _| async move {
        let app = TestApp::with_demo(store.clone()).await;
        let doc = json(&app.get("/api/v1/openapi.json").await);
        // A body's schema, by its name among the shapes (the reference page lists them).
        let body = |path: &str, method: &str| {
            let schema = &doc["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"];
            let name = schema["$ref"].as_str().unwrap_or_else(|| panic!("{path}: a named shape: {schema}"));
            doc["components"]["schemas"][name.rsplit('/').next().unwrap()].clone()
        };
        let new_risk = body("/api/v1/planer/{id}/risker", "post");
        for field in ["title", "area", "consequence_text", "level", "origin"] {
            assert!(new_risk["properties"][field].is_object(), "{field}: {new_risk}");
        }
        assert_eq!(new_risk["additionalProperties"], false);
        let origins = new_risk["properties"]["origin"]["enum"].as_array().unwrap();
        assert!(origins.contains(&Value::from("deviation")), "{origins:?}");
        let change = body("/api/v1/risker/{id}", "put");
        assert!(change["properties"]["level"].is_null(), "a change has no level: {change}");
        assert_eq!(change["required"], serde_json::json!(["version"]));
        let si = body("/api/v1/planer/{id}/egenkontroller", "post");
        assert!(si["properties"]["risks"]["type"].to_string().contains("array"), "{si}");
        for path in
            ["/api/v1/planer/{id}/avsnitt", "/api/v1/planer/{id}/fokusomraden", "/api/v1/planer/{id}/indikatorer"]
        {
            let op = &doc["paths"][path]["post"];
            assert!(op["responses"]["201"].is_object() && op["responses"]["422"].is_object(), "{path}: {op}");
            let answer = op["responses"]["201"]["content"]["application/json"]["schema"]["$ref"].as_str().unwrap();
            let name = answer.rsplit('/').next().unwrap();
            assert!(doc["components"]["schemas"][name].is_object(), "{answer} is described");
        }
        let page = app.get("/api/v1/dokumentation").await;
        assert!(page.body.contains("<code>POST /api/v1/planer/{id}/risker</code>"), "{}", page.body);
        assert!(page.body.contains("RiskIn") && page.body.contains("consequence_text"), "the body's fields listed");
    })
    .await;
}
