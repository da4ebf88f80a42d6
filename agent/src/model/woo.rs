//! WooCommerce objects in their REST v3 representation — the plugin's event payloads use the same
//! shape, so hook events and REST reads decode with these types. Deserialisation is lenient where
//! WooCommerce is loose (money as strings or numbers, `null` for empty) and ignores unknown fields,
//! because stores run plugins that add fields.

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize};

use super::money::lenient;

fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// `manage_stock` on variations is a bool or the string `"parent"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize)]
pub enum ManageStock {
    #[default]
    No,
    Yes,
    Parent,
}

impl<'de> Deserialize<'de> for ManageStock {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match serde_json::Value::deserialize(deserializer)? {
            serde_json::Value::Bool(true) => Ok(ManageStock::Yes),
            serde_json::Value::Bool(false) | serde_json::Value::Null => Ok(ManageStock::No),
            serde_json::Value::String(s) if s == "parent" => Ok(ManageStock::Parent),
            other => Err(serde::de::Error::custom(format!("manage_stock must be true, false or \"parent\", got {other}"))),
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Address {
    #[serde(default, deserialize_with = "null_as_default")]
    pub first_name: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub last_name: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub company: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub address_1: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub address_2: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub city: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub state: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub postcode: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub country: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub email: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub phone: String,
}

impl Address {
    pub fn full_name(&self) -> String {
        format!("{} {}", self.first_name.trim(), self.last_name.trim()).trim().to_string()
    }

