//! The two sockets the agent can open for others: `[metrics]` (the Prometheus endpoint) and
//! `[ingest]` (how events arrive: the spool hand-off, or WooCommerce webhooks on a listener behind
//! the shop's reverse proxy). Both bind to loopback unless the operator explicitly allows more:
//! the metrics say how busy the shop is, and a webhook listener is meant to sit behind a proxy.
//! Both come from the agent's file only: `config::load` drops them from WordPress's site document.

use std::net::SocketAddr;
use std::time::Duration;

use serde::Deserialize;

use super::{invalid, ConfigError};

/// `[metrics]`: off unless `listen` is set.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawMetrics {
    pub listen: Option<String>,
    pub allow_remote: Option<bool>,
}

/// `[ingest]`: `mode = "hand-off"` (default) or `"webhooks"` with its listener.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawIngest {
    pub mode: Option<String>,
    pub listen: Option<String>,
    pub allow_remote: Option<bool>,
    pub public_url: Option<String>,
    pub check_interval_secs: Option<u64>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct MetricsSettings {
    /// Where `GET /metrics` is served; `None` = no endpoint.
    pub listen: Option<SocketAddr>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum IngestSettings {
    /// Events come through the spool from the PHP extension (the agent runs next to WordPress).
    HandOff,
    /// Events come as WooCommerce webhooks (the agent runs elsewhere).
    Webhooks(WebhookSettings),
}

#[derive(Clone, Debug, PartialEq)]
pub struct WebhookSettings {
    /// The agent's HTTP listener (the reverse proxy forwards to it).
    pub listen: SocketAddr,
    /// The delivery URL WooCommerce posts to: the proxy's public address of the listener.
    pub public_url: String,
    /// How often the subscriptions and the endpoint are checked.
    pub check_interval: Duration,
}

/// Default port of the webhook listener (behind the proxy).
const DEFAULT_WEBHOOK_LISTEN: &str = "127.0.0.1:8765";

fn socket(key: &str, text: &str, allow_remote: bool) -> Result<SocketAddr, ConfigError> {
    let addr: SocketAddr = text.trim().parse().map_err(|_| invalid(key, format!("{text:?} is not an address:port such as 127.0.0.1:9464")))?;
    if !addr.ip().is_loopback() && !allow_remote {
        return Err(invalid(
            key,
            format!("{addr} is not a loopback address; set allow_remote = true in the same section to listen there (and firewall it)"),
        ));
    }
    Ok(addr)
}

impl RawMetrics {
    pub fn validate(&self) -> Result<MetricsSettings, ConfigError> {
        let listen = match self.listen.as_deref().map(str::trim).filter(|l| !l.is_empty()) {
            None => None,
            Some(text) => Some(socket("metrics.listen", text, self.allow_remote.unwrap_or(false))?),
        };
        Ok(MetricsSettings { listen })
    }
}

impl RawIngest {
    pub fn validate(&self) -> Result<IngestSettings, ConfigError> {
        match self.mode.as_deref().map(str::trim).unwrap_or("hand-off") {
            "hand-off" => Ok(IngestSettings::HandOff),
            "webhooks" => {
                let listen = socket("ingest.listen", self.listen.as_deref().unwrap_or(DEFAULT_WEBHOOK_LISTEN), self.allow_remote.unwrap_or(false))?;
                let public_url = self
                    .public_url
                    .as_deref()
                    .map(str::trim)
                    .filter(|u| !u.is_empty())
                    .ok_or_else(|| invalid("ingest.public_url", "is required in webhooks mode: the https:// address WooCommerce delivers to"))?;
                let parsed = url::Url::parse(public_url).map_err(|e| invalid("ingest.public_url", format!("{public_url:?} is not a URL: {e}")))?;
                if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
                    return Err(invalid("ingest.public_url", format!("{public_url:?} must start with https:// (or http://)")));
                }
                let check_interval = Duration::from_secs(self.check_interval_secs.unwrap_or(60));
                if check_interval.is_zero() {
                    return Err(invalid("ingest.check_interval_secs", "must be at least 1"));
                }
                Ok(IngestSettings::Webhooks(WebhookSettings { listen, public_url: public_url.to_string(), check_interval }))
            }
            other => Err(invalid("ingest.mode", format!("{other:?} is not hand-off or webhooks"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::config::{load, IngestSettings};
    use serde_json::json;

    #[test]
    fn metrics_are_off_by_default_and_listen_on_loopback_when_set() {
        assert_eq!(load(&json!({}), None, None).unwrap().metrics.listen, None);
        let settings = load(&json!({"metrics": {"listen": "127.0.0.1:9464"}}), None, None).unwrap();
        assert_eq!(settings.metrics.listen, Some("127.0.0.1:9464".parse().unwrap()));
    }

    #[test]
    fn a_non_loopback_listener_is_refused_unless_allowed() {
        let error = load(&json!({"metrics": {"listen": "0.0.0.0:9464"}}), None, None).unwrap_err().to_string();
        assert!(error.contains("metrics.listen") && error.contains("allow_remote"), "{error}");
        let allowed = load(&json!({"metrics": {"listen": "0.0.0.0:9464", "allow_remote": true}}), None, None).unwrap();
        assert_eq!(allowed.metrics.listen, Some("0.0.0.0:9464".parse().unwrap()));
        let webhooks = json!({"ingest": {"mode": "webhooks", "listen": "[::]:8765", "public_url": "https://shop.example/agent"}});
        assert!(load(&webhooks, None, None).unwrap_err().to_string().contains("ingest.listen"));
    }

    #[test]
    fn the_site_settings_from_wordpress_cannot_open_listeners() {
        let site = json!({"metrics": {"listen": "127.0.0.1:9464"}, "ingest": {"mode": "webhooks", "public_url": "https://evil.example/"}}).to_string();
        let settings = load(&json!({}), Some(&site), None).unwrap();
        assert_eq!((settings.metrics.listen, settings.ingest), (None, IngestSettings::HandOff));
    }

    #[test]
    fn webhooks_mode_needs_the_public_url() {
        assert_eq!(load(&json!({}), None, None).unwrap().ingest, IngestSettings::HandOff);
        let error = load(&json!({"ingest": {"mode": "webhooks"}}), None, None).unwrap_err().to_string();
        assert!(error.contains("ingest.public_url"), "{error}");
        let settings = load(&json!({"ingest": {"mode": "webhooks", "public_url": "https://shop.example/ml-connector/webhooks"}}), None, None).unwrap();
        let IngestSettings::Webhooks(webhooks) = settings.ingest else { panic!("webhooks mode") };
        assert_eq!(webhooks.listen, "127.0.0.1:8765".parse().unwrap());
        assert!(load(&json!({"ingest": {"mode": "push"}}), None, None).unwrap_err().to_string().contains("ingest.mode"));
    }
}
