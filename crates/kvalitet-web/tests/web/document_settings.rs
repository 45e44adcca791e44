//! The board documents' furniture through the web: the administrator's page for the
//! board's name and the logo (uploaded, checked, previewed, removed), each document's
//! diarienummer, meeting date and status on the plan's "Dokument" page, and all of it
//! reaching the documents made; a stored version keeps its bytes.

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use tower::ServiceExt;

use kvalitet_documents::DocumentKind;
use kvalitet_domain::org::{OrgUnit, OrgUnitId, TenantId};
use kvalitet_domain::plan::QualityPlan;
use kvalitet_domain::{Date, Id, Versioned};
use kvalitet_store::document_settings::{self as ds, LogoFormat};
use kvalitet_store::testing::on_each_backend;
use kvalitet_store::{Actor, Store, Where, plans, repo};

use crate::{ADMIN, QUALITY, READER, TestApp};

const BOUNDARY: &str = "kvalitet-test-7d3f";

const SVG: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 80 20" width="80" height="20"><title>Vuxensektionen</title><rect width="80" height="20" fill="#005a8c"/></svg>"##;

/// A PNG of `width` × `height` pixels.
fn png(width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().unwrap();
    writer.write_image_data(&vec![0x40; (width * height * 4) as usize]).unwrap();
    writer.finish().unwrap();
    out
}

