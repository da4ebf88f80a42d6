//! The job runner: claims due jobs (the store keeps one subject in order), runs each in its own
//! task up to the concurrency limit, and turns each outcome into the job's next state — done,
//! retried later (server's retry-after, else backoff with jitter), parked after the last attempt,
//! or held. Credentials problems and missing configuration wait without using up attempts.

use std::sync::Arc;
use std::time::Duration;

use ml_connector_formats::spool::OrderSync;
use ml_connector_formats::{Event, EventKind};
use tokio::sync::{watch, Notify, RwLock, Semaphore};

use super::retry::backoff;
use crate::flows::{self, Outcome};
use crate::runtime::Runtime;
use crate::status::StatusBoard;
use crate::store::jobs::{Job, JobState};
use crate::store::now_millis;

/// The current runtime; replaced as a whole when settings change.
pub type SharedRuntime = Arc<RwLock<Arc<Runtime>>>;

pub struct Runner {
    pub runtime: SharedRuntime,
    pub wake: Arc<Notify>,
    pub board: Arc<StatusBoard>,
    /// Signalled when a `settings.updated` event asks for a reload.
    pub reload: Arc<Notify>,
}

impl Runner {
    pub async fn run(self: Arc<Self>, mut stop: watch::Receiver<bool>) {
        let concurrency = self.runtime.read().await.settings.agent.concurrency;
        let slots = Arc::new(Semaphore::new(concurrency));
        let done = Arc::new(Notify::new());
        loop {
            if *stop.borrow() {
                break;
            }
            let free = slots.available_permits();
            let rt = self.runtime.read().await.clone();
            let jobs = if free == 0 {
                Vec::new()
            } else {
                match rt.store.claim(free) {
                    Ok(jobs) => jobs,
                    Err(error) => {
                        tracing::error!(%error, "claiming jobs failed");
                        Vec::new()
                    }
                }
            };
            let claimed = jobs.len();
            for job in jobs {
                let Ok(permit) = slots.clone().acquire_owned().await else { break };
                let runner = self.clone();
                let done = done.clone();
                tokio::spawn(async move {
                    runner.execute(job).await;
                    drop(permit);
                    done.notify_one();
                });
            }
            if claimed > 0 && claimed == free {
                // Everything busy or more may be due: look again once a slot frees up.
                tokio::select! {
                    _ = done.notified() => {}
                    _ = stop.changed() => {}
                }
                continue;
            }
            let wait = match rt.store.next_due() {
                Ok(Some(due)) => Duration::from_millis((due - now_millis()).clamp(5, 1_000) as u64),
                _ => rt.settings.agent.poll_interval,
            };
            tokio::select! {
                _ = self.wake.notified() => {}
                _ = done.notified() => {}
                _ = tokio::time::sleep(wait) => {}
                _ = stop.changed() => {}
            }
        }
        // Let running jobs finish (bounded by their own timeouts); the unit's stop timeout is the limit.
        let _ = slots.acquire_many(concurrency as u32).await;
    }

    async fn execute(&self, job: Job) {
        let rt = self.runtime.read().await.clone();
        let started = std::time::Instant::now();
        let event = Event::from_json(&job.event);
        let outcome = match &event {
            Err(e) => Outcome::Park(format!("the event could not be read: {e}")),
            Ok(event) => self.dispatch(&rt, &job, event).await,
        };
        self.board.observe(&job, &outcome, started.elapsed());
        let end = crate::metrics::JobEnd::of(&outcome);
        apply(&rt, &self.board, &job, outcome);
        crate::metrics::global().job_finished(&rt.store, &job, end, event.as_ref().ok().map(|e| e.occurred_at.as_str()));
    }

    async fn dispatch(&self, rt: &Runtime, job: &Job, event: &Event) -> Outcome {
        match event.kind {
            EventKind::OrderCreated | EventKind::OrderUpdated | EventKind::OrderRestored => flows::orders::sync_order(rt, job, event).await,
            EventKind::CommandReplay | EventKind::CommandCheck | EventKind::CommandResync => flows::commands::run_command(rt, event).await,
            EventKind::SettingsUpdated => {
                self.reload.notify_one();
                Outcome::Done("settings reload requested".into())
            }
            EventKind::OrderDeleted => flows::refunds::order_deleted(rt, job, event).await,
            EventKind::RefundCreated | EventKind::RefundDeleted => flows::refunds::sync_refund(rt, job, event).await,
            EventKind::CustomerCreated | EventKind::CustomerUpdated | EventKind::CustomerDeleted => flows::customers::sync_customer(rt, job, event).await,
            EventKind::BcNotification => flows::inventory::notifications::handle(rt, job, event),
        }
    }
}

