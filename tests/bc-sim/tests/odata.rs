//! OData behaviour beyond the checklist: query options, paging over 20,000+ items, body
//! validation, on-premises access, and the sales-document rules the connector relies on.

mod common;

use common::{error_of, etag, Sim};
use reqwest::Method;
use serde_json::{json, Value};

async fn numbers(sim: &Sim, set: &str, params: &[(&str, &str)]) -> Vec<String> {
    let response = sim.query(&sim.url(set), params).await;
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert_eq!(status, 200, "{body}");
    body["value"].as_array().unwrap().iter().map(|v| v["number"].as_str().unwrap_or("").to_string()).collect()
}

#[tokio::test]
async fn paging_over_25000_items_follows_next_links_to_the_end() {
    let mut config = bc_sim::Config::demo();
    config.synthetic_items = 25_000;
    let sim = Sim::with(config).await;
    let mut url = sim.url("items?$select=number,inventory");
    let mut seen = 0;
    let mut pages = Vec::new();
    let mut last = String::new();
    loop {
        let body = sim.get_json(&url).await;
        let value = body["value"].as_array().unwrap();
        pages.push(value.len());
        for item in value {
            let number = item["number"].as_str().unwrap().to_string();
            assert!(number > last, "key order without repeats");
            last = number;
        }
        seen += value.len();
        match body["@odata.nextLink"].as_str() {
            Some(next) => url = next.to_string(),
            None => break,
        }
    }
    assert_eq!(seen, 25_015);
    assert_eq!(pages, vec![20_000, 5_015], "BC's default page size is 20,000");
    sim.shutdown().await;
}

#[tokio::test]
async fn page_size_above_20000_is_413() {
    let sim = Sim::start().await;
    let response =
        sim.request(Method::GET, &sim.url("items")).header("Prefer", "odata.maxpagesize=20001").send().await.unwrap();
    assert_eq!(response.status(), 413);
    sim.shutdown().await;
}

#[tokio::test]
async fn next_link_keeps_orderby_and_top_across_pages() {
    let sim = Sim::start().await;
    let mut url = format!("{}?$orderby=unitPrice desc,number&$top=7&$select=number,unitPrice", sim.url("items"));
    let mut prices = Vec::new();
    loop {
        let response = sim.request(Method::GET, &url).header("Prefer", "odata.maxpagesize=3").send().await.unwrap();
        let body: Value = response.json().await.unwrap();
        prices.extend(body["value"].as_array().unwrap().iter().map(|v| v["unitPrice"].as_f64().unwrap()));
        match body["@odata.nextLink"].as_str() {
            Some(next) => url = next.to_string(),
            None => break,
        }
    }
    assert_eq!(prices.len(), 7);
    assert!(prices.windows(2).all(|w| w[0] >= w[1]), "{prices:?}");
    assert_eq!(prices[0], 1000.8);
    sim.shutdown().await;
}

