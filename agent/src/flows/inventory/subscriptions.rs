//! The subscription keeper: while `[bc_notifications]` is on and NAV is reached through API v2.0,
//! Business Central holds one webhook subscription per entity set below, posting to the plugin's
//! public route with the agent's clientState. The keeper creates them, renews each (PATCH with
//! `If-Match`) once less than a third of its lifetime — at most a day of the 3 days — is left,
//! looks every hour whether Business Central still has them (it deletes a subscription whose
//! deliveries keep failing) and recreates what is gone, and deletes them when the accelerator is
//! turned off. Id, etag and expiry are kept in the store; the plugin learns the clientState's
//! fingerprint from the `bc_notifications` document, published before any subscription exists.
//!
//! Which sets: item stock postings do not touch the Item row, so `items` notifications do not
//! come with stock movements, and `itemLedgerEntries` supports no webhooks (reference §4.2, §7.1).
//! What does change with stock is the sales documents whose posting moves it: a sales order
//! shipped (`updated`, or `deleted` once fully posted), a sales invoice posted, a sales credit memo
//! posted (a return). Purchase receipts, item journals, transfers and assembly fire nothing API
//! v2.0 subscriptions can see: for them polling stays the only signal.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tokio::sync::watch;

use super::notifications::{self, STATUS_DOCUMENT};
use crate::adapter::bc_api::subscriptions::NavSubscription;
use crate::adapter::bc_api::BcApi;
use crate::adapter::http::Recorder;
use crate::adapter::nav::Nav;
use crate::config::Secret;
use crate::pipeline::runner::SharedRuntime;
use crate::runtime::Runtime;

/// The entity sets subscribed to (see the module comment for why these).
pub const ENTITY_SETS: &[&str] = &["salesOrders", "salesInvoices", "salesCreditMemos"];
/// Also subscribed to while two-way customer sync is on: a customer changed in NAV reaches
/// WooCommerce without waiting for `schedules.customers` (issue 6: "subscription where available").
pub const CUSTOMER_SET: &str = "customers";

/// What is subscribed to under the current settings.
fn wanted_sets(rt: &Runtime) -> Vec<&'static str> {
    let mut sets = ENTITY_SETS.to_vec();
    if rt.settings.customers.enabled {
        sets.push(CUSTOMER_SET);
    }
    sets
}
/// Where the subscriptions are kept (JSON, no secret in it).
const KEPT_CURSOR: &str = "bc_notifications.subscriptions";
/// How often Business Central is asked whether it still has them.
const LOOK_EVERY: chrono::Duration = chrono::Duration::hours(1);
/// The most a renewal comes before the expiry.
const RENEW_AT_MOST: chrono::Duration = chrono::Duration::days(1);

/// A subscription, when the agent got its current expiry (to know the lifetime granted) and when
/// it last saw Business Central still has it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Kept {
    subscription: NavSubscription,
    obtained_at: DateTime<Utc>,
    seen_at: DateTime<Utc>,
}

impl Kept {
    fn new(subscription: NavSubscription) -> Self {
        let now = Utc::now();
        Kept { subscription, obtained_at: now, seen_at: now }
    }

    /// When to renew: a third of the lifetime before the expiry, at most a day before.
    fn renew_at(&self) -> DateTime<Utc> {
        let lifetime = self.subscription.expires_at - self.obtained_at;
        self.subscription.expires_at - (lifetime / 3).min(RENEW_AT_MOST).max(chrono::Duration::zero())
    }
}

fn load_kept(rt: &Runtime) -> Vec<Kept> {
    rt.store.cursor(KEPT_CURSOR).ok().flatten().and_then(|json| serde_json::from_str(&json).ok()).unwrap_or_default()
}

fn save_kept(rt: &Runtime, kept: &[Kept]) -> Result<(), String> {
    let json = serde_json::to_string(kept).map_err(|e| e.to_string())?;
    rt.store.set_cursor(KEPT_CURSOR, &json).map_err(|e| format!("the subscriptions cannot be stored: {e}"))
}

/// What the keeper last worked from: on a change it works at once.
#[derive(Clone, Debug, PartialEq)]
struct Wanted {
    url: Option<String>,
    api: bool,
    /// The company: the subscriptions' resources name it.
    company: Option<String>,
}

#[derive(Default)]
struct Keeper {
    applied: Option<Wanted>,
    next: Option<DateTime<Utc>>,
    failures: u32,
}

/// Runs until `stop`: looks every second whether settings changed or work is due.
pub async fn keep(runtime: SharedRuntime, mut stop: watch::Receiver<bool>) {
    let mut keeper = Keeper::default();
    loop {
        let rt = runtime.read().await.clone();
        keeper.step(&rt).await;
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            _ = stop.changed() => return,
        }
    }
}

