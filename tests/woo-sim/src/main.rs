//! `woo-sim`: the WooCommerce REST API v3 simulator as a process. Thin wrapper over the library.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::Parser;
use sim_kit::FaultSettings;
use woo_sim::{Config, Seed};

/// WooCommerce REST API v3 simulator: HTTPS keys and HTTP OAuth 1.0a as a real store, orders,
/// refunds, products, customers, webhooks, the hooks each change fires, and faults.
#[derive(Parser, Debug)]
#[command(name = "woo-sim", version)]
struct Args {
    /// Plain HTTP listener (`127.0.0.1:0` picks a free port).
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// HTTPS listener with a self-signed certificate made at start.
    #[arg(long)]
    listen_tls: Option<SocketAddr>,
    /// Write the certificate's PEM here (for `curl --cacert` and clients).
    #[arg(long)]
    cert_out: Option<PathBuf>,
    /// The site's home URL, used in OAuth base strings, X-WC-Webhook-Source and links
    /// [default: the HTTP listener's URL].
    #[arg(long)]
    home_url: Option<String>,
    /// Consumer key of the default read_write key (`ck_` + 40 hex) [default: random].
    #[arg(long, env = "WOO_SIM_CONSUMER_KEY")]
    consumer_key: Option<String>,
    /// Consumer secret of the default key (`cs_` + 40 hex) [default: random].
    #[arg(long, env = "WOO_SIM_CONSUMER_SECRET")]
    consumer_secret: Option<String>,
    /// `demo` (tests/seed/demo-shop.json), `empty`, or a JSON file in the demo shop's format.
    #[arg(long, default_value = "demo")]
    seed: Seed,
    /// Add N synthetic simple products (SKU SYN-000001…) for benchmarks.
    #[arg(long, default_value_t = 0)]
    products: usize,
    /// Site timezone offset from UTC in hours (date_x vs date_x_gmt, dates_are_gmt=false).
    #[arg(long, default_value_t = 1, allow_hyphen_values = true)]
    utc_offset_hours: i64,
    /// Store option woocommerce_manage_stock = no.
    #[arg(long)]
    no_manage_stock: bool,
    /// Order `number` = prefix + id, as a sequential-order-number plugin would make it.
    #[arg(long, default_value = "")]
    order_number_prefix: String,
    /// Write the events the WordPress plugin would write into this spool (SQLite).
    #[arg(long)]
    spool: Option<PathBuf>,
    /// Send `wake <seq>` datagrams to this Unix socket after writing events.
    #[arg(long)]
    wake_socket: Option<PathBuf>,
    /// Write a JSON file with URLs, keys and the certificate path once listening.
    #[arg(long)]
    ready_file: Option<PathBuf>,
    /// Delay before a queued webhook is delivered (Action Scheduler / WP-Cron latency), ms.
    #[arg(long, default_value_t = 1000)]
    webhook_delay_ms: u64,
    /// Never deliver webhooks on their own; only `POST /_sim/webhooks/run` does.
    #[arg(long)]
    webhook_manual: bool,
    /// Extra ports webhook delivery URLs may use (`http_allowed_safe_ports`).
    #[arg(long, value_delimiter = ',')]
    webhook_safe_ports: Vec<u16>,
    /// Private hosts webhook delivery may reach (`http_request_host_is_external`).
    #[arg(long, value_delimiter = ',')]
    webhook_external_hosts: Vec<String>,
    /// Do not keep request bodies in the request journal (benchmarks).
    #[arg(long)]
    no_journal_bodies: bool,
    /// Fault: added latency per request, ms.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Fault: extra random latency up to this many ms.
    #[arg(long, default_value_t = 0)]
    jitter_ms: u64,
    /// Fault: fraction (0..1) of requests answered with --error-status, not applied.
    #[arg(long, default_value_t = 0.0)]
    error_rate: f64,
    /// Fault: status of injected errors (408, 429 or 5xx).
    #[arg(long, default_value_t = 500)]
    error_status: u16,
    /// Fault: fraction of requests that hang for --hang-ms, then are cut.
    #[arg(long, default_value_t = 0.0)]
    timeout_rate: f64,
    /// Fault: how long a hanging request hangs, ms.
    #[arg(long, default_value_t = 30_000)]
    hang_ms: u64,
    /// Fault: fraction of writes applied and then cut before the response (commit-then-drop).
    #[arg(long, default_value_t = 0.0)]
    drop_rate: f64,
    /// Fault: apply faults only to request URIs containing this text.
    #[arg(long)]
    fault_only_uri: Option<String>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt().with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into())).init();
    let args = Args::parse();
    let faults = FaultSettings {
        latency_ms: args.latency_ms,
        jitter_ms: args.jitter_ms,
        error_rate: args.error_rate,
        error_status: args.error_status,
        timeout_rate: args.timeout_rate,
        hang_ms: args.hang_ms,
        drop_rate: args.drop_rate,
        only_uri_containing: args.fault_only_uri.clone(),
        ..FaultSettings::default()
    };
    faults.validate().map_err(anyhow::Error::msg).context("fault flags")?;
    let config = Config {
        listen: args.listen,
        listen_tls: args.listen_tls,
        home_url: args.home_url,
        consumer_key: args.consumer_key,
        consumer_secret: args.consumer_secret,
        seed: args.seed,
        products: args.products,
        utc_offset_hours: args.utc_offset_hours,
        manage_stock: !args.no_manage_stock,
        order_number_prefix: args.order_number_prefix,
        faults,
        journal_bodies: !args.no_journal_bodies,
        spool: args.spool,
        wake_socket: args.wake_socket,
        webhook_delay_ms: args.webhook_delay_ms,
        webhook_auto_run: !args.webhook_manual,
        webhook_safe_ports: args.webhook_safe_ports,
        webhook_external_hosts: args.webhook_external_hosts,
    };
    let running = woo_sim::start(config).await.context("starting woo-sim")?;
    let cert_path = match (&args.cert_out, &running.cert_pem) {
        (Some(path), Some(pem)) => {
            std::fs::write(path, pem).with_context(|| format!("writing {}", path.display()))?;
            Some(path.display().to_string())
        }
        _ => None,
    };
    println!("woo-sim {} (WooCommerce {})", env!("CARGO_PKG_VERSION"), woo_sim::WOOCOMMERCE_VERSION);
    println!("  REST (http, OAuth 1.0a): {}", running.api_url());
    if let Some(url) = running.api_url_tls() {
        println!("  REST (https, Basic):     {url}");
    }
    println!("  home URL:                {}", running.home_url);
    println!("  control:                 {}/_sim", running.http_url);
    println!("  consumer key:            {}", running.consumer_key);
    println!("  consumer secret:         {}", running.consumer_secret);
    if let Some(path) = &cert_path {
        println!("  certificate:             {path}");
    }
    if let Some(path) = &args.ready_file {
        let json = serde_json::to_string_pretty(&running.ready_json(cert_path.as_deref()))?;
        std::fs::write(path, json).with_context(|| format!("writing {}", path.display()))?;
    }
    tokio::signal::ctrl_c().await.context("waiting for Ctrl-C")?;
    running.shutdown().await;
    Ok(())
}
