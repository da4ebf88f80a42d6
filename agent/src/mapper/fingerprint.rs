//! Content fingerprints. An order's fingerprint covers what NAV receives and nothing else — not
//! meta data, not modification dates — so the agent's own write-back (a meta field and a note)
//! does not look like a change and is not sent back to NAV (no echo).

use sha2::{Digest, Sha256};

use crate::model::woo::Order;

pub fn order_fingerprint(order: &Order) -> String {
    let relevant = serde_json::json!({
        "status": order.status,
        "currency": order.currency,
        "prices_include_tax": order.prices_include_tax,
        "total": order.total.normalize().to_string(),
        "customer_id": order.customer_id,
        "billing": order.billing,
        "shipping": order.shipping,
        "payment_method": order.payment_method,
        "line_items": order.line_items.iter().map(|l| serde_json::json!([
            l.id, l.product_id, l.variation_id, l.sku, l.quantity.normalize().to_string(),
            l.subtotal.normalize().to_string(), l.total.normalize().to_string(),
            l.subtotal_tax.normalize().to_string(), l.total_tax.normalize().to_string()
        ])).collect::<Vec<_>>(),
        "shipping_lines": order.shipping_lines.iter().map(|l| serde_json::json!([l.id, l.method_id, l.total.normalize().to_string(), l.total_tax.normalize().to_string()])).collect::<Vec<_>>(),
        "fee_lines": order.fee_lines.iter().map(|l| serde_json::json!([l.id, l.name, l.total.normalize().to_string(), l.total_tax.normalize().to_string()])).collect::<Vec<_>>(),
        "coupon_lines": order.coupon_lines.iter().map(|l| serde_json::json!([l.code, l.discount.normalize().to_string()])).collect::<Vec<_>>(),
    });
    hex::encode(Sha256::digest(relevant.to_string().as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::woo::MetaData;

    fn order() -> Order {
        serde_json::from_value(serde_json::json!({
            "id": 1, "status": "processing", "total": "10.00",
            "line_items": [{"id": 1, "sku": "A", "quantity": 1, "subtotal": "10", "total": "10"}]
        }))
        .unwrap()
    }

    #[test]
    fn our_own_write_back_does_not_change_the_fingerprint() {
        let before = order();
        let mut after = before.clone();
        after.meta_data.push(MetaData { id: Some(3), key: "ml_connector_nav_number".into(), value: "S-ORD1".into() });
        after.date_modified_gmt = Some("2026-11-28T10:00:01".into());
        assert_eq!(order_fingerprint(&before), order_fingerprint(&after));
    }

    #[test]
    fn real_changes_and_equal_amounts_in_other_notation() {
        let before = order();
        let mut more = before.clone();
        more.line_items[0].quantity = 2.into();
        assert_ne!(order_fingerprint(&before), order_fingerprint(&more));
        let mut same = before.clone();
        same.total = "10".parse().unwrap();
        assert_eq!(order_fingerprint(&before), order_fingerprint(&same), "10.00 and 10 are the same amount");
    }
}
