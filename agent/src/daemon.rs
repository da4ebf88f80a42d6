//! `ml-connector-agent run`: the daemon. Tasks: the wake socket (a datagram from PHP starts work
//! at once), the importer (spool → jobs, idempotent by sequence), the job runner, the status
//! flusher (heartbeat, snapshot, order states back into the spool), and the schedules
//! (reconciliation, write-back retries). SIGTERM/SIGINT stop cleanly: nothing in flight is lost
//! (an interrupted job is looked up in NAV before it is repeated). SIGHUP reloads settings.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use ml_connector_formats::spool::PRODUCER_AGENT;
use ml_connector_formats::{Keyring, Spool};
use tokio::sync::{watch, Notify, RwLock};

use crate::config::{self, Settings};
use crate::pipeline::runner::{Runner, SharedRuntime};
use crate::runtime::Runtime;
use crate::status::StatusBoard;
use crate::store::Store;

/// Events taken over from the spool per round.
const IMPORT_BATCH: usize = 500;

pub struct Options {
    pub config: Option<PathBuf>,
    /// How far back the first reconciliation looks.
    pub reconcile_lookback_hours: i64,
}

/// Reads the file, the site document from the spool and the key; validates.
pub fn load_settings(file_path: Option<&Path>, spool: Option<&Spool>) -> anyhow::Result<(Settings, Arc<Keyring>, Option<String>)> {
    let file = config::read_file(file_path)?;
    let agent = config::load_agent(&file).context("configuration file")?;
    let keyring = Arc::new(crate::runtime::load_keyring(&agent.key_path).map_err(anyhow::Error::msg)?);
    let site = spool.and_then(|s| s.setting("site").ok().flatten());
    match config::load(&file, site.as_deref(), Some(&keyring)) {
        Ok(settings) => Ok((settings, keyring, None)),
        Err(error) if site.is_some() => {
            // Bad site settings must not stop the agent: it keeps events and says what is wrong.
            let problem = format!("the settings saved in WP admin are not usable: {error}");
            tracing::error!("{problem}");
            let settings = config::load(&file, None, Some(&keyring))?;
            Ok((settings, keyring, Some(problem)))
        }
        Err(error) => Err(error.into()),
    }
}

pub async fn run(options: Options) -> anyhow::Result<()> {
    let file = config::read_file(options.config.as_deref())?;
    let agent = config::load_agent(&file).context("configuration file")?;
    std::fs::create_dir_all(&agent.state_dir).with_context(|| format!("state directory {}", agent.state_dir.display()))?;
    if let Some(dir) = agent.spool_path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("spool directory {}", dir.display()))?;
    }
    let mut spool = Spool::open(&agent.spool_path).context("opening the spool")?;
    let (settings, keyring, problem) = load_settings(options.config.as_deref(), Some(&spool))?;
    publish_pinned(&spool, options.config.as_deref());
    let store = Arc::new(Store::open(&agent.state_dir.join("state.db"))?);
    let requeued = store.requeue_interrupted()?;
    if requeued > 0 {
        tracing::warn!(requeued, "jobs interrupted by the last stop are queued again (NAV is checked before repeating a create)");
    }
    let started_at = chrono::Utc::now().timestamp_millis();
    let board = Arc::new(StatusBoard::new());
    board.set_settings_problem(problem);
    let runtime: SharedRuntime = Arc::new(RwLock::new(Arc::new(Runtime::build(Arc::new(settings), store.clone(), keyring, started_at))));
    {
        let rt = runtime.read().await.clone();
        log_readiness(&rt);
        board.set_configuration(rt.nav_problem.clone(), rt.woo_problem.clone());
    }

    let wake = Arc::new(Notify::new());
    let reload = Arc::new(Notify::new());
    let (stop_tx, stop_rx) = watch::channel(false);
    let socket = bind_wake_socket(&agent.wake_socket)?;

    let runner = Arc::new(Runner { runtime: runtime.clone(), wake: wake.clone(), board: board.clone(), reload: reload.clone() });
    let mut tasks = tokio::task::JoinSet::new();
    tasks.spawn(runner.run(stop_rx.clone()));
    if let Some(socket) = socket {
        tasks.spawn(listen_for_wakes(socket, wake.clone(), stop_rx.clone()));
    }
    tasks.spawn(schedules(runtime.clone(), options.reconcile_lookback_hours, stop_rx.clone()));
    tasks.spawn(refresh_catalog(runtime.clone()));
    // Business Central webhook subscriptions, when `[bc_notifications]` is on (docs/inventory.md).
    tasks.spawn(crate::flows::inventory::subscriptions::keep(runtime.clone(), stop_rx.clone()));
    // [metrics] and [ingest] are read at start; changing them needs a restart (docs/operations.md).
    let listeners = runtime.read().await.settings.clone();
    if let Some(addr) = listeners.metrics.listen {
        let scrape = crate::metrics::Scrape { runtime: runtime.clone(), started_at, state_db: agent.state_dir.join("state.db") };
        tasks.spawn(crate::metrics::server::serve(addr, scrape, stop_rx.clone()));
    }
    if let config::IngestSettings::Webhooks(webhooks) = &listeners.ingest {
        tasks.spawn(crate::ingest::webhooks::run(webhooks.clone(), runtime.clone(), wake.clone(), board.clone(), options.reconcile_lookback_hours, stop_rx.clone()));
    }

    notify_systemd("READY=1");
    tracing::info!(spool = %agent.spool_path.display(), state = %agent.state_dir.display(), "agent running");

    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    let mut hangup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())?;
    let mut import_tick = tokio::time::interval(agent.poll_interval.min(Duration::from_secs(1)));
    let mut flush_tick = tokio::time::interval(Duration::from_secs(1));
    let mut last_seq = store.last_imported_seq()?;
    loop {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => break,
            _ = terminate.recv() => break,
            _ = hangup.recv() => reload_settings(&runtime, &options, &spool, &board, store.clone(), started_at).await,
            _ = reload.notified() => reload_settings(&runtime, &options, &spool, &board, store.clone(), started_at).await,
            _ = import_tick.tick() => {}
            _ = wake.notified() => {}
            _ = flush_tick.tick() => {
                if let Err(error) = board.flush(&mut spool, &store) {
                    tracing::warn!(%error, "writing status to the spool failed");
                }
                notify_systemd("WATCHDOG=1");
                continue;
            }
        }
        match import(&spool, &store, last_seq) {
            Ok((seq, imported)) => {
                last_seq = seq;
                if imported > 0 {
                    runner_wake(&wake);
                }
            }
            Err(error) => tracing::error!(%error, "taking events over from the spool failed"),
        }
    }
    tracing::info!("stopping: finishing jobs in flight");
    notify_systemd("STOPPING=1");
    let _ = stop_tx.send(true);
    let drain = async { while tasks.join_next().await.is_some() {} };
    if tokio::time::timeout(Duration::from_secs(25), drain).await.is_err() {
        tracing::warn!("jobs still running at shutdown are queued again at the next start");
    }
    let _ = board.flush(&mut spool, &store);
    let _ = std::fs::remove_file(&agent.wake_socket);
    tracing::info!("stopped");
    Ok(())
}

