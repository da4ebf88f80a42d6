//! The watch over the agent's subscriptions, every `check_interval`:
//!
//! 1. Probe the endpoint the way WooCommerce reaches it — a GET on the public URL, through the
//!    reverse proxy — and expect this agent's own answer. While that fails, deliveries fail too
//!    (and are lost: WooCommerce never retries one), so the start of the gap is remembered and
//!    nothing else is done.
//! 2. With the endpoint healthy: create missing subscriptions, and **recreate** those WooCommerce
//!    disabled. Re-enabling one (`status: active`) is not enough: WooCommerce keeps its failure
//!    counter, still above the limit, so the next single failure would disable it again (reference
//!    section 5.4); a new webhook starts at zero. Webhooks an administrator paused stay paused.
//! 3. Backfill the gap: move the reconciliation cursor back to the last moment deliveries were
//!    known to work and reconcile now (`flows::reconcile`); orders already in NAV are skipped
//!    there and the order flow is exactly-once, so the overlap costs nothing.
//!
//! Our subscriptions are the webhooks named [`NAME_PREFIX`]; ours pointing at another URL (the
//! public URL changed) are deleted.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, Utc};
use tokio::sync::watch as stop_signal;

use super::Endpoint;
use crate::adapter::http::Recorder;
use crate::adapter::woo::webhooks::Subscription;
use crate::adapter::woo::Woo;
use crate::flows::reconcile;
use crate::pipeline::runner::SharedRuntime;
use crate::runtime::Runtime;
use crate::status::{StatusBoard, WebhookHealth};

/// The topics the agent subscribes to: what the plugin would hand off.
pub const TOPICS: &[&str] = &["order.created", "order.updated", "order.deleted", "order.restored", "customer.created", "customer.updated", "customer.deleted"];
pub const NAME_PREFIX: &str = "ml-connector agent: ";
/// The last time deliveries were known to work (UTC, `YYYY-MM-DDTHH:MM:SS`).
const LAST_OK_CURSOR: &str = "ingest.webhooks.last_ok";
/// Set while deliveries may be failing: where the backfill must start.
const GAP_CURSOR: &str = "ingest.webhooks.gap_from";
const TIME: &str = "%Y-%m-%dT%H:%M:%S";

