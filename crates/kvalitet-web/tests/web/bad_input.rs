//! Bad input through every form: markup in every text field is stored as text and shown
//! escaped on every page that shows it; overlong values, control characters, characters
//! that hide or reorder text and invalid dates are field errors in Swedish, a body that
//! is not UTF-8 is refused whole, and a refused form stores nothing.
//!
//! The forms are read from the pages as a browser would (their inputs, text areas,
//! choices and hidden fields), so a field added to a form is covered without changing
//! this file.

use axum::http::StatusCode;

use kvalitet_store::testing::on_each_backend;

use crate::{ADMIN, QUALITY, Response, STAFF, TestApp};

/// Markup that would run if a page did not escape it; both forms in every text field.
const SCRIPT: &str = "<script>alert(1)</script>";
const IMG: &str = "\"><img src=x onerror=alert(1)>";

fn payload(n: usize) -> String {
    format!("Text {n} {SCRIPT} {IMG}")
}

/// No raw markup from the payload in a page.
fn assert_no_raw_markup(what: &str, res: &Response) {
    assert!(!res.body.contains(SCRIPT), "{what}: raw <script> in the page");
    assert!(!res.body.contains("<img src=x"), "{what}: raw <img> in the page");
}

/// The escaped script tag (askama writes `&#60;`, other escapers `&lt;`).
fn shows_escaped(body: &str) -> bool {
    body.contains("&#60;script&#62;alert(1)&#60;/script&#62;") || body.contains("&lt;script&gt;alert(1)&lt;/script&gt;")
}

/// How a form's field is entered, as read from the page.
#[derive(Debug, Clone, PartialEq)]
enum Input {
    Hidden(String),
    /// Free text (an input without a numeric keyboard, or a text area).
    Text,
    Date(String),
    Number(String),
    Choice(String),
}

/// The fields of the form posting to `action` in `body`, with the value to send.
fn form_fields(body: &str, action: &str) -> Vec<(String, Input)> {
    let marker = format!("action=\"{action}\"");
    let start = body.find(&marker).unwrap_or_else(|| panic!("no form posting to {action}"));
    let form = &body[start..];
    let form = &form[..form.find("</form>").unwrap()];
    let attr = |tag: &str, name: &str| -> Option<String> {
        let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
        Some(tag[at..].split('"').next().unwrap().to_owned())
    };
    let mut fields: Vec<(String, Input)> = Vec::new();
    let mut rest = form;
    while let Some(at) = rest.find('<') {
        rest = &rest[at..];
        let tag = &rest[..rest.find('>').unwrap() + 1];
        let name = attr(tag, "name");
        if let Some(name) = name.filter(|n| !fields.iter().any(|(f, _)| f == n)) {
            let kind = attr(tag, "type").unwrap_or_default();
            let value = attr(tag, "value").unwrap_or_default();
            let input = if tag.starts_with("<textarea") {
                Some(Input::Text)
            } else if tag.starts_with("<select") {
                let options = &rest[..rest.find("</select>").unwrap()];
                let values: Vec<(&str, bool)> = options
                    .split("<option value=\"")
                    .skip(1)
                    .map(|o| (o.split('"').next().unwrap(), o.split('>').next().unwrap().contains(" selected")))
                    .collect();
                let chosen = values.iter().find(|(_, s)| *s).or(values.iter().find(|(v, _)| !v.is_empty()));
                Some(Input::Choice(chosen.map_or("", |(v, _)| v).to_owned()))
            } else if tag.starts_with("<input") {
                match kind.as_str() {
                    "hidden" => Some(Input::Hidden(value)),
                    "date" => Some(Input::Date(value)),
                    "radio" => {
                        // The checked one, else the first.
                        let checked = form
                            .split("<input")
                            .filter(|t| t.contains(&format!("name=\"{name}\"")))
                            .find(|t| t.split('>').next().unwrap().contains(" checked"));
                        let v = checked.and_then(|t| attr(t, "value")).unwrap_or(value);
                        Some(Input::Choice(v))
                    }
                    "checkbox" => None,
                    _ if tag.contains("inputmode=\"decimal\"") || tag.contains("inputmode=\"numeric\"") => {
                        Some(Input::Number(value))
                    }
                    _ => Some(Input::Text),
                }
            } else {
                None
            };
            if let Some(input) = input {
                fields.push((name, input));
            }
        }
        rest = &rest[1..];
    }
    fields
}

