//! The Prometheus endpoint of the real agent against both simulators: orders synced, one parked,
//! a 429 from NAV, an inventory run — then one scrape that must parse as text format 0.0.4 and
//! count exactly what happened.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use bc_sim::FaultSettings;
use ml_connector_e2e::{free_port, Stack, StackOptions};
use serde_json::json;

const IDLE: Duration = Duration::from_secs(90);

/// One sample line: `name{labels} value`.
#[derive(Debug)]
struct Sample {
    name: String,
    labels: BTreeMap<String, String>,
    value: f64,
}

/// A strict reader of the text format: every line is a comment or a sample, every sample's family
/// has a `# TYPE`, names and label names are valid, label values are quoted with the three escapes,
/// values are floats.
fn parse(text: &str) -> Result<Vec<Sample>, String> {
    let valid_name = |n: &str| !n.is_empty() && n.chars().enumerate().all(|(i, c)| c.is_ascii_alphabetic() || c == '_' || c == ':' || (i > 0 && c.is_ascii_digit()));
    let mut types: HashMap<String, String> = HashMap::new();
    let mut samples = Vec::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').ok_or(format!("bad TYPE line {line:?}"))?;
            if !["counter", "gauge", "histogram", "summary", "untyped"].contains(&kind) || types.insert(name.into(), kind.into()).is_some() {
                return Err(format!("bad or repeated TYPE {line:?}"));
            }
            continue;
        }
        if line.starts_with("# HELP ") || line.is_empty() {
            continue;
        }
        let (head, value) = line.rsplit_once(' ').ok_or(format!("no value in {line:?}"))?;
        let value: f64 = match value {
            "+Inf" => f64::INFINITY,
            "-Inf" => f64::NEG_INFINITY,
            v => v.parse().map_err(|_| format!("bad value in {line:?}"))?,
        };
        let (name, labels) = match head.split_once('{') {
            None => (head.to_string(), BTreeMap::new()),
            Some((name, rest)) => (name.to_string(), parse_labels(rest.strip_suffix('}').ok_or(format!("unclosed labels {line:?}"))?)?),
        };
        if !valid_name(&name) || !labels.keys().all(|l| valid_name(l)) {
            return Err(format!("bad name in {line:?}"));
        }
        let family = ["_bucket", "_sum", "_count"].iter().find_map(|s| name.strip_suffix(s).filter(|f| types.get(*f).is_some_and(|t| t == "histogram")));
        if !types.contains_key(family.unwrap_or(&name)) {
            return Err(format!("sample before its TYPE: {line:?}"));
        }
        samples.push(Sample { name, labels, value });
    }
    Ok(samples)
}

fn parse_labels(text: &str) -> Result<BTreeMap<String, String>, String> {
    let mut labels = BTreeMap::new();
    let mut chars = text.chars().peekable();
    while chars.peek().is_some() {
        let name: String = chars.by_ref().take_while(|c| *c != '=').collect();
        if chars.next() != Some('"') {
            return Err(format!("unquoted label value in {text:?}"));
        }
        let mut value = String::new();
        loop {
            match chars.next().ok_or(format!("unterminated value in {text:?}"))? {
                '"' => break,
                '\\' => match chars.next() {
                    Some('n') => value.push('\n'),
                    Some(c @ ('\\' | '"')) => value.push(c),
                    other => return Err(format!("bad escape {other:?} in {text:?}")),
                },
                c => value.push(c),
            }
        }
        labels.insert(name, value);
        match chars.next() {
            Some(',') | None => {}
            Some(c) => return Err(format!("unexpected {c:?} in {text:?}")),
        }
    }
    Ok(labels)
}

/// The value of the sample with this name and these labels (others may exist), or 0.
fn value(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> f64 {
    samples
        .iter()
        .find(|s| s.name == name && labels.iter().all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v)))
        .map(|s| s.value)
        .unwrap_or(0.0)
}

