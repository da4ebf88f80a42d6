//! The spool: an SQLite database in WAL mode shared by WordPress (many PHP workers writing events
//! and settings) and the agent (taking events over, writing status). Schema in
//! `wp-plugin/schema/spool.sql`, the one definition, embedded here and run as-is by the PHP fallback.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{params, Connection, OpenFlags, OptionalExtension};

use crate::event::{Event, EventError};

pub const SPOOL_SCHEMA_VERSION: i64 = 1;
pub const SPOOL_SQL: &str = include_str!("../../../wp-plugin/schema/spool.sql");

/// Who wrote an event into the spool.
pub const PRODUCER_EXTENSION: &str = "extension";
pub const PRODUCER_PHP_FALLBACK: &str = "php-fallback";
pub const PRODUCER_AGENT: &str = "agent";

#[derive(Debug, thiserror::Error)]
pub enum SpoolError {
    #[error("spool {path}: {source}")]
    Open { path: String, source: rusqlite::Error },
    #[error("spool {path}: {source}")]
    Sqlite { path: String, source: rusqlite::Error },
    #[error("spool {path} has schema version {found}; this build knows up to {SPOOL_SCHEMA_VERSION} (upgrade the extension or agent)")]
    NewerSchema { path: String, found: i64 },
    #[error(transparent)]
    Event(#[from] EventError),
}

/// How hard a commit waits for the disk. `Full` survives power loss; `Normal` survives any process
/// crash (including kill -9 of PHP or the agent) but may lose the last commits on power loss.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Durability {
    Full,
    Normal,
}

#[derive(Clone, Debug)]
pub struct OpenOptions {
    /// How long a writer waits for a lock held by another process before giving up.
    pub busy_timeout: Duration,
    pub durability: Durability,
    /// Create the file and schema when missing (the agent and the extension do; readers need not).
    pub create: bool,
    /// WAL pages after which a commit also checkpoints; `Some(0)` never does. PHP writers pass 0 so
    /// no checkout pays for a checkpoint (4-13 ms measured); the agent checkpoints after each import.
    pub autocheckpoint: Option<u32>,
}

impl Default for OpenOptions {
    fn default() -> Self {
        Self { busy_timeout: Duration::from_secs(5), durability: Durability::Full, create: true, autocheckpoint: None }
    }
}

/// One row of the `events` table.
#[derive(Clone, Debug, PartialEq)]
pub struct SpooledEvent {
    pub seq: i64,
    pub kind: String,
    pub object_id: i64,
    pub body: String,
    pub producer: String,
    pub enqueued_at: String,
}

impl SpooledEvent {
    /// Decodes and validates the event; a failure names what is wrong so it can be parked.
    pub fn event(&self) -> Result<Event, EventError> {
        Event::from_json(&self.body)
    }
}

/// A row of `order_sync`.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct OrderSync {
    pub order_id: i64,
    pub state: String,
    pub nav_number: Option<String>,
    pub reason: Option<String>,
    pub updated_at: String,
}

pub struct Spool {
    conn: Connection,
    path: PathBuf,
}

impl Spool {
    pub fn open(path: &Path) -> Result<Self, SpoolError> {
        Self::open_with(path, &OpenOptions::default())
    }

