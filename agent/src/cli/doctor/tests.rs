//! One test per doctor check: a healthy installation in a temp dir passes, and each check finds its
//! own broken precondition. Accounts, `php -m` and the FPM ini directory are injected; NAV and
//! WooCommerce are a tiny HTTP server on 127.0.0.1 with a canned answer.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};

use ml_connector_formats::{Keyring, Spool};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::{examine, report, CommandOutput, Finding, Host, Verdict};

const MODULES: &str = "[PHP Modules]\nCore\nml_connector\njson\n\n[Zend Modules]\n\n";

/// A complete, healthy installation: the agent user owns the files (as `init` makes them), the web
/// group is the test process's group, the agent "runs" (a bound socket and a fresh heartbeat).
struct Installation {
    dir: tempfile::TempDir,
    config: PathBuf,
    host: Host,
    socket: Option<UnixDatagram>,
}

impl Installation {
    fn new() -> Installation {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        // The web group must be able to enter the temp dir, like /var/lib and /etc.
        chmod(root, 0o755);
        let meta = std::fs::metadata(root).unwrap();
        let (uid, gid) = (meta.uid(), meta.gid());
        std::fs::write(root.join("passwd"), format!("root:x:0:0::/root:/bin/sh\nml-connector:x:{uid}:{gid}::/nonexistent:/usr/sbin/nologin\n")).unwrap();
        std::fs::write(root.join("group"), format!("root:x:0:\nwww-data:x:{gid}:\n")).unwrap();
        let state = root.join("state");
        std::fs::create_dir_all(state.join("spool")).unwrap();
        chmod(&state, 0o750);
        chmod(&state.join("spool"), 0o2770);
        std::fs::create_dir(root.join("etc")).unwrap();
        chmod(&root.join("etc"), 0o750);
        Keyring::create(&root.join("etc/vault.key")).unwrap();
        let spool = Spool::open(&state.join("spool/spool.db")).unwrap();
        spool.put_status("heartbeat", r#"{"at":"now","pid":42,"version":"0.1.0"}"#).unwrap();
        let socket = UnixDatagram::bind(root.join("agent.sock")).unwrap();
        chmod(&root.join("agent.sock"), 0o660);
        let fpm = root.join("php/8.2/fpm/conf.d");
        std::fs::create_dir_all(&fpm).unwrap();
        let mut installation = Installation {
            config: root.join("etc/agent.toml"),
            host: Host {
                passwd: root.join("passwd"),
                group: root.join("group"),
                agent_user: "ml-connector".into(),
                web_group: "www-data".into(),
                php: "php".into(),
                fpm_ini_dir: fpm,
                run: Box::new(|_, _| Ok(CommandOutput { success: true, stdout: MODULES.into(), stderr: String::new() })),
                now: chrono::Utc::now(),
            },
            socket: Some(socket),
            dir,
        };
        installation.write_config("", "");
        installation.write_fpm_ini("");
        installation
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    /// agent.toml with the paths of this installation, plus top-level keys and tables.
    fn write_config(&mut self, top: &str, tables: &str) {
        let text = format!(
            "{top}\n[agent]\nstate_dir = \"{}\"\nspool_path = \"{}\"\nkey_path = \"{}\"\nwake_socket = \"{}\"\n{tables}\n",
            self.path("state").display(),
            self.path("state/spool/spool.db").display(),
            self.path("etc/vault.key").display(),
            self.path("agent.sock").display(),
        );
        std::fs::write(&self.config, text).unwrap();
        chmod(&self.config, 0o640);
    }

    fn write_fpm_ini(&self, extra: &str) {
        let text = format!(
            "; priority=20\nextension=ml_connector.so\nml_connector.spool_path = {}\nml_connector.key_path = {}\nml_connector.wake_socket = {}\n{extra}\n",
            self.path("state/spool/spool.db").display(),
            self.path("etc/vault.key").display(),
            self.path("agent.sock").display(),
        );
        std::fs::write(self.host.fpm_ini_dir.join("20-ml_connector.ini"), text).unwrap();
    }

    async fn findings(&self) -> Vec<Finding> {
        examine(Some(&self.config), &self.host).await
    }

    async fn finding(&self, name: &str) -> Finding {
        self.findings().await.into_iter().find(|f| f.name == name).unwrap_or_else(|| panic!("no finding {name}"))
    }

    /// Asserts the check fails and gives a fix; returns the finding for further assertions.
    async fn fails(&self, name: &str) -> Finding {
        let finding = self.finding(name).await;
        assert_eq!(finding.verdict, Verdict::Fail, "{finding:?}");
        assert!(finding.fix.as_deref().is_some_and(|fix| !fix.is_empty()), "{finding:?}");
        finding
    }
}

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// An HTTP server on 127.0.0.1 that gives every request the same answer; returns its base URL.
async fn serve(status: u16, body: &'static str, date: String) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let date = date.clone();
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buf = [0u8; 4096];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let answer = format!(
                    "HTTP/1.1 {status} Canned\r\nDate: {date}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(answer.as_bytes()).await;
                let _ = stream.shutdown().await;
            });
        }
    });
    format!("http://{address}")
}

