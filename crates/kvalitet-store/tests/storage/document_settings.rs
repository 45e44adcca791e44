//! The board documents' furniture in the settings: the board's name and the logo from
//! the nearest unit at or above a document's scope, the details of exactly that
//! document, versioned writes that store all or nothing, and the audit log.

use kvalitet_domain::org::{OrgUnit, OrgUnitId, OrgUnitKind, TenantId};
use kvalitet_domain::{Date, Id, Versioned};
use kvalitet_store::document_settings::{self as ds, DocumentDetails, Logo, LogoFormat, MAX_LOGO_BYTES, UnitSettings};
use kvalitet_store::testing::{audit_entries, on_each_backend};
use kvalitet_store::{Actor, Store, StoreError, Where, repo, tenants};

use crate::fixture;

fn fields(e: StoreError) -> Vec<&'static str> {
    match e {
        StoreError::Invalid(v) => v.errors.iter().map(|e| e.field).collect(),
        other => panic!("expected invalid, got {other:?}"),
    }
}

async fn unit(store: &Store, tenant: TenantId, parent: OrgUnitId, kind: OrgUnitKind, name: &str) -> OrgUnitId {
    let mut tx = store.write(&Actor::system("test")).await.unwrap();
    let u = OrgUnit { tenant_id: tenant, parent_id: Some(parent), kind, name: name.into(), capacity: None };
    let id = repo::insert(&mut tx, &u).await.unwrap();
    tx.commit().await.unwrap();
    id
}

fn logo(bytes: &[u8], alt: &str) -> Logo {
    Logo { format: LogoFormat::Png, bytes: bytes.to_vec(), alt: alt.into() }
}

async fn save(store: &Store, s: &UnitSettings, version: i64) -> Result<i64, StoreError> {
    let mut tx = store.write(&Actor::system("test")).await.unwrap();
    let r = ds::save_unit_settings(&mut tx, s, version).await;
    if r.is_ok() {
        tx.commit().await.unwrap();
    }
    r
}

async fn save_details(store: &Store, d: &DocumentDetails, version: i64) -> Result<i64, StoreError> {
    let mut tx = store.write(&Actor::system("test")).await.unwrap();
    let r = ds::save_details(&mut tx, d, version).await;
    if r.is_ok() {
        tx.commit().await.unwrap();
    }
    r
}

