//! `[bc_notifications]`: the optional accelerator of the inventory flow (docs/inventory.md,
//! "Business Central notifications"). When on, the agent keeps Business Central webhook
//! subscriptions whose notifications reach the site at `url` (the plugin's public REST route) and
//! come back through the spool; each one starts an incremental inventory run soon. Polling on
//! `schedules.inventory` stays the safety net, so this is off by default and never required.

use serde::Deserialize;

use super::{invalid, ConfigError};

#[derive(Clone, Debug, Default, PartialEq)]
pub struct BcNotificationSettings {
    pub enabled: bool,
    /// The public URL Business Central posts to (the plugin's `…/ml-connector/v1/bc-notifications`).
    /// Always set when `enabled`.
    pub url: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawBcNotifications {
    pub enabled: Option<bool>,
    pub url: Option<String>,
}

impl RawBcNotifications {
    pub fn validate(&self) -> Result<BcNotificationSettings, ConfigError> {
        let enabled = self.enabled.unwrap_or(false);
        let url = self.url.as_deref().map(str::trim).filter(|u| !u.is_empty());
        let url = match url {
            None if enabled => return Err(invalid("bc_notifications.url", "is required when bc_notifications.enabled is true")),
            None => None,
            Some(text) => {
                let parsed = url::Url::parse(text).map_err(|e| invalid("bc_notifications.url", format!("{text:?} is not a URL: {e}")))?;
                if !matches!(parsed.scheme(), "http" | "https") {
                    return Err(invalid("bc_notifications.url", format!("{text:?} must start with https:// (Business Central calls it)")));
                }
                Some(text.to_string())
            }
        };
        Ok(BcNotificationSettings { enabled, url })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn notifications_are_off_by_default_and_need_a_url_when_on() {
        let settings = crate::config::load(&json!({}), None, None).unwrap();
        assert!(!settings.bc_notifications.enabled);
        let on = json!({"bc_notifications": {"enabled": true, "url": "https://shop.example/wp-json/ml-connector/v1/bc-notifications"}});
        let settings = crate::config::load(&on, None, None).unwrap();
        assert!(settings.bc_notifications.enabled);
        assert_eq!(settings.bc_notifications.url.as_deref(), Some("https://shop.example/wp-json/ml-connector/v1/bc-notifications"));
        for (bad, why) in [
            (json!({"enabled": true}), "is required"),
            (json!({"enabled": true, "url": "ftp://shop.example/x"}), "must start with https://"),
            (json!({"enabled": true, "url": "not a url"}), "is not a URL"),
            (json!({"enabled": true, "url": "https://x", "renew": 1}), "unknown field"),
        ] {
            let error = crate::config::load(&json!({ "bc_notifications": bad }), None, None).unwrap_err().to_string();
            assert!(error.contains(why), "{error}");
        }
    }
}
