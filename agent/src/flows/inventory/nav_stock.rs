//! Reading NAV's stock for the formula: whole items from API v2.0 `items` (a total over every
//! location and variant), or from the Item Card page when stock is limited to locations; one
//! variant's stock from the Item Card with `Variant_Filter`. A few items are read by number
//! (20 to a request: `No eq … or No eq …`), many by reading the whole list.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::formula::{Figures, NavKey};
use super::Ctx;
use crate::adapter::bc_api::ledger::{NavItemStock, StockQuery};
use crate::adapter::AdapterResult;
use crate::mapper::CatalogLookup;
use crate::store::catalog::{CatalogItem, CatalogVariant};

/// Item numbers per filtered request: keeps URLs far below server limits (2,048 characters on
/// some gateways — unconfirmed for BC, so the stricter reading).
const ITEMS_PER_REQUEST: usize = 20;
/// Above this many items one pass over the whole list costs fewer requests than filters.
const READ_ALL_ABOVE: usize = 2_000;

/// NAV's item numbers, GTINs and variants, for matching SKUs during a full run — numbers only,
/// so 100,000 items stay small.
#[derive(Default)]
pub struct ItemIndex {
    items: HashSet<String>,
    by_gtin: HashMap<String, String>,
    variants: HashSet<(String, String)>,
    /// Service and non-inventory items: no stock, so never "missing from WooCommerce".
    not_stocked: HashSet<String>,
}

impl ItemIndex {
    fn add(&mut self, item: &NavItemStock) {
        if !item.gtin.is_empty() {
            self.by_gtin.insert(item.gtin.clone(), item.number.clone());
        }
        if !item.kind.is_empty() && item.kind != "Inventory" {
            self.not_stocked.insert(item.number.clone());
        }
        self.items.insert(item.number.clone());
    }

    pub fn add_variants(&mut self, variants: &[CatalogVariant]) {
        self.variants.extend(variants.iter().map(|v| (v.item_number.clone(), v.code.clone())));
    }

    /// Items that carry stock.
    pub fn stocked(&self) -> impl Iterator<Item = &str> {
        self.items.iter().filter(|item| !self.not_stocked.contains(*item)).map(String::as_str)
    }
}

/// Only what matching reads (the number) is filled in.
fn found(number: &str) -> CatalogItem {
    CatalogItem { number: number.to_string(), id: String::new(), gtin: String::new(), display_name: String::new(), blocked: false }
}

impl CatalogLookup for ItemIndex {
    fn item_by_number(&self, number: &str) -> Option<CatalogItem> {
        self.items.contains(number).then(|| found(number))
    }
    fn item_by_gtin(&self, gtin: &str) -> Option<CatalogItem> {
        self.by_gtin.get(gtin).map(|number| found(number))
    }
    fn variant(&self, item_number: &str, code: &str) -> Option<CatalogVariant> {
        self.variants
            .contains(&(item_number.to_string(), code.to_string()))
            .then(|| CatalogVariant { item_number: item_number.into(), code: code.into(), id: String::new() })
    }
}

fn whole_items(page: Vec<NavItemStock>, figures: &mut Figures, only: Option<&HashSet<&str>>) {
    for item in page {
        if only.is_none_or(|only| only.contains(item.number.as_str())) {
            figures.set(item.number, None, item.inventory);
        }
    }
}

