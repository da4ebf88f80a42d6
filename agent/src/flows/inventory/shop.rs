//! The WooCommerce side of a run: listing the shop (full run), reading what some products hold
//! right now (incremental run, just before writing), and writing the changes in batches with a
//! bounded number of requests in flight. Every answered item is recorded at once, so a run that
//! stops halfway leaves only the unwritten products for the next run.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};

use futures::stream::{self, StreamExt};

use super::formula::{batches, match_product, Change, Owner};
use super::nav_stock::ItemIndex;
use super::{Ctx, FailedItem};
use crate::adapter::woo::stock::{BatchItem, BATCH_LIMIT};
use crate::adapter::woo::Page;
use crate::adapter::{AdapterError, AdapterResult};
use crate::model::woo::{ManageStock, Product};
use crate::store::stock::{Managed, ProductKind, StockProduct};

fn stock_row(product: Product, ctx: &Ctx<'_>, index: &ItemIndex) -> StockProduct {
    let orders = &ctx.rt.settings.orders;
    let kind = ProductKind::parse(&product.kind);
    let key = if product.sku.trim().is_empty() && product.global_unique_id.trim().is_empty() {
        None
    } else {
        match_product(&product.sku, &product.global_unique_id, &orders.sku_match, &orders.variant_separator, index)
    };
    StockProduct {
        woo_id: product.id,
        // Only variations hang under a product here (a grouped product's children stand alone).
        parent_id: if kind == ProductKind::Variation { product.parent_id } else { 0 },
        kind,
        sku: product.sku.trim().to_string(),
        managed: match product.manage_stock {
            ManageStock::Yes => Managed::Yes,
            ManageStock::No => Managed::No,
            ManageStock::Parent => Managed::Parent,
        },
        stock: product.stock_quantity,
        nav_item: key.as_ref().map(|(item, _)| item.clone()),
        nav_variant: key.and_then(|(_, variant)| variant),
        dirty: 0,
    }
}

/// Every product and variation, matched to NAV items with `index`.
pub async fn list(ctx: &mut Ctx<'_>, index: &ItemIndex) -> AdapterResult<Vec<StockProduct>> {
    let woo = ctx.woo;
    let rec = ctx.recorder();
    let first = woo.stock_products_page(1, &rec).await?;
    ctx.requests.woo_reads += 1;
    let mut rows = Vec::with_capacity(first.total as usize);
    let mut variable: Vec<i64> = Vec::new();
    let mut take = |page: Page<Product>, rows: &mut Vec<StockProduct>, ctx: &Ctx<'_>| {
        for product in page.items {
            if product.kind == "variable" && !product.variations.is_empty() {
                variable.push(product.id);
            }
            rows.push(stock_row(product, ctx, index));
        }
    };
    let total_pages = first.total_pages.max(1) as u32;
    take(first, &mut rows, ctx);
    let concurrency = ctx.rt.settings.inventory.concurrency;
    let mut pages = stream::iter(2..=total_pages).map(|n| woo.stock_products_page(n, &rec)).buffer_unordered(concurrency);
    while let Some(page) = pages.next().await {
        ctx.requests.woo_reads += 1;
        take(page?, &mut rows, ctx);
        ctx.beat();
    }
    drop(pages);
    let mut lists = stream::iter(variable).map(|parent| all_variations(woo, parent, &rec)).buffer_unordered(concurrency);
    while let Some(result) = lists.next().await {
        let (variations, requests) = result?;
        ctx.requests.woo_reads += requests;
        rows.extend(variations.into_iter().map(|v| stock_row(v, ctx, index)));
        ctx.beat();
    }
    Ok(rows)
}

async fn all_variations(woo: &crate::adapter::woo::Woo, parent: i64, rec: &crate::adapter::http::Recorder) -> AdapterResult<(Vec<Product>, u32)> {
    let mut all = Vec::new();
    let mut page = 1;
    loop {
        let listed = woo.stock_variations_page(parent, page, rec).await?;
        all.extend(listed.items);
        if page as u64 >= listed.total_pages {
            return Ok((all, page));
        }
        page += 1;
    }
}

