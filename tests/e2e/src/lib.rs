//! The end-to-end harness: both simulators in this process on ephemeral ports, the real
//! `ml-connector-agent` binary as a child process with its own temp directory, config and vault
//! key, and helpers to place orders, wait, read NAV's records and the agent's status. One line
//! starts a whole stack: `Stack::start(StackOptions::default()).await`.

pub mod bench_results;
pub mod fault_matrix;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use ml_connector_formats::Keyring;
use serde_json::Value;

/// Builds the agent binary once per test process and returns its path.
pub fn agent_binary() -> PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        if let Some(path) = std::env::var_os("ML_CONNECTOR_AGENT") {
            return PathBuf::from(path);
        }
        // Benchmarks (built with --release) measure the release agent.
        let mut args = vec!["build", "-p", "ml-connector-agent", "--bin", "ml-connector-agent", "--message-format=json-render-diagnostics"];
        if !cfg!(debug_assertions) {
            args.push("--release");
        }
        let output = Command::new(env!("CARGO"))
            .args(&args)
            .stderr(Stdio::inherit())
            .output()
            .expect("running cargo build");
        assert!(output.status.success(), "building the agent failed");
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter_map(|line| serde_json::from_str::<Value>(line).ok())
            .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == "ml-connector-agent")
            .filter_map(|m| m["executable"].as_str().map(PathBuf::from))
            .next_back()
            .expect("cargo reported the agent executable")
    })
    .clone()
}

/// Builds the PHP extension once per test process and returns the absolute path of the `.so`.
pub fn extension_so() -> PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        if let Some(path) = std::env::var_os("ML_CONNECTOR_SO") {
            return PathBuf::from(path);
        }
        let output = Command::new(env!("CARGO"))
            .args(["build", "-p", "ml-connector-php", "--message-format=json-render-diagnostics"])
            .stderr(Stdio::inherit())
            .output()
            .expect("running cargo build");
        assert!(output.status.success(), "building the extension failed");
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter_map(|line| serde_json::from_str::<Value>(line).ok())
            .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == "ml_connector")
            .flat_map(|m| m["filenames"].as_array().cloned().unwrap_or_default())
            .filter_map(|f| f.as_str().filter(|f| f.ends_with(".so")).map(PathBuf::from))
            .next_back()
            .expect("cargo reported the extension")
    })
    .clone()
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Deployment {
    /// BC online: API v2.0 with OAuth client credentials.
    BcOnline,
    /// BC on-premises: API v2.0 with Basic and the web service access key.
    BcOnPrem,
    /// Legacy NAV: OData V4 page web services only.
    NavPages,
}

pub struct StackOptions {
    pub deployment: Deployment,
    pub bc: bc_sim::Config,
    pub woo: woo_sim::Config,
    /// Reach WooCommerce over HTTPS (keys in Basic auth) instead of HTTP (OAuth 1.0a).
    pub woo_https: bool,
    /// Extra TOML appended to the agent's configuration.
    pub extra_toml: String,
    /// Start the agent right away.
    pub start_agent: bool,
    /// woo-sim plays the plugin and spools events (false: the hooks "missed" everything and
    /// only reconciliation can find the orders).
    pub plugin_events: bool,
}

impl Default for StackOptions {
    fn default() -> Self {
        let mut woo = woo_sim::Config::demo();
        woo.listen_tls = None;
        StackOptions { deployment: Deployment::BcOnline, bc: bc_sim::Config::demo(), woo, woo_https: false, extra_toml: String::new(), start_agent: true, plugin_events: true }
    }
}

/// Rules the tests share: web orders get CHANNEL=WEB and price group RETAIL; trade customers B2B.
pub const DEMO_RULES: &str = r#"
[[orders.rules]]
name = "Trade customers"
when = { email_domain = ["trade.example"] }
then = { dimensions = { CHANNEL = "B2B", CUSTOMERGROUP = "TRADE" }, price_group = "TRADE", customer_posting_group = "DOMESTIC", gen_bus_posting_group = "DOMESTIC", vat_bus_posting_group = "DOMESTIC" }

