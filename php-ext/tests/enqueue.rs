//! Enqueue and wake, as a WordPress worker does them: durable rows the agent can read, failures
//! that return null with a reason instead of breaking the checkout.

mod common;

use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixDatagram;
use std::process::Stdio;
use std::time::Duration;

use common::{is_root, run, Site};
use ml_connector_formats::spool::PRODUCER_EXTENSION;
use ml_connector_formats::{wake, EventKind, Spool};

#[test]
fn enqueue_returns_increasing_sequence_numbers_whose_rows_decode_in_rust() {
    let site = Site::new();
    let run = run(&mut site.php("enqueue_orders.php", &["3"]));
    run.assert_clean();
    let seqs: Vec<i64> = serde_json::from_value(run.report()["seqs"].clone()).unwrap();
    assert_eq!(seqs.len(), 3);
    assert!(seqs.windows(2).all(|pair| pair[0] < pair[1]), "{seqs:?}");

    let rows = Spool::open(&site.spool_path()).unwrap().pending(0, 10).unwrap();
    assert_eq!(rows.iter().map(|row| row.seq).collect::<Vec<_>>(), seqs);
    for (row, order_id) in rows.iter().zip(1..) {
        assert_eq!(row.producer, PRODUCER_EXTENSION);
        let event = row.event().unwrap();
        assert_eq!(
            (event.kind, event.object_id, event.payload["id"].as_i64()),
            (EventKind::OrderCreated, order_id, Some(order_id))
        );
    }
}

#[test]
fn a_forked_worker_enqueues_on_its_own_connection() {
    let site = Site::new();
    let run = run(&mut site.php("enqueue_forked.php", &[]));
    run.assert_clean();
    let reports = run.reports();
    let child = reports.iter().find(|r| r.get("child").is_some()).unwrap();
    let parent = reports.iter().find(|r| r.get("parent").is_some()).unwrap();
    assert!(child["error"].is_null() && parent["error"].is_null(), "{run}");
    assert_eq!(parent["child_exit"], 0);
    let mut seqs: Vec<i64> = [&child["child"], &parent["parent"]]
        .iter()
        .flat_map(|list| list.as_array().unwrap().iter().map(|seq| seq.as_i64().unwrap()))
        .collect();
    seqs.sort();
    let rows = Spool::open(&site.spool_path()).unwrap().pending(0, 10).unwrap();
    assert_eq!(rows.iter().map(|row| row.seq).collect::<Vec<_>>(), seqs);
    let mut order_ids: Vec<i64> = rows.iter().map(|row| row.event().unwrap().object_id).collect();
    order_ids.sort();
    assert_eq!(order_ids, vec![1, 2, 3, 4]);
}

#[test]
fn invalid_events_return_null_name_the_problem_and_write_nothing() {
    let site = Site::new();
    let run = run(&mut site.php("enqueue_invalid.php", &[]));
    run.assert_clean();
    let results = &run.report()["results"];
    for (case, expected) in [
        ("not_json", "not valid JSON"),
        ("unknown_kind", "unknown variant `order.eaten`"),
        ("no_object", "positive object_id"),
        ("false", "$event_json must be a string, got bool"),
        ("null", "$event_json must be a string, got null"),
    ] {
        assert!(results[case]["seq"].is_null(), "{case}: {results}");
        let error = results[case]["error"].as_str().unwrap();
        assert!(error.contains(expected), "{case}: {error}");
    }
    assert_eq!(
        run.stderr.matches("ml_connector: ml_connector_enqueue(): ").count(),
        5,
        "{run}"
    );
    assert!(!site.spool_path().exists() || Spool::open(&site.spool_path()).unwrap().depth().unwrap() == 0);
}

#[test]
fn unwritable_spool_directory_returns_null_and_the_script_carries_on() {
    let site = Site::new();
    let spool_dir = site.dir.path().join("spool");
    std::fs::create_dir(&spool_dir).unwrap();
    // Root may write anywhere, so as root the php child runs as `nobody`; otherwise the directory is
    // made read-only.
    let user = if is_root() { Some("65534") } else { None };
    std::fs::set_permissions(&spool_dir, std::fs::Permissions::from_mode(0o555)).unwrap();
    let site = site.with_ini(
        "ml_connector.spool_path",
        &spool_dir.join("spool.db").display().to_string(),
    );

    let run = run(&mut site.php_as(user, "enqueue_orders.php", &["1"]));
    run.assert_clean();
    let report = run.report();
    assert_eq!(report["seqs"], serde_json::json!([null]));
    assert_eq!(report["finished"], true);
    let error = report["last_error"].as_str().unwrap();
    assert!(
        error.contains(&spool_dir.join("spool.db").display().to_string()),
        "{error}"
    );
    assert!(
        error.contains("unable to open database file") && error.contains("writable"),
        "{error}"
    );
    assert!(
        run.stderr
            .contains(&format!("ml_connector: ml_connector_enqueue(): {error}")),
        "{run}"
    );
}

