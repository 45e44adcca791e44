//! Accounts from the command line: `kvalitet user add`, and the first administrator
//! with a one-time password printed once on first start.

use anyhow::{Context, anyhow, bail};

use kvalitet_domain::Code;
use kvalitet_domain::access::{Account, Role};
use kvalitet_domain::org::{OrgUnitId, OrgUnitKind};
use kvalitet_store::{Actor, Store, StoreError, accounts, org};

/// The unit a scope argument names (by name or number), or the top of the tree.
async fn resolve_scope(
    store: &Store,
    tenant: kvalitet_domain::org::TenantId,
    scope: Option<&str>,
) -> anyhow::Result<OrgUnitId> {
    let mut conn = store.read().await?;
    let units = org::units(&mut conn, tenant).await?;
    let found = match scope {
        None => units.iter().find(|u| u.parent_id.is_none() && u.kind == OrgUnitKind::Administration),
        Some(s) => units.iter().find(|u| u.name == s || u.id.get().to_string() == s),
    };
    found.map(|u| u.id).ok_or_else(|| match scope {
        Some(s) => anyhow!("det finns ingen enhet som heter \"{s}\""),
        None => anyhow!("organisationen saknas: läs in den först (till exempel med kvalitet demo load)"),
    })
}

pub async fn add(
    store: &Store,
    email: &str,
    role: &str,
    scope: Option<&str>,
    name: Option<&str>,
    password: String,
) -> anyhow::Result<()> {
    let role = Role::from_code(role).ok_or_else(|| {
        let all: Vec<&str> = Role::ALL.iter().map(|r| r.code()).collect();
        anyhow!("okänd roll \"{role}\"; välj en av {}", all.join(", "))
    })?;
    let mut conn = store.read().await?;
    let tenant =
        org::first_tenant(&mut conn).await?.ok_or_else(|| anyhow!("organisationen saknas: läs in den först"))?;
    drop(conn);
    let scope = resolve_scope(store, tenant.id, scope).await?;
    let hash = accounts::new_password_hash(password, email).await.map_err(invalid)?;
    let account = Account {
        tenant_id: tenant.id,
        email: email.to_owned(),
        display_name: name.unwrap_or(email).to_owned(),
        password_hash: String::new(),
        active: true,
        failed_logins: 0,
        locked_until: None,
        must_change_password: false,
    };
    let mut tx = store.write(&Actor::system("cli")).await?;
    accounts::create_account(&mut tx, &account, hash, &[(role, scope)]).await.map_err(invalid)?;
    tx.commit().await?;
    Ok(())
}

/// Validation errors as the field's problem, in Swedish.
fn invalid(e: StoreError) -> anyhow::Error {
    match e {
        StoreError::Invalid(v) => {
            anyhow!("{}", v.errors.iter().map(|e| e.problem.to_string()).collect::<Vec<_>>().join("; "))
        }
        other => other.into(),
    }
}

/// On first start of an organisation without accounts: an administrator with a
/// one-time password, printed once, to be changed at first sign-in.
pub async fn first_administrator(store: &Store) -> anyhow::Result<()> {
    let mut conn = store.read().await?;
    let Some(tenant) = org::first_tenant(&mut conn).await? else { return Ok(()) };
    if accounts::count(&mut conn).await? > 0 {
        return Ok(());
    }
    drop(conn);
    let scope = resolve_scope(store, tenant.id, None).await?;
    let password = accounts::random_token()[..20].to_owned();
    let hash = accounts::new_password_hash(password.clone(), "admin@kvalitet.local").await.map_err(invalid)?;
    let account = Account {
        tenant_id: tenant.id,
        email: "admin@kvalitet.local".into(),
        display_name: "Administratör".into(),
        password_hash: String::new(),
        active: true,
        failed_logins: 0,
        locked_until: None,
        must_change_password: true,
    };
    let mut tx = store.write(&Actor::system("first-start")).await?;
    accounts::create_account(&mut tx, &account, hash, &[(Role::Administrator, scope)])
        .await
        .context("kunde inte skapa den första administratören")?;
    tx.commit().await?;
    println!("Första administratören: admin@kvalitet.local, engångslösenord {password}");
    println!("Lösenordet visas bara nu och ska bytas vid första inloggningen.");
    if password.is_empty() {
        bail!("tomt lösenord");
    }
    Ok(())
}

/// The unit a scope argument names, by name or number, in the first tenant.
pub async fn resolve_unit(store: &Store, scope: &str) -> anyhow::Result<OrgUnitId> {
    let mut conn = store.read().await?;
    let tenant = org::first_tenant(&mut conn).await?.ok_or_else(|| anyhow!("organisationen saknas"))?;
    drop(conn);
    resolve_scope(store, tenant.id, Some(scope)).await
}
