//! Configuration in two stages (as ripgrep does): raw documents (the TOML file and the site settings
//! WP admin stores in the spool) merged — the file wins — then validated into [`Settings`], which
//! the rest of the agent uses. Shape documented in `docs/settings.md`.

mod bc_notifications;
mod customers;
mod listeners;
mod raw;
mod refunds;
mod rules;
mod schedule;

use std::path::{Path, PathBuf};
use std::time::Duration;

use ml_connector_formats::envelope::is_envelope;
use ml_connector_formats::Keyring;
use rust_decimal::Decimal;

pub use bc_notifications::{BcNotificationSettings, RawBcNotifications};
pub use customers::{CustomerField, CustomerSettings, RawCustomers, Side};
pub use listeners::{IngestSettings, MetricsSettings, RawIngest, RawMetrics, WebhookSettings};
pub use raw::{RawAgent, RawInventory, RawNav, RawOrders, RawSettings, RawWoo};
pub use refunds::{CancellationMode, RawRefunds, RefundSettings};
pub use rules::{Conditions, Decision, PostingGroups, Rule};
pub use schedule::Schedule;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration file {path}: {detail}")]
    File { path: String, detail: String },
    #[error("site settings from WordPress: {0}")]
    Site(String),
    #[error("setting `{key}`: {reason}")]
    Invalid { key: String, reason: String },
    #[error("secret `{key}` cannot be decrypted: {reason}")]
    Secret { key: String, reason: String },
}

fn invalid(key: &str, reason: impl Into<String>) -> ConfigError {
    ConfigError::Invalid { key: key.to_string(), reason: reason.into() }
}

/// A secret held in memory only; `Debug` and `Display` never show it.
#[derive(Clone, PartialEq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: String) -> Self {
        Self(value)
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Deployment {
    /// BC online: API v2.0 at api.businesscentral.dynamics.com, OAuth client credentials.
    BcOnline { tenant: String, environment: String, client_id: String, client_secret: Secret },
    /// BC on-premises: API v2.0 at `{base_url}/api/v2.0`, OAuth (if a client id is set) or Basic.
    BcOnPrem { base_url: String, auth: OnPremAuth },
    /// Legacy NAV: OData V4 page web services at `{base_url}/ODataV4`, Basic.
    NavOnPrem { base_url: String, user: String, access_key: Secret },
}

#[derive(Clone, Debug, PartialEq)]
pub enum OnPremAuth {
    Basic { user: String, access_key: Secret },
    OAuth { tenant: String, client_id: String, client_secret: Secret },
}

#[derive(Clone, Debug, PartialEq)]
pub struct NavSettings {
    pub deployment: Deployment,
    pub company: String,
    pub page_customer: String,
    pub page_item: String,
    pub page_sales_order: String,
    /// Page 300 Ship-to Address (customers.ship_to_code).
    pub page_ship_to: String,
    /// Pages 44, 132 and 134: credit memos on legacy NAV (docs/refunds.md).
    pub page_credit_memo: String,
    pub page_posted_invoice: String,
    pub page_posted_credit_memo: String,
    pub login_url: String,
    pub api_url: String,
    /// Our own pacing under the BC throttle (token bucket).
    pub requests_per_second: f64,
    pub burst: u32,
    pub timeout: Duration,
}

#[derive(Clone, Debug, PartialEq)]
pub struct WooSettings {
    pub site_url: String,
    pub consumer_key: String,
    pub consumer_secret: Secret,
    pub connect_to: Option<String>,
    pub ca_file: Option<PathBuf>,
    pub timeout: Duration,
}

#[derive(Clone, Debug, PartialEq)]
pub enum GuestPolicy {
    Create,
    Fixed { customer_number: String },
}

