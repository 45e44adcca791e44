//! Who is asking, and may they: the session cookie, the signed-in user as an extractor,
//! the one authorization check every handler calls, and the CSRF token check for forms.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use axum::http::{Method, header};

use kvalitet_domain::Versioned;
use kvalitet_domain::access::{self, Permission, RoleAssignment, Tree};
use kvalitet_domain::org::{OrgUnit, OrgUnitId, TenantId};
use kvalitet_store::Actor;
use kvalitet_store::accounts::{self, Session};

use crate::client::Client;
use crate::error::{WebError, WebResult};
use crate::router::AppState;

pub const SESSION_COOKIE: &str = "kvalitet_session";

/// The value of cookie `name` in a request.
pub fn cookie<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    cookie_in(&parts.headers, name)
}

/// The value of cookie `name` in a request's headers.
pub fn cookie_in<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The `Set-Cookie` value for a session token (or for ending one, with `None`).
pub fn session_cookie(token: Option<&str>, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    match token {
        Some(t) => format!(
            "{SESSION_COOKIE}={t}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
            accounts::ABSOLUTE_TIMEOUT_SECONDS
        ),
        None => format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}"),
    }
}

/// The org tree as parent links, for the authorization rule.
#[derive(Debug, Clone, Default)]
pub struct OrgTree {
    parents: HashMap<OrgUnitId, OrgUnitId>,
    top: Option<OrgUnitId>,
    /// Every unit, in id order.
    all: Vec<OrgUnitId>,
}

impl OrgTree {
    pub fn new(units: &[Versioned<OrgUnit>]) -> OrgTree {
        OrgTree::of_parents(units.iter().map(|u| (u.id, u.parent_id)))
    }

    /// The tree of units given with their parents.
    pub fn of_parents(units: impl IntoIterator<Item = (OrgUnitId, Option<OrgUnitId>)>) -> OrgTree {
        let mut tree = OrgTree::default();
        for (unit, parent) in units {
            tree.all.push(unit);
            match parent {
                Some(p) => {
                    tree.parents.insert(unit, p);
                }
                None => tree.top = Some(tree.top.map_or(unit, |t| t.min(unit))),
            }
        }
        tree.all.sort_unstable();
        tree
    }

    /// Every unit of the tree, in id order.
    pub fn units(&self) -> &[OrgUnitId] {
        &self.all
    }

    /// `root` and every unit below it, parents before children, siblings in id order.
    pub fn subtree(&self, root: OrgUnitId) -> Vec<OrgUnitId> {
        kvalitet_store::org::subtree_of(self.all.iter().map(|u| (*u, self.parents.get(u).copied())), root)
    }

    /// The top of the tree (the first, should there be several), where the whole
    /// organisation's permissions are asked.
    pub fn top(&self) -> Option<OrgUnitId> {
        self.top
    }
}

impl Tree for OrgTree {
    fn parent(&self, unit: OrgUnitId) -> Option<OrgUnitId> {
        self.parents.get(&unit).copied()
    }
}

/// A signed-in user.
#[derive(Debug, Clone)]
pub struct User {
    pub session: Session,
    /// The name of the user's municipality.
    pub tenant: String,
    /// Whether the municipality is the demo's.
    pub demo: bool,
    pub token: String,
    pub tree: OrgTree,
    /// Where the request comes from (the client's address goes into the audit log).
    pub client: Client,
    /// The confirmation the request's query asks for (`?sparat=risk`), if it is a known one.
    pub saved: Option<&'static str>,
}

impl User {
    pub fn actor(&self) -> Actor {
        Actor::account(self.session.account.id.get(), &self.session.account.email)
            .in_tenant(self.session.account.tenant_id.get())
            .from_client(self.client.addr_text())
    }

    pub fn assignments(&self) -> &[RoleAssignment] {
        &self.session.assignments
    }

    /// The one authorization check: refuses with 403 unless the user's roles allow
    /// `permission` on something belonging to `unit`.
    pub fn require(&self, permission: Permission, unit: OrgUnitId) -> WebResult<()> {
        if self.may(permission, unit) { Ok(()) } else { Err(WebError::Forbidden) }
    }

    pub fn may(&self, permission: Permission, unit: OrgUnitId) -> bool {
        access::allows(self.assignments(), &self.tree, permission, unit)
    }

    /// The units where the user has `permission`, for a query's `IN` list: `None` when
    /// that is every unit of the tenant (no condition needed).
    pub fn units_where(&self, permission: Permission) -> Option<Vec<OrgUnitId>> {
        let units: Vec<OrgUnitId> = self.tree.units().iter().copied().filter(|u| self.may(permission, *u)).collect();
        (units.len() != self.tree.units().len()).then_some(units)
    }

    /// Refuses a plan of another tenant (as not found) or one the user may not read.
    pub fn require_read_plan(&self, plan: &kvalitet_domain::plan::QualityPlan) -> WebResult<()> {
        if plan.tenant_id != self.session.account.tenant_id {
            return Err(WebError::NotFound);
        }
        self.require(plan.read_permission(), plan.scope_id)
    }

    /// For pages that are not about one unit (the audit log, accounts).
    pub fn require_somewhere(&self, permission: Permission) -> WebResult<()> {
        if access::allows_somewhere(self.assignments(), permission) { Ok(()) } else { Err(WebError::Forbidden) }
    }

