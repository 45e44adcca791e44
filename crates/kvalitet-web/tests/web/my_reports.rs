//! The reporter's side of a deviation: the receipt, "Mina rapporter" with status and
//! feedback but nothing of the investigation, adding information afterwards, the
//! complaint intake, and voiding by the unit's manager, on both backends.

use axum::http::StatusCode;
use sqlx::Row;

use kvalitet_domain::access::{Account, Role};
use kvalitet_domain::deviation::{
    Complainant, ComplaintChannel, Deviation, DeviationEvent, DeviationEventKind, DeviationKind, DeviationStatus,
};
use kvalitet_domain::org::OrgUnit;
use kvalitet_domain::{Id, Versioned};
use kvalitet_store::testing::on_each_backend;
use kvalitet_store::{Actor, Store, Where, deviations, repo};
use kvalitet_web::{AppState, router};

use crate::{MANAGER, READER, STAFF, TestApp};

const INVESTIGATION: &str = "Utredningen fann att nattpersonalen XQ-UTREDNING-7731 saknade rutin.";
const CAUSES: &str = "Orsaken XQ-ORSAK-5512 var bemanningen.";
const INVESTIGATOR: &str = "Utredare XQ-Ulla";
const FEEDBACK: &str = "Tack för din rapport. Rutinen för nattens överlämning är nu ändrad.";

fn today() -> String {
    jiff::Zoned::now().with_time_zone(jiff::tz::TimeZone::get("Europe/Stockholm").unwrap()).date().to_string()
}

fn year() -> i64 {
    today()[..4].parse().unwrap()
}

/// The value of a form's field in a page.
fn field(body: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    body.split(&marker).nth(1).unwrap_or_else(|| panic!("no field {name}")).split('"').next().unwrap().to_owned()
}

/// An app whose pages queue mails (a sender is configured).
fn with_mail(store: &Store) -> TestApp {
    TestApp { router: router(AppState::new(store.clone()).with_mail()), store: store.clone(), cookie: None }
}

/// Registers a report through the form with `extra` fields; returns the response.
async fn register(app: &TestApp, kind: &str, title: &str, extra: &[(&str, &str)]) -> crate::Response {
    let form = app.get("/avvikelser/ny").await.body;
    let token = field(&form, "form_token");
    let unit = form.split("<option value=\"").nth(2).unwrap().split('"').next().unwrap().to_owned();
    let csrf = app.csrf().await;
    let today = today();
    let mut fields = vec![
        ("csrf", csrf.as_str()),
        ("form_token", token.as_str()),
        ("kind", kind),
        ("unit", unit.as_str()),
        ("occurred_on", today.as_str()),
        ("title", title),
        ("description", "Larmet på avdelningen gick inte i natt."),
    ];
    fields.extend_from_slice(extra);
    app.post("/avvikelser/ny", &fields).await
}

/// The id of a receipt's path (`/mina-rapporter/{id}?mottagen=1`).
fn id_of(location: &str) -> i64 {
    let rest = location.strip_prefix("/mina-rapporter/").unwrap_or_else(|| panic!("not a receipt: {location}"));
    rest.split('?').next().unwrap().parse().unwrap()
}

async fn deviation(store: &Store, id: i64) -> Versioned<Deviation> {
    let mut conn = store.read().await.unwrap();
    repo::get::<Deviation>(&mut conn, Id::new(id)).await.unwrap()
}

async fn stored_with_title(store: &Store, title: &str) -> usize {
    let mut conn = store.read().await.unwrap();
    let all: Vec<Versioned<Deviation>> = repo::list(&mut conn, Where::all()).await.unwrap();
    all.iter().filter(|d| d.title == title).count()
}

async fn scalar(store: &Store, sql: &'static str, id: i64) -> i64 {
    let mut conn = store.read().await.unwrap();
    sqlx::query(sql).bind(id).fetch_one(&mut *conn).await.unwrap().get::<i64, _>(0)
}