impl Keeper {
    async fn step(&mut self, rt: &Runtime) {
        let settings = &rt.settings.bc_notifications;
        let wanted = Wanted {
            url: settings.url.clone().filter(|_| settings.enabled),
            api: matches!(rt.nav.as_deref(), Some(Nav::Api(_))),
            company: rt.settings.nav.as_ref().filter(|_| rt.nav.is_some()).map(|nav| nav.company.clone()),
        };
        let now = Utc::now();
        if self.applied.as_ref() == Some(&wanted) && self.next.is_none_or(|next| next > now) {
            return;
        }
        if self.applied.as_ref() != Some(&wanted) {
            self.failures = 0;
        }
        self.applied = Some(wanted.clone());
        let result = match (rt.nav.as_deref(), &wanted.url) {
            (None, _) => Ok(None),
            (Some(Nav::Api(api)), Some(url)) => keep_subscribed(rt, api, url).await,
            (Some(Nav::Api(api)), None) => unsubscribe(rt, api).await,
            (Some(Nav::Pages(_)), url) => {
                // Page web services have no webhooks; what may be kept expires on its own.
                let _ = save_kept(rt, &[]);
                let problem = url.as_ref().map(|_| "Business Central notifications need API v2.0; legacy NAV page services have no webhooks, so stock follows schedules.inventory only".to_string());
                publish(rt, None, &[], problem.as_deref());
                Ok(None)
            }
        };
        self.next = match result {
            Ok(next) => {
                self.failures = 0;
                next
            }
            Err(problem) => {
                self.failures += 1;
                tracing::warn!("Business Central notifications: {problem}");
                publish(rt, notifications::client_state(rt).ok().flatten().as_ref(), &load_kept(rt), Some(&problem));
                Some(now + retry_pause(self.failures))
            }
        };
    }
}

/// Pause after the n-th failure in a row: 1, 2, 4 … 60 minutes.
fn retry_pause(failures: u32) -> chrono::Duration {
    chrono::Duration::minutes((1i64 << failures.saturating_sub(1).min(6)).min(60))
}

/// Creates, renews, checks and recreates; returns when to look again.
async fn keep_subscribed(rt: &Runtime, api: &BcApi, url: &str) -> Result<Option<DateTime<Utc>>, String> {
    let state = notifications::client_state_or_new(rt).map_err(|e| format!("the clientState cannot be kept in the vault: {e}"))?;
    let mut kept = load_kept(rt);
    // The plugin must know the fingerprint before Business Central's first notification.
    publish(rt, Some(&state), &kept, None);
    let rec = Recorder::default();
    let now = Utc::now();
    let look = kept.iter().any(|k| k.seen_at + LOOK_EVERY <= now);
    let mut wanted = Vec::new();
    for set in wanted_sets(rt) {
        let resource = api.subscription_resource(set, &rec).await.map_err(|e| format!("the company cannot be read: {e}"))?;
        wanted.push(resource.clone());
        let index = kept.iter().position(|k| k.subscription.resource == resource);
        let current = index.map(|i| kept[i].clone());
        let next = match current {
            Some(k) if k.subscription.notification_url != url => {
                // The public URL changed: a subscription posts to one URL for life.
                api.delete_subscription(&k.subscription, &rec).await.map_err(|e| format!("the subscription on {set} cannot be deleted: {e}"))?;
                create(api, url, &resource, &state, set, &rec).await?
            }
            Some(k) if k.renew_at() <= now => match api.renew_subscription(&k.subscription, &state, &rec).await {
                Ok(renewed) => {
                    tracing::info!(entity_set = set, expires = %renewed.expires_at, "Business Central subscription renewed");
                    Kept::new(renewed)
                }
                Err(crate::adapter::AdapterError::NotFound { .. }) => create(api, url, &resource, &state, set, &rec).await?,
                Err(error) => return Err(format!("the subscription on {set} cannot be renewed: {error}")),
            },
            Some(k) if look => match api.get_subscription(&k.subscription.id, &rec).await {
                Ok(Some(found)) => Kept { subscription: NavSubscription { etag: found.etag, expires_at: found.expires_at, ..k.subscription }, seen_at: now, ..k },
                Ok(None) => {
                    tracing::warn!(entity_set = set, "Business Central no longer has the subscription (expired, or deleted after failed deliveries); making it again");
                    create(api, url, &resource, &state, set, &rec).await?
                }
                Err(error) => return Err(format!("the subscription on {set} cannot be read: {error}")),
            },
            Some(k) => k,
            None => create(api, url, &resource, &state, set, &rec).await?,
        };
        match index {
            Some(i) => kept[i] = next,
            None => kept.push(next),
        }
        save_kept(rt, &kept)?;
    }
    // Subscriptions on what is no longer wanted (another company, say) go.
    for stale in kept.iter().filter(|k| !wanted.contains(&k.subscription.resource)).cloned().collect::<Vec<_>>() {
        api.delete_subscription(&stale.subscription, &rec).await.map_err(|e| format!("an old subscription cannot be deleted: {e}"))?;
        kept.retain(|k| k != &stale);
        save_kept(rt, &kept)?;
    }
    publish(rt, Some(&state), &kept, None);
    let renew = kept.iter().map(Kept::renew_at).min();
    let look_at = kept.iter().map(|k| k.seen_at + LOOK_EVERY).min().unwrap_or(now + LOOK_EVERY).max(now + chrono::Duration::seconds(1));
    Ok(Some(renew.map_or(look_at, |r| r.min(look_at))))
}