#[test]
fn newer_spool_schema_is_refused_with_its_version() {
    let site = Site::new();
    drop(Spool::open(&site.spool_path()).unwrap());
    rusqlite::Connection::open(site.spool_path())
        .unwrap()
        .execute_batch("PRAGMA user_version = 99")
        .unwrap();

    let run = run(&mut site.php("enqueue_orders.php", &["1"]));
    run.assert_clean();
    let report = run.report();
    assert_eq!(report["seqs"], serde_json::json!([null]));
    assert!(
        report["last_error"].as_str().unwrap().contains("schema version 99"),
        "{report}"
    );
}

#[test]
fn locked_spool_gives_up_after_busy_timeout_and_succeeds_once_released() {
    let site = Site::new().with_ini("ml_connector.busy_timeout_ms", "200");
    drop(Spool::open(&site.spool_path()).unwrap());
    let lock = rusqlite::Connection::open(site.spool_path()).unwrap();
    lock.execute_batch("BEGIN IMMEDIATE").unwrap();

    let release = site.dir.path().join("released");
    let mut child = site
        .php("enqueue_locked.php", &[&release.display().to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first: serde_json::Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    lock.execute_batch("COMMIT").unwrap();
    std::fs::write(&release, "").unwrap();
    let second: serde_json::Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    assert!(child.wait().unwrap().success());

    assert!(first["first"].is_null(), "{first}");
    let error = first["error"].as_str().unwrap();
    assert!(
        error.contains("locked by another process for more than 200 ms"),
        "{error}"
    );
    // It waited for the lock rather than failing at once (only a lower bound: no timing upper bound).
    let waited_ms = first["waited_ms"].as_f64().unwrap();
    assert!(waited_ms >= 190.0, "gave up after {waited_ms} ms");
    println!("enqueue against a locked spool gave up after {waited_ms:.1} ms (busy_timeout_ms = 200)");
    assert!(second["second"].as_i64().unwrap() > 0, "{second}");
    assert_eq!(Spool::open(&site.spool_path()).unwrap().depth().unwrap(), 1);
}

#[test]
fn agent_down_still_enqueues_and_wake_says_agent_down() {
    let site = Site::new();
    let run = run(&mut site.php("enqueue_orders.php", &["1"]));
    run.assert_clean();
    let report = run.report();
    assert!(report["seqs"][0].as_i64().unwrap() > 0, "{report}");
    assert_eq!(report["wake"], "agent-down");
    assert!(report["last_error"].is_null(), "agent down is not a failure: {report}");
}

#[test]
fn listening_agent_receives_wake_with_the_sequence_number() {
    let site = Site::new();
    let agent = UnixDatagram::bind(site.socket_path()).unwrap();
    agent.set_read_timeout(Some(Duration::from_secs(10))).unwrap();

    let run = run(&mut site.php("enqueue_orders.php", &["2"]));
    run.assert_clean();
    let report = run.report();
    assert_eq!(report["wake"], "sent");
    let mut received = Vec::new();
    let mut buf = [0u8; 64];
    for _ in 0..3 {
        let n = agent.recv(&mut buf).unwrap();
        received.push(wake::parse(&buf[..n]).unwrap());
    }
    let (first, second) = (report["seqs"][0].as_i64().unwrap(), report["seqs"][1].as_i64().unwrap());
    // One wake per enqueue, then ml_connector_wake() repeats the last sequence number.
    assert_eq!(received, vec![first, second, second]);
}

#[test]
fn put_setting_stores_the_document_and_refuses_invalid_json() {
    let site = Site::new();
    let run = run(&mut site.php("put_setting.php", &[]));
    run.assert_clean();
    let report = run.report();
    assert_eq!(
        (report["stored"].as_bool(), report["refused"].as_bool()),
        (Some(true), Some(false))
    );
    assert!(
        report["error"]
            .as_str()
            .unwrap()
            .contains(r#"settings document "broken" is not valid JSON"#),
        "{report}"
    );
    let spool = Spool::open(&site.spool_path()).unwrap();
    let stored: serde_json::Value = serde_json::from_str(&spool.setting("connection").unwrap().unwrap()).unwrap();
    assert_eq!(stored["company"], "CRONUS");
    assert_eq!(spool.setting("broken").unwrap(), None);
}
