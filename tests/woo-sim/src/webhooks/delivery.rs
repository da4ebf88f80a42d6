//! Webhook delivery as WooCommerce runs it: at the end of a request each triggered
//! (webhook, resource) becomes an Action Scheduler job due after the configured delay — skipped
//! when an identical job is still pending (coalescing) — and a runner delivers due jobs in batches
//! of 25, one batch at a time. The payload is built at delivery time (the latest state), POSTed
//! with the `X-WC-Webhook-*` headers and a base64 HMAC-SHA256 signature over the exact body bytes.
//! 200–302 is success and resets the failure count; anything else counts a failure, and a failure
//! while the count is already above 5 disables the webhook (the 7th consecutive failure). No
//! retries. URLs pass `wp_safe_remote_request`'s checks first.

use std::collections::VecDeque;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, RwLock, Weak};
use std::time::{Duration, Instant};

use base64::Engine;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use tokio::sync::Notify;

use crate::app::{Home, Sim};
use crate::config::Config;

/// `woocommerce_max_webhook_delivery_failures`.
const MAX_FAILURES: u32 = 5;
/// `action_scheduler_queue_runner_batch_size`.
const BATCH: usize = 25;
const LOG_CAPACITY: usize = 20_000;
pub const USER_AGENT: &str = "WooCommerce/10.0.2 Hookshot (WordPress/6.8.8)";

/// Run-time settings (`PUT /_sim/webhooks/settings`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DeliverySettings {
    /// Delay between the request and the delivery (WP-Cron/Action Scheduler latency).
    pub delay_ms: u64,
    /// When false, jobs wait until `POST /_sim/webhooks/run` (like a site nobody visits).
    pub auto_run: bool,
    /// Request timeout (WooCommerce uses 60 s).
    pub timeout_ms: u64,
    /// Ports added to 80/443/8080 by the `http_allowed_safe_ports` filter.
    pub extra_safe_ports: Vec<u16>,
    /// Hosts the `http_request_host_is_external` filter lets through although private.
    pub external_hosts: Vec<String>,
}

impl Default for DeliverySettings {
    fn default() -> Self {
        Self { delay_ms: 1000, auto_run: true, timeout_ms: 60_000, extra_safe_ports: Vec::new(), external_hosts: Vec::new() }
    }
}

impl DeliverySettings {
    pub fn from_config(config: &Config) -> Self {
        Self {
            delay_ms: config.webhook_delay_ms,
            auto_run: config.webhook_auto_run,
            timeout_ms: 60_000,
            extra_safe_ports: config.webhook_safe_ports.clone(),
            external_hosts: config.webhook_external_hosts.clone(),
        }
    }
}

/// One `woocommerce_deliver_webhook_async` action.
#[derive(Clone, Debug)]
pub struct Job {
    pub webhook_id: i64,
    pub arg: i64,
    /// The hook that triggered it (the `action.*` payload names it).
    pub hook: String,
}

struct Queued {
    job: Job,
    due: Instant,
}

#[derive(Clone, Debug, Serialize)]
pub struct DeliveryRecord {
    pub seq: u64,
    pub webhook_id: i64,
    /// `ping` for the creation ping.
    pub topic: String,
    pub arg: Option<i64>,
    pub delivery_url: String,
    pub request_headers: Vec<(String, String)>,
    pub request_body: String,
    pub response_status: Option<u16>,
    pub response_body: String,
    pub error: Option<String>,
    pub success: bool,
    pub failure_count_after: u32,
    pub status_after: String,
    pub duration_ms: u64,
    pub at: String,
}

pub struct Deliveries {
    settings: RwLock<DeliverySettings>,
    queue: Mutex<Vec<Queued>>,
    log: Mutex<VecDeque<DeliveryRecord>>,
    seq: Mutex<u64>,
    wake: Notify,
    /// One batch at a time (`action_scheduler_queue_runner_concurrent_batches` = 1).
    running: tokio::sync::Mutex<()>,
    client: reqwest::Client,
}

impl Deliveries {
    pub fn new(settings: DeliverySettings) -> Self {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .user_agent(USER_AGENT)
            .build()
            .unwrap_or_default();
        Self {
            settings: RwLock::new(settings),
            queue: Mutex::new(Vec::new()),
            log: Mutex::new(VecDeque::new()),
            seq: Mutex::new(0),
            wake: Notify::new(),
            running: tokio::sync::Mutex::new(()),
            client,
        }
    }