/// A form's values as sent.
type Submission = Vec<(String, String)>;

/// A valid submission of the form with `text(n)` in its n-th free-text field, dates and
/// numbers kept (or made up), and `overrides` last.
fn fill(fields: &[(String, Input)], text: impl Fn(usize) -> String, overrides: &[(&str, &str)]) -> Submission {
    let mut out: Submission = Vec::new();
    let mut n = 0;
    for (name, input) in fields {
        let value = match input {
            Input::Hidden(v) | Input::Choice(v) => v.clone(),
            Input::Text => {
                n += 1;
                text(n)
            }
            Input::Date(v) if v.is_empty() => "2024-05-02".to_owned(),
            Input::Number(v) if v.is_empty() => "1".to_owned(),
            Input::Date(v) | Input::Number(v) => v.clone(),
        };
        out.push((name.clone(), value));
    }
    for (k, v) in overrides {
        match out.iter_mut().find(|(n, _)| n == k) {
            Some(slot) => slot.1 = (*v).to_owned(),
            None => out.push(((*k).to_owned(), (*v).to_owned())),
        }
    }
    out
}

async fn post(app: &TestApp, action: &str, form: &[(String, String)]) -> Response {
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    app.post(action, &pairs).await
}

async fn scalar(app: &TestApp, sql: &str) -> i64 {
    let mut conn = app.store.read().await.unwrap();
    let row = sqlx::query(sqlx::AssertSqlSafe(sql.to_owned())).fetch_one(&mut *conn).await.unwrap();
    sqlx::Row::try_get::<i64, _>(&row, 0).unwrap()
}

async fn count(app: &TestApp, table: &str) -> i64 {
    scalar(app, &format!("SELECT COUNT(*) FROM {table}")).await
}

/// The refusals every form must give: all free text 100 000 characters long, a NUL
/// byte in the free text, and each date field as `2023-02-30` and `abc`. Each is a
/// Swedish field error (422) and leaves `table` as it was (`rows`, and `fingerprint`, an
/// SQL query of the edited row's version, unchanged).
async fn assert_refusals(
    app: &TestApp,
    action: &str,
    fields: &[(String, Input)],
    overrides: &[(&str, &str)],
    table: &str,
    fingerprint: Option<&str>,
) {
    let before = count(app, table).await;
    let version = match fingerprint {
        Some(sql) => Some(scalar(app, sql).await),
        None => None,
    };
    let long = "x".repeat(100_000);
    let nul = |n: usize| format!("Text {n}\u{0}med NUL");
    let mut cases: Vec<(String, Submission, &str)> = vec![
        ("100 000 tecken".into(), fill(fields, |_| long.clone(), overrides), "högst"),
        ("NUL".into(), fill(fields, nul, overrides), "otillåtna tecken"),
        (
            "höger-till-vänster".into(),
            fill(fields, |n| format!("Text {n} \u{202E}gnidrok"), overrides),
            "osynliga tecken",
        ),
        ("nollbredd".into(), fill(fields, |n| format!("Text\u{200B}{n}"), overrides), "osynliga tecken"),
    ];
    for (name, input) in fields {
        if let Input::Date(_) = input {
            for bad in ["2023-02-30", "abc"] {
                let mut form = fill(fields, payload, overrides);
                form.iter_mut().find(|(n, _)| n == name).unwrap().1 = bad.to_owned();
                cases.push((format!("{name}={bad}"), form, "ÅÅÅÅ-MM-DD"));
            }
        }
    }
    for (what, form, message) in cases {
        let res = post(app, action, &form).await;
        assert_eq!(
            res.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{action} with {what}: {}",
            res.body.chars().take(400).collect::<String>()
        );
        assert!(res.body.contains(message), "{action} with {what}: no \"{message}\" in the page");
        assert!(res.body.contains("field-error") || res.body.contains("error-summary"), "{action} with {what}");
        assert_eq!(count(app, table).await, before, "{action} with {what} stored a row in {table}");
        if let (Some(sql), Some(v)) = (fingerprint, version) {
            assert_eq!(scalar(app, sql).await, v, "{action} with {what} changed the row");
        }
    }
    // Free text that is not UTF-8 once its escapes are decoded: refused, not stored
    // with replacement characters.
    let body: Vec<String> = fill(fields, payload, overrides)
        .iter()
        .map(|(name, value)| match fields.iter().find(|(n, _)| n == name) {
            Some((_, Input::Text)) => format!("{}=Text%FF%FE", crate::encode(name)),
            _ => format!("{}={}", crate::encode(name), crate::encode(value)),
        })
        .collect();
    let mut req = axum::http::Request::post(action)
        .header(axum::http::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "same-origin");
    if let Some(c) = &app.cookie {
        req = req.header(axum::http::header::COOKIE, c);
    }
    let res = app.send(req.body(axum::body::Body::from(body.join("&"))).unwrap()).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST, "{action} with a body that is not UTF-8");
    assert!(res.body.contains("Formuläret kunde inte läsas"), "{action}");
    assert_eq!(count(app, table).await, before, "{action} with a body that is not UTF-8 stored a row");
    if let (Some(sql), Some(v)) = (fingerprint, version) {
        assert_eq!(scalar(app, sql).await, v, "{action} with a body that is not UTF-8 changed the row");
    }
}

