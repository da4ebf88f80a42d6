//! The verdict of a row, read from the simulators and the agent's state once it has drained:
//! every order exactly once in NAV with the lines and total WooCommerce charged, every guest one
//! NAV customer, WooCommerce stock equal to the formula of docs/inventory.md, nothing parked but
//! the orders designed to park.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::workload::Workload;
use crate::Stack;

/// What was found after the drain.
#[derive(Clone, Debug, Default)]
pub struct Verdict {
    /// Orders not in NAV.
    pub lost: Vec<String>,
    /// Orders in NAV more than once, guests with more than one NAV customer.
    pub duplicated: Vec<String>,
    /// Orders in NAV with other lines or another total than WooCommerce's.
    pub wrong: Vec<String>,
    /// Products whose WooCommerce stock differs from the formula: `sku woo=… formula=…`.
    pub stock_wrong: Vec<String>,
    /// Everything parked or held.
    pub parked: usize,
    /// Parked or held jobs that are not designed to park, with their reason.
    pub unexpected_parks: Vec<String>,
    /// Jobs still pending or running, events still in the spool.
    pub not_drained: Option<String>,
}

impl Verdict {
    pub fn clean(&self) -> bool {
        self.lost.is_empty() && self.duplicated.is_empty() && self.wrong.is_empty() && self.stock_wrong.is_empty() && self.unexpected_parks.is_empty() && self.not_drained.is_none()
    }
}

fn external(order: &Value) -> String {
    format!("WC-{}", order["number"].as_str().unwrap_or_default()).to_uppercase()
}

fn number(value: &Value) -> f64 {
    value.as_f64().or_else(|| value.as_str().and_then(|s| s.parse().ok())).unwrap_or(f64::NAN)
}

/// Reads the verdict now.
pub fn verdict(stack: &Stack, work: &Workload) -> Verdict {
    let mut verdict = Verdict::default();
    let sales_orders = stack.sales_orders();
    let mut by_external: BTreeMap<String, Vec<&Value>> = BTreeMap::new();
    for sales_order in &sales_orders {
        by_external.entry(sales_order["externalDocumentNumber"].as_str().unwrap_or_default().to_string()).or_default().push(sales_order);
    }
    for order in &work.orders {
        let key = external(order);
        match by_external.get(&key).map(Vec::as_slice) {
            None | Some([]) => verdict.lost.push(key),
            Some([one]) => {
                if let Some(problem) = content_problem(stack, order, one) {
                    verdict.wrong.push(format!("{key}: {problem}"));
                }
            }
            Some(many) => verdict.duplicated.push(format!("{key} ×{}", many.len())),
        }
    }
    for order in &work.designed {
        if by_external.contains_key(&external(order)) {
            verdict.wrong.push(format!("{} reached NAV although its SKU is unknown", external(order)));
        }
    }
    let customers = stack.bc.control().entity_set(None, "customers").unwrap_or_default();
    for email in &work.guests {
        let count = customers.iter().filter(|c| c["email"].as_str().is_some_and(|e| e.eq_ignore_ascii_case(email))).count();
        if count > 1 {
            verdict.duplicated.push(format!("customer {email} ×{count}"));
        }
    }
    verdict.stock_wrong = stock_problems(stack, &sales_orders);
    let status = stack.status();
    let queue = &status["queue"];
    verdict.parked = (queue["parked"].as_u64().unwrap_or(0) + queue["held"].as_u64().unwrap_or(0)) as usize;
    let designed: Vec<&Value> = work.designed.iter().map(|o| &o["id"]).collect();
    for item in status["parked"].as_array().into_iter().flatten() {
        let is_designed = designed.contains(&&item["order_id"]) && item["reason"].as_str().is_some_and(|r| r.contains("unknown SKU GIFT-WRAP"));
        if !is_designed {
            verdict.unexpected_parks.push(format!("job {} (order {}): {}", item["job_id"], item["order_id"], item["reason"].as_str().unwrap_or_default()));
        }
    }
    if status.is_null() || queue["pending"] != 0 || queue["running"] != 0 || queue["spool"] != 0 {
        verdict.not_drained = Some(format!("queue {queue}"));
    }
    verdict
}

