//! The operations a fault-matrix row places: web orders (registered customers and guests, each a
//! checkout in woo-sim; handed over by woo-sim playing the plugin, or by the real extension in
//! php-cli), NAV purchase receipts (stock changes the inventory sync must carry to WooCommerce),
//! and the one order designed to park (an SKU NAV does not know); and, on orders placed before,
//! partial refunds (an item, an amount), cancellations, postings in NAV (so later refunds become
//! credit memos) and edits of a registered customer. Remembers everything so the verdict can be
//! checked against it.

use std::path::PathBuf;
use std::process::{Command, Output};

use bc_sim::{EntryKind, ItemEntry};
use serde_json::{json, Value};

use crate::{extension_so, Stack};

/// Simple products whose SKU is the NAV item number and whose stock the shop manages; plenty of
/// stock so no checkout is refused for want of it.
pub const SKUS: [&str; 6] = ["1900-S", "1908-S", "1936-S", "1964-S", "BOOK-01", "1960-S"];

/// How an order's event reaches the spool.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Handoff {
    /// woo-sim plays the plugin and the extension (events written at the end of the request).
    Simulator,
    /// The real extension in php-cli, one process per checkout, as a PHP-FPM worker would.
    Php,
}

/// A small seeded generator (xorshift64*): the same seed places the same workload and picks the
/// same kill points, so a failing row can be rerun as it was.
pub struct Dice(u64);

impl Dice {
    pub fn new(seed: u64) -> Self {
        Dice(seed.max(1))
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n.max(1)
    }
}

/// A refund made in WooCommerce: an item (its SKU, one unit) or an amount only.
pub struct RefundMade {
    pub order_id: i64,
    pub refund_id: i64,
    pub item: Option<String>,
}

/// What a PHP hand-off answered.
pub struct Enqueued {
    pub seq: Option<i64>,
    pub error: Option<String>,
}

pub struct Workload {
    pub dice: Dice,
    pub handoff: Handoff,
    /// Orders that must end up in NAV exactly once.
    pub orders: Vec<Value>,
    /// Orders designed to park (unknown SKU): never in NAV, parked with the SKU named.
    pub designed: Vec<Value>,
    /// E-mails of guests: each must become exactly one NAV customer.
    pub guests: Vec<String>,
    pub receipts: usize,
    /// Hand-offs the extension refused, with its reason (the order is then found by
    /// reconciliation).
    pub refused: Vec<String>,
    /// When the fault was healed, for faults that place more operations after it (the time to
    /// drain counts from here); otherwise the end of the fault function.
    pub healed: Option<std::time::Instant>,
    /// Refunds made in WooCommerce.
    pub refunds: Vec<RefundMade>,
    /// Orders cancelled in WooCommerce.
    pub cancelled: Vec<i64>,
    /// Orders posted (shipped and invoiced) in NAV: (order id, sales order number).
    pub posted: Vec<(i64, String)>,
    /// Edits of Jane Doe (WooCommerce customer 2) and the phone number she has now.
    pub customer_edits: usize,
    pub phone: Option<String>,
    follow_ups: usize,
    tag: String,
}

impl Workload {
    pub fn new(seed: u64, handoff: Handoff, tag: &str) -> Self {
        Workload {
            dice: Dice::new(seed),
            handoff,
            orders: Vec::new(),
            designed: Vec::new(),
            guests: Vec::new(),
            receipts: 0,
            refused: Vec::new(),
            healed: None,
            refunds: Vec::new(),
            cancelled: Vec::new(),
            posted: Vec::new(),
            customer_edits: 0,
            phone: None,
            follow_ups: 0,
            tag: tag.to_string(),
        }
    }

