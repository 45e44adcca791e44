//! Signing in and out, and changing one's password.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};

use kvalitet_store::StoreError;
use kvalitet_store::accounts::{self, LoginRefused};

use crate::auth::{Nav, User, session_cookie};
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
}

/// Only local paths are followed after sign-in (no open redirect).
fn safe_next(next: Option<&String>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.clone(),
        _ => "/".into(),
    }
}

pub async fn form(Query(q): Query<HashMap<String, String>>) -> LoginPage {
    LoginPage {
        nav: Nav::default(),
        error: String::new(),
        email: String::new(),
        next: safe_next(q.get("nasta")),
        signed_out: q.contains_key("utloggad"),
    }
}

pub async fn submit(State(state): State<AppState>, Form(f): Form<HashMap<String, String>>) -> WebResult<Response> {
    let email = f.get("email").map(|s| s.trim().to_owned()).unwrap_or_default();
    let password = f.get("password").cloned().unwrap_or_default();
    let next = safe_next(f.get("nasta"));
    let refused = |error: &str| LoginPage {
        nav: Nav::default(),
        error: error.to_owned(),
        email: email.clone(),
        next: next.clone(),
        signed_out: false,
    };
    if email.is_empty() || password.is_empty() {
        return Ok(refused("Fyll i både e-postadress och lösenord.").into_response());
    }
    match accounts::login(&state.store, &email, &password).await? {
        Ok((_, session)) => {
            let mut res = Redirect::to(&next).into_response();
            res.headers_mut().insert(
                header::SET_COOKIE,
                session_cookie(Some(&session.token), state.secure_cookies).parse().expect("cookie"),
            );
            Ok(res)
        }
        Err(LoginRefused::BadCredentials) => {
            Ok(refused("E-postadressen eller lösenordet stämmer inte. Kontrollera och försök igen.").into_response())
        }
        Err(LoginRefused::Locked { .. }) => Ok(refused(
            "För många misslyckade försök. Kontot är spärrat i 15 minuter. Kontakta din administratör om du har glömt ditt lösenord.",
        )
        .into_response()),
    }
}

pub async fn logout(
    State(state): State<AppState>,
    user: User,
    Form(f): Form<HashMap<String, String>>,
) -> WebResult<Response> {
    user.check_csrf(f.get("csrf").map_or("", String::as_str))?;
    accounts::logout(&state.store, &user.token, &user.actor()).await?;
    let mut res = Redirect::to("/logga-in?utloggad=1").into_response();
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
    match accounts::change_password(&state.store, user.session.account.id, &current, new, &user.token).await {
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
