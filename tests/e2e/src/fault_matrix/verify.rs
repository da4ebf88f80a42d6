//! The verdict of a row, read from the simulators and the agent's state once it has drained:
//! every order exactly once in NAV with the lines and amount WooCommerce kept (charged minus
//! refunded: on the open sales order, or as its invoice minus its credit memos once posted; zero
//! once cancelled), every refund in at most one credit memo, every guest one NAV customer, the
//! registered customer's last edit in NAV, WooCommerce stock equal to the formula of
//! docs/inventory.md, nothing parked but the orders designed to park.

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
    let invoices = stack.bc.control().entity_set(None, "salesInvoices").unwrap_or_default();
    let memos = stack.bc.control().entity_set(None, "salesCreditMemos").unwrap_or_default();
    let mut memo_numbers: BTreeMap<String, usize> = BTreeMap::new();
    for memo in &memos {
        *memo_numbers.entry(memo["externalDocumentNumber"].as_str().unwrap_or_default().to_string()).or_default() += 1;
    }
    for (number, count) in memo_numbers.iter().filter(|(_, count)| **count > 1) {
        verdict.duplicated.push(format!("credit memo {number} ×{count}"));
    }
    for order in &work.orders {
        let key = external(order);
        let id = order["id"].as_i64().unwrap_or_default();
        let posted_as = work.posted.iter().find(|(posted, _)| *posted == id).map(|(_, number)| number.as_str());
        let open: &[&Value] = by_external.get(&key).map(Vec::as_slice).unwrap_or(&[]);
        let its_invoices: Vec<&Value> = invoices.iter().filter(|i| posted_as.is_some_and(|n| i["orderNumber"] == n)).collect();
        let its_memos: Vec<&Value> = memos.iter().filter(|m| m["externalDocumentNumber"].as_str().is_some_and(|n| n.starts_with(&format!("{key}-")))).collect();
        if open.len() > 1 {
            verdict.duplicated.push(format!("{key} ×{}", open.len()));
            continue;
        }
        if its_invoices.len() > 1 {
            verdict.duplicated.push(format!("{key}: {} invoices for one posting", its_invoices.len()));
        }
        let cancelled = work.cancelled.contains(&id);
        // Refunded in full, an unposted order is deleted in NAV as a cancelled one is (docs/refunds.md).
        let refunded_in_full = stack.woo_order(id)["status"] == "refunded";
        if open.is_empty() && its_invoices.is_empty() && !cancelled && !refunded_in_full {
            verdict.lost.push(key);
            continue;
        }
        if let Some(problem) = amount_problem(stack, order, open.first().copied(), &its_invoices, &its_memos, cancelled) {
            verdict.wrong.push(format!("{key}: {problem}"));
        } else if let (Some(one), None) = (open.first(), posted_as) {
            if let Some(problem) = lines_problem(stack, work, order, one) {
                verdict.wrong.push(format!("{key}: {problem}"));
            }
        }
    }
    if let Some(phone) = &work.phone {
        // Jane Doe is NAV customer 30000 (the demo seed's match by e-mail).
        let jane = customers_now(stack).into_iter().find(|c| c["number"] == "30000").unwrap_or(Value::Null);
        if jane["phoneNumber"].as_str() != Some(phone.as_str()) {
            verdict.wrong.push(format!("customer 30000: phone {} in NAV, {phone} after the last edit in WooCommerce", jane["phoneNumber"]));
        }
    }
    for order in &work.designed {
        if by_external.contains_key(&external(order)) {
            verdict.wrong.push(format!("{} reached NAV although its SKU is unknown", external(order)));
        }
    }
    let customers = customers_now(stack);
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

fn customers_now(stack: &Stack) -> Vec<Value> {
    stack.bc.control().entity_set(None, "customers").unwrap_or_default()
}

/// What NAV holds for the order — the open sales order's total, plus its invoice's, minus its
/// credit memos' — against what WooCommerce kept: the total minus every refund, or nothing once
/// cancelled. Whether a refund was netted into the open order or credited after posting depends on
/// who came first, the agent or the posting; either way this sum is the same.
fn amount_problem(stack: &Stack, placed: &Value, open: Option<&Value>, invoices: &[&Value], memos: &[&Value], cancelled: bool) -> Option<String> {
    let order = stack.woo_order(placed["id"].as_i64().unwrap_or_default());
    let refunded: f64 = order["refunds"].as_array().into_iter().flatten().map(|r| number(&r["total"]).abs()).sum();
    let expected = if cancelled { 0.0 } else { number(&order["total"]) - refunded };
    let total = |v: &Value| number(&v["totalAmountIncludingTax"]);
    let held = open.map_or(0.0, total) + invoices.iter().map(|i| total(i)).sum::<f64>() - memos.iter().map(|m| total(m)).sum::<f64>();
    // A cent either way: a refund's tax is taken per line in WooCommerce and per document in NAV.
    if (held - expected).abs() > 0.011 {
        return Some(format!(
            "NAV holds {held:.2} (open order {:.2}, {} invoice(s), {} credit memo(s)), WooCommerce kept {expected:.2}{}",
            open.map_or(0.0, total),
            invoices.len(),
            memos.len(),
            if cancelled { " (cancelled)" } else { "" }
        ));
    }
    None
}

/// The open, unposted sales order's item lines against WooCommerce's lines minus the refunded
/// units.
fn lines_problem(stack: &Stack, work: &Workload, placed: &Value, sales_order: &Value) -> Option<String> {
    let id = placed["id"].as_i64().unwrap_or_default();
    let order = stack.woo_order(id);
    let mut wanted: BTreeMap<String, f64> = BTreeMap::new();
    for line in order["line_items"].as_array().into_iter().flatten() {
        *wanted.entry(line["sku"].as_str().unwrap_or_default().to_string()).or_default() += number(&line["quantity"]);
    }
    for refund in work.refunds.iter().filter(|r| r.order_id == id) {
        if let Some(sku) = &refund.item {
            *wanted.entry(sku.clone()).or_default() -= 1.0;
        }
    }
    wanted.retain(|_, quantity| *quantity > 0.0);
    let mut got: BTreeMap<String, f64> = BTreeMap::new();
    for line in sales_order["salesOrderLines"].as_array().into_iter().flatten() {
        if line["lineType"] == "Item" {
            *got.entry(line["lineObjectNumber"].as_str().unwrap_or_default().to_string()).or_default() += number(&line["quantity"]);
        }
    }
    got.retain(|_, quantity| *quantity > 0.0);
    (wanted != got).then(|| format!("lines {got:?}, WooCommerce less refunds {wanted:?}"))
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
