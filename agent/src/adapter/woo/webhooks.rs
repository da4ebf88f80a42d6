//! The agent's webhook subscriptions on WooCommerce (`/wc/v3/webhooks`): list, create, delete.
//! The secret travels only in the create request; answers are read into [`Subscription`], which
//! has no secret field, and callers do not put these exchanges in the audit trail, so the secret
//! is never stored anywhere but the vault.

use reqwest::Method;
use serde::Deserialize;

use super::{header_number, Woo};
use crate::adapter::http::Recorder;
use crate::adapter::{AdapterError, AdapterResult, System};
use crate::config::Secret;

/// A webhook as WooCommerce lists it (`context=view`: without its secret).
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Subscription {
    pub id: i64,
    #[serde(default)]
    pub name: String,
    /// `active`, `paused` (by an administrator) or `disabled` (by WooCommerce after failures).
    pub status: String,
    pub topic: String,
    pub delivery_url: String,
}

impl Woo {
    /// Every webhook of the store, whatever its status.
    pub async fn webhooks(&self, rec: &Recorder) -> AdapterResult<Vec<Subscription>> {
        let mut all = Vec::new();
        let mut page = 1u64;
        loop {
            let params = [("status".to_string(), "all".to_string()), ("per_page".to_string(), "100".to_string()), ("page".to_string(), page.to_string())];
            let answer = self.send(Method::GET, "webhooks", &params, None, rec).await?;
            let items: Vec<Subscription> = answer.json(System::Woo)?;
            let pages = header_number(&answer.headers, "x-wp-totalpages");
            let empty = items.is_empty();
            all.extend(items);
            if empty || page >= pages {
                return Ok(all);
            }
            page += 1;
        }
    }

    /// Creates an active webhook. WooCommerce pings `delivery_url` once; creation does not depend on it.
    pub async fn create_webhook(&self, name: &str, topic: &str, delivery_url: &str, secret: &Secret, rec: &Recorder) -> AdapterResult<Subscription> {
        let body = serde_json::json!({ "name": name, "topic": topic, "delivery_url": delivery_url, "secret": secret.expose(), "status": "active" });
        let answer = self.send(Method::POST, "webhooks", &[], Some(&body), rec).await?;
        // Not `Answer::json`: its error would quote the body, and this body carries the secret.
        serde_json::from_str(&answer.body).map_err(|e| AdapterError::BadResponse { system: System::Woo, detail: format!("the created webhook could not be read (line {}, column {})", e.line(), e.column()) })
    }

    /// Deletes a webhook for good (`force=true`; webhooks cannot be trashed). Gone already is fine.
    pub async fn delete_webhook(&self, id: i64, rec: &Recorder) -> AdapterResult<()> {
        match self.send(Method::DELETE, &format!("webhooks/{id}"), &[("force".to_string(), "true".to_string())], None, rec).await {
            Ok(_) | Err(AdapterError::NotFound { .. }) => Ok(()),
            Err(error) => Err(error),
        }
    }
}
