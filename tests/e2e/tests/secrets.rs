//! Secrets never appear in clear: not in the state store, the spool, the agent's log, the audit
//! trail, the configuration file or the CLI's output — also when authentication fails.

use std::time::Duration;

use ml_connector_e2e::{Stack, StackOptions};
use serde_json::json;

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[tokio::test(flavor = "multi_thread")]
async fn no_secret_in_clear_anywhere_the_agent_writes() {
    let mut stack = Stack::start(StackOptions::default()).await.unwrap();
    let info = stack.bc.info().clone();
    let secrets = [info.client_secret.clone(), info.basic_key.clone(), stack.woo.consumer_secret.clone()];
    stack.place_order(json!({"checkout": "classic", "customer_id": 2, "items": [{"sku": "1900-S", "quantity": 1}], "payment_method": "card"})).await.unwrap();
    stack.wait_idle(Duration::from_secs(60)).await.unwrap();
    // Failures too: a revoked token, and a broken NAV that answers 500s.
    stack.bc.control().revoke_tokens();
    stack.set_bc_faults(bc_sim::FaultSettings { fail_next: 3, ..Default::default() });
    stack.place_order(json!({"checkout": "classic", "customer_id": 2, "items": [{"sku": "1896-S", "quantity": 1}], "payment_method": "card"})).await.unwrap();
    stack.wait_idle(Duration::from_secs(60)).await.unwrap();
    let outputs: Vec<Vec<u8>> = [
        vec!["status"], vec!["status", "--json"], vec!["audit", "list", "--json"], vec!["config"], vec!["check"],
    ]
    .iter()
    .map(|args| {
        let out = stack.cli(args);
        [out.stdout, out.stderr].concat()
    })
    .collect();
    // Every audit entry's decrypted detail is for the operator's eyes, but the token and secrets
    // sent in headers are never recorded there either.
    let entries: Vec<serde_json::Value> = serde_json::from_slice(&stack.cli(&["audit", "list", "--limit", "500", "--json"]).stdout).unwrap();
    let mut shown = Vec::new();
    for entry in &entries {
        shown.extend(stack.cli(&["audit", "show", &entry["id"].to_string(), "--json"]).stdout);
    }
    stack.stop_agent();
    let mut files = Vec::new();
    for entry in walk(stack.dir.path()) {
        if entry.ends_with("vault.key") {
            continue;
        }
        files.push((entry.clone(), std::fs::read(&entry).unwrap_or_default()));
    }
    assert!(files.iter().any(|(p, _)| p.ends_with("state.db")), "the state store was scanned");
    for secret in &secrets {
        for (path, bytes) in &files {
            assert!(!contains(bytes, secret), "a secret in clear in {}", path.display());
        }
        for output in outputs.iter().chain(std::iter::once(&shown)) {
            assert!(!contains(output, secret), "a secret in clear in CLI output");
        }
    }
    assert!(!contains(&shown, "Bearer "), "no token in the audit trail");
    stack.shutdown().await;
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(walk(&path));
        } else if path.is_file() {
            found.push(path);
        }
    }
    found
}
