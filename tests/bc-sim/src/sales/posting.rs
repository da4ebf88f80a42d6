//! Posting, as Sales-Post does it: an order's quantities to ship and invoice become a posted
//! shipment, a posted invoice (new id, `orderId`/`orderNumber`, status Open) and item ledger
//! entries; a fully shipped and invoiced order is deleted. Draft invoices and credit memos keep
//! their id and get a number from the posted series. Posted invoices can be cancelled (a posted
//! corrective credit memo) or copied into a draft corrective credit memo.

use rust_decimal::Decimal;
use uuid::Uuid;

use super::headers::{not_found, store_changed};
use super::totals::recalc;
use crate::entities::documents::header_def;
use crate::entities::ledger::post_entry;
use crate::error::{ApiError, ApiResult};
use crate::odata::value::round2;
use crate::store::records::LedgerEntry;
use crate::store::sales::{DocKind, LineKind, SalesDoc, SalesLine};
use crate::store::{ChangeKind, Company, Series};

/// Ledger entry types and document types used here (indexes into the API enums).
const SALE: usize = 1;
const DOC_SALES_SHIPMENT: usize = 1;
const DOC_SALES_INVOICE: usize = 2;
const DOC_SALES_CREDIT_MEMO: usize = 4;
const SOURCE_CUSTOMER: usize = 1;

/// What a posting produced.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Posted {
    pub shipment_id: Option<Uuid>,
    pub shipment_number: Option<String>,
    pub invoice_id: Option<Uuid>,
    pub invoice_number: Option<String>,
    /// The order was fully shipped and invoiced, and deleted.
    pub order_deleted: bool,
}

/// Who posts: the API's `Microsoft.NAV.shipAndInvoice`, or a user in the client (the control
/// API), who assigns item charges before posting as BC requires.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PostedBy {
    Api,
    User,
}

fn check_lines(doc: &SalesDoc, what: &str) -> ApiResult<()> {
    if doc.lines.is_empty() {
        return Err(ApiError::dialog(format!("Please add at least one line item to the {what}.")));
    }
    if doc.lines.iter().any(|l| l.kind != LineKind::Comment && !l.number.is_empty() && l.quantity.is_zero()) {
        return Err(ApiError::dialog(
            "One or more document lines with a value in the No. field do not have a quantity specified.",
        ));
    }
    Ok(())
}

fn check_customer(co: &Company, number: &str, shipping: bool, invoicing: bool) -> ApiResult<()> {
    let Some(customer) = co.customers.by_key(number) else {
        return Err(ApiError::related_record_missing("Customer", &format!("No.='{number}'")));
    };
    let blocked_type = match customer.blocked {
        3 => Some("All"),
        1 if shipping => Some("Ship"),
        2 if invoicing => Some("Invoice"),
        _ => None,
    };
    match blocked_type {
        Some(kind) => Err(ApiError::dialog(format!(
            "You cannot post this type of document when Customer {number} is blocked with type {kind}"
        ))),
        None => Ok(()),
    }
}

/// Prevent Negative Inventory, checked for the whole posting before anything is written.
fn check_stock<'a>(co: &Company, outgoing: impl Iterator<Item = (&'a SalesLine, Decimal)>) -> ApiResult<()> {
    if !co.setup.prevent_negative_inventory {
        return Ok(());
    }
    let mut per_item: std::collections::BTreeMap<&str, Decimal> = std::collections::BTreeMap::new();
    for (line, quantity) in outgoing.filter(|(l, _)| l.kind == LineKind::Item && !l.number.is_empty()) {
        *per_item.entry(line.number.as_str()).or_default() += quantity;
    }
    for (item, quantity) in per_item {
        if quantity > Decimal::ZERO && co.ledger.inventory(item) < quantity {
            return Err(ApiError::dialog(format!("You have insufficient quantity of Item {item} on inventory.")));
        }
    }
    Ok(())
}

fn check_items(co: &Company, lines: &[SalesLine]) -> ApiResult<()> {
    for line in lines.iter().filter(|l| l.kind == LineKind::Item && !l.number.is_empty()) {
        if co.items.by_key(&line.number).is_some_and(|i| i.blocked) {
            return Err(ApiError::field_validation(format!(
                "Blocked must be equal to 'No'  in Item: No.={}. Current value is 'Yes'.",
                line.number
            )));
        }
    }
    Ok(())
}

/// A line of a posted document: the source line for `quantity` of it.
fn posted_line(source: &SalesLine, document_id: Uuid, quantity: Decimal) -> SalesLine {
    let share = if source.quantity.is_zero() { Decimal::ZERO } else { quantity / source.quantity };
    SalesLine {
        id: Uuid::new_v4(),
        document_id,
        quantity,
        discount_amount: round2(source.discount_amount * share),
        invoice_discount: round2(source.invoice_discount * share),
        shipped: Decimal::ZERO,
        invoiced: Decimal::ZERO,
        qty_to_ship: Decimal::ZERO,
        qty_to_invoice: Decimal::ZERO,
        ..source.clone()
    }
}

