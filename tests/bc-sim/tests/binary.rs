//! The `bc-sim` binary: its help documents every flag, and `--ready-file` tells scripts where it
//! listens once it does.

use std::process::{Command, Stdio};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_bc-sim");

#[test]
fn help_documents_every_flag() {
    let output = Command::new(BIN).arg("--help").output().unwrap();
    let help = String::from_utf8(output.stdout).unwrap();
    for flag in [
        "--listen",
        "--tenant",
        "--environment",
        "--instance",
        "--client-id",
        "--client-secret",
        "--basic-user",
        "--basic-key",
        "--seed",
        "--items",
        "--token-ttl-secs",
        "--rate-limit",
        "--rate-window-ms",
        "--max-concurrent",
        "--max-queue",
        "--queue-timeout-ms",
        "--operation-timeout-ms",
        "--gateway-timeout-ms",
        "--processing-delay-ms",
        "--retry-after-secs",
        "--max-page-size",
        "--max-batch-operations",
        "--throttle-on-prem",
        "--latency-ms",
        "--jitter-ms",
        "--error-rate",
        "--error-status",
        "--timeout-rate",
        "--hang-ms",
        "--drop-rate",
        "--down",
        "--webhook-delay-ms",
        "--webhook-max-notifications",
        "--webhook-retry-ms",
        "--webhook-retry-window-ms",
        "--subscription-ttl-secs",
        "--webhook-timeout-ms",
        "--page-customer",
        "--page-item",
        "--page-sales-order",
        "--page-sales-order-lines",
        "--ready-file",
    ] {
        assert!(help.contains(flag), "--help lacks {flag}");
    }
}

#[test]
fn ready_file_describes_the_running_simulator() {
    let path = std::env::temp_dir().join(format!("bc-sim-ready-{}.json", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let mut child = Command::new(BIN)
        .args(["--listen", "127.0.0.1:0", "--seed", "empty", "--ready-file"])
        .arg(&path)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut text = None;
    for _ in 0..500 {
        if let Ok(found) = std::fs::read_to_string(&path) {
            text = Some(found);
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let info: serde_json::Value = serde_json::from_str(&text.expect("ready file written")).unwrap();
    let keys = [
        "base_url",
        "token_url",
        "api_online",
        "api_on_prem",
        "odata_online",
        "odata_on_prem",
        "control_url",
        "tenant",
        "environment",
        "instance",
        "client_id",
        "client_secret",
        "basic_user",
        "basic_key",
        "company_id",
        "company_name",
    ];
    for key in keys {
        assert!(info[key].is_string(), "ready file lacks {key}: {info}");
    }
    assert_eq!(info["basic_key"].as_str().unwrap().len(), 44);
    let control = info["control_url"].as_str().unwrap().to_string();
    let answer = std::thread::spawn(move || {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(async {
            reqwest::get(format!("{control}/info")).await.unwrap().json::<serde_json::Value>().await.unwrap()
        })
    })
    .join()
    .unwrap();
    assert_eq!(answer["company_id"], info["company_id"]);
    child.kill().unwrap();
    child.wait().unwrap();
    let _ = std::fs::remove_file(&path);
}
