//! Refunds through REST v3 and wp-admin (reference 3.6, 1.2 refunds, section 9).

mod support;

use reqwest::Method;
use serde_json::json;
use support::*;

#[tokio::test]
async fn refund_with_api_refund_default_fails_for_offline_gateway() {
    let sim = start().await;
    for gateway in ["bacs", "cod", "cheque"] {
        let order = place(&sim, &[("1900-S", 1)], gateway).await;
        let (status, body) = send(&sim, Method::POST, &format!("/orders/{}/refunds", order["id"]), &json!({"amount": "5.00"})).await;
        assert_eq!(status, 500, "{gateway}");
        assert_eq!(body["code"], "woocommerce_rest_cannot_create_order_refund");
        assert_eq!(body["message"], "The payment gateway for this order does not support automatic refunds.");
        let (_, read, _) = get(&sim, &format!("/orders/{}", order["id"])).await;
        assert_eq!(read["refunds"], json!([]), "the failed refund leaves no trace");
    }
}

#[tokio::test]
async fn refund_with_api_refund_false_is_201_and_listed_on_the_order() {
    let sim = start().await;
    let order = place(&sim, &[("1900-S", 1)], "bacs").await;
    let (status, refund) = send(&sim, Method::POST, &format!("/orders/{}/refunds", order["id"]), &json!({"amount": "5.00", "reason": "scratch", "api_refund": false})).await;
    assert_eq!(status, 201);
    assert_eq!(refund["amount"], "5.00");
    assert_eq!(refund["refunded_payment"], false);
    let (_, read, _) = get(&sim, &format!("/orders/{}", order["id"])).await;
    assert_eq!(read["refunds"], json!([{"id": refund["id"], "reason": "scratch", "total": "-5.00"}]));
    assert_eq!(read["total"], order["total"], "the order keeps its total");
    assert_eq!(read["status"], "on-hold");
}

#[tokio::test]
async fn refund_through_an_online_gateway_runs_the_gateway() {
    let sim = start().await;
    let order = place(&sim, &[("1900-S", 1)], "card").await;
    let (status, refund) = send(&sim, Method::POST, &format!("/orders/{}/refunds", order["id"]), &json!({"amount": "1.00"})).await;
    assert_eq!((status, refund["refunded_payment"].as_bool()), (201, Some(true)));
}

#[tokio::test]
async fn line_refund_with_api_restock_restocks() {
    let sim = start().await;
    let before = stock_of(&sim, "1906-S");
    let order = place(&sim, &[("1906-S", 2)], "card").await;
    assert_eq!(stock_of(&sim, "1906-S"), before - 2);
    let item = order["line_items"][0]["id"].clone();
    let body = json!({"api_refund": false, "api_restock": true, "line_items": [{"id": item, "quantity": 1, "refund_total": "281.40", "refund_tax": [{"id": 1, "refund_total": "56.28"}]}]});
    let (status, refund) = send(&sim, Method::POST, &format!("/orders/{}/refunds", order["id"]), &body).await;
    assert_eq!(status, 201);
    assert_eq!(refund["amount"], "337.68", "amount defaults to the lines with their tax");
    assert_eq!(refund["line_items"][0]["quantity"], -1);
    assert_eq!(refund["line_items"][0]["meta_data"][0]["value"], item.to_string());
    assert_eq!(stock_of(&sim, "1906-S"), before - 1);
}

#[tokio::test]
async fn refund_above_the_remaining_amount_is_500_invalid_refund_amount() {
    let sim = start().await;
    let order = place(&sim, &[("1900-S", 1)], "bacs").await;
    let (status, body) = send(&sim, Method::POST, &format!("/orders/{}/refunds", order["id"]), &json!({"amount": "9999.00", "api_refund": false})).await;
    assert_eq!((status, body["message"].as_str().unwrap()), (500, "Invalid refund amount."));
    assert_eq!(body["code"], "woocommerce_rest_cannot_create_order_refund");
}

#[tokio::test]
async fn negative_refund_amount_is_400() {
    let sim = start().await;
    let order = place(&sim, &[("1900-S", 1)], "bacs").await;
    let (status, body) = send(&sim, Method::POST, &format!("/orders/{}/refunds", order["id"]), &json!({"amount": "-1.00", "api_refund": false})).await;
    assert_eq!((status, body["code"].as_str().unwrap()), (400, "woocommerce_rest_invalid_order_refund"));
}

