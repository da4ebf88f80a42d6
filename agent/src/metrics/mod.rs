//! What the agent tells a monitoring system: one fixed set of Prometheus series (docs/operations.md
//! lists them). Counters and histograms are updated where things happen — events taken in, job
//! outcomes (pipeline/runner.rs), every NAV and WooCommerce answer (adapter/http.rs), webhook
//! deliveries — in one process-wide registry, as Prometheus clients keep a default registry: the
//! HTTP path is shared by every adapter and threading a handle through all of them would touch
//! every constructor for no gain. Gauges that describe state (queue depth, last inventory run,
//! token expiry) are read when scraped (`scrape.rs`), so they are never stale.

mod registry;
mod scrape;
pub mod server;

use std::sync::atomic::{AtomicI8, Ordering};
use std::time::Duration;

use registry::{CounterFamily, HistogramFamily};

use crate::adapter::{AdapterError, System};
use crate::flows::Outcome;
use crate::store::jobs::{Job, JobState};
use crate::store::Store;

pub use scrape::Scrape;

/// NAV and WooCommerce answer within a second normally; BC's throttled answers and big batches
/// reach tens of seconds (the client timeout is 60 s).
const REQUEST_BOUNDS: &[f64] = &[0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0];
/// From the hook in PHP to the job done: sub-second when all is well, minutes under retries, hours
/// when NAV was down.
const EVENT_BOUNDS: &[f64] = &[0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 3600.0, 14400.0];

pub struct Metrics {
    events: CounterFamily,
    jobs: CounterFamily,
    http_errors: CounterFamily,
    unreachable: CounterFamily,
    request_seconds: HistogramFamily,
    event_to_done: HistogramFamily,
    webhook_deliveries: CounterFamily,
    webhook_repairs: CounterFamily,
    /// Whether the webhook endpoint answered its last probe: -1 unknown / not in webhook mode.
    webhook_endpoint_up: AtomicI8,
}

static METRICS: Metrics = Metrics {
    events: CounterFamily::new("ml_connector_events_received_total", "Events taken in, by event kind and source (spool or webhook).", &["kind", "source"]),
    jobs: CounterFamily::new(
        "ml_connector_jobs_total",
        "Job runs by flow and outcome: synced, skipped, parked, held, retried (attempt used), throttled (waiting as asked), waiting (not configured or credentials refused).",
        &["flow", "outcome"],
    ),
    http_errors: CounterFamily::new("ml_connector_http_error_responses_total", "HTTP 429 and 5xx answers from NAV and WooCommerce.", &["system", "status"]),
    unreachable: CounterFamily::new("ml_connector_http_unreachable_total", "Requests that got no answer (connection failed, timeout, cut off).", &["system"]),
    request_seconds: HistogramFamily::new("ml_connector_request_duration_seconds", "Duration of each request to NAV or WooCommerce.", &["system"], REQUEST_BOUNDS),
    event_to_done: HistogramFamily::new("ml_connector_event_to_done_seconds", "From the event (the hook in WooCommerce) to its job synced.", &["flow"], EVENT_BOUNDS),
    webhook_deliveries: CounterFamily::new(
        "ml_connector_webhook_deliveries_total",
        "WooCommerce webhook deliveries by result: accepted, duplicate, ignored, refused (bad signature), ping, failed.",
        &["result"],
    ),
    webhook_repairs: CounterFamily::new(
        "ml_connector_webhook_repairs_total",
        "Subscriptions the agent created (missing) or recreated (disabled by WooCommerce), and gap backfills it ran.",
        &["action"],
    ),
    webhook_endpoint_up: AtomicI8::new(-1),
};

/// The agent's registry.
pub fn global() -> &'static Metrics {
    &METRICS
}

fn system_label(system: System) -> &'static str {
    match system {
        System::Nav => "nav",
        System::Woo => "woo",
    }
}

/// The business flow a job kind belongs to (`order.created` → `order`); a fixed set, so a garbled
/// kind from the spool cannot create new series.
pub fn flow_of(kind: &str) -> &'static str {
    match kind.split('.').next().unwrap_or_default() {
        "order" => "order",
        "refund" => "refund",
        "customer" => "customer",
        "command" => "command",
        "settings" => "settings",
        "bc" => "notification",
        _ => "other",
    }
}

/// How a job run ended, as far as it is known before the pipeline records it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum JobEnd {
    Synced,
    Skipped,
    Held,
    Parked,
    Waiting,
    Retry { throttled: bool, auth: bool },
}