/// The editable item types, the table each is stored in, and the document they belong to.
const PLAN_ITEMS: &[(&str, &str)] = &[
    ("risker", "risk"),
    ("atgarder", "action"),
    ("egenkontroller", "self_inspection"),
    ("indikatorer", "indicator"),
    ("avsnitt", "section"),
    ("fokusomraden", "focus_area"),
];
const REPORT_ITEMS: &[(&str, &str)] = &[
    ("brukarundersokningar", "user_survey"),
    ("nyckeltal", "key_statistic"),
    ("systematiska-uppfoljningar", "systematic_follow_up"),
    ("granskningar", "review"),
    ("bedomningar", "quality_assessment"),
    ("forbattringsomraden", "improvement_area"),
];

#[tokio::test]
async fn every_editable_item_shows_markup_escaped_and_refuses_bad_values() {
    on_each_backend(|store, _| async move {
        let mut qd = TestApp::with_demo(store.clone()).await;
        qd.login(QUALITY).await;
        let csrf = qd.csrf().await;
        let plan2022 = qd.plan_id("Kvalitetsplan 2022 för vuxna").await;
        let draft = qd.post(&format!("/planer/{plan2022}/nasta-ar"), &[("csrf", &csrf)]).await.location().to_owned();
        let draft_id = draft.rsplit('/').next().unwrap().to_owned();
        let report = qd.first_report_id().await;

        let kinds = PLAN_ITEMS
            .iter()
            .map(|(p, t)| (*p, *t, format!("plan={draft_id}")))
            .chain(REPORT_ITEMS.iter().map(|(p, t)| (*p, *t, format!("berattelse={report}"))));
        for (path, table, owner) in kinds {
            let new = format!("/{path}/ny?{owner}");
            let page = qd.get(&new).await;
            assert_eq!(page.status, StatusCode::OK, "{new}");
            let fields = form_fields(&page.body, &new);
            assert!(fields.iter().any(|(_, i)| *i == Input::Text), "{new} has free text");
            assert_refusals(&qd, &new, &fields, &[], table, None).await;

            // Markup in every free-text field is stored as text (a field whose value has
            // a fixed form, a Kolada key figure, gets a valid one)...
            let coded: &[(&str, &str)] = if path == "indikatorer" { &[("kolada_kpi", "U21468")] } else { &[] };
            let before = count(&qd, table).await;
            let res = post(&qd, &new, &fill(&fields, payload, coded)).await;
            assert_eq!(res.status, StatusCode::SEE_OTHER, "{new}: {}", res.body.chars().take(600).collect::<String>());
            assert_eq!(count(&qd, table).await, before + 1);
            let id = scalar(&qd, &format!("SELECT MAX(id) FROM {table}")).await;
            // ...and every page that shows it escapes it.
            let doc = qd.get(res.location()).await;
            assert_no_raw_markup(res.location(), &doc);
            assert!(shows_escaped(&doc.body), "{path}: the document page shows the text, escaped");
            let edit = qd.get(&format!("/{path}/{id}/andra")).await;
            assert_eq!(edit.status, StatusCode::OK, "{path}/{id}/andra");
            assert_no_raw_markup(path, &edit);
            let texts: Vec<&String> = fields.iter().filter(|(_, i)| *i == Input::Text).map(|(f, _)| f).collect();
            for (i, name) in texts.iter().enumerate() {
                if coded.iter().any(|(c, _)| c == name) {
                    continue;
                }
                let n = i + 1;
                let shown = format!(
                    "Text {n} &#60;script&#62;alert(1)&#60;/script&#62; &#34;&#62;&#60;img src=x onerror=alert(1)&#62;"
                );
                assert!(edit.body.contains(&shown), "{path}: text field {n} shown escaped in the form");
            }
            if ["risker", "atgarder", "egenkontroller", "indikatorer"].contains(&path) {
                let item = qd.get(&format!("/{path}/{id}")).await;
                assert_eq!(item.status, StatusCode::OK);
                assert_no_raw_markup(path, &item);
                assert!(shows_escaped(&item.body), "{path}/{id}");
            }
            // Editing refuses the same values and leaves the row as it was.
            let action = format!("/{path}/{id}/andra");
            let fields = form_fields(&edit.body, &action);
            let version = format!("SELECT version FROM {table} WHERE id = {id}");
            assert_refusals(&qd, &action, &fields, &[], table, Some(&version)).await;
        }
        let plan = qd.get(&draft).await;
        assert_no_raw_markup("the plan", &plan);
        let heat_map = qd.get(&format!("{draft}/riskkarta")).await;
        assert_no_raw_markup("the heat map", &heat_map);
    })
    .await;
}

