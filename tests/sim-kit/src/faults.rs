//! Faults a real system shows and a connector must survive, settable by flags at start and at run
//! time through the control API: added latency, a rate of 5xx answers, requests that hang until the
//! client gives up, an outage, and **commit-then-drop** (the write is applied, then the connection
//! is cut before the response) — the fault that makes naive connectors create duplicates.
//! Rates are random; the `*_next` counters are deterministic, for tests.

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use http_body_util::BodyExt;
use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::journal::{Journal, JournalEntry};
use crate::server::ConnectionKill;

/// Largest request body the simulators accept (BC online allows 350 MB; tests never come close).
const MAX_BODY: usize = 64 * 1024 * 1024;

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct FaultSettings {
    /// Added to every request before it is handled.
    pub latency_ms: u64,
    /// Uniform extra latency in `0..=jitter_ms`.
    pub jitter_ms: u64,
    /// Fraction (0..1) of requests answered with `error_status` without being applied.
    pub error_rate: f64,
    pub error_status: u16,
    /// Fraction of requests that hang for `hang_ms` and are then cut without a response.
    pub timeout_rate: f64,
    pub hang_ms: u64,
    /// Fraction of writes (POST/PUT/PATCH/DELETE) applied and then cut before the response.
    pub drop_rate: f64,
    /// The next N requests are answered with `error_status`.
    pub fail_next: u32,
    /// The next N writes are applied and then cut.
    pub drop_next: u32,
    /// The next N requests hang and are cut.
    pub timeout_next: u32,
    /// Outage: every request is cut at once, nothing is applied.
    pub down: bool,
    /// Added after the request was applied, before the answer: with a client timeout shorter than
    /// this, the write is done but the client never learns it (the ambiguous timeout).
    pub slow_answer_ms: u64,
    /// When set, faults apply only to request URIs containing this text.
    pub only_uri_containing: Option<String>,
}

impl Default for FaultSettings {
    fn default() -> Self {
        Self {
            latency_ms: 0,
            jitter_ms: 0,
            error_rate: 0.0,
            error_status: 500,
            timeout_rate: 0.0,
            hang_ms: 30_000,
            drop_rate: 0.0,
            fail_next: 0,
            drop_next: 0,
            timeout_next: 0,
            down: false,
            slow_answer_ms: 0,
            only_uri_containing: None,
        }
    }
}

impl FaultSettings {
    pub fn validate(&self) -> Result<(), String> {
        for (name, rate) in [
            ("error_rate", self.error_rate),
            ("timeout_rate", self.timeout_rate),
            ("drop_rate", self.drop_rate),
        ] {
            if !(0.0..=1.0).contains(&rate) {
                return Err(format!("{name} must be between 0 and 1, got {rate}"));
            }
        }
        if !(500..=599).contains(&self.error_status) && self.error_status != 429 && self.error_status != 408 {
            return Err(format!("error_status must be 408, 429 or 5xx, got {}", self.error_status));
        }
        Ok(())
    }
}

/// The live fault settings, shared by the layer and the control API.
#[derive(Clone, Default)]
pub struct Faults {
    settings: Arc<RwLock<FaultSettings>>,
}

impl Faults {
    pub fn new(settings: FaultSettings) -> Self {
        Self { settings: Arc::new(RwLock::new(settings)) }
    }