#[tokio::test]
async fn the_nearest_unit_sets_the_board_and_the_logo_and_details_belong_to_one_document() {
    on_each_backend(|store, _| async move {
        let f = fixture(&store).await;
        let mut conn = store.read().await.unwrap();
        let units: Vec<Versioned<OrgUnit>> = repo::list(&mut conn, Where::all()).await.unwrap();
        drop(conn);
        let root = units.iter().find(|u| u.parent_id.is_none()).unwrap().id;
        let adults = unit(&store, f.tenant, root, OrgUnitKind::Section, "Vuxen").await;
        let addiction = unit(&store, f.tenant, adults, OrgUnitKind::Unit, "Beroende").await;
        let children = unit(&store, f.tenant, root, OrgUnitKind::Section, "Barn").await;
        let png = b"\x89PNG\r\n\x1a\n kommunens logotyp".to_vec();

        // The municipality's board and logo; the adults' section has a board of its own.
        let municipal = UnitSettings {
            tenant_id: f.tenant,
            unit_id: root,
            board: "Socialnämnden".into(),
            logo: Some(logo(&png, "Testkommuns logotyp")),
        };
        assert_eq!(save(&store, &municipal, 0).await.unwrap(), 1);
        let own = UnitSettings { board: "Vuxennämnden".into(), ..UnitSettings::empty(f.tenant, adults) };
        save(&store, &own, 0).await.unwrap();

        let mut conn = store.read().await.unwrap();
        let below = ds::effective_for_unit(&mut conn, f.tenant, addiction).await.unwrap();
        assert_eq!(below.board, Some(("Vuxennämnden".to_owned(), adults)), "the nearest board above");
        let (l, from) = below.logo.expect("the municipality's logo");
        assert_eq!(
            (l.bytes, l.alt, l.format, from),
            (png.clone(), "Testkommuns logotyp".into(), LogoFormat::Png, root)
        );
        let other = ds::effective_for_unit(&mut conn, f.tenant, children).await.unwrap();
        assert_eq!(other.board, Some(("Socialnämnden".to_owned(), root)), "the other section has the municipality's");
        drop(conn);

        // A unit's own logo overrides the municipality's below it only.
        let own_logo = UnitSettings { logo: Some(logo(b"\x89PNG\r\n\x1a\n vuxen", "Vuxens logotyp")), ..own.clone() };
        assert_eq!(save(&store, &own_logo, 1).await.unwrap(), 2);
        let mut conn = store.read().await.unwrap();
        let below = ds::effective_for_unit(&mut conn, f.tenant, addiction).await.unwrap();
        assert_eq!(below.logo.map(|(l, u)| (l.alt, u)), Some(("Vuxens logotyp".into(), adults)));
        let other = ds::effective_for_unit(&mut conn, f.tenant, children).await.unwrap();
        assert_eq!(other.logo.map(|(_, u)| u), Some(root));
        drop(conn);

        // Details of one document: exactly its kind, year and scope.
        let details = DocumentDetails {
            reference: "SN-2024/12".into(),
            meeting_on: Some(Date::constant(2024, 2, 20)),
            status: "Förslag till nämnden".into(),
            ..DocumentDetails::empty(f.tenant, "plan", 2024, adults)
        };
        assert_eq!(save_details(&store, &details, 0).await.unwrap(), 1);
        let mut conn = store.read().await.unwrap();
        let set = ds::effective(&mut conn, f.tenant, adults, "plan", 2024).await.unwrap();
        assert_eq!(set.details.as_ref(), Some(&details));
        assert_eq!(set.board, Some(("Vuxennämnden".to_owned(), adults)));
        for (scope, kind, year) in [(adults, "follow-up", 2024), (adults, "plan", 2023), (addiction, "plan", 2024)] {
            let none = ds::effective(&mut conn, f.tenant, scope, kind, year).await.unwrap();
            assert_eq!(none.details, None, "{kind} {year} of {scope}");
        }
        drop(conn);
        let changed =
            DocumentDetails { status: "Antagen av socialnämnden".into(), meeting_on: None, ..details.clone() };
        assert!(matches!(save_details(&store, &changed, 0).await, Err(StoreError::Conflict { .. })));
        assert_eq!(save_details(&store, &changed, 1).await.unwrap(), 2);
        let mut conn = store.read().await.unwrap();
        let now = ds::details(&mut conn, f.tenant, "plan", 2024, adults).await.unwrap();
        assert_eq!((now.version, now.item.clone()), (2, changed));
    })
    .await;
}