/// A multipart body as a browser sends the settings form, the file last.
fn multipart(fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    let (file_name, bytes) = file.unwrap_or(("", b""));
    body.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"logo\"; filename=\"{file_name}\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// Sends a request and keeps the body as bytes (a logo is not text).
async fn send(app: &TestApp, req: axum::http::request::Builder, body: Body) -> (StatusCode, HeaderMap, Vec<u8>) {
    let req = match &app.cookie {
        Some(c) => req.header(header::COOKIE, c),
        None => req,
    };
    let res = app.router.clone().oneshot(req.body(body).unwrap()).await.unwrap();
    let (status, headers) = (res.status(), res.headers().clone());
    (status, headers, axum::body::to_bytes(res.into_body(), 20 << 20).await.unwrap().to_vec())
}

/// Posts the settings form; the status and the page's text.
async fn post_settings(app: &TestApp, fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> (StatusCode, String) {
    let req = Request::post("/admin/dokument")
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={BOUNDARY}"))
        .header("sec-fetch-site", "same-origin");
    let (status, _, body) = send(app, req, Body::from(multipart(fields, file))).await;
    (status, String::from_utf8_lossy(&body).into_owned())
}

async fn logo_of(app: &TestApp, unit: OrgUnitId) -> (StatusCode, HeaderMap, Vec<u8>) {
    send(app, Request::get(format!("/admin/dokument/logotyp?enhet={unit}")), Body::empty()).await
}

/// The demo's tenant, its top unit and the unit named `name`.
async fn units(store: &Store, name: &str) -> (TenantId, OrgUnitId, OrgUnitId) {
    let mut conn = store.read().await.unwrap();
    let all: Vec<Versioned<OrgUnit>> = repo::list(&mut conn, Where::all()).await.unwrap();
    let top = all.iter().find(|u| u.parent_id.is_none()).unwrap();
    (top.tenant_id, top.id, all.iter().find(|u| u.name == name).unwrap().id)
}

async fn stored_version(store: &Store, tenant: TenantId, unit: OrgUnitId) -> i64 {
    let mut conn = store.read().await.unwrap();
    ds::unit_settings(&mut conn, tenant, unit).await.unwrap().version
}

#[tokio::test]
async fn an_administrator_sets_the_board_and_uploads_a_png_and_an_svg_logo() {
    on_each_backend(|store, _| async move {
        let mut admin = TestApp::with_demo(store.clone()).await;
        admin.login(ADMIN).await;
        let (tenant, top, section) = units(&store, "Vuxensektionen").await;
        let csrf = admin.csrf().await;
        let organisation = admin.get("/organisation").await.body;
        assert!(organisation.contains("href=\"/admin/dokument\""), "linked beside the other settings");
        let page = admin.get("/admin/dokument").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Ingen angiven – dokumenten visas utan logotyp."));

        // The municipality's board and PNG logo.
        let logo = png(120, 40);
        let top_s = top.to_string();
        let fields = [
            ("csrf", csrf.as_str()),
            ("version", "0"),
            ("enhet", &top_s),
            ("board", "Socialnämnden"),
            ("logo_alt", "Huddinge kommuns logotyp"),
        ];
        let (status, body) = post_settings(&admin, &fields, Some(("logotyp.png", &logo))).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        let page = admin.get(&format!("/admin/dokument?enhet={top}&sparat=1")).await.body;
        assert!(page.contains("Ändringen är sparad.") && page.contains("Socialnämnden"));
        assert!(
            page.contains(&format!("src=\"/admin/dokument/logotyp?enhet={top}\" alt=\"Huddinge kommuns logotyp\""))
        );
        let (status, headers, served) = logo_of(&admin, top).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers.get(header::CONTENT_TYPE).unwrap(), "image/png");
        assert!(served == logo, "the file as uploaded");

        // The adults' section gets an SVG logo of its own; its board stays the municipality's.
        let section_s = section.to_string();
        let fields = [
            ("csrf", csrf.as_str()),
            ("version", "0"),
            ("enhet", &section_s),
            ("board", ""),
            ("logo_alt", "Vuxensektionens logotyp"),
        ];
        let (status, body) = post_settings(&admin, &fields, Some(("vuxen.svg", SVG.as_bytes()))).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        let (status, headers, served) = logo_of(&admin, section).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers.get(header::CONTENT_TYPE).unwrap(), "image/svg+xml");
        let csp = headers.get(header::CONTENT_SECURITY_POLICY).unwrap().to_str().unwrap();
        assert!(csp.contains("sandbox") && csp.contains("default-src 'none'"), "{csp}");
        assert_eq!(served, SVG.as_bytes());
        let below = units(&store, "Beroendeenheten").await.2;
        let mut conn = store.read().await.unwrap();
        let now = ds::effective_for_unit(&mut conn, tenant, below).await.unwrap();
        drop(conn);
        assert_eq!(now.board, Some(("Socialnämnden".to_owned(), top)));
        let (l, from) = now.logo.unwrap();
        assert_eq!((l.format, l.alt.as_str(), from), (LogoFormat::Svg, "Vuxensektionens logotyp", section));
        let page = admin.get(&format!("/admin/dokument?enhet={section}")).await.body;
        assert!(page.contains("Socialnämnden <span class=\"muted\">(angivet för Individ- och familjeomsorg)</span>"));

        // Removed, the section's documents have the municipality's logo again.
        let form = [("csrf", csrf.as_str()), ("version", "1"), ("enhet", &section_s)];
        let removed = admin.post("/admin/dokument/logotyp/ta-bort", &form).await;
        assert_eq!(removed.status, StatusCode::SEE_OTHER, "{}", removed.body);
        assert_eq!(logo_of(&admin, section).await.0, StatusCode::NOT_FOUND);
        let page = admin.get(&format!("/admin/dokument?enhet={section}")).await.body;
        assert!(page.contains(&format!("src=\"/admin/dokument/logotyp?enhet={top}\"")), "the municipality's");
        assert_eq!(stored_version(&store, tenant, section).await, 2);

        // A stale form is refused, not written over the newer settings.
        let fields = [
            ("csrf", csrf.as_str()),
            ("version", "0"),
            ("enhet", &top_s),
            ("board", "Äldrenämnden"),
            ("logo_alt", "Logotyp"),
        ];
        let (status, body) = post_settings(&admin, &fields, None).await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert!(body.contains("Inställningarna har ändrats av någon annan"));
        let mut conn = store.read().await.unwrap();
        let kept = ds::unit_settings(&mut conn, tenant, top).await.unwrap();
        assert_eq!((kept.board.as_str(), kept.logo.as_ref().map(|l| l.bytes.clone())), ("Socialnämnden", Some(logo)));
    })
    .await;
}

