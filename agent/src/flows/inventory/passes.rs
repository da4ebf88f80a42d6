//! The two kinds of run, step by step.
//!
//! Full: NAV's ledger position, NAV's open web orders, every item's stock, the whole shop, every
//! variant position in use, then the orders not in NAV yet; every stock-managing product is
//! compared with what the listing showed.
//!
//! Incremental: the products to look at are those whose NAV items moved (item ledger entries
//! after the stored position, re-reading a window below it; on legacy pages, Item Card stock that
//! differs from the last values), whose unshipped web-order quantities changed, and those an
//! earlier run left unconfirmed. Only their NAV stock is read, and what WooCommerce holds is read
//! again just before anything is written.
//!
//! Both mark the products they will settle before writing (with the new ledger position, in one
//! transaction), and clear each mark once WooCommerce is known to hold the value.

use std::collections::{HashMap, HashSet};

use super::formula::{change, diff, owners, target, Change, Coverage, Figures, LedgerCursor, Matched, NavKey, Owner, Pending};
use super::nav_stock::{self, ItemIndex};
use super::pending::{self, Known, OpenOrders};
use super::shop::{self, Written};
use super::{Ctx, Named, PassError, RunReport, LEDGER_CURSOR};
use crate::store::stock::{Quantities, StockProduct};

/// SKU → row, to give order lines their NAV position as the shop was listed.
fn by_sku(rows: &[StockProduct]) -> HashMap<&str, &StockProduct> {
    rows.iter().filter(|r| !r.sku.is_empty()).map(|r| (r.sku.as_str(), r)).collect()
}

fn position(row: &StockProduct) -> Option<Matched> {
    row.nav_item.clone().map(|item| (item, row.nav_variant.clone()))
}

fn named(mut all: Vec<String>) -> Named {
    all.sort();
    Named { count: all.len(), first: all.into_iter().take(20).collect() }
}

fn cover(report: &mut RunReport, coverage: &Coverage<'_>) {
    report.unknown_in_nav = named(coverage.unmatched.clone());
    report.not_managed = coverage.not_managed;
    report.without_sku = coverage.without_sku;
}

async fn open_orders(ctx: &mut Ctx<'_>) -> Result<OpenOrders, PassError> {
    let rec = ctx.recorder();
    let (open, requests) = pending::read_open_orders(ctx.rt, ctx.nav, &rec).await?;
    ctx.requests.nav += requests;
    Ok(open)
}

pub async fn full(ctx: &mut Ctx<'_>, report: &mut RunReport) -> Result<(), PassError> {
    let rec = ctx.recorder();
    // The ledger position comes first: whatever is posted while stock is read is read again.
    let ledger = ctx.nav.last_ledger_entry(&rec).await?.map(|high| LedgerCursor { high, holes: Vec::new() });
    ctx.requests.nav += u32::from(ledger.is_some());
    let open = open_orders(ctx).await?;
    let mut index = ItemIndex::default();
    let mut figures = Figures::default();
    nav_stock::all_items(ctx, &mut index, &mut figures).await?;
    let rows = shop::list(ctx, &index).await?;
    if !ctx.dry_run {
        ctx.rt.store.replace_stock_products(&rows)?;
    }
    let coverage = owners(&rows);
    cover(report, &coverage);
    report.not_in_woo = named(index.stocked().filter(|item| !coverage.matched_items.contains(item)).map(String::from).collect());
    drop(index);
    let variants: HashSet<NavKey> = coverage.owners.iter().flat_map(|o| o.keys.iter().copied()).filter(|k| k.variant.is_some()).collect();
    nav_stock::variant_figures(ctx, &variants, &mut figures).await?;
    let skus = by_sku(&rows);
    let known = |sku: &str| skus.get(sku).and_then(|row| position(row));
    let (pending, held) = pending::collect(ctx.rt, &open, &known)?;
    report.orders = held;
    let ids: Vec<i64> = coverage.owners.iter().map(|o| o.row.woo_id).collect();
    let cursor = ledger.map(|l| serde_json::to_string(&l).unwrap_or_default());
    ctx.plan(&ids, cursor.as_deref(), &pending)?;
    drop(ids);
    let candidates: Vec<&Owner> = coverage.owners.iter().collect();
    settle(ctx, report, &candidates, &figures, &pending, Verify::No).await?;
    recheck(ctx, report, &coverage.owners, &figures, (&open, &known), &pending).await?;
    if !ctx.dry_run {
        ctx.rt.store.save_stock_levels(&figures.quantities(), true)?;
    }
    Ok(())
}