#[tokio::test]
async fn follow_up_forms_show_markup_escaped_and_refuse_bad_values() {
    on_each_backend(|store, _| async move {
        let mut qd = TestApp::with_demo(store.clone()).await;
        qd.login(QUALITY).await;
        let plan = qd.plan_id("Kvalitetsplan 2022 för vuxna").await;
        let page = qd.get(&format!("/planer/{plan}")).await.body;
        let first = |path: &str| {
            page.split(&format!("href=\"/{path}/"))
                .skip(1)
                .map(|s| s.split('"').next().unwrap().to_owned())
                .find(|s| s.chars().all(|c| c.is_ascii_digit()))
                .unwrap_or_else(|| panic!("no {path} on the plan"))
        };
        // (the item page, the form's action, its table, values it needs)
        let forms = [
            ("risker", "bedomning", "risk_assessment", vec![]),
            (
                "egenkontroller",
                "genomforanden",
                "self_inspection_run",
                vec![("verdict", "not_measurable"), ("run_on", "2022-06-30")],
            ),
            ("atgarder", "uppfoljning", "action_follow_up", vec![("new_status", "ongoing")]),
            (
                "indikatorer",
                "resultat",
                "indicator_result",
                vec![("year", "2031"), ("numerator", ""), ("denominator", "")],
            ),
        ];
        for (path, verb, table, overrides) in forms {
            let href = format!("/{path}/{}", first(path));
            let action = format!("{href}/{verb}");
            let item = qd.get(&href).await;
            let fields = form_fields(&item.body, &action);
            assert!(fields.iter().any(|(_, i)| *i == Input::Text), "{action} has free text");
            assert_refusals(&qd, &action, &fields, &overrides, table, None).await;
            let before = count(&qd, table).await;
            let res = post(&qd, &action, &fill(&fields, payload, &overrides)).await;
            assert_eq!(
                res.status,
                StatusCode::SEE_OTHER,
                "{action}: {}",
                res.body.chars().take(600).collect::<String>()
            );
            assert_eq!(count(&qd, table).await, before + 1, "{action}");
            let shown = qd.get(&href).await;
            assert_no_raw_markup(&href, &shown);
            assert!(shows_escaped(&shown.body), "{href} shows the follow-up, escaped");
        }
        let plan_page = qd.get(&format!("/planer/{plan}")).await;
        assert_no_raw_markup("the plan", &plan_page);
    })
    .await;
}

