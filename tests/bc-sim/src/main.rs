//! `bc-sim`: runs the Business Central / NAV simulator until interrupted. A thin wrapper over
//! `bc_sim::start`: flags become a `Config`, the base URLs and credentials are printed, and
//! `--ready-file` receives the same information as JSON once the server listens.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use bc_sim::config::{DEFAULT_BASIC_KEY, DEFAULT_BASIC_USER, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_TENANT};
use bc_sim::{Config, FaultSettings, Limits, PageServices, SeedSource, WebhookSettings};
use clap::Parser;

/// Business Central / Dynamics NAV simulator: Entra ID tokens, API v2.0 (online and on-prem),
/// NAV OData V4 page web services, webhooks, BC throttling and injectable faults.
#[derive(Parser, Debug)]
#[command(name = "bc-sim", version)]
struct Args {
    /// Address to listen on (127.0.0.1:0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:7048")]
    listen: SocketAddr,
    /// Entra tenant id in token and online API URLs.
    #[arg(long, default_value = DEFAULT_TENANT)]
    tenant: String,
    /// Environment name in online API URLs.
    #[arg(long, default_value = "production")]
    environment: String,
    /// On-premises server instance in `/{instance}/api/v2.0` and `/{instance}/ODataV4`.
    #[arg(long, default_value = "BC")]
    instance: String,
    /// Client id of the Entra app registration (client credentials).
    #[arg(long, default_value = DEFAULT_CLIENT_ID)]
    client_id: String,
    /// Client secret of the Entra app registration.
    #[arg(long, default_value = DEFAULT_CLIENT_SECRET)]
    client_secret: String,
    /// On-premises user name for Basic authentication.
    #[arg(long, default_value = DEFAULT_BASIC_USER)]
    basic_user: String,
    /// On-premises web service access key (44 characters).
    #[arg(long, default_value = DEFAULT_BASIC_KEY)]
    basic_key: String,
    /// Data to start with: `demo`, `empty`, or a JSON file in the seed format (see README).
    #[arg(long, default_value = "demo")]
    seed: SeedSource,
    /// Adds N synthetic items (SYN-000001 …) with stock, for benchmarks.
    #[arg(long, default_value_t = 0)]
    items: usize,
    /// Lifetime of issued access tokens, in seconds (`expires_in`).
    #[arg(long, default_value_t = 3599)]
    token_ttl_secs: u64,

    /// Requests per user per rate window before 429.
    #[arg(long, default_value_t = 6000)]
    rate_limit: u32,
    /// Length of the sliding rate window, in milliseconds.
    #[arg(long, default_value_t = 300_000)]
    rate_window_ms: u64,
    /// Requests per user processed at once.
    #[arg(long, default_value_t = 5)]
    max_concurrent: u32,
    /// Requests per user waiting for a slot; beyond concurrent + queue → 429.
    #[arg(long, default_value_t = 95)]
    max_queue: u32,
    /// Queue wait before 503 with retry-after, in milliseconds.
    #[arg(long, default_value_t = 480_000)]
    queue_timeout_ms: u64,
    /// Processing time before 408, in milliseconds.
    #[arg(long, default_value_t = 480_000)]
    operation_timeout_ms: u64,
    /// Queue plus processing time before 504, in milliseconds.
    #[arg(long, default_value_t = 600_000)]
    gateway_timeout_ms: u64,
    /// Delay added to every request while it holds its processing slot, in milliseconds.
    #[arg(long, default_value_t = 0)]
    processing_delay_ms: u64,
    /// Seconds in the retry-after header of 502/503 answers.
    #[arg(long, default_value_t = 10)]
    retry_after_secs: u64,
    /// Maximum (and default) page size; larger odata.maxpagesize → 413.
    #[arg(long, default_value_t = 20_000)]
    max_page_size: usize,
    /// Maximum operations in one $batch.
    #[arg(long, default_value_t = 100)]
    max_batch_operations: usize,
    /// Also throttle on-premises requests (BC on-prem has no throttling by default).
    #[arg(long)]
    throttle_on_prem: bool,

    /// Fault: latency added to every request, in milliseconds.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Fault: random extra latency up to this many milliseconds.
    #[arg(long, default_value_t = 0)]
    jitter_ms: u64,
    /// Fault: fraction (0..1) of requests answered with --error-status, not applied.
    #[arg(long, default_value_t = 0.0)]
    error_rate: f64,
    /// Fault: status of injected errors (408, 429 or 5xx).
    #[arg(long, default_value_t = 500)]
    error_status: u16,
    /// Fault: fraction of requests that hang and are then cut.
    #[arg(long, default_value_t = 0.0)]
    timeout_rate: f64,
    /// Fault: how long a hanging request hangs, in milliseconds.
    #[arg(long, default_value_t = 30_000)]
    hang_ms: u64,
    /// Fault: fraction of writes applied and then cut before the response (commit-then-drop).
    #[arg(long, default_value_t = 0.0)]
    drop_rate: f64,
    /// Fault: start in an outage (every connection cut).
    #[arg(long)]
    down: bool,

