//! The raw documents as written (TOML file, WP site JSON): every field optional, unknown keys
//! refused so a typo is named instead of silently ignored. `validate` turns them into `Settings`.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use ml_connector_formats::Keyring;
use rust_decimal::Decimal;
use serde::Deserialize;

use super::rules::{Conditions, Decision, Rule};
use super::schedule::Schedule;
use super::*;

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawSettings {
    pub schema: Option<u32>,
    pub deployment: Option<String>,
    pub agent: RawAgent,
    pub nav: RawNav,
    pub woo: RawWoo,
    pub orders: RawOrders,
    pub schedules: BTreeMap<String, String>,
    pub inventory: RawInventory,
    pub refunds: super::RawRefunds,
    pub metrics: super::RawMetrics,
    pub ingest: super::RawIngest,
    pub customers: super::RawCustomers,
    pub bc_notifications: super::RawBcNotifications,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawAgent {
    pub state_dir: Option<PathBuf>,
    pub spool_path: Option<PathBuf>,
    pub key_path: Option<PathBuf>,
    pub wake_socket: Option<PathBuf>,
    pub concurrency: Option<usize>,
    pub max_attempts: Option<u32>,
    pub retry_base_ms: Option<u64>,
    pub retry_cap_ms: Option<u64>,
    pub poll_interval_ms: Option<u64>,
    pub log_format: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawNav {
    pub tenant: Option<String>,
    pub environment: Option<String>,
    pub company: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub base_url: Option<String>,
    pub user: Option<String>,
    pub access_key: Option<String>,
    pub pages: BTreeMap<String, String>,
    pub login_url: Option<String>,
    pub api_url: Option<String>,
    pub requests_per_second: Option<f64>,
    pub burst: Option<u32>,
    pub timeout_secs: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawWoo {
    pub site_url: Option<String>,
    pub consumer_key: Option<String>,
    pub consumer_secret: Option<String>,
    pub connect_to: Option<String>,
    pub ca_file: Option<PathBuf>,
    pub timeout_secs: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawOrders {
    pub statuses: Option<Vec<String>>,
    pub guests: Option<RawGuests>,
    /// Accepted and ignored, with a warning: earlier settings pages offered it, but neither API
    /// v2.0 nor the Customer Card lets a caller choose BC's customer template. Rules set posting
    /// groups instead (`customer_posting_group`, `gen_bus_posting_group`, `vat_bus_posting_group`).
    pub customer_template: Option<String>,
    pub shipping: Option<RawShipping>,
    pub fees_account: Option<String>,
    pub discounts: Option<String>,
    pub discounts_account: Option<String>,
    pub rounding_account: Option<String>,
    pub totals_tolerance: Option<Decimal>,
    pub sku_match: Option<Vec<String>>,
    pub variant_separator: Option<String>,
    pub order_number_prefix: Option<String>,
    pub rules: Vec<RawRule>,
}

/// `[inventory]`: how stock is written back (docs/inventory.md).
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawInventory {
    pub locations: Option<Vec<String>>,
    pub concurrency: Option<usize>,
    pub batch_size: Option<usize>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGuests {
    pub mode: String,
    #[serde(default)]
    pub customer_number: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawShipping {
    pub line_type: String,
    pub number: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRule {
    pub name: String,
    #[serde(default)]
    pub when: Conditions,
    #[serde(default)]
    pub then: Decision,
}

fn nonblank(value: &Option<String>) -> Option<String> {
    value.as_ref().map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

fn required(value: &Option<String>, key: &str) -> Result<String, ConfigError> {
    nonblank(value).ok_or_else(|| invalid(key, "is required for this deployment"))
}

fn url(value: &str, key: &str) -> Result<String, ConfigError> {
    let parsed = url::Url::parse(value).map_err(|e| invalid(key, format!("{value:?} is not a URL: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(invalid(key, format!("{value:?} must start with https:// (or http://)")));
    }
    Ok(value.trim_end_matches('/').to_string())
}

impl RawSettings {
    pub fn validate(self, keyring: Option<&Keyring>) -> Result<Settings, ConfigError> {
        if let Some(schema) = self.schema {
            if schema != 1 {
                return Err(invalid("schema", format!("version {schema} is not supported by this agent (1)")));
            }
        }
        let agent = self.agent.validate()?;
        let nav = self.nav.validate(self.deployment.as_deref(), keyring)?;
        let woo = self.woo.validate(keyring)?;
        let orders = self.orders.validate()?;
        let schedule = |name: &str, default: &str| -> Result<Schedule, ConfigError> {
            let text = self.schedules.get(name).map(String::as_str).unwrap_or(default);
            Schedule::parse(text).map_err(|reason| invalid(&format!("schedules.{name}"), reason))
        };
        for name in self.schedules.keys() {
            if !["inventory", "inventory_full", "customers", "reconcile_orders"].contains(&name.as_str()) {
                return Err(invalid(&format!("schedules.{name}"), "unknown schedule"));
            }
        }
        let schedules = Schedules {
            inventory: schedule("inventory", "every 15m")?,
            inventory_full: schedule("inventory_full", "0 3 * * *")?,
            customers: schedule("customers", "every 30m")?,
            reconcile_orders: schedule("reconcile_orders", "every 5m")?,
        };
        let inventory = self.inventory.validate()?;
        let refunds = self.refunds.validate()?;
        let metrics = self.metrics.validate()?;
        let ingest = self.ingest.validate()?;
        let customers = self.customers.validate()?;
        let bc_notifications = self.bc_notifications.validate()?;
        Ok(Settings { agent, nav, woo, orders, schedules, inventory, refunds, metrics, ingest, customers, bc_notifications })
    }
}

impl RawInventory {
    fn validate(&self) -> Result<InventorySettings, ConfigError> {
        let mut locations = Vec::new();
        for location in self.locations.iter().flatten() {
            let code = crate::model::nav::code(location);
            if code.is_empty() || code.chars().count() > 10 {
                return Err(invalid("inventory.locations", format!("{location:?} is not a NAV location code (1 to 10 characters)")));
            }
            if !locations.contains(&code) {
                locations.push(code);
            }
        }
        let concurrency = self.concurrency.unwrap_or(4);
        if !(1..=16).contains(&concurrency) {
            return Err(invalid("inventory.concurrency", "must be between 1 and 16"));
        }
        // WooCommerce refuses batches above 100 items (413) unless a filter raises the limit.
        let batch_size = self.batch_size.unwrap_or(100);
        if !(1..=100).contains(&batch_size) {
            return Err(invalid("inventory.batch_size", "must be between 1 and 100 (WooCommerce's batch limit)"));
        }
        Ok(InventorySettings { locations, concurrency, batch_size })
    }
}

impl RawAgent {
    pub fn validate(&self) -> Result<AgentSettings, ConfigError> {
        let state_dir = self.state_dir.clone().unwrap_or_else(|| PathBuf::from("/var/lib/ml-connector"));
        let concurrency = self.concurrency.unwrap_or(4);
        if concurrency == 0 || concurrency > 64 {
            return Err(invalid("agent.concurrency", "must be between 1 and 64"));
        }
        let max_attempts = self.max_attempts.unwrap_or(8);
        if max_attempts == 0 {
            return Err(invalid("agent.max_attempts", "must be at least 1"));
        }
        let log_format = match self.log_format.as_deref().unwrap_or("journald") {
            "journald" => LogFormat::Journald,
            "text" => LogFormat::Text,
            "json" => LogFormat::Json,
            other => return Err(invalid("agent.log_format", format!("{other:?} is not journald, text or json"))),
        };
        Ok(AgentSettings {
            spool_path: self.spool_path.clone().unwrap_or_else(|| state_dir.join("spool/spool.db")),
            key_path: self.key_path.clone().unwrap_or_else(|| PathBuf::from("/etc/ml-connector/vault.key")),
            wake_socket: self.wake_socket.clone().unwrap_or_else(|| PathBuf::from("/run/ml-connector/agent.sock")),
            state_dir,
            concurrency,
            max_attempts,
            retry_base: Duration::from_millis(self.retry_base_ms.unwrap_or(1_000)),
            retry_cap: Duration::from_millis(self.retry_cap_ms.unwrap_or(300_000)),
            poll_interval: Duration::from_millis(self.poll_interval_ms.unwrap_or(2_000)),
            log_format,
        })
    }
}

impl RawNav {
    fn validate(&self, deployment: Option<&str>, keyring: Option<&Keyring>) -> Result<Option<NavSettings>, ConfigError> {
        let Some(deployment) = deployment.map(str::trim).filter(|d| !d.is_empty()) else {
            return Ok(None);
        };
        // A freshly activated plugin publishes its defaults (a deployment type, no credentials):
        // that is "not configured yet", not an invalid configuration.
        let credentials = [&self.tenant, &self.client_id, &self.client_secret, &self.base_url, &self.user, &self.access_key];
        let known = ["bc_online", "bc_onprem", "nav_onprem"].contains(&deployment);
        if known && credentials.iter().all(|field| nonblank(field).is_none()) {
            return Ok(None);
        }
        let deployment = match deployment {
            "bc_online" => Deployment::BcOnline {
                tenant: required(&self.tenant, "nav.tenant")?,
                environment: nonblank(&self.environment).unwrap_or_else(|| "production".into()),
                client_id: required(&self.client_id, "nav.client_id")?,
                client_secret: secret("nav.client_secret", &required(&self.client_secret, "nav.client_secret")?, keyring)?,
            },
            "bc_onprem" => {
                let base_url = url(&required(&self.base_url, "nav.base_url")?, "nav.base_url")?;
                let auth = match nonblank(&self.client_id) {
                    Some(client_id) => OnPremAuth::OAuth {
                        tenant: required(&self.tenant, "nav.tenant")?,
                        client_id,
                        client_secret: secret("nav.client_secret", &required(&self.client_secret, "nav.client_secret")?, keyring)?,
                    },
                    None => OnPremAuth::Basic {
                        user: required(&self.user, "nav.user")?,
                        access_key: secret("nav.access_key", &required(&self.access_key, "nav.access_key")?, keyring)?,
                    },
                };
                Deployment::BcOnPrem { base_url, auth }
            }
            "nav_onprem" => Deployment::NavOnPrem {
                base_url: url(&required(&self.base_url, "nav.base_url")?, "nav.base_url")?,
                user: required(&self.user, "nav.user")?,
                access_key: secret("nav.access_key", &required(&self.access_key, "nav.access_key")?, keyring)?,
            },
            other => return Err(invalid("deployment", format!("{other:?} is not bc_online, bc_onprem or nav_onprem"))),
        };
        for page in self.pages.keys() {
            if !["customer", "item", "sales_order", "ship_to", "credit_memo", "posted_invoice", "posted_credit_memo"].contains(&page.as_str()) {
                return Err(invalid(
                    &format!("nav.pages.{page}"),
                    "unknown page (customer, item, sales_order, ship_to, credit_memo, posted_invoice, posted_credit_memo)",
                ));
            }
        }
        let page = |name: &str, default: &str| self.pages.get(name).cloned().unwrap_or_else(|| default.to_string());
        // 95 % of BC online's 6,000 requests per 5 minutes per user (20/s): close to the limit, with
        // room for `check` and an operator's own requests under the same app registration.
        let rps = self.requests_per_second.unwrap_or(19.0);
        if !(rps > 0.0 && rps <= 10_000.0) {
            return Err(invalid("nav.requests_per_second", "must be above 0"));
        }
        Ok(Some(NavSettings {
            deployment,
            company: required(&self.company, "nav.company")?,
            page_customer: page("customer", "Customer"),
            page_item: page("item", "ItemCard"),
            page_sales_order: page("sales_order", "SalesOrder"),
            page_ship_to: page("ship_to", "ShipToAddress"),
            page_credit_memo: page("credit_memo", "SalesCreditMemo"),
            page_posted_invoice: page("posted_invoice", "PostedSalesInvoice"),
            page_posted_credit_memo: page("posted_credit_memo", "PostedSalesCreditMemo"),
            login_url: url(self.login_url.as_deref().unwrap_or("https://login.microsoftonline.com"), "nav.login_url")?,
            api_url: url(self.api_url.as_deref().unwrap_or("https://api.businesscentral.dynamics.com"), "nav.api_url")?,
            requests_per_second: rps,
            burst: self.burst.unwrap_or(5).max(1),
            timeout: Duration::from_secs(self.timeout_secs.unwrap_or(60)),
        }))
    }
}

impl RawWoo {
    fn validate(&self, keyring: Option<&Keyring>) -> Result<Option<WooSettings>, ConfigError> {
        let Some(site_url) = nonblank(&self.site_url) else { return Ok(None) };
        // Until WP admin has provisioned the agent's key, WooCommerce is simply not configured yet.
        if nonblank(&self.consumer_key).is_none() && nonblank(&self.consumer_secret).is_none() {
            return Ok(None);
        }
        Ok(Some(WooSettings {
            site_url: url(&site_url, "woo.site_url")?,
            consumer_key: required(&self.consumer_key, "woo.consumer_key")?,
            consumer_secret: secret("woo.consumer_secret", &required(&self.consumer_secret, "woo.consumer_secret")?, keyring)?,
            connect_to: nonblank(&self.connect_to),
            ca_file: self.ca_file.clone(),
            timeout: Duration::from_secs(self.timeout_secs.unwrap_or(30)),
        }))
    }
}

impl RawOrders {
    fn validate(self) -> Result<OrderSettings, ConfigError> {
        if self.customer_template.as_deref().is_some_and(|t| !t.trim().is_empty()) {
            tracing::warn!("orders.customer_template is not used: a customer template cannot be chosen through the API or the Customer Card; set posting groups in a mapping rule (docs/orders.md)");
        }
        let guests = match &self.guests {
            None => GuestPolicy::Create,
            Some(g) if g.mode == "create" => GuestPolicy::Create,
            Some(g) if g.mode == "fixed" => GuestPolicy::Fixed {
                customer_number: nonblank(&g.customer_number)
                    .map(|n| crate::model::nav::code(&n))
                    .ok_or_else(|| invalid("orders.guests.customer_number", "is required when guests.mode is fixed"))?,
            },
            Some(g) => return Err(invalid("orders.guests.mode", format!("{:?} is not create or fixed", g.mode))),
        };
        let shipping = match &self.shipping {
            None => ShippingLinePolicy { charge: false, number: "8100".into() },
            Some(s) => ShippingLinePolicy {
                charge: match s.line_type.as_str() {
                    "account" => false,
                    "charge" => true,
                    other => return Err(invalid("orders.shipping.line_type", format!("{other:?} is not account or charge"))),
                },
                number: crate::model::nav::code(&s.number),
            },
        };
        let discounts = match self.discounts.as_deref().unwrap_or("line") {
            "line" => DiscountPolicy::Line,
            "account" => DiscountPolicy::Account(
                nonblank(&self.discounts_account)
                    .map(|n| crate::model::nav::code(&n))
                    .ok_or_else(|| invalid("orders.discounts_account", "is required when discounts is account"))?,
            ),
            other => return Err(invalid("orders.discounts", format!("{other:?} is not line or account"))),
        };
        let sku_match = self
            .sku_match
            .clone()
            .unwrap_or_else(|| vec!["sku".into(), "variant".into(), "gtin".into()])
            .iter()
            .map(|m| match m.as_str() {
                "sku" => Ok(SkuMatch::Sku),
                "gtin" => Ok(SkuMatch::Gtin),
                "variant" => Ok(SkuMatch::Variant),
                other => Err(invalid("orders.sku_match", format!("{other:?} is not sku, gtin or variant"))),
            })
            .collect::<Result<Vec<_>, _>>()?;
        if sku_match.is_empty() {
            return Err(invalid("orders.sku_match", "needs at least one way to match"));
        }
        let tolerance = self.totals_tolerance.unwrap_or_else(|| Decimal::new(5, 2));
        if tolerance.is_sign_negative() {
            return Err(invalid("orders.totals_tolerance", "must not be negative"));
        }
        let prefix = self.order_number_prefix.clone().unwrap_or_else(|| "WC-".into());
        if prefix.len() > 15 {
            return Err(invalid("orders.order_number_prefix", "must be at most 15 characters (externalDocumentNumber holds 35)"));
        }
        let mut rules = Vec::new();
        for (index, rule) in self.rules.into_iter().enumerate() {
            let key = format!("orders.rules[{index}]");
            if rule.name.trim().is_empty() {
                return Err(invalid(&key, "needs a name"));
            }
            rule.then.validate().map_err(|reason| invalid(&format!("{key} ({})", rule.name), reason))?;
            rules.push(Rule { name: rule.name, when: rule.when, then: rule.then });
        }
        Ok(OrderSettings {
            statuses: self.statuses.unwrap_or_else(|| vec!["processing".into(), "completed".into(), "on-hold".into()]),
            guests,
            shipping,
            fees_account: crate::model::nav::code(self.fees_account.as_deref().unwrap_or("8200")),
            discounts,
            rounding_account: crate::model::nav::code(self.rounding_account.as_deref().unwrap_or("8400")),
            totals_tolerance: tolerance,
            sku_match,
            variant_separator: self.variant_separator.unwrap_or_else(|| "-".into()),
            order_number_prefix: prefix,
            rules,
        })
    }
}

#[cfg(test)]
mod inventory_tests {
    use super::*;

    #[test]
    fn inventory_settings_default_and_name_what_is_wrong() {
        let settings = crate::config::load(&serde_json::json!({}), None, None).unwrap();
        assert_eq!(settings.inventory, InventorySettings { locations: vec![], concurrency: 4, batch_size: 100 });
        let file = serde_json::json!({"inventory": {"locations": [" main", "MAIN", "east"], "batch_size": 50}});
        assert_eq!(crate::config::load(&file, None, None).unwrap().inventory.locations, vec!["MAIN".to_string(), "EAST".to_string()]);
        for (bad, key) in [(serde_json::json!({"batch_size": 101}), "inventory.batch_size"), (serde_json::json!({"concurrency": 0}), "inventory.concurrency"), (serde_json::json!({"locations": ["WAY-TOO-LONG-CODE"]}), "inventory.locations")] {
            let error = crate::config::load(&serde_json::json!({"inventory": bad}), None, None).unwrap_err().to_string();
            assert!(error.contains(key), "{error}");
        }
    }
}
