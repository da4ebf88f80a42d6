//! WooCommerce refunds → NAV documents, pure (docs/refunds.md):
//!
//! * before NAV posts the order, [`net_of_refunds`] turns the order's sales order draft into what
//!   NAV should hold once *all* of the order's current refunds are taken off — item lines reduced
//!   or removed, a shipping line lowered, anything else as one negative line per refund on the
//!   amount account. It is absolute, not a delta: applying it twice, after a second partial
//!   refund, or after a refund was deleted in WooCommerce always gives the same document;
//! * after posting, [`credit_memo_for_refund`] makes the credit memo of one refund (its lines,
//!   quantities and amounts as WooCommerce gave them back), and [`credit_memo_for_invoice`] the one
//!   that credits a whole invoice (a cancellation).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::fit;
use crate::config::RefundSettings;
use crate::model::money::{cents, lenient};
use crate::model::nav::{code, LineKind, LineSource, SalesLineDraft, SalesOrderDraft};
use crate::model::woo::MetaData;

/// Meta key WooCommerce puts on a refund's line: the id of the order line it refunds.
const REFUNDED_ITEM: &str = "_refunded_item_id";

/// A refund as REST v3 shows it (`/orders/{id}/refunds`) and the plugin's refund events carry it.
/// Quantities and totals of its lines are negative.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Refund {
    pub id: i64,
    #[serde(default, deserialize_with = "lenient")]
    pub amount: Decimal,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub line_items: Option<Vec<RefundLine>>,
    /// Read-only on the refund: a copy of each refunded shipping line, negative, shaped as the
    /// order's (`method_title`, no quantity) with `_refunded_item_id` (reference §3.6).
    #[serde(default)]
    pub shipping_lines: Option<Vec<RefundLine>>,
    /// The same for refunded fees. Their money goes with the rest of the refund (the amount
    /// account); reading them makes its net exact instead of taken at the order's average rate.
    #[serde(default)]
    pub fee_lines: Option<Vec<RefundLine>>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RefundLine {
    /// A product or fee line's `name`; a shipping line has `method_title` instead.
    #[serde(default, alias = "method_title")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub quantity: Decimal,
    #[serde(default, deserialize_with = "lenient")]
    pub total: Decimal,
    #[serde(default, deserialize_with = "lenient")]
    pub total_tax: Decimal,
    #[serde(default)]
    pub meta_data: Option<Vec<MetaData>>,
}

impl RefundLine {
    /// The order line (item or shipping) this refund line gives money back for.
    pub fn refunded_item_id(&self) -> Option<i64> {
        let meta = self.meta_data.as_ref()?.iter().find(|m| m.key == REFUNDED_ITEM)?;
        match &meta.value {
            serde_json::Value::String(text) => text.trim().parse().ok(),
            other => other.as_i64(),
        }
    }

    /// What was given back for the line, with or without tax as the document's prices are.
    fn amount(&self, with_tax: bool) -> Decimal {
        if with_tax {
            (self.total + self.total_tax).abs()
        } else {
            self.total.abs()
        }
    }
}

impl Refund {
    fn items(&self) -> &[RefundLine] {
        self.line_items.as_deref().unwrap_or(&[])
    }

    fn shipping(&self) -> &[RefundLine] {
        self.shipping_lines.as_deref().unwrap_or(&[])
    }

    fn fees(&self) -> &[RefundLine] {
        self.fee_lines.as_deref().unwrap_or(&[])
    }

    /// The refund without tax. Its lines say their tax; an amount beyond them (a refund of an
    /// amount only) carries none, so it is taken as including the order's average tax rate
    /// (`tax_factor` = total ÷ net total): exact for orders with one rate.
    fn net(&self, tax_factor: Decimal) -> Decimal {
        let lines = self.items().iter().chain(self.shipping()).chain(self.fees());
        let (net, gross): (Decimal, Decimal) = lines.fold((Decimal::ZERO, Decimal::ZERO), |(n, g), l| (n + l.total.abs(), g + (l.total + l.total_tax).abs()));
        let factor = if tax_factor > Decimal::ZERO { tax_factor } else { Decimal::ONE };
        cents(net + (self.amount - gross) / factor)
    }

