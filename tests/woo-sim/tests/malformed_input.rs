//! Property tests: malformed OAuth 1.0a input and malformed query parameters get a clear answer in
//! WooCommerce's error format (`{"code","message","data":{"status"}}`), never a panic.

mod support;

use proptest::prelude::*;
use proptest::test_runner::{Config as RunnerConfig, TestRunner};
use serde_json::Value;
use support::*;
use woo_sim::auth::php_query::{self, PhpValue};
use woo_sim::auth::{authenticate, KeyStore, RequestAuth};

fn oauth_key() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("oauth_consumer_key".to_string()),
        Just("oauth_timestamp".to_string()),
        Just("oauth_nonce".to_string()),
        Just("oauth_signature".to_string()),
        Just("oauth_signature_method".to_string()),
        "[a-z_\\[\\].]{1,12}",
    ]
}

fn pairs() -> impl Strategy<Value = Vec<(String, String)>> {
    prop::collection::vec((oauth_key(), "[ -~]{0,40}"), 0..8)
}

proptest! {
    #[test]
    fn php_query_parsing_never_panics(input in ".{0,300}") {
        let _ = php_query::parse(&input);
    }

    #[test]
    fn the_verifier_answers_401_in_woocommerce_format_or_lets_through(
        query in pairs(), form in pairs(), header in "[ -~]{0,200}", tls in any::<bool>(), method in "(GET|POST|PUT|DELETE|PATCH|OPTIONS|HEAD|BREW)",
    ) {
        let keys = KeyStore::default();
        keys.add(1, "test", "read_write", "ck_0123456789abcdef0123456789abcdef01234567", "cs_0123456789abcdef0123456789abcdef01234567");
        let to_php = |pairs: &[(String, String)]| -> Vec<(String, PhpValue)> { pairs.iter().map(|(k, v)| (k.clone(), PhpValue::Str(v.clone()))).collect() };
        let (query, form) = (to_php(&query), to_php(&form));
        let header = format!("OAuth {header}");
        let request = RequestAuth {
            tls,
            key_route: true,
            method: &method,
            base_uri: "http://shop.example/wp-json/wc/v3/orders".into(),
            query: &query,
            form: &form,
            authorization: Some(&header),
            now: 1_800_000_000,
        };
        match authenticate(&keys, &request) {
            Ok(caller) => prop_assert!(caller.is_none(), "no forged input authenticates"),
            Err(error) => {
                prop_assert_eq!(error.status, 401);
                prop_assert!(error.code.starts_with("woocommerce_rest_authentication"));
                prop_assert!(!error.message.is_empty());
            }
        }
    }
}

fn assert_wordpress_error(status: u16, body: &Value) {
    assert!(body["code"].is_string(), "{status} {body}");
    assert!(body["message"].is_string(), "{status} {body}");
    assert_eq!(body["data"]["status"], status, "{body}");
}

#[test]
fn malformed_requests_answer_in_woocommerce_format_never_panic() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let sim = runtime.block_on(start());
    let client = http_client();
    let query = prop::collection::vec((prop_oneof![oauth_key(), "(per_page|page|offset|order|orderby|status|include|modified_after|dates_are_gmt|_fields)"], "[a-zA-Z0-9%+=\\[\\]._,:-]{0,24}"), 0..6);
    let header = "[ -~]{0,120}";
    let mut runner = TestRunner::new(RunnerConfig { cases: 96, ..RunnerConfig::default() });
    runner
        .run(&(query, header), |(pairs, header)| {
            let query = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&");
            let url = format!("{}/wp-json/wc/v3/orders?{query}", sim.http_url);
            let (status, body) = runtime.block_on(async {
                let response = client.get(url).header("Authorization", format!("OAuth {header}")).send().await.expect("the server answers");
                let status = response.status().as_u16();
                (status, response.json::<Value>().await.expect("JSON body"))
            });
            prop_assert!([400u16, 401, 404].contains(&status), "unexpected {} {}", status, body);
            assert_wordpress_error(status, &body);
            Ok(())
        })
        .unwrap();
    let (status, body, _) = runtime.block_on(get(&sim, "/orders?per_page=%ff%fe&page=-1&include=a,b"));
    assert_eq!(status, 400);
    assert_wordpress_error(status, &body);
}

fn json_scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
        "[ -~]{0,12}".prop_map(Value::from),
        any::<bool>().prop_map(Value::from),
        Just(Value::Null),
    ]
}

#[test]
fn malformed_order_bodies_answer_201_or_400_never_panic() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let sim = runtime.block_on(start());
    let line = (json_scalar(), json_scalar(), json_scalar(), json_scalar())
        .prop_map(|(sku, quantity, total, id)| serde_json::json!({"sku": sku, "quantity": quantity, "total": total, "product_id": id}));
    let body = (prop::collection::vec(line, 0..3), json_scalar(), json_scalar(), json_scalar())
        .prop_map(|(lines, status, customer, set_paid)| serde_json::json!({"line_items": lines, "status": status, "customer_id": customer, "set_paid": set_paid}));
    let mut runner = TestRunner::new(RunnerConfig { cases: 96, ..RunnerConfig::default() });
    runner
        .run(&body, |body| {
            let (status, answer) = runtime.block_on(send(&sim, reqwest::Method::POST, "/orders", &body));
            prop_assert!([201u16, 400].contains(&status), "unexpected {} {} for {}", status, answer, body);
            if status == 400 {
                assert_wordpress_error(status, &answer);
            }
            Ok(())
        })
        .unwrap();
}
