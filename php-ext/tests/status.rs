//! What the admin screens read back: the extension's status, the agent's documents and the
//! orders' sync state, all written by Rust the way the agent writes them.

mod common;

use common::{run, Site};
use ml_connector_formats::spool::OrderSync;
use ml_connector_formats::{Keyring, Spool};

#[test]
fn status_reports_spool_key_and_what_the_agent_wrote() {
    let site = Site::new();
    let key_id = Keyring::create(&site.key_path()).unwrap().active_key_id().to_string();
    let spool = Spool::open(&site.spool_path()).unwrap();
    spool
        .put_status(
            "heartbeat",
            r#"{"at":"2026-11-28T10:00:00.000Z","pid":123,"version":"0.1.0"}"#,
        )
        .unwrap();
    spool
        .put_status("snapshot", r#"{"agent_version":"0.1.0","queue":{"spool":0}}"#)
        .unwrap();
    let _agent = std::os::unix::net::UnixDatagram::bind(site.socket_path()).unwrap();

    let run = run(&mut site.php("status.php", &[]));
    run.assert_clean();
    let status = &run.report()["status"];
    assert_eq!(status["extension_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(status["spool_path"], site.spool_path().display().to_string());
    assert_eq!(
        (status["spool_ok"].as_bool(), &status["spool_error"]),
        (Some(true), &serde_json::Value::Null)
    );
    assert_eq!(status["queue_depth"], 0);
    assert_eq!(
        (status["key_ok"].as_bool(), status["key_id"].as_str()),
        (Some(true), Some(key_id.as_str()))
    );
    assert_eq!(status["wake_socket"], site.socket_path().display().to_string());
    assert_eq!(status["agent_listening"], true);
    let heartbeat: serde_json::Value = serde_json::from_str(status["heartbeat"].as_str().unwrap()).unwrap();
    assert_eq!(heartbeat["pid"], 123);
    assert_eq!(status["heartbeat_at"], spool.status("heartbeat").unwrap().unwrap().1);
    assert!(status["snapshot"].as_str().unwrap().contains("agent_version"));
    assert!(status["snapshot_at"].is_string());
}

#[test]
fn status_of_a_missing_spool_directory_names_it_and_creates_nothing() {
    let site = Site::new();
    let spool_path = site.dir.path().join("no-such-dir/spool.db");
    let site = site.with_ini("ml_connector.spool_path", &spool_path.display().to_string());

    let run = run(&mut site.php("status.php", &[]));
    run.assert_clean();
    let status = &run.report()["status"];
    assert_eq!(status["spool_ok"], false);
    assert!(
        status["spool_error"]
            .as_str()
            .unwrap()
            .contains("no-such-dir does not exist"),
        "{status}"
    );
    assert_eq!(
        (status["key_ok"].as_bool(), &status["agent_listening"]),
        (Some(false), &serde_json::json!(false))
    );
    assert!(!spool_path.parent().unwrap().exists());
}

#[test]
fn agent_status_and_order_sync_read_back_the_agents_rows() {
    let site = Site::new();
    let spool = Spool::open(&site.spool_path()).unwrap();
    let check =
        r#"{"request_id":"r1","ok":false,"checks":[{"name":"nav.auth","ok":false,"millis":41,"detail":"refused"}]}"#;
    spool.put_status("check:r1", check).unwrap();
    let synced = OrderSync {
        order_id: 5,
        state: "synced".into(),
        nav_number: Some("S-ORD101001".into()),
        reason: None,
        updated_at: "2026-11-28T10:00:00.000Z".into(),
    };
    let parked = OrderSync {
        order_id: 6,
        state: "parked".into(),
        nav_number: None,
        reason: Some("unknown SKU GIFT-WRAP (line 2)".into()),
        updated_at: "2026-11-28T10:01:00.000Z".into(),
    };
    spool.put_order_sync(&synced).unwrap();
    spool.put_order_sync(&parked).unwrap();

    let run = run(&mut site.php("status.php", &[]));
    run.assert_clean();
    let report = run.report();
    assert_eq!(report["check"]["value"], check);
    assert_eq!(
        report["check"]["updated_at"],
        spool.status("check:r1").unwrap().unwrap().1
    );
    assert!(report["missing_check"].is_null());
    assert_eq!(
        report["orders"],
        serde_json::json!({
            "5": {"state": "synced", "nav_number": "S-ORD101001", "reason": null, "updated_at": "2026-11-28T10:00:00.000Z"},
            "6": {"state": "parked", "nav_number": null, "reason": "unknown SKU GIFT-WRAP (line 2)", "updated_at": "2026-11-28T10:01:00.000Z"},
        })
    );
    assert_eq!(report["orders_of_nothing"], serde_json::json!([]));
}
