//! Sending notifications, as codeunit 6154 "API Webhook Notification Send" does: changes are
//! collected per subscription for `delay_ms` after the first one (several updates of a record
//! collapse into one; null updates never get here), then one POST per notification URL carries
//! `{"value":[…]}`; more than `max_notifications` records become one `collection` notification.
//! No answer, 408, 429 and 5xx are retried every `retry_ms` until `retry_window_ms` has passed
//! (then the subscription is deleted); any other non-2xx status deletes the subscription at once.
//! Expired subscriptions are deleted.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use tokio::sync::watch;
use uuid::Uuid;

use super::Sent;
use crate::odata::value::format_datetime;
use crate::server::Sim;
use crate::store::{ChangeKind, Subscription};

/// Changes waiting to be sent for one subscription.
#[derive(Clone, Debug)]
pub struct Window {
    pub first_change: DateTime<Utc>,
    /// When the window may be sent (first change + delay, or the next retry).
    pub due: DateTime<Utc>,
    pub changes: BTreeMap<Uuid, (ChangeKind, DateTime<Utc>)>,
    pub attempts: u32,
    pub first_attempt: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, Default)]
pub struct Pending {
    pub windows: HashMap<String, Window>,
}

/// Merges a change into what is already pending for the record.
fn merge(existing: Option<ChangeKind>, new: ChangeKind) -> ChangeKind {
    match (existing, new) {
        (Some(ChangeKind::Created), ChangeKind::Updated) => ChangeKind::Created,
        (Some(ChangeKind::Deleted), _) => ChangeKind::Deleted,
        (_, kind) => kind,
    }
}

fn change_word(kind: ChangeKind) -> &'static str {
    match kind {
        ChangeKind::Created => "created",
        ChangeKind::Updated => "updated",
        ChangeKind::Deleted => "deleted",
    }
}

/// Moves the store's change log into the subscriptions' windows and drops expired subscriptions.
fn collect(sim: &Sim, now: DateTime<Utc>) {
    let settings = sim.webhooks.settings();
    let mut store = sim.store_mut();
    let expired: Vec<String> =
        store.subscriptions.values().filter(|s| s.expiration <= now).map(|s| s.id.clone()).collect();
    if !expired.is_empty() {
        for id in &expired {
            store.subscriptions.remove(id);
        }
        store.refresh_watched();
    }
    let subscriptions: Vec<Subscription> = store.subscriptions.values().cloned().collect();
    let mut pending = sim.webhooks.pending.lock().unwrap_or_else(|p| p.into_inner());
    pending.windows.retain(|id, _| store.subscriptions.contains_key(id));
    for company in &mut store.companies {
        for change in company.changes.drain(..) {
            for sub in subscriptions.iter().filter(|s| s.company == company.id && s.set == change.set) {
                let window = pending.windows.entry(sub.id.clone()).or_insert_with(|| Window {
                    first_change: change.at,
                    due: change.at + chrono::Duration::milliseconds(settings.delay_ms as i64),
                    changes: BTreeMap::new(),
                    attempts: 0,
                    first_attempt: None,
                });
                let existing = window.changes.get(&change.id).map(|(k, _)| *k);
                window.changes.insert(change.id, (merge(existing, change.kind), change.at));
            }
        }
    }
}

/// The notifications of one subscription's window.
fn notifications(sub: &Subscription, window: &Window, max: usize) -> Vec<Value> {
    let expiration = format_datetime(sub.expiration);
    if window.changes.len() > max {
        let since = window.first_change - chrono::Duration::milliseconds(50);
        let last = window.changes.values().map(|(_, at)| *at).max().unwrap_or(window.first_change);
        return vec![json!({
            "subscriptionId": sub.id,
            "clientState": sub.client_state,
            "expirationDateTime": expiration,
            "resource": format!("{}?$filter=lastModifiedDateTime%20gt%20{}", sub.resource, format_datetime(since)),
            "changeType": "collection",
            "lastModifiedDateTime": format_datetime(last),
        })];
    }
    window
        .changes
        .iter()
        .map(|(id, (kind, at))| {
            json!({
                "subscriptionId": sub.id,
                "clientState": sub.client_state,
                "expirationDateTime": expiration,
                "resource": format!("{}({id})", sub.resource),
                "changeType": change_word(*kind),
                "lastModifiedDateTime": format_datetime(*at),
            })
        })
        .collect()
}

enum Outcome {
    Delivered,
    Retry,
    Reject,
}

