//! `[refunds]`: how cancellations and refunds reach NAV (docs/refunds.md) — what happens to a
//! cancelled order NAV has not posted, which G/L accounts carry shipping refunds and refunds of an
//! amount without items, and whether the agent posts the credit memos it makes. Set in the TOML
//! file or on WP admin's settings page (the site document); the file wins key by key.

use serde::Deserialize;

use super::{invalid, ConfigError};
use crate::model::nav::code;

/// A cancelled WooCommerce order whose NAV sales order is still unposted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CancellationMode {
    /// Delete the sales order (its quantities stop counting as pending stock at once).
    Delete,
    /// Leave it, with a comment line saying it was cancelled, for someone in NAV to decide.
    Mark,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RefundSettings {
    pub cancellation: CancellationMode,
    /// G/L account of a shipping refund line (upper-cased Code).
    pub shipping_account: String,
    /// G/L account of a refund that names no items (an amount given back as goodwill, say).
    pub amount_account: String,
    /// Post credit memos right away (`Microsoft.NAV.post`); otherwise they stay drafts in NAV.
    pub post_credit_memos: bool,
}

impl Default for RefundSettings {
    fn default() -> Self {
        RefundSettings { cancellation: CancellationMode::Delete, shipping_account: "8100".into(), amount_account: "8500".into(), post_credit_memos: false }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawRefunds {
    pub cancellation: Option<String>,
    pub shipping_account: Option<String>,
    pub amount_account: Option<String>,
    pub post_credit_memos: Option<bool>,
}

impl RawRefunds {
    pub fn validate(&self) -> Result<RefundSettings, ConfigError> {
        let defaults = RefundSettings::default();
        let cancellation = match self.cancellation.as_deref().map(str::trim) {
            None | Some("delete") => CancellationMode::Delete,
            Some("mark") => CancellationMode::Mark,
            Some(other) => return Err(invalid("refunds.cancellation", format!("{other:?} is not delete or mark"))),
        };
        let account = |value: &Option<String>, key: &str, default: String| -> Result<String, ConfigError> {
            match value.as_deref().map(code) {
                None => Ok(default),
                Some(number) if number.is_empty() || number.chars().count() > 20 => {
                    Err(invalid(key, format!("{number:?} is not a G/L account number (1 to 20 characters)")))
                }
                Some(number) => Ok(number),
            }
        };
        Ok(RefundSettings {
            cancellation,
            shipping_account: account(&self.shipping_account, "refunds.shipping_account", defaults.shipping_account)?,
            amount_account: account(&self.amount_account, "refunds.amount_account", defaults.amount_account)?,
            post_credit_memos: self.post_credit_memos.unwrap_or(false),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refund_settings_default_and_name_what_is_wrong() {
        let settings = crate::config::load(&serde_json::json!({}), None, None).unwrap();
        assert_eq!(settings.refunds, RefundSettings::default());
        let file = serde_json::json!({"refunds": {"cancellation": "mark", "amount_account": " 8600 ", "post_credit_memos": true}});
        let settings = crate::config::load(&file, None, None).unwrap().refunds;
        assert_eq!((settings.cancellation, settings.amount_account.as_str(), settings.post_credit_memos), (CancellationMode::Mark, "8600", true));
        for (bad, key) in [(serde_json::json!({"cancellation": "void"}), "refunds.cancellation"), (serde_json::json!({"shipping_account": " "}), "refunds.shipping_account")] {
            let error = crate::config::load(&serde_json::json!({"refunds": bad}), None, None).unwrap_err().to_string();
            assert!(error.contains(key), "{error}");
        }
        assert!(crate::config::load(&serde_json::json!({"refunds": {"typo": 1}}), None, None).is_err(), "unknown keys are named");
    }

    #[test]
    fn refund_settings_from_wp_admin_merge_under_the_file() {
        // As the plugin writes them (an empty account is left out: the default applies).
        let site = serde_json::json!({"schema": 1, "refunds": {"cancellation": "mark", "shipping_account": "GL-8150", "post_credit_memos": true}});
        let settings = crate::config::load(&serde_json::json!({}), Some(&site.to_string()), None).unwrap().refunds;
        assert_eq!(settings, RefundSettings { cancellation: CancellationMode::Mark, shipping_account: "GL-8150".into(), amount_account: "8500".into(), post_credit_memos: true });
        let file = serde_json::json!({"refunds": {"post_credit_memos": false, "amount_account": "8600"}});
        let settings = crate::config::load(&file, Some(&site.to_string()), None).unwrap().refunds;
        assert_eq!((settings.cancellation, settings.amount_account.as_str(), settings.post_credit_memos), (CancellationMode::Mark, "8600", false), "the file wins key by key");
        let bad = serde_json::json!({"refunds": {"cancellation": "void"}});
        let error = crate::config::load(&serde_json::json!({}), Some(&bad.to_string()), None).unwrap_err().to_string();
        assert!(error.contains("refunds.cancellation"), "{error}");
    }
}
