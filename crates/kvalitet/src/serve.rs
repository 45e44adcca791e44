//! Serving HTTP within limits: a connection limit, a deadline for a request's headers
//! (which is also how long an idle kept-alive connection waits for its next request), a
//! deadline for its body and for the whole request, a body size limit, and a shutdown
//! deadline after which connections still open are closed.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{ConnectInfo, DefaultBodyLimit};
use axum::http::StatusCode;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;
use tower_http::timeout::RequestBodyTimeoutLayer;

/// The server's limits (flags of `kvalitet serve`).
#[derive(Debug, Clone, clap::Args)]
pub struct Limits {
    /// Längsta tid för att ta emot en begärans huvud; också hur länge en öppen anslutning väntar på nästa begäran
    #[arg(long, env = "KVALITET_HEADER_TIMEOUT", default_value = "10s", value_parser = crate::cli::duration)]
    pub header_timeout: Duration,
    /// Längsta tid för att ta emot en begärans innehåll
    #[arg(long, env = "KVALITET_BODY_TIMEOUT", default_value = "30s", value_parser = crate::cli::duration)]
    pub body_timeout: Duration,
    /// Längsta tid för en hel begäran, innan den avbryts med 408
    #[arg(long, env = "KVALITET_REQUEST_TIMEOUT", default_value = "60s", value_parser = crate::cli::duration)]
    pub request_timeout: Duration,
    /// Största tillåtna innehåll i en begäran, i byte
    #[arg(long, env = "KVALITET_MAX_BODY_BYTES", default_value_t = 2 << 20)]
    pub max_body_bytes: usize,
    /// Högsta antal samtidiga anslutningar; fler väntar på att tas emot
    #[arg(long, env = "KVALITET_MAX_CONNECTIONS", default_value_t = 1024)]
    pub max_connections: usize,
    /// Längsta tid för en uppladdning av en export från verksamhetssystemet (/matt/inlasning), som kan vara flera hundra MB
    #[arg(long, env = "KVALITET_UPLOAD_TIMEOUT", default_value = "1h", value_parser = crate::cli::duration)]
    pub upload_timeout: Duration,
    /// Hur länge en avstängning väntar på pågående begäranden innan anslutningarna stängs
    #[arg(long, env = "KVALITET_SHUTDOWN_TIMEOUT", default_value = "20s", value_parser = crate::cli::duration)]
    pub shutdown_timeout: Duration,
}

/// Serves `app` on `listener` until `shutdown` resolves, then lets requests in progress
/// finish for at most `limits.shutdown_timeout` and closes what is left.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: &Limits,
    network: kvalitet_web::Network,
    shutdown: impl Future<Output = ()>,
) {
    let app = app
        .layer(DefaultBodyLimit::max(limits.max_body_bytes))
        .layer(RequestBodyTimeoutLayer::new(limits.body_timeout))
        .layer(axum::middleware::from_fn_with_state((limits.request_timeout, limits.upload_timeout), deadline))
        .layer(axum::middleware::from_fn_with_state(network, kvalitet_web::access_log::middleware));
    // HTTP/1.1 only: browsers speak HTTP/2 only over TLS, which the reverse proxy ends;
    // and with HTTP/1 alone the header deadline runs from the first moment, where the
    // protocol detection of a dual-protocol server waits for a first byte without one.
    let mut builder = http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(limits.header_timeout).keep_alive(true);
    let builder = Arc::new(builder);
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let mut shutdown = pin!(shutdown);
    loop {
        // A free slot first: beyond the limit, connections wait in the kernel's queue.
        let permit = tokio::select! {
            p = slots.clone().acquire_owned() => p.expect("the semaphore is never closed"),
            () = &mut shutdown => break,
        };
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors, say: wait a moment rather than spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let app = app.clone();
        let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
            req.extensions_mut().insert(ConnectInfo::<SocketAddr>(remote));
            let app = app.clone();
            async move {
                Ok::<_, Infallible>(app.oneshot(req.map(axum::body::Body::new)).await.unwrap_or_else(|e| match e {}))
            }
        });
        let conn = graceful.watch(builder.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            let _ = conn.await;
            drop(permit);
        });
    }
    drop(listener);
    let open = graceful.count();
    if tokio::time::timeout(limits.shutdown_timeout, graceful.shutdown()).await.is_err() {
        tracing::warn!(open, deadline = ?limits.shutdown_timeout, "shutdown deadline passed; closing the remaining connections");
    }
}

/// The whole request's deadline, answered with 408: the request timeout, or for an upload
/// of case data (files of several hundred MB) the upload timeout.
async fn deadline(
    axum::extract::State((request, upload)): axum::extract::State<(Duration, Duration)>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let limit = if kvalitet_web::LONG_UPLOADS.contains(&req.uri().path()) { upload } else { request };
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(response) => response,
        Err(_) => StatusCode::REQUEST_TIMEOUT.into_response(),
    }
}