[[orders.rules]]
name = "Web shop"
when = { created_via = ["checkout", "store-api"] }
then = { dimensions = { CHANNEL = "WEB" }, price_group = "RETAIL" }
"#;

pub struct Stack {
    pub bc: bc_sim::RunningBcSim,
    pub woo: woo_sim::RunningWooSim,
    pub dir: tempfile::TempDir,
    pub config_path: PathBuf,
    pub log_path: PathBuf,
    pub keyring: Keyring,
    agent: std::sync::Mutex<AgentProcess>,
}

/// The agent child process; killed when dropped so a failing test leaves nothing running.
#[derive(Default)]
struct AgentProcess(Option<Child>);

impl Drop for AgentProcess {
    fn drop(&mut self) {
        if let Some(mut child) = self.0.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Stack {
    pub async fn start(options: StackOptions) -> anyhow::Result<Stack> {
        let dir = tempfile::tempdir()?;
        let spool = dir.path().join("spool/spool.db");
        let socket = dir.path().join("agent.sock");
        std::fs::create_dir_all(spool.parent().unwrap())?;
        let key_path = dir.path().join("vault.key");
        let keyring = Keyring::create(&key_path)?;
        let bc = bc_sim::start(options.bc).await?;
        let mut woo_config = options.woo;
        if options.woo_https && woo_config.listen_tls.is_none() {
            woo_config.listen_tls = Some("127.0.0.1:0".parse()?);
        }
        if options.plugin_events {
            woo_config.spool = Some(spool.clone());
            woo_config.wake_socket = Some(socket.clone());
        }
        let woo = woo_sim::start(woo_config).await?;
        let info = bc.info().clone();
        let secret = |purpose: &str, value: &str| keyring.encrypt(purpose, value.as_bytes());
        let nav = match options.deployment {
            Deployment::BcOnline => format!(
                "deployment = \"bc_online\"\n[nav]\ntenant = \"{}\"\nenvironment = \"{}\"\nclient_id = \"{}\"\nclient_secret = \"{}\"\nlogin_url = \"{}\"\napi_url = \"{}\"\n",
                info.tenant, info.environment, info.client_id, secret("nav.client_secret", &info.client_secret), info.base_url, info.base_url
            ),
            Deployment::BcOnPrem => format!(
                "deployment = \"bc_onprem\"\n[nav]\nbase_url = \"{}/{}\"\nuser = \"{}\"\naccess_key = \"{}\"\n",
                info.base_url, info.instance, info.basic_user, secret("nav.access_key", &info.basic_key)
            ),
            Deployment::NavPages => format!(
                "deployment = \"nav_onprem\"\n[nav]\nbase_url = \"{}/{}\"\nuser = \"{}\"\naccess_key = \"{}\"\n",
                info.base_url, info.instance, info.basic_user, secret("nav.access_key", &info.basic_key)
            ),
        };
        let (site_url, ca) = if options.woo_https {
            let cert = dir.path().join("woo.pem");
            std::fs::write(&cert, woo.cert_pem.clone().unwrap_or_default())?;
            (woo.https_url.clone().unwrap_or_default(), format!("ca_file = \"{}\"\n", cert.display()))
        } else {
            (woo.home_url.clone(), String::new())
        };
        let config = format!(
            "{nav}company = \"{company}\"\nrequests_per_second = 2000.0\nburst = 200\n\n\
             [agent]\nstate_dir = \"{state}\"\nspool_path = \"{spool}\"\nkey_path = \"{key}\"\nwake_socket = \"{socket}\"\n\
             poll_interval_ms = 200\nretry_base_ms = 100\nretry_cap_ms = 1500\nmax_attempts = 6\nlog_format = \"text\"\n\n\
             [woo]\nsite_url = \"{site_url}\"\nconsumer_key = \"{ck}\"\nconsumer_secret = \"{cs}\"\ntimeout_secs = 10\n{ca}\n\
             [schedules]\nreconcile_orders = \"every 2s\"\n\n{rules}\n",
            company = info.company_name,
            state = dir.path().join("state").display(),
            spool = spool.display(),
            key = key_path.display(),
            socket = socket.display(),
            ck = woo.consumer_key,
            cs = secret("woo.consumer_secret", &woo.consumer_secret),
            rules = DEMO_RULES,
        );
        // The test's own settings are merged in, key by key.
        let mut document: toml::Table = config.parse()?;
        merge(&mut document, options.extra_toml.parse::<toml::Table>()?);
        let config_path = dir.path().join("agent.toml");
        std::fs::write(&config_path, toml::to_string(&document)?)?;
        let log_path = dir.path().join("agent.log");
        let mut stack = Stack { bc, woo, dir, config_path, log_path, keyring, agent: std::sync::Mutex::new(AgentProcess::default()) };
        if options.start_agent {
            stack.start_agent()?;
        }
        Ok(stack)
    }

    /// Runs a PHP script in php-cli with the built extension loaded and pointed at this stack's
    /// spool, key and socket (as php.ini would on the web host). Extra `-d` settings override.
    pub fn php(&self, script: &str, overrides: &[(&str, String)]) -> Output {
        let path = self.dir.path().join("script.php");
        std::fs::write(&path, script).expect("writing the PHP script");
        let mut settings = vec![
            ("ml_connector.spool_path", self.spool_path().display().to_string()),
            ("ml_connector.key_path", self.dir.path().join("vault.key").display().to_string()),
            ("ml_connector.wake_socket", self.dir.path().join("agent.sock").display().to_string()),
        ];
        for (name, value) in overrides {
            settings.retain(|(n, _)| n != name);
            settings.push((name, value.clone()));
        }
        let mut command = Command::new("php");
        command.arg("-n").arg("-d").arg(format!("extension={}", extension_so().display()));
        for (name, value) in settings {
            command.arg("-d").arg(format!("{name}={value}"));
        }
        command.arg(&path).output().expect("running php")
    }

    pub fn spool_path(&self) -> PathBuf {
        self.dir.path().join("spool/spool.db")
    }

    pub fn state_path(&self) -> PathBuf {
        self.dir.path().join("state/state.db")
    }

    pub fn start_agent(&mut self) -> anyhow::Result<()> {
        if self.agent.lock().unwrap().0.is_some() {
            bail!("the agent is already running");
        }
        let log = std::fs::OpenOptions::new().create(true).append(true).open(&self.log_path)?;
        let child = Command::new(agent_binary())
            .args(["--config", &self.config_path.display().to_string(), "run", "--reconcile-lookback-hours", "1"])
            .env("ML_CONNECTOR_LOG", "info")
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .context("starting the agent")?;
        self.agent.lock().unwrap().0 = Some(child);
        Ok(())
    }

    /// `kill -9`: no chance to finish anything.
    pub fn kill_agent(&mut self) {
        if let Some(mut child) = self.agent.lock().unwrap().0.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// SIGTERM and wait for a clean stop; returns the exit status code.
    pub fn stop_agent(&mut self) -> Option<i32> {
        let mut child = self.agent.lock().unwrap().0.take()?;
        unsafe {
            libc::kill(child.id() as i32, libc::SIGTERM);
        }
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(Some(status)) = child.try_wait() {
                return status.code();
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The agent's process id, for reading its memory.
    pub fn agent_pid(&self) -> Option<u32> {
        self.agent.lock().unwrap().0.as_ref().map(|c| c.id())
    }

    pub fn agent_running(&self) -> bool {
        match &mut self.agent.lock().unwrap().0 {
            Some(child) => matches!(child.try_wait(), Ok(None)),
            None => false,
        }
    }

    /// Runs an agent command (status, audit, replay...) with this stack's config.
    pub fn cli(&self, args: &[&str]) -> Output {
        Command::new(agent_binary())
            .arg("--config")
            .arg(&self.config_path)
            .args(args)
            .output()
            .expect("running the agent CLI")
    }

    pub fn status(&self) -> Value {
        let output = self.cli(&["status", "--json"]);
        serde_json::from_slice(&output.stdout).unwrap_or(Value::Null)
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log_path).unwrap_or_default()
    }

    /// Places an order as a checkout would (woo-sim control API), returns its JSON.
    pub async fn place_order(&self, order: Value) -> anyhow::Result<Value> {
        let request: woo_sim::PlaceOrder = serde_json::from_value(order)?;
        self.woo.control().place_order(request).await.map_err(|e| anyhow::anyhow!("{e}"))
    }

    /// NAV's sales orders (every company record, as the simulator holds them).
    pub fn sales_orders(&self) -> Vec<Value> {
        self.bc.control().entity_set(None, "salesOrders").unwrap_or_default()
    }

    /// Sales orders with this external document number.
    pub fn sales_orders_for(&self, external: &str) -> Vec<Value> {
        self.sales_orders().into_iter().filter(|o| o["externalDocumentNumber"] == external).collect()
    }

    pub fn woo_order(&self, id: i64) -> Value {
        self.woo.control().order(id).unwrap_or(Value::Null)
    }

    pub fn set_bc_faults(&self, faults: bc_sim::FaultSettings) {
        self.bc.control().faults().set(faults).expect("valid fault settings");
    }

    /// Requests NAV received after journal position `since` (token requests excluded).
    pub fn nav_requests_since(&self, since: u64) -> Vec<String> {
        self.bc
            .control()
            .journal()
            .since(since)
            .into_iter()
            .filter(|r| !r.uri.contains("/oauth2/"))
            .map(|r| format!("{} {}", r.method, r.uri))
            .collect()
    }

    /// Audit entries (summaries) about an order.
    pub fn audit_for(&self, order_id: i64) -> Vec<Value> {
        let output = self.cli(&["audit", "list", "--order", &order_id.to_string(), "--limit", "500", "--json"]);
        serde_json::from_slice(&output.stdout).unwrap_or_default()
    }

    /// Waits until every job is finished (nothing pending or running, spool empty).
    pub async fn wait_idle(&self, timeout: Duration) -> anyhow::Result<Value> {
        let deadline = Instant::now() + timeout;
        loop {
            let status = self.status();
            let q = &status["queue"];
            if q["pending"] == 0 && q["running"] == 0 && q["spool"] == 0 && !status.is_null() {
                return Ok(status);
            }
            if Instant::now() > deadline || !self.agent_running() {
                bail!("not idle after {timeout:?} (agent running: {}): {status}\n--- agent log ---\n{}", self.agent_running(), self.log());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn shutdown(mut self) {
        self.stop_agent();
        self.bc.shutdown().await;
        self.woo.shutdown().await;
    }
}

fn merge(target: &mut toml::Table, extra: toml::Table) {
    for (key, value) in extra {
        match (target.get_mut(&key), value) {
            (Some(toml::Value::Table(existing)), toml::Value::Table(more)) => merge(existing, more),
            (_, value) => {
                target.insert(key, value);
            }
        }
    }
}

/// Waits until `check` returns `Some`, polling; fails with `what` after the timeout.
pub async fn eventually<T>(timeout: Duration, what: &str, mut check: impl FnMut() -> Option<T>) -> anyhow::Result<T> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(value) = check() {
            return Ok(value);
        }
        if Instant::now() > deadline {
            bail!("timed out after {timeout:?} waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Reads a whole file, for scanning for secrets in clear.
pub fn bytes_of(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_default()
}

/// A loopback port free right now, for a listener the agent opens (metrics, webhooks): bound and
/// released, so another process could take it in between — good enough on a test machine.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free loopback port")
}
