//! Durable jobs. Every event becomes one job; jobs of one subject (an order, a customer) run one at
//! a time in the order they arrived, different subjects run concurrently. Consecutive jobs of the
//! same family on one subject coalesce: an order's events carry full snapshots, so only the newest
//! needs to reach NAV.

use rusqlite::{params, OptionalExtension, Row};
use serde::Serialize;

use ml_connector_formats::{Event, EventKind};

use super::{now_millis, now_text, Store, StoreResult};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum JobState {
    Pending,
    Running,
    Done,
    /// Gave up after retries or on a permanent error; waits for an operator's replay.
    Parked,
    /// Deliberately stopped (e.g. totals beyond tolerance); waits for an operator.
    Held,
    /// A newer job of the same subject and family made this one unnecessary.
    Superseded,
    /// Nothing to do (e.g. a status NAV does not receive, or our own echo).
    Skipped,
}

impl JobState {
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Pending => "pending",
            JobState::Running => "running",
            JobState::Done => "done",
            JobState::Parked => "parked",
            JobState::Held => "held",
            JobState::Superseded => "superseded",
            JobState::Skipped => "skipped",
        }
    }

    fn parse(text: &str) -> JobState {
        match text {
            "pending" => JobState::Pending,
            "running" => JobState::Running,
            "done" => JobState::Done,
            "parked" => JobState::Parked,
            "held" => JobState::Held,
            "superseded" => JobState::Superseded,
            _ => JobState::Skipped,
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Job {
    pub id: i64,
    pub spool_seq: Option<i64>,
    pub subject: String,
    pub family: String,
    pub kind: String,
    pub origin: String,
    pub event: String,
    pub state: JobState,
    pub attempts: u32,
    pub not_before: i64,
    pub reason: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl Job {
    fn from_row(row: &Row<'_>) -> rusqlite::Result<Job> {
        Ok(Job {
            id: row.get(0)?,
            spool_seq: row.get(1)?,
            subject: row.get(2)?,
            family: row.get(3)?,
            kind: row.get(4)?,
            origin: row.get(5)?,
            event: row.get(6)?,
            state: JobState::parse(&row.get::<_, String>(7)?),
            attempts: row.get(8)?,
            not_before: row.get(9)?,
            reason: row.get(10)?,
            created_at: row.get(11)?,
            updated_at: row.get(12)?,
        })
    }

    /// The WooCommerce order id when the subject is an order.
    pub fn order_id(&self) -> Option<i64> {
        self.subject.strip_prefix("order:").and_then(|id| id.parse().ok())
    }
}

/// Whether the job was taken over before `unix_ms` (e.g. before this agent process started, so an
/// attempt may have been cut off by a crash or kill).
pub fn created_before(job: &Job, unix_ms: i64) -> bool {
    chrono::DateTime::parse_from_rfc3339(&job.created_at)
        .map(|t| t.timestamp_millis() < unix_ms)
        .unwrap_or(true)
}

const COLUMNS: &str =
    "id, spool_seq, subject, family, kind, origin, event, state, attempts, not_before, reason, created_at, updated_at";

/// Where an event belongs: its subject and coalescing family.
pub fn routing(event: &Event, seq_hint: i64) -> (String, String) {
    match event.kind {
        EventKind::OrderCreated | EventKind::OrderUpdated | EventKind::OrderRestored => {
            (format!("order:{}", event.object_id), "order.sync".into())
        }
        EventKind::OrderDeleted => (format!("order:{}", event.object_id), "order.deleted".into()),
        // A refund changes its order's NAV documents: run it in the order's line.
        EventKind::RefundCreated | EventKind::RefundDeleted => {
            let order = event.parent_id.unwrap_or(event.object_id);
            (format!("order:{order}"), format!("refund:{}", event.object_id))
        }
        EventKind::CustomerCreated | EventKind::CustomerUpdated => {
            (format!("customer:{}", event.object_id), "customer.sync".into())
        }
        EventKind::CustomerDeleted => (format!("customer:{}", event.object_id), "customer.deleted".into()),
        EventKind::BcNotification => (format!("notification:{seq_hint}"), "notification".into()),
        EventKind::SettingsUpdated | EventKind::CommandReplay | EventKind::CommandCheck | EventKind::CommandResync => {
            (format!("command:{seq_hint}"), event.kind.as_str().into())
        }
    }
}

/// Counts by state, for status screens.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct QueueCounts {
    pub pending: i64,
    pub running: i64,
    pub parked: i64,
    pub held: i64,
}

impl Store {
    /// Takes over a spooled event. Idempotent by spool sequence: importing twice is harmless.
    pub fn import_event(&self, spool_seq: Option<i64>, event: &Event, body: &str) -> StoreResult<Option<i64>> {
        let (subject, family) = routing(event, spool_seq.unwrap_or_else(now_millis));
        let now = now_text();
        let conn = self.lock();
        let inserted = conn
            .prepare_cached(
                "INSERT OR IGNORE INTO jobs (spool_seq, subject, family, kind, origin, event, state, created_at, updated_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending', ?7, ?7)",
            )
            .and_then(|mut s| s.execute(params![spool_seq, subject, family, event.kind.as_str(), event.origin, body, now]))
            .map_err(|e| self.err(e))?;
        Ok((inserted == 1).then(|| conn.last_insert_rowid()))
    }

    /// Records a spooled event that cannot be decoded as a parked job, so nothing is lost and the
    /// operator sees why.
    pub fn import_unreadable(&self, spool_seq: i64, kind: &str, object_id: i64, body: &str, reason: &str) -> StoreResult<()> {
        let now = now_text();
        self.lock()
            .execute(
                "INSERT OR IGNORE INTO jobs (spool_seq, subject, family, kind, origin, event, state, reason, created_at, updated_at) \
                 VALUES (?1, ?2, 'unreadable', ?3, 'unknown', ?4, 'parked', ?5, ?6, ?6)",
                params![spool_seq, format!("unreadable:{object_id}:{spool_seq}"), kind, body, reason, now],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// Highest spool sequence already taken over.
    pub fn last_imported_seq(&self) -> StoreResult<i64> {
        self.lock()
            .query_row("SELECT COALESCE(MAX(spool_seq), 0) FROM jobs", [], |r| r.get(0))
            .map_err(|e| self.err(e))
    }

    /// Claims up to `limit` jobs that may run now: the first unfinished job of each subject, when
    /// it is pending and due. Older jobs superseded by a newer one of the same family are marked so.
    pub fn claim(&self, limit: usize) -> StoreResult<Vec<Job>> {
        let now = now_millis();
        let mut conn = self.lock();
        // IMMEDIATE: another process (the CLI's sync or replay) may write; a deferred transaction
        // would fail at once with SQLITE_BUSY_SNAPSHOT instead of waiting for the lock.
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(|e| self.err(e))?;
        let mut claimed = Vec::new();
        {
            let mut candidates = tx
                .prepare_cached(&format!(
                    // Walk pending jobs in id order and stop at the limit (no sort of all of them).
                    "SELECT {COLUMNS} FROM jobs j INDEXED BY jobs_by_state_id WHERE j.state = 'pending' AND j.not_before <= ?1 \
                     AND j.id = (SELECT MIN(k.id) FROM jobs k WHERE k.subject = j.subject AND k.state IN ('pending', 'running')) \
                     ORDER BY j.id LIMIT ?2"
                ))
                .map_err(|e| self.err(e))?;
            let jobs: Vec<Job> = candidates
                .query_map(params![now, limit as i64], Job::from_row)
                .and_then(|rows| rows.collect())
                .map_err(|e| self.err(e))?;
            for job in jobs {
                // The newest consecutive pending job of the same family carries the latest snapshot.
                let newest: Option<i64> = tx
                    .query_row(
                        "SELECT MAX(id) FROM jobs WHERE subject = ?1 AND family = ?2 AND state = 'pending' AND id >= ?3 \
                         AND id < COALESCE((SELECT MIN(id) FROM jobs WHERE subject = ?1 AND family <> ?2 AND state = 'pending' AND id > ?3), 9223372036854775807)",
                        params![job.subject, job.family, job.id],
                        |r| r.get(0),
                    )
                    .optional()
                    .map_err(|e| self.err(e))?
                    .flatten();
                let chosen = match newest {
                    Some(newest) if newest != job.id => {
                        tx.execute(
                            "UPDATE jobs SET state = 'superseded', reason = ?1, updated_at = ?2 \
                             WHERE subject = ?3 AND family = ?4 AND state = 'pending' AND id >= ?5 AND id < ?6",
                            params![format!("superseded by job {newest}"), now_text(), job.subject, job.family, job.id, newest],
                        )
                        .map_err(|e| self.err(e))?;
                        tx.query_row(&format!("SELECT {COLUMNS} FROM jobs WHERE id = ?1"), params![newest], Job::from_row)
                            .map_err(|e| self.err(e))?
                    }
                    _ => job,
                };
                tx.execute(
                    "UPDATE jobs SET state = 'running', attempts = attempts + 1, updated_at = ?1 WHERE id = ?2",
                    params![now_text(), chosen.id],
                )
                .map_err(|e| self.err(e))?;
                let mut chosen = chosen;
                chosen.state = JobState::Running;
                chosen.attempts += 1;
                claimed.push(chosen);
            }
        }
        tx.commit().map_err(|e| self.err(e))?;
        Ok(claimed)
    }

    pub fn finish(&self, job_id: i64, state: JobState, reason: Option<&str>) -> StoreResult<()> {
        self.lock()
            .execute(
                "UPDATE jobs SET state = ?1, reason = ?2, updated_at = ?3 WHERE id = ?4",
                params![state.as_str(), reason, now_text(), job_id],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// Puts a job back in line to run at `not_before` (unix ms).
    pub fn retry_later(&self, job_id: i64, not_before: i64, reason: &str, count_attempt: bool) -> StoreResult<()> {
        let sql = if count_attempt {
            "UPDATE jobs SET state = 'pending', not_before = ?1, reason = ?2, updated_at = ?3 WHERE id = ?4"
        } else {
            "UPDATE jobs SET state = 'pending', attempts = MAX(attempts - 1, 0), not_before = ?1, reason = ?2, updated_at = ?3 WHERE id = ?4"
        };
        self.lock()
            .execute(sql, params![not_before, reason, now_text(), job_id])
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// Makes every waiting job due now (after a settings reload: what waited for configuration or
    /// for a server may go at once).
    pub fn make_waiting_due(&self) -> StoreResult<usize> {
        self.lock()
            .execute("UPDATE jobs SET not_before = 0 WHERE state = 'pending' AND not_before > 0", [])
            .map_err(|e| self.err(e))
    }

    /// After a restart, jobs that were running are pending again (their outcome is unknown; the
    /// flows look NAV up before repeating a create).
    pub fn requeue_interrupted(&self) -> StoreResult<usize> {
        self.lock()
            .execute(
                "UPDATE jobs SET state = 'pending', reason = 'interrupted by an agent restart', updated_at = ?1 WHERE state = 'running'",
                params![now_text()],
            )
            .map_err(|e| self.err(e))
    }

    /// Older parked/held jobs of a subject and family become superseded once a newer one succeeded.
    pub fn supersede_older(&self, job: &Job) -> StoreResult<usize> {
        self.lock()
            .execute(
                "UPDATE jobs SET state = 'superseded', reason = ?1, updated_at = ?2 \
                 WHERE subject = ?3 AND family = ?4 AND state IN ('parked', 'held') AND id < ?5",
                params![format!("superseded by job {}", job.id), now_text(), job.subject, job.family, job.id],
            )
            .map_err(|e| self.err(e))
    }

    pub fn job(&self, id: i64) -> StoreResult<Option<Job>> {
        self.lock()
            .query_row(&format!("SELECT {COLUMNS} FROM jobs WHERE id = ?1"), params![id], Job::from_row)
            .optional()
            .map_err(|e| self.err(e))
    }

    pub fn jobs_in_state(&self, state: JobState, limit: usize) -> StoreResult<Vec<Job>> {
        let conn = self.lock();
        let mut stmt = conn
            .prepare_cached(&format!("SELECT {COLUMNS} FROM jobs WHERE state = ?1 ORDER BY id LIMIT ?2"))
            .map_err(|e| self.err(e))?;
        let rows = stmt.query_map(params![state.as_str(), limit as i64], Job::from_row).map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    pub fn jobs_for_subject(&self, subject: &str) -> StoreResult<Vec<Job>> {
        let conn = self.lock();
        let mut stmt = conn
            .prepare_cached(&format!("SELECT {COLUMNS} FROM jobs WHERE subject = ?1 ORDER BY id"))
            .map_err(|e| self.err(e))?;
        let rows = stmt.query_map(params![subject], Job::from_row).map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// Puts a parked or held job back in line now, with fresh attempts.
    pub fn requeue(&self, job_id: i64) -> StoreResult<bool> {
        let changed = self
            .lock()
            .execute(
                "UPDATE jobs SET state = 'pending', attempts = 0, not_before = 0, reason = 'replay requested', updated_at = ?1 \
                 WHERE id = ?2 AND state IN ('parked', 'held', 'done', 'skipped', 'superseded')",
                params![now_text(), job_id],
            )
            .map_err(|e| self.err(e))?;
        Ok(changed == 1)
    }

    /// Adds a job the agent made itself (reconciliation, resync), in the subject's line.
    pub fn add_job(&self, event: &Event) -> StoreResult<i64> {
        let body = event.to_json();
        self.import_event(None, event, &body)?
            .ok_or_else(|| super::StoreError::Data("a job without a spool sequence was not inserted".into()))
    }

    pub fn queue_counts(&self) -> StoreResult<QueueCounts> {
        let conn = self.lock();
        let mut stmt = conn
            .prepare_cached("SELECT state, COUNT(*) FROM jobs WHERE state IN ('pending','running','parked','held') GROUP BY state")
            .map_err(|e| self.err(e))?;
        let mut counts = QueueCounts::default();
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
            .map_err(|e| self.err(e))?;
        for row in rows {
            let (state, n) = row.map_err(|e| self.err(e))?;
            match state.as_str() {
                "pending" => counts.pending = n,
                "running" => counts.running = n,
                "parked" => counts.parked = n,
                "held" => counts.held = n,
                _ => {}
            }
        }
        Ok(counts)
    }

    /// When the next pending job becomes due (unix ms), to sleep exactly that long.
    pub fn next_due(&self) -> StoreResult<Option<i64>> {
        self.lock()
            .query_row("SELECT MIN(not_before) FROM jobs WHERE state = 'pending'", [], |r| r.get(0))
            .map_err(|e| self.err(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(kind: EventKind, id: i64) -> Event {
        Event::new(kind, id, "checkout", serde_json::json!({"id": id}))
    }

    fn import(store: &Store, seq: i64, e: &Event) -> Option<i64> {
        store.import_event(Some(seq), e, &e.to_json()).unwrap()
    }

    #[test]
    fn importing_twice_is_harmless() {
        let store = Store::in_memory().unwrap();
        let e = event(EventKind::OrderCreated, 1);
        assert!(import(&store, 10, &e).is_some());
        assert!(import(&store, 10, &e).is_none());
        assert_eq!(store.last_imported_seq().unwrap(), 10);
    }

    #[test]
    fn one_subject_runs_in_order_others_concurrently() {
        let store = Store::in_memory().unwrap();
        import(&store, 1, &event(EventKind::OrderCreated, 1));
        import(&store, 2, &event(EventKind::OrderCreated, 2));
        let refund = Event { parent_id: Some(1), ..event(EventKind::RefundCreated, 50) };
        import(&store, 3, &refund);
        let first = store.claim(10).unwrap();
        assert_eq!(first.iter().map(|j| j.subject.as_str()).collect::<Vec<_>>(), vec!["order:1", "order:2"]);
        assert!(store.claim(10).unwrap().is_empty(), "the refund waits for its order's running job");
        store.finish(first[0].id, JobState::Done, None).unwrap();
        let next = store.claim(10).unwrap();
        assert_eq!(next.len(), 1);
        assert_eq!(next[0].family, "refund:50");
    }

    #[test]
    fn consecutive_snapshots_coalesce_to_the_newest() {
        let store = Store::in_memory().unwrap();
        import(&store, 1, &event(EventKind::OrderCreated, 7));
        import(&store, 2, &event(EventKind::OrderUpdated, 7));
        import(&store, 3, &event(EventKind::OrderUpdated, 7));
        let claimed = store.claim(10).unwrap();
        assert_eq!(claimed.len(), 1);
        assert_eq!(claimed[0].spool_seq, Some(3));
        let all = store.jobs_for_subject("order:7").unwrap();
        assert_eq!(all.iter().filter(|j| j.state == JobState::Superseded).count(), 2);
    }

    #[test]
    fn retries_wait_and_parked_jobs_do_not_block_newer_ones() {
        let store = Store::in_memory().unwrap();
        import(&store, 1, &event(EventKind::OrderCreated, 3));
        let job = store.claim(1).unwrap().remove(0);
        store.retry_later(job.id, now_millis() + 60_000, "503", true).unwrap();
        assert!(store.claim(1).unwrap().is_empty(), "not due yet");
        store.finish(job.id, JobState::Parked, Some("unknown SKU X")).unwrap();
        import(&store, 2, &event(EventKind::OrderUpdated, 3));
        let newer = store.claim(1).unwrap().remove(0);
        assert_eq!(newer.spool_seq, Some(2));
        store.finish(newer.id, JobState::Done, None).unwrap();
        assert_eq!(store.supersede_older(&newer).unwrap(), 1);
        assert_eq!(store.queue_counts().unwrap(), QueueCounts::default());
    }

    /// Regression: one subject with thousands of waiting jobs made each claim scan them all for
    /// every pending job (quadratic). Counted in SQLite's own steps, not in time.
    #[test]
    fn claiming_with_a_long_subject_line_stays_cheap() {
        let store = Store::in_memory().unwrap();
        for seq in 1..=3000 {
            import(&store, seq, &event(EventKind::CustomerUpdated, 2));
            import(&store, 10_000 + seq, &event(EventKind::OrderCreated, seq));
        }
        let conn = store.lock();
        let plan: Vec<String> = conn
            .prepare("EXPLAIN QUERY PLAN SELECT MIN(k.id) FROM jobs k WHERE k.subject = 'customer:2' AND k.state IN ('pending', 'running')")
            .unwrap()
            .query_map([], |r| r.get::<_, String>(3))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        drop(conn);
        assert!(plan.iter().any(|p| p.contains("jobs_by_subject_state")), "{plan:?}");
        assert_eq!(store.claim(8).unwrap().len(), 8);
    }

    #[test]
    fn interrupted_jobs_come_back_and_replay_requeues() {
        let store = Store::in_memory().unwrap();
        import(&store, 1, &event(EventKind::OrderCreated, 4));
        let job = store.claim(1).unwrap().remove(0);
        assert_eq!(store.requeue_interrupted().unwrap(), 1);
        let again = store.claim(1).unwrap().remove(0);
        assert_eq!(again.id, job.id);
        assert_eq!(again.attempts, 2);
        store.finish(job.id, JobState::Parked, Some("x")).unwrap();
        assert!(store.requeue(job.id).unwrap());
        assert_eq!(store.claim(1).unwrap()[0].attempts, 1);
    }
}