#[tokio::test]
async fn a_bad_logo_is_refused_in_swedish_and_nothing_is_stored() {
    on_each_backend(|store, _| async move {
        let mut admin = TestApp::with_demo(store.clone()).await;
        admin.login(ADMIN).await;
        let (tenant, top, _) = units(&store, "Vuxensektionen").await;
        let csrf = admin.csrf().await;
        let top_s = top.to_string();
        let fields = [
            ("csrf", csrf.as_str()),
            ("version", "0"),
            ("enhet", &top_s),
            ("board", "Socialnämnden"),
            ("logo_alt", "Logotyp"),
        ];
        let mut too_big = b"\x89PNG\r\n\x1a\n".to_vec();
        too_big.resize((1 << 20) + 1, 0);
        let mut cut = png(8, 8);
        cut.truncate(cut.len() - 20);
        let with_xlink = SVG.replace("<svg ", "<svg xmlns:xlink=\"http://www.w3.org/1999/xlink\" ");
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (
                SVG.replace("<rect", "<script>alert(1)</script><rect").into(),
                "SVG-filen innehåller skript (&#60;script&#62;)",
            ),
            (
                SVG.replace(
                    "<rect",
                    "<foreignObject><p xmlns=\"http://www.w3.org/1999/xhtml\">x</p></foreignObject><rect",
                )
                .into(),
                "SVG-filen innehåller &#60;foreignObject&#62;",
            ),
            (SVG.replace("<rect", "<rect onclick=\"alert(1)\"").into(), "innehåller en händelsehanterare (onclick)"),
            (
                SVG.replace("<rect", "<image href=\"https://example.com/logo.png\"/><rect").into(),
                "hänvisar till något utanför filen (https://example.com/logo.png)",
            ),
            (
                with_xlink.replace("<rect", "<use xlink:href=\"andra.svg#a\"/><rect").into(),
                "utanför filen (andra.svg#a)",
            ),
            (SVG.replace("fill=\"#005a8c\"", "fill=\"url(http://example.com/m.svg#g)\"").into(), "utanför filen"),
            (SVG.replace("<rect", "<style>@import url(https://example.com/s.css);</style><rect").into(), "i sin stil"),
            (
                SVG.replace("<rect", "<set attributeName=\"href\" to=\"javascript:alert(1)\"/><rect").into(),
                "&#60;set&#62;",
            ),
            (format!("<?xml-stylesheet href=\"https://example.com/s.css\"?>{SVG}").into(), "bearbetningsinstruktion"),
            (b"<svg xmlns=\"http://www.w3.org/2000/svg\"><rect".to_vec(), "SVG-filen är inte korrekt XML"),
            (b"<html><body>x</body></html>".to_vec(), "filen är inte en SVG-bild"),
            (b"GIF89a\x01\x00\x01\x00".to_vec(), "Logotyp: filen är varken en PNG- eller en SVG-bild."),
            (cut, "Logotyp: PNG-filen är skadad eller ofullständig"),
            (png(5000, 1), "Logotyp: bilden är 5\u{a0}000 × 1 bildpunkter; den får vara högst 4\u{a0}000"),
            (too_big, "Logotyp: filen är större än 1 MB."),
        ];
        for (file, message) in cases {
            let (status, body) = post_settings(&admin, &fields, Some(("logotyp", &file))).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{message}");
            assert!(body.contains(message), "{message}: {body}");
            assert!(body.contains("<a href=\"#logo\">"), "the summary links to the field");
            assert!(body.contains("value=\"Socialnämnden\""), "what was typed stays");
        }
        // A logo needs its text alternative; a board name too long is named.
        let no_alt = [("csrf", csrf.as_str()), ("version", "0"), ("enhet", &top_s), ("logo_alt", " ")];
        let (status, body) = post_settings(&admin, &no_alt, Some(("a.png", &png(4, 4)))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("Logotypens textalternativ: skriv vad logotypen visar"), "{body}");
        let long = "N".repeat(121);
        let long_board = [("csrf", csrf.as_str()), ("version", "0"), ("enhet", &top_s), ("board", &long)];
        let (status, body) = post_settings(&admin, &long_board, None).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("Nämndens namn: får vara högst 120 tecken."), "{body}");
        assert_eq!(stored_version(&store, tenant, top).await, 0, "nothing stored");

        // Someone who does not manage the organisation gets neither the page nor the form.
        let mut quality = TestApp::on(store.clone());
        quality.login(QUALITY).await;
        assert_eq!(quality.get("/admin/dokument").await.status, StatusCode::FORBIDDEN);
        let their_csrf = quality.csrf().await;
        let fields = [
            ("csrf", their_csrf.as_str()),
            ("version", "0"),
            ("enhet", &top_s),
            ("board", "Socialnämnden"),
            ("logo_alt", "Logotyp"),
        ];
        let (status, _) = post_settings(&quality, &fields, Some(("a.png", &png(4, 4)))).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(logo_of(&quality, top).await.0, StatusCode::FORBIDDEN);
        // Nor does a form without the session's token.
        let forged = [("csrf", "fel"), ("version", "0"), ("enhet", &top_s), ("board", "Socialnämnden")];
        let (status, _) = post_settings(&admin, &forged, None).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(stored_version(&store, tenant, top).await, 0, "still nothing stored");
    })
    .await;
}

async fn load(store: &Store, plan: &QualityPlan, kind: DocumentKind) -> kvalitet_documents::DocumentInput {
    let mut conn = store.read().await.unwrap();
    kvalitet_documents::load_input_for_tenant(&mut conn, plan.tenant_id, kind, plan.year, Some(plan.scope_id))
        .await
        .unwrap()
}