    pub fn get(&self) -> FaultSettings {
        self.settings.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub fn set(&self, settings: FaultSettings) -> Result<(), String> {
        settings.validate()?;
        *self.settings.write().unwrap_or_else(|p| p.into_inner()) = settings;
        Ok(())
    }

    /// Decides what happens to one request, consuming a `*_next` counter if one applies.
    fn decide(&self, method: &Method, uri: &str) -> (Duration, Decision, Duration) {
        let mut settings = self.settings.write().unwrap_or_else(|p| p.into_inner());
        if let Some(filter) = &settings.only_uri_containing {
            if !uri.contains(filter.as_str()) {
                return (Duration::ZERO, Decision::Pass, Duration::ZERO);
            }
        }
        let slow_answer = Duration::from_millis(settings.slow_answer_ms);
        let mut rng = rand::thread_rng();
        let jitter = if settings.jitter_ms > 0 { rng.gen_range(0..=settings.jitter_ms) } else { 0 };
        let latency = Duration::from_millis(settings.latency_ms + jitter);
        let is_write = matches!(*method, Method::POST | Method::PUT | Method::PATCH | Method::DELETE);
        let decision = if settings.down {
            Decision::Down
        } else if settings.timeout_next > 0 {
            settings.timeout_next -= 1;
            Decision::Hang(Duration::from_millis(settings.hang_ms))
        } else if settings.fail_next > 0 {
            settings.fail_next -= 1;
            Decision::Fail(settings.error_status)
        } else if is_write && settings.drop_next > 0 {
            settings.drop_next -= 1;
            Decision::CommitThenDrop
        } else if settings.timeout_rate > 0.0 && rng.gen_bool(settings.timeout_rate) {
            Decision::Hang(Duration::from_millis(settings.hang_ms))
        } else if settings.error_rate > 0.0 && rng.gen_bool(settings.error_rate) {
            Decision::Fail(settings.error_status)
        } else if is_write && settings.drop_rate > 0.0 && rng.gen_bool(settings.drop_rate) {
            Decision::CommitThenDrop
        } else {
            Decision::Pass
        };
        (latency, decision, slow_answer)
    }
}

#[derive(Debug, Clone, Copy)]
enum Decision {
    Pass,
    Down,
    Fail(u16),
    Hang(Duration),
    CommitThenDrop,
}

/// Builds the error response of the simulated system for a status (BC and WooCommerce differ).
pub type ErrorBody = Arc<dyn Fn(StatusCode) -> Response + Send + Sync>;

/// State of the fault middleware: install with
/// `axum::middleware::from_fn_with_state(layer, FaultLayer::middleware)` around the simulated API
/// (not around `/_sim/`).
#[derive(Clone)]
pub struct FaultLayer {
    pub faults: Faults,
    pub journal: Journal,
    pub error_body: ErrorBody,
}

impl FaultLayer {
    pub async fn middleware(State(layer): State<FaultLayer>, request: Request, next: Next) -> Response {
        let started = Instant::now();
        let (parts, body) = request.into_parts();
        let uri = parts.uri.path_and_query().map(|pq| pq.as_str().to_string()).unwrap_or_default();
        let body: Bytes = match http_body_util::Limited::new(body, MAX_BODY).collect().await {
            Ok(collected) => collected.to_bytes(),
            Err(_) => {
                let response = (layer.error_body)(StatusCode::PAYLOAD_TOO_LARGE);
                return response;
            }
        };
        let mut entry = JournalEntry {
            seq: 0,
            at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            method: parts.method.to_string(),
            uri: uri.clone(),
            headers: redacted_headers(&parts.headers),
            body: String::from_utf8_lossy(&body).into_owned(),
            status: None,
            fault: None,
            millis: 0,
        };
        let kill = parts.extensions.get::<ConnectionKill>().cloned();
        let (latency, decision, slow_answer) = layer.faults.decide(&parts.method, &uri);
        if !latency.is_zero() {
            tokio::time::sleep(latency).await;
        }
        let cut = |entry: &mut JournalEntry, fault: &str| {
            entry.fault = Some(fault.to_string());
            if let Some(kill) = &kill {
                kill.kill();
            }
        };
        let response = match decision {
            Decision::Pass => {
                let response = next.run(Request::from_parts(parts, Body::from(body))).await;
                if !slow_answer.is_zero() {
                    entry.fault = Some(format!("slow answer {} ms", slow_answer.as_millis()));
                    tokio::time::sleep(slow_answer).await;
                }
                Some(response)
            }
            Decision::Fail(status) => {
                entry.fault = Some(format!("error {status}"));
                let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                Some((layer.error_body)(status))
            }
            Decision::Down => {
                cut(&mut entry, "down");
                None
            }
            Decision::Hang(duration) => {
                tokio::time::sleep(duration).await;
                cut(&mut entry, "timeout");
                None
            }
            Decision::CommitThenDrop => {
                let applied = next.run(Request::from_parts(parts, Body::from(body))).await;
                entry.status = Some(applied.status().as_u16());
                cut(&mut entry, "commit-then-drop");
                None
            }
        };
        if let Some(response) = &response {
            entry.status = Some(response.status().as_u16());
        }
        entry.millis = started.elapsed().as_millis() as u64;
        layer.journal.record(entry);
        match response {
            Some(response) => response,
            // The connection is being cut; this response is never written. Waiting keeps hyper
            // from sending it before the kill switch fires.
            None => std::future::pending::<Response>().await,
        }
    }
}

fn redacted_headers(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| {
            let value = value.to_str().unwrap_or("<binary>");
            let value = if name == "authorization" {
                value.split_whitespace().next().unwrap_or("").to_string() + " <redacted>"
            } else {
                value.to_string()
            };
            (name.to_string(), value)
        })
        .collect()
}
