//! The agent's own store, `state.db` (SQLite, WAL, agent-only): durable jobs, the bindings between
//! WooCommerce and NAV records, cursors, the encrypted audit trail and the item catalog cache.
//! The spool (shared with PHP) is a separate file; events move from it into `jobs` idempotently
//! (keyed by spool sequence), so a crash between the two never loses or doubles an event.

pub mod audit;
pub mod bindings;
pub mod catalog;
pub mod cursors;
pub mod jobs;
pub mod stock;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use rusqlite::Connection;

/// 2: the inventory tables (`stock.rs`). Every statement is `IF NOT EXISTS`, so one step brings
/// version 0 or 1 to 2.
const SCHEMA_VERSION: i64 = 2;

const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS jobs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    spool_seq   INTEGER UNIQUE,              -- NULL for jobs the agent made (reconcile, replay)
    subject     TEXT    NOT NULL,            -- 'order:123', 'customer:7', 'command:42'
    family      TEXT    NOT NULL,            -- consecutive jobs of one family and subject coalesce
    kind        TEXT    NOT NULL,
    origin      TEXT    NOT NULL,
    event       TEXT    NOT NULL,            -- the event JSON
    state       TEXT    NOT NULL,            -- pending | running | done | parked | held | superseded | skipped
    attempts    INTEGER NOT NULL DEFAULT 0,
    not_before  INTEGER NOT NULL DEFAULT 0,  -- unix ms
    reason      TEXT,
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_by_state ON jobs(state, not_before);
CREATE INDEX IF NOT EXISTS jobs_by_subject ON jobs(subject, id);
CREATE INDEX IF NOT EXISTS jobs_by_state_id ON jobs(state, id);
-- The claim's "first unfinished job of this subject": without it, a subject with thousands of
-- waiting jobs (one busy customer) made every claim quadratic (4 s with 5,000 pending).
CREATE INDEX IF NOT EXISTS jobs_by_subject_state ON jobs(subject, state, id);

CREATE TABLE IF NOT EXISTS order_links (
    woo_order_id             INTEGER PRIMARY KEY,
    external_document_number TEXT NOT NULL,
    state                    TEXT NOT NULL,  -- creating | created | held | posted | deleted
    nav_id                   TEXT,
    nav_number               TEXT,
    customer_number          TEXT,
    fingerprint              TEXT,           -- of the WooCommerce content NAV reflects
    document                 TEXT,           -- JSON of the mapped draft last applied
    lines                    TEXT,           -- JSON: NAV line id per WooCommerce line
    written_back             INTEGER NOT NULL DEFAULT 0, -- 1 done, -1 WooCommerce refused it for good
    attempts_unknown         INTEGER NOT NULL DEFAULT 0, -- creates whose outcome was unknown
    created_at               TEXT NOT NULL,
    updated_at               TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS order_links_by_external ON order_links(external_document_number);

CREATE TABLE IF NOT EXISTS customer_links (
    link_key        TEXT PRIMARY KEY,         -- 'id:<woo customer id>' or 'email:<lower-case e-mail>'
    nav_number      TEXT NOT NULL,
    nav_id          TEXT,
    price_group     TEXT,
    woo_fingerprint TEXT,
    nav_fingerprint TEXT,
    updated_at      TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS cursors (
    name       TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS audit (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    at       TEXT    NOT NULL,
    job_id   INTEGER,
    subject  TEXT    NOT NULL,
    action   TEXT    NOT NULL,               -- e.g. 'create sales order', 'rule decision'
    system   TEXT    NOT NULL,               -- 'nav', 'woo', 'agent'
    method   TEXT,
    status   INTEGER,
    millis   INTEGER,
    outcome  TEXT    NOT NULL,               -- 'ok', 'failed', 'unknown', 'decision'
    detail   TEXT    NOT NULL                -- encryption envelope (purpose 'audit') of the JSON detail
);
CREATE INDEX IF NOT EXISTS audit_by_subject ON audit(subject, id);
CREATE INDEX IF NOT EXISTS audit_by_job ON audit(job_id);

CREATE TABLE IF NOT EXISTS items (
    number       TEXT PRIMARY KEY,
    id           TEXT NOT NULL,
    gtin         TEXT NOT NULL DEFAULT '',
    display_name TEXT NOT NULL DEFAULT '',
    blocked      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS items_by_gtin ON items(gtin) WHERE gtin <> '';

CREATE TABLE IF NOT EXISTS item_variants (
    item_number TEXT NOT NULL,
    code        TEXT NOT NULL,
    id          TEXT NOT NULL,
    PRIMARY KEY (item_number, code)
);
"#;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("state database {path}: {source}")]
    Sqlite { path: String, source: rusqlite::Error },
    #[error("state database {path} has schema version {found}; this agent knows up to {SCHEMA_VERSION}")]
    NewerSchema { path: String, found: i64 },
    #[error("state database: {0}")]
    Data(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// The state database. One connection behind a mutex: every statement is short, and SQLite has
/// one writer anyway.
pub struct Store {
    conn: Mutex<Connection>,
    path: PathBuf,
}

impl Store {
    pub fn open(path: &Path) -> StoreResult<Store> {
        let shown = path.display().to_string();
        let error = |source| StoreError::Sqlite { path: shown.clone(), source };
        let existed = path.exists();
        let conn = Connection::open(path).map_err(error)?;
        #[cfg(unix)]
        if !existed {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
        }
        conn.busy_timeout(std::time::Duration::from_secs(10)).map_err(error)?;
        // NORMAL in WAL mode: every commit survives a crash or kill -9 of the agent; only an OS
        // crash or power loss can drop the last commits. That cannot cause a duplicate: after any
        // restart, every unfinished job was taken over before the start, and such jobs look NAV up
        // by externalDocumentNumber before creating anything (flows/orders.rs). FULL would cost an
        // fsync per audit entry and cap throughput at the disk's sync rate.
        conn.execute_batch("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;")
            .map_err(error)?;
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(error)?;
        if version > SCHEMA_VERSION {
            return Err(StoreError::NewerSchema { path: shown, found: version });
        }
        if version < SCHEMA_VERSION {
            conn.execute_batch(&format!("BEGIN IMMEDIATE; {SCHEMA} {} PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;", stock::SCHEMA))
                .map_err(error)?;
        }
        Ok(Store { conn: Mutex::new(conn), path: path.to_path_buf() })
    }

    /// An in-memory store for unit tests.
    pub fn in_memory() -> StoreResult<Store> {
        let conn = Connection::open_in_memory().map_err(|source| StoreError::Sqlite { path: ":memory:".into(), source })?;
        conn.execute_batch(&format!("{SCHEMA} {} PRAGMA user_version = {SCHEMA_VERSION};", stock::SCHEMA))
            .map_err(|source| StoreError::Sqlite { path: ":memory:".into(), source })?;
        Ok(Store { conn: Mutex::new(conn), path: PathBuf::from(":memory:") })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn err(&self, source: rusqlite::Error) -> StoreError {
        StoreError::Sqlite { path: self.path.display().to_string(), source }
    }
}

pub(crate) fn now_millis() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

pub(crate) fn now_text() -> String {
    ml_connector_formats::utc_now()
}