fn furniture_of(input: &kvalitet_documents::DocumentInput) -> (Option<String>, Option<String>, Option<String>) {
    let doc = kvalitet_documents::document(DocumentKind::Plan, input).unwrap();
    (doc.furniture.board, doc.furniture.reference, doc.furniture.meeting_on)
}

#[tokio::test]
async fn a_documents_furniture_comes_from_the_settings_and_the_plans_adoption() {
    on_each_backend(|store, _| async move {
        let mut quality = TestApp::with_demo(store.clone()).await;
        quality.login(QUALITY).await;
        let plan_id = quality.plan_id("Kvalitetsplan 2022 för vuxna").await;
        // Seed 004 gives no adoption: record one, as the web's adoption would.
        let mut tx = store.write(&kvalitet_store::Actor::system("test")).await.unwrap();
        let before = repo::get::<QualityPlan>(&mut tx, Id::new(plan_id)).await.unwrap();
        let adopted = QualityPlan {
            adopted_on: Some(kvalitet_domain::Date::constant(2021, 12, 15)),
            board_reference: Some("SN-2021/99".into()),
            ..before.item.clone()
        };
        repo::update(&mut tx, before.id, before.version, &adopted).await.unwrap();
        tx.commit().await.unwrap();
        let mut conn = store.read().await.unwrap();
        let plan = repo::get::<QualityPlan>(&mut conn, Id::new(plan_id)).await.unwrap().item;
        drop(conn);
        // Before anything is set: the plan's own adoption, and no board.
        let input = load(&store, &plan, DocumentKind::Plan).await;
        let adopted_on = plan.adopted_on.map(|d| d.to_string());
        assert!(plan.board_reference.is_some() && adopted_on.is_some(), "the demo plan is adopted");
        assert_eq!(furniture_of(&input), (None, plan.board_reference.clone(), adopted_on.clone()));
        assert_eq!(input.furniture.logo, None);
        let follow_up = load(&store, &plan, DocumentKind::FollowUp).await;
        assert_eq!((follow_up.furniture.reference, follow_up.furniture.meeting_on), (None, None), "never invented");

        // The plan's documents page has the form for those who edit the plan.
        let path = format!("/planer/{plan_id}/dokument");
        let page = quality.get(&path).await.body;
        assert!(page.contains("id=\"reference-plan\"") && page.contains("id=\"meeting_on-follow-up\""));
        let csrf = quality.csrf().await;
        let bad = [
            ("csrf", csrf.as_str()),
            ("typ", "plan"),
            ("version", "0"),
            ("reference-plan", "SN 2022/45"),
            ("meeting_on-plan", "2022-02-30"),
        ];
        let res = quality.post(&path, &bad).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.body.contains("Sammanträdesdatum: ange datum som ÅÅÅÅ-MM-DD, till exempel 2024-03-31."));
        assert!(res.body.contains("value=\"SN 2022/45\""), "what was typed stays");
        let mut conn = store.read().await.unwrap();
        let none = ds::details(&mut conn, plan.tenant_id, "plan", 2022, plan.scope_id).await.unwrap();
        assert_eq!(none.version, 0, "nothing stored");
        drop(conn);
        let good = [
            ("csrf", csrf.as_str()),
            ("typ", "plan"),
            ("version", "0"),
            ("reference-plan", " SN 2022/45 "),
            ("meeting_on-plan", "2022-02-23"),
            ("status-plan", "Antagen av socialnämnden"),
        ];
        let res = quality.post(&path, &good).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let saved = quality.get(res.location().split('#').next().unwrap()).await.body;
        assert!(saved.contains("Uppgifterna är sparade."));
        let stale = quality.post(&path, &good).await;
        assert_eq!(stale.status, StatusCode::CONFLICT, "a form of version 0 once more");

        // The administrator names the board.
        let mut admin = TestApp::on(store.clone());
        admin.login(ADMIN).await;
        let admin_csrf = admin.csrf().await;
        let top = units(&store, "Vuxensektionen").await.1.to_string();
        let fields = [("csrf", admin_csrf.as_str()), ("version", "0"), ("enhet", &top), ("board", "Socialnämnden")];
        assert_eq!(post_settings(&admin, &fields, None).await.0, StatusCode::SEE_OTHER);

        // Both reach the document made, in its model and in its status.
        let input = load(&store, &plan, DocumentKind::Plan).await;
        assert_eq!(
            furniture_of(&input),
            (Some("Socialnämnden".into()), Some("SN 2022/45".into()), Some("2022-02-23".into()))
        );
        assert_eq!(input.furniture.status.as_deref(), Some("Antagen av socialnämnden"));
        let follow_up = load(&store, &plan, DocumentKind::FollowUp).await;
        assert_eq!(
            (follow_up.furniture.board.as_deref(), follow_up.furniture.reference),
            (Some("Socialnämnden"), None)
        );

        // A reader sees the values, not the form, and may not post it.
        let mut reader = TestApp::on(store.clone());
        reader.login(READER).await;
        let page = reader.get(&path).await.body;
        assert!(page.contains("<dd>SN 2022/45</dd>") && !page.contains("id=\"reference-plan\""));
        let reader_csrf = reader.csrf().await;
        let theirs = [("csrf", reader_csrf.as_str()), ("typ", "plan"), ("version", "1"), ("status-plan", "X")];
        assert_eq!(reader.post(&path, &theirs).await.status, StatusCode::FORBIDDEN);
    })
    .await;
}

