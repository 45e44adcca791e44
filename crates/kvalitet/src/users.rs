//! Municipalities and accounts from the command line: `kvalitet setup` and `tenant add`
//! (a municipality from its org file, with its first administrator), `user …` (list,
//! add, roles, deactivate, unlock, one-time passwords, sessions, import), and the first
//! administrator printed once on first start of an organisation without accounts.

use std::io::Write;

use anyhow::{Context, anyhow, bail};

use kvalitet_domain::access::{Account, Role};
use kvalitet_domain::org::{OrgUnit, OrgUnitId, OrgUnitKind, Tenant, TenantId};
use kvalitet_domain::{Code, Versioned};
use kvalitet_store::{Actor, Store, StoreError, accounts, org, tenants};

use crate::cli::{ListFormat, RoleArgs, SetupArgs};

/// The tenant a command acts in: the one named, or the only one.
pub async fn tenant(store: &Store, named: Option<&str>) -> anyhow::Result<Versioned<Tenant>> {
    let mut conn = store.read().await?;
    let all = tenants::all(&mut conn).await?;
    if let Some(name) = named {
        return tenants::find(&mut conn, name).await?.ok_or_else(|| {
            anyhow!(
                "det finns ingen kommun som heter \"{name}\" (kommunerna: {})",
                all.iter().map(|t| t.slug.as_str()).collect::<Vec<_>>().join(", ")
            )
        });
    }
    match all.len() {
        0 => bail!("ingen kommun är upplagd än: kör först kvalitet setup (se README)"),
        1 => Ok(all.into_iter().next().expect("one")),
        _ => bail!(
            "installationen har flera kommuner; välj en med --tenant ({})",
            all.iter().map(|t| t.slug.as_str()).collect::<Vec<_>>().join(", ")
        ),
    }
}

/// The unit a scope argument names (by name or number), or the top of the tree.
pub(crate) fn resolve_scope(units: &[Versioned<OrgUnit>], scope: Option<&str>) -> anyhow::Result<OrgUnitId> {
    let found: Vec<&Versioned<OrgUnit>> = match scope {
        None => units.iter().filter(|u| u.parent_id.is_none() && u.kind == OrgUnitKind::Administration).collect(),
        Some(s) => units
            .iter()
            .filter(|u| u.name.to_lowercase() == s.trim().to_lowercase() || u.id.get().to_string() == s.trim())
            .collect(),
    };
    match (found.as_slice(), scope) {
        ([one], _) => Ok(one.id),
        ([], Some(s)) => bail!("det finns ingen enhet som heter \"{s}\""),
        ([], None) => bail!("organisationen saknas: kör först kvalitet setup"),
        (_, Some(s)) => bail!("flera enheter heter \"{s}\"; ange enhetens nummer"),
        (_, None) => bail!("organisationen har flera enheter överst"),
    }
}

pub(crate) async fn units(store: &Store, tenant: TenantId) -> anyhow::Result<Vec<Versioned<OrgUnit>>> {
    let mut conn = store.read().await?;
    Ok(org::units(&mut conn, tenant).await?)
}

pub(crate) fn parse_role(raw: &str) -> anyhow::Result<Role> {
    kvalitet_import::accounts::parse_role(raw).ok_or_else(|| {
        let all: Vec<&str> = Role::ALL.iter().map(|r| r.code()).collect();
        anyhow!("okänd roll \"{raw}\"; välj en av {}", all.join(", "))
    })
}

/// Validation errors as the field's problem, in Swedish.
pub(crate) fn invalid(e: StoreError) -> anyhow::Error {
    match e {
        StoreError::Invalid(v) => {
            anyhow!("{}", v.errors.iter().map(|e| e.problem.to_string()).collect::<Vec<_>>().join("; "))
        }
        other => other.into(),
    }
}

/// Reads the first line of standard input as a password.
pub fn password_from_stdin() -> anyhow::Result<String> {
    let mut password = String::new();
    std::io::stdin().read_line(&mut password).context("kunde inte läsa lösenordet från standard in")?;
    Ok(password.trim_end_matches(['\n', '\r']).to_owned())
}

