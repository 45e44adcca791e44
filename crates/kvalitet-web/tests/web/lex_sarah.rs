//! The lex Sarah process through HTTP: each step with its dates, every date rule and
//! status requirement refused with nothing stored, reopening, the change of kind (with
//! its mail), the IVO deadline on the to-do list, and who may change a report's kind.

use axum::http::StatusCode;

use kvalitet_domain::access::{Account, AccountId, RoleAssignment};
use kvalitet_domain::deviation::{
    Deviation, DeviationEventKind, DeviationKind, DeviationSettings, DeviationStatus, LexSarahCategory,
};
use kvalitet_domain::org::{OrgUnit, OrgUnitId, TenantId};
use kvalitet_domain::{Date, Id, Versioned};
use kvalitet_store::testing::on_each_backend;
use kvalitet_store::{Actor, Store, Where, accounts, agenda, deviations, mail, org, plans, repo};
use kvalitet_web::{AppState, router};

use crate::{MANAGER, READER, STAFF, TestApp};

fn today() -> Date {
    jiff::Zoned::now().with_time_zone(jiff::tz::TimeZone::get("Europe/Stockholm").unwrap()).date()
}

/// `n` days before today, as a form writes it.
fn ago(n: i64) -> String {
    day(n).to_string()
}

fn day(n: i64) -> Date {
    today().checked_sub(jiff::Span::new().days(n)).unwrap()
}

async fn unit(store: &Store, name: &str) -> (TenantId, OrgUnitId) {
    let mut conn = store.read().await.unwrap();
    let tenant = org::first_tenant(&mut conn).await.unwrap().unwrap().id;
    let units: Vec<Versioned<OrgUnit>> = org::units(&mut conn, tenant).await.unwrap();
    (tenant, units.iter().find(|u| u.name == name).expect(name).id)
}

/// A report of `kind` in `unit_name` that happened 20 days ago and was reported 19 days
/// ago, as registered.
async fn register(store: &Store, unit_name: &str, kind: DeviationKind, title: &str) -> i64 {
    let (tenant, unit) = unit(store, unit_name).await;
    let d = Deviation::registered(
        tenant,
        unit,
        kind,
        day(20),
        day(19),
        title.into(),
        "Något gick fel.".into(),
        "Medarbetare".into(),
    );
    let mut tx = store.write(&Actor::system("test")).await.unwrap();
    let id = plans::create(&mut tx, &d).await.unwrap();
    tx.commit().await.unwrap();
    id.get()
}

async fn stored(store: &Store, id: i64) -> Versioned<Deviation> {
    let mut conn = store.read().await.unwrap();
    repo::get::<Deviation>(&mut conn, Id::new(id)).await.unwrap()
}

async fn history(store: &Store, id: i64) -> Vec<(DeviationEventKind, String, String, String, bool)> {
    let mut conn = store.read().await.unwrap();
    deviations::events(&mut conn, Id::new(id))
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.kind, e.from_value.clone(), e.to_value.clone(), e.text.clone(), e.for_reporter))
        .collect()
}

async fn signed_in(store: &Store, who: (&str, &str)) -> (TestApp, String) {
    let mut app = TestApp::on(store.clone());
    app.login(who).await;
    let csrf = app.csrf().await;
    (app, csrf)
}