/// Lines (item → quantity) and total of the NAV sales order against the WooCommerce order.
fn content_problem(stack: &Stack, placed: &Value, sales_order: &Value) -> Option<String> {
    // The order as WooCommerce holds it now (the agent's write-back adds meta, not lines).
    let order = stack.woo_order(placed["id"].as_i64().unwrap_or_default());
    let mut wanted: BTreeMap<String, f64> = BTreeMap::new();
    for line in order["line_items"].as_array().into_iter().flatten() {
        *wanted.entry(line["sku"].as_str().unwrap_or_default().to_string()).or_default() += number(&line["quantity"]);
    }
    let mut got: BTreeMap<String, f64> = BTreeMap::new();
    for line in sales_order["salesOrderLines"].as_array().into_iter().flatten() {
        if line["lineType"] == "Item" {
            *got.entry(line["lineObjectNumber"].as_str().unwrap_or_default().to_string()).or_default() += number(&line["quantity"]);
        }
    }
    if wanted != got {
        return Some(format!("lines {got:?}, WooCommerce {wanted:?}"));
    }
    let (nav, woo) = (number(&sales_order["totalAmountIncludingTax"]), number(&order["total"]));
    if (nav - woo).abs() > 0.005 {
        return Some(format!("total {nav}, WooCommerce {woo}"));
    }
    None
}

/// Every simple product managing its stock whose SKU is a NAV item: WooCommerce's quantity must be
/// ⌊NAV stock − web orders NAV has not shipped⌋ (docs/inventory.md). After the drain every web
/// order that holds stock is in NAV (the designed park holds none of these SKUs).
fn stock_problems(stack: &Stack, sales_orders: &[Value]) -> Vec<String> {
    let mut unshipped: BTreeMap<String, f64> = BTreeMap::new();
    for sales_order in sales_orders.iter().filter(|o| o["externalDocumentNumber"].as_str().is_some_and(|e| e.starts_with("WC-"))) {
        for line in sales_order["salesOrderLines"].as_array().into_iter().flatten().filter(|l| l["lineType"] == "Item") {
            *unshipped.entry(line["lineObjectNumber"].as_str().unwrap_or_default().to_string()).or_default() += number(&line["quantity"]) - number(&line["shippedQuantity"]);
        }
    }
    let mut problems = Vec::new();
    for item in stack.bc.control().entity_set(None, "items").unwrap_or_default() {
        let sku = item["number"].as_str().unwrap_or_default();
        let Some(product) = stack.woo.control().product_by_sku(sku) else { continue };
        if product["type"] != "simple" || product["manage_stock"] != true {
            continue;
        }
        let formula = (number(&item["inventory"]) - unshipped.get(sku).copied().unwrap_or(0.0)).floor() as i64;
        let woo = product["stock_quantity"].as_i64();
        if woo != Some(formula) {
            problems.push(format!("{sku} woo={} formula={formula}", woo.map_or("none".into(), |q| q.to_string())));
        }
    }
    problems
}

/// Polls until the row has settled — queue and spool empty, every order in NAV, stock equal to
/// the formula (or a park that will never clear) — at most `timeout`. Then waits one more
/// reconciliation and inventory period and reads the verdict again, so a late duplicate or a
/// late stock write is still seen. Returns that verdict and the first settled moment.
pub async fn drain(stack: &Stack, work: &Workload, timeout: Duration) -> (Verdict, Instant) {
    let started = Instant::now();
    loop {
        let verdict = verdict(stack, work);
        let settled = verdict.not_drained.is_none() && verdict.stock_wrong.is_empty() && (verdict.lost.is_empty() || !verdict.unexpected_parks.is_empty());
        if settled || started.elapsed() > timeout {
            let took = Instant::now();
            tokio::time::sleep(SETTLE).await;
            return (self::verdict(stack, work), took);
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Longer than the matrix's reconciliation and inventory schedules (every 2 s).
const SETTLE: Duration = Duration::from_millis(3_000);
