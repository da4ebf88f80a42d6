//! BC online's per-user request limits: a sliding window of requests (6,000 per 5 minutes →
//! 429), a few requests processed at once with a queue behind them (more than 100 connections →
//! 429; waiting too long → 503 with `retry-after`), and the operation (408) and gateway (504)
//! timeouts. Every number comes from `Limits` and can change at run time.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::config::Limits;
use crate::error::ApiError;

struct UserState {
    window: Mutex<VecDeque<Instant>>,
    slots: Arc<Semaphore>,
    connections: Arc<AtomicU32>,
}

pub struct Throttle {
    limits: RwLock<Limits>,
    users: Mutex<HashMap<String, Arc<UserState>>>,
}

/// A request let through: holds a processing slot and counts as a connection until dropped.
pub struct Admission {
    _permit: OwnedSemaphorePermit,
    _connection: Connection,
    /// Time spent in the queue.
    pub queued: Duration,
}

struct Connection(Arc<AtomicU32>);

impl Drop for Connection {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The message texts of these errors are **unconfirmed**; status codes and `retry-after` follow
/// the reference.
pub fn too_many_requests(actual: u64, maximum: u64) -> ApiError {
    ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "Application_TooManyRequests",
        format!("Too many requests reached.  Actual ({actual}). Maximum ({maximum})."),
    )
}

pub fn service_unavailable(retry_after: u64) -> ApiError {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "Internal_ServiceUnavailable",
        "The request was queued for longer than the allowed time. Retry the request later.",
    )
    .with_retry_after(retry_after)
}

pub fn operation_timeout() -> ApiError {
    ApiError::new(StatusCode::REQUEST_TIMEOUT, "Internal_OperationTimeout", "The operation has timed out.")
}

pub fn gateway_timeout() -> ApiError {
    ApiError::new(
        StatusCode::GATEWAY_TIMEOUT,
        "Internal_GatewayTimeout",
        "The request exceeded the maximum execution time.",
    )
}

impl Throttle {
    pub fn new(limits: Limits) -> Self {
        Self { limits: RwLock::new(limits), users: Mutex::new(HashMap::new()) }
    }

    pub fn limits(&self) -> Limits {
        self.limits.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// New limits apply to requests arriving from now on; counters start afresh.
    pub fn set_limits(&self, limits: Limits) {
        *self.limits.write().unwrap_or_else(|p| p.into_inner()) = limits;
        self.users.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }

    fn user(&self, user: &str, limits: &Limits) -> Arc<UserState> {
        let mut users = self.users.lock().unwrap_or_else(|p| p.into_inner());
        users
            .entry(user.to_string())
            .or_insert_with(|| {
                Arc::new(UserState {
                    window: Mutex::new(VecDeque::new()),
                    slots: Arc::new(Semaphore::new(limits.max_concurrent.max(1) as usize)),
                    connections: Arc::new(AtomicU32::new(0)),
                })
            })
            .clone()
    }

    /// Counts `weight` requests for `user` and waits for a processing slot.
    pub async fn admit(&self, user: &str, weight: u32) -> Result<Admission, ApiError> {
        let limits = self.limits();
        let state = self.user(user, &limits);
        {
            let now = Instant::now();
            let window = Duration::from_millis(limits.rate_window_ms);
            let mut requests = state.window.lock().unwrap_or_else(|p| p.into_inner());
            while requests.front().is_some_and(|t| now.duration_since(*t) >= window) {
                requests.pop_front();
            }
            let count = requests.len() as u64 + u64::from(weight);
            if count > u64::from(limits.rate_limit) {
                return Err(too_many_requests(count, u64::from(limits.rate_limit)));
            }
            requests.extend(std::iter::repeat_n(now, weight as usize));
        }
        let capacity = limits.max_concurrent + limits.max_queue;
        let previous = state.connections.fetch_add(1, Ordering::SeqCst);
        let connection = Connection(state.connections.clone());
        if previous >= capacity {
            return Err(too_many_requests(u64::from(previous) + 1, u64::from(capacity)));
        }
        let started = Instant::now();
        let wait = Duration::from_millis(limits.queue_timeout_ms);
        match tokio::time::timeout(wait, state.slots.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(Admission { _permit: permit, _connection: connection, queued: started.elapsed() }),
            _ => Err(service_unavailable(limits.retry_after_secs)),
        }
    }
}
