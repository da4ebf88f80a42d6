//! Security checks on a real run (secrets.rs covers the CLI's output and the clear form of the
//! secrets in every file; this extends it):
//! - after orders — one synced, one NAV keeps failing until it parks — with the agent logging at
//!   `debug`, no configured secret (NAV client secret or access key, WooCommerce consumer secret
//!   and key, and the Basic credentials built from them) is in the spool, the state database, the
//!   decrypted audit trail, the agent's stdout/stderr or the site settings WP admin stored — in
//!   clear, base64, URL-encoded, JSON-escaped or hex;
//! - the vault key, the spool and the state database have the modes docs/operations.md designs;
//! - TLS certificates are verified by default, nothing in the configuration turns that off, and
//!   the one relaxation (an extra trusted root, `woo.ca_file`) is logged.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use ml_connector_e2e::{agent_binary, Deployment, Stack, StackOptions};
use ml_connector_formats::{Event, EventKind, Spool};
use serde_json::{json, Value};

const BASE64_STANDARD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn base64(bytes: &[u8], alphabet: &[u8; 64], pad: bool) -> String {
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = (u32::from(chunk[0]) << 16) | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8) | u32::from(*chunk.get(2).unwrap_or(&0));
        for i in 0..=chunk.len() {
            out.push(alphabet[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
        if pad {
            out.push_str(&"=".repeat(3 - chunk.len()));
        }
    }
    out
}

/// `%XX` for every byte but `A-Za-z0-9-_.~` (PHP rawurlencode); `plus` writes spaces as `+`.
fn percent(text: &str, plus: bool) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            b' ' if plus => "+".into(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The forms a secret could take in a file or a log line.
fn encodings(secret: &str) -> Vec<(&'static str, String)> {
    let url_safe: [u8; 64] = std::array::from_fn(|i| match BASE64_STANDARD[i] {
        b'+' => b'-',
        b'/' => b'_',
        c => c,
    });
    let json = serde_json::to_string(secret).unwrap();
    vec![
        ("clear", secret.to_string()),
        ("base64", base64(secret.as_bytes(), BASE64_STANDARD, true)),
        ("base64 unpadded", base64(secret.as_bytes(), BASE64_STANDARD, false)),
        ("base64url", base64(secret.as_bytes(), &url_safe, false)),
        ("percent-encoded", percent(secret, false)),
        ("form-encoded", percent(secret, true)),
        ("percent-encoded lower-case", percent(secret, false).to_lowercase()),
        ("JSON-escaped", json[1..json.len() - 1].to_string()),
        ("hex", secret.bytes().map(|b| format!("{b:02x}")).collect()),
    ]
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// The agent as a child logging at `debug` (more than production's `info`): whatever it logs
/// about requests, answers and errors is scanned. Killed when dropped.
struct DebugAgent(Child);

impl Drop for DebugAgent {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_debug_agent(stack: &Stack, log: &Path) -> DebugAgent {
    let out = std::fs::OpenOptions::new().create(true).append(true).open(log).unwrap();
    let child = Command::new(agent_binary())
        .args(["--config", &stack.config_path.display().to_string(), "run", "--reconcile-lookback-hours", "1"])
        .env("ML_CONNECTOR_LOG", "debug")
        .stdout(out.try_clone().unwrap())
        .stderr(out)
        .spawn()
        .unwrap();
    DebugAgent(child)
}

/// Waits until nothing is pending, running or in the spool, and `done` holds for the status.
async fn settle(stack: &Stack, agent: &mut DebugAgent, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let status = stack.status();
        let q = &status["queue"];
        if q["pending"] == 0 && q["running"] == 0 && q["spool"] == 0 && done(&status) {
            return status;
        }
        assert!(matches!(agent.0.try_wait(), Ok(None)), "the agent stopped");
        assert!(Instant::now() < deadline, "not settled: {status}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The site settings document as WP admin stores it: secrets as envelopes for their purpose.
fn site_document(stack: &Stack, deployment: Deployment) -> Value {
    let info = stack.bc.info().clone();
    let nav = match deployment {
        Deployment::BcOnline => json!({"tenant": info.tenant, "environment": info.environment, "company": info.company_name, "client_id": info.client_id,
            "client_secret": stack.keyring.encrypt("nav.client_secret", info.client_secret.as_bytes()), "login_url": info.base_url, "api_url": info.base_url}),
        _ => json!({"base_url": format!("{}/{}", info.base_url, info.instance), "user": info.basic_user, "company": info.company_name,
            "access_key": stack.keyring.encrypt("nav.access_key", info.basic_key.as_bytes())}),
    };
    let deployment = if deployment == Deployment::BcOnline { "bc_online" } else { "bc_onprem" };
    json!({"schema": 1, "deployment": deployment, "nav": nav,
           "woo": {"consumer_secret": stack.keyring.encrypt("woo.consumer_secret", stack.woo.consumer_secret.as_bytes())}})
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(files_under(&path));
        } else if path.is_file() {
            found.push(path);
        }
    }
    found
}

/// One run: the site document stored, an order synced, one parked after NAV failed it, then every
/// place scanned.
async fn no_secret_after_a_run(deployment: Deployment, woo_https: bool) {
    let stack = Stack::start(StackOptions { deployment, woo_https, start_agent: false, ..Default::default() }).await.unwrap();
    let info = stack.bc.info().clone();
    let (ck, cs) = (stack.woo.consumer_key.clone(), stack.woo.consumer_secret.clone());
    let mut secrets = vec![
        ("NAV client secret", info.client_secret.clone()),
        ("NAV access key", info.basic_key.clone()),
        ("WooCommerce consumer secret", cs.clone()),
        ("WooCommerce consumer key", ck.clone()),
    ];
    // What an Authorization: Basic header carries.
    secrets.push(("Woo Basic credentials", base64(format!("{ck}:{cs}").as_bytes(), BASE64_STANDARD, true)));
    secrets.push(("NAV Basic credentials", base64(format!("{}:{}", info.basic_user, info.basic_key).as_bytes(), BASE64_STANDARD, true)));

    let spool = Spool::open(&stack.spool_path()).unwrap();
    spool.put_setting("site", &site_document(&stack, deployment).to_string()).unwrap();
    spool.enqueue(&Event::new(EventKind::SettingsUpdated, 0, "admin", json!({})), "extension").unwrap();
    let log = stack.dir.path().join("agent-debug.log");
    let mut agent = start_debug_agent(&stack, &log);

    let order = |sku: &str| json!({"checkout": "classic", "customer_id": 2, "items": [{"sku": sku, "quantity": 1}], "payment_method": "card"});
    stack.place_order(order("1900-S")).await.unwrap();
    settle(&stack, &mut agent, |s| s["queue"]["parked"] == 0).await;
    // A failed sync: NAV answers 500 to every sales order request until the job has used its
    // attempts and parks with the reason.
    stack.set_bc_faults(bc_sim::FaultSettings { error_rate: 1.0, error_status: 500, only_uri_containing: Some("salesOrders".into()), ..Default::default() });
    stack.place_order(order("1896-S")).await.unwrap();
    settle(&stack, &mut agent, |s| s["queue"]["parked"] == 1).await;
    stack.set_bc_faults(bc_sim::FaultSettings::default());

    let entries: Vec<Value> = serde_json::from_slice(&stack.cli(&["audit", "list", "--limit", "500", "--json"]).stdout).unwrap();
    assert!(entries.len() >= 2, "the audit trail recorded the run: {entries:?}");
    let mut audit = Vec::new();
    for entry in &entries {
        audit.extend(stack.cli(&["audit", "show", &entry["id"].to_string(), "--json"]).stdout);
    }
    drop(agent);
    let stored_site = spool.setting("site").unwrap().unwrap_or_default();
    drop(spool);

    let mut places: Vec<(String, Vec<u8>)> = vec![("decrypted audit trail".into(), audit), ("site settings in the spool".into(), stored_site.into_bytes())];
    for path in files_under(stack.dir.path()) {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        // The key and the sysadmin's own configuration file (secrets there are envelopes too,
        // secrets.rs checks it; the consumer key is in it by design) are not the agent's writing.
        if name.starts_with("spool.db") || name.starts_with("state.db") || name.ends_with(".log") {
            places.push((path.display().to_string(), std::fs::read(&path).unwrap()));
        }
    }
    for name in ["spool.db", "state.db", "agent-debug.log"] {
        assert!(places.iter().any(|(p, _)| p.ends_with(name)), "{name} was scanned");
    }
    let mut found = Vec::new();
    for (what, secret) in &secrets {
        for (encoding, form) in encodings(secret) {
            for (place, bytes) in &places {
                if contains(bytes, &form) {
                    found.push(format!("{what} ({encoding}) in {place}"));
                }
            }
        }
    }
    assert!(found.is_empty(), "secrets found:\n{}", found.join("\n"));
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn bc_online_and_woo_over_http_leave_no_secret_in_any_encoding() {
    no_secret_after_a_run(Deployment::BcOnline, false).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn bc_onprem_and_woo_over_https_leave_no_secret_in_any_encoding() {
    no_secret_after_a_run(Deployment::BcOnPrem, true).await;
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).permissions().mode() & 0o7777
}

#[tokio::test(flavor = "multi_thread")]
async fn key_spool_and_state_files_have_the_designed_modes() {
    let mut stack = Stack::start(StackOptions::default()).await.unwrap();
    stack.place_order(json!({"checkout": "classic", "customer_id": 2, "items": [{"sku": "1900-S", "quantity": 1}], "payment_method": "card"})).await.unwrap();
    stack.wait_idle(Duration::from_secs(60)).await.unwrap();
    let dir = stack.dir.path().to_path_buf();
    // docs/operations.md: the key 0640 (0600 where the umask is stricter), shared with the web
    // server's group but nobody else.
    let key = mode(&dir.join("vault.key"));
    assert!(key == 0o640 || key == 0o600, "vault.key mode {key:o}");
    // The spool and its WAL files 0660: the web server's workers write it, nobody else reads it.
    for name in ["spool.db", "spool.db-wal", "spool.db-shm"] {
        assert_eq!(mode(&dir.join("spool").join(name)), 0o660, "{name}");
    }
    // The state database (jobs, bindings, the audit vault) is the agent's alone.
    for name in ["state.db", "state.db-wal", "state.db-shm"] {
        assert_eq!(mode(&dir.join("state").join(name)), 0o600, "{name}");
    }
    assert_eq!(mode(&dir.join("agent.sock")) & 0o777, 0o660, "wake socket");
    stack.stop_agent();
    // Whatever the agent and the extension wrote (the harness writes the config and the log).
    for path in files_under(&dir.join("spool")).into_iter().chain(files_under(&dir.join("state"))) {
        assert_eq!(mode(&path) & 0o007, 0, "{} is open to others", path.display());
    }
    stack.shutdown().await;
}

#[test]
fn init_makes_the_designed_directories_key_and_spool() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let config = root.join("agent.toml");
    std::fs::write(
        &config,
        format!(
            "[agent]\nstate_dir = \"{0}/state\"\nspool_path = \"{0}/state/spool/spool.db\"\nkey_path = \"{0}/etc/vault.key\"\nwake_socket = \"{0}/agent.sock\"\n",
            root.display()
        ),
    )
    .unwrap();
    let output = Command::new(agent_binary()).arg("--config").arg(&config).arg("init").stdin(Stdio::null()).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(mode(&root.join("state")), 0o750);
    assert_eq!(mode(&root.join("state/spool")), 0o2770, "setgid, shared with the web group");
    assert_eq!(mode(&root.join("etc")), 0o750);
    let key = mode(&root.join("etc/vault.key"));
    assert!(key == 0o640 || key == 0o600, "vault.key mode {key:o}");
    assert_eq!(mode(&root.join("state/spool/spool.db")), 0o660);
}

fn check(stack: &Stack) -> (bool, String) {
    let output = stack.cli(&["check"]);
    (output.status.success(), format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr)))
}

#[tokio::test(flavor = "multi_thread")]
async fn tls_is_verified_by_default_cannot_be_turned_off_and_an_extra_root_is_logged() {
    let stack = Stack::start(StackOptions { woo_https: true, start_agent: false, ..Default::default() }).await.unwrap();
    let with_root = std::fs::read_to_string(&stack.config_path).unwrap();
    let mut table: toml::Table = with_root.parse().unwrap();
    let ca_file = table["woo"]["ca_file"].as_str().unwrap().to_string();

    // With the simulator's certificate as an extra root: connects, and says so in the log.
    let (ok, text) = check(&stack);
    assert!(ok, "{text}");
    assert!(text.contains("also trusting the certificate authority") && text.contains(&ca_file), "the extra root is not logged:\n{text}");

    // Without it the self-signed certificate is refused: verification is on by default.
    table.get_mut("woo").and_then(toml::Value::as_table_mut).unwrap().remove("ca_file");
    std::fs::write(&stack.config_path, toml::to_string(&table).unwrap()).unwrap();
    let (ok, text) = check(&stack);
    assert!(!ok, "a self-signed certificate was accepted:\n{text}");
    assert!(text.to_lowercase().contains("certificate"), "the refusal does not name the certificate:\n{text}");
    assert!(!text.contains("also trusting"), "no extra root, nothing to log:\n{text}");

    // No setting turns verification off: the usual names are refused as unknown.
    for (section, key) in [("woo", "danger_accept_invalid_certs"), ("woo", "verify_tls"), ("woo", "insecure"), ("nav", "verify_tls"), ("agent", "tls_verify")] {
        let mut attempt = table.clone();
        attempt.entry(section).or_insert(toml::Value::Table(toml::Table::new())).as_table_mut().unwrap().insert(key.into(), toml::Value::Boolean(false));
        std::fs::write(&stack.config_path, toml::to_string(&attempt).unwrap()).unwrap();
        let (ok, text) = check(&stack);
        assert!(!ok && text.contains(key), "{section}.{key} was not refused:\n{text}");
    }
    stack.shutdown().await;
}
