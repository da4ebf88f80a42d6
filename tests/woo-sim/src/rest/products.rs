//! `/wc/v3/products` and `/wc/v3/products/{id}/variations`: lists (the `sku` filter is exact,
//! takes a comma list and also returns variations), reads, writes with WooCommerce's stock rules
//! (reference 3.8/3.9), trash/delete and batches. A REST stock write fires the stock hooks like any
//! other save, so echo loops can be tested.

use serde_json::{Map, Value};

use super::error::RestError;
use super::list::{self, Page};
use super::params::{as_bool, as_integer};
use super::{batch, writes, Call, Outcome, Reply};
use crate::hooks::{Change, Object};
use crate::model::product::{slugify, Attribute, Product, ProductType};
use crate::model::StoreData;
use crate::render::{self};
use crate::{money, stock};

pub enum Route {
    List,
    Create,
    Batch,
    Get(i64),
    Update(i64),
    Delete(i64),
    Variations(i64),
    CreateVariation(i64),
    BatchVariations(i64),
    GetVariation(i64, i64),
    UpdateVariation(i64, i64),
    DeleteVariation(i64, i64),
}

/// The parent product of a `/products/{id}/variations...` route.
fn parent_of(call: &Call) -> i64 {
    call.route.split('/').nth(4).and_then(|s| s.parse().ok()).unwrap_or(0)
}

pub async fn run(call: &mut Call, route: Route) -> Outcome {
    let body = call.params.merged.clone();
    match route {
        Route::List => list(call),
        Route::Get(id) => get(call, id),
        Route::GetVariation(parent, id) => get_variation(call, parent, id),
        Route::Variations(parent) => variations(call, parent),
        Route::Create => batch::single(call, |s, c, call| create(s, c, call, &body)).await,
        Route::Update(id) => batch::single(call, |s, c, call| update(s, c, call, id, &body)).await,
        Route::Delete(id) => {
            let force = call.params.boolean("force", false);
            call.params.check()?;
            batch::single(call, |s, c, call| delete(s, c, call, id, force)).await
        }
        Route::Batch => batch::run(call, create, update, delete).await,
        Route::CreateVariation(_) => batch::single(call, |s, c, call| create_variation(s, c, call, &body)).await,
        Route::UpdateVariation(_, id) => batch::single(call, |s, c, call| update_variation(s, c, call, id, &body)).await,
        Route::DeleteVariation(_, id) => {
            let force = call.params.boolean("force", false);
            call.params.check()?;
            batch::single(call, |s, c, call| delete_variation(s, c, call, id, force)).await
        }
        Route::BatchVariations(_) => batch::run(call, create_variation, update_variation, delete_variation).await,
    }
}

