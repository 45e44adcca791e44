//! The org tree behind the access rule is kept in memory per app instance and read again
//! when the municipality's org_version (counted up by the database on every change of
//! its units) has moved: a unit moved through one instance changes what another instance
//! allows at its next request; on both backends.

use axum::http::StatusCode;

use kvalitet_domain::Versioned;
use kvalitet_domain::org::OrgUnit;
use kvalitet_store::testing::on_each_backend;
use kvalitet_store::{Actor, Where, repo};

use crate::{MANAGER, TestApp};

async fn unit(store: &kvalitet_store::Store, name: &str) -> Versioned<OrgUnit> {
    let mut conn = store.read().await.unwrap();
    let all: Vec<Versioned<OrgUnit>> = repo::list(&mut conn, Where::all()).await.unwrap();
    all.into_iter().find(|u| u.name == name).expect(name)
}

async fn org_version(store: &kvalitet_store::Store) -> i64 {
    let mut conn = store.read().await.unwrap();
    let row = sqlx::query("SELECT MAX(org_version) AS v FROM tenant").fetch_one(&mut *conn).await.unwrap();
    sqlx::Row::try_get(&row, "v").unwrap()
}

async fn move_unit(store: &kvalitet_store::Store, unit: &Versioned<OrgUnit>, parent: &Versioned<OrgUnit>) {
    let mut tx = store.write(&Actor::system("test")).await.unwrap();
    let current = repo::get::<OrgUnit>(&mut tx, unit.id).await.unwrap();
    let moved = OrgUnit { parent_id: Some(parent.id), ..current.item.clone() };
    repo::update(&mut tx, unit.id, current.version, &moved).await.unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn a_unit_moved_through_one_instance_changes_access_at_once_on_another() {
    on_each_backend(|store, _| async move {
        let other = TestApp::with_demo(store.clone()).await;
        let mut manager = TestApp::on(store.clone());
        manager.login(MANAGER).await;
        // The manager's instance has read the tree; the children's plan is outside their unit.
        let children_plan = other.plan_id("Kvalitetsplan 2022 Barn och unga 0-20 år").await;
        let path = format!("/planer/{children_plan}");
        assert_eq!(manager.get(&path).await.status, StatusCode::FORBIDDEN);

        let section = unit(&store, "Barn- och ungdomssektionen").await;
        let home = repo::get::<OrgUnit>(&mut store.read().await.unwrap(), section.parent_id.unwrap()).await.unwrap();
        let managers_unit = unit(&store, "Beroendeenheten").await;
        let before = org_version(&store).await;
        move_unit(&store, &section, &managers_unit).await;
        assert!(org_version(&store).await > before, "the database counted the change");
        assert_eq!(
            manager.get(&path).await.status,
            StatusCode::OK,
            "the moved section is now within the manager's unit"
        );

        move_unit(&store, &section, &home).await;
        assert_eq!(manager.get(&path).await.status, StatusCode::FORBIDDEN, "and out again");
    })
    .await;
}
