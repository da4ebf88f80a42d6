//! `sync inventory`: one inventory run now, next to (never at the same time as) the daemon's
//! schedule — what moved since the last run, every product with `--full`, or with `--dry-run` what
//! would change. Prints what it changed, old → new.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use clap::{Args, Subcommand};

use crate::flows::inventory::{self, RunReport, RunRequest};

#[derive(Subcommand)]
pub enum SyncCommand {
    /// NAV stock → WooCommerce now: what moved since the last run, or every product with --full.
    Inventory(InventoryArgs),
}

#[derive(Args)]
pub struct InventoryArgs {
    /// Compare every WooCommerce product with NAV (the nightly reconcile), not only what moved.
    #[arg(long)]
    pub full: bool,
    /// Read everything and print what would change; write nothing, store nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Take up a failed or interrupted run again (its number is in the output and the audit trail).
    #[arg(long, value_name = "RUN", conflicts_with = "dry_run")]
    pub replay: Option<i64>,
    /// Print the whole report as JSON (every change).
    #[arg(long)]
    pub json: bool,
}

/// Changes printed in text form; `--json` has them all.
const SHOWN: usize = 50;

pub async fn run(config: Option<&Path>, command: SyncCommand) -> anyhow::Result<ExitCode> {
    let SyncCommand::Inventory(args) = command;
    let (rt, spool) = super::one_shot_runtime(config)?;
    // Orders still in the spool (the daemon stopped) hold stock too: take them over as the daemon
    // would (idempotent by spool sequence), so the run subtracts them.
    if let Some(spool) = &spool {
        if let Err(error) = crate::daemon::import(spool, &rt.store, rt.store.last_imported_seq()?) {
            eprintln!("warning: orders waiting in the spool could not be read: {error:#}");
        }
    }
    let request = RunRequest { full: args.full, dry_run: args.dry_run, replay: args.replay };
    let report = inventory::run(&rt, request).await?;
    if args.json {
        // Streamed: a full run's report can list 100,000 changes.
        let mut out = std::io::stdout().lock();
        serde_json::to_writer_pretty(&mut out, &report)?;
        writeln!(out)?;
    } else {
        print!("{}", describe(&report));
    }
    Ok(if report.error.is_some() { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn describe(report: &RunReport) -> String {
    let mut out = String::new();
    let name = match report.run {
        Some(run) => format!("inventory run {run} ({})", report.kind.as_str()),
        None => format!("inventory dry run ({})", report.kind.as_str()),
    };
    let resumed = report.resumed.map(|r| format!(", taking up run {r}")).unwrap_or_default();
    out.push_str(&format!("{name}: {} in {:.1} s{resumed}\n", report.state, report.millis as f64 / 1000.0));
    let verb = if report.dry_run { "would change" } else { "changed" };
    out.push_str(&format!(
        "  {} checked: {} {verb}, {} already right\n",
        plural(report.checked, "product", "products"),
        report.changes.len(),
        report.unchanged
    ));
    for change in report.changes.iter().take(SHOWN) {
        let old = change.old.map(|o| o.to_string()).unwrap_or_else(|| "-".into());
        let held = if change.pending.is_zero() { String::new() } else { format!(", web orders not shipped {}", change.pending.normalize()) };
        out.push_str(&format!("  {:<24} {old:>6} → {:<6} NAV {}{held}\n", change.sku, change.new, change.nav.normalize()));
    }
    if report.changes.len() > SHOWN {
        out.push_str(&format!("  … {} more (--json lists every change)\n", report.changes.len() - SHOWN));
    }
    for failed in &report.failed {
        out.push_str(&format!("  refused by WooCommerce: {} ({}): {}\n", failed.sku, failed.code, failed.message));
    }
    let named = |out: &mut String, count: usize, first: &[String], what: &str| {
        if count > 0 {
            out.push_str(&format!("  {count} {what}: {}{}\n", first.join(", "), if count > first.len() { ", …" } else { "" }));
        }
    };
    named(&mut out, report.unknown_in_nav.count, &report.unknown_in_nav.first, "WooCommerce SKU(s) without a NAV item (not written)");
    named(&mut out, report.not_in_woo.count, &report.not_in_woo.first, "NAV item(s) without a WooCommerce product");
    let missing: Vec<String> = report.no_nav_stock.iter().take(20).cloned().collect();
    named(&mut out, report.no_nav_stock.len(), &missing, "product(s) whose NAV item is gone (not written)");
    if report.not_managed + report.without_sku > 0 {
        out.push_str(&format!("  not written: {} not managing stock, {} without a SKU\n", report.not_managed, report.without_sku));
    }
    out.push_str(&format!(
        "  web orders holding stock: {} open in NAV, {} not in NAV yet\n",
        report.orders.orders_in_nav, report.orders.orders_not_in_nav
    ));
    out.push_str(&format!(
        "  requests: NAV {}, WooCommerce {} read(s) + {} write(s)\n",
        report.requests.nav, report.requests.woo_reads, report.requests.woo_writes
    ));
    if let Some(error) = &report.error {
        out.push_str(&format!("error: {error}\n"));
        out.push_str(&format!(
            "  {} not written; the next run takes them up (now: ml-connector-agent sync inventory{})\n",
            plural(report.left, "change", "changes"),
            report.run.map(|r| format!(" --replay {r}")).unwrap_or_default()
        ));
    }
    out
}