fn list(call: &mut Call) -> Outcome {
    let page = Page::read(call, "desc");
    let orderby = call.params.one_of(
        "orderby",
        &["date", "id", "include", "title", "slug", "modified", "price", "popularity", "rating", "menu_order"],
        "date",
    );
    let status = call.params.one_of("status", &["any", "draft", "pending", "private", "publish", "future", "trash"], "any");
    let kind = call.params.string("type");
    if let Some(kind) = &kind {
        if ProductType::parse(kind).is_none() {
            call.params.problem("type", "type is not one of simple, grouped, external, and variable.".into());
        }
    }
    let skus: Vec<String> = call.params.string("sku").map(|s| s.split(',').map(|x| x.trim().to_string()).filter(|x| !x.is_empty()).collect()).unwrap_or_default();
    let stock_status = call.params.string("stock_status");
    let search = call.params.string("search").map(|s| s.to_lowercase());
    let include = call.params.int_list("include");
    let exclude = call.params.int_list("exclude");
    let parent = call.params.int_list("parent");
    let offset_secs = call.sim.read().offset();
    let column_offset = if call.params.boolean("dates_are_gmt", false) { 0 } else { offset_secs };
    let after = call.params.date("after", offset_secs);
    let before = call.params.date("before", offset_secs);
    let modified_after = call.params.date("modified_after", offset_secs);
    let modified_before = call.params.date("modified_before", offset_secs);
    call.context();
    call.params.check()?;
    call.require("woocommerce_rest_cannot_view", "Sorry, you cannot list resources.")?;
    let store = call.sim.read();
    let matches = |id: &i64| -> bool {
        let Some(p) = store.products.get(id) else { return false };
        (if status == "any" { p.status != "trash" } else { p.status == status })
            && kind.as_ref().is_none_or(|k| p.kind.as_str() == k)
            && stock_status.as_ref().is_none_or(|s| render::product_stock_status(&store, p) == *s)
            && (include.is_empty() || include.contains(id))
            && !exclude.contains(id)
            && (parent.is_empty() || parent.contains(&p.parent_id))
            && after.is_none_or(|a| p.date_created + column_offset > a)
            && before.is_none_or(|b| p.date_created + column_offset < b)
            && modified_after.is_none_or(|a| p.date_modified + column_offset > a)
            && modified_before.is_none_or(|b| p.date_modified + column_offset < b)
            && search.as_ref().is_none_or(|q| p.name.to_lowercase().contains(q) || p.sku.to_lowercase().contains(q))
    };
    // Without filters beyond the ordering index's own range, only the trash needs excluding; this
    // keeps reconciliation pages over 100,000 products cheap.
    let plain = status == "any"
        && kind.is_none()
        && stock_status.is_none()
        && search.is_none()
        && include.is_empty()
        && exclude.is_empty()
        && parent.is_empty()
        && after.is_none()
        && before.is_none()
        && modified_before.is_none()
        && (modified_after.is_none() || orderby == "modified");
    let keep = |id: &i64| if plain { store.trashed_products.is_empty() || !store.trashed_products.contains(id) } else { matches(id) };
    let (total, slice) = if !skus.is_empty() {
        // By SKU the query spans products and variations.
        let mut ids: Vec<i64> = skus.iter().filter_map(|s| store.sku_index.get(s).copied()).filter(|id| matches(id)).collect();
        ids.sort_by_key(|id| store.products.get(id).map(|p| (p.date_created, *id)).unwrap_or_default());
        if page.descending {
            ids.reverse();
        }
        ids.dedup();
        list::paginate(ids.into_iter(), &page)
    } else {
        match orderby.as_str() {
            "modified" => {
                // The modification index narrows `modified_after` to a range.
                let lower = modified_after.map(|a| (a - column_offset + 1, i64::MIN)).unwrap_or((i64::MIN, i64::MIN));
                let range = store.products_by_modified.range(lower..).map(|(_, id)| *id);
                let ids: Box<dyn Iterator<Item = i64>> = if page.descending { Box::new(range.rev()) } else { Box::new(range) };
                list::paginate(ids.filter(|id| keep(id)), &page)
            }
            "id" | "slug" | "menu_order" | "popularity" | "rating" => {
                let ids = store.products_by_created.iter().map(|(_, id)| *id).filter(|id| matches(id));
                let mut ids: Vec<i64> = ids.collect();
                ids.sort_unstable();
                if page.descending {
                    ids.reverse();
                }
                list::paginate(ids.into_iter(), &page)
            }
            "title" | "price" => {
                let mut ids: Vec<i64> = store.products_by_created.iter().map(|(_, id)| *id).filter(|id| matches(id)).collect();
                if orderby == "title" {
                    ids.sort_by(|a, b| store.products[a].name.cmp(&store.products[b].name).then(a.cmp(b)));
                } else {
                    ids.sort_by_key(|id| (store.products[id].price().unwrap_or(0), *id));
                }
                if page.descending {
                    ids.reverse();
                }
                list::paginate(ids.into_iter(), &page)
            }
            "include" if !include.is_empty() => list::paginate(include.clone().into_iter().filter(|id| matches(id)), &page),
            _ => {
                let ids = store.products_by_created.iter().map(|(_, id)| *id);
                let ids: Box<dyn Iterator<Item = i64>> = if page.descending { Box::new(ids.rev()) } else { Box::new(ids) };
                list::paginate(ids.filter(|id| keep(id)), &page)
            }
        }
    };
    let items = slice.iter().filter_map(|id| render::product(&store, *id)).collect();
    drop(store);
    Ok(list::reply(call, total, &page, items))
}