#[derive(Clone, Debug, PartialEq)]
pub enum DiscountPolicy {
    /// Coupons reduce each item line (line discount amount).
    Line,
    /// Coupons become one negative line on a G/L account.
    Account(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SkuMatch {
    Sku,
    Gtin,
    Variant,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ShippingLinePolicy {
    pub charge: bool,
    pub number: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct OrderSettings {
    pub statuses: Vec<String>,
    pub guests: GuestPolicy,
    pub shipping: ShippingLinePolicy,
    pub fees_account: String,
    pub discounts: DiscountPolicy,
    pub rounding_account: String,
    pub totals_tolerance: Decimal,
    pub sku_match: Vec<SkuMatch>,
    pub variant_separator: String,
    pub order_number_prefix: String,
    pub rules: Vec<Rule>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct AgentSettings {
    pub state_dir: PathBuf,
    pub spool_path: PathBuf,
    pub key_path: PathBuf,
    pub wake_socket: PathBuf,
    pub concurrency: usize,
    pub max_attempts: u32,
    pub retry_base: Duration,
    pub retry_cap: Duration,
    pub poll_interval: Duration,
    pub log_format: LogFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    /// Plain lines without timestamps (journald adds them).
    Journald,
    Text,
    Json,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Schedules {
    pub inventory: Schedule,
    pub inventory_full: Schedule,
    pub customers: Schedule,
    pub reconcile_orders: Schedule,
}

/// How stock is written to WooCommerce (docs/inventory.md).
#[derive(Clone, Debug, PartialEq)]
pub struct InventorySettings {
    /// NAV location codes whose stock counts (upper-cased); empty = every location.
    pub locations: Vec<String>,
    /// WooCommerce write requests in flight at once.
    pub concurrency: usize,
    /// Items per batch request (at most 100).
    pub batch_size: usize,
}

/// Validated settings. `nav`/`woo`/`orders` are `None` until configured: the agent still runs,
/// keeps events, and reports "not configured" instead of failing.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    pub agent: AgentSettings,
    pub nav: Option<NavSettings>,
    pub woo: Option<WooSettings>,
    pub orders: OrderSettings,
    pub schedules: Schedules,
    pub inventory: InventorySettings,
    /// `[refunds]`: cancellations and refunds (docs/refunds.md).
    pub refunds: RefundSettings,
    /// `[metrics]`: the Prometheus endpoint (off by default).
    pub metrics: MetricsSettings,
    /// `[ingest]`: spool hand-off (default) or WooCommerce webhooks.
    pub ingest: IngestSettings,
    /// `[customers]`: two-way customer sync (docs/customers.md).
    pub customers: CustomerSettings,
    /// `[bc_notifications]`: Business Central webhooks as the inventory accelerator (docs/inventory.md).
    pub bc_notifications: BcNotificationSettings,
}

/// Reads the TOML file (or nothing) into a JSON value, the common form of both sources.
pub fn read_file(path: Option<&Path>) -> Result<serde_json::Value, ConfigError> {
    let Some(path) = path else { return Ok(serde_json::json!({})) };
    let text = std::fs::read_to_string(path)
        .map_err(|e| ConfigError::File { path: path.display().to_string(), detail: e.to_string() })?;
    let value: toml::Value = toml::from_str(&text)
        .map_err(|e| ConfigError::File { path: path.display().to_string(), detail: e.to_string() })?;
    serde_json::to_value(value).map_err(|e| ConfigError::File { path: path.display().to_string(), detail: e.to_string() })
}

/// Merges the site document under the file (the file wins key by key) and validates.
pub fn load(file: &serde_json::Value, site: Option<&str>, keyring: Option<&Keyring>) -> Result<Settings, ConfigError> {
    let mut merged = match site {
        Some(text) if !text.trim().is_empty() => {
            serde_json::from_str::<serde_json::Value>(text).map_err(|e| ConfigError::Site(e.to_string()))?
        }
        _ => serde_json::json!({}),
    };
    // Listening sockets are the host's business: WordPress cannot open them (config/listeners.rs).
    if let Some(site) = merged.as_object_mut() {
        site.remove("metrics");
        site.remove("ingest");
    }
    deep_merge(&mut merged, file);
    let raw: RawSettings = serde_json::from_value(merged).map_err(|e| invalid("(document)", e.to_string()))?;
    raw.validate(keyring)
}

/// The business settings the file sets, as dotted paths (`schedules.inventory`, `orders.rules`):
/// they win over WP admin, which marks them as pinned. Lists count as one value. The host's own
/// sections (`agent`, `metrics`, `ingest`) are not on the admin page and are left out.
pub fn pinned_paths(file: &serde_json::Value) -> Vec<String> {
    fn walk(prefix: &str, value: &serde_json::Value, out: &mut Vec<String>) {
        match value {
            serde_json::Value::Object(fields) if !fields.is_empty() => {
                for (key, inner) in fields {
                    let path = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
                    if prefix.is_empty() && matches!(key.as_str(), "agent" | "metrics" | "ingest") {
                        continue;
                    }
                    walk(&path, inner, out);
                }
            }
            _ if !prefix.is_empty() => out.push(prefix.to_string()),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk("", file, &mut out);
    out.sort();
    out
}

/// The agent's own section alone (paths, limits) — what is needed before the key can be read.
pub fn load_agent(file: &serde_json::Value) -> Result<AgentSettings, ConfigError> {
    let raw: RawSettings = serde_json::from_value(file.clone()).map_err(|e| invalid("(document)", e.to_string()))?;
    raw.agent.validate()
}

/// `target` takes every value of `source`, recursing into objects.
pub fn deep_merge(target: &mut serde_json::Value, source: &serde_json::Value) {
    match (target, source) {
        (serde_json::Value::Object(target), serde_json::Value::Object(source)) => {
            for (key, value) in source {
                match target.get_mut(key) {
                    Some(existing) if existing.is_object() && value.is_object() => deep_merge(existing, value),
                    _ => {
                        target.insert(key.clone(), value.clone());
                    }
                }
            }
        }
        (target, source) => *target = source.clone(),
    }
}

/// Resolves a secret: an envelope is decrypted with the key of its purpose; clear text is allowed
/// (tests, demo) with a warning, never logged.
fn secret(key: &str, value: &str, keyring: Option<&Keyring>) -> Result<Secret, ConfigError> {
    if value.trim().is_empty() {
        return Err(invalid(key, "is empty"));
    }
    if is_envelope(value) {
        let keyring = keyring.ok_or_else(|| ConfigError::Secret {
            key: key.to_string(),
            reason: "the vault key file could not be read".into(),
        })?;
        return keyring
            .decrypt_string(key, value)
            .map(Secret::new)
            .map_err(|e| ConfigError::Secret { key: key.to_string(), reason: e.to_string() });
    }
    tracing::warn!(setting = key, "secret is stored in clear text; save it from WP admin or encrypt it with `ml-connector-agent vault encrypt`");
    Ok(Secret::new(value.to_string()))
}

#[cfg(test)]
mod tests;
