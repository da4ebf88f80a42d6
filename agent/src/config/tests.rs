use super::*;

const VECTOR_KEY: &str = "mlc-key 0a1b2c3d AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n";

fn keyring() -> Keyring {
    Keyring::parse(VECTOR_KEY, "test").unwrap()
}

#[test]
fn empty_configuration_is_valid_but_unconfigured() {
    let settings = load(&serde_json::json!({}), None, None).unwrap();
    assert!(settings.nav.is_none() && settings.woo.is_none());
    assert_eq!(settings.agent.concurrency, 4);
    assert_eq!(settings.orders.order_number_prefix, "WC-");
}

#[test]
fn a_deployment_without_any_credentials_is_not_configured_yet() {
    // What a freshly activated plugin publishes: its default deployment type, nothing else.
    let site = serde_json::json!({"schema": 1, "deployment": "bc_online", "nav": {"environment": "production"}});
    let settings = load(&serde_json::json!({}), Some(&site.to_string()), None).unwrap();
    assert!(settings.nav.is_none());
}

#[test]
fn site_document_secrets_are_decrypted_for_their_purpose() {
    let ring = keyring();
    let site = serde_json::json!({
        "schema": 1, "deployment": "bc_online",
        "nav": {"tenant": "t", "company": "CRONUS", "client_id": "app",
                "client_secret": ring.encrypt("nav.client_secret", b"s3cr3t")},
    });
    let settings = load(&serde_json::json!({}), Some(&site.to_string()), Some(&ring)).unwrap();
    match settings.nav.unwrap().deployment {
        Deployment::BcOnline { client_secret, environment, .. } => {
            assert_eq!(client_secret.expose(), "s3cr3t");
            assert_eq!(environment, "production");
            assert_eq!(format!("{client_secret:?}"), "Secret(…)");
        }
        other => panic!("{other:?}"),
    }
    // An envelope made for another purpose must not decrypt.
    let swapped = serde_json::json!({
        "deployment": "bc_online",
        "nav": {"tenant": "t", "company": "C", "client_id": "app",
                "client_secret": ring.encrypt("woo.consumer_secret", b"x")},
    });
    let error = load(&serde_json::json!({}), Some(&swapped.to_string()), Some(&ring)).unwrap_err();
    assert!(error.to_string().contains("nav.client_secret"), "{error}");
    assert!(!error.to_string().contains("x\""));
}

#[test]
fn the_file_wins_over_the_site_document() {
    let site = serde_json::json!({"agent": {"concurrency": 2}, "orders": {"fees_account": "8200", "order_number_prefix": "SHOP-"}});
    let file = serde_json::json!({"agent": {"concurrency": 8}, "orders": {"fees_account": "9999"}});
    let settings = load(&file, Some(&site.to_string()), None).unwrap();
    assert_eq!(settings.agent.concurrency, 8);
    assert_eq!(settings.orders.fees_account, "9999");
    assert_eq!(settings.orders.order_number_prefix, "SHOP-");
}

#[test]
fn mistakes_are_named() {
    let cases = [
        (serde_json::json!({"agent": {"concurency": 2}}), "concurency"),
        (serde_json::json!({"deployment": "cloud"}), "deployment"),
        (serde_json::json!({"deployment": "bc_online", "nav": {"company": "C", "client_id": "app"}}), "nav.tenant"),
        (serde_json::json!({"deployment": "nav_onprem", "nav": {"base_url": "nav:7048", "user": "u", "access_key": "k", "company": "C"}}), "nav.base_url"),
        (serde_json::json!({"orders": {"guests": {"mode": "fixed"}}}), "orders.guests.customer_number"),
        (serde_json::json!({"orders": {"sku_match": ["ean"]}}), "orders.sku_match"),
        (serde_json::json!({"orders": {"rules": [{"name": "x", "then": {"price_group": "MUCH-TOO-LONG"}}]}}), "orders.rules[0]"),
        (serde_json::json!({"schedules": {"inventory": "every 5"}}), "schedules.inventory"),
        (serde_json::json!({"schema": 7}), "schema"),
    ];
    for (document, expected) in cases {
        let error = load(&document, None, None).unwrap_err().to_string();
        assert!(error.contains(expected), "{document}: {error}");
    }
}

#[test]
fn toml_file_reads_into_the_same_shape() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("agent.toml");
    std::fs::write(
        &path,
        r#"
deployment = "nav_onprem"
[agent]
state_dir = "/tmp/mlc"
[nav]
base_url = "http://127.0.0.1:7048/BC"
user = "WEBSHOP"
access_key = "clear-for-tests"
company = "CRONUS International Ltd."
[orders.guests]
mode = "fixed"
customer_number = "webguest"
[[orders.rules]]
name = "Web"
when = { created_via = ["checkout"] }
then = { dimensions = { CHANNEL = "WEB" }, price_group = "RETAIL" }
"#,
    )
    .unwrap();
    let file = read_file(Some(&path)).unwrap();
    let settings = load(&file, None, None).unwrap();
    assert_eq!(settings.orders.guests, GuestPolicy::Fixed { customer_number: "WEBGUEST".into() });
    assert_eq!(settings.orders.rules[0].then.dimensions["CHANNEL"], "WEB");
    assert_eq!(settings.agent.spool_path, std::path::PathBuf::from("/tmp/mlc/spool/spool.db"));
    assert!(matches!(settings.nav.unwrap().deployment, Deployment::NavOnPrem { .. }));
}

#[test]
fn pinned_paths_are_the_business_leaves_the_file_sets() {
    let file: serde_json::Value = serde_json::to_value(
        toml::from_str::<toml::Value>(
            "deployment = \"bc_online\"\n[agent]\nconcurrency = 2\n[metrics]\nlisten = \"127.0.0.1:9464\"\n\
             [schedules]\ninventory = \"every 5m\"\n[orders]\nstatuses = [\"processing\"]\n[nav.pages]\nitem = \"ItemCard\"\n",
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(super::pinned_paths(&file), vec!["deployment", "nav.pages.item", "orders.statuses", "schedules.inventory"]);
}

#[test]
fn the_plugins_customer_section_and_ship_to_page_are_read() {
    // What the settings page publishes (wp-plugin SettingsTest: customer settings).
    let ring = keyring();
    let site = serde_json::json!({
        "schema": 1, "deployment": "bc_online",
        "nav": {"tenant": "t", "company": "CRONUS", "client_id": "app",
                "client_secret": ring.encrypt("nav.client_secret", b"s3cr3t"), "pages": {"ship_to": "WebShipTo"}},
        "customers": {"enabled": true, "ship_to_code": "WEB", "payment_terms": {"bacs": "30 DAYS", "*": "14 DAYS"},
                      "owners": {"address": "nav", "ship_to": "woo"}},
    });
    let settings = load(&serde_json::json!({}), Some(&site.to_string()), Some(&ring)).unwrap();
    assert_eq!(settings.nav.unwrap().page_ship_to, "WebShipTo");
    let customers = settings.customers;
    assert!(customers.enabled);
    assert_eq!(customers.ship_to_code.as_deref(), Some("WEB"));
    assert_eq!(customers.owner(CustomerField::Address), Side::Nav);
    assert_eq!(customers.owner(CustomerField::ShipTo), Side::Woo);
    assert_eq!(customers.payment_terms_for("paypal"), Some("14 DAYS"));
}
