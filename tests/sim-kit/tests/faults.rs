//! The fault layer really cuts connections and really applies writes before cutting.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::post;
use axum::Router;
use sim_kit::{serve, FaultLayer, FaultSettings, Faults, Journal, Listen};

async fn start(faults: Faults, journal: Journal, writes: Arc<AtomicU32>) -> sim_kit::RunningServer {
    let layer = FaultLayer {
        faults: faults.clone(),
        journal: journal.clone(),
        error_body: Arc::new(|status| (status, "simulated failure").into_response()),
    };
    let api = Router::new()
        .route(
            "/write",
            post(move || {
                let writes = writes.clone();
                async move {
                    writes.fetch_add(1, Ordering::SeqCst);
                    (StatusCode::CREATED, "created")
                }
            }),
        )
        .layer(axum::middleware::from_fn_with_state(layer, FaultLayer::middleware));
    let app = api.merge(sim_kit::control::router(faults, journal));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    serve(Listen::Http(listener), app).unwrap()
}

#[tokio::test]
async fn commit_then_drop_applies_the_write_and_cuts_the_connection() {
    let faults = Faults::new(FaultSettings { drop_next: 1, ..Default::default() });
    let journal = Journal::new();
    let writes = Arc::new(AtomicU32::new(0));
    let server = start(faults, journal.clone(), writes.clone()).await;
    let url = format!("http://{}/write", server.addr);
    let client = reqwest::Client::new();

    let first = client.post(&url).body("{}").send().await;
    assert!(first.is_err(), "the client must see a cut connection, got {first:?}");
    assert_eq!(writes.load(Ordering::SeqCst), 1, "the write was applied before the cut");

    let second = client.post(&url).body("{}").send().await.unwrap();
    assert_eq!(second.status(), StatusCode::CREATED);
    assert_eq!(writes.load(Ordering::SeqCst), 2);

    let entries = journal.since(0);
    assert_eq!(entries[0].fault.as_deref(), Some("commit-then-drop"));
    assert_eq!(entries[0].status, Some(201));
    assert_eq!(entries[1].fault, None);
    server.shutdown().await;
}

#[tokio::test]
async fn failures_are_not_applied_and_use_the_systems_error_body() {
    let faults = Faults::new(FaultSettings { fail_next: 2, error_status: 503, ..Default::default() });
    let writes = Arc::new(AtomicU32::new(0));
    let server = start(faults, Journal::new(), writes.clone()).await;
    let url = format!("http://{}/write", server.addr);
    let response = reqwest::Client::new().post(&url).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.text().await.unwrap(), "simulated failure");
    assert_eq!(writes.load(Ordering::SeqCst), 0);
    server.shutdown().await;
}

#[tokio::test]
async fn outage_cuts_every_request_and_control_api_heals_it() {
    let faults = Faults::new(FaultSettings { down: true, ..Default::default() });
    let writes = Arc::new(AtomicU32::new(0));
    let server = start(faults, Journal::new(), writes.clone()).await;
    let client = reqwest::Client::new();
    let url = format!("http://{}/write", server.addr);
    assert!(client.post(&url).send().await.is_err());
    let healed = client
        .patch(format!("http://{}/_sim/faults", server.addr))
        .body(r#"{"down": false}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(healed.status(), StatusCode::OK);
    assert_eq!(client.post(&url).send().await.unwrap().status(), StatusCode::CREATED);
    assert_eq!(writes.load(Ordering::SeqCst), 1);
    let bad = client
        .put(format!("http://{}/_sim/faults", server.addr))
        .body(r#"{"error_rate": 2}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    server.shutdown().await;
}
