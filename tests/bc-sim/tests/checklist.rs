//! One test per behaviour of the reference's §9 simulator checklist, over HTTP.

mod common;

use common::{error_of, etag, eventually, Receiver, Sim};
use reqwest::Method;
use serde_json::{json, Value};

#[tokio::test]
async fn checklist_01_online_url_prefix_serves_company_entities() {
    let sim = Sim::start().await;
    let url = format!(
        "{}/v2.0/{}/production/api/v2.0/companies({})/customers",
        sim.info().base_url,
        sim.info().tenant,
        sim.info().company_id
    );
    let body = sim.get_json(&url).await;
    assert_eq!(body["value"].as_array().unwrap().len(), 4);
    assert!(body["@odata.context"]
        .as_str()
        .unwrap()
        .ends_with(&format!("$metadata#companies({})/customers", sim.info().company_id)));
    sim.shutdown().await;
}

#[tokio::test]
async fn checklist_01_unknown_company_is_an_error() {
    let sim = Sim::start().await;
    let url = sim.api("companies(11111111-2222-4333-8444-555555555555)/customers");
    let (status, code, _) = error_of(sim.get(&url).await).await;
    assert_eq!((status, code.as_str()), (404, "Internal_CompanyNotFound"));
    sim.shutdown().await;
}

#[tokio::test]
async fn checklist_01_companies_are_read_only() {
    let sim = Sim::start().await;
    let (status, code, message) = error_of(sim.post(&sim.api("companies"), json!({"name": "X"})).await).await;
    assert_eq!((status, code.as_str()), (405, "BadRequest_MethodNotAllowed"));
    assert!(message.starts_with("'POST' requests for 'companies'"), "{message}");
    let company = format!("companies({})", sim.info().company_id);
    let (status, _, _) = error_of(sim.patch(&sim.api(&company), Some("*"), json!({"displayName": "X"})).await).await;
    assert_eq!(status, 405);
    sim.shutdown().await;
}

#[tokio::test]
async fn checklist_02_requests_without_a_bearer_token_are_401() {
    let sim = Sim::start().await;
    let response = sim.http.get(sim.url("customers")).send().await.unwrap();
    assert_eq!(response.status(), 401);
    let (_, code, _) = error_of(response).await;
    assert_eq!(code, "Authentication_InvalidCredentials");
    let response = sim.http.get(sim.url("customers")).bearer_auth("not-a-token").send().await.unwrap();
    assert_eq!(response.status(), 401);
    sim.shutdown().await;
}

#[tokio::test]
async fn checklist_02_token_endpoint_returns_bearer_token_expiring_in_3599() {
    let sim = Sim::start().await;
    let info = sim.info();
    let body: Value = sim
        .http
        .post(&info.token_url)
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", &info.client_id),
            ("client_secret", &info.client_secret),
            ("scope", &info.scope),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3599);
    assert_eq!(body["access_token"].as_str().unwrap().split('.').count(), 3, "JWT-shaped token");
    sim.shutdown().await;
}