impl JobEnd {
    pub fn of(outcome: &Outcome) -> JobEnd {
        match outcome {
            Outcome::Done(_) => JobEnd::Synced,
            Outcome::Skipped(_) => JobEnd::Skipped,
            Outcome::Held(_) => JobEnd::Held,
            Outcome::Park(_) => JobEnd::Parked,
            Outcome::NotReady(_) => JobEnd::Waiting,
            Outcome::Retry(error) => JobEnd::Retry { throttled: matches!(error, AdapterError::Throttled { .. }), auth: error.is_auth() },
        }
    }
}

impl Metrics {
    pub fn event_received(&self, kind: &str, source: &str) {
        self.events.inc(&[kind, source]);
    }

    /// Called after the pipeline recorded the job's next state: a failed attempt that used the
    /// last one is counted as parked, as the store now says.
    pub fn job_finished(&self, store: &Store, job: &Job, end: JobEnd, occurred_at: Option<&str>) {
        let flow = flow_of(&job.kind);
        let outcome = match end {
            JobEnd::Synced => "synced",
            JobEnd::Skipped => "skipped",
            JobEnd::Held => "held",
            JobEnd::Parked => "parked",
            JobEnd::Waiting => "waiting",
            JobEnd::Retry { .. } if store.job(job.id).ok().flatten().is_some_and(|j| j.state == JobState::Parked) => "parked",
            JobEnd::Retry { throttled: true, .. } => "throttled",
            JobEnd::Retry { auth: true, .. } => "waiting",
            JobEnd::Retry { .. } => "retried",
        };
        self.jobs.inc(&[flow, outcome]);
        if end == JobEnd::Synced {
            let occurred = occurred_at.and_then(|at| chrono::DateTime::parse_from_rfc3339(at).ok());
            if let Some(occurred) = occurred {
                let seconds = (chrono::Utc::now() - occurred.with_timezone(&chrono::Utc)).num_milliseconds() as f64 / 1000.0;
                self.event_to_done.observe(&[flow], seconds);
            }
        }
    }

    /// One request to NAV or WooCommerce: its duration, and its status when it is 429 or 5xx.
    pub fn request_done(&self, system: System, status: Option<u16>, unreachable: bool, took: Duration) {
        let system = system_label(system);
        self.request_seconds.observe(&[system], took.as_secs_f64());
        match status {
            Some(status) if status == 429 || (500..=599).contains(&status) => self.http_errors.inc(&[system, &status.to_string()]),
            None if unreachable => self.unreachable.inc(&[system]),
            _ => {}
        }
    }

    pub fn webhook_delivery(&self, result: &str) {
        self.webhook_deliveries.inc(&[result]);
    }

    pub fn webhook_repair(&self, action: &str) {
        self.webhook_repairs.inc(&[action]);
    }

    pub fn set_webhook_endpoint_up(&self, up: bool) {
        self.webhook_endpoint_up.store(i8::from(up), Ordering::Relaxed);
    }

    /// The live series, in text format.
    fn render_live(&self, out: &mut String) {
        self.events.render(out);
        self.jobs.render(out);
        self.http_errors.render(out);
        self.unreachable.render(out);
        self.request_seconds.render(out);
        self.event_to_done.render(out);
        self.webhook_deliveries.render(out);
        self.webhook_repairs.render(out);
        let up = self.webhook_endpoint_up.load(Ordering::Relaxed);
        if up >= 0 {
            registry::header(out, "ml_connector_webhook_endpoint_up", "Whether the webhook endpoint answered the agent's last probe through its public URL.", "gauge");
            registry::gauge_line(out, "ml_connector_webhook_endpoint_up", &[], &[], f64::from(up));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flows_are_a_fixed_set() {
        assert_eq!(flow_of("order.created"), "order");
        assert_eq!(flow_of("refund.deleted"), "refund");
        assert_eq!(flow_of("bc.notification"), "notification");
        assert_eq!(flow_of("}{garbage"), "other");
    }

    #[test]
    fn only_429_and_5xx_answers_are_counted_as_errors() {
        let metrics = global();
        let before = metrics.http_errors.get(&["woo", "429"]);
        metrics.request_done(System::Woo, Some(429), false, Duration::from_millis(3));
        metrics.request_done(System::Woo, Some(404), false, Duration::from_millis(3));
        assert_eq!(metrics.http_errors.get(&["woo", "429"]), before + 1);
        assert_eq!(metrics.http_errors.get(&["woo", "404"]), 0);
    }
}
