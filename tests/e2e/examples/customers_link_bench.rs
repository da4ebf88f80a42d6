//! Customer linking benchmark (issue 6): `link customers` of the release agent with N customers
//! on both sides (default 10,000; every WooCommerce customer has a NAV customer with its e-mail,
//! seeded through the simulators' control APIs). Runs a dry run, the real run (writes N links)
//! and a dry run again (everything already linked). Prints wall time and the requests each system
//! received (from the simulators' journals). Asserts nothing.
//!
//!   cargo run --release -p ml-connector-e2e --example customers_link_bench [N]

use std::time::{Duration, Instant};

use ml_connector_e2e::bench_results::record;
use ml_connector_e2e::{agent_binary, Stack, StackOptions};
use serde_json::{json, Value};

async fn woo_since(stack: &Stack, since: u64) -> usize {
    let journal: Value = reqwest::get(format!("{}/_sim/requests?since={since}", stack.woo.http_url)).await.unwrap().json().await.unwrap();
    journal["requests"].as_array().map(Vec::len).unwrap_or(0)
}

async fn woo_total(stack: &Stack) -> u64 {
    let journal: Value = reqwest::get(format!("{}/_sim/requests?since={}", stack.woo.http_url, u64::MAX)).await.unwrap().json().await.unwrap();
    journal["total"].as_u64().unwrap_or(0)
}

struct Run {
    wall: Duration,
    nav: usize,
    woo: usize,
    report: Value,
}

async fn measure(stack: &Stack, args: &[&str]) -> Run {
    let nav_before = stack.bc.control().journal().total();
    let woo_before = woo_total(stack).await;
    let started = Instant::now();
    // The simulators keep serving on the other worker threads while this one waits.
    let output = tokio::task::block_in_place(|| stack.cli(args));
    let wall = started.elapsed();
    if !output.status.success() {
        eprintln!("{}", String::from_utf8_lossy(&output.stderr));
    }
    let nav = stack.bc.control().journal().since(nav_before).iter().filter(|r| !r.uri.contains("/oauth2/")).count();
    let woo = woo_since(stack, woo_before).await;
    Run { wall, nav, woo, report: serde_json::from_slice(&output.stdout).unwrap_or(Value::Null) }
}

fn row(size: usize, label: &str, run: &Run) {
    let count = |key: &str| run.report[key].as_array().map(Vec::len).unwrap_or(0);
    record("customers_link", "run", json!({"customers": size, "run": label, "wall_s": run.wall.as_secs_f64(), "nav_requests": run.nav, "woo_requests": run.woo,
        "matches": count("matches"), "already_linked": run.report["already_linked"].clone(), "written": run.report["written"].clone()}));
    println!(
        "  {label:<26} {:>8.2} s {:>6} {:>6} {:>8} {:>8} {:>8}",
        run.wall.as_secs_f64(),
        run.nav,
        run.woo,
        count("matches"),
        run.report["already_linked"].as_u64().unwrap_or(0),
        count("unmatched"),
    );
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let size: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let _ = agent_binary();
    let mut woo = woo_sim::Config::demo();
    woo.listen_tls = None;
    woo.journal_bodies = false;
    let options = StackOptions { woo, start_agent: false, plugin_events: false, extra_toml: "[agent]\nlog_format = \"journald\"\n".into(), ..Default::default() };
    let stack = Stack::start(options).await?;
    stack.bc.control().journal().keep_bodies(false);

    let seeding = Instant::now();
    let demo: Value = serde_json::from_str(include_str!("../../seed/demo-shop.json"))?;
    let customers: Vec<Value> = (1..=size)
        .map(|n| json!({"number": format!("B{n:06}"), "name": format!("Bench Customer {n}"), "email": format!("customer{n}@bench.example"), "city": "Leeds", "address": format!("{n} Bench Street")}))
        .collect();
    stack.bc.control().add_seed(json!({"company": demo["company"], "customers": customers})).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    for n in 1..=size {
        let request: woo_sim::CustomerRequest = serde_json::from_value(json!({"email": format!("customer{n}@bench.example"), "first_name": "Bench", "last_name": format!("Customer {n}"),
            "billing": {"first_name": "Bench", "last_name": format!("Customer {n}"), "address_1": format!("{n} Bench Street"), "city": "Leeds", "country": "GB"}}))?;
        stack.woo.control().save_customer(None, request).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    println!(
        "machine: {} cores; {size} customers seeded on both sides in {:.1} s",
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
        seeding.elapsed().as_secs_f64()
    );
    println!("  {:<26} {:>10} {:>6} {:>6} {:>8} {:>8} {:>8}", "run", "wall", "NAV", "Woo", "matched", "linked", "unmatched");
    row(size, "dry run", &measure(&stack, &["link", "customers", "--dry-run", "--json"]).await);
    row(size, "link (writes the links)", &measure(&stack, &["link", "customers", "--json"]).await);
    row(size, "dry run, all linked", &measure(&stack, &["link", "customers", "--dry-run", "--json"]).await);
    stack.shutdown().await;
    Ok(())
}