fn version(body: &str) -> String {
    body.split("name=\"version\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned()
}

/// Posts the handling form with the page's current version.
async fn handle(app: &TestApp, csrf: &str, id: i64, fields: &[(&str, String)]) -> crate::Response {
    let href = format!("/avvikelser/{id}");
    let v = version(&app.get(&href).await.body);
    let mut form: Vec<(&str, &str)> = vec![("csrf", csrf), ("version", &v)];
    form.extend(fields.iter().map(|(k, v)| (*k, v.as_str())));
    app.post(&format!("{href}/handlaggning"), &form).await
}

/// Every step of a lex Sarah case filled in, closed yesterday.
fn closed_fields() -> Vec<(&'static str, String)> {
    vec![
        ("status", "closed".into()),
        ("investigation_started_on", ago(18)),
        ("investigator", "Utredare Ulla".into()),
        ("person_informed", "yes".into()),
        ("person_informed_on", ago(17)),
        ("investigation", "Anmälan låg obehandlad.".into()),
        ("causes", "Rutinen var okänd.".into()),
        ("measures_taken", "Rutinen är genomgången.".into()),
        ("lex_sarah_category", "serious".into()),
        ("decided_on", ago(10)),
        ("decided_by", "Chef Christer".into()),
        ("reported_to_ivo_on", ago(8)),
        ("ivo_reference", "3.5.1-1234/2026".into()),
        ("closed_on", ago(1)),
    ]
}

fn with(mut fields: Vec<(&'static str, String)>, changes: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
    for (k, v) in changes {
        match fields.iter_mut().find(|(f, _)| f == k) {
            Some(f) => f.1 = (*v).to_owned(),
            None => fields.push((k, (*v).to_owned())),
        }
    }
    fields
}

#[tokio::test]
async fn a_lex_sarah_case_is_walked_through_every_step_with_its_dates() {
    on_each_backend(|store, _| async move {
        kvalitet_demo::load(&store).await.unwrap();
        let id = register(&store, "Beroendeenheten", DeviationKind::LexSarah, "Anmälan låg i tre veckor").await;
        let (manager, csrf) = signed_in(&store, MANAGER).await;
        let href = format!("/avvikelser/{id}");
        let page = manager.get(&href).await.body;
        let reference = format!("{}-{id:05}", day(19).year());
        assert!(page.contains(&format!("Referensnummer</dt><dd>{reference}")), "{page}");
        assert!(page.contains(&format!("href=\"{href}/handelseanalys\"")));
        assert!(page.contains(&format!("href=\"{href}/makulera\"")));
        assert!(!page.contains("ivo-anmalan.docx"), "no IVO report before a serious assessment");

        // Investigation.
        let all = closed_fields();
        let step = |names: &[&str], status: &str| {
            let mut f: Vec<(&str, String)> =
                all.iter().filter(|(k, _)| names.contains(k)).map(|(k, v)| (*k, v.clone())).collect();
            f.push(("status", status.into()));
            f
        };
        let investigation = [
            "investigation_started_on",
            "investigator",
            "person_informed",
            "person_informed_on",
            "investigation",
            "causes",
            "measures_taken",
        ];
        let res = handle(&manager, &csrf, id, &step(&investigation, "investigating")).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let d = stored(&store, id).await;
        assert_eq!(d.status, DeviationStatus::Investigating);
        assert_eq!((d.investigation_started_on, d.person_informed, d.person_informed_on), (Some(day(18)), Some(true), Some(day(17))));
        assert_eq!((d.investigator.as_str(), d.causes.as_str()), ("Utredare Ulla", "Rutinen var okänd."));

        // Assessment and decision: serious, so the report to IVO is due 14 days after
        // the report (five days ago) and is late.
        let assessment: Vec<&str> =
            investigation.iter().copied().chain(["lex_sarah_category", "decided_on", "decided_by"]).collect();
        let res = handle(&manager, &csrf, id, &step(&assessment, "assessed")).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let d = stored(&store, id).await;
        assert_eq!((d.lex_sarah_category, d.decided_on), (Some(LexSarahCategory::Serious), Some(day(10))));
        let page = manager.get(&href).await.body;
        assert!(page.contains(&format!("Anmälan till IVO senast</dt><dd>{} <span class=\"badge overdue\">försenad", ago(5))), "{page}");
        assert!(page.contains(&format!("href=\"{href}/ivo-anmalan.docx\"")));
        assert!(page.contains(&format!("href=\"{href}/ivo-anmalan.pdf\"")));
        let home = manager.get("/").await.body;
        assert!(home.contains(&format!("href=\"{href}\">Anmälan låg i tre veckor</a> <span class=\"muted\">senast {}</span> <span class=\"badge overdue\">försenad", ago(5))), "{home}");

        // Reported to IVO and closed.
        let res = handle(&manager, &csrf, id, &all).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let d = stored(&store, id).await;
        assert_eq!(d.status, DeviationStatus::Closed);
        assert_eq!((d.reported_to_ivo_on, d.closed_on), (Some(day(8)), Some(day(1))));
        assert_eq!(d.ivo_reference, "3.5.1-1234/2026");
        let page = manager.get(&href).await.body;
        assert!(page.contains(&format!("Anmäld till IVO</dt><dd>{}", ago(8))));
        assert!(page.contains("IVO:s diarienummer</dt><dd>3.5.1-1234/2026"));
        assert!(!page.contains("Anmälan till IVO senast"));
        assert!(!manager.get("/").await.body.contains(&format!("href=\"{href}\"")), "off the to-do list");

        // Every status change is in the history, for the reporter too.
        let h = history(&store, id).await;
        let changes: Vec<(String, String, bool)> = h
            .iter()
            .filter(|e| e.0 == DeviationEventKind::StatusChanged)
            .map(|e| (e.1.clone(), e.2.clone(), e.4))
            .collect();
        assert_eq!(
            changes,
            [("registered", "investigating"), ("investigating", "assessed"), ("assessed", "closed")]
                .map(|(a, b)| (a.to_owned(), b.to_owned(), true))
        );
        assert!(page.contains("<h2 id=\"historik\">Historik</h2>"));
        assert!(page.contains("Ny status: Bedömd → Avslutad"), "{page}");
    })
    .await;
}

#[tokio::test]
async fn every_date_rule_and_status_requirement_is_refused_and_nothing_is_stored() {
    on_each_backend(|store, _| async move {
        kvalitet_demo::load(&store).await.unwrap();
        let id = register(&store, "Beroendeenheten", DeviationKind::LexSarah, "Fel i journalen").await;
        let complaint =
            register(&store, "Beroendeenheten", DeviationKind::Complaint, "Svårt att nå handläggaren").await;
        let (manager, csrf) = signed_in(&store, MANAGER).await;
        let tomorrow = day(-1).to_string();
        let base = closed_fields();
        let later =
            ["lex_sarah_category", "decided_on", "decided_by", "reported_to_ivo_on", "ivo_reference", "closed_on"];
        let investigating = |changes: &[(&'static str, &str)]| {
            let fields = base.iter().filter(|(k, _)| !later.contains(k)).cloned().collect();
            with(with(fields, &[("status", "investigating")]), changes)
        };
        let cases: Vec<(Vec<(&'static str, String)>, &str)> = vec![
            (
                with(base.clone(), &[("investigation_started_on", &tomorrow)]),
                "Utredningens startdatum kan inte vara ett datum i framtiden.",
            ),
            (with(base.clone(), &[("closed_on", &tomorrow)]), "Avslutsdatumet kan inte vara ett datum i framtiden."),
            (with(base.clone(), &[("decided_on", &ago(21))]), "Beslutsdatumet kan inte vara före händelsedatumet."),
            (
                with(base.clone(), &[("investigation_started_on", &ago(20))]),
                "Utredningens startdatum kan inte vara före rapportdatumet.",
            ),
            (
                with(base.clone(), &[("person_informed_on", &ago(19))]),
                "Datumet då den enskilde informerades kan inte vara före utredningens startdatum.",
            ),
            (
                with(base.clone(), &[("decided_on", &ago(19))]),
                "Beslutsdatumet kan inte vara före utredningens startdatum.",
            ),
            (
                with(base.clone(), &[("reported_to_ivo_on", &ago(11))]),
                "Datumet för anmälan till IVO kan inte vara före beslutsdatumet.",
            ),
            (with(base.clone(), &[("closed_on", &ago(9))]), "Avslutsdatumet kan inte vara före anmälan till IVO."),
            (
                with(base.clone(), &[("person_informed", "no")]),
                "Datumet då den enskilde informerades kan anges bara när den enskilde har informerats.",
            ),
            (
                investigating(&[("ivo_reference", "3.5.1-1/2026")]),
                "IVO:s diarienummer kan anges först när datumet för anmälan till IVO är ifyllt.",
            ),
            (investigating(&[("investigation_started_on", "")]), "Utredningens startdatum måste fyllas i."),
            (investigating(&[("investigator", "")]), "Utredaren måste fyllas i."),
            (with(base.clone(), &[("lex_sarah_category", "")]), "Bedömningen måste fyllas i."),
            (with(base.clone(), &[("decided_on", ""), ("reported_to_ivo_on", "")]), "Beslutsdatumet måste fyllas i."),
            (with(base.clone(), &[("decided_by", "")]), "Beslutsfattaren måste fyllas i."),
            (with(base.clone(), &[("closed_on", "")]), "Avslutsdatumet måste fyllas i."),
            (
                with(base.clone(), &[("reported_to_ivo_on", ""), ("ivo_reference", "")]),
                "Datumet för anmälan till IVO måste fyllas i: ett allvarligt missförhållande eller en påtaglig risk \
                 för det ska anmälas till IVO innan ärendet avslutas.",
            ),
            (
                with(base.clone(), &[("decided_on", "2026-02-30")]),
                "Beslutsdatumet: Ange datum som ÅÅÅÅ-MM-DD, till exempel 2024-03-31.",
            ),
        ];
        let before = stored(&store, id).await;
        for (fields, message) in &cases {
            let res = handle(&manager, &csrf, id, fields).await;
            assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{message}");
            assert!(res.body.contains(message), "{message} not in {}", res.body);
            assert!(res.body.contains("Ärendet kunde inte sparas"));
        }
        assert_eq!(stored(&store, id).await, before, "nothing was stored");
        assert!(history(&store, id).await.is_empty());

        // A complaint's answer is not before the report; a complaint has no lex Sarah steps.
        let before = stored(&store, complaint).await;
        let res = handle(
            &manager,
            &csrf,
            complaint,
            &[
                ("status", "investigating".into()),
                ("complainant", "relative".into()),
                ("channel", "phone".into()),
                ("answered_on", ago(20)),
                ("answered_by", "Chef Christer".into()),
            ],
        )
        .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            res.body.contains("Datumet då klagomålet besvarades kan inte vara före rapportdatumet."),
            "{}",
            res.body
        );
        assert_eq!(stored(&store, complaint).await, before);
        let res = handle(
            &manager,
            &csrf,
            complaint,
            &[
                ("status", "closed".into()),
                ("complainant", "relative".into()),
                ("channel", "phone".into()),
                ("answered_on", ago(2)),
                ("answered_by", "Chef Christer".into()),
                ("complaint_outcome", "shortcoming".into()),
                ("feedback", "Tack, vi har ändrat rutinen.".into()),
                ("closed_on", ago(1)),
            ],
        )
        .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let d = stored(&store, complaint).await;
        assert_eq!((d.answered_on, d.answered_by.as_str()), (Some(day(2)), "Chef Christer"));
        assert_eq!(d.feedback, "Tack, vi har ändrat rutinen.");
        let page = manager.get(&format!("/avvikelser/{complaint}")).await.body;
        assert!(page.contains("Från</dt><dd>Anhörig"));
        assert!(page.contains(&format!("Besvarad</dt><dd>{} av Chef Christer", ago(2))));
    })
    .await;
}

#[tokio::test]
async fn a_closed_case_is_reopened_only_with_a_reason_and_loses_the_later_dates() {
    on_each_backend(|store, _| async move {
        kvalitet_demo::load(&store).await.unwrap();
        let id = register(&store, "Beroendeenheten", DeviationKind::LexSarah, "Fel beslut verkställdes").await;
        let (manager, csrf) = signed_in(&store, MANAGER).await;
        assert_eq!(handle(&manager, &csrf, id, &closed_fields()).await.status, StatusCode::SEE_OTHER);
        let page = manager.get(&format!("/avvikelser/{id}")).await.body;
        assert!(page.contains("Varför öppnas ärendet igen?"));
        assert!(
            page.contains("Till Utreds: Avslutsdatumet och beslutsdatumet och beslutsfattaren tas bort."),
            "{page}"
        );
        assert!(page.contains("Anmälan till IVO står kvar"));

        let reopen = with(closed_fields(), &[("status", "investigating")]);
        let res = handle(&manager, &csrf, id, &reopen).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.body.contains("Skriv varför ärendet öppnas igen."), "{}", res.body);
        assert_eq!(stored(&store, id).await.status, DeviationStatus::Closed);

        let res = handle(&manager, &csrf, id, &with(reopen, &[("reopen_reason", "IVO begärde komplettering.")])).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let d = stored(&store, id).await;
        assert_eq!(d.status, DeviationStatus::Investigating);
        assert_eq!((d.closed_on, d.decided_on, d.decided_by.as_str()), (None, None, ""));
        assert_eq!((d.reported_to_ivo_on, d.ivo_reference.as_str()), (Some(day(8)), "3.5.1-1234/2026"));
        assert_eq!(d.investigation_started_on, Some(day(18)));
        let h = history(&store, id).await;
        let reopened = h.iter().find(|e| e.0 == DeviationEventKind::Reopened).expect("reopened");
        assert_eq!((reopened.1.as_str(), reopened.2.as_str()), ("closed", "investigating"));
        assert!(
            reopened.3.starts_with("IVO begärde komplettering.\n\nAvslutsdatumet och beslutsdatumet"),
            "{}",
            reopened.3
        );
        assert!(h.iter().any(|e| e.0 == DeviationEventKind::StatusChanged && e.2 == "investigating"));
        let page = manager.get(&format!("/avvikelser/{id}")).await.body;
        assert!(page.contains("Öppnades igen: Avslutad → Utreds"), "{page}");
        assert!(page.contains("IVO begärde komplettering."));
    })
    .await;
}

/// The mails queued and not yet sent: (kind, record).
async fn queued(store: &Store) -> Vec<(String, Option<i64>)> {
    mail::claim(store, mail::now_seconds() + 1, 60, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|m| (m.kind, m.record_id))
        .collect()
}

#[tokio::test]
async fn a_report_changed_to_lex_sarah_keeps_the_change_in_its_history_and_tells_the_managers() {
    on_each_backend(|store, _| async move {
        kvalitet_demo::load(&store).await.unwrap();
        let id = register(&store, "Beroendeenheten", DeviationKind::Complaint, "Personalen var otrevlig").await;
        let mut manager =
            TestApp { router: router(AppState::new(store.clone()).with_mail()), store: store.clone(), cookie: None };
        manager.login(MANAGER).await;
        let csrf = manager.csrf().await;
        let href = format!("/avvikelser/{id}");
        assert_eq!(
            handle(&manager, &csrf, id, &[("status", "investigating".into()), ("complainant", "relative".into())])
                .await
                .status,
            StatusCode::SEE_OTHER
        );
        let page = manager.get(&href).await.body;
        assert!(
            page.contains(
                "Lex Sarah: Vem som lämnade klagomålet tas bort, eftersom bara synpunkter och klagomål har det."
            ),
            "{page}"
        );
        let before = queued(&store).await.len();

        let v = version(&page);
        let res =
            manager.post(&format!("{href}/slag"), &[("csrf", &csrf), ("version", &v), ("kind", "lex_sarah")]).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.body.contains("Skriv varför slaget ändras."));
        assert_eq!(stored(&store, id).await.kind, DeviationKind::Complaint);

        let reason = "Det som hände är ett missförhållande.";
        let res = manager
            .post(
                &format!("{href}/slag"),
                &[("csrf", &csrf), ("version", &v), ("kind", "lex_sarah"), ("reason", reason)],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let d = stored(&store, id).await;
        assert_eq!((d.kind, d.status, d.complainant), (DeviationKind::LexSarah, DeviationStatus::Registered, None));
        let h = history(&store, id).await;
        let e = h.iter().find(|e| e.0 == DeviationEventKind::Reclassified).expect("reclassified");
        assert_eq!((e.1.as_str(), e.2.as_str()), ("complaint", "lex_sarah"));
        assert!(e.3.starts_with(reason));
        assert!(
            h.iter().any(|e| (e.0, e.1.as_str(), e.2.as_str(), e.4)
                == (DeviationEventKind::StatusChanged, "investigating", "registered", true)),
            "{h:?}"
        );
        let mails = queued(&store).await;
        assert_eq!(before, 0, "the handling mailed nobody: the report was not registered through the form");
        assert!(
            !mails.is_empty() && mails.iter().all(|m| *m == ("lex_sarah_registered".to_owned(), Some(id))),
            "{mails:?}"
        );
        let page = manager.get(&href).await.body;
        assert!(page.contains("Slaget ändrades: Synpunkter och klagomål → Lex Sarah"), "{page}");

        // A stale version is a conflict.
        let res = manager
            .post(&format!("{href}/slag"), &[("csrf", &csrf), ("version", &v), ("kind", "internal"), ("reason", "Fel")])
            .await;
        assert_eq!(res.status, StatusCode::CONFLICT);

        // A decided lex Sarah case keeps its kind.
        let decided = register(&store, "Beroendeenheten", DeviationKind::LexSarah, "Beslutat ärende").await;
        let assessed: Vec<(&str, String)> = with(closed_fields(), &[("status", "assessed"), ("closed_on", "")]);
        assert_eq!(handle(&manager, &csrf, decided, &assessed).await.status, StatusCode::SEE_OTHER);
        let v = version(&manager.get(&format!("/avvikelser/{decided}")).await.body);
        let res = manager
            .post(
                &format!("/avvikelser/{decided}/slag"),
                &[("csrf", &csrf), ("version", &v), ("kind", "internal"), ("reason", "Fel slag")],
            )
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            res.body
                .contains("Slaget kan inte ändras för en lex Sarah-rapport som har beslutats eller anmälts till IVO."),
            "{}",
            res.body
        );
        assert_eq!(stored(&store, decided).await.kind, DeviationKind::LexSarah);
    })
    .await;
}

#[tokio::test]
async fn the_ivo_report_is_on_the_managers_list_until_made_and_late_after_the_deadline() {
    on_each_backend(|store, _| async move {
        kvalitet_demo::load(&store).await.unwrap();
        let id = register(&store, "Beroendeenheten", DeviationKind::LexSarah, "Allvarligt").await;
        let mut d = stored(&store, id).await;
        d.item.status = DeviationStatus::Assessed;
        d.item.investigation_started_on = Some(day(18));
        d.item.investigator = "U".into();
        d.item.lex_sarah_category = Some(LexSarahCategory::RiskOfSerious);
        d.item.decided_on = Some(day(15));
        d.item.decided_by = "C".into();
        let mut tx = store.write(&Actor::system("test")).await.unwrap();
        repo::update(&mut tx, d.id, d.version, &d.item).await.unwrap();
        tx.commit().await.unwrap();

        let mut conn = store.read().await.unwrap();
        let tenant = org::first_tenant(&mut conn).await.unwrap().unwrap().id;
        let units = org::units(&mut conn, tenant).await.unwrap();
        let tree = mail::Parents::of(&units);
        let accounts_: Vec<Versioned<Account>> = repo::list(&mut conn, Where::all()).await.unwrap();
        let of = |email: &str| accounts_.iter().find(|a| a.email == email).unwrap().id;
        let manager = (of(MANAGER.0), accounts::assignments(&mut conn, of(MANAGER.0)).await.unwrap());
        let staff = (of(STAFF.0), accounts::assignments(&mut conn, of(STAFF.0)).await.unwrap());
        drop(conn);
        let reported = day(19);
        let at = |n: i64| reported.checked_add(jiff::Span::new().days(n)).unwrap();
        let ivo_item = |on: Date, (who, roles): (AccountId, Vec<RoleAssignment>)| {
            let store = store.clone();
            let tree = tree.clone();
            async move {
                let mut conn = store.read().await.unwrap();
                let a = agenda::load(&mut conn, tenant, on, None, None).await.unwrap();
                agenda::due_for(&a, who, &roles, &tree, on).into_iter().find(|i| i.href == format!("/avvikelser/{id}"))
            }
        };
        let due = ivo_item(at(14), manager.clone()).await.expect("on the manager's list");
        assert_eq!((due.kind, due.since, due.overdue), (agenda::due_kind::IVO_REPORT, Some(at(14)), false));
        let late = ivo_item(at(15), manager.clone()).await.unwrap();
        assert!(late.overdue);
        assert_eq!(
            agenda::counts(std::slice::from_ref(&late)),
            vec![(agenda::due_kind::IVO_REPORT, 1), (agenda::due_kind::IVO_REPORT_OVERDUE, 1)]
        );
        assert_eq!(ivo_item(at(15), staff).await, None, "the staff member does not report to IVO");

        // The municipality's own deadline.
        let mut tx = store.write(&Actor::system("test")).await.unwrap();
        deviations::save_settings(&mut tx, &DeviationSettings { tenant_id: tenant, ivo_deadline_days: 30 }, 0)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let due = ivo_item(at(15), manager.clone()).await.unwrap();
        assert_eq!((due.since, due.overdue), (Some(at(30)), false));
        assert!(ivo_item(at(31), manager.clone()).await.unwrap().overdue);

        // Once reported to IVO it is done, whatever the status; a voided report is never due.
        let mut d = stored(&store, id).await;
        d.item.reported_to_ivo_on = Some(day(1));
        let mut tx = store.write(&Actor::system("test")).await.unwrap();
        repo::update(&mut tx, d.id, d.version, &d.item).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(ivo_item(at(31), manager.clone()).await, None);
        let mut d = stored(&store, id).await;
        d.item.reported_to_ivo_on = None;
        d.item.voided_on = Some(day(1));
        d.item.void_reason = "Dubblett".into();
        let mut tx = store.write(&Actor::system("test")).await.unwrap();
        repo::update(&mut tx, d.id, d.version, &d.item).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(ivo_item(at(31), manager).await, None);
        let (app, _) = signed_in(&store, MANAGER).await;
        let page = app.get(&format!("/avvikelser/{id}")).await.body;
        assert!(page.contains(&format!("Makulerad {}:</strong> Dubblett", ago(1))), "{page}");
        assert!(!page.contains("id=\"handlaggning\""), "no handling form on a voided report");
    })
    .await;
}

#[tokio::test]
async fn only_those_who_handle_the_units_deviations_change_a_reports_kind() {
    on_each_backend(|store, _| async move {
        kvalitet_demo::load(&store).await.unwrap();
        let inside = register(&store, "Beroendeenheten", DeviationKind::Internal, "Inne").await;
        let outside = register(&store, "Barn- och ungdomssektionen", DeviationKind::Internal, "Ute").await;
        let attempt = |who: (&'static str, &'static str), id: i64| {
            let store = store.clone();
            async move {
                let (app, csrf) = signed_in(&store, who).await;
                let v = stored(&store, id).await.version.to_string();
                app.post(
                    &format!("/avvikelser/{id}/slag"),
                    &[("csrf", &csrf), ("version", &v), ("kind", "hsl"), ("reason", "Gäller hälso- och sjukvård.")],
                )
                .await
                .status
            }
        };
        assert_eq!(attempt(STAFF, inside).await, StatusCode::FORBIDDEN);
        assert_eq!(attempt(READER, inside).await, StatusCode::FORBIDDEN);
        assert_eq!(attempt(MANAGER, outside).await, StatusCode::FORBIDDEN);
        assert_eq!(stored(&store, inside).await.kind, DeviationKind::Internal);
        assert_eq!(attempt(MANAGER, inside).await, StatusCode::SEE_OTHER);
        assert_eq!(stored(&store, inside).await.kind, DeviationKind::Hsl);
        assert_eq!(stored(&store, outside).await.kind, DeviationKind::Internal);
    })
    .await;
}