fn get(call: &mut Call, id: i64) -> Outcome {
    call.context();
    call.params.check()?;
    call.require("woocommerce_rest_cannot_view", "Sorry, you cannot view this resource.")?;
    let store = call.sim.read();
    render::product(&store, id).map(Reply::ok).ok_or_else(|| RestError::new(404, "woocommerce_rest_product_invalid_id", "Invalid ID."))
}

fn get_variation(call: &mut Call, parent: i64, id: i64) -> Outcome {
    call.context();
    call.params.check()?;
    call.require("woocommerce_rest_cannot_view", "Sorry, you cannot view this resource.")?;
    let store = call.sim.read();
    match store.products.get(&id) {
        Some(v) if v.kind == ProductType::Variation && v.parent_id == parent => Ok(Reply::ok(render::variation(&store, id).unwrap_or(Value::Null))),
        _ => Err(RestError::new(404, "woocommerce_rest_product_variation_invalid_id", "Invalid ID.")),
    }
}

fn variations(call: &mut Call, parent: i64) -> Outcome {
    let page = Page::read(call, "desc");
    let skus: Vec<String> = call.params.string("sku").map(|s| s.split(',').map(str::to_string).collect()).unwrap_or_default();
    call.context();
    call.params.check()?;
    call.require("woocommerce_rest_cannot_view", "Sorry, you cannot list resources.")?;
    let store = call.sim.read();
    let mut ids: Vec<i64> = store
        .products
        .get(&parent)
        .map(|p| p.variations.clone())
        .unwrap_or_default()
        .into_iter()
        .filter(|id| skus.is_empty() || store.products.get(id).is_some_and(|v| skus.contains(&v.sku)))
        .collect();
    ids.sort_unstable();
    if page.descending {
        ids.reverse();
    }
    let (total, slice) = list::paginate(ids.into_iter(), &page);
    let items = slice.iter().filter_map(|id| render::variation(&store, *id)).collect();
    drop(store);
    Ok(list::reply(call, total, &page, items))
}

fn invalid(param: &str, message: &str) -> RestError {
    RestError::invalid_params(&[(param.to_string(), message.to_string())])
}

fn price(param: &str, value: &Value) -> Result<Option<i64>, RestError> {
    match value {
        Value::Null => Ok(None),
        Value::String(s) if s.trim().is_empty() => Ok(None),
        other => money::from_json(other).map(Some).ok_or_else(|| invalid(param, &format!("{param} is not of type string."))),
    }
}

/// What a save changed that fires hooks.
struct Saved {
    stock_from: Option<i64>,
    stock_to: Option<i64>,
    status_changed: bool,
}

