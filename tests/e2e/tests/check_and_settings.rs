//! `check` explains failures in plain words, and the settings saved in WP admin (the site document
//! in the spool) reach a running agent without a restart.

use std::time::Duration;

use ml_connector_e2e::{eventually, Stack, StackOptions};
use ml_connector_formats::{Event, EventKind, Spool};
use serde_json::json;

fn check_output(stack: &Stack) -> (bool, String) {
    let output = stack.cli(&["check"]);
    (output.status.success(), format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr)))
}

#[tokio::test(flavor = "multi_thread")]
async fn check_passes_against_the_simulators_and_names_each_failure() {
    let stack = Stack::start(StackOptions { start_agent: false, ..Default::default() }).await.unwrap();
    let (ok, text) = check_output(&stack);
    assert!(ok, "{text}");
    for expected in ["nav.auth", "nav.company", "15 items", "woo.auth", "round trip"] {
        assert!(text.contains(expected), "{expected} missing in:\n{text}");
    }
    // A wrong client secret: Entra's AADSTS7000215, explained.
    let wrong = stack.keyring.encrypt("nav.client_secret", b"not-the-secret");
    let config = std::fs::read_to_string(&stack.config_path).unwrap();
    let start = config.find("client_secret = \"").unwrap() + "client_secret = \"".len();
    let end = start + config[start..].find('"').unwrap();
    std::fs::write(&stack.config_path, format!("{}{}{}", &config[..start], wrong, &config[end..])).unwrap();
    let (ok, text) = check_output(&stack);
    assert!(!ok);
    assert!(text.contains("client secret is wrong or expired") && text.contains("AADSTS7000215"), "{text}");
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn check_explains_a_refused_on_premises_port() {
    let stack = Stack::start(StackOptions {
        start_agent: false,
        deployment: ml_connector_e2e::Deployment::BcOnPrem,
        extra_toml: "[nav]\nbase_url = \"http://127.0.0.1:1/BC\"\n".into(),
        ..Default::default()
    })
    .await
    .unwrap();
    let (ok, text) = check_output(&stack);
    assert!(!ok);
    assert!(text.contains("enable OData and API services") && text.contains("7048"), "{text}");
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn check_reads_the_ship_to_page_when_ship_to_records_are_synced() {
    let published = Stack::start(StackOptions { start_agent: false, extra_toml: "[customers]\nship_to_code = \"WEB\"\n".into(), ..Default::default() }).await.unwrap();
    let (ok, text) = check_output(&published);
    assert!(ok && text.contains("Ship-to Address page readable"), "{text}");
    published.shutdown().await;
    let unpublished = Stack::start(StackOptions {
        start_agent: false,
        extra_toml: "[customers]\nship_to_code = \"WEB\"\n\n[nav.pages]\nship_to = \"ShipTo\"\n".into(),
        ..Default::default()
    })
    .await
    .unwrap();
    let (ok, text) = check_output(&unpublished);
    assert!(!ok);
    assert!(text.contains("nav.ship_to_page") && text.contains("publish page 300") && text.contains("\"ShipTo\""), "{text}");
    unpublished.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn settings_saved_in_wp_admin_reach_the_running_agent() {
    // The file names only the agent's paths and WooCommerce; NAV comes from WP admin.
    let stack = Stack::start(StackOptions { extra_toml: String::new(), ..Default::default() }).await.unwrap();
    let config = std::fs::read_to_string(&stack.config_path).unwrap();
    let without_nav: String = {
        let mut table: toml::Table = config.parse().unwrap();
        table.remove("nav");
        table.remove("deployment");
        toml::to_string(&table).unwrap()
    };
    std::fs::write(&stack.config_path, without_nav).unwrap();
    let mut stack = stack;
    stack.stop_agent();
    stack.start_agent().unwrap();
    let order = stack.place_order(json!({"checkout": "classic", "customer_id": 2, "items": [{"sku": "1900-S", "quantity": 1}], "payment_method": "card"})).await.unwrap();
    eventually(Duration::from_secs(20), "status saying NAV is not configured", || {
        let text = String::from_utf8_lossy(&stack.cli(&["status", "--json"]).stdout).to_string();
        text.contains("not configured").then_some(())
    })
    .await
    .unwrap();
    assert!(stack.sales_orders_for(&format!("WC-{}", order["number"].as_str().unwrap())).is_empty(), "nothing is sent unconfigured");
    // WP admin saves the NAV settings (secret encrypted for its purpose) and says so.
    let info = stack.bc.info().clone();
    let site = json!({
        "schema": 1, "deployment": "bc_online",
        "nav": {"tenant": info.tenant, "environment": info.environment, "company": info.company_name, "client_id": info.client_id,
                "client_secret": stack.keyring.encrypt("nav.client_secret", info.client_secret.as_bytes()),
                "login_url": info.base_url, "api_url": info.base_url}
    });
    let spool = Spool::open(&stack.spool_path()).unwrap();
    spool.put_setting("site", &site.to_string()).unwrap();
    spool.enqueue(&Event::new(EventKind::SettingsUpdated, 0, "admin", json!({})), "extension").unwrap();
    let status = stack.wait_idle(Duration::from_secs(90)).await.unwrap();
    eventually(Duration::from_secs(60), "the waiting order sent after the reload", || {
        (stack.sales_orders_for(&format!("WC-{}", order["number"].as_str().unwrap())).len() == 1).then_some(())
    })
    .await
    .unwrap();
    assert_eq!(status["queue"]["parked"], 0);
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_agent_tells_wp_admin_which_settings_its_file_pins() {
    let stack = Stack::start(StackOptions { extra_toml: "[schedules]\ninventory = \"every 5m\"\n".into(), ..Default::default() }).await.unwrap();
    let pinned = eventually(Duration::from_secs(30), "the settings_pinned document", || {
        let spool = Spool::open(&stack.spool_path()).ok()?;
        let (value, _) = spool.status("settings_pinned").ok()??;
        serde_json::from_str::<serde_json::Value>(&value).ok()
    })
    .await
    .unwrap();
    assert_eq!(pinned["file"], stack.config_path.display().to_string());
    let paths: Vec<&str> = pinned["paths"].as_array().unwrap().iter().filter_map(|p| p.as_str()).collect();
    for expected in ["schedules.inventory", "nav.company", "orders.rules", "woo.consumer_secret"] {
        assert!(paths.contains(&expected), "{expected} missing in {paths:?}");
    }
    assert!(!paths.iter().any(|p| p.starts_with("agent")), "the host's own section is not on the admin page: {paths:?}");
    let spool = Spool::open(&stack.spool_path()).unwrap();
    let (document, _) = spool.status("settings_pinned").unwrap().unwrap();
    assert!(!document.contains("mlc1:"), "paths only, never values: {document}");
    stack.shutdown().await;
}
