//! Who calls the API: an API token (`Authorization: Bearer …`), which acts with exactly
//! its one role over its one part of the org tree, or a signed-in session, whose writes
//! carry the session's CSRF token in `X-CSRF-Token` as forms carry it. Either way the
//! caller is a [`User`], so the pages' one access rule (`User::require`,
//! `User::require_read_plan`) decides, unchanged.

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use axum::http::{Method, header};

use kvalitet_domain::Versioned;
use kvalitet_domain::access::{Account, AccountId, RoleAssignment};
use kvalitet_domain::org::Tenant;
use kvalitet_store::accounts::{Session, SessionTenant};
use kvalitet_store::{Actor, api_tokens, org, repo};

use super::problem::ApiError;
use crate::auth::{OrgTree, User};
use crate::client::Client;
use crate::router::AppState;

/// The header a session's writes carry the CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The API's caller.
#[derive(Debug, Clone)]
pub struct Caller {
    /// Asked by every handler through the pages' access rule.
    pub user: User,
    /// Who the audit log names: the account, or the token by its number and name.
    pub actor: Actor,
}

impl Caller {
    pub fn tenant(&self) -> kvalitet_domain::org::TenantId {
        self.user.session.account.tenant_id
    }

    /// The signed-in person's account; none for a token.
    pub fn account(&self) -> Option<AccountId> {
        self.actor.account_id.map(|_| self.user.session.account.id)
    }

    /// The name recorded as who recorded a follow-up or a run.
    pub fn name(&self) -> &str {
        &self.user.session.account.display_name
    }
}

/// The `User` a token acts as: no account of its own (id 0, never stored), its one role
/// over its scope, in its municipality.
async fn token_user(state: &AppState, token: &api_tokens::ApiToken, client: Client) -> Result<User, ApiError> {
    let mut conn = state.store.read().await?;
    let tenant = repo::get::<Tenant>(&mut conn, token.tenant_id).await?.item;
    let units = org::units(&mut conn, token.tenant_id).await?;
    let nobody = AccountId::new(0);
    let account = Account {
        display_name: format!("API-nyckel {}", token.name),
        ..Account::new(token.tenant_id, &format!("api-token-{}@kvalitet.invalid", token.id), "")
    };
    Ok(User {
        session: Session {
            account: Versioned { id: nobody, version: 0, item: account },
            assignments: vec![RoleAssignment { account_id: nobody, role: token.role, scope_id: token.scope_id }],
            csrf_token: String::new(),
            method: "api_token".into(),
            // The tree is read here, not kept, so its version is not needed.
            tenant: SessionTenant { name: tenant.name.clone(), demo: tenant.demo, org_version: 0 },
        },
        tenant: tenant.name,
        demo: tenant.demo,
        token: String::new(),
        tree: OrgTree::new(&units),
        client,
        saved: None,
    })
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if let Some(value) = parts.headers.get(header::AUTHORIZATION) {
            let secret = value
                .to_str()
                .ok()
                .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
                .map(str::trim)
                .ok_or(ApiError::Unauthenticated)?;
            let client = Client::of(parts, &state.network);
            let what = format!("{} {}", parts.method, parts.uri.path());
            let today = crate::pages::deviations::today();
            let token = api_tokens::authenticate(&state.store, secret, today, client.addr_text(), &what)
                .await?
                .ok_or(ApiError::Unauthenticated)?;
            let actor = token.actor(client.addr_text());
            let user = token_user(state, &token, client).await?;
            return Ok(Caller { user, actor });
        }
        let user = <User as OptionalFromRequestParts<AppState>>::from_request_parts(parts, state)
            .await?
            .ok_or(ApiError::Unauthenticated)?;
        if user.session.account.must_change_password {
            return Err(crate::error::WebError::ChangePassword.into());
        }
        if parts.method != Method::GET && parts.method != Method::HEAD {
            let sent = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).unwrap_or_default();
            user.check_csrf(sent)?;
        }
        Ok(Caller { actor: user.actor(), user })
    }
}
