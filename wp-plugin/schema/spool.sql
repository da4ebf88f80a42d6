-- ml-connector spool, schema version 1.
--
-- The one definition of the spool: the Rust crate ml-connector-formats embeds this file at compile
-- time (used by the PHP extension and the agent), and the plugin's pure-PHP fallback executes it
-- verbatim through PDO SQLite. Change it only together with SPOOL_SCHEMA_VERSION in
-- agent/formats/src/spool.rs and the migration there.
--
-- Writers: WordPress (events, settings) from many PHP worker processes at once, and the agent
-- (agent_status, order_sync, and deleting events it has taken over). The database runs in WAL mode
-- so that readers never block the checkout's writers.

-- Events handed from WordPress to the agent, in the order they were made durable.
CREATE TABLE IF NOT EXISTS events (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        TEXT    NOT NULL,          -- event kind, e.g. 'order.created' (event schema)
    object_id   INTEGER NOT NULL,          -- WooCommerce id of the object, 0 for commands
    body        TEXT    NOT NULL,          -- the whole event as JSON (event schema)
    producer    TEXT    NOT NULL,          -- 'extension', 'php-fallback' or 'agent'
    enqueued_at TEXT    NOT NULL           -- UTC, RFC 3339 with milliseconds
);

-- Settings saved in WP admin, read by the agent. Secrets inside are encryption envelopes.
CREATE TABLE IF NOT EXISTS settings (
    name       TEXT PRIMARY KEY,
    value      TEXT NOT NULL,              -- JSON
    updated_at TEXT NOT NULL
);

-- What the agent tells WordPress: heartbeat, status snapshot, results of live checks.
CREATE TABLE IF NOT EXISTS agent_status (
    name       TEXT PRIMARY KEY,           -- 'heartbeat', 'snapshot', 'check:<request id>'
    value      TEXT NOT NULL,              -- JSON
    updated_at TEXT NOT NULL
);

-- Sync state per WooCommerce order, for the orders list column and the order screen box.
CREATE TABLE IF NOT EXISTS order_sync (
    order_id   INTEGER PRIMARY KEY,
    state      TEXT NOT NULL,              -- 'queued', 'synced', 'parked', 'held', 'posted', 'deleted'
    nav_number TEXT,                       -- NAV / BC sales order number once known
    reason     TEXT,                       -- why it is parked or held, in plain words
    updated_at TEXT NOT NULL
);

PRAGMA user_version = 1;
