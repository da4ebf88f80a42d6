//! Inventory benchmark (issue 5): `sync inventory` of the release agent against catalogs of 1,000,
//! 10,000 and 100,000 SKUs (`bc-sim` synthetic items, `woo-sim` synthetic products, every one
//! with a different stock, so the first full run changes them all). Per catalog size: a full
//! reconcile that changes every SKU, one that changes none, an incremental run with 1 % of the
//! items moved in NAV, and one with nothing moved. Prints wall time, the agent's own CPU time
//! (its share: the simulators run in this process on the same cores), peak RSS of the agent
//! process, and the requests each system received (from the simulators' journals). Asserts
//! nothing.
//!
//!   cargo run --release -p ml-connector-e2e --example inventory_bench [sizes, default 1000,10000,100000]

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use bc_sim::{EntryKind, ItemEntry};
use ml_connector_e2e::bench_results::record;
use ml_connector_e2e::{agent_binary, Stack, StackOptions};
use serde_json::{json, Value};

struct Measured {
    wall: Duration,
    cpu: Duration,
    max_rss_kib: i64,
    nav: usize,
    woo_reads: usize,
    woo_writes: usize,
    report: Value,
}

/// Runs the agent CLI and waits for it with `wait4`, which gives that one child's CPU time. Its
/// peak resident set size is read from `/proc/<pid>/status` (VmHWM) while it runs: `ru_maxrss`
/// would include this process's memory, which Linux carries over fork and exec.
// The child is reaped by `wait4` below, not by `Child::wait` (which gives no rusage).
#[allow(clippy::zombie_processes)]
fn run_agent(stack: &Stack, args: &[&str]) -> (Duration, Duration, i64, Value) {
    let mut child = Command::new(agent_binary())
        .arg("--config")
        .arg(&stack.config_path)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("agent started");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut stderr = child.stderr.take().expect("stderr");
    let out = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout.read_to_string(&mut text);
        text
    });
    let err = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let pid = child.id();
    let peak = std::thread::spawn(move || {
        let mut peak = 0;
        while let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) {
            let Some(hwm) = status.lines().find(|l| l.starts_with("VmHWM")).and_then(|l| l.split_whitespace().nth(1)).and_then(|v| v.parse().ok()) else { break };
            peak = hwm;
            std::thread::sleep(Duration::from_millis(2));
        }
        peak
    });
    let started = Instant::now();
    let mut status = 0;
    // SAFETY: `rusage` is plain data wait4 fills in; the pid is our own child, reaped here once.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::wait4(child.id() as i32, &mut status, 0, &mut usage);
        usage
    };
    let wall = started.elapsed();
    let text = out.join().unwrap_or_default();
    let report = serde_json::from_str(&text).unwrap_or_else(|_| panic!("no report (status {status}): {}", err.join().unwrap_or_default()));
    let cpu = |t: libc::timeval| Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64);
    (wall, cpu(usage.ru_utime) + cpu(usage.ru_stime), peak.join().unwrap_or(0), report)
}

async fn measure(stack: &Stack, args: &[&str]) -> Measured {
    let nav_before = stack.bc.control().journal().total();
    let woo_before = woo_total(stack).await;
    // The simulators keep serving on the other worker threads while this one waits.
    let (wall, cpu, max_rss_kib, report) = tokio::task::block_in_place(|| run_agent(stack, args));
    let nav = stack.bc.control().journal().since(nav_before).iter().filter(|r| !r.uri.contains("/oauth2/")).count();
    let woo: Vec<(String, String)> = woo_since(stack, woo_before).await;
    let woo_writes = woo.iter().filter(|(m, _)| m != "GET").count();
    Measured { wall, cpu, max_rss_kib, nav, woo_reads: woo.len() - woo_writes, woo_writes, report }
}

async fn woo_total(stack: &Stack) -> u64 {
    let journal: Value = reqwest::get(format!("{}/_sim/requests?since={}", stack.woo.http_url, u64::MAX)).await.unwrap().json().await.unwrap();
    journal["total"].as_u64().unwrap_or(0)
}