#[tokio::test]
async fn filter_comparison_operators_on_text_numbers_and_booleans() {
    let sim = Sim::start().await;
    assert_eq!(numbers(&sim, "items", &[("$filter", "number eq '1896-S'")]).await, ["1896-S"]);
    assert_eq!(numbers(&sim, "items", &[("$filter", "unitPrice gt 600")]).await, ["1896-S", "1920-S"]);
    assert_eq!(numbers(&sim, "items", &[("$filter", "unitPrice ge 649.4 and unitPrice le 649.4")]).await, ["1920-S"]);
    assert_eq!(numbers(&sim, "items", &[("$filter", "unitPrice lt 10")]).await, ["MUG"]);
    assert_eq!(numbers(&sim, "items", &[("$filter", "number ne '1896-S' and number lt '1906-S'")]).await, ["1900-S"]);
    assert_eq!(
        numbers(&sim, "items", &[("$filter", "number eq 'MUG' or number eq 'TSHIRT'")]).await,
        ["MUG", "TSHIRT"]
    );
    assert_eq!(
        numbers(&sim, "items", &[("$filter", "blocked eq false and taxGroupCode eq 'REDUCED'")]).await,
        ["BOOK-01"]
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn filter_text_functions_are_case_insensitive() {
    let sim = Sim::start().await;
    assert_eq!(numbers(&sim, "customers", &[("$filter", "contains(displayName,'TREY')")]).await, ["20000"]);
    assert_eq!(numbers(&sim, "customers", &[("$filter", "startswith(displayName,'jane')")]).await, ["30000"]);
    assert_eq!(numbers(&sim, "customers", &[("$filter", "endswith(email,'@EXAMPLE.COM')")]).await, ["30000"]);
    assert_eq!(numbers(&sim, "customers", &[("$filter", "tolower(displayName) eq 'jane doe'")]).await, ["30000"]);
    assert!(numbers(&sim, "customers", &[("$filter", "displayName eq 'jane doe'")]).await.is_empty(), "eq keeps case");
    sim.shutdown().await;
}

#[tokio::test]
async fn filter_on_dates_guids_and_enums() {
    let sim = Sim::start().await;
    let order = sim.create_order("WC-F1").await;
    let id = order["id"].as_str().unwrap();
    let body = sim.get_json(&format!("{}?$filter=id eq {id}", sim.url("salesOrders"))).await;
    assert_eq!(body["value"].as_array().unwrap().len(), 1);
    let today = order["orderDate"].as_str().unwrap();
    let body =
        sim.get_json(&format!("{}?$filter=orderDate ge {today} and status eq 'Draft'", sim.url("salesOrders"))).await;
    assert_eq!(body["value"].as_array().unwrap().len(), 1);
    let body =
        sim.get_json(&format!("{}?$filter=lastModifiedDateTime gt 2000-01-01T00:00:00Z", sim.url("salesOrders"))).await;
    assert_eq!(body["value"].as_array().unwrap().len(), 1);
    let body = sim
        .get_json(&format!(
            "{}?$filter=entryType eq Microsoft.NAV.itemLedgerEntryType'Positive_x0020_Adjmt_x002E_'&$top=1",
            sim.url("itemLedgerEntries")
        ))
        .await;
    assert_eq!(body["value"].as_array().unwrap().len(), 1);
    sim.shutdown().await;
}

#[tokio::test]
async fn unsupported_filters_are_rejected_in_bc_error_format() {
    let sim = Sim::start().await;
    for filter in [
        "not (number eq '1896-S')",
        "unitPrice add 1 gt 5",
        "number in ('1896-S','MUG')",
        "length(number) eq 6",
        "itemCategory/code eq 'X'",
        "contains(tolower(displayName),'desk')",
    ] {
        let (status, code, message) = error_of(sim.query(&sim.url("items"), &[("$filter", filter)]).await).await;
        assert_eq!(status, 400, "{filter}");
        assert!(!code.is_empty() && message.contains("  CorrelationId:  "), "{filter}: {code} {message}");
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn filter_syntax_errors_and_unknown_properties_are_400() {
    let sim = Sim::start().await;
    let (status, code, message) = error_of(sim.query(&sim.url("items"), &[("$filter", "number eq")]).await).await;
    assert_eq!((status, code.as_str()), (400, "BadRequest_NotFound"));
    assert!(message.starts_with("Syntax error at position"), "{message}");
    let (status, _, message) = error_of(sim.query(&sim.url("items"), &[("$filter", "colour eq 'red'")]).await).await;
    assert_eq!(status, 400);
    assert!(message.starts_with("Could not find a property named 'colour' on type 'Microsoft.NAV.item'."), "{message}");
    let (status, _, message) = error_of(sim.query(&sim.url("items"), &[("$filter", "unitPrice eq 'ten'")]).await).await;
    assert_eq!(status, 400);
    assert!(message.contains("incompatible types"), "{message}");
    sim.shutdown().await;
}

#[tokio::test]
async fn select_and_nested_expand_options() {
    let sim = Sim::start().await;
    sim.create_order("WC-EXPAND").await;
    let response = sim
        .query(
            &sim.url("salesOrders"),
            &[
                ("$select", "number"),
                ("$expand", "salesOrderLines($select=sequence,lineObjectNumber;$filter=lineType eq 'Item';$expand=item($select=number,inventory)),customer($select=displayName)"),
            ],
        )
        .await;
    let body: Value = response.json().await.unwrap();
    let order = &body["value"][0];
    assert_eq!(order.as_object().unwrap().keys().filter(|k| !k.starts_with('@')).count(), 3, "{order}");
    let lines = order["salesOrderLines"].as_array().unwrap();
    assert_eq!(lines.len(), 1, "only the item line");
    assert_eq!(lines[0]["item"]["number"], "1896-S");
    assert_eq!(lines[0]["item"]["inventory"], 12);
    assert_eq!(order["customer"]["displayName"], "Adatum Corporation");
    sim.shutdown().await;
}

#[tokio::test]
async fn orderby_top_skip_and_count() {
    let sim = Sim::start().await;
    let body = sim.get_json(&format!("{}?$orderby=number desc&$top=2&$skip=1&$count=true", sim.url("items"))).await;
    let found: Vec<&str> = body["value"].as_array().unwrap().iter().map(|v| v["number"].as_str().unwrap()).collect();
    assert_eq!(found, ["MUG", "BOOK-01"]);
    assert_eq!(body["@odata.count"], 15);
    assert!(body.get("@odata.nextLink").is_none(), "$top ends the collection");
    sim.shutdown().await;
}

#[tokio::test]
async fn unknown_query_options_are_rejected_and_custom_ones_ignored() {
    let sim = Sim::start().await;
    let (status, _, message) = error_of(sim.get(&format!("{}?$search=desk", sim.url("items"))).await).await;
    assert_eq!(status, 400);
    assert!(message.starts_with("The query parameter '$search' is not supported."));
    assert_eq!(sim.get(&format!("{}?tenant=x", sim.url("items"))).await.status(), 200);
    sim.shutdown().await;
}

#[tokio::test]
async fn read_only_and_unknown_properties_in_bodies_are_rejected() {
    let sim = Sim::start().await;
    let (status, code, message) =
        error_of(sim.post(&sim.url("customers"), json!({"displayName": "X", "balanceDue": 5})).await).await;
    assert_eq!((status, code.as_str()), (400, "BadRequest_InvalidOperation"));
    assert!(message.contains("'balanceDue' is read-only"));
    let (status, _, message) =
        error_of(sim.post(&sim.url("customers"), json!({"displayName": "X", "colour": "red"})).await).await;
    assert_eq!(status, 400);
    assert!(message.starts_with("The property 'colour' does not exist on type 'Microsoft.NAV.customer'."), "{message}");
    let (status, _, _) = error_of(sim.post(&sim.url("customers"), json!({"displayName": 42})).await).await;
    assert_eq!(status, 400);
    let response = sim
        .request(Method::POST, &sim.url("customers"))
        .header("Content-Type", "text/plain")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 415);
    sim.shutdown().await;
}

#[tokio::test]
async fn external_document_number_is_not_unique() {
    let sim = Sim::start().await;
    sim.create_order("WC-SAME").await;
    sim.create_order("WC-SAME").await;
    let body = sim.get_json(&format!("{}?$filter=externalDocumentNumber eq 'WC-SAME'", sim.url("salesOrders"))).await;
    assert_eq!(body["value"].as_array().unwrap().len(), 2);
    sim.shutdown().await;
}

#[tokio::test]
async fn unknown_items_and_dimension_values_are_validation_errors() {
    let sim = Sim::start().await;
    let order = sim.post_ok(&sim.url("salesOrders"), json!({"customerNumber": "20000"})).await;
    let lines = sim.url(&format!("salesOrders({})/salesOrderLines", order["id"].as_str().unwrap()));
    let (status, code, message) =
        error_of(sim.post(&lines, json!({"lineType": "Item", "lineObjectNumber": "GIFT-WRAP", "quantity": 1})).await)
            .await;
    assert_eq!((status, code.as_str()), (400, "Internal_RecordNotFound"));
    assert!(
        message.starts_with("The Item does not exist. Identification fields and values: No.='GIFT-WRAP'"),
        "{message}"
    );
    let dims = sim.url(&format!("salesOrders({})/dimensionSetLines", order["id"].as_str().unwrap()));
    let (status, _, message) = error_of(sim.post(&dims, json!({"code": "CHANNEL", "valueCode": "TV"})).await).await;
    assert_eq!(status, 400);
    assert!(message.starts_with("The Dimension Value does not exist."), "{message}");
    sim.shutdown().await;
}

#[tokio::test]
async fn charge_and_account_lines_are_valid_and_unassigned_charges_block_api_posting() {
    let sim = Sim::start().await;
    let order = sim
        .post_ok(
            &sim.url("salesOrders"),
            json!({"customerNumber": "30000", "salesOrderLines": [
                {"lineType": "Item", "lineObjectNumber": "BOOK-01", "quantity": 1},
                {"lineType": "Charge", "lineObjectNumber": "s-freight", "quantity": 1, "unitPrice": 4.5},
                {"lineType": "Account", "lineObjectNumber": "8200", "quantity": 1, "unitPrice": 1}
            ]}),
        )
        .await;
    let lines =
        sim.get_json(&sim.url(&format!("salesOrders({})/salesOrderLines", order["id"].as_str().unwrap()))).await;
    assert_eq!(lines["value"][1]["lineObjectNumber"], "S-FREIGHT");
    assert_eq!(lines["value"][1]["description"], "Freight on sales");
    assert_eq!(lines["value"][0]["taxPercent"], 5, "BOOK-01 is in the REDUCED VAT group");
    let (status, _, message) = error_of(
        sim.action(&sim.url(&format!("salesOrders({})/Microsoft.NAV.shipAndInvoice", order["id"].as_str().unwrap())))
            .await,
    )
    .await;
    assert_eq!(status, 400);
    assert!(message.starts_with("You must assign item charge S-FREIGHT if you want to invoice it."), "{message}");
    sim.shutdown().await;
}

#[tokio::test]
async fn prices_including_tax_split_vat_out_of_the_line_amount() {
    let sim = Sim::start().await;
    let order = sim
        .post_ok(
            &sim.url("salesOrders"),
            json!({"customerNumber": "30000", "pricesIncludeTax": true, "salesOrderLines": [
                {"lineType": "Item", "lineObjectNumber": "MUG", "quantity": 2, "unitPrice": 12}
            ]}),
        )
        .await;
    assert_eq!(order["totalAmountIncludingTax"], 24);
    assert_eq!(order["totalAmountExcludingTax"], 20);
    assert_eq!(order["totalTaxAmount"], 4);
    let default_price = sim
        .post_ok(
            &sim.url("salesOrders"),
            json!({"customerNumber": "30000", "pricesIncludeTax": true, "salesOrderLines": [{"lineType": "Item", "lineObjectNumber": "MUG", "quantity": 1}]}),
        )
        .await;
    let lines = sim
        .get_json(&sim.url(&format!("salesOrders({})/salesOrderLines", default_price["id"].as_str().unwrap())))
        .await;
    assert_eq!(lines["value"][0]["unitPrice"], 11.4, "9.50 excl. VAT becomes 11.40 incl. 20 %");
    sim.shutdown().await;
}

#[tokio::test]
async fn discount_amount_is_spread_over_existing_lines_only() {
    let sim = Sim::start().await;
    let order = sim
        .post_ok(
            &sim.url("salesOrders"),
            json!({"customerNumber": "10000", "discountAmount": 10, "salesOrderLines": [
                {"lineType": "Item", "lineObjectNumber": "1900-S", "quantity": 1, "unitPrice": 100},
                {"lineType": "Item", "lineObjectNumber": "1908-S", "quantity": 1, "unitPrice": 300}
            ]}),
        )
        .await;
    assert_eq!(order["discountAmount"], 0, "no lines existed when the header was inserted");
    let url = sim.url(&format!("salesOrders({})", order["id"].as_str().unwrap()));
    let patched: Value =
        sim.patch(&url, Some(&etag(&order)), json!({"discountAmount": 10})).await.json().await.unwrap();
    assert_eq!(patched["discountAmount"], 10);
    assert_eq!(patched["totalAmountExcludingTax"], 390);
    let lines = sim.get_json(&format!("{url}/salesOrderLines")).await;
    assert_eq!(lines["value"][0]["invoiceDiscountAllocation"], 2.5);
    assert_eq!(lines["value"][1]["invoiceDiscountAllocation"], 7.5);
    sim.shutdown().await;
}

#[tokio::test]
async fn on_prem_api_uses_basic_with_the_access_key() {
    let sim = Sim::start().await;
    let url = format!("{}/companies({})/items?$top=1", sim.info().api_on_prem, sim.info().company_id);
    let response = sim.http.get(&url).header("Authorization", sim.basic()).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let response = sim.http.get(&url).bearer_auth(&sim.token).send().await.unwrap();
    assert_eq!(response.status(), 401);
    assert!(response.headers()["www-authenticate"].to_str().unwrap().starts_with("Basic"));
    let response = sim.http.get(&url).basic_auth(&sim.info().basic_user, Some("wrong")).send().await.unwrap();
    assert_eq!(response.status(), 401);
    sim.shutdown().await;
}

#[tokio::test]
async fn company_can_be_given_as_query_parameter() {
    let sim = Sim::start().await;
    let url = format!("{}/customers?company={}", sim.info().api_online, sim.info().company_id);
    let body = sim.get_json(&url).await;
    assert_eq!(body["value"].as_array().unwrap().len(), 4);
    let (status, code, _) = error_of(sim.get(&format!("{}/customers", sim.info().api_online)).await).await;
    assert_eq!((status, code.as_str()), (400, "Internal_CompanyNotFound"));
    sim.shutdown().await;
}

#[tokio::test]
async fn service_document_and_metadata_describe_the_sets() {
    let sim = Sim::start().await;
    let body = sim.get_json(&format!("{}/", sim.info().api_online)).await;
    assert!(body["value"].as_array().unwrap().iter().any(|s| s["name"] == "salesOrders"));
    let response = sim.get(&sim.api("$metadata")).await;
    assert_eq!(response.status(), 200);
    let xml = response.text().await.unwrap();
    assert!(xml.contains(r#"<Property Name="externalDocumentNumber" Type="Edm.String" MaxLength="35" />"#));
    assert!(xml.contains(r#"<Member Name="Positive_x0020_Adjmt_x002E_" Value="2" />"#));
    assert!(xml.contains(r#"<Action Name="shipAndInvoice" IsBound="true">"#));
    sim.shutdown().await;
}

#[tokio::test]
async fn nested_collections_and_single_navigations_by_path() {
    let sim = Sim::start().await;
    let tshirt = sim.item("TSHIRT").await;
    let variants = sim.get_json(&sim.url(&format!("items({})/itemVariants", tshirt["id"].as_str().unwrap()))).await;
    let codes: Vec<&str> = variants["value"].as_array().unwrap().iter().map(|v| v["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["L", "M", "S"]);
    let order = sim.create_order("WC-NAV").await;
    let customer = sim.get_json(&sim.url(&format!("salesOrders({})/customer", order["id"].as_str().unwrap()))).await;
    assert_eq!(customer["number"], "10000");
    let created = sim
        .post_ok(
            &sim.url(&format!("items({})/itemVariants", tshirt["id"].as_str().unwrap())),
            json!({"code": "xl", "description": "Extra large"}),
        )
        .await;
    assert_eq!(created["itemNumber"], "TSHIRT");
    assert_eq!(created["code"], "XL");
    sim.shutdown().await;
}

#[tokio::test]
async fn customer_validation_follows_table_relations() {
    let sim = Sim::start().await;
    let (_, code, _) =
        error_of(sim.post(&sim.url("customers"), json!({"displayName": "X", "country": "ZZ"})).await).await;
    assert_eq!(code, "Internal_InvalidTableRelation");
    let (_, _, message) =
        error_of(sim.post(&sim.url("customers"), json!({"displayName": "X", "phoneNumber": "call me"})).await).await;
    assert!(message.contains("must not contain letters"), "{message}");
    let (_, _, message) =
        error_of(sim.post(&sim.url("customers"), json!({"displayName": "X", "email": "not-an-address"})).await).await;
    assert!(message.starts_with("The email address \"not-an-address\" is not valid."), "{message}");
    let (_, _, message) =
        error_of(sim.post(&sim.url("customers"), json!({"number": "10000", "displayName": "Dup"})).await).await;
    assert!(message.starts_with("The Customer already exists."), "{message}");
    let (_, _, message) = error_of(sim.post(&sim.url("customers"), json!({"city": "Nowhere"})).await).await;
    assert!(message.starts_with("A \"displayName\" must be provided."), "{message}");
    sim.shutdown().await;
}

#[tokio::test]
async fn batch_stops_at_the_first_failure_unless_continue_on_error() {
    let sim = Sim::start().await;
    let requests = json!({"requests": [
        {"method": "POST", "id": "a", "url": "customers", "headers": {"Company": "CRONUS International Ltd.", "Content-Type": "application/json"}, "body": {"displayName": "Batch A"}},
        {"method": "POST", "id": "b", "url": "customers", "headers": {"Company": "CRONUS International Ltd.", "Content-Type": "application/json"}, "body": {"colour": "red"}},
        {"method": "POST", "id": "c", "url": "customers", "headers": {"Company": "CRONUS International Ltd.", "Content-Type": "application/json"}, "body": {"displayName": "Batch C"}}
    ]});
    let stopped: Value = sim.post(&sim.api("$batch"), requests.clone()).await.json().await.unwrap();
    let statuses: Vec<u64> =
        stopped["responses"].as_array().unwrap().iter().map(|r| r["status"].as_u64().unwrap()).collect();
    assert_eq!(statuses, [201, 400], "BC stops at the failing request; the first stays committed");
    let continued: Value = sim
        .request(Method::POST, &sim.api("$batch"))
        .header("Prefer", "odata.continue-on-error")
        .json(&requests)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let statuses: Vec<u64> =
        continued["responses"].as_array().unwrap().iter().map(|r| r["status"].as_u64().unwrap()).collect();
    assert_eq!(statuses, [201, 400, 201]);
    let found = sim.get_json(&format!("{}?$filter=startswith(displayName,'Batch')", sim.url("customers"))).await;
    assert_eq!(found["value"].as_array().unwrap().len(), 3);
    sim.shutdown().await;
}

#[tokio::test]
async fn item_ledger_entries_page_by_entry_number() {
    let sim = Sim::start().await;
    let mut url = sim.url("itemLedgerEntries?$select=entryNumber");
    let mut numbers = Vec::new();
    loop {
        let response = sim.request(Method::GET, &url).header("Prefer", "odata.maxpagesize=5").send().await.unwrap();
        let body: Value = response.json().await.unwrap();
        numbers.extend(body["value"].as_array().unwrap().iter().map(|e| e["entryNumber"].as_i64().unwrap()));
        match body["@odata.nextLink"].as_str() {
            Some(next) => url = next.to_string(),
            None => break,
        }
    }
    assert_eq!(numbers, (1..=18).collect::<Vec<i64>>());
    let after = sim.get_json(&format!("{}?$filter=entryNumber gt 16", sim.url("itemLedgerEntries"))).await;
    assert_eq!(after["value"].as_array().unwrap().len(), 2);
    sim.shutdown().await;
}

#[tokio::test]
async fn posted_invoices_cannot_be_changed_or_deleted() {
    let sim = Sim::start().await;
    let order = sim.create_order("WC-LOCKED").await;
    let id = order["id"].as_str().unwrap();
    sim.action(&sim.url(&format!("salesOrders({id})/Microsoft.NAV.shipAndInvoice"))).await;
    let invoice =
        sim.get_json(&format!("{}?$filter=orderId eq {id}", sim.url("salesInvoices"))).await["value"][0].clone();
    let url = sim.url(&format!("salesInvoices({})", invoice["id"].as_str().unwrap()));
    let (status, _, message) = error_of(sim.patch(&url, Some("*"), json!({"externalDocumentNumber": "X"})).await).await;
    assert_eq!(status, 400);
    assert!(message.starts_with("The invoice has been posted and can no longer be modified."), "{message}");
    assert_eq!(sim.delete(&url, Some("*")).await.status(), 400);
    let customer =
        sim.get_json(&format!("{}?$filter=number eq '10000'", sim.url("customers"))).await["value"][0].clone();
    assert_eq!(customer["balanceDue"], 244.8);
    sim.shutdown().await;
}

#[tokio::test]
async fn customers_with_open_orders_cannot_be_deleted() {
    let sim = Sim::start().await;
    sim.create_order("WC-KEEP").await;
    let customer =
        sim.get_json(&format!("{}?$filter=number eq '10000'", sim.url("customers"))).await["value"][0].clone();
    let (status, code, message) =
        error_of(sim.delete(&sim.url(&format!("customers({})", customer["id"].as_str().unwrap())), Some("*")).await)
            .await;
    assert_eq!((status, code.as_str()), (400, "Application_DialogException"));
    assert!(
        message.starts_with("You cannot delete Customer 10000 because there is at least one outstanding Sales Order"),
        "{message}"
    );
    sim.shutdown().await;
}
