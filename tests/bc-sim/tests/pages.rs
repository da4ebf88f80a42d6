//! NAV OData V4 page web services: Customer Card, Item Card with FlowFilters, Sales Order with
//! its lines, over the same data as the API.

mod common;

use common::{error_of, etag, Sim};
use reqwest::{Method, RequestBuilder};
use serde_json::{json, Value};

fn company_path(sim: &Sim) -> String {
    format!("{}/Company('CRONUS%20International%20Ltd.')", sim.info().odata_on_prem)
}

fn page(sim: &Sim, method: Method, url: &str) -> RequestBuilder {
    sim.http.request(method, url).header("Authorization", sim.basic())
}

async fn page_json(sim: &Sim, url: &str) -> Value {
    let response = page(sim, Method::GET, url).send().await.unwrap();
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert_eq!(status, 200, "{url}: {body}");
    body
}

#[tokio::test]
async fn customer_card_shows_the_customer_price_group() {
    let sim = Sim::start().await;
    let body = page_json(&sim, &format!("{}/Customer('10000')", company_path(&sim))).await;
    assert_eq!(body["No"], "10000");
    assert_eq!(body["Customer_Price_Group"], "TRADE");
    assert_eq!(body["Country_Region_Code"], "GB");
    assert_eq!(body["Balance_LCY"], 0);
    assert!(body["@odata.etag"].as_str().unwrap().starts_with("W/"));
    assert!(body["@odata.context"]
        .as_str()
        .unwrap()
        .ends_with("$metadata#Company('CRONUS%20International%20Ltd.')/Customer/$entity"));
    sim.shutdown().await;
}

