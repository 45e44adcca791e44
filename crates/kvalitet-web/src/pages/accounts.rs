//! Accounts for administrators (`/admin/konton`): the accounts of their part of the
//! tree with search and filters, creating one, its roles (role × part of the tree), and
//! deactivating, activating, one-time passwords, unlocking and ending sessions. Nobody
//! grants a role outside their own part of the tree or above their own role.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};

use kvalitet_domain::access::{self, Account, AccountId, Permission, Role, RoleAssignment, Tree};
use kvalitet_domain::org::{OrgUnit, OrgUnitId};
use kvalitet_domain::{Code, Id, Versioned};
use kvalitet_store::accounts::{self, Listed};
use kvalitet_store::{StoreError, org};

use crate::auth::{Nav, User};
use crate::error::{WebError, WebResult};
use crate::forms::FormState;
use crate::router::AppState;

/// Accounts per page of the list.
const PAGE: usize = 50;

/// A role as shown: its code, the part of the tree, and whether the viewer may take it away.
pub struct RoleV {
    pub id: i64,
    pub role: &'static str,
    pub scope: String,
    pub removable: bool,
}

pub struct AccountV {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub active: bool,
    pub locked: bool,
    pub must_change: bool,
    pub has_password: bool,
    pub roles: Vec<RoleV>,
}

/// A choice in a select.
pub struct Choice {
    pub value: String,
    pub label: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "accounts.html")]
pub struct ListPage {
    pub nav: Nav,
    pub q: HashMap<String, String>,
    pub accounts: Vec<AccountV>,
    pub total: usize,
    pub page: usize,
    pub pages: usize,
    pub roles: Vec<Choice>,
    pub units: Vec<Choice>,
    /// The query string without the page, for the paging links.
    pub base_query: String,
}

impl ListPage {
    pub fn value(&self, k: &str) -> &str {
        self.q.get(k).map_or("", String::as_str)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "account.html")]
pub struct AccountPage {
    pub nav: Nav,
    pub account: AccountV,
    pub version: i64,
    pub sessions: i64,
    pub manageable: bool,
    pub is_self: bool,
    pub roles: Vec<Choice>,
    pub units: Vec<Choice>,
    pub form: FormState,
    /// A one-time password just made: shown this once.
    pub one_time_password: String,
    pub done: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "account_new.html")]
pub struct NewPage {
    pub nav: Nav,
    pub roles: Vec<Choice>,
    pub units: Vec<Choice>,
    pub form: FormState,
}

/// What the viewer's roles allow, with the tenant's units.
struct Context {
    units: Vec<Versioned<OrgUnit>>,
    top: OrgUnitId,
}

async fn context(state: &AppState, user: &User) -> WebResult<Context> {
    user.require_somewhere(Permission::ManageAccounts)?;
    let mut conn = state.store.read().await?;
    let units = org::units(&mut conn, user.session.account.tenant_id).await?;
    let top = user.tree.top().ok_or(WebError::NotFound)?;
    Ok(Context { units, top })
}

impl Context {
    fn unit_name(&self, id: OrgUnitId) -> String {
        self.units.iter().find(|u| u.id == id).map_or_else(|| id.to_string(), |u| u.name.clone())
    }

    /// The parts of the tree where the viewer manages accounts, in tree order with their
    /// depth shown.
    fn grantable_units(&self, user: &User) -> Vec<Choice> {
        let mut out = Vec::new();
        let mut stack: Vec<(&Versioned<OrgUnit>, usize)> =
            self.units.iter().filter(|u| u.parent_id.is_none()).map(|u| (u, 0)).collect();
        while let Some((u, depth)) = stack.pop() {
            if user.may(Permission::ManageAccounts, u.id) {
                out.push(Choice {
                    value: u.id.get().to_string(), label: format!("{}{}", "– ".repeat(depth), u.name)
                });
            }
            let mut children: Vec<_> = self.units.iter().filter(|c| c.parent_id == Some(u.id)).collect();
            children.sort_by(|a, b| b.name.cmp(&a.name));
            stack.extend(children.into_iter().map(|c| (c, depth + 1)));
        }
        out
    }

