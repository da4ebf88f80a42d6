//! woo-sim: a WooCommerce REST API v3 simulator that behaves like a real store, including the
//! unfriendly parts — keys only over HTTPS and OAuth 1.0a over HTTP, 413 batches, refunds that
//! fail for offline gateways, webhooks that coalesce, arrive late and disable themselves, the
//! hooks each path fires, and the events the plugin would spool.
//!
//! In process: `woo_sim::start(Config::demo()).await` gives the URLs, the key pair, the
//! certificate and a [`Control`] handle; the `woo-sim` binary is a thin wrapper around it.

#![recursion_limit = "256"]

pub mod app;
pub mod auth;
pub mod clock;
pub mod config;
pub mod control;
pub mod events;
pub mod hooks;
pub mod json;
pub mod model;
pub mod money;
pub mod orders;
pub mod refunds;
pub mod render;
pub mod rest;
pub mod seed;
pub mod stock;
pub mod totals;
pub mod webhooks;

use std::sync::Arc;

use axum::response::{IntoResponse, Response};
use axum::Router;
use serde_json::{json, Value};
use sim_kit::{FaultLayer, Faults, Journal, Listen, RunningServer};

pub use config::{Config, Seed};
pub use control::checkout::{CheckoutKind, FeeRequest, ItemRequest, PlaceOrder, ShippingRequest};
pub use control::admin::{AdminRefund, ChangeOrder, ChangeProduct, CustomerRequest, RefundLine};
pub use control::{Control, ControlError};
pub use webhooks::delivery::DeliverySettings;

