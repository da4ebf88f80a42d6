//! The hand-off of one event to the agent: validate it against the event schema, make it durable
//! in the spool, then wake the agent without blocking. The wake-up is a courtesy: when the agent
//! is down or busy the event simply waits in the spool for its next poll, and enqueue succeeds.

use std::io::ErrorKind;
use std::os::unix::net::UnixDatagram;
use std::path::Path;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Mutex, PoisonError};

use ml_connector_formats::spool::PRODUCER_EXTENSION;
use ml_connector_formats::wake::{self, WakeOutcome};

use crate::failure::{self, Failure};
use crate::{ini, spool};

/// The last sequence number this process made durable; `ml_connector_wake()` sends it.
static LAST_SEQ: AtomicI64 = AtomicI64::new(0);

/// The last wake-up failure logged by enqueue, so a misconfigured socket logs once per worker
/// rather than once per order.
static LAST_WAKE_FAILURE: Mutex<Option<ErrorKind>> = Mutex::new(None);

/// Makes the event durable and returns its sequence number.
pub fn enqueue(json: &str) -> Result<i64, Failure> {
    // `enqueue_json` validates with `Event::from_json` before it inserts, so an invalid event is
    // never written. Parsing once matters: it is about 30 µs of a ~3.6 kB order, a third of the
    // whole hand-off at durability=normal.
    let settings = ini::current();
    let seq = spool::with(&settings, |spool| spool.enqueue_json(json, PRODUCER_EXTENSION))?;
    LAST_SEQ.store(seq, Ordering::Relaxed);
    let outcome = wake::wake(&settings.wake_socket, seq);
    let mut last_failure = LAST_WAKE_FAILURE.lock().unwrap_or_else(PoisonError::into_inner);
    match outcome {
        WakeOutcome::Failed(kind) if *last_failure != Some(kind) => {
            *last_failure = Some(kind);
            failure::record("ml_connector_enqueue", &wake_failed(&settings.wake_socket, kind));
        }
        WakeOutcome::Failed(_) => {}
        _ => *last_failure = None,
    }
    Ok(seq)
}

/// Wakes the agent for the last event this process enqueued (0 when none yet).
pub fn wake_now() -> Result<&'static str, Failure> {
    let socket = ini::current().wake_socket;
    match wake::wake(&socket, LAST_SEQ.load(Ordering::Relaxed)) {
        WakeOutcome::Failed(kind) => Err(wake_failed(&socket, kind)),
        other => Ok(outcome_name(other)),
    }
}

/// The words `ml_connector_wake()` answers with.
pub fn outcome_name(outcome: WakeOutcome) -> &'static str {
    match outcome {
        WakeOutcome::Sent => "sent",
        WakeOutcome::AgentDown => "agent-down",
        WakeOutcome::Busy => "busy",
        WakeOutcome::Failed(_) => "failed",
    }
}

fn wake_failed(socket: &Path, kind: ErrorKind) -> Failure {
    Failure::WakeFailed {
        socket: socket.display().to_string(),
        cause: std::io::Error::from(kind).to_string(),
    }
}

/// Whether a process is bound to the agent's socket. Connecting a datagram socket sends nothing,
/// so this probe never wakes the agent.
pub fn agent_listening(socket: &Path) -> Result<bool, std::io::Error> {
    let probe = UnixDatagram::unbound()?;
    match probe.connect(socket) {
        Ok(()) => Ok(true),
        Err(e) if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::ConnectionRefused) => Ok(false),
        Err(e) => Err(e),
    }
}
