//! Named positions of incremental work (last reconciled WooCommerce modification time, item
//! ledger entry number, ...).

use rusqlite::{params, OptionalExtension};

use super::{now_text, Store, StoreResult};

impl Store {
    pub fn cursor(&self, name: &str) -> StoreResult<Option<String>> {
        self.lock()
            .query_row("SELECT value FROM cursors WHERE name = ?1", params![name], |r| r.get(0))
            .optional()
            .map_err(|e| self.err(e))
    }

    pub fn set_cursor(&self, name: &str, value: &str) -> StoreResult<()> {
        self.lock()
            .execute(
                "INSERT INTO cursors (name, value, updated_at) VALUES (?1, ?2, ?3) \
                 ON CONFLICT(name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                params![name, value, now_text()],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }
}
