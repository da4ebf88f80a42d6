//! What WooCommerce orders hold that NAV's stock does not show yet. WooCommerce reduced its own
//! stock when these orders were placed (status processing, on-hold or completed); NAV reduces its
//! stock only when it ships. Until then the quantity is in NAV's stock *and* sold in WooCommerce:
//!
//! * orders NAV has as open sales orders — their lines' outstanding quantity (quantity − shipped),
//!   read from NAV itself, so a partial shipment counts exactly once;
//! * orders not in NAV yet — waiting, retrying, parked or held jobs, creates whose outcome is
//!   unknown — their lines as WooCommerce sent them;
//! * orders NAV received after the open orders were listed — their lines as the agent sent them.
//!
//! The open orders are read *before* NAV's stock: an order posted in between is then counted in
//! both (stock too low for one run) and never in neither (stock too high: an oversell window).

use std::collections::{HashMap, HashSet};

use rust_decimal::Decimal;

use super::formula::{match_product, Matched, Pending};
use crate::adapter::bc_api::ledger::OpenSalesOrder;
use crate::adapter::http::Recorder;
use crate::adapter::nav::Nav;
use crate::adapter::AdapterResult;
use crate::mapper::order::external_document_number;
use crate::model::nav::{code, LineKind, SalesOrderDraft};
use crate::model::woo::Order;
use crate::runtime::Runtime;
use crate::store::stock::Quantities;
use crate::store::StoreResult;

/// WooCommerce reduces stock for orders in these statuses (and restores it when they leave them).
const STOCK_HOLDING: &[&str] = &["processing", "on-hold", "completed"];

const EMPTY_GUID: &str = "00000000-0000-0000-0000-000000000000";

/// NAV's open web sales orders, as listed at `listed_at`.
#[derive(Debug, Default)]
pub struct OpenOrders {
    pub listed_at: String,
    /// Outstanding item lines per NAV order number: (item, variant code or "", quantity).
    pub lines: HashMap<String, Vec<(String, String, Decimal)>>,
    /// Their external document numbers (a WooCommerce order NAV has).
    pub externals: HashSet<String>,
}

/// How many orders the pending quantities came from.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize)]
pub struct HeldBy {
    /// Open NAV sales orders of web orders.
    pub orders_in_nav: usize,
    /// WooCommerce orders NAV does not have yet.
    pub orders_not_in_nav: usize,
}

/// Lists NAV's open web sales orders (external document number with the order prefix).
pub async fn read_open_orders(rt: &Runtime, nav: &Nav, rec: &Recorder) -> AdapterResult<(OpenOrders, u32)> {
    let prefix = code(&rt.settings.orders.order_number_prefix);
    let listed_at = ml_connector_formats::utc_now();
    let mut orders: Vec<OpenSalesOrder> = Vec::new();
    let requests = nav.open_sales_orders(&prefix, rec, &mut |page| orders.extend(page)).await?;
    // Without a prefix every open order is listed: keep the ones the agent made.
    let linked: HashSet<String> = if prefix.is_empty() { rt.store.sent_order_numbers().unwrap_or_default() } else { HashSet::new() };
    let mut open = OpenOrders { listed_at, ..Default::default() };
    for order in orders {
        if !prefix.is_empty() || linked.contains(&order.number) {
            let lines = order
                .lines
                .iter()
                .filter(|l| l.line_type == "Item" && !l.number.is_empty())
                .map(|l| (l.number.clone(), variant_code(rt, &l.variant_id, &l.variant_code), l.outstanding()))
                .filter(|(_, _, quantity)| !quantity.is_zero())
                .collect();
            open.externals.insert(order.external_document_number.clone());
            open.lines.insert(order.number, lines);
        }
    }
    Ok((open, requests))
}

/// API lines name variants by id (the catalog knows the code); page lines by code.
fn variant_code(rt: &Runtime, id: &str, code: &str) -> String {
    if !code.is_empty() {
        return code.to_string();
    }
    if id.is_empty() || id == EMPTY_GUID {
        return String::new();
    }
    rt.store.variant_by_id(id).ok().flatten().map(|(_, code)| code).unwrap_or_default()
}

/// A WooCommerce SKU's NAV position as the shop was last listed.
pub type Known<'a> = &'a (dyn Fn(&str) -> Option<Matched> + Sync);

/// Adds up what every web order NAV has not shipped holds, per item and variant.
pub fn collect(rt: &Runtime, open: &OpenOrders, known: Known<'_>) -> StoreResult<(Pending, HeldBy)> {
    let mut lines: Quantities = HashMap::new();
    let mut add = |item: &str, variant: &str, quantity: Decimal| {
        *lines.entry((item.to_string(), variant.to_string())).or_default() += quantity;
    };
    let mut held = HeldBy { orders_in_nav: open.lines.values().filter(|l| !l.is_empty()).count(), orders_not_in_nav: 0 };
    for order_lines in open.lines.values() {
        for (item, variant, quantity) in order_lines {
            add(item, variant, *quantity);
        }
    }
    // Orders NAV has a number for are counted above while open; posted or deleted ones hold
    // nothing — except an order NAV received after the listing (open, but the listing missed it).
    for link in rt.store.orders_sent_since(&open.listed_at)? {
        if open.lines.contains_key(&link.nav_number) {
            continue;
        }
        let Some(draft) = link.document.as_deref().and_then(|d| serde_json::from_str::<SalesOrderDraft>(d).ok()) else { continue };
        held.orders_in_nav += 1;
        for line in draft.lines.iter().filter(|l| l.kind == LineKind::Item) {
            add(&line.number, line.variant_code.as_deref().unwrap_or(""), line.quantity);
        }
    }
    // Orders not in NAV yet, as WooCommerce sent them.
    for event in rt.store.unsent_order_events()? {
        let Some(order) = order_of(&event) else { continue };
        if !STOCK_HOLDING.contains(&order.status.as_str()) || open.externals.contains(&external_document_number(&order, &rt.settings.orders)) {
            continue;
        }
        held.orders_not_in_nav += 1;
        for line in &order.line_items {
            let key = known(line.sku.trim()).or_else(|| {
                let orders = &rt.settings.orders;
                match_product(&line.sku, &line.global_unique_id, &orders.sku_match, &orders.variant_separator, &rt.catalog())
            });
            // A line no NAV item matches holds no NAV stock (its order waits for the SKU anyway).
            if let Some((item, variant)) = key {
                add(&item, variant.as_deref().unwrap_or(""), line.quantity);
            }
        }
    }
    lines.retain(|_, quantity| !quantity.is_zero());
    Ok((Pending::new(lines), held))
}

fn order_of(event_json: &str) -> Option<Order> {
    let event = ml_connector_formats::Event::from_json(event_json).ok()?;
    serde_json::from_value(event.payload).ok()
}