/// A posted copy of a document header with its own id, number and lines.
fn posted_copy(co: &mut Company, source: &SalesDoc, kind: DocKind, series: Series, lines: Vec<SalesLine>) -> SalesDoc {
    let meta = co.stamp();
    let mut doc = SalesDoc {
        id: Uuid::new_v4(),
        meta,
        kind,
        posted: true,
        number: co.next_number(series),
        lines,
        invoice_discount: Decimal::ZERO,
        order_id: Uuid::nil(),
        order_number: String::new(),
        applies_to_id: Uuid::nil(),
        applies_to_number: String::new(),
        cancelled: false,
        corrective: false,
        ..source.clone()
    };
    for line in &mut doc.lines {
        line.document_id = doc.id;
        line.meta = meta;
    }
    doc.invoice_discount = doc.lines.iter().map(|l| l.invoice_discount).sum();
    recalc(co, &mut doc);
    doc.remaining = doc.totals.incl;
    doc
}

fn ledger_entry(
    co: &Company,
    doc: &SalesDoc,
    line: &SalesLine,
    quantity: Decimal,
    document_type: usize,
    number: &str,
) -> LedgerEntry {
    let unit_cost = co.items.by_key(&line.number).map(|i| i.unit_cost).unwrap_or_default();
    let per_unit = if line.quantity.is_zero() { Decimal::ZERO } else { line.net.excl / line.quantity };
    LedgerEntry {
        id: Uuid::new_v4(),
        meta: co.meta,
        entry_number: 0,
        item_number: line.number.clone(),
        posting_date: doc.posting_date,
        entry_type: SALE,
        source_number: doc.customer_number.clone(),
        source_type: SOURCE_CUSTOMER,
        document_number: number.to_string(),
        document_type,
        description: line.description.clone(),
        quantity,
        sales_amount: round2(-per_unit * quantity),
        cost_amount: round2(-unit_cost * quantity),
        location: line.location.clone(),
        variant: line.variant.clone(),
    }
}

fn add_balance(co: &mut Company, customer: &str, amount: Decimal) {
    *co.balances.entry(customer.to_string()).or_default() += amount;
}

/// Sets the quantities to ship and invoice of an order before a user posts it: `None` = all
/// that is outstanding; otherwise the given quantity per line sequence, 0 for the others.
pub fn set_quantities(co: &mut Company, order_id: Uuid, quantities: Option<&[(i64, Decimal)]>) -> ApiResult<()> {
    let mut order = co.orders.get(order_id).cloned().ok_or_else(|| not_found(DocKind::Order, order_id))?;
    for line in &mut order.lines {
        let quantity = match quantities {
            None => line.outstanding(),
            Some(list) => list.iter().find(|(s, _)| *s == line.sequence).map(|(_, q)| *q).unwrap_or_default(),
        };
        if quantity > line.outstanding() || quantity < Decimal::ZERO {
            return Err(ApiError::dialog(format!("You cannot ship more than {} units.", line.outstanding())));
        }
        line.qty_to_ship = quantity;
        line.qty_to_invoice = quantity + line.shipped - line.invoiced;
    }
    if let Some(list) = quantities {
        if let Some((sequence, _)) = list.iter().find(|(s, _)| order.lines.iter().all(|l| l.sequence != *s)) {
            return Err(ApiError::dialog(format!("Order {} has no line {sequence}.", order.number)));
        }
    }
    store_changed(co, order);
    Ok(())
}

