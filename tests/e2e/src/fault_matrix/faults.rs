//! The faults of the matrix, one function each: inject the fault, place the workload while it
//! lasts, heal. Each returns when the fault is healed; the caller then lets the stack drain and
//! reads the verdict. The simulators' own fault layers do the work (sim-kit: 5xx rate,
//! commit-then-drop, down, latency; bc-sim: throttling limits and token revocation); the spool
//! faults act on the spool file itself, as another process or a full disk would.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use bc_sim::FaultSettings;

use super::workload::{parse_php, php_command, Workload};
use super::MatrixConfig;
use crate::Stack;

/// Places `orders` orders with a stock change after every second one and a follow-up (refund,
/// posting, customer edit, cancellation) after the others, then keeps the fault on until the
/// queue is empty or `window` has passed since the start, whichever comes first; says which.
async fn under_fault(stack: &Stack, work: &mut Workload, orders: usize, window: Duration) -> anyhow::Result<String> {
    let started = Instant::now();
    for i in 0..orders {
        work.order(stack).await?;
        if i % 2 == 1 {
            work.receipt(stack)?;
        } else if i > 0 {
            work.follow_up(stack).await?;
        }
    }
    while started.elapsed() < window {
        let q = stack.status()["queue"].clone();
        if q["pending"] == 0 && q["running"] == 0 && q["spool"] == 0 {
            return Ok(format!("queue empty under the fault after {:.1} s", started.elapsed().as_secs_f64()));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let q = stack.status()["queue"].clone();
    Ok(format!("healed after {:.0} s, jobs still waiting: {}", started.elapsed().as_secs_f64(), q["pending"].as_u64().unwrap_or(0) + q["running"].as_u64().unwrap_or(0)))
}

/// `kill -9` of the agent at random moments while it works, `trials` times. NAV answers after
/// 30–150 ms so kills land while requests are in flight. Two trials in four kill at the worst
/// places on purpose: NAV has applied a sales order create and its answer has not left yet; or
/// WooCommerce has applied an inventory run's stock write and its answer has not left yet.
pub async fn kill_9(stack: &mut Stack, work: &mut Workload, config: &MatrixConfig) -> anyhow::Result<String> {
    let jitter = FaultSettings { latency_ms: 30, jitter_ms: 120, ..Default::default() };
    stack.set_bc_faults(jitter.clone());
    let (mut busy, mut after_commit, mut stock_cut) = (0, 0, 0);
    for trial in 0..config.kill_trials {
        if trial % 4 == 1 {
            // An inventory run's write is applied in WooCommerce, its answer is late: kill then.
            let written = rest_writes(stack);
            stack.woo.control().set_faults(FaultSettings { slow_answer_ms: 5_000, only_uri_containing: Some("/products/batch".into()), ..Default::default() }).map_err(anyhow::Error::msg)?;
            work.receipt(stack)?;
            crate::eventually(Duration::from_secs(30), "a stock write applied in WooCommerce", || (rest_writes(stack) > written).then_some(())).await?;
            stock_cut += 1;
        } else if trial % 4 == 3 {
            stack.set_bc_faults(FaultSettings { slow_answer_ms: 5_000, only_uri_containing: Some("/salesOrders".into()), ..Default::default() });
            work.order(stack).await?;
            let external = format!("WC-{}", work.orders.last().map(|o| o["number"].as_str().unwrap_or_default().to_string()).unwrap_or_default());
            crate::eventually(Duration::from_secs(30), "the create applied in NAV", || (!stack.sales_orders_for(&external).is_empty()).then_some(())).await?;
            after_commit += 1;
        } else {
            work.order(stack).await?;
            if trial % 2 == 0 {
                work.receipt(stack)?;
            }
            work.follow_up(stack).await?;
            tokio::time::sleep(Duration::from_millis(work.dice.below(400))).await;
            let q = stack.status()["queue"].clone();
            if q["pending"] != 0 || q["running"] != 0 || q["spool"] != 0 {
                busy += 1;
            }
        }
        stack.kill_agent();
        stack.set_bc_faults(jitter.clone());
        stack.woo.control().set_faults(FaultSettings::default()).map_err(anyhow::Error::msg)?;
        tokio::time::sleep(Duration::from_millis(work.dice.below(150))).await;
        stack.start_agent()?;
    }
    stack.set_bc_faults(FaultSettings::default());
    let state = rusqlite::Connection::open_with_flags(stack.state_path(), rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let cut_runs: i64 = state.query_row("SELECT count(*) FROM stock_runs WHERE state = 'interrupted'", [], |row| row.get(0)).unwrap_or(0);
    Ok(format!(
        "{} kills: {after_commit} between NAV's commit and its answer, {stock_cut} between a stock write applied in WooCommerce and its answer, {busy} of the others with work queued or running; {cut_runs} inventory runs cut short",
        config.kill_trials
    ))
}

pub async fn server_errors(stack: &Stack, work: &mut Workload, config: &MatrixConfig) -> anyhow::Result<String> {
    stack.set_bc_faults(FaultSettings { error_rate: 0.3, error_status: 500, ..Default::default() });
    let drained = under_fault(stack, work, config.orders, config.window).await?;
    stack.set_bc_faults(FaultSettings::default());
    let failed = faulted(stack, |f| f.starts_with("error"));
    anyhow::ensure!(failed > 0, "no request was answered 500: the fault did not happen");
    Ok(format!("{failed} requests answered 500; {drained}"))
}

pub async fn commit_then_drop(stack: &Stack, work: &mut Workload, config: &MatrixConfig) -> anyhow::Result<String> {
    // The first two writes for certain, then one in five: a small workload meets the fault too.
    stack.set_bc_faults(FaultSettings { drop_rate: 0.2, drop_next: 2, ..Default::default() });
    let drained = under_fault(stack, work, config.orders, config.window).await?;
    stack.set_bc_faults(FaultSettings::default());
    let cut = faulted(stack, |f| f == "commit-then-drop");
    anyhow::ensure!(cut > 0, "no write was cut: the fault did not happen");
    Ok(format!("{cut} writes applied then cut; {drained}"))
}

pub async fn throttle_storm(stack: &Stack, work: &mut Workload, config: &MatrixConfig) -> anyhow::Result<String> {
    let normal = stack.bc.control().limits();
    let mut storm = normal.clone();
    storm.rate_limit = 8;
    storm.rate_window_ms = 2_000;
    storm.retry_after_secs = 1;
    stack.bc.control().set_limits(storm);
    let drained = under_fault(stack, work, config.orders, config.window).await?;
    stack.bc.control().set_limits(normal);
    let throttled = stack.bc.control().journal().since(0).into_iter().filter(|r| r.status == Some(429)).count();
    anyhow::ensure!(throttled > 0, "nothing was answered 429: the storm did not happen");
    Ok(format!("{throttled} answers 429; {drained}"))
}

pub async fn nav_down(stack: &Stack, work: &mut Workload, config: &MatrixConfig) -> anyhow::Result<String> {
    stack.set_bc_faults(FaultSettings { down: true, ..Default::default() });
    let started = Instant::now();
    under_fault(stack, work, config.orders, Duration::ZERO).await?;
    sleep_rest(started, config.outage).await;
    stack.set_bc_faults(FaultSettings::default());
    let cut = faulted(stack, |f| f == "down");
    anyhow::ensure!(cut > 0, "no NAV connection was cut: the outage did not happen");
    Ok(format!("NAV unreachable for {:.0} s, {cut} connections cut", started.elapsed().as_secs_f64()))
}

/// WooCommerce goes down after the first stock run; stock moves in NAV while it is down, and
/// the runs that meet the outage fail.
pub async fn woo_down(stack: &Stack, work: &mut Workload, config: &MatrixConfig) -> anyhow::Result<String> {
    // The first (full) run has written the shop.
    crate::eventually(Duration::from_secs(60), "the first inventory run", || first_run_done(stack)).await?;
    stack.woo.control().set_faults(FaultSettings { down: true, ..Default::default() }).map_err(anyhow::Error::msg)?;
    let started = Instant::now();
    under_fault(stack, work, config.orders, Duration::ZERO).await?;
    for _ in 0..config.orders / 2 {
        work.receipt(stack)?;
    }
    sleep_rest(started, config.outage).await;
    stack.woo.control().set_faults(FaultSettings::default()).map_err(anyhow::Error::msg)?;
    let cut = woo_cut(stack).await;
    anyhow::ensure!(cut > 0, "no WooCommerce connection was cut: the outage did not happen");
    Ok(format!("WooCommerce unreachable for {:.0} s, {cut} requests cut", started.elapsed().as_secs_f64()))
}

/// Stock changes WooCommerce made because of the agent's REST writes.
fn rest_writes(stack: &Stack) -> usize {
    stack.woo.control().stock_changes().iter().filter(|c| c.cause == "rest-api").count()
}

/// Requests woo-sim cut while down (its journal, through the control API).
async fn woo_cut(stack: &Stack) -> usize {
    let url = format!("{}/_sim/requests", stack.woo.http_url);
    let journal: serde_json::Value = match reqwest::get(url).await {
        Ok(response) => response.json().await.unwrap_or_default(),
        Err(_) => serde_json::Value::Null,
    };
    journal["requests"].as_array().into_iter().flatten().filter(|r| r["fault"] == "down").count()
}

fn first_run_done(stack: &Stack) -> Option<()> {
    let output = stack.cli(&["audit", "list", "--limit", "50", "--json"]);
    let entries: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap_or_default();
    entries.iter().any(|a| a["action"].as_str().is_some_and(|action| action.contains("inventory run"))).then_some(())
}

/// The NAV app's client secret stops working: every token is revoked and the agent's secret is
/// no longer accepted by the token endpoint; the agent waits without using attempts; the
/// operator then enters the right secret (here: the settings file and SIGHUP, as `systemctl
/// reload` does).
pub async fn credentials_revoked(stack: &Stack, work: &mut Workload, config: &MatrixConfig) -> anyhow::Result<String> {
    let good = std::fs::read_to_string(&stack.config_path)?;
    let mut document: toml::Table = good.parse()?;
    let stale = stack.keyring.encrypt("nav.client_secret", b"the-secret-before-rotation");
    if let Some(toml::Value::Table(nav)) = document.get_mut("nav") {
        nav.insert("client_secret".into(), toml::Value::String(stale));
    }
    std::fs::write(&stack.config_path, toml::to_string(&document)?)?;
    hang_up(stack);
    stack.bc.control().revoke_tokens();
    let started = Instant::now();
    under_fault(stack, work, config.orders, Duration::ZERO).await?;
    sleep_rest(started, config.outage).await;
    let status = stack.status();
    let waiting = status["queue"]["pending"].as_u64().unwrap_or(0);
    let told = status["reachability"]["nav"]["detail"].as_str().unwrap_or_default().to_string();
    std::fs::write(&stack.config_path, good)?;
    hang_up(stack);
    Ok(format!("{waiting} jobs waited {:.0} s; status said: {}", started.elapsed().as_secs_f64(), shorten(&told, 160)))
}

fn hang_up(stack: &Stack) {
    if let Some(pid) = stack.agent_pid() {
        // SAFETY: signalling our own child process.
        unsafe {
            libc::kill(pid as i32, libc::SIGHUP);
        }
    }
}

/// Another process holds an EXCLUSIVE lock on spool.db; checkouts hand their events to the real
/// extension meanwhile. Each either waits the lock out or is refused with a clear reason; the
/// refused orders are found by reconciliation. One checkout with a long `busy_timeout_ms` starts
/// during the lock and must get through once it is released.
pub async fn spool_locked(stack: &Stack, work: &mut Workload, config: &MatrixConfig) -> anyhow::Result<String> {
    for _ in 0..config.orders / 3 {
        work.order(stack).await?;
        work.receipt(stack)?;
    }
    let lock = rusqlite::Connection::open(stack.spool_path())?;
    lock.busy_timeout(Duration::from_secs(30))?;
    lock.execute_batch("BEGIN EXCLUSIVE")?;
    let locked_at = Instant::now();
    let patient_order = stack.place_order(serde_json::json!({"checkout": "classic", "customer_id": 2, "items": [{"sku": "1900-S", "quantity": 1}], "payment_method": "card"})).await?;
    let patient = php_command(stack, &patient_order, Some(60_000))?.stdout(std::process::Stdio::piped()).spawn()?;
    let refused_before = work.refused.len();
    for _ in 0..config.orders / 3 {
        work.order(stack).await?;
        work.follow_up(stack).await?;
    }
    sleep_rest(locked_at, config.lock_hold).await;
    lock.execute_batch("ROLLBACK")?;
    work.healed = Some(Instant::now());
    let held = locked_at.elapsed();
    let patient = parse_php(&patient.wait_with_output()?);
    work.orders.push(patient_order);
    for _ in 0..config.orders / 3 {
        work.order(stack).await?;
    }
    let refused = work.refused.len() - refused_before;
    let reason = work.refused.first().map(|r| r.replace(&stack.spool_path().display().to_string(), "spool.db")).unwrap_or_default();
    let locked_reason = reason.contains("locked by another process");
    anyhow::ensure!(refused > 0 && locked_reason, "the lock did not refuse any checkout as expected: {:?}", work.refused);
    anyhow::ensure!(patient.seq.is_some(), "the checkout that waited for the lock was refused: {:?}", patient.error);
    Ok(format!("lock held {:.1} s; {refused} hand-offs refused (\"{}\"), 1 waited it out", held.as_secs_f64(), shorten(&reason, 70)))
}

/// The spool's file system is full: a tmpfs of its own, filled up by another file. Hand-offs are
/// refused with SQLite's "database or disk is full"; the agent keeps what it had; once space is
/// freed everything drains and reconciliation finds the refused orders.
pub async fn spool_disk_full(stack: &mut Stack, work: &mut Workload, config: &MatrixConfig) -> anyhow::Result<String> {
    let filler = stack.spool_path().with_file_name("filler");
    for i in 0..config.orders / 3 {
        work.order(stack).await?;
        if i % 2 == 0 {
            work.receipt(stack)?;
        }
    }
    // Right after a checkpoint has emptied the WAL (as the agent's own do): the next event
    // needs new space. With room left in the WAL a full disk is not felt until it fills up.
    truncate_wal(&stack.spool_path())?;
    let refused_before = work.refused.len();
    fill(&filler)?;
    let full_at = Instant::now();
    let mut accepted_while_full = 0;
    for _ in 0..config.orders / 3 {
        if work.order(stack).await?.is_some_and(|e| e.seq.is_some()) {
            accepted_while_full += 1;
        }
        work.follow_up(stack).await?;
    }
    sleep_rest(full_at, config.lock_hold).await;
    let agent_survived = stack.agent_running();
    std::fs::remove_file(&filler)?;
    work.healed = Some(Instant::now());
    for _ in 0..config.orders / 3 {
        work.order(stack).await?;
    }
    let refused = work.refused.len() - refused_before;
    let reason = work.refused.get(refused_before).map(|r| r.replace(&stack.spool_path().display().to_string(), "spool.db")).unwrap_or_default();
    anyhow::ensure!(refused > 0 && reason.contains("full"), "the full disk did not refuse a checkout as expected: {:?}", work.refused);
    if !agent_survived {
        // A crash is a finding, not the end of the row: restart as systemd would and report it.
        stack.start_agent()?;
    }
    Ok(format!(
        "full for {:.1} s; {refused} hand-offs refused (\"{}\"), {accepted_while_full} accepted; agent {}",
        full_at.elapsed().as_secs_f64(),
        shorten(&reason, 60),
        if agent_survived { "kept running" } else { "EXITED (restarted)" }
    ))
}

fn truncate_wal(spool: &Path) -> anyhow::Result<()> {
    let conn = rusqlite::Connection::open(spool)?;
    conn.busy_timeout(Duration::from_secs(5))?;
    for _ in 0..50 {
        let busy: i64 = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |row| row.get(0))?;
        if busy == 0 {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    anyhow::bail!("the spool's WAL could not be checkpointed")
}

/// Mounts a tmpfs of `size` on the spool's directory (root only).
pub fn mount_small(dir: &Path, size: &str) -> anyhow::Result<()> {
    let status = Command::new("mount").args(["-t", "tmpfs", "-o", &format!("size={size},mode=0770"), "tmpfs"]).arg(dir).status()?;
    anyhow::ensure!(status.success(), "mount -t tmpfs failed (the spool disk-full row needs root)");
    Ok(())
}

pub fn unmount(dir: &Path) {
    let _ = Command::new("umount").arg("-l").arg(dir).status();
}

/// Writes zeros until the file system answers "no space left".
fn fill(path: &Path) -> anyhow::Result<()> {
    use std::io::Write;
    let mut file = std::fs::File::create(path)?;
    let block = vec![0u8; 4096];
    loop {
        match file.write_all(&block) {
            Ok(()) => {}
            Err(e) if e.raw_os_error() == Some(libc::ENOSPC) => return Ok(()),
            Err(e) => return Err(e.into()),
        }
    }
}

async fn sleep_rest(since: Instant, total: Duration) {
    if let Some(rest) = total.checked_sub(since.elapsed()) {
        tokio::time::sleep(rest).await;
    }
}

fn faulted(stack: &Stack, which: impl Fn(&str) -> bool) -> usize {
    stack.bc.control().journal().since(0).into_iter().filter(|r| r.fault.as_deref().is_some_and(&which)).count()
}

fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        text.chars().take(max).collect::<String>() + "…"
    }
}