/// A new account with one role on the named unit, signed in on `app`.
async fn sign_in_new(store: &Store, email: &str, role: Role, unit: &str) -> TestApp {
    let mut conn = store.read().await.unwrap();
    let units: Vec<Versioned<OrgUnit>> = repo::list(&mut conn, Where::all()).await.unwrap();
    drop(conn);
    let unit = units.iter().find(|u| u.name == unit).unwrap();
    let mut tx = store.write(&Actor::system("test")).await.unwrap();
    let hash = kvalitet_store::accounts::hash_password("ett-långt-lösenord");
    let account = Account::new(unit.tenant_id, email, email);
    kvalitet_store::accounts::create_account(&mut tx, &account, hash, &[(role, unit.id)]).await.unwrap();
    tx.commit().await.unwrap();
    let mut app = TestApp::on(store.clone());
    app.login((email, "ett-långt-lösenord")).await;
    app
}

/// The manager's handling of a report, written through the store: the investigation and
/// its causes (which the reporter never sees), the feedback (which they do), and history
/// entries for and not for the reporter.
async fn handle_in_store(store: &Store, id: i64) {
    let d = deviation(store, id).await;
    let next = Deviation {
        status: DeviationStatus::Investigating,
        investigation: INVESTIGATION.into(),
        causes: CAUSES.into(),
        investigator: INVESTIGATOR.into(),
        investigation_started_on: Some(d.reported_on),
        feedback: FEEDBACK.into(),
        ..d.item.clone()
    };
    let mut tx = store.write(&Actor::system("test")).await.unwrap();
    repo::update(&mut tx, d.id, d.version, &next).await.unwrap();
    let event = |kind, to: &str, text: &str, for_reporter| DeviationEvent {
        deviation_id: d.id,
        happened_on: d.reported_on,
        actor: "Cecilia Chef".into(),
        kind,
        from_value: String::new(),
        to_value: to.into(),
        text: text.into(),
        for_reporter,
    };
    deviations::record_event(&mut tx, &event(DeviationEventKind::StatusChanged, "investigating", "", true))
        .await
        .unwrap();
    deviations::record_event(
        &mut tx,
        &event(DeviationEventKind::Reclassified, "hsl", "Omklassad efter XQ-HANDLAGGNING-9921.", false),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn the_reporter_gets_a_receipt_and_follows_the_report_without_seeing_the_investigation() {
    on_each_backend(|store, _| async move {
        let mut staff = TestApp::with_demo(store.clone()).await;
        staff.login(STAFF).await;
        assert!(staff.get("/").await.body.contains("<a href=\"/mina-rapporter\">Mina rapporter</a>"), "in the menu");
        let res = register(&staff, "internal", "Larmet gick inte", &[]).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let id = id_of(res.location());
        assert_eq!(res.location(), format!("/mina-rapporter/{id}?mottagen=1"));
        let reference = format!("{}-{id:05}", year());
        let receipt = staff.get(res.location()).await;
        assert_eq!(receipt.status, StatusCode::OK);
        assert!(receipt.body.contains("Tack! Din rapport är mottagen."), "{}", receipt.body);
        assert!(receipt.body.contains(&format!("Referensnummer: <strong>{reference}</strong>")), "{}", receipt.body);
        assert!(!receipt.body.contains("e-post"), "no mail is promised without a sender: {}", receipt.body);
        // Without the receipt flag the page is the report, not a thank-you.
        let plain = staff.get(&format!("/mina-rapporter/{id}")).await.body;
        assert!(!plain.contains("Tack! Din rapport är mottagen.") && plain.contains(&reference));

        // The same form sent again leads to the same receipt and stores nothing more.
        let form = staff.get("/avvikelser/ny").await.body;
        let token = field(&form, "form_token");
        let unit = form.split("<option value=\"").nth(2).unwrap().split('"').next().unwrap().to_owned();
        let csrf = staff.csrf().await;
        let today = today();
        let fields = [
            ("csrf", csrf.as_str()),
            ("form_token", token.as_str()),
            ("kind", "internal"),
            ("unit", unit.as_str()),
            ("occurred_on", today.as_str()),
            ("title", "Dörren var olåst"),
        ];
        let one = staff.post("/avvikelser/ny", &fields).await;
        let again = staff.post("/avvikelser/ny", &fields).await;
        assert_eq!((one.status, again.status), (StatusCode::SEE_OTHER, StatusCode::SEE_OTHER));
        assert_eq!(again.location(), one.location());
        assert!(one.location().starts_with("/mina-rapporter/"));
        assert_eq!(stored_with_title(&store, "Dörren var olåst").await, 1);
        // Back to the form, which is fetched anew with a fresh token, and the same report
        // sent again: still the same receipt. A different report is a new one.
        let fresh = field(&staff.get("/avvikelser/ny").await.body, "form_token");
        assert_ne!(fresh, token);
        let resent: Vec<(&str, &str)> =
            fields.iter().map(|(k, v)| if *k == "form_token" { (*k, fresh.as_str()) } else { (*k, *v) }).collect();
        let res = staff.post("/avvikelser/ny", &resent).await;
        assert_eq!(res.location(), one.location(), "the same report again");
        assert_eq!(stored_with_title(&store, "Dörren var olåst").await, 1);
        let fresh = field(&staff.get("/avvikelser/ny").await.body, "form_token");
        let other: Vec<(&str, &str)> = resent
            .iter()
            .map(|(k, v)| match *k {
                "form_token" => (*k, fresh.as_str()),
                "title" => (*k, "Dörren var olåst igen"),
                _ => (*k, *v),
            })
            .collect();
        let res = staff.post("/avvikelser/ny", &other).await;
        assert_ne!(res.location(), one.location(), "another report");
        assert_eq!(stored_with_title(&store, "Dörren var olåst igen").await, 1);

        // The manager handles the first report.
        handle_in_store(&store, id).await;

        // The list: newest first, with reference, kind, unit, status and whether there is
        // feedback.
        let list = staff.get("/mina-rapporter").await;
        assert_eq!(list.status, StatusCode::OK);
        let b = &list.body;
        assert!(b.contains(&reference) && b.contains("Larmet gick inte") && b.contains("Dörren var olåst"));
        assert!(b.find("Dörren var olåst").unwrap() < b.find("Larmet gick inte").unwrap(), "newest first");
        let row = b.split("<tr>").find(|r| r.contains("Larmet gick inte")).unwrap();
        assert!(row.contains("Utreds") && row.contains("Intern avvikelse") && row.contains("Beroendeenheten"), "{row}");
        assert!(row.contains("<td data-label=\"Återkoppling\">Ja</td>"), "feedback given: {row}");
        let other = b.split("<tr>").find(|r| r.contains("Dörren var olåst")).unwrap();
        assert!(other.contains("Registrerad") && other.contains("Inte än"), "{other}");
        // Reports of others are not in it (the demo's own deviations were not reported by
        // this account).
        assert_eq!(b.matches("href=\"/mina-rapporter/").count(), 3);

        // The report: status, feedback, the history meant for the reporter; nothing of
        // the handling.
        let page = staff.get(&format!("/mina-rapporter/{id}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains(FEEDBACK), "{}", page.body);
        assert!(page.body.contains("Status ändrades till Utreds."));
        assert!(page.body.contains("Larmet på avdelningen gick inte i natt."));
        for secret in ["XQ-UTREDNING-7731", "XQ-ORSAK-5512", "XQ-Ulla", "XQ-HANDLAGGNING-9921", "HSL"] {
            assert!(!page.body.contains(secret), "the reporter sees {secret}");
            assert!(!list.body.contains(secret), "the list shows {secret}");
        }
        // Every read is logged.
        let reads = scalar(
            &store,
            "SELECT COUNT(*) FROM audit_entry WHERE action = 'read' AND table_name = 'deviation' AND record_id = $1",
            id,
        )
        .await;
        assert!(reads >= 1, "the read is in the audit log");

        // Nobody else sees it here: another staff member of the unit, the unit's manager,
        // an id that does not exist.
        let colleague = sign_in_new(&store, "kollega@exempel.se", Role::Staff, "Beroendeenheten").await;
        assert_eq!(colleague.get(&format!("/mina-rapporter/{id}")).await.status, StatusCode::NOT_FOUND);
        assert!(!colleague.get("/mina-rapporter").await.body.contains("Larmet gick inte"));
        let mut manager = TestApp::on(store.clone());
        manager.login(MANAGER).await;
        assert_eq!(manager.get(&format!("/mina-rapporter/{id}")).await.status, StatusCode::NOT_FOUND);
        assert_eq!(staff.get("/mina-rapporter/999999").await.status, StatusCode::NOT_FOUND);
        assert_eq!(staff.get("/mina-rapporter/abc").await.status, StatusCode::NOT_FOUND);
        // A reader registers nothing and has no reports.
        let mut reader = TestApp::on(store.clone());
        reader.login(READER).await;
        assert_eq!(reader.get("/mina-rapporter").await.status, StatusCode::FORBIDDEN);
        assert!(!reader.get("/").await.body.contains("Mina rapporter"), "not in a reader's menu");
    })
    .await;
}

#[tokio::test]
async fn the_reporter_adds_information_and_the_managers_are_told() {
    on_each_backend(|store, _| async move {
        kvalitet_demo::load(&store).await.unwrap();
        let mut staff = with_mail(&store);
        staff.login(STAFF).await;
        let res = register(&staff, "internal", "Medicinen saknades", &[]).await;
        let id = id_of(res.location());
        let receipt = staff.get(res.location()).await.body;
        assert!(receipt.contains("du får e-post när status ändras"), "{receipt}");
        let href = format!("/mina-rapporter/{id}/komplettering");
        let csrf = staff.csrf().await;

        // Required, within the limit, with the CSRF token.
        let empty = staff.post(&href, &[("csrf", &csrf), ("text", "  ")]).await;
        assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(empty.body.contains("Informationen måste fyllas i."), "{}", empty.body);
        let long = "x".repeat(20_001);
        let too_long = staff.post(&href, &[("csrf", &csrf), ("text", &long)]).await;
        assert_eq!(too_long.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(too_long.body.contains("Informationen får vara högst"), "{}", too_long.body);
        assert_eq!(staff.post(&href, &[("csrf", "fel"), ("text", "Något")]).await.status, StatusCode::FORBIDDEN);
        let nul = staff.post(&href, &[("csrf", &csrf), ("text", "Något\u{0}mer")]).await;
        assert_eq!(nul.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(nul.body.contains("otillåtna tecken"), "{}", nul.body);
        let mut conn = store.read().await.unwrap();
        assert!(deviations::events(&mut conn, Id::new(id)).await.unwrap().is_empty(), "nothing stored");
        drop(conn);
        let mails_before = scalar(
            &store,
            "SELECT COUNT(*) FROM mail_outbox WHERE kind = 'deviation_information_added' AND record_id = $1",
            id,
        )
        .await;
        assert_eq!(mails_before, 0);

        let text = "Jag glömde att skriva att dosetten var tom redan på morgonen.";
        let ok = staff.post(&href, &[("csrf", &csrf), ("text", text)]).await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
        let mut conn = store.read().await.unwrap();
        let events = deviations::events(&mut conn, Id::new(id)).await.unwrap();
        drop(conn);
        assert_eq!(events.len(), 1);
        let e = &events[0].item;
        assert_eq!((e.kind, e.for_reporter, e.text.as_str()), (DeviationEventKind::InformationAdded, true, text));
        assert_eq!(e.actor, "Sam Medarbetare", "the reporter's name (demo/organisation.toml)");
        let page = staff.get(ok.location()).await.body;
        assert!(page.contains("Informationen är tillagd") && page.contains(text), "{page}");
        assert!(page.contains("Information lades till i rapporten."));

        // The unit's managers are told, without what was added.
        let mut conn = store.read().await.unwrap();
        let rows =
            sqlx::query("SELECT data FROM mail_outbox WHERE kind = 'deviation_information_added' AND record_id = $1")
                .bind(id)
                .fetch_all(&mut *conn)
                .await
                .unwrap();
        drop(conn);
        assert!(!rows.is_empty(), "the managers are told");
        for r in rows {
            let data: String = r.get(0);
            assert!(!data.contains("dosetten") && !data.contains("Medicinen"), "{data}");
            assert!(data.contains("Beroendeenheten"), "{data}");
        }

        // Only the reporter adds information.
        let colleague = sign_in_new(&store, "kollega2@exempel.se", Role::Staff, "Beroendeenheten").await;
        let ccsrf = colleague.csrf().await;
        assert_eq!(colleague.post(&href, &[("csrf", &ccsrf), ("text", "Jag med")]).await.status, StatusCode::NOT_FOUND);

        // A voided report takes nothing more.
        let d = deviation(&store, id).await;
        let mut tx = store.write(&Actor::system("test")).await.unwrap();
        let voided = Deviation {
            voided_on: Some(d.reported_on),
            void_reason: "Dubblett av en annan rapport.".into(),
            ..d.item.clone()
        };
        repo::update(&mut tx, d.id, d.version, &voided).await.unwrap();
        tx.commit().await.unwrap();
        let refused = staff.post(&href, &[("csrf", &csrf), ("text", "En sak till")]).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.body.contains("Rapporten är makulerad. Det går inte att lägga till information i den."));
        let mut conn = store.read().await.unwrap();
        assert_eq!(deviations::events(&mut conn, Id::new(id)).await.unwrap().len(), 1);
        drop(conn);
        let page = staff.get(&format!("/mina-rapporter/{id}")).await.body;
        assert!(page.contains("Rapporten är makulerad") && page.contains("Dubblett av en annan rapport."));
        assert!(!page.contains("action=\"/mina-rapporter/"), "no form on a voided report");
    })
    .await;
}

#[tokio::test]
async fn complaint_intake_is_stored_for_complaints_and_refused_for_other_kinds() {
    on_each_backend(|store, _| async move {
        let mut staff = TestApp::with_demo(store.clone()).await;
        staff.login(STAFF).await;
        let form = staff.get("/avvikelser/ny").await.body;
        assert!(form.contains("Fyll i om du rapporterar synpunkter eller klagomål"));
        assert!(form.contains("<label for=\"complainant\">Vem lämnade synpunkten?</label>"));
        assert!(form.contains("<label for=\"channel\">Hur kom den in?</label>"));

        // Another kind with complaint fields is refused, naming the field, nothing stored.
        let res = register(&staff, "internal", "Fel slag", &[("complainant", "relative")]).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            res.body.contains("Vem som lämnade synpunkten fylls bara i för synpunkter och klagomål"),
            "{}",
            res.body
        );
        let res = register(&staff, "lex_sarah", "Fel slag", &[("channel", "phone")]).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.body.contains("Hur synpunkten kom in fylls bara i för synpunkter och klagomål"), "{}", res.body);
        // A code that is not in the list.
        let res = register(&staff, "complaint", "Fel slag", &[("channel", "brevduva")]).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.body.contains("Välj hur synpunkten kom in i listan."), "{}", res.body);
        assert_eq!(stored_with_title(&store, "Fel slag").await, 0);

        // A complaint with both, and one with neither.
        let res = register(
            &staff,
            "complaint",
            "Klagomål på bemötandet",
            &[("complainant", "relative"), ("channel", "phone")],
        )
        .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let id = id_of(res.location());
        let d = deviation(&store, id).await;
        assert_eq!(
            (d.kind, d.complainant, d.channel),
            (DeviationKind::Complaint, Some(Complainant::Relative), Some(ComplaintChannel::Phone))
        );
        let page = staff.get(&format!("/mina-rapporter/{id}")).await.body;
        assert!(page.contains("Anhörig eller närstående") && page.contains("Telefon"), "{page}");
        let res = register(&staff, "complaint", "Synpunkt utan uppgifter", &[]).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let d = deviation(&store, id_of(res.location())).await;
        assert_eq!((d.complainant, d.channel), (None, None));
    })
    .await;
}

/// The sum of the figures in the first row of `unit` in the counts table (0 without a
/// row: no counts in the two years).
fn row_sum(body: &str, unit: &str) -> i64 {
    let Some(at) = body.find(&format!("<th scope=\"row\">{unit}</th>")) else { return 0 };
    let row = body[at..].split("</tr>").next().unwrap();
    row.split("<td").skip(1).filter_map(|c| c.split('>').nth(1)?.split('<').next()?.trim().parse::<i64>().ok()).sum()
}

#[tokio::test]
async fn a_manager_voids_a_report_which_leaves_the_counts_but_not_the_log() {
    on_each_backend(|store, _| async move {
        let mut staff = TestApp::with_demo(store.clone()).await;
        staff.login(STAFF).await;
        let res = register(&staff, "internal", "Rapporterad två gånger", &[]).await;
        let id = id_of(res.location());
        let href = format!("/avvikelser/{id}/makulera");
        let mut manager = TestApp::on(store.clone());
        manager.login(MANAGER).await;
        let counts = format!("/avvikelser?ar={}", year());
        let before = row_sum(&manager.get(&counts).await.body, "Beroendeenheten");
        assert!(before >= 1, "the new report is counted");

        // Who may not void it: staff, a reader, another unit's manager.
        let scsrf = staff.csrf().await;
        assert_eq!(staff.get(&href).await.status, StatusCode::FORBIDDEN);
        let post = [("csrf", scsrf.as_str()), ("version", "1"), ("reason", "Dubblett")];
        assert_eq!(staff.post(&href, &post).await.status, StatusCode::FORBIDDEN);
        let mut reader = TestApp::on(store.clone());
        reader.login(READER).await;
        assert_eq!(reader.get(&href).await.status, StatusCode::FORBIDDEN);
        let rcsrf = reader.csrf().await;
        let post = [("csrf", rcsrf.as_str()), ("version", "1"), ("reason", "Dubblett")];
        assert_eq!(reader.post(&href, &post).await.status, StatusCode::FORBIDDEN);
        let other = sign_in_new(&store, "chef-barn@exempel.se", Role::Manager, "Barnenheten").await;
        assert_eq!(other.get(&href).await.status, StatusCode::FORBIDDEN);
        let ocsrf = other.csrf().await;
        let post = [("csrf", ocsrf.as_str()), ("version", "1"), ("reason", "Dubblett")];
        assert_eq!(other.post(&href, &post).await.status, StatusCode::FORBIDDEN);
        assert!(deviation(&store, id).await.voided_on.is_none());

        // The form shows what is voided.
        let form = manager.get(&href).await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(form.body.contains("Rapporterad två gånger") && form.body.contains(&format!("{}-{id:05}", year())));
        let version = field(&form.body, "version");
        let csrf = manager.csrf().await;
        // A reason is required; a stale version is a conflict; a bad token is refused.
        let res = manager.post(&href, &[("csrf", &csrf), ("version", &version), ("reason", " ")]).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.body.contains("Skälet får inte vara tomt."), "{}", res.body);
        let res = manager.post(&href, &[("csrf", &csrf), ("version", &version), ("reason", "Dubb\u{200B}lett")]).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.body.contains("osynliga tecken"), "{}", res.body);
        let stale = (version.parse::<i64>().unwrap() + 5).to_string();
        let res = manager.post(&href, &[("csrf", &csrf), ("version", &stale), ("reason", "Dubblett")]).await;
        assert_eq!(res.status, StatusCode::CONFLICT);
        let res = manager.post(&href, &[("csrf", "fel"), ("version", &version), ("reason", "Dubblett")]).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN);
        assert!(deviation(&store, id).await.voided_on.is_none(), "nothing voided yet");

        let reason = "Samma händelse rapporterades två gånger.";
        let res = manager.post(&href, &[("csrf", &csrf), ("version", &version), ("reason", reason)]).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        assert_eq!(res.location(), format!("/avvikelser/{id}"));
        let d = deviation(&store, id).await;
        assert_eq!(d.voided_on.map(|v| v.to_string()), Some(today()));
        assert_eq!(d.void_reason, reason);
        let mut conn = store.read().await.unwrap();
        let events = deviations::events(&mut conn, Id::new(id)).await.unwrap();
        drop(conn);
        assert!(
            events.iter().any(|e| e.kind == DeviationEventKind::Voided && e.for_reporter && e.text == reason),
            "{events:?}"
        );

        // It leaves the year's counts, and stays in the audit log.
        let after = row_sum(&manager.get(&counts).await.body, "Beroendeenheten");
        assert_eq!(after, before - 1, "voided reports are not counted");
        let updates = scalar(
            &store,
            "SELECT COUNT(*) FROM audit_entry WHERE action = 'update' AND table_name = 'deviation' AND record_id = $1",
            id,
        )
        .await;
        assert!(updates >= 1, "the voiding is in the audit log");

        // Voided once only.
        let again =
            manager.post(&href, &[("csrf", &csrf), ("version", &d.version.to_string()), ("reason", "Igen")]).await;
        assert_eq!(again.status, StatusCode::CONFLICT);
        assert_eq!(deviation(&store, id).await.void_reason, reason);
        let page = manager.get(&href).await.body;
        assert!(page.contains("En makulerad rapport kan inte makuleras igen.") && !page.contains("name=\"reason\""));

        // The reporter sees that it was voided, and why.
        let list = staff.get("/mina-rapporter").await.body;
        let row = list.split("<tr>").find(|r| r.contains("Rapporterad två gånger")).unwrap();
        assert!(row.contains("Makulerad"), "{row}");
        let mine = staff.get(&format!("/mina-rapporter/{id}")).await.body;
        assert!(mine.contains("Rapporten är makulerad") && mine.contains(reason), "{mine}");
        assert!(mine.contains("Rapporten makulerades."));

        // Voided by mistake: the voiding is undone with a reason, and it counts again.
        let restore = format!("{href}/hav");
        let version = deviation(&store, id).await.version.to_string();
        let res = manager.post(&restore, &[("csrf", &csrf), ("version", &version), ("restore_reason", "")]).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "a reason is required");
        let post = [("csrf", scsrf.as_str()), ("version", version.as_str()), ("restore_reason", "Fel")];
        assert_eq!(staff.post(&restore, &post).await.status, StatusCode::FORBIDDEN);
        let why = "Det var två olika händelser.";
        let res = manager.post(&restore, &[("csrf", &csrf), ("version", &version), ("restore_reason", why)]).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let d = deviation(&store, id).await;
        assert!(d.voided_on.is_none() && d.void_reason.is_empty());
        assert_eq!(row_sum(&manager.get(&counts).await.body, "Beroendeenheten"), before, "counted again");
        let mut conn = store.read().await.unwrap();
        let events = deviations::events(&mut conn, Id::new(id)).await.unwrap();
        drop(conn);
        assert!(events.iter().any(|e| e.kind == DeviationEventKind::Restored && e.text == why), "{events:?}");
        let again = manager
            .post(&restore, &[("csrf", &csrf), ("version", &d.version.to_string()), ("restore_reason", why)])
            .await;
        assert_eq!(again.status, StatusCode::CONFLICT, "not voided: nothing to undo");
    })
    .await;
}
