//! Writes through the pages. A page body is validated against the page (field names, types,
//! lengths, editability), translated to the API properties with the same meaning and run through
//! the same validation as the API; fields only the page has (Customer Price Group, Ship-to Code,
//! Location Code, Your Reference, …) are checked first and applied after. Page services do not
//! support deep insert.

use serde_json::{Map, Value};
use uuid::Uuid;

use crate::entities::customers::{self, CUSTOMERS};
use crate::entities::documents::{SALES_CREDIT_MEMOS, SALES_ORDERS};
use crate::entities::items::{self, ITEMS};
use crate::entities::lines::{SALES_CREDIT_MEMO_LINES, SALES_ORDER_LINES};
use crate::entities::masters::by_code;
use crate::entities::Ctx;
use crate::error::{ApiError, ApiResult};
use crate::odata::body::{changes, Changes, Mode};
use crate::odata::schema::{SetDef, LINE_TYPE};
use crate::odata::value::{blank_date, Val};
use crate::sales::{headers, lines};
use crate::store::records::ShipTo;
use crate::store::sales::{DocKind, LineKind};
use crate::store::{Company, MasterKind};

/// Page field → API property with the same meaning and value.
const CUSTOMER_FIELDS: &[(&str, &str)] = &[
    ("No", "number"),
    ("Name", "displayName"),
    ("Address", "addressLine1"),
    ("Address_2", "addressLine2"),
    ("City", "city"),
    ("County", "state"),
    ("Post_Code", "postalCode"),
    ("Country_Region_Code", "country"),
    ("Phone_No", "phoneNumber"),
    ("E_Mail", "email"),
    ("Home_Page", "website"),
    ("Salesperson_Code", "salespersonCode"),
    ("Currency_Code", "currencyCode"),
    ("Credit_Limit_LCY", "creditLimit"),
    ("Blocked", "blocked"),
    ("VAT_Registration_No", "taxRegistrationNumber"),
];

const ITEM_FIELDS: &[(&str, &str)] = &[
    ("No", "number"),
    ("Description", "displayName"),
    ("Description_2", "displayName2"),
    ("Type", "type"),
    ("Base_Unit_of_Measure", "baseUnitOfMeasureCode"),
    ("Unit_Price", "unitPrice"),
    ("Unit_Cost", "unitCost"),
    ("Price_Includes_VAT", "priceIncludesTax"),
    ("Item_Category_Code", "itemCategoryCode"),
    ("Blocked", "blocked"),
    ("GTIN", "gtin"),
    ("VAT_Prod_Posting_Group", "taxGroupCode"),
    ("Gen_Prod_Posting_Group", "generalProductPostingGroupCode"),
    ("Inventory_Posting_Group", "inventoryPostingGroupCode"),
];

const ORDER_FIELDS: &[(&str, &str)] = &[
    ("Sell_to_Customer_No", "customerNumber"),
    ("External_Document_No", "externalDocumentNumber"),
    ("Order_Date", "orderDate"),
    ("Document_Date", "orderDate"),
    ("Posting_Date", "postingDate"),
    ("Requested_Delivery_Date", "requestedDeliveryDate"),
    ("Sell_to_Address", "sellToAddressLine1"),
    ("Sell_to_Address_2", "sellToAddressLine2"),
    ("Sell_to_City", "sellToCity"),
    ("Sell_to_County", "sellToState"),
    ("Sell_to_Post_Code", "sellToPostCode"),
    ("Sell_to_Country_Region_Code", "sellToCountry"),
    ("Sell_to_Phone_No", "phoneNumber"),
    ("Sell_to_E_Mail", "email"),
    ("Currency_Code", "currencyCode"),
    ("Prices_Including_VAT", "pricesIncludeTax"),
    ("Ship_to_Name", "shipToName"),
    ("Ship_to_Address", "shipToAddressLine1"),
    ("Ship_to_Address_2", "shipToAddressLine2"),
    ("Ship_to_City", "shipToCity"),
    ("Ship_to_County", "shipToState"),
    ("Ship_to_Post_Code", "shipToPostCode"),
    ("Ship_to_Country_Region_Code", "shipToCountry"),
    ("Ship_to_Contact", "shipToContact"),
    ("Bill_to_Customer_No", "billToCustomerNumber"),
    ("Shortcut_Dimension_1_Code", "shortcutDimension1Code"),
    ("Shortcut_Dimension_2_Code", "shortcutDimension2Code"),
    ("Salesperson_Code", "salesperson"),
];

