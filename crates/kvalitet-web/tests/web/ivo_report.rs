//! The prefilled report of a lex Sarah case to IVO as a download: who gets it (whoever
//! handles the unit's deviations), as what (DOCX and PDF, an attachment never cached),
//! that the read is logged, and that other kinds of cases, other units' and other
//! municipalities' cases are refused.

use axum::http::{StatusCode, header};

use kvalitet_domain::access::{Account, Role};
use kvalitet_domain::deviation::{Deviation, DeviationKind};
use kvalitet_domain::org::{OrgUnit, OrgUnitKind};
use kvalitet_domain::{Date, Versioned};
use kvalitet_store::testing::on_each_backend;
use kvalitet_store::{Actor, Store, Where, accounts, plans, repo, tenants};

use crate::{MANAGER, QUALITY, READER, STAFF, TestApp};

const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

async fn units(store: &Store) -> Vec<Versioned<OrgUnit>> {
    let mut conn = store.read().await.unwrap();
    repo::list(&mut conn, Where::all()).await.unwrap()
}

/// The demo's lex Sarah case (Beroendeenheten).
async fn lex_sarah_case(store: &Store) -> Versioned<Deviation> {
    let mut conn = store.read().await.unwrap();
    let all: Vec<Versioned<Deviation>> = repo::list(&mut conn, Where::all()).await.unwrap();
    all.into_iter().find(|d| d.kind == DeviationKind::LexSarah).expect("the demo's lex Sarah case")
}

/// Signs in a new account with `role` over the unit named `unit`.
async fn signed_in_as(store: &Store, email: &str, role: Role, unit: &str) -> TestApp {
    let units = units(store).await;
    let scope = units.iter().find(|u| u.name == unit).unwrap();
    let mut tx = store.write(&Actor::system("test")).await.unwrap();
    let hash = accounts::hash_password("ett-långt-lösenord-för-test");
    accounts::create_account(&mut tx, &Account::new(scope.tenant_id, email, email), hash, &[(role, scope.id)])
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut app = TestApp::on(store.clone());
    app.login((email, "ett-långt-lösenord-för-test")).await;
    app
}

fn header_of(res: &crate::Response, name: header::HeaderName) -> &str {
    res.headers.get(name).map_or("", |v| v.to_str().unwrap())
}

#[tokio::test]
async fn the_units_manager_downloads_the_ivo_report_as_docx_and_pdf_and_the_read_is_logged() {
    on_each_backend(|store, _| async move {
        let mut manager = TestApp::with_demo(store.clone()).await;
        manager.login(MANAGER).await;
        let case = lex_sarah_case(&store).await;
        let reference = case.reference(case.id);
        let base = format!("/avvikelser/{}/ivo-anmalan", case.id);

        for (ext, media_type, magic) in [("docx", DOCX, "PK"), ("pdf", "application/pdf", "%PDF-")] {
            let res = manager.get(&format!("{base}.{ext}")).await;
            assert_eq!(res.status, StatusCode::OK, "{ext}: {}", res.body);
            assert_eq!(header_of(&res, header::CONTENT_TYPE), media_type);
            assert_eq!(
                header_of(&res, header::CONTENT_DISPOSITION),
                format!("attachment; filename=\"ivo-anmalan-{reference}.{ext}\"")
            );
            assert_eq!(header_of(&res, header::CACHE_CONTROL), "no-store");
            assert!(res.body.starts_with(magic), "{ext}: not a {ext} file");
        }

        // The download is logged as a read of the case, saying what was read.
        let mut conn = store.read().await.unwrap();
        let row = sqlx::query(
            "SELECT after_data FROM audit_entry WHERE action = 'read' AND table_name = 'deviation' \
             AND record_id = $1 AND actor = $2",
        )
        .bind(case.id.get())
        .bind(MANAGER.0)
        .fetch_one(&mut *conn)
        .await
        .expect("the read is logged");
        let detail: String = sqlx::Row::try_get(&row, "after_data").unwrap();
        assert!(detail.contains("\"document\":\"ivo_report\""), "{detail}");
        drop(conn);

        // The quality developer of the section handles its deviations too.
        let mut quality = TestApp::on(store.clone());
        quality.login(QUALITY).await;
        assert_eq!(quality.get(&format!("{base}.pdf")).await.status, StatusCode::OK);
    })
    .await;
}