    fn view(&self, user: &User, l: &Listed) -> AccountV {
        AccountV {
            id: l.account.id.get(),
            email: l.account.email.clone(),
            name: l.account.display_name.clone(),
            active: l.account.active,
            locked: l.locked,
            must_change: l.account.must_change_password,
            has_password: !l.account.password_hash.is_empty(),
            roles: l
                .roles
                .iter()
                .map(|r| RoleV {
                    id: r.id.get(),
                    role: r.role.code(),
                    scope: self.unit_name(r.scope_id),
                    removable: access::may_grant(user.assignments(), &user.tree, r.role, r.scope_id),
                })
                .collect(),
        }
    }
}

/// The roles the viewer may grant somewhere.
fn grantable_roles(user: &User) -> Vec<Choice> {
    let top_rank = user.assignments().iter().map(|a| a.role.rank()).max().unwrap_or(0);
    Role::ALL
        .iter()
        .filter(|r| r.rank() <= top_rank)
        .map(|r| Choice { value: r.code().to_owned(), label: role_label(*r).to_owned() })
        .collect()
}

/// The Swedish name of a role where Rust builds the text (selects); templates use the
/// `role` macro of `labels.html`, which says the same.
fn role_label(role: Role) -> &'static str {
    match role {
        Role::Administrator => "Administratör",
        Role::QualityDeveloper => "Kvalitetsutvecklare",
        Role::Manager => "Chef",
        Role::Staff => "Medarbetare",
        Role::Reader => "Läsare",
    }
}

fn roles_of(l: &Listed) -> Vec<RoleAssignment> {
    l.roles.iter().map(|r| r.item.clone()).collect()
}

pub async fn list(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<HashMap<String, String>>,
) -> WebResult<ListPage> {
    let cx = context(&state, &user).await?;
    let mut conn = state.store.read().await?;
    let all = accounts::list(&mut conn, user.session.account.tenant_id).await?;
    drop(conn);
    let get = |k: &str| q.get(k).map(|s| s.trim()).filter(|s| !s.is_empty());
    let text = get("q").map(str::to_lowercase);
    let role = get("roll").and_then(Role::from_code);
    let unit = get("enhet").and_then(|s| s.parse::<i64>().ok()).map(Id::new);
    let status = get("status");
    let visible: Vec<&Listed> = all
        .iter()
        .filter(|l| access::may_see_account(user.assignments(), &user.tree, &roles_of(l), cx.top))
        .filter(|l| {
            text.as_ref().is_none_or(|t| {
                l.account.email.contains(t.as_str()) || l.account.display_name.to_lowercase().contains(t.as_str())
            })
        })
        .filter(|l| role.is_none_or(|r| l.roles.iter().any(|a| a.role == r)))
        .filter(|l| unit.is_none_or(|u| l.roles.iter().any(|a| user.tree.is_within(a.scope_id, u))))
        .filter(|l| match status {
            Some("aktiva") => l.account.active,
            Some("inaktiva") => !l.account.active,
            Some("sparrade") => l.locked,
            _ => true,
        })
        .collect();
    let total = visible.len();
    let pages = total.div_ceil(PAGE).max(1);
    let page = get("sida").and_then(|s| s.parse::<usize>().ok()).unwrap_or(1).clamp(1, pages);
    let accounts = visible.iter().skip((page - 1) * PAGE).take(PAGE).map(|l| cx.view(&user, l)).collect();
    let base_query = q
        .iter()
        .filter(|(k, v)| k.as_str() != "sida" && !v.is_empty())
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    Ok(ListPage {
        nav: user.nav(),
        roles: grantable_roles(&user),
        units: cx.grantable_units(&user),
        q,
        accounts,
        total,
        page,
        pages,
        base_query,
    })
}

