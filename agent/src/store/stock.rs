//! What the inventory flow keeps between runs (schema version 2): the WooCommerce side of stock
//! (every product and variation as last listed or written, the NAV item its SKU matched, and
//! whether a run still has to confirm it), NAV's stock and the unshipped web-order quantities as
//! last read, and one record per run — which doubles as the lock that keeps two runs (the daemon's
//! schedule and `sync inventory`) from overlapping.

use std::collections::{HashMap, HashSet};

use rusqlite::{params, OptionalExtension, TransactionBehavior};
use rust_decimal::Decimal;
use serde::Serialize;

use super::{now_millis, now_text, Store, StoreResult};

pub(super) const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS stock_products (
    woo_id       INTEGER PRIMARY KEY,          -- product or variation id
    parent_id    INTEGER NOT NULL DEFAULT 0,   -- a variation's product; 0 for products
    kind         TEXT    NOT NULL,             -- simple | variable | variation | other
    sku          TEXT    NOT NULL DEFAULT '',
    manage_stock TEXT    NOT NULL,             -- yes | no | parent
    stock        INTEGER,                      -- WooCommerce's quantity as last read or written
    nav_item     TEXT,                         -- the NAV item its SKU (or GTIN) matched
    nav_variant  TEXT,                         -- and the item variant, for variation SKUs
    dirty        INTEGER NOT NULL DEFAULT 0,   -- id of a run that has not confirmed its stock yet; 0 = confirmed
    updated_at   TEXT    NOT NULL
);
CREATE INDEX IF NOT EXISTS stock_products_dirty ON stock_products(dirty) WHERE dirty <> 0;

CREATE TABLE IF NOT EXISTS stock_levels (     -- NAV stock as last read ('' variant = the whole item)
    item     TEXT NOT NULL,
    variant  TEXT NOT NULL,
    quantity TEXT NOT NULL,
    PRIMARY KEY (item, variant)
);

CREATE TABLE IF NOT EXISTS stock_pending (    -- unshipped web-order quantities at the last run
    item     TEXT NOT NULL,
    variant  TEXT NOT NULL,
    quantity TEXT NOT NULL,
    PRIMARY KEY (item, variant)
);

CREATE TABLE IF NOT EXISTS stock_runs (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    kind         TEXT    NOT NULL,             -- incremental | full
    state        TEXT    NOT NULL,             -- running | done | failed | interrupted
    pid          INTEGER NOT NULL,
    started_at   TEXT    NOT NULL,
    heartbeat_at INTEGER NOT NULL,             -- unix ms; a running run beats while it works
    finished_at  TEXT,
    resumes      INTEGER,                      -- the failed or interrupted run this one picked up
    summary      TEXT,                         -- JSON counts
    error        TEXT
);
"#;

// Every write transaction here is BEGIN IMMEDIATE: the daemon and `sync inventory` are two
// processes writing one WAL database, and a deferred transaction that reads before it writes
// fails at once (SQLITE_BUSY_SNAPSHOT, no busy wait) when the other one committed meanwhile.

/// A run that has not beaten for this long is taken as dead (killed, machine lost).
const STALE_AFTER_MS: i64 = 120_000;

/// How WooCommerce manages a product's stock.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Managed {
    Yes,
    No,
    /// A variation whose stock is its product's.
    Parent,
}

impl Managed {
    fn as_str(self) -> &'static str {
        match self {
            Managed::Yes => "yes",
            Managed::No => "no",
            Managed::Parent => "parent",
        }
    }

    fn parse(text: &str) -> Managed {
        match text {
            "yes" => Managed::Yes,
            "parent" => Managed::Parent,
            _ => Managed::No,
        }
    }
}

/// What a WooCommerce product is, as far as stock goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProductKind {
    Simple,
    Variable,
    Variation,
    /// Grouped, external and anything a plugin adds: never managing stock.
    Other,
}

impl ProductKind {
    pub fn parse(text: &str) -> ProductKind {
        match text {
            "simple" => ProductKind::Simple,
            "variable" => ProductKind::Variable,
            "variation" => ProductKind::Variation,
            _ => ProductKind::Other,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            ProductKind::Simple => "simple",
            ProductKind::Variable => "variable",
            ProductKind::Variation => "variation",
            ProductKind::Other => "other",
        }
    }
}

