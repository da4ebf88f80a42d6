//! `link customers [--dry-run] [--json]`: first-run linking of existing WooCommerce customers to
//! NAV customers by e-mail (flows/customers/link.rs). Prints matches, conflicts, duplicates and
//! unmatched customers; without `--dry-run` stores the matches as links.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use clap::{Args, Subcommand};

use crate::flows::customers::link::{link_customers, LinkReport};

#[derive(Subcommand)]
pub enum LinkCommand {
    /// Match existing WooCommerce customers to NAV customers by e-mail and store the links.
    Customers(CustomerArgs),
}

#[derive(Args)]
pub struct CustomerArgs {
    /// Read both sides and print the report; store nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Print the whole report as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Rows printed per section in text form; `--json` has them all.
const SHOWN: usize = 20;

pub async fn run(config: Option<&Path>, command: LinkCommand) -> anyhow::Result<ExitCode> {
    let LinkCommand::Customers(args) = command;
    let (rt, _spool) = super::one_shot_runtime(config)?;
    let report = link_customers(&rt, args.dry_run).await?;
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &report)?;
        writeln!(out)?;
    } else {
        write!(out, "{}", describe(&report))?;
    }
    Ok(ExitCode::SUCCESS)
}

fn describe(report: &LinkReport) -> String {
    let mut text = format!(
        "{} WooCommerce customers ({} requests), {} NAV customers ({} requests)\n\
         {} matched{}, {} already linked, {} conflicts, {} duplicate e-mails in NAV, {} without a NAV customer\n",
        report.woo_customers,
        report.woo_requests,
        report.nav_customers,
        report.nav_requests,
        report.matches.len(),
        if report.written { " and linked" } else { " (dry run: nothing stored)" },
        report.already_linked,
        report.conflicts.len(),
        report.duplicates.len(),
        report.unmatched.len(),
    );
    let mut section = |title: &str, lines: Vec<String>| {
        if lines.is_empty() {
            return;
        }
        text.push_str(&format!("\n{title}:\n"));
        for line in lines.iter().take(SHOWN) {
            text.push_str(&format!("  {line}\n"));
        }
        if lines.len() > SHOWN {
            text.push_str(&format!("  … and {} more (--json lists all)\n", lines.len() - SHOWN));
        }
    };
    section("matches", report.matches.iter().map(|m| format!("WooCommerce {} {} → NAV {}", m.woo_id, m.email, m.nav_number)).collect());
    section("conflicts (not linked)", report.conflicts.iter().map(|c| format!("WooCommerce {} {}: e-mail matches NAV {}, but {}", c.woo_id, c.email, c.nav_number, c.reason)).collect());
    section(
        "duplicates (not linked: link by hand)",
        report.duplicates.iter().map(|d| format!("WooCommerce {} {}: NAV customers {}", d.woo_id, d.email, d.nav_numbers.join(", "))).collect(),
    );
    section("without a NAV customer", report.unmatched.iter().map(|u| format!("WooCommerce {} {}", u.woo_id, u.email)).collect());
    text
}