    /// Checks a form's CSRF token against the session's.
    pub fn check_csrf(&self, token: &str) -> WebResult<()> {
        if !token.is_empty() && constant_time_eq(token.as_bytes(), self.session.csrf_token.as_bytes()) {
            Ok(())
        } else {
            Err(WebError::Csrf)
        }
    }

    /// What the page header shows.
    pub fn nav(&self) -> Nav {
        let a = self.assignments();
        Nav {
            signed_in: true,
            name: self.session.account.display_name.clone(),
            tenant: self.tenant.clone(),
            demo: self.demo,
            csrf: self.session.csrf_token.clone(),
            accounts: access::allows_somewhere(a, Permission::ManageAccounts),
            deviations: access::allows_somewhere(a, Permission::ViewDeviations)
                || access::allows_somewhere(a, Permission::RegisterDeviation),
            audit: access::allows_somewhere(a, Permission::ViewAuditLog),
            measures: access::allows_somewhere(a, Permission::ViewCaseData),
            organisation: self.tree.top().is_some_and(|top| self.may(Permission::ManageOrganisation, top)),
            my_reports: access::allows_somewhere(a, Permission::RegisterDeviation),
            lists: access::allows_somewhere(a, Permission::ViewPlan),
            saved: self.saved,
        }
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The header's view of the user.
#[derive(Debug, Clone, Default)]
pub struct Nav {
    pub signed_in: bool,
    pub name: String,
    pub tenant: String,
    /// The pages show a demo municipality: nothing real may be put in.
    pub demo: bool,
    pub csrf: String,
    pub accounts: bool,
    pub deviations: bool,
    pub audit: bool,
    pub measures: bool,
    pub organisation: bool,
    /// "Mina rapporter": the deviations one has reported.
    pub my_reports: bool,
    /// The lists across plans (actions, risks, self-inspections, indicators).
    pub lists: bool,
    /// The confirmation of what was just saved or removed ("Risken är sparad.").
    pub saved: Option<&'static str>,
}

async fn load_user(parts: &Parts, state: &AppState) -> WebResult<Option<User>> {
    let Some(token) = cookie(parts, SESSION_COOKIE).filter(|t| !t.is_empty() && t.len() <= 128) else {
        return Ok(None);
    };
    // One query: the session, its account and roles, and the municipality with the
    // version of its org tree, which is read again only when that has changed.
    let Some(session) = accounts::session(&state.store, token).await? else { return Ok(None) };
    let tree = state.org_trees.tree(&state.store, session.account.tenant_id, session.tenant.org_version).await?;
    if let Some(slot) = parts.extensions.get::<crate::access_log::AccountSlot>() {
        slot.set(session.account.id.get());
    }
    Ok(Some(User {
        tenant: session.tenant.name.clone(),
        demo: session.tenant.demo,
        session,
        token: token.to_owned(),
        // A copy of a few hundred parent links: microseconds, against a query per request.
        tree: OrgTree::clone(&tree),
        client: Client::of(parts, &state.network),
        saved: crate::saved::message(parts.uri.query()),
    }))
}

/// Each municipality's org tree, kept in memory with the `org_version` it was read at
/// (per app instance; every request reads the version with its session, so a change made
/// through any instance is seen by all at their next request).
#[derive(Debug, Default)]
pub struct OrgTrees(std::sync::Mutex<HashMap<TenantId, (i64, Arc<OrgTree>)>>);

impl OrgTrees {
    /// The tree of `tenant` as of `version`, read from the database if the one kept is older.
    pub async fn tree(&self, store: &kvalitet_store::Store, tenant: TenantId, version: i64) -> WebResult<Arc<OrgTree>> {
        let kept = self.0.lock().unwrap_or_else(|e| e.into_inner()).get(&tenant).cloned();
        if let Some((v, tree)) = kept
            && v == version
        {
            return Ok(tree);
        }
        let mut conn = store.read().await?;
        let tree = Arc::new(OrgTree::of_parents(kvalitet_store::org::parents(&mut conn, tenant).await?));
        // The version read with the session may be older than the tree just read, never
        // newer, so keeping it can only cause one more read.
        self.0.lock().unwrap_or_else(|e| e.into_inner()).insert(tenant, (version, tree.clone()));
        Ok(tree)
    }
}

/// The paths someone who signed in with a one-time password may use before choosing
/// their own password.
const BEFORE_OWN_PASSWORD: [&str; 2] = ["/konto/losenord", "/logga-ut"];

impl FromRequestParts<AppState> for User {
    type Rejection = WebError;

    /// A page that needs a signed-in user: anyone else is sent to the sign-in page
    /// (GET) or refused (other methods).
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        match load_user(parts, state).await? {
            // Someone signed in with a one-time password chooses their own first.
            // Enforced on every method, not only on pages: nothing but choosing a
            // password (or signing out) is done with a one-time password.
            Some(u) if u.session.account.must_change_password && !BEFORE_OWN_PASSWORD.contains(&parts.uri.path()) => {
                Err(WebError::ChangePassword)
            }
            Some(u) => Ok(u),
            None if parts.method == Method::GET || parts.method == Method::HEAD => {
                let next = parts.uri.path_and_query().map_or("/", |p| p.as_str()).to_owned();
                Err(WebError::SignIn { next })
            }
            None => Err(WebError::Unauthenticated),
        }
    }
}

impl OptionalFromRequestParts<AppState> for User {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Option<Self>, Self::Rejection> {
        load_user(parts, state).await
    }
}
