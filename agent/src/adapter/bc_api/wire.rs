//! The BC API v2.0 JSON shapes the adapter sends and reads (field names as in the $metadata).

use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::mapper::customer_card::CardAddress;
use crate::adapter::nav::{NavCustomer, NavSalesLine, NavSalesOrder, PostedInvoice, VariantIds};
use crate::adapter::{AdapterError, AdapterResult, System};
use crate::model::money::lenient;
use crate::model::nav::{CustomerDraft, LineKind, SalesLineDraft, SalesOrderDraft};
use crate::store::catalog::{CatalogItem, CatalogVariant};

/// A decimal as a JSON number (BC's Edm.Decimal).
pub fn num(value: Decimal) -> Value {
    value.normalize().to_string().parse::<serde_json::Number>().map(Value::Number).unwrap_or(Value::Null)
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiItem {
    pub id: String,
    pub number: String,
    #[serde(default)]
    pub gtin: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub blocked: bool,
}

impl ApiItem {
    pub fn into_catalog(self) -> CatalogItem {
        CatalogItem { number: self.number, id: self.id, gtin: self.gtin, display_name: self.display_name, blocked: self.blocked }
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiVariant {
    pub id: String,
    pub item_number: String,
    pub code: String,
}

impl ApiVariant {
    pub fn into_catalog(self) -> CatalogVariant {
        CatalogVariant { item_number: self.item_number, code: self.code, id: self.id }
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiCustomer {
    pub id: String,
    pub number: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub email: String,
}

impl ApiCustomer {
    pub fn into_nav(self) -> NavCustomer {
        NavCustomer { id: Some(self.id), number: self.number, name: self.display_name, email: self.email }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiLine {
    pub id: String,
    #[serde(default)]
    pub sequence: i64,
    #[serde(default)]
    pub line_type: String,
    #[serde(default)]
    pub line_object_number: String,
    #[serde(default, deserialize_with = "lenient")]
    pub quantity: Decimal,
    #[serde(default, deserialize_with = "lenient")]
    pub unit_price: Decimal,
    #[serde(default, deserialize_with = "lenient")]
    pub discount_amount: Decimal,
}

impl ApiLine {
    pub fn into_nav(self) -> NavSalesLine {
        NavSalesLine {
            id: self.id,
            sequence: self.sequence,
            line_type: self.line_type,
            number: self.line_object_number,
            quantity: self.quantity,
            unit_price: self.unit_price,
            discount_amount: self.discount_amount,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiOrder {
    pub id: String,
    pub number: String,
    #[serde(default)]
    pub external_document_number: String,
    #[serde(default)]
    pub customer_number: String,
    #[serde(rename = "@odata.etag", default)]
    pub etag: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub total_amount_including_tax: Decimal,
    #[serde(default, deserialize_with = "lenient")]
    pub total_amount_excluding_tax: Decimal,
    #[serde(rename = "salesOrderLines", default)]
    pub lines: Option<Vec<ApiLine>>,
}

impl ApiOrder {
    pub fn into_nav(self, lines: Option<Vec<NavSalesLine>>) -> NavSalesOrder {
        NavSalesOrder {
            id: self.id,
            number: self.number,
            external_document_number: self.external_document_number,
            customer_number: self.customer_number,
            etag: self.etag,
            total_including_tax: Some(self.total_amount_including_tax),
            total_excluding_tax: Some(self.total_amount_excluding_tax),
            lines,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiInvoice {
    pub id: String,
    pub number: String,
    #[serde(default)]
    pub order_number: String,
    #[serde(default, deserialize_with = "lenient")]
    pub total_amount_including_tax: Decimal,
}

impl ApiInvoice {
    pub fn into_nav(self) -> PostedInvoice {
        PostedInvoice { id: self.id, number: self.number, order_number: self.order_number, total_including_tax: self.total_amount_including_tax }
    }
}

/// The API v2.0 customer's address properties, for creates and updates alike.
pub fn customer_address(a: &CardAddress) -> [(&'static str, &str); 6] {
    [
        ("addressLine1", &a.line1),
        ("addressLine2", &a.line2),
        ("city", &a.city),
        ("state", &a.state),
        ("postalCode", &a.post_code),
        ("country", &a.country),
    ]
}

pub fn customer_body(draft: &CustomerDraft) -> Value {
    let mut body = Map::new();
    body.insert("displayName".into(), json!(draft.display_name));
    body.insert("type".into(), json!(if draft.person { "Person" } else { "Company" }));
    let address = CardAddress::from(&draft.address);
    let contact = [("email", draft.email.as_str()), ("phoneNumber", &draft.phone), ("taxRegistrationNumber", &draft.tax_registration_number)];
    for (field, value) in contact.into_iter().chain(customer_address(&address)) {
        if !value.is_empty() {
            body.insert(field.into(), json!(value));
        }
    }
    if let Some(currency) = &draft.currency_code {
        body.insert("currencyCode".into(), json!(currency));
    }
    Value::Object(body)
}

fn line_type(kind: LineKind) -> &'static str {
    match kind {
        LineKind::Item => "Item",
        LineKind::Account => "Account",
        LineKind::Charge => "Charge",
        LineKind::Comment => "Comment",
    }
}

pub fn line_body(line: &SalesLineDraft, catalog: &dyn VariantIds) -> AdapterResult<Value> {
    let mut body = Map::new();
    body.insert("lineType".into(), json!(line_type(line.kind)));
    if line.kind != LineKind::Comment {
        body.insert("lineObjectNumber".into(), json!(line.number));
        body.insert("quantity".into(), num(line.quantity));
        body.insert("unitPrice".into(), num(line.unit_price));
        if !line.discount_amount.is_zero() {
            body.insert("discountAmount".into(), num(line.discount_amount));
        }
    }
    body.insert("description".into(), json!(line.description));
    if let Some(code) = &line.variant_code {
        let id = catalog.variant_id(&line.number, code).ok_or_else(|| AdapterError::NotFound {
            system: System::Nav,
            what: format!("item variant {code} of item {} (refresh the item catalog)", line.number),
        })?;
        body.insert("itemVariantId".into(), json!(id));
    }
    Ok(Value::Object(body))
}

fn address_fields(body: &mut Map<String, Value>, prefix: &str, a: &crate::model::nav::PostalAddress) {
    for (suffix, value) in [
        ("AddressLine1", &a.line1),
        ("AddressLine2", &a.line2),
        ("City", &a.city),
        ("State", &a.state),
        ("PostCode", &a.post_code),
        ("Country", &a.country),
    ] {
        body.insert(format!("{prefix}{suffix}"), json!(value));
    }
}

/// Header fields both the create and an update send.
fn header_fields(draft: &SalesOrderDraft) -> Map<String, Value> {
    let mut body = Map::new();
    body.insert("externalDocumentNumber".into(), json!(draft.external_document_number));
    if !draft.email.is_empty() {
        body.insert("email".into(), json!(draft.email));
    }
    if !draft.phone.is_empty() {
        body.insert("phoneNumber".into(), json!(draft.phone));
    }
    if let Some(sell_to) = &draft.sell_to {
        address_fields(&mut body, "sellTo", sell_to);
    }
    if let Some(ship_to) = &draft.ship_to {
        body.insert("shipToName".into(), json!(ship_to.name));
        body.insert("shipToContact".into(), json!(ship_to.contact));
        address_fields(&mut body, "shipTo", ship_to);
    }
    body
}

pub fn order_body(draft: &SalesOrderDraft, catalog: &dyn VariantIds) -> AdapterResult<Value> {
    let mut body = Map::new();
    body.insert("customerNumber".into(), json!(draft.customer_number));
    if !draft.order_date.is_empty() {
        body.insert("orderDate".into(), json!(draft.order_date));
    }
    if let Some(currency) = &draft.currency_code {
        body.insert("currencyCode".into(), json!(currency));
    }
    body.insert("pricesIncludeTax".into(), json!(draft.prices_include_tax));
    body.extend(header_fields(draft));
    if !draft.dimensions.is_empty() {
        body.insert(
            "dimensionSetLines".into(),
            Value::Array(draft.dimensions.iter().map(|d| json!({"code": d.code, "valueCode": d.value})).collect()),
        );
    }
    let lines = draft.lines.iter().map(|l| line_body(l, catalog)).collect::<AdapterResult<Vec<_>>>()?;
    body.insert("salesOrderLines".into(), Value::Array(lines));
    Ok(Value::Object(body))
}

pub fn order_header_patch(draft: &SalesOrderDraft) -> Value {
    Value::Object(header_fields(draft))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::nav::{DimensionValue, LineSource, PostalAddress};

    struct Variants;
    impl VariantIds for Variants {
        fn variant_id(&self, item: &str, code: &str) -> Option<String> {
            (item == "TSHIRT" && code == "M").then(|| "v-m".to_string())
        }
    }

    fn draft() -> SalesOrderDraft {
        SalesOrderDraft {
            woo_order_id: 1,
            external_document_number: "WC-1".into(),
            customer_number: "30000".into(),
            order_date: "2026-11-28".into(),
            currency_code: Some("EUR".into()),
            prices_include_tax: false,
            sell_to: None,
            ship_to: Some(PostalAddress { name: "Jane".into(), city: "Hull".into(), ..Default::default() }),
            email: "j@x".into(),
            phone: String::new(),
            dimensions: vec![DimensionValue { code: "CHANNEL".into(), value: "WEB".into() }],
            price_group: None,
            lines: vec![SalesLineDraft {
                kind: LineKind::Item,
                number: "TSHIRT".into(),
                variant_code: Some("M".into()),
                description: "Shirt".into(),
                quantity: 2.into(),
                unit_price: "19.90".parse().unwrap(),
                discount_amount: Decimal::ZERO,
                source: LineSource::WooItem(5),
            }],
            expected_total_including_tax: Decimal::ZERO,
            expected_total_excluding_tax: Decimal::ZERO,
            rule: None,
        }
    }

    #[test]
    fn deep_insert_body_has_dimensions_lines_and_variant_ids() {
        let body = order_body(&draft(), &Variants).unwrap();
        assert_eq!(body["customerNumber"], "30000");
        assert_eq!(body["dimensionSetLines"][0], json!({"code": "CHANNEL", "valueCode": "WEB"}));
        assert_eq!(body["salesOrderLines"][0]["itemVariantId"], "v-m");
        assert_eq!(body["salesOrderLines"][0]["unitPrice"], json!(19.9));
        assert_eq!(body["shipToCity"], "Hull");
        assert!(body.get("phoneNumber").is_none(), "empty values are not sent");
    }

    #[test]
    fn a_variant_missing_from_the_catalog_is_named() {
        let mut d = draft();
        d.lines[0].variant_code = Some("XL".into());
        let error = order_body(&d, &Variants).unwrap_err().to_string();
        assert!(error.contains("item variant XL of item TSHIRT"), "{error}");
    }
}