/// Ship and invoice an order with its current quantities to ship and invoice.
pub fn ship_and_invoice(co: &mut Company, order_id: Uuid, by: PostedBy) -> ApiResult<Posted> {
    let order = co.orders.get(order_id).cloned().ok_or_else(|| not_found(DocKind::Order, order_id))?;
    check_lines(&order, "estimate")?;
    let shipping = order.lines.iter().any(|l| !l.qty_to_ship.is_zero());
    let invoicing = order.lines.iter().any(|l| !l.qty_to_invoice.is_zero());
    if !shipping && !invoicing {
        return Err(ApiError::dialog("There is nothing to post."));
    }
    check_customer(co, &order.customer_number, shipping, false)?;
    check_customer(co, &order.bill_to_number, false, invoicing)?;
    check_items(co, &order.lines)?;
    if by == PostedBy::Api {
        if let Some(charge) = order.lines.iter().find(|l| l.kind == LineKind::Charge && !l.qty_to_invoice.is_zero()) {
            return Err(ApiError::dialog(format!(
                "You must assign item charge {} if you want to invoice it.",
                charge.number
            )));
        }
    }
    check_stock(co, order.lines.iter().map(|l| (l, l.qty_to_ship)))?;
    let work = co;
    let mut posted = Posted::default();
    if shipping {
        let lines: Vec<SalesLine> = order
            .lines
            .iter()
            .filter(|l| !l.qty_to_ship.is_zero() || l.kind == LineKind::Comment)
            .map(|l| posted_line(l, Uuid::nil(), l.qty_to_ship))
            .collect();
        let mut shipment = posted_copy(work, &order, DocKind::Shipment, Series::Shipment, lines);
        shipment.order_id = order.id;
        shipment.order_number = order.number.clone();
        for line in
            order.lines.iter().filter(|l| l.kind == LineKind::Item && !l.qty_to_ship.is_zero() && !l.number.is_empty())
        {
            let entry = ledger_entry(work, &order, line, -line.qty_to_ship, DOC_SALES_SHIPMENT, &shipment.number);
            post_entry(work, entry)?;
        }
        posted.shipment_id = Some(shipment.id);
        posted.shipment_number = Some(shipment.number.clone());
        work.shipments.insert(shipment);
    }
    if invoicing {
        let lines: Vec<SalesLine> = order
            .lines
            .iter()
            .filter(|l| !l.qty_to_invoice.is_zero() || l.kind == LineKind::Comment)
            .map(|l| posted_line(l, Uuid::nil(), l.qty_to_invoice))
            .collect();
        let mut invoice = posted_copy(work, &order, DocKind::Invoice, Series::PostedInvoice, lines);
        invoice.order_id = order.id;
        invoice.order_number = order.number.clone();
        add_balance(work, &invoice.bill_to_number, invoice.totals.incl);
        posted.invoice_id = Some(invoice.id);
        posted.invoice_number = Some(invoice.number.clone());
        let id = invoice.id;
        work.invoices.insert(invoice);
        work.record_change(header_def(DocKind::Invoice).name, id, ChangeKind::Created);
    }
    let mut remaining = order.clone();
    for line in &mut remaining.lines {
        line.shipped += line.qty_to_ship;
        line.invoiced += line.qty_to_invoice;
        line.qty_to_ship = line.outstanding();
        line.qty_to_invoice = line.qty_to_ship + line.shipped - line.invoiced;
    }
    let complete = remaining
        .lines
        .iter()
        .filter(|l| l.kind != LineKind::Comment)
        .all(|l| l.quantity == l.shipped && l.quantity == l.invoiced);
    if complete {
        work.orders.remove(order.id);
        work.record_change(header_def(DocKind::Order).name, order.id, ChangeKind::Deleted);
        posted.order_deleted = true;
    } else {
        for line in &mut remaining.lines {
            line.meta = work.touch(line.meta);
        }
        store_changed(work, remaining);
    }
    Ok(posted)
}

/// `Microsoft.NAV.post` on a draft invoice or credit memo: same id, posted number, ledger entries.
pub fn post_draft(co: &mut Company, kind: DocKind, id: Uuid) -> ApiResult<()> {
    let draft = co.docs(kind).get(id).cloned().ok_or_else(|| not_found(kind, id))?;
    if draft.posted {
        return Err(ApiError::dialog(format!("The action can be applied to a draft {} only.", kind.caption())));
    }
    check_lines(&draft, kind.caption())?;
    check_customer(co, &draft.customer_number, false, false)?;
    check_customer(co, &draft.bill_to_number, false, true)?;
    check_items(co, &draft.lines)?;
    if let Some(charge) = draft.lines.iter().find(|l| l.kind == LineKind::Charge && !l.quantity.is_zero()) {
        return Err(ApiError::dialog(format!(
            "You must assign item charge {} if you want to invoice it.",
            charge.number
        )));
    }
    if kind != DocKind::CreditMemo {
        check_stock(co, draft.lines.iter().map(|l| (l, l.quantity)))?;
    }
    let work = co;
    let mut doc = draft.clone();
    let (series, sign, document_type) = match kind {
        DocKind::CreditMemo => (Series::PostedCreditMemo, Decimal::ONE, DOC_SALES_CREDIT_MEMO),
        _ => (Series::PostedInvoice, -Decimal::ONE, DOC_SALES_INVOICE),
    };
    doc.number = work.next_number(series);
    doc.posted = true;
    for line in doc.lines.iter().filter(|l| l.kind == LineKind::Item && !l.number.is_empty() && !l.quantity.is_zero()) {
        let entry = ledger_entry(work, &doc, line, sign * line.quantity, document_type, &doc.number);
        post_entry(work, entry)?;
    }
    doc.remaining = doc.totals.incl;
    if kind == DocKind::CreditMemo {
        add_balance(work, &doc.bill_to_number, -doc.totals.incl);
        apply_to_invoice(work, &mut doc);
    } else {
        add_balance(work, &doc.bill_to_number, doc.totals.incl);
    }
    store_changed(work, doc);
    Ok(())
}

