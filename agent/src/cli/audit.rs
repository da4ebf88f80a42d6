//! `audit list` and `audit show ID`: the trail an operator reads (details decrypted with the key).

use std::path::Path;
use std::process::ExitCode;

use clap::Subcommand;

use crate::store::audit::AuditFilter;

#[derive(Subcommand)]
pub enum AuditCommand {
    /// List entries, newest first.
    List {
        /// Only entries about this WooCommerce order.
        #[arg(long)]
        order: Option<i64>,
        /// Only entries of this job.
        #[arg(long)]
        job: Option<i64>,
        #[arg(long, default_value_t = 50)]
        limit: usize,
        #[arg(long)]
        json: bool,
    },
    /// Show one entry with its decrypted detail (request, response, decision).
    Show {
        id: i64,
        #[arg(long)]
        json: bool,
    },
}

pub fn run(config: Option<&Path>, command: AuditCommand) -> anyhow::Result<ExitCode> {
    let settings = super::file_settings(config)?;
    let store = super::status::open_store(&settings.agent)?;
    match command {
        AuditCommand::List { order, job, limit, json } => {
            let entries = store.list_audit(&AuditFilter { subject: order.map(|o| format!("order:{o}")), job_id: job, before_id: None, limit })?;
            if json {
                println!("{}", serde_json::to_string_pretty(&entries)?);
            } else {
                println!("{:>6}  {:<24} {:>5}  {:<12} {:<32} {:<6} {:<6} {:>6}  outcome", "id", "at", "job", "subject", "action", "system", "method", "status");
                for e in entries {
                    println!(
                        "{:>6}  {:<24} {:>5}  {:<12} {:<32} {:<6} {:<6} {:>6}  {}",
                        e.id,
                        e.at,
                        e.job_id.map(|j| j.to_string()).unwrap_or_default(),
                        e.subject,
                        e.action,
                        e.system,
                        e.method.unwrap_or_default(),
                        e.status.map(|s| s.to_string()).unwrap_or_default(),
                        e.outcome
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        AuditCommand::Show { id, json } => {
            let keyring = crate::runtime::load_keyring(&settings.agent.key_path).map_err(anyhow::Error::msg)?;
            let Some((summary, detail)) = store.audit_entry(&keyring, id)? else {
                anyhow::bail!("there is no audit entry {id}");
            };
            let document = serde_json::json!({ "entry": summary, "detail": detail });
            if json {
                println!("{}", serde_json::to_string_pretty(&document)?);
            } else {
                println!("{} {} {} ({}), job {:?}, {} {:?} → {:?} in {:?} ms: {}", summary.id, summary.at, summary.action, summary.subject,
                    summary.job_id, summary.system, summary.method, summary.status, summary.millis, summary.outcome);
                println!("{}", serde_json::to_string_pretty(&detail)?);
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
