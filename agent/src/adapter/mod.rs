//! Adapters: the only code that speaks HTTP to the outside systems. Every failure is classified
//! the one way everything above decides from (as OCA connector does): retryable or permanent,
//! with the retry-after the server asked for, and — for writes — whether the outcome is unknown
//! (the request may have been applied although no answer came back).

pub mod bc_api;
pub mod customers;
pub mod http;
pub mod nav;
pub mod nav_pages;
pub mod odata;
pub mod woo;

use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum System {
    Nav,
    Woo,
}

impl std::fmt::Display for System {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            System::Nav => "NAV",
            System::Woo => "WooCommerce",
        })
    }
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum AdapterError {
    #[error("{system} could not be reached: {detail}")]
    Unreachable {
        system: System,
        detail: String,
        /// The request may have reached the server (timeout, connection cut after sending).
        maybe_applied: bool,
    },
    #[error("{system} is throttling requests (HTTP {status}){}", retry_after.map(|d| format!(", retry after {} s", d.as_secs())).unwrap_or_default())]
    Throttled { system: System, status: u16, retry_after: Option<Duration> },
    #[error("{system} failed (HTTP {status} {code}): {message}")]
    ServerError { system: System, status: u16, code: String, message: String, retry_after: Option<Duration> },
    #[error("{system} refused the credentials: {detail}")]
    Auth { system: System, detail: String },
    #[error("{system} rejected the request (HTTP {status} {code}): {message}")]
    Rejected { system: System, status: u16, code: String, message: String },
    #[error("{system}: the record was changed by someone else since it was read (HTTP 409 {code})")]
    Conflict { system: System, code: String },
    #[error("{system}: {what} not found")]
    NotFound { system: System, what: String },
    #[error("{system} sent an answer that could not be read: {detail}")]
    BadResponse { system: System, detail: String },
}

impl AdapterError {
    /// Worth trying again later (the same request may succeed).
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            AdapterError::Unreachable { .. }
                | AdapterError::Throttled { .. }
                | AdapterError::ServerError { .. }
                | AdapterError::Conflict { .. }
                | AdapterError::BadResponse { .. }
                | AdapterError::Auth { .. }
        )
    }

    /// Credentials are wrong or expired: everything fails until an operator fixes the settings,
    /// so retries must not use up a job's attempts.
    pub fn is_auth(&self) -> bool {
        matches!(self, AdapterError::Auth { .. })
    }

    /// A write whose effect is unknown: look before repeating it.
    pub fn maybe_applied(&self) -> bool {
        match self {
            AdapterError::Unreachable { maybe_applied, .. } => *maybe_applied,
            // A gateway timeout or a garbled answer can follow a committed write.
            AdapterError::ServerError { status, .. } => matches!(status, 408 | 502 | 504),
            AdapterError::BadResponse { .. } => true,
            _ => false,
        }
    }

    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            AdapterError::Throttled { retry_after, .. } | AdapterError::ServerError { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    pub fn status(&self) -> Option<u16> {
        match self {
            AdapterError::Throttled { status, .. }
            | AdapterError::ServerError { status, .. }
            | AdapterError::Rejected { status, .. } => Some(*status),
            AdapterError::Conflict { .. } => Some(409),
            AdapterError::NotFound { .. } => Some(404),
            _ => None,
        }
    }
}

pub type AdapterResult<T> = Result<T, AdapterError>;