#[tokio::test]
async fn customer_card_patch_changes_the_price_group_with_if_match() {
    let sim = Sim::start().await;
    let url = format!("{}/Customer('30000')", company_path(&sim));
    let customer = page_json(&sim, &url).await;
    let missing = page(&sim, Method::PATCH, &url).json(&json!({"Customer_Price_Group": "STAFF"})).send().await.unwrap();
    assert_eq!(error_of(missing).await.1, "BadRequest_InvalidToken");
    let response = page(&sim, Method::PATCH, &url)
        .header("If-Match", etag(&customer))
        .json(&json!({"Customer_Price_Group": "STAFF"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let response = page(&sim, Method::PATCH, &url)
        .header("If-Match", "*")
        .json(&json!({"Customer_Price_Group": "VIP"}))
        .send()
        .await
        .unwrap();
    let (status, code, _) = error_of(response).await;
    assert_eq!((status, code.as_str()), (400, "Internal_InvalidTableRelation"));
    let dump = sim.control().entity_set(None, "customers").unwrap();
    let jane = dump.iter().find(|c| c["number"] == "30000").unwrap();
    assert_eq!(jane["_sim"]["customerPriceGroup"], "STAFF");
    sim.shutdown().await;
}

#[tokio::test]
async fn item_card_flow_filters_change_the_inventory_figure() {
    let sim = Sim::start().await;
    sim.control()
        .post_item_entry(
            None,
            &serde_json::from_value(json!({"item": "1906-S", "quantity": 4, "kind": "purchase", "location": "EAST"}))
                .unwrap(),
        )
        .unwrap();
    let base = format!("{}/ItemCard('1906-S')", company_path(&sim));
    assert_eq!(page_json(&sim, &base).await["Inventory"], 12);
    let main = page_json(&sim, &format!("{base}?$filter=Location_Filter eq 'MAIN'")).await;
    assert_eq!(main["Inventory"], 8);
    assert_eq!(main["Location_Filter"], "MAIN");
    let east = page_json(&sim, &format!("{base}?$filter=Location_Filter eq 'EAST'")).await;
    assert_eq!(east["Inventory"], 4);
    let both = page_json(&sim, &format!("{base}?$filter=Location_Filter eq 'MAIN' or Location_Filter eq 'EAST'")).await;
    assert_eq!(both["Inventory"], 12);
    let variant =
        page_json(&sim, &format!("{}/ItemCard('TSHIRT')?$filter=Variant_Filter eq 'M'", company_path(&sim))).await;
    assert_eq!(variant["Inventory"], 15);
    let list = page_json(
        &sim,
        &format!("{}/ItemCard?$filter=Location_Filter eq 'EAST' and Inventory gt 0", company_path(&sim)),
    )
    .await;
    let found: Vec<&str> = list["value"].as_array().unwrap().iter().map(|i| i["No"].as_str().unwrap()).collect();
    assert_eq!(found, ["1906-S"], "the FlowFilter sets Inventory, the other condition filters rows");
    sim.shutdown().await;
}

#[tokio::test]
async fn sales_order_created_through_the_api_is_the_pages_sales_order() {
    let sim = Sim::start().await;
    let order = sim.create_order("WC-PAGE").await;
    let number = order["number"].as_str().unwrap();
    let url = format!("{}/SalesOrder(Document_Type='Order',No='{number}')", company_path(&sim));
    let body = page_json(&sim, &url).await;
    assert_eq!(body["Document_Type"], "Order");
    assert_eq!(body["External_Document_No"], "WC-PAGE");
    assert_eq!(body["Customer_Price_Group"], "TRADE", "copied from the customer");
    assert_eq!(body["Ship_to_Code"], "");
    assert_eq!(body["Shortcut_Dimension_1_Code"], "WEB");
    let lines = page_json(&sim, &format!("{url}/SalesOrderSalesLines")).await;
    let lines = lines["value"].as_array().unwrap();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["Line_No"], 10000);
    assert_eq!(lines[1]["Type"], "G_x002F_L_x0020_Account");
    sim.shutdown().await;
}

#[tokio::test]
async fn sales_order_patch_sets_price_group_and_ship_to_code() {
    let sim = Sim::start().await;
    sim.control()
        .add_seed(json!({
            "company": {"name": "CRONUS International Ltd.", "id": sim.info().company_id, "currency": "EUR"},
            "customers": [{"number": "40000", "name": "Ship-to Shop", "price_group": "RETAIL", "country": "GB",
                           "ship_to": [{"code": "WAREHOUSE", "name": "Back door", "address": "Dock 4", "city": "Hull", "post_code": "hu1 1aa", "country": "GB"}]}]
        }))
        .unwrap();
    let created = page(&sim, Method::POST, &format!("{}/SalesOrder", company_path(&sim)))
        .json(&json!({"Sell_to_Customer_No": "40000", "External_Document_No": "wc-2001"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let created: Value = created.json().await.unwrap();
    let url =
        format!("{}/SalesOrder(Document_Type='Order',No='{}')", company_path(&sim), created["No"].as_str().unwrap());
    let patched = page(&sim, Method::PATCH, &url)
        .header("If-Match", etag(&created))
        .json(&json!({"Customer_Price_Group": "TRADE", "Ship_to_Code": "WAREHOUSE"}))
        .send()
        .await
        .unwrap();
    assert_eq!(patched.status(), 200);
    let patched: Value = patched.json().await.unwrap();
    assert_eq!(patched["Customer_Price_Group"], "TRADE");
    assert_eq!(patched["Ship_to_Code"], "WAREHOUSE");
    assert_eq!(patched["Ship_to_City"], "Hull");
    assert_eq!(patched["Ship_to_Post_Code"], "HU1 1AA");
    let stale = page(&sim, Method::PATCH, &url)
        .header("If-Match", etag(&created))
        .json(&json!({"Your_Reference": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), 409);
    let unknown = page(&sim, Method::PATCH, &url)
        .header("If-Match", "*")
        .json(&json!({"Ship_to_Code": "NOPE"}))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 400);
    sim.shutdown().await;
}

#[tokio::test]
async fn sales_order_lines_are_added_through_the_containment_without_deep_insert() {
    let sim = Sim::start().await;
    let orders = format!("{}/SalesOrder", company_path(&sim));
    let deep = page(&sim, Method::POST, &orders)
        .json(&json!({"Sell_to_Customer_No": "20000", "SalesOrderSalesLines": [{"Type": "Item", "No": "1900-S", "Quantity": 1}]}))
        .send()
        .await
        .unwrap();
    let (status, _, message) = error_of(deep).await;
    assert_eq!(status, 400);
    assert!(message.contains("SalesOrderSalesLines"), "{message}");
    let order: Value = page(&sim, Method::POST, &orders)
        .json(&json!({"Sell_to_Customer_No": "20000"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let lines = format!("{orders}(Document_Type='Order',No='{}')/SalesOrderSalesLines", order["No"].as_str().unwrap());
    let line = page(&sim, Method::POST, &lines)
        .json(&json!({"Type": "Item", "No": "TSHIRT", "Variant_Code": "M", "Location_Code": "EAST", "Quantity": 3}))
        .send()
        .await
        .unwrap();
    assert_eq!(line.status(), 201);
    let line: Value = line.json().await.unwrap();
    assert_eq!(line["Line_No"], 10000);
    assert_eq!(line["Variant_Code"], "M");
    assert_eq!(line["Unit_Price"], 19.9);
    let api_lines = sim
        .get_json(&format!(
            "{}?$filter=documentId eq {}",
            sim.url("salesOrderLines"),
            sim.get_json(&format!("{}?$filter=number eq '{}'", sim.url("salesOrders"), order["No"].as_str().unwrap()))
                .await["value"][0]["id"]
                .as_str()
                .unwrap()
        ))
        .await;
    assert_eq!(api_lines["value"][0]["quantity"], 3);
    assert_ne!(api_lines["value"][0]["itemVariantId"], "00000000-0000-0000-0000-000000000000");
    let line_url = format!(
        "{}/SalesOrderSalesLines(Document_Type='Order',Document_No='{}',Line_No=10000)",
        company_path(&sim),
        order["No"].as_str().unwrap()
    );
    let patched = page(&sim, Method::PATCH, &line_url)
        .header("If-Match", etag(&line))
        .json(&json!({"Quantity": 4}))
        .send()
        .await
        .unwrap();
    assert_eq!(patched.status(), 200);
    sim.shutdown().await;
}

#[tokio::test]
async fn company_comes_from_the_query_string_or_the_company_service() {
    let sim = Sim::start().await;
    let companies = page_json(&sim, &format!("{}/Company", sim.info().odata_on_prem)).await;
    assert_eq!(companies["value"][0]["Name"], "CRONUS International Ltd.");
    let customers = page_json(
        &sim,
        &format!("{}/Customer?company=CRONUS%20International%20Ltd.&$filter=No eq '20000'", sim.info().odata_on_prem),
    )
    .await;
    assert_eq!(customers["value"][0]["Name"], "Trey Research");
    let (status, code, _) = error_of(
        page(&sim, Method::GET, &format!("{}/Customer?company=Nope", sim.info().odata_on_prem)).send().await.unwrap(),
    )
    .await;
    assert_eq!((status, code.as_str()), (404, "Internal_CompanyNotFound"));
    sim.shutdown().await;
}

#[tokio::test]
async fn page_services_authenticate_like_their_platform() {
    let sim = Sim::start().await;
    let on_prem = format!("{}/Customer('10000')", company_path(&sim));
    assert_eq!(sim.http.get(&on_prem).send().await.unwrap().status(), 401);
    let online = format!("{}/Company('CRONUS%20International%20Ltd.')/Customer('10000')", sim.info().odata_online);
    assert_eq!(sim.http.get(&online).bearer_auth(&sim.token).send().await.unwrap().status(), 200);
    assert_eq!(sim.http.get(&online).header("Authorization", sim.basic()).send().await.unwrap().status(), 401);
    sim.shutdown().await;
}

#[tokio::test]
async fn page_metadata_uses_mangled_field_names() {
    let sim = Sim::start().await;
    let xml = page(&sim, Method::GET, &format!("{}/$metadata", sim.info().odata_on_prem))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for name in [
        "Balance_LCY",
        "Country_Region_Code",
        "Sell_to_E_Mail",
        "Line_Discount_Percent",
        "Qty_to_Ship",
        "Location_Filter",
    ] {
        assert!(xml.contains(&format!(r#"<Property Name="{name}""#)), "{name}");
    }
    assert!(xml.contains(r#"<Schema Namespace="NAV""#));
    sim.shutdown().await;
}

#[tokio::test]
async fn page_service_names_are_configurable() {
    let mut config = bc_sim::Config::demo();
    config.pages.customer = "Customers".into();
    let sim = Sim::with(config).await;
    let renamed = format!("{}/Customers('10000')", company_path(&sim));
    assert_eq!(page(&sim, Method::GET, &renamed).send().await.unwrap().status(), 200);
    let old = format!("{}/Customer('10000')", company_path(&sim));
    assert_eq!(page(&sim, Method::GET, &old).send().await.unwrap().status(), 404);
    sim.shutdown().await;
}

#[tokio::test]
async fn ship_to_address_page_creates_and_updates_without_touching_the_customer() {
    let sim = Sim::start().await;
    let base = company_path(&sim);
    let customer_url = format!("{base}/Customer('10000')");
    let customer_before = page_json(&sim, &customer_url).await;
    let created = page(&sim, Method::POST, &format!("{base}/ShipToAddress"))
        .json(&json!({"Customer_No": "10000", "Code": "web", "Name": "Ada Lovelace", "Address": "1 Dock Road",
                      "City": "Hull", "Post_Code": "hu1 1aa", "Country_Region_Code": "GB", "E_Mail": "ada@example.com"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let created: Value = created.json().await.unwrap();
    assert_eq!(created["Code"], "WEB", "Code fields are upper-cased");
    assert_eq!(created["Post_Code"], "HU1 1AA");
    let url = format!("{base}/ShipToAddress(Customer_No='10000',Code='WEB')");
    assert_eq!(page_json(&sim, &url).await["City"], "Hull");

    let again = page(&sim, Method::POST, &format!("{base}/ShipToAddress"))
        .json(&json!({"Customer_No": "10000", "Code": "WEB", "Name": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 409, "a second record with the same key is refused");
    let orphan = page(&sim, Method::POST, &format!("{base}/ShipToAddress"))
        .json(&json!({"Customer_No": "99999", "Code": "WEB", "Name": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(orphan.status(), 400);
    let country = page(&sim, Method::POST, &format!("{base}/ShipToAddress"))
        .json(&json!({"Customer_No": "10000", "Code": "X", "Country_Region_Code": "ZZ"}))
        .send()
        .await
        .unwrap();
    assert_eq!(country.status(), 400);

    let missing_etag = page(&sim, Method::PATCH, &url).json(&json!({"City": "York"})).send().await.unwrap();
    assert_eq!(error_of(missing_etag).await.1, "BadRequest_InvalidToken");
    let patched = page(&sim, Method::PATCH, &url)
        .header("If-Match", etag(&created))
        .json(&json!({"City": "York"}))
        .send()
        .await
        .unwrap();
    assert_eq!(patched.status(), 200);
    let stale = page(&sim, Method::PATCH, &url).header("If-Match", etag(&created)).json(&json!({"City": "Leeds"})).send().await.unwrap();
    assert_eq!(stale.status(), 409);

    let listed = page_json(&sim, &format!("{base}/ShipToAddress?$filter=Customer_No eq '10000'")).await;
    let codes: Vec<&str> = listed["value"].as_array().unwrap().iter().map(|r| r["Code"].as_str().unwrap()).collect();
    assert!(codes.contains(&"WEB"), "{codes:?}");
    let customer_after = page_json(&sim, &customer_url).await;
    assert_eq!(customer_before["@odata.etag"], customer_after["@odata.etag"], "the customer record itself is not modified");

    let deleted = page(&sim, Method::DELETE, &url).header("If-Match", "*").send().await.unwrap();
    assert_eq!(deleted.status(), 204);
    let gone = page(&sim, Method::GET, &url).send().await.unwrap();
    assert_eq!(gone.status(), 404);
    sim.shutdown().await;
}

#[tokio::test]
async fn credit_memos_apply_to_posted_invoices_found_by_order_number() {
    let sim = Sim::start().await;
    let base = company_path(&sim);
    let order = page(&sim, Method::POST, &format!("{base}/SalesOrder"))
        .json(&json!({"Sell_to_Customer_No": "20000", "External_Document_No": "wc-3001"}))
        .send()
        .await
        .unwrap();
    assert_eq!(order.status(), 201);
    let order: Value = order.json().await.unwrap();
    let number = order["No"].as_str().unwrap().to_string();
    let lines_url = format!("{base}/SalesOrder(Document_Type='Order',No='{number}')/SalesOrderSalesLines");
    let line = page(&sim, Method::POST, &lines_url).json(&json!({"Type": "Item", "No": "1900-S", "Quantity": 2})).send().await.unwrap();
    assert_eq!(line.status(), 201);
    let invoice = sim.control().post_sales_order(None, &number, None).unwrap();

    // The posted invoice, found by its order number, with its lines.
    let found = page_json(&sim, &format!("{base}/PostedSalesInvoice?$filter=Order_No eq '{number}'&$expand=PostedSalesInvoiceSalesInvLines")).await;
    let posted = &found["value"][0];
    assert_eq!(posted["External_Document_No"], "WC-3001");
    assert_eq!(posted["No"].as_str(), invoice.invoice_number.as_deref());
    assert_eq!(posted["PostedSalesInvoiceSalesInvLines"][0]["No"], "1900-S");
    assert!(posted["Amount_Including_VAT"].as_f64().unwrap() > 0.0);
    let refused = page(&sim, Method::POST, &format!("{base}/PostedSalesInvoice")).json(&json!({"No": "X"})).send().await.unwrap();
    assert_eq!(refused.status(), 405, "posted documents are read-only");

    // A draft credit memo applied to it, with a line added through the containment.
    let memo = page(&sim, Method::POST, &format!("{base}/SalesCreditMemo"))
        .json(&json!({"Sell_to_Customer_No": "20000", "External_Document_No": "wc-3001-r1", "Applies_to_Doc_Type": "Invoice",
                      "Applies_to_Doc_No": posted["No"], "Prices_Including_VAT": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(memo.status(), 201);
    let memo: Value = memo.json().await.unwrap();
    assert_eq!(memo["Document_Type"], "Credit_x0020_Memo");
    assert_eq!(memo["Applies_to_Doc_No"], posted["No"]);
    let memo_url = format!("{base}/SalesCreditMemo(Document_Type='Credit Memo',No='{}')", memo["No"].as_str().unwrap());
    let line = page(&sim, Method::POST, &format!("{memo_url}/SalesCreditMemoSalesLines"))
        .json(&json!({"Type": "Item", "No": "1900-S", "Quantity": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(line.status(), 201, "{}", line.text().await.unwrap());
    let listed = page_json(&sim, &format!("{base}/SalesCreditMemo?$filter=External_Document_No eq 'WC-3001-R1'&$expand=SalesCreditMemoSalesLines")).await;
    assert_eq!(listed["value"][0]["SalesCreditMemoSalesLines"][0]["Quantity"], 1);
    let unknown = page(&sim, Method::POST, &format!("{base}/SalesCreditMemo"))
        .json(&json!({"Sell_to_Customer_No": "20000", "Applies_to_Doc_Type": "Invoice", "Applies_to_Doc_No": "NOPE"}))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 400, "an invoice that does not exist");
    let none = page_json(&sim, &format!("{base}/PostedSalesCreditMemo?$filter=External_Document_No eq 'WC-3001-R1'")).await;
    assert_eq!(none["value"].as_array().unwrap().len(), 0, "a draft is not posted");
    let deleted = page(&sim, Method::DELETE, &memo_url).header("If-Match", "*").send().await.unwrap();
    assert_eq!(deleted.status(), 204);
    sim.shutdown().await;
}
