//! `status` and `check`.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use ml_connector_formats::Spool;

use crate::runtime::Runtime;
use crate::store::Store;

pub fn open_store(agent: &crate::config::AgentSettings) -> anyhow::Result<Store> {
    let path = agent.state_dir.join("state.db");
    if !path.exists() {
        anyhow::bail!("no agent state at {} — has the agent run yet (ml-connector-agent run)?", path.display());
    }
    Ok(Store::open(&path)?)
}

pub fn status(config: Option<&Path>, json: bool) -> anyhow::Result<ExitCode> {
    let settings = super::file_settings(config)?;
    let store = open_store(&settings.agent)?;
    let spool = Spool::open(&settings.agent.spool_path).ok();
    let snapshot = spool
        .as_ref()
        .and_then(|s| s.status("snapshot").ok().flatten())
        .and_then(|(value, _)| serde_json::from_str::<serde_json::Value>(&value).ok());
    let heartbeat = spool.as_ref().and_then(|s| s.status("heartbeat").ok().flatten());
    let board = crate::status::StatusBoard::new();
    let depth = spool.as_ref().and_then(|s| s.depth().ok()).unwrap_or(0);
    let mut document = board.snapshot(&store, depth);
    // Reachability and recent syncs are what the running agent saw.
    if let Some(snapshot) = &snapshot {
        for key in ["reachability", "last_success_at", "recent", "started_at", "settings_problem", "webhooks"] {
            if let Some(value) = snapshot.get(key) {
                document[key] = value.clone();
            }
        }
    }
    let alive = heartbeat.as_ref().map(|(_, at)| heartbeat_age(at) < 30).unwrap_or(false);
    document["agent_running"] = serde_json::json!(alive);
    document["heartbeat_at"] = serde_json::json!(heartbeat.map(|(_, at)| at));
    // What the subscription keeper published (flows/inventory/subscriptions.rs), fingerprint aside.
    let notifications = spool.as_ref().and_then(|s| s.status(crate::flows::inventory::notifications::STATUS_DOCUMENT).ok().flatten());
    if let Some(mut notifications) = notifications.and_then(|(value, _)| serde_json::from_str::<serde_json::Value>(&value).ok()) {
        if let Some(fields) = notifications.as_object_mut() {
            fields.remove("client_state_sha256");
        }
        document["bc_notifications"] = notifications;
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&document)?);
        return Ok(ExitCode::SUCCESS);
    }
    let q = &document["queue"];
    println!("agent:        {}", if alive { "running" } else { "NOT running (no heartbeat in the last 30 s)" });
    println!("queue:        {} in spool, {} pending, {} running, {} parked, {} held", q["spool"], q["pending"], q["running"], q["parked"], q["held"]);
    println!("last success: {}", document["last_success_at"].as_str().unwrap_or("never"));
    for system in ["nav", "woo"] {
        let r = &document["reachability"][system];
        let detail = r["detail"].as_str().unwrap_or("");
        let state = match r["ok"].as_bool() {
            Some(true) => "ok".to_string(),
            Some(false) if !detail.is_empty() => format!("FAILING: {detail}"),
            _ => "not contacted yet".to_string(),
        };
        println!("{:<13} {state}", format!("{}:", if system == "nav" { "NAV" } else { "WooCommerce" }));
    }
    if let Some(problem) = document["settings_problem"].as_str() {
        println!("settings:     {problem}");
    }
    if let Some(line) = webhooks_line(&document["webhooks"]) {
        println!("webhooks:     {line}");
    }
    if let Some(line) = notifications_line(&document["bc_notifications"]) {
        println!("BC notify:    {line}");
    }
    let parked = document["parked"].as_array().cloned().unwrap_or_default();
    if !parked.is_empty() {
        println!("\nparked / held (replay with `ml-connector-agent replay <job>` or `--parked`):");
        for item in parked {
            let order = item["order_id"].as_i64().map(|o| format!("order {o}")).unwrap_or_else(|| "-".into());
            println!("  job {:<6} {:<12} {:<16} {}", item["job_id"], order, item["kind"].as_str().unwrap_or(""), item["reason"].as_str().unwrap_or(""));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Webhook mode in one line (absent in the default hand-off mode).
fn webhooks_line(health: &serde_json::Value) -> Option<String> {
    let url = health["public_url"].as_str()?;
    let detail = health["detail"].as_str().unwrap_or("");
    let checked = health["checked_at"].as_str().unwrap_or("-");
    Some(match health["endpoint_ok"].as_bool() {
        Some(true) => format!("ok via {url}: {detail} (checked {checked})"),
        _ => format!("FAILING: {url}: {detail} (checked {checked})"),
    })
}

/// The subscriptions in one line: off, a problem, or how many and when the next renewal is due.
fn notifications_line(document: &serde_json::Value) -> Option<String> {
    if document.is_null() {
        return None;
    }
    if let Some(problem) = document["problem"].as_str() {
        return Some(format!("FAILING: {problem}"));
    }
    if document["enabled"] != true {
        return Some("off (stock follows schedules.inventory)".into());
    }
    let subscriptions = document["subscriptions"].as_array().cloned().unwrap_or_default();
    let renewal = subscriptions.iter().filter_map(|s| s["renew_at"].as_str()).min().unwrap_or("-").to_string();
    Some(format!("{} Business Central subscription(s), next renewal {renewal}", subscriptions.len()))
}

fn heartbeat_age(at: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(at).map(|t| (chrono::Utc::now() - t.with_timezone(&chrono::Utc)).num_seconds()).unwrap_or(i64::MAX)
}

pub async fn check(config: Option<&Path>, json: bool) -> anyhow::Result<ExitCode> {
    let file_only = super::file_settings(config)?;
    let spool = Spool::open(&file_only.agent.spool_path).ok();
    let (settings, keyring, problem) = crate::daemon::load_settings(config, spool.as_ref())?;
    let store = Arc::new(match open_store(&settings.agent) {
        Ok(store) => store,
        Err(_) => Store::in_memory()?,
    });
    let rt = Runtime::build(Arc::new(settings), store, keyring, chrono::Utc::now().timestamp_millis());
    let report = crate::check::live_check(&rt, "cli").await;
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        if let Some(problem) = problem {
            println!("settings  FAIL  {problem}");
        }
        for item in &report.checks {
            println!("{:<15} {:<4} {:>6} ms  {}", item.name, if item.ok { "ok" } else { "FAIL" }, item.millis, item.detail);
        }
    }
    Ok(if report.ok { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