/// A stored version is what the board decided on: settings changed afterwards do not
/// change it.
#[tokio::test]
async fn a_stored_version_keeps_its_bytes_when_the_furniture_changes() {
    on_each_backend(|store, _| async move {
        let mut quality = TestApp::with_demo(store.clone()).await;
        quality.login(QUALITY).await;
        let plan_id = quality.plan_id("Kvalitetsplan 2022 för vuxna").await;
        let mut tx = store.write(&Actor::system("test")).await.unwrap();
        let draft = plans::roll_over_plan(&mut tx, Id::new(plan_id), Date::constant(2022, 12, 1)).await.unwrap();
        tx.commit().await.unwrap();
        let mut conn = store.read().await.unwrap();
        let plan = repo::get::<QualityPlan>(&mut conn, draft).await.unwrap();
        drop(conn);
        let csrf = quality.csrf().await;
        let v = plan.version.to_string();
        let form = [
            ("csrf", csrf.as_str()),
            ("version", &v),
            ("adopted_on", "2022-12-14"),
            ("board_reference", "SN-2022/140"),
        ];
        assert_eq!(quality.post(&format!("/planer/{draft}/anta"), &form).await.status, StatusCode::SEE_OTHER);
        let api = format!("/api/v1/dokument?typ=plan&ar=2023&format=html&omfattning={}", plan.scope_id);
        let (_, _, adopted) = send(&quality, Request::get(&api), Body::empty()).await;

        let details = [
            ("csrf", csrf.as_str()),
            ("typ", "plan"),
            ("version", "0"),
            ("reference-plan", "SN-2022/141"),
            ("status-plan", "Antagen"),
        ];
        assert_eq!(quality.post(&format!("/planer/{draft}/dokument"), &details).await.status, StatusCode::SEE_OTHER);
        let (_, again_headers, again) = send(&quality, Request::get(&api), Body::empty()).await;
        assert!(again == adopted, "the adopted version, byte for byte");
        assert!(again_headers.contains_key(header::ETAG), "served as the stored version");
        let input = load(&store, &plan, DocumentKind::Plan).await;
        assert_eq!(input.furniture.reference.as_deref(), Some("SN-2022/141"), "today's version has the new one");
    })
    .await;
}

#[tokio::test]
async fn an_svg_logo_whose_fill_refers_to_its_own_gradient_is_accepted() {
    on_each_backend(|store, _| async move {
        let mut admin = TestApp::with_demo(store.clone()).await;
        admin.login(ADMIN).await;
        let (_, _, unit) = units(&store, "Beroendeenheten").await;
        let csrf = admin.csrf().await;
        let unit_s = unit.to_string();
        let gradient = SVG.replace(
            "<rect width=\"80\" height=\"20\" fill=\"#005a8c\"/>",
            "<defs><linearGradient id=\"g\"><stop offset=\"0\" stop-color=\"#005a8c\"/><stop offset=\"1\" stop-color=\"#fff\"/></linearGradient></defs><rect width=\"80\" height=\"20\" style=\"fill: url('#g')\"/><rect width=\"40\" height=\"20\" fill=\"url(#g)\"/>",
        );
        let fields = [("csrf", csrf.as_str()), ("version", "0"), ("enhet", &unit_s), ("logo_alt", "Enhetens logotyp")];
        let (status, body) = post_settings(&admin, &fields, Some(("gradient.svg", gradient.as_bytes()))).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        let (status, _, served) = logo_of(&admin, unit).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(served, gradient.as_bytes());
    })
    .await;
}