async fn post(sim: &Sim, url: &str, body: &Value, attempt: u32) -> Outcome {
    let correlation = Uuid::new_v4().hyphenated().to_string();
    let timeout = Duration::from_millis(sim.webhooks.settings().request_timeout_ms);
    let result = sim
        .webhooks
        .client
        .post(url)
        .header("content-type", "application/json")
        .header("clientRequestId", &correlation)
        .header("x-ms-correlation-id", &correlation)
        .timeout(timeout)
        .body(body.to_string())
        .send()
        .await;
    let (status, error) = match &result {
        Ok(response) => (Some(response.status().as_u16()), None),
        Err(error) => (None, Some(error.to_string())),
    };
    sim.webhooks.log(Sent {
        kind: "notification",
        url: url.to_string(),
        at: format_datetime(Utc::now()),
        attempt,
        body: body.clone(),
        status,
        error,
    });
    match status {
        Some(s) if (200..300).contains(&s) => Outcome::Delivered,
        None | Some(408) | Some(429) => Outcome::Retry,
        Some(s) if s >= 500 => Outcome::Retry,
        Some(_) => Outcome::Reject,
    }
}

/// Sends every window that is due (all of them when `force`).
pub async fn deliver(sim: &Sim, force: bool) {
    let _round = sim.webhooks.delivering.lock().await;
    let now = Utc::now();
    collect(sim, now);
    let settings = sim.webhooks.settings();
    // Group due windows by notification URL: one POST per URL.
    let mut by_url: BTreeMap<String, Vec<(Subscription, Window)>> = BTreeMap::new();
    {
        let store = sim.store();
        let pending = sim.webhooks.pending.lock().unwrap_or_else(|p| p.into_inner());
        for (id, window) in &pending.windows {
            if !force && window.due > now {
                continue;
            }
            if let Some(sub) = store.subscriptions.get(id) {
                by_url.entry(sub.notification_url.clone()).or_default().push((sub.clone(), window.clone()));
            }
        }
    }
    // Within one POST, notifications follow the order in which their changes happened.
    for batch in by_url.values_mut() {
        batch.sort_by(|a, b| a.1.first_change.cmp(&b.1.first_change).then_with(|| a.0.id.cmp(&b.0.id)));
    }
    let sends = by_url.into_iter().map(|(url, batch)| async move {
        let value: Vec<Value> =
            batch.iter().flat_map(|(sub, window)| notifications(sub, window, settings.max_notifications)).collect();
        let attempt = batch.iter().map(|(_, w)| w.attempts).max().unwrap_or(0) + 1;
        let outcome = post(sim, &url, &json!({ "value": value }), attempt).await;
        (batch, outcome)
    });
    let results = futures::future::join_all(sends).await;
    let mut doomed = Vec::new();
    {
        let mut pending = sim.webhooks.pending.lock().unwrap_or_else(|p| p.into_inner());
        for (batch, outcome) in results {
            for (sub, sent) in batch {
                let Some(window) = pending.windows.get_mut(&sub.id) else { continue };
                match outcome {
                    Outcome::Delivered => {
                        // Changes that arrived while sending stay for the next window.
                        window.changes.retain(|id, entry| sent.changes.get(id).is_none_or(|(_, s)| entry.1 > *s));
                        if window.changes.is_empty() {
                            pending.windows.remove(&sub.id);
                        } else {
                            window.attempts = 0;
                            window.first_attempt = None;
                            window.due = now + chrono::Duration::milliseconds(settings.delay_ms as i64);
                        }
                    }
                    Outcome::Retry => {
                        window.attempts += 1;
                        let first = *window.first_attempt.get_or_insert(now);
                        window.due = now + chrono::Duration::milliseconds(settings.retry_ms as i64);
                        if now - first >= chrono::Duration::milliseconds(settings.retry_window_ms as i64) {
                            doomed.push(sub.id.clone());
                        }
                    }
                    Outcome::Reject => doomed.push(sub.id.clone()),
                }
            }
        }
        for id in &doomed {
            pending.windows.remove(id);
        }
    }
    if !doomed.is_empty() {
        let mut store = sim.store_mut();
        for id in &doomed {
            tracing::info!(subscription = %id, "webhook subscription deleted after failed delivery");
            store.subscriptions.remove(id);
        }
        store.refresh_watched();
    }
}

/// The notifier: wakes on changes and on a short tick, sends what is due.
pub async fn run(sim: Arc<Sim>, mut stop: watch::Receiver<bool>) {
    loop {
        let tick = Duration::from_millis((sim.webhooks.settings().delay_ms / 4).clamp(10, 1_000));
        tokio::select! {
            _ = sim.webhooks.wake.notified() => {}
            _ = tokio::time::sleep(tick) => {}
            _ = stop.changed() => return,
        }
        deliver(&sim, false).await;
    }
}