/// Records the outcome: job state, the order's sync state for WordPress, logs.
pub fn apply(rt: &Runtime, board: &StatusBoard, job: &Job, outcome: Outcome) {
    let store = &rt.store;
    let result = match &outcome {
        Outcome::Done(summary) => {
            tracing::info!(job = job.id, subject = %job.subject, "{summary}");
            store.finish(job.id, JobState::Done, Some(summary)).and_then(|_| store.supersede_older(job).map(|_| ()))
        }
        Outcome::Skipped(reason) => {
            tracing::info!(job = job.id, subject = %job.subject, "skipped: {reason}");
            store.finish(job.id, JobState::Skipped, Some(reason))
        }
        Outcome::Held(reason) => {
            tracing::warn!(job = job.id, subject = %job.subject, "held: {reason}");
            store.finish(job.id, JobState::Held, Some(reason))
        }
        Outcome::Park(reason) => {
            tracing::warn!(job = job.id, subject = %job.subject, "parked: {reason}");
            store.finish(job.id, JobState::Parked, Some(reason))
        }
        Outcome::NotReady(reason) => {
            tracing::warn!(job = job.id, subject = %job.subject, "waiting: {reason}");
            store.retry_later(job.id, now_millis() + 30_000, reason, false)
        }
        Outcome::Retry(error) => {
            let agent = &rt.settings.agent;
            if error.is_auth() {
                let wait = backoff(job.attempts, agent.retry_base, Duration::from_secs(60), None);
                tracing::warn!(job = job.id, subject = %job.subject, %error, "credentials refused; waiting");
                store.retry_later(job.id, now_millis() + wait.as_millis() as i64, &error.to_string(), false)
            } else if matches!(error, crate::adapter::AdapterError::Throttled { .. }) {
                // Being throttled is pacing, not failing: wait as asked, without using an attempt.
                let wait = backoff(1, agent.retry_base, agent.retry_cap, error.retry_after());
                store.retry_later(job.id, now_millis() + wait.as_millis() as i64, &error.to_string(), false)
            } else if job.attempts >= agent.max_attempts {
                let reason = format!("gave up after {} attempts: {error}", job.attempts);
                tracing::warn!(job = job.id, subject = %job.subject, "parked: {reason}");
                store.finish(job.id, JobState::Parked, Some(&reason))
            } else {
                let wait = backoff(job.attempts, agent.retry_base, agent.retry_cap, error.retry_after());
                tracing::info!(job = job.id, subject = %job.subject, attempt = job.attempts, wait_ms = wait.as_millis() as u64, %error, "will retry");
                store.retry_later(job.id, now_millis() + wait.as_millis() as i64, &error.to_string(), true)
            }
        }
    };
    if let Err(error) = result {
        tracing::error!(%error, job = job.id, "recording the job's outcome failed");
    }
    if let Some(order_id) = job.order_id() {
        let link = store.order_link(order_id).ok().flatten();
        let (state, reason) = match &outcome {
            Outcome::Done(_) => ("synced", None),
            Outcome::Held(r) => ("held", Some(r.clone())),
            Outcome::Park(r) => ("parked", Some(r.clone())),
            Outcome::Retry(e) => match store.job(job.id).ok().flatten() {
                Some(j) if j.state == JobState::Parked => ("parked", j.reason),
                _ => ("retrying", Some(e.to_string())),
            },
            Outcome::NotReady(r) => ("queued", Some(r.clone())),
            Outcome::Skipped(_) if link.is_none() => ("skipped", None),
            // A no-change event leaves the order's state as it was.
            Outcome::Skipped(_) => return,
        };
        let sync = OrderSync {
            order_id,
            state: state.to_string(),
            nav_number: link.and_then(|l| l.nav_number),
            reason,
            updated_at: ml_connector_formats::utc_now(),
        };
        board.order_sync(sync);
    }
}
