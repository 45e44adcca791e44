//! Sign-ins through the municipality's OpenID Connect provider that are under way: what
//! the callback needs to finish one (nonce, PKCE verifier, where to go afterwards), kept
//! in the database so any app instance can finish a flow another began, and taken once.

use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::accounts::throttle::{self, Policy};
use crate::error::Result;
use crate::{Actor, Store};

/// A flow may be finished this long after it began, in seconds.
pub const FLOW_SECONDS: i64 = 10 * 60;

fn hash(value: &str) -> String {
    hex::encode(Sha256::digest(value.as_bytes()))
}

/// What a flow keeps between the redirect to the provider and the way back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flow {
    pub nonce: String,
    pub pkce_verifier: String,
    /// The same-site path to go to after sign-in.
    pub return_to: String,
}

/// Flow starts from one client address without a sign-in finished from it: three
/// hundred (a town hall behind one address signs in many people, and each success starts
/// the count again), then each further start waits 5 s, 10 s, … up to a minute, so an
/// unauthenticated client cannot fill the table with flows.
pub const FLOW_STARTS: Policy = Policy { free: 300, first_delay: 5, max_delay: 60 };

/// The throttle key of flow starts from a client address.
pub fn starts_key(client: &str) -> String {
    format!("o:{client}")
}

/// Keeps a flow under its `state` for [`FLOW_SECONDS`], bound to the browser holding
/// `browser`; removes flows that have expired. A start from `client` (when known) is
/// counted against [`FLOW_STARTS`]: `false` when that address must wait, and nothing is
/// kept.
pub async fn begin(store: &Store, state: &str, browser: &str, flow: &Flow, client: Option<&str>) -> Result<bool> {
    let now = crate::accounts::now_seconds();
    let mut tx = store.write(&Actor::system("oidc").from_client(client.map(str::to_owned))).await?;
    if let Some(client) = client
        && !throttle::attempt(&mut tx, &[(starts_key(client), FLOW_STARTS)], now).await?
    {
        return Ok(false);
    }
    sqlx::query("DELETE FROM oidc_flow WHERE expires_at < $1").bind(now).execute(&mut *tx).await?;
    sqlx::query(
        "INSERT INTO oidc_flow (state_hash, browser_hash, nonce, pkce_verifier, return_to, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(hash(state))
    .bind(hash(browser))
    .bind(flow.nonce.clone())
    .bind(flow.pkce_verifier.clone())
    .bind(flow.return_to.clone())
    .bind(now + FLOW_SECONDS)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Why a flow could not be taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lost {
    /// No flow has that state: never begun, or already used.
    Unknown,
    /// Begun in another browser.
    OtherBrowser,
    /// Begun more than [`FLOW_SECONDS`] ago.
    Expired,
}

impl Lost {
    pub fn code(self) -> &'static str {
        match self {
            Lost::Unknown => "unknown_state",
            Lost::OtherBrowser => "other_browser",
            Lost::Expired => "expired_state",
        }
    }
}

/// Takes the flow of `state`: it is removed whatever the outcome, so a state is used
/// at most once, also when two requests race for it (only one gets the row).
pub async fn take(store: &Store, state: &str, browser: &str) -> Result<std::result::Result<Flow, Lost>> {
    let mut conn = store.read().await?;
    let row = sqlx::query(
        "DELETE FROM oidc_flow WHERE state_hash = $1 \
         RETURNING browser_hash, nonce, pkce_verifier, return_to, expires_at",
    )
    .bind(hash(state))
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(Err(Lost::Unknown)) };
    let browser_hash: String = row.try_get("browser_hash")?;
    if browser_hash != hash(browser) {
        return Ok(Err(Lost::OtherBrowser));
    }
    let expires_at: i64 = row.try_get("expires_at")?;
    if expires_at < crate::accounts::now_seconds() {
        return Ok(Err(Lost::Expired));
    }
    Ok(Ok(Flow {
        nonce: row.try_get("nonce")?,
        pkce_verifier: row.try_get("pkce_verifier")?,
        return_to: row.try_get("return_to")?,
    }))
}
