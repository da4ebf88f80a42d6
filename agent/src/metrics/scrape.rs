//! One scrape: the live series plus the gauges read at that moment — build info and start time,
//! queue depth and the last inventory runs from the state database, the NAV token's remaining
//! life. The database is read on a connection of its own, read-only: a scrape never waits behind
//! the job runner's connection, and never holds it up.

use std::path::PathBuf;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use super::registry::{gauge_line, header};
use crate::adapter::nav::Nav;
use crate::pipeline::runner::SharedRuntime;

#[derive(Clone)]
pub struct Scrape {
    pub runtime: SharedRuntime,
    /// Unix ms when the agent started.
    pub started_at: i64,
    pub state_db: PathBuf,
}

impl Scrape {
    pub async fn render(&self) -> String {
        let mut out = String::with_capacity(8 * 1024);
        header(&mut out, "ml_connector_agent_info", "The running agent's version.", "gauge");
        gauge_line(&mut out, "ml_connector_agent_info", &["version"], &[env!("CARGO_PKG_VERSION").to_string()], 1.0);
        header(&mut out, "ml_connector_agent_start_time_seconds", "When the agent started, unix seconds.", "gauge");
        gauge_line(&mut out, "ml_connector_agent_start_time_seconds", &[], &[], self.started_at as f64 / 1000.0);
        super::global().render_live(&mut out);
        let state_db = self.state_db.clone();
        let from_db = tokio::task::spawn_blocking(move || read_state(&state_db)).await;
        match from_db {
            Ok(Ok(text)) => out.push_str(&text),
            Ok(Err(error)) => tracing::warn!(%error, "metrics: reading the state database failed"),
            Err(error) => tracing::warn!(%error, "metrics: reading the state database failed"),
        }
        let runtime = self.runtime.read().await.clone();
        if let Some(left) = token_expires_in(runtime.nav.as_deref()).await {
            header(&mut out, "ml_connector_nav_token_expires_in_seconds", "Seconds until the cached NAV OAuth token expires (absent without a token).", "gauge");
            gauge_line(&mut out, "ml_connector_nav_token_expires_in_seconds", &[], &[], left.as_secs() as f64);
        }
        out
    }
}

async fn token_expires_in(nav: Option<&Nav>) -> Option<Duration> {
    match nav? {
        Nav::Api(api) => api.credentials().token_expires_in().await,
        // NAV page web services use Basic with the web service access key: no token.
        Nav::Pages(_) => None,
    }
}

const STATES: &[&str] = &["due", "waiting", "running", "parked", "held"];

fn read_state(path: &std::path::Path) -> rusqlite::Result<String> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    conn.busy_timeout(Duration::from_secs(2))?;
    let mut out = String::new();
    let now = chrono::Utc::now().timestamp_millis();
    let mut counts = [0i64; 5];
    let mut statement = conn.prepare(
        "SELECT CASE WHEN state = 'pending' AND not_before > ?1 THEN 'waiting' WHEN state = 'pending' THEN 'due' ELSE state END, COUNT(*) \
         FROM jobs WHERE state IN ('pending', 'running', 'parked', 'held') GROUP BY 1",
    )?;
    let rows = statement.query_map([now], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
    for row in rows {
        let (state, n) = row?;
        if let Some(slot) = STATES.iter().position(|s| *s == state) {
            counts[slot] = n;
        }
    }
    header(&mut out, "ml_connector_jobs", "Jobs in the queue: due (may run now), waiting (retry later), running, parked, held.", "gauge");
    for (state, n) in STATES.iter().zip(counts) {
        gauge_line(&mut out, "ml_connector_jobs", &["state"], &[state.to_string()], n as f64);
    }
    // The stock tables come with schema version 2; an older state database simply has no runs.
    let mut runs = Vec::new();
    for kind in ["incremental", "full"] {
        let last = conn.query_row(
            "SELECT state, finished_at FROM stock_runs WHERE kind = ?1 AND finished_at IS NOT NULL ORDER BY id DESC LIMIT 1",
            [kind],
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)),
        );
        if let Ok((state, finished_at)) = last {
            if let Ok(at) = chrono::DateTime::parse_from_rfc3339(&finished_at) {
                runs.push((kind, state == "done", at.timestamp_millis() as f64 / 1000.0));
            }
        }
    }
    if !runs.is_empty() {
        header(&mut out, "ml_connector_inventory_last_run_timestamp_seconds", "When the last inventory run of each kind finished, unix seconds.", "gauge");
        for (kind, _, at) in &runs {
            gauge_line(&mut out, "ml_connector_inventory_last_run_timestamp_seconds", &["kind"], &[kind.to_string()], *at);
        }
        header(&mut out, "ml_connector_inventory_last_run_success", "Whether the last inventory run of each kind finished without error (1) or not (0).", "gauge");
        for (kind, ok, _) in &runs {
            gauge_line(&mut out, "ml_connector_inventory_last_run_success", &["kind"], &[kind.to_string()], if *ok { 1.0 } else { 0.0 });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;
    use ml_connector_formats::{Event, EventKind};

    #[test]
    fn queue_depth_splits_pending_into_due_and_waiting() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.db");
        let store = Store::open(&path).unwrap();
        for id in 1..=3 {
            store.add_job(&Event::new(EventKind::OrderCreated, id, "checkout", serde_json::json!({"id": id}))).unwrap();
        }
        let later = store.claim(1).unwrap().remove(0);
        store.retry_later(later.id, chrono::Utc::now().timestamp_millis() + 60_000, "NAV is down", true).unwrap();
        let parked = store.claim(1).unwrap().remove(0);
        store.finish(parked.id, crate::store::jobs::JobState::Parked, Some("unknown SKU")).unwrap();
        let text = read_state(&path).unwrap();
        for line in ["ml_connector_jobs{state=\"due\"} 1\n", "ml_connector_jobs{state=\"waiting\"} 1\n", "ml_connector_jobs{state=\"parked\"} 1\n", "ml_connector_jobs{state=\"held\"} 0\n"] {
            assert!(text.contains(line), "{line} in\n{text}");
        }
        assert!(!text.contains("inventory_last_run"), "no run yet, no series");
    }
}
