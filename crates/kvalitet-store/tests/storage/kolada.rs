//! Kolada's comparison data: the municipality's settings (versioned, validated) and the
//! values, where a new fetch replaces the same keys, an invalid value stores nothing, and
//! every change is audited.

use kvalitet_domain::Date;
use kvalitet_domain::kolada::{Gender, KoladaSettings, KoladaSource, KoladaValue};
use kvalitet_domain::org::TenantId;
use kvalitet_store::kolada::{self, Replaced};
use kvalitet_store::testing::{audit_entries, on_each_backend};
use kvalitet_store::{Actor, Store, StoreError};

use crate::fixture;

fn value(tenant: TenantId, area: &str, year: i64, gender: Gender, v: Option<f64>) -> KoladaValue {
    KoladaValue {
        tenant_id: tenant,
        kpi: "U21468".into(),
        area: area.into(),
        year,
        gender,
        value: v,
        status: String::new(),
        source: KoladaSource::Fetched,
        origin: "http://127.0.0.1/v2/data/kpi/U21468/municipality/0126,0000/year/2022".into(),
        fetched_on: Date::constant(2024, 3, 1),
    }
}

async fn replace(store: &Store, tenant: TenantId, values: &[KoladaValue]) -> Result<Replaced, StoreError> {
    let mut tx = store.write(&Actor::system("test")).await.unwrap();
    let r = kolada::replace(&mut tx, tenant, values).await;
    if r.is_ok() {
        tx.commit().await.unwrap();
    }
    r
}

#[tokio::test]
async fn settings_are_versioned_and_validated() {
    on_each_backend(|store, _| async move {
        let f = fixture(&store).await;
        let mut conn = store.read().await.unwrap();
        let none = kolada::settings(&mut conn, f.tenant).await.unwrap();
        drop(conn);
        assert_eq!((none.version, none.item.municipality.as_str()), (0, ""));
        let mut s = KoladaSettings {
            tenant_id: f.tenant,
            municipality: "0126".into(),
            group_id: "G124025".into(),
            group_name: "Liknande kommuner IFO".into(),
        };
        let mut tx = store.write(&Actor::system("test")).await.unwrap();
        assert_eq!(kolada::save_settings(&mut tx, &s, 0).await.unwrap(), 1);
        tx.commit().await.unwrap();
        s.municipality = "126".into();
        let mut tx = store.write(&Actor::system("test")).await.unwrap();
        match kolada::save_settings(&mut tx, &s, 1).await {
            Err(StoreError::Invalid(e)) => assert_eq!(e.errors[0].field, "municipality"),
            other => panic!("expected invalid, got {other:?}"),
        }
        drop(tx);
        s.municipality = "0127".into();
        let mut tx = store.write(&Actor::system("test")).await.unwrap();
        assert!(matches!(kolada::save_settings(&mut tx, &s, 7).await, Err(StoreError::Conflict { .. })));
        drop(tx);
        let mut conn = store.read().await.unwrap();
        let now = kolada::settings(&mut conn, f.tenant).await.unwrap();
        assert_eq!((now.version, now.item.municipality.as_str()), (1, "0126"));
    })
    .await;
}

#[tokio::test]
async fn a_new_fetch_replaces_the_same_keys_and_a_bad_value_stores_nothing() {
    on_each_backend(|store, _| async move {
        let f = fixture(&store).await;
        let t = f.tenant;
        let first = [
            value(t, "0126", 2022, Gender::Total, Some(77.0)),
            value(t, "0000", 2022, Gender::Total, Some(63.2)),
            value(t, "0000", 2022, Gender::Women, None),
        ];
        assert_eq!(replace(&store, t, &first).await.unwrap(), Replaced { added: 3, replaced: 0 });
        let mut second = value(t, "0000", 2022, Gender::Total, Some(64.0));
        second.source = KoladaSource::Imported;
        second.origin = "svar.json".into();
        let again = [second.clone(), value(t, "G124025", 2022, Gender::Total, Some(70.5))];
        assert_eq!(replace(&store, t, &again).await.unwrap(), Replaced { added: 1, replaced: 1 });

        let mut conn = store.read().await.unwrap();
        let stored = kolada::values(&mut conn, t).await.unwrap();
        drop(conn);
        assert_eq!(stored.len(), 4);
        assert!(stored.contains(&second), "{stored:?}");
        let unknown = stored.iter().find(|v| v.gender == Gender::Women).unwrap();
        assert_eq!(unknown.value, None, "an unknown value stays unknown, never 0");

        // One bad value refuses the whole replacement.
        let mut bad = value(t, "0126", 2023, Gender::Total, Some(1.0));
        bad.kpi = "X1".into();
        let err = replace(&store, t, &[value(t, "0126", 2023, Gender::Men, Some(2.0)), bad]).await.unwrap_err();
        assert!(matches!(err, StoreError::Invalid(ref e) if e.errors[0].field == "kpi"), "{err:?}");
        let mut conn = store.read().await.unwrap();
        assert_eq!(kolada::values(&mut conn, t).await.unwrap().len(), 4, "nothing of a refused call is stored");
        drop(conn);

        let audited: Vec<_> =
            audit_entries(&store).await.into_iter().filter(|e| e.table_name == "kolada_value").collect();
        assert_eq!(audited.len(), 5, "four inserts and one update");
    })
    .await;
}
