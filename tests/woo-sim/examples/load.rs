//! Load figures for the simulator (not a test): starts an in-process woo-sim with 100,000
//! synthetic products and drives it over plain HTTP with OAuth 1.0a-signed requests the way the
//! agent does — SKU look-ups, stock writes, modified-since pages — then prints throughput and
//! latency. Client and server share the machine, so the figures are a lower bound.
//!
//! `cargo run -p woo-sim --release --example load -- [products] [seconds] [concurrency] [mix]`
//! where mix is `agent` (default: 50 % SKU look-ups, 30 % stock writes, 20 % modified-since
//! pages of 100), `lookups` or `writes`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use hmac::{Hmac, Mac};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

fn enc(text: &str) -> String {
    utf8_percent_encode(text, UNRESERVED).to_string()
}

/// RFC 5849 one-legged HMAC-SHA256 signature; returns the full query string.
fn signed_query(method: &str, url: &str, params: &[(String, String)], key: &str, secret: &str, nonce: u64) -> String {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_secs();
    let mut all: Vec<(String, String)> = params.to_vec();
    all.push(("oauth_consumer_key".into(), key.into()));
    all.push(("oauth_nonce".into(), format!("n{nonce}")));
    all.push(("oauth_signature_method".into(), "HMAC-SHA256".into()));
    all.push(("oauth_timestamp".into(), now.to_string()));
    let mut encoded: Vec<(String, String)> = all.iter().map(|(k, v)| (enc(k), enc(v))).collect();
    encoded.sort();
    let normalized = encoded.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&");
    let base = format!("{method}&{}&{}", enc(url), enc(&normalized));
    let mac = Hmac::<sha2::Sha256>::new_from_slice(format!("{}&", enc(secret)).as_bytes()).map(|m| m.chain_update(base.as_bytes()).finalize().into_bytes());
    let signature = mac.map(|b| base64::engine::general_purpose::STANDARD.encode(b)).unwrap_or_default();
    format!("{normalized}&oauth_signature={}", enc(&signature))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let products: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let seconds: u64 = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(10);
    let concurrency: usize = args.get(3).and_then(|a| a.parse().ok()).unwrap_or(16);
    let mix = args.get(4).cloned().unwrap_or_else(|| "agent".into());
    let started = Instant::now();
    let sim = woo_sim::start(woo_sim::Config { products, journal_bodies: false, ..woo_sim::Config::demo() }).await?;
    println!("seeded {products} products and listening in {:?}", started.elapsed());
    let client = reqwest::Client::builder().no_proxy().pool_max_idle_per_host(concurrency).build()?;
    let done = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let nonce = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut latencies = Vec::new();
    let mut tasks = Vec::new();
    for worker in 0..concurrency {
        let (client, done, failed, nonce, mix) = (client.clone(), done.clone(), failed.clone(), nonce.clone(), mix.clone());
        let (home, http, key, secret) = (sim.home_url.clone(), sim.http_url.clone(), sim.consumer_key.clone(), sim.consumer_secret.clone());
        tasks.push(tokio::spawn(async move {
            let mut own = Vec::new();
            let mut i = worker as u64;
            while Instant::now() < deadline {
                i += concurrency as u64;
                let n = nonce.fetch_add(1, Ordering::Relaxed);
                let sku_number = (i * 7919) % products.max(1) as u64 + 1;
                let t = Instant::now();
                let kind = match mix.as_str() {
                    "lookups" => 0,
                    "writes" => 5,
                    _ => i % 10,
                };
                let outcome = match kind {
                    0..=4 => {
                        let path = "/wp-json/wc/v3/products";
                        let query = signed_query("GET", &format!("{home}{path}"), &[("sku".into(), format!("SYN-{sku_number:06}"))], &key, &secret, n);
                        client.get(format!("{http}{path}?{query}")).send().await
                    }
                    5..=7 => {
                        // Synthetic products follow the demo shop's 21 posts (ids 101..=121).
                        let path = format!("/wp-json/wc/v3/products/{}", 121 + sku_number);
                        let query = signed_query("PUT", &format!("{home}{path}"), &[], &key, &secret, n);
                        client.put(format!("{http}{path}?{query}")).json(&serde_json::json!({"stock_quantity": (i % 50) as i64})).send().await
                    }
                    _ => {
                        let path = "/wp-json/wc/v3/products";
                        let params = [("orderby".to_string(), "modified".to_string()), ("order".into(), "asc".into()), ("per_page".into(), "100".into()), ("modified_after".into(), "2000-01-01T00:00:00".into()), ("page".into(), ((i % 20) + 1).to_string())];
                        let query = signed_query("GET", &format!("{home}{path}"), &params, &key, &secret, n);
                        client.get(format!("{http}{path}?{query}")).send().await
                    }
                };
                match outcome {
                    Ok(response) if response.status().is_success() => {
                        let _ = response.bytes().await;
                        done.fetch_add(1, Ordering::Relaxed);
                    }
                    _ => {
                        failed.fetch_add(1, Ordering::Relaxed);
                    }
                }
                own.push(t.elapsed());
            }
            own
        }));
    }
    for task in tasks {
        latencies.extend(task.await?);
    }
    latencies.sort();
    let pick = |q: f64| latencies.get(((latencies.len() as f64) * q) as usize).copied().unwrap_or_default();
    let total = done.load(Ordering::Relaxed);
    println!(
        "{mix}: {} ok, {} failed in {seconds} s with {concurrency} clients: {:.0} req/s; latency p50 {:?}, p99 {:?}",
        total,
        failed.load(Ordering::Relaxed),
        total as f64 / seconds as f64,
        pick(0.5),
        pick(0.99)
    );
    if let Ok(status) = std::fs::read_to_string("/proc/self/status") {
        if let Some(line) = status.lines().find(|l| l.starts_with("VmRSS")) {
            println!("process {line}");
        }
    }
    sim.shutdown().await;
    Ok(())
}