#[tokio::test]
async fn deviations_show_markup_escaped_and_refuse_bad_values() {
    on_each_backend(|store, _| async move {
        let mut staff = TestApp::with_demo(store.clone()).await;
        staff.login(STAFF).await;
        let form = staff.get("/avvikelser/ny").await;
        let fields = form_fields(&form.body, "/avvikelser/ny");
        let overrides = [("kind", "internal")];
        assert_refusals(&staff, "/avvikelser/ny", &fields, &overrides, "deviation", None).await;
        let res = post(&staff, "/avvikelser/ny", &fill(&fields, payload, &overrides)).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body.chars().take(600).collect::<String>());
        let id = scalar(&staff, "SELECT MAX(id) FROM deviation").await;

        let mut admin = TestApp::on(store.clone());
        admin.login(ADMIN).await;
        let href = format!("/avvikelser/{id}");
        let page = admin.get(&href).await;
        assert_eq!(page.status, StatusCode::OK);
        assert_no_raw_markup(&href, &page);
        assert!(shows_escaped(&page.body));
        let list = admin.get("/avvikelser").await;
        assert_no_raw_markup("/avvikelser", &list);
        assert!(shows_escaped(&list.body), "the list shows the title, escaped");

        // Handling: the investigation and the measures taken, in free text.
        let action = format!("{href}/handlaggning");
        let fields = form_fields(&page.body, &action);
        let overrides = [("status", "investigating")];
        let version = format!("SELECT version FROM deviation WHERE id = {id}");
        assert_refusals(&admin, &action, &fields, &overrides, "deviation", Some(&version)).await;
        let res = post(&admin, &action, &fill(&fields, payload, &overrides)).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body.chars().take(600).collect::<String>());
        let page = admin.get(&href).await;
        assert_no_raw_markup(&href, &page);
        assert!(page.body.matches("&#60;script&#62;").count() >= 3, "title, description and investigation");
    })
    .await;
}

#[tokio::test]
async fn the_access_log_review_refuses_an_overlong_comment_and_stores_markup_as_text() {
    on_each_backend(|store, _| async move {
        let mut admin = TestApp::with_demo(store.clone()).await;
        admin.login(ADMIN).await;
        let page = admin.get("/admin/loggkontroll").await;
        assert_eq!(page.status, StatusCode::OK);
        let fields = form_fields(&page.body, "/admin/loggkontroll");
        let overrides = [("outcome", "remarks")];
        let before = count(&admin, "access_log_review").await;
        let long = "x".repeat(100_000);
        let res = post(&admin, "/admin/loggkontroll", &fill(&fields, |_| long.clone(), &overrides)).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.body.contains("högst"));
        assert_eq!(count(&admin, "access_log_review").await, before);
        let res = post(&admin, "/admin/loggkontroll", &fill(&fields, payload, &overrides)).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body.chars().take(600).collect::<String>());
        assert!(count(&admin, "access_log_review").await > before, "stored as text");
        // The comment is kept in the reviews and the audit log; no page shows it raw.
        for path in ["/admin/loggkontroll", "/admin/logg"] {
            let shown = admin.get(path).await;
            assert_eq!(shown.status, StatusCode::OK, "{path}");
            assert_no_raw_markup(path, &shown);
        }
    })
    .await;
}
