//! The command line: `run` (the daemon) and the operator's commands. Each command's `--help` is
//! generated from these definitions; the README lists them.

mod audit;
mod doctor;
mod init;
mod link;
mod replay;
mod status;
mod sync;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::config::{self, LogFormat};

#[derive(Parser)]
#[command(name = "ml-connector-agent", version, about = "Connects WooCommerce with Microsoft Dynamics NAV / Business Central.",
          long_about = "Connects WooCommerce with Microsoft Dynamics NAV / Business Central: WooCommerce orders become NAV sales orders \
exactly once, with an encrypted audit trail and replay. Run `ml-connector-agent run` as a systemd service next to PHP-FPM.")]
pub struct Cli {
    /// Configuration file (TOML); the settings saved in WP admin are merged under it.
    #[arg(long, global = true, env = "ML_CONNECTOR_CONFIG", default_value = "/etc/ml-connector/agent.toml")]
    pub config: PathBuf,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Run the agent (the daemon systemd starts).
    Run {
        /// How far back the first reconciliation looks for orders the hooks missed, in hours.
        #[arg(long, default_value_t = 24)]
        reconcile_lookback_hours: i64,
    },
    /// Queue depth, parked items with their reasons, last success, reachability.
    Status {
        /// Print JSON (the document the admin page shows).
        #[arg(long)]
        json: bool,
    },
    /// Live test of NAV and WooCommerce: authentication, company, items, round-trip time.
    Check {
        #[arg(long)]
        json: bool,
    },
    /// Read the audit trail.
    Audit {
        #[command(subcommand)]
        command: audit::AuditCommand,
    },
    /// Run work again without duplicates: a job, every parked job, or an order as it is now.
    Replay(replay::ReplayArgs),
    /// Run a synchronisation now (NAV stock → WooCommerce) and print what it changed.
    Sync {
        #[command(subcommand)]
        command: sync::SyncCommand,
    },
    /// Create the state directory, the spool and the vault key with the right owners and modes.
    Init(init::InitArgs),
    /// Encrypt a secret for the configuration file, or rotate the vault key.
    Vault {
        #[command(subcommand)]
        command: init::VaultCommand,
    },
    /// Validate the configuration (file and WP settings) and show it, secrets hidden.
    Config,
    /// Check the installation (accounts, files and modes, spool, socket, PHP, heartbeat, clock, NAV,
    /// WooCommerce); each problem with the line that fixes it. Exits 1 when a check fails.
    Doctor(doctor::DoctorArgs),
    /// First-run linking: match existing WooCommerce customers to NAV customers by e-mail.
    Link {
        #[command(subcommand)]
        command: link::LinkCommand,
    },
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let config_path = cli.config.exists().then(|| cli.config.clone());
    let log_format = config::read_file(config_path.as_deref())
        .ok()
        .and_then(|file| config::load_agent(&file).ok())
        .map(|agent| agent.log_format)
        .unwrap_or(LogFormat::Journald);
    init_logging(log_format, matches!(cli.command, Command::Run { .. }));
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: could not start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(dispatch(cli.command, config_path));
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn dispatch(command: Command, config_path: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    match command {
        Command::Run { reconcile_lookback_hours } => {
            crate::daemon::run(crate::daemon::Options { config: config_path, reconcile_lookback_hours }).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Status { json } => status::status(config_path.as_deref(), json),
        Command::Check { json } => status::check(config_path.as_deref(), json).await,
        Command::Audit { command } => audit::run(config_path.as_deref(), command),
        Command::Replay(args) => replay::run(config_path.as_deref(), args).await,
        Command::Sync { command } => sync::run(config_path.as_deref(), command).await,
        Command::Init(args) => init::init(config_path.as_deref(), args),
        Command::Vault { command } => init::vault(config_path.as_deref(), command),
        Command::Doctor(args) => doctor::run(config_path.as_deref(), args).await,
        Command::Link { command } => link::run(config_path.as_deref(), command).await,
        Command::Config => {
            let spool = file_settings(config_path.as_deref()).ok().and_then(|s| ml_connector_formats::Spool::open(&s.agent.spool_path).ok());
            let (settings, _, problem) = crate::daemon::load_settings(config_path.as_deref(), spool.as_ref())?;
            println!("{settings:#?}");
            if let Some(problem) = problem {
                println!("\nproblem: {problem}");
                return Ok(ExitCode::FAILURE);
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The agent's paths from the file alone, for commands that only need to find the stores.
pub fn file_settings(config_path: Option<&std::path::Path>) -> anyhow::Result<AgentPaths> {
    let file = config::read_file(config_path)?;
    Ok(AgentPaths { agent: config::load_agent(&file)? })
}

/// What `file_settings` gives: the agent section.
pub struct AgentPaths {
    pub agent: config::AgentSettings,
}

/// The runtime a one-shot command (`sync`, `link`) works with, beside the daemon: the merged
/// settings (a settings problem is a warning, as for the daemon), the state database and the spool
/// if it can be opened.
pub fn one_shot_runtime(config_path: Option<&std::path::Path>) -> anyhow::Result<(crate::runtime::Runtime, Option<ml_connector_formats::Spool>)> {
    let file_only = file_settings(config_path)?;
    let spool = ml_connector_formats::Spool::open(&file_only.agent.spool_path).ok();
    let (settings, keyring, problem) = crate::daemon::load_settings(config_path, spool.as_ref())?;
    if let Some(problem) = problem {
        eprintln!("warning: {problem}");
    }
    std::fs::create_dir_all(&settings.agent.state_dir)?;
    let store = std::sync::Arc::new(open_store_waiting(&settings.agent.state_dir.join("state.db"))?);
    let runtime = crate::runtime::Runtime::build(std::sync::Arc::new(settings), store, keyring, chrono::Utc::now().timestamp_millis());
    Ok((runtime, spool))
}

/// Opens the state database. While the daemon creates it (first start: switching it to WAL), an
/// open can be refused as busy without waiting; a few short retries ride that out.
fn open_store_waiting(path: &std::path::Path) -> Result<crate::store::Store, crate::store::StoreError> {
    use crate::store::{Store, StoreError};
    let mut attempt = 0;
    loop {
        match Store::open(path) {
            Err(StoreError::Sqlite { source: rusqlite::Error::SqliteFailure(e, _), .. }) if e.code == rusqlite::ErrorCode::DatabaseBusy && attempt < 20 => {
                attempt += 1;
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            other => return other,
        }
    }
}

fn init_logging(format: LogFormat, daemon: bool) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("ML_CONNECTOR_LOG").unwrap_or_else(|_| EnvFilter::new(if daemon { "info" } else { "warn" }));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_target(false);
    let _ = match format {
        // journald stamps lines itself; no colours in a log.
        LogFormat::Journald => builder.without_time().with_ansi(false).try_init(),
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}
