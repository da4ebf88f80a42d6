//! Everything a simulator run is started with: names (tenant, environment, server instance,
//! page service names), credentials, the seed, and the limits and webhook timings that the
//! control API can change at run time. Defaults are BC online's published values.

use std::net::SocketAddr;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use sim_kit::FaultSettings;

use crate::seed::SeedSource;

/// Fixed defaults so that scripts can rely on them.
pub const DEFAULT_TENANT: &str = "7c8f5e7a-2b1d-4f3e-9a6c-5d4e3f2a1b0c";
pub const DEFAULT_CLIENT_ID: &str = "3f2a1b0c-5d4e-4c3b-8a9f-7e6d5c4b3a21";
pub const DEFAULT_CLIENT_SECRET: &str = "bcsim~client-secret-0123456789";
pub const DEFAULT_BASIC_USER: &str = "WEBSERVICE";
/// A web service access key is a 44-character string.
pub const DEFAULT_BASIC_KEY: &str = "c2ltdWxhdG9yLWFjY2Vzcy1rZXktZm9yLWJjLXNpbTA=";
pub const SCOPE: &str = "https://api.businesscentral.dynamics.com/.default";

/// Per-user request limits (BC online, §6.1 of the reference) and request timeouts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Requests per sliding window per user before 429.
    pub rate_limit: u32,
    pub rate_window_ms: u64,
    /// Requests processed at once per user; more wait in the queue.
    pub max_concurrent: u32,
    /// Requests waiting per user; beyond `max_concurrent + max_queue` connections → 429.
    pub max_queue: u32,
    /// Waiting longer than this in the queue → 503 with `retry-after`.
    pub queue_timeout_ms: u64,
    /// Processing longer than this → 408.
    pub operation_timeout_ms: u64,
    /// Queue plus processing longer than this → 504.
    pub gateway_timeout_ms: u64,
    /// Added to every request while it holds its processing slot (makes queueing observable).
    pub processing_delay_ms: u64,
    /// `retry-after` seconds on 503 and 502.
    pub retry_after_secs: u64,
    /// Largest page (also the default page size); `Prefer: odata.maxpagesize` above it → 413.
    pub max_page_size: usize,
    pub max_batch_operations: usize,
    /// On-premises servers have no throttling unless configured.
    pub throttle_on_prem: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            rate_limit: 6_000,
            rate_window_ms: 300_000,
            max_concurrent: 5,
            max_queue: 95,
            queue_timeout_ms: 480_000,
            operation_timeout_ms: 480_000,
            gateway_timeout_ms: 600_000,
            processing_delay_ms: 0,
            retry_after_secs: 10,
            max_page_size: 20_000,
            max_batch_operations: 100,
            throttle_on_prem: false,
        }
    }
}

/// Webhook timings (reference §7).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WebhookSettings {
    /// BC waits this long after the first change before notifying.
    pub delay_ms: u64,
    /// More changed records than this in one window → one `collection` notification.
    pub max_notifications: usize,
    /// Wait before retrying after 408/429/5xx or no response.
    pub retry_ms: u64,
    /// Retries stop (and the subscription is deleted) after this long.
    pub retry_window_ms: u64,
    /// Lifetime of a subscription unless renewed.
    pub subscription_ttl_secs: u64,
    /// How long the notification URL has to answer the handshake or a notification.
    pub request_timeout_ms: u64,
    pub max_subscriptions: usize,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        Self {
            delay_ms: 30_000,
            max_notifications: 1_000,
            retry_ms: 60_000,
            retry_window_ms: 36 * 3_600_000,
            subscription_ttl_secs: 3 * 86_400,
            request_timeout_ms: 5_000,
            max_subscriptions: 200,
        }
    }
}

/// Names under which pages are published on the Web Services page (configurable: the
/// reference leaves the defaults unconfirmed).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PageServices {
    pub customer: String,
    pub item: String,
    pub sales_order: String,
    pub sales_order_lines: String,
    pub ship_to: String,
    pub credit_memo: String,
    pub credit_memo_lines: String,
    pub posted_invoice: String,
    pub posted_invoice_lines: String,
    pub posted_credit_memo: String,
}

impl Default for PageServices {
    fn default() -> Self {
        Self {
            customer: "Customer".into(),
            item: "ItemCard".into(),
            sales_order: "SalesOrder".into(),
            sales_order_lines: "SalesOrderSalesLines".into(),
            ship_to: "ShipToAddress".into(),
            credit_memo: "SalesCreditMemo".into(),
            credit_memo_lines: "SalesCreditMemoSalesLines".into(),
            posted_invoice: "PostedSalesInvoice".into(),
            posted_invoice_lines: "PostedSalesInvoiceSalesInvLines".into(),
            posted_credit_memo: "PostedSalesCreditMemo".into(),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Config {
    pub listen: SocketAddr,
    pub tenant: String,
    pub environment: String,
    pub instance: String,
    pub client_id: String,
    pub client_secret: String,
    pub basic_user: String,
    pub basic_key: String,
    pub seed: SeedSource,
    /// Synthetic items added after the seed (`--items`).
    pub synthetic_items: usize,
    pub token_ttl: Duration,
    pub limits: Limits,
    pub faults: FaultSettings,
    pub webhooks: WebhookSettings,
    pub pages: PageServices,
}

impl Config {
    /// The demo company on an ephemeral loopback port with default limits.
    pub fn demo() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            tenant: DEFAULT_TENANT.into(),
            environment: "production".into(),
            instance: "BC".into(),
            client_id: DEFAULT_CLIENT_ID.into(),
            client_secret: DEFAULT_CLIENT_SECRET.into(),
            basic_user: DEFAULT_BASIC_USER.into(),
            basic_key: DEFAULT_BASIC_KEY.into(),
            seed: SeedSource::Demo,
            synthetic_items: 0,
            token_ttl: Duration::from_secs(3599),
            limits: Limits::default(),
            faults: FaultSettings::default(),
            webhooks: WebhookSettings::default(),
            pages: PageServices::default(),
        }
    }
}