    /// Webhooks: aggregation delay after the first change, in milliseconds.
    #[arg(long, default_value_t = 30_000)]
    webhook_delay_ms: u64,
    /// Webhooks: more changes than this in one window → one `collection` notification.
    #[arg(long, default_value_t = 1000)]
    webhook_max_notifications: usize,
    /// Webhooks: wait before retrying a failed delivery, in milliseconds.
    #[arg(long, default_value_t = 60_000)]
    webhook_retry_ms: u64,
    /// Webhooks: give up (and delete the subscription) after retrying this long, in milliseconds.
    #[arg(long, default_value_t = 129_600_000)]
    webhook_retry_window_ms: u64,
    /// Webhooks: lifetime of a subscription unless renewed, in seconds.
    #[arg(long, default_value_t = 259_200)]
    subscription_ttl_secs: u64,
    /// Webhooks: timeout for the handshake and each notification, in milliseconds.
    #[arg(long, default_value_t = 5_000)]
    webhook_timeout_ms: u64,

    /// Service name of the Customer Card (page 21).
    #[arg(long, default_value = "Customer")]
    page_customer: String,
    /// Service name of the Item Card (page 30).
    #[arg(long, default_value = "ItemCard")]
    page_item: String,
    /// Service name of the Sales Order (page 42).
    #[arg(long, default_value = "SalesOrder")]
    page_sales_order: String,
    /// Service name of the sales order lines containment.
    #[arg(long, default_value = "SalesOrderSalesLines")]
    page_sales_order_lines: String,
    /// Service name of the Ship-to Address card (page 300).
    #[arg(long, default_value = "ShipToAddress")]
    page_ship_to: String,

    /// Writes a JSON object with base URLs, credentials and company once listening.
    #[arg(long)]
    ready_file: Option<PathBuf>,
}

impl Args {
    fn config(self) -> Config {
        Config {
            listen: self.listen,
            tenant: self.tenant,
            environment: self.environment,
            instance: self.instance,
            client_id: self.client_id,
            client_secret: self.client_secret,
            basic_user: self.basic_user,
            basic_key: self.basic_key,
            seed: self.seed,
            synthetic_items: self.items,
            token_ttl: Duration::from_secs(self.token_ttl_secs),
            limits: Limits {
                rate_limit: self.rate_limit,
                rate_window_ms: self.rate_window_ms,
                max_concurrent: self.max_concurrent,
                max_queue: self.max_queue,
                queue_timeout_ms: self.queue_timeout_ms,
                operation_timeout_ms: self.operation_timeout_ms,
                gateway_timeout_ms: self.gateway_timeout_ms,
                processing_delay_ms: self.processing_delay_ms,
                retry_after_secs: self.retry_after_secs,
                max_page_size: self.max_page_size,
                max_batch_operations: self.max_batch_operations,
                throttle_on_prem: self.throttle_on_prem,
            },
            faults: FaultSettings {
                latency_ms: self.latency_ms,
                jitter_ms: self.jitter_ms,
                error_rate: self.error_rate,
                error_status: self.error_status,
                timeout_rate: self.timeout_rate,
                hang_ms: self.hang_ms,
                drop_rate: self.drop_rate,
                down: self.down,
                ..FaultSettings::default()
            },
            webhooks: WebhookSettings {
                delay_ms: self.webhook_delay_ms,
                max_notifications: self.webhook_max_notifications,
                retry_ms: self.webhook_retry_ms,
                retry_window_ms: self.webhook_retry_window_ms,
                subscription_ttl_secs: self.subscription_ttl_secs,
                request_timeout_ms: self.webhook_timeout_ms,
                ..WebhookSettings::default()
            },
            pages: PageServices {
                customer: self.page_customer,
                item: self.page_item,
                sales_order: self.page_sales_order,
                sales_order_lines: self.page_sales_order_lines,
                ship_to: self.page_ship_to,
                ..PageServices::default()
            },
        }
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "bc_sim=info".into()))
        .init();
    let args = Args::parse();
    let ready_file = args.ready_file.clone();
    if args.basic_key.chars().count() != 44 {
        tracing::warn!(
            "a web service access key is 44 characters long; this one is {}",
            args.basic_key.chars().count()
        );
    }
    let sim = bc_sim::start(args.config()).await.context("starting bc-sim")?;
    let info = sim.info().clone();
    println!("bc-sim listening on {}", info.base_url);
    println!("  token endpoint   POST {}", info.token_url);
    println!("  scope            {}", info.scope);
    println!("  client id        {}", info.client_id);
    println!("  client secret    {}", info.client_secret);
    println!("  API (online)     {}  (Bearer)", info.api_online);
    println!("  API (on-prem)    {}  (Basic {} / access key below)", info.api_on_prem, info.basic_user);
    println!("  access key       {}", info.basic_key);
    println!("  pages (online)   {}", info.odata_online);
    println!("  pages (on-prem)  {}", info.odata_on_prem);
    println!("  company          {} ({})", info.company_name, info.company_id);
    println!("  control API      {}", info.control_url);
    if let Some(path) = ready_file {
        let json = serde_json::to_string_pretty(&info)?;
        let partial = path.with_extension("partial");
        std::fs::write(&partial, json).with_context(|| format!("writing {}", partial.display()))?;
        std::fs::rename(&partial, &path).with_context(|| format!("writing {}", path.display()))?;
    }
    tokio::signal::ctrl_c().await.context("waiting for Ctrl-C")?;
    sim.shutdown().await;
    Ok(())
}