#[tokio::test]
async fn full_refund_moves_the_order_to_refunded() {
    let sim = start().await;
    let order = place(&sim, &[("1900-S", 1)], "bacs").await;
    let (status, _) = send(&sim, Method::POST, &format!("/orders/{}/refunds", order["id"]), &json!({"amount": order["total"], "api_refund": false})).await;
    assert_eq!(status, 201);
    let (_, read, _) = get(&sim, &format!("/orders/{}", order["id"])).await;
    assert_eq!(read["status"], "refunded");
}

#[tokio::test]
async fn manual_status_refunded_creates_an_itemless_refund_without_restock() {
    let sim = start().await;
    let before = stock_of(&sim, "1900-S");
    let order = place(&sim, &[("1900-S", 1)], "card").await;
    let (_, updated) = send(&sim, Method::PUT, &format!("/orders/{}", order["id"]), &json!({"status": "refunded"})).await;
    assert_eq!(updated["status"], "refunded");
    let refund_id = updated["refunds"][0]["id"].as_i64().unwrap();
    let (_, refund, _) = get(&sim, &format!("/orders/{}/refunds/{refund_id}", order["id"])).await;
    assert_eq!(refund["amount"], order["total"]);
    assert_eq!(refund["line_items"], json!([]));
    assert_eq!(stock_of(&sim, "1900-S"), before - 1, "no restock");
}

