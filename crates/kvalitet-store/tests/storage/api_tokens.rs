//! API tokens: the secret is shown once and only its hash is stored, a revoked or
//! expired token does not authenticate, every use is audited, and removing the
//! municipality removes its tokens.

use kvalitet_domain::Date;
use kvalitet_domain::access::Role;
use kvalitet_domain::org::{OrgUnit, OrgUnitKind, Tenant};
use kvalitet_domain::risk::RiskMatrix;
use kvalitet_store::api_tokens::{self, NewToken};
use kvalitet_store::testing::{audit_entries, on_each_backend};
use kvalitet_store::{Actor, Store, StoreError, org, repo, tenants};
use sqlx::Row;

use crate::fixture;

fn day(y: i16, m: i8, d: i8) -> Date {
    Date::new(y, m, d).unwrap()
}

async fn make(
    store: &Store,
    tenant: kvalitet_domain::org::TenantId,
    new: &NewToken,
) -> Result<(i64, String), StoreError> {
    let mut tx = store.write(&Actor::system("cli")).await.unwrap();
    let (token, secret) = api_tokens::create(&mut tx, tenant, new, day(2026, 11, 30)).await?;
    tx.commit().await.unwrap();
    Ok((token.id, secret))
}

#[tokio::test]
async fn a_token_is_shown_once_stored_hashed_and_audited_at_every_use() {
    on_each_backend(|store, _| async move {
        let f = fixture(&store).await;
        let root = org::units(&mut store.read().await.unwrap(), f.tenant).await.unwrap()[0].id;
        let new = NewToken { name: "Verksamhetssystemet".into(), role: Role::Reader, scope_id: root, expires_on: None };
        let (id, secret) = make(&store, f.tenant, &new).await.unwrap();
        assert!(secret.starts_with(api_tokens::PREFIX) && secret.len() > 60, "{secret}");

        // Only the hash is stored: the secret is nowhere in the row.
        let row = sqlx::query("SELECT token_hash FROM api_token WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *store.read().await.unwrap())
            .await
            .unwrap();
        let stored: String = row.try_get("token_hash").unwrap();
        assert_eq!(stored.len(), 64);
        assert!(!stored.contains(&secret[4..]));

        let today = day(2026, 11, 30);
        let used = api_tokens::authenticate(&store, &secret, today, Some("192.0.2.7".into()), "GET /api/v1/planer")
            .await
            .unwrap()
            .expect("a live token authenticates");
        assert_eq!((used.id, used.role, used.scope_id), (id, Role::Reader, root));
        assert!(used.last_used_at.is_some());
        api_tokens::authenticate(&store, &secret, today, None, "GET /api/v1/risker").await.unwrap().unwrap();
        assert!(api_tokens::authenticate(&store, "kvt_wrong", today, None, "GET /").await.unwrap().is_none());
        assert!(api_tokens::authenticate(&store, &secret[4..], today, None, "GET /").await.unwrap().is_none());

        let uses: Vec<_> = audit_entries(&store).await.into_iter().filter(|e| e.action == "api_use").collect();
        assert_eq!(uses.len(), 2, "every use is an entry");
        assert_eq!(uses[0].record_id, Some(id));
        assert_eq!(uses[0].tenant_id, Some(f.tenant.get()));
        assert_eq!(uses[0].client.as_deref(), Some("192.0.2.7"));
        assert!(uses[0].after_data.as_deref().unwrap().contains("GET /api/v1/planer"));
        assert!(uses[0].actor.starts_with(&format!("api-token:{id}:")));
        let all = audit_entries(&store).await;
        for e in &all {
            for data in [&e.before_data, &e.after_data].into_iter().flatten() {
                assert!(!data.contains(&secret) && !data.contains(&stored), "no secret or hash in the log");
            }
        }
    })
    .await;
}

#[tokio::test]
async fn revoked_and_expired_tokens_do_not_authenticate() {
    on_each_backend(|store, _| async move {
        let f = fixture(&store).await;
        let root = org::units(&mut store.read().await.unwrap(), f.tenant).await.unwrap()[0].id;
        let new =
            |name: &str, expires_on| NewToken { name: name.into(), role: Role::Manager, scope_id: root, expires_on };
        let (revoked, revoked_secret) = make(&store, f.tenant, &new("A", None)).await.unwrap();
        let (_, expiring) = make(&store, f.tenant, &new("B", Some(day(2026, 12, 31)))).await.unwrap();

        let mut tx = store.write(&Actor::system("cli")).await.unwrap();
        assert!(api_tokens::revoke(&mut tx, f.tenant, revoked).await.unwrap());
        assert!(!api_tokens::revoke(&mut tx, f.tenant, revoked).await.unwrap(), "revoked once");
        tx.commit().await.unwrap();
        let today = day(2026, 11, 30);
        assert!(api_tokens::authenticate(&store, &revoked_secret, today, None, "GET /").await.unwrap().is_none());

        // The last day still works; the day after does not.
        assert!(api_tokens::authenticate(&store, &expiring, day(2026, 12, 31), None, "GET /").await.unwrap().is_some());
        assert!(api_tokens::authenticate(&store, &expiring, day(2027, 1, 1), None, "GET /").await.unwrap().is_none());

        let listed = api_tokens::list(&mut store.read().await.unwrap(), f.tenant).await.unwrap();
        assert_eq!(listed.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(), ["A", "B"]);
        assert!(listed[0].revoked_at.is_some() && listed[1].revoked_at.is_none());
        assert_eq!(listed[1].expires_on, Some(day(2026, 12, 31)));
        assert_eq!(listed[0].created_by, "system:cli");
    })
    .await;
}

#[tokio::test]
async fn a_token_is_checked_and_kept_to_its_municipality() {
    on_each_backend(|store, _| async move {
        let f = fixture(&store).await;
        let root = org::units(&mut store.read().await.unwrap(), f.tenant).await.unwrap()[0].id;
        let mut tx = store.write(&Actor::system("test")).await.unwrap();
        let other = repo::insert(
            &mut tx,
            &Tenant {
                name: "Annan kommun".into(),
                slug: "annan".into(),
                brand_colour: "#005a8c".into(),
                risk_matrix: RiskMatrix::default(),
                demo: false,
            },
        )
        .await
        .unwrap();
        let other_root = repo::insert(
            &mut tx,
            &OrgUnit {
                tenant_id: other,
                parent_id: None,
                kind: OrgUnitKind::Administration,
                name: "IFO".into(),
                capacity: None,
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();

        // Another municipality's unit, an empty name, an expiry in the past: refused, named.
        let bad =
            NewToken { name: " ".into(), role: Role::Reader, scope_id: other_root, expires_on: Some(day(2020, 1, 1)) };
        match make(&store, f.tenant, &bad).await {
            Err(StoreError::Invalid(v)) => {
                let fields: Vec<_> = v.errors.iter().map(|e| e.field).collect();
                assert_eq!(fields, ["name", "expires", "scope"]);
            }
            other => panic!("expected invalid, got {other:?}"),
        }
        let good = NewToken { name: "Ekonomisystemet".into(), role: Role::Reader, scope_id: root, expires_on: None };
        let (id, _) = make(&store, f.tenant, &good).await.unwrap();
        let mut tx = store.write(&Actor::system("cli")).await.unwrap();
        assert!(matches!(api_tokens::revoke(&mut tx, other, id).await, Err(StoreError::NotFound { .. })));
        drop(tx);
        let (other_token, _) = make(&store, other, &NewToken { scope_id: other_root, ..good.clone() }).await.unwrap();

        // Removing the municipality removes its tokens, not the other's.
        let mut tx = store.write(&Actor::system("test")).await.unwrap();
        tenants::remove(&mut tx, f.tenant).await.unwrap();
        tx.commit().await.unwrap();
        let left: Vec<i64> = sqlx::query("SELECT id FROM api_token")
            .fetch_all(&mut *store.read().await.unwrap())
            .await
            .unwrap()
            .iter()
            .map(|r| r.try_get("id").unwrap())
            .collect();
        assert_eq!(left, [other_token]);
    })
    .await;
}
