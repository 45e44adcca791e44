//! Signing in through the municipality's OpenID Connect provider: the start, which sends
//! the browser to the provider, and the callback at `/logga-in/oidc`, where it returns
//! with a code. The flow's state lives in the database (any instance may finish it),
//! bound to the browser by a short cookie, and is used once.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};

use kvalitet_store::accounts::provider::{self, Identity, Refused};
use kvalitet_store::accounts::{self, random_token};
use kvalitet_store::oidc::{self, FLOW_SECONDS, Flow};

use crate::auth::{cookie_in, session_cookie};
use crate::client::Client;
use crate::error::WebResult;
use crate::pages::session::{LoginPage, login_page, safe_next};
use crate::router::AppState;

/// The cookie binding a flow to the browser that began it.
const FLOW_COOKIE: &str = "kvalitet_oidc";

fn flow_cookie(value: Option<&str>, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let (value, age) = value.map_or(("", 0), |v| (v, FLOW_SECONDS));
    format!("{FLOW_COOKIE}={value}; Path=/logga-in; HttpOnly; SameSite=Lax; Max-Age={age}{secure}")
        .parse()
        .expect("cookie")
}

/// Sends the browser to the provider, with a fresh state, nonce and PKCE challenge.
pub async fn start(
    State(state): State<AppState>,
    client: Client,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> WebResult<Response> {
    let Some(sso) = state.sso.clone() else { return Ok(Redirect::to("/logga-in").into_response()) };
    let key = q.get("kommun").map_or("", String::as_str);
    let Some(chosen) = sso.by_key(key) else { return Ok(Redirect::to("/logga-in").into_response()) };
    let started = match chosen.provider.start(&chosen.key).await {
        Ok(s) => s,
        Err(e) => {
            tracing::error!("the OpenID Connect provider: {e}");
            return failed(&state, &client, Message::Unavailable).await;
        }
    };
    // A browser with a flow under way keeps its value, so two tabs may sign in at once.
    let browser = cookie_in(&headers, FLOW_COOKIE)
        .filter(|v| v.len() == 64 && v.chars().all(|c| c.is_ascii_hexdigit()))
        .map_or_else(random_token, str::to_owned);
    let flow =
        Flow { nonce: started.nonce, pkce_verifier: started.pkce_verifier, return_to: safe_next(q.get("nasta")) };
    let addr = client.addr_text();
    if !oidc::begin(&state.store, &started.state, &browser, &flow, addr.as_deref()).await? {
        provider::audit_failure(&state.store, "flow_starts_throttled", addr.as_deref()).await?;
        return failed(&state, &client, Message::Throttled).await;
    }
    let mut res = Redirect::to(&started.url).into_response();
    res.headers_mut().insert(header::SET_COOKIE, flow_cookie(Some(&browser), state.secure_cookies));
    Ok(res)
}

/// The provider sends the browser back here with `code` and `state` (or `error`).
pub async fn callback(
    State(state): State<AppState>,
    client: Client,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> WebResult<Response> {
    let Some(sso) = state.sso.clone() else { return Ok(Redirect::to("/logga-in").into_response()) };
    let addr = client.addr_text();
    let browser = cookie_in(&headers, FLOW_COOKIE).unwrap_or_default();
    let Some(flow_state) = q.get("state").filter(|s| !s.is_empty()) else {
        provider::audit_failure(&state.store, "missing_state", addr.as_deref()).await?;
        return failed(&state, &client, Message::Failed).await;
    };
    let flow = match oidc::take(&state.store, flow_state, browser).await? {
        Ok(flow) => flow,
        Err(lost) => {
            provider::audit_failure(&state.store, lost.code(), addr.as_deref()).await?;
            return failed(&state, &client, Message::Failed).await;
        }
    };
    if let Some(error) = q.get("error") {
        tracing::info!("the provider answered {error}: {}", q.get("error_description").map_or("", String::as_str));
        provider::audit_failure(&state.store, "provider_error", addr.as_deref()).await?;
        return failed(&state, &client, Message::Cancelled).await;
    }
    // The flow was found by the whole state, so its first part names the provider it was
    // begun with.
    let Some(chosen) = sso.by_state(flow_state) else {
        provider::audit_failure(&state.store, "unknown_provider", addr.as_deref()).await?;
        return failed(&state, &client, Message::Failed).await;
    };
    let code = q.get("code").map_or("", String::as_str);
    let person = match chosen.provider.finish(code, &flow.pkce_verifier, &flow.nonce).await {
        Ok(p) => p,
        Err(e) => {
            tracing::warn!("OpenID Connect sign-in refused: {e}");
            provider::audit_failure(&state.store, "token_refused", addr.as_deref()).await?;
            return failed(&state, &client, Message::Failed).await;
        }
    };
    let identity = Identity { key: person.key, name: person.name, groups: person.groups };
    match accounts::provider::sign_in(&state.store, &identity, &chosen.provisioning, addr.as_deref()).await? {
        Ok((_, session)) => {
            let mut res = Redirect::to(&flow.return_to).into_response();
            let h = res.headers_mut();
            h.append(
                header::SET_COOKIE,
                session_cookie(Some(&session.token), state.secure_cookies).parse().expect("cookie"),
            );
            h.append(header::SET_COOKIE, flow_cookie(None, state.secure_cookies));
            Ok(res)
        }
        Err(Refused::Unknown) => failed(&state, &client, Message::Unknown).await,
        Err(Refused::Inactive) => failed(&state, &client, Message::Inactive).await,
    }
}

/// What the person is told when signing in through the provider did not work.
#[derive(Debug, Clone, Copy)]
enum Message {
    Unavailable,
    Failed,
    Cancelled,
    Unknown,
    Inactive,
    Throttled,
}

impl Message {
    fn text(self) -> &'static str {
        match self {
            Message::Unavailable => {
                "Kommunens inloggningstjänst svarar inte just nu. Försök igen om en stund. Fungerar det inte, kontakta kommunens IT-support."
            }
            Message::Failed => {
                "Inloggningen med kommunens konto gick inte att slutföra, eller så tog den för lång tid. Försök igen."
            }
            Message::Cancelled => "Inloggningen med kommunens konto avbröts. Försök igen om du vill logga in.",
            Message::Unknown => {
                "Du är inloggad hos kommunen, men ditt konto finns inte i Kvalitet. Kontakta din administratör så lägger hen upp ett konto åt dig."
            }
            Message::Inactive => {
                "Ditt konto i Kvalitet är avstängt. Kontakta din administratör om du behöver komma åt Kvalitet."
            }
            Message::Throttled => {
                "Många inloggningar har påbörjats från din adress utan att slutföras. Vänta en minut och försök igen."
            }
        }
    }
}

async fn failed(state: &AppState, client: &Client, message: Message) -> WebResult<Response> {
    let page = login_page(state, client, "/".into()).await?;
    let mut res = LoginPage { error: message.text().into(), ..page }.into_response();
    res.headers_mut().append(header::SET_COOKIE, flow_cookie(None, state.secure_cookies));
    Ok(res)
}
