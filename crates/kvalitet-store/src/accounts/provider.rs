//! Signing in a person whom the municipality's identity provider has vouched for: the
//! account is found by the provider's identifying claim (an e-mail address or a user
//! principal name, compared without case); optionally created at first sign-in, and its
//! roles set from the person's groups through the installation's group map.

use kvalitet_domain::Versioned;
use kvalitet_domain::access::{Account, AccountId, Role};
use kvalitet_domain::org::{OrgUnit, OrgUnitId, TenantId};

use crate::error::{Result, StoreError};
use crate::{Actor, Tx, audit, repo};

use super::{NewSession, actor_for, find_by_email, role_assignments, start_session};

/// What the provider said about the person, after its ID token was verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The value of the identifying claim (matched against the accounts' addresses).
    pub key: String,
    /// The person's name, for an account created at first sign-in.
    pub name: Option<String>,
    /// The groups the provider says the person is in.
    pub groups: Vec<String>,
}

/// One line of the group map: members of `group` get `role` over `scope`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupRole {
    pub group: String,
    pub role: Role,
    pub scope: OrgUnitId,
}

/// What the installation does with people and groups.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Provisioning {
    /// Create an account for a person the provider knows and Kvalitet does not (only
    /// when their groups give them at least one role).
    pub create_accounts: bool,
    /// With a group map, an account's roles are exactly those its groups give, set at
    /// every sign-in; without one, roles are managed in Kvalitet.
    pub group_map: Option<Vec<GroupRole>>,
    /// The municipality this provider signs in to (one provider per municipality): an
    /// account of another municipality is not let in through it, and accounts are created
    /// there. `None`: the installation's one provider, for every municipality.
    pub tenant: Option<TenantId>,
}

impl Provisioning {
    /// The roles `groups` give, without repeats, in map order.
    pub fn roles_of(&self, groups: &[String]) -> Vec<(Role, OrgUnitId)> {
        let mut roles: Vec<(Role, OrgUnitId)> = Vec::new();
        for line in self.group_map.iter().flatten() {
            let member = groups.iter().any(|g| g == &line.group);
            if member && !roles.contains(&(line.role, line.scope)) {
                roles.push((line.role, line.scope));
            }
        }
        roles
    }
}

/// Why the provider's person was not let in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// No account has that address, and none is created.
    Unknown,
    /// The account is deactivated.
    Inactive,
}

impl Refused {
    pub fn code(self) -> &'static str {
        match self {
            Refused::Unknown => "unknown_account",
            Refused::Inactive => "inactive",
        }
    }
}

/// Signs in the person of `identity` (whose token the caller has verified) from
/// `client`: finds, or with provisioning creates, their account, sets its roles from the
/// group map if there is one, and starts a session with method `oidc`. Every outcome is
/// audited.
pub async fn sign_in(
    store: &crate::Store,
    identity: &Identity,
    provisioning: &Provisioning,
    client: Option<&str>,
) -> Result<std::result::Result<(AccountId, NewSession), Refused>> {
    let key = identity.key.trim().to_lowercase();
    let mut tx = store.write(&Actor::system("oidc").from_client(client.map(str::to_owned))).await?;
    let account = find_by_email(&mut tx, &key).await?;
    let roles = provisioning.roles_of(&identity.groups);
    let account = match account {
        // Another municipality's provider does not vouch for this municipality's people.
        Some(a) if provisioning.tenant.is_some_and(|t| t != a.tenant_id) => {
            return refuse(tx, None, &key, Refused::Unknown, client).await;
        }
        Some(a) if !a.active => return refuse(tx, Some(&a), &key, Refused::Inactive, client).await,
        Some(a) => a,
        None if provisioning.create_accounts && !roles.is_empty() => {
            let tenant = match provisioning.tenant {
                Some(t) => t,
                None => repo::get::<OrgUnit>(&mut tx, roles[0].1).await?.tenant_id,
            };
            let name = identity.name.as_deref().map(str::trim).filter(|n| !n.is_empty()).unwrap_or(&key);
            let id = match super::create_account(&mut tx, &Account::new(tenant, &key, name), String::new(), &[]).await {
                Ok(id) => id,
                // The claim is no e-mail address (a bare user name): no account can have it.
                Err(StoreError::Invalid(_)) => return refuse(tx, None, &key, Refused::Unknown, client).await,
                Err(e) => return Err(e),
            };
            let after = serde_json::json!({ "method": "oidc", "groups": identity.groups }).to_string();
            audit::append(&mut tx, "account_created_at_sign_in", "account", Some(id.get()), None, Some(after)).await?;
            repo::get::<Account>(&mut tx, id).await?
        }
        None => return refuse(tx, None, &key, Refused::Unknown, client).await,
    };
    let mut tx = tx.with_actor(actor_for(Some(&account), client, "oidc"));
    if provisioning.group_map.is_some() {
        // Only the units of the account's own municipality count.
        let mut own = Vec::new();
        for (role, scope) in roles {
            if repo::get::<OrgUnit>(&mut tx, scope).await?.tenant_id == account.tenant_id {
                own.push((role, scope));
            }
        }
        set_roles(&mut tx, account.id, &own).await?;
    }
    let session = start_session(&mut tx, account.id, "oidc").await?;
    // A sign-in finished from this address: its flow starts count from nothing again.
    if let Some(client) = client {
        super::throttle::clear(&mut tx, &[crate::oidc::starts_key(client)]).await?;
    }
    tx.commit().await?;
    Ok(Ok((account.id, session)))
}

async fn refuse(
    tx: Tx,
    account: Option<&Versioned<Account>>,
    key: &str,
    reason: Refused,
    client: Option<&str>,
) -> Result<std::result::Result<(AccountId, NewSession), Refused>> {
    let mut tx = tx.with_actor(actor_for(account, client, "oidc"));
    let after =
        serde_json::json!({ "reason": reason.code(), "method": "oidc", "claim": key, "client": client }).to_string();
    audit::append(&mut tx, "login_failed", "account", account.map(|a| a.id.get()), None, Some(after)).await?;
    tx.commit().await?;
    Ok(Err(reason))
}

/// Makes an account's roles exactly `roles`: adds the missing, removes the others.
async fn set_roles(tx: &mut Tx, account: AccountId, roles: &[(Role, OrgUnitId)]) -> Result<()> {
    let current = role_assignments(tx, account).await?;
    for a in &current {
        if !roles.contains(&(a.role, a.scope_id)) {
            super::remove_role(tx, a.id).await?;
        }
    }
    for (role, scope) in roles {
        if !current.iter().any(|a| a.role == *role && a.scope_id == *scope) {
            super::add_role(tx, account, *role, *scope).await?;
        }
    }
    Ok(())
}

/// Audits a sign-in through the provider that failed before anyone was identified (a
/// lost or replayed state, a refused token), with `reason`.
pub async fn audit_failure(store: &crate::Store, reason: &str, client: Option<&str>) -> Result<()> {
    let mut tx = store.write(&Actor::system("oidc").from_client(client.map(str::to_owned))).await?;
    let after = serde_json::json!({ "reason": reason, "method": "oidc", "client": client }).to_string();
    audit::append(&mut tx, "login_failed", "account", None, None, Some(after)).await?;
    tx.commit().await
}