/// The WooCommerce version the simulated store reports.
pub const WOOCOMMERCE_VERSION: &str = "10.0.2";
pub const WORDPRESS_VERSION: &str = "6.8.8";

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("binding {addr}: {source}")]
    Bind { addr: std::net::SocketAddr, source: std::io::Error },
    #[error("home URL: {0}")]
    HomeUrl(String),
    #[error(transparent)]
    Seed(#[from] seed::SeedError),
    #[error(transparent)]
    Spool(#[from] events::SinkError),
    #[error("TLS certificate: {0}")]
    Tls(String),
    #[error("consumer key/secret must look like ck_… / cs_…")]
    KeyFormat,
}

/// A simulator running in the background.
pub struct RunningWooSim {
    /// `http://127.0.0.1:PORT`
    pub http_url: String,
    /// `https://127.0.0.1:PORT` when HTTPS was asked for.
    pub https_url: Option<String>,
    /// The site's home URL (signatures, webhook source, links).
    pub home_url: String,
    pub consumer_key: String,
    pub consumer_secret: String,
    /// PEM of the self-signed certificate (trust it as a root).
    pub cert_pem: Option<String>,
    control: Control,
    servers: Vec<RunningServer>,
    runner: tokio::task::JoinHandle<()>,
}

impl RunningWooSim {
    pub fn control(&self) -> &Control {
        &self.control
    }

    /// REST base on plain HTTP: `http://127.0.0.1:PORT/wp-json/wc/v3`.
    pub fn api_url(&self) -> String {
        format!("{}/wp-json/wc/v3", self.http_url)
    }

    /// REST base on HTTPS, when enabled.
    pub fn api_url_tls(&self) -> Option<String> {
        self.https_url.as_ref().map(|u| format!("{u}/wp-json/wc/v3"))
    }

    /// What `--ready-file` contains.
    pub fn ready_json(&self, cert_path: Option<&str>) -> Value {
        json!({
            "http_url": self.http_url,
            "https_url": self.https_url,
            "home_url": self.home_url,
            "api_url": self.api_url(),
            "api_url_tls": self.api_url_tls(),
            "control_url": format!("{}/_sim", self.http_url),
            "consumer_key": self.consumer_key,
            "consumer_secret": self.consumer_secret,
            "cert_path": cert_path,
            "woocommerce_version": WOOCOMMERCE_VERSION,
        })
    }

    pub async fn shutdown(self) {
        self.runner.abort();
        for server in self.servers {
            server.shutdown().await;
        }
    }
}

fn valid_key(key: &str, prefix: &str) -> bool {
    key.strip_prefix(prefix).is_some_and(|rest| !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// The response a fault gives: WordPress's fatal-error JSON for 500, a bare proxy page otherwise.
fn fault_body(status: axum::http::StatusCode) -> Response {
    if status == axum::http::StatusCode::INTERNAL_SERVER_ERROR {
        let body = json!({"code": "internal_server_error",
            "message": "<p>There has been a critical error on this website.</p><p><a href=\"https://wordpress.org/documentation/article/faq-troubleshooting/\">Learn more about troubleshooting WordPress.</a></p>",
            "data": {"status": 500}, "additional_errors": []});
        return rest::json_response(status, &body);
    }
    (status, [("content-type", "text/html")], format!("<html><body><h1>{status}</h1></body></html>")).into_response()
}

fn router(sim: Arc<Sim>, tls: bool) -> Router {
    let layer = FaultLayer { faults: sim.faults.clone(), journal: sim.journal.clone(), error_body: Arc::new(fault_body) };
    let api = Router::new()
        .fallback(rest::handle)
        .with_state((sim.clone(), rest::Transport { tls }))
        .layer(axum::middleware::from_fn_with_state(layer, FaultLayer::middleware));
    api.merge(control::router(sim.clone())).merge(sim_kit::control::router(sim.faults.clone(), sim.journal.clone()))
}

use app::{Home, Sim};

/// Starts a simulator on the configured listeners.
pub async fn start(mut config: Config) -> Result<RunningWooSim, StartError> {
    let http = tokio::net::TcpListener::bind(config.listen).await.map_err(|source| StartError::Bind { addr: config.listen, source })?;
    let http_addr = http.local_addr().map_err(|source| StartError::Bind { addr: config.listen, source })?;
    let http_url = format!("http://{http_addr}");
    let home = Home::parse(config.home_url.as_deref().unwrap_or(&http_url)).map_err(StartError::HomeUrl)?;
    let (generated_key, generated_secret) = auth::generate_pair();
    let consumer_key = config.consumer_key.clone().unwrap_or(generated_key);
    let consumer_secret = config.consumer_secret.clone().unwrap_or(generated_secret);
    if !valid_key(&consumer_key, "ck_") || !valid_key(&consumer_secret, "cs_") {
        return Err(StartError::KeyFormat);
    }
    config.consumer_key = Some(consumer_key.clone());
    config.consumer_secret = Some(consumer_secret.clone());
    let store = seed::build(&config.seed, config.products, &config, &home)?;
    let sink = match &config.spool {
        Some(path) => Some(events::EventSink::open(path, config.wake_socket.clone())?),
        None => None,
    };
    let journal = Journal::new();
    journal.keep_bodies(config.journal_bodies);
    let faults = Faults::new(config.faults.clone());
    let sim = Arc::new(Sim::new(config.clone(), home.clone(), store, sink, faults, journal));
    seed::install_keys(&sim.keys, &config);
    let mut servers = Vec::new();
    servers.push(sim_kit::serve(Listen::Http(http), router(sim.clone(), false)).map_err(|source| StartError::Bind { addr: http_addr, source })?);
    let (mut https_url, mut cert_pem) = (None, None);
    if let Some(addr) = config.listen_tls {
        let listener = tokio::net::TcpListener::bind(addr).await.map_err(|source| StartError::Bind { addr, source })?;
        let tls = sim_kit::tls::self_signed().map_err(|e| StartError::Tls(e.to_string()))?;
        let server = sim_kit::serve(Listen::Https(listener, tls.acceptor), router(sim.clone(), true)).map_err(|source| StartError::Bind { addr, source })?;
        https_url = Some(format!("https://{}", server.addr));
        cert_pem = Some(tls.cert_pem);
        servers.push(server);
    }
    let runner = webhooks::delivery::spawn_runner(Arc::downgrade(&sim));
    Ok(RunningWooSim {
        http_url,
        https_url,
        home_url: home.url,
        consumer_key,
        consumer_secret,
        cert_pem,
        control: Control { sim },
        servers,
        runner,
    })
}
