//! What a connector must survive: sim-kit faults (commit-then-drop, outages, injected 5xx),
//! BC's connection limit, limits changed at run time, and tokens that expire or are revoked
//! mid-run.

mod common;

use std::time::Duration;

use bc_sim::FaultSettings;
use common::{error_of, fetch_token, Sim};
use serde_json::{json, Value};

#[tokio::test]
async fn commit_then_drop_applies_the_write_and_cuts_the_connection() {
    let sim = Sim::start().await;
    sim.control().faults().set(FaultSettings { drop_next: 1, ..FaultSettings::default() }).unwrap();
    let cut = sim
        .request(reqwest::Method::POST, &sim.url("salesOrders"))
        .json(&json!({"customerNumber": "10000", "externalDocumentNumber": "WC-DROP"}))
        .send()
        .await;
    assert!(cut.is_err(), "the client sees a cut connection: {cut:?}");
    let found = sim.get_json(&format!("{}?$filter=externalDocumentNumber eq 'WC-DROP'", sim.url("salesOrders"))).await;
    assert_eq!(found["value"].as_array().unwrap().len(), 1, "the order was created before the cut");
    let journal = sim.control().journal().since(0);
    let dropped = journal.iter().find(|e| e.fault.as_deref() == Some("commit-then-drop")).unwrap();
    assert_eq!(dropped.status, Some(201));
    sim.shutdown().await;
}

#[tokio::test]
async fn injected_503_carries_retry_after_and_a_bc_error_body() {
    let sim = Sim::start().await;
    sim.control().faults().set(FaultSettings { fail_next: 1, error_status: 503, ..FaultSettings::default() }).unwrap();
    let response = sim.post(&sim.url("customers"), json!({"displayName": "Not stored"})).await;
    assert_eq!(response.status(), 503);
    assert!(response.headers().contains_key("retry-after"));
    let (_, code, message) = error_of(response).await;
    assert!(!code.is_empty() && message.contains("CorrelationId"));
    let found = sim.get_json(&format!("{}?$filter=displayName eq 'Not stored'", sim.url("customers"))).await;
    assert!(found["value"].as_array().unwrap().is_empty(), "an injected failure is not applied");
    sim.shutdown().await;
}

