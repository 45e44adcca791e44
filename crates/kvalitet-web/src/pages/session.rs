//! Signing in and out, and changing one's password.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};

use kvalitet_store::StoreError;
use kvalitet_store::{accounts, tenants};

use crate::auth::{Nav, User, session_cookie};
use crate::client::Client;
use crate::error::{WebError, WebResult};
use crate::router::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
pub struct LoginPage {
    pub nav: Nav,
    pub error: String,
    pub email: String,
    pub next: String,
    pub signed_out: bool,
    /// No municipality is set up yet: the page says how.
    pub needs_setup: bool,
    /// The browser reached us over plain HTTP on a name where it will not send the
    /// `Secure` session cookie back: signing in cannot work, and the page says why.
    pub insecure: bool,
    /// The providers that sign people in here, first on the page: (the provider's short
    /// name, its button's text, naming the municipality when several are offered).
    pub sso: Vec<(String, String)>,
    /// Everyone may sign in with a password (else only break-glass accounts, behind a
    /// fold).
    pub passwords: bool,
}

/// The one answer to every failed sign-in, whatever the cause.
const REFUSED: &str = "E-postadressen eller lösenordet stämmer inte, eller så har det gjorts för många försök. Vänta en stund och försök igen. Har du glömt ditt lösenord, kontakta din administratör.";

/// Only same-site paths without control characters are followed after sign-in (no
/// open redirect).
pub fn safe_next(next: Option<&String>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.contains('\\')
                && !n.chars().any(|c| c.is_control() || c.is_whitespace())
                && n.len() <= 2000 =>
        {
            n.clone()
        }
        _ => "/".into(),
    }
}

/// A Swedish name in the genitive: "Älvby kommun" → "Älvby kommuns", "Borås" → "Borås".
fn genitive(name: &str) -> String {
    let name = name.trim();
    if name.ends_with(['s', 'x', 'z', 'S', 'X', 'Z']) { name.to_owned() } else { format!("{name}s") }
}

/// The sign-in page for `next`, with nothing filled in.
pub async fn login_page(state: &AppState, client: &Client, next: String) -> WebResult<LoginPage> {
    let mut conn = state.store.read().await?;
    let all = tenants::all(&mut conn).await?;
    Ok(LoginPage {
        nav: Nav { demo: all.iter().any(|t| t.demo), ..Nav::default() },
        error: String::new(),
        email: String::new(),
        next,
        signed_out: false,
        needs_setup: all.is_empty(),
        insecure: state.secure_cookies && !client.keeps_secure_cookies(),
        sso: state.sso.as_ref().map_or_else(Vec::new, |sso| {
            let offered = sso.offered(Some(&client.host));
            let several = offered.len() > 1;
            offered
                .into_iter()
                .map(|p| {
                    let label = if several {
                        format!("Logga in med {} konto", genitive(&p.name))
                    } else {
                        "Logga in med kommunens konto".to_owned()
                    };
                    (p.key.clone(), label)
                })
                .collect()
        }),
        passwords: state.sso.as_ref().is_none_or(|s| s.password_login),
    })
}

pub async fn form(
    State(state): State<AppState>,
    client: Client,
    Query(q): Query<HashMap<String, String>>,
) -> WebResult<LoginPage> {
    let page = login_page(&state, &client, safe_next(q.get("nasta"))).await?;
    Ok(LoginPage { signed_out: q.contains_key("utloggad"), ..page })
}

pub async fn submit(
    State(state): State<AppState>,
    client: Client,
    Form(f): Form<HashMap<String, String>>,
) -> WebResult<Response> {
    let email = f.get("email").map(|s| s.trim().to_owned()).unwrap_or_default();
    let password = f.get("password").cloned().unwrap_or_default();
    let page = login_page(&state, &client, safe_next(f.get("nasta"))).await?;
    if page.insecure || page.needs_setup {
        // A session the browser will not send back would only return the person to an
        // empty form: say why instead.
        return Ok(LoginPage { email, ..page }.into_response());
    }
    if email.is_empty() || password.is_empty() {
        return Ok(LoginPage { email, error: "Fyll i både e-postadress och lösenord.".into(), ..page }.into_response());
    }
    let addr = client.addr_text();
    if state.sso.as_ref().is_some_and(|s| !s.allows_password(&email)) {
        // Passwords are off and this is no break-glass account: the same answer as any
        // other refusal, the reason in the audit log.
        accounts::refuse_password_off(&state.store, &email, addr.as_deref()).await?;
        return Ok(LoginPage { email, error: REFUSED.into(), ..page }.into_response());
    }
    match accounts::login(&state.store, &email, &password, addr.as_deref()).await? {
        Ok((_, session)) => {
            let mut res = Redirect::to(&page.next).into_response();
            res.headers_mut().insert(
                header::SET_COOKIE,
                session_cookie(Some(&session.token), state.secure_cookies).parse().expect("cookie"),
            );
            Ok(res)
        }
        Err(_) => Ok(LoginPage { email, error: REFUSED.into(), ..page }.into_response()),
    }
}

pub async fn logout(
    State(state): State<AppState>,
    user: User,
    Form(f): Form<HashMap<String, String>>,
) -> WebResult<Response> {
    user.check_csrf(f.get("csrf").map_or("", String::as_str))?;
    accounts::logout(&state.store, &user.token, &user.actor()).await?;
    // A session begun at the provider is ended there too, where it has an end-session
    // endpoint; it sends the browser back to the sign-in page.
    let at_provider = match (&state.sso, user.session.method.as_str()) {
        (Some(sso), "oidc") => match sso.for_tenant(user.session.account.tenant_id) {
            Some(p) => p.provider.logout_url(None).await,
            None => None,
        },
        _ => None,
    };
    let mut res = Redirect::to(at_provider.as_deref().unwrap_or("/logga-in?utloggad=1")).into_response();
    res.headers_mut().insert(header::SET_COOKIE, session_cookie(None, state.secure_cookies).parse().expect("cookie"));
    Ok(res)
}

#[derive(Template, WebTemplate)]
#[template(path = "password.html")]
pub struct PasswordPage {
    pub nav: Nav,
    pub must_change: bool,
    pub done: bool,
    pub errors: Vec<(String, String)>,
}

pub async fn password_form(user: User, Query(q): Query<HashMap<String, String>>) -> PasswordPage {
    PasswordPage {
        nav: user.nav(),
        must_change: user.session.account.must_change_password,
        done: q.contains_key("klart"),
        errors: vec![],
    }
}

pub async fn password_submit(
    State(state): State<AppState>,
    user: User,
    Form(f): Form<HashMap<String, String>>,
) -> WebResult<Response> {
    user.check_csrf(f.get("csrf").map_or("", String::as_str))?;
    let current = f.get("current").cloned().unwrap_or_default();
    let new = f.get("password").cloned().unwrap_or_default();
    let addr = user.client.addr_text();
    match accounts::change_password(&state.store, user.session.account.id, &current, new, &user.token, addr.as_deref())
        .await
    {
        Ok(()) => Ok(Redirect::to("/konto/losenord?klart=1").into_response()),
        Err(StoreError::Invalid(v)) => Ok(PasswordPage {
            nav: user.nav(),
            must_change: user.session.account.must_change_password,
            done: false,
            errors: v.errors.iter().map(|e| (e.field.to_owned(), capitalise(&e.problem.to_string()))).collect(),
        }
        .into_response()),
        Err(e) => Err(WebError::from(e)),
    }
}

/// "får inte vara tomt" → "Får inte vara tomt".
pub fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}
