//! Benchmarks (ignored by default; they print figures, they assert nothing about time):
//! `cargo test -p bc-sim --release --test bench -- --ignored --nocapture`

mod common;

use std::time::Instant;

use common::Sim;
use reqwest::Method;
use serde_json::{json, Value};

fn resident_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmRSS:")).map(str::to_string))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|kb| kb.parse::<f64>().ok()))
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark"]
async fn bench_100k_items_start_and_paging() {
    let before = resident_mb();
    let started = Instant::now();
    let mut config = bc_sim::Config::demo();
    config.synthetic_items = 100_000;
    let sim = Sim::with(config).await;
    println!(
        "start with 100,015 items: {:.2} s, resident memory +{:.0} MB",
        started.elapsed().as_secs_f64(),
        resident_mb() - before
    );
    for page_size in [20_000usize, 1_000] {
        let started = Instant::now();
        let mut url = sim.url("items?$select=number,inventory");
        let (mut rows, mut pages) = (0, 0);
        loop {
            let body: Value = sim
                .request(Method::GET, &url)
                .header("Prefer", format!("odata.maxpagesize={page_size}"))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            rows += body["value"].as_array().unwrap().len();
            pages += 1;
            match body["@odata.nextLink"].as_str() {
                Some(next) => url = next.to_string(),
                None => break,
            }
        }
        let seconds = started.elapsed().as_secs_f64();
        println!(
            "paged {rows} items in {pages} pages of {page_size}: {seconds:.2} s ({:.0} items/s)",
            rows as f64 / seconds
        );
    }
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark"]
async fn bench_order_inserts() {
    let sim = Sim::start().await;
    let total = 2_000;
    let workers = 5;
    let started = Instant::now();
    let tasks: Vec<_> = (0..workers)
        .map(|w| {
            let (http, token, url) = (sim.http.clone(), sim.token.clone(), sim.url("salesOrders"));
            tokio::spawn(async move {
                for i in 0..total / workers {
                    let body = json!({
                        "customerNumber": "10000",
                        "externalDocumentNumber": format!("BENCH-{w}-{i}"),
                        "dimensionSetLines": [{"code": "CHANNEL", "valueCode": "WEB"}],
                        "salesOrderLines": [
                            {"lineType": "Item", "lineObjectNumber": "1896-S", "quantity": 1},
                            {"lineType": "Account", "lineObjectNumber": "8100", "quantity": 1, "unitPrice": 5}
                        ]
                    });
                    let status = http.post(&url).bearer_auth(&token).json(&body).send().await.unwrap().status();
                    assert_eq!(status, 201);
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{total} deep-insert orders (2 lines, 1 dimension) over {workers} connections: {seconds:.2} s ({:.0} orders/s)",
        total as f64 / seconds
    );
    let started = Instant::now();
    for i in 0..200 {
        let body =
            sim.get_json(&format!("{}?$filter=externalDocumentNumber eq 'BENCH-0-{i}'", sim.url("salesOrders"))).await;
        assert_eq!(body["value"].as_array().unwrap().len(), 1);
    }
    println!(
        "200 lookups by externalDocumentNumber among {total} orders: {:.1} ms each",
        started.elapsed().as_secs_f64() * 5.0
    );
    sim.shutdown().await;
}