/// One WooCommerce product or variation as the inventory flow knows it.
#[derive(Clone, Debug, PartialEq)]
pub struct StockProduct {
    pub woo_id: i64,
    pub parent_id: i64,
    pub kind: ProductKind,
    pub sku: String,
    pub managed: Managed,
    pub stock: Option<i64>,
    /// The NAV item (and variant) the SKU matched.
    pub nav_item: Option<String>,
    pub nav_variant: Option<String>,
    /// The run that still has to confirm this stock (0: confirmed).
    pub dirty: i64,
}

/// Quantities per NAV item and variant code (`""` = no variant / the whole item).
pub type Quantities = HashMap<(String, String), Decimal>;

/// A run record.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StockRun {
    pub id: i64,
    pub kind: String,
    pub state: String,
    pub pid: i64,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub resumes: Option<i64>,
    pub error: Option<String>,
}

/// Why a run could not start.
#[derive(Clone, Debug, PartialEq)]
pub enum RunStart {
    Started { id: i64, resumes: Option<StockRun> },
    /// Another run is working (its heartbeat is fresh and its process alive).
    Busy(StockRun),
}

/// A WooCommerce order NAV has a sales order for: its number and the document the agent sent.
#[derive(Clone, Debug, PartialEq)]
pub struct SentOrder {
    pub nav_number: String,
    pub document: Option<String>,
}

fn decimal(text: &str) -> Decimal {
    text.parse().unwrap_or_default()
}

fn process_alive(pid: i64) -> bool {
    // Linux (the agent's platform) shows live processes under /proc; elsewhere trust the heartbeat.
    !std::path::Path::new("/proc/self").exists() || std::path::Path::new(&format!("/proc/{pid}")).exists()
}