    /// One operation on what was placed before, in turn: an item refund, a posting in NAV, an
    /// amount refund, a customer edit, a cancellation. Refunds and postings pick orders that are
    /// not cancelled; cancellations pick orders neither refunded nor posted, so each order's
    /// expected NAV amount is plain (verify.rs).
    pub async fn follow_up(&mut self, stack: &Stack) -> anyhow::Result<()> {
        let turn = self.follow_ups;
        self.follow_ups += 1;
        let ids: Vec<i64> = self.orders.iter().filter_map(|o| o["id"].as_i64()).collect();
        let open: Vec<i64> = ids.iter().copied().filter(|id| !self.cancelled.contains(id)).collect();
        let posted: Vec<i64> = self.posted.iter().map(|(id, _)| *id).collect();
        let pick = |dice: &mut Dice, from: &[i64]| (!from.is_empty()).then(|| from[dice.below(from.len() as u64) as usize]);
        match turn % 5 {
            0 => {
                if let Some(id) = pick(&mut self.dice, &open) {
                    let order = stack.woo_order(id);
                    let sku = order["line_items"][0]["sku"].as_str().unwrap_or_default().to_string();
                    self.refund(stack, id, Some(sku.clone()), json!({"reason": "fault matrix: one returned", "lines": [{"sku": sku, "quantity": 1}]})).await?;
                }
            }
            1 => {
                // Posting needs the order in NAV; one that is not there yet is left for a later turn.
                let candidates: Vec<i64> = open.iter().copied().filter(|id| !posted.contains(id)).collect();
                if let Some(id) = pick(&mut self.dice, &candidates) {
                    let external = format!("WC-{}", stack.woo_order(id)["number"].as_str().unwrap_or_default());
                    if let Some(number) = stack.sales_orders_for(&external).first().and_then(|o| o["number"].as_str().map(str::to_string)) {
                        if stack.bc.control().post_sales_order(None, &number, None).is_ok() {
                            self.posted.push((id, number));
                        }
                    }
                }
            }
            2 => {
                if let Some(id) = pick(&mut self.dice, &open) {
                    self.refund(stack, id, None, json!({"amount": "2.00", "reason": "fault matrix: late delivery"})).await?;
                }
            }
            // With the hand-off by php-cli only orders are handed over (as checkouts): a customer
            // edit would reach nothing, so those rows make none.
            3 if self.handoff == Handoff::Php => {}
            3 => {
                self.customer_edits += 1;
                let phone = format!("+44 113 496 {:04}", 1000 + self.customer_edits);
                let request: woo_sim::CustomerRequest = serde_json::from_value(json!({"billing": {"phone": phone}}))?;
                stack.woo.control().save_customer(Some(2), request).await.map_err(|e| anyhow::anyhow!("{e}"))?;
                self.phone = Some(phone);
            }
            _ => {
                let refunded: Vec<i64> = self.refunds.iter().map(|r| r.order_id).collect();
                let candidates: Vec<i64> = open.iter().copied().filter(|id| !refunded.contains(id) && !posted.contains(id)).collect();
                if let Some(id) = pick(&mut self.dice, &candidates) {
                    let change: woo_sim::ChangeOrder = serde_json::from_value(json!({"status": "cancelled"}))?;
                    stack.woo.control().change_order(id, change).await.map_err(|e| anyhow::anyhow!("{e}"))?;
                    self.cancelled.push(id);
                }
            }
        }
        Ok(())
    }

    async fn refund(&mut self, stack: &Stack, order_id: i64, item: Option<String>, request: Value) -> anyhow::Result<()> {
        // WooCommerce refuses a refund beyond what is left of the order or line: then none is made.
        if let Ok(made) = stack.woo.control().refund(order_id, serde_json::from_value(request)?).await {
            self.refunds.push(RefundMade { order_id, refund_id: made["id"].as_i64().unwrap_or_default(), item });
        }
        Ok(())
    }

    /// One checkout: every third a guest (a new NAV customer), else the registered Jane Doe; one
    /// or two lines of the stock-managed SKUs.
    pub async fn order(&mut self, stack: &Stack) -> anyhow::Result<Option<Enqueued>> {
        let n = self.orders.len() + self.designed.len();
        let mut items = vec![json!({"sku": SKUS[self.dice.below(SKUS.len() as u64) as usize], "quantity": 1 + self.dice.below(3)})];
        if self.dice.below(2) == 0 {
            let second = SKUS[self.dice.below(SKUS.len() as u64) as usize];
            if items[0]["sku"] != second {
                items.push(json!({"sku": second, "quantity": 1}));
            }
        }
        let request = if n % 3 == 2 {
            let email = format!("guest-{}-{n}@fault.example", self.tag);
            self.guests.push(email.clone());
            json!({"checkout": "classic", "customer_id": 0, "items": items, "payment_method": "card",
                   "billing": {"first_name": "Guest", "last_name": format!("No {n}"), "email": email, "address_1": "1 High St", "city": "York", "postcode": "YO1 7HH", "country": "GB"},
                   "shipping": {"method_title": "DHL", "total": "10.00"}})
        } else {
            json!({"checkout": "classic", "customer_id": 2, "items": items, "payment_method": "card"})
        };
        let order = stack.place_order(request).await?;
        let handed = self.hand_over(stack, &order);
        self.orders.push(order);
        Ok(handed)
    }

    /// The order designed to park: only a SKU NAV does not know.
    pub async fn designed_park(&mut self, stack: &Stack) -> anyhow::Result<()> {
        let order = stack.place_order(json!({"checkout": "classic", "customer_id": 2, "items": [{"sku": "GIFT-WRAP", "quantity": 1}], "payment_method": "card"})).await?;
        self.hand_over(stack, &order);
        self.designed.push(order);
        Ok(())
    }

