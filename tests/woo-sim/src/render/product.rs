//! Products and variations: `/wc/v3/products` (which also returns variations, as type
//! `variation`, when asked by SKU or id) and `/wc/v3/products/{id}/variations`.

use serde_json::{json, Map, Value};

use super::{date, meta};
use crate::model::product::{Product, ProductType};
use crate::model::StoreData;
use crate::money;
use crate::stock;

fn price_string(cents: Option<i64>) -> Value {
    Value::String(cents.map(money::format).unwrap_or_default())
}

/// Stock status shown: derived from the owner's quantity when stock is managed, from the children
/// for a variable product, else as stored.
pub fn stock_status(store: &StoreData, product: &Product) -> String {
    if product.kind == ProductType::Variable && !product.manage_stock {
        let any_in = product.variations.iter().filter_map(|v| store.products.get(v)).any(|v| stock_status(store, v) == "instock");
        return if any_in || product.variations.is_empty() { "instock".into() } else { "outofstock".into() };
    }
    match store.stock_owner(product.id) {
        Some(owner) => {
            let owner = store.products.get(&owner).unwrap_or(product);
            stock::status_for(owner.stock_quantity.unwrap_or(0), &owner.backorders, store.options.notify_no_stock).to_string()
        }
        None => product.stock_status.clone(),
    }
}

fn effective_price(store: &StoreData, product: &Product) -> Option<i64> {
    if product.kind == ProductType::Variable {
        return product.variations.iter().filter_map(|v| store.products.get(v)).filter_map(|v| v.price()).min();
    }
    product.price()
}

/// Fields both controllers show.
fn common(store: &StoreData, product: &Product) -> Map<String, Value> {
    let offset = store.offset();
    let quantity = store.stock_quantity_view(product);
    let price = effective_price(store, product);
    let status = stock_status(store, product);
    let owner_backorders = store
        .stock_owner(product.id)
        .and_then(|o| store.products.get(&o))
        .map(|o| o.backorders.clone())
        .unwrap_or_else(|| product.backorders.clone());
    let mut map = Map::new();
    let mut put = |key: &str, value: Value| {
        map.insert(key.to_string(), value);
    };
    put("id", json!(product.id));
    put("name", json!(product.name));
    put("slug", json!(product.slug));
    put("permalink", json!(format!("{}/product/{}/", store.options.home_url, product.slug)));
    put("date_created", date(product.date_created, offset));
    put("date_created_gmt", date(product.date_created, 0));
    put("date_modified", date(product.date_modified, offset));
    put("date_modified_gmt", date(product.date_modified, 0));
    put("type", json!(product.kind.as_str()));
    put("status", json!(product.status));
    put("description", json!(product.description));
    put("short_description", json!(product.short_description));
    put("sku", json!(product.sku));
    put("global_unique_id", json!(product.global_unique_id));
    put("price", price_string(price));
    put("regular_price", price_string(if product.kind == ProductType::Variable { None } else { product.regular_price }));
    put("sale_price", price_string(product.sale_price));
    put("date_on_sale_from", Value::Null);
    put("date_on_sale_from_gmt", Value::Null);
    put("date_on_sale_to", Value::Null);
    put("date_on_sale_to_gmt", Value::Null);
    put("on_sale", json!(product.sale_price.is_some()));
    put("purchasable", json!(price.is_some() && product.status == "publish"));
    put("total_sales", json!(product.total_sales));
    put("virtual", json!(false));
    put("downloadable", json!(false));
    put("downloads", json!([]));
    put("download_limit", json!(-1));
    put("download_expiry", json!(-1));
    put("tax_status", json!(product.tax_status));
    put("tax_class", json!(product.tax_class));
    put("manage_stock", store.manage_stock_view(product));
    put("stock_quantity", quantity.map(|q| json!(q)).unwrap_or(Value::Null));
    put("stock_status", json!(status));
    put("backorders", json!(owner_backorders));
    put("backorders_allowed", json!(owner_backorders != "no"));
    put("backordered", json!(quantity.map(|q| q < 0).unwrap_or(false)));
    put("low_stock_amount", product.low_stock_amount.map(|l| json!(l)).unwrap_or(Value::Null));
    put("weight", json!(product.weight));
    put("dimensions", json!({"length": "", "width": "", "height": ""}));
    put("shipping_class", json!(""));
    put("shipping_class_id", json!(0));
    put("menu_order", json!(product.menu_order));
    put("meta_data", meta(&product.meta));
    map
}

/// The products controller's view (also of a variation).
pub fn product(store: &StoreData, id: i64) -> Option<Value> {
    let product = store.products.get(&id)?;
    let mut map = common(store, product);
    let attributes: Vec<Value> = if product.kind == ProductType::Variation {
        product.attributes.iter().map(|a| json!({"id": 0, "name": a.name, "option": a.options.first()})).collect()
    } else {
        product
            .attributes
            .iter()
            .enumerate()
            .map(|(i, a)| json!({"id": 0, "name": a.name, "slug": a.name.to_lowercase(), "position": i, "visible": true, "variation": true, "options": a.options}))
            .collect()
    };
    let extra = [
        ("featured", json!(false)),
        ("catalog_visibility", json!("visible")),
        ("external_url", json!("")),
        ("button_text", json!("")),
        ("sold_individually", json!(false)),
        ("shipping_required", json!(true)),
        ("shipping_taxable", json!(product.tax_status == "taxable")),
        ("reviews_allowed", json!(true)),
        ("average_rating", json!("0.00")),
        ("rating_count", json!(0)),
        ("upsell_ids", json!([])),
        ("cross_sell_ids", json!([])),
        ("parent_id", json!(product.parent_id)),
        ("purchase_note", json!("")),
        ("categories", json!([])),
        ("tags", json!([])),
        ("images", json!([])),
        ("attributes", Value::Array(attributes)),
        ("default_attributes", json!([])),
        ("variations", json!(product.variations)),
        ("grouped_products", json!([])),
        ("price_html", json!("")),
        ("related_ids", json!([])),
        ("has_options", json!(product.kind == ProductType::Variable)),
        ("post_password", json!("")),
    ];
    for (key, value) in extra {
        map.insert(key.into(), value);
    }
    Some(Value::Object(map))
}

/// The variations controller's view.
pub fn variation(store: &StoreData, id: i64) -> Option<Value> {
    let product = store.products.get(&id)?;
    if product.kind != ProductType::Variation {
        return None;
    }
    let mut map = common(store, product);
    map.insert("image".into(), Value::Null);
    map.insert(
        "attributes".into(),
        Value::Array(product.attributes.iter().map(|a| json!({"id": 0, "name": a.name, "option": a.options.first()})).collect()),
    );
    map.insert("parent_id".into(), json!(product.parent_id));
    Some(Value::Object(map))
}