/// Percent-encodes a query value.
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The account at `id` if the viewer may see it: another tenant's does not exist for
/// them, one outside their part of the tree is refused.
async fn visible_account(state: &AppState, user: &User, cx: &Context, id: &str) -> WebResult<Listed> {
    let id: AccountId = super::parse_id(id)?;
    let mut conn = state.store.read().await?;
    let all = accounts::list(&mut conn, user.session.account.tenant_id).await?;
    let found = all.into_iter().find(|l| l.account.id == id).ok_or(WebError::NotFound)?;
    if !access::may_see_account(user.assignments(), &user.tree, &roles_of(&found), cx.top) {
        return Err(WebError::Forbidden);
    }
    Ok(found)
}

/// The account a form posts about, after the form's CSRF token is checked.
async fn posted_to(
    state: &AppState,
    user: &User,
    id: &str,
    f: &HashMap<String, String>,
) -> WebResult<(Context, Listed)> {
    user.check_csrf(f.get("csrf").map_or("", String::as_str))?;
    let cx = context(state, user).await?;
    let l = visible_account(state, user, &cx, id).await?;
    Ok((cx, l))
}

/// The account page again with the form's errors beside its fields.
async fn with_errors(state: &AppState, user: &User, cx: &Context, l: &Listed, form: FormState) -> WebResult<Response> {
    Ok(account_page(state, user, cx, l, form, String::new(), "").await?.into_response())
}

/// Back to the account page, saying what was done.
fn done(l: &Listed, what: &str) -> Response {
    Redirect::to(&format!("/admin/konton/{}?klart={what}", l.account.id.get())).into_response()
}

async fn account_page(
    state: &AppState,
    user: &User,
    cx: &Context,
    l: &Listed,
    form: FormState,
    one_time_password: String,
    done: &str,
) -> WebResult<AccountPage> {
    let mut conn = state.store.read().await?;
    let sessions = accounts::count_sessions(&mut conn, l.account.id).await?;
    Ok(AccountPage {
        nav: user.nav(),
        account: cx.view(user, l),
        version: l.account.version,
        sessions,
        manageable: access::may_manage_account(user.assignments(), &user.tree, &roles_of(l), cx.top),
        is_self: l.account.id == user.session.account.id,
        roles: grantable_roles(user),
        units: cx.grantable_units(user),
        form,
        one_time_password,
        done: done.to_owned(),
    })
}