    /// A purchase receipt in NAV: 1–5 units of one of the SKUs.
    pub fn receipt(&mut self, stack: &Stack) -> anyhow::Result<()> {
        let item = SKUS[self.dice.below(SKUS.len() as u64) as usize];
        let entry = ItemEntry { item: item.into(), quantity: (1 + self.dice.below(5)).into(), kind: EntryKind::Purchase, location: String::new(), variant: String::new(), document_number: None };
        stack.bc.control().post_item_entry(None, &entry).map_err(|e| anyhow::anyhow!("{e:?}"))?;
        self.receipts += 1;
        Ok(())
    }

    fn hand_over(&mut self, stack: &Stack, order: &Value) -> Option<Enqueued> {
        if self.handoff != Handoff::Php {
            return None;
        }
        let answer = php_checkout(stack, order, None);
        if answer.seq.is_none() {
            self.refused.push(answer.error.clone().unwrap_or_else(|| "refused without a reason".into()));
        }
        Some(answer)
    }

    pub fn operations(&self) -> String {
        let mut text = format!(
            "{} orders ({} guests) + 1 unknown SKU, {} refunds, {} cancellations, {} postings, {} customer edits, {} stock changes",
            self.orders.len(),
            self.guests.len(),
            self.refunds.len(),
            self.cancelled.len(),
            self.posted.len(),
            self.customer_edits,
            self.receipts
        );
        if self.handoff == Handoff::Php {
            text.push_str(", hand-off by the extension in php-cli");
        }
        text
    }
}

/// The event the plugin builds for a new order (WooCommerce REST v3 representation).
fn order_event(order: &Value) -> String {
    json!({
        "schema": 1, "kind": "order.created", "object_id": order["id"], "origin": "checkout",
        "hooks": ["woocommerce_new_order", "woocommerce_checkout_order_processed"],
        "occurred_at": "2026-11-28T10:00:00.000Z", "payload": order,
    })
    .to_string()
}

const CHECKOUT_PHP: &str = r#"<?php
$seq = ml_connector_enqueue(file_get_contents($argv[1]));
echo json_encode(["seq" => $seq, "error" => $seq === null ? ml_connector_last_error() : null]), "\n";
"#;

/// One PHP request handing an order's event to the extension; `busy_timeout_ms` overrides the
/// extension's default wait for a locked spool.
pub fn php_checkout(stack: &Stack, order: &Value, busy_timeout_ms: Option<u64>) -> Enqueued {
    match php_command(stack, order, busy_timeout_ms).and_then(|mut c| c.output().map_err(Into::into)) {
        Ok(output) => parse_php(&output),
        Err(error) => Enqueued { seq: None, error: Some(format!("php could not run: {error}")) },
    }
}

/// The php-cli command for one checkout (script and event in files of their own, so several can
/// run at once).
pub fn php_command(stack: &Stack, order: &Value, busy_timeout_ms: Option<u64>) -> anyhow::Result<Command> {
    let dir: PathBuf = stack.dir.path().join("php");
    std::fs::create_dir_all(&dir)?;
    let script = dir.join("checkout.php");
    if !script.exists() {
        std::fs::write(&script, CHECKOUT_PHP)?;
    }
    let event = dir.join(format!("order-{}.json", order["id"]));
    std::fs::write(&event, order_event(order))?;
    let mut command = Command::new("php");
    command
        .arg("-n")
        .arg("-d")
        .arg(format!("extension={}", extension_so().display()))
        .arg("-d")
        .arg(format!("ml_connector.spool_path={}", stack.spool_path().display()))
        .arg("-d")
        .arg(format!("ml_connector.key_path={}", stack.dir.path().join("vault.key").display()))
        .arg("-d")
        .arg(format!("ml_connector.wake_socket={}", stack.dir.path().join("agent.sock").display()))
        .arg("-d")
        .arg("log_errors=0");
    if let Some(ms) = busy_timeout_ms {
        command.arg("-d").arg(format!("ml_connector.busy_timeout_ms={ms}"));
    }
    command.arg(&script).arg(&event);
    Ok(command)
}

pub fn parse_php(output: &Output) -> Enqueued {
    let stdout = String::from_utf8_lossy(&output.stdout);
    match stdout.lines().next().and_then(|line| serde_json::from_str::<Value>(line).ok()) {
        Some(answer) => Enqueued { seq: answer["seq"].as_i64(), error: answer["error"].as_str().map(str::to_string) },
        None => Enqueued { seq: None, error: Some(format!("php failed: {stdout}{}", String::from_utf8_lossy(&output.stderr))) },
    }
}
