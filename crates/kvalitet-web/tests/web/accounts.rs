//! The administration of accounts at /admin/konton: creating with a one-time password
//! that must be replaced before anything else, several roles per person, the limits of a
//! section administrator, and deactivation ending sessions at once.

use axum::http::StatusCode;

use kvalitet_store::testing::on_each_backend;
use kvalitet_store::{Store, Where, repo};

use crate::security::account_id;
use crate::{ADMIN, STAFF, TestApp};

pub(crate) async fn unit_id(store: &Store, name: &str) -> i64 {
    let mut conn = store.read().await.unwrap();
    let units: Vec<kvalitet_domain::Versioned<kvalitet_domain::org::OrgUnit>> =
        repo::list(&mut conn, Where::all()).await.unwrap();
    units.iter().find(|u| u.name == name).expect(name).id.get()
}

/// The one-time password an account page shows.
fn one_time_password(body: &str) -> String {
    let at = body.find("class=\"secret\">").expect("one-time password shown") + 15;
    body[at..].split('<').next().unwrap().to_owned()
}

#[tokio::test]
async fn an_administrator_creates_an_account_whose_one_time_password_must_be_replaced_first() {
    on_each_backend(|store, _| async move {
        let mut admin = TestApp::with_demo(store.clone()).await;
        admin.login(ADMIN).await;
        let csrf = admin.csrf().await;
        let barn = unit_id(&store, "Barnenheten").await.to_string();
        let form = [
            ("csrf", csrf.as_str()),
            ("email", "Ny.Person@Exempel.se"),
            ("name", "Ny Person"),
            ("role", "manager"),
            ("scope", barn.as_str()),
        ];
        let res = admin.post("/admin/konton/ny", &form).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
        assert!(res.body.contains("Kontot är skapat"));
        let otp = one_time_password(&res.body);
        assert_eq!(otp.len(), 20);
        // The same address again is refused beside the field.
        let again = admin.post("/admin/konton/ny", &form).await;
        assert!(again.body.contains("finns redan ett konto"), "{}", again.body);

        // The new person signs in with it and can do nothing else before choosing a password.
        let mut person = TestApp::on(store.clone());
        person.login(("ny.person@exempel.se", &otp)).await;
        assert_eq!(person.get("/").await.location(), "/konto/losenord");
        let page = person.get("/konto/losenord").await;
        assert!(page.body.contains("engångslösenord"));
        let csrf = person.csrf().await;
        let res = person.post("/avvikelser/ny", &[("csrf", &csrf), ("title", "x")]).await;
        assert_eq!(res.location(), "/konto/losenord", "every method, not only pages");
        // A guessable password is refused; a good one is taken.
        let res =
            person.post("/konto/losenord", &[("csrf", &csrf), ("current", &otp), ("password", "ny.person2024")]).await;
        assert!(res.body.contains("för lätt att gissa"), "{}", res.body);
        let res = person
            .post(
                "/konto/losenord",
                &[("csrf", &csrf), ("current", &otp), ("password", "grön-kaffekopp-på-cykelstället")],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{} {}", res.location(), res.body);
        assert_eq!(person.get("/").await.status, StatusCode::OK);

        // In the list, with its role, found by search and by role.
        let list = admin.get("/admin/konton?q=ny.person&roll=manager").await;
        assert!(list.body.contains("Ny Person") && list.body.contains("Barnenheten"), "{}", list.body);
        assert!(list.body.contains("1 konto"), "{}", list.body);
        let none = admin.get("/admin/konton?q=ny.person&roll=reader").await;
        assert!(!none.body.contains("Ny Person"));
    })
    .await;
}

#[tokio::test]
async fn a_person_has_several_roles_and_a_section_administrator_grants_only_within_the_section() {
    on_each_backend(|store, _| async move {
        let mut admin = TestApp::with_demo(store.clone()).await;
        admin.login(ADMIN).await;
        let csrf = admin.csrf().await;
        let staff = account_id(&store, STAFF.0).await;
        let barn_section = unit_id(&store, "Barn- och ungdomssektionen").await.to_string();
        let vuxen = unit_id(&store, "Vuxensektionen").await.to_string();
        // A second role for the staff member, and a section administrator for Barn.
        let res = admin
            .post(
                &format!("/admin/konton/{staff}/roller"),
                &[("csrf", &csrf), ("role", "reader"), ("scope", &barn_section)],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let res = admin
            .post(
                "/admin/konton/ny",
                &[
                    ("csrf", &csrf),
                    ("email", "sektionsadmin@exempel.se"),
                    ("name", "Sektionsadmin"),
                    ("role", "administrator"),
                    ("scope", &barn_section),
                ],
            )
            .await;
        let otp = one_time_password(&res.body);
        let page = admin.get(&format!("/admin/konton/{staff}")).await;
        assert!(page.body.contains("Medarbetare") && page.body.contains("Läsare"), "{}", page.body);

        let mut section = TestApp::on(store.clone());
        section.login(("sektionsadmin@exempel.se", &otp)).await;
        let csrf2 = section.csrf().await;
        section
            .post("/konto/losenord", &[("csrf", &csrf2), ("current", &otp), ("password", "Sektionens-eget-lösenord-7")])
            .await;
        // The section administrator sees the staff member (a role in Barn) but may not
        // grant in Vuxen, nor deactivate someone with a role outside Barn.
        let page = section.get(&format!("/admin/konton/{staff}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("roller utanför din del"), "{}", page.body);
        let res = section
            .post(&format!("/admin/konton/{staff}/roller"), &[("csrf", &csrf2), ("role", "reader"), ("scope", &vuxen)])
            .await;
        assert!(res.body.contains("inom din egen del"), "{}", res.body);
        let res = section.post(&format!("/admin/konton/{staff}/inaktivera"), &[("csrf", &csrf2)]).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN);
        // The whole organisation's administrator is not in the section's list at all.
        let admin_id = account_id(&store, ADMIN.0).await;
        assert_eq!(section.get(&format!("/admin/konton/{admin_id}")).await.status, StatusCode::FORBIDDEN);
        let list = section.get("/admin/konton").await;
        let cell = |email: &str| format!("<td data-label=\"E-post\">{email}</td>");
        assert!(!list.body.contains(&cell(ADMIN.0)) && list.body.contains(&cell(STAFF.0)), "{}", list.body);
        let roles: Vec<kvalitet_domain::Versioned<kvalitet_domain::access::RoleAssignment>> = {
            let mut conn = store.read().await.unwrap();
            repo::list(&mut conn, Where::all()).await.unwrap()
        };
        assert_eq!(roles.iter().filter(|r| r.account_id.get() == staff).count(), 2, "nothing granted in Vuxen");
    })
    .await;
}

#[tokio::test]
async fn deactivating_an_account_ends_its_sessions_at_once_and_it_cannot_sign_in() {
    on_each_backend(|store, _| async move {
        let mut admin = TestApp::with_demo(store.clone()).await;
        admin.login(ADMIN).await;
        let mut staff = TestApp::on(store.clone());
        staff.login(STAFF).await;
        assert_eq!(staff.get("/").await.status, StatusCode::OK);
        let id = account_id(&store, STAFF.0).await;
        let csrf = admin.csrf().await;
        let res = admin.post(&format!("/admin/konton/{id}/inaktivera"), &[("csrf", &csrf)]).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER);
        assert_eq!(staff.get("/").await.status, StatusCode::SEE_OTHER, "the session ended");
        let res = staff.post("/logga-in", &[("email", STAFF.0), ("password", STAFF.1)]).await;
        assert_eq!(res.status, StatusCode::OK, "refused");
        assert!(res.body.contains("stämmer inte"));
        // Nobody deactivates themselves.
        let me = account_id(&store, ADMIN.0).await;
        let res = admin.post(&format!("/admin/konton/{me}/inaktivera"), &[("csrf", &csrf)]).await;
        assert!(res.body.contains("ditt eget konto"), "{}", res.body);
        // Activated again, it signs in.
        admin.post(&format!("/admin/konton/{id}/aktivera"), &[("csrf", &csrf)]).await;
        staff.login(STAFF).await;
    })
    .await;
}

#[tokio::test]
async fn after_sign_in_only_same_site_paths_are_followed() {
    on_each_backend(|store, _| async move {
        let app = TestApp::with_demo(store).await;
        for (next, expected) in [
            ("/planer/1", "/planer/1"),
            ("//evil.example/", "/"),
            ("/\\evil.example", "/"),
            ("https://evil.example/", "/"),
            ("/ok\r\nSet-Cookie: x=1", "/"),
        ] {
            let res = app.post("/logga-in", &[("email", STAFF.0), ("password", STAFF.1), ("nasta", next)]).await;
            assert_eq!(res.status, StatusCode::SEE_OTHER);
            assert_eq!(res.location(), expected, "{next:?}");
        }
    })
    .await;
}
