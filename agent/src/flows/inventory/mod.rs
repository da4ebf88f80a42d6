//! Inventory: NAV stock → WooCommerce stock, incremental and batched, on the shop's schedule
//! (docs/inventory.md). A run computes, for every WooCommerce product that manages stock,
//! NAV stock − what web orders NAV has not shipped hold, and writes only values WooCommerce does
//! not hold — products through `products/batch`, variations through their product's
//! `variations/batch`, at most 100 to a request, a bounded number in flight.
//!
//! A run is a record in the store (`stock_runs`) that also keeps two runs from overlapping. The
//! products a run will settle are marked before anything is written and unmarked as WooCommerce
//! confirms each value, so a run cut short (a WooCommerce 5xx, the agent killed) leaves exactly the
//! unconfirmed products; the next run — a schedule's or `sync inventory` — takes them up again with
//! fresh numbers and reads what WooCommerce holds before writing. Why that never writes twice nor
//! writes a stale value: see `docs/inventory.md`, "Interrupted runs".

mod formula;
mod nav_stock;
pub mod notifications;
mod passes;
mod pending;
pub mod schedule;
mod shop;
pub mod subscriptions;

use std::time::Instant;

use serde::{Serialize, Serializer};

pub use formula::Change;
pub use pending::HeldBy;

use crate::adapter::http::Recorder;
use crate::adapter::nav::Nav;
use crate::adapter::woo::Woo;
use crate::adapter::AdapterError;
use crate::runtime::Runtime;
use crate::store::audit::AuditRecord;
use crate::store::stock::{RunStart, StockRun};
use crate::store::StoreError;

/// Audit subject of inventory runs.
pub const SUBJECT: &str = "inventory";
const LEDGER_CURSOR: &str = "inventory.ledger";
/// What stored NAV stock and the ledger position are relative to (deployment kind and
/// locations): when it changes, the next run is a full one.
const BASIS_CURSOR: &str = "inventory.basis";
/// How often a working run tells the store it is alive.
const BEAT_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RunKind {
    Incremental,
    Full,
}

impl RunKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RunKind::Incremental => "incremental",
            RunKind::Full => "full",
        }
    }
}