    pub fn settings(&self) -> DeliverySettings {
        self.settings.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub fn set_settings(&self, settings: DeliverySettings) {
        *self.settings.write().unwrap_or_else(|p| p.into_inner()) = settings;
        self.wake.notify_one();
    }

    /// Queues jobs, coalescing with identical pending ones.
    pub fn enqueue(&self, jobs: Vec<Job>) {
        let due = Instant::now() + Duration::from_millis(self.settings().delay_ms);
        let mut queue = self.queue.lock().unwrap_or_else(|p| p.into_inner());
        for job in jobs {
            let pending = queue.iter().any(|q| q.job.webhook_id == job.webhook_id && q.job.arg == job.arg);
            if !pending {
                queue.push(Queued { job, due });
            }
        }
        drop(queue);
        self.wake.notify_one();
    }

    pub fn pending(&self) -> Vec<Value> {
        self.queue
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .map(|q| json!({"webhook_id": q.job.webhook_id, "arg": q.job.arg, "hook": q.job.hook}))
            .collect()
    }

    pub fn records(&self, since: u64, webhook_id: Option<i64>) -> Vec<DeliveryRecord> {
        self.log
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .filter(|r| r.seq > since && webhook_id.is_none_or(|id| r.webhook_id == id))
            .cloned()
            .collect()
    }

    pub fn clear(&self) {
        self.queue.lock().unwrap_or_else(|p| p.into_inner()).clear();
        self.log.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }

    fn take(&self, all: bool, limit: usize) -> Vec<Job> {
        let now = Instant::now();
        let mut queue = self.queue.lock().unwrap_or_else(|p| p.into_inner());
        queue.sort_by_key(|q| q.due);
        let mut taken = Vec::new();
        queue.retain(|q| {
            if taken.len() < limit && (all || q.due <= now) {
                taken.push(q.job.clone());
                false
            } else {
                true
            }
        });
        taken
    }

    fn next_due(&self) -> Option<Instant> {
        self.queue.lock().unwrap_or_else(|p| p.into_inner()).iter().map(|q| q.due).min()
    }

    fn record(&self, mut record: DeliveryRecord) -> DeliveryRecord {
        let mut seq = self.seq.lock().unwrap_or_else(|p| p.into_inner());
        *seq += 1;
        record.seq = *seq;
        let mut log = self.log.lock().unwrap_or_else(|p| p.into_inner());
        if log.len() >= LOG_CAPACITY {
            log.pop_front();
        }
        log.push_back(record.clone());
        record
    }
}

/// The runner: delivers due jobs while `auto_run` is on. Ends when the simulator is dropped.
pub fn spawn_runner(sim: Weak<Sim>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            let Some(strong) = sim.upgrade() else { return };
            let settings = strong.deliveries.settings();
            let wait = match (settings.auto_run, strong.deliveries.next_due()) {
                (true, Some(due)) => due.saturating_duration_since(Instant::now()),
                _ => Duration::from_secs(3600),
            };
            if wait.is_zero() {
                run_batch(&strong, false, BATCH).await;
                continue;
            }
            let notified = async {
                let strong = strong.clone();
                strong.deliveries.wake.notified().await;
            };
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = notified => {}
            }
            drop(strong);
        }
    })
}

/// Runs queued jobs now (`wp action-scheduler run`): all pending, due or not, batch after batch.
pub async fn run_all(sim: &Arc<Sim>) -> Vec<DeliveryRecord> {
    let mut records = Vec::new();
    loop {
        let batch = run_batch(sim, true, BATCH).await;
        if batch.is_empty() {
            return records;
        }
        records.extend(batch);
    }
}

async fn run_batch(sim: &Arc<Sim>, all: bool, limit: usize) -> Vec<DeliveryRecord> {
    let _one_batch = sim.deliveries.running.lock().await;
    let jobs = sim.deliveries.take(all, limit);
    let mut records = Vec::new();
    for job in jobs {
        records.extend(deliver(sim, &job).await);
    }
    records
}