/// A posted credit memo closes (part of) the invoice it applies to.
fn apply_to_invoice(co: &mut Company, credit_memo: &mut SalesDoc) {
    let Some(mut invoice) = co.invoices.get(credit_memo.applies_to_id).cloned() else { return };
    let applied = credit_memo.remaining.min(invoice.remaining).max(Decimal::ZERO);
    invoice.remaining -= applied;
    credit_memo.remaining -= applied;
    store_changed(co, invoice);
}

fn posted_invoice(co: &Company, id: Uuid, action: &str) -> ApiResult<SalesDoc> {
    let invoice = co.invoices.get(id).cloned().ok_or_else(|| not_found(DocKind::Invoice, id))?;
    if !invoice.posted {
        return Err(ApiError::dialog(format!("The action '{action}' can be applied to a posted invoice only.")));
    }
    Ok(invoice)
}

/// A credit memo for the whole invoice (lines copied, applies-to set).
fn credit_memo_for(co: &mut Company, invoice: &SalesDoc, posted: bool) -> SalesDoc {
    let id = Uuid::new_v4();
    let meta = co.stamp();
    let lines =
        invoice.lines.iter().map(|l| SalesLine { id: Uuid::new_v4(), document_id: id, meta, ..l.clone() }).collect();
    let series = if posted { Series::PostedCreditMemo } else { Series::CreditMemo };
    let mut memo = SalesDoc {
        id,
        meta,
        kind: DocKind::CreditMemo,
        posted,
        number: co.next_number(series),
        lines,
        order_id: Uuid::nil(),
        order_number: String::new(),
        applies_to_id: invoice.id,
        applies_to_number: invoice.number.clone(),
        cancelled: false,
        corrective: posted,
        ..invoice.clone()
    };
    recalc(co, &mut memo);
    memo.remaining = memo.totals.incl;
    memo
}

fn check_untouched(invoice: &SalesDoc) -> ApiResult<()> {
    if invoice.remaining.is_zero() && !invoice.totals.incl.is_zero() {
        return Err(ApiError::dialog("The invoice is closed. You cannot create a corrective credit memo for it."));
    }
    if invoice.remaining != invoice.totals.incl {
        return Err(ApiError::dialog(
            "The invoice is partially paid or credited. You cannot create a corrective credit memo for it.",
        ));
    }
    Ok(())
}

/// `Microsoft.NAV.makeCorrectiveCreditMemo`: a draft credit memo copying the posted invoice.
pub fn make_corrective_credit_memo(co: &mut Company, invoice_id: Uuid) -> ApiResult<Uuid> {
    let invoice = posted_invoice(co, invoice_id, "makeCorrectiveCreditMemo")?;
    if invoice.cancelled {
        return Err(ApiError::dialog(
            "The invoice has been canceled. You cannot create a corrective credit memo for it.",
        ));
    }
    check_untouched(&invoice)?;
    let memo = credit_memo_for(co, &invoice, false);
    let id = memo.id;
    co.credit_memos.insert(memo);
    co.record_change(header_def(DocKind::CreditMemo).name, id, ChangeKind::Created);
    Ok(id)
}

/// `Microsoft.NAV.cancel` on a posted invoice: a posted corrective credit memo for all of it.
pub fn cancel_invoice(co: &mut Company, invoice_id: Uuid) -> ApiResult<Uuid> {
    let invoice = posted_invoice(co, invoice_id, "cancel")?;
    if invoice.cancelled {
        return Err(ApiError::dialog("The invoice cannot be cancelled because it has already been canceled."));
    }
    check_untouched(&invoice)?;
    let work = co;
    let mut memo = credit_memo_for(work, &invoice, true);
    for line in memo.lines.iter().filter(|l| l.kind == LineKind::Item && !l.number.is_empty() && !l.quantity.is_zero())
    {
        let entry = ledger_entry(work, &memo, line, line.quantity, DOC_SALES_CREDIT_MEMO, &memo.number);
        post_entry(work, entry)?;
    }
    add_balance(work, &invoice.bill_to_number, -invoice.remaining);
    memo.remaining = Decimal::ZERO;
    let mut cancelled = invoice.clone();
    cancelled.cancelled = true;
    cancelled.remaining = Decimal::ZERO;
    store_changed(work, cancelled);
    let id = memo.id;
    work.credit_memos.insert(memo);
    work.record_change(header_def(DocKind::CreditMemo).name, id, ChangeKind::Created);
    Ok(id)
}