pub async fn show(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> WebResult<AccountPage> {
    let cx = context(&state, &user).await?;
    let l = visible_account(&state, &user, &cx, &id).await?;
    let done = q.get("klart").map_or("", String::as_str);
    let done = match done {
        "namn" | "roll" | "inaktiverat" | "aktiverat" | "upplast" | "avslutade" | "roll-borttagen" => done,
        _ => "",
    };
    account_page(&state, &user, &cx, &l, FormState::default(), String::new(), done).await
}

pub async fn new_form(State(state): State<AppState>, user: User) -> WebResult<NewPage> {
    let cx = context(&state, &user).await?;
    Ok(NewPage {
        nav: user.nav(),
        roles: grantable_roles(&user),
        units: cx.grantable_units(&user),
        form: FormState::default(),
    })
}

/// The role and part of the tree a form chose, if the user may grant it there.
fn chosen_role(user: &User, form: &mut FormState) -> Option<(Role, OrgUnitId)> {
    let role = Role::from_code(form.value("role").trim());
    let scope = form.value("scope").trim().parse::<i64>().ok().map(Id::new);
    if role.is_none() {
        form.push("role", "Välj en roll.");
    }
    if scope.is_none() {
        form.push("scope", "Välj den del av organisationen som rollen gäller.");
    }
    let (role, scope) = (role?, scope?);
    if !access::may_grant(user.assignments(), &user.tree, role, scope) {
        form.push("scope", "Du kan bara ge roller inom din egen del av organisationen och högst din egen roll.");
        return None;
    }
    Some((role, scope))
}

fn store_errors(form: &mut FormState, e: StoreError) -> WebResult<()> {
    match e {
        StoreError::Invalid(v) => {
            for fe in &v.errors {
                let field = if fe.field == "display_name" { "name" } else { fe.field };
                form.push(field, crate::pages::session::capitalise(&format!("{}.", fe.problem)));
            }
            Ok(())
        }
        StoreError::Conflict { .. } => {
            form.push("name", "Kontot har ändrats av någon annan under tiden. Läs in sidan och försök igen.");
            Ok(())
        }
        other => Err(other.into()),
    }
}

pub async fn create(
    State(state): State<AppState>,
    user: User,
    Form(f): Form<HashMap<String, String>>,
) -> WebResult<Response> {
    user.check_csrf(f.get("csrf").map_or("", String::as_str))?;
    let cx = context(&state, &user).await?;
    let mut form = FormState::new(f);
    let email = form.value("email").trim().to_lowercase();
    let name = form.value("name").trim().to_owned();
    if email.is_empty() {
        form.push("email", "Ange e-postadressen.");
    }
    if name.is_empty() {
        form.push("name", "Ange personens namn.");
    }
    let chosen = chosen_role(&user, &mut form);
    let new_page =
        |form| NewPage { nav: user.nav(), roles: grantable_roles(&user), units: cx.grantable_units(&user), form };
    let Some((role, scope)) = chosen.filter(|_| !form.has_errors()) else {
        return Ok(new_page(form).into_response());
    };
    let (password, hash) = accounts::one_time_password().await;
    let account = Account {
        must_change_password: true,
        password_expires_at: Some(accounts::now_seconds() + accounts::ONE_TIME_PASSWORD_SECONDS),
        ..Account::new(user.session.account.tenant_id, &email, &name)
    };
    let mut tx = state.store.write(&user.actor()).await?;
    let id = match accounts::create_account(&mut tx, &account, hash, &[(role, scope)]).await {
        Ok(id) => id,
        Err(e) => {
            store_errors(&mut form, e)?;
            return Ok(new_page(form).into_response());
        }
    };
    tx.commit().await?;
    // The one-time password is shown in this answer only: never in a URL, never again.
    let l = visible_account(&state, &user, &cx, &id.get().to_string()).await?;
    Ok(account_page(&state, &user, &cx, &l, FormState::default(), password, "skapat").await?.into_response())
}

/// One of the actions on a whole account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Change {
    Deactivate,
    Activate,
    Unlock,
    ResetPassword,
    EndSessions,
}

async fn change(
    state: AppState,
    user: User,
    id: String,
    f: HashMap<String, String>,
    what: Change,
) -> WebResult<Response> {
    let (cx, l) = posted_to(&state, &user, &id, &f).await?;
    if !access::may_manage_account(user.assignments(), &user.tree, &roles_of(&l), cx.top) {
        return Err(WebError::Forbidden);
    }
    if l.account.id == user.session.account.id && what == Change::Deactivate {
        let mut form = FormState::default();
        form.push("active", "Du kan inte inaktivera ditt eget konto. Be en annan administratör.");
        return with_errors(&state, &user, &cx, &l, form).await;
    }
    let otp = match what {
        Change::ResetPassword => Some(accounts::one_time_password().await),
        _ => None,
    };
    let mut tx = state.store.write(&user.actor()).await?;
    let what_was_done = match what {
        Change::Deactivate => {
            accounts::set_active(&mut tx, l.account.id, false).await?;
            "inaktiverat"
        }
        Change::Activate => {
            accounts::set_active(&mut tx, l.account.id, true).await?;
            "aktiverat"
        }
        Change::Unlock => {
            accounts::unlock(&mut tx, l.account.id).await?;
            "upplast"
        }
        Change::EndSessions => {
            accounts::end_all_sessions(&mut tx, l.account.id).await?;
            "avslutade"
        }
        Change::ResetPassword => {
            let (_, hash) = otp.as_ref().expect("made above");
            accounts::set_one_time_password(&mut tx, l.account.id, hash.clone()).await?;
            "losenord"
        }
    };
    tx.commit().await?;
    if let Some((password, _)) = otp {
        let l = visible_account(&state, &user, &cx, &id).await?;
        return Ok(account_page(&state, &user, &cx, &l, FormState::default(), password, what_was_done)
            .await?
            .into_response());
    }
    Ok(done(&l, what_was_done))
}