#[tokio::test]
async fn only_those_who_handle_the_units_deviations_get_the_ivo_report() {
    on_each_backend(|store, _| async move {
        let app = TestApp::with_demo(store.clone()).await;
        let case = lex_sarah_case(&store).await;
        let base = format!("/avvikelser/{}/ivo-anmalan", case.id);

        let mut staff = TestApp::on(store.clone());
        staff.login(STAFF).await;
        let mut reader = TestApp::on(store.clone());
        reader.login(READER).await;
        let other_manager = signed_in_as(&store, "chef-barn@exempel.se", Role::Manager, "Barnenheten").await;
        for ext in ["docx", "pdf"] {
            let path = format!("{base}.{ext}");
            assert_eq!(staff.get(&path).await.status, StatusCode::FORBIDDEN, "staff of the unit: {ext}");
            assert_eq!(reader.get(&path).await.status, StatusCode::FORBIDDEN, "a reader: {ext}");
            assert_eq!(other_manager.get(&path).await.status, StatusCode::FORBIDDEN, "another unit's manager");
        }
        // Signed out: to the sign-in page.
        let res = app.get(&format!("{base}.pdf")).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER);
        assert!(res.location().starts_with("/logga-in?nasta="));

        // No such case, or not a case id.
        let mut manager = TestApp::on(store.clone());
        manager.login(MANAGER).await;
        for path in ["/avvikelser/999999/ivo-anmalan.pdf", "/avvikelser/x/ivo-anmalan.docx"] {
            assert_eq!(manager.get(path).await.status, StatusCode::NOT_FOUND, "{path}");
        }

        // Another municipality's lex Sarah case is not found, and ours is not found by its
        // administrator.
        let mut tx = store.write(&Actor::system("test")).await.unwrap();
        let top = tenants::NewUnit {
            key: "1".into(),
            parent_key: None,
            kind: OrgUnitKind::Administration,
            name: "Socialförvaltningen".into(),
            capacity: None,
        };
        let (tenant, ids) = tenants::create(&mut tx, "Älvby kommun", &[top]).await.unwrap();
        let theirs = plans::create(
            &mut tx,
            &Deviation::registered(
                tenant,
                ids["1"],
                DeviationKind::LexSarah,
                Date::constant(2024, 2, 1),
                Date::constant(2024, 2, 2),
                "Älvbys ärende".into(),
                String::new(),
                "Rapportör".into(),
            ),
        )
        .await
        .unwrap();
        let hash = accounts::hash_password("Älvbys-eget-långa-lösenord");
        let account = Account::new(tenant, "it@alvby.se", "IT");
        accounts::create_account(&mut tx, &account, hash, &[(Role::Administrator, ids["1"])]).await.unwrap();
        tx.commit().await.unwrap();
        let theirs_path = format!("/avvikelser/{theirs}/ivo-anmalan.pdf");
        assert_eq!(manager.get(&theirs_path).await.status, StatusCode::NOT_FOUND);
        let mut alvby = TestApp::on(store.clone());
        alvby.login(("it@alvby.se", "Älvbys-eget-långa-lösenord")).await;
        assert_eq!(alvby.get(&format!("{base}.docx")).await.status, StatusCode::NOT_FOUND);
        assert_eq!(alvby.get(&theirs_path).await.status, StatusCode::OK, "their own case");
    })
    .await;
}

#[tokio::test]
async fn a_case_that_is_not_lex_sarah_or_is_voided_has_no_ivo_report() {
    on_each_backend(|store, _| async move {
        let mut manager = TestApp::with_demo(store.clone()).await;
        manager.login(MANAGER).await;
        let case = lex_sarah_case(&store).await;
        let mut tx = store.write(&Actor::system("test")).await.unwrap();
        let internal = plans::create(
            &mut tx,
            &Deviation {
                kind: DeviationKind::Internal,
                lex_sarah_category: None,
                title: "Dörren var olåst".into(),
                ..case.item.clone()
            },
        )
        .await
        .unwrap();
        let voided = plans::create(
            &mut tx,
            &Deviation {
                title: "Registrerad två gånger".into(),
                voided_on: Some(Date::constant(2023, 1, 2)),
                void_reason: "Samma händelse som ett annat ärende.".into(),
                ..case.item.clone()
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();

        let res = manager.get(&format!("/avvikelser/{internal}/ivo-anmalan.pdf")).await;
        assert_eq!(res.status, StatusCode::CONFLICT);
        assert!(header_of(&res, header::CONTENT_TYPE).starts_with("text/html"));
        assert!(res.body.contains("<h1>Ingen anmälan till IVO för ärendet</h1>"), "{}", res.body);
        assert!(res.body.contains("Ärendet är registrerat som Intern avvikelse."));
        assert!(res.body.contains(&format!("<a href=\"/avvikelser/{internal}\">Tillbaka till ärendet</a>")));

        let res = manager.get(&format!("/avvikelser/{voided}/ivo-anmalan.docx")).await;
        assert_eq!(res.status, StatusCode::CONFLICT);
        assert!(res.body.contains("Ärendet är makulerat."), "{}", res.body);

        // Whether a case is lex Sarah is not told to those who may not handle it.
        let mut staff = TestApp::on(store.clone());
        staff.login(STAFF).await;
        assert_eq!(staff.get(&format!("/avvikelser/{internal}/ivo-anmalan.pdf")).await.status, StatusCode::FORBIDDEN);
    })
    .await;
}
