//! `ml-connector-agent doctor`: checks what a working installation needs — the accounts, the
//! configuration, the state directory, the vault key, the spool (directory, file, schema), the wake
//! socket, the PHP extension in the CLI and in PHP-FPM, the agent's heartbeat, the clock, NAV and
//! WooCommerce — and gives, for each problem, the one line that fixes it. Exits 1 when a check fails.
//!
//! Files are judged for the agent user and the web group (see `access`), not for whoever runs the
//! doctor: run as root it could read everything. The doctor creates nothing and writes nothing of
//! its own: it never creates the spool, and the live checks use a throw-away state store.

mod access;
mod files;
mod php;
mod remote;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use serde::Serialize;

use crate::config;
use access::{Directory, Identity};

#[derive(Args)]
pub struct DoctorArgs {
    /// Print JSON: `{"ok": bool, "checks": [{"name", "verdict", "detail", "fix"}]}`.
    #[arg(long)]
    pub json: bool,
    /// The user the agent runs as (the unit's User=).
    #[arg(long, default_value = "ml-connector")]
    pub agent_user: String,
    /// The web server's group, shared with PHP-FPM's workers (the unit's Group=).
    #[arg(long, default_value = "www-data")]
    pub web_group: String,
    /// The PHP command line binary to ask for its modules.
    #[arg(long, default_value = "php")]
    pub php: String,
    /// PHP-FPM's ini scan directory, where the extension's ini must be linked.
    #[arg(long, default_value = "/etc/php/8.2/fpm/conf.d")]
    pub fpm_ini_dir: PathBuf,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Ok,
    /// Not broken, but not finished either (e.g. NAV not configured yet).
    Warn,
    Fail,
    /// Not checked: nothing to check against, or something checked earlier is missing.
    Skip,
}

#[derive(Clone, Debug, Serialize)]
pub struct Finding {
    pub name: &'static str,
    pub verdict: Verdict,
    pub detail: String,
    /// The one line that fixes it (for warnings and failures).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

impl Finding {
    fn ok(name: &'static str, detail: impl Into<String>) -> Finding {
        Finding { name, verdict: Verdict::Ok, detail: detail.into(), fix: None }
    }
    fn warn(name: &'static str, detail: impl Into<String>, fix: impl Into<String>) -> Finding {
        Finding { name, verdict: Verdict::Warn, detail: detail.into(), fix: Some(fix.into()) }
    }
    fn fail(name: &'static str, detail: impl Into<String>, fix: impl Into<String>) -> Finding {
        Finding { name, verdict: Verdict::Fail, detail: detail.into(), fix: Some(fix.into()) }
    }
    fn skip(name: &'static str, detail: impl Into<String>) -> Finding {
        Finding { name, verdict: Verdict::Skip, detail: detail.into(), fix: None }
    }
}

/// What a command printed.
pub struct CommandOutput {
    pub success: bool,
    pub stdout: String,
    pub stderr: String,
}

/// Runs an external command (`php -m`); tests pass a stand-in.
pub type Runner = dyn Fn(&str, &[&str]) -> std::io::Result<CommandOutput> + Send + Sync;

/// Everything the checks look at besides the configured paths; tests point it at a temp dir.
pub struct Host {
    pub passwd: PathBuf,
    pub group: PathBuf,
    pub agent_user: String,
    pub web_group: String,
    pub php: String,
    pub fpm_ini_dir: PathBuf,
    pub run: Box<Runner>,
    pub now: chrono::DateTime<chrono::Utc>,
}

impl Host {
    fn system(args: &DoctorArgs) -> Host {
        Host {
            passwd: "/etc/passwd".into(),
            group: "/etc/group".into(),
            agent_user: args.agent_user.clone(),
            web_group: args.web_group.clone(),
            php: args.php.clone(),
            fpm_ini_dir: args.fpm_ini_dir.clone(),
            run: Box::new(|program, arguments| {
                let output = std::process::Command::new(program).args(arguments).stdin(std::process::Stdio::null()).output()?;
                Ok(CommandOutput {
                    success: output.status.success(),
                    stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
                    stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
                })
            }),
            now: chrono::Utc::now(),
        }
    }

