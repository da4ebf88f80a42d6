//! The pure part of the inventory flow — no I/O, unit-tested here:
//!
//! * which WooCommerce product holds which stock (`owners`): a product or variation that manages
//!   its stock, or a variable product managing it for its variations (`manage_stock: "parent"`);
//! * the formula: stock written = NAV stock (of the matched item, or item variant, within the
//!   configured locations) − what WooCommerce orders NAV has not shipped yet hold, rounded down;
//! * the diff against what WooCommerce holds, and the batches the writes go in;
//! * following the item ledger with a re-read window (entry numbers can become visible late).

use std::collections::{BTreeMap, HashMap, HashSet};

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::config::SkuMatch;
use crate::mapper::CatalogLookup;
use crate::model::nav::code;
use crate::store::stock::{Managed, ProductKind, Quantities, StockProduct};

/// A NAV stock position: a whole item (`variant: None`, every variant counted) or one variant.
/// Borrowed from the product rows: 100,000 products are not copied to compute their stock.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct NavKey<'a> {
    pub item: &'a str,
    pub variant: Option<&'a str>,
}

/// An owned match: the NAV item (and variant) a SKU stands for.
pub type Matched = (String, Option<String>);

/// The NAV item (and variant) a WooCommerce SKU stands for, tried in the order the settings give
/// (`orders.sku_match`) — the same matching the order flow uses, so stock comes from the item an
/// order line would go to. Blocked items still count: stock is stock.
pub fn match_product(sku: &str, gtin: &str, strategies: &[SkuMatch], separator: &str, catalog: &dyn CatalogLookup) -> Option<Matched> {
    let sku = sku.trim();
    for strategy in strategies {
        let found = match strategy {
            SkuMatch::Sku => item_number(sku, catalog).map(|item| (item, None)),
            SkuMatch::Variant if !separator.is_empty() => sku.rsplit_once(separator).and_then(|(item, variant)| {
                let item = item_number(item, catalog)?;
                let variant = code(variant);
                (!variant.is_empty() && variant.chars().count() <= 10)
                    .then(|| catalog.variant(&item, &variant))
                    .flatten()
                    .map(|v| (item, Some(v.code)))
            }),
            SkuMatch::Variant => None,
            SkuMatch::Gtin => {
                let candidate = if gtin.trim().is_empty() { sku } else { gtin.trim() };
                catalog.item_by_gtin(candidate).map(|item| (item.number, None))
            }
        };
        if found.is_some() {
            return found;
        }
    }
    None
}

fn item_number(text: &str, catalog: &dyn CatalogLookup) -> Option<String> {
    let number = code(text);
    if number.is_empty() || number.chars().count() > 20 {
        return None;
    }
    catalog.item_by_number(&number).map(|item| item.number)
}

/// A WooCommerce product whose quantity the flow writes.
#[derive(Clone, Debug, PartialEq)]
pub struct Owner<'a> {
    pub row: &'a StockProduct,
    /// NAV positions summed into its stock.
    pub keys: Vec<NavKey<'a>>,
}

impl Owner<'_> {
    /// The variation's product (written through its variations batch); 0 for products.
    pub fn parent_id(&self) -> i64 {
        if self.row.kind == ProductKind::Variation {
            self.row.parent_id
        } else {
            0
        }
    }
}

/// The WooCommerce side sorted out.
#[derive(Debug, Default)]
pub struct Coverage<'a> {
    pub owners: Vec<Owner<'a>>,
    /// SKUs no NAV item matches (a variable product whose variations match is not counted).
    pub unmatched: Vec<String>,
    /// Stock-managing products without a SKU (nothing to match them by).
    pub without_sku: usize,
    /// Products and variations whose stock nobody manages (never written).
    pub not_managed: usize,
    /// NAV items some product or variation matched.
    pub matched_items: HashSet<&'a str>,
}

fn own_key(row: &StockProduct) -> Option<NavKey<'_>> {
    row.nav_item.as_deref().map(|item| NavKey { item, variant: row.nav_variant.as_deref() })
}

