//! The doctor's checks that need the full settings (file + WP admin) and the network: whether the
//! settings load, the host's clock against the `Date` header of NAV and WooCommerce, and the live
//! check of `ml-connector-agent check` (NAV token and company, WooCommerce key), reused as it is.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use ml_connector_formats::spool::OpenOptions;
use ml_connector_formats::Spool;

use super::Finding;
use crate::adapter::http::client;
use crate::check::{live_check, CheckItem};
use crate::config::{AgentSettings, Deployment, Settings, WooSettings};
use crate::runtime::Runtime;
use crate::store::Store;

/// Above this the host's clock is wrong enough to matter: Entra ID tokens allow about 5 minutes,
/// WooCommerce's OAuth 1.0a timestamps 15; the audit trail wants less than either.
const CLOCK_FAIL_SECS: i64 = 60;
/// `Date` has whole seconds and the round trip blurs it: below this there is nothing to say.
const CLOCK_WARN_SECS: i64 = 10;
const TIME_REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

pub async fn checks(config: Option<&Path>, agent: &AgentSettings) -> Vec<Finding> {
    // Without creating the spool; the site settings are read the way the agent reads them.
    let spool = Spool::open_with(&agent.spool_path, &OpenOptions { create: false, ..OpenOptions::default() }).ok();
    let (settings, keyring, problem) = match crate::daemon::load_settings(config, spool.as_ref()) {
        Ok(loaded) => loaded,
        Err(error) => {
            let mut findings = vec![Finding::skip("settings", format!("not checked: the settings cannot be loaded ({error:#})"))];
            findings.extend(["clock", "nav", "woo"].into_iter().map(|name| Finding::skip(name, "not checked: the settings cannot be loaded")));
            return findings;
        }
    };
    let mut findings = vec![match (problem, &spool) {
        (Some(problem), _) => Finding::fail("settings", problem, "correct the settings in WP admin → ml-connector and save them"),
        (None, Some(_)) => Finding::ok("settings", "the configuration file and the settings saved in WP admin are usable"),
        // Without the spool only the file was checked (the spool check says why it is missing).
        (None, None) => Finding::warn("settings", "the configuration file is usable; the settings saved in WP admin could not be read", "run the doctor as root"),
    }];
    findings.push(clock(&settings).await);
    let store = match Store::in_memory() {
        Ok(store) => Arc::new(store),
        Err(error) => {
            let why = format!("not checked: {error}");
            findings.extend(["nav", "woo"].into_iter().map(|name| Finding::skip(name, why.clone())));
            return findings;
        }
    };
    let nav_configured = settings.nav.is_some();
    let woo_configured = settings.woo.is_some();
    let rt = Runtime::build(Arc::new(settings), store, keyring, chrono::Utc::now().timestamp_millis());
    let report = live_check(&rt, "doctor").await;
    let of = |prefix: &str| report.checks.iter().filter(|c| c.name.starts_with(prefix)).collect::<Vec<_>>();
    findings.push(system(
        "nav",
        nav_configured,
        &of("nav."),
        "choose the deployment and enter the credentials in WP admin → ml-connector",
        "correct the NAV connection in WP admin → ml-connector (Test connection shows the result)",
    ));
    findings.push(system(
        "woo",
        woo_configured,
        &of("woo."),
        "save the settings page in WP admin → ml-connector once: it provisions the agent's WooCommerce key",
        "correct the WooCommerce connection in WP admin → ml-connector (Test connection shows the result)",
    ));
    findings
}

/// One system's part of the live check.
fn system(name: &'static str, configured: bool, items: &[&CheckItem], configure: &str, correct: &str) -> Finding {
    let detail = |ok: bool| items.iter().filter(|c| c.ok == ok).map(|c| c.detail.as_str()).filter(|d| !d.is_empty()).collect::<Vec<_>>().join("; ");
    if !configured {
        return Finding::warn(name, detail(false), configure);
    }
    if items.iter().any(|c| !c.ok) {
        return Finding::fail(name, detail(false), correct);
    }
    Finding::ok(name, detail(true))
}

