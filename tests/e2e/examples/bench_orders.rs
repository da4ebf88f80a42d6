//! Order benchmarks (issue 3): NAV requests per order, throughput with zero-latency simulators,
//! event-to-sales-order latency and the agent's own share of it, the sustained rate under the BC
//! online throttle, and the agent's memory. Prints figures; asserts nothing.
//!
//!   cargo run --release -p ml-connector-e2e --example bench_orders [throughput_orders] [throttle_seconds]

use std::time::{Duration, Instant};

use ml_connector_e2e::bench_results::record;
use ml_connector_e2e::{Stack, StackOptions};
use serde_json::{json, Value};

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn rss_kib(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn order(i: usize) -> Value {
    let sku = ["1900-S", "1896-S", "TSHIRT-L", "1908-S", "1936-S"][i % 5];
    json!({"checkout": "classic", "customer_id": 2, "items": [{"sku": sku, "quantity": 1 + i % 3}], "payment_method": "card"})
}

async fn quiet_stack(extra: &str) -> Stack {
    // Reconciliation at its default interval: the harness's 2 s would re-list every order constantly.
    let mut options = StackOptions {
        extra_toml: format!("[agent]\nlog_format = \"journald\"\nconcurrency = 8\n[schedules]\nreconcile_orders = \"every 5m\"\n{extra}"),
        ..Default::default()
    };
    options.woo.journal_bodies = false;
    let stack = Stack::start(options).await.expect("stack");
    stack.bc.control().journal().keep_bodies(false);
    stack
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let throughput_orders: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(2000);
    let throttle_secs: u64 = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(60);
    println!("machine: {} cores, {}", std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
        std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default().lines().find(|l| l.starts_with("model name")).unwrap_or("").trim());

    let phases = std::env::var("BENCH_PHASES").unwrap_or_else(|_| "latency,throughput,throttle".into());
    if phases.contains("latency") {
        latency_phase().await?;
    }
    if phases.contains("throughput") {
        throughput_phase(throughput_orders).await?;
    }
    if phases.contains("throttle") {
        throttle_phase(throttle_secs).await?;
    }
    Ok(())
}

async fn latency_phase() -> anyhow::Result<()> {
    // 1. Requests per order and latency, one order at a time.
    let stack = quiet_stack("").await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let pid = stack.agent_pid().unwrap();
    let idle_rss = rss_kib(pid, "VmRSS");
    println!("\nagent idle RSS: {idle_rss} KiB");
    record("orders", "idle_rss", json!({"kib": idle_rss}));
    let first = stack.place_order(order(0)).await?;
    stack.wait_idle(Duration::from_secs(30)).await?;
    let _ = first;
    let mut latencies = Vec::new();
    let mut nav_share = Vec::new();
    let mut requests_known = Vec::new();
    for i in 1..=200 {
        let before = stack.bc.control().journal().total();
        let started = Instant::now();
        let placed = stack.place_order(order(i)).await?;
        let external = format!("WC-{}", placed["number"].as_str().unwrap_or_default());
        loop {
            if !stack.sales_orders_for(&external).is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_micros(200)).await;
        }
        let total = started.elapsed().as_secs_f64() * 1000.0;
        let requests = stack.bc.control().journal().since(before);
        let sim_ms: f64 = requests.iter().map(|r| r.millis as f64).sum();
        requests_known.push(requests.iter().filter(|r| !r.uri.contains("/oauth2/")).count());
        latencies.push(total);
        nav_share.push((total - sim_ms).max(0.0));
        stack.wait_idle(Duration::from_secs(30)).await?;
    }
    latencies.sort_by(f64::total_cmp);
    nav_share.sort_by(f64::total_cmp);
    println!("NAV requests per order, known customer and items: {:?} (min {}, max {})",
        requests_known.iter().copied().fold(std::collections::BTreeMap::new(), |mut m, n| { *m.entry(n).or_insert(0) += 1; m }),
        requests_known.iter().min().unwrap(), requests_known.iter().max().unwrap());
    println!("event → sales order, end to end: p50 {:.1} ms, p99 {:.1} ms", percentile(&latencies, 0.5), percentile(&latencies, 0.99));
    println!("  agent's own share (simulator time excluded; includes the spool hand-off and this bench's polling): p50 {:.1} ms, p99 {:.1} ms",
        percentile(&nav_share, 0.5), percentile(&nav_share, 0.99));
    // New customers.
    let mut requests_new = Vec::new();
    for i in 0..20 {
        let before = stack.bc.control().journal().total();
        stack.place_order(json!({"checkout": "classic", "customer_id": 0, "billing": {"first_name": "New", "last_name": format!("Buyer {i}"), "email": format!("new{i}@bench.example"), "city": "Leeds", "country": "GB"},
            "items": [{"sku": "1900-S", "quantity": 1}], "payment_method": "card"})).await?;
        stack.wait_idle(Duration::from_secs(30)).await?;
        requests_new.push(stack.bc.control().journal().since(before).iter().filter(|r| !r.uri.contains("/oauth2/")).count());
    }
    println!("NAV requests per order, new customer: min {}, max {}", requests_new.iter().min().unwrap(), requests_new.iter().max().unwrap());
    record("orders", "latency", json!({"end_to_end_ms": latencies, "agent_share_ms": nav_share}));
    record("orders", "requests_per_order", json!({"known": requests_known, "new_customer": requests_new}));
    stack.shutdown().await;
    Ok(())
}