    pub fn is_empty(&self) -> bool {
        self.address_1.trim().is_empty() && self.city.trim().is_empty() && self.full_name().is_empty()
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MetaData {
    #[serde(default)]
    pub id: Option<i64>,
    pub key: String,
    #[serde(default)]
    pub value: serde_json::Value,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TaxAmount {
    #[serde(default)]
    pub id: i64,
    #[serde(default, deserialize_with = "lenient")]
    pub total: Decimal,
    #[serde(default, deserialize_with = "lenient")]
    pub subtotal: Decimal,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LineItem {
    #[serde(default)]
    pub id: i64,
    #[serde(default, deserialize_with = "null_as_default")]
    pub name: String,
    #[serde(default)]
    pub product_id: i64,
    #[serde(default)]
    pub variation_id: i64,
    #[serde(default, deserialize_with = "lenient")]
    pub quantity: Decimal,
    #[serde(default, deserialize_with = "null_as_default")]
    pub tax_class: String,
    /// Before discounts, excluding tax.
    #[serde(default, deserialize_with = "lenient")]
    pub subtotal: Decimal,
    #[serde(default, deserialize_with = "lenient")]
    pub subtotal_tax: Decimal,
    /// After discounts, excluding tax.
    #[serde(default, deserialize_with = "lenient")]
    pub total: Decimal,
    #[serde(default, deserialize_with = "lenient")]
    pub total_tax: Decimal,
    #[serde(default, deserialize_with = "null_as_default")]
    pub taxes: Vec<TaxAmount>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub meta_data: Vec<MetaData>,
    /// The product's *current* SKU (WooCommerce looks it up at read time).
    #[serde(default, deserialize_with = "null_as_default")]
    pub sku: String,
    /// GTIN/EAN when the store records it (9.1+ `global_unique_id`, or a plugin's meta).
    #[serde(default, deserialize_with = "null_as_default")]
    pub global_unique_id: String,
    #[serde(default, deserialize_with = "lenient")]
    pub price: Decimal,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ShippingLine {
    #[serde(default)]
    pub id: i64,
    #[serde(default, deserialize_with = "null_as_default")]
    pub method_title: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub method_id: String,
    #[serde(default, deserialize_with = "lenient")]
    pub total: Decimal,
    #[serde(default, deserialize_with = "lenient")]
    pub total_tax: Decimal,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FeeLine {
    #[serde(default)]
    pub id: i64,
    #[serde(default, deserialize_with = "null_as_default")]
    pub name: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub tax_class: String,
    #[serde(default, deserialize_with = "lenient")]
    pub total: Decimal,
    #[serde(default, deserialize_with = "lenient")]
    pub total_tax: Decimal,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CouponLine {
    #[serde(default)]
    pub id: i64,
    #[serde(default, deserialize_with = "null_as_default")]
    pub code: String,
    #[serde(default, deserialize_with = "lenient")]
    pub discount: Decimal,
    #[serde(default, deserialize_with = "lenient")]
    pub discount_tax: Decimal,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RefundSummary {
    #[serde(default)]
    pub id: i64,
    #[serde(default, deserialize_with = "null_as_default")]
    pub reason: String,
    #[serde(default, deserialize_with = "lenient")]
    pub total: Decimal,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Order {
    pub id: i64,
    #[serde(default, deserialize_with = "null_as_default")]
    pub number: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub status: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub currency: String,
    #[serde(default)]
    pub prices_include_tax: bool,
    #[serde(default)]
    pub date_created_gmt: Option<String>,
    #[serde(default)]
    pub date_modified_gmt: Option<String>,
    #[serde(default)]
    pub date_paid_gmt: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub discount_total: Decimal,
    #[serde(default, deserialize_with = "lenient")]
    pub discount_tax: Decimal,
    #[serde(default, deserialize_with = "lenient")]
    pub shipping_total: Decimal,
    #[serde(default, deserialize_with = "lenient")]
    pub shipping_tax: Decimal,
    #[serde(default, deserialize_with = "lenient")]
    pub cart_tax: Decimal,
    #[serde(default, deserialize_with = "lenient")]
    pub total: Decimal,
    #[serde(default, deserialize_with = "lenient")]
    pub total_tax: Decimal,
    #[serde(default)]
    pub customer_id: i64,
    #[serde(default, deserialize_with = "null_as_default")]
    pub customer_note: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub billing: Address,
    #[serde(default, deserialize_with = "null_as_default")]
    pub shipping: Address,
    #[serde(default, deserialize_with = "null_as_default")]
    pub payment_method: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub payment_method_title: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub created_via: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub meta_data: Vec<MetaData>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub line_items: Vec<LineItem>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub shipping_lines: Vec<ShippingLine>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub fee_lines: Vec<FeeLine>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub coupon_lines: Vec<CouponLine>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub refunds: Vec<RefundSummary>,
    /// Not part of the REST order: the plugin adds the customer's roles for segment rules.
    #[serde(default, deserialize_with = "null_as_default")]
    pub customer_roles: Vec<String>,
}

impl Order {
    /// The value of a meta key as text (strings as-is, other JSON as JSON).
    pub fn meta(&self, key: &str) -> Option<String> {
        self.meta_data.iter().rev().find(|m| m.key == key).map(|m| match &m.value {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        })
    }

    /// The number shown to the shop and the customer (`number`, falling back to `id`).
    pub fn display_number(&self) -> String {
        if self.number.trim().is_empty() {
            self.id.to_string()
        } else {
            self.number.trim().to_string()
        }
    }

    pub fn is_guest(&self) -> bool {
        self.customer_id <= 0
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Customer {
    pub id: i64,
    #[serde(default, deserialize_with = "null_as_default")]
    pub email: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub first_name: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub last_name: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub role: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub billing: Address,
    #[serde(default, deserialize_with = "null_as_default")]
    pub shipping: Address,
    #[serde(default)]
    pub date_modified_gmt: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub meta_data: Vec<MetaData>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Product {
    pub id: i64,
    #[serde(default, deserialize_with = "null_as_default")]
    pub name: String,
    #[serde(default, deserialize_with = "null_as_default", rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub parent_id: i64,
    #[serde(default, deserialize_with = "null_as_default")]
    pub sku: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub global_unique_id: String,
    #[serde(default)]
    pub manage_stock: ManageStock,
    #[serde(default)]
    pub stock_quantity: Option<i64>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub variations: Vec<i64>,
    #[serde(default)]
    pub date_modified_gmt: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_a_rest_v3_order_with_loose_fields() {
        let json = r#"{
            "id": 727, "number": "727", "status": "processing", "currency": "EUR",
            "prices_include_tax": false, "total": "249.90", "total_tax": "41.65",
            "shipping_total": "10.00", "customer_id": 0, "billing": {"first_name": "Ann", "email": null},
            "shipping": null, "created_via": "checkout", "unknown_plugin_field": {"x": 1},
            "line_items": [{"id": 1, "product_id": 9, "variation_id": 0, "quantity": 2,
                            "subtotal": "199.90", "total": "199.90", "sku": "1900-S", "price": 99.95,
                            "taxes": [{"id": 1, "total": "39.98", "subtotal": "39.98"}]}],
            "meta_data": [{"id": 5, "key": "ml_connector_nav_number", "value": "S-ORD1"}]
        }"#;
        let order: Order = serde_json::from_str(json).unwrap();
        assert_eq!(order.line_items[0].price, "99.95".parse().unwrap());
        assert_eq!(order.billing.email, "");
        assert!(order.is_guest());
        assert_eq!(order.meta("ml_connector_nav_number").as_deref(), Some("S-ORD1"));
        assert_eq!(order.display_number(), "727");
    }

    #[test]
    fn manage_stock_reads_parent() {
        let p: Product = serde_json::from_str(r#"{"id":1,"manage_stock":"parent"}"#).unwrap();
        assert_eq!(p.manage_stock, ManageStock::Parent);
        assert!(serde_json::from_str::<Product>(r#"{"id":1,"manage_stock":"sometimes"}"#).is_err());
    }
}
