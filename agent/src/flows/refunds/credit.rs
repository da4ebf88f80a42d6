//! Credit memos after posting. Each has an external document number made from the order's
//! (`WC-1001-R57` for refund 57, `WC-1001-C1` for the cancellation of the first invoice), and NAV
//! is searched for it before anything is created: the same event twice, a retry after a timeout or
//! an agent killed mid-request all end with one credit memo. Posting it is optional
//! (`refunds.post_credit_memos`) and also repeatable (only drafts are posted).

use rust_decimal::Decimal;

use super::{attempt, failed};
use crate::adapter::bc_api::credit_memos::{invoice_line_draft, NavCreditMemo, NavInvoice};
use crate::adapter::http::Recorder;
use crate::adapter::nav::Nav;
use crate::flows::{audit_decision, Outcome};
use crate::mapper::credit_memo::{credit_memo_for_invoice, credit_memo_for_refund, refund_document_number, CreditMemoDraft, InvoiceRef, Refund};
use crate::model::nav::{LineSource, SalesOrderDraft};
use crate::runtime::Runtime;
use crate::store::bindings::OrderLink;
use crate::store::jobs::Job;

/// The invoice a refund applies to: the newest one that has (most of) the refunded items — with
/// partial posting, each invoice holds only what was posted with it — else the newest.
fn invoice_for<'a>(refund: &Refund, order: &SalesOrderDraft, invoices: &'a [NavInvoice]) -> Option<&'a NavInvoice> {
    let items: Vec<&str> = refund
        .line_items
        .iter()
        .flatten()
        .filter_map(|l| l.refunded_item_id())
        .filter_map(|id| order.lines.iter().find(|l| l.source == LineSource::WooItem(id)))
        .map(|l| l.number.as_str())
        .collect();
    let holds = |invoice: &NavInvoice| items.iter().filter(|item| invoice.lines.iter().any(|l| l.line_type == "Item" && l.number == **item)).count();
    invoices.iter().rev().max_by_key(|invoice| holds(invoice)).filter(|invoice| holds(invoice) > 0).or_else(|| invoices.last())
}

pub async fn credit_refund(rt: &Runtime, nav: &Nav, job: &Job, link: &OrderLink, refund: &Refund, invoices: &[NavInvoice], rec: &Recorder) -> Outcome {
    let Some(order) = link.document.as_deref().and_then(|d| serde_json::from_str::<SalesOrderDraft>(d).ok()) else {
        return Outcome::Park(format!("refund {}: the sales order NAV received for this order is not recorded here, so its items are unknown", refund.id));
    };
    let Some(invoice) = invoice_for(refund, &order, invoices) else {
        return Outcome::Park(format!("refund {}: no posted invoice found for sales order {}", refund.id, link.nav_number.as_deref().unwrap_or("?")));
    };
    let target = InvoiceRef { id: &invoice.id, number: &invoice.number, prices_include_tax: invoice.prices_include_tax };
    let draft = match credit_memo_for_refund(refund, &order, &target, &rt.settings.refunds) {
        Ok(draft) => draft,
        Err(error) => return Outcome::Park(error.to_string()),
    };
    audit_decision(rt, job, "mapped credit memo", serde_json::json!({
        "refund": refund.id, "invoice": invoice.number, "invoices": invoices.iter().map(|i| &i.number).collect::<Vec<_>>(), "document": draft,
    }));
    // NAV taxes an amount line at its G/L account's rate, not the order's average: the credit memo
    // must still total what WooCommerce gave back (prices with tax carry no such drift).
    let expected = (!invoice.prices_include_tax).then_some(refund.amount);
    make(rt, nav, job, &draft, expected, rec).await
}

/// A cancellation after posting: every invoice of the order credited in full.
pub async fn credit_invoices(rt: &Runtime, nav: &Nav, job: &Job, link: &OrderLink, invoices: &[NavInvoice], rec: &Recorder) -> Outcome {
    let mut made = Vec::new();
    for (index, invoice) in invoices.iter().enumerate() {
        let lines: Vec<_> = invoice
            .lines
            .iter()
            .map(|l| {
                let code = if l.variant_code.is_empty() { rt.store.variant_by_id(&l.variant_id).ok().flatten().map(|(_, code)| code) } else { Some(l.variant_code.clone()) };
                invoice_line_draft(l, code)
            })
            .collect();
        let target = InvoiceRef { id: &invoice.id, number: &invoice.number, prices_include_tax: invoice.prices_include_tax };
        let draft = credit_memo_for_invoice(&link.external_document_number, index + 1, link.customer_number.as_deref().unwrap_or_default(), &target, &lines);
        audit_decision(rt, job, "mapped credit memo", serde_json::json!({"cancellation_of": invoice.number, "document": draft}));
        match make(rt, nav, job, &draft, None, rec).await {
            Outcome::Done(summary) | Outcome::Skipped(summary) => made.push(summary),
            other => return other,
        }
    }
    Outcome::Done(made.join("; "))
}