/// `kvalitet setup` (`first`) and `kvalitet tenant add`: a municipality from its org
/// file, with the six quality factors and its first administrator, in one transaction.
pub async fn setup(store: &Store, args: &SetupArgs, password: String, first: bool) -> anyhow::Result<()> {
    let mut conn = store.read().await?;
    let existing = tenants::all(&mut conn).await?;
    drop(conn);
    if let Some(same) = existing.iter().find(|t| tenants::slug_of(&t.name) == tenants::slug_of(&args.name)) {
        bail!(
            "databasen innehåller redan {}; en kommun till läggs upp med kvalitet tenant add --name … --org … --admin … --password-stdin",
            same.name
        );
    }
    if first && let Some(real) = existing.iter().find(|t| !t.demo) {
        bail!(
            "databasen innehåller redan kommunen {}; kvalitet setup lägger bara upp den första kommunen. En kommun till läggs upp med kvalitet tenant add (samma flaggor)",
            real.name
        );
    }
    let rows = kvalitet_import::org::read(&args.org).map_err(|p| anyhow!("{}", p.to_string().trim_end()))?;
    let units: Vec<tenants::NewUnit> = rows
        .iter()
        .map(|r| tenants::NewUnit {
            key: r.key.clone(),
            parent_key: r.parent_key.clone(),
            kind: r.kind,
            name: r.name.clone(),
            capacity: r.capacity,
        })
        .collect();
    accounts::check_policy(&password, &args.admin, &args.name).map_err(|e| invalid(e.into()))?;
    let hash = tokio::task::spawn_blocking(move || accounts::hash_password(&password)).await?;
    let mut tx = store.write(&Actor::system("setup")).await?;
    let (tenant, ids) = tenants::create(&mut tx, &args.name, &units).await.map_err(invalid)?;
    let root = ids[&rows[0].key];
    let admin = Account::new(tenant, &args.admin, args.admin_name.as_deref().unwrap_or(&args.admin));
    accounts::create_account(&mut tx, &admin, hash, &[(Role::Administrator, root)]).await.map_err(invalid)?;
    tx.commit().await?;
    let sections = rows.iter().filter(|r| r.kind == OrgUnitKind::Section).count();
    println!(
        "{} är upplagd: {} enheter ({} sektioner), de sex kvalitetsfaktorerna och administratören {}.",
        args.name.trim(),
        rows.len(),
        sections,
        admin.email
    );
    println!("Starta med kvalitet serve --no-demo och logga in som {}.", admin.email);
    if existing.iter().any(|t| t.demo) {
        println!("Databasen innehåller också demokommunen; ta bort den med kvalitet demo remove.");
    }
    Ok(())
}

/// `kvalitet tenant list`.
pub async fn list_tenants(store: &Store) -> anyhow::Result<()> {
    let mut conn = store.read().await?;
    for t in tenants::all(&mut conn).await? {
        let units = org::units(&mut conn, t.id).await?.len();
        println!("{}\t{}\t{} enheter{}", t.slug, t.name, units, if t.demo { "\tdemo" } else { "" });
    }
    Ok(())
}

async fn account(store: &Store, email: &str) -> anyhow::Result<Versioned<Account>> {
    let mut conn = store.read().await?;
    accounts::find_by_email(&mut conn, email).await?.ok_or_else(|| anyhow!("det finns inget konto {email}"))
}

pub(crate) fn actor(tenant: TenantId) -> Actor {
    Actor::system("cli").in_tenant(tenant.get())
}

/// `kvalitet user add`: a new account with a role, or one more role for an account.
pub async fn add(
    store: &Store,
    tenant: &Versioned<Tenant>,
    args: &RoleArgs,
    name: Option<&str>,
    password: Option<String>,
) -> anyhow::Result<()> {
    let role = parse_role(&args.role)?;
    let units = units(store, tenant.id).await?;
    let scope = resolve_scope(&units, args.scope.as_deref())?;
    let mut conn = store.read().await?;
    let existing = accounts::find_by_email(&mut conn, &args.email).await?;
    drop(conn);
    if let Some(existing) = existing {
        if existing.tenant_id != tenant.id {
            bail!("kontot {} hör till en annan kommun", existing.email);
        }
        let mut tx = store.write(&actor(tenant.id)).await?;
        accounts::add_role(&mut tx, existing.id, role, scope).await.map_err(invalid)?;
        tx.commit().await?;
        println!("Kontot {} har fått rollen {}.", existing.email, role.code());
        return Ok(());
    }
    let (shown, hash) = match password {
        Some(p) => (None, accounts::new_password_hash(p, &args.email, &tenant.name).await.map_err(invalid)?),
        None => {
            let (p, h) = accounts::one_time_password().await;
            (Some(p), h)
        }
    };
    let new = Account {
        must_change_password: true,
        password_expires_at: Some(accounts::now_seconds() + accounts::ONE_TIME_PASSWORD_SECONDS),
        ..Account::new(tenant.id, &args.email, name.unwrap_or(&args.email))
    };
    let mut tx = store.write(&actor(tenant.id)).await?;
    accounts::create_account(&mut tx, &new, hash, &[(role, scope)]).await.map_err(invalid)?;
    tx.commit().await?;
    println!("Kontot {} är skapat.", new.email);
    if let Some(p) = shown {
        println!("Engångslösenord: {p}");
        println!("Det visas bara nu, gäller i 72 timmar och byts vid första inloggningen.");
    }
    Ok(())
}