fn runner_wake(wake: &Notify) {
    // Two notifications: one may be consumed by the importer's own select.
    wake.notify_waiters();
    wake.notify_one();
}

/// Spool → jobs. Returns the highest sequence taken over and how many were new.
pub fn import(spool: &Spool, store: &Store, after: i64) -> anyhow::Result<(i64, usize)> {
    let mut last = after;
    let mut imported = 0;
    loop {
        let batch = spool.pending(last, IMPORT_BATCH)?;
        if batch.is_empty() {
            break;
        }
        for row in &batch {
            match row.event() {
                Ok(event) => {
                    if store.import_event(Some(row.seq), &event, &row.body)?.is_some() {
                        crate::metrics::global().event_received(event.kind.as_str(), "spool");
                        imported += 1;
                    }
                }
                Err(reason) => {
                    tracing::warn!(seq = row.seq, %reason, "an event in the spool cannot be read; parked with the reason");
                    store.import_unreadable(row.seq, &row.kind, row.object_id, &row.body, &format!("the event cannot be read: {reason}"))?;
                }
            }
            last = row.seq;
        }
        // Only now, with every row held in the state store, do they leave the spool.
        spool.remove_through(last)?;
        spool.checkpoint()?;
        if batch.len() < IMPORT_BATCH {
            break;
        }
    }
    Ok((last, imported))
}

/// Tells WP admin which settings the file pins (`settings_pinned` in the spool's status table):
/// the settings page marks those fields, whose saved values the agent does not use.
fn publish_pinned(spool: &Spool, config: Option<&Path>) {
    let Ok(file) = config::read_file(config) else { return };
    let document = serde_json::json!({
        "file": config.map(|p| p.display().to_string()),
        "paths": config::pinned_paths(&file),
    });
    if let Err(error) = spool.put_status("settings_pinned", &document.to_string()) {
        tracing::warn!(%error, "could not tell WP admin which settings the file pins");
    }
}

async fn reload_settings(runtime: &SharedRuntime, options: &Options, spool: &Spool, board: &StatusBoard, store: Arc<Store>, started_at: i64) {
    publish_pinned(spool, options.config.as_deref());
    match load_settings(options.config.as_deref(), Some(spool)) {
        Ok((settings, keyring, problem)) => {
            board.set_settings_problem(problem);
            let rebuilt = Arc::new(Runtime::build(Arc::new(settings), store, keyring, started_at));
            log_readiness(&rebuilt);
            board.set_configuration(rebuilt.nav_problem.clone(), rebuilt.woo_problem.clone());
            *runtime.write().await = rebuilt.clone();
            if let Err(error) = rebuilt.store.make_waiting_due() {
                tracing::warn!(%error, "could not release waiting jobs after the reload");
            }
            tokio::spawn(refresh_catalog_once(rebuilt));
            tracing::info!("settings reloaded");
        }
        Err(error) => {
            board.set_settings_problem(Some(format!("{error:#}")));
            tracing::error!("settings reload failed, keeping the previous settings: {error:#}");
        }
    }
}