#[tokio::test]
async fn refund_delete_needs_force() {
    let sim = start().await;
    let order = place(&sim, &[("1900-S", 1)], "bacs").await;
    let (_, refund) = send(&sim, Method::POST, &format!("/orders/{}/refunds", order["id"]), &json!({"amount": "1.00", "api_refund": false})).await;
    let path = format!("/orders/{}/refunds/{}", order["id"], refund["id"]);
    let (status, body) = send(&sim, Method::DELETE, &path, &json!({})).await;
    assert_eq!((status, body["code"].as_str().unwrap()), (501, "woocommerce_rest_trash_not_supported"));
    let (status, _) = send(&sim, Method::DELETE, &format!("{path}?force=true"), &json!({})).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn admin_refund_through_the_control_api_restocks_when_asked() {
    let sim = start().await;
    let before = stock_of(&sim, "TSHIRT-M");
    let order = place(&sim, &[("TSHIRT-M", 2)], "card").await;
    let refund = sim
        .control()
        .refund(order["id"].as_i64().unwrap(), woo_sim::AdminRefund {
            lines: vec![woo_sim::RefundLine { item_id: None, sku: Some("TSHIRT-M".into()), quantity: 2, refund_total: None }],
            restock: true,
            reason: "returned".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(refund["amount"], order["total"]);
    assert_eq!(stock_of(&sim, "TSHIRT-M"), before);
    assert_eq!(sim.control().order(order["id"].as_i64().unwrap()).unwrap()["status"], "refunded");
}

/// 1 × 1900-S paid by card, DHL shipping 10.00 and a taxable 4.00 gift-wrap fee (20 % tax).
async fn place_with_shipping_and_fee(sim: &woo_sim::RunningWooSim) -> serde_json::Value {
    let request: woo_sim::PlaceOrder = serde_json::from_value(json!({"customer_id": 2, "items": [{"sku": "1900-S", "quantity": 1}],
        "shipping": {"method_title": "DHL", "total": "10.00"}, "fees": [{"name": "Gift wrap", "total": "4.00"}], "payment_method": "card"}))
    .unwrap();
    sim.control().place_order(request).await.unwrap()
}

#[tokio::test]
async fn a_shipping_refund_is_a_negative_shipping_line_naming_the_order_item() {
    let sim = start().await;
    let order = place_with_shipping_and_fee(&sim).await;
    let shipping = &order["shipping_lines"][0];
    let rate = shipping["taxes"][0]["id"].clone();
    let stock = stock_of(&sim, "1900-S");
    let body = json!({"api_refund": false, "line_items": [{"id": shipping["id"], "quantity": 0, "refund_total": "6.00", "refund_tax": [{"id": rate, "refund_total": "1.20"}]}]});
    let (status, refund) = send(&sim, Method::POST, &format!("/orders/{}/refunds", order["id"]), &body).await;
    assert_eq!(status, 201, "{refund}");
    assert_eq!(refund["amount"], "7.20", "the amount defaults to the shipping refund with its tax");
    assert_eq!(refund["line_items"], json!([]), "no product line");
    let line = &refund["shipping_lines"][0];
    assert_eq!((&line["method_title"], &line["method_id"]), (&shipping["method_title"], &shipping["method_id"]));
    assert_eq!((line["total"].as_str(), line["total_tax"].as_str()), (Some("-6.00"), Some("-1.20")));
    assert_eq!(line["taxes"][0]["total"], "-1.20");
    assert_eq!(line["meta_data"][0]["key"], "_refunded_item_id");
    assert_eq!(line["meta_data"][0]["value"], shipping["id"].to_string());
    assert_ne!(line["id"], shipping["id"], "the refund's copy is an order item of its own");
    assert_eq!(stock_of(&sim, "1900-S"), stock, "a shipping refund restocks nothing");
    let (_, listed, _) = get(&sim, &format!("/orders/{}/refunds", order["id"])).await;
    assert_eq!(listed[0]["shipping_lines"], refund["shipping_lines"], "listed as created");
}

#[tokio::test]
async fn a_fee_refund_is_a_negative_fee_line_naming_the_order_item() {
    let sim = start().await;
    let order = place_with_shipping_and_fee(&sim).await;
    let fee = &order["fee_lines"][0];
    let body = json!({"api_refund": false, "line_items": [{"id": fee["id"], "refund_total": "4.00"}]});
    let (status, refund) = send(&sim, Method::POST, &format!("/orders/{}/refunds", order["id"]), &body).await;
    assert_eq!(status, 201, "{refund}");
    let line = &refund["fee_lines"][0];
    assert_eq!((line["name"].as_str(), line["total"].as_str()), (Some("Gift wrap"), Some("-4.00")));
    assert_eq!(line["meta_data"][0]["value"], fee["id"].to_string());
    assert_eq!(refund["shipping_lines"], json!([]));
}

#[tokio::test]
async fn an_admin_refund_of_a_shipping_line_gives_all_of_it_back_with_its_tax() {
    let sim = start().await;
    let order = place_with_shipping_and_fee(&sim).await;
    let shipping = &order["shipping_lines"][0];
    let request: woo_sim::AdminRefund = serde_json::from_value(json!({"reason": "late", "restock": true, "lines": [{"item_id": shipping["id"]}]})).unwrap();
    let refund = sim.control().refund(order["id"].as_i64().unwrap(), request).await.unwrap();
    assert_eq!((refund["shipping_lines"][0]["total"].as_str(), refund["shipping_lines"][0]["total_tax"].as_str()), (Some("-10.00"), Some("-2.00")));
    assert_eq!(refund["amount"], "12.00");
}

#[tokio::test]
async fn a_refunds_tax_lines_sum_its_items_tax_per_rate_with_shipping_apart() {
    let sim = start().await;
    let order = place_with_shipping_and_fee(&sim).await;
    let (item, shipping) = (&order["line_items"][0], &order["shipping_lines"][0]);
    let rate = shipping["taxes"][0]["id"].clone();
    let body = json!({"api_refund": false, "api_restock": false, "line_items": [
        {"id": item["id"], "quantity": 1, "refund_total": "10.00", "refund_tax": [{"id": rate, "refund_total": "2.00"}]},
        {"id": shipping["id"], "refund_total": "5.00", "refund_tax": [{"id": rate, "refund_total": "1.00"}]}]});
    let (status, refund) = send(&sim, Method::POST, &format!("/orders/{}/refunds", order["id"]), &body).await;
    assert_eq!(status, 201, "{refund}");
    let taxes = refund["tax_lines"].as_array().unwrap();
    assert_eq!(taxes.len(), 1, "{refund}");
    assert_eq!((&taxes[0]["rate_id"], taxes[0]["tax_total"].as_str(), taxes[0]["shipping_tax_total"].as_str()), (&rate, Some("-2.00"), Some("-1.00")));
}