/// `kvalitet user role remove`.
pub async fn remove_role(store: &Store, tenant: &Versioned<Tenant>, args: &RoleArgs) -> anyhow::Result<()> {
    let role = parse_role(&args.role)?;
    let units = units(store, tenant.id).await?;
    let scope = resolve_scope(&units, args.scope.as_deref())?;
    let acc = account(store, &args.email).await?;
    let mut conn = store.read().await?;
    let found = accounts::role_assignments(&mut conn, acc.id)
        .await?
        .into_iter()
        .find(|a| a.role == role && a.scope_id == scope)
        .ok_or_else(|| anyhow!("kontot {} har inte rollen {} där", acc.email, role.code()))?;
    drop(conn);
    let mut tx = store.write(&actor(acc.tenant_id)).await?;
    accounts::remove_role(&mut tx, found.id).await?;
    tx.commit().await?;
    println!("Rollen {} är borttagen från {}.", role.code(), acc.email);
    Ok(())
}

/// What `user deactivate|activate|unlock|reset-password|end-sessions` do.
#[derive(Debug, Clone, Copy)]
pub enum AccountChange {
    Deactivate,
    Activate,
    Unlock,
    ResetPassword,
    EndSessions,
}

pub async fn change(store: &Store, email: &str, what: AccountChange) -> anyhow::Result<()> {
    let acc = account(store, email).await?;
    let otp = match what {
        AccountChange::ResetPassword => Some(accounts::one_time_password().await),
        _ => None,
    };
    let mut tx = store.write(&actor(acc.tenant_id)).await?;
    let said = match what {
        AccountChange::Deactivate => {
            accounts::set_active(&mut tx, acc.id, false).await?;
            format!("Kontot {} är inaktiverat och dess inloggningar är avslutade.", acc.email)
        }
        AccountChange::Activate => {
            accounts::set_active(&mut tx, acc.id, true).await?;
            format!("Kontot {} är aktiverat.", acc.email)
        }
        AccountChange::Unlock => {
            accounts::unlock(&mut tx, acc.id).await?;
            format!("Spärren för {} är hävd.", acc.email)
        }
        AccountChange::EndSessions => {
            let n = accounts::end_all_sessions(&mut tx, acc.id).await?;
            format!("{n} inloggningar för {} är avslutade.", acc.email)
        }
        AccountChange::ResetPassword => {
            let (password, hash) = otp.expect("made above");
            accounts::set_one_time_password(&mut tx, acc.id, hash).await?;
            format!(
                "Engångslösenord för {}: {password}\nDet visas bara nu, gäller i 72 timmar och byts vid första inloggningen.",
                acc.email
            )
        }
    };
    tx.commit().await?;
    println!("{said}");
    Ok(())
}

/// `kvalitet user list`.
pub async fn list(store: &Store, tenant: &Versioned<Tenant>, format: ListFormat) -> anyhow::Result<()> {
    let mut conn = store.read().await?;
    let listed = accounts::list(&mut conn, tenant.id).await?;
    let units = org::units(&mut conn, tenant.id).await?;
    drop(conn);
    let unit_name =
        |id: OrgUnitId| units.iter().find(|u| u.id == id).map_or_else(|| id.to_string(), |u| u.name.clone());
    let roles = |l: &accounts::Listed| -> Vec<String> {
        l.roles.iter().map(|r| format!("{}@{}", r.role.code(), unit_name(r.scope_id))).collect()
    };
    let mut out = std::io::stdout().lock();
    match format {
        ListFormat::Json => {
            let v: Vec<serde_json::Value> = listed
                .iter()
                .map(|l| {
                    serde_json::json!({
                        "email": l.account.email,
                        "name": l.account.display_name,
                        "active": l.account.active,
                        "locked": l.locked,
                        "must_change_password": l.account.must_change_password,
                        "roles": l.roles.iter().map(|r| serde_json::json!({
                            "role": r.role.code(), "scope": unit_name(r.scope_id), "scope_id": r.scope_id.get()
                        })).collect::<Vec<_>>(),
                    })
                })
                .collect();
            writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
        }
        ListFormat::Csv => {
            writeln!(out, "email;name;role;scope;active;locked")?;
            for l in &listed {
                let cells = |role: &str, scope: &str| {
                    [l.account.email.as_str(), &l.account.display_name, role, scope]
                        .iter()
                        .map(|c| csv_cell(c))
                        .collect::<Vec<_>>()
                        .join(";")
                };
                if l.roles.is_empty() {
                    writeln!(out, "{};{};{}", cells("", ""), l.account.active, l.locked)?;
                }
                for r in &l.roles {
                    writeln!(
                        out,
                        "{};{};{}",
                        cells(r.role.code(), &unit_name(r.scope_id)),
                        l.account.active,
                        l.locked
                    )?;
                }
            }
        }
        ListFormat::Table => {
            for l in &listed {
                let state = match (l.account.active, l.locked) {
                    (false, _) => "inaktivt",
                    (true, true) => "spärrat",
                    (true, false) => "aktivt",
                };
                writeln!(out, "{}\t{}\t{}\t{}", l.account.email, l.account.display_name, state, roles(l).join(", "))?;
            }
            writeln!(out, "{} konton", listed.len())?;
        }
    }
    Ok(())
}