/// Finds the credit memo by its external document number or creates it; brings a draft's total to
/// `expected` by re-pricing its amount line; posts it if configured.
async fn make(rt: &Runtime, nav: &Nav, job: &Job, draft: &CreditMemoDraft, expected: Option<Decimal>, rec: &Recorder) -> Outcome {
    let external = &draft.external_document_number;
    let found = attempt!(rt, job, "look for the credit memo", rec, nav.find_credit_memos(external, rec));
    let (memo, adopted) = match found.into_iter().next() {
        Some(memo) => {
            audit_decision(rt, job, "adopted existing credit memo", serde_json::json!({"external_document_number": external, "found": memo}));
            (memo, true)
        }
        None => (attempt!(rt, job, "create credit memo", rec, nav.create_credit_memo(draft, &rt.catalog(), rec)), false),
    };
    let memo = match (expected, nav.api()) {
        (Some(expected), Some(api)) if memo.is_draft() && memo.total_including_tax != expected => {
            attempt!(rt, job, "re-price the amount refund line", rec, reprice_amount_line(api, &memo, expected, &rt.settings.refunds.amount_account, rec))
        }
        _ => memo,
    };
    // Page web services cannot post: the draft waits for NAV's users (docs/refunds.md).
    let memo = if rt.settings.refunds.post_credit_memos && memo.is_draft() && nav.can_post_credit_memos() {
        attempt!(rt, job, "post credit memo", rec, nav.post_credit_memo(&memo, rec))
    } else {
        if adopted {
            return Outcome::Skipped(format!("credit memo {} ({external}) is in NAV already", memo.number));
        }
        memo
    };
    Outcome::Done(format!("credit memo {} ({external}) for invoice {}{}", memo.number, draft.invoice_number, if memo.is_draft() { ", draft" } else { ", posted" }))
}

/// The amount line priced again from the tax rate NAV applied, when that rate explains the gap
/// (less than half the line); otherwise the credit memo is left as NAV made it.
async fn reprice_amount_line(api: &crate::adapter::bc_api::BcApi, memo: &NavCreditMemo, expected: Decimal, account: &str, rec: &Recorder) -> crate::adapter::AdapterResult<NavCreditMemo> {
    let gap = expected - memo.total_including_tax;
    let lines = api.credit_memo_lines(memo, rec).await?;
    let Some(line) = lines.iter().rev().find(|l| l.number == account && l.unit_price > Decimal::ZERO && !l.tax_percent.is_zero()) else {
        return Ok(memo.clone());
    };
    let wanted_gross = line.amount_including_tax + gap;
    if wanted_gross <= Decimal::ZERO || gap.abs() * Decimal::TWO >= line.amount_including_tax.abs() {
        return Ok(memo.clone());
    }
    let price = (wanted_gross / (Decimal::ONE + line.tax_percent / Decimal::ONE_HUNDRED)).round_dp(2);
    if price == line.unit_price {
        return Ok(memo.clone());
    }
    api.set_credit_memo_line_price(memo, line, price, rec).await
}

/// A refund deleted in WooCommerce after NAV posted the order: its draft credit memo is deleted;
/// a posted one cannot be, so the job is held for an operator with what to do.
pub async fn refund_deleted(rt: &Runtime, nav: &Nav, job: &Job, link: &OrderLink, refund_id: i64, rec: &Recorder) -> Outcome {
    let external = refund_document_number(&link.external_document_number, refund_id);
    let found: Vec<NavCreditMemo> = attempt!(rt, job, "look for the credit memo", rec, nav.find_credit_memos(&external, rec));
    let Some(memo) = found.into_iter().next() else {
        return Outcome::Skipped(format!("refund {refund_id} was deleted; NAV has no credit memo {external}"));
    };
    if memo.is_draft() {
        if let Err(error) = nav.delete_credit_memo(&memo, rec).await {
            crate::flows::audit_exchanges(rt, job, "delete credit memo", rec);
            return failed("delete credit memo", error);
        }
        crate::flows::audit_exchanges(rt, job, "delete credit memo", rec);
        return Outcome::Done(format!("draft credit memo {} ({external}) deleted: refund {refund_id} was deleted in WooCommerce", memo.number));
    }
    audit_decision(rt, job, "refund deleted after its credit memo was posted", serde_json::json!({"credit_memo": memo}));
    Outcome::Held(format!(
        "refund {refund_id} was deleted in WooCommerce, but credit memo {} ({external}) is posted in NAV and cannot be deleted; \
         if the refund is void, cancel the credit memo in NAV (that makes a corrective invoice)",
        memo.number
    ))
}