fn log_readiness(rt: &Runtime) {
    if let Some(problem) = &rt.nav_problem {
        tracing::warn!("{problem}");
    }
    if let Some(problem) = &rt.woo_problem {
        tracing::warn!("{problem}");
    }
}

fn bind_wake_socket(path: &Path) -> anyhow::Result<Option<tokio::net::UnixDatagram>> {
    if let Some(dir) = path.parent() {
        if let Err(error) = std::fs::create_dir_all(dir) {
            tracing::warn!(%error, path = %path.display(), "no wake socket; polling only");
            return Ok(None);
        }
    }
    let _ = std::fs::remove_file(path);
    match tokio::net::UnixDatagram::bind(path) {
        Ok(socket) => {
            // The web server's group writes to it.
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o660));
            Ok(Some(socket))
        }
        Err(error) => {
            tracing::warn!(%error, path = %path.display(), "could not bind the wake socket; polling only");
            Ok(None)
        }
    }
}

async fn listen_for_wakes(socket: tokio::net::UnixDatagram, wake: Arc<Notify>, mut stop: watch::Receiver<bool>) {
    let mut buf = [0u8; 64];
    loop {
        tokio::select! {
            received = socket.recv(&mut buf) => {
                if let Ok(n) = received {
                    if ml_connector_formats::wake::parse(&buf[..n]).is_some() {
                        runner_wake(&wake);
                    }
                }
            }
            _ = stop.changed() => return,
        }
    }
}

async fn schedules(runtime: SharedRuntime, lookback_hours: i64, mut stop: watch::Receiver<bool>) {
    let mut next_reconcile = chrono::Utc::now() + chrono::Duration::seconds(5);
    let mut sweep = tokio::time::interval(Duration::from_secs(30));
    // Inventory runs in its own task (schedules.inventory / inventory_full); a run cut short by
    // the stop is taken up by the next start.
    let mut inventory = crate::flows::inventory::schedule::Scheduler::new();
    // NAV → WooCommerce customers on schedules.customers (flows/customers), likewise in its own task.
    let mut customers = crate::flows::customers::schedule::Scheduler::new();
    loop {
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            _ = sweep.tick() => {
                let rt = runtime.read().await.clone();
                crate::flows::write_back::sweep(&rt).await;
                continue;
            }
            _ = stop.changed() => return,
        }
        inventory.tick(&runtime.read().await.clone());
        customers.tick(&runtime.read().await.clone());
        if chrono::Utc::now() < next_reconcile {
            continue;
        }
        let rt = runtime.read().await.clone();
        if rt.woo.is_some() {
            match crate::flows::reconcile::reconcile_orders(&rt, lookback_hours).await {
                Ok(report) if !report.queued.is_empty() => {
                    tracing::info!(queued = report.queued.len(), seen = report.seen, "reconciliation queued orders the hooks missed")
                }
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "reconciliation failed; will try at the next run"),
            }
        }
        next_reconcile = rt.settings.schedules.reconcile_orders.next_after(chrono::Utc::now()).unwrap_or(chrono::Utc::now() + chrono::Duration::days(3650));
    }
}

async fn refresh_catalog(runtime: SharedRuntime) {
    let rt = runtime.read().await.clone();
    refresh_catalog_once(rt).await;
}

async fn refresh_catalog_once(rt: Arc<Runtime>) {
    let Some(nav) = &rt.nav else { return };
    let rec = crate::adapter::http::Recorder::default();
    match nav.catalog(&rec).await {
        Ok((items, variants)) => {
            let _ = rt.store.upsert_items(&items);
            let _ = rt.store.upsert_variants(&variants);
            tracing::info!(items = items.len(), variants = variants.len(), "item catalog loaded from NAV");
        }
        Err(error) => tracing::warn!(%error, "loading the item catalog failed; items are looked up one by one"),
    }
}

/// Tells systemd (Type=notify) about readiness and liveness; a no-op outside systemd.
fn notify_systemd(state: &str) {
    let Some(path) = std::env::var_os("NOTIFY_SOCKET") else { return };
    let Ok(socket) = std::os::unix::net::UnixDatagram::unbound() else { return };
    let path = PathBuf::from(path);
    let result = if let Some(abstract_name) = path.to_str().and_then(|p| p.strip_prefix('@')) {
        use std::os::linux::net::SocketAddrExt;
        std::os::unix::net::SocketAddr::from_abstract_name(abstract_name.as_bytes()).and_then(|addr| socket.send_to_addr(state.as_bytes(), &addr))
    } else {
        socket.send_to(state.as_bytes(), &path)
    };
    if let Err(error) = result {
        tracing::debug!(%error, "sd_notify failed");
    }
}

/// Writes an event into the spool as the agent (used by CLI commands that ask the daemon for work).
pub fn enqueue_command(spool_path: &Path, event: &ml_connector_formats::Event, wake_socket: &Path) -> anyhow::Result<i64> {
    let spool = Spool::open(spool_path)?;
    let seq = spool.enqueue(event, PRODUCER_AGENT)?;
    let _ = ml_connector_formats::wake::wake(wake_socket, seq);
    Ok(seq)
}