#[derive(Debug, thiserror::Error)]
enum WatchError {
    #[error(transparent)]
    Woo(#[from] crate::adapter::AdapterError),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

pub async fn watch(endpoint: Arc<Endpoint>, runtime: SharedRuntime, board: Arc<StatusBoard>, lookback_hours: i64, mut stop: stop_signal::Receiver<bool>) {
    let probe = match crate::adapter::http::client(Duration::from_secs(10), None, None) {
        Ok(client) => client,
        Err(error) => {
            tracing::error!(%error, "webhook mode: no HTTP client for the endpoint probe");
            return;
        }
    };
    let mut recreate_all = endpoint.new_secret;
    // Deliveries made while the agent was stopped failed: the first check backfills from the last good moment.
    let mut after_start = true;
    let mut tick = tokio::time::interval(endpoint.settings.check_interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.changed() => return,
        }
        let rt = runtime.read().await.clone();
        let Some(woo) = rt.woo.clone() else { continue };
        let checked_at = ml_connector_formats::utc_now();
        let (endpoint_ok, detail) = match check(&rt, &woo, &endpoint, &probe, recreate_all, after_start, lookback_hours).await {
            Ok(found) => {
                (recreate_all, after_start) = (false, false);
                (found.endpoint_ok, found.detail)
            }
            Err(error) => {
                tracing::warn!(%error, "checking the webhook subscriptions failed; trying again at the next check");
                (true, format!("checking the subscriptions failed (tried again in {} s): {error}", endpoint.settings.check_interval.as_secs()))
            }
        };
        board.set_webhooks(WebhookHealth { public_url: endpoint.settings.public_url.clone(), endpoint_ok, checked_at, detail });
    }
}

/// What one check found, for `status` and the admin screen.
struct Checked {
    endpoint_ok: bool,
    detail: String,
}

async fn check(rt: &Runtime, woo: &Woo, endpoint: &Endpoint, probe: &reqwest::Client, recreate_all: bool, after_start: bool, lookback_hours: i64) -> Result<Checked, WatchError> {
    let started = Utc::now().format(TIME).to_string();
    let healthy = endpoint_answers(probe, endpoint).await;
    crate::metrics::global().set_webhook_endpoint_up(healthy);
    let last_ok = rt.store.cursor(LAST_OK_CURSOR)?;
    let stored_gap = rt.store.cursor(GAP_CURSOR)?.filter(|g| !g.is_empty());
    let gap = stored_gap.clone().or(if after_start { last_ok.clone() } else { None });
    if !healthy {
        if stored_gap.is_none() {
            tracing::warn!(public_url = %endpoint.settings.public_url, "the webhook endpoint does not answer through its public URL: WooCommerce's deliveries fail and are not retried; what they carried is backfilled once it answers again");
            rt.store.set_cursor(GAP_CURSOR, last_ok.as_deref().unwrap_or(&started))?;
        }
        let since = rt.store.cursor(GAP_CURSOR)?.unwrap_or_default();
        let detail = format!("the public URL does not reach this agent: WooCommerce's deliveries fail; what they carry since {since} UTC is backfilled once it answers");
        return Ok(Checked { endpoint_ok: false, detail });
    }
    // Nothing that touches WooCommerce's webhooks goes to the audit trail: the create carries the secret.
    let rec = Recorder::default();
    let mut repaired = false;
    let mut changes: Vec<String> = Vec::new();
    let mut paused = 0;
    let all = woo.webhooks(&rec).await?;
    let (ours, foreign_url): (Vec<Subscription>, Vec<Subscription>) =
        all.into_iter().filter(|w| w.name.starts_with(NAME_PREFIX)).partition(|w| w.delivery_url == endpoint.settings.public_url);
    for stale in foreign_url {
        tracing::info!(webhook = stale.id, url = %stale.delivery_url, "deleting the agent's webhook for another delivery URL");
        woo.delete_webhook(stale.id, &rec).await?;
    }
    for topic in TOPICS {
        let mut mine: Vec<&Subscription> = ours.iter().filter(|w| w.topic == *topic).collect();
        // Keep the best one (active, else paused, else disabled); extra copies would deliver twice.
        mine.sort_by_key(|w| match w.status.as_str() {
            "active" => 0,
            "paused" => 1,
            _ => 2,
        });
        for extra in mine.iter().skip(1) {
            woo.delete_webhook(extra.id, &rec).await?;
        }
        match mine.first() {
            Some(kept) if kept.status == "paused" => {
                paused += 1;
                tracing::debug!(webhook = kept.id, topic, "paused by an administrator; left alone");
            }
            Some(kept) if kept.status == "active" && !recreate_all => {}
            Some(kept) => {
                let created = woo.create_webhook(&format!("{NAME_PREFIX}{topic}"), topic, &endpoint.settings.public_url, &endpoint.secret, &rec).await?;
                woo.delete_webhook(kept.id, &rec).await?;
                tracing::warn!(old = kept.id, new = created.id, topic, status = %kept.status, "recreated the webhook subscription (WooCommerce keeps a disabled webhook's failure count; a new one starts at zero)");
                crate::metrics::global().webhook_repair("recreated");
                changes.push(format!("recreated {topic} ({})", kept.status));
                repaired |= kept.status != "active";
            }
            None => {
                let created = woo.create_webhook(&format!("{NAME_PREFIX}{topic}"), topic, &endpoint.settings.public_url, &endpoint.secret, &rec).await?;
                tracing::info!(webhook = created.id, topic, "created the webhook subscription");
                crate::metrics::global().webhook_repair("created");
                changes.push(format!("created {topic}"));
                // Missing after we had it: someone deleted it, and its events since are missing too.
                repaired |= last_ok.is_some();
            }
        }
    }
    drop(rec.take());
    if let Some(from) = gap.or(if repaired { last_ok } else { None }) {
        backfill(rt, &from, lookback_hours).await?;
        rt.store.set_cursor(GAP_CURSOR, "")?;
        changes.push(format!("backfilled from {from} UTC"));
    }
    rt.store.set_cursor(LAST_OK_CURSOR, &started)?;
    let mut detail = format!("{} subscriptions kept", TOPICS.len());
    if paused > 0 {
        detail.push_str(&format!(", {paused} paused by an administrator (left alone)"));
    }
    if !changes.is_empty() {
        detail.push_str(&format!("; this check {}", changes.join(", ")));
    }
    Ok(Checked { endpoint_ok: true, detail })
}

/// Whether a GET on the public URL reaches this agent's listener.
async fn endpoint_answers(client: &reqwest::Client, endpoint: &Endpoint) -> bool {
    let Ok(response) = client.get(&endpoint.settings.public_url).send().await else { return false };
    if !response.status().is_success() {
        return false;
    }
    response.json::<serde_json::Value>().await.is_ok_and(|answer| answer["instance"] == endpoint.instance.as_str())
}

/// Reconciles from `from` (an empty value: no gap) with the cursor moved back to it if needed.
async fn backfill(rt: &Runtime, from: &str, lookback_hours: i64) -> Result<(), WatchError> {
    let Ok(from_time) = NaiveDateTime::parse_from_str(from, TIME).map(|t| t.and_utc()) else { return Ok(()) };
    let cursor = rt.store.cursor(reconcile::CURSOR)?.and_then(|c| NaiveDateTime::parse_from_str(&c, TIME).ok()).map(|t| t.and_utc());
    if cursor.is_none_or(|c: DateTime<Utc>| from_time < c) {
        rt.store.set_cursor(reconcile::CURSOR, from)?;
    }
    let report = reconcile::reconcile_orders(rt, lookback_hours).await?;
    crate::metrics::global().webhook_repair("backfilled");
    tracing::info!(from, seen = report.seen, queued = report.queued.len(), "backfilled the webhook gap through reconciliation");
    Ok(())
}