/// `prepare_object_for_database` for products and variations.
fn apply(store: &mut StoreData, product: &mut Product, body: &Map<String, Value>) -> Result<(), RestError> {
    let manage_option = store.options.manage_stock;
    let parent_manages = product.kind == ProductType::Variation
        && store.products.get(&product.parent_id).is_some_and(|p| p.manage_stock);
    for (key, value) in body {
        match key.as_str() {
            "name" => product.name = value.as_str().unwrap_or_default().to_string(),
            "slug" => product.slug = slugify(value.as_str().unwrap_or_default()),
            "status" => {
                let allowed = ["draft", "pending", "private", "publish", "future"];
                match value.as_str() {
                    Some(s) if allowed.contains(&s) => product.status = s.to_string(),
                    _ => return Err(invalid("status", "status is not one of draft, pending, private, publish, and future.")),
                }
            }
            "sku" => {
                let sku = value.as_str().unwrap_or_default().trim().to_string();
                if let Some(owner) = store.sku_index.get(&sku).copied().filter(|o| !sku.is_empty() && *o != product.id) {
                    return Err(RestError::new(400, "product_invalid_sku", "Invalid or duplicated SKU.")
                        .with("resource_id", Value::from(owner))
                        .with("unique_sku", Value::from(format!("{sku}-1"))));
                }
                product.sku = sku;
            }
            "global_unique_id" => product.global_unique_id = value.as_str().unwrap_or_default().to_string(),
            "regular_price" => product.regular_price = price("regular_price", value)?,
            "sale_price" => product.sale_price = price("sale_price", value)?,
            "description" => product.description = value.as_str().unwrap_or_default().to_string(),
            "short_description" => product.short_description = value.as_str().unwrap_or_default().to_string(),
            "tax_status" => product.tax_status = value.as_str().unwrap_or("taxable").to_string(),
            "tax_class" => product.tax_class = value.as_str().unwrap_or_default().to_string(),
            "weight" => product.weight = value.as_str().unwrap_or_default().to_string(),
            "menu_order" => product.menu_order = as_integer(value).unwrap_or(0),
            "low_stock_amount" => product.low_stock_amount = as_integer(value),
            "meta_data" => {
                let meta = writes::meta_writes("meta_data", value)?;
                crate::model::apply_meta(&mut store.seq, &mut product.meta, &meta);
            }
            "attributes" => {
                if let Value::Array(items) = value {
                    product.attributes = items
                        .iter()
                        .filter_map(|a| {
                            let name = a.get("name")?.as_str()?.to_string();
                            let options = match (a.get("options"), a.get("option")) {
                                (Some(Value::Array(o)), _) => o.iter().filter_map(|x| x.as_str().map(str::to_string)).collect(),
                                (_, Some(Value::String(o))) => vec![o.clone()],
                                _ => Vec::new(),
                            };
                            Some(Attribute { name, options })
                        })
                        .collect();
                }
            }
            _ => {}
        }
    }
    for key in ["stock_quantity", "inventory_delta"] {
        if let Some(value) = body.get(key).filter(|v| !v.is_null()) {
            if as_integer(value).is_none() {
                return Err(invalid(key, &format!("{key} is not of type integer.")));
            }
        }
    }
    if let Some(value) = body.get("manage_stock") {
        let parent_flag = value.as_str() == Some("parent") && product.kind == ProductType::Variation;
        match as_bool(value) {
            Some(b) => product.manage_stock = b,
            None if parent_flag => product.manage_stock = false,
            None => return Err(invalid("manage_stock", "manage_stock is not of type boolean.")),
        }
    }
    if let Some(value) = body.get("backorders") {
        match value.as_str() {
            Some(b @ ("no" | "notify" | "yes")) => product.backorders = b.to_string(),
            _ => return Err(invalid("backorders", "backorders is not one of no, notify, and yes.")),
        }
    }
    if let Some(value) = body.get("stock_status") {
        match value.as_str() {
            Some(s @ ("instock" | "outofstock" | "onbackorder")) => product.stock_status = s.to_string(),
            _ => return Err(invalid("stock_status", "stock_status is not one of instock, outofstock, and onbackorder.")),
        }
    }
    if !manage_option {
        // `stock_quantity` is silently ignored; only the stock status is stored.
        return Ok(());
    }
    match product.kind {
        ProductType::Grouped | ProductType::External => {
            product.manage_stock = false;
            product.stock_quantity = None;
        }
        _ if product.manage_stock || parent_manages => {
            if let Some(quantity) = body.get("stock_quantity").and_then(as_integer) {
                product.stock_quantity = Some(quantity);
            } else if let Some(delta) = body.get("inventory_delta").and_then(as_integer) {
                product.stock_quantity = Some(product.stock_quantity.unwrap_or(0).saturating_add(delta));
            }
            if product.manage_stock {
                if let Some(quantity) = product.stock_quantity {
                    product.stock_status = stock::status_for(quantity, &product.backorders, store.options.notify_no_stock).to_string();
                }
            }
        }
        _ => {
            // Neither the product nor a parent manages stock: quantity cleared, no backorders.
            product.stock_quantity = None;
            if product.kind == ProductType::Variation {
                product.backorders = "no".into();
            }
        }
    }
    Ok(())
}