/// A whole item subsumes its variants (summing both would count them twice).
fn normalize(mut keys: Vec<NavKey<'_>>) -> Vec<NavKey<'_>> {
    keys.sort();
    keys.dedup();
    let whole: HashSet<&str> = keys.iter().filter(|k| k.variant.is_none()).map(|k| k.item).collect();
    keys.retain(|k| k.variant.is_none() || !whole.contains(k.item));
    keys
}

/// Which products hold stock and from which NAV positions. A variable product managing stock for
/// its variations takes its own SKU's item, or else what its variations' SKUs match.
pub fn owners(rows: &[StockProduct]) -> Coverage<'_> {
    let mut children: HashMap<i64, Vec<&StockProduct>> = HashMap::new();
    for row in rows.iter().filter(|r| r.kind == ProductKind::Variation) {
        children.entry(row.parent_id).or_default().push(row);
    }
    let mut coverage = Coverage::default();
    for row in rows {
        let own = own_key(row);
        if let Some(key) = own {
            coverage.matched_items.insert(key.item);
        }
        let variations = children.get(&row.woo_id).map(Vec::as_slice).unwrap_or_default();
        // A variable product whose variations match is not missing from NAV, even if its own SKU is not an item.
        let covered = row.kind == ProductKind::Variable && variations.iter().any(|v| v.nav_item.is_some());
        if own.is_none() && !row.sku.trim().is_empty() && !covered {
            coverage.unmatched.push(row.sku.clone());
        }
        match row.managed {
            Managed::Yes if row.kind != ProductKind::Other => {
                let keys: Vec<NavKey<'_>> = match own {
                    Some(key) => vec![key],
                    None if row.kind == ProductKind::Variable => {
                        variations.iter().filter(|v| v.managed == Managed::Parent).filter_map(|v| own_key(v)).collect()
                    }
                    None => Vec::new(),
                };
                if !keys.is_empty() {
                    coverage.owners.push(Owner { row, keys: normalize(keys) });
                } else if row.sku.trim().is_empty() {
                    coverage.without_sku += 1;
                }
            }
            Managed::Parent => {}
            _ if row.kind != ProductKind::Variable => coverage.not_managed += 1,
            _ => {}
        }
    }
    coverage.unmatched.sort();
    coverage
}

/// NAV stock as read: whole items and item variants.
#[derive(Debug, Default)]
pub struct Figures {
    items: HashMap<String, Decimal>,
    variants: HashMap<(String, String), Decimal>,
}

impl Figures {
    pub fn set(&mut self, item: String, variant: Option<String>, quantity: Decimal) {
        match variant {
            None => self.items.insert(item, quantity),
            Some(variant) => self.variants.insert((item, variant), quantity),
        };
    }

    pub fn get(&self, key: NavKey<'_>) -> Option<Decimal> {
        match key.variant {
            None => self.items.get(key.item).copied(),
            Some(variant) => self.variants.get(&(key.item.to_string(), variant.to_string())).copied(),
        }
    }

    pub fn items(&self) -> &HashMap<String, Decimal> {
        &self.items
    }

    /// Keeps the whole-item figures of `items` (and every variant figure).
    pub fn keep_items(&mut self, items: &HashSet<&str>) {
        self.items.retain(|item, _| items.contains(item.as_str()));
    }

    /// As stored: per item and variant code (`""` = the whole item).
    pub fn quantities(&self) -> Quantities {
        let items = self.items.iter().map(|(item, q)| ((item.clone(), String::new()), *q));
        items.chain(self.variants.iter().map(|(key, q)| (key.clone(), *q))).collect()
    }
}

/// Quantities of web orders NAV has not shipped, per item and variant (`""`: a line without one).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Pending {
    lines: Quantities,
    by_item: HashMap<String, Decimal>,
}

impl Pending {
    pub fn new(lines: Quantities) -> Pending {
        let mut by_item: HashMap<String, Decimal> = HashMap::new();
        for ((item, _), quantity) in &lines {
            *by_item.entry(item.clone()).or_default() += *quantity;
        }
        Pending { lines, by_item }
    }

    pub fn lines(&self) -> &Quantities {
        &self.lines
    }

    /// What the orders hold of these positions: a whole item counts every line of it.
    pub fn for_keys(&self, keys: &[NavKey<'_>]) -> Decimal {
        keys.iter()
            .map(|key| match key.variant {
                None => self.by_item.get(key.item).copied().unwrap_or_default(),
                Some(variant) => self.lines.get(&(key.item.to_string(), variant.to_string())).copied().unwrap_or_default(),
            })
            .sum()
    }

    /// Items whose quantities differ from `before` (a line appeared, changed or went away).
    pub fn changed_items(&self, before: &Quantities) -> HashSet<String> {
        let mut changed = HashSet::new();
        for (key, quantity) in &self.lines {
            if before.get(key) != Some(quantity) {
                changed.insert(key.0.clone());
            }
        }
        for key in before.keys() {
            if !self.lines.contains_key(key) {
                changed.insert(key.0.clone());
            }
        }
        changed
    }
}

/// What one product should hold, and why.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Target {
    pub quantity: i64,
    /// NAV stock of its positions.
    pub nav: Decimal,
    /// Held by web orders NAV has not shipped.
    pub pending: Decimal,
}

