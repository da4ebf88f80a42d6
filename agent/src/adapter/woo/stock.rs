//! Stock in WooCommerce: listing products and variations with only the fields stock needs,
//! reading the current quantity of some, and writing quantities with the batch endpoints —
//! `products/batch` for products, `products/{id}/variations/batch` for one product's variations,
//! at most 100 items a request (413 beyond). A batch answers 200 even when items fail: each
//! item's result is read on its own.

use reqwest::Method;
use serde_json::{json, Value};

use super::{header_number, Page, Woo};
use crate::adapter::http::Recorder;
use crate::adapter::{AdapterError, AdapterResult, System};
use crate::model::woo::Product;

/// What the stock flow reads of a product (`_fields` keeps 100-product pages small).
const FIELDS: &str = "id,type,parent_id,sku,global_unique_id,manage_stock,stock_quantity,variations";

/// WooCommerce's batch limit (`woocommerce_rest_batch_items_limit`).
pub const BATCH_LIMIT: usize = 100;

/// One item of a batch answer.
#[derive(Clone, Debug, PartialEq)]
pub struct BatchItem {
    pub id: i64,
    pub outcome: Result<Option<i64>, ItemError>,
}

/// A failed item (`{"id", "error": {"code", "message"}}` in place).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ItemError {
    pub code: String,
    pub message: String,
}

impl ItemError {
    /// The product or variation no longer exists.
    pub fn is_gone(&self) -> bool {
        matches!(self.code.as_str(), "woocommerce_rest_product_invalid_id" | "woocommerce_rest_product_variation_invalid_id")
    }
}

fn params(pairs: &[(&str, String)]) -> Vec<(String, String)> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
}

impl Woo {
    async fn product_page(&self, path: &str, extra: &[(&str, String)], page: u32, rec: &Recorder) -> AdapterResult<Page<Product>> {
        let mut pairs = vec![("per_page", BATCH_LIMIT.to_string()), ("page", page.to_string()), ("_fields", FIELDS.to_string())];
        pairs.extend(extra.iter().cloned());
        let answer = self.send(Method::GET, path, &params(&pairs), None, rec).await?;
        let total = header_number(&answer.headers, "x-wp-total");
        let total_pages = header_number(&answer.headers, "x-wp-totalpages");
        Ok(Page { items: answer.json(System::Woo)?, total, total_pages })
    }

    /// One page of every product, oldest first (products created meanwhile land on later pages
    /// instead of shifting the ones still to read).
    pub async fn stock_products_page(&self, page: u32, rec: &Recorder) -> AdapterResult<Page<Product>> {
        self.product_page("products", &[("orderby", "date".into()), ("order", "asc".into())], page, rec).await
    }

    /// One page of a variable product's variations.
    pub async fn stock_variations_page(&self, parent: i64, page: u32, rec: &Recorder) -> AdapterResult<Page<Product>> {
        self.product_page(&format!("products/{parent}/variations"), &[("orderby", "id".into()), ("order", "asc".into())], page, rec).await
    }

    /// Products and variations by SKU (at most 100; the SKU query spans both).
    pub async fn stock_by_sku(&self, skus: &[String], rec: &Recorder) -> AdapterResult<Vec<Product>> {
        Ok(self.product_page("products", &[("sku", skus.join(","))], 1, rec).await?.items)
    }

    /// Products by id (at most 100).
    pub async fn stock_by_id(&self, ids: &[i64], rec: &Recorder) -> AdapterResult<Vec<Product>> {
        let ids: Vec<String> = ids.iter().map(i64::to_string).collect();
        Ok(self.product_page("products", &[("include", ids.join(","))], 1, rec).await?.items)
    }

    /// Sets absolute quantities, `(id, quantity)`, on products (`parent` `None`) or on one
    /// product's variations. Only `stock_quantity` is sent: `manage_stock` stays the shop's choice.
    pub async fn write_stock(&self, parent: Option<i64>, updates: &[(i64, i64)], rec: &Recorder) -> AdapterResult<Vec<BatchItem>> {
        let path = match parent {
            Some(parent) => format!("products/{parent}/variations/batch"),
            None => "products/batch".to_string(),
        };
        let body = json!({ "update": updates.iter().map(|(id, quantity)| json!({"id": id, "stock_quantity": quantity})).collect::<Vec<_>>() });
        let answer: Value = self.send(Method::POST, &path, &[], Some(&body), rec).await?.json(System::Woo)?;
        let items = answer.get("update").and_then(Value::as_array).ok_or_else(|| AdapterError::BadResponse {
            system: System::Woo,
            detail: "the batch answer has no `update` list".into(),
        })?;
        Ok(items.iter().map(batch_item).collect())
    }
}

fn batch_item(item: &Value) -> BatchItem {
    let id = item.get("id").and_then(Value::as_i64).unwrap_or(0);
    let outcome = match item.get("error") {
        Some(error) => Err(ItemError {
            code: error.get("code").and_then(Value::as_str).unwrap_or_default().to_string(),
            message: error.get("message").and_then(Value::as_str).unwrap_or_default().to_string(),
        }),
        None => Ok(item.get("stock_quantity").and_then(Value::as_i64)),
    };
    BatchItem { id, outcome }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_items_are_read_one_by_one() {
        let ok = batch_item(&json!({"id": 12, "sku": "1896-S", "stock_quantity": 15}));
        assert_eq!(ok, BatchItem { id: 12, outcome: Ok(Some(15)) });
        let gone = batch_item(&json!({"id": 99, "error": {"code": "woocommerce_rest_product_invalid_id", "message": "Invalid ID.", "data": {"status": 400}}}));
        assert!(matches!(&gone.outcome, Err(e) if e.is_gone()));
        let refused = batch_item(&json!({"id": 5, "error": {"code": "rest_invalid_param", "message": "stock_quantity is not of type integer."}}));
        assert!(matches!(&refused.outcome, Err(e) if !e.is_gone() && e.message.contains("integer")));
    }
}