/// Saves a product and fires the save hooks (`handle_updated_props` stock hooks, then
/// `woocommerce_new_product`/`woocommerce_update_product` or the variation hooks, then the REST
/// insert hook).
fn save(store: &mut StoreData, change: &mut Change, product: Product, saved: Saved, creating: bool) -> i64 {
    let id = product.id;
    let variation = product.kind == ProductType::Variation;
    let sku = product.sku.clone();
    if creating {
        store.insert_product(product);
    } else {
        let old_sku = store.products.get(&id).map(|p| p.sku.clone()).unwrap_or_default();
        if let Some(stored) = store.products.get_mut(&id) {
            *stored = product;
        }
        if old_sku != sku {
            if !old_sku.is_empty() {
                store.sku_index.remove(&old_sku);
            }
            if !sku.is_empty() {
                store.sku_index.insert(sku.clone(), id);
            }
        }
    }
    store.touch_product(id, change.now);
    let object = Object::Product { id };
    if !creating && saved.stock_from != saved.stock_to {
        change.fire(if variation { "woocommerce_variation_set_stock" } else { "woocommerce_product_set_stock" }, object);
        stock::log(store, change, id, saved.stock_from, saved.stock_to, "rest-api", None);
    }
    if saved.status_changed {
        change.fire(if variation { "woocommerce_variation_set_stock_status" } else { "woocommerce_product_set_stock_status" }, object);
    }
    let hook = match (creating, variation) {
        (true, false) => "woocommerce_new_product",
        (true, true) => "woocommerce_new_product_variation",
        (false, false) => "woocommerce_update_product",
        (false, true) => "woocommerce_update_product_variation",
    };
    change.fire(hook, object);
    change.fire(if variation { "woocommerce_rest_insert_product_variation_object" } else { "woocommerce_rest_insert_product_object" }, object);
    id
}

fn write(store: &mut StoreData, change: &mut Change, mut product: Product, body: &Map<String, Value>, creating: bool) -> Result<i64, RestError> {
    let before = (product.stock_quantity, product.stock_status.clone());
    apply(store, &mut product, body)?;
    let saved = Saved { stock_from: before.0, stock_to: product.stock_quantity, status_changed: !creating && before.1 != product.stock_status };
    Ok(save(store, change, product, saved, creating))
}

pub fn create(store: &mut StoreData, change: &mut Change, call: &Call, body: &Map<String, Value>) -> Outcome {
    call.require_in(store, "woocommerce_rest_cannot_create", "Sorry, you are not allowed to create resources.")?;
    if body.get("id").and_then(as_integer).is_some_and(|id| id > 0) {
        return Err(RestError::new(400, "woocommerce_rest_product_exists", "Cannot create existing product."));
    }
    let kind = match body.get("type").and_then(Value::as_str) {
        None => ProductType::Simple,
        Some(t) => ProductType::parse(t).ok_or_else(|| invalid("type", "type is not one of simple, grouped, external, and variable."))?,
    };
    let name = body.get("name").and_then(Value::as_str).unwrap_or("Product");
    let product = Product::new(store.seq.post + 1, kind, name, change.now);
    let id = write(store, change, product, body, true)?;
    store.seq.post = store.seq.post.max(id);
    Ok(Reply::created(render::product(store, id).unwrap_or(Value::Null), call.rest_url(&format!("/wc/v3/products/{id}"))))
}

pub fn update(store: &mut StoreData, change: &mut Change, call: &Call, id: i64, body: &Map<String, Value>) -> Outcome {
    call.require_in(store, "woocommerce_rest_cannot_edit", "Sorry, you are not allowed to edit this resource.")?;
    let Some(product) = store.products.get(&id).cloned() else {
        return Err(RestError::new(400, "woocommerce_rest_product_invalid_id", "Invalid ID."));
    };
    write(store, change, product, body, false)?;
    Ok(Reply::ok(render::product(store, id).unwrap_or(Value::Null)))
}