pub async fn incremental(ctx: &mut Ctx<'_>, report: &mut RunReport, rows: Vec<StockProduct>) -> Result<(), PassError> {
    let coverage = owners(&rows);
    cover(report, &coverage);
    let store = ctx.rt.store.clone();
    let rec = ctx.recorder();
    // 1. What moved in NAV.
    let mut moved: HashSet<String> = HashSet::new();
    let mut next_ledger = None;
    if ctx.nav.follows_ledger() {
        let cursor: LedgerCursor = store.cursor(LEDGER_CURSOR)?.and_then(|c| serde_json::from_str(&c).ok()).unwrap_or_default();
        let mut entries = Vec::new();
        ctx.requests.nav +=
            ctx.nav.ledger_entries_after(cursor.read_after(), &rec, &mut |page| entries.extend(page.into_iter().map(|e| (e.entry_number, e.item_number)))).await?;
        let (items, next) = cursor.follow(&entries);
        moved = items;
        next_ledger = Some(next);
    }
    // 2. Orders NAV has not shipped — before any NAV stock is read (see pending.rs).
    let open = open_orders(ctx).await?;
    // 3. Legacy pages: the Item Card of every item, against the last values.
    let mut figures = Figures::default();
    let mut changed_levels = Quantities::new();
    if !ctx.nav.follows_ledger() {
        nav_stock::every_item(ctx, &mut figures).await?;
        let last = store.stock_levels()?;
        for (item, quantity) in figures.items() {
            if last.get(&(item.clone(), String::new())) != Some(quantity) {
                moved.insert(item.clone());
                changed_levels.insert((item.clone(), String::new()), *quantity);
            }
        }
    }
    report.not_in_woo = named(moved.iter().filter(|item| !coverage.matched_items.contains(item.as_str())).cloned().collect());
    // 4. Unshipped web-order quantities, and where they changed since the last run.
    let skus = by_sku(&rows);
    let known = |sku: &str| skus.get(sku).and_then(|row| position(row));
    let (pending, held) = pending::collect(ctx.rt, &open, &known)?;
    report.orders = held;
    let ordered = pending.changed_items(&store.stock_pending()?);
    let touched: HashSet<String> = moved.union(&ordered).cloned().collect();
    let candidates: Vec<&Owner> = coverage.owners.iter().filter(|o| o.row.dirty != 0 || o.keys.iter().any(|k| touched.contains(k.item))).collect();
    let ids: Vec<i64> = candidates.iter().map(|o| o.row.woo_id).collect();
    let cursor = next_ledger.map(|l| serde_json::to_string(&l).unwrap_or_default());
    ctx.plan(&ids, cursor.as_deref(), &pending)?;
    // 5. NAV stock of the positions those products hold.
    let keys: HashSet<NavKey> = candidates.iter().flat_map(|o| o.keys.iter().copied()).collect();
    let items: HashSet<&str> = keys.iter().filter(|k| k.variant.is_none() && figures.get(**k).is_none()).map(|k| k.item).collect();
    nav_stock::item_figures(ctx, &items, &mut figures).await?;
    nav_stock::variant_figures(ctx, &keys, &mut figures).await?;
    // WooCommerce lowered (or restored) its own stock for the web orders that moved: the value
    // the last run wrote is no longer what it holds. A receipt of the same quantity leaves the
    // target equal to that stale value, so those runs read what WooCommerce holds for every
    // candidate instead of trusting it (found by the fault matrix, docs/fault-matrix.md).
    let verify = if ordered.is_empty() { Verify::Changes } else { Verify::All };
    settle(ctx, report, &candidates, &figures, &pending, verify).await?;
    recheck(ctx, report, &coverage.owners, &figures, (&open, &known), &pending).await?;
    if !ctx.dry_run {
        figures.keep_items(&items);
        let mut read = figures.quantities();
        read.extend(changed_levels);
        store.save_stock_levels(&read, false)?;
    }
    Ok(())
}

