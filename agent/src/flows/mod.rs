//! The synchronisation steps, one module per business flow. A step gets a job, does its work
//! through the adapters, records everything in the audit trail and says how the job ended.

pub mod commands;
pub mod customers;
pub mod inventory;
pub mod orders;
pub mod reconcile;
pub mod refunds;
pub mod write_back;

use crate::adapter::http::{Exchange, Recorder};
use crate::adapter::AdapterError;
use crate::runtime::Runtime;
use crate::store::audit::AuditRecord;
use crate::store::jobs::Job;

/// How a job ended.
#[derive(Debug)]
pub enum Outcome {
    Done(String),
    /// Nothing to do, with why.
    Skipped(String),
    /// Stopped on purpose for an operator (e.g. totals beyond tolerance).
    Held(String),
    /// Cannot succeed as it is: parked with the reason until replayed.
    Park(String),
    /// Failed for now; the pipeline decides when to try again (or parks after N attempts).
    Retry(AdapterError),
    /// The system it needs is not configured or not buildable; wait without using attempts.
    NotReady(String),
}

/// Writes the recorded exchanges of a step to the audit trail.
pub fn audit_exchanges(rt: &Runtime, job: &Job, action: &str, recorder: &Recorder) {
    audit_exchanges_for(rt, Some(job.id), &job.subject, action, recorder);
}

/// The same for work outside a job (sweeps, scheduled runs).
pub fn audit_exchanges_for(rt: &Runtime, job_id: Option<i64>, subject: &str, action: &str, recorder: &Recorder) {
    for exchange in recorder.take() {
        audit_exchange(rt, job_id, subject, action, exchange);
    }
}

fn audit_exchange(rt: &Runtime, job_id: Option<i64>, subject: &str, action: &str, exchange: Exchange) {
    let outcome = match (exchange.status, &exchange.error) {
        (Some(status), None) if status < 400 => "ok",
        (None, Some(_)) => "unknown",
        _ => "failed",
    };
    let detail = serde_json::json!({
        "url": exchange.url,
        "request": exchange.request,
        "response": exchange.response,
        "error": exchange.error,
    });
    let record = AuditRecord {
        job_id,
        subject,
        action,
        system: match exchange.system {
            crate::adapter::System::Nav => "nav",
            crate::adapter::System::Woo => "woo",
        },
        method: Some(&exchange.method),
        status: exchange.status,
        millis: Some(exchange.millis),
        outcome,
        detail,
    };
    if let Err(error) = rt.store.append_audit(&rt.keyring, record) {
        tracing::error!(%error, subject, "could not write the audit trail");
    }
}

/// Records a decision (rule outcome, mapped document, totals verdict) in the audit trail.
pub fn audit_decision(rt: &Runtime, job: &Job, action: &str, detail: serde_json::Value) {
    let record = AuditRecord {
        job_id: Some(job.id),
        subject: &job.subject,
        action,
        system: "agent",
        method: None,
        status: None,
        millis: None,
        outcome: "decision",
        detail,
    };
    if let Err(error) = rt.store.append_audit(&rt.keyring, record) {
        tracing::error!(%error, job = job.id, "could not write the audit trail");
    }
}