    /// The refund's total as the document's prices are: WooCommerce's `amount` includes tax.
    fn total(&self, with_tax: bool, tax_factor: Decimal) -> Decimal {
        if with_tax {
            self.amount
        } else {
            self.net(tax_factor)
        }
    }

    fn description(&self) -> String {
        match self.reason.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
            Some(reason) => fit(&format!("Refund {}: {reason}", self.id), 100),
            None => format!("Refund {}", self.id),
        }
    }
}

/// Total ÷ net total of an order (1 without tax).
fn tax_factor(order: &SalesOrderDraft) -> Decimal {
    if order.expected_total_excluding_tax > Decimal::ZERO {
        order.expected_total_including_tax / order.expected_total_excluding_tax
    } else {
        Decimal::ONE
    }
}

fn line_amount(line: &SalesLineDraft) -> Decimal {
    line.quantity * line.unit_price - line.discount_amount
}

/// The sales order as NAV should hold it once every refund in `refunds` is taken off.
pub fn net_of_refunds(draft: &SalesOrderDraft, refunds: &[Refund], settings: &RefundSettings) -> SalesOrderDraft {
    let with_tax = draft.prices_include_tax;
    let factor = tax_factor(draft);
    let mut netted = draft.clone();
    let mut refunds: Vec<&Refund> = refunds.iter().collect();
    refunds.sort_by_key(|r| r.id);
    for refund in refunds {
        let mut taken_off = Decimal::ZERO;
        for line in refund.items() {
            let (Some(item), quantity) = (line.refunded_item_id(), line.quantity.abs()) else { continue };
            let Some(target) = netted.lines.iter_mut().find(|l| l.source == LineSource::WooItem(item)) else { continue };
            if quantity.is_zero() || target.quantity.is_zero() {
                continue;
            }
            let before = line_amount(target);
            let remaining = (target.quantity - quantity).max(Decimal::ZERO);
            target.discount_amount = cents(target.discount_amount * remaining / target.quantity);
            target.quantity = remaining;
            taken_off += before - line_amount(target);
        }
        for line in refund.shipping() {
            let Some(shipping) = line.refunded_item_id() else { continue };
            let Some(target) = netted.lines.iter_mut().find(|l| l.source == LineSource::Shipping(shipping)) else { continue };
            let lowered = line.amount(with_tax).min(target.unit_price.max(Decimal::ZERO));
            target.unit_price -= lowered;
            taken_off += lowered;
        }
        let rest = cents(refund.total(with_tax, factor) - taken_off);
        if rest > Decimal::ZERO {
            netted.lines.push(SalesLineDraft {
                kind: LineKind::Account,
                number: settings.amount_account.clone(),
                variant_code: None,
                description: refund.description(),
                quantity: Decimal::ONE,
                unit_price: -rest,
                discount_amount: Decimal::ZERO,
                source: LineSource::Refund(refund.id),
            });
        }
        netted.expected_total_including_tax -= refund.amount;
        netted.expected_total_excluding_tax -= refund.net(factor);
    }
    // Lines with nothing left go: a fully refunded item, a shipping line refunded in full.
    let spent = |l: &SalesLineDraft| l.quantity.is_zero() || (matches!(l.source, LineSource::Shipping(_)) && l.unit_price.is_zero());
    netted.lines.retain(|l| !spent(l));
    netted
}

/// Whether nothing is left on the order: no item, and no money WooCommerce kept (a full refund
/// before posting). Items refunded while the shipping charge stays are not nothing: the money is
/// still the shop's, so NAV keeps the order with its shipping line (found by the fault matrix: the
/// order was deleted and NAV lost the 10.00 the customer still paid).
pub fn nothing_left(netted: &SalesOrderDraft) -> bool {
    !netted.lines.iter().any(|l| matches!(l.source, LineSource::WooItem(_))) && netted.expected_total_including_tax < Decimal::new(1, 2)
}