/// The formula. `None` when NAV's stock of a position is unknown (nothing is written then).
/// Rounded down: a fraction of a unit cannot be sold. Not clamped at zero: a negative value is
/// NAV's truth (WooCommerce shows out of stock, or on backorder where allowed).
pub fn target(keys: &[NavKey<'_>], figures: &Figures, pending: &Pending) -> Option<Target> {
    let mut nav = Decimal::ZERO;
    for key in keys {
        nav += figures.get(*key)?;
    }
    let held = pending.for_keys(keys);
    let quantity = (nav - held).floor().to_i64()?;
    Some(Target { quantity, nav, pending: held })
}

/// One quantity to write (or that would be written in a dry run).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Change {
    pub woo_id: i64,
    #[serde(skip_serializing_if = "is_zero")]
    pub parent_id: i64,
    pub sku: String,
    pub old: Option<i64>,
    pub new: i64,
    pub nav: Decimal,
    pub pending: Decimal,
}

fn is_zero(value: &i64) -> bool {
    *value == 0
}

/// The change that would give an owner the target, from what WooCommerce holds (`old`).
pub fn change(owner: &Owner<'_>, old: Option<i64>, target: &Target) -> Change {
    Change {
        woo_id: owner.row.woo_id,
        parent_id: owner.parent_id(),
        sku: owner.row.sku.clone(),
        old,
        new: target.quantity,
        nav: target.nav,
        pending: target.pending,
    }
}

/// The change an owner needs, if WooCommerce does not hold the target already.
pub fn diff(owner: &Owner<'_>, target: &Target) -> Option<Change> {
    (owner.row.stock != Some(target.quantity)).then(|| change(owner, owner.row.stock, target))
}

/// One write request: products (`parent: None`) or one product's variations.
#[derive(Clone, Debug, PartialEq)]
pub struct Batch {
    pub parent: Option<i64>,
    pub changes: Vec<Change>,
}

/// Groups changes into requests of at most `size` items, variations by their product.
pub fn batches(changes: Vec<Change>, size: usize) -> Vec<Batch> {
    let size = size.max(1);
    let mut products = Vec::new();
    let mut variations: BTreeMap<i64, Vec<Change>> = BTreeMap::new();
    for change in changes {
        if change.parent_id == 0 {
            products.push(change);
        } else {
            variations.entry(change.parent_id).or_default().push(change);
        }
    }
    let mut out: Vec<Batch> = products.chunks(size).map(|c| Batch { parent: None, changes: c.to_vec() }).collect();
    for (parent, changes) in variations {
        out.extend(changes.chunks(size).map(|c| Batch { parent: Some(parent), changes: c.to_vec() }));
    }
    out
}

/// Where the item ledger was followed to: the highest entry number seen, and the numbers below
/// it (within the window) not seen yet — an entry can become visible after higher ones when
/// postings commit out of order (the reference marks in-order visibility unconfirmed).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LedgerCursor {
    pub high: i64,
    #[serde(default)]
    pub holes: Vec<i64>,
}

/// How many entry numbers below the highest one are re-read every run.
pub const LEDGER_WINDOW: i64 = 1_000;

impl LedgerCursor {
    /// The entry number to read after.
    pub fn read_after(&self) -> i64 {
        (self.high - LEDGER_WINDOW).max(0)
    }