fn http_date_now() -> String {
    chrono::Utc::now().format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

#[tokio::test]
async fn healthy_installation_passes_every_check() {
    let installation = Installation::new();
    let findings = installation.findings().await;
    for finding in &findings {
        let expected = match finding.name {
            // Nothing configured yet: a supported state, not a failure.
            "nav" | "woo" => Verdict::Warn,
            "clock" => Verdict::Skip,
            _ => Verdict::Ok,
        };
        assert_eq!(finding.verdict, expected, "{finding:?}");
    }
    let names: Vec<&str> = findings.iter().map(|f| f.name).collect();
    assert_eq!(
        names,
        ["accounts", "config", "state", "key", "spool.dir", "spool", "spool.schema", "socket", "php.cli", "php.fpm", "agent", "settings", "clock", "nav", "woo"]
    );
}

#[tokio::test]
async fn accounts_check_finds_a_missing_agent_user() {
    let installation = Installation::new();
    std::fs::write(&installation.host.passwd, "root:x:0:0::/root:/bin/sh\n").unwrap();
    let finding = installation.fails("accounts").await;
    assert!(finding.fix.unwrap().starts_with("adduser --system --ingroup www-data"));
}

#[tokio::test]
async fn config_check_finds_an_invalid_file() {
    let mut installation = Installation::new();
    installation.write_config("", "concurrency = 0");
    let finding = installation.fails("config").await;
    assert!(finding.detail.contains("agent.concurrency"), "{finding:?}");
}

#[tokio::test]
async fn config_check_finds_a_file_the_agent_cannot_read() {
    let installation = Installation::new();
    // The agent owns it here; no owner bits.
    chmod(&installation.config, 0o040);
    let finding = installation.fails("config").await;
    // As root the doctor reads it and judges the mode; as another user its own read fails.
    assert!(finding.detail.contains("cannot read") || finding.detail.contains("Permission denied"), "{finding:?}");
}

#[tokio::test]
async fn state_check_finds_a_state_directory_open_to_every_user() {
    let installation = Installation::new();
    chmod(&installation.path("state"), 0o755);
    let finding = installation.fails("state").await;
    assert!(finding.fix.unwrap().contains("chmod 0750"));
}

#[tokio::test]
async fn key_check_finds_a_key_the_web_group_cannot_read() {
    let installation = Installation::new();
    chmod(&installation.path("etc/vault.key"), 0o600);
    let finding = installation.fails("key").await;
    assert!(finding.detail.contains("the web group www-data cannot read"), "{finding:?}");
    let key = installation.path("etc/vault.key").display().to_string();
    assert_eq!(finding.fix.unwrap(), format!("chown ml-connector:www-data {key} && chmod 0640 {key}"));
}

#[tokio::test]
async fn key_check_finds_a_key_every_user_can_read() {
    let installation = Installation::new();
    chmod(&installation.path("etc/vault.key"), 0o644);
    let finding = installation.fails("key").await;
    assert!(finding.detail.contains("readable by every user"), "{finding:?}");
}

#[tokio::test]
async fn key_check_finds_a_key_directory_the_web_group_cannot_enter() {
    let installation = Installation::new();
    chmod(&installation.path("etc"), 0o700);
    let finding = installation.fails("key").await;
    assert!(finding.detail.contains("cannot enter"), "{finding:?}");
    assert!(finding.fix.unwrap().contains("chmod g+x"));
}

#[tokio::test]
async fn key_check_finds_a_missing_key() {
    let installation = Installation::new();
    std::fs::remove_file(installation.path("etc/vault.key")).unwrap();
    let finding = installation.fails("key").await;
    assert_eq!(finding.fix.unwrap(), "ml-connector-agent init --agent-user ml-connector --web-group www-data");
}

#[tokio::test]
async fn spool_dir_check_finds_a_directory_without_setgid() {
    let installation = Installation::new();
    chmod(&installation.path("state/spool"), 0o770);
    let finding = installation.fails("spool.dir").await;
    assert!(finding.detail.contains("not setgid"), "{finding:?}");
}

#[tokio::test]
async fn spool_dir_check_finds_a_directory_of_another_group() {
    let installation = Installation::new();
    let gid = std::fs::metadata(installation.path("state/spool")).unwrap().gid();
    std::fs::write(&installation.host.group, format!("www-data:x:{}:\n", gid.wrapping_add(1))).unwrap();
    let finding = installation.fails("spool.dir").await;
    assert!(finding.detail.contains("does not belong to the group www-data"), "{finding:?}");
}

#[tokio::test]
async fn spool_check_finds_a_spool_the_web_group_cannot_write() {
    let installation = Installation::new();
    chmod(&installation.path("state/spool/spool.db"), 0o640);
    let finding = installation.fails("spool").await;
    assert!(finding.detail.contains("the web group www-data cannot read and write"), "{finding:?}");
}

#[tokio::test]
async fn spool_schema_check_finds_a_newer_schema() {
    let installation = Installation::new();
    let conn = rusqlite::Connection::open(installation.path("state/spool/spool.db")).unwrap();
    conn.execute_batch("PRAGMA user_version = 99").unwrap();
    let finding = installation.fails("spool.schema").await;
    assert!(finding.detail.contains("newer than this agent"), "{finding:?}");
}

#[tokio::test]
async fn socket_check_finds_a_socket_nobody_listens_on() {
    let mut installation = Installation::new();
    installation.socket = None;
    let finding = installation.fails("socket").await;
    assert!(finding.detail.contains("nobody listens"), "{finding:?}");
}

#[tokio::test]
async fn socket_check_finds_a_socket_the_web_group_cannot_write() {
    let installation = Installation::new();
    chmod(&installation.path("agent.sock"), 0o600);
    let finding = installation.fails("socket").await;
    assert!(finding.detail.contains("the web group www-data cannot write"), "{finding:?}");
}

#[tokio::test]
async fn php_cli_check_finds_the_extension_not_loaded() {
    let mut installation = Installation::new();
    installation.host.run = Box::new(|_, _| {
        Ok(CommandOutput {
            success: true,
            stdout: "[PHP Modules]\nCore\n".into(),
            stderr: "PHP Warning:  PHP Startup: Unable to load dynamic library 'ml_connector.so'\n".into(),
        })
    });
    let finding = installation.fails("php.cli").await;
    assert!(finding.detail.contains("Unable to load dynamic library"), "{finding:?}");
    assert_eq!(finding.fix.unwrap(), "phpenmod -v 8.2 -s cli ml_connector");
}

#[tokio::test]
async fn php_fpm_check_finds_no_ini_loading_the_extension() {
    let installation = Installation::new();
    std::fs::remove_file(installation.host.fpm_ini_dir.join("20-ml_connector.ini")).unwrap();
    let finding = installation.fails("php.fpm").await;
    assert!(finding.fix.unwrap().starts_with("phpenmod -v 8.2 -s fpm ml_connector"));
}

#[tokio::test]
async fn php_fpm_check_finds_a_spool_path_other_than_the_agents() {
    let installation = Installation::new();
    std::fs::write(installation.host.fpm_ini_dir.join("30-override.ini"), "ml_connector.spool_path = /srv/elsewhere/spool.db\n").unwrap();
    let finding = installation.fails("php.fpm").await;
    assert!(finding.detail.contains("/srv/elsewhere/spool.db"), "{finding:?}");
}

#[tokio::test]
async fn heartbeat_check_finds_an_agent_that_stopped() {
    let mut installation = Installation::new();
    installation.host.now = chrono::Utc::now() + chrono::Duration::seconds(120);
    let finding = installation.fails("agent").await;
    assert!(finding.detail.contains("not running"), "{finding:?}");
}

#[tokio::test]
async fn settings_check_finds_unusable_wp_admin_settings() {
    let installation = Installation::new();
    let spool = Spool::open(&installation.path("state/spool/spool.db")).unwrap();
    spool.put_setting("site", r#"{"schema":1,"deployment":"mainframe"}"#).unwrap();
    let finding = installation.fails("settings").await;
    assert!(finding.detail.contains("mainframe"), "{finding:?}");
}

#[tokio::test]
async fn clock_check_finds_a_host_clock_far_from_the_servers() {
    let mut installation = Installation::new();
    let woo = serve(200, "[]", "Mon, 01 Jan 2024 00:00:00 GMT".into()).await;
    installation.write_config("", &format!("[woo]\nsite_url = \"{woo}\"\nconsumer_key = \"ck_test\"\nconsumer_secret = \"cs_test\""));
    let finding = installation.fails("clock").await;
    assert!(finding.detail.contains("ahead of WooCommerce's"), "{finding:?}");
    assert_eq!(finding.fix.unwrap(), "timedatectl set-ntp true");
}

#[tokio::test]
async fn nav_check_finds_a_company_the_server_does_not_have() {
    let mut installation = Installation::new();
    let nav = serve(200, r#"{"value":[{"Name":"Other Ltd."}]}"#, http_date_now()).await;
    installation.write_config(
        "deployment = \"nav_onprem\"",
        &format!("[nav]\nbase_url = \"{nav}/BC\"\nuser = \"WEBSHOP\"\naccess_key = \"key\"\ncompany = \"CRONUS\""),
    );
    let finding = installation.fails("nav").await;
    assert!(finding.detail.contains("Other Ltd."), "{finding:?}");
    assert_eq!(installation.finding("clock").await.verdict, Verdict::Ok);
}

#[tokio::test]
async fn woo_check_finds_a_key_woocommerce_refuses() {
    let mut installation = Installation::new();
    let woo = serve(401, r#"{"code":"woocommerce_rest_authentication_error","message":"Invalid signature"}"#, http_date_now()).await;
    installation.write_config("", &format!("[woo]\nsite_url = \"{woo}\"\nconsumer_key = \"ck_test\"\nconsumer_secret = \"cs_test\""));
    let finding = installation.fails("woo").await;
    assert!(finding.detail.contains("refused"), "{finding:?}");
}

#[test]
fn report_fails_on_a_failure_but_not_on_warnings_or_skips() {
    let warn = Finding::warn("nav", "not configured", "configure it");
    let skip = Finding::skip("clock", "nothing to compare with");
    let (text, ok) = report(&[warn.clone(), skip.clone()], true).unwrap();
    assert!(ok);
    let document: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(document["ok"], true);
    assert_eq!(document["checks"][0]["verdict"], "warn");
    assert_eq!(document["checks"][0]["fix"], "configure it");
    assert!(document["checks"][1].get("fix").is_none());
    let fail = Finding::fail("key", "no vault key", "ml-connector-agent init");
    let (text, ok) = report(&[warn, fail], false).unwrap();
    assert!(!ok);
    assert!(text.contains("FAIL  key           no vault key\n                    fix: ml-connector-agent init\n"), "{text}");
    assert!(text.ends_with("1 problem(s) found\n"));
}
