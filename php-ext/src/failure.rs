//! How a failure reaches WordPress: never as an exception, a fatal error or a panic across FFI.
//!
//! Every failure is a [`Failure`] whose text names what is wrong in plain words (the path and the
//! cause). [`guard`] runs a function's body, and on failure (or, as a last resort, a panic) records
//! the reason for `ml_connector_last_error()`, writes one line `ml_connector: ...` to PHP's error
//! log and lets the PHP function return null/false. No text here ever carries a plaintext or key
//! material: only paths, OS/SQLite causes and the event parser's complaint.

use std::ffi::{c_char, c_int, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Mutex, PoisonError};

use ml_connector_formats::{EnvelopeError, EventError};

/// Severity handed to PHP's logger (syslog's LOG_WARNING); only matters when `error_log = syslog`.
const LOG_WARNING: c_int = 4;

extern "C" {
    /// PHP's own logger, the one userland `error_log()` uses: it writes to the `error_log` ini
    /// destination or the SAPI's log (stderr for the CLI, the FPM log), never to the page, and it
    /// does not go through `set_error_handler()`, so WordPress (or PHPUnit) cannot turn our log
    /// line into an exception.
    fn php_log_err_with_severity(log_message: *const c_char, syslog_type_int: c_int);
}

/// The reason of the last failure in this process (one PHP worker).
static LAST_ERROR: Mutex<Option<String>> = Mutex::new(None);

#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// The log line names the function; the reason names the parameter.
    #[error("{parameter} must be {expected}, got {got}")]
    Argument {
        parameter: &'static str,
        expected: &'static str,
        got: String,
    },
    #[error("invalid event, nothing was written: {0}")]
    InvalidEvent(#[source] EventError),
    #[error(
        "cannot open the spool {path} ({cause}): its directory must exist and be writable by the PHP user (uid {uid})"
    )]
    SpoolUnopenable { path: String, cause: String, uid: u32 },
    #[error("the spool {path} stayed locked by another process for more than {waited_ms} ms (ml_connector.busy_timeout_ms); nothing was written")]
    SpoolLocked { path: String, waited_ms: u128 },
    #[error("the disk holding the spool {path} is full; nothing was written: free space there (orders placed meanwhile are picked up by the agent's reconciliation)")]
    SpoolDiskFull { path: String },
    #[error("the spool {path} is read-only for the PHP user (uid {uid}): {cause}; nothing was written")]
    SpoolReadOnly { path: String, cause: String, uid: u32 },
    /// The formats crate's own wording (e.g. a schema newer than this build).
    #[error("{0}")]
    Spool(String),
    #[error("cannot read the vault key {path}: {cause} (PHP user uid {uid})")]
    KeyUnreadable { path: String, cause: String, uid: u32 },
    #[error("vault key unusable: {0}")]
    KeyInvalid(#[source] EnvelopeError),
    #[error("settings document {name:?} is not valid JSON, nothing was stored: {cause}")]
    InvalidSetting { name: String, cause: String },
    #[error("could not wake the agent at {socket}: {cause}; the event waits in the spool for the agent's next poll")]
    WakeFailed { socket: String, cause: String },
    #[error("{function}() failed unexpectedly (internal error, please report it); nothing was changed by this call")]
    Internal { function: &'static str },
}

/// Records the failure for `ml_connector_last_error()` and logs it as one line.
pub fn record(function: &str, failure: &Failure) {
    let reason = failure.to_string();
    log(&format!("{function}(): {reason}"));
    *LAST_ERROR.lock().unwrap_or_else(PoisonError::into_inner) = Some(reason);
}

pub fn last() -> Option<String> {
    LAST_ERROR.lock().unwrap_or_else(PoisonError::into_inner).clone()
}

/// Writes `ml_connector: <line>` to PHP's error log, on one line.
pub fn log(line: &str) {
    let one_line: String = format!("ml_connector: {line}")
        .chars()
        .map(|c| if c == '\0' || c == '\n' || c == '\r' { ' ' } else { c })
        .collect();
    if let Ok(text) = CString::new(one_line) {
        // SAFETY: a valid NUL-terminated string that outlives the call; PHP copies what it writes.
        unsafe { php_log_err_with_severity(text.as_ptr(), LOG_WARNING) };
    }
}

/// Runs a PHP function's body. A failure or a panic is recorded and logged, and becomes `None`.
pub fn guard<T>(function: &'static str, body: impl FnOnce() -> Result<T, Failure>) -> Option<T> {
    let failure = match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(value)) => return Some(value),
        Ok(Err(failure)) => failure,
        // The panic message is not repeated: Rust's panic hook has already printed it to stderr,
        // and we cannot vouch that it carries nothing from the caller's data.
        Err(_) => Failure::Internal { function },
    };
    record(function, &failure);
    None
}

/// The effective user id of this PHP process, named in messages about permissions.
pub fn uid() -> u32 {
    // SAFETY: geteuid cannot fail and touches no memory.
    unsafe { libc::geteuid() }
}