async fn woo_since(stack: &Stack, since: u64) -> Vec<(String, String)> {
    let journal: Value = reqwest::get(format!("{}/_sim/requests?since={since}", stack.woo.http_url)).await.unwrap().json().await.unwrap();
    journal["requests"].as_array().unwrap().iter().map(|r| (r["method"].as_str().unwrap_or("").to_string(), r["uri"].as_str().unwrap_or("").to_string())).collect()
}

fn row(size: usize, label: &str, m: &Measured) {
    record("inventory", "run", json!({"skus": size, "run": label, "wall_s": m.wall.as_secs_f64(), "cpu_s": m.cpu.as_secs_f64(),
        "peak_rss_kib": m.max_rss_kib, "nav_requests": m.nav, "woo_reads": m.woo_reads, "woo_writes": m.woo_writes,
        "changed": m.report["changes"].as_array().map(Vec::len).unwrap_or(0), "state": m.report["state"].clone()}));
    println!(
        "  {label:<28} {:>8.2} s {:>8.2} s {:>9} KiB {:>6} {:>8} {:>8} {:>8} {:>10}",
        m.wall.as_secs_f64(),
        m.cpu.as_secs_f64(),
        m.max_rss_kib,
        m.nav,
        m.woo_reads,
        m.woo_writes,
        m.report["changes"].as_array().map(Vec::len).unwrap_or(0),
        m.report["state"].as_str().unwrap_or("?"),
    );
}

async fn bench(size: usize) -> anyhow::Result<()> {
    let mut bc = bc_sim::Config::demo();
    bc.synthetic_items = size;
    let mut woo = woo_sim::Config::demo();
    woo.listen_tls = None;
    woo.products = size;
    woo.journal_bodies = false;
    let options = StackOptions {
        bc,
        woo,
        start_agent: false,
        plugin_events: false,
        extra_toml: "[schedules]\ninventory = \"off\"\ninventory_full = \"off\"\n[agent]\nlog_format = \"journald\"\n".into(),
        ..Default::default()
    };
    let stack = Stack::start(options).await?;
    stack.bc.control().journal().keep_bodies(false);
    println!("\n{size} synthetic SKUs (+ the demo catalog):");
    println!("  {:<28} {:>10} {:>10} {:>13} {:>6} {:>8} {:>8} {:>8} {:>10}", "run", "wall", "agent CPU", "peak RSS", "NAV", "Woo GET", "Woo POST", "changed", "state");
    let all = measure(&stack, &["sync", "inventory", "--json", "--full"]).await;
    row(size, "full, every SKU changed", &all);
    let none = measure(&stack, &["sync", "inventory", "--json", "--full"]).await;
    row(size, "full, nothing changed", &none);
    let moved = (size / 100).max(1);
    for n in (1..=size).step_by(size / moved) {
        let entry = ItemEntry {
            item: format!("SYN-{n:06}"),
            quantity: 3.into(),
            kind: EntryKind::Purchase,
            location: String::new(),
            variant: String::new(),
            document_number: None,
        };
        stack.bc.control().post_item_entry(None, &entry).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    }
    let incremental = measure(&stack, &["sync", "inventory", "--json"]).await;
    row(size, &format!("incremental, {moved} moved (1 %)"), &incremental);
    let quiet = measure(&stack, &["sync", "inventory", "--json"]).await;
    row(size, "incremental, nothing moved", &quiet);
    let sample = stack.woo.control().product_by_sku("SYN-000001").map(|p| p["stock_quantity"].clone());
    println!("  check: SYN-000001 in WooCommerce = {sample:?} (NAV 2 + 3 received = 5)");
    stack.shutdown().await;
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let sizes: Vec<usize> = std::env::args()
        .nth(1)
        .map(|a| a.split(',').filter_map(|s| s.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![1_000, 10_000, 100_000]);
    println!(
        "machine: {} cores, {}",
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
        std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default().lines().find(|l| l.starts_with("model name")).unwrap_or("").trim()
    );
    let _ = agent_binary();
    for size in sizes {
        bench(size).await?;
    }
    Ok(())
}