/// Orders per second between 10 % and 90 % of the queue: the agent's steady state, without its
/// start (catalog load) and the tail.
fn steady_rate(progress: &[(f64, usize)], total: usize) -> f64 {
    let at = |share: f64| progress.iter().find(|(_, done)| *done as f64 >= total as f64 * share).copied();
    match (at(0.1), at(0.9)) {
        (Some((t1, d1)), Some((t2, d2))) if t2 > t1 => (d2 - d1) as f64 / (t2 - t1),
        _ => f64::NAN,
    }
}

async fn throughput_phase(throughput_orders: usize) -> anyhow::Result<()> {
    // 2. Throughput with zero-latency simulators.
    let mut stack = quiet_stack("").await;
    stack.stop_agent();
    for i in 0..throughput_orders {
        stack.place_order(order(i)).await?;
    }
    // Progress by NAV's request count (cheap), confirmed by the sales orders at the end.
    let before = stack.bc.control().journal().total() as usize;
    stack.start_agent()?;
    let pid = stack.agent_pid().unwrap();
    let started = Instant::now();
    let mut peak = 0;
    let mut progress: Vec<(f64, usize)> = Vec::new();
    loop {
        peak = peak.max(rss_kib(pid, "VmRSS"));
        let done = stack.bc.control().journal().total() as usize;
        progress.push((started.elapsed().as_secs_f64(), done.saturating_sub(before)));
        if done >= throughput_orders + before {
            break;
        }
        if started.elapsed() > Duration::from_secs(600) {
            println!("throughput: gave up after 600 s with {done} orders");
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let secs = started.elapsed().as_secs_f64();
    stack.wait_idle(Duration::from_secs(600)).await?;
    let steady = steady_rate(&progress, throughput_orders);
    let hwm = rss_kib(pid, "VmHWM");
    let in_nav = stack.sales_orders().len();
    println!("\nthroughput: {throughput_orders} queued orders in {secs:.2} s = {:.0} orders/s (agent start and catalog load included); steady state (10 % → 90 % of the queue) {steady:.0} orders/s; agent peak RSS {peak} KiB (VmHWM {hwm} KiB); {in_nav} sales orders in NAV",
        throughput_orders as f64 / secs);
    record("orders", "throughput", json!({"orders": throughput_orders, "seconds": secs, "overall_per_s": throughput_orders as f64 / secs,
        "steady_per_s": steady, "peak_rss_kib": peak, "hwm_kib": hwm, "sales_orders": in_nav, "progress": progress}));
    stack.shutdown().await;
    Ok(())
}

async fn throttle_phase(throttle_secs: u64) -> anyhow::Result<()> {
    // 3. Under the BC online throttle (6,000 requests / 5 min = 20/s; window scaled to 30 s), with the
    // agent's default pacing (19 requests/s, burst 5) — the harness itself paces at 2,000/s.
    let stack = quiet_stack("[nav]\nrequests_per_second = 19.0\nburst = 5\n").await;
    let mut limits = stack.bc.control().limits();
    limits.rate_limit = 600;
    limits.rate_window_ms = 30_000;
    stack.bc.control().set_limits(limits);
    let warm = stack.place_order(order(0)).await?;
    stack.wait_idle(Duration::from_secs(30)).await?;
    let _ = warm;
    let n = (throttle_secs as usize) * 25;
    let before_total = stack.bc.control().journal().total();
    let count_before = stack.sales_orders().len();
    let started = Instant::now();
    for i in 0..n {
        stack.place_order(order(i)).await?;
    }
    // NAV requests per second over the run, sampled every 250 ms (for the chart).
    let mut series: Vec<(f64, u64)> = Vec::new();
    while started.elapsed() < Duration::from_secs(throttle_secs) {
        series.push((started.elapsed().as_secs_f64(), stack.bc.control().journal().total() - before_total));
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let window = stack.bc.control().journal().since(before_total);
    let nav: Vec<_> = window.iter().filter(|r| !r.uri.contains("/oauth2/")).collect();
    let throttled = nav.iter().filter(|r| r.status == Some(429) || r.status == Some(503)).count();
    let done = stack.sales_orders().len() - count_before;
    println!("\nunder the throttle (limit 20 requests/s per user): {:.1} NAV requests/s sustained over {elapsed:.0} s = {:.0}% of the limit; {done} orders done, {throttled} throttled answers",
        nav.len() as f64 / elapsed, nav.len() as f64 / elapsed / 20.0 * 100.0);
    let status = stack.wait_idle(Duration::from_secs(600)).await?;
    let drained = stack.sales_orders().len() - count_before;
    println!("  after draining: parked {}, held {}, sales orders {drained} of {n}", status["queue"]["parked"], status["queue"]["held"]);
    record("orders", "throttle", json!({"limit_per_s": 20, "configured_per_s": 19, "seconds": elapsed, "nav_requests": nav.len(),
        "per_s": nav.len() as f64 / elapsed, "throttled": throttled, "placed": n, "done_in_window": done, "done_after_drain": drained,
        "parked": status["queue"]["parked"], "held": status["queue"]["held"], "series": series}));
    stack.shutdown().await;
    Ok(())
}