impl Store {
    pub fn stock_products(&self) -> StoreResult<Vec<StockProduct>> {
        let conn = self.lock();
        let mut stmt = conn
            .prepare_cached(
                "SELECT woo_id, parent_id, kind, sku, manage_stock, stock, nav_item, nav_variant, dirty FROM stock_products ORDER BY woo_id",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(StockProduct {
                    woo_id: r.get(0)?,
                    parent_id: r.get(1)?,
                    kind: ProductKind::parse(&r.get::<_, String>(2)?),
                    sku: r.get(3)?,
                    managed: Managed::parse(&r.get::<_, String>(4)?),
                    stock: r.get(5)?,
                    nav_item: r.get(6)?,
                    nav_variant: r.get(7)?,
                    dirty: r.get(8)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// Replaces the WooCommerce side with a complete listing: rows not listed are gone from the
    /// shop; a listed row keeps its `dirty` mark (an unconfirmed write stays unconfirmed).
    pub fn replace_stock_products(&self, listed: &[StockProduct]) -> StoreResult<()> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(|e| self.err(e))?;
        {
            let now = now_text();
            let mut upsert = tx
                .prepare_cached(
                    "INSERT INTO stock_products (woo_id, parent_id, kind, sku, manage_stock, stock, nav_item, nav_variant, updated_at) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT(woo_id) DO UPDATE SET parent_id = excluded.parent_id, \
                     kind = excluded.kind, sku = excluded.sku, manage_stock = excluded.manage_stock, stock = excluded.stock, \
                     nav_item = excluded.nav_item, nav_variant = excluded.nav_variant, updated_at = excluded.updated_at",
                )
                .map_err(|e| self.err(e))?;
            for p in listed {
                upsert
                    .execute(params![p.woo_id, p.parent_id, p.kind.as_str(), p.sku, p.managed.as_str(), p.stock, p.nav_item, p.nav_variant, now])
                    .map_err(|e| self.err(e))?;
            }
            let keep: HashSet<i64> = listed.iter().map(|p| p.woo_id).collect();
            let existing: Vec<i64> = tx
                .prepare_cached("SELECT woo_id FROM stock_products")
                .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
                .map_err(|e| self.err(e))?;
            let mut delete = tx.prepare_cached("DELETE FROM stock_products WHERE woo_id = ?1").map_err(|e| self.err(e))?;
            for id in existing.into_iter().filter(|id| !keep.contains(id)) {
                delete.execute(params![id]).map_err(|e| self.err(e))?;
            }
        }
        tx.commit().map_err(|e| self.err(e))
    }

    /// Marks products as to be confirmed by `run`, and saves the run's starting point (ledger
    /// position, unshipped quantities) in the same transaction: from here on, an interrupted run
    /// leaves exactly these products for the next run to check.
    pub fn plan_stock_run(&self, run: i64, woo_ids: &[i64], cursor: Option<(&str, &str)>, pending: &Quantities) -> StoreResult<()> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(|e| self.err(e))?;
        {
            let mut mark = tx.prepare_cached("UPDATE stock_products SET dirty = ?1 WHERE woo_id = ?2").map_err(|e| self.err(e))?;
            for id in woo_ids {
                mark.execute(params![run, id]).map_err(|e| self.err(e))?;
            }
            if let Some((name, value)) = cursor {
                tx.execute(
                    "INSERT INTO cursors (name, value, updated_at) VALUES (?1, ?2, ?3) \
                     ON CONFLICT(name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                    params![name, value, now_text()],
                )
                .map_err(|e| self.err(e))?;
            }
            tx.execute("DELETE FROM stock_pending", []).map_err(|e| self.err(e))?;
            let mut insert = tx
                .prepare_cached("INSERT INTO stock_pending (item, variant, quantity) VALUES (?1, ?2, ?3)")
                .map_err(|e| self.err(e))?;
            for ((item, variant), quantity) in pending {
                insert.execute(params![item, variant, quantity.normalize().to_string()]).map_err(|e| self.err(e))?;
            }
        }
        tx.commit().map_err(|e| self.err(e))
    }

    /// WooCommerce holds these quantities now (read or written): confirmed, no longer dirty.
    pub fn confirm_stock(&self, confirmed: &[(i64, i64)]) -> StoreResult<()> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(|e| self.err(e))?;
        {
            let now = now_text();
            let mut stmt = tx
                .prepare_cached("UPDATE stock_products SET stock = ?1, dirty = 0, updated_at = ?2 WHERE woo_id = ?3")
                .map_err(|e| self.err(e))?;
            for (id, stock) in confirmed {
                stmt.execute(params![stock, now, id]).map_err(|e| self.err(e))?;
            }
        }
        tx.commit().map_err(|e| self.err(e))
    }

    /// A product WooCommerce no longer has (deleted since the last listing).
    pub fn forget_stock_product(&self, woo_id: i64) -> StoreResult<()> {
        self.lock()
            .execute("DELETE FROM stock_products WHERE woo_id = ?1", params![woo_id])
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    pub fn stock_levels(&self) -> StoreResult<Quantities> {
        self.quantities("SELECT item, variant, quantity FROM stock_levels")
    }

    pub fn stock_pending(&self) -> StoreResult<Quantities> {
        self.quantities("SELECT item, variant, quantity FROM stock_pending")
    }

    fn quantities(&self, sql: &str) -> StoreResult<Quantities> {
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(sql).map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| Ok(((r.get::<_, String>(0)?, r.get::<_, String>(1)?), decimal(&r.get::<_, String>(2)?))))
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// Records NAV stock as read; with `replace_all`, what was not read is forgotten (full run).
    pub fn save_stock_levels(&self, levels: &Quantities, replace_all: bool) -> StoreResult<()> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(|e| self.err(e))?;
        {
            if replace_all {
                tx.execute("DELETE FROM stock_levels", []).map_err(|e| self.err(e))?;
            }
            let mut stmt = tx
                .prepare_cached(
                    "INSERT INTO stock_levels (item, variant, quantity) VALUES (?1, ?2, ?3) \
                     ON CONFLICT(item, variant) DO UPDATE SET quantity = excluded.quantity",
                )
                .map_err(|e| self.err(e))?;
            for ((item, variant), quantity) in levels {
                stmt.execute(params![item, variant, quantity.normalize().to_string()]).map_err(|e| self.err(e))?;
            }
        }
        tx.commit().map_err(|e| self.err(e))
    }

    /// Starts a run unless another one is working. A run left `running` by a process that died
    /// is marked interrupted; the newest failed or interrupted run is the one this run resumes.
    pub fn begin_stock_run(&self, kind: &str) -> StoreResult<RunStart> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(|e| self.err(e))?;
        let running: Option<(StockRun, i64)> = tx
            .query_row(
                &format!("SELECT {RUN_COLUMNS}, heartbeat_at FROM stock_runs WHERE state = 'running' ORDER BY id DESC LIMIT 1"),
                [],
                |r| Ok((run_from_row(r)?, r.get(8)?)),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        if let Some((run, beat)) = running {
            if now_millis() - beat < STALE_AFTER_MS && process_alive(run.pid) {
                return Ok(RunStart::Busy(run));
            }
        }
        tx.execute(
            "UPDATE stock_runs SET state = 'interrupted', finished_at = ?1, error = 'the agent stopped during the run' WHERE state = 'running'",
            params![now_text()],
        )
        .map_err(|e| self.err(e))?;
        let last: Option<StockRun> = tx
            .query_row(&format!("SELECT {RUN_COLUMNS} FROM stock_runs ORDER BY id DESC LIMIT 1"), [], run_from_row)
            .optional()
            .map_err(|e| self.err(e))?;
        let resumes = last.filter(|run| run.state == "failed" || run.state == "interrupted");
        tx.execute(
            "INSERT INTO stock_runs (kind, state, pid, started_at, heartbeat_at, resumes) VALUES (?1, 'running', ?2, ?3, ?4, ?5)",
            params![kind, std::process::id(), now_text(), now_millis(), resumes.as_ref().map(|r| r.id)],
        )
        .map_err(|e| self.err(e))?;
        let id = tx.last_insert_rowid();
        tx.commit().map_err(|e| self.err(e))?;
        Ok(RunStart::Started { id, resumes })
    }

    /// The run is still working (keeps others from taking it as dead).
    pub fn beat_stock_run(&self, id: i64, kind: &str) -> StoreResult<()> {
        self.lock()
            .execute("UPDATE stock_runs SET heartbeat_at = ?1, kind = ?2 WHERE id = ?3", params![now_millis(), kind, id])
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    pub fn finish_stock_run(&self, id: i64, state: &str, summary: &serde_json::Value, error: Option<&str>) -> StoreResult<()> {
        self.lock()
            .execute(
                "UPDATE stock_runs SET state = ?1, finished_at = ?2, summary = ?3, error = ?4 WHERE id = ?5",
                params![state, now_text(), summary.to_string(), error, id],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// The newest run, whatever its state.
    pub fn latest_stock_run(&self) -> StoreResult<Option<StockRun>> {
        self.lock()
            .query_row(&format!("SELECT {RUN_COLUMNS} FROM stock_runs ORDER BY id DESC LIMIT 1"), [], run_from_row)
            .optional()
            .map_err(|e| self.err(e))
    }

    pub fn stock_run(&self, id: i64) -> StoreResult<Option<StockRun>> {
        self.lock()
            .query_row(&format!("SELECT {RUN_COLUMNS} FROM stock_runs WHERE id = ?1"), params![id], run_from_row)
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Snapshots of orders NAV has no sales order number for yet: the newest order event of every
    /// such order with a job still waiting, running, parked or held, or whose create's outcome is
    /// unknown (event JSON).
    pub fn unsent_order_events(&self) -> StoreResult<Vec<String>> {
        let conn = self.lock();
        let mut stmt = conn
            .prepare_cached(
                "SELECT j.event FROM jobs j JOIN (\
                    SELECT subject, MAX(id) AS newest FROM jobs WHERE family = 'order.sync' AND event LIKE '%\"line_items\"%' \
                    AND subject IN (SELECT subject FROM jobs WHERE family = 'order.sync' AND state IN ('pending', 'running', 'parked', 'held') \
                                    UNION SELECT 'order:' || woo_order_id FROM order_links WHERE state = 'creating') \
                    AND subject NOT IN (SELECT 'order:' || woo_order_id FROM order_links WHERE nav_number IS NOT NULL) \
                    GROUP BY subject) n ON j.id = n.newest",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt.query_map([], |r| r.get(0)).map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// Orders NAV received (open, as far as the agent knows) at or after `since`.
    pub fn orders_sent_since(&self, since: &str) -> StoreResult<Vec<SentOrder>> {
        let conn = self.lock();
        let mut stmt = conn
            .prepare_cached(
                "SELECT nav_number, document FROM order_links \
                 WHERE nav_number IS NOT NULL AND state IN ('created', 'held') AND updated_at >= ?1",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![since], |r| Ok(SentOrder { nav_number: r.get(0)?, document: r.get(1)? }))
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// Every NAV sales order number the agent created.
    pub fn sent_order_numbers(&self) -> StoreResult<HashSet<String>> {
        let conn = self.lock();
        let mut stmt = conn.prepare_cached("SELECT nav_number FROM order_links WHERE nav_number IS NOT NULL").map_err(|e| self.err(e))?;
        let rows = stmt.query_map([], |r| r.get(0)).map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// The item and code of an item variant, by its API id (sales order lines name variants by id).
    pub fn variant_by_id(&self, id: &str) -> StoreResult<Option<(String, String)>> {
        self.lock()
            .query_row("SELECT item_number, code FROM item_variants WHERE id = ?1", params![id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()
            .map_err(|e| self.err(e))
    }
}

const RUN_COLUMNS: &str = "id, kind, state, pid, started_at, finished_at, resumes, error";

fn run_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StockRun> {
    Ok(StockRun {
        id: r.get(0)?,
        kind: r.get(1)?,
        state: r.get(2)?,
        pid: r.get(3)?,
        started_at: r.get(4)?,
        finished_at: r.get(5)?,
        resumes: r.get(6)?,
        error: r.get(7)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn product(id: i64, stock: i64) -> StockProduct {
        StockProduct {
            woo_id: id,
            parent_id: 0,
            kind: ProductKind::Simple,
            sku: format!("SKU-{id}"),
            managed: Managed::Yes,
            stock: Some(stock),
            nav_item: Some(format!("SKU-{id}")),
            nav_variant: None,
            dirty: 0,
        }
    }

    #[test]
    fn a_listing_replaces_the_shop_side_and_keeps_unconfirmed_marks() {
        let store = Store::in_memory().unwrap();
        store.replace_stock_products(&[product(1, 5), product(2, 6)]).unwrap();
        store.plan_stock_run(7, &[2], Some(("inventory.ledger", "{}")), &Quantities::new()).unwrap();
        store.replace_stock_products(&[product(2, 9), product(3, 1)]).unwrap();
        let rows = store.stock_products().unwrap();
        assert_eq!(rows.iter().map(|r| (r.woo_id, r.stock, r.dirty)).collect::<Vec<_>>(), vec![(2, Some(9), 7), (3, Some(1), 0)]);
        store.confirm_stock(&[(2, 4)]).unwrap();
        assert_eq!(store.stock_products().unwrap()[0].dirty, 0);
        assert_eq!(store.cursor("inventory.ledger").unwrap().as_deref(), Some("{}"));
    }

    #[test]
    fn a_second_run_waits_for_a_live_one_and_resumes_a_dead_one() {
        let store = Store::in_memory().unwrap();
        let RunStart::Started { id: first, resumes: None } = store.begin_stock_run("full").unwrap() else { panic!() };
        assert!(matches!(store.begin_stock_run("incremental").unwrap(), RunStart::Busy(run) if run.id == first));
        // The first run's process dies: its heartbeat goes stale.
        store.lock().execute("UPDATE stock_runs SET heartbeat_at = 0", []).unwrap();
        let RunStart::Started { id: second, resumes: Some(resumed) } = store.begin_stock_run("incremental").unwrap() else { panic!() };
        assert_eq!((resumed.id, resumed.kind.as_str(), resumed.state.as_str()), (first, "full", "interrupted"));
        store.finish_stock_run(second, "done", &serde_json::json!({}), None).unwrap();
        assert!(matches!(store.begin_stock_run("incremental").unwrap(), RunStart::Started { resumes: None, .. }));
    }

    #[test]
    fn quantities_round_trip_as_decimals() {
        let store = Store::in_memory().unwrap();
        let mut levels = Quantities::new();
        levels.insert(("TSHIRT".into(), "M".into()), "15.5".parse().unwrap());
        store.save_stock_levels(&levels, true).unwrap();
        assert_eq!(store.stock_levels().unwrap(), levels);
    }
}
