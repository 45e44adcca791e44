//! The access log: one line per request (request id, method, route pattern without the
//! query, status, duration, account id, client address), and a span around the request
//! so that anything logged while handling it carries its id and route.

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use axum::extract::{ConnectInfo, MatchedPath, Request};
use axum::http::{Extensions, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

/// Where the signed-in user's account id is left for the access log (set by `auth`).
#[derive(Debug, Clone, Default)]
pub struct AccountSlot(Arc<OnceLock<i64>>);

impl AccountSlot {
    pub fn set(&self, account: i64) {
        let _ = self.0.set(account);
    }
}

/// The client's address, from the connection. The one place that says who the client is.
pub fn client_address(extensions: &Extensions) -> Option<String> {
    extensions.get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(addr)| addr.ip().to_string())
}

/// The access-log middleware: apply it with `axum::middleware::from_fn`, outermost over
/// the router (so the route pattern is known and every other layer is timed).
pub async fn middleware(req: Request, next: Next) -> Response {
    log(req, next).await
}

async fn log(mut req: Request, next: Next) -> Response {
    let start = Instant::now();
    let id = uuid::Uuid::new_v4().simple().to_string()[..16].to_owned();
    let method = req.method().clone();
    let route = req.extensions().get::<MatchedPath>().map_or_else(|| "-".to_owned(), |m| m.as_str().to_owned());
    let client = client_address(req.extensions()).unwrap_or_else(|| "-".into());
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
