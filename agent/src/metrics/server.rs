//! `GET /metrics` on its own listener (loopback unless the operator allowed more; `[metrics]`).
//! A failure to listen is logged and the agent runs on: observability must never stop the sync.

use std::net::SocketAddr;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use tokio::sync::watch;

use super::Scrape;

/// Prometheus text exposition format.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Serves until `stop` turns true.
pub async fn serve(addr: SocketAddr, scrape: Scrape, mut stop: watch::Receiver<bool>) {
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(listener) => listener,
        Err(error) => {
            tracing::error!(%error, %addr, "the metrics endpoint cannot listen there; running without it");
            return;
        }
    };
    tracing::info!(%addr, "metrics served at http://{addr}/metrics");
    let router = Router::new().route("/metrics", get(metrics)).fallback(not_found).with_state(scrape);
    let stopped = async move {
        let _ = stop.wait_for(|stop| *stop).await;
    };
    if let Err(error) = axum::serve(listener, router).with_graceful_shutdown(stopped).await {
        tracing::error!(%error, "the metrics endpoint stopped");
    }
}

async fn metrics(State(scrape): State<Scrape>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, CONTENT_TYPE)], scrape.render().await)
}

async fn not_found() -> impl IntoResponse {
    (StatusCode::NOT_FOUND, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], "not found: the metrics are at /metrics\n")
}