/// A credit memo to create in NAV.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CreditMemoDraft {
    /// `<order's external document number>-R<refund id>` or `-C<n>` for a cancellation; BC's
    /// own duplicates check does not exist, so the agent looks this up before creating.
    pub external_document_number: String,
    pub customer_number: String,
    /// The posted invoice it applies to (`invoiceId` + `invoiceNumber`).
    pub invoice_id: String,
    pub invoice_number: String,
    /// The invoice's: line prices are gross or net as there (API v2.0 copies it from the
    /// customer and shows it read-only; the Sales Credit Memo page takes it).
    pub prices_include_tax: bool,
    pub lines: Vec<SalesLineDraft>,
}

pub fn refund_document_number(order_external: &str, refund_id: i64) -> String {
    fit(&code(&format!("{order_external}-R{refund_id}")), 35)
}

pub fn cancellation_document_number(order_external: &str, invoice_index: usize) -> String {
    fit(&code(&format!("{order_external}-C{invoice_index}")), 35)
}

/// Why a refund cannot become a credit memo as it is.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CreditMemoError {
    #[error("refund {refund}: line {name:?} refunds order line {item}, which the sales order NAV received does not have")]
    UnknownLine { refund: i64, item: i64, name: String },
    #[error("refund {0} gives nothing back (amount 0, no lines)")]
    Empty(i64),
}

/// The invoice a credit memo applies to, and how its prices are (the credit memo's are the same:
/// both come from the bill-to customer).
pub struct InvoiceRef<'a> {
    pub id: &'a str,
    pub number: &'a str,
    pub prices_include_tax: bool,
}

/// The credit memo of one refund after posting: an item line per refunded item (the NAV item the
/// sales order had for that WooCommerce line), the shipping refund on the shipping account, and
/// whatever else the refund gave back on the amount account.
pub fn credit_memo_for_refund(
    refund: &Refund,
    order: &SalesOrderDraft,
    invoice: &InvoiceRef<'_>,
    settings: &RefundSettings,
) -> Result<CreditMemoDraft, CreditMemoError> {
    let with_tax = invoice.prices_include_tax;
    let mut lines = Vec::new();
    for line in refund.items() {
        let quantity = line.quantity.abs();
        if quantity.is_zero() {
            continue;
        }
        let item = line.refunded_item_id().unwrap_or_default();
        let ordered = order.lines.iter().find(|l| l.source == LineSource::WooItem(item)).ok_or_else(|| CreditMemoError::UnknownLine {
            refund: refund.id,
            item,
            name: line.name.clone().unwrap_or_default(),
        })?;
        lines.push(SalesLineDraft {
            quantity,
            unit_price: (line.amount(with_tax) / quantity).round_dp(5),
            discount_amount: Decimal::ZERO,
            source: LineSource::WooItem(item),
            ..ordered.clone()
        });
    }
    for line in refund.shipping() {
        let amount = line.amount(with_tax);
        if amount.is_zero() {
            continue;
        }
        lines.push(SalesLineDraft {
            kind: LineKind::Account,
            number: settings.shipping_account.clone(),
            variant_code: None,
            description: fit(&format!("Shipping refund: {}", line.name.as_deref().unwrap_or_default()), 100),
            quantity: Decimal::ONE,
            unit_price: amount,
            discount_amount: Decimal::ZERO,
            source: LineSource::Shipping(line.refunded_item_id().unwrap_or_default()),
        });
    }
    let rest = cents(refund.total(with_tax, tax_factor(order)) - lines.iter().map(line_amount).sum::<Decimal>());
    if rest > Decimal::ZERO {
        lines.push(SalesLineDraft {
            kind: LineKind::Account,
            number: settings.amount_account.clone(),
            variant_code: None,
            description: refund.description(),
            quantity: Decimal::ONE,
            unit_price: rest,
            discount_amount: Decimal::ZERO,
            source: LineSource::Refund(refund.id),
        });
    }
    if lines.is_empty() {
        return Err(CreditMemoError::Empty(refund.id));
    }
    Ok(CreditMemoDraft {
        external_document_number: refund_document_number(&order.external_document_number, refund.id),
        customer_number: order.customer_number.clone(),
        invoice_id: invoice.id.to_string(),
        invoice_number: invoice.number.to_string(),
        prices_include_tax: invoice.prices_include_tax,
        lines,
    })
}