fn payload(sim: &Sim, topic: &str, job: &Job) -> Value {
    let store = sim.read();
    if let Some(hook) = topic.strip_prefix("action.") {
        return json!({"action": hook, "arg": job.arg});
    }
    let (resource, event) = topic.split_once('.').unwrap_or(("", ""));
    if event == "deleted" {
        return json!({"id": job.arg});
    }
    let rendered = match resource {
        "order" => crate::render::order(&store, job.arg, crate::render::Context::View),
        "product" => crate::render::product(&store, job.arg),
        "customer" => crate::render::customer(&store, job.arg),
        _ => None,
    };
    // The internal REST GET answers an error for a vanished resource; that error is the payload.
    rendered.unwrap_or_else(|| {
        let code = match resource {
            "order" => "woocommerce_rest_shop_order_invalid_id",
            "product" => "woocommerce_rest_product_invalid_id",
            _ => "woocommerce_rest_invalid_id",
        };
        json!({"code": code, "message": "Invalid ID.", "data": {"status": 404}})
    })
}

/// `X-WC-Webhook-Signature`: base64 of HMAC-SHA256 over the exact body bytes, keyed with the
/// webhook secret as WooCommerce stores it (entity-decoded). Public so the fuzz target
/// `webhook_signature` checks it against a receiver's verification.
pub fn signature(body: &str, secret: &str) -> String {
    let secret = decode_entities(secret);
    Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes())
        .map(|mac| base64::engine::general_purpose::STANDARD.encode(mac.chain_update(body.as_bytes()).finalize().into_bytes()))
        .unwrap_or_default()
}

/// `wp_specialchars_decode($secret, ENT_QUOTES)`.
fn decode_entities(text: &str) -> String {
    text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#039;", "'").replace("&#x27;", "'").replace("&amp;", "&")
}

/// `wp_http_validate_url`: the checks `wp_safe_remote_request` makes before sending.
pub async fn validate_url(url: &str, home: &Home, settings: &DeliverySettings) -> Result<(), String> {
    let refused = || "A valid URL was not provided.".to_string();
    let parsed = url::Url::parse(url).map_err(|_| refused())?;
    if !matches!(parsed.scheme(), "http" | "https") || !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(refused());
    }
    let host = parsed.host_str().ok_or_else(refused)?.trim_matches(['[', ']']).to_lowercase();
    let same_host = host == home.host.trim_matches(['[', ']']).to_lowercase();
    if !same_host && !settings.external_hosts.iter().any(|h| h.eq_ignore_ascii_case(&host)) {
        let ips: Vec<IpAddr> = match host.parse::<IpAddr>() {
            Ok(ip) => vec![ip],
            Err(_) => tokio::net::lookup_host((host.as_str(), 80)).await.map(|it| it.map(|a| a.ip()).collect()).unwrap_or_default(),
        };
        if ips.is_empty() || ips.iter().any(is_private) {
            return Err(refused());
        }
    }
    if let Some(port) = parsed.port() {
        let safe = [80, 443, 8080].contains(&port) || settings.extra_safe_ports.contains(&port);
        if !(safe || (same_host && home.port == Some(port))) {
            return Err(refused());
        }
    }
    Ok(())
}

fn is_private(ip: &IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            a == 127 || a == 10 || a == 0 || (a == 172 && (16..=31).contains(&b)) || (a == 192 && b == 168)
        }
        // WordPress reads IPv6 literals as 0.x.x.x, which it refuses.
        IpAddr::V6(_) => true,
    }
}

