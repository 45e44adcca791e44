//! API tokens from the command line: `kvalitet token create` (the secret printed once),
//! `token list` and `token revoke`. The role and the scope are read as `user add` reads
//! them (a role's code or Swedish name, a unit's name or number).

use anyhow::anyhow;

use kvalitet_domain::org::{OrgUnitId, Tenant};
use kvalitet_domain::{Code, Versioned};
use kvalitet_store::{Store, StoreError, api_tokens, org};

use crate::cli::TokenCommand;
use crate::users;

/// Runs a `token` command in `tenant`.
pub async fn run(store: &Store, tenant: &Versioned<Tenant>, command: TokenCommand) -> anyhow::Result<()> {
    match command {
        TokenCommand::Create { name, role, scope, expires } => {
            create(store, tenant, &name, &role, &scope, expires).await
        }
        TokenCommand::List => list(store, tenant).await,
        TokenCommand::Revoke { id } => revoke(store, tenant, id).await,
    }
}

async fn create(
    store: &Store,
    tenant: &Versioned<Tenant>,
    name: &str,
    role: &str,
    scope: &str,
    expires: Option<kvalitet_domain::Date>,
) -> anyhow::Result<()> {
    let role = users::parse_role(role)?;
    let units = users::units(store, tenant.id).await?;
    let scope_id = users::resolve_scope(&units, Some(scope))?;
    let new = api_tokens::NewToken { name: name.to_owned(), role, scope_id, expires_on: expires };
    let mut tx = store.write(&users::actor(tenant.id)).await?;
    let (token, secret) = api_tokens::create(&mut tx, tenant.id, &new, kvalitet_web::clock::real_today())
        .await
        .map_err(users::invalid)?;
    tx.commit().await?;
    println!(
        "API-nyckel {} \"{}\" är skapad: rollen {} över {}{}.",
        token.id,
        token.name,
        role.code(),
        unit_name(&units, scope_id),
        token.expires_on.map(|d| format!(", till och med {d}")).unwrap_or_default()
    );
    println!("Nyckel: {secret}");
    println!(
        "Den visas bara nu; skicka den som Authorization: Bearer NYCKEL. Återkalla den med kvalitet token revoke {}.",
        token.id
    );
    Ok(())
}

fn unit_name(units: &[Versioned<kvalitet_domain::org::OrgUnit>], id: OrgUnitId) -> String {
    units.iter().find(|u| u.id == id).map_or_else(|| id.to_string(), |u| u.name.clone())
}

fn seconds_as_date(seconds: i64) -> String {
    jiff::Timestamp::from_second(seconds)
        .map_or_else(|_| seconds.to_string(), |t| t.strftime("%Y-%m-%d %H:%M UTC").to_string())
}

async fn list(store: &Store, tenant: &Versioned<Tenant>) -> anyhow::Result<()> {
    let mut conn = store.read().await?;
    let tokens = api_tokens::list(&mut conn, tenant.id).await?;
    let units = org::units(&mut conn, tenant.id).await?;
    drop(conn);
    if tokens.is_empty() {
        println!("Kommunen har inga API-nycklar.");
    }
    let today = kvalitet_web::clock::real_today();
    for t in tokens {
        let state = match (t.revoked_at, t.expires_on) {
            (Some(at), _) => format!("återkallad {}", seconds_as_date(at)),
            (None, Some(last)) if last < today => format!("gick ut {last}"),
            (None, Some(last)) => format!("gäller till och med {last}"),
            (None, None) => "gäller".to_owned(),
        };
        let used = t
            .last_used_at
            .map_or_else(|| "aldrig använd".to_owned(), |s| format!("senast använd {}", seconds_as_date(s)));
        println!(
            "{}\t{}\t{}@{}\t{}\t{}\tskapad {} av {}",
            t.id,
            t.name,
            t.role.code(),
            unit_name(&units, t.scope_id),
            state,
            used,
            seconds_as_date(t.created_at),
            t.created_by
        );
    }
    Ok(())
}

async fn revoke(store: &Store, tenant: &Versioned<Tenant>, id: i64) -> anyhow::Result<()> {
    let mut tx = store.write(&users::actor(tenant.id)).await?;
    let changed = match api_tokens::revoke(&mut tx, tenant.id, id).await {
        Err(StoreError::NotFound { .. }) => return Err(anyhow!("det finns ingen API-nyckel {id} i {}", tenant.name)),
        other => other?,
    };
    tx.commit().await?;
    if changed {
        println!("API-nyckel {id} är återkallad och fungerar inte längre.");
    } else {
        println!("API-nyckel {id} var redan återkallad.");
    }
    Ok(())
}