/// A CSV cell: quoted when needed, and never read as a formula by a spreadsheet.
fn csv_cell(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) { format!("'{s}") } else { s.to_owned() };
    if s.contains([';', '"', '\n']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s }
}

/// `kvalitet user import`: the file's people get exactly the file's roles; new people
/// get accounts without a password (they sign in through the identity provider, or get a
/// one-time password from an administrator). One transaction: a problem stores nothing.
pub async fn import(store: &Store, tenant: &Versioned<Tenant>, file: &std::path::Path) -> anyhow::Result<()> {
    let units = units(store, tenant.id).await?;
    let pairs: Vec<(OrgUnitId, String)> = units.iter().map(|u| (u.id, u.name.clone())).collect();
    let people = kvalitet_import::accounts::read(file, tenant.id, &pairs)
        .map_err(|p| anyhow!("{}", p.to_string().trim_end()))?;
    let mut tx = store.write(&actor(tenant.id)).await?;
    let (mut created, mut changed, mut unchanged) = (0, 0, 0);
    for person in &people {
        let Some(existing) = accounts::find_by_email(&mut tx, &person.email).await? else {
            let account = Account::new(tenant.id, &person.email, &person.name);
            accounts::create_account(&mut tx, &account, String::new(), &person.roles)
                .await
                .map_err(|e| anyhow!("{}: {}", person.email, invalid(e)))?;
            created += 1;
            continue;
        };
        if existing.tenant_id != tenant.id {
            bail!("{}: kontot hör till en annan kommun; inget har sparats", person.email);
        }
        let mut touched = false;
        if existing.display_name != person.name {
            accounts::rename(&mut tx, existing.id, existing.version, &person.name).await?;
            touched = true;
        }
        let current = accounts::role_assignments(&mut tx, existing.id).await?;
        for r in &current {
            if !person.roles.contains(&(r.role, r.scope_id)) {
                accounts::remove_role(&mut tx, r.id).await?;
                touched = true;
            }
        }
        for (role, scope) in &person.roles {
            if !current.iter().any(|r| r.role == *role && r.scope_id == *scope) {
                accounts::add_role(&mut tx, existing.id, *role, *scope).await?;
                touched = true;
            }
        }
        if touched { changed += 1 } else { unchanged += 1 }
    }
    tx.commit().await?;
    println!("Konton inlästa ur {}: {created} nya, {changed} ändrade, {unchanged} oförändrade.", file.display());
    Ok(())
}

/// On first start of an organisation without accounts: an administrator with a
/// one-time password, printed once, to be changed at first sign-in.
pub async fn first_administrator(store: &Store) -> anyhow::Result<()> {
    let mut conn = store.read().await?;
    let all = tenants::all(&mut conn).await?;
    if all.len() != 1 || accounts::count(&mut conn).await? > 0 {
        return Ok(());
    }
    drop(conn);
    let tenant = &all[0];
    let scope = resolve_scope(&units(store, tenant.id).await?, None)?;
    let (password, hash) = accounts::one_time_password().await;
    let account = Account {
        must_change_password: true,
        password_expires_at: Some(accounts::now_seconds() + accounts::ONE_TIME_PASSWORD_SECONDS),
        ..Account::new(tenant.id, "admin@kvalitet.local", "Administratör")
    };
    let mut tx = store.write(&Actor::system("first-start").in_tenant(tenant.id.get())).await?;
    accounts::create_account(&mut tx, &account, hash, &[(Role::Administrator, scope)])
        .await
        .context("kunde inte skapa den första administratören")?;
    tx.commit().await?;
    println!("Första administratören: admin@kvalitet.local, engångslösenord {password}");
    println!("Lösenordet visas bara nu, gäller i 72 timmar och ska bytas vid första inloggningen.");
    Ok(())
}

/// The unit a scope argument names, by name or number (or the top of the tree), in the
/// only (or named) tenant.
pub async fn resolve_unit(store: &Store, named: Option<&str>, scope: Option<&str>) -> anyhow::Result<OrgUnitId> {
    let tenant = tenant(store, named).await?;
    resolve_scope(&units(store, tenant.id).await?, scope)
}