#[tokio::test]
async fn checklist_02_token_endpoint_accepts_client_credentials_in_http_basic() {
    let sim = Sim::start().await;
    let info = sim.info();
    let response = sim
        .http
        .post(&info.token_url)
        .basic_auth(&info.client_id, Some(&info.client_secret))
        .form(&[("grant_type", "client_credentials"), ("scope", &info.scope)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    sim.shutdown().await;
}

async fn token_error(sim: &Sim, tenant: &str, form: &[(&str, &str)]) -> (u16, Value) {
    let url = format!("{}/{tenant}/oauth2/v2.0/token", sim.info().base_url);
    let response = sim.http.post(url).form(form).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

#[tokio::test]
async fn checklist_02_token_endpoint_answers_aadsts_errors() {
    let sim = Sim::start().await;
    let info = sim.info().clone();
    let scope = info.scope.as_str();
    let good = [
        ("grant_type", "client_credentials"),
        ("client_id", info.client_id.as_str()),
        ("client_secret", info.client_secret.as_str()),
        ("scope", scope),
    ];
    type Case<'a> = (String, Vec<(&'a str, &'a str)>, u16, &'a str, u64);
    let cases: Vec<Case> = vec![
        (
            info.tenant.clone(),
            vec![good[0], good[1], ("client_secret", "wrong"), good[3]],
            401,
            "invalid_client",
            7000215,
        ),
        (
            info.tenant.clone(),
            vec![good[0], ("client_id", "00000000-1111-2222-3333-444444444444"), good[2], good[3]],
            400,
            "unauthorized_client",
            700016,
        ),
        (
            info.tenant.clone(),
            vec![good[0], good[1], good[2], ("scope", "https://graph.microsoft.com/.default")],
            400,
            "invalid_scope",
            70011,
        ),
        ("99999999-9999-4999-8999-999999999999".into(), good.to_vec(), 400, "invalid_request", 90002),
        (
            info.tenant.clone(),
            vec![("grant_type", "password"), good[1], good[2], good[3]],
            400,
            "unsupported_grant_type",
            70003,
        ),
    ];
    for (tenant, form, status, error, code) in cases {
        let (got, body) = token_error(&sim, &tenant, &form).await;
        assert_eq!(got, status, "{body}");
        assert_eq!(body["error"], error);
        assert_eq!(body["error_codes"][0], code);
        let description = body["error_description"].as_str().unwrap();
        assert!(description.starts_with(&format!("AADSTS{code}: ")), "{description}");
        assert!(description.contains("\r\nTrace ID: ") && description.contains("\r\nCorrelation ID: "));
        assert!(body["trace_id"].is_string() && body["correlation_id"].is_string() && body["timestamp"].is_string());
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn checklist_03_every_entity_has_an_odata_etag() {
    let sim = Sim::start().await;
    for set in [
        "customers",
        "items",
        "itemVariants",
        "itemLedgerEntries",
        "paymentTerms",
        "locations",
        "dimensions",
        "dimensionValues",
        "accounts",
    ] {
        let body = sim.get_json(&sim.url(set)).await;
        for entity in body["value"].as_array().unwrap() {
            let tag = entity["@odata.etag"].as_str().unwrap_or_else(|| panic!("{set}: {entity}"));
            assert!(tag.starts_with("W/\"") && tag.ends_with('"'), "{tag}");
        }
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn checklist_03_patch_without_if_match_is_400_invalid_token() {
    let sim = Sim::start().await;
    let customer = &sim.get_json(&sim.url("customers")).await["value"][0];
    let url = sim.url(&format!("customers({})", customer["id"].as_str().unwrap()));
    let (status, code, message) = error_of(sim.patch(&url, None, json!({"city": "Leeds"})).await).await;
    assert_eq!((status, code.as_str()), (400, "BadRequest_InvalidToken"));
    assert!(message.starts_with("Could not validate the client concurrency token"));
    let (status, code, _) = error_of(sim.delete(&url, None).await).await;
    assert_eq!((status, code.as_str()), (400, "BadRequest_InvalidToken"));
    sim.shutdown().await;
}

#[tokio::test]
async fn checklist_03_stale_etag_is_409_entity_changed() {
    let sim = Sim::start().await;
    let customer = sim.get_json(&sim.url("customers")).await["value"][0].clone();
    let url = sim.url(&format!("customers({})", customer["id"].as_str().unwrap()));
    let stale = etag(&customer);
    assert_eq!(sim.patch(&url, Some(&stale), json!({"city": "Leeds"})).await.status(), 200);
    let (status, code, message) = error_of(sim.patch(&url, Some(&stale), json!({"city": "York"})).await).await;
    assert_eq!((status, code.as_str()), (409, "Request_EntityChanged"));
    assert!(message.starts_with("Another user has already changed the record."));
    sim.shutdown().await;
}

#[tokio::test]
async fn checklist_03_if_match_star_is_accepted() {
    let sim = Sim::start().await;
    let customer = sim.get_json(&sim.url("customers")).await["value"][0].clone();
    let url = sim.url(&format!("customers({})", customer["id"].as_str().unwrap()));
    let response = sim.patch(&url, Some("*"), json!({"city": "York"})).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["city"], "York");
    assert_ne!(etag(&body), etag(&customer), "the ETag moves with the change");
    sim.shutdown().await;
}

#[tokio::test]
async fn checklist_04_post_is_201_patch_200_delete_204() {
    let sim = Sim::start().await;
    let created = sim.post(&sim.url("customers"), json!({"displayName": "Fabrikam"})).await;
    assert_eq!(created.status(), 201);
    let created: Value = created.json().await.unwrap();
    assert!(created["@odata.context"].as_str().unwrap().ends_with("/customers/$entity"));
    let url = sim.url(&format!("customers({})", created["id"].as_str().unwrap()));
    let patched = sim.patch(&url, Some(&etag(&created)), json!({"city": "Utrecht"})).await;
    assert_eq!(patched.status(), 200);
    let patched: Value = patched.json().await.unwrap();
    assert_eq!(patched["city"], "Utrecht");
    assert_eq!(sim.delete(&url, Some(&etag(&patched))).await.status(), 204);
    assert_eq!(sim.get(&url).await.status(), 404);
    sim.shutdown().await;
}

#[tokio::test]
async fn checklist_05_code_fields_are_upper_cased_and_trimmed() {
    let sim = Sim::start().await;
    let order = sim
        .post_ok(&sim.url("salesOrders"), json!({"customerNumber": " 10000 ", "externalDocumentNumber": "  wc-1001-a  ", "sellToPostCode": "ec1a 1bb"}))
        .await;
    assert_eq!(order["externalDocumentNumber"], "WC-1001-A");
    assert_eq!(order["customerNumber"], "10000");
    assert_eq!(order["sellToPostCode"], "EC1A 1BB");
    sim.shutdown().await;
}

#[tokio::test]
async fn checklist_05_over_length_is_string_exceeded_length() {
    let sim = Sim::start().await;
    let long = "A".repeat(36);
    let (status, code, message) = error_of(
        sim.post(&sim.url("salesOrders"), json!({"customerNumber": "10000", "externalDocumentNumber": long})).await,
    )
    .await;
    assert_eq!((status, code.as_str()), (400, "Application_StringExceededLength"));
    assert!(
        message.starts_with("The length of the string is 36, but it must be less than or equal to 35 characters."),
        "{message}"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn checklist_05_blank_dates_are_0001_01_01_and_empty_guids_are_zeros() {
    let sim = Sim::start().await;
    let order = sim.post_ok(&sim.url("salesOrders"), json!({"customerNumber": "10000"})).await;
    assert_eq!(order["requestedDeliveryDate"], "0001-01-01");
    assert_eq!(order["shipmentMethodId"], "00000000-0000-0000-0000-000000000000");
    assert_eq!(order["currencyId"], "00000000-0000-0000-0000-000000000000");
    sim.shutdown().await;
}

#[tokio::test]
async fn checklist_06_enum_values_are_xml_escaped_member_names() {
    let sim = Sim::start().await;
    let entries = sim.get_json(&sim.url("itemLedgerEntries?$top=1")).await;
    assert_eq!(entries["value"][0]["entryType"], "Positive_x0020_Adjmt_x002E_");
    assert_eq!(entries["value"][0]["documentType"], "_x0020_");
    let customers = sim.get_json(&sim.url("customers?$top=1")).await;
    assert_eq!(customers["value"][0]["blocked"], "_x0020_");
    let order = sim.create_order("WC-ENUM").await;
    let lines =
        sim.get_json(&sim.url(&format!("salesOrders({})/dimensionSetLines", order["id"].as_str().unwrap()))).await;
    assert_eq!(lines["value"][0]["parentType"], "Sales_x0020_Order");
    let (status, code, message) =
        error_of(sim.post(&sim.url("items"), json!({"number": "X1", "type": "Invalid Type"})).await).await;
    assert_eq!((status, code.as_str()), (400, "Unknown"));
    assert!(
        message
            .starts_with("'Invalid Type' is not an option. The existing options are: Inventory,Service,Non-Inventory"),
        "{message}"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn checklist_07_sales_order_needs_customer_number_or_id() {
    let sim = Sim::start().await;
    let (status, code, message) =
        error_of(sim.post(&sim.url("salesOrders"), json!({"externalDocumentNumber": "X"})).await).await;
    assert_eq!((status, code.as_str()), (400, "Application_DialogException"));
    assert!(message.starts_with("A \"customerNumber\" or a \"customerId\" must be provided."));
    let (_, _, message) = error_of(sim.post(&sim.url("salesOrders"), json!({"customerNumber": "NOPE"})).await).await;
    assert!(message.starts_with("The sell-to customer cannot be found."), "{message}");
    let customers = sim.get_json(&sim.url("customers")).await;
    let other_id = customers["value"][1]["id"].as_str().unwrap();
    let (_, _, message) =
        error_of(sim.post(&sim.url("salesOrders"), json!({"customerNumber": "10000", "customerId": other_id})).await)
            .await;
    assert!(message.starts_with("The sell-to customer values do not match to a specific Customer."), "{message}");
    sim.shutdown().await;
}

#[tokio::test]
async fn checklist_07_order_number_is_assigned_and_read_only() {
    let sim = Sim::start().await;
    let first = sim.post_ok(&sim.url("salesOrders"), json!({"customerNumber": "10000"})).await;
    let second = sim.post_ok(&sim.url("salesOrders"), json!({"customerNumber": "10000"})).await;
    assert_eq!(first["number"], "S-ORD101001");
    assert_eq!(second["number"], "S-ORD101002");
    let (status, code, message) =
        error_of(sim.post(&sim.url("salesOrders"), json!({"customerNumber": "10000", "number": "MINE"})).await).await;
    assert_eq!((status, code.as_str()), (400, "BadRequest_InvalidOperation"));
    assert!(message.contains("'number' is read-only"), "{message}");
    sim.shutdown().await;
}

#[tokio::test]
async fn checklist_07_status_is_draft_and_totals_are_recomputed_from_lines() {
    let sim = Sim::start().await;
    let order = sim.create_order("WC-TOTALS").await;
    assert_eq!(order["status"], "Draft");
    // 2 × 99.50 + 5.00 = 204.00 net, 20 % VAT = 40.80.
    assert_eq!(order["totalAmountExcludingTax"], 204);
    assert_eq!(order["totalTaxAmount"], 40.8);
    assert_eq!(order["totalAmountIncludingTax"], 244.8);
    sim.shutdown().await;
}

#[tokio::test]
async fn checklist_07_etag_and_last_modified_move_when_lines_change() {
    let sim = Sim::start().await;
    let order = sim.create_order("WC-ETAG").await;
    let id = order["id"].as_str().unwrap();
    let lines = sim.get_json(&sim.url(&format!("salesOrders({id})/salesOrderLines"))).await;
    let line = &lines["value"][0];
    let line_url = sim.url(&format!("salesOrders({id})/salesOrderLines({})", line["id"].as_str().unwrap()));
    assert_eq!(sim.patch(&line_url, Some(&etag(line)), json!({"quantity": 3})).await.status(), 200);
    let after = sim.get_json(&sim.url(&format!("salesOrders({id})"))).await;
    assert_ne!(etag(&after), etag(&order));
    assert!(after["lastModifiedDateTime"].as_str().unwrap() >= order["lastModifiedDateTime"].as_str().unwrap());
    assert_eq!(after["totalAmountExcludingTax"], 303.5);
    let (status, _, _) = error_of(
        sim.patch(&sim.url(&format!("salesOrders({id})")), Some(&etag(&order)), json!({"externalDocumentNumber": "X"}))
            .await,
    )
    .await;
    assert_eq!(status, 409, "the header ETag from before the line change is stale");
    sim.shutdown().await;
}

#[tokio::test]
async fn checklist_08_top_level_lines_without_document_id_is_400() {
    let sim = Sim::start().await;
    let (status, code, message) = error_of(sim.get(&sim.url("salesOrderLines")).await).await;
    assert_eq!((status, code.as_str()), (400, "Application_DialogException"));
    assert!(message.starts_with("You must specify an Id or a Document Id to get the lines."));
    let (_, _, message) = error_of(sim.get(&sim.url("salesCreditMemoLines")).await).await;
    assert!(message.starts_with("You must specify an id or a Document Id to get the lines."));
    let order = sim.create_order("WC-LINES").await;
    let lines = sim
        .get_json(&format!("{}?$filter=documentId eq {}", sim.url("salesOrderLines"), order["id"].as_str().unwrap()))
        .await;
    assert_eq!(lines["value"].as_array().unwrap().len(), 2);
    sim.shutdown().await;
}

#[tokio::test]
async fn checklist_08_line_document_sequence_and_object_number_cannot_change() {
    let sim = Sim::start().await;
    let order = sim.create_order("WC-IMMUTABLE").await;
    let other = sim.create_order("WC-OTHER").await;
    let lines =
        sim.get_json(&sim.url(&format!("salesOrders({})/salesOrderLines", order["id"].as_str().unwrap()))).await;
    let line = &lines["value"][0];
    let url = sim.url(&format!("salesOrderLines({})", line["id"].as_str().unwrap()));
    let cases = [
        (json!({"documentId": other["id"]}), "The value for \"documentId\" cannot be modified."),
        (json!({"sequence": 30000}), "The value for sequence cannot be modified. Delete and insert the line again."),
        (json!({"lineObjectNumber": "1900-S"}), "The value for \"lineObjectNumber\" cannot be modified."),
    ];
    for (body, expected) in cases {
        let (status, _, message) = error_of(sim.patch(&url, Some("*"), body).await).await;
        assert_eq!(status, 400);
        assert!(message.starts_with(expected), "{message}");
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn checklist_09_deep_insert_creates_lines_and_dimensions_in_one_post() {
    let sim = Sim::start().await;
    let order = sim.create_order("WC-DEEP").await;
    let id = order["id"].as_str().unwrap();
    let expanded =
        sim.get_json(&sim.url(&format!("salesOrders({id})?$expand=salesOrderLines,dimensionSetLines"))).await;
    assert_eq!(expanded["salesOrderLines"].as_array().unwrap().len(), 2);
    assert_eq!(expanded["salesOrderLines"][0]["sequence"], 10000);
    assert_eq!(expanded["salesOrderLines"][1]["sequence"], 20000);
    assert_eq!(expanded["dimensionSetLines"][0]["valueCode"], "WEB");
    assert_eq!(expanded["salesOrderLines"][0]["description"], "ATHENS Desk");
    sim.shutdown().await;
}

#[tokio::test]
async fn checklist_09_deep_insert_is_atomic() {
    let sim = Sim::start().await;
    let response = sim
        .post(
            &sim.url("salesOrders"),
            json!({
                "customerNumber": "10000",
                "externalDocumentNumber": "WC-ATOMIC",
                "salesOrderLines": [
                    { "lineType": "Item", "lineObjectNumber": "1896-S", "quantity": 1 },
                    { "lineType": "Item", "lineObjectNumber": "NO-SUCH-ITEM", "quantity": 1 }
                ]
            }),
        )
        .await;
    let (status, _, message) = error_of(response).await;
    assert_eq!(status, 400);
    assert!(message.starts_with("The Item does not exist."), "{message}");
    let orders =
        sim.get_json(&format!("{}?$filter=externalDocumentNumber eq 'WC-ATOMIC'", sim.url("salesOrders"))).await;
    assert!(orders["value"].as_array().unwrap().is_empty(), "nothing of the failed deep insert was stored");
    let next = sim.post_ok(&sim.url("salesOrders"), json!({"customerNumber": "10000"})).await;
    assert_eq!(next["number"], "S-ORD101001", "the failed insert did not use a number");
    sim.shutdown().await;
}

#[tokio::test]
async fn checklist_10_dimension_set_lines_are_keyed_by_dimension_id() {
    let sim = Sim::start().await;
    let order = sim.create_order("WC-DIM").await;
    let dims = sim.get_json(&sim.url("dimensions?$filter=code eq 'CHANNEL'")).await;
    let dimension_id = dims["value"][0]["id"].as_str().unwrap().to_string();
    let url = sim.url(&format!("salesOrders({})/dimensionSetLines({dimension_id})", order["id"].as_str().unwrap()));
    let line = sim.get_json(&url).await;
    assert_eq!(line["id"], dimension_id.as_str());
    assert_eq!(line["parentId"], order["id"]);
    sim.shutdown().await;
}

#[tokio::test]
async fn checklist_10_dimension_set_lines_only_under_a_parent() {
    let sim = Sim::start().await;
    let (status, _, message) = error_of(sim.get(&sim.url("dimensionSetLines")).await).await;
    assert_eq!(status, 400);
    assert!(message.starts_with("You must get to the parent first to get to the dimension set line."));
    let (status, _, message) =
        error_of(sim.post(&sim.url("dimensionSetLines"), json!({"code": "CHANNEL", "valueCode": "WEB"})).await).await;
    assert_eq!(status, 400);
    assert!(message.starts_with("You must get to the parent first to create a dimension set line."));
    sim.shutdown().await;
}

#[tokio::test]
async fn checklist_10_duplicate_dimension_post_is_an_error_and_patch_changes_the_value() {
    let sim = Sim::start().await;
    let order = sim.create_order("WC-DIM2").await;
    let id = order["id"].as_str().unwrap();
    let url = sim.url(&format!("salesOrders({id})/dimensionSetLines"));
    let (status, code, message) = error_of(sim.post(&url, json!({"code": "CHANNEL", "valueCode": "B2B"})).await).await;
    assert_eq!((status, code.as_str()), (400, "Application_DialogException"));
    assert!(message.starts_with("The dimension set line already exists."), "{message}");
    let line = sim.get_json(&url).await["value"][0].clone();
    let line_url = format!("{url}({})", line["id"].as_str().unwrap());
    let patched = sim.patch(&line_url, Some(&etag(&line)), json!({"valueCode": "B2B"})).await;
    assert_eq!(patched.status(), 200);
    let header = sim.get_json(&sim.url(&format!("salesOrders({id})"))).await;
    assert_eq!(header["shortcutDimension1Code"], "B2B", "CHANNEL is global dimension 1");
    let lines = sim.get_json(&sim.url(&format!("salesOrders({id})/salesOrderLines"))).await;
    let line_dims = sim
        .get_json(
            &sim.url(&format!("salesOrderLines({})/dimensionSetLines", lines["value"][0]["id"].as_str().unwrap())),
        )
        .await;
    assert_eq!(line_dims["value"][0]["valueCode"], "B2B", "header dimensions propagate to lines");
    sim.shutdown().await;
}

#[tokio::test]
async fn checklist_11_ship_and_invoice_is_204_and_deletes_the_order() {
    let sim = Sim::start().await;
    let order = sim.create_order("WC-POST").await;
    let id = order["id"].as_str().unwrap();
    let response = sim.action(&sim.url(&format!("salesOrders({id})/Microsoft.NAV.shipAndInvoice"))).await;
    assert_eq!(response.status(), 204);
    assert_eq!(sim.get(&sim.url(&format!("salesOrders({id})"))).await.status(), 404);
    sim.shutdown().await;
}

#[tokio::test]
async fn checklist_11_posted_invoice_has_new_id_order_link_and_status_open() {
    let sim = Sim::start().await;
    let order = sim.create_order("WC-POST2").await;
    let id = order["id"].as_str().unwrap();
    sim.action(&sim.url(&format!("salesOrders({id})/Microsoft.NAV.shipAndInvoice"))).await;
    let invoices = sim.get_json(&format!("{}?$filter=orderId eq {id}", sim.url("salesInvoices"))).await;
    let invoice = &invoices["value"][0];
    assert_ne!(invoice["id"], order["id"]);
    assert_eq!(invoice["orderNumber"], order["number"]);
    assert_eq!(invoice["status"], "Open");
    assert_eq!(invoice["externalDocumentNumber"], "WC-POST2");
    assert_eq!(invoice["totalAmountIncludingTax"], 244.8);
    let by_number = sim
        .get_json(&format!(
            "{}?$filter=orderNumber eq '{}'",
            sim.url("salesInvoices"),
            order["number"].as_str().unwrap()
        ))
        .await;
    assert_eq!(by_number["value"][0]["id"], invoice["id"]);
    sim.shutdown().await;
}

#[tokio::test]
async fn checklist_11_posting_creates_sale_ledger_entries_from_the_shipment() {
    let sim = Sim::start().await;
    let order = sim.create_order("WC-ILE").await;
    sim.action(&sim.url(&format!("salesOrders({})/Microsoft.NAV.shipAndInvoice", order["id"].as_str().unwrap()))).await;
    let shipments = sim
        .get_json(&format!(
            "{}?$filter=orderNumber eq '{}'",
            sim.url("salesShipments"),
            order["number"].as_str().unwrap()
        ))
        .await;
    let shipment_number = shipments["value"][0]["number"].as_str().unwrap().to_string();
    let entries =
        sim.get_json(&format!("{}?$filter=documentNumber eq '{shipment_number}'", sim.url("itemLedgerEntries"))).await;
    let entry = &entries["value"][0];
    assert_eq!(entry["entryType"], "Sale");
    assert_eq!(entry["quantity"], -2);
    assert_eq!(entry["documentType"], "Sales_x0020_Shipment");
    assert_eq!(entry["itemNumber"], "1896-S");
    assert_eq!(entry["sourceNumber"], "10000");
    assert_eq!(sim.item("1896-S").await["inventory"], 10);
    sim.shutdown().await;
}

async fn posted_invoice(sim: &Sim, external: &str) -> Value {
    let order = sim.create_order(external).await;
    let id = order["id"].as_str().unwrap();
    sim.action(&sim.url(&format!("salesOrders({id})/Microsoft.NAV.shipAndInvoice"))).await;
    sim.get_json(&format!("{}?$filter=orderId eq {id}", sim.url("salesInvoices"))).await["value"][0].clone()
}

#[tokio::test]
async fn checklist_12_credit_memo_links_the_invoice_and_post_keeps_id_changes_number() {
    let sim = Sim::start().await;
    let invoice = posted_invoice(&sim, "WC-CM").await;
    let memo = sim
        .post_ok(
            &sim.url("salesCreditMemos"),
            json!({
                "customerNumber": "10000",
                "invoiceId": invoice["id"],
                "externalDocumentNumber": "WC-R-77",
                "salesCreditMemoLines": [ { "lineType": "Item", "lineObjectNumber": "1896-S", "quantity": 1, "unitPrice": 99.5 } ]
            }),
        )
        .await;
    assert_eq!(memo["invoiceNumber"], invoice["number"]);
    assert_eq!(memo["status"], "Draft");
    let id = memo["id"].as_str().unwrap();
    assert_eq!(sim.action(&sim.url(&format!("salesCreditMemos({id})/Microsoft.NAV.post"))).await.status(), 204);
    let posted = sim.get_json(&sim.url(&format!("salesCreditMemos({id})"))).await;
    assert_eq!(posted["id"], memo["id"]);
    assert_ne!(posted["number"], memo["number"]);
    assert_ne!(posted["status"], "Draft");
    let entries = sim
        .get_json(&format!(
            "{}?$filter=documentNumber eq '{}'",
            sim.url("itemLedgerEntries"),
            posted["number"].as_str().unwrap()
        ))
        .await;
    assert_eq!(entries["value"][0]["quantity"], 1);
    assert_eq!(entries["value"][0]["documentType"], "Sales_x0020_Credit_x0020_Memo");
    let invoice_after = sim.get_json(&sim.url(&format!("salesInvoices({})", invoice["id"].as_str().unwrap()))).await;
    assert_eq!(invoice_after["remainingAmount"], 125.4, "244.80 − 119.40 applied");
    let (_, _, message) = error_of(
        sim.post(
            &sim.url("salesCreditMemos"),
            json!({"customerNumber": "10000", "invoiceId": "11111111-2222-4333-8444-555555555555"}),
        )
        .await,
    )
    .await;
    assert!(message.starts_with("The \"invoiceId\" does not match to an Invoice."), "{message}");
    sim.shutdown().await;
}

#[tokio::test]
async fn checklist_12_make_corrective_credit_memo_copies_the_invoice_as_a_draft() {
    let sim = Sim::start().await;
    let invoice = posted_invoice(&sim, "WC-CORR").await;
    let id = invoice["id"].as_str().unwrap();
    assert_eq!(
        sim.action(&sim.url(&format!("salesInvoices({id})/Microsoft.NAV.makeCorrectiveCreditMemo"))).await.status(),
        204
    );
    let memos = sim
        .get_json(&format!("{}?$filter=invoiceId eq {id}&$expand=salesCreditMemoLines", sim.url("salesCreditMemos")))
        .await;
    let memo = &memos["value"][0];
    assert_eq!(memo["status"], "Draft");
    assert_eq!(memo["salesCreditMemoLines"].as_array().unwrap().len(), 2);
    assert_eq!(memo["totalAmountIncludingTax"], invoice["totalAmountIncludingTax"]);
    sim.shutdown().await;
}

#[tokio::test]
async fn checklist_12_cancel_posts_a_corrective_credit_memo_and_cancels_the_invoice() {
    let sim = Sim::start().await;
    let invoice = posted_invoice(&sim, "WC-CANCEL").await;
    let id = invoice["id"].as_str().unwrap();
    assert_eq!(sim.action(&sim.url(&format!("salesInvoices({id})/Microsoft.NAV.cancel"))).await.status(), 204);
    let after = sim.get_json(&sim.url(&format!("salesInvoices({id})"))).await;
    assert_eq!(after["status"], "Canceled");
    assert_eq!(after["remainingAmount"], 0);
    let memos = sim.get_json(&format!("{}?$filter=invoiceId eq {id}", sim.url("salesCreditMemos"))).await;
    assert_eq!(memos["value"][0]["status"], "Corrective");
    assert_eq!(sim.item("1896-S").await["inventory"], 12, "the stock came back");
    let (status, _, message) =
        error_of(sim.action(&sim.url(&format!("salesInvoices({id})/Microsoft.NAV.cancel"))).await).await;
    assert_eq!(status, 400);
    assert!(message.contains("already been canceled"), "{message}");
    sim.shutdown().await;
}

#[tokio::test]
async fn checklist_13_inventory_is_the_sum_of_item_ledger_entries() {
    let sim = Sim::start().await;
    let tshirt = sim.item("TSHIRT").await;
    assert_eq!(tshirt["inventory"], 32, "S 10 + M 15 + L 7 over all variants");
    let entries = sim.get_json(&format!("{}?$filter=itemNumber eq 'TSHIRT'", sim.url("itemLedgerEntries"))).await;
    let sum: f64 = entries["value"].as_array().unwrap().iter().map(|e| e["quantity"].as_f64().unwrap()).sum();
    assert_eq!(sum, 32.0);
    sim.shutdown().await;
}

#[tokio::test]
async fn checklist_13_patch_inventory_posts_an_adjustment_and_post_with_inventory_fails() {
    let sim = Sim::start().await;
    let item = sim.item("1906-S").await;
    let url = sim.url(&format!("items({})", item["id"].as_str().unwrap()));
    let patched: Value = sim.patch(&url, Some(&etag(&item)), json!({"inventory": 5})).await.json().await.unwrap();
    assert_eq!(patched["inventory"], 5);
    let entries = sim
        .get_json(&format!(
            "{}?$filter=itemNumber eq '1906-S'&$orderby=entryNumber desc&$top=1",
            sim.url("itemLedgerEntries")
        ))
        .await;
    assert_eq!(entries["value"][0]["entryType"], "Negative_x0020_Adjmt_x002E_");
    assert_eq!(entries["value"][0]["quantity"], -3);
    assert_eq!(entries["value"][0]["documentNumber"], "1906-S");
    let (status, _, message) =
        error_of(sim.post(&sim.url("items"), json!({"number": "NEW-1", "inventory": 3})).await).await;
    assert_eq!(status, 400);
    assert!(message.starts_with("Inventory cannot be changed during on insert."));
    sim.shutdown().await;
}

#[tokio::test]
async fn checklist_13_stock_moves_leave_item_last_modified_alone() {
    let sim = Sim::start().await;
    let before = sim.item("1896-S").await;
    let order = sim.create_order("WC-STOCK").await;
    sim.action(&sim.url(&format!("salesOrders({})/Microsoft.NAV.shipAndInvoice", order["id"].as_str().unwrap()))).await;
    let after = sim.item("1896-S").await;
    assert_eq!(after["lastModifiedDateTime"], before["lastModifiedDateTime"]);
    assert_eq!(etag(&after), etag(&before));
    assert_ne!(after["inventory"], before["inventory"]);
    sim.shutdown().await;
}

#[tokio::test]
async fn checklist_14_server_driven_paging_with_next_link_and_maxpagesize() {
    let sim = Sim::start().await;
    let mut url = sim.url("items?$select=number");
    let mut numbers = Vec::new();
    let mut pages = 0;
    loop {
        let response = sim.request(Method::GET, &url).header("Prefer", "odata.maxpagesize=4").send().await.unwrap();
        let body: Value = response.json().await.unwrap();
        pages += 1;
        numbers.extend(body["value"].as_array().unwrap().iter().map(|i| i["number"].as_str().unwrap().to_string()));
        match body["@odata.nextLink"].as_str() {
            Some(next) => url = next.to_string(),
            None => break,
        }
    }
    assert_eq!(numbers.len(), 15);
    assert_eq!(pages, 4);
    let mut sorted = numbers.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted, numbers, "every item once, in key order");
    sim.shutdown().await;
}

#[tokio::test]
async fn checklist_14_or_across_fields_is_rejected() {
    let sim = Sim::start().await;
    let response =
        sim.query(&sim.url("customers"), &[("$filter", "number eq '10000' or displayName eq 'Trey Research'")]).await;
    let (status, _, message) = error_of(response).await;
    assert_eq!(status, 400);
    assert!(message.contains("The 'OR' operator is not supported on distinct fields on an OData filter."), "{message}");
    sim.shutdown().await;
}

#[tokio::test]
async fn checklist_14_lambda_operators_are_silently_ignored() {
    let sim = Sim::start().await;
    sim.create_order("WC-LAMBDA").await;
    sim.create_order("WC-LAMBDA-2").await;
    let response =
        sim.query(&sim.url("salesOrders"), &[("$filter", "salesOrderLines/any(l: l/quantity gt 100)")]).await;
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["value"].as_array().unwrap().len(), 2, "the lambda filter was dropped, not applied");
    sim.shutdown().await;
}

#[tokio::test]
async fn checklist_15_rate_limit_answers_429() {
    let mut config = bc_sim::Config::demo();
    config.limits.rate_limit = 5;
    config.limits.rate_window_ms = 60_000;
    let sim = Sim::with(config).await;
    let url = sim.url("paymentTerms");
    for _ in 0..5 {
        assert_eq!(sim.get(&url).await.status(), 200);
    }
    let response = sim.get(&url).await;
    assert_eq!(response.status(), 429);
    let (_, code, _) = error_of(response).await;
    assert_eq!(code, "Application_TooManyRequests");
    sim.shutdown().await;
}

#[tokio::test]
async fn checklist_15_waiting_too_long_in_the_queue_is_503_with_retry_after() {
    let mut config = bc_sim::Config::demo();
    config.limits.max_concurrent = 1;
    config.limits.queue_timeout_ms = 50;
    config.limits.processing_delay_ms = 1_500;
    config.limits.retry_after_secs = 7;
    let sim = Sim::with(config).await;
    let url = sim.url("paymentTerms");
    let (first, second) = tokio::join!(sim.get(&url), async {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        sim.get(&url).await
    });
    assert_eq!(first.status(), 200);
    assert_eq!(second.status(), 503);
    assert_eq!(second.headers()["retry-after"], "7");
    sim.shutdown().await;
}

#[tokio::test]
async fn checklist_15_request_running_past_the_gateway_limit_is_504() {
    let mut config = bc_sim::Config::demo();
    config.limits.processing_delay_ms = 400;
    config.limits.gateway_timeout_ms = 100;
    let sim = Sim::with(config).await;
    assert_eq!(sim.get(&sim.url("paymentTerms")).await.status(), 504);
    let mut limits = sim.control().limits();
    limits.gateway_timeout_ms = 600_000;
    limits.operation_timeout_ms = 100;
    sim.control().set_limits(limits);
    assert_eq!(sim.get(&sim.url("paymentTerms")).await.status(), 408);
    sim.shutdown().await;
}

#[tokio::test]
async fn checklist_16_batch_runs_json_requests_in_order() {
    let sim = Sim::start().await;
    let company = format!("companies({})", sim.info().company_id);
    let body = json!({"requests": [
        {"method": "POST", "id": "1", "url": format!("{company}/customers"), "headers": {"Content-Type": "application/json"}, "body": {"displayName": "Batch One"}},
        {"method": "GET", "id": "2", "url": format!("{company}/customers?$filter=displayName eq 'Batch One'")}
    ]});
    let response: Value = sim.post(&sim.api("$batch"), body).await.json().await.unwrap();
    assert_eq!(response["responses"][0]["status"], 201);
    assert_eq!(response["responses"][0]["id"], "1");
    assert_eq!(response["responses"][1]["body"]["value"][0]["displayName"], "Batch One");
    sim.shutdown().await;
}

#[tokio::test]
async fn checklist_16_batch_with_isolation_snapshot_rolls_back_on_failure() {
    let sim = Sim::start().await;
    let company = format!("companies({})", sim.info().company_id);
    let body = json!({"requests": [
        {"method": "POST", "id": "1", "url": format!("{company}/customers"), "headers": {"Content-Type": "application/json"}, "body": {"displayName": "Snapshot One"}},
        {"method": "POST", "id": "2", "url": format!("{company}/customers"), "headers": {"Content-Type": "application/json"}, "body": {"displayName": "Snapshot Two", "country": "XX"}}
    ]});
    let response =
        sim.request(Method::POST, &sim.api("$batch")).header("Isolation", "snapshot").json(&body).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let response: Value = response.json().await.unwrap();
    assert_eq!(response["responses"][0]["status"], 201);
    assert_eq!(response["responses"][1]["status"], 400);
    let found = sim.get_json(&format!("{}?$filter=startswith(displayName,'Snapshot')", sim.url("customers"))).await;
    assert!(found["value"].as_array().unwrap().is_empty(), "the first customer was rolled back");
    sim.shutdown().await;
}

#[tokio::test]
async fn checklist_16_batch_is_limited_to_100_operations() {
    let sim = Sim::start().await;
    let company = format!("companies({})", sim.info().company_id);
    let requests: Vec<Value> = (0..101)
        .map(|i| json!({"method": "GET", "id": i.to_string(), "url": format!("{company}/paymentTerms")}))
        .collect();
    let (status, _, _) = error_of(sim.post(&sim.api("$batch"), json!({"requests": requests})).await).await;
    assert_eq!(status, 400);
    sim.shutdown().await;
}

#[tokio::test]
async fn checklist_17_webhook_subscription_needs_the_validation_handshake() {
    let sim = Sim::start().await;
    let receiver = Receiver::start().await;
    let resource = format!("/api/v2.0/companies({})/customers", sim.info().company_id);
    let created = sim
        .post(
            &sim.api("subscriptions"),
            json!({"notificationUrl": receiver.url, "resource": resource, "clientState": "s3cret"}),
        )
        .await;
    assert_eq!(created.status(), 201);
    let created: Value = created.json().await.unwrap();
    assert_eq!(receiver.handshakes(), 1);
    assert_eq!(created["subscriptionId"].as_str().unwrap().len(), 32);
    *receiver.handshake_ok.lock().unwrap() = false;
    let refused =
        sim.post(&sim.api("subscriptions"), json!({"notificationUrl": receiver.url, "resource": resource})).await;
    assert_eq!(refused.status(), 400);
    let list = sim.get_json(&sim.api("subscriptions")).await;
    assert_eq!(list["value"].as_array().unwrap().len(), 1);
    sim.shutdown().await;
}

#[tokio::test]
async fn checklist_17_subscription_expires_after_three_days() {
    let sim = Sim::start().await;
    let receiver = Receiver::start().await;
    let resource = format!("/api/v2.0/companies({})/customers", sim.info().company_id);
    let created: Value = sim
        .post(&sim.api("subscriptions"), json!({"notificationUrl": receiver.url, "resource": resource}))
        .await
        .json()
        .await
        .unwrap();
    let expires = chrono::DateTime::parse_from_rfc3339(created["expirationDateTime"].as_str().unwrap()).unwrap();
    let in_three_days = chrono::Utc::now() + chrono::Duration::days(3);
    assert!((in_three_days - expires.with_timezone(&chrono::Utc)).num_seconds().abs() < 60);
    sim.shutdown().await;
}

#[tokio::test]
async fn checklist_17_changes_arrive_aggregated_after_the_delay() {
    let mut config = bc_sim::Config::demo();
    config.webhooks.delay_ms = 1_000;
    let sim = Sim::with(config).await;
    let receiver = Receiver::start().await;
    let resource = format!("/api/v2.0/companies({})/customers", sim.info().company_id);
    sim.post_ok(
        &sim.api("subscriptions"),
        json!({"notificationUrl": receiver.url, "resource": resource, "clientState": "abc"}),
    )
    .await;
    let customer = sim.get_json(&sim.url("customers?$top=1")).await["value"][0].clone();
    let url = sim.url(&format!("customers({})", customer["id"].as_str().unwrap()));
    sim.patch(&url, Some("*"), json!({"city": "A"})).await;
    sim.patch(&url, Some("*"), json!({"city": "B"})).await;
    let received = eventually(|| async { receiver.notifications().into_iter().next() }).await;
    let value = received.body["value"].as_array().unwrap();
    assert_eq!(value.len(), 1, "two updates of one record collapse into one notification: {:?}", received.body);
    assert_eq!(value[0]["changeType"], "updated");
    assert_eq!(value[0]["clientState"], "abc");
    assert_eq!(value[0]["resource"], format!("{resource}({})", customer["id"].as_str().unwrap()));
    sim.shutdown().await;
}

#[tokio::test]
async fn checklist_17_more_than_the_maximum_changes_become_one_collection_notification() {
    let mut config = bc_sim::Config::demo();
    config.webhooks.delay_ms = 60_000;
    config.webhooks.max_notifications = 3;
    let sim = Sim::with(config).await;
    let receiver = Receiver::start().await;
    let resource = format!("/api/v2.0/companies({})/items", sim.info().company_id);
    sim.post_ok(&sim.api("subscriptions"), json!({"notificationUrl": receiver.url, "resource": resource})).await;
    for i in 0..4 {
        sim.post_ok(&sim.url("items"), json!({"number": format!("NEW-{i}"), "displayName": "New"})).await;
    }
    sim.control().flush_webhooks().await;
    let notifications = receiver.notifications();
    let value = notifications[0].body["value"].as_array().unwrap();
    assert_eq!(value.len(), 1);
    assert_eq!(value[0]["changeType"], "collection");
    assert!(value[0]["resource"]
        .as_str()
        .unwrap()
        .starts_with(&format!("{resource}?$filter=lastModifiedDateTime%20gt%20")));
    sim.shutdown().await;
}

#[tokio::test]
async fn checklist_17_failed_delivery_is_retried_on_5xx_and_subscription_deleted_on_4xx() {
    let mut config = bc_sim::Config::demo();
    config.webhooks.delay_ms = 60_000;
    config.webhooks.retry_ms = 0;
    let sim = Sim::with(config).await;
    let receiver = Receiver::start().await;
    let resource = format!("/api/v2.0/companies({})/customers", sim.info().company_id);
    sim.post_ok(&sim.api("subscriptions"), json!({"notificationUrl": receiver.url, "resource": resource})).await;
    sim.post_ok(&sim.url("customers"), json!({"displayName": "Webhook Retry"})).await;
    receiver.set_status(503);
    sim.control().flush_webhooks().await;
    receiver.set_status(200);
    sim.control().flush_webhooks().await;
    let notifications = receiver.notifications();
    assert_eq!(notifications.len(), 2, "the 503 was retried");
    assert_eq!(notifications[0].body, notifications[1].body);
    sim.post_ok(&sim.url("customers"), json!({"displayName": "Webhook Gone"})).await;
    receiver.set_status(404);
    sim.control().flush_webhooks().await;
    let list = sim.get_json(&sim.api("subscriptions")).await;
    assert!(list["value"].as_array().unwrap().is_empty(), "a 404 deletes the subscription");
    sim.shutdown().await;
}

#[tokio::test]
async fn checklist_18_error_bodies_carry_code_and_correlation_id_suffix() {
    let sim = Sim::start().await;
    let response = sim.get(&sim.url("noSuchSet")).await;
    assert_eq!(response.status(), 404);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "BadRequest_ResourceNotFound");
    let message = body["error"]["message"].as_str().unwrap();
    let (text, correlation) = message.split_once("  CorrelationId:  ").expect("suffix with two spaces");
    assert_eq!(text, "Resource not found for the segment 'noSuchSet'.");
    assert!(correlation.ends_with('.'));
    uuid::Uuid::parse_str(correlation.trim_end_matches('.')).expect("a GUID");
    sim.shutdown().await;
}
