//! The access log: one line per request (request id, method, route pattern without the
//! query, status, duration, account id, client address), and a span around the request
//! so that anything logged while handling it carries its id and route.

use std::sync::{Arc, OnceLock};
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

use crate::client::{Client, Network};

/// Where the signed-in user's account id is left for the access log (set by `auth`).
#[derive(Debug, Clone, Default)]
pub struct AccountSlot(Arc<OnceLock<i64>>);

impl AccountSlot {
    pub fn set(&self, account: i64) {
        let _ = self.0.set(account);
    }
}

/// The access-log middleware: apply it with `axum::middleware::from_fn_with_state` and
/// the installation's [`Network`], outermost over the router (so the route pattern is
/// known and every other layer is timed). The client's address is the one
/// [`Client::of`] finds: through a trusted proxy, the forwarded one.
pub async fn middleware(State(network): State<Network>, req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    let client = Client::of(&parts, &network).addr_text().unwrap_or_else(|| "-".into());
    log(Request::from_parts(parts, body), client, next).await
}

async fn log(mut req: Request, client: String, next: Next) -> Response {
    let start = Instant::now();
    let id = uuid::Uuid::new_v4().simple().to_string()[..16].to_owned();
    let method = req.method().clone();
    let route = req.extensions().get::<MatchedPath>().map_or_else(|| "-".to_owned(), |m| m.as_str().to_owned());
    let account = AccountSlot::default();
    req.extensions_mut().insert(account.clone());
    let span = tracing::info_span!("request", request_id = %id, method = %method, route = %route);
    let mut res = next.run(req).instrument(span).await;
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert("x-request-id", v);
    }
    tracing::info!(
        target: "kvalitet::access",
        request_id = %id,
        method = %method,
        route = %route,
        status = res.status().as_u16(),
        duration_ms = start.elapsed().as_millis() as u64,
        account = account.0.get().copied(),
        client = %client,
        "request"
    );
    res
}