async fn scrape(port: u16) -> (String, String) {
    let response = reqwest::get(format!("http://127.0.0.1:{port}/metrics")).await.expect("the metrics endpoint answers");
    assert_eq!(response.status(), 200);
    let content_type = response.headers()["content-type"].to_str().unwrap().to_string();
    (content_type, response.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread")]
async fn metrics_count_synced_parked_and_throttled_orders_and_parse_as_prometheus_text() {
    let port = free_port();
    let stack = Stack::start(StackOptions { extra_toml: format!("[metrics]\nlisten = \"127.0.0.1:{port}\"\n"), ..Default::default() }).await.unwrap();
    // The first create of a sales order is answered 429, as BC does under load.
    stack.set_bc_faults(FaultSettings { fail_next: 1, error_status: 429, only_uri_containing: Some("/salesOrders".into()), ..Default::default() });
    for sku in ["1900-S", "1896-S"] {
        stack.place_order(json!({"checkout": "classic", "customer_id": 2, "items": [{"sku": sku, "quantity": 1}], "payment_method": "card"})).await.unwrap();
    }
    stack.place_order(json!({"checkout": "classic", "customer_id": 2, "items": [{"sku": "GIFT-WRAP", "quantity": 1}], "payment_method": "card"})).await.unwrap();
    stack.wait_idle(IDLE).await.unwrap();
    let inventory = stack.cli(&["sync", "inventory", "--json"]);
    assert!(inventory.status.success(), "{}", String::from_utf8_lossy(&inventory.stderr));

    let (content_type, text) = scrape(port).await;
    assert_eq!(content_type, "text/plain; version=0.0.4; charset=utf-8");
    let samples = parse(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let v = |name: &str, labels: &[(&str, &str)]| value(&samples, name, labels);

    assert!(v("ml_connector_events_received_total", &[("kind", "order.created"), ("source", "spool")]) >= 3.0, "{text}");
    assert_eq!(v("ml_connector_jobs_total", &[("flow", "order"), ("outcome", "parked")]), 1.0, "{text}");
    assert!(v("ml_connector_jobs_total", &[("flow", "order"), ("outcome", "synced")]) >= 2.0, "{text}");
    assert_eq!(v("ml_connector_jobs_total", &[("flow", "order"), ("outcome", "throttled")]), 1.0, "the 429 waits without using an attempt\n{text}");
    assert_eq!(v("ml_connector_http_error_responses_total", &[("system", "nav"), ("status", "429")]), 1.0, "{text}");
    assert_eq!(v("ml_connector_jobs", &[("state", "parked")]), 1.0, "{text}");
    assert_eq!(v("ml_connector_jobs", &[("state", "due")]), 0.0, "{text}");
    assert!(v("ml_connector_nav_token_expires_in_seconds", &[]) > 60.0, "a fresh OAuth token\n{text}");
    assert_eq!(v("ml_connector_agent_info", &[("version", env!("CARGO_PKG_VERSION"))]), 1.0);
    assert!(v("ml_connector_agent_start_time_seconds", &[]) > 1.7e9);
    // The first run of a fresh agent is a full one.
    assert_eq!(v("ml_connector_inventory_last_run_success", &[("kind", "full")]), 1.0, "{text}");
    assert!(v("ml_connector_inventory_last_run_timestamp_seconds", &[("kind", "full")]) > 1.7e9);

    // Histograms: cumulative buckets ending in +Inf = count; every synced order observed once.
    for (family, label) in [("ml_connector_request_duration_seconds", ("system", "nav")), ("ml_connector_event_to_done_seconds", ("flow", "order"))] {
        let buckets: Vec<&Sample> = samples.iter().filter(|s| s.name == format!("{family}_bucket") && s.labels.get(label.0).map(String::as_str) == Some(label.1)).collect();
        assert!(buckets.windows(2).all(|w| w[0].value <= w[1].value), "{family} buckets are cumulative");
        let last = buckets.last().unwrap_or_else(|| panic!("{family} has buckets\n{text}"));
        assert_eq!(last.labels["le"], "+Inf");
        assert_eq!(last.value, v(&format!("{family}_count"), &[label]));
    }
    assert_eq!(v("ml_connector_event_to_done_seconds_count", &[("flow", "order")]), v("ml_connector_jobs_total", &[("flow", "order"), ("outcome", "synced")]));
    // The 429 was a NAV answer like any other: counted in the request histogram too.
    assert!(v("ml_connector_request_duration_seconds_count", &[("system", "nav")]) >= 3.0);
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_metrics_listener_on_a_public_address_is_refused_at_start() {
    let stack = Stack::start(StackOptions { extra_toml: "[metrics]\nlisten = \"0.0.0.0:9464\"\n".into(), start_agent: false, ..Default::default() }).await.unwrap();
    let output = stack.cli(&["run"]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("metrics.listen") && stderr.contains("allow_remote"), "{stderr}");
    stack.shutdown().await;
}