    /// The line `init` needs on this host.
    fn init_line(&self) -> String {
        format!("ml-connector-agent init --agent-user {} --web-group {}", self.agent_user, self.web_group)
    }

    fn restart_line(&self) -> &'static str {
        "systemctl restart ml-connector-agent"
    }
}

pub async fn run(config: Option<&Path>, args: DoctorArgs) -> anyhow::Result<ExitCode> {
    let host = Host::system(&args);
    let findings = examine(config, &host).await;
    let (text, ok) = report(&findings, args.json)?;
    print!("{text}");
    Ok(if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// The printed report, and whether every check passed (warnings and skips do not fail).
fn report(findings: &[Finding], json: bool) -> serde_json::Result<(String, bool)> {
    use std::fmt::Write;
    let ok = findings.iter().all(|f| f.verdict != Verdict::Fail);
    if json {
        return Ok((serde_json::to_string_pretty(&serde_json::json!({ "ok": ok, "checks": findings }))? + "\n", ok));
    }
    let mut text = String::new();
    for finding in findings {
        let verdict = match finding.verdict {
            Verdict::Ok => "ok",
            Verdict::Warn => "warn",
            Verdict::Fail => "FAIL",
            Verdict::Skip => "skip",
        };
        let _ = writeln!(text, "{verdict:<5} {:<13} {}", finding.name, finding.detail);
        if let Some(fix) = &finding.fix {
            let _ = writeln!(text, "{:<19} fix: {fix}", "");
        }
    }
    let failed = findings.iter().filter(|f| f.verdict == Verdict::Fail).count();
    let _ = writeln!(text, "\n{}", if failed == 0 { "no problems found".to_string() } else { format!("{failed} problem(s) found") });
    Ok((text, ok))
}

/// Runs every check, in the order an operator fixes things.
pub async fn examine(config: Option<&Path>, host: &Host) -> Vec<Finding> {
    let directory = Directory::read(&host.passwd, &host.group);
    let mut findings = vec![accounts(&directory, host)];
    let directory = directory.unwrap_or_default();
    let agent = Identity::agent(&directory, &host.agent_user, &host.web_group);
    let web = Identity::web(&directory, &host.web_group);
    let people: Vec<&Identity> = agent.iter().chain(web.iter()).collect();
    let web_gid = directory.group(&host.web_group);

    let (config_finding, settings) = files::configuration(config, agent.as_ref(), &directory, host);
    findings.push(config_finding);
    let settings = match settings {
        Some(settings) => settings,
        // The checks below still look at the default places.
        None => match config::load_agent(&serde_json::json!({})) {
            Ok(defaults) => defaults,
            Err(_) => return findings,
        },
    };
    findings.push(files::state_dir(&settings, agent.as_ref(), &directory, host));
    findings.push(files::key(&settings, &people, &directory, host));
    findings.push(files::spool_dir(&settings, &people, web_gid, &directory, host));
    findings.push(files::spool_file(&settings, &people, &directory, host));
    let spool = files::read_spool(&settings.spool_path);
    findings.push(files::spool_schema(&settings, &spool, host));
    findings.push(files::wake_socket(&settings, web.as_ref(), &directory, host));
    findings.push(php::cli(host));
    findings.push(php::fpm(&settings, host));
    findings.push(files::heartbeat(&spool, host));
    findings.extend(remote::checks(config, &settings).await);
    findings
}

fn accounts(directory: &Result<Directory, String>, host: &Host) -> Finding {
    let directory = match directory {
        Ok(directory) => directory,
        Err(error) => return Finding::fail("accounts", format!("cannot read the accounts: {error}"), "check /etc/passwd and /etc/group"),
    };
    let Some(gid) = directory.group(&host.web_group) else {
        return Finding::fail("accounts", format!("no group {:?}: the web server's group shares the spool and the key", host.web_group), format!("addgroup --system {}", host.web_group));
    };
    let Some((uid, _)) = directory.user(&host.agent_user) else {
        return Finding::fail(
            "accounts",
            format!("no user {:?} for the agent", host.agent_user),
            format!("adduser --system --ingroup {} --home /var/lib/ml-connector --no-create-home {}", host.web_group, host.agent_user),
        );
    };
    Finding::ok("accounts", format!("user {} (uid {uid}), group {} (gid {gid})", host.agent_user, host.web_group))
}