/// What to run.
#[derive(Clone, Copy, Debug, Default)]
pub struct RunRequest {
    pub full: bool,
    /// Read everything, change nothing (no writes, no stored state), report what would change.
    pub dry_run: bool,
    /// Take up this failed or interrupted run again (as a full run if it was one).
    pub replay: Option<i64>,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Requests {
    pub nav: u32,
    pub woo_reads: u32,
    pub woo_writes: u32,
}

/// A count with the first few names (a run reports each kind of problem once, not per item).
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct Named {
    pub count: usize,
    pub first: Vec<String>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct FailedItem {
    pub woo_id: i64,
    pub sku: String,
    pub code: String,
    pub message: String,
}

/// What a run did (or, dry, would do).
#[derive(Clone, Debug, Serialize)]
pub struct RunReport {
    pub run: Option<i64>,
    pub kind: RunKind,
    pub dry_run: bool,
    /// The failed or interrupted run this one took up.
    pub resumed: Option<i64>,
    /// `done`, `failed` or `dry-run`.
    pub state: &'static str,
    pub error: Option<String>,
    /// Products whose stock was computed.
    pub checked: usize,
    /// Written (dry run: would be written), with old → new.
    pub changes: Vec<Change>,
    pub unchanged: usize,
    /// Items WooCommerce refused in a batch answered 200.
    pub failed: Vec<FailedItem>,
    /// Changes not sent because the run stopped on an error (the next run takes them up).
    pub left: usize,
    /// WooCommerce SKUs no NAV item matches (their stock is never written).
    pub unknown_in_nav: Named,
    /// NAV items no WooCommerce product or variation matches (full run: all; incremental: those that moved).
    pub not_in_woo: Named,
    /// Products matched to a NAV item NAV no longer shows.
    #[serde(serialize_with = "as_named")]
    pub no_nav_stock: Vec<String>,
    pub not_managed: usize,
    pub without_sku: usize,
    pub orders: HeldBy,
    pub requests: Requests,
    pub millis: u64,
}

fn as_named<S: Serializer>(names: &[String], serializer: S) -> Result<S::Ok, S::Error> {
    Named { count: names.len(), first: names.iter().take(20).cloned().collect() }.serialize(serializer)
}

#[derive(Debug, thiserror::Error)]
pub enum InventoryError {
    #[error("{0}")]
    NotConfigured(String),
    #[error("inventory run {} is still working (started {}, process {}); try again when it has finished", .0.id, .0.started_at, .0.pid)]
    Busy(StockRun),
    #[error("run {0} cannot be replayed: {1}")]
    NotReplayable(i64, String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Why a run stopped halfway.
#[derive(Debug, thiserror::Error)]
pub(crate) enum PassError {
    #[error(transparent)]
    Adapter(#[from] AdapterError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What the steps of one run share.
pub(crate) struct Ctx<'a> {
    rt: &'a Runtime,
    nav: &'a Nav,
    woo: &'a Woo,
    run: Option<i64>,
    kind: RunKind,
    dry_run: bool,
    requests: Requests,
    last_beat: Instant,
}

impl Ctx<'_> {
    /// Reads are not recorded (100,000-product listings do not belong in the audit trail); a
    /// failed write's exchange is.
    fn recorder(&self) -> Recorder {
        Recorder::default()
    }

    fn beat(&mut self) {
        let Some(run) = self.run else { return };
        if self.last_beat.elapsed() >= BEAT_EVERY {
            self.last_beat = Instant::now();
            if let Err(error) = self.rt.store.beat_stock_run(run, self.kind.as_str()) {
                tracing::warn!(%error, run, "could not record that the inventory run is alive");
            }
        }
    }

    /// Marks the products this run settles, with the ledger position and unshipped quantities.
    fn plan(&mut self, woo_ids: &[i64], ledger: Option<&str>, pending: &formula::Pending) -> Result<(), StoreError> {
        match self.run {
            Some(run) if !self.dry_run => self.rt.store.plan_stock_run(run, woo_ids, ledger.map(|l| (LEDGER_CURSOR, l)), pending.lines()),
            _ => Ok(()),
        }
    }

    fn confirm(&self, confirmed: &[(i64, i64)]) {
        if self.dry_run || confirmed.is_empty() {
            return;
        }
        if let Err(error) = self.rt.store.confirm_stock(confirmed) {
            tracing::error!(%error, "could not record confirmed stock; the next run checks those products again");
        }
    }

    fn forget(&self, woo_id: i64) {
        if !self.dry_run {
            if let Err(error) = self.rt.store.forget_stock_product(woo_id) {
                tracing::warn!(%error, woo_id, "could not forget a product WooCommerce no longer has");
            }
        }
    }
}

fn basis(rt: &Runtime, nav: &Nav) -> String {
    format!("{}|{}", if nav.follows_ledger() { "ledger" } else { "pages" }, rt.settings.inventory.locations.join(","))
}

/// Runs one inventory sync now. `Err` when it could not start (not configured, another run
/// working, nothing to replay); a run that stopped halfway is `Ok` with `state: "failed"` and
/// the error, after what it did is recorded.
pub async fn run(rt: &Runtime, request: RunRequest) -> Result<RunReport, InventoryError> {
    let (Some(nav), Some(woo)) = (&rt.nav, &rt.woo) else {
        return Err(InventoryError::NotConfigured(rt.nav_problem.clone().or_else(|| rt.woo_problem.clone()).unwrap_or_default()));
    };
    let started = Instant::now();
    let mut kind = if request.full { RunKind::Full } else { RunKind::Incremental };
    if let Some(id) = request.replay {
        let prior = rt.store.stock_run(id)?.ok_or_else(|| InventoryError::NotReplayable(id, "there is no such run".into()))?;
        if prior.state != "failed" && prior.state != "interrupted" {
            return Err(InventoryError::NotReplayable(id, format!("it is {}, not failed or interrupted", prior.state)));
        }
        if prior.kind == "full" {
            kind = RunKind::Full;
        }
    }
    let rows = rt.store.stock_products()?;
    let basis = basis(rt, nav);
    let ledger_known = !nav.follows_ledger() || rt.store.cursor(LEDGER_CURSOR)?.is_some();
    if rows.is_empty() || !ledger_known || rt.store.cursor(BASIS_CURSOR)?.as_deref() != Some(basis.as_str()) {
        kind = RunKind::Full;
    }
    let (run, resumed) = if request.dry_run {
        (None, None)
    } else {
        match rt.store.begin_stock_run(kind.as_str())? {
            RunStart::Busy(other) => return Err(InventoryError::Busy(other)),
            RunStart::Started { id, resumes } => (Some(id), resumes),
        }
    };
    // A cut-short full run is taken up as a full run: its listing may not have been stored.
    if resumed.as_ref().is_some_and(|r| r.kind == "full") {
        kind = RunKind::Full;
        if let Some(run) = run {
            rt.store.beat_stock_run(run, kind.as_str())?;
        }
    }
    let mut report = RunReport {
        run,
        kind,
        dry_run: request.dry_run,
        resumed: resumed.as_ref().map(|r| r.id),
        state: "done",
        error: None,
        checked: 0,
        changes: Vec::new(),
        unchanged: 0,
        failed: Vec::new(),
        left: 0,
        unknown_in_nav: Named::default(),
        not_in_woo: Named::default(),
        no_nav_stock: Vec::new(),
        not_managed: 0,
        without_sku: 0,
        orders: HeldBy::default(),
        requests: Requests::default(),
        millis: 0,
    };
    let mut ctx = Ctx { rt, nav, woo, run, kind, dry_run: request.dry_run, requests: Requests::default(), last_beat: Instant::now() };
    let result = match kind {
        RunKind::Full => {
            drop(rows);
            passes::full(&mut ctx, &mut report).await
        }
        RunKind::Incremental => passes::incremental(&mut ctx, &mut report, rows).await,
    };
    if result.is_ok() && kind == RunKind::Full && !request.dry_run {
        rt.store.set_cursor(BASIS_CURSOR, &basis)?;
    }
    report.requests = ctx.requests;
    report.millis = started.elapsed().as_millis() as u64;
    report.state = if request.dry_run { "dry-run" } else { "done" };
    if let Err(error) = result {
        report.state = "failed";
        report.error = Some(error.to_string());
    }
    if let Some(run) = run {
        let summary = serde_json::json!({
            "checked": report.checked, "changed": report.changes.len(), "unchanged": report.unchanged,
            "failed": report.failed.len(), "left": report.left, "requests": report.requests,
        });
        rt.store.finish_stock_run(run, report.state, &summary, report.error.as_deref())?;
        audit(rt, &mut report);
    }
    log(&report);
    Ok(report)
}

/// One audit entry per run: counts, every change as `[sku, old, new]` (compact: a full run can
/// change 100,000 products), what failed and what is missing on either side.
fn audit(rt: &Runtime, report: &mut RunReport) {
    let changes = std::mem::take(&mut report.changes);
    let mut detail = serde_json::to_value(&*report).unwrap_or_default();
    detail["changes"] = serde_json::Value::Array(changes.iter().map(|c| serde_json::json!([c.sku, c.old, c.new])).collect());
    report.changes = changes;
    let action = format!("{} inventory run", report.kind.as_str());
    let record = AuditRecord {
        job_id: None,
        subject: SUBJECT,
        action: &action,
        system: "agent",
        method: None,
        status: None,
        millis: Some(report.millis),
        outcome: if report.error.is_some() { "failed" } else { "ok" },
        detail,
    };
    if let Err(error) = rt.store.append_audit(&rt.keyring, record) {
        tracing::error!(%error, "could not write the inventory run to the audit trail");
    }
}

/// One line per run, and one per kind of problem — never one per product.
fn log(report: &RunReport) {
    let run = report.run.map(|r| r.to_string()).unwrap_or_else(|| "(dry)".into());
    match &report.error {
        None => tracing::info!(run, kind = report.kind.as_str(), checked = report.checked, changed = report.changes.len(),
            failed = report.failed.len(), millis = report.millis, "inventory run finished"),
        Some(error) => tracing::warn!(run, kind = report.kind.as_str(), changed = report.changes.len(), left = report.left,
            "inventory run stopped: {error}; the next run takes up what is left"),
    }
    if report.unknown_in_nav.count > 0 {
        tracing::warn!(count = report.unknown_in_nav.count, first = ?report.unknown_in_nav.first, "WooCommerce SKUs without a NAV item: their stock is not written");
    }
    if report.not_in_woo.count > 0 {
        tracing::info!(count = report.not_in_woo.count, first = ?report.not_in_woo.first, "NAV items without a WooCommerce product");
    }
    if !report.failed.is_empty() {
        tracing::warn!(count = report.failed.len(), first = ?report.failed.first(), "WooCommerce refused some stock updates");
    }
}