    pub fn open_with(path: &Path, options: &OpenOptions) -> Result<Self, SpoolError> {
        let shown = path.display().to_string();
        let open_error = |source| SpoolError::Open { path: shown.clone(), source };
        let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let existed = path.exists();
        if options.create {
            flags |= OpenFlags::SQLITE_OPEN_CREATE;
        }
        let conn = Connection::open_with_flags(path, flags).map_err(open_error)?;
        #[cfg(unix)]
        if !existed {
            // Group-writable so the web server's workers and the agent share it; never world-readable.
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o660));
        }
        conn.busy_timeout(options.busy_timeout).map_err(open_error)?;
        let spool = Self { conn, path: path.to_path_buf() };
        spool.prepare(options).map_err(|e| match e {
            SpoolError::Sqlite { source, .. } => SpoolError::Open { path: shown.clone(), source },
            other => other,
        })?;
        Ok(spool)
    }

    fn sql_error(&self, source: rusqlite::Error) -> SpoolError {
        SpoolError::Sqlite { path: self.path.display().to_string(), source }
    }

    fn prepare(&self, options: &OpenOptions) -> Result<(), SpoolError> {
        let wal: String = self
            .conn
            .query_row("PRAGMA journal_mode=WAL", [], |row| row.get(0))
            .map_err(|e| self.sql_error(e))?;
        debug_assert_eq!(wal.to_ascii_lowercase(), "wal");
        let sync = match options.durability {
            Durability::Full => "FULL",
            Durability::Normal => "NORMAL",
        };
        self.conn.execute_batch(&format!("PRAGMA synchronous={sync};")).map_err(|e| self.sql_error(e))?;
        if let Some(pages) = options.autocheckpoint {
            self.conn.execute_batch(&format!("PRAGMA wal_autocheckpoint={pages};")).map_err(|e| self.sql_error(e))?;
        }
        let version: i64 =
            self.conn.query_row("PRAGMA user_version", [], |row| row.get(0)).map_err(|e| self.sql_error(e))?;
        if version > SPOOL_SCHEMA_VERSION {
            return Err(SpoolError::NewerSchema { path: self.path.display().to_string(), found: version });
        }
        if version < SPOOL_SCHEMA_VERSION {
            // IMMEDIATE: two processes creating the schema at once serialise here.
            self.conn
                .execute_batch(&format!("BEGIN IMMEDIATE; {SPOOL_SQL} COMMIT;"))
                .map_err(|e| self.sql_error(e))?;
        }
        Ok(())
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Makes the event durable and returns its sequence number.
    pub fn enqueue(&self, event: &Event, producer: &str) -> Result<i64, SpoolError> {
        event.validate()?;
        self.insert(event.kind.as_str(), event.object_id, &event.to_json(), producer)
    }

    /// Validates untrusted event JSON, then makes it durable.
    pub fn enqueue_json(&self, json: &str, producer: &str) -> Result<i64, SpoolError> {
        let event = Event::from_json(json)?;
        self.insert(event.kind.as_str(), event.object_id, json, producer)
    }

    fn insert(&self, kind: &str, object_id: i64, body: &str, producer: &str) -> Result<i64, SpoolError> {
        self.conn
            .prepare_cached(
                "INSERT INTO events (kind, object_id, body, producer, enqueued_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .and_then(|mut stmt| stmt.execute(params![kind, object_id, body, producer, crate::utc_now()]))
            .map_err(|e| self.sql_error(e))?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Events after `after_seq`, oldest first.
    pub fn pending(&self, after_seq: i64, limit: usize) -> Result<Vec<SpooledEvent>, SpoolError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT seq, kind, object_id, body, producer, enqueued_at FROM events WHERE seq > ?1 ORDER BY seq LIMIT ?2",
            )
            .map_err(|e| self.sql_error(e))?;
        let rows = stmt
            .query_map(params![after_seq, limit as i64], |row| {
                Ok(SpooledEvent {
                    seq: row.get(0)?,
                    kind: row.get(1)?,
                    object_id: row.get(2)?,
                    body: row.get(3)?,
                    producer: row.get(4)?,
                    enqueued_at: row.get(5)?,
                })
            })
            .map_err(|e| self.sql_error(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.sql_error(e))
    }

    /// Deletes events up to and including `seq`, once the agent holds them in its own store.
    pub fn remove_through(&self, seq: i64) -> Result<usize, SpoolError> {
        self.conn.execute("DELETE FROM events WHERE seq <= ?1", params![seq]).map_err(|e| self.sql_error(e))
    }

    /// Copies the WAL into the database without waiting for readers or writers (the agent calls
    /// this after taking events over, so PHP writers never have to).
    pub fn checkpoint(&self) -> Result<(), SpoolError> {
        self.conn
            .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
            .map_err(|e| self.sql_error(e))
    }

    /// Number of events not yet taken over by the agent.
    pub fn depth(&self) -> Result<i64, SpoolError> {
        self.conn.query_row("SELECT COUNT(*) FROM events", [], |row| row.get(0)).map_err(|e| self.sql_error(e))
    }

    pub fn put_setting(&self, name: &str, json: &str) -> Result<(), SpoolError> {
        self.upsert("settings", name, json)
    }

    pub fn setting(&self, name: &str) -> Result<Option<String>, SpoolError> {
        self.get("settings", name).map(|found| found.map(|(value, _)| value))
    }

    pub fn put_status(&self, name: &str, json: &str) -> Result<(), SpoolError> {
        self.upsert("agent_status", name, json)
    }

    /// A status value and when it was written.
    pub fn status(&self, name: &str) -> Result<Option<(String, String)>, SpoolError> {
        self.get("agent_status", name)
    }

    pub fn delete_status(&self, name: &str) -> Result<(), SpoolError> {
        self.conn
            .execute("DELETE FROM agent_status WHERE name = ?1", params![name])
            .map(|_| ())
            .map_err(|e| self.sql_error(e))
    }

    fn upsert(&self, table: &str, name: &str, json: &str) -> Result<(), SpoolError> {
        let sql = format!(
            "INSERT INTO {table} (name, value, updated_at) VALUES (?1, ?2, ?3) \
             ON CONFLICT(name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at"
        );
        self.conn
            .prepare_cached(&sql)
            .and_then(|mut stmt| stmt.execute(params![name, json, crate::utc_now()]))
            .map(|_| ())
            .map_err(|e| self.sql_error(e))
    }

    fn get(&self, table: &str, name: &str) -> Result<Option<(String, String)>, SpoolError> {
        let sql = format!("SELECT value, updated_at FROM {table} WHERE name = ?1");
        self.conn
            .prepare_cached(&sql)
            .and_then(|mut stmt| stmt.query_row(params![name], |row| Ok((row.get(0)?, row.get(1)?))).optional())
            .map_err(|e| self.sql_error(e))
    }

    pub fn put_order_sync(&self, sync: &OrderSync) -> Result<(), SpoolError> {
        self.conn
            .prepare_cached(
                "INSERT INTO order_sync (order_id, state, nav_number, reason, updated_at) VALUES (?1, ?2, ?3, ?4, ?5) \
                 ON CONFLICT(order_id) DO UPDATE SET state = excluded.state, nav_number = excluded.nav_number, \
                 reason = excluded.reason, updated_at = excluded.updated_at",
            )
            .and_then(|mut stmt| {
                stmt.execute(params![sync.order_id, sync.state, sync.nav_number, sync.reason, sync.updated_at])
            })
            .map(|_| ())
            .map_err(|e| self.sql_error(e))
    }

    pub fn order_sync(&self, order_id: i64) -> Result<Option<OrderSync>, SpoolError> {
        self.conn
            .prepare_cached("SELECT order_id, state, nav_number, reason, updated_at FROM order_sync WHERE order_id = ?1")
            .and_then(|mut stmt| {
                stmt.query_row(params![order_id], |row| {
                    Ok(OrderSync {
                        order_id: row.get(0)?,
                        state: row.get(1)?,
                        nav_number: row.get(2)?,
                        reason: row.get(3)?,
                        updated_at: row.get(4)?,
                    })
                })
                .optional()
            })
            .map_err(|e| self.sql_error(e))
    }

    /// Runs `f` in one IMMEDIATE transaction (the agent batches its status writes this way).
    pub fn transaction<T>(&mut self, f: impl FnOnce(&Spool) -> Result<T, SpoolError>) -> Result<T, SpoolError> {
        self.conn.execute_batch("BEGIN IMMEDIATE").map_err(|e| self.sql_error(e))?;
        match f(self) {
            Ok(value) => {
                self.conn.execute_batch("COMMIT").map_err(|e| self.sql_error(e))?;
                Ok(value)
            }
            Err(error) => {
                let _ = self.conn.execute_batch("ROLLBACK");
                Err(error)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::EventKind;

    fn temp_spool() -> (tempfile::TempDir, Spool) {
        let dir = tempfile::tempdir().unwrap();
        let spool = Spool::open(&dir.path().join("spool.db")).unwrap();
        (dir, spool)
    }

    #[test]
    fn events_come_back_in_order_and_can_be_removed() {
        let (_dir, spool) = temp_spool();
        let a = spool.enqueue(&Event::new(EventKind::OrderCreated, 1, "checkout", serde_json::json!({})), PRODUCER_EXTENSION).unwrap();
        let b = spool.enqueue(&Event::new(EventKind::OrderUpdated, 1, "admin", serde_json::json!({})), PRODUCER_EXTENSION).unwrap();
        assert!(b > a);
        let pending = spool.pending(0, 10).unwrap();
        assert_eq!(pending.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![a, b]);
        assert_eq!(pending[1].event().unwrap().kind, EventKind::OrderUpdated);
        assert_eq!(spool.remove_through(a).unwrap(), 1);
        assert_eq!(spool.depth().unwrap(), 1);
        assert_eq!(spool.pending(a, 10).unwrap().len(), 1);
    }

    #[test]
    fn invalid_json_is_refused_with_its_reason() {
        let (_dir, spool) = temp_spool();
        let error = spool.enqueue_json(r#"{"schema":1}"#, PRODUCER_EXTENSION).unwrap_err();
        assert!(error.to_string().contains("missing field"), "{error}");
        assert_eq!(spool.depth().unwrap(), 0);
    }

    #[test]
    fn settings_status_and_order_sync_round_trip() {
        let (_dir, spool) = temp_spool();
        spool.put_setting("site", r#"{"a":1}"#).unwrap();
        spool.put_setting("site", r#"{"a":2}"#).unwrap();
        assert_eq!(spool.setting("site").unwrap().as_deref(), Some(r#"{"a":2}"#));
        spool.put_status("heartbeat", "{}").unwrap();
        assert!(spool.status("heartbeat").unwrap().is_some());
        let sync = OrderSync {
            order_id: 5,
            state: "synced".into(),
            nav_number: Some("S-ORD101001".into()),
            reason: None,
            updated_at: crate::utc_now(),
        };
        spool.put_order_sync(&sync).unwrap();
        assert_eq!(spool.order_sync(5).unwrap(), Some(sync));
    }

    #[test]
    fn reopening_keeps_data_and_refuses_newer_schemas() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("spool.db");
        {
            let spool = Spool::open(&path).unwrap();
            spool.enqueue(&Event::new(EventKind::OrderCreated, 9, "rest-api", serde_json::json!({})), "agent").unwrap();
        }
        let spool = Spool::open(&path).unwrap();
        assert_eq!(spool.depth().unwrap(), 1);
        spool.conn.execute_batch("PRAGMA user_version = 99").unwrap();
        drop(spool);
        let error = Spool::open(&path).err().unwrap();
        assert!(matches!(error, SpoolError::NewerSchema { found: 99, .. }), "{error}");
    }

    #[test]
    fn many_processes_worth_of_writers_lose_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("spool.db");
        Spool::open(&path).unwrap();
        let writers: Vec<_> = (0..8)
            .map(|w| {
                let path = path.clone();
                std::thread::spawn(move || {
                    let spool = Spool::open(&path).unwrap();
                    for i in 0..50 {
                        let event = Event::new(EventKind::OrderCreated, w * 1000 + i + 1, "checkout", serde_json::json!({}));
                        spool.enqueue(&event, PRODUCER_EXTENSION).unwrap();
                    }
                })
            })
            .collect();
        for writer in writers {
            writer.join().unwrap();
        }
        assert_eq!(Spool::open(&path).unwrap().depth().unwrap(), 400);
    }
}