pub fn delete(store: &mut StoreData, change: &mut Change, call: &Call, id: i64, force: bool) -> Outcome {
    call.require_in(store, "woocommerce_rest_cannot_delete", "Sorry, you are not allowed to delete this resource.")?;
    let Some(before) = render::product(store, id) else {
        return Err(RestError::new(404, "woocommerce_rest_product_invalid_id", "Invalid ID."));
    };
    let object = Object::Product { id };
    if force {
        change.fire("woocommerce_before_delete_product", object);
        store.remove_product(id);
        change.fire("woocommerce_delete_product", object);
        return Ok(Reply::ok(before));
    }
    if store.products.get(&id).is_some_and(|p| p.status == "trash") {
        return Err(RestError::new(410, "woocommerce_rest_already_trashed", "The product has already been deleted."));
    }
    change.fire("wp_trash_post", object);
    if let Some(p) = store.products.get_mut(&id) {
        p.status = "trash".into();
    }
    store.trashed_products.insert(id);
    store.touch_product(id, change.now);
    change.fire("woocommerce_trash_product", object);
    Ok(Reply::ok(render::product(store, id).unwrap_or(Value::Null)))
}

pub fn create_variation(store: &mut StoreData, change: &mut Change, call: &Call, body: &Map<String, Value>) -> Outcome {
    call.require_in(store, "woocommerce_rest_cannot_create", "Sorry, you are not allowed to create resources.")?;
    let parent = parent_of(call);
    if !store.products.get(&parent).is_some_and(|p| p.kind == ProductType::Variable) {
        return Err(RestError::new(404, "woocommerce_rest_product_invalid_id", "Invalid ID."));
    }
    let name = store.products.get(&parent).map(|p| p.name.clone()).unwrap_or_default();
    let mut variation = Product::new(store.seq.post + 1, ProductType::Variation, &name, change.now);
    variation.parent_id = parent;
    let id = write(store, change, variation, body, true)?;
    store.seq.post = store.seq.post.max(id);
    if let Some(p) = store.products.get_mut(&parent) {
        p.variations.push(id);
    }
    Ok(Reply::created(render::variation(store, id).unwrap_or(Value::Null), call.rest_url(&format!("/wc/v3/products/{parent}/variations/{id}"))))
}

pub fn update_variation(store: &mut StoreData, change: &mut Change, call: &Call, id: i64, body: &Map<String, Value>) -> Outcome {
    call.require_in(store, "woocommerce_rest_cannot_edit", "Sorry, you are not allowed to edit this resource.")?;
    let parent = parent_of(call);
    let Some(variation) = store.products.get(&id).filter(|v| v.kind == ProductType::Variation && v.parent_id == parent).cloned() else {
        return Err(RestError::new(400, "woocommerce_rest_product_variation_invalid_id", "Invalid ID."));
    };
    write(store, change, variation, body, false)?;
    Ok(Reply::ok(render::variation(store, id).unwrap_or(Value::Null)))
}

pub fn delete_variation(store: &mut StoreData, change: &mut Change, call: &Call, id: i64, force: bool) -> Outcome {
    call.require_in(store, "woocommerce_rest_cannot_delete", "Sorry, you are not allowed to delete this resource.")?;
    let parent = parent_of(call);
    if !store.products.get(&id).is_some_and(|v| v.kind == ProductType::Variation && v.parent_id == parent) {
        return Err(RestError::new(404, "woocommerce_rest_product_variation_invalid_id", "Invalid ID."));
    }
    if !force {
        return Err(RestError::new(501, "woocommerce_rest_trash_not_supported", "Variations do not support trashing."));
    }
    let before = render::variation(store, id).unwrap_or(Value::Null);
    let object = Object::Product { id };
    change.fire("woocommerce_before_delete_product_variation", object);
    store.remove_product(id);
    change.fire("woocommerce_delete_product_variation", object);
    Ok(Reply::ok(before))
}