#[tokio::test]
async fn outage_cuts_every_request_until_healed_through_the_control_api() {
    let sim = Sim::start().await;
    let faults = format!("{}/faults", sim.info().control_url);
    sim.http.patch(&faults).body(r#"{"down": true}"#).send().await.unwrap();
    assert!(sim.request(reqwest::Method::GET, &sim.url("items")).send().await.is_err());
    sim.http.patch(&faults).body(r#"{"down": false}"#).send().await.unwrap();
    assert_eq!(sim.get(&sim.url("items")).await.status(), 200);
    sim.shutdown().await;
}

#[tokio::test]
async fn connections_beyond_processing_plus_queue_are_429() {
    let mut config = bc_sim::Config::demo();
    config.limits.max_concurrent = 1;
    config.limits.max_queue = 1;
    config.limits.processing_delay_ms = 1_500;
    let sim = Sim::with(config).await;
    let url = sim.url("paymentTerms");
    let delayed = |ms: u64| {
        let url = url.clone();
        let sim = &sim;
        async move {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            sim.get(&url).await.status().as_u16()
        }
    };
    let (a, b, c) = tokio::join!(delayed(0), delayed(50), delayed(100));
    assert_eq!((a, b, c), (200, 200, 429), "one processing, one queued, the third refused");
    sim.shutdown().await;
}

#[tokio::test]
async fn limits_change_at_run_time_through_the_control_api() {
    let sim = Sim::start().await;
    let limits = format!("{}/limits", sim.info().control_url);
    let changed: Value = sim
        .http
        .patch(&limits)
        .body(r#"{"rate_limit": 2, "rate_window_ms": 2000}"#)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(changed["rate_limit"], 2);
    assert_eq!(changed["max_concurrent"], 5, "other limits keep their values");
    let url = sim.url("paymentTerms");
    assert_eq!(sim.get(&url).await.status(), 200);
    assert_eq!(sim.get(&url).await.status(), 200);
    assert_eq!(sim.get(&url).await.status(), 429);
    let bad = sim.http.patch(&limits).body(r#"{"rate_limits": 2}"#).send().await.unwrap();
    assert_eq!(bad.status(), 400, "unknown settings are refused");
    sim.shutdown().await;
}

#[tokio::test]
async fn on_prem_requests_are_not_throttled_unless_configured() {
    let mut config = bc_sim::Config::demo();
    config.limits.rate_limit = 1;
    let sim = Sim::with(config).await;
    let url = format!("{}/companies({})/paymentTerms", sim.info().api_on_prem, sim.info().company_id);
    for _ in 0..3 {
        assert_eq!(sim.http.get(&url).header("Authorization", sim.basic()).send().await.unwrap().status(), 200);
    }
    let mut limits = sim.control().limits();
    limits.throttle_on_prem = true;
    sim.control().set_limits(limits);
    assert_eq!(sim.http.get(&url).header("Authorization", sim.basic()).send().await.unwrap().status(), 200);
    assert_eq!(sim.http.get(&url).header("Authorization", sim.basic()).send().await.unwrap().status(), 429);
    sim.shutdown().await;
}

#[tokio::test]
async fn expired_tokens_get_401_mid_run_and_a_new_token_works() {
    let sim = Sim::start().await;
    let url = sim.url("customers");
    assert_eq!(sim.get(&url).await.status(), 200);
    assert_eq!(sim.control().expire_tokens(), 1);
    let response = sim.get(&url).await;
    assert_eq!(response.status(), 401);
    assert!(response.headers().contains_key("www-authenticate"));
    let fresh = fetch_token(&sim.http, &sim.sim).await;
    assert_eq!(sim.http.get(&url).bearer_auth(fresh).send().await.unwrap().status(), 200);
    sim.shutdown().await;
}

#[tokio::test]
async fn revoked_tokens_get_401() {
    let sim = Sim::start().await;
    let revoked: Value =
        sim.http.post(format!("{}/tokens/revoke", sim.info().control_url)).send().await.unwrap().json().await.unwrap();
    assert_eq!(revoked["revoked"], 1);
    assert_eq!(sim.get(&sim.url("customers")).await.status(), 401);
    sim.shutdown().await;
}

#[tokio::test]
async fn tokens_expire_after_their_lifetime() {
    let mut config = bc_sim::Config::demo();
    config.token_ttl = Duration::from_secs(1);
    let sim = Sim::with(config).await;
    let info = sim.info();
    let body: Value = sim
        .http
        .post(&info.token_url)
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", &info.client_id),
            ("client_secret", &info.client_secret),
            ("scope", &info.scope),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["expires_in"], 1);
    let token = body["access_token"].as_str().unwrap().to_string();
    common::eventually(|| {
        let request = sim.http.get(sim.url("items")).bearer_auth(&token);
        async move { (request.send().await.unwrap().status() == 401).then_some(()) }
    })
    .await;
    sim.shutdown().await;
}

#[tokio::test]
async fn tokens_are_bound_to_their_tenant() {
    let sim = Sim::start().await;
    let other = format!(
        "{}/v2.0/{}/production/api/v2.0/companies",
        sim.info().base_url,
        "0b0b0b0b-0000-4000-8000-000000000000"
    );
    let response = sim.http.get(other).bearer_auth(&sim.token).send().await.unwrap();
    assert_eq!(response.status(), 404, "an unknown tenant or environment is not served");
    let sandbox = format!("{}/v2.0/{}/sandbox/api/v2.0/companies", sim.info().base_url, sim.info().tenant);
    assert_eq!(sim.http.get(sandbox).bearer_auth(&sim.token).send().await.unwrap().status(), 404);
    sim.shutdown().await;
}

#[tokio::test]
async fn the_token_endpoint_is_outside_bc_faults_and_the_journal() {
    let sim = Sim::start().await;
    sim.control().faults().set(FaultSettings { down: true, ..FaultSettings::default() }).unwrap();
    let token = fetch_token(&sim.http, &sim.sim).await;
    assert!(!token.is_empty(), "Entra answers while BC is down");
    sim.control().faults().set(FaultSettings::default()).unwrap();
    let journal = sim.control().journal().since(0);
    assert!(journal.iter().all(|e| !e.uri.contains("/oauth2/")), "token requests (with the secret) are not journalled");
    assert!(journal.iter().all(|e| !e.body.contains(&sim.info().client_secret)));
    sim.shutdown().await;
}