async fn create(api: &BcApi, url: &str, resource: &str, state: &Secret, set: &str, rec: &Recorder) -> Result<Kept, String> {
    match api.create_subscription(url, resource, state, rec).await {
        Ok(created) => {
            tracing::info!(entity_set = set, expires = %created.expires_at, "Business Central subscription created");
            Ok(Kept::new(created))
        }
        Err(error) => Err(format!(
            "Business Central did not create the subscription on {set}: {error} — it must reach {url} and get its validationToken back (BC notifications turned on in WP admin?)"
        )),
    }
}

/// Deletes what is kept (the accelerator is off) and forgets the clientState.
async fn unsubscribe(rt: &Runtime, api: &BcApi) -> Result<Option<DateTime<Utc>>, String> {
    let mut kept = load_kept(rt);
    let rec = Recorder::default();
    while let Some(k) = kept.first().cloned() {
        api.delete_subscription(&k.subscription, &rec).await.map_err(|e| format!("the subscription {} cannot be deleted: {e}", k.subscription.id))?;
        tracing::info!(subscription = %k.subscription.id, "Business Central subscription deleted (notifications turned off)");
        kept.remove(0);
        save_kept(rt, &kept)?;
    }
    notifications::forget_client_state(&rt.store).map_err(|e| e.to_string())?;
    publish(rt, None, &[], None);
    Ok(None)
}

/// Writes the `bc_notifications` document the plugin checks notifications against (and `status`
/// shows). Without a clientState it says "off": the plugin then refuses every notification.
fn publish(rt: &Runtime, state: Option<&Secret>, kept: &[Kept], problem: Option<&str>) {
    let document = serde_json::json!({
        "enabled": state.is_some(),
        "client_state_sha256": state.map(|s| notifications::fingerprint(s.expose())),
        "notification_url": rt.settings.bc_notifications.url,
        "subscriptions": kept.iter().map(|k| serde_json::json!({
            "id": k.subscription.id,
            "resource": k.subscription.resource,
            "expires_at": k.subscription.expires_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "renew_at": k.renew_at().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        })).collect::<Vec<_>>(),
        "problem": problem,
        "at": ml_connector_formats::utc_now(),
    });
    let written = ml_connector_formats::Spool::open(&rt.settings.agent.spool_path).and_then(|spool| spool.put_status(STATUS_DOCUMENT, &document.to_string()));
    if let Err(error) = written {
        tracing::warn!(%error, "the bc_notifications document cannot be written to the spool");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn kept(obtained: DateTime<Utc>, lifetime: chrono::Duration) -> Kept {
        let subscription = NavSubscription { id: "s".into(), resource: "r".into(), notification_url: "u".into(), etag: "*".into(), expires_at: obtained + lifetime };
        Kept { subscription, obtained_at: obtained, seen_at: obtained }
    }

    #[test]
    fn renewal_comes_a_day_before_a_three_day_expiry_and_a_third_before_a_short_one() {
        let at = Utc.with_ymd_and_hms(2026, 11, 28, 10, 0, 0).unwrap();
        assert_eq!(kept(at, chrono::Duration::days(3)).renew_at(), at + chrono::Duration::days(2));
        assert_eq!(kept(at, chrono::Duration::seconds(30)).renew_at(), at + chrono::Duration::seconds(20));
    }

    #[test]
    fn failures_wait_longer_each_time_up_to_an_hour() {
        let pauses: Vec<i64> = (1..=8).map(|n| retry_pause(n).num_minutes()).collect();
        assert_eq!(pauses, vec![1, 2, 4, 8, 16, 32, 60, 60]);
    }
}