    /// Items moved by entries not seen before, and the cursor after `entries` (every entry
    /// numbered above `read_after()`).
    pub fn follow(&self, entries: &[(i64, String)]) -> (HashSet<String>, LedgerCursor) {
        let holes: HashSet<i64> = self.holes.iter().copied().collect();
        let mut moved = HashSet::new();
        let mut seen = HashSet::new();
        let mut high = self.high;
        for (number, item) in entries {
            if *number > self.high || holes.contains(number) {
                moved.insert(item.clone());
            }
            seen.insert(*number);
            high = high.max(*number);
        }
        let floor = self.read_after().max(high - LEDGER_WINDOW);
        let holes = (floor + 1..=high).filter(|n| !seen.contains(n)).collect();
        (moved, LedgerCursor { high, holes })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mapper::lines::tests::MapCatalog;

    fn row(id: i64, kind: &str, parent: i64, sku: &str, managed: Managed, stock: Option<i64>, key: Option<(&str, Option<&str>)>) -> StockProduct {
        StockProduct {
            woo_id: id,
            parent_id: parent,
            kind: ProductKind::parse(kind),
            sku: sku.into(),
            managed,
            stock,
            nav_item: key.map(|k| k.0.to_string()),
            nav_variant: key.and_then(|k| k.1.map(String::from)),
            dirty: 0,
        }
    }

    fn key<'a>(item: &'a str, variant: Option<&'a str>) -> NavKey<'a> {
        NavKey { item, variant }
    }

    fn matched(item: &str, variant: Option<&str>) -> Option<Matched> {
        Some((item.to_string(), variant.map(String::from)))
    }

    fn figures(list: &[(&str, Option<&str>, &str)]) -> Figures {
        let mut figures = Figures::default();
        for (item, variant, quantity) in list {
            figures.set(item.to_string(), variant.map(String::from), quantity.parse().unwrap());
        }
        figures
    }

    fn pending(lines: &[(&str, &str, i64)]) -> Pending {
        Pending::new(lines.iter().map(|(i, v, q)| ((i.to_string(), v.to_string()), Decimal::from(*q))).collect())
    }

    #[test]
    fn skus_match_items_variants_and_gtins_in_the_configured_order() {
        let catalog = MapCatalog::demo();
        let order = [SkuMatch::Sku, SkuMatch::Variant, SkuMatch::Gtin];
        assert_eq!(match_product("1896-s", "", &order, "-", &catalog), matched("1896-S", None));
        assert_eq!(match_product("TSHIRT-M", "", &order, "-", &catalog), matched("TSHIRT", Some("M")));
        assert_eq!(match_product("WEB-LAMP", "5901234123457", &order, "-", &catalog), matched("1928-S", None));
        assert_eq!(match_product("TSHIRT-XXL", "", &order, "-", &catalog), None);
        assert_eq!(match_product("GIFT-WRAP", "", &order, "-", &catalog), None);
        // Blocked items are matched: their stock is still NAV's stock.
        assert_eq!(match_product("OLD-1", "", &order, "-", &catalog), matched("OLD-1", None));
        assert_eq!(match_product("TSHIRT-M", "", &[SkuMatch::Sku], "-", &catalog), None);
    }

    #[test]
    fn owners_follow_manage_stock_including_parent_managed_variations() {
        let rows = vec![
            row(1, "simple", 0, "1896-S", Managed::Yes, Some(12), Some(("1896-S", None))),
            row(2, "variable", 0, "TSHIRT", Managed::No, None, Some(("TSHIRT", None))),
            row(3, "variation", 2, "TSHIRT-M", Managed::Yes, Some(15), Some(("TSHIRT", Some("M")))),
            row(4, "variable", 0, "", Managed::Yes, Some(40), None),
            row(5, "variation", 4, "MUG-WHITE", Managed::Parent, Some(40), Some(("MUG", Some("WHITE")))),
            row(6, "variation", 4, "MUG-BLACK", Managed::Parent, Some(40), Some(("MUG", Some("BLACK")))),
            row(7, "simple", 0, "GIFT-WRAP", Managed::Yes, Some(3), None),
            row(8, "simple", 0, "POSTER", Managed::No, None, Some(("POSTER", None))),
            row(9, "simple", 0, "", Managed::Yes, Some(1), None),
            row(10, "simple", 0, "GIFT-CARD", Managed::No, None, None),
        ];
        let coverage = owners(&rows);
        let found: Vec<(i64, i64, Vec<NavKey>)> = coverage.owners.iter().map(|o| (o.row.woo_id, o.parent_id(), o.keys.clone())).collect();
        assert_eq!(
            found,
            vec![
                (1, 0, vec![key("1896-S", None)]),
                (3, 2, vec![key("TSHIRT", Some("M"))]),
                (4, 0, vec![key("MUG", Some("BLACK")), key("MUG", Some("WHITE"))]),
            ]
        );
        // Unknown to NAV whether or not they manage stock; the SKU-less one cannot be matched.
        assert_eq!(coverage.unmatched, vec!["GIFT-CARD".to_string(), "GIFT-WRAP".to_string()]);
        assert_eq!((coverage.without_sku, coverage.not_managed), (1, 2));
        assert!(coverage.matched_items.contains("POSTER") && coverage.matched_items.contains("MUG"));
    }

    #[test]
    fn a_whole_item_subsumes_its_variants() {
        assert_eq!(normalize(vec![key("MUG", Some("WHITE")), key("MUG", None), key("MUG", None)]), vec![key("MUG", None)]);
    }

    #[test]
    fn stock_written_is_nav_stock_minus_unshipped_web_orders() {
        let stock = figures(&[("1896-S", None, "17"), ("TSHIRT", Some("M"), "15"), ("TSHIRT", Some("S"), "10")]);
        let open = pending(&[("1896-S", "", 2), ("TSHIRT", "M", 3), ("TSHIRT", "S", 1)]);
        assert_eq!(target(&[key("1896-S", None)], &stock, &open).unwrap(), Target { quantity: 15, nav: 17.into(), pending: 2.into() });
        // A variant counts only its own lines; a whole item counts all of them.
        assert_eq!(target(&[key("TSHIRT", Some("M"))], &stock, &open).unwrap().quantity, 12);
        assert_eq!(open.for_keys(&[key("TSHIRT", None)]), Decimal::from(4));
        // Fractions round down; unknown NAV stock writes nothing; negatives stay negative.
        let half = figures(&[("BOLT", None, "7.5")]);
        assert_eq!(target(&[key("BOLT", None)], &half, &Pending::default()).unwrap().quantity, 7);
        assert_eq!(target(&[key("NOPE", None)], &stock, &open), None);
        assert_eq!(target(&[key("1896-S", None)], &stock, &pending(&[("1896-S", "", 20)])).unwrap().quantity, -3);
    }

    #[test]
    fn only_values_woocommerce_does_not_hold_are_changes() {
        let product = row(1, "simple", 0, "A", Managed::Yes, Some(5), Some(("A", None)));
        let owner = Owner { row: &product, keys: vec![key("A", None)] };
        let same = Target { quantity: 5, nav: 5.into(), pending: 0.into() };
        assert_eq!(diff(&owner, &same), None);
        let more = Target { quantity: 8, nav: 9.into(), pending: 1.into() };
        assert_eq!(diff(&owner, &more).map(|c| (c.old, c.new)), Some((Some(5), 8)));
        let never_read = StockProduct { stock: None, ..product.clone() };
        assert!(diff(&Owner { row: &never_read, keys: vec![key("A", None)] }, &same).is_some());
    }

    #[test]
    fn batches_hold_at_most_the_limit_and_group_variations_by_product() {
        let change = |id: i64, parent: i64| Change { woo_id: id, parent_id: parent, sku: id.to_string(), old: None, new: 1, nav: 1.into(), pending: 0.into() };
        let mut changes: Vec<Change> = (1..=250).map(|id| change(id, 0)).collect();
        changes.extend((1000..1003).map(|id| change(id, 7)));
        changes.push(change(2000, 9));
        let out = batches(changes, 100);
        let shape: Vec<(Option<i64>, usize)> = out.iter().map(|b| (b.parent, b.changes.len())).collect();
        assert_eq!(shape, vec![(None, 100), (None, 100), (None, 50), (Some(7), 3), (Some(9), 1)]);
    }

    #[test]
    fn unshipped_quantity_changes_are_found_per_item() {
        let before: Quantities = [(("A".into(), "".into()), Decimal::from(2)), (("B".into(), "M".into()), Decimal::from(1))].into_iter().collect();
        let now = pending(&[("A", "", 2), ("C", "", 1)]);
        let mut changed: Vec<String> = now.changed_items(&before).into_iter().collect();
        changed.sort();
        assert_eq!(changed, vec!["B".to_string(), "C".to_string()]);
    }

    #[test]
    fn the_ledger_is_followed_with_a_re_read_window() {
        let entries = |list: &[(i64, &str)]| list.iter().map(|(n, i)| (*n, i.to_string())).collect::<Vec<_>>();
        let start = LedgerCursor { high: 10, holes: vec![] };
        // 12 is not visible yet while 11 and 13 are.
        let (moved, next) = start.follow(&entries(&[(9, "OLD"), (10, "OLD"), (11, "A"), (13, "B")]));
        assert_eq!(moved, ["A", "B"].iter().map(|s| s.to_string()).collect());
        assert_eq!(next.high, 13);
        assert!(next.holes.contains(&12) && !next.holes.contains(&11));
        // 12 shows up later: its item moved; nothing seen before counts twice.
        let (moved, after) = next.follow(&entries(&[(11, "A"), (12, "C"), (13, "B")]));
        assert_eq!(moved, ["C"].iter().map(|s| s.to_string()).collect());
        assert!(!after.holes.contains(&12));
        // Holes older than the window are given up (a rolled-back posting never appears).
        let far = LedgerCursor { high: 5_000, holes: vec![100, 4_990] };
        assert_eq!(far.read_after(), 4_000);
        let (_, later) = far.follow(&entries(&[(4_990, "X")]));
        assert!(!later.holes.contains(&100) && !later.holes.contains(&4_990));
    }
}