/// Delivers one job; returns the records made (the delivery, and a ping when one follows).
async fn deliver(sim: &Arc<Sim>, job: &Job) -> Vec<DeliveryRecord> {
    let Some(webhook) = sim.read().webhooks.get(&job.webhook_id).cloned() else { return Vec::new() };
    let body = crate::json::php_encode(&payload(sim, &webhook.topic, job)).trim().to_string();
    let (resource, event) = webhook.topic.split_once('.').unwrap_or(("action", ""));
    let now = crate::clock::now();
    let delivery_id = hex::encode(&crate::auth::api_hash(&format!("{}{now}", webhook.id)).as_bytes()[..16]);
    let headers = vec![
        ("content-type".to_string(), "application/json".to_string()),
        ("x-wc-webhook-source".to_string(), format!("{}/", sim.home.url)),
        ("x-wc-webhook-topic".to_string(), webhook.topic.clone()),
        ("x-wc-webhook-resource".to_string(), resource.to_string()),
        ("x-wc-webhook-event".to_string(), event.to_string()),
        ("x-wc-webhook-signature".to_string(), signature(&body, &webhook.secret)),
        ("x-wc-webhook-id".to_string(), webhook.id.to_string()),
        ("x-wc-webhook-delivery-id".to_string(), delivery_id),
    ];
    let (status, response_body, error, millis) = send(sim, &webhook.delivery_url, &headers, body.clone(), "application/json").await;
    let success = status.is_some_and(|s| (200..=302).contains(&s));
    let (failure_count, status_after, ping_due) = {
        let mut store = sim.write();
        match store.webhooks.get_mut(&webhook.id) {
            Some(stored) => {
                if success {
                    stored.failure_count = 0;
                } else if stored.failure_count > MAX_FAILURES {
                    stored.status = "disabled".into();
                } else {
                    stored.failure_count += 1;
                }
                (stored.failure_count, stored.status.clone(), stored.status == "active" && stored.pending_delivery)
            }
            None => (0, "deleted".into(), false),
        }
    };
    let record = sim.deliveries.record(DeliveryRecord {
        seq: 0,
        webhook_id: webhook.id,
        topic: webhook.topic.clone(),
        arg: Some(job.arg),
        delivery_url: webhook.delivery_url.clone(),
        request_headers: headers,
        request_body: body,
        response_status: status,
        response_body,
        error,
        success,
        failure_count_after: failure_count,
        status_after,
        duration_ms: millis,
        at: crate::clock::format(now, 0) + "Z",
    });
    let mut records = vec![record];
    // The save after a delivery pings again while the first ping has not succeeded.
    if ping_due {
        records.extend(ping(sim, webhook.id).await);
    }
    records
}

async fn send(sim: &Sim, url: &str, headers: &[(String, String)], body: String, content_type: &str) -> (Option<u16>, String, Option<String>, u64) {
    let settings = sim.deliveries.settings();
    let started = Instant::now();
    if let Err(message) = validate_url(url, &sim.home, &settings).await {
        return (None, String::new(), Some(message), 0);
    }
    let mut request = sim.deliveries.client.post(url).timeout(Duration::from_millis(settings.timeout_ms)).body(body);
    for (name, value) in headers {
        request = request.header(name.as_str(), value.as_str());
    }
    if headers.is_empty() {
        request = request.header("content-type", content_type);
    }
    let outcome = request.send().await;
    let millis = started.elapsed().as_millis() as u64;
    match outcome {
        Ok(response) => {
            let status = response.status().as_u16();
            let text = response.text().await.unwrap_or_default();
            (Some(status), text.chars().take(2000).collect(), None, millis)
        }
        Err(error) => (None, String::new(), Some(error.to_string()), millis),
    }
}

/// `deliver_ping()`: a form POST `webhook_id=N` with only a User-Agent; success only on exactly 200.
pub async fn ping(sim: &Sim, webhook_id: i64) -> Option<DeliveryRecord> {
    let webhook = sim.read().webhooks.get(&webhook_id).cloned()?;
    let body = format!("webhook_id={webhook_id}");
    let (status, response_body, error, millis) =
        send(sim, &webhook.delivery_url, &[], body.clone(), "application/x-www-form-urlencoded").await;
    let success = status == Some(200);
    let (failure_count, status_after) = {
        let mut store = sim.write();
        match store.webhooks.get_mut(&webhook_id) {
            Some(stored) => {
                if success {
                    stored.pending_delivery = false;
                }
                (stored.failure_count, stored.status.clone())
            }
            None => (0, "deleted".into()),
        }
    };
    Some(sim.deliveries.record(DeliveryRecord {
        seq: 0,
        webhook_id,
        topic: "ping".into(),
        arg: None,
        delivery_url: webhook.delivery_url,
        request_headers: vec![("content-type".into(), "application/x-www-form-urlencoded".into())],
        request_body: body,
        response_status: status,
        response_body,
        error: if success { error } else { error.or_else(|| Some("Error: Delivery URL returned response code: ".to_string() + &status.map(|s| s.to_string()).unwrap_or_default())) },
        success,
        failure_count_after: failure_count,
        status_after,
        duration_ms: millis,
        at: crate::clock::format(crate::clock::now(), 0) + "Z",
    }))
}