const LINE_FIELDS: &[(&str, &str)] = &[
    ("Line_No", "sequence"),
    ("No", "lineObjectNumber"),
    ("Description", "description"),
    ("Description_2", "description2"),
    ("Quantity", "quantity"),
    ("Unit_of_Measure_Code", "unitOfMeasureCode"),
    ("Unit_Price", "unitPrice"),
    ("Line_Discount_Percent", "discountPercent"),
    ("Line_Discount_Amount", "discountAmount"),
    ("VAT_Prod_Posting_Group", "taxCode"),
    ("Qty_to_Ship", "shipQuantity"),
    ("Qty_to_Invoice", "invoiceQuantity"),
    ("Shipment_Date", "shipmentDate"),
];

/// Page fields whose API counterpart is the id of a lookup record.
const ID_FIELDS: &[(&str, &str, MasterKind, &str)] = &[
    ("Payment_Terms_Code", "paymentTermsId", MasterKind::PaymentTerms, "Payment Terms"),
    ("Payment_Method_Code", "paymentMethodId", MasterKind::PaymentMethods, "Payment Method"),
    ("Shipment_Method_Code", "shipmentMethodId", MasterKind::ShipmentMethods, "Shipment Method"),
    ("Location_Code", "locationId", MasterKind::Locations, "Location"),
];

