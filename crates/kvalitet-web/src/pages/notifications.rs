//! Each person's own notification setting: whether they get the daily digest of what is
//! due for them by e-mail (the mails about reports they registered or must handle are
//! always sent, when the installation sends mail).

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};

use crate::auth::{Nav, User};
use crate::error::WebResult;
use crate::router::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "notifications.html")]
pub struct NotificationsPage {
    pub nav: Nav,
    pub digest: bool,
    /// Whether the installation sends mail at all.
    pub mail: bool,
    pub saved: bool,
    pub error: bool,
}

pub async fn form(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<HashMap<String, String>>,
) -> WebResult<NotificationsPage> {
    let mut conn = state.store.read().await?;
    let digest = kvalitet_store::mail::digest_on(&mut conn, user.session.account.id).await?;
    Ok(NotificationsPage { nav: user.nav(), digest, mail: state.mail, saved: q.contains_key("sparat"), error: false })
}

pub async fn submit(
    State(state): State<AppState>,
    user: User,
    Form(f): Form<HashMap<String, String>>,
) -> WebResult<Response> {
    user.check_csrf(f.get("csrf").map_or("", String::as_str))?;
    let on = match f.get("digest").map(String::as_str) {
        Some("on") => true,
        Some("off") => false,
        _ => {
            let mut conn = state.store.read().await?;
            let digest = kvalitet_store::mail::digest_on(&mut conn, user.session.account.id).await?;
            let page = NotificationsPage { nav: user.nav(), digest, mail: state.mail, saved: false, error: true };
            return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let mut tx = state.store.write(&user.actor()).await?;
    kvalitet_store::mail::set_digest(&mut tx, user.session.account.id, on).await?;
    tx.commit().await?;
    Ok(Redirect::to("/konto/aviseringar?sparat=1").into_response())
}