/// The client the WooCommerce adapter would use: the same extra trust root and local address.
fn woo_client(woo: &WooSettings) -> Result<reqwest::Client, String> {
    let site = url::Url::parse(&woo.site_url).map_err(|e| format!("woo.site_url: {e}"))?;
    let resolve = match &woo.connect_to {
        Some(address) => {
            let host = site.host_str().ok_or("woo.site_url has no host")?.to_string();
            let ip: std::net::IpAddr = address
                .rsplit_once(':')
                .map(|(ip, _)| ip)
                .unwrap_or(address)
                .trim_matches(|c| c == '[' || c == ']')
                .parse()
                .map_err(|_| format!("woo.connect_to {address:?} is not an IP address"))?;
            Some((host, std::net::SocketAddr::new(ip, site.port_or_known_default().unwrap_or(80))))
        }
        None => None,
    };
    client(TIME_REQUEST_TIMEOUT, woo.ca_file.as_deref(), resolve.as_ref().map(|(h, a)| (h.as_str(), *a)))
}

/// Server time minus local time, in seconds, from one HEAD request (any status carries `Date`).
async fn skew(client: Result<reqwest::Client, String>, url: &str) -> Result<i64, String> {
    let client = client?;
    let sent = chrono::Utc::now();
    let response = client.head(url).send().await.map_err(|e| e.to_string())?;
    let received = chrono::Utc::now();
    let date = response.headers().get(reqwest::header::DATE).ok_or("the answer has no Date header")?;
    let date = date.to_str().map_err(|e| e.to_string())?;
    let server = chrono::DateTime::parse_from_rfc2822(date).map_err(|e| format!("Date {date:?}: {e}"))?;
    let local = sent + (received - sent) / 2;
    Ok((server.with_timezone(&chrono::Utc) - local).num_seconds())
}

async fn clock(settings: &Settings) -> Finding {
    let mut targets = Vec::new();
    if let Some(nav) = &settings.nav {
        let url = match &nav.deployment {
            Deployment::BcOnline { .. } => nav.api_url.clone(),
            Deployment::BcOnPrem { base_url, .. } | Deployment::NavOnPrem { base_url, .. } => base_url.clone(),
        };
        targets.push(("NAV", url, client(TIME_REQUEST_TIMEOUT, None, None)));
    }
    if let Some(woo) = &settings.woo {
        targets.push(("WooCommerce", woo.site_url.clone(), woo_client(woo)));
    }
    if targets.is_empty() {
        return Finding::skip("clock", "no NAV or WooCommerce configured to compare the clock with");
    }
    let mut worst: Option<(i64, &str)> = None;
    let mut unread = Vec::new();
    for (system, url, client) in targets {
        match skew(client, &url).await {
            Ok(seconds) if worst.is_none_or(|(w, _)| seconds.abs() > w.abs()) => worst = Some((seconds, system)),
            Ok(_) => {}
            Err(error) => unread.push(format!("{system}: {error}")),
        }
    }
    let Some((seconds, system)) = worst else {
        return Finding::warn("clock", format!("could not read the time: {}", unread.join("; ")), "ml-connector-agent check (it says why the server cannot be reached)");
    };
    let direction = if seconds > 0 { "behind" } else { "ahead of" };
    let detail = format!("this host's clock is {} s {direction} {system}'s", seconds.abs());
    if seconds.abs() > CLOCK_FAIL_SECS {
        return Finding::fail("clock", format!("{detail}: sign-ins and signed requests fail beyond a few minutes"), "timedatectl set-ntp true");
    }
    if seconds.abs() > CLOCK_WARN_SECS {
        return Finding::warn("clock", detail, "timedatectl set-ntp true");
    }
    Finding::ok("clock", format!("within {} s of {system}'s", seconds.abs()))
}