fn api_prop(def: &'static SetDef, name: &str) -> ApiResult<&'static crate::odata::schema::Prop> {
    def.prop(name).ok_or_else(|| {
        ApiError::new(
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            "Internal_ServerError",
            format!("No API property {name}."),
        )
    })
}

/// Translates page changes into API changes for `api` (fields listed in `fields`, plus the id
/// fields `api` has).
fn translate(
    co: &Company,
    page: &Changes,
    api: &'static SetDef,
    fields: &[(&str, &str)],
    table: &str,
) -> ApiResult<Changes> {
    let mut out = Changes::default();
    for (prop, value) in &page.values {
        if let Some((_, api_name)) = fields.iter().find(|(p, _)| *p == prop.name) {
            out.values.push((api_prop(api, api_name)?, value.clone()));
            continue;
        }
        if let Some((_, api_name, kind, related)) = ID_FIELDS.iter().find(|(p, ..)| *p == prop.name) {
            let Some(api_prop) = api.prop(api_name) else { continue };
            let code = value.as_str().unwrap_or("");
            let id = if code.is_empty() {
                Uuid::nil()
            } else {
                by_code(co, *kind, code)
                    .map(|m| m.id)
                    .ok_or_else(|| ApiError::table_relation(&prop.name.replace('_', " "), table, code, related))?
            };
            out.values.push((api_prop, Val::Guid(id)));
        }
    }
    Ok(out)
}

/// Page services take no deep insert: a nested collection in the body is refused.
fn page_changes(def: &'static SetDef, body: &Map<String, Value>, mode: Mode) -> ApiResult<Changes> {
    let changes = changes(def, body, mode)?;
    if let Some((nav, _)) = changes.nested.first() {
        return Err(ApiError::bad_request(format!(
            "The property '{}' cannot be written: deep insert is not supported on page web services.",
            nav.name
        )));
    }
    Ok(changes)
}

fn check_relation(
    co: &Company,
    kind: MasterKind,
    value: &str,
    field: &str,
    table: &str,
    related: &str,
) -> ApiResult<()> {
    customers::check_master(co, kind, value, field, table, related)
}

fn check_price_group(co: &Company, group: &str, table: &str) -> ApiResult<()> {
    if group.is_empty() || co.setup.price_groups.contains(group) {
        Ok(())
    } else {
        Err(ApiError::table_relation("Customer Price Group", table, group, "Customer Price Group"))
    }
}

// --- Customer Card ---------------------------------------------------------------------------

/// Customer Card posting group fields, their captions and related tables.
const POSTING_GROUPS: [(&str, &str); 3] = [
    ("Customer_Posting_Group", "Customer Posting Group"),
    ("Gen_Bus_Posting_Group", "Gen. Bus. Posting Group"),
    ("VAT_Bus_Posting_Group", "VAT Business Posting Group"),
];

fn customer_page_only(co: &Company, page: &Changes) -> ApiResult<()> {
    if let Some(group) = page.text("Customer_Price_Group") {
        check_price_group(co, group, "Customer")?;
    }
    for (index, (field, table)) in POSTING_GROUPS.iter().enumerate() {
        if let Some(group) = page.text(field).filter(|g| !g.is_empty()) {
            if !co.setup.posting_groups[index].contains(group) {
                return Err(ApiError::table_relation(&field.replace('_', " ").replace("Bus ", "Bus. "), "Customer", group, table));
            }
        }
    }
    if let Some(location) = page.text("Location_Code") {
        check_relation(co, MasterKind::Locations, location, "Location Code", "Customer", "Location")?;
    }
    Ok(())
}

fn apply_customer_page_only(customer: &mut crate::store::records::Customer, page: &Changes) {
    if let Some(group) = page.text("Customer_Price_Group") {
        customer.price_group = group.to_string();
    }
    if let Some(location) = page.text("Location_Code") {
        customer.location = location.to_string();
    }
    for (index, (field, _)) in POSTING_GROUPS.iter().enumerate() {
        if let Some(group) = page.text(field) {
            customer.posting_groups[index] = group.to_string();
        }
    }
    if let Some(include) = page.bool("Prices_Including_VAT") {
        customer.prices_including_vat = include;
    }
}

pub fn create_customer(ctx: &mut Ctx<'_>, def: &'static SetDef, body: &Map<String, Value>) -> ApiResult<Uuid> {
    let page = page_changes(def, body, Mode::Create)?;
    customer_page_only(ctx.co, &page)?;
    let api = translate(ctx.co, &page, &CUSTOMERS, CUSTOMER_FIELDS, "Customer")?;
    let mut customer = customers::blank(Uuid::new_v4(), ctx.co.meta);
    customers::apply(ctx.co, &mut customer, &api)?;
    apply_customer_page_only(&mut customer, &page);
    customers::insert(ctx.co, customer).map(|c| c.id)
}

pub fn update_customer(ctx: &mut Ctx<'_>, def: &'static SetDef, id: Uuid, body: &Map<String, Value>) -> ApiResult<()> {
    let page = page_changes(def, body, Mode::Update)?;
    customer_page_only(ctx.co, &page)?;
    let api = translate(ctx.co, &page, &CUSTOMERS, CUSTOMER_FIELDS, "Customer")?;
    let old = ctx.co.customers.get(id).cloned().ok_or_else(|| customers::not_found(id))?;
    let mut new = old.clone();
    customers::apply(ctx.co, &mut new, &api)?;
    apply_customer_page_only(&mut new, &page);
    customers::replace(ctx.co, old, new)
}

// --- Ship-to Address ---------------------------------------------------------------------------

/// Applies page changes to a ship-to record, with the checks of table 222.
fn apply_ship_to(co: &Company, ship_to: &mut ShipTo, page: &Changes, key: &str) -> ApiResult<()> {
    for (prop, value) in &page.values {
        let text = value.as_str().unwrap_or("").to_string();
        match prop.name {
            "Name" => ship_to.name = text,
            "Address" => ship_to.address = text,
            "Address_2" => ship_to.address2 = text,
            "City" => ship_to.city = text,
            "County" => ship_to.county = text,
            "Post_Code" => ship_to.post_code = text,
            "Country_Region_Code" => {
                check_relation(co, MasterKind::CountriesRegions, &text, "Country/Region Code", "Ship-to Address", "Country/Region")?;
                ship_to.country = text;
            }
            "Phone_No" => {
                customers::check_phone(&text, "Ship-to Address", key)?;
                ship_to.phone = text;
            }
            "Contact" => ship_to.contact = text,
            "E_Mail" => {
                customers::check_email(&text)?;
                ship_to.email = text;
            }
            _ => {}
        }
    }
    Ok(())
}

/// POST: a new ship-to address of an existing customer. Returns its key.
pub fn create_ship_to(co: &mut Company, def: &'static SetDef, body: &Map<String, Value>) -> ApiResult<(String, String)> {
    let page = page_changes(def, body, Mode::Create)?;
    let customer_no = page.text("Customer_No").unwrap_or("").to_string();
    let code = page.text("Code").unwrap_or("").to_string();
    let key = format!("Customer No.='{customer_no}',Code='{code}'");
    if code.is_empty() {
        return Err(ApiError::field_validation(format!("Code must have a value in Ship-to Address: {key}. It cannot be zero or empty.")));
    }
    let mut customer = co
        .customers
        .by_key(&customer_no)
        .cloned()
        .ok_or_else(|| ApiError::table_relation("Customer No.", "Ship-to Address", &customer_no, "Customer"))?;
    if customer.ship_to.iter().any(|s| s.code == code) {
        return Err(ApiError::already_exists("Ship-to Address", &key));
    }
    let mut ship_to = ShipTo { code: code.clone(), ..ShipTo::default() };
    apply_ship_to(co, &mut ship_to, &page, &key)?;
    ship_to.meta = co.stamp();
    customer.ship_to.push(ship_to);
    customer.ship_to.sort_by(|a, b| a.code.cmp(&b.code));
    co.customers.replace(customer);
    Ok((customer_no, code))
}

/// PATCH. Renaming a ship-to address (a key field in the body) is refused here; BC would rename
/// the record, which the connector never asks for.
pub fn update_ship_to(co: &mut Company, def: &'static SetDef, customer_no: &str, code: &str, body: &Map<String, Value>) -> ApiResult<()> {
    let page = page_changes(def, body, Mode::Update)?;
    let key = format!("Customer No.='{customer_no}',Code='{code}'");
    for (field, current) in [("Customer_No", customer_no), ("Code", code)] {
        if page.text(field).is_some_and(|v| v != current) {
            return Err(ApiError::bad_request(format!("The simulator does not rename Ship-to Address records ({field} in {key}).")));
        }
    }
    let mut customer = co.customers.by_key(customer_no).cloned().ok_or_else(|| ApiError::record_not_found("Ship-to Address", &key))?;
    let index = customer.ship_to.iter().position(|s| s.code == code).ok_or_else(|| ApiError::record_not_found("Ship-to Address", &key))?;
    let mut ship_to = customer.ship_to[index].clone();
    apply_ship_to(co, &mut ship_to, &page, &key)?;
    if ship_to != customer.ship_to[index] {
        ship_to.meta = co.touch(ship_to.meta);
        customer.ship_to[index] = ship_to;
        co.customers.replace(customer);
    }
    Ok(())
}

pub fn delete_ship_to(co: &mut Company, customer_no: &str, code: &str) -> ApiResult<()> {
    let key = format!("Customer No.='{customer_no}',Code='{code}'");
    let mut customer = co.customers.by_key(customer_no).cloned().ok_or_else(|| ApiError::record_not_found("Ship-to Address", &key))?;
    let before = customer.ship_to.len();
    customer.ship_to.retain(|s| s.code != code);
    if customer.ship_to.len() == before {
        return Err(ApiError::record_not_found("Ship-to Address", &key));
    }
    co.customers.replace(customer);
    Ok(())
}

// --- Item Card -------------------------------------------------------------------------------

pub fn create_item(ctx: &mut Ctx<'_>, def: &'static SetDef, body: &Map<String, Value>) -> ApiResult<Uuid> {
    let page = page_changes(def, body, Mode::Create)?;
    let api = translate(ctx.co, &page, &ITEMS, ITEM_FIELDS, "Item")?;
    items::create(ctx, &api)
}

pub fn update_item(ctx: &mut Ctx<'_>, def: &'static SetDef, id: Uuid, body: &Map<String, Value>) -> ApiResult<()> {
    let page = page_changes(def, body, Mode::Update)?;
    if page.values.iter().any(|(p, _)| p.flow_filter) {
        return Err(ApiError::read_only("Location_Filter"));
    }
    let api = translate(ctx.co, &page, &ITEMS, ITEM_FIELDS, "Item")?;
    items::update(ctx, id, &api)
}

// --- Sales Order -----------------------------------------------------------------------------

fn order_api_changes(co: &Company, page: &Changes) -> ApiResult<Changes> {
    let mut api = translate(co, page, &SALES_ORDERS, ORDER_FIELDS, "Sales Header")?;
    if let Some(advice) = page.enum_index("Shipping_Advice") {
        api.values.push((api_prop(&SALES_ORDERS, "partialShipping")?, Val::Bool(advice == 0)));
    }
    Ok(api)
}

/// Checks the fields only the page has, before anything is written.
fn order_page_only(co: &Company, page: &Changes, customer: &str) -> ApiResult<()> {
    if let Some(group) = page.text("Customer_Price_Group") {
        check_price_group(co, group, "Sales Header")?;
    }
    if let Some(location) = page.text("Location_Code") {
        check_relation(co, MasterKind::Locations, location, "Location Code", "Sales Header", "Location")?;
    }
    if let Some(method) = page.text("Payment_Method_Code") {
        check_relation(
            co,
            MasterKind::PaymentMethods,
            method,
            "Payment Method Code",
            "Sales Header",
            "Payment Method",
        )?;
    }
    if let Some(code) = page.text("Ship_to_Code").filter(|c| !c.is_empty()) {
        let known = co.customers.by_key(customer).is_some_and(|c| c.ship_to.iter().any(|s| s.code == code));
        if !known {
            return Err(ApiError::related_record_missing(
                "Ship-to Address",
                &format!("Customer No.='{customer}',Code='{code}'"),
            ));
        }
    }
    Ok(())
}

fn apply_order_page_only(co: &mut Company, id: Uuid, page: &Changes) -> ApiResult<()> {
    let mut doc = co.orders.get(id).cloned().ok_or_else(|| headers::not_found(DocKind::Order, id))?;
    if let Some(group) = page.text("Customer_Price_Group") {
        doc.price_group = group.to_string();
    }
    if let Some(location) = page.text("Location_Code") {
        doc.location = location.to_string();
    }
    if let Some(method) = page.text("Payment_Method_Code") {
        doc.payment_method = method.to_string();
    }
    if let Some(reference) = page.text("Your_Reference") {
        doc.your_reference = reference.to_string();
    }
    if page.has("Due_Date") {
        doc.due_date = page.date("Due_Date").unwrap_or_else(blank_date);
    }
    if let Some(code) = page.text("Ship_to_Code") {
        let customer = co.customers.by_key(&doc.customer_number).cloned();
        match customer.as_ref().and_then(|c| c.ship_to.iter().find(|s| s.code == code)) {
            Some(ship_to) => {
                doc.ship_to_name = ship_to.name.clone();
                doc.ship_to.line1 = ship_to.address.clone();
                doc.ship_to.line2 = ship_to.address2.clone();
                doc.ship_to.city = ship_to.city.clone();
                doc.ship_to.county = ship_to.county.clone();
                doc.ship_to.post_code = ship_to.post_code.clone();
                doc.ship_to.country = ship_to.country.clone();
                doc.ship_to_contact = ship_to.contact.clone();
            }
            None => {
                // A blank Ship-to Code puts the sell-to address back.
                doc.ship_to = doc.sell_to.clone();
                if let Some(c) = &customer {
                    doc.ship_to_name = c.name.clone();
                }
            }
        }
        doc.ship_to_code = code.to_string();
    }
    headers::store_changed(co, doc);
    Ok(())
}

pub fn create_order(ctx: &mut Ctx<'_>, def: &'static SetDef, body: &Map<String, Value>) -> ApiResult<Uuid> {
    let page = page_changes(def, body, Mode::Create)?;
    let customer = page.text("Sell_to_Customer_No").unwrap_or("").to_string();
    if customer.is_empty() {
        return Err(ApiError::field_validation(
            "Sell-to Customer No. must have a value in Sales Header: Document Type=Order, No.=. It cannot be zero or empty.",
        ));
    }
    order_page_only(ctx.co, &page, &customer)?;
    let api = order_api_changes(ctx.co, &page)?;
    let id = headers::create(ctx, DocKind::Order, &api)?;
    apply_order_page_only(ctx.co, id, &page)?;
    Ok(id)
}

pub fn update_order(ctx: &mut Ctx<'_>, def: &'static SetDef, id: Uuid, body: &Map<String, Value>) -> ApiResult<()> {
    let page = page_changes(def, body, Mode::Update)?;
    let current = ctx
        .co
        .orders
        .get(id)
        .map(|d| d.customer_number.clone())
        .ok_or_else(|| headers::not_found(DocKind::Order, id))?;
    let customer = page.text("Sell_to_Customer_No").map(str::to_string).unwrap_or(current);
    order_page_only(ctx.co, &page, &customer)?;
    let api = order_api_changes(ctx.co, &page)?;
    headers::update(ctx, DocKind::Order, id, &api)?;
    apply_order_page_only(ctx.co, id, &page)
}

// --- Sales Credit Memo (drafts) ----------------------------------------------------------------

const CREDIT_MEMO_FIELDS: &[(&str, &str)] = &[
    ("Sell_to_Customer_No", "customerNumber"),
    ("External_Document_No", "externalDocumentNumber"),
    ("Posting_Date", "postingDate"),
    ("Document_Date", "creditMemoDate"),
    ("Currency_Code", "currencyCode"),
];

/// The page's `Applies-to Doc. No.` is the API's `invoiceNumber`, for `Applies-to Doc. Type`
/// Invoice only (the connector applies credit memos to invoices).
fn credit_memo_api_changes(co: &Company, page: &Changes) -> ApiResult<Changes> {
    let mut api = translate(co, page, &SALES_CREDIT_MEMOS, CREDIT_MEMO_FIELDS, "Sales Header")?;
    if let Some(number) = page.text("Applies_to_Doc_No").filter(|n| !n.is_empty()) {
        if page.enum_index("Applies_to_Doc_Type").is_some_and(|t| t != 2) {
            return Err(ApiError::bad_request("The simulator applies credit memos to invoices only (Applies-to Doc. Type = Invoice)."));
        }
        api.values.push((api_prop(&SALES_CREDIT_MEMOS, "invoiceNumber")?, Val::owned(number.to_string())));
    }
    Ok(api)
}

fn apply_credit_memo_page_only(co: &mut Company, id: Uuid, page: &Changes) {
    let Some(include) = page.bool("Prices_Including_VAT") else { return };
    let Some(mut doc) = co.credit_memos.get(id).cloned() else { return };
    doc.prices_include_tax = include;
    headers::store_changed(co, doc);
}

pub fn create_credit_memo(ctx: &mut Ctx<'_>, def: &'static SetDef, body: &Map<String, Value>) -> ApiResult<Uuid> {
    let page = page_changes(def, body, Mode::Create)?;
    if page.text("Sell_to_Customer_No").unwrap_or("").is_empty() {
        return Err(ApiError::field_validation(
            "Sell-to Customer No. must have a value in Sales Header: Document Type=Credit Memo, No.=. It cannot be zero or empty.",
        ));
    }
    let api = credit_memo_api_changes(ctx.co, &page)?;
    let id = headers::create(ctx, DocKind::CreditMemo, &api)?;
    apply_credit_memo_page_only(ctx.co, id, &page);
    Ok(id)
}

pub fn update_credit_memo(ctx: &mut Ctx<'_>, def: &'static SetDef, id: Uuid, body: &Map<String, Value>) -> ApiResult<()> {
    let page = page_changes(def, body, Mode::Update)?;
    let api = credit_memo_api_changes(ctx.co, &page)?;
    headers::update(ctx, DocKind::CreditMemo, id, &api)?;
    apply_credit_memo_page_only(ctx.co, id, &page);
    Ok(())
}

// --- Sales Order lines -----------------------------------------------------------------------

fn line_api_changes(co: &Company, page: &Changes, item_number: &str, kind: DocKind) -> ApiResult<Changes> {
    let set: &'static SetDef = if kind == DocKind::CreditMemo { &SALES_CREDIT_MEMO_LINES } else { &SALES_ORDER_LINES };
    let mut api = translate(co, page, set, LINE_FIELDS, "Sales Line")?;
    if let Some(index) = page.enum_index("Type") {
        let kind = LineKind::from_page_index(index).ok_or_else(|| {
            ApiError::not_an_option(
                crate::odata::schema::SALES_LINE_TYPE.member(index),
                &crate::odata::schema::SALES_LINE_TYPE.captions(),
            )
        })?;
        api.values.push((api_prop(set, "lineType")?, Val::Enum(&LINE_TYPE, kind.api_index())));
    }
    if let Some(variant) = page.text("Variant_Code") {
        let id = if variant.is_empty() {
            Uuid::nil()
        } else {
            co.variants.by_key(&format!("{item_number}\t{variant}")).map(|v| v.id).ok_or_else(|| {
                ApiError::related_record_missing("Item Variant", &format!("Item No.='{item_number}',Code='{variant}'"))
            })?
        };
        api.values.push((api_prop(set, "itemVariantId")?, Val::Guid(id)));
    }
    Ok(api)
}

pub fn create_line(ctx: &mut Ctx<'_>, def: &'static SetDef, kind: DocKind, header: Uuid, body: &Map<String, Value>) -> ApiResult<Uuid> {
    let page = page_changes(def, body, Mode::Create)?;
    let item = page.text("No").unwrap_or("").to_string();
    let api = line_api_changes(ctx.co, &page, &item, kind)?;
    lines::create(ctx, kind, Some(header), &api)
}

pub fn update_line(ctx: &mut Ctx<'_>, def: &'static SetDef, kind: DocKind, line: Uuid, body: &Map<String, Value>) -> ApiResult<()> {
    let page = page_changes(def, body, Mode::Update)?;
    let item = ctx
        .co
        .docs(kind)
        .with_line(line)
        .and_then(|d| d.line(line))
        .map(|l| l.number.clone())
        .ok_or_else(|| lines::not_found(line))?;
    let api = line_api_changes(ctx.co, &page, page.text("No").unwrap_or(&item), kind)?;
    lines::update(ctx, kind, line, &api)
}