/// What WooCommerce holds now for these products (read by SKU, or by id without one).
/// A product missing from the answer is gone from the shop.
pub async fn read_current(ctx: &mut Ctx<'_>, owners: &[&Owner<'_>]) -> AdapterResult<HashMap<i64, Option<i64>>> {
    let rec = ctx.recorder();
    let (by_sku, by_id): (Vec<&&Owner>, Vec<&&Owner>) = owners.iter().partition(|o| !o.row.sku.is_empty() && !o.row.sku.contains(','));
    let mut found: HashMap<i64, Option<i64>> = HashMap::new();
    for chunk in by_sku.chunks(BATCH_LIMIT) {
        let skus: Vec<String> = chunk.iter().map(|o| o.row.sku.clone()).collect();
        let products = ctx.woo.stock_by_sku(&skus, &rec).await?;
        ctx.requests.woo_reads += 1;
        found.extend(products.into_iter().map(|p| (p.id, p.stock_quantity)));
        ctx.beat();
    }
    let (variations, products): (Vec<&&Owner>, Vec<&&Owner>) = by_id.into_iter().partition(|o| o.parent_id() != 0);
    for chunk in products.chunks(BATCH_LIMIT) {
        let ids: Vec<i64> = chunk.iter().map(|o| o.row.woo_id).collect();
        found.extend(ctx.woo.stock_by_id(&ids, &rec).await?.into_iter().map(|p| (p.id, p.stock_quantity)));
        ctx.requests.woo_reads += 1;
    }
    // A variation without a usable SKU: read its product's variations.
    let mut parents: Vec<i64> = variations.iter().map(|o| o.parent_id()).collect();
    parents.sort_unstable();
    parents.dedup();
    for parent in parents {
        let (listed, requests) = all_variations(ctx.woo, parent, &rec).await?;
        ctx.requests.woo_reads += requests;
        found.extend(listed.into_iter().map(|p| (p.id, p.stock_quantity)));
    }
    Ok(owners.iter().filter_map(|o| found.get(&o.row.woo_id).map(|stock| (o.row.woo_id, *stock))).collect())
}

/// What the writes did.
#[derive(Debug, Default)]
pub struct Written {
    pub changes: Vec<Change>,
    pub failed: Vec<FailedItem>,
    /// Changes not sent because the run stopped on an error.
    pub left: usize,
}

/// Writes the changes, `inventory.batch_size` to a request, `inventory.concurrency` requests in
/// flight. A request that fails (5xx, timeout, cut connection) stops the run: requests in flight
/// finish, no new ones start, and the error is returned with what was written so far.
pub async fn write(ctx: &mut Ctx<'_>, changes: Vec<Change>, written: &mut Written) -> Result<(), AdapterError> {
    let rt = ctx.rt;
    let settings = &rt.settings.inventory;
    let stop = AtomicBool::new(false);
    let woo = ctx.woo;
    let stop_ref = &stop;
    let mut answers = stream::iter(batches(changes, settings.batch_size))
        .map(|batch| async move {
            if stop_ref.load(Ordering::SeqCst) {
                return (batch, None);
            }
            let rec = crate::adapter::http::Recorder::default();
            let updates: Vec<(i64, i64)> = batch.changes.iter().map(|c| (c.woo_id, c.new)).collect();
            let result = woo.write_stock(batch.parent, &updates, &rec).await;
            if result.is_err() {
                stop_ref.store(true, Ordering::SeqCst);
            }
            (batch, Some((result, rec)))
        })
        .buffer_unordered(settings.concurrency);
    let mut first_error = None;
    while let Some((batch, answer)) = answers.next().await {
        let Some((result, rec)) = answer else {
            written.left += batch.changes.len();
            continue;
        };
        ctx.requests.woo_writes += 1;
        match result {
            Ok(items) => record(ctx, batch.changes, items, written),
            Err(error) => {
                // The request's outcome may be unknown: its products stay unconfirmed, and the
                // next run reads what WooCommerce holds before writing anything again.
                written.left += batch.changes.len();
                crate::flows::audit_exchanges_for(ctx.rt, None, super::SUBJECT, "write stock", &rec);
                first_error.get_or_insert(error);
            }
        }
        ctx.beat();
    }
    first_error.map_or(Ok(()), Err)
}

fn record(ctx: &Ctx<'_>, changes: Vec<Change>, items: Vec<BatchItem>, written: &mut Written) {
    let by_id: HashMap<i64, BatchItem> = items.into_iter().map(|item| (item.id, item)).collect();
    let mut confirmed = Vec::new();
    for change in changes {
        match by_id.get(&change.woo_id).map(|item| &item.outcome) {
            Some(Ok(stock)) => {
                confirmed.push((change.woo_id, stock.unwrap_or(change.new)));
                written.changes.push(change);
            }
            Some(Err(error)) => {
                if error.is_gone() {
                    ctx.forget(change.woo_id);
                }
                written.failed.push(FailedItem { woo_id: change.woo_id, sku: change.sku, code: error.code.clone(), message: error.message.clone() });
            }
            None => written.failed.push(FailedItem {
                woo_id: change.woo_id,
                sku: change.sku,
                code: "missing".into(),
                message: "the batch answer did not mention this product".into(),
            }),
        }
    }
    ctx.confirm(&confirmed);
}