/// A cancellation after posting: a credit memo with every line of the invoice.
pub fn credit_memo_for_invoice(order_external: &str, index: usize, customer_number: &str, invoice: &InvoiceRef<'_>, lines: &[SalesLineDraft]) -> CreditMemoDraft {
    CreditMemoDraft {
        external_document_number: cancellation_document_number(order_external, index),
        customer_number: customer_number.to_string(),
        invoice_id: invoice.id.to_string(),
        invoice_number: invoice.number.to_string(),
        prices_include_tax: invoice.prices_include_tax,
        lines: lines.iter().filter(|l| l.kind == LineKind::Comment || !l.quantity.is_zero()).cloned().collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(source: LineSource, kind: LineKind, number: &str, quantity: i64, price: &str) -> SalesLineDraft {
        SalesLineDraft {
            kind,
            number: number.into(),
            variant_code: None,
            description: number.into(),
            quantity: quantity.into(),
            unit_price: price.parse().unwrap(),
            discount_amount: Decimal::ZERO,
            source,
        }
    }

    /// 2 × 1900-S at 100.00 and 1 × 1896-S at 50.00 incl. tax, shipping 10.00: total 260.00.
    fn order() -> SalesOrderDraft {
        SalesOrderDraft {
            woo_order_id: 7,
            external_document_number: "WC-7".into(),
            customer_number: "30000".into(),
            order_date: String::new(),
            currency_code: None,
            prices_include_tax: true,
            sell_to: None,
            ship_to: None,
            email: String::new(),
            phone: String::new(),
            dimensions: vec![],
            price_group: None,
            lines: vec![
                line(LineSource::WooItem(11), LineKind::Item, "1900-S", 2, "100"),
                line(LineSource::WooItem(12), LineKind::Item, "1896-S", 1, "50"),
                line(LineSource::Shipping(13), LineKind::Account, "8100", 1, "10"),
            ],
            expected_total_including_tax: "260".parse().unwrap(),
            expected_total_excluding_tax: "216.67".parse().unwrap(),
            rule: None,
        }
    }

    fn refund(id: i64, amount: &str, items: &[(i64, i64, &str, &str)], shipping: &[(i64, &str)]) -> Refund {
        let meta = |of: i64| Some(vec![MetaData { id: None, key: REFUNDED_ITEM.into(), value: serde_json::json!(of.to_string()) }]);
        Refund {
            id,
            amount: amount.parse().unwrap(),
            reason: Some("damaged".into()),
            line_items: Some(
                items
                    .iter()
                    .map(|(of, qty, total, tax)| RefundLine { name: Some("x".into()), quantity: (-qty).into(), total: total.parse().unwrap(), total_tax: tax.parse().unwrap(), meta_data: meta(*of) })
                    .collect(),
            ),
            shipping_lines: Some(shipping.iter().map(|(of, total)| RefundLine { total: total.parse().unwrap(), meta_data: meta(*of), ..Default::default() }).collect()),
            fee_lines: None,
        }
    }

    fn settings() -> RefundSettings {
        RefundSettings::default()
    }

    #[test]
    fn a_refund_with_items_reduces_then_removes_lines() {
        let one = refund(90, "100", &[(11, 1, "-83.33", "-16.67")], &[]);
        let netted = net_of_refunds(&order(), std::slice::from_ref(&one), &settings());
        assert_eq!(netted.lines[0].quantity, Decimal::ONE);
        assert_eq!(netted.lines.len(), 3, "no amount line when the lines cover the refund");
        assert_eq!(netted.expected_total_including_tax, "160".parse::<Decimal>().unwrap());
        let two = refund(91, "50", &[(12, 1, "-41.67", "-8.33")], &[]);
        let netted = net_of_refunds(&order(), &[two, one], &settings());
        assert!(netted.lines.iter().all(|l| l.source != LineSource::WooItem(12)), "a fully refunded line is removed");
        assert!(!nothing_left(&netted));
    }

    #[test]
    fn netting_is_absolute_so_repeating_it_or_deleting_a_refund_is_harmless() {
        let refunds = vec![refund(90, "100", &[(11, 1, "-83.33", "-16.67")], &[])];
        let once = net_of_refunds(&order(), &refunds, &settings());
        assert_eq!(net_of_refunds(&order(), &refunds, &settings()), once);
        assert_eq!(net_of_refunds(&order(), &[], &settings()), order(), "a deleted refund gives its quantities back");
    }

    #[test]
    fn amount_only_and_shipping_refunds_before_posting() {
        let goodwill = refund(92, "15", &[], &[]);
        let shipping = refund(93, "10", &[], &[(13, "-10")]);
        let netted = net_of_refunds(&order(), &[goodwill, shipping], &settings());
        let extra = netted.lines.iter().find(|l| l.source == LineSource::Refund(92)).unwrap();
        assert_eq!((extra.number.as_str(), extra.unit_price), ("8500", "-15".parse().unwrap()));
        assert!(netted.lines.iter().all(|l| l.source != LineSource::Shipping(13)), "fully refunded shipping is removed");
        assert!(netted.lines.iter().all(|l| l.source != LineSource::Refund(93)), "the shipping line covered that refund");
        assert_eq!(netted.expected_total_including_tax, "235".parse::<Decimal>().unwrap());
    }

    #[test]
    fn an_amount_refund_on_prices_without_tax_takes_the_orders_tax_rate_off() {
        let mut net_order = order();
        net_order.prices_include_tax = false;
        net_order.expected_total_including_tax = "240".parse().unwrap();
        net_order.expected_total_excluding_tax = "200".parse().unwrap();
        let netted = net_of_refunds(&net_order, &[refund(99, "6", &[], &[])], &settings());
        let extra = netted.lines.iter().find(|l| l.source == LineSource::Refund(99)).unwrap();
        assert_eq!(extra.unit_price, "-5".parse().unwrap(), "NAV adds the 20 % itself");
        assert_eq!((netted.expected_total_including_tax, netted.expected_total_excluding_tax), ("234".parse().unwrap(), "195".parse().unwrap()));
    }

    #[test]
    fn items_refunded_but_shipping_kept_is_not_nothing() {
        let items = refund(96, "250", &[(11, 2, "-166.67", "-33.33"), (12, 1, "-41.67", "-8.33")], &[]);
        let netted = net_of_refunds(&order(), &[items], &settings());
        assert!(!nothing_left(&netted), "the 10.00 shipping is still charged");
        assert_eq!(netted.lines.iter().map(|l| l.source.clone()).collect::<Vec<_>>(), vec![LineSource::Shipping(13)]);
    }

    #[test]
    fn everything_refunded_leaves_nothing() {
        let all = refund(94, "260", &[(11, 2, "-166.67", "-33.33"), (12, 1, "-41.67", "-8.33")], &[(13, "-10")]);
        assert!(nothing_left(&net_of_refunds(&order(), &[all], &settings())));
    }

    #[test]
    fn a_credit_memo_has_the_refunded_lines_shipping_and_the_rest() {
        let refund = refund(95, "135", &[(11, 1, "-83.33", "-16.67")], &[(13, "-8.33")]);
        let invoice = InvoiceRef { id: "inv-1", number: "PSI-1", prices_include_tax: false };
        let memo = credit_memo_for_refund(&refund, &order(), &invoice, &settings()).unwrap();
        assert_eq!(memo.external_document_number, "WC-7-R95");
        assert_eq!((memo.invoice_id.as_str(), memo.invoice_number.as_str(), memo.customer_number.as_str()), ("inv-1", "PSI-1", "30000"));
        assert_eq!((memo.lines[0].number.as_str(), memo.lines[0].quantity, memo.lines[0].unit_price), ("1900-S", Decimal::ONE, "83.33".parse().unwrap()));
        assert_eq!((memo.lines[1].number.as_str(), memo.lines[1].unit_price), ("8100", "8.33".parse().unwrap()));
        // Lines give 91.66 net back (108.33 with tax); the other 26.67 carries the order's ~20 %.
        assert_eq!((memo.lines[2].number.as_str(), memo.lines[2].unit_price), ("8500", "22.23".parse().unwrap()));
    }

    #[test]
    fn an_amount_only_refund_is_one_amount_line_and_unknown_lines_are_named() {
        let invoice = InvoiceRef { id: "i", number: "PSI-2", prices_include_tax: true };
        let memo = credit_memo_for_refund(&refund(96, "20", &[], &[]), &order(), &invoice, &settings()).unwrap();
        assert_eq!(memo.lines.len(), 1);
        assert_eq!((memo.lines[0].number.as_str(), memo.lines[0].unit_price, memo.lines[0].description.as_str()), ("8500", "20".parse().unwrap(), "Refund 96: damaged"));
        let error = credit_memo_for_refund(&refund(97, "5", &[(99, 1, "-5", "0")], &[]), &order(), &invoice, &settings()).unwrap_err();
        assert!(error.to_string().contains("order line 99"), "{error}");
        assert_eq!(credit_memo_for_refund(&refund(98, "0", &[], &[]), &order(), &invoice, &settings()).unwrap_err(), CreditMemoError::Empty(98));
    }

    #[test]
    fn refund_events_decode_with_negative_lines_and_string_item_ids() {
        let json = r#"{"id": 60, "amount": "25.00", "reason": null, "line_items": [{"id": 61, "name": "Chair", "quantity": -1,
            "total": "-20.83", "total_tax": "-4.17", "meta_data": [{"id": 1, "key": "_refunded_item_id", "value": "12"}]}], "shipping_lines": []}"#;
        let refund: Refund = serde_json::from_str(json).unwrap();
        assert_eq!(refund.items()[0].refunded_item_id(), Some(12));
        assert_eq!(refund.total(false, Decimal::ONE), "20.83".parse().unwrap());
    }

    #[test]
    fn rest_refunds_with_shipping_and_fee_lines_decode_as_woocommerce_shows_them() {
        // A refund as GET /orders/{id}/refunds shows a shipping line (method_title, no quantity)
        // and a taxed fee: 6.00 + 1.20 and 8.00 + 1.60.
        let json = r#"{"id": 70, "amount": "16.80", "reason": "", "line_items": [], "tax_lines": [],
            "shipping_lines": [{"id": 71, "method_title": "DHL", "method_id": "flat_rate", "instance_id": "", "total": "-6.00", "total_tax": "-1.20",
                "taxes": [{"id": 1, "total": "-1.20", "subtotal": ""}], "meta_data": [{"id": 71, "key": "_refunded_item_id", "value": "13"}]}],
            "fee_lines": [{"id": 72, "name": "Gift wrap", "tax_class": "", "tax_status": "taxable", "total": "-8.00", "total_tax": "-1.60",
                "meta_data": [{"id": 72, "key": "_refunded_item_id", "value": "14"}]}]}"#;
        let refund: Refund = serde_json::from_str(json).unwrap();
        assert_eq!(refund.total(false, "1.5".parse().unwrap()), "14".parse().unwrap(), "the fee's own tax, not an average rate");
        let invoice = InvoiceRef { id: "i", number: "PSI-3", prices_include_tax: false };
        let memo = credit_memo_for_refund(&refund, &order(), &invoice, &settings()).unwrap();
        assert_eq!((memo.lines[0].number.as_str(), memo.lines[0].unit_price, memo.lines[0].source.clone()), ("8100", "6".parse().unwrap(), LineSource::Shipping(13)));
        assert_eq!(memo.lines[0].description, "Shipping refund: DHL");
        assert_eq!((memo.lines[1].number.as_str(), memo.lines[1].unit_price), ("8500", "8".parse().unwrap()), "the fee goes with the rest");
    }
}