/// When to read what WooCommerce holds before writing.
#[derive(Clone, Copy, PartialEq)]
enum Verify {
    /// Never: the values come from a listing made during this run.
    No,
    /// For every product about to change, and for those an earlier run left unconfirmed.
    Changes,
    /// For every product.
    All,
}

/// A sale while the run wrote: WooCommerce lowered its stock itself, and the absolute write may
/// have put it back. Written products whose unshipped quantities changed meanwhile are settled
/// once more at once, reading what WooCommerce holds first — leaving only the milliseconds
/// between that read and the write (an absolute write cannot do better; docs/inventory.md).
async fn recheck(
    ctx: &mut Ctx<'_>,
    report: &mut RunReport,
    owners: &[Owner<'_>],
    figures: &Figures,
    (open, known): (&OpenOrders, Known<'_>),
    before: &Pending,
) -> Result<(), PassError> {
    if ctx.dry_run || report.changes.is_empty() {
        return Ok(());
    }
    let (after, _) = pending::collect(ctx.rt, open, known)?;
    let moved = after.changed_items(before.lines());
    if moved.is_empty() {
        return Ok(());
    }
    let written: HashSet<i64> = report.changes.iter().map(|c| c.woo_id).collect();
    let again: Vec<&Owner> = owners.iter().filter(|o| written.contains(&o.row.woo_id) && o.keys.iter().any(|k| moved.contains(k.item))).collect();
    tracing::info!(products = again.len(), "web orders arrived while stock was written; checking those products again");
    settle(ctx, report, &again, figures, &after, Verify::All).await
}

/// Targets for the candidates, the diff, and the writes; adds to the report.
async fn settle(ctx: &mut Ctx<'_>, report: &mut RunReport, candidates: &[&Owner<'_>], figures: &Figures, pending: &Pending, verify: Verify) -> Result<(), PassError> {
    let mut confirmed = Vec::new();
    let mut to_check: Vec<(&Owner, Change)> = Vec::new();
    let mut changes = Vec::new();
    for owner in candidates {
        let Some(target) = target(&owner.keys, figures, pending) else {
            // NAV has no such item (any more): nothing to write; the next full run re-matches.
            report.no_nav_stock.push(owner.row.sku.clone());
            confirmed.extend(owner.row.stock.map(|s| (owner.row.woo_id, s)));
            continue;
        };
        report.checked += 1;
        match diff(owner, &target) {
            None if verify == Verify::No || (verify == Verify::Changes && owner.row.dirty == 0) => confirmed.push((owner.row.woo_id, target.quantity)),
            Some(change) if verify == Verify::No => changes.push(change),
            found => {
                let change = found.unwrap_or_else(|| change(owner, owner.row.stock, &target));
                to_check.push((owner, change));
            }
        }
    }
    if !to_check.is_empty() {
        let owners: Vec<&Owner> = to_check.iter().map(|(o, _)| *o).collect();
        let now = shop::read_current(ctx, &owners).await?;
        for (owner, mut change) in to_check {
            match now.get(&owner.row.woo_id) {
                None => {
                    report.no_nav_stock.push(format!("{} (gone from WooCommerce)", owner.row.sku));
                    ctx.forget(owner.row.woo_id);
                }
                Some(stock) if *stock == Some(change.new) => confirmed.push((owner.row.woo_id, change.new)),
                Some(stock) => {
                    change.old = *stock;
                    changes.push(change);
                }
            }
        }
    }
    report.unchanged += confirmed.len();
    if ctx.dry_run {
        report.changes.extend(changes);
        return Ok(());
    }
    ctx.confirm(&confirmed);
    drop(confirmed);
    let mut written = Written::default();
    let result = shop::write(ctx, changes, &mut written).await;
    report.changes.extend(written.changes);
    report.failed.extend(written.failed);
    report.left += written.left;
    result.map_err(PassError::from)
}