macro_rules! change_handler {
    ($($name:ident => $what:expr),+ $(,)?) => {$(
        pub async fn $name(
            State(state): State<AppState>,
            user: User,
            Path(id): Path<String>,
            Form(f): Form<HashMap<String, String>>,
        ) -> WebResult<Response> {
            change(state, user, id, f, $what).await
        }
    )+};
}

change_handler! {
    deactivate => Change::Deactivate,
    activate => Change::Activate,
    unlock => Change::Unlock,
    reset_password => Change::ResetPassword,
    end_sessions => Change::EndSessions,
}

pub async fn rename(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    Form(f): Form<HashMap<String, String>>,
) -> WebResult<Response> {
    let (cx, l) = posted_to(&state, &user, &id, &f).await?;
    if !access::may_manage_account(user.assignments(), &user.tree, &roles_of(&l), cx.top) {
        return Err(WebError::Forbidden);
    }
    let mut form = FormState::new(f);
    let version = form.value("version").trim().parse::<i64>().unwrap_or(-1);
    let name = form.value("name").trim().to_owned();
    if name.is_empty() {
        form.push("name", "Ange personens namn.");
        return with_errors(&state, &user, &cx, &l, form).await;
    }
    let mut tx = state.store.write(&user.actor()).await?;
    let check = Account { display_name: name.clone(), ..l.account.item.clone() };
    let result = match kvalitet_domain::Validate::validate(&check) {
        Ok(()) => accounts::rename(&mut tx, l.account.id, version, &name).await,
        Err(e) => Err(e.into()),
    };
    if let Err(e) = result {
        store_errors(&mut form, e)?;
        return with_errors(&state, &user, &cx, &l, form).await;
    }
    tx.commit().await?;
    Ok(done(&l, "namn"))
}

pub async fn add_role(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    Form(f): Form<HashMap<String, String>>,
) -> WebResult<Response> {
    let (cx, l) = posted_to(&state, &user, &id, &f).await?;
    let mut form = FormState::new(f);
    let Some((role, scope)) = chosen_role(&user, &mut form) else {
        return with_errors(&state, &user, &cx, &l, form).await;
    };
    let mut tx = state.store.write(&user.actor()).await?;
    if let Err(e) = accounts::add_role(&mut tx, l.account.id, role, scope).await {
        store_errors(&mut form, e)?;
        return with_errors(&state, &user, &cx, &l, form).await;
    }
    tx.commit().await?;
    Ok(done(&l, "roll"))
}

pub async fn remove_role(
    State(state): State<AppState>,
    user: User,
    Path((id, role_id)): Path<(String, String)>,
    Form(f): Form<HashMap<String, String>>,
) -> WebResult<Response> {
    let (cx, l) = posted_to(&state, &user, &id, &f).await?;
    let role_id: Id<RoleAssignment> = super::parse_id(&role_id)?;
    let assignment = l.roles.iter().find(|r| r.id == role_id).ok_or(WebError::NotFound)?;
    if !access::may_grant(user.assignments(), &user.tree, assignment.role, assignment.scope_id) {
        return Err(WebError::Forbidden);
    }
    if l.account.id == user.session.account.id && assignment.role == Role::Administrator {
        let mut form = FormState::default();
        form.push("role", "Du kan inte ta bort din egen administratörsroll. Be en annan administratör.");
        return with_errors(&state, &user, &cx, &l, form).await;
    }
    let mut tx = state.store.write(&user.actor()).await?;
    accounts::remove_role(&mut tx, role_id).await?;
    tx.commit().await?;
    Ok(done(&l, "roll-borttagen"))
}
