//! Encryption with the vault key: envelopes the agent can open, only for their purpose, and a
//! key rotation picked up by a running worker.

mod common;

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use common::{run, Site};
use ml_connector_formats::envelope::is_envelope;
use ml_connector_formats::Keyring;

#[test]
fn encrypt_output_decrypts_in_rust_for_the_same_purpose_only() {
    let site = Site::new();
    Keyring::create(&site.key_path()).unwrap();
    let run = run(&mut site.php("encrypt.php", &["nav_client_secret", "s3cr3t-Ünïcode"]));
    run.assert_clean();
    let envelope = run.report()["envelope"].as_str().unwrap().to_string();
    assert!(is_envelope(&envelope) && !envelope.contains("s3cr3t"), "{envelope}");

    let keyring = Keyring::load(&site.key_path()).unwrap();
    assert_eq!(
        keyring.decrypt_string("nav_client_secret", &envelope).unwrap(),
        "s3cr3t-Ünïcode"
    );
    assert!(keyring.decrypt("woo_consumer_secret", &envelope).is_err());
}

#[test]
fn missing_key_makes_encrypt_return_null_naming_the_path() {
    let site = Site::new();
    let run = run(&mut site.php("encrypt.php", &["nav_client_secret", "s3cr3t"]));
    run.assert_clean();
    let report = run.report();
    assert!(report["envelope"].is_null());
    let error = report["error"].as_str().unwrap();
    assert!(
        error.contains(&site.key_path().display().to_string()) && error.contains("No such file"),
        "{error}"
    );
    assert!(
        !run.stdout.contains("s3cr3t") && !run.stderr.contains("s3cr3t"),
        "plaintext leaked:\n{run}"
    );
    assert!(
        run.stderr
            .contains("ml_connector: ml_connector_encrypt(): cannot read the vault key"),
        "{run}"
    );
}

#[test]
fn rotated_key_is_picked_up_by_a_running_worker() {
    let site = Site::new();
    let first_key = Keyring::create(&site.key_path()).unwrap().active_key_id().to_string();
    let rotated = site.dir.path().join("rotated");
    let mut child = site
        .php("encrypt.php", &["p", "secret", &rotated.display().to_string()])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let before: serde_json::Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    let second_key = Keyring::rotate(&site.key_path()).unwrap().active_key_id().to_string();
    std::fs::write(&rotated, "").unwrap();
    let after: serde_json::Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    assert!(child.wait().unwrap().success());

    let envelope_key = |report: &serde_json::Value| {
        report["envelope"]
            .as_str()
            .unwrap()
            .split(':')
            .nth(1)
            .unwrap()
            .to_string()
    };
    assert_eq!(envelope_key(&before), first_key);
    assert_eq!(envelope_key(&after), second_key);
}
