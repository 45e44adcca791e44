//! The organisation through HTTP: an administrator builds the org tree and edits process
//! areas, target groups and the quality factors' texts; a stale edit is a conflict; what
//! anything still refers to is not removed, and the page says what refers to it.

use axum::http::StatusCode;

use kvalitet_domain::Versioned;
use kvalitet_domain::org::{OrgUnit, ProcessArea, QualityFactor, TargetGroup};
use kvalitet_store::testing::on_each_backend;
use kvalitet_store::{Record, Store, Where, repo};

use crate::{ADMIN, QUALITY, TestApp};

fn version(body: &str) -> String {
    body.split("name=\"version\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned()
}

async fn all<T: Record>(store: &Store) -> Vec<Versioned<T>> {
    let mut conn = store.read().await.unwrap();
    repo::list(&mut conn, Where::all()).await.unwrap()
}

async fn unit(store: &Store, name: &str) -> Option<Versioned<OrgUnit>> {
    all::<OrgUnit>(store).await.into_iter().find(|u| u.name == name)
}

fn pairs<'a>(form: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    form.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// How many removals of `table`'s record `id` the audit log holds.
async fn removals(store: &Store, table: &str, id: i64) -> i64 {
    let mut conn = store.read().await.unwrap();
    let sql = format!(
        "SELECT COUNT(*) AS n FROM audit_entry WHERE action = 'delete' AND table_name = '{table}' AND record_id = {id}"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_one(&mut *conn).await.unwrap();
    sqlx::Row::try_get::<i64, _>(&row, "n").unwrap()
}

#[tokio::test]
async fn an_administrator_changes_the_org_tree() {
    on_each_backend(|store, _| async move {
        let mut admin = TestApp::with_demo(store.clone()).await;
        admin.login(ADMIN).await;
        let csrf = admin.csrf().await;
        let tree = admin.get("/organisation").await;
        assert_eq!(tree.status, StatusCode::OK);
        assert!(tree.body.contains("<a href=\"/organisation\">Organisation</a>"), "in the menu");
        assert!(tree.body.contains("Beroendeenheten"));
        let section = unit(&store, "Vuxensektionen").await.unwrap().id.to_string();
        let before = all::<OrgUnit>(&store).await.len();

        // A link chooses where a new unit goes; the level must fit it.
        let form = admin.get(&format!("/organisation/enheter/ny?parent_id={section}&kind=unit")).await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(form.body.contains(&format!("<option value=\"{section}\" selected>Vuxensektionen (sektion)</option>")));
        let unit_form = |version: &str, kind: &str, capacity: &str| {
            [
                ("csrf", csrf.clone()),
                ("version", version.to_owned()),
                ("name", "Stödboendet Ekbacken".to_owned()),
                ("kind", kind.to_owned()),
                ("parent_id", section.clone()),
                ("capacity", capacity.to_owned()),
            ]
        };
        let res = admin.post("/organisation/enheter/ny", &pairs(&unit_form("0", "section", "12"))).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.body.contains("Nivå ska vara enhet när den ligger under en sektion."), "{}", res.body);
        assert!(res.body.contains("Antal platser anges bara för enheter"));
        assert_eq!(all::<OrgUnit>(&store).await.len(), before, "nothing stored");

        let res = admin.post("/organisation/enheter/ny", &pairs(&unit_form("0", "unit", "12"))).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        assert_eq!(res.location(), "/organisation?sparat=enhet");
        let tree = admin.get("/organisation").await.body;
        assert!(tree.contains("Stödboendet Ekbacken") && tree.contains("12 platser"));
        let created = unit(&store, "Stödboendet Ekbacken").await.unwrap();
        assert_eq!(created.parent_id.map(|p| p.to_string()), Some(section.clone()));
        let id = created.id.get();

        // Edit its capacity; a second edit from the same version is a conflict.
        let edit = admin.get(&format!("/organisation/enheter/{id}/andra")).await;
        assert_eq!(edit.status, StatusCode::OK);
        let v = version(&edit.body);
        let res = admin.post(&format!("/organisation/enheter/{id}/andra"), &pairs(&unit_form(&v, "unit", "14"))).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let page = admin.get(&format!("/organisation/enheter/{id}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("<dt>Antal platser</dt><dd>14</dd>"));
        assert!(page.body.contains("Inget hänvisar till Stödboendet Ekbacken"));
        let res = admin.post(&format!("/organisation/enheter/{id}/andra"), &pairs(&unit_form(&v, "unit", "16"))).await;
        assert_eq!(res.status, StatusCode::CONFLICT);
        assert!(res.body.contains("Någon annan har ändrat detta medan du skrev"));
        assert!(res.body.contains("Sparat nu: 14"));
        assert_eq!(unit(&store, "Stödboendet Ekbacken").await.unwrap().capacity, Some(14), "never overwritten");

        // A unit that plans, deviations and accounts refer to stays, with the reasons.
        let used = unit(&store, "Beroendeenheten").await.unwrap();
        let v = used.version.to_string();
        let res = admin
            .post(&format!("/organisation/enheter/{}/ta-bort", used.id), &[("csrf", &csrf), ("version", &v)])
            .await;
        assert_eq!(res.status, StatusCode::CONFLICT);
        assert!(res.body.contains("Det här kan inte tas bort ännu"), "{}", res.body);
        assert!(res.body.contains("Kontons behörigheter") && res.body.contains("Avvikelser"));
        let sec = unit(&store, "Vuxensektionen").await.unwrap();
        let res = admin
            .post(
                &format!("/organisation/enheter/{}/ta-bort", sec.id),
                &[("csrf", &csrf), ("version", &sec.version.to_string())],
            )
            .await;
        assert_eq!(res.status, StatusCode::CONFLICT);
        assert!(res.body.contains("Delar av organisationen som ligger under"));
        assert_eq!(all::<OrgUnit>(&store).await.len(), before + 1, "nothing removed");
        assert_eq!(unit(&store, "Beroendeenheten").await.unwrap().version, used.version);
        assert_eq!(removals(&store, "org_unit", used.id.get()).await, 0);

        // A unit nothing refers to is removed, and the removal is in the audit log.
        let current = unit(&store, "Stödboendet Ekbacken").await.unwrap().version.to_string();
        let res =
            admin.post(&format!("/organisation/enheter/{id}/ta-bort"), &[("csrf", &csrf), ("version", &current)]).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        assert!(unit(&store, "Stödboendet Ekbacken").await.is_none());
        assert_eq!(admin.get(&format!("/organisation/enheter/{id}")).await.status, StatusCode::NOT_FOUND);
        assert_eq!(removals(&store, "org_unit", id).await, 1);
    })
    .await;
}

#[tokio::test]
async fn an_administrator_edits_process_areas_target_groups_and_factors() {
    on_each_backend(|store, _| async move {
        let mut admin = TestApp::with_demo(store.clone()).await;
        admin.login(ADMIN).await;
        let csrf = admin.csrf().await;
        let area = |name: &'static str| {
            let store = store.clone();
            async move { all::<ProcessArea>(&store).await.into_iter().find(|a| a.name == name) }
        };

        // Create, with an error beside the field first.
        let res = admin
            .post("/organisation/processomraden/ny", &[("csrf", &csrf), ("name", ""), ("sort_order", "tio")])
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.body.contains("Process eller område får inte vara tomt."));
        assert!(res.body.contains("Ange ett heltal"));
        let res = admin
            .post("/organisation/processomraden/ny", &[("csrf", &csrf), ("name", "Familjerätt"), ("sort_order", "0")])
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        assert_eq!(res.location(), "/organisation/processomraden?sparat=processomrade");
        let list = admin.get("/organisation/processomraden").await.body;
        let (first, rest) = list.split_once("Familjerätt").unwrap();
        assert!(!first.contains("Kompetensförsörjning") && rest.contains("Kompetensförsörjning"), "sorted first");
        let created = area("Familjerätt").await.unwrap();
        let id = created.id.get();

        // Edit; a stale edit is a conflict.
        let v = version(&admin.get(&format!("/organisation/processomraden/{id}/andra")).await.body);
        let path = format!("/organisation/processomraden/{id}/andra");
        let res = admin
            .post(&path, &[("csrf", &csrf), ("version", &v), ("name", "Familjerätt"), ("sort_order", "500")])
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER);
        let res = admin
            .post(&path, &[("csrf", &csrf), ("version", &v), ("name", "Familjerätten"), ("sort_order", "5")])
            .await;
        assert_eq!(res.status, StatusCode::CONFLICT);
        assert!(res.body.contains("Sparat nu: 500"), "{}", res.body);
        let saved = area("Familjerätt").await.unwrap();
        assert_eq!(saved.sort_order, 500);

        // An area that risks use stays; an unused one is removed.
        let used = area("Myndighetsutövning för personer med beroendeproblematik").await.unwrap();
        let res = admin
            .post(
                &format!("/organisation/processomraden/{}/ta-bort", used.id),
                &[("csrf", &csrf), ("version", &used.version.to_string())],
            )
            .await;
        assert_eq!(res.status, StatusCode::CONFLICT);
        assert!(res.body.contains("Det här kan inte tas bort ännu") && res.body.contains("Risker: "));
        assert!(area("Myndighetsutövning för personer med beroendeproblematik").await.is_some());
        let res = admin
            .post(
                &format!("/organisation/processomraden/{id}/ta-bort"),
                &[("csrf", &csrf), ("version", &saved.version.to_string())],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        assert!(area("Familjerätt").await.is_none());
        assert_eq!(removals(&store, "process_area", id).await, 1);

        // Target groups: one a risk concerns stays; a new one comes and goes.
        let group = all::<TargetGroup>(&store).await.remove(0);
        let risk = all::<kvalitet_domain::risk::Risk>(&store).await.remove(0);
        let mut tx = store.write(&kvalitet_store::Actor::system("test")).await.unwrap();
        let kind = kvalitet_store::LinkKind::RiskTargetGroup;
        kvalitet_store::links::link(&mut tx, kind, risk.id.get(), group.id.get()).await.unwrap();
        tx.commit().await.unwrap();
        let res = admin
            .post(
                &format!("/organisation/malgrupper/{}/ta-bort", group.id),
                &[("csrf", &csrf), ("version", &group.version.to_string())],
            )
            .await;
        assert_eq!(res.status, StatusCode::CONFLICT);
        assert!(res.body.contains("Risker som gäller målgruppen: 1"), "{}", res.body);
        let res = admin.post("/organisation/malgrupper/ny", &[("csrf", &csrf), ("name", "Föräldrar")]).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER);
        assert!(admin.get("/organisation/malgrupper").await.body.contains("Föräldrar"));
        let new = all::<TargetGroup>(&store).await.into_iter().find(|g| g.name == "Föräldrar").unwrap();
        let res = admin
            .post(
                &format!("/organisation/malgrupper/{}/ta-bort", new.id),
                &[("csrf", &csrf), ("version", &new.version.to_string())],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER);
        assert_eq!(all::<TargetGroup>(&store).await.len(), 6, "the seeds' six remain");

        // The quality factors' texts are edited; the six are neither added nor removed.
        let factor = all::<QualityFactor>(&store).await.into_iter().find(|q| q.number == 6).unwrap();
        let path = format!("/organisation/kvalitetsfaktorer/{}/andra", factor.id);
        let v = version(&admin.get(&path).await.body);
        let res = admin
            .post(
                &path,
                &[
                    ("csrf", &csrf),
                    ("version", &v),
                    ("name", "Resurser används där de gör mest nytta"),
                    ("alias", "Effektivt resursutnyttjande"),
                    ("description", "Resurserna används där de kommer målgruppen till störst nytta."),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let list = admin.get("/organisation/kvalitetsfaktorer").await.body;
        assert!(list.contains("Resurser används där de gör mest nytta"));
        assert!(!list.contains("ta-bort") && !list.contains("/organisation/kvalitetsfaktorer/ny"));
        assert!(!admin.get(&path).await.body.contains("ta-bort"), "no removal on the form");
        assert_eq!(admin.get("/organisation/kvalitetsfaktorer/ny").await.status, StatusCode::NOT_FOUND);
        assert_eq!(all::<QualityFactor>(&store).await.len(), 6);
    })
    .await;
}

#[tokio::test]
async fn only_the_organisations_administrator_sees_it() {
    on_each_backend(|store, _| async move {
        let mut qd = TestApp::with_demo(store.clone()).await;
        qd.login(QUALITY).await;
        let csrf = qd.csrf().await;
        let start = qd.get("/").await.body;
        assert!(!start.contains("href=\"/organisation\""), "not in the menu");
        assert_eq!(qd.get("/organisation").await.status, StatusCode::FORBIDDEN);
        let res = qd.post("/organisation/malgrupper/ny", &[("csrf", &csrf), ("name", "Föräldrar")]).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN);
        assert!(!all::<TargetGroup>(&store).await.iter().any(|g| g.name == "Föräldrar"));
    })
    .await;
}
