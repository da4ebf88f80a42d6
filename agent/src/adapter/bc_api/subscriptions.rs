//! Webhook subscriptions of API v2.0 (reference §7): `{api}/subscriptions`, at environment level,
//! not under a company. Creating or renewing one makes Business Central call the notification URL
//! with `?validationToken=` first and refuse (400) unless the token comes back; a renewal is a
//! PATCH with `If-Match` and the same fields; a subscription lives 3 days unless renewed.
//!
//! The `clientState` goes out in the request body only: it is never part of an error or a log line
//! (the answer, which echoes it, is read for id, etag and expiry and dropped).

use chrono::{DateTime, Utc};
use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::BcApi;
use crate::adapter::http::Recorder;
use crate::adapter::{AdapterError, AdapterResult, System};
use crate::config::Secret;

/// A subscription as the agent keeps it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NavSubscription {
    pub id: String,
    /// The entity set it watches, as sent (`/api/v2.0/companies({id})/salesOrders`).
    pub resource: String,
    pub notification_url: String,
    pub etag: String,
    pub expires_at: DateTime<Utc>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ApiSubscription {
    subscription_id: String,
    #[serde(default)]
    resource: String,
    #[serde(default)]
    notification_url: String,
    #[serde(rename = "@odata.etag", default)]
    etag: Option<String>,
    expiration_date_time: DateTime<Utc>,
}

impl ApiSubscription {
    fn into_nav(self) -> NavSubscription {
        NavSubscription {
            id: self.subscription_id,
            resource: self.resource,
            notification_url: self.notification_url,
            // Without an etag the renewal still needs an If-Match: "*" is what BC accepts.
            etag: self.etag.unwrap_or_else(|| "*".into()),
            expires_at: self.expiration_date_time,
        }
    }
}

fn body(notification_url: &str, resource: &str, client_state: &Secret) -> serde_json::Value {
    json!({"notificationUrl": notification_url, "resource": resource, "clientState": client_state.expose()})
}

impl BcApi {
    fn subscription_url(&self, id: &str) -> String {
        // The key is a String: quoted, with quotes doubled (OData).
        format!("{}/subscriptions('{}')", self.api_base, id.replace('\'', "''"))
    }

    /// The `resource` of a subscription on one of the company's entity sets, in the relative form
    /// the reference documents (`/api/v2.0/companies({id})/customers`).
    pub async fn subscription_resource(&self, entity_set: &str, rec: &Recorder) -> AdapterResult<String> {
        let company = self.company_url(rec).await?;
        let company = company.rsplit('/').next().unwrap_or_default();
        Ok(format!("/api/v2.0/{company}/{entity_set}"))
    }

    /// POST: Business Central runs the handshake with `notification_url` before answering 201.
    pub async fn create_subscription(&self, notification_url: &str, resource: &str, client_state: &Secret, rec: &Recorder) -> AdapterResult<NavSubscription> {
        let url = format!("{}/subscriptions", self.api_base);
        let created: ApiSubscription =
            self.send(Method::POST, url, Some(&body(notification_url, resource, client_state)), None, rec).await?.json(System::Nav)?;
        Ok(created.into_nav())
    }

    /// `None` when Business Central no longer has it (expired, or deleted after failed deliveries).
    pub async fn get_subscription(&self, id: &str, rec: &Recorder) -> AdapterResult<Option<NavSubscription>> {
        match self.get_json::<ApiSubscription>(self.subscription_url(id), rec).await {
            Ok(found) => Ok(Some(found.into_nav())),
            Err(AdapterError::NotFound { .. }) => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// PATCH with `If-Match` and the same fields: a new expiry, after a new handshake.
    pub async fn renew_subscription(&self, current: &NavSubscription, client_state: &Secret, rec: &Recorder) -> AdapterResult<NavSubscription> {
        let patch = body(&current.notification_url, &current.resource, client_state);
        let renewed: ApiSubscription =
            self.send(Method::PATCH, self.subscription_url(&current.id), Some(&patch), Some(&current.etag), rec).await?.json(System::Nav)?;
        Ok(renewed.into_nav())
    }

    /// DELETE with `If-Match` (whether BC requires it is unconfirmed: sent, the stricter reading).
    /// A subscription already gone counts as deleted.
    pub async fn delete_subscription(&self, current: &NavSubscription, rec: &Recorder) -> AdapterResult<()> {
        match self.send(Method::DELETE, self.subscription_url(&current.id), None, Some(&current.etag), rec).await {
            Ok(_) | Err(AdapterError::NotFound { .. }) => Ok(()),
            Err(AdapterError::Conflict { .. }) => {
                // Renewed meanwhile (a new etag): delete what is there now.
                self.send(Method::DELETE, self.subscription_url(&current.id), None, Some("*"), rec).await.map(|_| ()).or_else(|e| match e {
                    AdapterError::NotFound { .. } => Ok(()),
                    other => Err(other),
                })
            }
            Err(error) => Err(error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_subscription_business_central_answers() {
        let answer = json!({
            "@odata.etag": "W/\"JzQ0O0pFQUFBQUo3LycyJw==\"",
            "subscriptionId": "c670ea73cacb459bb51dc1740da2f1db",
            "notificationUrl": "https://shop.example/wp-json/ml-connector/v1/bc-notifications",
            "resource": "/api/v2.0/companies(f1d7e9a1-0000-0000-0000-000000000000)/salesOrders",
            "clientState": "not kept",
            "expirationDateTime": "2026-12-01T10:00:00Z",
            "timestamp": 44
        });
        let sub = serde_json::from_value::<ApiSubscription>(answer).unwrap().into_nav();
        assert_eq!(sub.id, "c670ea73cacb459bb51dc1740da2f1db");
        assert_eq!(sub.etag, "W/\"JzQ0O0pFQUFBQUo3LycyJw==\"");
        assert_eq!(sub.expires_at.to_rfc3339(), "2026-12-01T10:00:00+00:00");
        assert!(!serde_json::to_string(&sub).unwrap().contains("not kept"), "the clientState is not kept with the subscription");
    }
}
