//! The one HTTP path both systems use: pacing, the request/response record for the audit trail,
//! and turning transport failures and HTTP statuses into [`AdapterError`]s. Each system's error
//! body format is read by a small parser the adapter passes in.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, StatusCode};
use serde::Serialize;

use super::{AdapterError, AdapterResult, System};
use crate::pipeline::rate::Pacer;

/// One request and its answer, as the audit trail records it.
#[derive(Clone, Debug, Serialize)]
pub struct Exchange {
    pub system: System,
    pub method: String,
    pub url: String,
    pub request: Option<serde_json::Value>,
    pub status: Option<u16>,
    pub response: Option<String>,
    pub millis: u64,
    pub error: Option<String>,
}

/// Collects the exchanges of one unit of work, for the audit trail.
#[derive(Clone, Default)]
pub struct Recorder {
    inner: Arc<Mutex<Vec<Exchange>>>,
    /// Record reads too (replay dry-runs show them); writes are always recorded.
    pub reads: bool,
}

impl Recorder {
    pub fn record(&self, exchange: Exchange) {
        self.inner.lock().unwrap_or_else(|p| p.into_inner()).push(exchange);
    }

    pub fn take(&self) -> Vec<Exchange> {
        std::mem::take(&mut *self.inner.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// How many requests were sent so far (benchmarks count NAV requests per order).
    pub fn len(&self) -> usize {
        self.inner.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A parsed answer.
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Answer {
    pub fn json<T: serde::de::DeserializeOwned>(&self, system: System) -> AdapterResult<T> {
        serde_json::from_str(&self.body)
            .map_err(|e| AdapterError::BadResponse { system, detail: format!("{e} in {}", preview(&self.body)) })
    }
}

/// Reads a system's error body into (code, message).
pub type ErrorParser = fn(&str) -> (String, String);

/// Headers are built per request; values that fail to encode are skipped (never user input here).
pub fn header(name: &'static str, value: &str) -> Option<(HeaderName, HeaderValue)> {
    HeaderValue::from_str(value).ok().map(|v| (HeaderName::from_static(name), v))
}

pub struct Http {
    pub client: reqwest::Client,
    pub system: System,
    pub pacer: Option<Arc<Pacer>>,
    pub parse_error: ErrorParser,
}

#[derive(Clone)]
pub struct Call<'a> {
    pub method: Method,
    pub url: String,
    pub headers: Vec<(HeaderName, HeaderValue)>,
    pub body: Option<&'a serde_json::Value>,
    /// The URL as the audit trail shows it (query values that name people may be cut).
    pub audit_url: Option<String>,
}

impl<'a> Call<'a> {
    pub fn new(method: Method, url: impl Into<String>) -> Self {
        Call { method, url: url.into(), headers: Vec::new(), body: None, audit_url: None }
    }

    pub fn header(mut self, pair: Option<(HeaderName, HeaderValue)>) -> Self {
        if let Some(pair) = pair {
            self.headers.push(pair);
        }
        self
    }

    pub fn json(mut self, body: &'a serde_json::Value) -> Self {
        self.body = Some(body);
        self
    }
}

/// Reads are retried inline this many times on a transient failure before the job sees it; writes
/// never are (their outcome may be unknown — the flows decide).
const READ_RETRIES: u32 = 2;

impl Http {
    /// Sends the call; any non-2xx status becomes an error. `Answer` for 2xx.
    pub async fn send(&self, call: Call<'_>, recorder: &Recorder) -> AdapterResult<Answer> {
        let mut attempt = 0;
        loop {
            let result = self.send_once(&call, recorder).await;
            match &result {
                Err(error) if call.method == Method::GET && attempt < READ_RETRIES && error.is_retryable() && !error.is_auth() => {
                    attempt += 1;
                    let wait = error.retry_after().unwrap_or(Duration::from_millis(200 * u64::from(attempt))).min(Duration::from_secs(2));
                    tokio::time::sleep(wait).await;
                }
                _ => return result,
            }
        }
    }

    async fn send_once(&self, call: &Call<'_>, recorder: &Recorder) -> AdapterResult<Answer> {
        if let Some(pacer) = &self.pacer {
            pacer.acquire().await;
        }
        let is_write = call.method != Method::GET;
        let started = Instant::now();
        let mut request = self.client.request(call.method.clone(), &call.url);
        for (name, value) in &call.headers {
            request = request.header(name, value);
        }
        if let Some(body) = call.body {
            request = request.json(body);
        }
        let mut exchange = Exchange {
            system: self.system,
            method: call.method.to_string(),
            url: call.audit_url.clone().unwrap_or_else(|| call.url.clone()),
            request: call.body.cloned(),
            status: None,
            response: None,
            millis: 0,
            error: None,
        };
        let result = match request.send().await {
            Ok(response) => {
                let status = response.status();
                let headers = response.headers().clone();
                match response.text().await {
                    Ok(body) => Ok(Answer { status, headers, body }),
                    Err(e) => Err(AdapterError::Unreachable {
                        system: self.system,
                        detail: format!("the answer was cut off: {}", transport_detail(&e)),
                        maybe_applied: is_write,
                    }),
                }
            }
            Err(e) => Err(AdapterError::Unreachable {
                system: self.system,
                detail: transport_detail(&e),
                // A refused connection never carried the request; anything later might have.
                maybe_applied: is_write && !e.is_connect(),
            }),
        };
        exchange.millis = started.elapsed().as_millis() as u64;
        let result = result.and_then(|answer| {
            exchange.status = Some(answer.status.as_u16());
            exchange.response = Some(answer.body.clone());
            self.classify(answer)
        });
        if let Err(error) = &result {
            exchange.error = Some(error.to_string());
        }
        crate::metrics::global().request_done(self.system, exchange.status, matches!(result, Err(AdapterError::Unreachable { .. })), started.elapsed());
        if let (Err(AdapterError::Throttled { retry_after, .. }), Some(pacer)) = (&result, &self.pacer) {
            pacer.pause(retry_after.unwrap_or(Duration::from_secs(1))).await;
        }
        if is_write || recorder.reads {
            recorder.record(exchange);
        }
        result
    }

    fn classify(&self, answer: Answer) -> AdapterResult<Answer> {
        let status = answer.status;
        if status.is_success() {
            return Ok(answer);
        }
        let retry_after = retry_after(&answer.headers);
        let (code, message) = (self.parse_error)(&answer.body);
        let system = self.system;
        Err(match status.as_u16() {
            401 => AdapterError::Auth { system, detail: if message.is_empty() { "HTTP 401".into() } else { message } },
            403 => AdapterError::Rejected { system, status: 403, code, message: format!("{message} (the account lacks a permission)") },
            404 => AdapterError::NotFound { system, what: if message.is_empty() { "record".into() } else { message } },
            409 if code == "Request_EntityChanged" || system == System::Nav => AdapterError::Conflict { system, code },
            429 => AdapterError::Throttled { system, status: 429, retry_after },
            503 if system == System::Nav && retry_after.is_some() => AdapterError::Throttled { system, status: 503, retry_after },
            408 | 500..=599 => AdapterError::ServerError { system, status: status.as_u16(), code, message, retry_after },
            other => AdapterError::Rejected { system, status: other, code, message },
        })
    }
}

/// `Retry-After` in seconds (BC sends seconds; an HTTP date is treated as 60 s).
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?.trim();
    Some(match value.parse::<f64>() {
        Ok(secs) if secs >= 0.0 => Duration::from_secs_f64(secs.min(3600.0)),
        _ => Duration::from_secs(60),
    })
}

fn transport_detail(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        "no answer in time (timeout)".into()
    } else if error.is_connect() {
        let mut detail = "connection refused or failed".to_string();
        let mut source = std::error::Error::source(error);
        while let Some(inner) = source {
            detail = format!("connection failed: {inner}");
            source = inner.source();
        }
        detail
    } else {
        let mut detail = error.to_string();
        let mut source = std::error::Error::source(error);
        while let Some(inner) = source {
            detail = format!("{detail}: {inner}");
            source = inner.source();
        }
        detail
    }
}

pub fn preview(body: &str) -> String {
    let cut: String = body.chars().take(300).collect();
    if cut.len() < body.len() {
        format!("{cut}…")
    } else {
        cut
    }
}

/// Builds the reqwest client both adapters use: timeouts, no redirects (a redirect to a login page
/// must be an error, not a silent success), TLS verification on — always: there is no setting that
/// turns it off. The one relaxation, an extra trusted root (`woo.ca_file`, for a shop with its own
/// CA or a self-signed certificate), is logged each time a client is built with it, so an operator
/// reading the log sees which certificates the agent accepts besides the public ones.
pub fn client(timeout: Duration, extra_root: Option<&std::path::Path>, resolve: Option<(&str, std::net::SocketAddr)>) -> Result<reqwest::Client, String> {
    let mut builder = reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(16)
        .user_agent(concat!("ml-connector-agent/", env!("CARGO_PKG_VERSION")));
    if let Some(path) = extra_root {
        tracing::warn!(ca_file = %path.display(), "TLS: also trusting the certificate authority in this file (certificate verification stays on)");
        let pem = std::fs::read(path).map_err(|e| format!("CA file {}: {e}", path.display()))?;
        let cert = reqwest::Certificate::from_pem(&pem).map_err(|e| format!("CA file {}: {e}", path.display()))?;
        builder = builder.add_root_certificate(cert);
    }
    if let Some((host, addr)) = resolve {
        builder = builder.resolve(host, addr);
    }
    builder.build().map_err(|e| format!("HTTP client: {e}"))
}