#[tokio::test]
async fn invalid_or_stale_settings_store_nothing_and_the_log_gets_the_logos_checksum() {
    on_each_backend(|store, _| async move {
        let f = fixture(&store).await;
        let mut conn = store.read().await.unwrap();
        let root = repo::list::<OrgUnit>(&mut conn, Where::all()).await.unwrap()[0].id;
        drop(conn);
        let png = b"\x89PNG\r\n\x1a\n logotyp".to_vec();
        let good = UnitSettings {
            tenant_id: f.tenant,
            unit_id: root,
            board: "Socialnämnden".into(),
            logo: Some(logo(&png, "Logotyp")),
        };
        let cases = [
            (UnitSettings { board: "N".repeat(121), ..good.clone() }, vec!["board"]),
            (UnitSettings { logo: Some(logo(&vec![1; MAX_LOGO_BYTES + 1], "Logotyp")), ..good.clone() }, vec!["logo"]),
            (UnitSettings { logo: Some(logo(&png, "  ")), ..good.clone() }, vec!["logo_alt"]),
            (UnitSettings { logo: Some(logo(&[], "Logotyp")), ..good.clone() }, vec!["logo"]),
        ];
        for (bad, expected) in cases {
            assert_eq!(fields(save(&store, &bad, 0).await.unwrap_err()), expected);
        }
        let elsewhere = UnitSettings { unit_id: Id::new(root.get() + 10_000), ..good.clone() };
        assert!(matches!(save(&store, &elsewhere, 0).await, Err(StoreError::NotFound { .. })));
        let mut conn = store.read().await.unwrap();
        assert_eq!(ds::unit_settings(&mut conn, f.tenant, root).await.unwrap().version, 0, "nothing stored");
        drop(conn);

        save(&store, &good, 0).await.unwrap();
        assert!(matches!(save(&store, &good, 0).await, Err(StoreError::Conflict { .. })), "a second first save");
        let without = UnitSettings { logo: None, ..good.clone() };
        assert_eq!(save(&store, &without, 1).await.unwrap(), 2, "the logo removed");
        let mut conn = store.read().await.unwrap();
        let stored = ds::unit_settings(&mut conn, f.tenant, root).await.unwrap();
        assert_eq!(
            (stored.version, stored.item.logo.clone(), stored.item.board.clone()),
            (2, None, good.board.clone())
        );
        drop(conn);

        let bad_details = [
            (DocumentDetails::empty(f.tenant, "protokoll", 2024, root), "kind"),
            (DocumentDetails::empty(f.tenant, "plan", 1999, root), "year"),
            (
                DocumentDetails { reference: "D".repeat(121), ..DocumentDetails::empty(f.tenant, "plan", 2024, root) },
                "reference",
            ),
            (
                DocumentDetails {
                    status: "\u{202e}Antagen".into(),
                    ..DocumentDetails::empty(f.tenant, "plan", 2024, root)
                },
                "status",
            ),
        ];
        for (bad, field) in bad_details {
            assert_eq!(fields(save_details(&store, &bad, 0).await.unwrap_err()), vec![field]);
        }

        // The log: where the change belongs, and the logo by its checksum, not its bytes.
        let entries = audit_entries(&store).await;
        let mine: Vec<_> = entries.iter().filter(|e| e.table_name == "document_unit_settings").collect();
        assert_eq!(mine.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(), vec!["create", "update"]);
        assert_eq!((mine[0].tenant_id, mine[0].unit_id), (Some(f.tenant.get()), Some(root.get())));
        let created = mine[0].after_data.as_deref().unwrap();
        assert!(created.contains(&kvalitet_store::document_versions::sha256_hex(&png)), "{created}");
        assert!(created.contains("\"logo_size\":16"), "{created}");
        assert!(mine[1].before_data.as_deref().unwrap().contains("\"logo_format\":\"png\""));
        assert!(mine[1].after_data.as_deref().unwrap().contains("\"logo_format\":null"));

        // The municipality's removal takes them along.
        let details =
            DocumentDetails { reference: "SN-1".into(), ..DocumentDetails::empty(f.tenant, "report", 2024, root) };
        save_details(&store, &details, 0).await.unwrap();
        let mut conn = store.read().await.unwrap();
        let held = tenants::row_counts(&mut conn, f.tenant).await.unwrap();
        drop(conn);
        assert!(held.contains(&("document_unit_settings", 1)) && held.contains(&("document_details", 1)), "{held:?}");
        let mut tx = store.write(&Actor::system("test")).await.unwrap();
        tenants::remove(&mut tx, f.tenant).await.unwrap();
        tx.commit().await.unwrap();
        let mut conn = store.read().await.unwrap();
        assert_eq!(tenants::row_counts(&mut conn, f.tenant).await.unwrap(), vec![]);
    })
    .await;
}