/// Every item: the index to match SKUs with, and each item's stock (within the locations). On
/// API v2.0 the item catalog cache is refreshed from the same read.
pub async fn all_items(ctx: &mut Ctx<'_>, index: &mut ItemIndex, figures: &mut Figures) -> AdapterResult<()> {
    let locations = ctx.rt.settings.inventory.locations.clone();
    let (store, dry_run, api) = (ctx.rt.store.clone(), ctx.dry_run, ctx.nav.follows_ledger());
    let rec = ctx.recorder();
    let requests = ctx
        .nav
        .item_stock(&StockQuery::default(), &rec, &mut |page: Vec<NavItemStock>| {
            if api && !dry_run {
                let catalog: Vec<CatalogItem> = page
                    .iter()
                    .map(|i| CatalogItem { number: i.number.clone(), id: i.id.clone(), gtin: i.gtin.clone(), display_name: i.display_name.clone(), blocked: i.blocked })
                    .collect();
                if let Err(error) = store.upsert_items(&catalog) {
                    tracing::warn!(%error, "could not refresh the item catalog");
                }
            }
            page.iter().for_each(|item| index.add(item));
            if locations.is_empty() {
                whole_items(page, figures, None);
            }
        })
        .await?;
    ctx.requests.nav += requests;
    ctx.beat();
    if api {
        let variants = ctx.nav.item_variants(&rec).await?;
        ctx.requests.nav += 1;
        if !dry_run {
            if let Err(error) = ctx.rt.store.upsert_variants(&variants) {
                tracing::warn!(%error, "could not refresh the item variants");
            }
        }
        index.add_variants(&variants);
    }
    if !locations.is_empty() {
        every_item(ctx, figures).await?;
    }
    Ok(())
}

/// Stock of every item (within the locations).
pub async fn every_item(ctx: &mut Ctx<'_>, figures: &mut Figures) -> AdapterResult<()> {
    let locations = ctx.rt.settings.inventory.locations.clone();
    let rec = ctx.recorder();
    let query = StockQuery { locations: &locations, ..Default::default() };
    ctx.requests.nav += ctx.nav.item_stock(&query, &rec, &mut |page| whole_items(page, figures, None)).await?;
    ctx.beat();
    Ok(())
}

/// Stock of whole items (within the locations): by number, or all of them when many are asked.
pub async fn item_figures(ctx: &mut Ctx<'_>, items: &HashSet<&str>, figures: &mut Figures) -> AdapterResult<()> {
    if items.is_empty() {
        return Ok(());
    }
    let locations = ctx.rt.settings.inventory.locations.clone();
    let rec = ctx.recorder();
    if items.len() > READ_ALL_ABOVE {
        let query = StockQuery { locations: &locations, ..Default::default() };
        ctx.requests.nav += ctx.nav.item_stock(&query, &rec, &mut |page| whole_items(page, figures, Some(items))).await?;
        return Ok(());
    }
    let mut sorted: Vec<String> = items.iter().map(|i| i.to_string()).collect();
    sorted.sort();
    for chunk in sorted.chunks(ITEMS_PER_REQUEST) {
        let query = StockQuery { items: Some(chunk), locations: &locations, variant: None };
        ctx.requests.nav += ctx.nav.item_stock(&query, &rec, &mut |page| whole_items(page, figures, None)).await?;
        ctx.beat();
    }
    Ok(())
}

/// Stock of item variants (Item Card with `Variant_Filter`), grouped by variant code.
pub async fn variant_figures(ctx: &mut Ctx<'_>, keys: &HashSet<NavKey<'_>>, figures: &mut Figures) -> AdapterResult<()> {
    let mut by_code: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for key in keys {
        if let Some(variant) = key.variant {
            by_code.entry(variant).or_default().push(key.item.to_string());
        }
    }
    let locations = ctx.rt.settings.inventory.locations.clone();
    let rec = ctx.recorder();
    for (variant, mut items) in by_code {
        items.sort();
        let wanted: HashSet<String> = items.iter().cloned().collect();
        let mut sink = |page: Vec<NavItemStock>| {
            for item in page.into_iter().filter(|i| wanted.contains(&i.number)) {
                figures.set(item.number, Some(variant.to_string()), item.inventory);
            }
        };
        if items.len() > READ_ALL_ABOVE {
            let query = StockQuery { locations: &locations, variant: Some(variant), items: None };
            ctx.requests.nav += ctx.nav.item_stock(&query, &rec, &mut sink).await?;
        } else {
            for chunk in items.chunks(ITEMS_PER_REQUEST) {
                let query = StockQuery { items: Some(chunk), locations: &locations, variant: Some(variant) };
                ctx.requests.nav += ctx.nav.item_stock(&query, &rec, &mut sink).await?;
                ctx.beat();
            }
        }
    }
    Ok(())
}
